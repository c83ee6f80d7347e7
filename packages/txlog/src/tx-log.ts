/**
 * The transaction log: one open `.fdb` file. It validates the file at open,
 * recovers the transaction the file ends in, holds the writer lock in write
 * mode, appends transactions, writes checksum rows, tells subscribers about
 * every newly completed row and, in read mode, follows other processes'
 * writes.
 */

import { type FSWatcher, watch } from "node:fs";
import {
  CorruptDatabaseError,
  checkRowPlacement,
  compareUuids,
  crc32,
  decodeHeader,
  decodeRow,
  endsTransaction,
  HEADER_SIZE,
  type Header,
  InvalidActionError,
  InvalidInputError,
  isChecksumIndex,
  KeySet,
  MAX_TRANSACTION_ROWS,
  optionsObject,
  PathError,
  type Row,
  readEndControl,
  TombstonedError,
  UUID_LENGTH,
  verifyInitialChecksumRow,
  writeChecksumRow,
  writeDataRowFrame,
  writeNullRow,
  writeRowEnd,
  writtenDataRow,
} from "@frozendb/codec";
import { blockCrc, bufferedRowReader, type TransientRowReader } from "./checksum-block.js";
import { DbFile, type FileMode, isRegularFile, openDescriptor } from "./db-file.js";
import { lockExclusive, unlock } from "./file-lock.js";
import { MappedFile } from "./mapped-file.js";
import { checkDatabasePath, isCode } from "./path-checks.js";
import { readTailState, type TailState } from "./recovery.js";
import { computeTailMaximum, isKeyCommitted, type RowReader } from "./row-scan.js";
import { RunningCrc } from "./running-crc.js";
import {
  type AddOptions,
  type CheckedRow,
  checkRow,
  type NewRow,
  Transaction,
  type TransactionHost,
} from "./transaction.js";
import { type CompletedRow, WritePlan } from "./write-plan.js";

/** Transient reads up to this size reuse the log's buffer; larger ones (bulk scans) allocate. */
const TRANSIENT_READ_LIMIT = 1 << 20;

/** How to open a log. */
export interface OpenOptions {
  /** `read` (no lock, follows other writers) or `write` (exclusive lock). Default `read`. */
  readonly mode?: FileMode;
  /**
   * fdatasync at every commit and rollback (default true). With `false`, a
   * commit is in the OS page cache when it returns: it survives a process
   * crash but not a power failure or kernel crash.
   */
  readonly sync?: boolean;
  /**
   * How to tell whether a key is already committed (duplicate check). The
   * default scans the rows the ordering rule allows to hold the key, which
   * costs the rows written within one skew window; an index answers faster.
   */
  readonly isKeyCommitted?: (key: Uint8Array, timestamp: number) => boolean;
  /** Read mode: follow rows appended by other processes (default true). */
  readonly follow?: boolean;
  /**
   * Read settled rows — every row up to the last one that ends a
   * transaction — through a read-only memory map of the file, without a
   * system call per read (default true; needs the optional
   * `@frozendb/file-map` addon, and falls back to `pread` without it). The
   * bytes are the same either way. The map's one hazard: if something other
   * than frozenDB truncates the file below rows a reader has mapped, that
   * reader's next read of them ends the process with SIGBUS (or, inside the
   * file's new last page, sees zeros) instead of failing with `read_error`.
   * Turn it off where files may be cut under running readers.
   */
  readonly mapReads?: boolean;
  /**
   * Write mode: append with `write(2)` through the optional
   * `@frozendb/file-map` addon (default true) rather than `fs.writeSync`,
   * which adds about 1 µs to every call — one per row when rows are added
   * one call at a time. Same bytes, same errors either way; without the
   * addon, `fs.writeSync` is used.
   */
  readonly directWrites?: boolean;
}

/** Called for every newly completed row, in file order, exactly once. */
export type RowListener = (index: number, row: Row) => void;

/** Called with errors of live updates in read mode (there is no caller to throw to). */
export type ErrorListener = (error: Error) => void;

/** Rows delivered per bulk read in read mode (~4 MiB). */
const FOLLOW_CHUNK_BYTES = 4 << 20;
/** Safety-net poll for live updates, in case a file-system event is missed. */
const FOLLOW_POLL_MS = 1000;

/**
 * An open database file. Synchronous: every call is local file I/O.
 * Implements the row-source interface the index package reads through
 * (`rowSize`, `skewMs`, `rowCount()`, `readRows()`, `subscribe()`).
 */
