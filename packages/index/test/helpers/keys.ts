/** Deterministic UUIDv7 keys for tests. */

import { formatUuid, nullRowUuid, parseUuid } from "@frozendb/codec";

/** A fixed-seed xorshift32 generator. */
export function createRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * A valid data key carrying `timestamp`, with the 74 random bits taken from
 * `random` (or all set to `fill` when given, for keys that differ only in
 * their last bytes).
 */
export function keyAt(timestamp: number, random: () => number): Uint8Array {
  const key = new Uint8Array(16);
  const high = Math.floor(timestamp / 0x1000000);
  const low = timestamp % 0x1000000;
  key[0] = (high >>> 16) & 0xff;
  key[1] = (high >>> 8) & 0xff;
  key[2] = high & 0xff;
  key[3] = (low >>> 16) & 0xff;
  key[4] = (low >>> 8) & 0xff;
  key[5] = low & 0xff;
  for (let i = 6; i < 16; i++) key[i] = random() & 0xff;
  key[6] = 0x70 | (key[6]! & 0x0f);
  key[8] = 0x80 | (key[8]! & 0x3f);
  key[15] = key[15]! | 1; // never the null-row pattern
  return key;
}

/**
 * A data key with timestamp `timestamp` and `suffix` (24 bits) in bytes
 * 12–14; byte 15 is always 0x01, so {@link neighbour} of such a key is never
 * another such key. Keys ordered by (timestamp, suffix) are strictly increasing.
 */
export function keyWithSuffix(timestamp: number, suffix: number): Uint8Array {
  const key = keyAt(timestamp, () => 0);
  key[12] = (suffix >>> 16) & 0xff;
  key[13] = (suffix >>> 8) & 0xff;
  key[14] = suffix & 0xff;
  key[15] = 0x01;
  return key;
}

/** The same key as canonical text. */
export function text(key: Uint8Array): string {
  return formatUuid(key);
}

/** A key that differs from `key` only in its last byte (still a valid data key). */
export function neighbour(key: Uint8Array, delta = 2): Uint8Array {
  const other = key.slice();
  other[15] = ((other[15]! + delta) & 0xff) | 1;
  if (other[15] === key[15]) other[15] = other[15]! ^ 0x02;
  return other;
}

export { nullRowUuid, parseUuid };
