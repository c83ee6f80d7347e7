/**
 * The largest key timestamp of a file without reading all of it (FF §12.3).
 * For rows i < j the ordering rule gives ts_i ≤ ts_j + skew. Scanning back
 * from the end with C the largest timestamp seen, the first row j with
 * ts_j + skew ≤ C proves that no earlier row exceeds C: the scan reads only
 * the tail window the rule leaves open.
 */

import { isChecksumIndex, START_CONTROL } from "@frozendb/codec";
import { malformedRow } from "./checked-row.js";
import { KEY_TEXT_OFFSET, keyTextTimestamp } from "./key-text.js";
import { FIRST_WALK_ROWS, nextWalkRows } from "./read-chunks.js";
import type { RowSource } from "./row-source.js";

/**
 * Largest timestamp among the data and null rows of rows `[0, total)`; 0 when there are none.
 * @throws {@link CorruptDatabaseError} for a row whose framing or key text is malformed.
 */
export function tailMaxTimestamp(source: RowSource, total: number): number {
  const { rowSize, skewMs } = source;
  let max = 0;
  let last = total - 1;
  let count = FIRST_WALK_ROWS;
  while (last >= 1) {
    const first = Math.max(1, last - count + 1);
    const bytes = source.readRows(first, last - first + 1);
    for (let i = last; i >= first; i--) {
      if (isChecksumIndex(i)) continue;
      const offset = (i - first) * rowSize;
      const start = bytes[offset + 1];
      if (
        bytes[offset] !== 0x1f ||
        (start !== START_CONTROL.TRANSACTION && start !== START_CONTROL.CONTINUATION)
      ) {
        throw malformedRow(i, rowSize, "row has no data or null row framing");
      }
      const ts = keyTextTimestamp(bytes, offset + KEY_TEXT_OFFSET);
      if (ts < 0) throw malformedRow(i, rowSize, "invalid Base64 encoding for UUID");
      if (ts > max) max = ts;
      if (ts + skewMs <= max) return max;
    }
    last = first - 1;
    count = nextWalkRows(count, rowSize);
  }
  return max;
}
