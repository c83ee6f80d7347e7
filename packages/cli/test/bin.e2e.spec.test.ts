/**
 * End-to-end: the built executable (`node packages/cli/bin/frozendb.js`, i.e.
 * dist/ as published) in real processes.
 */

import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeDataRow, parseUuid } from "@frozendb/codec";
import {
  copyReference,
  hasReference,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
  tempDir,
} from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, ensureBuilt, ROOT, spawnCli, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

beforeAll(() => ensureBuilt(), 300_000);

/** Runs the executable and expects success; returns stdout. */
async function okRun(args: string[], cwd: string, input?: string): Promise<string> {
  const r = await spawnCli(args, cwd, input);
  if (r.status !== 0) throw new Error(`frozendb ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  expect(r.stderr).toBe("");
  return r.stdout;
}

describe("S_005 the executable", () => {
  it("S_005 FR_001 runs as node packages/cli/bin/frozendb.js from the repository root", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "packages/cli/package.json"), "utf8")) as {
      version: string;
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ frozendb: "./bin/frozendb.js" });
    expect(
      await shell("node packages/cli/bin/frozendb.js --version; echo status=$?", ROOT),
    ).toEqual({
      stdout: `frozendb v${pkg.version}\nstatus=0\n`,
      stderr: "",
    });
    const usage = await spawnCli([], ROOT);
    expect(usage.status).toBe(1);
    expect(usage.stdout).toBe("");
    expect(usage.stderr).toMatch(/^Usage: frozendb <command> \[arguments\]\n/);
    const failure = await spawnCli(["--path", "nonexist.fdb", "get", uuidv7()], tempDir());
    expect(failure.status).toBe(1);
    expect(failure.stdout).toBe("");
    expect(withoutCause(failure.stderr.trimEnd())).toBe(
      "Error: path_error: database file does not exist",
    );
    expect(failure.stderr.split("\n")).toHaveLength(2);
  });

  it("S_005 FR_008 every CLI-level message of cli.md §9, from a real process", async () => {
    const dir = tempDir();
    const db = join(dir, "db.fdb");
    await okRun(["create", db], dir);
    const openTx = join(dir, "open.fdb");
    await okRun(["create", openTx], dir);
    await okRun(["--path", openTx, "begin"], dir);
    const cases: Array<[string[], string]> = [
      [["--path", db], "invalid_input: missing subcommand"],
      [["get", "K"], "invalid_input: missing required flag: --path"],
      [["get", "--path"], "invalid_input: --path requires a value"],
      [["--path", db, "get", "--finder"], "invalid_input: --finder requires a value"],
      [["--path", db, "--path", db, "commit"], "invalid_input: duplicate flag: --path"],
      [
        ["--finder", "simple", "--finder", "simple", "--path", db, "commit"],
        "invalid_input: duplicate flag: --finder",
      ],
      [
        ["--finder", "fast", "--path", db, "commit"],
        "invalid_input: invalid finder strategy: fast (valid: simple, inmemory, binary)",
      ],
      [["--path", db, "frob"], "invalid_input: unknown command: frob"],
      [["create"], "invalid_input: missing required argument: path"],
      [["create", "a.fdb", "b.fdb"], "invalid_input: too many arguments for create command"],
      [["--path", db, "add"], "invalid_input: missing required argument: key"],
      [["--path", db, "add", "NOW"], "invalid_input: missing required argument: value"],
      [["--path", db, "get", "xyz"], "invalid_input: invalid UUID format"],
      [
        ["--path", db, "get", "019c0596-e9ba-4872-b4bc-b6f15783a239"],
        "invalid_input: key must be UUIDv7",
      ],
      [["--path", db, "add", "NOW", "{x"], "invalid_input: invalid JSON format"],
      [["--path", db, "rollback", "x"], "invalid_input: savepointId must be a number"],
      [["--path", db, "rollback", "10"], "invalid_input: savepointId must be between 0 and 9"],
      [["--path", db, "inspect", "--offset"], "invalid_input: --offset requires a value"],
      [["--path", db, "inspect", "--limit"], "invalid_input: --limit requires a value"],
      [
        ["--path", db, "inspect", "--print-header"],
        "invalid_input: --print-header requires a value",
      ],
      [["--path", db, "inspect", "--offset", "x"], "invalid_input: --offset must be a number"],
      [["--path", db, "inspect", "--limit", "x"], "invalid_input: --limit must be a number"],
      [
        ["--path", db, "inspect", "--print-header", "x"],
        "invalid_input: --print-header must be true or false",
      ],
      [["--path", db, "inspect", "x"], "invalid_input: unknown flag: x"],
      [["--path", db, "inspect", "--offset", "-1"], "invalid_input: offset cannot be negative"],
      [["--path", openTx, "begin"], "invalid_action: transaction already active"],
      [["--path", db, "commit"], "invalid_action: no active transaction"],
    ];
    const results = await inPool(cases, 4, ([args]) => spawnCli(args, dir));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.status, args.join(" ")).toBe(1);
      expect(withoutCause(r.stderr.trimEnd()), args.join(" ")).toBe(`Error: ${message}`);
      expect(r.stderr.split("\n"), args.join(" ")).toHaveLength(2);
    });
    // Catalogue entries no input can reach: "failed to generate UUIDv7" (clock or
    // randomness failure) and "failed to format JSON output" (our printer works on
    // validated text and cannot fail after validation).
  });

  it("S_005 FR_013 a transaction spread over separate processes leaves the original's bytes", async () => {
    const dir = tempDir();
    const path = join(dir, "db.fdb");
    await okRun(["create", path], dir);
    await okRun(["--path", path, "begin"], dir);
    const k1 = (await okRun(["--path", path, "add", "NOW", '{"a":1}'], dir)).trim();
    await okRun(["--path", path, "savepoint"], dir);
    const k2 = (await okRun(["add", "NOW", '{"b":2}', "--path", path], dir)).trim();
    const pending = await spawnCli(["--path", path, "get", k1], dir);
    expect(pending.stderr).toBe(
      "Error: key_not_found: key exists only in uncommitted transaction (caused by: transaction_active: transaction has no ending row)\n",
    );
    await okRun(["--path", path, "rollback", "1"], dir);
    await okRun(["--path", path, "begin"], dir);
    const k3 = (
      await okRun(["--path", path, "--finder", "simple", "add", "now", "[3]"], dir)
    ).trim();
    await okRun(["--path", path, "commit"], dir);
    const row = (start: "T" | "R", end: "SE" | "R1" | "TC", key: string, value: string) =>
      Buffer.from(
        encodeDataRow(
          { startControl: start, endControl: end, key: parseUuid(key), value: Buffer.from(value) },
          4096,
        ),
      );
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(4160 + 3 * 4096);
    expect(
      bytes
        .subarray(4160)
        .equals(
          Buffer.concat([
            row("T", "SE", k1, '{"a":1}'),
            row("R", "R1", k2, '{"b":2}'),
            row("T", "TC", k3, "[3]"),
          ]),
        ),
    ).toBe(true);
    expect(await okRun(["--path", path, "get", k1], dir)).toBe('{\n  "a": 1\n}\n');
    expect(await okRun(["--path", path, "get", k3], dir)).toBe("[\n  3\n]\n");
    expect((await spawnCli(["--path", path, "get", k2], dir)).stderr).toBe(
      "Error: key_not_found: key exists only after savepoint in partially rolled back transaction\n",
    );
    expect(await okRun(["--path", path, "verify"], dir)).toMatch(
      /^verified 16448 bytes: 4 rows \(3 data, 0 null, 1 checksum\)/,
    );
  });

  it("S_005 FR_016 a writer in another process makes writing commands fail at once", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const holder = open(path, { mode: "write" });
    try {
      const r = await spawnCli(["--path", path, "begin"], dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        "Error: write_error: another process has the database locked (caused by: resource temporarily unavailable)\n",
      );
    } finally {
      holder.close();
    }
  });

  it("S_005 FR_030 import then export round-trips 25,000 rows", async () => {
    const dir = tempDir();
    const source = join(dir, "source.fdb");
    await okRun(["create", source, "--row-size", "256"], dir);
    const lines = Array.from({ length: 25_000 }, (_, i) =>
      i % 3 === 0
        ? `{"key":"NOW","value":{"i":${i},"big":12345678901234567890${i}}}`
        : `{"value":[${i},"r\\u00e9w",${i}.50]}`,
    );
    const input = join(dir, "in.jsonl");
    writeFileSync(input, `${lines.join("\n")}\n`);
    expect(await okRun(["--path", source, "import", input], dir)).toBe(
      "imported 25000 rows in 250 transactions\n",
    );
    const exported = await okRun(["--path", source, "export"], dir);
    const records = exported.split("\n").slice(0, -1);
    expect(records).toHaveLength(25_000);
    records.forEach((record, i) => {
      const value = lines[i]!.slice(lines[i]!.indexOf('"value":') + 8, -1);
      expect(record.endsWith(`,"value":${value}}`)).toBe(true);
    });
    const copy = join(dir, "copy.fdb");
    await okRun(["create", copy, "--row-size", "256"], dir);
    expect(await okRun(["--path", copy, "import", "-"], dir, exported)).toBe(
      "imported 25000 rows in 250 transactions\n",
    );
    expect(await okRun(["--path", copy, "export"], dir)).toBe(exported);
    expect(await okRun(["--path", copy, "verify"], dir)).toMatch(
      /\(25000 data, 0 null, 3 checksum\), 2 checksum blocks/,
    );
    expect(statSync(copy).size).toBe(statSync(source).size);
  });

  it("S_005 FR_031 import of a file with a bad line at line N reports N and keeps lines 1…N-1", async () => {
    const dir = tempDir();
    const path = join(dir, "db.fdb");
    await okRun(["create", path, "--row-size", "256"], dir);
    const lines = Array.from({ length: 300 }, (_, i) => `{"value":${i}}`);
    lines[236] = '{"value":oops}';
    const input = join(dir, "in.jsonl");
    writeFileSync(input, lines.join("\n"));
    const r = await spawnCli(["--path", path, "import", input], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(withoutCause(r.stderr.trimEnd())).toBe(
      "Error: invalid_input: line 237: invalid JSON format",
    );
    const exported = (await okRun(["--path", path, "export"], dir)).split("\n").slice(0, -1);
    expect(exported.map((l) => (JSON.parse(l) as { value: number }).value)).toEqual(
      Array.from({ length: 236 }, (_, i) => i),
    );
    await okRun(["--path", path, "verify"], dir);
  });

  it("S_005 FR_034 tail --follow prints a commit made by other invocations, then exits 0 on SIGINT", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const dir = tempDir();
      const path = newDatabase(dir);
      const [first] = commitValues(path, ['"first"']);
      const child = spawn(process.execPath, [BIN, "--path", path, "tail", "--follow"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => resolve(code)),
      );
      await until(() => stdout.includes(first!), "the first row");
      await okRun(["--path", path, "begin"], dir);
      const key = (await okRun(["--path", path, "add", "NOW", '{"live":true}'], dir)).trim();
      await okRun(["--path", path, "commit"], dir);
      await until(() => stdout.includes(key), "the committed row");
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toBe(
        `{"key":"${first}","value":"first"}\n{"key":"${key}","value":{"live":true}}\n`,
      );
    }
  });

  it("S_005 FR_036 a pipe gets everything; a closed pipe ends the command quietly", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const db = open(path, { mode: "write", sync: false });
    for (let t = 0; t < 60; t++) {
      db.transaction((tx) => {
        for (let i = 0; i < 100; i++) tx.add(uuidv7(), { t, i, pad: "z".repeat(150) });
      });
    }
    db.close();
    const whole = await okRun(["--path", path, "export"], dir);
    expect(whole.length).toBeGreaterThan(1_000_000);
    const piped = await shell(`node ${BIN} --path ${path} export | cat`, dir);
    expect(piped.stdout).toBe(whole);
    const head = await shell(
      `node ${BIN} --path ${path} inspect | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`,
      dir,
    );
    expect(head.stdout).toBe(
      "index\ttype\tkey\tvalue\tsavepoint\ttx start\ttx end\trollback\tparity\n",
    );
    expect(head.stderr).toBe("status=0\n");
  });
});

describe.skipIf(!hasReference)(
  `S_005 the executable over the reference files${referenceSkipReason}`,
  () => {
    it("S_005 FR_037 inspect lists every row of every reference file", async () => {
      for (const name of referenceNames()) {
        const dir = tempDir();
        const path = copyReference(name, dir);
        const expected = referenceExpectation(name);
        const out = await okRun(["--path", path, "inspect"], dir);
        const types = out
          .split("\n")
          .slice(1, -1)
          .map((l) => l.split("\t")[1]);
        const counts = expected.row_counts;
        expect(types.filter((t) => t === "Checksum")).toHaveLength(counts.checksum);
        expect(types.filter((t) => t === "Data")).toHaveLength(counts.data);
        expect(types.filter((t) => t === "NullRow")).toHaveLength(counts.null);
        expect(types.filter((t) => t === "partial")).toHaveLength(counts.partial);
        expect(types).toHaveLength(counts.checksum + counts.data + counts.null + counts.partial);
      }
    });
  },
);

/** Maps `items` through `fn` with at most `size` calls running at once (each call is a process). */
async function inPool<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
  return results;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function shell(script: string, cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", () => resolve({ stdout, stderr }));
  });
}
