/**
 * Row parity (LRC) — the XOR of bytes [0, N−4] of a row, written as two
 * uppercase hex digits at positions N−3 and N−2 — and the other word-wise
 * scans a row decode needs (first zero byte, all-zero padding).
 *
 * Rows are 128 to 65,536 bytes; these loops run over the 4-byte-aligned
 * middle of a range a 32-bit word at a time, several times faster than a
 * byte loop.
 */

import { hexDigitCode, upperHexValue } from "./hex.js";

// A word view of the buffer of each of the last two Uint8Arrays scanned,
// reused while callers keep handing in the same arrays (the common cases: a
// file read into one buffer; a writer's two row buffers, used in turn).
// Reading `.buffer` on every call is itself measurable, so the cache is keyed
// by the array object, whose buffer and offset never change.
// Int32Array rather than Uint32Array: its elements stay small integers in V8,
// where Uint32 values above 2^31 would turn into heap numbers.
const NO_WORDS: Int32Array<ArrayBufferLike> = new Int32Array(0);
let arrayA: Uint8Array | undefined;
let wordsA = NO_WORDS;
let baseA = 0;
let arrayB: Uint8Array | undefined;
let wordsB = NO_WORDS;
let baseB = 0;
// The byte offset of the array the last wordsOf call answered for.
let viewBase = 0;

function wordsOf(bytes: Uint8Array): Int32Array<ArrayBufferLike> {
  if (bytes === arrayA) {
    viewBase = baseA;
    return wordsA;
  }
  if (bytes === arrayB) {
    viewBase = baseB;
    return wordsB;
  }
  // A new array: it replaces the older entry (A moves to B). A view of the
  // same buffer (a subarray, say) shares the word view.
  const buffer = bytes.buffer;
  const wordCount = buffer.byteLength >>> 2;
  let words: Int32Array<ArrayBufferLike>;
  if (wordsA.buffer === buffer && wordsA.length === wordCount) words = wordsA;
  else if (wordsB.buffer === buffer && wordsB.length === wordCount) words = wordsB;
  else words = new Int32Array(buffer, 0, wordCount);
  arrayB = arrayA;
  wordsB = wordsA;
  baseB = baseA;
  arrayA = bytes;
  wordsA = words;
  baseA = bytes.byteOffset;
  viewBase = baseA;
  return words;
}

// OR of the bytes the last scanRow call saw, read by lastRangeIsAscii().
let lastOr = 0;

/** XOR of `bytes[start, end)`. */
export function xorRange(bytes: Uint8Array, start: number, end: number): number {
  let acc = 0;
  let i = start;
  if (end - start >= 32) {
    const w = wordsOf(bytes);
    const base = viewBase;
    for (; ((base + i) & 3) !== 0; i++) acc ^= bytes[i]!;
    const wordEnd = (base + end) >>> 2;
    let x = 0;
    for (let k = (base + i) >>> 2; k < wordEnd; k++) x ^= w[k]!;
    acc ^= (x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24)) & 0xff;
    i = (wordEnd << 2) - base;
  }
  for (; i < end; i++) acc ^= bytes[i]!;
  return acc;
}

// First zero byte found by the last scanRow call (-1: none).
let lastZero = -1;
// Whether the bytes from that zero up to the padding end were all zero.
let lastPaddingClean = true;

/**
 * One pass over a row's bytes `[start, end)` for a decoder, where a valid
 * row holds its payload, then zero padding from the first `0x00` up to
 * `paddingEnd`, then the end control. Returns their XOR (the parity) and
 * records the index of the first zero byte ({@link lastFirstZero}), whether
 * every byte from it up to `paddingEnd` is zero ({@link lastPaddingIsClean};
 * when not, the returned XOR is meaningless, the row being malformed anyway)
 * and the OR of the bytes outside the padding ({@link lastRangeIsAscii}).
 * Zero padding adds nothing to a XOR, so the padding is only OR-ed, once.
 */
