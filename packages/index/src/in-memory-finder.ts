/**
 * The `inmemory` strategy (behaviour §8.3): one pass over the file at
 * creation builds a key table and, per row, the row that starts and the row
 * that ends its transaction, so every later answer is a lookup in typed
 * arrays with no read. The boundaries are computed with the same rules as
 * the walking strategies (transaction-walk.ts), errors included, so the
 * strategies agree on malformed files too.
 */

import {
  CHECKSUM_PERIOD,
  type EndControl,
  endsTransaction,
  hasSavepoint,
  isCommit,
  type Row,
  rollbackTarget,
  UUID_LENGTH,
} from "@frozendb/codec";
import { inspectRowChecked } from "./checked-row.js";
import { FinderBase } from "./finder-base.js";
import { KeyTable } from "./key-table.js";
import { rowsPerRead } from "./read-chunks.js";
import type { RowSource } from "./row-source.js";
import type { SearchKey } from "./search-key.js";
import {
  abandonedTransaction,
  orphanContinuation,
  transactionActive,
} from "./transaction-errors.js";

// Codes stored in the start/end arrays in place of a row index.
/** start: an orphan continuation row. end: no ending row yet (transaction active). */
const NONE = -1;
/** Checksum rows belong to no transaction. */
const CHECKSUM = -2;
/** end: abandoned, encoded as ABANDONED - k where row k started the next transaction. */
const ABANDONED = -3;

/** Reads of 4 MiB: the open pass is one sequential sweep. */
const OPEN_READ_BYTES = 4 << 20;

/**
 * Finder that holds a key table and the transaction boundaries of every row
 * in memory (under 64 bytes per row; see {@link InMemoryFinder.memoryBytes}).
 *
 * @example
 * ```ts
 * const finder = new InMemoryFinder(source); // reads the file once
 * finder.getIndex(key); // no read
 * ```
 */
export class InMemoryFinder extends FinderBase {
  readonly #keys: KeyTable;
  #start: Int32Array;
  #end: Int32Array;
  /** 1 for a data row known to be committed (behaviour §7.1), else 0. */
  #committed: Uint8Array;
  /** Rows of the open transaction that carry a savepoint, in order. */
  #savepointRows: number[] = [];
  #max = 0;
  /** Start of the open transaction, or NONE. */
  #openStart = NONE;
  /** First row whose end is still unknown, or NONE. */
  #pendingFrom = NONE;

