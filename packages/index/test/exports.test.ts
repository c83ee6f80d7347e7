// Pins the public surface: adding or removing an export is a deliberate,
// reviewed change (and needs a changeset), never an accident.
import { expect, it } from "vitest";
import * as index from "../src/index.js";

it("exports exactly the documented runtime names", () => {
  expect(Object.keys(index).sort()).toEqual([
    "BinarySearchFinder",
    "DEFAULT_BLOCK_ROWS",
    "DEFAULT_CACHE_BYTES",
    "FINDER_STRATEGIES",
    "InMemoryFinder",
    "MemoryRowSource",
    "SimpleFinder",
    "createFinder",
  ]);
  expect(index.DEFAULT_CACHE_BYTES).toBeLessThanOrEqual(16_000_000);
});