export function scanRow(bytes: Uint8Array, start: number, paddingEnd: number, end: number): number {
  const w = wordsOf(bytes);
  const base = viewBase;
  let acc = 0;
  let or = 0;
  let zero = -1;
  let i = start;
  for (; ((base + i) & 3) !== 0 && i < end; i++) {
    const b = bytes[i]!;
    if (b === 0) {
      zero = i;
      break;
    }
    acc ^= b;
    or |= b;
  }
  if (zero < 0) {
    // Whole words up to the first word holding a zero byte, which is
    // (v − 0x01010101) & ~v & 0x80808080 ≠ 0; then bytes up to the zero.
    const wordEnd = (base + end) >>> 2;
    let k = (base + i) >>> 2;
    let x = 0;
    let o = 0;
    for (; k < wordEnd; k++) {
      const v = w[k]!;
      if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
      x ^= v;
      o |= v;
    }
    acc ^= (x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24)) & 0xff;
    or |= o | (o >>> 8) | (o >>> 16) | (o >>> 24);
    for (i = Math.max(i, (k << 2) - base); i < end; i++) {
      const b = bytes[i]!;
      if (b === 0) {
        zero = i;
        break;
      }
      acc ^= b;
      or |= b;
    }
  }
  lastZero = zero;
  lastPaddingClean = true;
  if (zero >= 0) {
    lastPaddingClean = isZeroRange(bytes, zero, paddingEnd);
    for (i = Math.max(zero + 1, paddingEnd); i < end; i++) {
      const b = bytes[i]!;
      acc ^= b;
      or |= b;
    }
  }
  lastOr = or;
  return acc;
}

/** Index of the first zero byte the last {@link scanRow} call saw, or -1. */
export function lastFirstZero(): number {
  return lastZero;
}

/** True when the last {@link scanRow} call found only zeros from its first zero up to `paddingEnd`. */
export function lastPaddingIsClean(): boolean {
  return lastPaddingClean;
}

/** True when every byte the last {@link scanRow} call OR-ed (all but the padding) was below 0x80. */
export function lastRangeIsAscii(): boolean {
  return (lastOr & 0x80) === 0;
}

/** True when every byte of `bytes[start, end)` is zero. */
export function isZeroRange(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (end - start >= 32) {
    const w = wordsOf(bytes);
    const base = viewBase;
    while (((base + i) & 3) !== 0) if (bytes[i++] !== 0) return false;
    const wordEnd = (base + end) >>> 2;
    let x = 0;
    for (let k = (base + i) >>> 2; k < wordEnd; k++) x |= w[k]!;
    if (x !== 0) return false;
    i = (wordEnd << 2) - base;
  }
  while (i < end) if (bytes[i++] !== 0) return false;
  return true;
}

/** Index of the first zero byte in `bytes[start, end)`, or -1. */
export function indexOfZero(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - start >= 32) {
    const w = wordsOf(bytes);
    const base = viewBase;
    while (((base + i) & 3) !== 0) {
      if (bytes[i] === 0) return i;
      i++;
    }
    const wordEnd = (base + end) >>> 2;
    let k = (base + i) >>> 2;
    // A word holds a zero byte iff (v − 0x01010101) & ~v & 0x80808080 ≠ 0.
    while (k < wordEnd) {
      const v = w[k]!;
      if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
      k++;
    }
    i = (k << 2) - base;
  }
  for (; i < end; i++) if (bytes[i] === 0) return i;
  return -1;
}

/** Parity of the row of `rowSize` bytes at `offset`: XOR of its first N−3 bytes. */
export function computeParity(bytes: Uint8Array, offset: number, rowSize: number): number {
  return xorRange(bytes, offset, offset + rowSize - 3);
}

/** Writes `parity` as two uppercase hex digits at `target[position]`. */
export function writeParity(target: Uint8Array, position: number, parity: number): void {
  // No pair is returned: this runs for every row written.
  target[position] = hexDigitCode(parity >>> 4);
  target[position + 1] = hexDigitCode(parity);
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
