/**
 * The `binary_search` strategy: constant memory apart from a bounded cache,
 * and lookups that stay logarithmic when every key falls inside one skew
 * window — the normal case of one process writing as fast as it can, where
 * the original's fuzzy search (behaviour §8.5) degrades to a linear scan.
 *
 * It uses two kinds of facts and nothing else:
 * 1. The ordering rule (FF §12.3): for rows i < j, ts_i ≤ ts_j + skew. A row
 *    with ts < T − skew excludes every row up to it from holding a key of
 *    timestamp T; a row with ts > T + skew excludes every row from it on.
 * 2. Block summaries of rows it has read (block-summaries.ts): min/max key
 *    and "strictly increasing". A summarised run of blocks whose key range
 *    excludes K is skipped; a strictly increasing run holds K in at most one
 *    block, found by descending the summary tree.
 *
 * A lookup first narrows the candidate blocks with the ordering rule, probing
 * (and so summarising) blocks; then it summarises, with bulk reads, any
 * candidate block not yet read — where all keys share one window this is the
 * whole window, once: no finder can prove a key absent there without reading
 * it (spec 003, D6); then it descends the tree and reads only the blocks
 * whose summaries admit K, scanning in bulk only the blocks that really are
 * out of order. Rows after the last complete block have a summary of their
 * own, extended by notifications and reads.
 */

import {
  CHECKSUM_PERIOD,
  decodeBase64Into,
  InvalidInputError,
  logicalToRowIndex,
  MAX_TRANSACTION_ROWS,
  type Row,
  rowIndexToLogical,
  START_CONTROL,
  UUID_LENGTH,
  uuidTimestamp,
} from "@frozendb/codec";
import { BlockSummaries, keyHash, SummaryBuilder } from "./block-summaries.js";
import { inspectRowChecked, malformedRow } from "./checked-row.js";
import { CommitTracker } from "./commit-tracker.js";
import { FinderBase } from "./finder-base.js";
import { compareKeys, compareKeyText, KEY_TEXT_OFFSET, keyTextEquals } from "./key-text.js";
import { logicalRowCount } from "./logical-rows.js";
import { rowsPerRead } from "./read-chunks.js";
import type { RowSource } from "./row-source.js";
import type { SearchKey } from "./search-key.js";
import { tailMaxTimestamp } from "./tail-max-timestamp.js";
import { walkTransactionEnd, walkTransactionStart } from "./transaction-walk.js";

/** Default byte limit of the summary cache: 16,000,000 bytes (≤ 16 MB and ≤ 16 MiB). */
export const DEFAULT_CACHE_BYTES = 16_000_000;
/**
 * Default rows per summarised block. A lookup in a sorted block reads the
 * whole block once (16 rows of 256 bytes: 4 KiB, barely dearer than one row
 * here), and 16 keeps the tree of a 1M-row file near 4 MB.
 */
export const DEFAULT_BLOCK_ROWS = 16;
/** Smallest accepted cache limit: a handful of tree nodes. */
const MIN_CACHE_BYTES = 1024;
/** A sorted range larger than this many bytes is narrowed by probes before it is read. */
const SORTED_READ_BYTES = 64 * 1024;
/** Largest block whose commits are learnt by reading it whole (with the rows around it). */
const MAX_LEARN_BLOCK_ROWS = 256;
/** Rows read by one probe of a sorted range (the probe and the rows after it, for null rows). */
const PROBE_ROWS = 4;

const ROW_NR_N = 0x4e; // 'N'
const ROW_NR_R = 0x52; // 'R'

/** True when the row at `bytes[offset]` is framed as a null row (start `T`, end `NR`). */
function isNullRowAt(bytes: Uint8Array, offset: number, rowSize: number): boolean {
  return (
    bytes[offset + 1] === START_CONTROL.TRANSACTION &&
    bytes[offset + rowSize - 5] === ROW_NR_N &&
    bytes[offset + rowSize - 4] === ROW_NR_R
  );
}

function word(key: Uint8Array, i: number): number {
  return ((key[i]! << 24) | (key[i + 1]! << 16) | (key[i + 2]! << 8) | key[i + 3]!) >>> 0;
}

