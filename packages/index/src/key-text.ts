/**
 * Keys as they sit in a row: 24 characters of standard Base64 at positions
 * 2–25. Finders compare this text directly instead of decoding rows, because
 * a scan or a search touches far more rows than it returns. Equality of the
 * canonical text is equality of the keys; order needs the characters' 6-bit
 * values (the alphabet is not in ASCII order), and comparing those digit by
 * digit is comparing the 128-bit keys.
 */

import { UUID_LENGTH } from "@frozendb/codec";

/** Position of the key text in a data or null row. */
export const KEY_TEXT_OFFSET = 2;
/** Length of the key text. */
export const KEY_TEXT_LENGTH = 24;
/** Characters that carry key bits (the last two are always `==`). */
const SIGNIFICANT = 22;
const PAD = 0x3d;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Character code → 6-bit value; 255 outside the alphabet. */
const RANK = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) RANK[ALPHABET.charCodeAt(i)] = i;

/**
 * True when the key text at `bytes[offset]` equals `text`. Compares the
 * random end of the key first: in a dense file every key shares its
 * timestamp characters, so comparing from the front would rarely fail fast.
 */
export function keyTextEquals(bytes: Uint8Array, offset: number, text: Uint8Array): boolean {
  for (let i = SIGNIFICANT - 2; i >= 0; i--) if (bytes[offset + i] !== text[i]) return false;
  return (
    bytes[offset + 21] === text[21] && bytes[offset + 22] === PAD && bytes[offset + 23] === PAD
  );
}

/**
 * The millisecond timestamp carried by the key text at `bytes[offset]` (its
 * first 8 characters are exactly the 48 timestamp bits), or -1 when those
 * characters are not Base64.
 */
export function keyTextTimestamp(bytes: Uint8Array, offset: number): number {
  let high = 0;
  for (let i = 0; i < 4; i++) {
    const r = RANK[bytes[offset + i]!]!;
    if (r > 63) return -1;
    high = high * 64 + r;
  }
  let low = 0;
  for (let i = 4; i < 8; i++) {
    const r = RANK[bytes[offset + i]!]!;
    if (r > 63) return -1;
    low = low * 64 + r;
  }
  return high * 0x1000000 + low;
}

/** Lexicographic comparison of two raw 16-byte keys: negative, 0 or positive. */
export function compareKeys(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
): number {
  for (let i = 0; i < UUID_LENGTH; i++) {
    const d = a[aOffset + i]! - b[bOffset + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Compares the key text at `bytes[offset]` with `text` (another key text)
 * in key order: negative when the stored key is smaller.
 */
export function compareKeyText(bytes: Uint8Array, offset: number, text: Uint8Array): number {
  for (let i = 0; i < SIGNIFICANT; i++) {
    const d = RANK[bytes[offset + i]!]! - RANK[text[i]!]!;
    if (d !== 0) return d;
  }
  return 0;
}
