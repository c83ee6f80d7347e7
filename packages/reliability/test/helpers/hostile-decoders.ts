/**
 * One checker per codec decoder for the FR-015 fuzz: each runs the decoder
 * on one input through {@link attempt} (so only FrozenDBErrors may escape),
 * checks the error code the decoder documents, and, when the input is
 * accepted, that what came out is exactly what a writer would have written —
 * a decoder that accepts damaged bytes as something else is as bad as one
 * that crashes.
 */

import {
  type DataEndControl,
  decodeBase64Strict,
  decodeHeader,
  decodeRow,
  decodeTail,
  decodeValue,
  encodeBase64,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  encodeValue,
  formatUuid,
  inspectRow,
  parseUuid,
  type Row,
  readRowAt,
  type Tail,
  uuidV7Problem,
  validateDataKey,
  valueTextAt,
} from "@frozendb/codec";
import { expect } from "vitest";
import { attempt, type Outcome, type OutcomeTally } from "./hostile-errors.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** decodeHeader: corrupt_database or a header whose canonical bytes are the input's. */
export function checkHeader(bytes: Uint8Array, tally?: OutcomeTally): void {
  const outcome = attempt(() => decodeHeader(bytes), `decodeHeader(${hex(bytes)})`);
  tally?.add(outcome);
  if (!outcome.ok) {
    expect(outcome.error.code).toBe("corrupt_database");
    return;
  }
  // Only the canonical form is accepted (decisions OP-1).
  expect(hex(encodeHeader(outcome.value))).toBe(hex(bytes.subarray(0, 64)));
}

/** The canonical bytes of a decoded row, rebuilt with the encoders. */
function reencode(row: Row, rowSize: number): Uint8Array {
  if (row.type === "checksum") return encodeChecksumRow(row.crc, rowSize);
  if (row.type === "null") return encodeNullRow(row.timestamp, rowSize);
  return encodeDataRow(
    {
      startControl: row.startControl,
      endControl: row.endControl as DataEndControl,
      key: row.key,
      value: row.value,
    },
    rowSize,
  );
}

/**
 * decodeRow and inspectRow on the row at `offset`: both must agree, throw
 * only corrupt_database, and accept only a canonical row; a data row's value
 * text throws only invalid_data.
 */
export function checkRow(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex: number | undefined,
  tally?: OutcomeTally,
): void {
  const context = `decodeRow(rowSize ${rowSize}, offset ${offset}, ${hex(bytes)})`;
  const decoded = attempt(() => decodeRow(bytes, offset, rowSize, rowIndex), context);
  const inspected = attempt(
    () => ({ ...inspectRow(bytes, offset, rowSize, rowIndex) }),
    `inspectRow: ${context}`,
  );
  if (decoded.ok && decoded.value.type === "incomplete") tally?.addLabel("incomplete");
  else tally?.add(decoded);
  expect(inspected.ok, `inspectRow and decodeRow disagree on ${context}`).toBe(decoded.ok);
  if (!decoded.ok) {
    expect(decoded.error.code).toBe("corrupt_database");
    if (!inspected.ok) expect(inspected.error.message).toBe(decoded.error.message);
    return;
  }
  const row = decoded.value;
  if (row.type === "incomplete") {
    expect(bytes.length - offset).toBeLessThan(rowSize);
    return;
  }
  if (inspected.ok) expect(inspected.value.type).toBe(row.type);
  expect(hex(reencode(row, rowSize))).toBe(hex(bytes.subarray(offset, offset + rowSize)));
  if (row.type !== "data") return;
  const text = attempt(() => row.valueText, `valueText: ${context}`);
  if (!text.ok) expect(text.error.code).toBe("invalid_data");
  // valueTextAt needs inspectRow's record for this very row: take it again.
  const again = attempt(() => {
    const info = inspectRow(bytes, offset, rowSize, rowIndex);
    return info.type === "incomplete" ? undefined : valueTextAt(bytes, offset, info);
  }, `valueTextAt: ${context}`);
  expect(again.ok).toBe(text.ok);
  if (again.ok && text.ok) expect(again.value).toBe(text.value);
}

