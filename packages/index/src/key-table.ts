/**
 * An open-addressing hash table from 16-byte keys to row indices, in typed
 * arrays: about 16 bytes per row for the keys plus 8–16 for the slots, where
 * a `Map<string, number>` costs several times that in object headers and
 * strings. The first occurrence of a key owns its slot; later occurrences
 * are kept aside, in file order, for `getIndices`.
 */

/** Keys are stored by row index, four 32-bit words per row. */
const WORDS = 4;
const EMPTY = -1;

function word(key: Uint8Array, i: number): number {
  return ((key[i]! << 24) | (key[i + 1]! << 16) | (key[i + 2]! << 8) | key[i + 3]!) >>> 0;
}

function mix(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}

function hash(a: number, b: number, c: number, d: number): number {
  return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

/** Key → first row index, with the later row indices of duplicated keys. */
export class KeyTable {
  #words: Uint32Array;
  #slots: Int32Array;
  #count = 0;
  readonly #duplicates = new Map<number, number[]>();

  /** Room for rows `[0, rows)` and about `keys` distinct keys before growing. */
  constructor(rows: number, keys: number) {
    this.#words = new Uint32Array(Math.max(rows, 1) * WORDS);
    this.#slots = new Int32Array(KeyTable.#slotsFor(keys)).fill(EMPTY);
  }

  static #slotsFor(keys: number): number {
    // Load factor at most 1/2 keeps probe runs short.
    let size = 16;
    while (size < keys * 2) size *= 2;
    return size;
  }

  /** Makes room for row indices below `rows` (amortised doubling). */
  ensureRows(rows: number): void {
    if (rows * WORDS <= this.#words.length) return;
    const grown = new Uint32Array(Math.max(rows * WORDS, this.#words.length * 2));
    grown.set(this.#words);
    this.#words = grown;
  }

  /** Records that row `index` carries `key`. Rows must arrive in file order. */
  insert(index: number, key: Uint8Array): void {
    const a = word(key, 0);
    const b = word(key, 4);
    const c = word(key, 8);
    const d = word(key, 12);
    const words = this.#words;
    const base = index * WORDS;
    words[base] = a;
    words[base + 1] = b;
    words[base + 2] = c;
    words[base + 3] = d;
    if ((this.#count + 1) * 2 > this.#slots.length) this.#rehash();
    // One probe sequence finds either the key's first occurrence or the free
    // slot the key takes (no second pass to place it).
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = hash(a, b, c, d) & mask; ; s = (s + 1) & mask) {
      const other = slots[s]!;
      if (other === EMPTY) {
        slots[s] = index;
        this.#count++;
        return;
      }
      const o = other * WORDS;
      if (words[o] === a && words[o + 1] === b && words[o + 2] === c && words[o + 3] === d) {
        const later = this.#duplicates.get(other);
        if (later === undefined) this.#duplicates.set(other, [index]);
        else later.push(index);
        return;
      }
    }
  }

  /** Row index of the first row carrying `key`, or -1. */
  find(key: Uint8Array): number {
    return this.#find(word(key, 0), word(key, 4), word(key, 8), word(key, 12));
  }

  /** Row indices of the later occurrences of the key first seen at row `first`. */
  duplicatesOf(first: number): readonly number[] {
    return this.#duplicates.get(first) ?? [];
  }

  /** Bytes held by the table's arrays (duplicates estimated at 8 bytes each). */
  bytes(): number {
    let duplicates = 0;
    for (const later of this.#duplicates.values()) duplicates += 8 * later.length + 64;
    return this.#words.byteLength + this.#slots.byteLength + duplicates;
  }

  #find(a: number, b: number, c: number, d: number): number {
    const slots = this.#slots;
    const words = this.#words;
    const mask = slots.length - 1;
    for (let s = hash(a, b, c, d) & mask; ; s = (s + 1) & mask) {
      const index = slots[s]!;
      if (index === EMPTY) return -1;
      const base = index * WORDS;
      if (
        words[base] === a &&
        words[base + 1] === b &&
        words[base + 2] === c &&
        words[base + 3] === d
      ) {
        return index;
      }
    }
  }

  #place(index: number, h: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = h & mask;
    while (slots[s] !== EMPTY) s = (s + 1) & mask;
    slots[s] = index;
  }

  #rehash(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2).fill(EMPTY);
    const words = this.#words;
    for (const index of old) {
      if (index === EMPTY) continue;
      const base = index * WORDS;
      this.#place(index, hash(words[base]!, words[base + 1]!, words[base + 2]!, words[base + 3]!));
    }
  }
}
