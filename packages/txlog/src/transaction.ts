/**
 * The write transaction (behaviour §5, file-format §10): begin, add,
 * savepoint, rollback, commit. Every call validates everything first, then
 * appends exactly the bytes the original appends for it, in one write, so
 * another process sees the same partial-row states and a transaction begun
 * in one process can be finished in another.
 */

import {
  completionControl,
  type DataEndControl,
  encodeValueInto,
  hasSavepoint,
  InvalidActionError,
  InvalidInputError,
  isChecksumIndex,
  isNullRowUuid,
  type KeyInput,
  KeyOrderingError,
  KeySet,
  MAX_SAVEPOINTS,
  MAX_TRANSACTION_ROWS,
  parseUuid,
  SAVEPOINT_MARK,
  TombstonedError,
  UUID_LENGTH,
  uuidTimestamp,
  uuidV7Problem,
  VALUE_OFFSET,
  writeDataRowFrame,
  writeDataRowHead,
  writeNullRow,
  writeRowEnd,
} from "@frozendb/codec";
import type { OpenTransactionState } from "./recovery.js";
import { RowBuffer } from "./row-buffer.js";
import type { WritePlan, WrittenDataRow } from "./write-plan.js";

/** A value as handed to `add`: JSON text, or its UTF-8 bytes. */
export type ValueInput = string | Uint8Array;

/** Options of {@link Transaction.add}. */
export interface AddOptions {
  /**
   * The value is known to be valid JSON (e.g. `JSON.stringify` output), so
   * the JSON check can be skipped. Size, UTF-8 and `0x00` are still checked.
   */
  readonly trustedJson?: boolean;
  /**
   * Keys given as 16-byte `Uint8Array`s were made for this call and will
   * never change, so the log keeps them as they are instead of copying each
   * (they are still validated). Used by the client's `transaction(fn)`.
   */
  readonly ownedKeys?: boolean;
}

/** Where a transaction stands. */
export type TransactionState = "open" | "committed" | "rolled_back" | "tombstoned";

/** What a transaction needs from the log that owns it. */
export interface TransactionHost {
  readonly rowSize: number;
  readonly skewMs: number;
  /** Throws `tombstoned: file manager is closed` after close. */
  checkOpen(): void;
  /** Complete row slots in the file, checksum rows included. */
  completeRowCount(): number;
  /** Largest timestamp among complete data and null rows. */
  maxTimestamp(): number;
  /** Whether `key` is committed in the file. */
  isKeyCommitted(key: Uint8Array, timestamp: number): boolean;
  /**
   * The checksum row closing the block whose last rows are the rows `plan`
   * completes (not yet on disk); it will start at byte `plan.length`.
   */
  checksumRow(plan: WritePlan): Uint8Array;
  /** The log's reusable write plan, emptied. */
  plan(): WritePlan;
  /** Appends the plan, notifies subscribers, syncs when `durable`. */
  commitWrite(plan: WritePlan, durable: boolean): void;
  /** Called once when the transaction ends or is tombstoned. */
  transactionEnded(transaction: Transaction): void;
}

/**
 * The row being written: nothing yet, `1F T|R` only, or head (+ `S`) —
 * then the {@link RowBuffer} holding it (no object per call).
 */
type Pending =
  | { readonly kind: "none" }
  | { readonly kind: "started"; readonly startControl: "T" | "R" }
  | RowBuffer;

const NO_ROW: Pending = Object.freeze({ kind: "none" });
const STARTED: Record<"T" | "R", Pending> = {
  T: Object.freeze({ kind: "started", startControl: "T" }),
  R: Object.freeze({ kind: "started", startControl: "R" }),
};

/** One row for {@link TxLog.appendTransaction} and {@link Transaction.add}. */
export interface NewRow {
  readonly key: KeyInput;
  readonly value: ValueInput;
}

/** A row that passed every check of `add`; its value is already in the target row. */
export interface CheckedRow extends WrittenDataRow {
  readonly timestamp: number;
}

/** Where {@link checkRow} can put what it found instead of a new object. */
interface CheckedRowRecord {
  key: Uint8Array;
  timestamp: number;
  valueLength: number;
  ascii: boolean;
}

/**
 * Runs the checks of behaviour §5.2 that concern the row itself, in order
 * (key, empty value, row limit, ordering, null-row key, size/JSON,
 * duplicates), against a transaction holding `rowsSoFar` rows whose keys are
 * `keys` and whose largest timestamp with the file's is `maxTimestamp`. The
 * value is encoded straight into `target` at `rowOffset + 26` (an in-memory
 * row; nothing reaches the file before every check has passed). What it
 * found goes into `out` when given (a reused record), else a new object.
 */
