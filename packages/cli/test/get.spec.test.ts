import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, encodeChecksumRow, encodeDataRow, encodeHeader, parseUuid } from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

/** Stores each value as typed and returns `get`'s output for each. */
async function printed(values: readonly string[], rowSize = 4096): Promise<string[]> {
  const dir = tempDir();
  const path = newDatabase(dir, rowSize);
  const keys = commitValues(path, values);
  return Promise.all(keys.map((key) => ok(["--path", path, "get", key])));
}

describe("S_005 get", () => {
  it("S_005 FR_017 the key is parsed before the file is opened; NOW is not special", async () => {
    const missing = join(tempDir(), "missing.fdb");
    expect(await errorLine(["--path", missing, "get"])).toBe(
      "Error: invalid_input: missing required argument: key",
    );
    expect(await errorLine(["--path", missing, "get", "NOW"])).toBe(
      "Error: invalid_input: invalid UUID format (caused by: invalid UUID length: 3)",
    );
    expect(
      await errorLine(["--path", missing, "get", "019c0596-e9ba-1872-b4bc-b6f15783a239"]),
    ).toBe("Error: invalid_input: key must be UUIDv7");
    expect(withoutCause(await errorLine(["--path", missing, "get", uuidv7(), "extra"]))).toBe(
      "Error: path_error: database file does not exist",
    );
  });

  it("S_005 FR_017 accepts the key spellings of add", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ["7"]);
    for (const spelling of [
      key!,
      key!.toUpperCase(),
      key!.replaceAll("-", ""),
      `{${key}}`,
      `urn:uuid:${key}`,
    ]) {
      expect(await ok(["--path", path, "get", spelling])).toBe("7\n");
    }
  });

  it("S_005 FR_017 reads without a lock, beside a writer with an open transaction", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ['{"kept":true}']);
    const writer = open(path, { mode: "write" });
    try {
      const pending = uuidv7();
      const tx = writer.begin();
      tx.add(pending, 1);
      tx.add(uuidv7(), 2);
      expect(await ok(["--path", path, "get", key!])).toBe('{\n  "kept": true\n}\n');
      expect(await errorLine(["--path", path, "get", pending])).toBe(
        "Error: key_not_found: key exists only in uncommitted transaction (caused by: transaction_active: transaction has no ending row)",
      );
    } finally {
      writer.close();
    }
  });

  it("S_005 FR_017 not-found outcomes are the library's, with every finder", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["1"]);
    const writer = open(path, { mode: "write" });
    const rolledBack = uuidv7();
    const tx = writer.begin();
    tx.add(rolledBack, 1);
    tx.rollback(0);
    writer.close();
    const absent = uuidv7();
    for (const finder of ["simple", "inmemory", "binary"]) {
      expect(await errorLine(["--finder", finder, "--path", path, "get", absent])).toBe(
        `Error: key_not_found: key ${absent} not found in database`,
      );
      expect(await errorLine(["--finder", finder, "--path", path, "get", rolledBack])).toBe(
        "Error: key_not_found: key exists only in fully rolled back transaction",
      );
    }
  });

  it("S_005 FR_018 the stored text is pretty-printed with order, digits and escapes kept", async () => {
    const stored =
      '{"b":"<1>","a":[1.0,2.50,1e3,12345678901234567890,-0,0.1e-7],"s":"<&>é\\u2028","n":null,"e":{},"l":[],"z":{"y":1,"x":2}}';
    const [out] = await printed([stored]);
    expect(out).toBe(
      [
        "{",
        '  "b": "<1>",',
        '  "a": [',
        "    1.0,",
        "    2.50,",
        "    1e3,",
        "    12345678901234567890,",
        "    -0,",
        "    0.1e-7",
        "  ],",
        '  "s": "<&>é\\u2028",',
        '  "n": null,',
        '  "e": {},',
        '  "l": [],',
        '  "z": {',
        '    "y": 1,',
        '    "x": 2',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("S_005 FR_018 whitespace, duplicate keys, empty containers and top-level scalars", async () => {
    const outputs = await printed([
      ' {\n\t"a" : 1 , "a" : [ ] ,"c":{ } }\r\n',
      '"just a string"',
      " 1 ",
      "true",
      "null",
      "[[],[{}],[[1]]]",
      '"tab\\there \\"q\\" \\\\ \\/ \\ud83d\\ude00"',
    ]);
    expect(outputs).toEqual([
      '{\n  "a": 1,\n  "a": [],\n  "c": {}\n}\n',
      '"just a string"\n',
      "1\n",
      "true\n",
      "null\n",
      "[\n  [],\n  [\n    {}\n  ],\n  [\n    [\n      1\n    ]\n  ]\n]\n",
      '"tab\\there \\"q\\" \\\\ \\/ \\ud83d\\ude00"\n',
    ]);
  });

  it("S_005 FR_018 identical to the original's output where keys are sorted and nothing is re-encoded", async () => {
    const values = [
      '{"action":"login","n":3,"ok":true,"tags":["a","b"],"user":{"id":7,"name":"ana"}}',
      "[1,2.5,-3,[true,false,null],{}]",
      '{"a":{"b":{"c":{"d":[]}}}}',
    ];
    const outputs = await printed(values);
    for (const [i, v] of values.entries()) {
      expect(outputs[i]).toBe(`${JSON.stringify(JSON.parse(v), null, 2)}\n`);
    }
  });

  it("S_005 FR_018 deep nesting is printed (no recursion limit)", async () => {
    const depth = 1000;
    const [out] = await printed([`${"[".repeat(depth)}1${"]".repeat(depth)}`], 4096);
    const lines = out!.split("\n");
    expect(lines).toHaveLength(2 * depth + 2);
    expect(lines[depth]).toBe(`${"  ".repeat(depth)}1`);
  });

  it("S_005 FR_018 a stored text that is not JSON fails with invalid_data", async () => {
    const dir = tempDir();
    const path = join(dir, "bad-json.fdb");
    const header = encodeHeader({ rowSize: 256, skewMs: 5000 });
    const key = uuidv7();
    writeFileSync(
      path,
      Buffer.concat([
        header,
        encodeChecksumRow(crc32(header), 256),
        encodeDataRow(
          { startControl: "T", endControl: "TC", key: parseUuid(key), value: Buffer.from("{bad") },
          256,
        ),
      ]),
    );
    expect(withoutCause(await errorLine(["--path", path, "get", key]))).toBe(
      "Error: invalid_data: failed to unmarshal JSON value",
    );
  });
});
