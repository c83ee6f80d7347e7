import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase, storedText } from "./helpers/files.js";

function records(output: string): Array<{ key: string; value: unknown }> {
  return output
    .split("\n")
    .slice(0, -1)
    .map((line) => JSON.parse(line) as { key: string; value: unknown });
}

/** Transactions in the file: rows whose `tx start` is true, from inspect. */
async function transactionStarts(path: string): Promise<number> {
  const out = await ok(["--path", path, "inspect"]);
  return out.split("\n").filter((l) => l.split("\t")[5] === "true").length;
}

describe("S_005 export", () => {
  it("S_005 FR_028 committed rows in file order, value text spliced exactly", async () => {
    const dir = tempDir();
    const path = newDatabase(dir, 1024);
    expect(await cli(["--path", path, "export"])).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "",
    });
    const values = [
      '{"b":1,"a":12345678901234567890}',
      '"\\u00e9 é \\"x\\""',
      "1.50e+3",
      "[ 1 , {} ]",
    ];
    const keys = commitValues(path, values);
    const db = open(path, { mode: "write" });
    const gone = uuidv7();
    const tx = db.begin();
    tx.add(gone, 1);
    tx.rollback(0);
    const later = uuidv7();
    db.transaction((t) => t.addRaw(later, "true"));
    db.begin().add(uuidv7(), "pending");
    db.close();
    const out = await ok(["--path", path, "export"]);
    expect(out).toBe(
      [
        ...keys.map((k, i) => `{"key":"${k}","value":${values[i]}}`),
        `{"key":"${later}","value":true}`,
        "",
      ].join("\n"),
    );
    expect(records(out).map((r) => r.key)).toEqual([...keys, later]);
  });

  it("S_005 FR_028 line breaks in stored text become spaces so each record is one line", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ['{\n  "a": [1,\r\n2],\t"s": "x"\n}']);
    const out = await ok(["--path", path, "export"]);
    expect(out).toBe(`{"key":"${key}","value":{   "a": [1,  2],\t"s": "x" }}\n`);
    expect(records(out)).toEqual([{ key, value: { a: [1, 2], s: "x" } }]);
  });

  it("S_005 FR_029 --from and --to bound key timestamps, as milliseconds or ISO 8601", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const db = open(path, { mode: "write" });
    const keys = [0, 1000, 2000, 3000].map((d) => uuidv7({ msecs: t0 + d }));
    db.transaction((tx) => {
      for (const [i, k] of keys.entries()) tx.addRaw(k, String(i));
    });
    db.close();
    const exported = async (...args: string[]) =>
      records(await ok(["--path", path, "export", ...args])).map((r) => r.value);
    expect(await exported("--from", String(t0 + 1000))).toEqual([1, 2, 3]);
    expect(await exported("--to", String(t0 + 2000))).toEqual([0, 1]);
    expect(await exported("--from", String(t0 + 1000), "--to", String(t0 + 3000))).toEqual([1, 2]);
    expect(
      await exported("--from", new Date(t0 + 1000).toISOString(), "--to", "2026-01-01T12:00:03Z"),
    ).toEqual([1, 2]);
    expect(await exported("--from", "2026-01-02")).toEqual([]);
    expect(await exported("--to", "0")).toEqual([]);
  });

  it("S_005 FR_029 bad bounds and flags", async () => {
    const missing = join(tempDir(), "missing.fdb");
    expect(await errorLine(["--path", missing, "export", "--from"])).toBe(
      "Error: invalid_input: --from requires a value",
    );
    expect(await errorLine(["--path", missing, "export", "--to"])).toBe(
      "Error: invalid_input: --to requires a value",
    );
    for (const bad of ["yesterday", "1.5", "2026-13-45", ""]) {
      expect(withoutCause(await errorLine(["--path", missing, "export", "--from", bad]))).toBe(
        "Error: invalid_input: --from must be a time (milliseconds or ISO 8601)",
      );
    }
    expect(withoutCause(await errorLine(["--path", missing, "export", "--to", "soon"]))).toBe(
      "Error: invalid_input: --to must be a time (milliseconds or ISO 8601)",
    );
    expect(await errorLine(["--path", missing, "export", "--since", "1"])).toBe(
      "Error: invalid_input: unknown flag: --since",
    );
  });
});

