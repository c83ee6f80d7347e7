/**
 * The database handle: the transaction log (the file) and a finder (the
 * time-key index) composed into the public API. No format logic lives here.
 */

import {
  CorruptDatabaseError,
  type DataEndControl,
  type EndControl,
  hasSavepoint,
  InvalidActionError,
  InvalidInputError,
  inspectRow,
  isChecksumIndex,
  isCommit,
  type KeyInput,
  KeyNotFoundError,
  optionsObject,
  rollbackTarget,
  TombstonedError,
  TransactionActiveError,
  valueTextAt,
} from "@frozendb/codec";
import {
  createFinder,
  FINDER_STRATEGIES,
  type Finder,
  type FinderStrategy,
  type RowSource,
} from "@frozendb/index";
import { type Transaction as LogTransaction, open as openLog, type TxLog } from "@frozendb/txlog";
import { type EntryRange, scanEntries } from "./entries.js";
import { type Entry, parseStored } from "./entry.js";
import { BatchTransaction, Transaction } from "./transaction.js";
import { Watcher, type WatchOptions } from "./watch.js";

/** How to open a database. */
export interface OpenOptions {
  /** `read` (no lock; sees other processes' commits) or `write` (one writer per file). Default `read`. */
  readonly mode?: "read" | "write";
  /**
   * How keys are found: `binary_search` (default; constant memory, logarithmic
   * lookups), `inmemory` (a key map built at open: fastest lookups, ~100 bytes
   * per row), or `simple` (constant memory, scans).
   */
  readonly finder?: FinderStrategy;
  /** fdatasync at every commit and rollback (default true). See `@frozendb/txlog`. */
  readonly sync?: boolean;
  /**
   * Read mode: follow other processes' commits with a file watcher (default
   * true). One-shot readers can turn it off; `refresh()` still looks.
   */
  readonly follow?: boolean;
  /**
   * Read committed rows through a read-only memory map of the file (default
   * true): a lookup then reads its row without a system call. Falls back to
   * `pread` where the optional `@frozendb/file-map` addon is missing; the
   * results are the same either way. Hazard: a file truncated under a running
   * reader by something other than frozenDB can end that reader with SIGBUS
   * (or, inside the last page, show it zeros: `CorruptDatabaseError`)
   * instead of a `ReadError`; set `false` where that may happen. See
   * `@frozendb/txlog`.
   */
  readonly mapReads?: boolean;
}

type Visibility = "committed" | "rolled_back" | "after_savepoint" | { uncommitted: Error };

/**
 * An open frozenDB file. Synchronous, like better-sqlite3: every call is
 * local file I/O served mostly from the page cache.
 */
export class Database {
  readonly #log: TxLog;
  readonly #finder: Finder;
  readonly #watchers = new Set<Watcher>();
  #wrapped: { log: LogTransaction; tx: Transaction } | undefined;

  /** @internal Use {@link open}. */
  constructor(log: TxLog, finder: Finder) {
    this.#log = log;
    this.#finder = finder;
  }

  /** The file's path. */
  get path(): string {
    return this.#log.path;
  }

  /** `read` or `write`. */
  get mode(): "read" | "write" {
    return this.#log.mode;
  }

  /** Bytes per row, fixed at create. */
  get rowSize(): number {
    return this.#log.rowSize;
  }

  /** Clock-skew window of the ordering rule, fixed at create. */
  get skewMs(): number {
    return this.#log.skewMs;
  }

  /** Largest key timestamp among the file's complete rows (0 if none). */
  maxTimestamp(): number {
    this.#checkOpen();
    return this.#finder.maxTimestamp();
  }

  /**
   * Starts a write transaction.
   * @throws {@link InvalidActionError} in read mode, or while a transaction is active.
   * @example
   * ```ts
   * const tx = db.begin(); tx.add(uuidv7(), { user: "ana", action: "login" }); tx.commit();
   * ```
   */
  begin(): Transaction {
    this.#checkOpen();
    return this.#wrap(this.#log.begin());
  }

  /** The transaction the file ends in (begun here, or recovered at open), or `null`. */
  get activeTransaction(): Transaction | null {
    this.#checkOpen();
    const tx = this.#log.activeTransaction;
    return tx === null ? null : this.#wrap(tx);
  }

