/**
 * The byte scan a row check starts with, as one number: what the row's
 * bytes `[0, N−3)` give — their XOR (the parity), the first `0x00`, whether
 * only zeros follow it up to the end control, and whether every byte
 * outside that padding is ASCII. A check that decodes rows one by one gets
 * it from {@link rowScan}; verify, which checks every byte of a file, can
 * get it for a whole chunk of rows from native code (the optional
 * `@frozendb/file-map` addon's `scanRows`, which packs it the same way) and
 * hand it to `inspectRowScanned`. Everything decided from the scan is
 * decided in one place, the codec's row check.
 *
 * Packed: bits 0–16 the first zero's position in the row + 1 (0: none),
 * bits 17–24 the parity, bit 25 clean padding, bit 26 ASCII. With dirty
 * padding the row is invalid whatever the parity and ASCII bits say, and
 * they are unspecified (the check reports the padding first).
 */

import { lastFirstZero, lastPaddingIsClean, lastRangeIsAscii, scanRow } from "./parity.js";

const ZERO_MASK = 0x1ffff;
const PARITY_SHIFT = 17;
const CLEAN_BIT = 1 << 25;
const ASCII_BIT = 1 << 26;

/** The packed scan of the row of `rowSize` bytes at `bytes[offset]`. */
export function rowScan(bytes: Uint8Array, offset: number, rowSize: number): number {
  const parity = scanRow(bytes, offset, offset + rowSize - 5, offset + rowSize - 3);
  const zero = lastFirstZero();
  return (
    (zero < 0 ? 0 : zero - offset + 1) |
    (parity << PARITY_SHIFT) |
    (lastPaddingIsClean() ? CLEAN_BIT : 0) |
    (lastRangeIsAscii() ? ASCII_BIT : 0)
  );
}

/** Position of the first zero byte in the row, or -1. */
export function scanFirstZero(scan: number): number {
  return (scan & ZERO_MASK) - 1;
}

/** XOR of the row's bytes `[0, N−3)` (meaningless when the padding is not clean). */
export function scanParity(scan: number): number {
  return (scan >>> PARITY_SHIFT) & 0xff;
}

/** True when only zeros follow the first zero up to the end control. */
export function scanPaddingClean(scan: number): boolean {
  return (scan & CLEAN_BIT) !== 0;
}

/** True when every byte outside the padding is below 0x80. */
export function scanAscii(scan: number): boolean {
  return (scan & ASCII_BIT) !== 0;
}