describe("S_005 import", () => {
  it("S_005 FR_030 reads a file: keys given, absent or NOW; values stored exactly; blank lines skipped", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const given = uuidv7();
    const input = join(dir, "in.jsonl");
    writeFileSync(
      input,
      [
        `{"key":"${given}","value":{"b":1,"a":12345678901234567890}}`,
        "",
        '{"value":  [1,  2] }',
        "   ",
        '{"value":"x","key":"now"}',
        '{ "key" : "NOW" , "value" : -0.0e1 }\r',
        "",
      ].join("\n"),
    );
    const r = await cli(["--path", path, "import", input]);
    expect(r).toMatchObject({ code: 0, stdout: "imported 4 rows in 1 transactions\n", stderr: "" });
    expect(storedText(path, given)).toBe('{"b":1,"a":12345678901234567890}');
    const out = records(await ok(["--path", path, "export"]));
    expect(out.map((x) => x.value)).toEqual([
      { b: 1, a: Number("12345678901234567890") },
      [1, 2],
      "x",
      -0,
    ]);
    const exported = await ok(["--path", path, "export"]);
    expect(exported.split("\n")[1]).toMatch(/"value":\[1, {2}2\]\}$/);
    expect(exported.split("\n")[3]).toMatch(/"value":-0\.0e1\}$/);
  });

  it("S_005 FR_030 reads stdin for -, in committed transactions of at most 100 rows", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const lines = Array.from({ length: 250 }, (_, i) => `{"value":${i}}`).join("\n");
    expect(await ok(["--path", path, "import", "-"], { stdin: lines })).toBe(
      "imported 250 rows in 3 transactions\n",
    );
    expect(await transactionStarts(path)).toBe(3);
    expect(records(await ok(["--path", path, "export"])).map((x) => x.value)).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
    expect(await ok(["--path", path, "import", "-"], { stdin: "" })).toBe(
      "imported 0 rows in 0 transactions\n",
    );
    expect(await ok(["--path", path, "verify"])).toMatch(/^verified .*\(250 data/);
  });

  it("S_005 FR_030 argument errors", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    expect(await errorLine(["--path", path, "import"])).toBe(
      "Error: invalid_input: missing required argument: file",
    );
    expect(await errorLine(["--path", path, "import", "a", "b"])).toBe(
      "Error: invalid_input: too many arguments for import command",
    );
  });

  it("S_005 FR_031 the first bad line is named; the lines before it stay committed; the file stays valid", async () => {
    const existing = uuidv7();
    const cases: Array<[string, string]> = [
      ["{not json", "Error: invalid_input: line 4: invalid JSON format"],
      ["[1,2]", 'Error: invalid_input: line 4: a line must be a JSON object with a "value" member'],
      ['{"key":"NOW"}', 'Error: invalid_input: line 4: missing "value" member'],
      [
        '{"value":1,"Value":2}',
        'Error: invalid_input: line 4: unknown member "Value" (expected "key" and "value")',
      ],
      ['{"key":7,"value":1}', 'Error: invalid_input: line 4: "key" must be a string'],
      ['{"key":"abc","value":1}', "Error: invalid_input: line 4: invalid UUID format"],
      [
        '{"key":"019c0596-e9ba-4872-b4bc-b6f15783a239","value":1}',
        "Error: invalid_input: line 4: key must be UUIDv7",
      ],
      [`{"key":"${existing}","value":1}`, "Error: invalid_input: line 4: key already exists"],
      [
        `{"key":"${uuidv7({ msecs: Date.now() - 3_600_000 })}","value":1}`,
        "Error: key_ordering: line 4: UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
      ],
      [`{"value":"${"x".repeat(300)}"}`, "Error: invalid_input: line 4: payload size"],
    ];
    for (const [bad, expected] of cases) {
      const dir = tempDir();
      const path = newDatabase(dir);
      const db = open(path, { mode: "write" });
      db.transaction((tx) => tx.add(existing, "first"));
      db.close();
      const input = ['{"value":1}', "", '{"value":2}', bad, '{"value":3}'].join("\n");
      const line = withoutCause(await errorLine(["--path", path, "import", "-"], { stdin: input }));
      expect(line.startsWith(expected), `${line} / ${expected}`).toBe(true);
      expect(records(await ok(["--path", path, "export"])).map((x) => x.value)).toEqual([
        "first",
        1,
        2,
      ]);
      expect(await ok(["--path", path, "verify"])).toMatch(/^verified /);
    }
  });

  it("S_005 FR_031 a bad line in a later batch: every earlier batch and row is committed", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const dup = uuidv7();
    const lines = Array.from({ length: 160 }, (_, i) =>
      i === 120 ? `{"key":"${dup}","value":${i}}` : `{"value":${i}}`,
    );
    lines[150] = `{"key":"${dup}","value":150}`;
    const input = join(dir, "in.jsonl");
    writeFileSync(input, lines.join("\n"));
    expect(await errorLine(["--path", path, "import", input])).toBe(
      "Error: invalid_input: line 151: key already exists",
    );
    expect(records(await ok(["--path", path, "export"])).map((x) => x.value)).toEqual(
      Array.from({ length: 150 }, (_, i) => i),
    );
    expect(await transactionStarts(path)).toBe(2);
    expect(await ok(["--path", path, "verify"])).toMatch(/^verified /);
  });

  it("S_005 FR_031 a missing input file, an open transaction and a lock are refused before anything is read", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    expect(withoutCause(await errorLine(["--path", path, "import", join(dir, "none.jsonl")]))).toBe(
      `Error: path_error: input file does not exist: ${join(dir, "none.jsonl")}`,
    );
    expect(withoutCause(await errorLine(["--path", path, "import", dir]))).toBe(
      `Error: path_error: input is not a file: ${dir}`,
    );
    const db = open(path, { mode: "write" });
    db.begin().add(uuidv7(), 1);
    expect(
      withoutCause(await errorLine(["--path", path, "import", "-"], { stdin: '{"value":1}' })),
    ).toBe("Error: write_error: another process has the database locked");
    db.close();
    expect(await errorLine(["--path", path, "import", "-"], { stdin: '{"value":1}' })).toBe(
      "Error: invalid_action: transaction already active",
    );
    expect(readFileSync(path).length).toBe(64 + 256 + 251);
  });
});
