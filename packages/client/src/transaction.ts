/**
 * The client's transactions: {@link Transaction} appends call by call (the
 * original's on-disk order, resumable by another process);
 * {@link BatchTransaction} collects the rows of `db.transaction(fn)` and
 * hands them to the log as one append.
 */

import {
  InvalidActionError,
  InvalidInputError,
  isNullRowUuid,
  type KeyInput,
  KeySet,
  MAX_TRANSACTION_ROWS,
  maxValueLength,
  parseUuid,
  uuidV7Problem,
} from "@frozendb/codec";
import type { Transaction as LogTransaction, NewRow, TransactionState } from "@frozendb/txlog";
import { toJsonText } from "./json-value.js";

/** `JSON.stringify` output is JSON: the log need not parse it again (one object for every call). */
const STRINGIFIED = { trustedJson: true } as const;

/**
 * An open write transaction (from `db.begin()` or `db.activeTransaction`).
 *
 * 1. `add(key, value)` appends a row now; it becomes readable only when the
 *    transaction ends;
 * 2. `savepoint()` marks the last added row as savepoint 1, 2, … (at most 9);
 * 3. `commit()` ends it and every added row becomes readable;
 * 4. `rollback(0)` discards every row; `rollback(n)` keeps rows up to savepoint `n`;
 * 5. until then, `db.get()` of a key added here throws `KeyNotFoundError`
 *    (cause: `TransactionActiveError`).
 *
 * Every call is validated completely before a byte is written.
 */
export class Transaction {
  readonly #tx: LogTransaction;

  /** @internal Use `db.begin()`. */
  constructor(tx: LogTransaction) {
    this.#tx = tx;
  }

  /**
   * Appends `value` (stored as its `JSON.stringify` text) under `key`.
   * @throws {@link InvalidInputError} bad key, unrepresentable or oversize value, duplicate key, 101st row.
   * @throws {@link KeyOrderingError} key older than the skew window allows.
   * @throws {@link InvalidActionError} the transaction has ended, or read mode.
   * @throws {@link TombstonedError} the handle is closed or a write failed.
   */
  add(key: KeyInput, value: unknown): void {
    this.#tx.add(key, toJsonText(value), STRINGIFIED);
  }

  /**
   * Appends `json` (JSON text, or its UTF-8 bytes) exactly as given, after
   * checking it is one JSON document.
   * @throws as {@link Transaction.add}.
   */
  addRaw(key: KeyInput, json: string | Uint8Array): void {
    this.#tx.add(key, json);
  }

  /**
   * Makes the last added row the next savepoint (1 … 9).
   * @throws {@link InvalidActionError} empty transaction, a 10th savepoint, or one already on this row.
   */
  savepoint(): void {
    this.#tx.savepoint();
  }

  /**
   * Ends the transaction keeping only the rows up to savepoint `savepoint`
   * (0: none). Durable when it returns (unless opened with `sync: false`).
   * @throws {@link InvalidInputError} `savepoint` outside 0–9 or not created.
   */
  rollback(savepoint = 0): void {
    this.#tx.rollback(savepoint);
  }

  /**
   * Ends the transaction; its rows become readable. Durable when it returns
   * (unless opened with `sync: false`).
   * @throws {@link InvalidActionError} the transaction has ended.
   */
  commit(): void {
    this.#tx.commit();
  }

  /** `open`, `committed`, `rolled_back` or `tombstoned`. */
  get state(): TransactionState {
    return this.#tx.state;
  }

  /** Data rows so far, the one being written included. */
  get rowCount(): number {
    return this.#tx.rowCount;
  }

  /** Savepoints so far. */
  get savepointCount(): number {
    return this.#tx.savepointCount;
  }
}

/**
 * The transaction `db.transaction(fn)` hands to `fn`: rows are checked as
 * they are added and written together, as one committed transaction, when
 * `fn` returns. Nothing is written when `fn` throws.
 */
export class BatchTransaction {
  readonly #rowSize: number;
  readonly #rows: NewRow[] = [];
  readonly #keys = new KeySet();
  #open = true;

  /** @internal Use `db.transaction(fn)`. */
  constructor(rowSize: number) {
    this.#rowSize = rowSize;
  }

  /**
   * Adds `value` (stored as its `JSON.stringify` text) under `key`. The
   * ordering rule and committed duplicates are checked when the transaction
   * is written.
   * @throws {@link InvalidInputError} bad key, unrepresentable or oversize
   *   value, a key already in this transaction, a 101st row.
   */
  add(key: KeyInput, value: unknown): void {
    this.#push(key, toJsonText(value));
  }

  /**
   * Adds `json` exactly as given, after checking it is one JSON document.
   * @throws as {@link BatchTransaction.add}.
   */
  addRaw(key: KeyInput, json: string | Uint8Array): void {
    const text = jsonText(json);
    try {
      JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError("value must be valid JSON", { cause: error });
    }
    this.#push(key, text);
  }

  /** Rows added so far. */
  get rowCount(): number {
    return this.#rows.length;
  }

  #push(key: KeyInput, text: string): void {
    if (!this.#open) throw new InvalidActionError("the transaction of transaction(fn) has ended");
    let bytes: Uint8Array;
    try {
      bytes = parseUuid(key);
    } catch (error) {
      throw new InvalidInputError("invalid UUIDv7 key", { cause: error });
    }
    const problem = uuidV7Problem(bytes);
    if (problem !== undefined) {
      throw new InvalidInputError("invalid UUIDv7 key", { cause: new InvalidInputError(problem) });
    }
    if (isNullRowUuid(bytes)) {
      throw new InvalidInputError(
        "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
      );
    }
    if (this.#rows.length >= MAX_TRANSACTION_ROWS) {
      throw new InvalidInputError("transaction cannot contain more than 100 rows");
    }
    const length = Buffer.byteLength(text, "utf8");
    const max = maxValueLength(this.#rowSize);
    if (length > max) {
      throw new InvalidInputError(
        `payload size (${24 + length} bytes) exceeds ROW_SIZE (${this.#rowSize} bytes); maximum payload size is ${24 + max} bytes`,
      );
    }
    if (this.#keys.has(bytes)) throw new InvalidInputError("key already exists");
    this.#keys.add(bytes);
    this.#rows.push({ key: bytes, value: text });
  }

  /** @internal The rows to write; ends the transaction. */
  take(): NewRow[] {
    this.#open = false;
    return this.#rows;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a raw JSON value given as a string or as UTF-8 bytes. */
function jsonText(json: string | Uint8Array): string {
  if (typeof json === "string") return json;
  if (!(json instanceof Uint8Array)) {
    throw new InvalidInputError(`value must be JSON text or bytes, got ${typeof json}`);
  }
  try {
    return strictUtf8.decode(json);
  } catch (error) {
    throw new InvalidInputError("value must be valid UTF-8 text", { cause: error });
  }
}