/**
 * The block to probe next among `[l, r]` when looking for timestamp `t`.
 * Where timestamps spread beyond the skew window they grow roughly evenly
 * with position, so interpolating between the timestamps read just outside
 * the range lands near the key in a few probes instead of log2(blocks) —
 * each probe of a block not yet summarised is a read. With `bisect` (set
 * after an interpolation that did not halve the range) it bisects, so a
 * file whose timestamps are not even costs at most twice the probes of a
 * plain binary search, and an even one spends no probes on bisection. Any
 * block of the range is a correct probe; this only chooses a good one.
 */
function probeBlock(
  l: number,
  r: number,
  t: number,
  tsBelow: number,
  tsAbove: number,
  bisect: boolean,
): number {
  const middle = (l + r) >>> 1;
  if (bisect || !(tsAbove > tsBelow) || r - l < 4) return middle;
  const fraction = (t - tsBelow) / (tsAbove - tsBelow);
  if (!(fraction > 0 && fraction < 1)) return middle;
  return Math.min(r, Math.max(l, l + Math.floor(fraction * (r - l + 1))));
}

/**
 * `a − b` over two keys' first 8 bytes — the timestamp, then the version
 * and the 12 bits a generator's counter uses — as a number; exact for keys
 * within 2^37 ms of each other.
 */
function keyDistance(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  const ms = uuidTimestamp(a, aAt) - uuidTimestamp(b, bAt);
  return ms * 65_536 + (((a[aAt + 6]! << 8) | a[aAt + 7]!) - ((b[bAt + 6]! << 8) | b[bAt + 7]!));
}

/**
 * How far `key` lies from `min` towards `max` (keys at `minKeys[minAt]` and
 * `maxKeys[maxAt]`), from 0 to 1, or -1 when that says nothing (equal
 * prefixes, or `key` outside). Only ever a guess of where to look first.
 */
function keyFraction(
  key: Uint8Array,
  minKeys: Uint8Array,
  minAt: number,
  maxKeys: Uint8Array,
  maxAt: number,
): number {
  const span = keyDistance(maxKeys, maxAt, minKeys, minAt);
  const d = keyDistance(key, 0, minKeys, minAt);
  return span > 0 && d >= 0 && d <= span ? d / span : -1;
}

/** Options of {@link BinarySearchFinder}. */
export interface BinarySearchFinderOptions {
  /**
   * Byte limit of the summary cache (default {@link DEFAULT_CACHE_BYTES}, at
   * least 1024). When the file outgrows it, blocks are merged: memory stays
   * within the limit, lookups read larger blocks.
   */
  readonly cacheBytes?: number;
  /** Rows per summarised block: a power of two, 1 … 65536 (default {@link DEFAULT_BLOCK_ROWS}). */
  readonly blockRows?: number;
}

/**
 * Finder that searches by key time and key order, with a bounded cache of
 * block summaries. Creating it reads nothing.
 *
 * @example
 * ```ts
 * const finder = new BinarySearchFinder(source, { cacheBytes: 4_000_000 });
 * const row = finder.getIndex(key);
 * ```
 */
export class BinarySearchFinder extends FinderBase {
  readonly #summaries: BlockSummaries;
  /** Confirmed data/null rows. */
  #logical: number;
  #max: number | undefined;
  /** Scratch for summarising rows that were read. */
  readonly #builder = new SummaryBuilder();
  readonly #commits: CommitTracker;
  /**
   * Summary of the rows after the last complete block, positions
   * `[#tailStart, #tailEnd)`: extended by notifications and, when a lookup
   * needs it, by reading; it becomes the block's leaf once the block completes.
   */
  readonly #tail = new SummaryBuilder();
  #tailStart = 0;
  #tailEnd = 0;
  readonly #scratchKey = new Uint8Array(UUID_LENGTH);
  readonly #scanRows: number;
  readonly #sortedReadRows: number;
  // State of the lookup in progress (lookups are synchronous and never nest).
  #key: SearchKey | undefined;
  #w0 = 0;
  #w1 = 0;
  #w2 = 0;
  #w3 = 0;
  /** {@link keyHash} of the key, for the blocks' key filters. */
  #hash = 0;
  #all = false;
  #found: number[] = [];

