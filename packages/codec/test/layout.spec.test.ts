import { describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  classifySlot,
  completeRowCount,
  crc32,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  fileSizeFor,
  isChecksumIndex,
  logicalToRowIndex,
  parseUuid,
  readRowAt,
  rowIndexToLogical,
  rowOffset,
  tailLength,
  verifyInitialChecksumRow,
} from "../src/index.js";
import { concat, thrown, utf8 } from "./helpers/bytes.js";

const N = 128;
const KEY = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");

function smallFile(): Uint8Array {
  const header = encodeHeader({ rowSize: N, skewMs: 250 });
  return concat(
    header,
    encodeChecksumRow(crc32(header), N),
    encodeDataRow({ startControl: "T", endControl: "TC", key: KEY, value: utf8("1") }, N),
    encodeNullRow(5, N),
    Uint8Array.of(0x1f, 0x54),
  );
}

describe("S_001 row layout", () => {
  it("S_001 FR_017 offsets, checksum indices, counts, sizes and logical indices", () => {
    expect(rowOffset(0, N)).toBe(64);
    expect(rowOffset(3, 4096)).toBe(64 + 3 * 4096);
    expect([0, 10001, 20002].every(isChecksumIndex)).toBe(true);
    expect([1, 10000, 10002].some(isChecksumIndex)).toBe(false);
    expect(completeRowCount(64 + 3 * N + 2, N)).toBe(3);
    expect(tailLength(64 + 3 * N + 2, N)).toBe(2);
    expect(tailLength(64 + 3 * N, N)).toBe(0);
    expect(completeRowCount(10, N)).toBe(0);
    expect(fileSizeFor(0, N)).toBe(64 + N);
    expect(fileSizeFor(10000, N)).toBe(64 + N * 10002);
    expect(fileSizeFor(12000, 256)).toBe(3072576); // bench-12k-rows.fdb
    expect(logicalToRowIndex(0)).toBe(1);
    expect(logicalToRowIndex(9999)).toBe(10000);
    expect(logicalToRowIndex(10000)).toBe(10002);
    for (const logical of [0, 1, 9999, 10000, 10001, 123456]) {
      expect(rowIndexToLogical(logicalToRowIndex(logical))).toBe(logical);
    }
    expect(thrown(() => rowIndexToLogical(10001)).code).toBe("invalid_input");
  });

  it("S_001 FR_017 classifySlot names checksum, data-or-null, tail and out-of-range slots", () => {
    const size = 64 + 3 * N + 2;
    expect(classifySlot(0, size, N)).toBe("checksum");
    expect(classifySlot(1, size, N)).toBe("data-or-null");
    expect(classifySlot(2, size, N)).toBe("data-or-null");
    expect(classifySlot(3, size, N)).toBe("tail");
    expect(classifySlot(4, size, N)).toBe("out-of-range");
    expect(classifySlot(3, 64 + 3 * N, N)).toBe("out-of-range");
    expect(classifySlot(-1, size, N)).toBe("out-of-range");
    expect(classifySlot(1.5, size, N)).toBe("out-of-range");
    expect(classifySlot(10001, 64 + 10002 * N, N)).toBe("checksum");
  });

  it("S_001 FR_018 readRowAt decodes each slot of a file, the tail included", () => {
    const file = smallFile();
    expect(readRowAt(file, 0, N).type).toBe("checksum");
    expect(readRowAt(file, 1, N).type).toBe("data");
    expect(readRowAt(file, 2, N).type).toBe("null");
    expect(readRowAt(file, 3, N)).toMatchObject({ type: "partial", state: 1 });
    expect(thrown(() => readRowAt(file, 4, N)).code).toBe("invalid_input");
  });

  it("S_001 FR_018 a checksum row out of place, or a data row at a checksum index, is corrupt", () => {
    const header = encodeHeader({ rowSize: N, skewMs: 0 });
    const misplaced = concat(header, encodeChecksumRow(crc32(header), N), encodeChecksumRow(1, N));
    const error = thrown(() => readRowAt(misplaced, 1, N));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error.rowIndex).toBe(1);
    expect(error.offset).toBe(64 + N);
    const dataAtZero = concat(header, encodeNullRow(1, N));
    expect(thrown(() => readRowAt(dataAtZero, 0, N)).code).toBe("corrupt_database");
  });

  it("S_001 FR_019 the initial checksum row passes open's checks and fails each with its message", () => {
    const file = smallFile();
    expect(() => verifyInitialChecksumRow(file, N)).not.toThrow();
    const cases: Array<[(f: Uint8Array) => Uint8Array, string]> = [
      [
        (f) => f.subarray(0, 64 + N - 1),
        `file too small: expected at least ${64 + N} bytes (header + checksum row), got ${64 + N - 1}`,
      ],
      [
        (f) => {
          f[64] = 0;
          return f;
        },
        "checksum row must start with ROW_START sentinel (0x1F), got 0x00",
      ],
      [
        (f) => {
          f[65] = 0x54;
          return f;
        },
        "checksum row start_control must be 'C', got 0x54",
      ],
      [
        (f) => {
          f[64 + N - 4] = 0x58;
          return f;
        },
        "checksum row end_control must be 'CS', got 'CX'",
      ],
      [
        (f) => {
          f[64 + N - 1] = 0;
          return f;
        },
        "checksum row must end with ROW_END sentinel (0x0A), got 0x00",
      ],
      [
        (f) => {
          f[66] = 0x2d;
          return f;
        },
        "invalid checksum format in checksum row",
      ],
      [
        (f) => {
          f[20] = 0x20;
          return f;
        },
        "CRC32 verification failed: calculated",
      ],
    ];
    for (const [edit, message] of cases) {
      const error = thrown(() => verifyInitialChecksumRow(edit(smallFile()), N));
      expect(error.code).toBe("corrupt_database");
      expect(error.message.startsWith(message)).toBe(true);
    }
    // Beyond the original: the initial row's parity is checked too.
    const badParity = smallFile();
    badParity[64 + N - 2] = badParity[64 + N - 2] === 0x30 ? 0x31 : 0x30;
    expect(thrown(() => verifyInitialChecksumRow(badParity, N)).code).toBe("corrupt_database");
  });
});
