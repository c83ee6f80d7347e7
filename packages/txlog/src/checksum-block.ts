/**
 * The CRC of a checksum block (file-format §6.3–§6.4): the previous checksum
 * row and the 10,000 rows after it. Before the CRC is computed every row of
 * the block is validated — parity included — as the original does, so a
 * checksum row never vouches for a damaged row.
 */

import {
  CHECKSUM_PERIOD,
  CorruptDatabaseError,
  crc32,
  HEADER_SIZE,
  inspectRow,
} from "@frozendb/codec";
import type { DbFile } from "./db-file.js";
import type { CompletedRow } from "./write-plan.js";

/**
 * Reads rows `[start, start + count)` of the file into memory that stays
 * valid only until the next call (a memory map or a reused buffer): a block
 * is 2.5 MB at 256-byte rows, and a fresh buffer for each costs more in page
 * faults than reading it.
 */
export type TransientRowReader = (start: number, count: number) => Uint8Array;

/** Bytes read per chunk while computing a block CRC. */
const CHUNK_BYTES = 1 << 20;

/** A {@link TransientRowReader} over `file`, with one reused buffer of at most one chunk. */
export function bufferedRowReader(file: DbFile, rowSize: number): TransientRowReader {
  let buffer = new Uint8Array(0);
  return (start, count) => {
    const length = count * rowSize;
    if (buffer.length < length) buffer = new Uint8Array(length);
    file.readInto(buffer, 0, length, HEADER_SIZE + start * rowSize);
    return buffer.subarray(0, length);
  };
}

/**
 * CRC of the block that ends at row `checksumIndex − 1`, whose rows up to
 * `diskRows − 1` are on disk and whose later rows are `pending` (in order).
 * @throws {@link CorruptDatabaseError} when a row of the block fails to
 *   decode or a checksum row is out of place.
 */
export function blockCrc(
  readRows: TransientRowReader,
  rowSize: number,
  checksumIndex: number,
  diskRows: number,
  pending: readonly CompletedRow[],
): number {
  const first = checksumIndex - CHECKSUM_PERIOD;
  let crc = 0;
  const validate = (bytes: Uint8Array, offset: number, index: number) => {
    let row: ReturnType<typeof inspectRow>;
    try {
      row = inspectRow(bytes, offset, rowSize, index);
    } catch (error) {
      throw new CorruptDatabaseError("row validation failed during checksum calculation", {
        cause: error,
        offset: HEADER_SIZE + index * rowSize,
        rowIndex: index,
      });
    }
    if (index === first && row.type !== "checksum") {
      throw new CorruptDatabaseError("first row in checksum block must be a checksum row", {
        offset: HEADER_SIZE + index * rowSize,
        rowIndex: index,
      });
    }
    if (index !== first && row.type === "checksum") {
      throw new CorruptDatabaseError("checksum row found in middle of data block", {
        offset: HEADER_SIZE + index * rowSize,
        rowIndex: index,
      });
    }
  };
  const step = Math.max(1, Math.floor(CHUNK_BYTES / rowSize));
  for (let start = first; start < diskRows; start += step) {
    const count = Math.min(step, diskRows - start);
    const bytes = readRows(start, count);
    for (let i = 0; i < count; i++) validate(bytes, i * rowSize, start + i);
    crc = crc32(bytes, crc);
  }
  for (const row of pending) {
    if (row.index < first || row.index >= checksumIndex) continue;
    validate(row.bytes, row.offset, row.index);
    crc = crc32(row.bytes.subarray(row.offset, row.offset + rowSize), crc);
  }
  return crc;
}
