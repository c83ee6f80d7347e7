/**
 * `db.watch()`: an async iterator over committed rows as their transactions
 * end, fed by the log's row notifications (this handle's writes, or in read
 * mode other processes' writes), after an optional replay of older rows.
 */

import {
  type DataEndControl,
  endsTransaction,
  formatUuid,
  inspectRow,
  isChecksumIndex,
  type Row,
  valueTextAt,
} from "@frozendb/codec";
import type { TxLog } from "@frozendb/txlog";
import { type EntryRange, scanEntries, toMs } from "./entries.js";
import { Entry } from "./entry.js";
import { committedPrefix } from "./transaction-outcome.js";

/** Options of `db.watch()`. */
export interface WatchOptions {
  /** First replay the committed rows from this time (`Date` or ms), then follow. */
  readonly from?: Date | number;
}

interface PendingRow {
  readonly endControl: DataEndControl;
  readonly entry: Entry;
}

/** @internal The iterator behind `db.watch()`. */
export class Watcher implements AsyncIterableIterator<Entry> {
  readonly #queue: Entry[] = [];
  readonly #onEnd: () => void;
  readonly #unsubscribe: () => void;
  readonly #unsubscribeErrors: () => void;
  readonly #log: TxLog;
  #release: (() => void) | undefined;
  #replay: Iterator<Entry> | undefined;
  #pending: PendingRow[] = [];
  // next() calls not yet answered, oldest first.
  readonly #waiting: Array<{
    resolve: (r: IteratorResult<Entry>) => void;
    reject: (e: unknown) => void;
  }> = [];
  #failure: unknown;
  #ended = false;

  constructor(log: TxLog, options: WatchOptions, onEnd: () => void) {
    this.#onEnd = onEnd;
    this.#log = log;
    const upTo = log.rowCount();
    this.#seedOpenTransaction(log, upTo);
    if (options.from !== undefined) {
      const range: EntryRange = { from: toMs(options.from, 0) };
      this.#replay = scanEntries(log, range, upTo);
    }
    this.#unsubscribe = log.subscribe((_, row) => this.#onRow(row));
    this.#unsubscribeErrors = log.onError((error) => this.#fail(error));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Entry> {
    return this;
  }

  next(): Promise<IteratorResult<Entry>> {
    if (this.#ended && this.#failure === undefined) {
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#replay !== undefined) {
      try {
        const r = this.#replay.next();
        if (!r.done) return Promise.resolve(r);
      } catch (error) {
        this.end();
        return Promise.reject(error);
      }
      this.#replay = undefined;
    }
    const entry = this.#waiting.length === 0 ? this.#queue.shift() : undefined;
    if (entry !== undefined) return Promise.resolve({ value: entry, done: false });
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      this.end();
      return Promise.reject(failure);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    // Waiting for rows another process may write: keep the process alive.
    this.#release ??= this.#log.keepAlive();
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
  }

  return(): Promise<IteratorResult<Entry>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops following; a pending `next()` resolves as done. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#replay = undefined;
    this.#queue.length = 0;
    this.#unsubscribe();
    this.#unsubscribeErrors();
    this.#onEnd();
    this.#letGo();
    for (const waiting of this.#waiting.splice(0))
      waiting.resolve({ value: undefined, done: true });
  }

  #onRow(row: Row): void {
    if (row.type === "checksum") return;
    if (row.type === "null") {
      this.#pending = [];
      return;
    }
    if (row.startControl === "T") this.#pending = [];
    // The row's bytes are only valid during this callback: take the text now.
    this.#pending.push({
      endControl: row.endControl,
      entry: new Entry(formatUuid(row.key), row.timestamp, row.valueText),
    });
    if (endsTransaction(row.endControl)) {
      const kept = committedPrefix(this.#pending.map((p) => p.endControl));
      for (let k = 0; k < kept; k++) this.#push(this.#pending[k]!.entry);
      this.#pending = [];
    }
  }

  #push(entry: Entry): void {
    const waiting = this.#replay === undefined ? this.#waiting.shift() : undefined;
    if (waiting === undefined) {
      this.#queue.push(entry);
      return;
    }
    if (this.#waiting.length === 0) this.#letGo();
    waiting.resolve({ value: entry, done: false });
  }

  #letGo(): void {
    this.#release?.();
    this.#release = undefined;
  }

  #fail(error: unknown): void {
    const waiting = this.#waiting.splice(0);
    if (waiting.length === 0) {
      this.#failure = error;
      return;
    }
    this.end();
    for (const w of waiting) w.reject(error);
  }

  /**
   * The rows of a transaction that is still open when watching starts were
   * completed before: read them so its end can be judged when it comes.
   */
  #seedOpenTransaction(log: TxLog, upTo: number): void {
    const n = log.rowSize;
    const first = Math.max(1, upTo - 101);
    if (upTo <= first) return;
    const bytes = log.readRows(first, upTo - first);
    const key = new Uint8Array(16);
    let pending: PendingRow[] = [];
    for (let i = first; i < upTo; i++) {
      if (isChecksumIndex(i)) continue;
      const offset = (i - first) * n;
      const row = inspectRow(bytes, offset, n, i, key);
      if (row.type !== "data") {
        pending = [];
        continue;
      }
      if (row.startControl === "T") pending = [];
      pending.push({
        endControl: row.endControl as DataEndControl,
        entry: new Entry(formatUuid(key), row.timestamp, valueTextAt(bytes, offset, row)),
      });
      if (endsTransaction(row.endControl)) pending = [];
    }
    this.#pending = pending;
  }
}
