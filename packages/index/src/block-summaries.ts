/**
 * The binary search's cache: for every block of `blockRows` consecutive
 * data/null rows (by logical position) that has been read, the smallest and
 * largest data key and whether its data keys are strictly increasing; and
 * over those blocks a segment tree holding the same three facts for every
 * run of blocks. A subtree that is fully read and strictly increasing can
 * hold a key in at most one child, which is what keeps lookups logarithmic
 * on dense files; a subtree whose key range excludes the key is skipped,
 * which keeps them short where the file is only locally out of order.
 *
 * The tree above changed leaves is brought up to date lazily: a change
 * marks the leaf's ancestors stale (stopping at the first one already
 * stale), and reading a stale node recomputes the stale nodes below it, each
 * once. A writer's rows arrive one by one and complete a leaf every
 * `blockRows` rows, and a cold lookup on a file spread over time summarises
 * one new block far from the last; recomputing ~20 ancestors for each cost
 * more than the rest of the work. Leaves are always current, and the facts
 * a lookup asks of the whole tree first (every block summarised? the
 * largest key?) are kept as they change, so a lookup that stays in one
 * block reads no inner node at all.
 *
 * Each block also keeps a 128-bit filter of its data keys (three bits per
 * key, from a hash of all 16 bytes): a block whose filter lacks one of a
 * key's bits cannot hold it, and is not read. Sorted runs never need it;
 * blocks of a disordered window do, where the key ranges of most blocks
 * admit any key and a lookup would otherwise scan them all.
 *
 * Everything here is a fact about bytes that were read; nothing is assumed.
 * The arrays never exceed a byte limit: when the file outgrows it, pairs of
 * blocks are merged (the merge of two summaries is exactly the summary of
 * the merged block), so memory stays flat and only the block size grows.
 */

import { UUID_LENGTH } from "@frozendb/codec";
import { compareKeys } from "./key-text.js";

/** Every leaf of the subtree is summarised. */
const KNOWN = 1;
/** The subtree holds at least one data key among its summarised leaves. */
const HAS_KEYS = 2;
/** Known, and its data keys are strictly increasing in file order. */
const SORTED = 4;

/** Whether the block's data rows are all committed is known (see commit-tracker.ts). */
const COMMITS_KNOWN = 8;
/** Known, and every data row of the block is committed. */
const ALL_COMMITTED = 16;
const COMMIT_BITS = COMMITS_KNOWN | ALL_COMMITTED;
/** Inner nodes only: a leaf below changed since the node was computed. */
const STALE = 32;

/** Bytes per tree node: min key, max key, flags. */
const NODE_BYTES = 2 * UUID_LENGTH + 1;
/** 32-bit words of a block's key filter (128 bits). */
const FILTER_WORDS = 4;

/**
 * A 32-bit hash of the key at `key[offset …]`: its four big-endian words
 * mixed one at a time (multiply, rotate, multiply), then a finaliser that
 * spreads every input bit; the three filter bits are taken from it. A word
 * at a time: this runs for every row summarised, and a byte at a time it
 * was a tenth of that cost.
 */
