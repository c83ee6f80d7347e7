/** Null rows (file-format §9): an empty transaction, one row long. */

import { encodeBase64Into } from "./base64.js";
import { START_CONTROL } from "./constants.js";
import { validateRowSize } from "./header.js";
import { writeRowEnd } from "./row.js";
import { nullRowUuid } from "./uuid.js";

/**
 * Writes the null row for `maxTimestamp` (the largest timestamp among the
 * complete data/null rows at insertion; 0 in an empty file) at `target[offset]`.
 */
export function writeNullRow(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  maxTimestamp: number,
): void {
  const key = nullRowUuid(maxTimestamp);
  target[offset] = 0x1f;
  target[offset + 1] = START_CONTROL.TRANSACTION;
  encodeBase64Into(key, target, offset + 2);
  target.fill(0, offset + 26, offset + rowSize - 5);
  writeRowEnd(target, offset, rowSize, "NR");
}

/**
 * The `rowSize` bytes of a null row for `maxTimestamp`.
 * @throws {@link InvalidInputError} when `maxTimestamp` is not a 48-bit integer or
 *   `rowSize` is out of range.
 */
export function encodeNullRow(maxTimestamp: number, rowSize: number): Uint8Array {
  validateRowSize(rowSize);
  const bytes = new Uint8Array(rowSize);
  writeNullRow(bytes, 0, rowSize, maxTimestamp);
  return bytes;
}
