// A reader process that waits for another process's rows must not exit
// before they come: the file watcher alone keeps nothing alive, keepAlive()
// does while something waits.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { create, open } from "../src/index.js";
import { ensureBuilt, PRELUDE } from "./helpers/tx-child.js";

const KEY = "01936b2e-5a10-7c3d-9e4f-0123456789ab";

/** Starts a reader child; resolves with its output once it exits. */
function reader(path: string, hold: boolean): Promise<{ out: string; code: number | null }> {
  const script = `${PRELUDE}
const log = txlog.open(${JSON.stringify(path)}, { mode: "read" });
${hold ? "log.keepAlive();" : ""}
log.subscribe((index, row) => {
  if (row.type === "data") { console.log("row", index, row.valueText); log.close(); process.exit(0); }
});
console.log("ready");
`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ out, code })));
}

describe("S_002 keeping a reader alive", () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it("S_002 FR_029 a reader holding keepAlive() waits for and receives another process's commit", async () => {
    const path = join(tempDir(), "alive.fdb");
    create(path, { rowSize: 256, skewMs: 5000 });
    const done = reader(path, true);
    await new Promise((r) => setTimeout(r, 700));
    const log = open(path, { mode: "write" });
    log.appendTransaction([{ key: KEY, value: '{"hello":"world"}' }]);
    log.close();
    const { out, code } = await done;
    expect(out).toContain('row 1 {"hello":"world"}');
    expect(code).toBe(0);
  });

  it("S_002 FR_029 without keepAlive() a reader with nothing else to do exits at once", async () => {
    const path = join(tempDir(), "idle.fdb");
    create(path, { rowSize: 256, skewMs: 5000 });
    const started = Date.now();
    const { out, code } = await reader(path, false);
    expect(out.trim()).toBe("ready");
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
