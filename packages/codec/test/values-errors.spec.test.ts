import { describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  decodeRow,
  decodeValue,
  decodeValueText,
  ERROR_CODES,
  encodeDataRow,
  encodeValue,
  FrozenDBError,
  InvalidActionError,
  InvalidDataError,
  InvalidInputError,
  isFrozenDBError,
  KeyNotFoundError,
  KeyOrderingError,
  maxValueLength,
  PathError,
  parseUuid,
  ReadError,
  TombstonedError,
  TransactionActiveError,
  WriteError,
} from "../src/index.js";
import { thrown, utf8 } from "./helpers/bytes.js";

const KEY = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");

describe("S_001 values", () => {
  it("S_001 FR_020 encodeValue rejects empty, oversize, NUL, non-UTF-8 and non-JSON values", () => {
    const cases: Array<[string | Uint8Array, string]> = [
      ["", "value cannot be empty"],
      [new Uint8Array(0), "value cannot be empty"],
      [
        `"${"x".repeat(128 - 34)}"`,
        "payload size (120 bytes) exceeds ROW_SIZE (128 bytes); maximum payload size is 119 bytes",
      ],
      ['"a\u0000"', "value cannot contain a 0x00 byte"],
      ["\ud800", "value must be valid UTF-8 text"],
      [Uint8Array.of(0x22, 0xff, 0x22), "value must be valid UTF-8 text"],
      ["{", "value must be valid JSON"],
      ["1 2", "value must be valid JSON"],
      ["undefined", "value must be valid JSON"],
    ];
    for (const [value, message] of cases) {
      const error = thrown(() => encodeValue(value, 128));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(message);
    }
    expect(maxValueLength(128)).toBe(95);
    expect(maxValueLength(4096)).toBe(4063);
  });

  it("S_001 FR_020 a value of exactly N − 33 bytes is accepted and reads back; text is kept as given", () => {
    const text = `"${"é".repeat(46)}x"`; // 2 + 92 + 1 = 95 bytes
    const bytes = encodeValue(text, 128);
    expect(bytes).toHaveLength(95);
    const row = decodeRow(
      encodeDataRow({ startControl: "T", endControl: "TC", key: KEY, value: bytes }, 128),
      0,
      128,
    );
    if (row.type !== "data") throw new Error(row.type);
    expect(decodeValueText(row.value)).toBe(text);
    const spaced = ' { "b" : 12345678901234567890 , "a" : [ ] } ';
    expect(decodeValueText(encodeValue(spaced, 256))).toBe(spaced);
    expect(encodeValue("{", 128, { validateJson: false })).toHaveLength(1);
  });

  it("S_001 FR_021 invalid UTF-8 or JSON surfaces as invalid_data only when the value is decoded", () => {
    const invalidUtf8 = Uint8Array.of(0x22, 0xc3, 0x28, 0x22);
    const row = decodeRow(
      encodeDataRow({ startControl: "T", endControl: "TC", key: KEY, value: invalidUtf8 }, 128),
      0,
      128,
    );
    expect(row.type).toBe("data");
    if (row.type !== "data") return;
    const utf8Error = thrown(() => decodeValueText(row.value));
    expect(utf8Error).toBeInstanceOf(InvalidDataError);
    expect(utf8Error.message).toBe("failed to unmarshal JSON value");
    const notJson = utf8("{oops");
    expect(decodeValueText(notJson)).toBe("{oops");
    expect(thrown(() => decodeValue(notJson)).code).toBe("invalid_data");
    expect(decodeValue(utf8('{"n":[1,"é"]}'))).toEqual({ n: [1, "é"] });
  });
});

describe("S_001 errors", () => {
  it("S_001 FR_022 the taxonomy has the original's 11 codes, renders code: message (caused by: …)", () => {
    const classes = [
      [InvalidInputError, "invalid_input"],
      [PathError, "path_error"],
      [WriteError, "write_error"],
      [CorruptDatabaseError, "corrupt_database"],
      [InvalidActionError, "invalid_action"],
      [KeyOrderingError, "key_ordering"],
      [TombstonedError, "tombstoned"],
      [ReadError, "read_error"],
      [KeyNotFoundError, "key_not_found"],
      [TransactionActiveError, "transaction_active"],
      [InvalidDataError, "invalid_data"],
    ] as const;
    expect(classes.map(([, code]) => code)).toEqual(ERROR_CODES);
    for (const [Class, code] of classes) {
      const error = new Class("something happened");
      expect(error).toBeInstanceOf(FrozenDBError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(Class.name);
      expect(String(error)).toBe(`${code}: something happened`);
      expect(isFrozenDBError(error)).toBe(true);
    }
    const nested = new KeyNotFoundError("key exists only in uncommitted transaction", {
      cause: new TransactionActiveError("transaction has no ending row"),
    });
    expect(String(nested)).toBe(
      "key_not_found: key exists only in uncommitted transaction (caused by: transaction_active: transaction has no ending row)",
    );
    const os = new WriteError("failed to write data", {
      cause: new Error("ENOSPC: no space left on device"),
    });
    expect(String(os)).toBe(
      "write_error: failed to write data (caused by: ENOSPC: no space left on device)",
    );
    const located = new CorruptDatabaseError("bad", { offset: 300, rowIndex: 2 });
    expect([located.offset, located.rowIndex]).toEqual([300, 2]);
  });

  it("S_001 FR_022 isFrozenDBError recognises the brand across copies, and nothing else", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("frozendb.error")]: true,
      code: "invalid_input",
    });
    expect(isFrozenDBError(foreign)).toBe(true);
    expect(isFrozenDBError(new Error("x"))).toBe(false);
    expect(isFrozenDBError(null)).toBe(false);
    expect(isFrozenDBError("invalid_input")).toBe(false);
  });

  it("S_001 FR_023 decoding arbitrary bytes throws only FrozenDBError subclasses", () => {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state & 0xff;
    };
    const template = encodeDataRow(
      { startControl: "T", endControl: "TC", key: KEY, value: utf8("[1,2,3]") },
      128,
    );
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = trial % 2 === 0 ? template.slice() : new Uint8Array(128);
      const edits = 1 + (trial % 5);
      for (let e = 0; e < edits; e++) bytes[random() % 128] = random();
      try {
        decodeRow(bytes, 0, 128);
      } catch (error) {
        expect(isFrozenDBError(error)).toBe(true);
      }
    }
  });
});