  /**
   * @throws {@link InvalidInputError} for a `cacheBytes` below 1024 or a
   *   `blockRows` that is not a power of two in 1 … 65536.
   */
  constructor(source: RowSource, options: BinarySearchFinderOptions = {}) {
    super(source);
    const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    const blockRows = options.blockRows ?? DEFAULT_BLOCK_ROWS;
    if (!Number.isInteger(cacheBytes) || cacheBytes < MIN_CACHE_BYTES) {
      throw new InvalidInputError(
        `cacheBytes must be an integer of at least ${MIN_CACHE_BYTES}, got ${cacheBytes}`,
      );
    }
    if (
      !Number.isInteger(blockRows) ||
      blockRows < 1 ||
      blockRows > 65_536 ||
      (blockRows & (blockRows - 1)) !== 0
    ) {
      throw new InvalidInputError(
        `blockRows must be a power of two between 1 and 65536, got ${blockRows}`,
      );
    }
    this.#scanRows = rowsPerRead(this.rowSize);
    this.#sortedReadRows = rowsPerRead(this.rowSize, SORTED_READ_BYTES);
    this.#logical = logicalRowCount(this.rowCount());
    this.#summaries = new BlockSummaries(blockRows, cacheBytes);
    this.#commits = new CommitTracker();
    this.#summaries.grow(this.#logical);
    this.#resetTail();
    this.subscribe();
  }

  /** Rows per summarised block now (doubles when the cache limit forces a merge). */
  get blockRows(): number {
    return this.#summaries.blockRows;
  }

  maxTimestamp(): number {
    this.#max ??= tailMaxTimestamp(this.source, this.rowCount());
    return this.#max;
  }

  memoryBytes(): number {
    return this.#summaries.bytes();
  }

  protected findFirst(key: SearchKey): number {
    return this.#search(key, false)[0] ?? -1;
  }

  protected findAll(key: SearchKey): number[] {
    return this.#search(key, true);
  }

  protected transactionStart(index: number): number {
    return walkTransactionStart(this.source, index);
  }

  protected transactionEnd(index: number): number {
    return walkTransactionEnd(this.source, index, this.rowCount());
  }

  /**
   * Answered by the block's commit bits, learnt while summarising runs of
   * blocks or, once per block, by one read of the block and the rows a
   * transaction can span on either side of it.
   */
  protected override knownCommitted(index: number): boolean {
    const s = this.#summaries;
    const block = Math.floor(rowIndexToLogical(index) / s.blockRows);
    // Rows after the last complete block: not summarised, not known.
    if (block >= s.blocks) return false;
    const leaf = s.leaf(block);
    if (!s.commitsKnown(leaf)) {
      // Blocks grown large by merges would cost a large read to learn; the
      // caller's walk to the transaction's end reads far less.
      if (s.blockRows > MAX_LEARN_BLOCK_ROWS) return false;
      this.#learnCommits(block);
    }
    return s.isAllCommitted(leaf);
  }

