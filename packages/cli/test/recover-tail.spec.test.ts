import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it, onTestFinished } from "vitest";
import { Capture, cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

const isRoot = process.getuid?.() === 0;
const hasChattr = spawnSync("chattr", ["--help"]).error === undefined;

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("S_005 recover", () => {
  it("S_005 FR_032 removes a torn tail, says exactly what it removed, and writers work again", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ['{"kept":1}']);
    const complete = statSync(path).size;
    appendFileSync(path, Buffer.from([0x1f, 0x54, 0x41, 0x42, 0x43]));
    expect(withoutCause(await errorLine(["--path", path, "begin"]))).toMatch(
      /^Error: corrupt_database: the file ends in a write torn by a crash: .*run recover \(frozendb recover\)/,
    );
    const r = await cli(["--path", path, "recover"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      new RegExp(
        `^removed 3 uncommitted bytes at offset ${complete + 2} \\(.+\\); the file now ends in a partial row state 1\\n$`,
      ),
    );
    expect(statSync(path).size).toBe(complete + 2);
    // The recovered state-1 row is an open transaction: end it.
    await ok(["--path", path, "commit"]);
    expect(await ok(["--path", path, "get", key!])).toBe('{\n  "kept": 1\n}\n');
    expect(await ok(["--path", path, "verify"])).toMatch(/^verified /);
  });

  it("S_005 FR_032 a file without a torn tail is left as it is", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["1"]);
    const before = readFileSync(path);
    expect(await ok(["--path", path, "recover"])).toBe(
      "nothing to recover: the file ends in a row boundary\n",
    );
    const db = open(path, { mode: "write" });
    db.begin().add(uuidv7(), 2);
    db.close();
    expect(await ok(["--path", path, "recover"])).toBe(
      "nothing to recover: the file ends in a partial row state 2\n",
    );
    expect(readFileSync(path).subarray(0, before.length).equals(before)).toBe(true);
    expect(await errorLine(["--path", path, "recover", "--force"])).toBe(
      "Error: invalid_input: unknown flag: --force",
    );
  });

  it("S_005 FR_032 refuses, with the reason, on a locked file", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const writer = open(path, { mode: "write" });
    try {
      expect(withoutCause(await errorLine(["--path", path, "recover"]))).toBe(
        "Error: write_error: another process has the database locked",
      );
    } finally {
      writer.close();
    }
  });

  it.skipIf(!isRoot || !hasChattr)(
    "S_005 FR_032 refuses, with the reason, on a file with the append-only attribute (root with chattr only)",
    async () => {
      const dir = tempDir();
      const path = join(dir, "ao.fdb");
      onTestFinished(() => void spawnSync("chattr", ["-a", "--", path]));
      await ok(["create", path, "--row-size", "256", "--append-only"]);
      appendFileSync(path, Buffer.from([0x1f, 0x54, 0x41]));
      const line = await errorLine(["--path", path, "recover"]);
      expect(line).toMatch(
        /^Error: write_error: refusing to recover: the file carries the append-only attribute/,
      );
      expect(statSync(path).size).toBe(64 + 256 + 3);
    },
  );
});

describe("S_005 tail", () => {
  it("S_005 FR_033 prints the last 10 committed rows by default, or --lines N, as export does", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    expect(await cli(["--path", path, "tail"])).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const values = Array.from({ length: 15 }, (_, i) => `{"n":${i}}`);
    const keys = commitValues(path, values);
    const line = (i: number) => `{"key":"${keys[i]}","value":${values[i]}}\n`;
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => line(from + k)).join("");
    expect(await ok(["--path", path, "tail"])).toBe(range(5, 15));
    expect(await ok(["--path", path, "tail", "--lines", "3"])).toBe(range(12, 15));
    expect(await ok(["--path", path, "tail", "--lines", "100"])).toBe(range(0, 15));
    expect(await ok(["--path", path, "tail", "--lines", "0"])).toBe("");
  });

  it("S_005 FR_033 option errors", async () => {
    const missing = join(tempDir(), "missing.fdb");
    expect(await errorLine(["--path", missing, "tail", "--lines"])).toBe(
      "Error: invalid_input: --lines requires a value",
    );
    expect(withoutCause(await errorLine(["--path", missing, "tail", "--lines", "ten"]))).toBe(
      "Error: invalid_input: --lines must be a number",
    );
    expect(await errorLine(["--path", missing, "tail", "--lines", "-1"])).toBe(
      "Error: invalid_input: --lines cannot be negative",
    );
    expect(await errorLine(["--path", missing, "tail", "-f"])).toBe(
      "Error: invalid_input: unknown flag: -f",
    );
  });

  it("S_005 FR_034 --follow prints each row as its transaction commits, until interrupted, then exits 0", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [first] = commitValues(path, ['"before"']);
    const stdout = new Capture();
    let interrupt: (() => void) | undefined;
    let unregistered = false;
    const running = cli(["--path", path, "tail", "--follow", "--lines", "1"], {
      stdout,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {
          unregistered = true;
        };
      },
    });
    await until(() => stdout.text.includes(first!) && interrupt !== undefined, "the first row");

    const writer = open(path, { mode: "write" });
    const tx = writer.begin();
    const a = uuidv7();
    const b = uuidv7();
    tx.addRaw(a, '{"a":1}');
    tx.addRaw(b, "[2]");
    await new Promise((r) => setTimeout(r, 150));
    expect(stdout.text).not.toContain(a); // not before the commit
    tx.commit();
    const gone = uuidv7();
    const rolled = writer.begin();
    rolled.add(gone, 0);
    rolled.rollback(0);
    const c = uuidv7();
    writer.transaction((t) => t.addRaw(c, '"after"'));
    writer.close();
    await until(() => stdout.text.includes(c), "the committed rows");

    interrupt!();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(unregistered).toBe(true);
    expect(stdout.text).toBe(
      `{"key":"${first}","value":"before"}\n{"key":"${a}","value":{"a":1}}\n{"key":"${b}","value":[2]}\n{"key":"${c}","value":"after"}\n`,
    );
  });
});
