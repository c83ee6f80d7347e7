/**
 * The keys of one transaction, for its duplicate check (behaviour §5.2).
 * Keys from a UUIDv7 generator arrive in increasing order, and while they
 * do the set is a sorted array: a key above the last one is new after one
 * comparison, any other is found by bisection — no hashing, no strings. The
 * first key that arrives out of order moves the set to a hash of the keys'
 * bytes. Keys are kept by reference: callers hand over keys they own.
 */

import { compareUuids as compare, UUID_LENGTH } from "./uuid.js";

/** The key's bytes as a string, one character per byte: a hashable identity. */
function idOf(key: Uint8Array): string {
  let id = "";
  for (let i = 0; i < UUID_LENGTH; i++) id += String.fromCharCode(key[i]!);
  return id;
}

/** A set of 16-byte keys, fast for keys added in increasing order. */
export class KeySet {
  /** The keys in order of addition, increasing while {@link #ids} is undefined. */
  readonly #keys: Uint8Array[] = [];
  #ids: Set<string> | undefined;

  /** Keys in the set. */
  get size(): number {
    return this.#keys.length;
  }

  /** True when a key with the same 16 bytes was added. */
  has(key: Uint8Array): boolean {
    if (this.#ids !== undefined) return this.#ids.has(idOf(key));
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length;
    // The common case first: above the largest key, so not in the set.
    if (hi === 0 || compare(key, keys[hi - 1]!) > 0) return false;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(key, keys[mid]!);
      if (c === 0) return true;
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
    return false;
  }

  /** Adds `key` (kept by reference). */
  add(key: Uint8Array): void {
    const keys = this.#keys;
    if (this.#ids === undefined) {
      if (keys.length === 0 || compare(key, keys[keys.length - 1]!) > 0) {
        keys.push(key);
        return;
      }
      this.#ids = new Set(keys.map(idOf));
    }
    keys.push(key);
    this.#ids.add(idOf(key));
  }
}
