// Hand-made corpus of rows (test/corpus/rows.json): every entry's bytes are
// exactly what its description says, with the parity recomputed after an edit
// unless the entry is about parity, so the check named in the description is
// the one that fires.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  decodeRow,
  decodeTail,
  decodeValue,
  decodeValueText,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  encodeValue,
  FrozenDBError,
  formatUuid,
  HEADER_SIZE,
  INCOMPLETE,
  InvalidDataError,
  InvalidInputError,
  isFrozenDBError,
  parseUuid,
  type Row,
} from "../src/index.js";

interface ValidEntry {
  description: string;
  rowSize: number;
  hex: string;
  expect: {
    type: "data" | "null" | "checksum";
    startControl?: "T" | "R";
    endControl?: string;
    key?: string;
    valueText?: string;
    crc?: number;
    timestamp?: number;
    /** The value is deliberately not JSON (written with encodeDataRow, which does not parse it). */
    notJson?: boolean;
  };
}
interface DecodeErrorEntry {
  description: string;
  rowSize: number;
  hex: string;
  code: "corrupt_database";
  causeMessageIncludes?: string;
  /** Offset (relative to the row) of the byte the problem is reported at. */
  offset?: number;
}
interface TailEntry {
  description: string;
  rowSize: number;
  hex: string;
  result: "partial" | "torn";
  state?: 1 | 2 | 3;
  startControl?: "T" | "R";
  key?: string;
  valueText?: string;
}
interface ValueErrorEntry {
  description: string;
  rowSize: number;
  text?: string;
  hex?: string;
  code: "invalid_input";
  messageIncludes?: string;
}
interface ReadValueErrorEntry {
  description: string;
  hex: string;
  code: "invalid_data";
}
interface Corpus {
  valid: ValidEntry[];
  decodeErrors: DecodeErrorEntry[];
  tails: TailEntry[];
  valueErrors: ValueErrorEntry[];
  readValueErrors: ReadValueErrorEntry[];
}

const corpus = JSON.parse(
  readFileSync(join(import.meta.dirname, "corpus/rows.json"), "utf8"),
) as Corpus;

function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "hex"));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/** Messages of `error` and of every cause below it. */
function messageChain(error: unknown): string[] {
  const messages: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages;
}

/** Millisecond timestamp of canonical UUID text, computed independently of the codec. */
function timestampOfText(uuid: string): number {
  return Number.parseInt(uuid.replace(/-/g, "").slice(0, 12), 16);
}

/** `row` placed as row `rowIndex` of a file-shaped buffer with junk around it. */
function inFile(row: Uint8Array, rowIndex: number): Uint8Array {
  const n = row.length;
  const file = new Uint8Array(HEADER_SIZE + (rowIndex + 2) * n).fill(0xa5);
  file.set(row, HEADER_SIZE + rowIndex * n);
  return file;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw, got a return");
}

function reencode(row: Row, rowSize: number): Uint8Array {
  switch (row.type) {
    case "checksum":
      return encodeChecksumRow(row.crc, rowSize);
    case "null":
      return encodeNullRow(row.timestamp, rowSize);
    case "data":
      return encodeDataRow(
        {
          startControl: row.startControl,
          endControl: row.endControl,
          key: row.key,
          value: row.value,
        },
        rowSize,
      );
  }
}

describe("corpus file", () => {
  it("has entries in every section and every entry's bytes are well-formed hex", () => {
    expect(corpus.valid.length).toBeGreaterThanOrEqual(30);
    expect(corpus.decodeErrors.length).toBeGreaterThanOrEqual(40);
    expect(corpus.tails.length).toBeGreaterThanOrEqual(20);
    expect(corpus.valueErrors.length).toBeGreaterThanOrEqual(15);
    expect(corpus.readValueErrors.length).toBeGreaterThanOrEqual(5);
    const hexEntries = [
      ...corpus.valid,
      ...corpus.decodeErrors,
      ...corpus.tails,
      ...corpus.readValueErrors,
    ];
    for (const entry of hexEntries) {
      expect(entry.hex, entry.description).toMatch(/^(?:[0-9a-f]{2})*$/);
    }
    for (const entry of [...corpus.valid, ...corpus.decodeErrors]) {
      expect(entry.hex.length / 2, entry.description).toBe(entry.rowSize);
    }
    for (const entry of corpus.tails) {
      expect(entry.hex.length / 2, entry.description).toBeLessThan(entry.rowSize);
      expect(entry.hex.length, entry.description).toBeGreaterThan(0);
    }
  });
});