  /**
   * Runs `fn(tx)` and writes every row it added as one committed transaction,
   * in one append, when it returns; writes nothing when it throws. Returns
   * what `fn` returns. `fn` must be synchronous.
   * @throws what `fn` throws; {@link InvalidActionError} in read mode, while
   *   a transaction is active, or when `fn` returns a promise; the checks of
   *   `add` (ordering, duplicates) for the rows as a whole.
   * @example
   * ```ts
   * db.transaction((tx) => { tx.add(uuidv7(), { step: 1 }); tx.add(uuidv7(), { step: 2 }); });
   * ```
   */
  transaction<T>(fn: (tx: BatchTransaction) => T): T {
    this.#checkOpen();
    if (this.#log.mode !== "write") {
      throw new InvalidActionError("cannot set writer on read-mode DBFile");
    }
    if (this.#log.activeTransaction !== null) {
      throw new InvalidActionError("active transaction already exists");
    }
    const batch = new BatchTransaction(this.#log.rowSize);
    const result = fn(batch);
    if (typeof (result as { then?: unknown } | null)?.then === "function") {
      throw new InvalidActionError(
        "transaction(fn) is synchronous: fn returned a promise, nothing was written; use begin() for work that awaits",
      );
    }
    // The batch's keys are its own copies, made at `add` and never changed.
    this.#log.appendTransaction(batch.take(), { trustedJson: true, ownedKeys: true });
    return result;
  }

  /**
   * The value committed under `key`, parsed from its stored JSON.
   * @throws {@link KeyNotFoundError} absent, rolled back, or only in the open
   *   transaction (then with a {@link TransactionActiveError} cause).
   * @throws {@link InvalidInputError} a malformed or Nil key.
   * @throws {@link InvalidDataError} the stored text is not JSON.
   */
  get(key: KeyInput): unknown {
    return parseStored(this.getRaw(key));
  }

  /**
   * The JSON text committed under `key`, exactly as stored (numbers beyond
   * 2^53 keep their digits).
   * @throws as {@link Database.get}.
   */
  getRaw(key: KeyInput): string {
    this.#checkOpen();
    const index = this.#committedIndex(key, true);
    // Checked in full, decoded straight to text: no row object on this path.
    const bytes = this.#log.readRowsTransient(index!, 1);
    const row = inspectRow(bytes, 0, this.#log.rowSize, index);
    if (row.type !== "data") {
      throw new CorruptDatabaseError("key row is not a data row", {
        offset: 64 + index! * this.#log.rowSize,
        rowIndex: index!,
      });
    }
    return valueTextAt(bytes, 0, row);
  }

  /** True when a committed value exists under `key`. */
  has(key: KeyInput): boolean {
    this.#checkOpen();
    return this.#committedIndex(key, false) !== undefined;
  }

  /**
   * The committed rows in file order, optionally from `from` (inclusive) to
   * `to` (exclusive), `Date`s or milliseconds. Uses the ordering rule to
   * start and stop near the range instead of reading the whole file.
   */
  entries(range?: EntryRange): IterableIterator<Entry> {
    this.#checkOpen();
    return scanEntries(this.#log, optionsObject(range, "range"));
  }

  /**
   * Follows the committed rows: yields each row as its transaction commits,
   * in file order — written through this handle or, in read mode, by another
   * process. With `from`, first replays the committed rows from that time.
   * Ends on `break` (or `return()`) and on `close()`.
   */
  watch(options?: WatchOptions): AsyncIterableIterator<Entry> {
    this.#checkOpen();
    const watcher = new Watcher(this.#log, optionsObject(options), () =>
      this.#watchers.delete(watcher),
    );
    this.#watchers.add(watcher);
    return watcher;
  }

  /**
   * Read mode: takes in the rows other processes committed since the last
   * look (the file watcher does this within milliseconds by itself).
   */
  refresh(): void {
    this.#checkOpen();
    this.#log.refresh();
  }

  /** Closes the file (and releases the writer lock); idempotent. Ends every `watch()`. */
  close(): void {
    if (this.#log.closed) return;
    for (const watcher of [...this.#watchers]) watcher.end();
    this.#finder.close();
    this.#log.close();
  }

  /** Same as {@link Database.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(): void {
    if (this.#log.closed) throw new TombstonedError("database is closed");
  }

  #wrap(tx: LogTransaction): Transaction {
    if (this.#wrapped?.log !== tx) this.#wrapped = { log: tx, tx: new Transaction(tx) };
    return this.#wrapped.tx;
  }

  /**
   * Row index of the first committed occurrence of `key`, or, when there is
   * none, undefined (`throwIfNone` false) or the error `get` reports.
   */
  #committedIndex(key: KeyInput, throwIfNone: boolean): number | undefined {
    // `get` asks for the first occurrence (which a scan finds without reading
    // further); `has` — the duplicate check of every `add`, usually for an
    // absent key — asks for all, which answers "none" without an exception.
    let first: number;
    if (throwIfNone) {
      first = this.#finder.getIndex(key);
    } else {
      const all = this.#finder.getIndices(key);
      if (all.length === 0) return undefined;
      first = all[0]!;
    }
    // The common case, known without reading the transaction's end row.
    if (this.#finder.isKnownCommitted(first)) return first;
    const visibility = this.#visibility(first);
    if (visibility === "committed") return first;
    // Rare: the first occurrence was rolled back (or is still open); a key
    // may be written again, so a later occurrence may be the committed one.
    for (const index of this.#finder.getIndices(key)) {
      if (index <= first) continue;
      if (this.#finder.isKnownCommitted(index) || this.#visibility(index) === "committed") {
        return index;
      }
    }
    if (!throwIfNone) return undefined;
    throw notFoundError(visibility);
  }

  /**
   * Whether the data row at `index` is committed (behaviour §7.1). The
   * transaction's end row decides; only a rollback to a savepoint needs the
   * rows in between.
   */
  #visibility(index: number): Visibility {
    let end: number;
    try {
      end = this.#finder.getTransactionEnd(index);
    } catch (error) {
      if (error instanceof TransactionActiveError) return { uncommitted: error };
      throw error;
    }
    const last = this.#endControls(end, end)[0]!;
    if (isCommit(last)) return "committed";
    const target = rollbackTarget(last) ?? 0;
    if (target === 0) return "rolled_back";
    const start = this.#finder.getTransactionStart(index);
    let savepoints = 0;
    for (const [rowIndex, control] of this.#indexed(start, this.#endControls(start, end))) {
      if (hasSavepoint(control) && ++savepoints === target) {
        return index <= rowIndex ? "committed" : "after_savepoint";
      }
    }
    throw new CorruptDatabaseError(`savepoint ${target} not found in transaction`, {
      offset: 64 + end * this.#log.rowSize,
      rowIndex: end,
    });
  }

  /** End controls of the data rows from `start` to `end` (checksum rows skipped). */
  #endControls(start: number, end: number): DataEndControl[] {
    const n = this.#log.rowSize;
    const bytes = this.#log.readRowsTransient(start, end - start + 1);
    const controls: DataEndControl[] = [];
    for (let i = start; i <= end; i++) {
      if (isChecksumIndex(i)) continue;
      const row = inspectRow(bytes, (i - start) * n, n, i);
      if (row.type !== "data") {
        throw new CorruptDatabaseError("transaction end row is not a DataRow or NullRow", {
          offset: 64 + i * n,
          rowIndex: i,
        });
      }
      controls.push(row.endControl as DataEndControl);
    }
    return controls;
  }

  *#indexed(start: number, controls: readonly EndControl[]): Generator<[number, EndControl]> {
    let i = start;
    for (const control of controls) {
      while (isChecksumIndex(i)) i++;
      yield [i, control];
      i++;
    }
  }
}

function notFoundError(visibility: Exclude<Visibility, "committed">): Error {
  if (visibility === "rolled_back") {
    return new KeyNotFoundError("key exists only in fully rolled back transaction");
  }
  if (visibility === "after_savepoint") {
    return new KeyNotFoundError(
      "key exists only after savepoint in partially rolled back transaction",
    );
  }
  return new KeyNotFoundError("key exists only in uncommitted transaction", {
    cause: visibility.uncommitted,
  });
}

/**
 * Opens the database file at `path`.
 * @throws {@link InvalidInputError} bad `mode`, `finder` or path.
 * @throws {@link PathError} the file does not exist or cannot be opened.
 * @throws {@link WriteError} write mode and another process holds the lock.
 * @throws {@link CorruptDatabaseError} the file is damaged (see `verify`, `recover`).
 * @example
 * ```ts
 * const db = open("audit.fdb", { mode: "write", finder: "binary_search" });
 * ```
 */
export function open(path: string, given?: OpenOptions): Database {
  const options = optionsObject(given);
  const strategy = options.finder ?? "binary_search";
  if (!FINDER_STRATEGIES.includes(strategy)) {
    throw new InvalidInputError(
      `Invalid finder strategy: "${String(strategy)}". Supported strategies: simple, inmemory, binary_search`,
    );
  }
  const mode = options.mode ?? "read";
  if (mode !== "read" && mode !== "write")
    throw new InvalidInputError("mode must be 'read' or 'write'");
  let db: Database | undefined;
  const log = openLog(path, {
    mode,
    ...(options.sync === undefined ? {} : { sync: options.sync }),
    ...(options.follow === undefined ? {} : { follow: options.follow }),
    ...(options.mapReads === undefined ? {} : { mapReads: options.mapReads }),
    // The duplicate check of `add`: is the key committed anywhere? Answered
    // by the finder, once it exists (nothing is added during open) — except
    // for `simple`, whose answer for an absent key is a scan of the whole
    // file: the log's own check reads only the skew window the key can be in.
    ...(strategy === "simple"
      ? {}
      : { isKeyCommitted: (key: Uint8Array) => db?.has(key) ?? false }),
  });
  try {
    db = new Database(log, createFinder(transientSource(log), strategy));
    return db;
  } catch (error) {
    log.close();
    throw error;
  }
}

/**
 * The log as the finder's row source, reading through the log's reused
 * buffer: finders use the bytes of a read before the next one, so no read
 * allocates (a fresh buffer per lookup costs more than the read itself).
 */
function transientSource(log: TxLog): RowSource {
  return {
    rowSize: log.rowSize,
    skewMs: log.skewMs,
    rowCount: () => log.rowCount(),
    readRows: (start, count) => log.readRowsTransient(start, count),
    subscribe: (listener) => log.subscribe(listener),
  };
}
