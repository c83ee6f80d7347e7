/**
 * Where rows sit (file-format §2, §14): offsets, checksum indices, logical
 * data indices, and the classifier that says what the slot at an index is.
 */

import { CHECKSUM_INTERVAL, CHECKSUM_PERIOD, HEADER_SIZE } from "./constants.js";
import { CorruptDatabaseError, InvalidInputError } from "./errors.js";
import { decodeTail, type Tail } from "./partial-data-row.js";
import { decodeRow, type Row } from "./row.js";

/** Byte offset of row `index`. */
export function rowOffset(index: number, rowSize: number): number {
  return HEADER_SIZE + index * rowSize;
}

/** True for the indices reserved for checksum rows: 0, 10001, 20002, … */
export function isChecksumIndex(index: number): boolean {
  return index % CHECKSUM_PERIOD === 0;
}

/** Complete row slots (checksum rows included) in a file of `fileSize` bytes. */
export function completeRowCount(fileSize: number, rowSize: number): number {
  return fileSize < HEADER_SIZE ? 0 : Math.floor((fileSize - HEADER_SIZE) / rowSize);
}

/** Bytes after the last complete row (0 when the file ends on a row boundary). */
export function tailLength(fileSize: number, rowSize: number): number {
  return fileSize < HEADER_SIZE ? 0 : (fileSize - HEADER_SIZE) % rowSize;
}

/** Size of a file holding `dataRows` complete data/null rows and no tail (file-format §15). */
export function fileSizeFor(dataRows: number, rowSize: number): number {
  return HEADER_SIZE + rowSize * (dataRows + 1 + Math.floor(dataRows / CHECKSUM_INTERVAL));
}

/** Row index of logical data row `logical` (0-based over data and null rows only). */
export function logicalToRowIndex(logical: number): number {
  return logical + Math.floor(logical / CHECKSUM_INTERVAL) + 1;
}

/**
 * Logical data index of row `index`.
 * @throws {@link InvalidInputError} for a checksum-row index.
 */
export function rowIndexToLogical(index: number): number {
  if (isChecksumIndex(index)) throw new InvalidInputError(`row ${index} is a checksum row`);
  return index - Math.floor(index / CHECKSUM_PERIOD) - 1;
}

/**
 * Checks that a row of `type` may sit at row `index`: checksum rows exactly at
 * the checksum indices, and nothing else there.
 * @throws {@link CorruptDatabaseError} naming the row.
 */
export function checkRowPlacement(type: Row["type"], index: number, rowSize: number): void {
  const checksumSlot = isChecksumIndex(index);
  if (checksumSlot === (type === "checksum")) return;
  throw new CorruptDatabaseError(
    checksumSlot
      ? `row ${index} must be a checksum row, found a ${type} row`
      : "checksum row found in middle of data block",
    { offset: rowOffset(index, rowSize), rowIndex: index },
  );
}

/** What the layout says the slot at an index holds, before reading it. */
export type SlotKind = "checksum" | "data-or-null" | "tail" | "out-of-range";

/** The kind of slot `index` in a file of `fileSize` bytes. */
export function classifySlot(index: number, fileSize: number, rowSize: number): SlotKind {
  const complete = completeRowCount(fileSize, rowSize);
  if (!Number.isInteger(index) || index < 0) return "out-of-range";
  if (index < complete) return isChecksumIndex(index) ? "checksum" : "data-or-null";
  if (index === complete && tailLength(fileSize, rowSize) > 0) return "tail";
  return "out-of-range";
}

/** A row read from its slot: a complete row, or the tail. */
export type SlotContent = Row | Tail;

/**
 * Reads and classifies row `index` of a file whose bytes from offset 0 are in
 * `file` (the whole file, or a prefix that reaches past the row). Checks that
 * checksum rows sit exactly at checksum indices.
 * @throws {@link CorruptDatabaseError} for a row that fails to decode or
 *   sits at the wrong kind of index; {@link InvalidInputError} when `index`
 *   is outside the file.
 */
export function readRowAt(file: Uint8Array, index: number, rowSize: number): SlotContent {
  const kind = classifySlot(index, file.length, rowSize);
  if (kind === "out-of-range") {
    throw new InvalidInputError(`row index ${index} is outside the file`);
  }
  const offset = rowOffset(index, rowSize);
  if (kind === "tail") return decodeTail(file, offset, rowSize)!;
  const row = decodeRow(file, offset, rowSize, index);
  if (row.type === "incomplete")
    throw new InvalidInputError(`row index ${index} is outside the file`);
  checkRowPlacement(row.type, index, rowSize);
  return row;
}
