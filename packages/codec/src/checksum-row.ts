/**
 * Checksum rows (file-format §6): a CRC32 every 10,000 data/null rows, and
 * the initial one over the header.
 */

import { decodeBase64Strict, encodeBase64Into } from "./base64.js";
import { CHECKSUM_PERIOD, HEADER_SIZE, START_CONTROL } from "./constants.js";
import { crc32 } from "./crc32.js";
import { CorruptDatabaseError, InvalidInputError } from "./errors.js";
import { validateRowSize } from "./header.js";
import { hexByte, hexWord } from "./hex.js";
import { decodeRow, writeRowEnd } from "./row.js";

/** Writes the checksum row carrying `crc` at `target[offset]`. */
export function writeChecksumRow(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  crc: number,
): void {
  const crcBytes = new Uint8Array([
    crc >>> 24,
    (crc >>> 16) & 0xff,
    (crc >>> 8) & 0xff,
    crc & 0xff,
  ]);
  target[offset] = 0x1f;
  target[offset + 1] = START_CONTROL.CHECKSUM;
  encodeBase64Into(crcBytes, target, offset + 2);
  target.fill(0, offset + 10, offset + rowSize - 5);
  writeRowEnd(target, offset, rowSize, "CS");
}

/**
 * The `rowSize` bytes of the checksum row carrying `crc`.
 * @throws {@link InvalidInputError} when `crc` is not an unsigned 32-bit
 *   integer or `rowSize` is out of range.
 */
export function encodeChecksumRow(crc: number, rowSize: number): Uint8Array {
  validateRowSize(rowSize);
  if (!Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) {
    throw new InvalidInputError(`CRC must be an unsigned 32-bit integer, got ${crc}`);
  }
  const bytes = new Uint8Array(rowSize);
  writeChecksumRow(bytes, 0, rowSize, crc);
  return bytes;
}

/**
 * The byte range `[start, end)` covered by checksum row `k` (the one at row
 * index `k · 10001`): the header for `k = 0`; otherwise the previous checksum
 * row and the 10,000 rows after it (file-format §6.3).
 */
export function checksumCoverage(k: number, rowSize: number): { start: number; end: number } {
  if (k === 0) return { start: 0, end: HEADER_SIZE };
  const start = HEADER_SIZE + (k - 1) * CHECKSUM_PERIOD * rowSize;
  return { start, end: start + CHECKSUM_PERIOD * rowSize };
}

/**
 * The checks open makes on the initial checksum row (file-format §13.2) with
 * the original's messages, then a full row decode (parity and padding too).
 * `fileStart` holds at least the first `64 + rowSize` bytes of the file.
 * @throws {@link CorruptDatabaseError}
 */
export function verifyInitialChecksumRow(
  fileStart: Uint8Array,
  rowSize: number,
  fileSize = fileStart.length,
): void {
  const needed = HEADER_SIZE + rowSize;
  if (fileSize < needed || fileStart.length < needed) {
    throw new CorruptDatabaseError(
      `file too small: expected at least ${needed} bytes (header + checksum row), got ${fileSize}`,
      { offset: Math.min(fileSize, fileStart.length) },
    );
  }
  const at = (pos: number) => ({ offset: HEADER_SIZE + pos, rowIndex: 0 });
  const o = HEADER_SIZE;
  if (fileStart[o] !== 0x1f) {
    throw new CorruptDatabaseError(
      `checksum row must start with ROW_START sentinel (0x1F), got ${hexByte(fileStart[o])}`,
      at(0),
    );
  }
  if (fileStart[o + 1] !== START_CONTROL.CHECKSUM) {
    throw new CorruptDatabaseError(
      `checksum row start_control must be 'C', got ${hexByte(fileStart[o + 1])}`,
      at(1),
    );
  }
  const e0 = fileStart[o + rowSize - 5]!;
  const e1 = fileStart[o + rowSize - 4]!;
  if (e0 !== 0x43 || e1 !== 0x53) {
    throw new CorruptDatabaseError(
      `checksum row end_control must be 'CS', got '${String.fromCharCode(e0, e1)}'`,
      at(rowSize - 5),
    );
  }
  if (fileStart[o + rowSize - 1] !== 0x0a) {
    throw new CorruptDatabaseError(
      `checksum row must end with ROW_END sentinel (0x0A), got ${hexByte(fileStart[o + rowSize - 1])}`,
      at(rowSize - 1),
    );
  }
  const stored = decodeBase64Strict(fileStart, o + 2, 4);
  if (!stored || fileStart[o + 10] !== 0) {
    throw new CorruptDatabaseError("invalid checksum format in checksum row", at(2));
  }
  const storedCrc =
    ((stored[0]! << 24) | (stored[1]! << 16) | (stored[2]! << 8) | stored[3]!) >>> 0;
  const calculated = crc32(fileStart.subarray(0, HEADER_SIZE));
  if (calculated !== storedCrc) {
    throw new CorruptDatabaseError(
      `CRC32 verification failed: calculated ${hexWord(calculated)}, stored ${hexWord(storedCrc)}`,
      at(2),
    );
  }
  decodeRow(fileStart, HEADER_SIZE, rowSize, 0);
}
