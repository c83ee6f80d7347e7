import { describe, expect, it } from "vitest";
import {
  CHECKSUM_PERIOD,
  CorruptDatabaseError,
  checksumCoverage,
  completionControl,
  decodeRow,
  END_CONTROLS,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  endsTransaction,
  formatUuid,
  hasSavepoint,
  INCOMPLETE,
  InvalidInputError,
  isCommit,
  isDataEndControl,
  nullRowUuid,
  parseUuid,
  rollbackTarget,
} from "../src/index.js";
import { ascii, concat, hex, thrown, utf8 } from "./helpers/bytes.js";

const K1 = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");
const K2 = parseUuid("01936b2e-5a11-7a01-b2c3-d4e5f6071829");
const K3 = parseUuid("01936b2e-5a0f-7000-8000-00000000beef");

function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

describe("S_001 rows", () => {
  it("S_001 FR_009 checksum rows: CRC as big-endian Base64, exact bytes of file-format §16.1", () => {
    const row = encodeChecksumRow(0x2bfffeb8, 128);
    const expected = concat(
      Uint8Array.of(0x1f, 0x43),
      ascii("K//+uA=="),
      zeros(113),
      ascii("CS18\n"),
    );
    expect(hex(row)).toBe(hex(expected));
    expect(decodeRow(row, 0, 128)).toEqual({ type: "checksum", crc: 0x2bfffeb8 });
    expect(decodeRow(encodeChecksumRow(0xffffffff, 4096), 0, 4096)).toEqual({
      type: "checksum",
      crc: 0xffffffff,
    });
    expect(decodeRow(encodeChecksumRow(0, 128), 0, 128)).toEqual({ type: "checksum", crc: 0 });
  });

  it("S_001 FR_009 checksum coverage: header for k = 0, then previous checksum row + 10,000 rows", () => {
    expect(checksumCoverage(0, 256)).toEqual({ start: 0, end: 64 });
    expect(checksumCoverage(1, 256)).toEqual({ start: 64, end: 64 + CHECKSUM_PERIOD * 256 });
    expect(checksumCoverage(2, 128)).toEqual({
      start: 64 + CHECKSUM_PERIOD * 128,
      end: 64 + 2 * CHECKSUM_PERIOD * 128,
    });
  });

  it("S_001 FR_010 data rows: exact bytes of file-format §16.2 and a faithful decode", () => {
    const row1 = encodeDataRow(
      { startControl: "T", endControl: "SE", key: K1, value: utf8('{"n":1}') },
      128,
    );
    expect(hex(row1)).toBe(
      hex(concat(ascii('\x1fTAZNrLloQfD2eTwEjRWeJqw=={"n":1}'), zeros(90), ascii("SE52\n"))),
    );
    const row2 = encodeDataRow(
      { startControl: "R", endControl: "R1", key: K2, value: utf8('"two"') },
      128,
    );
    expect(hex(row2)).toBe(
      hex(concat(ascii('\x1fRAZNrLloRegGyw9Tl9gcYKQ=="two"'), zeros(92), ascii("R14C\n"))),
    );
    const decoded = decodeRow(row1, 0, 128);
    if (decoded.type !== "data") throw new Error(decoded.type);
    expect(decoded.startControl).toBe("T");
    expect(decoded.endControl).toBe("SE");
    expect(formatUuid(decoded.key)).toBe("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    expect(decoded.timestamp).toBe(1732670020112);
    expect(Buffer.from(decoded.value).toString()).toBe('{"n":1}');
  });

  it("S_001 FR_010 values are stored exactly, with 0x0A and 0x1F bytes inside, up to N − 33 bytes", () => {
    const withSentinels = Uint8Array.of(0x5b, 0x0a, 0x31, 0x1f, 0x0a, 0x5d);
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key: K1, value: withSentinels },
      128,
    );
    const decoded = decodeRow(row, 0, 128);
    if (decoded.type !== "data") throw new Error(decoded.type);
    expect([...decoded.value]).toEqual([...withSentinels]);
    for (const rowSize of [128, 256, 4096, 65536]) {
      const value = utf8(`"${"x".repeat(rowSize - 35)}"`);
      const full = encodeDataRow({ startControl: "R", endControl: "S9", key: K1, value }, rowSize);
      const back = decodeRow(full, 0, rowSize);
      if (back.type !== "data") throw new Error(back.type);
      expect(back.value).toHaveLength(rowSize - 33);
    }
  });

  it("S_001 FR_011 null rows: exact bytes of file-format §16.3, pattern key, no value", () => {
    const row = encodeNullRow(1732670020113, 128);
    expect(hex(row)).toBe(
      hex(concat(ascii("\x1fTAZNrLloRcACAAAAAAAAAAA=="), zeros(97), ascii("NR4D\n"))),
    );
    const decoded = decodeRow(row, 0, 128);
    if (decoded.type !== "null") throw new Error(decoded.type);
    expect(formatUuid(decoded.key)).toBe("01936b2e-5a11-7000-8000-000000000000");
    expect(decoded.timestamp).toBe(1732670020113);
    // A data row may carry a look-alike key (file-format §16.3, row 4).
    const row4 = encodeDataRow(
      { startControl: "T", endControl: "TC", key: K3, value: utf8("[true,null]") },
      128,
    );
    expect(String.fromCharCode(row4[125]!, row4[126]!)).toBe("4B");
    expect(decodeRow(row4, 0, 128).type).toBe("data");
    expect(decodeRow(encodeNullRow(0, 128), 0, 128)).toMatchObject({ type: "null", timestamp: 0 });
  });

  it("S_001 FR_011 a null row must have the pattern key and no value", () => {
    const nonPattern = encodeNullRow(5, 128);
    nonPattern.set(ascii("AZNrLloQfD2eTwEjRWeJqw=="), 2); // a data key
    fixParity(nonPattern);
    expect(thrown(() => decodeRow(nonPattern, 0, 128)).message).toBe(
      "failed to unmarshal null row",
    );
    const withValue = encodeNullRow(5, 128);
    withValue.set(ascii("1"), 26);
    fixParity(withValue);
    expect(thrown(() => decodeRow(withValue, 0, 128)).code).toBe("corrupt_database");
  });

  it("S_001 FR_012 every structural rule of a complete row is enforced with offset and row index", () => {
    const good = encodeDataRow(
      { startControl: "T", endControl: "TC", key: K1, value: utf8('{"a":1}') },
      128,
    );
    const edits: Array<[string, (row: Uint8Array) => void, string, number]> = [
      [
        "ROW_START",
        (r) => {
          r[0] = 0x1e;
        },
        "failed to unmarshal data row",
        0,
      ],
      [
        "ROW_END",
        (r) => {
          r[127] = 0x0b;
        },
        "failed to unmarshal data row",
        127,
      ],
      [
        "start control",
        (r) => {
          r[1] = 0x58;
        },
        "unknown row type",
        1,
      ],
      [
        "end control TE",
        (r) => {
          r.set(ascii("TE"), 123);
        },
        "failed to unmarshal data row",
        123,
      ],
      [
        "data row ending CS",
        (r) => {
          r.set(ascii("CS"), 123);
        },
        "failed to unmarshal data row",
        123,
      ],
      [
        "checksum start with data end",
        (r) => {
          r[1] = 0x43;
        },
        "unknown row type",
        1,
      ],
      [
        "byte N−6 non-zero (OP-3)",
        (r) => {
          r[122] = 0x20;
        },
        "failed to unmarshal data row",
        122,
      ],
      [
        "padding hole",
        (r) => {
          r[60] = 0x20;
        },
        "failed to unmarshal data row",
        60,
      ],
      [
        "key not Base64",
        (r) => {
          r[5] = 0x2d;
        },
        "failed to unmarshal data row",
        2,
      ],
      [
        "nil key",
        (r) => {
          r.set(ascii("AAAAAAAAAAAAAAAAAAAAAA=="), 2);
        },
        "failed to unmarshal data row",
        2,
      ],
      [
        "v4 key",
        (r) => {
          r.set(ascii("AZNrLloQTD2eTwEjRWeJqw=="), 2);
        },
        "failed to unmarshal data row",
        2,
      ],
      [
        "null-pattern key",
        (r) => {
          r.set(ascii("AZNrLloRcACAAAAAAAAAAA=="), 2);
        },
        "failed to unmarshal data row",
        2,
      ],
    ];
    for (const [name, edit, message, pos] of edits) {
      const row = good.slice();
      edit(row);
      fixParity(row);
      const error = thrown(() => decodeRow(row, 0, 128, 7));
      expect(error, name).toBeInstanceOf(CorruptDatabaseError);
      expect(error.message, name).toBe(message);
      expect(error.offset, name).toBe(64 + 7 * 128 + pos);
      expect(error.rowIndex, name).toBe(7);
      expect(error.cause, name).toBeInstanceOf(InvalidInputError);
    }
    // Without a row index, offsets are relative to the buffer.
    const shifted = concat(zeros(10), good);
    shifted[10 + 127] = 0;
    expect(thrown(() => decodeRow(shifted, 10, 128)).offset).toBe(10 + 127);
  });

  it("S_001 FR_012 a row needs two padding bytes: values of N − 32 and N − 31 bytes are corrupt", () => {
    for (const length of [128 - 32, 128 - 31]) {
      const row = new Uint8Array(128);
      row.set(ascii(`\x1fTAZNrLloQfD2eTwEjRWeJqw==${"1".repeat(length)}`));
      row.set(ascii("TC"), 123);
      fixParity(row);
      row[127] = 0x0a;
      const error = thrown(() => decodeRow(row, 0, 128));
      expect(error.code).toBe("corrupt_database");
      expect(String(error)).toContain("no null byte found to mark padding start");
    }
    expect(decodeRow(new Uint8Array(127), 0, 128)).toBe(INCOMPLETE);
  });

  it("S_001 FR_013 control tables cover exactly the codes of file-format §5.2 with their meaning", () => {
    expect(END_CONTROLS).toHaveLength(26);
    expect(new Set(END_CONTROLS).size).toBe(26);
    for (const code of END_CONTROLS) {
      expect(isDataEndControl(code)).toBe(code !== "CS" && code !== "NR");
      expect(hasSavepoint(code)).toBe(code[0] === "S");
    }
    expect(END_CONTROLS.filter(endsTransaction).sort()).toEqual(
      ["TC", "SC", "NR", ..."0123456789".split("").flatMap((d) => [`R${d}`, `S${d}`])].sort(),
    );
    expect(END_CONTROLS.filter(isCommit)).toEqual(["TC", "SC"]);
    expect(rollbackTarget("R0")).toBe(0);
    expect(rollbackTarget("S7")).toBe(7);
    expect(rollbackTarget("TC")).toBeUndefined();
    expect(rollbackTarget("SE")).toBeUndefined();
    expect(completionControl("continue", false)).toBe("RE");
    expect(completionControl("continue", true)).toBe("SE");
    expect(completionControl("commit", false)).toBe("TC");
    expect(completionControl("commit", true)).toBe("SC");
    expect(completionControl({ rollbackTo: 0 }, false)).toBe("R0");
    expect(completionControl({ rollbackTo: 3 }, true)).toBe("S3");
  });

  it("S_001 FR_013 every data end control round-trips on both start controls", () => {
    for (const code of END_CONTROLS.filter(isDataEndControl)) {
      for (const start of ["T", "R"] as const) {
        const row = encodeDataRow(
          { startControl: start, endControl: code, key: K2, value: utf8("0") },
          128,
        );
        expect(decodeRow(row, 0, 128)).toMatchObject({
          type: "data",
          startControl: start,
          endControl: code,
        });
      }
    }
    expect(formatUuid(nullRowUuid(7))).toBe("00000000-0007-7000-8000-000000000000");
  });
});

/** Recomputes the parity after an edit, so that the edit itself is what a decode catches. */
function fixParity(row: Uint8Array): void {
  let x = 0;
  for (let i = 0; i < row.length - 3; i++) x ^= row[i]!;
  row.set(ascii(x.toString(16).toUpperCase().padStart(2, "0")), row.length - 3);
}
