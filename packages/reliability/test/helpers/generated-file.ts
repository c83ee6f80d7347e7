/**
 * Real database files built through the public API, with a byte-exact record
 * of what every call wrote: where each row slot starts, what kind of row it
 * is, which transaction it belongs to, and at which byte offset each
 * transaction became committed. With that record the prefix and corruption
 * tests know, for any prefix length L, exactly which key → value pairs a
 * reader must see — without asking the library.
 *
 * The files cover every row kind: committed data rows (call by call and
 * through `transaction(fn)`), rolled-back rows (fully and to a savepoint,
 * also a rollback row that carries its own savepoint), null rows (empty
 * commits and `rollback(0)` of an empty transaction), checksum rows (the
 * large file goes past 10,000 rows) and a tail holding an open transaction
 * whose last row is a partial row in state 1, 2 or 3.
 */

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  CHECKSUM_PERIOD,
  HEADER_SIZE,
  isChecksumIndex,
  uuidv7 as uuidv7AtMs,
} from "@frozendb/codec";
import { create, type Database, open, type Transaction, uuidv7 } from "frozendb";

/** A data row: one key and its stored JSON text. */
export interface DataSlot {
  readonly kind: "data";
  readonly index: number;
  /** Byte offset of the slot. */
  readonly start: number;
  readonly tx: number;
  readonly key: string;
  readonly json: string;
  /** UTF-8 bytes of `json`. */
  readonly valueLength: number;
  /** The row carries a savepoint (end control `S…`). */
  readonly savepoint: boolean;
}

/** A row slot of the file (the final partial row included). */
export type Slot =
  | { readonly kind: "checksum"; readonly index: number; readonly start: number }
  | { readonly kind: "null"; readonly index: number; readonly start: number; readonly tx: number }
  /** The file ends after `begin()` alone: a state-1 partial row (`1F 'T'`). */
  | {
      readonly kind: "started";
      readonly index: number;
      readonly start: number;
      readonly tx: number;
    }
  | DataSlot;

/** One transaction as the API calls made it. */
export interface TxRecord {
  readonly id: number;
  /** Byte offset where its first row slot starts (`begin` wrote `1F 'T'` there). */
  readonly start: number;
  /** Byte offset just after the row carrying its ending control; undefined while open. */
  readonly endedAt: number | undefined;
  readonly rows: readonly DataSlot[];
  /** How many of `rows` (from the first) are visible once it ended. */
  readonly kept: number;
}

/** A file and the record of how it was written. */
export interface GeneratedFile {
  readonly path: string;
  readonly rowSize: number;
  readonly bytes: Buffer;
  readonly slots: readonly Slot[];
  readonly transactions: readonly TxRecord[];
  /** Every key ever handed to `add`, committed or not, in call order (no repeats). */
  readonly keys: readonly string[];
}

/** A committed row as a reader must return it. */
export interface ExpectedEntry {
  readonly key: string;
  readonly json: string;
}

// ---------------------------------------------------------------- builder

interface MutableSlot {
  kind: "data";
  index: number;
  start: number;
  tx: number;
  key: string;
  json: string;
  valueLength: number;
  savepoint: boolean;
}

interface MutableTx {
  id: number;
  start: number;
  endedAt: number | undefined;
  rows: MutableSlot[];
  kept: number;
  /** Position in `rows` of the row carrying savepoint k + 1. */
  savepoints: number[];
}

/**
 * Drives a write handle and records what each call appended. Sizes are read
 * from the file after every call: the call-by-call path writes at once.
 */
export class FileBuilder {
  readonly path: string;
  readonly rowSize: number;
  readonly #db: Database;
  readonly #nextKey: () => string;
  readonly #txs: MutableTx[] = [];
  readonly #keys: string[] = [];
  readonly #seen = new Set<string>();
  #open: { tx: Transaction; record: MutableTx } | undefined;

  /** `nextKey` makes the keys (default: `uuidv7()` now, so all in one skew window). */
  constructor(path: string, rowSize: number, nextKey: () => string = uuidv7) {
    this.path = path;
    this.rowSize = rowSize;
    this.#nextKey = nextKey;
    const skewMs = 5000;
    create(path, { rowSize, skewMs });
    // No fdatasync: these files test formats, not durability.
    this.#db = open(path, { mode: "write", sync: false });
  }

