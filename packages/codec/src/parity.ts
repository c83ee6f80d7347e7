/**
 * Row parity (LRC): the XOR of bytes [0, N−4] of a row, written as two
 * uppercase hex digits at positions N−3 and N−2.
 *
 * The XOR runs a 32-bit word at a time over the 4-byte-aligned middle of the
 * range: rows are 128 to 65,536 bytes, and a byte loop is several times slower.
 */

import { hexDigitCodes, upperHexValue } from "./hex.js";

// One Uint32Array view per ArrayBuffer, reused while callers keep handing in
// slices of the same buffer (the common case: a file read into one buffer).
let viewedBuffer: ArrayBufferLike | undefined;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

function wordsOf(buffer: ArrayBufferLike): Uint32Array<ArrayBufferLike> {
  if (buffer !== viewedBuffer || words.length !== buffer.byteLength >>> 2) {
    viewedBuffer = buffer;
    words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return words;
}

/** XOR of `bytes[start, end)`. */
export function xorRange(bytes: Uint8Array, start: number, end: number): number {
  let acc = 0;
  let i = start;
  if (end - start >= 32) {
    const base = bytes.byteOffset;
    while (((base + i) & 3) !== 0) acc ^= bytes[i++]!;
    const w = wordsOf(bytes.buffer);
    const wordEnd = (base + end) >>> 2;
    let x = 0;
    for (let k = (base + i) >>> 2; k < wordEnd; k++) x ^= w[k]!;
    acc ^= (x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24)) & 0xff;
    i = (wordEnd << 2) - base;
  }
  while (i < end) acc ^= bytes[i++]!;
  return acc;
}

/** True when every byte of `bytes[start, end)` is zero. */
export function isZeroRange(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (end - start >= 32) {
    const base = bytes.byteOffset;
    while (((base + i) & 3) !== 0) if (bytes[i++] !== 0) return false;
    const w = wordsOf(bytes.buffer);
    const wordEnd = (base + end) >>> 2;
    let x = 0;
    for (let k = (base + i) >>> 2; k < wordEnd; k++) x |= w[k]!;
    if (x !== 0) return false;
    i = (wordEnd << 2) - base;
  }
  while (i < end) if (bytes[i++] !== 0) return false;
  return true;
}

/** Parity of the row of `rowSize` bytes at `offset`: XOR of its first N−3 bytes. */
export function computeParity(bytes: Uint8Array, offset: number, rowSize: number): number {
  return xorRange(bytes, offset, offset + rowSize - 3);
}

/** Writes `parity` as two uppercase hex digits at `target[position]`. */
export function writeParity(target: Uint8Array, position: number, parity: number): void {
  const [hi, lo] = hexDigitCodes(parity);
  target[position] = hi;
  target[position + 1] = lo;
}

/**
 * Reads the stored parity at `bytes[position]`, or -1 when the two bytes are
 * not uppercase hex digits (lowercase is invalid: the original compares the
 * bytes exactly).
 */
export function readParity(bytes: Uint8Array, position: number): number {
  const hi = upperHexValue(bytes[position]!);
  const lo = upperHexValue(bytes[position + 1]!);
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}
