/** Byte-level constants of the v1 format (file-format.md §1). */

/** Size of the file header in bytes, always. */
export const HEADER_SIZE = 64;

/** Sentinel and padding bytes. */
export const ROW = {
  START: 0x1f,
  END: 0x0a,
  PADDING: 0x00,
} as const;

/** Start-control letters (position 1 of every row). */
export const START_CONTROL = {
  TRANSACTION: 0x54, // 'T'
  CONTINUATION: 0x52, // 'R'
  CHECKSUM: 0x43, // 'C'
} as const;

/** The savepoint mark at position N−5 (first end-control character). */
export const SAVEPOINT_MARK = 0x53; // 'S'

/** Inclusive range of `row_size`. */
export const ROW_SIZE_RANGE = { MIN: 128, MAX: 65_536 } as const;

/** Inclusive range of `skew_ms` (one day at most). */
export const SKEW_MS_RANGE = { MIN: 0, MAX: 86_400_000 } as const;

/** Complete data/null rows between two checksum rows. */
export const CHECKSUM_INTERVAL = 10_000;

/** Checksum rows sit at row indices that are multiples of this. */
export const CHECKSUM_PERIOD = CHECKSUM_INTERVAL + 1;

/** Data rows per transaction, the in-progress partial row included. */
export const MAX_TRANSACTION_ROWS = 100;

/** Savepoints per transaction (numbered 1–9; 0 is the transaction start). */
export const MAX_SAVEPOINTS = 9;

/** Length of a UUID in Base64 (16 bytes, `==` padded). */
export const KEY_BASE64_LENGTH = 24;

/** Length of a CRC32 in Base64 (4 bytes, `==` padded). */
export const CRC_BASE64_LENGTH = 8;

/** Position of the value in a data row (after start, start control, key). */
export const VALUE_OFFSET = 2 + KEY_BASE64_LENGTH;

/** Fixed bytes of a data or null row: start, start control, key, end control, parity, end. */
export const ROW_OVERHEAD = 31;

/**
 * The largest JSON value, in bytes, a row of `rowSize` can hold and still be
 * read back. A readable row needs at least two padding bytes (the first
 * `0x00` must sit at or before position N−7), hence N − 33, not N − 31.
 */
export function maxValueLength(rowSize: number): number {
  return rowSize - ROW_OVERHEAD - 2;
}
