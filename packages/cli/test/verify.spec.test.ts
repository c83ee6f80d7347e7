import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, encodeChecksumRow, encodeDataRow, encodeHeader, parseUuid } from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { open, uuidv7 } from "frozendb";
import { describe, expect, it } from "vitest";
import { cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

/** A 256-byte-row file of committed one-row transactions with these keys. */
function fileWithKeys(dir: string, keys: readonly string[], crcDelta = 0): string {
  const header = encodeHeader({ rowSize: 256, skewMs: 5000 });
  const path = join(dir, "crafted.fdb");
  writeFileSync(
    path,
    Buffer.concat([
      header,
      encodeChecksumRow((crc32(header) ^ crcDelta) >>> 0, 256),
      ...keys.map((key, i) =>
        encodeDataRow(
          {
            startControl: "T",
            endControl: "TC",
            key: parseUuid(key),
            value: Buffer.from(String(i)),
          },
          256,
        ),
      ),
    ]),
  );
  return path;
}

describe("S_005 verify", () => {
  it("S_005 FR_026 success prints one summary line and exits 0", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ["1", "2", "3"]);
    const db = open(path, { mode: "write" });
    db.transaction(() => undefined); // a null row
    db.begin().add(uuidv7(), 4); // open transaction, partial row in state 2
    db.close();
    const r = await cli(["--path", path, "verify"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      `verified ${64 + 5 * 256 + 251} bytes: 5 rows (3 data, 1 null, 1 checksum), 0 checksum blocks, partial row in state 2, transaction open\n`,
    );
  });

  it("S_005 FR_026 failures print the library's error; verify never writes and takes no lock", async () => {
    const dir = tempDir();
    const badCrc = fileWithKeys(dir, [uuidv7()], 1);
    const line = await errorLine(["--path", badCrc, "verify"]);
    expect(line).toMatch(
      /^Error: corrupt_database: checksum mismatch at offset 64 \(expected [0-9a-f]{8}, got [0-9a-f]{8}\)$/,
    );

    const path = newDatabase(dir);
    commitValues(path, ["1", "2"]);
    const bytes = readFileSync(path);
    bytes[64 + 256 + 30] = bytes[64 + 256 + 30]! ^ 0x01;
    writeFileSync(path, bytes);
    expect(withoutCause(await errorLine(["--path", path, "verify"]))).toMatch(
      /^Error: corrupt_database: invalid row at offset 320: /,
    );
    expect(readFileSync(path).equals(bytes)).toBe(true);

    const torn = newDatabase(dir, 256, "torn.fdb");
    appendFileSync(torn, Buffer.from([0x1f, 0x41]));
    expect(await errorLine(["--path", torn, "verify"])).toMatch(
      /^Error: corrupt_database: invalid partial row at offset /,
    );

    const locked = newDatabase(dir, 256, "locked.fdb");
    const writer = open(locked, { mode: "write" });
    try {
      expect(await ok(["--path", locked, "verify"])).toMatch(/^verified 320 bytes: 1 rows /);
    } finally {
      writer.close();
    }
    expect(withoutCause(await errorLine(["--path", join(dir, "none.fdb"), "verify"]))).toBe(
      `Error: read_error: failed to open file: ${join(dir, "none.fdb")}`,
    );
  });

  it("S_005 FR_027 --strict prints each finding and fails with the number of findings", async () => {
    const dir = tempDir();
    const dup = uuidv7();
    const old = uuidv7({ msecs: Date.now() - 3_600_000 });
    const path = fileWithKeys(dir, [dup, uuidv7(), dup, old]);
    // Integrity alone is fine.
    expect(await ok(["--path", path, "verify"])).toMatch(/^verified /);
    const r = await cli(["--path", path, "verify", "--strict"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n").slice(0, -1);
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(/^finding duplicate_key row 3 offset 832: /),
      expect.stringMatching(/^finding key_ordering row 4 offset 1088: /),
    ]);
    expect(lines.at(-1)).toMatch(/^verified 1344 bytes: .*, 2 findings$/);
    expect(r.stderr).toBe("Error: corrupt_database: strict verify found 2 findings\n");
  });

  it("S_005 FR_027 --strict on a clean file succeeds; other arguments are unknown flags", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    commitValues(path, ['{"a":1}', "[2]"]);
    expect(await ok(["--path", path, "verify", "--strict"])).toMatch(/, 0 findings\n$/);
    expect(await errorLine(["--path", path, "verify", "--fast"])).toBe(
      "Error: invalid_input: unknown flag: --fast",
    );
  });
});