export class TxLog implements RowReader {
  readonly path: string;
  readonly mode: FileMode;
  readonly header: Header;
  readonly rowSize: number;
  readonly skewMs: number;
  readonly #file: DbFile;
  readonly #sync: boolean;
  readonly #keyCheck: ((key: Uint8Array, timestamp: number) => boolean) | undefined;
  readonly #plan: WritePlan;
  /** Reads the rows of a checksum block into one reused buffer. */
  readonly #blockReader: TransientRowReader;
  #size: number;
  /** The last transient read (a view of {@link #readBuffer}), answering reads of rows inside it. */
  #lastRead: { start: number; count: number; bytes: Uint8Array } | undefined;
  /** Reused by {@link readRowsTransient}. */
  #readBuffer = new Uint8Array(0);
  /** The memory map of settled rows: undefined until first needed, null when off or refused. */
  #map: MappedFile | null | undefined;
  /**
   * Rows `[0, #settledRows)` end at or before a row that ends a transaction:
   * no frozenDB operation ever removes them, so the map may serve them.
   */
  #settledRows: number;
  #delivered: number;
  #listeners: readonly RowListener[] = [];
  #errorListeners: readonly ErrorListener[] = [];
  #maxTimestamp: number | undefined;
  /**
   * CRC-32 of the file's bytes from the current block's checksum row to its
   * end, kept as this handle appends (see {@link #advanceBlockCrc}): a
   * checksum row of a block this handle wrote needs no read-back. Undefined
   * while the block holds rows written before this handle.
   */
  #blockCrc: RunningCrc | undefined;
  #blockCrcTried = false;
  /**
   * The largest data-row key in the file (bytes in {@link #maxKeyBytes},
   * valid when {@link #hasMaxKey}); known exactly when `#maxTimestamp` is.
   * A key above it is in no row at all: keys from one UUIDv7 generator then
   * need no duplicate lookup.
   */
  readonly #maxKeyBytes = new Uint8Array(UUID_LENGTH);
  #hasMaxKey = false;
  #active: Transaction | undefined;
  #recoverOnNextUse = false;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #refreshScheduled = false;
  #holds = 0;
  #refreshing = false;
  #refreshAgain = false;

  /** @internal Use {@link open}. */
  constructor(
    path: string,
    file: DbFile,
    header: Header,
    size: number,
    tail: TailState,
    options: OpenOptions,
  ) {
    this.path = path;
    this.mode = file.mode;
    this.header = header;
    this.rowSize = header.rowSize;
    this.skewMs = header.skewMs;
    this.#file = file;
    this.#sync = options.sync !== false;
    this.#keyCheck = options.isKeyCommitted;
    this.#size = size;
    this.#delivered = this.rowCount();
    this.#settledRows = tail.open?.startIndex ?? this.rowCount();
    if (options.mapReads === false) this.#map = null;
    this.#host = this.#makeHost();
    this.#plan = new WritePlan(2 * this.rowSize + 64);
    this.#blockReader = bufferedRowReader(file, this.rowSize);
    if (tail.open !== undefined) {
      this.#active = new Transaction(this.#host, this.mode === "read", tail.open);
    }
    if (this.mode === "read" && options.follow !== false) this.#follow();
  }

  // ---------------------------------------------------------------- reading

