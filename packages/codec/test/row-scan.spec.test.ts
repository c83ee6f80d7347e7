// FR-027: a row check can be handed its byte scan (rowScan) instead of
// making it; inspectRowScanned then answers exactly as inspectRow does, on
// intact rows and on rows damaged anywhere.
import { describe, expect, it } from "vitest";
import {
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  inspectRow,
  inspectRowScanned,
  parseUuid,
  rowScan,
} from "../src/index.js";
import { utf8 } from "./helpers/bytes.js";

/** What a check gives: its record (copied: the codec reuses it) or its error. */
function outcome(check: () => unknown): unknown {
  try {
    return { ...(check() as object) };
  } catch (error) {
    const e = error as Error & { code?: string; offset?: number; rowIndex?: number };
    return { code: e.code, message: e.message, offset: e.offset, rowIndex: e.rowIndex };
  }
}

describe("S_001 row checks with a scan made elsewhere", () => {
  it("S_001 FR_027 rowScan packs the first zero, the parity, clean padding and ASCII", () => {
    const key = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key, value: utf8('{"a":"é"}') },
      128,
    );
    const scan = rowScan(row, 0, 128);
    const valueEnd = 26 + utf8('{"a":"é"}').length;
    expect((scan & 0x1ffff) - 1).toBe(valueEnd);
    let xor = 0;
    for (let i = 0; i < 125; i++) xor ^= row[i]!;
    expect((scan >>> 17) & 0xff).toBe(xor);
    expect(scan & (1 << 25)).not.toBe(0);
    expect(scan & (1 << 26)).toBe(0); // "é" is not ASCII
  });

  it("S_001 FR_027 inspectRowScanned with rowScan's scan answers exactly as inspectRow, for intact rows of every kind and for every single damaged byte", () => {
    const key = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    const rowSize = 128;
    const intact = [
      encodeDataRow({ startControl: "T", endControl: "TC", key, value: utf8('{"n":1}') }, rowSize),
      encodeDataRow({ startControl: "R", endControl: "S3", key, value: utf8('"grüße"') }, rowSize),
      encodeNullRow(1_733_000_000_000, rowSize),
      encodeChecksumRow(0x12345678, rowSize),
    ];
    let compared = 0;
    let errors = 0;
    for (const row of intact) {
      const variants: Uint8Array[] = [row];
      for (let at = 0; at < rowSize; at++) {
        for (const damage of [0x00, 0x01, 0x80, 0x41]) {
          const copy = row.slice();
          copy[at] = damage === 0x01 ? copy[at]! ^ 0x01 : damage;
          variants.push(copy);
        }
      }
      for (const bytes of variants) {
        // At an offset inside a larger buffer, with a row index: as verify checks.
        const buffer = new Uint8Array(rowSize * 2);
        buffer.set(bytes, rowSize);
        const index = 10_001;
        const plain = outcome(() =>
          inspectRow(buffer, rowSize, rowSize, index, new Uint8Array(16)),
        );
        const scanned = outcome(() =>
          inspectRowScanned(
            buffer,
            rowSize,
            rowSize,
            index,
            new Uint8Array(16),
            rowScan(buffer, rowSize, rowSize),
          ),
        );
        expect(scanned).toEqual(plain);
        compared++;
        if ("code" in (plain as object)) errors++;
      }
    }
    expect(compared).toBe(4 * (1 + 4 * rowSize));
    // Most single-byte damage is caught, so errors were compared too.
    expect(errors).toBeGreaterThan(compared / 2);
  });
});
