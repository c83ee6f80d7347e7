import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  crc32,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  parseUuid,
  uuidTimestamp,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

const COLUMNS = "index\ttype\tkey\tvalue\tsavepoint\ttx start\ttx end\trollback\tparity";

/** The 704-byte file of file-format §16 (row size 128, skew 250). */
function exampleFile(dir: string): string {
  const n = 128;
  const header = encodeHeader({ rowSize: n, skewMs: 250 });
  const row = (start: "T" | "R", end: "SE" | "R1" | "TC", key: string, value: string) =>
    encodeDataRow(
      { startControl: start, endControl: end, key: parseUuid(key), value: Buffer.from(value) },
      n,
    );
  const path = join(dir, "example.fdb");
  writeFileSync(
    path,
    Buffer.concat([
      header,
      encodeChecksumRow(crc32(header), n),
      row("T", "SE", "01936b2e-5a10-7c3d-9e4f-0123456789ab", '{"n":1}'),
      row("R", "R1", "01936b2e-5a11-7a01-b2c3-d4e5f6071829", '"two"'),
      encodeNullRow(uuidTimestamp(parseUuid("01936b2e-5a11-7a01-b2c3-d4e5f6071829")), n),
      row("T", "TC", "01936b2e-5a0f-7000-8000-00000000beef", "[true,null]"),
    ]),
  );
  return path;
}

const EXAMPLE_OUTPUT = `Row Size\tClock Skew\tFile Version
128\t250\t1

${COLUMNS}
0\tChecksum\t\tK//+uA==\t\t\t\t\t18
1\tData\t01936b2e-5a10-7c3d-9e4f-0123456789ab\t{"n":1}\ttrue\ttrue\tfalse\tfalse\t52
2\tData\t01936b2e-5a11-7a01-b2c3-d4e5f6071829\t"two"\tfalse\tfalse\tfalse\ttrue\t4C
3\tNullRow\t01936b2e-5a11-7000-8000-000000000000\t\tfalse\ttrue\ttrue\tfalse\t4D
4\tData\t01936b2e-5a0f-7000-8000-00000000beef\t[true,null]\tfalse\ttrue\ttrue\tfalse\t4B
`;

/** The data lines (after the column line) of an inspect output. */
function rows(output: string): string[][] {
  const lines = output.split("\n");
  return lines.slice(lines.indexOf(COLUMNS) + 1, -1).map((l) => l.split("\t"));
}

