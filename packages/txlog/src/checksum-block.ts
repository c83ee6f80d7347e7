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

/** Rows read from disk per chunk while computing a block CRC (~8 MiB). */
function chunkRows(rowSize: number): number {
  return Math.max(1, Math.floor((8 << 20) / rowSize));
}

/**
 * CRC of the block that ends at row `checksumIndex − 1`, whose rows up to
 * `diskRows − 1` are on disk and whose later rows are `pending` (in order).
 * @throws {@link CorruptDatabaseError} when a row of the block fails to
 *   decode or a checksum row is out of place.
 */
export function blockCrc(
  file: DbFile,
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
  const step = chunkRows(rowSize);
  for (let start = first; start < diskRows; start += step) {
    const count = Math.min(step, diskRows - start);
    const bytes = file.read(HEADER_SIZE + start * rowSize, count * rowSize);
    for (let i = 0; i < count; i++) validate(bytes, i * rowSize, start + i);
    crc = crc32(bytes, crc);
  }
  for (const row of pending) {
    if (row.index < first || row.index >= checksumIndex) continue;
    validate(row.bytes, 0, row.index);
    crc = crc32(row.bytes, crc);
  }
  return crc;
}