describe("valid rows", () => {
  it.each(corpus.valid.map((e) => [e.description, e] as const))("%s", (_, entry) => {
    const bytes = fromHex(entry.hex);
    const n = entry.rowSize;
    const row = decodeRow(bytes, 0, n);
    if (row.type === "incomplete") throw new Error("decoded as incomplete");
    const x = entry.expect;
    expect(row.type).toBe(x.type);

    if (row.type === "checksum") {
      expect(row.crc).toBe(x.crc);
    } else {
      expect(formatUuid(row.key)).toBe(x.key);
      expect(row.timestamp).toBe(timestampOfText(x.key!));
      if (x.timestamp !== undefined) expect(row.timestamp).toBe(x.timestamp);
    }
    if (row.type === "data") {
      expect(row.startControl).toBe(x.startControl);
      expect(row.endControl).toBe(x.endControl);
      // The value is the stored bytes, exactly.
      expect(toHex(row.value)).toBe(Buffer.from(x.valueText!, "utf8").toString("hex"));
      expect(decodeValueText(row.value)).toBe(x.valueText);
      if (x.notJson) {
        expect(() => decodeValue(row.value)).toThrow(InvalidDataError);
      } else {
        expect(decodeValue(row.value)).toEqual(JSON.parse(x.valueText!));
        // What a writer would store for this text is these very bytes.
        expect(toHex(encodeValue(x.valueText!, n))).toBe(toHex(row.value));
      }
    }

    // Re-encoding the decoded fields gives the same bytes.
    expect(toHex(reencode(row, n))).toBe(entry.hex);

    // The same row inside a file, at an unaligned offset, with junk around it.
    const file = inFile(bytes, 3);
    const again = decodeRow(file, HEADER_SIZE + 3 * n, n, 3);
    if (again.type === "incomplete") throw new Error("decoded as incomplete");
    expect(toHex(reencode(again, n))).toBe(entry.hex);
    const shifted = new Uint8Array(n + 3);
    shifted.set(bytes, 1);
    expect(decodeRow(shifted.subarray(1), 0, n)).toEqual(row);
    expect(decodeRow(shifted, 1, n)).toEqual(row);

    // One byte short is never a row.
    expect(decodeRow(bytes.subarray(0, n - 1), 0, n)).toBe(INCOMPLETE);
  });
});

describe("rows that decode to corruption", () => {
  it.each(corpus.decodeErrors.map((e) => [e.description, e] as const))("%s", (_, entry) => {
    const bytes = fromHex(entry.hex);
    const n = entry.rowSize;

    const error = catchError(() => decodeRow(bytes, 0, n));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error).toBeInstanceOf(FrozenDBError);
    expect(isFrozenDBError(error)).toBe(true);
    const corrupt = error as CorruptDatabaseError;
    expect(corrupt.code).toBe(entry.code);
    expect(corrupt.rowIndex).toBeUndefined();
    expect(typeof corrupt.offset).toBe("number");
    expect(corrupt.offset).toBeGreaterThanOrEqual(0);
    expect(corrupt.offset).toBeLessThan(n);
    if (entry.offset !== undefined) expect(corrupt.offset).toBe(entry.offset);
    if (entry.causeMessageIncludes !== undefined) {
      // The specific problem sits in the cause chain, not in the top message.
      const causes = messageChain(corrupt.cause).join(" | ");
      expect(causes).toContain(entry.causeMessageIncludes);
    }

    // Inside a file: absolute offset inside the row's slot, and the row index.
    const rowIndex = 2;
    const rowStart = HEADER_SIZE + rowIndex * n;
    const inside = catchError(() => decodeRow(inFile(bytes, rowIndex), rowStart, n, rowIndex));
    expect(inside).toBeInstanceOf(CorruptDatabaseError);
    const located = inside as CorruptDatabaseError;
    expect(located.code).toBe("corrupt_database");
    expect(located.rowIndex).toBe(rowIndex);
    expect(located.offset).toBe(rowStart + corrupt.offset!);
    expect(messageChain(located)).toEqual(messageChain(corrupt));

    // A corrupt row is never a tail either: as a too-long tail it is refused.
    expect(() => decodeTail(bytes, 0, n)).toThrow(InvalidInputError);
  });
});

