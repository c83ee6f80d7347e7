import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import { Capture, cli } from "./helpers/cli.js";
import { newDatabase } from "./helpers/files.js";

/** A database of `transactions` × 100 rows with ~100-byte values. */
function filledDatabase(dir: string, transactions: number): string {
  const path = newDatabase(dir);
  const db = open(path, { mode: "write", sync: false });
  for (let t = 0; t < transactions; t++) {
    db.transaction((tx) => {
      for (let i = 0; i < 100; i++) tx.add(uuidv7(), { t, i, pad: "y".repeat(100) });
    });
  }
  db.close();
  return path;
}

const ALWAYS = { FROZENDB_PROGRESS: "always" };

describe("S_005 progress and pipes", () => {
  it("S_005 FR_035 verify, export and import draw a bar on a terminal's stderr, never on stdout", async () => {
    const dir = tempDir();
    const path = filledDatabase(dir, 5);
    const verify = await cli(["--path", path, "verify"], { stderrIsTTY: true, env: ALWAYS });
    expect(verify.code).toBe(0);
    expect(verify.stderr).toMatch(/verify \[[=-]+\] \d+%/);
    expect(verify.stdout).toMatch(/^verified [^\n]+\n$/);

    const exported = await cli(["--path", path, "export"], { stderrIsTTY: true, env: ALWAYS });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/export \[[=-]+\] \d+%/);
    const lines = exported.stdout.split("\n").slice(0, -1);
    expect(lines).toHaveLength(500);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty("key");

    const input = join(dir, "in.jsonl");
    writeFileSync(input, exported.stdout);
    const target = newDatabase(dir, 256, "copy.fdb");
    const imported = await cli(["--path", target, "import", input], {
      stderrIsTTY: true,
      env: ALWAYS,
    });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/import \[[=-]+\] \d+%/);
    expect(imported.stdout).toBe("imported 500 rows in 5 transactions\n");
  });

  it("S_005 FR_035 no bar when stderr is not a terminal, for small files, or with FROZENDB_PROGRESS=never", async () => {
    const dir = tempDir();
    const path = filledDatabase(dir, 1);
    const runs = [
      await cli(["--path", path, "verify"], { stderrIsTTY: false, env: ALWAYS }),
      await cli(["--path", path, "verify"], { stderrIsTTY: true }),
      await cli(["--path", path, "export"], { stderrIsTTY: true }),
      await cli(["--path", path, "verify"], {
        stderrIsTTY: true,
        env: { FROZENDB_PROGRESS: "never" },
      }),
    ];
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
    }
  });

  it("S_005 FR_036 everything reaches a slow reader: the command waits for the stream to drain", async () => {
    const dir = tempDir();
    const path = filledDatabase(dir, 40);
    let received = "";
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        received += chunk.toString();
        setTimeout(done, 1);
      },
    });
    const stderr = new Capture();
    const code = await run(["--path", path, "export"], { stdout: slow, stderr });
    expect(code).toBe(0);
    expect(stderr.text).toBe("");
    const lines = received.split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(4001);
    expect(received.length).toBeGreaterThan(500_000);
  });

  it("S_005 FR_036 a reader that closes the pipe early ends the command quietly with exit 0", async () => {
    const dir = tempDir();
    const path = filledDatabase(dir, 40);
    for (const command of ["inspect", "export"]) {
      let writes = 0;
      const closing = new Writable({
        write(_chunk, _encoding, done) {
          writes++;
          done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        },
      });
      const stderr = new Capture();
      const code = await run(["--path", path, command], { stdout: closing, stderr });
      expect(code, command).toBe(0);
      expect(stderr.text, command).toBe("");
      expect(writes, command).toBe(1);
    }
  });
});