  /** Complete, confirmed row slots (checksum rows included; row 0 is the initial checksum row). */
  rowCount(): number {
    return Math.floor((this.#size - HEADER_SIZE) / this.rowSize);
  }

  /** Bytes of the file this handle has confirmed (a trailing partial row included). */
  get size(): number {
    return this.#size;
  }

  /**
   * True in write mode when appends use the addon's `write(2)` (see
   * {@link OpenOptions.directWrites}); false when turned off, where the
   * addon is missing, and in read mode.
   */
  get writesDirect(): boolean {
    return this.mode === "write" && this.#file.direct;
  }

  /**
   * True while settled rows are read through the memory map (see
   * {@link OpenOptions.mapReads}): false before the first such read, when
   * turned off, where the addon is missing, or when the kernel refused the map.
   */
  get readsFromMap(): boolean {
    return this.#map !== undefined && this.#map !== null;
  }

  /** True once closed (explicitly or after a failed write). */
  get closed(): boolean {
    return this.#file.closed;
  }

  /**
   * Raw bytes of rows `[start, start + count)`, concatenated, in a buffer of
   * their own. Callers must not modify them.
   * @throws {@link InvalidInputError} when the range leaves the confirmed rows.
   * @throws {@link TombstonedError} after close; {@link ReadError} when the read fails.
   */
  readRows(start: number, count: number): Uint8Array {
    const cached = this.#cachedRows(start, count) ?? this.#mappedRows(start, count);
    if (cached !== undefined) return cached.slice();
    return this.#file.read(HEADER_SIZE + start * this.rowSize, count * this.rowSize);
  }

  /**
   * Raw bytes of rows `[start, start + count)` that stay as they are until
   * the log is closed, whatever is read meanwhile: settled rows as a view of
   * the memory map (no copy: a scan of the whole file reads gigabytes),
   * other rows in a buffer of their own as {@link readRows}. For callers
   * that hold a chunk across other reads — an iterator that yields between
   * rows. Callers must not modify them (the map is read-only).
   * @throws as {@link readRows}.
   */
  readRowsStable(start: number, count: number): Uint8Array {
    // The range check; the transient read it may return is not stable.
    this.#cachedRows(start, count);
    return this.#mappedRows(start, count) ?? this.readRows(start, count);
  }

  /**
   * The bytes of rows `[start, start + count)` as a view of the log's memory
   * map (settled rows) or of its read buffer, valid only until the next
   * `readRowsTransient` call: for callers that use the bytes at once
   * (finders, lookups), which then allocate nothing per read. A read of rows
   * inside the previous buffered read is answered from the buffer without a
   * system call (a lookup reads a block, then the row it found there);
   * complete rows never change, so this is never stale.
   * @throws as {@link readRows}.
   */
  readRowsTransient(start: number, count: number): Uint8Array {
    const cached = this.#cachedRows(start, count) ?? this.#mappedRows(start, count);
    if (cached !== undefined) return cached;
    const length = count * this.rowSize;
    if (length > TRANSIENT_READ_LIMIT) {
      this.#lastRead = undefined;
      return this.#file.read(HEADER_SIZE + start * this.rowSize, length);
    }
    if (this.#readBuffer.length < length) {
      this.#readBuffer = new Uint8Array(Math.max(length, 2 * this.#readBuffer.length));
    }
    // Forget the old contents first: a failed read leaves the buffer undefined.
    this.#lastRead = undefined;
    this.#file.readInto(this.#readBuffer, 0, length, HEADER_SIZE + start * this.rowSize);
    const bytes = this.#readBuffer.subarray(0, length);
    this.#lastRead = { start, count, bytes };
    return bytes;
  }

  /** Checks the range; returns its bytes when the last transient read holds them. */
  #cachedRows(start: number, count: number): Uint8Array | undefined {
    this.#checkOpen();
    const rows = this.rowCount();
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > rows
    ) {
      throw new InvalidInputError(
        `rows ${start}…${start + count - 1} are outside the file (${rows} complete rows)`,
      );
    }
    const last = this.#lastRead;
    if (last === undefined || start < last.start || start + count > last.start + last.count) {
      return undefined;
    }
    const n = this.rowSize;
    return last.bytes.subarray((start - last.start) * n, (start - last.start + count) * n);
  }

  /** The bytes of rows `[start, start + count)` from the memory map, when they are settled. */
  #mappedRows(start: number, count: number): Uint8Array | undefined {
    if (count === 0 || start + count > this.#settledRows) return undefined;
    if (this.#map === undefined) this.#map = MappedFile.open(this.#file.fd, this.#size) ?? null;
    return this.#map?.view(HEADER_SIZE + start * this.rowSize, count * this.rowSize);
  }

  /**
   * Row `index`, fully validated (checksum rows must sit at multiples of 10001).
   * @throws {@link InvalidInputError} for an index outside the confirmed rows.
   * @throws {@link CorruptDatabaseError} when the row is damaged or misplaced.
   */
  readRow(index: number): Row {
    const bytes = this.readRows(index, 1);
    return checkedRow(bytes, 0, this.rowSize, index);
  }

  /**
   * The largest timestamp among complete data and null rows (0 if none).
   * Computed from the tail window when first needed, then kept current.
   */
  maxTimestamp(): number {
    if (this.#maxTimestamp === undefined) {
      const tail = computeTailMaximum(this);
      this.#hasMaxKey = tail.key !== undefined;
      if (tail.key !== undefined) this.#maxKeyBytes.set(tail.key);
      this.#maxTimestamp = tail.timestamp;
    }
    return this.#maxTimestamp;
  }

  /**
   * Subscribes to newly completed rows (not to rows already in the file).
   * Listeners run synchronously, in subscription order, for every row before
   * the next; in write mode before the write call returns. A data row's
   * `value`/`valueText` are read from the log's write buffer, which the next
   * write reuses: read them during the call (keys and timestamps are the
   * row's own).
   * @returns a function that unsubscribes (idempotent).
   */
  subscribe(listener: RowListener): () => void {
    if (typeof listener !== "function") throw new InvalidInputError("callback cannot be nil");
    // Copy-on-write: a delivery in progress keeps iterating its snapshot.
    this.#listeners = [...this.#listeners, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const i = this.#listeners.indexOf(listener);
      if (i >= 0)
        this.#listeners = [...this.#listeners.slice(0, i), ...this.#listeners.slice(i + 1)];
    };
  }

