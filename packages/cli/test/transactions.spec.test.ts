import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { encodeDataRow, encodeNullRow, parseUuid, uuidTimestamp } from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { newDatabase, storedText } from "./helpers/files.js";

const N = 4096;

function dataRow(
  start: "T" | "R",
  end: Parameters<typeof encodeDataRow>[0]["endControl"],
  key: string,
  value: string,
): Buffer {
  return Buffer.from(
    encodeDataRow(
      { startControl: start, endControl: end, key: parseUuid(key), value: Buffer.from(value) },
      N,
    ),
  );
}

async function newDefaultDatabase(dir: string): Promise<string> {
  const path = join(dir, "db.fdb");
  await ok(["create", path]);
  return path;
}

describe("S_005 transactions across invocations", () => {
  it("S_005 FR_011 begin starts a transaction; a second begin fails with transaction already active", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    expect(await cli(["--path", path, "begin", "ignored", "args"])).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(statSync(path).size).toBe(4160 + 2);
    expect(await errorLine(["--path", path, "begin"])).toBe(
      "Error: invalid_action: transaction already active",
    );
    expect(statSync(path).size).toBe(4160 + 2);
  });

  it("S_005 FR_012 commit, savepoint, rollback and add need a transaction in the file", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    for (const argv of [
      ["commit"],
      ["savepoint"],
      ["rollback"],
      ["rollback", "3"],
      ["add", "NOW", "1"],
    ]) {
      expect(await errorLine(["--path", path, ...argv])).toBe(
        "Error: invalid_action: no active transaction",
      );
    }
    expect(statSync(path).size).toBe(4160);
  });

  it("S_005 FR_012 library errors of the transaction pass through", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    expect(await errorLine(["--path", path, "savepoint"])).toBe(
      "Error: invalid_action: cannot savepoint empty transaction",
    );
    await ok(["--path", path, "add", "NOW", "1"]);
    await ok(["--path", path, "savepoint"]);
    expect(withoutCause(await errorLine(["--path", path, "savepoint"]))).toBe(
      "Error: invalid_action: failed to create savepoint",
    );
    expect(await errorLine(["--path", path, "rollback", "2"])).toBe(
      "Error: invalid_input: rollback target savepoint does not exist",
    );
    await ok(["--path", path, "commit"]);
  });

  it("S_005 FR_012 an empty transaction (begin then commit, begin then rollback) writes a null row", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    await ok(["--path", path, "commit"]);
    await ok(["--path", path, "begin"]);
    await ok(["--path", path, "rollback"]);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(4160 + 2 * N);
    expect(bytes.subarray(4160, 4160 + N).equals(Buffer.from(encodeNullRow(0, N)))).toBe(true);
    expect(
      (await ok(["--path", path, "inspect"])).split("\n").filter((l) => l.includes("NullRow")),
    ).toHaveLength(2);
  });

  it("S_005 FR_013 begin / add / savepoint / add / rollback 1 in separate invocations append the bytes of cli.md §8", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    expect(
      readFileSync(path)
        .subarray(4160)
        .equals(Buffer.from([0x1f, 0x54])),
    ).toBe(true);
    const k1 = (await ok(["--path", path, "add", "NOW", '{"a":1}'])).trim();
    expect(statSync(path).size).toBe(4160 + N - 5);
    await ok(["--path", path, "savepoint"]);
    expect(statSync(path).size).toBe(4160 + N - 4);
    const k2 = (await ok(["--path", path, "add", "NOW", '{"b":2}'])).trim();
    expect(statSync(path).size).toBe(4160 + N + N - 5);
    expect(await errorLine(["--path", path, "get", k1])).toBe(
      "Error: key_not_found: key exists only in uncommitted transaction (caused by: transaction_active: transaction has no ending row)",
    );
    await ok(["--path", path, "rollback", "1"]);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(4160 + 2 * N);
    expect(bytes.subarray(4160, 4160 + N).equals(dataRow("T", "SE", k1, '{"a":1}'))).toBe(true);
    expect(bytes.subarray(4160 + N).equals(dataRow("R", "R1", k2, '{"b":2}'))).toBe(true);
    expect(await ok(["--path", path, "get", k1])).toBe('{\n  "a": 1\n}\n');
    expect(await errorLine(["--path", path, "get", k2])).toBe(
      "Error: key_not_found: key exists only after savepoint in partially rolled back transaction",
    );
  });

  it("S_005 FR_013 begin / add / add / commit: rows become visible only at commit, in the original's bytes", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    const k1 = (await ok(["--path", path, "add", "NOW", '{"x":[1,2]}'])).trim();
    const k2 = (await ok(["--path", path, "add", "NOW", '"two"'])).trim();
    expect(withoutCause(await errorLine(["--path", path, "get", k1]))).toBe(
      "Error: key_not_found: key exists only in uncommitted transaction",
    );
    await ok(["--path", path, "commit"]);
    const bytes = readFileSync(path);
    expect(bytes.subarray(4160, 4160 + N).equals(dataRow("T", "RE", k1, '{"x":[1,2]}'))).toBe(true);
    expect(bytes.subarray(4160 + N).equals(dataRow("R", "TC", k2, '"two"'))).toBe(true);
    expect(await ok(["--path", path, "get", k2])).toBe('"two"\n');
    // The null row of a later empty transaction carries the newest timestamp.
    await ok(["--path", path, "begin"]);
    await ok(["--path", path, "commit"]);
    const ts = uuidTimestamp(parseUuid(k2));
    expect(
      readFileSync(path)
        .subarray(4160 + 2 * N)
        .equals(Buffer.from(encodeNullRow(ts, N))),
    ).toBe(true);
  });

  it("S_005 FR_014 rollback ids: base-10 with sign, checked before the file is opened", async () => {
    const dir = tempDir();
    const missing = join(dir, "missing.fdb");
    for (const bad of ["x", "3.0", " 3", "", "1e1", "99999999999999999999"]) {
      expect(withoutCause(await errorLine(["--path", missing, "rollback", bad]))).toBe(
        "Error: invalid_input: savepointId must be a number",
      );
    }
    expect(await errorLine(["--path", missing, "rollback", "x"])).toContain("(caused by: ");
    for (const out of ["10", "-1", "+10"]) {
      expect(await errorLine(["--path", missing, "rollback", out])).toBe(
        "Error: invalid_input: savepointId must be between 0 and 9",
      );
    }
    // A valid id reaches the file.
    expect(withoutCause(await errorLine(["--path", missing, "rollback", "+3"]))).toBe(
      "Error: path_error: database file does not exist",
    );
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    const k = (await ok(["--path", path, "add", "NOW", "1"])).trim();
    await ok(["--path", path, "savepoint"]);
    await ok(["--path", path, "rollback", "001", "ignored"]);
    expect(await ok(["--path", path, "get", k])).toBe("1\n");
  });

  it("S_005 FR_015 add: argument errors, then the key, then the JSON, before the file is opened", async () => {
    const dir = tempDir();
    const missing = join(dir, "missing.fdb");
    expect(await errorLine(["--path", missing, "add"])).toBe(
      "Error: invalid_input: missing required argument: key",
    );
    expect(await errorLine(["--path", missing, "add", "NOW"])).toBe(
      "Error: invalid_input: missing required argument: value",
    );
    expect(await errorLine(["--path", missing, "add", "bad", "{"])).toBe(
      "Error: invalid_input: invalid UUID format (caused by: invalid UUID length: 3)",
    );
    expect(
      await errorLine(["--path", missing, "add", "019c0596-e9ba-4872-b4bc-b6f15783a239", "{"]),
    ).toBe("Error: invalid_input: key must be UUIDv7");
    for (const bad of ["{", "", "{'a':1}", "[1,]", "01", "tru", '"a\tb"', "1 2", "NaN"]) {
      expect(await errorLine(["--path", missing, "add", "NOW", bad])).toBe(
        "Error: invalid_input: invalid JSON format",
      );
    }
  });

  it("S_005 FR_015 add: key spellings of cli.md §4.8 and their errors", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    const missing = join(dir, "missing.fdb");
    const canonical = uuidv7();
    const hex = canonical.replaceAll("-", "");
    const spellings = [
      canonical.toUpperCase(),
      hex,
      `{${canonical}}`,
      `(${canonical}]`,
      `URN:uuid:${canonical}`,
    ];
    await ok(["--path", path, "begin"]);
    // Every spelling names the same key: the first is added, the others are duplicates.
    expect(await ok(["--path", path, "add", spellings[0]!, "1"])).toBe(`${canonical}\n`);
    for (const spelling of spellings.slice(1)) {
      expect(await errorLine(["--path", path, "add", spelling, "1"])).toBe(
        "Error: invalid_input: key already exists",
      );
    }
    const cases: Array<[string, string]> = [
      ["abc", "invalid UUID length: 3"],
      [`${canonical}0`, "invalid UUID length: 37"],
      [canonical.replace("-", "x"), "invalid UUID format"],
      [hex.replace(/.$/, "g"), "invalid UUID format"],
      [`urn:uuix:${canonical}`, 'invalid urn prefix: "urn:uuix:"'],
    ];
    for (const [key, cause] of cases) {
      expect(await errorLine(["--path", missing, "add", key, "1"])).toBe(
        `Error: invalid_input: invalid UUID format (caused by: ${cause})`,
      );
    }
    // The variant is the library's check.
    const badVariant = `${canonical.slice(0, 19)}${"c"}${canonical.slice(20)}`;
    expect(withoutCause(await errorLine(["--path", path, "add", badVariant, "1"]))).toBe(
      "Error: invalid_input: invalid UUIDv7 key",
    );
    await ok(["--path", path, "commit"]);
  });

  it("S_005 FR_015 add NOW in any case makes a new key; the value is stored byte for byte and the key printed", async () => {
    const dir = tempDir();
    const path = await newDefaultDatabase(dir);
    await ok(["--path", path, "begin"]);
    const values = [
      ' { "b" : 1 ,\n "a" : 12345678901234567890 } ',
      '"\\u00e9\\n"',
      "-0.0e+00",
      "null",
    ];
    const keys: string[] = [];
    for (const [i, word] of ["NOW", "now", "Now", "nOw"].entries()) {
      const out = await ok(["--path", path, "add", word, values[i]!]);
      expect(out).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/,
      );
      keys.push(out.trim());
    }
    await ok(["--path", path, "commit"]);
    expect(new Set(keys).size).toBe(4);
    for (const [i, key] of keys.entries()) expect(storedText(path, key)).toBe(values[i]);
  });

  it("S_005 FR_016 writing commands fail at once while another handle holds the writer lock", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const writer = open(path, { mode: "write" });
    writer.begin().add(uuidv7(), { pending: true });
    const before = readFileSync(path);
    try {
      for (const argv of [
        ["begin"],
        ["commit"],
        ["savepoint"],
        ["rollback"],
        ["add", "NOW", "1"],
      ]) {
        const line = await errorLine(["--path", path, ...argv]);
        expect(withoutCause(line)).toBe(
          "Error: write_error: another process has the database locked",
        );
      }
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      writer.close();
    }
    // The lock is gone with the handle: the transaction it left open can be ended here.
    await ok(["--path", path, "commit"]);
  });
});
