/**
 * The tail of a file: the bytes after the last complete row (file-format §11,
 * decisions OP-4). They are a partial data row only when they are exactly one
 * of its three states; anything else is a torn tail left by a crash inside a
 * write. Neither is ever corruption here: the layer above decides (readers
 * ignore a torn tail, writers refuse it until `recover`).
 */

import { decodeBase64Strict } from "./base64.js";
import { ROW, SAVEPOINT_MARK, START_CONTROL, VALUE_OFFSET } from "./constants.js";
import { writeDataRowHead } from "./data-row.js";
import { InvalidInputError } from "./errors.js";
import { isZeroRange } from "./parity.js";
import { isNullRowUuid, uuidTimestamp, uuidV7Problem } from "./uuid.js";

/** State 1: `Begin` wrote ROW_START and the start control. */
export interface PartialRowStarted {
  readonly type: "partial";
  readonly state: 1;
  readonly startControl: "T" | "R";
  /** Bytes in the tail. */
  readonly length: 2;
}

/** State 2 (`AddRow`: positions 0 … N−6) or 3 (then `Savepoint`: one `S` more). */
export interface PartialRowWithPayload {
  readonly type: "partial";
  readonly state: 2 | 3;
  readonly startControl: "T" | "R";
  readonly length: number;
  readonly key: Uint8Array;
  readonly timestamp: number;
  /** The stored JSON bytes (a view into the decoded buffer). */
  readonly value: Uint8Array;
}

/** An incomplete last row in one of its three exact states. */
export type PartialDataRow = PartialRowStarted | PartialRowWithPayload;

/** Tail bytes that are no exact partial-row state: a write torn by a crash. */
export interface TornTail {
  readonly type: "torn";
  /** Bytes in the tail. */
  readonly length: number;
  /** Why the bytes are not a partial row. */
  readonly reason: string;
}

/** What follows the last complete row. */
export type Tail = PartialDataRow | TornTail;

function torn(length: number, reason: string): TornTail {
  return { type: "torn", length, reason };
}

/**
 * Classifies the tail `bytes[offset …]` (shorter than a row) of a file whose
 * rows are `rowSize` bytes.
 * @returns `undefined` when there is no tail (the file ends on a row boundary).
 * @throws {@link InvalidInputError} when the tail is a whole row or longer.
 */
export function decodeTail(bytes: Uint8Array, offset: number, rowSize: number): Tail | undefined {
  const length = bytes.length - offset;
  if (length <= 0) return undefined;
  if (length >= rowSize) {
    throw new InvalidInputError(
      `a tail is shorter than a row: got ${length} bytes, row_size ${rowSize}`,
    );
  }
  if (bytes[offset] !== ROW.START) return torn(length, "tail does not start with ROW_START");
  const start = bytes[offset + 1];
  if (length < 2) return torn(length, "tail is shorter than a state-1 partial row");
  if (start !== START_CONTROL.TRANSACTION && start !== START_CONTROL.CONTINUATION) {
    return torn(length, "tail start control is not T or R");
  }
  const startControl = start === START_CONTROL.TRANSACTION ? "T" : "R";
  if (length === 2) return { type: "partial", state: 1, startControl, length: 2 };

  let state: 2 | 3;
  if (length === rowSize - 5) state = 2;
  else if (length === rowSize - 4 && bytes[offset + rowSize - 5] === SAVEPOINT_MARK) state = 3;
  else return torn(length, `tail of ${length} bytes is no partial-row state`);

  // Positions 0 … N−6 must be exactly what a data row has there.
  const end = offset + rowSize - 5;
  const nulAt = bytes.indexOf(0, offset + 2);
  if (nulAt < 0 || nulAt > offset + rowSize - 7) return torn(length, "partial row has no padding");
  if (!isZeroRange(bytes, nulAt, end)) return torn(length, "partial row padding is not all 0x00");
  if (nulAt - offset <= VALUE_OFFSET) return torn(length, "partial row has no key and value");
  const key = decodeBase64Strict(bytes, offset + 2, 16);
  if (!key) return torn(length, "partial row key is not canonical Base64");
  const problem = uuidV7Problem(key);
  if (problem !== undefined) return torn(length, `partial row key: ${problem}`);
  if (isNullRowUuid(key)) return torn(length, "partial row key is a null-row UUID");
  return {
    type: "partial",
    state,
    startControl,
    length,
    key,
    timestamp: uuidTimestamp(key),
    value: bytes.subarray(offset + VALUE_OFFSET, nulAt),
  };
}

/** The fields of a partial row to encode (for writers and tests). */
export type PartialRowFields =
  | { readonly state: 1; readonly startControl: "T" | "R" }
  | {
      readonly state: 2 | 3;
      readonly startControl: "T" | "R";
      readonly key: Uint8Array;
      readonly value: Uint8Array;
    };

/** The exact tail bytes of a partial row in `fields.state`. Inputs must already be valid. */
export function encodePartialDataRow(fields: PartialRowFields, rowSize: number): Uint8Array {
  if (fields.state === 1) {
    return Uint8Array.of(
      ROW.START,
      fields.startControl === "T" ? START_CONTROL.TRANSACTION : START_CONTROL.CONTINUATION,
    );
  }
  const bytes = new Uint8Array(rowSize - (fields.state === 2 ? 5 : 4));
  writeDataRowHead(bytes, 0, rowSize, fields.startControl, fields.key, fields.value);
  if (fields.state === 3) bytes[rowSize - 5] = SAVEPOINT_MARK;
  return bytes;
}