export function checkRow(
  host: TransactionHost,
  given: KeyInput | undefined,
  value: ValueInput | undefined,
  rowsSoFar: number,
  keys: KeySet,
  maxTimestamp: number,
  target: Uint8Array,
  rowOffset: number,
  options: AddOptions = NO_OPTIONS,
  out?: CheckedRowRecord,
): CheckedRow {
  let key: Uint8Array;
  try {
    key =
      options.ownedKeys === true && given instanceof Uint8Array && given.length === UUID_LENGTH
        ? given
        : parseUuid(given as KeyInput);
  } catch (error) {
    throw new InvalidInputError("invalid UUIDv7 key", { cause: error });
  }
  const problem = uuidV7Problem(key);
  if (problem !== undefined) {
    throw new InvalidInputError("invalid UUIDv7 key", { cause: new InvalidInputError(problem) });
  }
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    throw new InvalidInputError(`value must be JSON text or bytes, got ${typeof value}`);
  }
  if (value.length === 0) throw new InvalidInputError("value cannot be empty");
  if (rowsSoFar >= MAX_TRANSACTION_ROWS) {
    throw new InvalidInputError("transaction cannot contain more than 100 rows");
  }
  const timestamp = uuidTimestamp(key);
  if (!(timestamp + host.skewMs > maxTimestamp)) {
    throw new KeyOrderingError(
      "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
    );
  }
  if (isNullRowUuid(key)) {
    throw new InvalidInputError(
      "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
    );
  }
  const valueLength = encodeValueInto(
    value,
    target,
    rowOffset + VALUE_OFFSET,
    host.rowSize,
    options.trustedJson === true ? TRUSTED_JSON : CHECKED_JSON,
  );
  if (keys.has(key) || host.isKeyCommitted(key, timestamp)) {
    throw new InvalidInputError("key already exists");
  }
  // One UTF-8 byte per UTF-16 unit: every character was ASCII.
  const ascii = typeof value === "string" && valueLength === value.length;
  if (out === undefined) return { key, timestamp, valueLength, ascii };
  out.key = key;
  out.timestamp = timestamp;
  out.valueLength = valueLength;
  out.ascii = ascii;
  return out;
}

const NO_OPTIONS: AddOptions = Object.freeze({});
const TRUSTED_JSON = Object.freeze({ validateJson: false });
const CHECKED_JSON = Object.freeze({ validateJson: true });

/**
 * An open write transaction. Obtain one from `TxLog.begin()` or, after a
 * reopen, `TxLog.activeTransaction`.
 *
 * 1. `add` appends a row; it becomes readable only when the transaction ends;
 * 2. `savepoint` marks the last added row as savepoint 1, 2, … (at most 9);
 * 3. `commit` ends it and every added row becomes readable;
 * 4. `rollback(0)` discards every row; `rollback(n)` keeps the rows up to
 *    savepoint `n`;
 * 5. an empty transaction ends as a null row either way.
 *
 * Every call is validated completely before a byte is written: a rejected
 * call leaves the file and the transaction as they were.
 */
export class Transaction {
  readonly #host: TransactionHost;
  readonly #readOnly: boolean;
  /** Complete data rows of this transaction (the row being written not included). */
  #completedRows = 0;
  readonly #keys = new KeySet();
  #pending: Pending;
  // Two row buffers, used in turn: the row being completed by a call and the
  // row that call starts must not share one.
  readonly #buffers: [RowBuffer, RowBuffer];
  #nextBuffer = 0;
  #savepoints = 0;
  #maxTimestamp = 0;
  #state: TransactionState = "open";