/** decodeTail: invalid_input only for a tail of a whole row or more; else a partial or torn tail. */
export function checkTail(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  tally?: OutcomeTally,
): Tail | undefined {
  const context = `decodeTail(rowSize ${rowSize}, offset ${offset}, ${hex(bytes)})`;
  const outcome = attempt(() => decodeTail(bytes, offset, rowSize), context);
  tally?.add(outcome);
  const length = bytes.length - offset;
  if (!outcome.ok) {
    expect(outcome.error.code).toBe("invalid_input");
    expect(length).toBeGreaterThanOrEqual(rowSize);
    return undefined;
  }
  const tail = outcome.value;
  if (length <= 0) {
    expect(tail).toBeUndefined();
    return undefined;
  }
  expect(tail?.length).toBe(length);
  if (tail?.type === "partial" && tail.state !== 1) {
    // A partial row is exact: a valid data key and the state's length.
    expect(uuidV7Problem(tail.key)).toBeUndefined();
    expect(tail.length).toBe(tail.state === 2 ? rowSize - 5 : rowSize - 4);
  }
  return tail;
}

/** readRowAt: invalid_input (index outside) or corrupt_database only. */
export function checkReadRowAt(
  file: Uint8Array,
  index: number,
  rowSize: number,
  tally?: OutcomeTally,
): void {
  const outcome = attempt(
    () => readRowAt(file, index, rowSize),
    `readRowAt(index ${index}, rowSize ${rowSize}, file of ${file.length} bytes)`,
  );
  tally?.add(outcome);
  if (!outcome.ok) expect(["invalid_input", "corrupt_database"]).toContain(outcome.error.code);
}

/** decodeBase64Strict never throws and accepts only the canonical text of what it returns. */
export function checkBase64(text: Uint8Array, offset: number, byteLength: 4 | 16): void {
  const context = `decodeBase64Strict(${hex(text)}, ${offset}, ${byteLength})`;
  const outcome: Outcome<Uint8Array | undefined> = attempt(
    () => decodeBase64Strict(text, offset, byteLength),
    context,
  );
  expect(outcome.ok, `${context} threw`).toBe(true);
  if (!outcome.ok || outcome.value === undefined) return;
  const width = byteLength === 16 ? 24 : 8;
  const slice = Buffer.from(text.subarray(offset, offset + width)).toString("latin1");
  expect(encodeBase64(outcome.value), context).toBe(slice);
}

/** parseUuid: invalid_input, or the 16 bytes of canonical-shaped text / a 16-byte array. */
export function checkParseUuid(key: unknown, tally?: OutcomeTally): void {
  const context = `parseUuid(${describeKey(key)})`;
  const outcome = attempt(() => parseUuid(key as string), context);
  tally?.add(outcome);
  if (!outcome.ok) {
    expect(outcome.error.code).toBe("invalid_input");
    return;
  }
  expect(outcome.value).toBeInstanceOf(Uint8Array);
  expect(outcome.value.length).toBe(16);
  if (typeof key === "string") expect(formatUuid(outcome.value)).toBe(key.toLowerCase());
  else expect(hex(outcome.value)).toBe(hex(key as Uint8Array));
  // The key rules themselves: a message, or a valid key; only invalid_input escapes.
  const valid = attempt(() => validateDataKey(outcome.value), `validateDataKey: ${context}`);
  if (!valid.ok) expect(valid.error.code).toBe("invalid_input");
}

/** decodeValue: invalid_data only; encodeValue: invalid_input only; valid JSON round-trips. */
export function checkValueBytes(bytes: Uint8Array, rowSize: number, tally?: OutcomeTally): void {
  const context = `value ${hex(bytes)}`;
  const decoded = attempt(() => decodeValue(bytes), `decodeValue: ${context}`);
  tally?.add(decoded);
  if (!decoded.ok) expect(decoded.error.code).toBe("invalid_data");
  const encoded = attempt(() => encodeValue(bytes, rowSize), `encodeValue: ${context}`);
  if (!encoded.ok) {
    expect(encoded.error.code).toBe("invalid_input");
    return;
  }
  // What a writer accepts, a reader reads back as the same JSON.
  expect(decoded.ok, `encodeValue accepted what decodeValue refuses: ${context}`).toBe(true);
  expect(hex(encoded.value)).toBe(hex(bytes));
}

/** A short rendering of any fuzzed key, for failure messages. */
export function describeKey(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (key instanceof Uint8Array) return `Uint8Array(${hex(key)})`;
  if (typeof key === "bigint") return `${key}n`;
  if (typeof key === "symbol") return key.toString();
  try {
    return `${typeof key} ${JSON.stringify(key)?.slice(0, 80)}`;
  } catch {
    return typeof key;
  }
}
