import { describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  decodeHeader,
  encodeHeader,
  InvalidInputError,
} from "../src/index.js";
import { ascii, concat, fromHex, hex, thrown } from "./helpers/bytes.js";

/** file-format §16.1: the header of a 128-byte-row, 250 ms skew file. */
const EXAMPLE_A = fromHex(`
  7b2273696722 3a22664442222c2276 65 72223a312c22726f775f73697a65223a
  3132382c22736b65775f6d73223a3235 307d000000000000000000000000000a`);

function headerWith(json: string): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set(ascii(json));
  bytes[63] = 0x0a;
  return bytes;
}

describe("S_001 header", () => {
  it("S_001 FR_001 encodes the exact 64 bytes the original writes", () => {
    expect(hex(encodeHeader({ rowSize: 128, skewMs: 250 }))).toBe(hex(EXAMPLE_A));
    const defaults = encodeHeader({ rowSize: 4096, skewMs: 5000 });
    const jsonEnd = defaults.indexOf(0);
    expect(Buffer.from(defaults.subarray(0, jsonEnd)).toString()).toBe(
      '{"sig":"fDB","ver":1,"row_size":4096,"skew_ms":5000}',
    );
    expect([...defaults.subarray(jsonEnd, 63)].every((b) => b === 0)).toBe(true);
    expect(defaults[63]).toBe(0x0a);
    // Longest legal header: 57 JSON bytes, 6 padding bytes.
    const longest = encodeHeader({ rowSize: 65536, skewMs: 86400000 });
    expect(longest.indexOf(0)).toBe(57);
  });

  it("S_001 FR_001 rejects out-of-range and non-integer settings with invalid_input", () => {
    for (const bad of [
      { rowSize: 127, skewMs: 0 },
      { rowSize: 65537, skewMs: 0 },
      { rowSize: 256.5, skewMs: 0 },
      { rowSize: 256, skewMs: -1 },
      { rowSize: 256, skewMs: 86400001 },
      { rowSize: 256, skewMs: Number.NaN },
    ]) {
      const error = thrown(() => encodeHeader(bad));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.code).toBe("invalid_input");
    }
    expect(thrown(() => encodeHeader({ rowSize: 100, skewMs: 0 })).message).toBe(
      "row_size must be between 128 and 65536, got 100",
    );
    expect(encodeHeader({ rowSize: 128, skewMs: 0 })).toHaveLength(64);
    expect(encodeHeader({ rowSize: 65536, skewMs: 86400000 })).toHaveLength(64);
  });

  it("S_001 FR_002 decodes a canonical header", () => {
    expect(decodeHeader(EXAMPLE_A)).toEqual({ rowSize: 128, skewMs: 250 });
    // Trailing bytes after the header (the rest of the file) are ignored.
    expect(decodeHeader(concat(EXAMPLE_A, new Uint8Array(10)))).toEqual({
      rowSize: 128,
      skewMs: 250,
    });
  });

  it("S_001 FR_002 rejects each broken header rule as corrupt_database with the bad byte's offset", () => {
    const cases: Array<[string, Uint8Array, string, number]> = [
      [
        "too short",
        EXAMPLE_A.subarray(0, 63),
        "file too small for header: expected at least 64 bytes, got 63",
        63,
      ],
      [
        "byte 63 not newline",
        (() => {
          const b = EXAMPLE_A.slice();
          b[63] = 0x20;
          return b;
        })(),
        "byte 63 must be newline, got 0x20",
        63,
      ],
      [
        "no NUL",
        headerWith(`{"sig":"fDB","ver":1,"row_size":128,"skew_ms":250}${" ".repeat(13)}`),
        "no null terminator found in header",
        63,
      ],
      [
        "junk in padding",
        (() => {
          const b = EXAMPLE_A.slice();
          b[60] = 0x41;
          return b;
        })(),
        "padding byte at position 60 must be null, got 0x41",
        60,
      ],
      ["not JSON", headerWith('{"sig":"fDB","ver":1,'), "failed to parse JSON header", 0],
      [
        "wrong type",
        headerWith('{"sig":"fDB","ver":"1","row_size":128,"skew_ms":250}'),
        "failed to parse JSON header",
        0,
      ],
      [
        "bad signature",
        headerWith('{"sig":"fDX","ver":1,"row_size":128,"skew_ms":250}'),
        "invalid header values",
        0,
      ],
      [
        "bad version",
        headerWith('{"sig":"fDB","ver":2,"row_size":128,"skew_ms":250}'),
        "invalid header values",
        0,
      ],
      [
        "row size out of range",
        headerWith('{"sig":"fDB","ver":1,"row_size":100,"skew_ms":250}'),
        "invalid header values",
        0,
      ],
      [
        "skew out of range",
        headerWith('{"sig":"fDB","ver":1,"row_size":128,"skew_ms":86400001}'),
        "invalid header values",
        0,
      ],
    ];
    for (const [, bytes, message, offset] of cases) {
      const error = thrown(() => decodeHeader(bytes));
      expect(error).toBeInstanceOf(CorruptDatabaseError);
      expect(error.code).toBe("corrupt_database");
      expect(error.message).toBe(message);
      expect(error.offset).toBe(offset);
    }
    const versionError = thrown(() =>
      decodeHeader(headerWith('{"sig":"fDB","ver":2,"row_size":128,"skew_ms":250}')),
    );
    expect(versionError.cause).toBeInstanceOf(InvalidInputError);
    expect(String(versionError)).toBe(
      "corrupt_database: invalid header values (caused by: invalid_input: unsupported version: expected 1, got 2)",
    );
  });

  it("S_001 FR_002 rejects non-canonical JSON the original would accept (decisions OP-1)", () => {
    for (const json of [
      '{"ver":1,"sig":"fDB","row_size":128,"skew_ms":250}',
      '{"sig":"fDB", "ver":1,"row_size":128,"skew_ms":250}',
      '{"sig":"fDB","ver":1,"row_size":128,"skew_ms":250,"x":1}',
      '{"sig":"fDB","ver":1.0,"row_size":128,"skew_ms":250}',
      '{"sig":"fDB","ver":1,"row_size":128,"skew_ms":2.5e2}',
    ]) {
      const error = thrown(() => decodeHeader(headerWith(json)));
      expect(error.code).toBe("corrupt_database");
    }
  });
});
