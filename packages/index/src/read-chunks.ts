/**
 * Sizes of bulk reads. Every read is a system call in the file-backed source
 * (~3 µs here whatever its size), so scans read many rows at once; walks that
 * usually stop after a few rows start small and grow.
 */

/** Bytes per read for scans: large enough to amortise the call, small enough for the cache. */
export const SCAN_READ_BYTES = 1 << 20;

/** Rows per read when scanning with reads of about `bytes` bytes (at least one row). */
export function rowsPerRead(rowSize: number, bytes: number = SCAN_READ_BYTES): number {
  return Math.max(1, Math.floor(bytes / rowSize));
}

/** First read of a walk, in rows; each next read is four times larger, up to a scan read. */
export const FIRST_WALK_ROWS = 16;

/** The number of rows of the next walk read after one of `previous` rows. */
export function nextWalkRows(previous: number, rowSize: number): number {
  return Math.min(previous * 4, rowsPerRead(rowSize));
}