describe("tails", () => {
  it.each(corpus.tails.map((e) => [e.description, e] as const))("%s", (_, entry) => {
    const bytes = fromHex(entry.hex);
    const n = entry.rowSize;
    expect(decodeRow(bytes, 0, n)).toBe(INCOMPLETE);

    const tail = decodeTail(bytes, 0, n);
    if (tail === undefined) throw new Error("no tail");
    expect(tail.type).toBe(entry.result);
    expect(tail.length).toBe(bytes.length);
    if (tail.type === "torn") {
      expect(entry.result).toBe("torn");
      expect(tail.reason.length).toBeGreaterThan(0);
      expect(tail).not.toHaveProperty("key");
      expect(tail).not.toHaveProperty("value");
    } else {
      expect(tail.state).toBe(entry.state);
      expect(tail.startControl).toBe(entry.startControl);
      if (tail.state === 1) {
        expect(bytes.length).toBe(2);
        expect(toHex(encodePartialDataRow({ state: 1, startControl: tail.startControl }, n))).toBe(
          entry.hex,
        );
      } else {
        expect(formatUuid(tail.key)).toBe(entry.key);
        expect(tail.timestamp).toBe(timestampOfText(entry.key!));
        expect(decodeValueText(tail.value)).toBe(entry.valueText);
        expect(bytes.length).toBe(tail.state === 2 ? n - 5 : n - 4);
        const fields = {
          state: tail.state,
          startControl: tail.startControl,
          key: tail.key,
          value: tail.value,
        };
        expect(toHex(encodePartialDataRow(fields, n))).toBe(entry.hex);
      }
    }

    // The same tail after a complete row of a file decodes the same.
    const file = new Uint8Array(HEADER_SIZE + n + bytes.length);
    file.set(bytes, HEADER_SIZE + n);
    expect(decodeTail(file, HEADER_SIZE + n, n)).toEqual(tail);
  });
});

describe("values refused by encodeValue", () => {
  it.each(corpus.valueErrors.map((e) => [e.description, e] as const))("%s", (_, entry) => {
    const input = entry.text ?? fromHex(entry.hex!);
    expect(entry.text === undefined).not.toBe(entry.hex === undefined);
    const error = catchError(() => encodeValue(input, entry.rowSize));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe(entry.code);
    if (entry.messageIncludes !== undefined) {
      expect(messageChain(error).join(" | ")).toContain(entry.messageIncludes);
    }
  });

  it("accepts a value of exactly N−33 bytes and refuses N−32, at every corpus row size", () => {
    for (const n of [128, 129, 256, 1024, 4096, 65536]) {
      const fits = `"${"a".repeat(n - 35)}"`;
      expect(encodeValue(fits, n).length).toBe(n - 33);
      expect(() => encodeValue(`"${"a".repeat(n - 34)}"`, n)).toThrow(InvalidInputError);
    }
  });
});

describe("values refused by decodeValue", () => {
  it.each(corpus.readValueErrors.map((e) => [e.description, e] as const))("%s", (_, entry) => {
    const error = catchError(() => decodeValue(fromHex(entry.hex)));
    expect(error).toBeInstanceOf(InvalidDataError);
    expect((error as InvalidDataError).code).toBe(entry.code);
  });
});

describe("keys in the corpus", () => {
  it("every expected key is canonical text that parses back to itself", () => {
    const keys = [
      ...corpus.valid.map((e) => e.expect.key),
      ...corpus.tails.map((e) => e.key),
    ].filter((k): k is string => k !== undefined);
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) expect(formatUuid(parseUuid(key))).toBe(key);
  });
});