describe("S_005 inspect", () => {
  it("S_005 FR_019 flags are parsed before the file is opened, with the errors of cli.md §6.1", async () => {
    const missing = join(tempDir(), "missing.fdb");
    const cases: Array<[string[], string]> = [
      [["--offset"], "--offset requires a value"],
      [["--limit"], "--limit requires a value"],
      [["--print-header"], "--print-header requires a value"],
      [["--offset", "x"], "--offset must be a number"],
      [["--limit", "1.5"], "--limit must be a number"],
      [["--offset", "99999999999999999999"], "--offset must be a number"],
      [["--print-header", "yes"], "--print-header must be true or false"],
      [["--bogus"], "unknown flag: --bogus"],
      [["rows"], "unknown flag: rows"],
      [["--limit", "1", "--offset=2"], "unknown flag: --offset=2"],
    ];
    for (const [args, message] of cases) {
      expect(withoutCause(await errorLine(["--path", missing, "inspect", ...args]))).toBe(
        `Error: invalid_input: ${message}`,
      );
    }
  });

  it("S_005 FR_019 booleans in any case, numbers with sign, the last repeated flag wins", async () => {
    const dir = tempDir();
    const path = exampleFile(dir);
    for (const word of ["true", "T", "1", "TRUE", "True"]) {
      expect(await ok(["--path", path, "inspect", "--print-header", word])).toBe(EXAMPLE_OUTPUT);
    }
    for (const word of ["false", "F", "0", "FALSE"]) {
      expect(await ok(["--path", path, "inspect", "--print-header", word])).toBe(
        EXAMPLE_OUTPUT.slice(EXAMPLE_OUTPUT.indexOf("index")),
      );
    }
    const out = await ok([
      "--path",
      path,
      "inspect",
      "--offset",
      "3",
      "--offset",
      "+01",
      "--limit",
      "5",
      "--limit",
      "2",
    ]);
    expect(rows(out).map((r) => r[0])).toEqual(["1", "2"]);
  });

  it("S_005 FR_020 path checks, short files and bad headers", async () => {
    const dir = tempDir();
    expect(await errorLine(["--path", join(dir, "x.txt"), "inspect"])).toBe(
      "Error: invalid_input: path must have .fdb extension",
    );
    expect(withoutCause(await errorLine(["--path", join(dir, "none.fdb"), "inspect"]))).toBe(
      "Error: path_error: database file does not exist",
    );
    const short = join(dir, "short.fdb");
    writeFileSync(short, Buffer.alloc(63));
    expect(await errorLine(["--path", short, "inspect"])).toBe(
      "Error: invalid_input: read exceeds file size",
    );
    const garbage = join(dir, "garbage.fdb");
    writeFileSync(garbage, Buffer.alloc(200, 0x41));
    expect(withoutCause(await errorLine(["--path", garbage, "inspect"]))).toMatch(
      /^Error: corrupt_database: /,
    );
  });

  it("S_005 FR_020 no lock and no validation beyond the header", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["1"]);
    // A header-only file: not even the initial checksum row is required.
    const headerOnly = join(dir, "header-only.fdb");
    writeFileSync(headerOnly, readFileSync(path).subarray(0, 64));
    expect(await cli(["--path", headerOnly, "inspect"])).toMatchObject({
      code: 0,
      stdout: `${COLUMNS}\n`,
    });
    const writer = open(path, { mode: "write" });
    try {
      writer.begin().add(uuidv7(), 2);
      const out = await ok(["--path", path, "inspect"]);
      expect(rows(out).map((r) => r[1])).toEqual(["Checksum", "Data", "partial"]);
    } finally {
      writer.close();
    }
  });

  it("S_005 FR_021 the header table, the column line and the rows of cli.md §6.5", async () => {
    const dir = tempDir();
    const r = await cli(["--path", exampleFile(dir), "inspect", "--print-header", "true"]);
    expect(r).toMatchObject({ code: 0, stdout: EXAMPLE_OUTPUT, stderr: "" });
  });

  it("S_005 FR_021 every line has nine fields; flags follow the end controls", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const db = open(path, { mode: "write" });
    const keys = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    let tx = db.begin();
    tx.add(keys[0]!, 1);
    tx.savepoint();
    tx.add(keys[1]!, 2);
    tx.commit(); // T…SE, R…TC
    tx = db.begin();
    tx.add(keys[2]!, 3);
    tx.add(keys[3]!, 4);
    tx.savepoint();
    tx.rollback(1); // T…RE, R…S1
    tx = db.begin();
    tx.add(keys[4]!, 5);
    tx.rollback(0); // T…R0
    db.close();
    const out = await ok(["--path", path, "inspect"]);
    for (const line of out.split("\n").slice(0, -1)) expect(line.split("\t")).toHaveLength(9);
    expect(rows(out).map((r) => r.slice(1, 8))).toEqual([
      ["Checksum", "", expect.stringMatching(/^[A-Za-z0-9+/]{6}==$/), "", "", "", ""],
      ["Data", keys[0], "1", "true", "true", "false", "false"],
      ["Data", keys[1], "2", "false", "false", "true", "false"],
      ["Data", keys[2], "3", "false", "true", "false", "false"],
      ["Data", keys[3], "4", "true", "false", "false", "true"],
      ["Data", keys[4], "5", "false", "true", "false", "true"],
    ]);
    for (const r of rows(out)) expect(r[8]).toMatch(/^[0-9A-F]{2}$/);
  });

  it("S_005 FR_022 tabs, line breaks and backslashes in values are escaped", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const stored = '{\t"a":\r\n"x\\\\y\\"z"}';
    const [key] = commitValues(path, [stored, '{"plain":[1,2]}']);
    const out = await ok(["--path", path, "inspect"]);
    const data = rows(out);
    expect(data).toHaveLength(3);
    expect(data[1]![2]).toBe(key);
    expect(data[1]![3]).toBe('{\\t"a":\\r\\n"x\\\\\\\\y\\\\"z"}');
    expect(data[2]![3]).toBe('{"plain":[1,2]}');
  });

  it("S_005 FR_023 a partial row is listed last as type partial, in each of its states", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["0"]);
    const key = uuidv7();
    const states: string[][] = [];
    const writer = open(path, { mode: "write" });
    const tx = writer.begin();
    states.push(rows(await ok(["--path", path, "inspect"])).at(-1)!);
    tx.addRaw(key, '"pending"');
    states.push(rows(await ok(["--path", path, "inspect"])).at(-1)!);
    tx.savepoint();
    states.push(rows(await ok(["--path", path, "inspect"])).at(-1)!);
    tx.add(uuidv7(), 1); // completes the row: now R, state 2
    states.push(rows(await ok(["--path", path, "inspect"])).at(-1)!);
    writer.close();
    expect(states).toEqual([
      ["2", "partial", "", "", "false", "true", "", "", ""],
      ["2", "partial", key, '"pending"', "false", "true", "", "", ""],
      ["2", "partial", key, '"pending"', "true", "true", "", "", ""],
      ["3", "partial", expect.any(String), "1", "false", "false", "", "", ""],
    ]);
    // --offset past the partial row, and a --limit that stops before it, leave it out.
    expect(rows(await ok(["--path", path, "inspect", "--offset", "4"]))).toEqual([]);
    expect(rows(await ok(["--path", path, "inspect", "--limit", "3"])).map((r) => r[1])).toEqual([
      "Checksum",
      "Data",
      "Data",
    ]);
  });

  it("S_005 FR_023 a torn tail is listed as an error row (exit 1)", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["0"]);
    appendFileSync(path, Buffer.from([0x1f, 0x54, 0x41, 0x41]));
    const r = await cli(["--path", path, "inspect"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(rows(r.stdout).at(-1)).toEqual(["2", "error", "", "", "", "", "", "", ""]);
  });

  it("S_005 FR_024 a row that does not parse is an error row; the rest are listed; exit 1", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["1", "2", "3"]);
    const bytes = readFileSync(path);
    bytes[64 + 2 * 256 + 30] = 0x20; // inside the value of row 2: parity no longer matches
    writeFileSync(path, bytes);
    const r = await cli(["--path", path, "inspect"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const data = rows(r.stdout);
    expect(data.map((x) => x[1])).toEqual(["Checksum", "Data", "error", "Data"]);
    const parity = bytes.subarray(64 + 3 * 256 - 3, 64 + 3 * 256 - 1).toString("latin1");
    expect(data[2]).toEqual(["2", "error", "", "", "", "", "", "", parity]);
  });

  it("S_005 FR_024 negative --offset fails after the column line; past the end and --limit 0 print only it", async () => {
    const dir = tempDir();
    const path = exampleFile(dir);
    const negative = await cli([
      "--path",
      path,
      "inspect",
      "--print-header",
      "1",
      "--offset",
      "-1",
    ]);
    expect(negative.code).toBe(1);
    expect(negative.stdout).toBe(`Row Size\tClock Skew\tFile Version\n128\t250\t1\n\n${COLUMNS}\n`);
    expect(negative.stderr).toBe("Error: invalid_input: offset cannot be negative\n");
    for (const args of [
      ["--offset", "5"],
      ["--offset", "1000"],
      ["--limit", "0"],
      ["--offset", "2", "--limit", "0"],
    ]) {
      expect(await cli(["--path", path, "inspect", ...args])).toMatchObject({
        code: 0,
        stdout: `${COLUMNS}\n`,
      });
    }
    const all = await ok(["--path", path, "inspect", "--limit", "-7"]);
    expect(rows(all)).toHaveLength(5);
    expect(
      rows(await ok(["--path", path, "inspect", "--offset", "3", "--limit", "99"])).map(
        (r) => r[0],
      ),
    ).toEqual(["3", "4"]);
  });

  it("S_005 FR_025 inspect streams: output leaves in several writes as the rows are read", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const db = open(path, { mode: "write", sync: false });
    for (let t = 0; t < 60; t++) {
      db.transaction((tx) => {
        for (let i = 0; i < 100; i++) tx.add(uuidv7(), { t, i, pad: "x".repeat(100) });
      });
    }
    db.close();
    const r = await cli(["--path", path, "inspect"]);
    expect(r.code).toBe(0);
    expect(rows(r.stdout)).toHaveLength(6001);
    expect(r.stdout.length).toBeGreaterThan(1_000_000);
    expect(r.stdoutWrites).toBeGreaterThan(5);
    // Truncating the file under a finished inspect changes nothing: it read only what it printed.
    truncateSync(path, 64 + 256);
    expect(rows(await ok(["--path", path, "inspect"]))).toHaveLength(1);
  });
});