  /** Data/null rows written so far plus checksum rows: complete slots of the file. */
  get completeRows(): number {
    return Math.floor((this.#size() - HEADER_SIZE) / this.rowSize);
  }

  begin(): this {
    const record = this.#newTx(this.#size());
    this.#open = { tx: this.#db.begin(), record };
    return this;
  }

  /** Adds `json` (a JSON text) with a new key (or `key`, to re-add a rolled-back one). */
  add(json: string, key: string = this.#nextKey()): this {
    const { tx, record } = this.#current();
    addTo(tx, key, json);
    const index = Math.floor((this.#size() - HEADER_SIZE) / this.rowSize);
    record.rows.push(this.#dataSlot(index, record.id, key, json));
    return this;
  }

  savepoint(): this {
    const { tx, record } = this.#current();
    tx.savepoint();
    record.rows.at(-1)!.savepoint = true;
    record.savepoints.push(record.rows.length - 1);
    return this;
  }

  commit(): this {
    const { tx, record } = this.#current();
    tx.commit();
    this.#ended(record, record.rows.length);
    return this;
  }

  rollback(savepoint = 0): this {
    const { tx, record } = this.#current();
    tx.rollback(savepoint);
    this.#ended(record, savepoint === 0 ? 0 : record.savepoints[savepoint - 1]! + 1);
    return this;
  }

  /** One committed transaction through `db.transaction(fn)` (no values: a null row). */
  batch(values: readonly string[]): this {
    const before = this.#size();
    const record = this.#newTx(before);
    const keys = values.map(() => this.#nextKey());
    this.#db.transaction((tx) => {
      values.forEach((json, i) => {
        addTo(tx, keys[i]!, json);
      });
    });
    let index = (before - HEADER_SIZE) / this.rowSize;
    values.forEach((json, i) => {
      if (isChecksumIndex(index)) index++;
      record.rows.push(this.#dataSlot(index, record.id, keys[i]!, json));
      index++;
    });
    this.#ended(record, record.rows.length);
    return this;
  }

  /** Keys added by the most recent transaction, in order. */
  lastTransactionKeys(): string[] {
    return (this.#txs.at(-1)?.rows ?? []).map((r) => r.key);
  }

  /** Closes the handle (an open transaction stays in the file) and returns the record. */
  finish(): GeneratedFile {
    this.#db.close();
    const bytes = readFileSync(this.path);
    return {
      path: this.path,
      rowSize: this.rowSize,
      bytes,
      slots: this.#slots(bytes.length),
      transactions: this.#txs.map((t) => ({
        id: t.id,
        start: t.start,
        endedAt: t.endedAt,
        rows: t.rows,
        kept: t.kept,
      })),
      keys: this.#keys,
    };
  }

  #size(): number {
    return statSync(this.path).size;
  }

  #current(): { tx: Transaction; record: MutableTx } {
    if (this.#open === undefined) throw new Error("FileBuilder: no transaction begun");
    return this.#open;
  }

  #newTx(start: number): MutableTx {
    const record: MutableTx = {
      id: this.#txs.length,
      start,
      endedAt: undefined,
      rows: [],
      kept: 0,
      savepoints: [],
    };
    this.#txs.push(record);
    return record;
  }

  #dataSlot(index: number, tx: number, key: string, json: string): MutableSlot {
    if (!this.#seen.has(key)) {
      this.#seen.add(key);
      this.#keys.push(key);
    }
    return {
      kind: "data",
      index,
      start: HEADER_SIZE + index * this.rowSize,
      tx,
      key,
      json,
      valueLength: Buffer.byteLength(json, "utf8"),
      savepoint: false,
    };
  }

  /**
   * The ending call wrote the ending row and, when it was the 10,000th of
   * its block, a checksum row after it: the transaction is committed at the
   * end of the ending row, whether or not the checksum row made it to disk.
   */
  #ended(record: MutableTx, kept: number): void {
    const size = this.#size();
    const lastSlot = (size - HEADER_SIZE) / this.rowSize - 1;
    record.endedAt = isChecksumIndex(lastSlot) ? size - this.rowSize : size;
    record.kept = kept;
    this.#open = undefined;
  }

  #slots(size: number): Slot[] {
    const n = this.rowSize;
    const count = Math.ceil((size - HEADER_SIZE) / n);
    const slots: (Slot | undefined)[] = new Array(count);
    for (let i = 0; i < count; i += CHECKSUM_PERIOD) {
      slots[i] = { kind: "checksum", index: i, start: HEADER_SIZE + i * n };
    }
    for (const tx of this.#txs) {
      for (const row of tx.rows) slots[row.index] = row;
      if (tx.rows.length > 0) continue;
      // No data row: a null row once ended, a bare `begin()` while open.
      const index = (tx.start - HEADER_SIZE) / n;
      const start = tx.start;
      slots[index] =
        tx.endedAt === undefined
          ? { kind: "started", index, start, tx: tx.id }
          : { kind: "null", index, start, tx: tx.id };
    }
    return slots.map((slot, i) => {
      if (slot === undefined) throw new Error(`FileBuilder: slot ${i} was not recorded`);
      return slot;
    });
  }
}