  /**
   * Reads and decodes every complete row once.
   * @throws {@link CorruptDatabaseError} (`failed to parse row at index <i>`)
   *   for a row that does not decode or a checksum row out of place.
   */
  constructor(source: RowSource) {
    super(source);
    const total = this.rowCount();
    this.#keys = new KeyTable(total, total);
    this.#start = new Int32Array(Math.max(total, 1));
    this.#end = new Int32Array(Math.max(total, 1));
    this.#committed = new Uint8Array(Math.max(total, 1));
    const rowSize = this.rowSize;
    const key = new Uint8Array(UUID_LENGTH);
    const step = rowsPerRead(rowSize, OPEN_READ_BYTES);
    for (let first = 0; first < total; first += step) {
      const count = Math.min(step, total - first);
      const bytes = source.readRows(first, count);
      for (let r = 0; r < count; r++) {
        const index = first + r;
        // Every byte is checked as decodeRow would, without building row
        // objects: the pass allocates nothing per row.
        const info = inspectRowChecked(bytes, r * rowSize, rowSize, index, key);
        this.#ingest(
          index,
          info.type,
          info.startControl === "T",
          info.endControl,
          info.timestamp,
          key,
        );
      }
    }
    this.subscribe();
  }

  maxTimestamp(): number {
    return this.#max;
  }

  memoryBytes(): number {
    return (
      this.#keys.bytes() +
      this.#start.byteLength +
      this.#end.byteLength +
      this.#committed.byteLength
    );
  }

  protected findFirst(key: SearchKey): number {
    return this.#keys.find(key.bytes);
  }

  protected findAll(key: SearchKey): number[] {
    const first = this.#keys.find(key.bytes);
    return first < 0 ? [] : [first, ...this.#keys.duplicatesOf(first)];
  }

  protected transactionStart(index: number): number {
    const start = this.#start[index]!;
    if (start === NONE) throw orphanContinuation(index, this.rowSize);
    return start;
  }

  protected transactionEnd(index: number): number {
    const end = this.#end[index]!;
    if (end === NONE) throw transactionActive();
    if (end <= ABANDONED) throw abandonedTransaction(index, ABANDONED - end, this.rowSize);
    return end;
  }

  protected override knownCommitted(index: number): boolean {
    return this.#committed[index] === 1;
  }

  protected accept(index: number, row: Row): void {
    if (index >= this.#start.length) {
      const capacity = Math.max(index + 1, this.#start.length * 2);
      const start = new Int32Array(capacity);
      start.set(this.#start);
      this.#start = start;
      const end = new Int32Array(capacity);
      end.set(this.#end);
      this.#end = end;
      const committed = new Uint8Array(capacity);
      committed.set(this.#committed);
      this.#committed = committed;
    }
    this.#keys.ensureRows(index + 1);
    if (row.type === "checksum") this.#ingest(index, "checksum", false, "CS", 0, undefined);
    else if (row.type === "null") this.#ingest(index, "null", true, "NR", row.timestamp, undefined);
    else {
      this.#ingest(index, "data", row.startControl === "T", row.endControl, row.timestamp, row.key);
    }
  }

  /** Takes in row `index`, the next in file order. */
  #ingest(
    index: number,
    type: Row["type"],
    startsWithT: boolean,
    end: EndControl,
    timestamp: number,
    key: Uint8Array | undefined,
  ): void {
    if (type === "checksum") {
      this.#start[index] = CHECKSUM;
      this.#end[index] = CHECKSUM;
      return;
    }
    if (timestamp > this.#max) this.#max = timestamp;
    if (type === "data" && key !== undefined) this.#keys.insert(index, key);

    if (startsWithT) {
      // A start while rows still wait for their end: that transaction is abandoned.
      if (this.#pendingFrom !== NONE)
        this.#resolve(this.#pendingFrom, index - 1, ABANDONED - index);
      this.#pendingFrom = NONE;
      this.#start[index] = index;
      this.#openStart = index;
      this.#savepointRows.length = 0;
    } else {
      // A continuation belongs to the open transaction; with none open it is an orphan.
      this.#start[index] = this.#openStart;
    }

    if (type === "data" && hasSavepoint(end)) this.#savepointRows.push(index);
    if (endsTransaction(end)) {
      const from = this.#pendingFrom === NONE ? index : this.#pendingFrom;
      if (type === "null") this.#committed[index] = 1;
      else if (this.#openStart !== NONE) this.#markCommitted(from, index, end);
      this.#resolve(from, index, index);
      this.#pendingFrom = NONE;
      this.#openStart = NONE;
    } else {
      this.#end[index] = NONE;
      if (this.#pendingFrom === NONE) this.#pendingFrom = index;
    }
  }

  /**
   * Marks the committed rows of the transaction `[from, to]` that ended with
   * `end`: all of them on a commit, those up to the savepoint a rollback
   * returns to, none on a full rollback (or when that savepoint is missing,
   * which the walk then reports).
   */
  #markCommitted(from: number, to: number, end: EndControl): void {
    let last = -1;
    if (isCommit(end)) last = to;
    else {
      const target = rollbackTarget(end) ?? 0;
      if (target > 0 && target <= this.#savepointRows.length) {
        last = this.#savepointRows[target - 1]!;
      }
    }
    for (let i = from; i <= last; i++) if (i % CHECKSUM_PERIOD !== 0) this.#committed[i] = 1;
  }

  /** Sets the end code of rows `[from, to]`, leaving checksum rows alone. */
  #resolve(from: number, to: number, end: number): void {
    for (let i = from; i <= to; i++) if (i % CHECKSUM_PERIOD !== 0) this.#end[i] = end;
  }
}
