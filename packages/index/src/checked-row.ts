/**
 * Full checks of the few rows a finder must trust: the row it returns and
 * the rows a transaction walk passes. The codec's `inspectRow` checks every
 * byte as `decodeRow` does without building row objects; everything else a
 * finder touches is compared as key text and never decoded (key-text.ts).
 */

import {
  CorruptDatabaseError,
  checkRowPlacement,
  HEADER_SIZE,
  inspectRow,
  type Row,
  type RowInfo,
  UUID_LENGTH,
} from "@frozendb/codec";

const SCRATCH_KEY = new Uint8Array(UUID_LENGTH);

/**
 * Checks the row at `bytes[offset]`, which is row `index` of the file, and
 * that checksum rows sit exactly at checksum indices. The key of a data or
 * null row lands in `keyTarget`.
 * @returns a record that the next call overwrites.
 * @throws {@link CorruptDatabaseError} `failed to parse row at index <i>`
 *   (cause: the codec's error), or for a row at the wrong kind of index.
 */
export function inspectRowChecked(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  index: number,
  keyTarget: Uint8Array = SCRATCH_KEY,
): Readonly<RowInfo> {
  let info: ReturnType<typeof inspectRow>;
  try {
    info = inspectRow(bytes, offset, rowSize, index, keyTarget);
  } catch (error) {
    throw new CorruptDatabaseError(`failed to parse row at index ${index}`, {
      cause: error,
      offset: HEADER_SIZE + index * rowSize,
      rowIndex: index,
    });
  }
  if (info.type === "incomplete") {
    // The source handed over fewer bytes than it promised.
    throw new CorruptDatabaseError(`row ${index} is incomplete`, {
      offset: HEADER_SIZE + index * rowSize,
      rowIndex: index,
    });
  }
  checkPlacement(info, index, rowSize);
  return info;
}

/**
 * Checks that a checksum row sits at a checksum index and nothing else does.
 * @throws {@link CorruptDatabaseError}
 */
export function checkPlacement(
  row: { readonly type: Row["type"] },
  index: number,
  rowSize: number,
): void {
  checkRowPlacement(row.type, index, rowSize);
}

/**
 * A malformed row met while reading key text (bad sentinel, start control or
 * Base64), which a full check would also reject.
 */
export function malformedRow(
  index: number,
  rowSize: number,
  problem: string,
): CorruptDatabaseError {
  return new CorruptDatabaseError(`failed to parse row at index ${index}`, {
    cause: new CorruptDatabaseError(problem, {
      offset: HEADER_SIZE + index * rowSize,
      rowIndex: index,
    }),
    offset: HEADER_SIZE + index * rowSize,
    rowIndex: index,
  });
}
