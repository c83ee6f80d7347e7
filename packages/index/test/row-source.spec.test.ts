// Spec 003, row source: the interface the finders read through, and the
// in-memory implementation's emitter contract (behaviour §9.2).
import {
  CorruptDatabaseError,
  encodeDataRow,
  InvalidInputError,
  isChecksumIndex,
  type Row,
} from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import { MemoryRowSource, type RowSource } from "../src/index.js";
import { expectThrows } from "./helpers/expect-error.js";
import { FileBuilder } from "./helpers/file-builder.js";
import { mixedFile, orderedFile, T0 } from "./helpers/files.js";
import { keyWithSuffix } from "./helpers/keys.js";

describe("S_003 row source", () => {
  it("S_003 FR_001 MemoryRowSource reads rows, ignores a torn tail and delivers each completed row once, in order", () => {
    const { b } = orderedFile(10_010, { txRows: 10 });
    const full = b.build();
    const prefix = b.prefix(9_995);
    const source: RowSource = new MemoryRowSource(prefix);
    expect(source.rowSize).toBe(128);
    expect(source.skewMs).toBe(5000);
    expect(source.rowCount()).toBe(9_995);
    expect(Array.from(source.readRows(3, 2))).toEqual(
      Array.from(full.subarray(64 + 3 * 128, 64 + 5 * 128)),
    );
    expectThrows(() => source.readRows(9_994, 2), InvalidInputError, "invalid_input");
    expectThrows(() => source.readRows(-1, 1), InvalidInputError, "invalid_input");

    const seen: Array<[number, Row["type"]]> = [];
    const other: number[] = [];
    const memory = source as MemoryRowSource;
    const unsubscribe = memory.subscribe((i, row) => seen.push([i, row.type]));
    memory.subscribe((i) => other.push(i));
    // Rows arrive in pieces that do not respect row boundaries.
    const rest = full.subarray(prefix.length);
    for (let at = 0; at < rest.length; at += 300) memory.append(rest.subarray(at, at + 300));
    expect(seen.map(([i]) => i)).toEqual(
      Array.from({ length: b.rows.length - 9_995 }, (_, k) => 9_995 + k),
    );
    expect(seen.every(([i, type]) => (type === "checksum") === isChecksumIndex(i))).toBe(true);
    expect(other).toEqual(seen.map(([i]) => i));
    expect(memory.rowCount()).toBe(b.rows.length);

    // Unsubscribing stops delivery; doing it twice is harmless.
    unsubscribe();
    unsubscribe();
    const key = keyWithSuffix(T0 + 99_999, 1);
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key, value: new TextEncoder().encode("1") },
      128,
    );
    memory.append(row.subarray(0, 100));
    expect(memory.rowCount()).toBe(b.rows.length);
    memory.append(row.subarray(100));
    expect(seen.length).toBe(b.rows.length - 9_995);
    expect(other.at(-1)).toBe(b.rows.length);

    // The header is decoded and validated.
    const bad = b.prefix(1);
    bad[0] = 0x20;
    expectThrows(() => new MemoryRowSource(bad), CorruptDatabaseError, "corrupt_database");
    expectThrows(
      () => memory.subscribe(undefined as never),
      InvalidInputError,
      "invalid_input",
      "callback cannot be nil",
    );
  });

  it("S_003 FR_002 append stops at the first subscriber error and re-delivers those rows next time; a corrupt row stops delivery", () => {
    const { b } = mixedFile();
    const source = new MemoryRowSource(b.prefix(3));
    const calls: number[] = [];
    let failAt = 4;
    source.subscribe((i) => {
      calls.push(i);
      if (i === failAt) throw new InvalidInputError(`failed at ${i}`);
    });
    const after: number[] = [];
    source.subscribe((i) => after.push(i));
    expectThrows(
      () => source.append(b.rowBytes(3, 6)),
      InvalidInputError,
      "invalid_input",
      "failed at 4",
    );
    expect(calls).toEqual([3, 4]);
    expect(after).toEqual([3]);
    failAt = -1;
    source.append(b.rowBytes(6, 7));
    expect(calls).toEqual([3, 4, 3, 4, 5, 6]);
    expect(after).toEqual([3, 3, 4, 5, 6]);

    const corrupt = new FileBuilder();
    const good = new MemoryRowSource(corrupt.build());
    const rowBytes = encodeDataRow(
      {
        startControl: "T",
        endControl: "TC",
        key: keyWithSuffix(T0, 3),
        value: new TextEncoder().encode("1"),
      },
      128,
    );
    rowBytes[40] = rowBytes[40]! ^ 1;
    const delivered: number[] = [];
    good.subscribe((i) => delivered.push(i));
    expectThrows(() => good.append(rowBytes), CorruptDatabaseError, "corrupt_database");
    expect(delivered).toEqual([]);
  });
});