/** Adds through `add` when `json` is what JSON.stringify writes, else exactly through `addRaw`. */
function addTo(
  tx: { add(k: string, v: unknown): void; addRaw(k: string, j: string): void },
  key: string,
  json: string,
): void {
  const value: unknown = JSON.parse(json);
  if (JSON.stringify(value) === json) tx.add(key, value);
  else tx.addRaw(key, json);
}

// ---------------------------------------------------------------- values

/**
 * A JSON text for row `i`: objects, arrays, strings with multi-byte UTF-8,
 * raw newlines and tabs between tokens (stored bytes 0x0A inside a row),
 * numbers beyond 2^53, and the largest readable value (rowSize − 33 bytes,
 * leaving exactly two padding bytes).
 */
export function valueFor(i: number, rowSize: number): string {
  switch (i % 7) {
    case 0:
      return JSON.stringify({ n: i, user: "ana", action: "login" });
    case 1:
      return JSON.stringify(`héllo ✓ ${i} 🧊`);
    case 2:
      return `{"a":\n${i},\t"b": [1, 2]\n}`;
    case 3:
      return `[${i}, 12345678901234567890, true, null]`;
    case 4: {
      // The largest value a row can hold: padding of exactly two bytes.
      const filler = "x".repeat(rowSize - 33 - 2 - String(i).length);
      return `"${i}${filler}"`;
    }
    case 5:
      return String(i);
    default:
      return JSON.stringify({ i, tags: ["x", "y"], nested: { deep: [i] } });
  }
}

// ---------------------------------------------------------------- files

/** How the generated file ends: an open transaction whose last row is a partial row in this state. */
export type Ending = "state1" | "state2" | "state3";

/**
 * A few dozen rows of every kind, ending in an open transaction in `ending`.
 * Call-by-call transactions throughout mean that crash prefixes inside the
 * file also end in partial rows of all three states.
 */
export function buildSmallFile(dir: string, rowSize: number, ending: Ending): GeneratedFile {
  const b = new FileBuilder(join(dir, `small-${rowSize}-${ending}.fdb`), rowSize);
  let v = 0;
  const next = (): string => valueFor(v++, rowSize);
  // Committed call by call, then through transaction(fn).
  b.begin().add(next()).add(next()).commit();
  b.batch([next(), next(), next()]);
  // Null rows: an empty commit, an empty rollback(0), an empty transaction(fn).
  b.begin().commit();
  b.begin().rollback(0);
  b.batch([]);
  // Rolled back to a savepoint: T…SE, R…RE, R…R1 — only the first row stays.
  b.begin().add(next()).savepoint().add(next()).add(next()).rollback(1);
  // Rolled back fully; its first key is written again (and committed) below.
  b.begin().add(next()).add(next()).rollback(0);
  const rolledBack = b.lastTransactionKeys()[0]!;
  // A rollback row carrying its own savepoint: T…SE, R…S1 (savepoint 2 on it, back to 1).
  b.begin().add(next()).savepoint().add(next()).savepoint().rollback(1);
  // Rollback to the savepoint on the rollback row itself: T…RE, R…S1 — both stay.
  b.begin().add(next()).add(next()).savepoint().rollback(1);
  // A savepoint on the committing row: T…RE, R…SC.
  b.begin().add(next()).add(next()).savepoint().commit();
  // Re-adding a fully rolled-back key is allowed (decisions: duplicates).
  b.begin().add(next(), rolledBack).commit();
  b.batch([next(), next(), next(), next(), next(), next(), next()]);
  b.begin().add(next()).commit();
  // The open tail.
  b.begin();
  if (ending === "state2") b.add(next()).add(next()).savepoint().add(next()).add(next());
  if (ending === "state3") b.add(next()).add(next()).savepoint().add(next()).savepoint();
  return b.finish();
}

/** Rows written before the transactions that straddle the first later checksum row. */
const LARGE_BULK_ROWS = 9_990;

/**
 * A file past 10,000 data rows (so with a checksum row at index 10001), row
 * size 128: bulk batches of 100 rows, then call-by-call transactions around
 * the checksum row (which the writer appends eagerly, inside the open
 * transaction), then more batches, null rows and an open tail in state 2.
 */