  protected accept(_index: number, row: Row): void {
    if (row.type === "checksum") return;
    if (this.#max !== undefined && row.timestamp > this.#max) this.#max = row.timestamp;
    const position = this.#logical;
    // Rows that arrive by notification are summarised for free, as long as
    // the tail summary reaches up to them.
    if (this.#tailEnd === position) {
      if (row.type === "data") this.#tail.add(row.key, 0);
      this.#tailEnd = position + 1;
    }
    this.#logical = position + 1;
    const s = this.#summaries;
    const blocksBefore = s.blocks;
    if (s.grow(this.#logical)) {
      this.#resetTail();
      return;
    }
    if (s.blocks === blocksBefore) return;
    if (
      this.#tailStart === blocksBefore * s.blockRows &&
      this.#tailEnd === s.blocks * s.blockRows
    ) {
      s.setLeaf(blocksBefore, this.#tail);
    }
    this.#resetTail();
  }

  /** Starts an empty tail summary at the end of the last complete block. */
  #resetTail(): void {
    const s = this.#summaries;
    this.#tailStart = s.blocks * s.blockRows;
    this.#tailEnd = this.#tailStart;
    this.#tail.reset();
  }

  /** Row indices of the data rows carrying `key` in file order (the first only, unless `all`). */
  #search(key: SearchKey, all: boolean): number[] {
    this.#key = key;
    this.#w0 = word(key.bytes, 0);
    this.#w1 = word(key.bytes, 4);
    this.#w2 = word(key.bytes, 8);
    this.#w3 = word(key.bytes, 12);
    this.#hash = keyHash(key.bytes, 0);
    this.#all = all;
    this.#found = [];
    try {
      const s = this.#summaries;
      const blocks = s.blocks;
      const upper = key.timestamp + this.skewMs;
      // A known row above T + skew anywhere excludes every row after it,
      // hence the rows after the last complete block.
      const largest = s.largestKey();
      let tail = !(largest !== undefined && uuidTimestamp(largest, 0) > upper);
      let lo = 0;
      let hi = blocks - 1;
      if (!s.allKnown && blocks > 0) {
        const range = this.#narrow(key.timestamp);
        lo = range.lo;
        hi = range.hi;
        tail &&= range.tail;
        if (lo < hi) this.#summariseUnknown(1, 0, s.capacity - 1, lo, hi);
      }
      // One candidate block (the rule pins the key's block where timestamps
      // spread): search it without reading the tree above it.
      if (lo === hi) this.#searchBlock(lo);
      else if (lo < hi) this.#visit(1, 0, s.capacity - 1, lo, hi);
      if (tail && (all || this.#found.length === 0)) this.#searchTail();
      return this.#found;
    } finally {
      this.#key = undefined;
    }
  }

  /** Compares the summary key at `offset` with the search key: negative when it is smaller. */
  #compareAt(offset: number): number {
    return this.#summaries.compareAt(offset, this.#w0, this.#w1, this.#w2, this.#w3);
  }

  /**
   * Candidate blocks for a key of timestamp `t` by the ordering rule alone.
   * A binary search finds a block inside the window; the window's edges are
   * then found by galloping outwards from it (where timestamps spread, the
   * edges are a block or two away) and bisecting the last step. Every probe
   * summarises its block, so later lookups probe from memory. The bounds are
   * always safe; they are tight where timestamps spread beyond the window.
   */
  #narrow(t: number): { lo: number; hi: number; tail: boolean } {
    const s = this.#summaries;
    const lower = t - this.skewMs;
    const upper = t + this.skewMs;
    let lo = 0;
    let hi = s.blocks - 1;
    let tail = true;
    let window = -1;
    let l = lo;
    let r = hi;
    // Timestamps bracketing [l, r], for interpolation: first the file's ends
    // (two probes, made once), then those of the blocks probed just outside.
    let tsBelow = Number.NaN;
    let tsAbove = Number.NaN;
    if (r - l >= 8) {
      const first = this.#ensureBlock(l);
      const last = this.#ensureBlock(r);
      if (s.hasKeys(first)) tsBelow = uuidTimestamp(s.keys, s.minOffset(first));
      if (s.hasKeys(last)) tsAbove = uuidTimestamp(s.keys, s.maxOffset(last));
    }
    // Interpolate, and bisect once after an interpolation that did not halve
    // the range: any two probes in a row halve it at least.
    let lastWidth = Number.POSITIVE_INFINITY;
    let lastBisected = true;
    while (l <= r) {
      const width = r - l + 1;
      const bisect: boolean = !lastBisected && 2 * width > lastWidth;
      lastWidth = width;
      lastBisected = bisect;
      const m = probeBlock(l, r, t, tsBelow, tsAbove, bisect);
      const leaf = this.#ensureBlock(m);
      if (!s.hasKeys(leaf)) {
        window = m;
        break;
      }
      const minTs = uuidTimestamp(s.keys, s.minOffset(leaf));
      const maxTs = uuidTimestamp(s.keys, s.maxOffset(leaf));
      if (maxTs < lower) {
        lo = m + 1;
        l = m + 1;
        tsBelow = maxTs;
        continue;
      }
      if (minTs > upper) {
        hi = m - 1;
        tail = false;
        r = m - 1;
        tsAbove = minTs;
        continue;
      }
      window = m;
      if (minTs < lower) lo = Math.max(lo, m);
      if (maxTs > upper) {
        hi = Math.min(hi, m);
        tail = false;
      }
      break;
    }
    if (window < 0) return { lo, hi, tail };

    // Left edge: the last block before the window with a row below T − skew
    // excludes every block before it.
    const below = (m: number): boolean => {
      const leaf = this.#ensureBlock(m);
      return s.hasKeys(leaf) && uuidTimestamp(s.keys, s.minOffset(leaf)) < lower;
    };
    const excludeBefore = (m: number): void => {
      const leaf = s.leaf(m);
      lo = Math.max(lo, uuidTimestamp(s.keys, s.maxOffset(leaf)) < lower ? m + 1 : m);
    };
    let edge = window;
    for (let step = 1; edge > lo; step *= 2) {
      const m = Math.max(lo, window - step);
      if (below(m)) {
        excludeBefore(m);
        // Bisect the blocks between this probe and the last one that did not exclude.
        let a = m + 1;
        let z = edge - 1;
        while (a <= z) {
          const mid = (a + z) >>> 1;
          if (below(mid)) {
            excludeBefore(mid);
            a = mid + 1;
          } else {
            z = mid - 1;
          }
        }
        break;
      }
      edge = m;
    }

    // Right edge: the first block after the window with a row above T + skew
    // excludes every block after it, and the tail.
    const above = (m: number): boolean => {
      const leaf = this.#ensureBlock(m);
      return s.hasKeys(leaf) && uuidTimestamp(s.keys, s.maxOffset(leaf)) > upper;
    };
    const excludeAfter = (m: number): void => {
      const leaf = s.leaf(m);
      hi = Math.min(hi, uuidTimestamp(s.keys, s.minOffset(leaf)) > upper ? m - 1 : m);
      tail = false;
    };
    edge = window;
    for (let step = 1; edge < hi; step *= 2) {
      const m = Math.min(hi, window + step);
      if (above(m)) {
        excludeAfter(m);
        let a = edge + 1;
        let z = m - 1;
        while (a <= z) {
          const mid = (a + z) >>> 1;
          if (above(mid)) {
            excludeAfter(mid);
            z = mid - 1;
          } else {
            a = mid + 1;
          }
        }
        break;
      }
      edge = m;
    }
    return { lo, hi, tail };
  }

  /** Summarises block `block` if it is not yet; returns its leaf node. */
  #ensureBlock(block: number): number {
    const leaf = this.#summaries.leaf(block);
    if (!this.#summaries.isKnown(leaf)) this.#summariseBlocks(block, block);
    return leaf;
  }

  /** Summarises, in runs of bulk reads, every unread block of `[lo, hi]` under `node`. */
  #summariseUnknown(node: number, nodeLo: number, nodeHi: number, lo: number, hi: number): void {
    const s = this.#summaries;
    if (nodeHi < lo || nodeLo > hi || s.isKnown(node)) return;
    if (nodeLo >= lo && nodeHi <= hi) {
      // Every unread leaf below: read them as contiguous runs.
      let b = nodeLo;
      while (b <= nodeHi) {
        if (s.isKnown(s.leaf(b))) {
          b++;
          continue;
        }
        let end = b;
        while (end + 1 <= nodeHi && !s.isKnown(s.leaf(end + 1))) end++;
        this.#summariseBlocks(b, end);
        b = end + 1;
      }
      return;
    }
    const mid = (nodeLo + nodeHi) >>> 1;
    this.#summariseUnknown(2 * node, nodeLo, mid, lo, hi);
    this.#summariseUnknown(2 * node + 1, mid + 1, nodeHi, lo, hi);
  }

