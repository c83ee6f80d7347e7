import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  crc32,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  parseUuid,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { verify } from "../src/index.js";

const N = 128;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** A key with timestamp `ms` and a distinguishing tail `n`. */
function key(ms: number, n: number): Uint8Array {
  const hex = ms.toString(16).padStart(12, "0");
  return parseUuid(
    `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${n.toString(16).padStart(12, "0")}`,
  );
}

function fileOf(skewMs: number, ...rows: Uint8Array[]): string {
  const header = encodeHeader({ rowSize: N, skewMs });
  const path = join(tempDir(), "strict.fdb");
  writeFileSync(path, Buffer.concat([header, encodeChecksumRow(crc32(header), N), ...rows]));
  return path;
}

function data(start: "T" | "R", end: "TC" | "RE" | "SE" | "R0" | "R1", k: Uint8Array, value = "1") {
  return encodeDataRow({ startControl: start, endControl: end, key: k, value: utf8(value) }, N);
}

describe("S_002 verify --strict", () => {
  it("S_002 FR_033 a file a correct writer produced has no findings", () => {
    const path = fileOf(
      100,
      data("T", "TC", key(1000, 1)),
      encodeNullRow(1000, N),
      data("T", "TC", key(1001, 2)),
    );
    const report = verify(path, { strict: true });
    expect(report.findings).toEqual([]);
    expect(report.findingCount).toBe(0);
    expect(verify(path).findings).toBeUndefined();
  });

  it("S_002 FR_033 reports ordering, duplicates, invalid JSON and null-row timestamps, each with its row", () => {
    const k1 = key(5000, 1);
    const path = fileOf(
      100,
      data("T", "TC", k1), // row 1
      data("T", "TC", key(4900, 2)), // row 2: 4900 + 100 > 5000 is false → ordering
      data("T", "TC", k1), // row 3: committed twice
      data("T", "TC", key(5001, 3), "{oops"), // row 4: not JSON
      encodeNullRow(4000, N), // row 5: max before it is 5001
    );
    const report = verify(path, { strict: true });
    expect(report.findings?.map((f) => [f.kind, f.rowIndex, f.offset])).toEqual([
      ["key_ordering", 2, 64 + 2 * N],
      ["duplicate_key", 3, 64 + 3 * N],
      ["invalid_json", 4, 64 + 4 * N],
      ["null_row_timestamp", 5, 64 + 5 * N],
    ]);
    expect(report.findingCount).toBe(4);
  });

  it("S_002 FR_033 a key whose rows were all rolled back may appear again; a kept one may not", () => {
    const k1 = key(7000, 1);
    const k2 = key(7000, 2);
    const rolledBack = fileOf(1000, data("T", "R0", k1), data("T", "TC", k1));
    expect(verify(rolledBack, { strict: true }).findings).toEqual([]);
    // Savepoint on k1's row, rollback to it: k1 is kept, k2 is not.
    const partly = fileOf(
      1000,
      data("T", "SE", k1),
      data("R", "R1", k2),
      data("T", "TC", k2),
      data("T", "TC", k1),
    );
    expect(verify(partly, { strict: true }).findings?.map((f) => [f.kind, f.rowIndex])).toEqual([
      ["duplicate_key", 4],
    ]);
    const sameTx = fileOf(1000, data("T", "RE", k1), data("R", "TC", k1));
    expect(verify(sameTx, { strict: true }).findings?.map((f) => f.kind)).toEqual([
      "duplicate_key",
    ]);
  });
});
