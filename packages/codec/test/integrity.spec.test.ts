import { describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  computeParity,
  crc32,
  crc32Kind,
  crc32Portable,
  decodeRow,
  encodeDataRow,
  encodeHeader,
  parseUuid,
  readParity,
  useCrc32,
  writeParity,
} from "../src/index.js";
import { ascii, thrown, utf8 } from "./helpers/bytes.js";

const K1 = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");

describe("S_001 parity and CRC32", () => {
  it("S_001 FR_003 parity is the XOR of bytes 0…N−4 as two uppercase hex digits", () => {
    // file-format §16.2, row 1: parity "52".
    const row = encodeDataRow(
      { startControl: "T", endControl: "SE", key: K1, value: utf8('{"n":1}') },
      128,
    );
    expect(String.fromCharCode(row[125]!, row[126]!)).toBe("52");
    let xor = 0;
    for (let i = 0; i <= 124; i++) xor ^= row[i]!;
    expect(computeParity(row, 0, 128)).toBe(xor);
    expect(readParity(row, 125)).toBe(0x52);
    // Misaligned offsets inside a larger buffer give the same answer.
    for (let shift = 1; shift < 8; shift++) {
      const buffer = new Uint8Array(128 + shift);
      buffer.set(row, shift);
      expect(computeParity(buffer, shift, 128)).toBe(xor);
    }
    const out = new Uint8Array(2);
    writeParity(out, 0, 0xa3);
    expect(String.fromCharCode(...out)).toBe("A3");
    writeParity(out, 0, 0x0a);
    expect(String.fromCharCode(...out)).toBe("0A");
  });

  it("S_001 FR_003 lowercase, non-hex and wrong parity digits are corrupt", () => {
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key: K1, value: utf8("[1]") },
      128,
    );
    const parity = computeParity(row, 0, 128);
    const stored = String.fromCharCode(row[125]!, row[126]!);
    const variants = [
      stored.toLowerCase() === stored ? undefined : stored.toLowerCase(),
      "G0",
      ((parity ^ 1) & 0xff).toString(16).toUpperCase().padStart(2, "0"),
    ].filter((v): v is string => v !== undefined);
    expect(variants.length).toBeGreaterThanOrEqual(2);
    expect(readParity(ascii("a3"), 0)).toBe(-1);
    for (const digits of variants) {
      const bad = row.slice();
      bad.set(ascii(digits), 125);
      const error = thrown(() => decodeRow(bad, 0, 128, 3));
      expect(error).toBeInstanceOf(CorruptDatabaseError);
      expect(error.offset).toBe(64 + 3 * 128 + 125);
      expect(error.rowIndex).toBe(3);
    }
  });

  it("S_001 FR_004 crc32 is CRC-32/IEEE, native in Node, and the portable fallback agrees", () => {
    expect(crc32Kind()).toBe("native");
    // file-format §16.1: CRC of the example header is 0x2BFFFEB8.
    const header = encodeHeader({ rowSize: 128, skewMs: 250 });
    expect(crc32(header)).toBe(0x2bfffeb8);
    expect(crc32Portable(header)).toBe(0x2bfffeb8);
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926); // the standard check value
    expect(crc32(new Uint8Array(0))).toBe(0);
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const whole = crc32(big);
    expect(crc32Portable(big)).toBe(whole);
    // Continuing from a running value gives the CRC of the concatenation.
    expect(crc32Portable(big.subarray(777), crc32Portable(big.subarray(0, 777)))).toBe(whole);
    expect(crc32(big.subarray(777), crc32(big.subarray(0, 777)))).toBe(whole);
  });

  it("S_001 FR_004 useCrc32 selects the portable or an injected implementation", () => {
    try {
      expect(useCrc32("portable")).toBe("portable");
      expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
      const calls: number[] = [];
      expect(
        useCrc32((data, initial) => {
          calls.push(data.length);
          return crc32Portable(data, initial);
        }),
      ).toBe("custom");
      expect(crc32(ascii("abc"))).toBe(crc32Portable(ascii("abc")));
      expect(calls).toEqual([3]);
    } finally {
      expect(useCrc32("native")).toBe("native");
    }
  });
});