  /** @internal Use `TxLog.begin()`. */
  constructor(host: TransactionHost, readOnly: boolean, recovered?: OpenTransactionState) {
    this.#host = host;
    this.#readOnly = readOnly;
    this.#pending = STARTED.T;
    // Views of one ArrayBuffer: the parity code keeps a word view per
    // buffer, and two buffers used in turn would make it a new one per row.
    const both = new ArrayBuffer(2 * host.rowSize);
    this.#buffers = [
      new RowBuffer(both, 0, host.rowSize),
      new RowBuffer(both, host.rowSize, host.rowSize),
    ];
    if (recovered !== undefined) this.#restore(recovered);
  }

  #restore(state: OpenTransactionState): void {
    const n = this.#host.rowSize;
    for (const row of state.rows) {
      this.#recordCompleted(row.endControl);
      this.#keys.add(row.key);
      this.#maxTimestamp = Math.max(this.#maxTimestamp, row.timestamp);
    }
    const partial = state.partial;
    if (partial === undefined) {
      this.#pending = NO_ROW;
    } else if (partial.state === 1) {
      this.#pending = STARTED[partial.startControl];
    } else {
      // Rebuild the whole row buffer so that completing it computes the
      // parity over exactly the bytes already on disk.
      const row = this.#takeBuffer();
      writeDataRowHead(row.bytes, 0, n, partial.startControl, partial.key, partial.value);
      row.key = partial.key;
      row.timestamp = partial.timestamp;
      row.valueLength = partial.value.length;
      row.ascii = false;
      row.savepoint = partial.state === 3;
      this.#pending = row;
      this.#keys.add(partial.key);
      this.#maxTimestamp = Math.max(this.#maxTimestamp, partial.timestamp);
    }
  }

  /** `open` until `commit`/`rollback`; `tombstoned` after a failed write. */
  get state(): TransactionState {
    return this.#state;
  }

  /** Data rows in the transaction, the row being written included. */
  get rowCount(): number {
    return this.#completedRows + (this.#pending.kind === "payload" ? 1 : 0);
  }

  /** Savepoints created so far, a pending one on the current row included. */
  get savepointCount(): number {
    return this.#savepoints + (this.#pending.kind === "payload" && this.#pending.savepoint ? 1 : 0);
  }

  /** True when the transaction cannot be written through this handle (read mode). */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /**
   * Appends a row. The key must be a UUIDv7 (text or 16 bytes) not already
   * committed or in this transaction, within the skew window of the newest
   * row; the value is JSON text (or its bytes) of at most `rowSize − 33` bytes.
   * @throws {@link TombstonedError} after a failed write or close.
   * @throws {@link InvalidActionError} when the transaction has ended, or read mode.
   * @throws {@link InvalidInputError} for a bad key or value, a duplicate key, a 101st row.
   * @throws {@link KeyOrderingError} for a key older than the skew window allows.
   */
  add(key: KeyInput, value: ValueInput, options?: AddOptions): void {
    this.#checkActive("AddRow() cannot be called on committed transaction");
    const max = Math.max(this.#host.maxTimestamp(), this.#maxTimestamp);
    const target = this.#buffers[this.#nextBuffer]!;
    const buf = target.bytes;
    const rows = this.rowCount;
    const row = checkRow(this.#host, key, value, rows, this.#keys, max, buf, 0, options, target);
    const n = this.#host.rowSize;
    const plan = this.#host.plan();
    const pending = this.#pending;
    let completedEnd: DataEndControl | undefined;
    if (pending.kind === "started") {
      writeDataRowFrame(buf, 0, n, pending.startControl, row.key, row.valueLength);
      plan.push(target.headAfterBegin);
    } else {
      if (pending.kind === "payload")
        completedEnd = this.#planCompletion(plan, pending, "continue");
      writeDataRowFrame(buf, 0, n, "R", row.key, row.valueLength);
      plan.push(target.head);
    }
    this.#write(plan, false);
    this.#nextBuffer ^= 1;
    if (completedEnd !== undefined) this.#recordCompleted(completedEnd);
    target.savepoint = false;
    this.#pending = target;
    this.#keys.add(row.key);
    this.#maxTimestamp = Math.max(this.#maxTimestamp, row.timestamp);
  }

  #takeBuffer(): RowBuffer {
    const row = this.#buffers[this.#nextBuffer]!;
    this.#nextBuffer ^= 1;
    return row;
  }

  /**
   * Makes the last added row savepoint number `savepointCount + 1`.
   * @throws {@link InvalidActionError} for an empty transaction, a 10th
   *   savepoint, or a second savepoint on the same row.
   */
  savepoint(): void {
    this.#checkActive("Savepoint() cannot be called on committed transaction");
    if (this.rowCount === 0) throw new InvalidActionError("cannot savepoint empty transaction");
    if (this.#savepoints >= MAX_SAVEPOINTS) {
      throw new InvalidActionError("transaction cannot have more than 9 savepoints");
    }
    const pending = this.#pending;
    if (pending.kind !== "payload" || pending.savepoint) {
      throw new InvalidActionError("failed to create savepoint", {
        cause: new InvalidActionError(
          "Savepoint() can only be called from PartialDataRowWithPayload",
        ),
      });
    }
    const plan = this.#host.plan();
    plan.pushByte(SAVEPOINT_MARK);
    this.#write(plan, false);
    pending.bytes[this.#host.rowSize - 5] = SAVEPOINT_MARK;
    pending.savepoint = true;
  }

  /**
   * Ends the transaction keeping only the rows up to savepoint `savepoint`
   * (0, the default: none). An empty transaction becomes a null row.
   * Synced to disk before returning unless the log was opened with `sync: false`.
   * @throws {@link InvalidInputError} `savepoint` outside 0–9 or not created.
   * @throws {@link InvalidActionError} when the transaction has ended.
   */
  rollback(savepoint = 0): void {
    this.#checkActive("Rollback() cannot be called on committed transaction");
    if (!Number.isInteger(savepoint) || savepoint < 0 || savepoint > MAX_SAVEPOINTS) {
      throw new InvalidInputError("savepointId must be between 0 and 9");
    }
    if (savepoint > this.savepointCount) {
      throw new InvalidInputError("rollback target savepoint does not exist");
    }
    this.#end({ rollbackTo: savepoint }, "failed to finalize last row for rollback");
    this.#state = "rolled_back";
    this.#host.transactionEnded(this);
  }

  /**
   * Ends the transaction; every added row becomes readable. An empty
   * transaction becomes a null row. Synced to disk before returning unless
   * the log was opened with `sync: false`.
   * @throws {@link InvalidActionError} when the transaction has ended.
   */
  commit(): void {
    this.#checkActive("Commit() requires an active transaction (call Begin() first)");
    this.#end("commit", "Commit() requires PartialDataRow with payload");
    this.#state = "committed";
    this.#host.transactionEnded(this);
  }

  #end(action: "commit" | { rollbackTo: number }, noRowMessage: string): void {
    const pending = this.#pending;
    const plan = this.#host.plan();
    let completedEnd: DataEndControl | undefined;
    if (pending.kind === "payload") {
      completedEnd = this.#planCompletion(plan, pending, action);
    } else if (
      pending.kind === "started" &&
      pending.startControl === "T" &&
      this.#completedRows === 0
    ) {
      this.#planNullRow(plan);
    } else {
      // A recovered `1F R` (a torn write) or a tail ending RE/SE: no row can
      // carry the end control until `add` starts one.
      throw new InvalidActionError(noRowMessage);
    }
    this.#write(plan, true);
    if (completedEnd !== undefined) this.#recordCompleted(completedEnd);
    this.#pending = NO_ROW;
  }

  /** Plans the end of `row`, the current row (and a checksum row if one falls due); returns its end control. */
  #planCompletion(
    plan: WritePlan,
    row: RowBuffer,
    action: "continue" | "commit" | { rollbackTo: number },
  ): DataEndControl {
    const n = this.#host.rowSize;
    const endControl = completionControl(action, row.savepoint);
    writeRowEnd(row.bytes, 0, n, endControl);
    plan.push(row.savepoint ? row.endAfterSavepoint : row.end);
    const index = this.#host.completeRowCount();
    plan.complete(index, row.bytes, 0, row.timestamp, row);
    this.#planChecksumIfDue(plan, index);
    return endControl;
  }

  #planNullRow(plan: WritePlan): void {
    const n = this.#host.rowSize;
    const row = this.#takeBuffer();
    const timestamp = this.#host.maxTimestamp();
    writeNullRow(row.bytes, 0, n, timestamp);
    plan.push(row.afterBegin);
    const index = this.#host.completeRowCount();
    plan.complete(index, row.bytes, 0, timestamp);
    this.#planChecksumIfDue(plan, index);
  }

  #planChecksumIfDue(plan: WritePlan, completedIndex: number): void {
    if (!isChecksumIndex(completedIndex + 1)) return;
    const row = this.#host.checksumRow(plan);
    plan.markChecksumRow(plan.length);
    plan.push(row);
    plan.complete(completedIndex + 1, row, 0, undefined);
  }

  #recordCompleted(endControl: DataEndControl): void {
    this.#completedRows++;
    if (hasSavepoint(endControl)) this.#savepoints++;
  }

  #write(plan: WritePlan, durable: boolean): void {
    try {
      this.#host.commitWrite(plan, durable);
    } catch (error) {
      this.#state = "tombstoned";
      this.#host.transactionEnded(this);
      throw error;
    }
  }

  #checkActive(endedMessage: string): void {
    if (this.#state === "tombstoned") {
      throw new TombstonedError("transaction is tombstoned due to write failure");
    }
    this.#host.checkOpen();
    if (this.#state !== "open") throw new InvalidActionError(endedMessage);
    if (this.#readOnly) throw new InvalidActionError("cannot set writer on read-mode DBFile");
  }
}