  /**
   * Read mode: keeps the process alive while something waits for other
   * processes' rows (the file watcher alone does not, so a script that only
   * reads never hangs on exit). Returns the release function (idempotent).
   */
  keepAlive(): () => void {
    this.#holds++;
    this.#poll?.ref();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.#holds === 0) this.#poll?.unref();
    };
  }

  /** Listens for errors of live updates in read mode; returns an unsubscribe function. */
  onError(listener: ErrorListener): () => void {
    this.#errorListeners = [...this.#errorListeners, listener];
    return () => {
      this.#errorListeners = this.#errorListeners.filter((l) => l !== listener);
    };
  }

  /**
   * Read mode: looks for rows other processes completed since the last look
   * and delivers them now (the watcher does this by itself within
   * milliseconds; call this to be sure before a read). Returns the number of
   * rows delivered.
   * @throws what a listener or the row decoder threw.
   */
  refresh(): number {
    if (this.#file.closed || this.mode !== "read") return 0;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return 0;
    }
    this.#refreshing = true;
    let delivered = 0;
    try {
      do {
        this.#refreshAgain = false;
        const size = this.#file.statSize();
        if (size > this.#size) {
          this.#size = size;
          try {
            delivered += this.#deliverFromDisk();
          } catch (error) {
            // Rows past the failure are confirmed but were not seen: the
            // maximum is recomputed from the file when next asked for.
            this.#maxTimestamp = undefined;
            throw error;
          }
        }
      } while (this.#refreshAgain);
    } finally {
      this.#refreshing = false;
    }
    return delivered;
  }

  // ---------------------------------------------------------------- writing

  /**
   * The transaction the file ends in, or `null`: the one begun through this
   * handle, or one recovered from the file at open (in read mode a snapshot
   * taken at open whose write methods fail).
   */
  get activeTransaction(): Transaction | null {
    this.#recoverIfNeeded();
    return this.#active ?? null;
  }

  /**
   * Starts a transaction (appends `1F 'T'`).
   * @throws {@link InvalidActionError} in read mode or when a transaction is active.
   */
  begin(): Transaction {
    this.#checkCanStartTransaction();
    const plan = this.#plan.reset();
    plan.pushByte(0x1f);
    plan.pushByte(0x54);
    this.#commitWrite(plan, false);
    const tx = new Transaction(this.#host, false);
    this.#active = tx;
    return tx;
  }

  /**
   * Appends a whole committed transaction in one write — exactly the bytes
   * `begin`, `add` for each row and `commit` would append — after the same
   * checks. No rows: a null row. Synced unless opened with `sync: false`.
   * @throws what {@link Transaction.add} throws, before anything is written.
   * @throws {@link InvalidActionError} in read mode or when a transaction is active.
   */
  appendTransaction(rows: readonly NewRow[], options?: AddOptions): void {
    this.#checkCanStartTransaction();
    if (!Array.isArray(rows)) throw new InvalidInputError("rows must be an array");
    if (rows.length > MAX_TRANSACTION_ROWS) {
      throw new InvalidInputError("transaction cannot contain more than 100 rows");
    }
    const n = this.rowSize;
    const first = this.rowCount();
    // Slots: the rows, plus a checksum row wherever one falls due.
    // A checksum row falls due right after the 10,000th row of a block, also
    // when that row is the transaction's last.
    const slots: number[] = [];
    let next = first;
    for (let placed = 0; placed < Math.max(1, rows.length); placed++) {
      slots.push(next++);
      if (isChecksumIndex(next)) slots.push(next++);
    }
    const plan = this.#plan.reset();
    const out = plan.reserve(slots.length * n);
    // The data rows as checked (or the null row's timestamp), in order.
    const written: CheckedRow[] = [];
    let nullTimestamp = 0;
    if (rows.length === 0) {
      nullTimestamp = this.maxTimestamp();
      writeNullRow(out, 0, n, nullTimestamp);
    } else {
      // Every row is checked and encoded in memory before anything is written.
      const keys = new KeySet();
      let max = this.maxTimestamp();
      let slot = 0;
      rows.forEach((row, i) => {
        while (isChecksumIndex(slots[slot]!)) slot++;
        const offset = slot * n;
        // `?.`: rows come from the caller, and a missing one is a bad key, not a TypeError.
        const c = checkRow(this.#host, row?.key, row?.value, i, keys, max, out, offset, options);
        writeDataRowFrame(out, offset, n, i === 0 ? "T" : "R", c.key, c.valueLength);
        writeRowEnd(out, offset, n, i === rows.length - 1 ? "TC" : "RE");
        keys.add(c.key);
        written.push(c);
        if (c.timestamp > max) max = c.timestamp;
        slot++;
      });
    }
    let dataRow = 0;
    slots.forEach((index, slot) => {
      const offset = slot * n;
      if (isChecksumIndex(index)) {
        writeChecksumRow(out, offset, n, this.#checksumCrc(index, plan, offset));
        plan.markChecksumRow(offset);
        plan.complete(index, out, offset, undefined);
      } else if (rows.length === 0) {
        plan.complete(index, out, offset, nullTimestamp);
      } else {
        const c = written[dataRow++]!;
        plan.complete(index, out, offset, c.timestamp, c);
      }
    });
    this.#commitWrite(plan, true);
  }

  // ---------------------------------------------------------------- closing

  /**
   * Closes the file (and releases the writer lock); idempotent. An open
   * transaction stays in the file and is recovered by the next writer.
   */
  close(): void {
    if (this.#file.closed) return;
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    if (this.mode === "write") unlock(this.#file.fd);
    // Released now, not at collection; views handed out become empty.
    this.#map?.release();
    this.#map = null;
    this.#file.close();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---------------------------------------------------------------- internals

  readonly #host: TransactionHost;

  #makeHost(): TransactionHost {
    return {
      rowSize: this.rowSize,
      skewMs: this.skewMs,
      checkOpen: () => this.#checkOpen(),
      completeRowCount: () => this.rowCount(),
      plan: () => this.#plan.reset(),
      maxTimestamp: () => this.maxTimestamp(),
      isKeyCommitted: (key, timestamp) => {
        if (this.#isAboveMaxKey(key)) return false;
        return this.#keyCheck !== undefined
          ? this.#keyCheck(key, timestamp)
          : isKeyCommitted(this, key, timestamp, this.rowCount());
      },
      checksumRow: (pending) => this.#checksumRow(pending),
      commitWrite: (plan, durable) => this.#commitWrite(plan, durable),
      transactionEnded: (tx) => {
        if (this.#active === tx) this.#active = undefined;
        if (tx.state === "tombstoned") this.#recoverOnNextUse = !this.#file.closed;
      },
    };
  }

  /** The preconditions of starting a transaction, in the original's order (behaviour §5.1). */
  #checkCanStartTransaction(): void {
    this.#checkOpen();
    this.#recoverIfNeeded();
    if (this.#active !== undefined) {
      throw new InvalidActionError("active transaction already exists");
    }
    if (this.mode !== "write") {
      throw new InvalidActionError("cannot set writer on read-mode DBFile");
    }
  }

  /** Throws `tombstoned: file manager is closed` after close. */
  #checkOpen(): void {
    if (this.#file.closed) throw new TombstonedError("file manager is closed");
  }

  #checksumRow(plan: WritePlan): Uint8Array {
    const n = this.rowSize;
    const last = plan.lastCompleted();
    const checksumIndex = (last === undefined ? this.rowCount() - 1 : last.index) + 1;
    const row = new Uint8Array(n);
    writeChecksumRow(row, 0, n, this.#checksumCrc(checksumIndex, plan, plan.length));
    return row;
  }

  /**
   * The CRC for checksum row `checksumIndex`, which `plan` writes at byte
   * `offset`: the running CRC of the block extended by the plan's bytes
   * before it, or — when the block began before this handle — read back
   * from the file and validated row by row, as the original does.
   */
  #checksumCrc(checksumIndex: number, plan: WritePlan, offset: number): number {
    if (this.#blockCrc !== undefined) return this.#blockCrc.valueWith(plan.buffer, 0, offset);
    return blockCrc(
      this.#blockReader,
      this.rowSize,
      checksumIndex,
      this.rowCount(),
      plan.completedRows(),
    );
  }

  /**
   * Extends the running CRC with bytes just appended (`sizeBefore`: the
   * file's size before them). A checksum row restarts it: the next block
   * begins there. Until then it is known only when this handle began with
   * the block, its checksum row being the file's last complete row.
   */
  #advanceBlockCrc(plan: WritePlan, sizeBefore: number): void {
    const at = plan.checksumOffset;
    if (at >= 0) {
      if (this.#blockCrc === undefined) this.#blockCrc = new RunningCrc(0);
      else this.#blockCrc.restart(0);
      this.#blockCrc.append(plan.buffer, at, plan.length - at);
      return;
    }
    if (this.#blockCrc === undefined) {
      if (this.#blockCrcTried) return;
      this.#blockCrcTried = true;
      const seed = this.#crcOfFreshBlock(sizeBefore);
      if (seed === undefined) return;
      this.#blockCrc = new RunningCrc(seed);
    }
    this.#blockCrc.append(plan.buffer, 0, plan.length);
  }

  /**
   * CRC of the file from its last complete row to `size` when that row is
   * a checksum row (validated; only a partial row may follow it), else
   * undefined: the block holds rows this handle did not write, and those are
   * validated when its checksum row falls due.
   */
  #crcOfFreshBlock(size: number): number | undefined {
    const n = this.rowSize;
    const last = Math.floor((size - HEADER_SIZE) / n) - 1;
    if (last < 0 || !isChecksumIndex(last)) return undefined;
    try {
      const bytes = this.#file.read(HEADER_SIZE + last * n, size - HEADER_SIZE - last * n);
      if (checkedRow(bytes, 0, n, last).type !== "checksum") return undefined;
      return crc32(bytes);
    } catch {
      // Damaged or unreadable: the block is read back and validated when due.
      return undefined;
    }
  }

  #commitWrite(plan: WritePlan, durable: boolean): void {
    try {
      try {
        this.#file.append(plan.buffer, 0, plan.length);
      } catch (error) {
        this.#removeTornBytes(plan);
        throw error;
      }
      if (durable && this.#sync) this.#file.sync();
    } catch (error) {
      // The file's state on disk is unknown now: stop using it (behaviour §5.6).
      this.close();
      throw error;
    }
    this.#advanceBlockCrc(plan, this.#size);
    this.#size += plan.length;
    this.#settle(plan);
    const count = plan.completedCount;
    // Every written row counts for the maxima, even if a listener fails below.
    for (let i = 0; i < count; i++) {
      const { timestamp, data } = plan.completedAt(i);
      if (
        timestamp !== undefined &&
        this.#maxTimestamp !== undefined &&
        timestamp > this.#maxTimestamp
      ) {
        this.#maxTimestamp = timestamp;
      }
      if (data !== undefined) this.#offerKey(data.key);
    }
    for (let i = 0; i < count; i++) {
      const completed = plan.completedAt(i);
      const index = completed.index;
      if (index < this.#delivered) continue;
      if (this.#listeners.length === 0) {
        // Nobody to tell: our own rows are correct by construction (and are
        // validated again before any checksum row vouches for them).
        this.#delivered = index + 1;
        continue;
      }
      if (index > this.#delivered) this.#deliverFromDisk(index);
      this.#deliver(index, writtenRow(completed, this.rowSize));
    }
  }

  /** Delivers confirmed rows from disk, from the next undelivered one up to `end` (exclusive). */
  #deliverFromDisk(end = this.rowCount()): number {
    const n = this.rowSize;
    const perChunk = Math.max(1, Math.floor(FOLLOW_CHUNK_BYTES / n));
    const from = this.#delivered;
    while (this.#delivered < end) {
      const start = this.#delivered;
      const count = Math.min(perChunk, end - start);
      const bytes = this.#file.read(HEADER_SIZE + start * n, count * n);
      for (let i = 0; i < count; i++) {
        const row = checkedRow(bytes, i * n, n, start + i);
        if (row.type === "data") this.#offerKey(row.key);
        this.#deliver(start + i, row);
      }
    }
    return this.#delivered - from;
  }

  #deliver(index: number, row: Row): void {
    if (
      row.type !== "checksum" &&
      this.#maxTimestamp !== undefined &&
      row.timestamp > this.#maxTimestamp
    ) {
      this.#maxTimestamp = row.timestamp;
    }
    if (row.type === "null" || (row.type === "data" && endsTransaction(row.endControl))) {
      this.#settledRows = Math.max(this.#settledRows, index + 1);
    }
    // Each row goes to the listeners subscribed when its delivery starts;
    // the first error stops the chain, and the row counts as undelivered.
    for (const listener of this.#listeners) listener(index, row);
    this.#delivered = index + 1;
  }

  /** Raises the largest key to `key`, once it is known (a data row just completed). */
  #offerKey(key: Uint8Array): void {
    if (this.#maxTimestamp === undefined) return;
    if (!this.#hasMaxKey || compareUuids(key, this.#maxKeyBytes) > 0) {
      this.#maxKeyBytes.set(key);
      this.#hasMaxKey = true;
    }
  }

  /** True when `key` sorts after every data-row key in the file, so no row carries it. */
  #isAboveMaxKey(key: Uint8Array): boolean {
    this.maxTimestamp();
    return !this.#hasMaxKey || compareUuids(key, this.#maxKeyBytes) > 0;
  }

  /** Moves the settled bound past the last row `plan` completes that ends a transaction. */
  #settle(plan: WritePlan): void {
    const n = this.rowSize;
    for (let i = plan.completedCount - 1; i >= 0; i--) {
      const { index, bytes, offset } = plan.completedAt(i);
      if (index < this.#settledRows) return;
      const control = readEndControl(bytes, offset + n - 5);
      if (control !== undefined && control !== "CS" && endsTransaction(control)) {
        this.#settledRows = index + 1;
        return;
      }
    }
  }

  /**
   * After a write failed part-way (a full disk, a file size limit), cuts what
   * it wrote, so the file is as before the call and the next writer can go on
   * without `recover`. Only a transaction end it completed stays (and the
   * rows before it), because a reader may already have seen that commit:
   * then the call's outcome is "applied", as after a crash. Best effort: an
   * append-only file refuses, and the next writer reports the torn tail.
   */
  #removeTornBytes(plan: WritePlan): void {
    let size: number;
    try {
      size = this.#file.statSize();
    } catch {
      return;
    }
    const n = this.rowSize;
    let keep = this.#size;
    for (let i = 0; i < plan.completedCount; i++) {
      const { index, bytes, offset } = plan.completedAt(i);
      const end = HEADER_SIZE + (index + 1) * n;
      if (end > size) break;
      const control = readEndControl(bytes, offset + n - 5);
      if (control !== undefined && control !== "CS" && endsTransaction(control)) keep = end;
    }
    if (keep < size) this.#file.truncate(keep);
  }

  #recoverIfNeeded(): void {
    if (!this.#recoverOnNextUse || this.#file.closed) return;
    // A transaction failed mid-way (a listener threw after its bytes were
    // written): take the transaction state from the file, as a reopen would.
    this.#recoverOnNextUse = false;
    const tail = readTailState(this.#file, this.#size, this.rowSize);
    this.#active =
      tail.open === undefined ? undefined : new Transaction(this.#host, false, tail.open);
  }

  #follow(): void {
    const schedule = () => {
      if (this.#refreshScheduled) return;
      this.#refreshScheduled = true;
      setImmediate(() => {
        this.#refreshScheduled = false;
        this.#refreshQuietly();
      });
    };
    try {
      this.#watcher = watch(this.path, { persistent: false }, schedule);
      this.#watcher.on("error", (error) => this.#report(error));
    } catch (error) {
      this.#report(error as Error);
    }
    this.#poll = setInterval(schedule, FOLLOW_POLL_MS);
    if (this.#holds === 0) this.#poll.unref();
  }

  #refreshQuietly(): void {
    try {
      this.refresh();
    } catch (error) {
      this.#report(error as Error);
    }
  }

  #report(error: Error): void {
    for (const listener of this.#errorListeners) {
      try {
        listener(error);
      } catch {
        // An error listener's own failure has nowhere else to go.
      }
    }
  }
}

/** Decodes a row and checks it sits at the right kind of index. */
function checkedRow(bytes: Uint8Array, offset: number, rowSize: number, index: number): Row {
  const row = decodeRow(bytes, offset, rowSize, index) as Row;
  checkRowPlacement(row.type, index, rowSize);
  return row;
}

/**
 * The row a write of this log completed, for its subscribers: a data row is
 * built from the fields the writer checked and encoded (a decode would only
 * re-derive them, at about half a microsecond a row); null and checksum rows
 * are decoded.
 */
function writtenRow(completed: CompletedRow, rowSize: number): Row {
  const { bytes, offset, data } = completed;
  if (data === undefined) return checkedRow(bytes, offset, rowSize, completed.index);
  return writtenDataRow(
    bytes,
    offset,
    rowSize,
    data.key,
    completed.timestamp!,
    data.valueLength,
    data.ascii,
  );
}

/**
 * Opens the database file at `path`.
 *
 * Reads only the header, the initial checksum row and the tail window, so
 * opening costs the same whatever the file size. In write mode it takes the
 * exclusive writer lock first and refuses a file whose tail was torn by a
 * crash (see `recover`), and it appends a checksum row that a crash left
 * missing.
 *
 * @throws {@link InvalidInputError} bad mode or path.
 * @throws {@link PathError} the file does not exist or cannot be opened.
 * @throws {@link WriteError} the writer lock is held by another process.
 * @throws {@link CorruptDatabaseError} a bad header, initial checksum row or tail.
 */
export function open(path: string, given?: OpenOptions): TxLog {
  const options = optionsObject(given);
  const mode = options.mode ?? "read";
  if (mode !== "read" && mode !== "write")
    throw new InvalidInputError("mode must be 'read' or 'write'");
  checkDatabasePath(path);
  let fd: number;
  try {
    fd = openDescriptor(path, mode);
  } catch (error) {
    if (isCode(error, "ENOENT"))
      throw new PathError("database file does not exist", { cause: error });
    if (isCode(error, "EACCES") || isCode(error, "EPERM")) {
      throw new PathError("permission denied to access database file", { cause: error });
    }
    throw new PathError("failed to open database file", { cause: error });
  }
  const file = new DbFile(path, mode, fd, options.directWrites !== false);
  try {
    if (!isRegularFile(fd)) {
      throw new PathError("failed to open database file", {
        cause: new Error(`${path} is not a regular file`),
      });
    }
    if (mode === "write") lockExclusive(fd);
    const size = file.statSize();
    const header = decodeHeader(file.read(0, Math.min(size, HEADER_SIZE)));
    const start = file.read(0, Math.min(size, HEADER_SIZE + header.rowSize));
    verifyInitialChecksumRow(start, header.rowSize, size);
    const tail = readTailState(file, size, header.rowSize);
    let confirmed = size;
    if (mode === "write") confirmed = prepareForWriting(file, header.rowSize, size, tail);
    return new TxLog(path, file, header, confirmed, tail, options);
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Write-mode checks on the tail (decisions OP-4, OP-6, OP-B4), and the
 * checksum row a crash left missing. Returns the file size after that.
 */
function prepareForWriting(file: DbFile, rowSize: number, size: number, tail: TailState): number {
  if (tail.torn !== undefined) {
    throw new CorruptDatabaseError(
      `the file ends in a write torn by a crash: ${tail.torn.length} uncommitted bytes at byte ${tail.torn.offset} (${tail.torn.reason}); run recover (frozendb recover) to remove them`,
      { offset: tail.torn.offset, rowIndex: tail.completeRows },
    );
  }
  if (tail.tailLength > 0 && isChecksumIndex(tail.completeRows)) {
    throw new CorruptDatabaseError(
      `a partial data row sits where checksum row ${tail.completeRows} belongs`,
      { offset: HEADER_SIZE + tail.completeRows * rowSize, rowIndex: tail.completeRows },
    );
  }
  const open = tail.open;
  if (open !== undefined && open.rows.length >= MAX_TRANSACTION_ROWS) {
    throw new CorruptDatabaseError(
      "the open transaction already holds 100 complete rows and no row can end it; the file can be read but not written",
      { offset: HEADER_SIZE + tail.completeRows * rowSize, rowIndex: tail.completeRows },
    );
  }
  if (!tail.missingChecksum) return size;
  const row = new Uint8Array(rowSize);
  writeChecksumRow(
    row,
    0,
    rowSize,
    blockCrc(bufferedRowReader(file, rowSize), rowSize, tail.completeRows, tail.completeRows, []),
  );
  file.append(row);
  file.sync();
  return size + rowSize;
}
