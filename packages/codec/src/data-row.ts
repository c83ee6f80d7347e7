/** Data rows (file-format §8): encoding; decoding is {@link decodeRow}. */

import { encodeBase64Into } from "./base64.js";
import { START_CONTROL, VALUE_OFFSET } from "./constants.js";
import { type DataEndControl, END_CONTROLS, isDataEndControl } from "./control.js";
import { InvalidInputError } from "./errors.js";
import { validateRowSize } from "./header.js";
import { writeRowEnd } from "./row.js";
import { validateDataKey } from "./uuid.js";
import { valueLayoutProblem } from "./value.js";

/** The fields of a data row to encode. */
export interface DataRowFields {
  readonly startControl: "T" | "R";
  readonly endControl: DataEndControl;
  /** 16 key bytes: a UUIDv7 that is not a null-row UUID. */
  readonly key: Uint8Array;
  /** The JSON bytes: 1 … `rowSize − 33` bytes, no `0x00`. */
  readonly value: Uint8Array;
}

/**
 * Checks what the layout needs of a data row's key and value (JSON validity
 * is {@link encodeValue}'s job).
 * @throws {@link InvalidInputError}
 */
export function validateDataRowFields(key: Uint8Array, value: Uint8Array, rowSize: number): void {
  validateRowSize(rowSize);
  validateDataKey(key);
  const problem = valueLayoutProblem(value, rowSize);
  if (problem !== undefined) throw new InvalidInputError(problem);
}

/**
 * Writes positions 0 … N−6 of a data row (ROW_START, start control, key,
 * value, zero padding) at `target[offset]`: what `AddRow` appends before the
 * row's end is known. Inputs must already be valid.
 */
export function writeDataRowHead(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  startControl: "T" | "R",
  key: Uint8Array,
  value: Uint8Array,
): void {
  target.set(value, offset + VALUE_OFFSET);
  writeDataRowFrame(target, offset, rowSize, startControl, key, value.length);
}

/**
 * Like {@link writeDataRowHead}, for a value of `valueLength` bytes already
 * in place at `target[offset + 26]` (see `encodeValueInto`).
 */
export function writeDataRowFrame(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  startControl: "T" | "R",
  key: Uint8Array,
  valueLength: number,
): void {
  target[offset] = 0x1f;
  target[offset + 1] =
    startControl === "T" ? START_CONTROL.TRANSACTION : START_CONTROL.CONTINUATION;
  encodeBase64Into(key, target, offset + 2);
  target.fill(0, offset + VALUE_OFFSET + valueLength, offset + rowSize - 5);
}

/** Writes a whole data row at `target[offset]`. Inputs must already be valid. */
export function writeDataRow(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  row: DataRowFields,
): void {
  writeDataRowHead(target, offset, rowSize, row.startControl, row.key, row.value);
  writeRowEnd(target, offset, rowSize, row.endControl);
}

/**
 * The `rowSize` bytes of a data row.
 * @throws {@link InvalidInputError} when the key or value breaks a format rule.
 */
export function encodeDataRow(row: DataRowFields, rowSize: number): Uint8Array {
  validateDataRowFields(row.key, row.value, rowSize);
  if (row.startControl !== "T" && row.startControl !== "R") {
    throw new InvalidInputError(
      `invalid start_control for a data row: '${String(row.startControl)}'`,
    );
  }
  if (!END_CONTROLS.includes(row.endControl) || !isDataEndControl(row.endControl)) {
    throw new InvalidInputError(
      `data row must have valid end_control, got '${String(row.endControl)}'`,
    );
  }
  const bytes = new Uint8Array(rowSize);
  writeDataRow(bytes, 0, rowSize, row);
  return bytes;
}
