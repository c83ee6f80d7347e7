import { expect, it } from "vitest";
import * as cli from "../src/index.js";

it("the package exports run() and nothing else at runtime", () => {
  expect(Object.keys(cli).sort()).toEqual(["run"]);
});
