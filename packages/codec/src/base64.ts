/**
 * Strict standard Base64 for the two fixed-size fields of the format: a
 * 16-byte UUID (24 characters) and a 4-byte CRC (8 characters). Both end in
 * `==`. Decoding accepts only the canonical form — standard alphabet, exact
 * padding, zero unused bits — because the original accepts nothing else (its
 * parity is checked against the canonical re-encoding) and a lenient decoder
 * would let two different byte strings mean the same key.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d; // '='

const ENCODE = new Uint8Array(64);
/** Character code → 6-bit value, or 255 for anything outside the alphabet. */
const DECODE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  const c = ALPHABET.charCodeAt(i);
  ENCODE[i] = c;
  DECODE[c] = i;
}

/**
 * Writes the Base64 text of `source` (a length ≡ 1 mod 3, as 16 and 4 are)
 * into `target` at `offset`; returns the number of characters written.
 */
export function encodeBase64Into(source: Uint8Array, target: Uint8Array, offset: number): number {
  const whole = source.length - (source.length % 3);
  let out = offset;
  for (let i = 0; i < whole; i += 3) {
    const n = (source[i]! << 16) | (source[i + 1]! << 8) | source[i + 2]!;
    target[out++] = ENCODE[n >>> 18]!;
    target[out++] = ENCODE[(n >>> 12) & 63]!;
    target[out++] = ENCODE[(n >>> 6) & 63]!;
    target[out++] = ENCODE[n & 63]!;
  }
  const rest = source.length - whole;
  if (rest === 1) {
    const n = source[whole]!;
    target[out++] = ENCODE[n >>> 2]!;
    target[out++] = ENCODE[(n & 3) << 4]!;
    target[out++] = PAD;
    target[out++] = PAD;
  } else if (rest === 2) {
    const n = (source[whole]! << 8) | source[whole + 1]!;
    target[out++] = ENCODE[n >>> 10]!;
    target[out++] = ENCODE[(n >>> 4) & 63]!;
    target[out++] = ENCODE[(n & 15) << 2]!;
    target[out++] = PAD;
  }
  return out - offset;
}

/** Base64 text of `source` as a string (for messages and tests). */
export function encodeBase64(source: Uint8Array): string {
  const text = new Uint8Array(Math.ceil(source.length / 3) * 4);
  encodeBase64Into(source, text, 0);
  return String.fromCharCode(...text);
}

/**
 * Decodes `byteLength` bytes (16 or 4: a length ≡ 1 mod 3) from the Base64
 * text at `text[offset …]`, which must be exactly `4·ceil(byteLength/3)`
 * characters ending in `==`. Returns `undefined` for any non-canonical input.
 */
export function decodeBase64Strict(
  text: Uint8Array,
  offset: number,
  byteLength: number,
): Uint8Array | undefined {
  const out = new Uint8Array(byteLength);
  return decodeBase64Into(text, offset, out, byteLength) ? out : undefined;
}

/**
 * {@link decodeBase64Strict} into `out[0 … byteLength)`, without allocating;
 * returns false (leaving `out` partly written) for non-canonical input.
 */
export function decodeBase64Into(
  text: Uint8Array,
  offset: number,
  out: Uint8Array,
  byteLength: number,
): boolean {
  const whole = byteLength - 1;
  let o = 0;
  let t = offset;
  for (; o < whole; o += 3) {
    const a = DECODE[text[t]!]!;
    const b = DECODE[text[t + 1]!]!;
    const c = DECODE[text[t + 2]!]!;
    const d = DECODE[text[t + 3]!]!;
    // Any 255 sets bit 7 of the OR: one branch for the whole quad.
    if ((a | b | c | d) > 63) return false;
    out[o] = (a << 2) | (b >>> 4);
    out[o + 1] = ((b & 15) << 4) | (c >>> 2);
    out[o + 2] = ((c & 3) << 6) | d;
    t += 4;
  }
  const a = DECODE[text[t]!]!;
  const b = DECODE[text[t + 1]!]!;
  if ((a | b) > 63 || (b & 15) !== 0 || text[t + 2] !== PAD || text[t + 3] !== PAD) {
    return false;
  }
  out[o] = (a << 2) | (b >>> 4);
  return true;
}