  /**
   * Learns the commits of block `block` with one read of the block and the
   * 100 rows on either side, of which it looks only at what it needs: back
   * to the `T` row starting the transaction of the block's first row, and
   * forward until the transaction open at the block's end has ended. Through
   * a memory map only the bytes looked at are touched, and a cold lookup pays
   * a page fault per 4 KiB it touches (transactions usually end well short
   * of 100 rows).
   */
  #learnCommits(block: number): void {
    const s = this.#summaries;
    const n = this.rowSize;
    const blockFrom = block * s.blockRows;
    const blockTo = Math.min(this.#logical, (block + 1) * s.blockRows);
    const from = Math.max(0, blockFrom - MAX_TRANSACTION_ROWS);
    const to = Math.min(this.#logical, blockTo + MAX_TRANSACTION_ROWS);
    const firstRow = logicalToRowIndex(from);
    const bytes = this.source.readRows(firstRow, logicalToRowIndex(to - 1) - firstRow + 1);
    const offsetOf = (p: number): number => (logicalToRowIndex(p) - firstRow) * n;
    // Rows before the transaction's start cannot change what the block's
    // rows get (a `T` row resets the tracker), nor can rows after the last
    // transaction touching the block has ended.
    let start = blockFrom;
    while (start > from && bytes[offsetOf(start) + 1] !== START_CONTROL.TRANSACTION) start--;
    const tracker = this.#commits;
    tracker.begin(start, s.blockRows);
    for (let p = start; p < to && (p < blockTo || !tracker.closed); p++) {
      tracker.add(bytes, offsetOf(p), n);
    }
    this.#storeCommits();
  }

  /** Stores the commit bits the tracker's run established for complete blocks. */
  #storeCommits(): void {
    const s = this.#summaries;
    this.#commits.end((b, allCommitted) => {
      if (b < s.blocks) s.setCommitted(b, allCommitted);
    });
  }

  /** Reads blocks `[first, last]` in bulk and stores their summaries (and commit bits). */
  #summariseBlocks(first: number, last: number): void {
    const s = this.#summaries;
    const blockRows = s.blockRows;
    const perRead = Math.max(1, Math.floor(this.#scanRows / blockRows));
    const tracker = this.#commits;
    tracker.begin(first * blockRows, blockRows);
    for (let b = first; b <= last; b += perRead) {
      const end = Math.min(last, b + perRead - 1);
      const firstRow = logicalToRowIndex(b * blockRows);
      const lastRow = logicalToRowIndex((end + 1) * blockRows - 1);
      const bytes = this.source.readRows(firstRow, lastRow - firstRow + 1);
      for (let block = b; block <= end; block++) {
        this.#builder.reset();
        const p0 = block * blockRows;
        for (let p = p0; p < p0 + blockRows; p++) {
          const index = logicalToRowIndex(p);
          const offset = (index - firstRow) * this.rowSize;
          this.#addRow(this.#builder, bytes, offset, index);
          tracker.add(bytes, offset, this.rowSize);
        }
        s.setLeaf(block, this.#builder);
      }
    }
    this.#storeCommits();
  }

  /** Reads the rows after the last complete block that the tail summary does not cover yet. */
  #extendTail(): void {
    const end = this.#logical;
    if (this.#tailEnd >= end) return;
    const firstRow = logicalToRowIndex(this.#tailEnd);
    const lastRow = logicalToRowIndex(end - 1);
    for (let first = firstRow; first <= lastRow; first += this.#scanRows) {
      const count = Math.min(this.#scanRows, lastRow - first + 1);
      const bytes = this.source.readRows(first, count);
      for (let r = 0; r < count; r++) {
        const index = first + r;
        if (index % CHECKSUM_PERIOD !== 0) this.#addRow(this.#tail, bytes, r * this.rowSize, index);
      }
    }
    this.#tailEnd = end;
  }

  /** Adds the key of the data row at `bytes[offset]` (row `index`) to `builder`; skips null rows. */
  #addRow(builder: SummaryBuilder, bytes: Uint8Array, offset: number, index: number): void {
    const rowSize = this.rowSize;
    const start = bytes[offset + 1];
    if (
      bytes[offset] !== 0x1f ||
      bytes[offset + rowSize - 1] !== 0x0a ||
      (start !== START_CONTROL.TRANSACTION && start !== START_CONTROL.CONTINUATION)
    ) {
      throw malformedRow(index, rowSize, "row has no data or null row framing");
    }
    if (isNullRowAt(bytes, offset, rowSize)) return;
    if (!decodeBase64Into(bytes, offset + KEY_TEXT_OFFSET, builder.next, UUID_LENGTH)) {
      throw malformedRow(index, rowSize, "invalid Base64 encoding for UUID");
    }
    builder.addNext();
  }

  /**
   * Visits, in file order, the blocks of `[lo, hi]` under `node` whose
   * summaries admit the key; returns true once the search can stop.
   */
  #visit(node: number, nodeLo: number, nodeHi: number, lo: number, hi: number): boolean {
    if (nodeHi < lo || nodeLo > hi) return false;
    const s = this.#summaries;
    if (s.isKnown(node)) {
      if (
        !s.hasKeys(node) ||
        this.#compareAt(s.minOffset(node)) > 0 ||
        this.#compareAt(s.maxOffset(node)) < 0
      ) {
        return false;
      }
      if (s.isSorted(node)) return this.#descendSorted(node, nodeLo, nodeHi, lo, hi);
    }
    if (nodeLo === nodeHi) return this.#searchBlock(nodeLo);
    const mid = (nodeLo + nodeHi) >>> 1;
    return (
      this.#visit(2 * node, nodeLo, mid, lo, hi) ||
      this.#visit(2 * node + 1, mid + 1, nodeHi, lo, hi)
    );
  }

  /**
   * Descends a strictly increasing subtree whose key range admits the key:
   * the key can only be on one side of each node, so this is one path.
   */
  #descendSorted(node: number, nodeLo: number, nodeHi: number, lo: number, hi: number): boolean {
    const s = this.#summaries;
    let n = node;
    let a = nodeLo;
    let z = nodeHi;
    while (a !== z) {
      const mid = (a + z) >>> 1;
      const left = 2 * n;
      if (s.hasKeys(left) && this.#compareAt(s.maxOffset(left)) >= 0) {
        n = left;
        z = mid;
      } else {
        n = left + 1;
        a = mid + 1;
      }
      if (z < lo || a > hi) return false;
    }
    return this.#searchBlock(a);
  }

  /** Searches block `block`; returns true once the search can stop. */
  #searchBlock(block: number): boolean {
    const s = this.#summaries;
    const leaf = this.#ensureBlock(block);
    if (
      !s.hasKeys(leaf) ||
      this.#compareAt(s.minOffset(leaf)) > 0 ||
      this.#compareAt(s.maxOffset(leaf)) < 0 ||
      !s.mayHold(block, this.#hash)
    ) {
      return false;
    }
    // The block is about to be read: read it together with the rows a
    // transaction can span around it and learn its commits on the way. A
    // source that keeps its last read (the txlog does) then serves the
    // search, and the caller's read of the row found, from that one read.
    if (!s.commitsKnown(leaf) && s.blockRows <= this.#sortedReadRows) this.#learnCommits(block);
    const p0 = block * s.blockRows;
    const p1 = p0 + s.blockRows;
    return s.isSorted(leaf)
      ? this.#searchSorted(p0, p1, s.keys, s.minOffset(leaf), s.keys, s.maxOffset(leaf))
      : this.#scanPositions(p0, p1);
  }

  /** Searches the rows after the last complete block, if their summary admits the key. */
  #searchTail(): void {
    this.#extendTail();
    const tail = this.#tail;
    const key = this.#key!.bytes;
    if (
      !tail.has ||
      compareKeys(key, 0, tail.min, 0) < 0 ||
      compareKeys(key, 0, tail.max, 0) > 0 ||
      !tail.mayHold(this.#hash)
    ) {
      return;
    }
    if (tail.sorted) this.#searchSorted(this.#tailStart, this.#tailEnd, tail.min, 0, tail.max, 0);
    else this.#scanPositions(this.#tailStart, this.#tailEnd);
  }

  /**
   * Searches positions `[p0, p1)` whose data keys are strictly increasing,
   * from `min` (at `minKeys[minAt]`) to `max`: halves the range by small
   * probes while it is larger than one read, then reads the rest at once and
   * searches it in memory. A probe that lands on null rows (which carry no
   * key of the sequence) uses the first data row after them.
   */
  #searchSorted(
    p0: number,
    p1: number,
    minKeys: Uint8Array,
    minAt: number,
    maxKeys: Uint8Array,
    maxAt: number,
  ): boolean {
    const text = this.#key!.text;
    const rowSize = this.rowSize;
    let lo = p0;
    let hi = p1;
    while (hi - lo > this.#sortedReadRows) {
      const mid = (lo + hi) >>> 1;
      const end = Math.min(hi, mid + PROBE_ROWS);
      const firstRow = logicalToRowIndex(mid);
      const bytes = this.source.readRows(firstRow, logicalToRowIndex(end - 1) - firstRow + 1);
      let q = mid;
      let offset = 0;
      for (; q < end; q++) {
        offset = (logicalToRowIndex(q) - firstRow) * rowSize;
        if (!isNullRowAt(bytes, offset, rowSize)) break;
      }
      // A run of null rows longer than a probe is rare: scan what is left.
      if (q === end) return this.#scanPositions(lo, hi);
      const c = compareKeyText(bytes, offset + KEY_TEXT_OFFSET, text);
      if (c === 0) return this.#match(bytes, offset, logicalToRowIndex(q));
      if (c < 0) lo = q + 1;
      else hi = mid;
    }
    if (lo >= hi) return false;
    const firstRow = logicalToRowIndex(lo);
    const bytes = this.source.readRows(firstRow, logicalToRowIndex(hi - 1) - firstRow + 1);
    // The first probe interpolates between the range's smallest and largest
    // keys, the second looks beside it on the key's side, then bisection.
    // Where keys grow evenly (keys an hour apart, or a generator's counter)
    // the first or second probe is the row, instead of log2 of the range:
    // each probe is a row touched, and on a cold file a cache miss.
    const fraction =
      hi - lo === p1 - p0 ? keyFraction(this.#key!.bytes, minKeys, minAt, maxKeys, maxAt) : -1;
    let probe = 0;
    let last = 0;
    while (lo < hi) {
      let mid: number;
      if (fraction < 0 || probe > 1) mid = (lo + hi) >>> 1;
      else if (probe === 0) mid = lo + Math.round(fraction * (hi - lo - 1));
      else mid = last < 0 ? lo : hi - 1;
      probe++;
      let q = mid;
      while (q < hi && isNullRowAt(bytes, (logicalToRowIndex(q) - firstRow) * rowSize, rowSize)) {
        q++;
      }
      // Only null rows from mid on: the key is before mid, if anywhere.
      if (q === hi) {
        hi = mid;
        last = 1;
        continue;
      }
      const offset = (logicalToRowIndex(q) - firstRow) * rowSize;
      const c = compareKeyText(bytes, offset + KEY_TEXT_OFFSET, text);
      if (c === 0) return this.#match(bytes, offset, logicalToRowIndex(q));
      if (c < 0) lo = q + 1;
      else hi = mid;
      last = c;
    }
    return false;
  }

  /** Scans positions `[p0, p1)` in bulk reads; returns true once the search can stop. */
  #scanPositions(p0: number, p1: number): boolean {
    if (p0 >= p1) return false;
    const text = this.#key!.text;
    const rowSize = this.rowSize;
    const firstRow = logicalToRowIndex(p0);
    const lastRow = logicalToRowIndex(p1 - 1);
    for (let first = firstRow; first <= lastRow; first += this.#scanRows) {
      const count = Math.min(this.#scanRows, lastRow - first + 1);
      const bytes = this.source.readRows(first, count);
      for (let r = 0; r < count; r++) {
        const index = first + r;
        if (index % CHECKSUM_PERIOD === 0) continue;
        const offset = r * rowSize;
        if (
          keyTextEquals(bytes, offset + KEY_TEXT_OFFSET, text) &&
          this.#match(bytes, offset, index)
        ) {
          return true;
        }
      }
    }
    return false;
  }

  /** Confirms, by checking it in full, that row `index` carries the key; returns true to stop. */
  #match(bytes: Uint8Array, offset: number, index: number): boolean {
    const row = inspectRowChecked(bytes, offset, this.rowSize, index, this.#scratchKey);
    if (row.type !== "data" || compareKeys(this.#scratchKey, 0, this.#key!.bytes, 0) !== 0) {
      return false;
    }
    this.#found.push(index);
    return !this.#all;
  }
}
