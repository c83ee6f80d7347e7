/**
 * Bulk backward scans over complete rows, for the questions whose answer
 * lies in the tail window the ordering rule allows (file-format §12.3):
 * the exact maximum timestamp, and whether a key is already committed.
 */

import {
  compareUuids,
  decodeRow,
  inspectRow,
  isChecksumIndex,
  isCommit,
  type Row,
  type RowInfo,
  rollbackTarget,
} from "@frozendb/codec";

/** What a backward scan needs of the file. */
export interface RowReader {
  readonly rowSize: number;
  readonly skewMs: number;
  rowCount(): number;
  readRows(start: number, count: number): Uint8Array;
}

/** Rows read per bulk read: about 4 MiB, at least 16 rows. */
function chunkRows(rowSize: number): number {
  return Math.max(16, Math.floor((4 << 20) / rowSize));
}

/**
 * Visits complete rows from `from` down to index 1 (checksum rows skipped),
 * reading in bulk, until `visit` returns false.
 */
export function scanBackward(
  reader: RowReader,
  from: number,
  visit: (index: number, row: Readonly<RowInfo>, key: Uint8Array) => boolean,
): void {
  const key = new Uint8Array(16);
  const n = reader.rowSize;
  let end = from + 1;
  let size = 64;
  const maxChunk = chunkRows(n);
  while (end > 1) {
    const start = Math.max(1, end - size);
    const bytes = reader.readRows(start, end - start);
    for (let i = end - 1; i >= start; i--) {
      if (isChecksumIndex(i)) continue;
      const row = inspectRow(bytes, (i - start) * n, n, i, key);
      if (row.type === "incomplete") continue;
      if (!visit(i, row, key)) return;
    }
    end = start;
    size = Math.min(size * 4, maxChunk);
  }
}

/** What the tail window tells about every complete row of the file. */
export interface TailMaximum {
  /** The largest timestamp among data and null rows (0 when there are none). */
  readonly timestamp: number;
  /** A copy of the largest data-row key (by bytes), or undefined without data rows. */
  readonly key: Uint8Array | undefined;
}

/**
 * The exact largest timestamp among complete data and null rows and the
 * largest data-row key, reading only the tail window. Let C be the largest
 * timestamp of the rows after row j. The scan stops at a data row j with
 * `ts_j + skew ≤ C` or a null row with `ts_j < C` (a null row carries the
 * largest timestamp before it): every earlier row is then strictly older
 * than C, so it neither raises the maximum nor holds the largest key, which
 * carries the largest timestamp of any data row.
 */
export function computeTailMaximum(reader: RowReader): TailMaximum {
  const skew = reader.skewMs;
  let max = 0;
  let seen = false;
  let maxKey: Uint8Array | undefined;
  scanBackward(reader, reader.rowCount() - 1, (_, row, key) => {
    if (row.type === "checksum") return true;
    if (seen && (row.type === "null" ? row.timestamp < max : row.timestamp + skew <= max))
      return false;
    if (row.timestamp > max) max = row.timestamp;
    seen = true;
    if (row.type === "data" && (maxKey === undefined || compareUuids(key, maxKey) > 0)) {
      maxKey = key.slice();
    }
    return true;
  });
  return { timestamp: max, key: maxKey };
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether `key` is visible (committed) anywhere in the complete rows before
 * `before`. Rows carrying the key with timestamp T can only sit after the last
 * row whose timestamp is below `T − skew`, so the scan stops there.
 *
 * Cost: the rows written within the skew window of the key; callers with an
 * index (the `frozendb` client) pass their own, faster check instead.
 */
export function isKeyCommitted(
  reader: RowReader,
  key: Uint8Array,
  timestamp: number,
  before: number,
): boolean {
  const skew = reader.skewMs;
  const hits: number[] = [];
  scanBackward(reader, before - 1, (index, row, rowKey) => {
    if (row.type === "checksum") return true;
    if (row.timestamp + skew < timestamp) return false;
    if (row.type === "data" && sameKey(rowKey, key)) hits.push(index);
    return true;
  });
  return hits.some((index) => isRowVisible(reader, index, before));
}

/**
 * Whether the data row at `index` is committed: its transaction ended with a
 * commit, or with a rollback to a savepoint at or after it. Only rows before
 * `before` are considered (later rows belong to the open transaction).
 */
export function isRowVisible(reader: RowReader, index: number, before: number): boolean {
  const n = reader.rowSize;
  // The transaction's start is at most 100 data rows (+ a checksum row) back,
  // its end at most as far forward.
  const start = Math.max(1, index - 101);
  const end = Math.min(before, index + 102);
  const bytes = reader.readRows(start, end - start);
  const rowAt = (i: number) => decodeRow(bytes, (i - start) * n, n, i) as Row;
  let first = index;
  for (let i = index; i >= start; i--) {
    if (isChecksumIndex(i)) continue;
    const row = rowAt(i);
    if (row.type === "data" && row.startControl === "T") {
      first = i;
      break;
    }
  }
  for (let i = index; i < end; i++) {
    if (isChecksumIndex(i)) continue;
    const row = rowAt(i);
    if (row.type !== "data") return false;
    if (row.endControl === "RE" || row.endControl === "SE") continue;
    if (isCommit(row.endControl)) return true;
    const target = rollbackTarget(row.endControl) ?? 0;
    if (target === 0) return false;
    // Savepoint `target` is the target-th row of the transaction whose end
    // control starts with S (the rollback row itself included).
    let count = 0;
    for (let j = first; j <= i; j++) {
      if (isChecksumIndex(j)) continue;
      const r = rowAt(j);
      if (r.type === "data" && r.endControl.startsWith("S")) count++;
      if (count === target) return index <= j;
    }
    return false;
  }
  return false;
}