export function buildLargeFile(dir: string, rowSize = 128): GeneratedFile {
  // Keys 50 ms apart, ending in the past: a skew window (5 s) holds about
  // 100 rows, as in a log written over hours rather than in one burst.
  let ms = Date.now() - 11_000 * 50 - 60_000;
  const nextKey = (): string => {
    ms += 50;
    return uuidv7AtMs({ msecs: ms });
  };
  const b = new FileBuilder(join(dir, `large-${rowSize}.fdb`), rowSize, nextKey);
  let v = 0;
  const next = (): string => valueFor(v++, rowSize);
  while (b.completeRows - 1 < LARGE_BULK_ROWS) {
    const rows = Math.min(100, LARGE_BULK_ROWS - (b.completeRows - 1));
    b.batch(Array.from({ length: rows }, next));
  }
  // Rows 9,991…: a committed transaction, one rolled back to a savepoint
  // whose rows contain the checksum row at 10001, a null row, then batches.
  b.begin().add(next()).add(next()).add(next()).commit();
  b.begin();
  for (let i = 0; i < 8; i++) b.add(next());
  b.savepoint().add(next()).add(next()).add(next()).rollback(1);
  b.begin().commit();
  b.batch(Array.from({ length: 40 }, next));
  b.begin().rollback(0);
  b.batch(Array.from({ length: 5 }, next));
  b.begin().add(next()).add(next()).savepoint().add(next());
  return b.finish();
}

// ---------------------------------------------------------------- expectations

/** Milliseconds carried by a canonical UUIDv7 text. */
export function keyTimestamp(key: string): number {
  return Number.parseInt(key.slice(0, 8) + key.slice(9, 13), 16);
}

/** The committed entries wholly inside the first `length` bytes, in file order. */
export function committedWithin(file: GeneratedFile, length: number): ExpectedEntry[] {
  const rows: DataSlot[] = [];
  for (const tx of file.transactions) {
    if (tx.endedAt === undefined || tx.endedAt > length) continue;
    rows.push(...tx.rows.slice(0, tx.kept));
  }
  rows.sort((a, b) => a.index - b.index);
  return rows.map((r) => ({ key: r.key, json: r.json }));
}

/** The slot the byte at `offset` (≥ 64) belongs to. */
export function slotAt(file: GeneratedFile, offset: number): Slot {
  return file.slots[Math.floor((offset - HEADER_SIZE) / file.rowSize)]!;
}

/**
 * What the bytes after the last complete row of a prefix are, by the rules of
 * file-format §11.1 and decisions OP-4, worked out from the record: nothing,
 * an exact partial-row state, or a torn write — with, for a torn one, how many
 * of its bytes `recover` keeps (the longest exact state it starts with).
 */
export type TailShape =
  | { readonly kind: "boundary" }
  | { readonly kind: "exact"; readonly state: 1 | 2 | 3 }
  | { readonly kind: "torn"; readonly length: number; readonly keep: number };

export function tailShape(file: GeneratedFile, length: number): TailShape {
  const n = file.rowSize;
  const t = (length - HEADER_SIZE) % n;
  if (t === 0) return { kind: "boundary" };
  const slot = slotAt(file, length - 1);
  const startsTransaction = slot.kind !== "checksum"; // 1F then T (or R in a batch)
  const isData = slot.kind === "data";
  const hasS = isData && slot.savepoint;
  if (t === 2 && startsTransaction) return { kind: "exact", state: 1 };
  if (t === n - 5 && isData) return { kind: "exact", state: 2 };
  if (t === n - 4 && hasS) return { kind: "exact", state: 3 };
  let keep = 0;
  if (hasS && t > n - 4) keep = n - 4;
  else if (isData && t > n - 5) keep = n - 5;
  else if (startsTransaction && t > 2) keep = 2;
  return { kind: "torn", length: t, keep };
}

/** The length a prefix has after `recover` (the torn bytes removed). */
export function recoveredLength(file: GeneratedFile, length: number): number {
  const shape = tailShape(file, length);
  return shape.kind === "torn" ? length - shape.length + shape.keep : length;
}

/**
 * For a prefix that ends on a row boundary or an exact partial-row state:
 * the transaction it ends in, if any (begun within the prefix, not ended
 * within it), with the rows whose key and value are in the prefix (complete
 * rows, and a partial row in state 2 or 3).
 */
export function openTransactionAt(
  file: GeneratedFile,
  length: number,
): { readonly tx: TxRecord; readonly rows: readonly DataSlot[] } | undefined {
  const n = file.rowSize;
  const tx = file.transactions.find(
    (t) => t.start + 2 <= length && (t.endedAt === undefined || t.endedAt > length),
  );
  if (tx === undefined) return undefined;
  return { tx, rows: tx.rows.filter((r) => r.start + n - 5 <= length) };
}