export function keyHash(key: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let i = offset; i < offset + UUID_LENGTH; i += 4) {
    let w = (key[i]! << 24) | (key[i + 1]! << 16) | (key[i + 2]! << 8) | key[i + 3]!;
    w = Math.imul(w, 0xcc9e2d51);
    w = (w << 15) | (w >>> 17);
    h ^= Math.imul(w, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Sets the three bits of hash `h` in the filter at `filters[at …]`. */
function setFilterBits(filters: Int32Array, at: number, h: number): void {
  const a = at + ((h >>> 5) & 3);
  const b = at + ((h >>> 12) & 3);
  const c = at + ((h >>> 19) & 3);
  filters[a] = filters[a]! | (1 << (h & 31));
  filters[b] = filters[b]! | (1 << ((h >>> 7) & 31));
  filters[c] = filters[c]! | (1 << ((h >>> 14) & 31));
}

/** True when all three bits of hash `h` are set in the filter at `filters[at …]`. */
function hasFilterBits(filters: Int32Array, at: number, h: number): boolean {
  return (
    (filters[at + ((h >>> 5) & 3)]! & (1 << (h & 31))) !== 0 &&
    (filters[at + ((h >>> 12) & 3)]! & (1 << ((h >>> 7) & 31))) !== 0 &&
    (filters[at + ((h >>> 19) & 3)]! & (1 << ((h >>> 14) & 31))) !== 0
  );
}

/** A summary under construction, filled one key at a time in file order. */
export class SummaryBuilder {
  readonly min = new Uint8Array(UUID_LENGTH);
  #max = new Uint8Array(UUID_LENGTH);
  /** Where {@link addNext} takes its key from; swapped with {@link max} when it becomes the max. */
  #next = new Uint8Array(UUID_LENGTH);
  /** The key filter of the keys added so far. */
  readonly filter = new Int32Array(FILTER_WORDS);
  has = false;
  sorted = true;

  /** The largest key added (valid when {@link has}). */
  get max(): Uint8Array {
    return this.#max;
  }

  /**
   * The 16 bytes to write the next key into before calling {@link addNext}.
   * In a sorted run every key becomes the max; taking it by swapping two
   * arrays saves copying it, which showed in every row summarised.
   */
  get next(): Uint8Array {
    return this.#next;
  }

  reset(): void {
    this.has = false;
    this.sorted = true;
    this.filter.fill(0);
  }

  /** True unless the filter shows that no key added has hash `h`. */
  mayHold(h: number): boolean {
    return hasFilterBits(this.filter, 0, h);
  }

  /** Adds the key at `key[offset …]`, the next data key in file order. */
  add(key: Uint8Array, offset: number): void {
    copyKey(key, offset, this.#next);
    this.addNext();
  }

  /** Adds the key written into {@link next}, the next data key in file order. */
  addNext(): void {
    const key = this.#next;
    setFilterBits(this.filter, 0, keyHash(key, 0));
    if (!this.has) {
      copyKey(key, 0, this.min);
      this.has = true;
    } else if (compareKeys(key, 0, this.#max, 0) <= 0) {
      // Not above every key before it: the block is out of order here.
      this.sorted = false;
      if (compareKeys(key, 0, this.min, 0) < 0) copyKey(key, 0, this.min);
      return;
    }
    this.#next = this.#max;
    this.#max = key;
  }
}

/** Copies the key at `source[offset …]` into `target` (no view allocated: this runs per row). */
function copyKey(source: Uint8Array, offset: number, target: Uint8Array): void {
  for (let i = 0; i < UUID_LENGTH; i++) target[i] = source[offset + i]!;
}

/**
 * Copies the key at `keys[from …]` to `keys[to …]` (never overlapping): a
 * plain loop, several times cheaper than `copyWithin` for 16 bytes, and this
 * runs for every tree level on every completed block.
 */
function moveKey(keys: Uint8Array, from: number, to: number): void {
  for (let i = 0; i < UUID_LENGTH; i++) keys[to + i] = keys[from + i]!;
}

/** Block summaries and the tree over them. */
export class BlockSummaries {
  /** Logical rows per block (a power of two). */
  blockRows: number;
  readonly #limitBytes: number;
  /** Leaves (a power of two ≥ blocks). */
  #capacity = 1;
  /** Complete blocks. */
  #blocks = 0;
  #flags: Uint8Array = new Uint8Array(2);
  #keys: Uint8Array = new Uint8Array(2 * 2 * UUID_LENGTH);
  #view: DataView = new DataView(this.#keys.buffer);
  /** Key filters of the leaves, {@link FILTER_WORDS} words per block. */
  #filters: Int32Array = new Int32Array(FILTER_WORDS);
  /** Complete blocks that are summarised. */
  #knownBlocks = 0;
  /** The largest data key of every summarised block (valid when {@link #hasLargest}). */
  readonly #largest = new Uint8Array(UUID_LENGTH);
  #hasLargest = false;
  /** A leaf was replaced, so {@link #largest} may be too large: recompute it from the root. */
  #largestStale = false;

  constructor(blockRows: number, limitBytes: number) {
    this.blockRows = blockRows;
    this.#limitBytes = limitBytes;
    this.#rebuild(1, new Uint8Array(0), new Uint8Array(0), new Int32Array(0), 0);
  }

  /** Complete blocks covered. */
  get blocks(): number {
    return this.#blocks;
  }

  /** Leaves in the tree (a power of two). */
  get capacity(): number {
    return this.#capacity;
  }

  /** True when every complete block is summarised (the root is known), in O(1). */
  get allKnown(): boolean {
    return this.#knownBlocks === this.#blocks;
  }

  /**
   * The largest data key of the summarised blocks (the root's max), or
   * undefined when they hold none; O(1). Do not modify.
   */
  largestKey(): Uint8Array | undefined {
    if (this.#largestStale) this.#recomputeLargest();
    return this.#hasLargest ? this.#largest : undefined;
  }

  /** Bytes held by the arrays. */
  bytes(): number {
    return this.#flags.byteLength + this.#keys.byteLength + this.#filters.byteLength;
  }

  /**
   * Grows to `logicalRows` data/null rows: blocks that became complete are
   * added, unread. May merge blocks (doubling `blockRows`) to stay within the
   * byte limit; returns true when it did.
   */
  grow(logicalRows: number): boolean {
    let merged = false;
    let blocks = Math.floor(logicalRows / this.blockRows);
    while (blocks > 0 && BlockSummaries.#treeBytes(blocks) > this.#limitBytes) {
      this.#mergePairs();
      merged = true;
      blocks = Math.floor(logicalRows / this.blockRows);
    }
    if (blocks <= this.#blocks) return merged;
    if (blocks > this.#capacity) {
      const { flags, keys, filters } = this.#leaves();
      this.#rebuild(blocks, flags, keys, filters, this.#blocks);
    }
    for (let b = this.#blocks; b < blocks; b++) {
      this.#flags[this.#capacity + b] = 0;
      this.#markStale(b);
    }
    this.#blocks = blocks;
    return merged;
  }

  static #treeBytes(blocks: number): number {
    let capacity = 1;
    while (capacity < blocks) capacity *= 2;
    return 2 * capacity * NODE_BYTES + capacity * FILTER_WORDS * 4;
  }

  /** Stores the summary of block `block`. */
  setLeaf(block: number, summary: SummaryBuilder): void {
    const node = this.#capacity + block;
    const wasKnown = (this.#flags[node]! & KNOWN) !== 0;
    this.#flags[node] =
      (this.#flags[node]! & COMMIT_BITS) |
      KNOWN |
      (summary.has ? HAS_KEYS : 0) |
      (summary.sorted ? SORTED : 0);
    if (summary.has) {
      this.#keys.set(summary.min, node * 2 * UUID_LENGTH);
      this.#keys.set(summary.max, node * 2 * UUID_LENGTH + UUID_LENGTH);
    }
    this.#filters.set(summary.filter, block * FILTER_WORDS);
    this.#markStale(block);
    if (wasKnown) {
      // A summary replaced (tests do; the finder never does): the largest
      // key may have been this leaf's.
      this.#largestStale = true;
      return;
    }
    if (block < this.#blocks) this.#knownBlocks++;
    if (summary.has && (!this.#hasLargest || compareKeys(summary.max, 0, this.#largest, 0) > 0)) {
      this.#largest.set(summary.max);
      this.#hasLargest = true;
    }
  }

  /** Records whether every data row of block `block` is committed. */
  setCommitted(block: number, allCommitted: boolean): void {
    const node = this.#capacity + block;
    this.#flags[node] =
      (this.#flags[node]! & ~COMMIT_BITS) | COMMITS_KNOWN | (allCommitted ? ALL_COMMITTED : 0);
    this.#markStale(block);
  }

  // Node accessors. Node 1 is the root; the leaf of block b is capacity + b.
  // Every one brings a stale inner node up to date first; leaves never are.

  /** The node's flags, current. */
  #flagsOf(node: number): number {
    const f = this.#flags[node]!;
    if ((f & STALE) === 0) return f;
    this.#freshen(node);
    return this.#flags[node]!;
  }

  /** Whether {@link isAllCommitted} is known for the node. */
  commitsKnown(node: number): boolean {
    return (this.#flagsOf(node) & COMMITS_KNOWN) !== 0;
  }

  /** Every data row under the node is committed (false when not known). */
  isAllCommitted(node: number): boolean {
    return (this.#flagsOf(node) & ALL_COMMITTED) !== 0;
  }

  isKnown(node: number): boolean {
    return (this.#flagsOf(node) & KNOWN) !== 0;
  }

  hasKeys(node: number): boolean {
    return (this.#flagsOf(node) & HAS_KEYS) !== 0;
  }

  isSorted(node: number): boolean {
    return (this.#flagsOf(node) & SORTED) !== 0;
  }

  /**
   * The array holding every node's min and max keys, at {@link minOffset}
   * and {@link maxOffset} (valid when {@link hasKeys}); take the offset
   * first, which brings the node up to date.
   */
  get keys(): Uint8Array {
    return this.#keys;
  }

  minOffset(node: number): number {
    this.#flagsOf(node);
    return node * 2 * UUID_LENGTH;
  }

  maxOffset(node: number): number {
    this.#flagsOf(node);
    return node * 2 * UUID_LENGTH + UUID_LENGTH;
  }

  /**
   * Compares the key stored at `offset` of {@link keys} with the key whose
   * big-endian 32-bit words are `w0 … w3`: negative when the stored key is
   * smaller. Four word comparisons instead of sixteen byte ones.
   */
  compareAt(offset: number, w0: number, w1: number, w2: number, w3: number): number {
    const view = this.#view;
    let a = view.getUint32(offset);
    if (a !== w0) return a < w0 ? -1 : 1;
    a = view.getUint32(offset + 4);
    if (a !== w1) return a < w1 ? -1 : 1;
    a = view.getUint32(offset + 8);
    if (a !== w2) return a < w2 ? -1 : 1;
    a = view.getUint32(offset + 12);
    if (a !== w3) return a < w3 ? -1 : 1;
    return 0;
  }

  /**
   * False when the filter of block `block` (summarised) shows that none of
   * its keys has hash `h` (see {@link keyHash}); true when it may hold one.
   */
  mayHold(block: number, h: number): boolean {
    return hasFilterBits(this.#filters, block * FILTER_WORDS, h);
  }

  /** The leaf node of block `block`. */
  leaf(block: number): number {
    return this.#capacity + block;
  }

  /**
   * Marks the ancestors of block `block` stale, up to the first one that
   * already is (its own ancestors are too): a run of neighbouring leaves
   * marks each ancestor once.
   */
  #markStale(block: number): void {
    const flags = this.#flags;
    for (let n = (this.#capacity + block) >>> 1; n >= 1 && (flags[n]! & STALE) === 0; n >>>= 1) {
      flags[n] = flags[n]! | STALE;
    }
  }

  /** Recomputes the stale inner node `n` after the stale nodes below it, each once. */
  #freshen(n: number): void {
    const flags = this.#flags;
    const left = 2 * n;
    if (left < this.#capacity) {
      if ((flags[left]! & STALE) !== 0) this.#freshen(left);
      if ((flags[left + 1]! & STALE) !== 0) this.#freshen(left + 1);
    }
    this.#combine(n);
  }

  /** Recomputes {@link #largest} from the root. */
  #recomputeLargest(): void {
    this.#largestStale = false;
    this.#hasLargest = this.hasKeys(1);
    if (this.#hasLargest) {
      const at = this.maxOffset(1);
      this.#largest.set(this.#keys.subarray(at, at + UUID_LENGTH));
    }
  }

  /** Recomputes node `n` from its two children (clearing {@link STALE}). */
  #combine(n: number): void {
    const flags = this.#flags;
    const keys = this.#keys;
    const left = 2 * n;
    const right = left + 1;
    const lf = flags[left]!;
    const rf = flags[right]!;
    const lHas = (lf & HAS_KEYS) !== 0;
    const rHas = (rf & HAS_KEYS) !== 0;
    // A merge of two blocks is all committed when both are; known when both are.
    let f = lf & rf & (KNOWN | COMMIT_BITS);
    const minAt = n * 2 * UUID_LENGTH;
    const maxAt = minAt + UUID_LENGTH;
    if (lHas || rHas) {
      f |= HAS_KEYS;
      const lMin = left * 2 * UUID_LENGTH;
      const rMin = right * 2 * UUID_LENGTH;
      const useLeftMin = lHas && (!rHas || compareKeys(keys, lMin, keys, rMin) <= 0);
      moveKey(keys, useLeftMin ? lMin : rMin, minAt);
      const lMax = lMin + UUID_LENGTH;
      const rMax = rMin + UUID_LENGTH;
      const useRightMax = rHas && (!lHas || compareKeys(keys, rMax, keys, lMax) >= 0);
      moveKey(keys, useRightMax ? rMax : lMax, maxAt);
    }
    if (
      (f & KNOWN) !== 0 &&
      (lf & SORTED) !== 0 &&
      (rf & SORTED) !== 0 &&
      (!lHas ||
        !rHas ||
        compareKeys(keys, left * 2 * UUID_LENGTH + UUID_LENGTH, keys, right * 2 * UUID_LENGTH) < 0)
    ) {
      f |= SORTED;
    }
    flags[n] = f;
  }

  /** The leaves' flags, keys and filters, for a rebuild. */
  #leaves(): { flags: Uint8Array; keys: Uint8Array; filters: Int32Array } {
    const c = this.#capacity;
    return {
      flags: this.#flags.slice(c, c + this.#blocks),
      keys: this.#keys.slice(c * 2 * UUID_LENGTH, (c + this.#blocks) * 2 * UUID_LENGTH),
      filters: this.#filters.slice(0, this.#blocks * FILTER_WORDS),
    };
  }

  /** Allocates a tree for `blocks` leaves and fills the first `count` from `flags`/`keys`/`filters`. */
  #rebuild(
    blocks: number,
    flags: Uint8Array,
    keys: Uint8Array,
    filters: Int32Array,
    count: number,
  ): void {
    let capacity = 1;
    while (capacity < blocks) capacity *= 2;
    this.#capacity = capacity;
    this.#flags = new Uint8Array(2 * capacity);
    this.#keys = new Uint8Array(2 * capacity * 2 * UUID_LENGTH);
    this.#view = new DataView(this.#keys.buffer);
    this.#filters = new Int32Array(capacity * FILTER_WORDS);
    this.#filters.set(filters.subarray(0, count * FILTER_WORDS));
    this.#flags.set(flags.subarray(0, count), capacity);
    this.#keys.set(keys.subarray(0, count * 2 * UUID_LENGTH), capacity * 2 * UUID_LENGTH);
    // Leaves past the last complete block hold no rows: known and empty, so
    // they never block a subtree from being known or sorted.
    this.#flags.fill(KNOWN | SORTED, capacity + count);
    for (let n = capacity - 1; n >= 1; n--) this.#combine(n);
    let known = 0;
    for (let b = 0; b < count; b++) if ((this.#flags[capacity + b]! & KNOWN) !== 0) known++;
    this.#knownBlocks = known;
    this.#recomputeLargest();
  }

  /** Doubles the block size: leaf k becomes the merge of leaves 2k and 2k+1. */
  #mergePairs(): void {
    // The parents read below must be current.
    this.#flagsOf(1);
    const blocks = Math.floor(this.#blocks / 2);
    const c = this.#capacity;
    const flags = new Uint8Array(blocks);
    const keys = new Uint8Array(blocks * 2 * UUID_LENGTH);
    const filters = new Int32Array(blocks * FILTER_WORDS);
    for (let k = 0; k < blocks; k++) {
      // A merged block may hold any key either half may hold.
      for (let w = 0; w < FILTER_WORDS; w++) {
        filters[k * FILTER_WORDS + w] =
          this.#filters[2 * k * FILTER_WORDS + w]! | this.#filters[(2 * k + 1) * FILTER_WORDS + w]!;
      }
      // The parent of leaves 2k and 2k+1 already holds their merge.
      const parent = (c + 2 * k) >>> 1;
      flags[k] = this.#flags[parent]!;
      keys.set(
        this.#keys.subarray(parent * 2 * UUID_LENGTH, (parent + 1) * 2 * UUID_LENGTH),
        k * 2 * UUID_LENGTH,
      );
    }
    this.blockRows *= 2;
    this.#blocks = blocks;
    this.#rebuild(Math.max(blocks, 1), flags, keys, filters, blocks);
  }
}
