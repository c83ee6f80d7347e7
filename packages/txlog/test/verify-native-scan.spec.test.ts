// FR-036: verify's byte scan of rows made by the addon's scanRows gives the
// codec's rowScan results, and verify reports exactly the same with the
// native scan and with the JavaScript one, on intact and damaged files.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { encodeDataRow, parseUuid, rowScan } from "@frozendb/codec";
import { scanRows } from "@frozendb/file-map";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { verify } from "../src/index.js";
import { BASE_MS, fill, flipByte, key, newLog, rowStart, writeAt } from "./helpers/tx-util.js";

/** A small deterministic generator (tests must be repeatable). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** Fields of a packed scan: the first zero and padding verdict always; parity and ASCII when clean. */
function meaning(scan: number): string {
  const zero = (scan & 0x1ffff) - 1;
  const clean = (scan & (1 << 25)) !== 0;
  if (!clean) return `zero ${zero}, dirty`;
  return `zero ${zero}, clean, parity ${(scan >>> 17) & 0xff}, ascii ${(scan & (1 << 26)) !== 0}`;
}

/** Rows of `rowSize` bytes: valid data rows and rows damaged in every way the scan sees. */
function rows(rowSize: number, count: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(rowSize * count);
  for (let r = 0; r < count; r++) {
    const valueLength = 2 + (next() % (rowSize - 40));
    const value = Buffer.alloc(valueLength, 0x61);
    for (let i = 0; i < valueLength; i++) value[i] = 0x20 + (next() % 90);
    value[0] = 0x22;
    value[valueLength - 1] = 0x22;
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key: parseUuid(key(BASE_MS + r, r)), value },
      rowSize,
    );
    const at = r * rowSize;
    out.set(row, at);
    switch (next() % 7) {
      case 0: // intact
        break;
      case 1: // a byte flipped anywhere
        out[at + (next() % rowSize)]! ^= 1 << (next() % 8);
        break;
      case 2: // a zero inside the payload
        out[at + 2 + (next() % (valueLength + 24))] = 0;
        break;
      case 3: // no zero at all: padding filled
        for (let i = at + 26 + valueLength; i < at + rowSize - 5; i++) out[i] = 0x41;
        break;
      case 4: // a non-ASCII byte in the value
        out[at + 26 + (next() % valueLength)] = 0x80 | (next() % 128);
        break;
      case 5: // dirty padding
        out[at + 26 + valueLength + 1 + (next() % Math.max(1, rowSize - 33 - valueLength))] = 0x07;
        break;
      default: // a zero in the end control or the parity
        out[at + rowSize - 5 + (next() % 4)] = 0;
    }
  }
  return out;
}

describe("S_002 FR_036 verify's native row scan", () => {
  it("S_002 FR_036 scanRows gives the codec's rowScan for every row: the first zero and padding verdict always, parity and ASCII with clean padding", () => {
    for (const [rowSize, seed] of [
      [128, 1],
      [256, 2],
      [1024, 3],
      [131, 4],
    ] as const) {
      const count = 500;
      const bytes = rows(rowSize, count, seed);
      // At an offset inside a larger buffer, as verify's chunks are.
      const padded = new Uint8Array(bytes.length + 7);
      padded.set(bytes, 7);
      const out = new Int32Array(count);
      scanRows(padded, 7, rowSize, count, out);
      for (let r = 0; r < count; r++) {
        expect(meaning(out[r]!), `row ${r} of ${rowSize} bytes`).toBe(
          meaning(rowScan(bytes, r * rowSize, rowSize)),
        );
      }
    }
  });

  it("S_002 FR_036 scanRows refuses ranges outside the buffer and a short output array", () => {
    const bytes = new Uint8Array(1024);
    const out = new Int32Array(4);
    expect(() => scanRows(bytes, 0, 256, 5, new Int32Array(5))).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG" }),
    );
    expect(() => scanRows(bytes, 1, 256, 4, out)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG" }),
    );
    expect(() => scanRows(bytes, 0, 256, 4, new Int32Array(3))).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG" }),
    );
    scanRows(bytes, 0, 256, 4, out);
    // All-zero rows: the first zero is byte 0, and the padding is clean.
    expect(meaning(out[0]!)).toBe(meaning(rowScan(bytes, 0, 256)));
  });

  it("S_002 FR_036 verify reports the same with the native scan and with nativeScan: false, on an intact file and on files damaged in every part of a row", () => {
    const rowSize = 128;
    const { log, path } = newLog({ rowSize, skewMs: 0 });
    fill(log, 10_050, BASE_MS);
    log.close();
    const outcome = (file: string, nativeScan: boolean): unknown => {
      try {
        return { report: verify(file, { nativeScan }) };
      } catch (error) {
        const e = error as Error & { code?: string; offset?: number; rowIndex?: number };
        return { code: e.code, message: e.message, offset: e.offset, rowIndex: e.rowIndex };
      }
    };
    expect(outcome(path, true)).toEqual(outcome(path, false));
    expect(outcome(path, true)).toHaveProperty("report.checksumBlocks", 1);
    const dir = tempDir();
    const next = random(9);
    let damaged = 0;
    for (let n = 0; n < 60; n++) {
      const copy = join(dir, `d${n}.fdb`);
      copyFileSync(path, copy);
      const row = 1 + (next() % 10_040);
      const at = rowStart(row, rowSize);
      if (n % 3 === 0) flipByte(copy, at + (next() % rowSize), 1 << (next() % 8));
      else if (n % 3 === 1) writeAt(copy, at + 26 + (next() % 60), Uint8Array.of(n % 2 ? 0 : 0xc3));
      else writeAt(copy, at + rowSize - 6 - (next() % 20), Uint8Array.of(0x01));
      const native = outcome(copy, true);
      expect(native, `damage ${n} at row ${row}`).toEqual(outcome(copy, false));
      if (!("report" in (native as object))) damaged++;
    }
    // The damage was seen, not just agreed on.
    expect(damaged).toBeGreaterThan(50);
  });
});
