/**
 * What the three strategies share: confirmed size, validation, notification
 * checks and tombstoning. Each public method validates, then calls its
 * strategy's protected twin (the abstract-level pattern), so validation order
 * and error text cannot drift between strategies.
 */

import {
  InvalidInputError,
  isChecksumIndex,
  type KeyInput,
  type Row,
  TombstonedError,
} from "@frozendb/codec";
import { checkPlacement } from "./checked-row.js";
import type { Finder } from "./finder.js";
import type { RowSource } from "./row-source.js";
import { keyNotFound, SearchKey } from "./search-key.js";

/** Base class of the strategies; not exported from the package. */
export abstract class FinderBase implements Finder {
  protected readonly source: RowSource;
  protected readonly rowSize: number;
  protected readonly skewMs: number;
  #total: number;
  #tombstone: TombstonedError | undefined;
  #closed = false;
  #unsubscribe: (() => void) | undefined;
  /** The key of the lookup in progress, reused by every lookup. */
  readonly #searchKey = new SearchKey();

  constructor(source: RowSource) {
    this.source = source;
    this.rowSize = source.rowSize;
    this.skewMs = source.skewMs;
    // One size, captured once, and the subscription taken in the same
    // synchronous step: no row can complete in between (behaviour §10 race).
    this.#total = source.rowCount();
  }

  /** Starts listening; called by each strategy once its own state is built. */
  protected subscribe(): void {
    this.#unsubscribe = this.source.subscribe((index, row) => this.onRowAdded(index, row));
  }

  getIndex(key: KeyInput): number {
    this.#checkUsable();
    const searchKey = this.#searchKey.load(key);
    if (searchKey.nullRow) throw keyNotFound(searchKey);
    const index = this.findFirst(searchKey);
    if (index < 0) throw keyNotFound(searchKey);
    return index;
  }

  getIndices(key: KeyInput): number[] {
    this.#checkUsable();
    const searchKey = this.#searchKey.load(key);
    if (searchKey.nullRow) return [];
    return this.findAll(searchKey);
  }

  getTransactionStart(index: number): number {
    this.#checkUsable();
    this.#checkIndex(index);
    return this.transactionStart(index);
  }

  getTransactionEnd(index: number): number {
    this.#checkUsable();
    this.#checkIndex(index);
    return this.transactionEnd(index);
  }

  isKnownCommitted(index: number): boolean {
    this.#checkUsable();
    this.#checkIndex(index);
    return this.knownCommitted(index);
  }

  rowCount(): number {
    return this.#total;
  }

  onRowAdded(index: number, row: Row): void {
    if (this.#tombstone !== undefined) throw this.#tombstone;
    if (this.#closed) throw new TombstonedError("finder is closed");
    if (row === undefined || row === null) throw new InvalidInputError("row cannot be nil");
    const expected = this.#total;
    if (index !== expected) {
      this.#fail(
        new InvalidInputError(
          Number.isInteger(index) && index > expected
            ? `row index ${index} skips positions (expected ${expected})`
            : `row index ${index} does not match expected position ${expected} (existing data)`,
        ),
      );
    }
    try {
      checkPlacement(row, index, this.rowSize);
      this.accept(index, row);
    } catch (error) {
      this.#fail(error);
    }
    this.#total = index + 1;
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  abstract maxTimestamp(): number;
  abstract memoryBytes(): number;

  /** Row index of the first data row carrying `key`, or -1. */
  protected abstract findFirst(key: SearchKey): number;
  /** Row indices of every data row carrying `key`, in file order. */
  protected abstract findAll(key: SearchKey): number[];
  /** {@link Finder.getTransactionStart} for a validated, non-checksum index. */
  protected abstract transactionStart(index: number): number;
  /** {@link Finder.getTransactionEnd} for a validated, non-checksum index. */
  protected abstract transactionEnd(index: number): number;
  /** {@link Finder.isKnownCommitted} for a validated, non-checksum index; by default "not known". */
  protected knownCommitted(_index: number): boolean {
    return false;
  }
  /** Takes in row `index` (== rowCount(), placement already checked). */
  protected abstract accept(index: number, row: Row): void;

  #fail(error: unknown): never {
    // The first failure is the one reported for ever: later lookups must not
    // answer from a view that missed or doubled a row.
    this.#tombstone = new TombstonedError("finder tombstoned due to onRowAdded error", {
      cause: error,
    });
    throw error;
  }

  #checkUsable(): void {
    if (this.#tombstone !== undefined) throw this.#tombstone;
    if (this.#closed) throw new TombstonedError("finder is closed");
  }

  #checkIndex(index: number): void {
    if (typeof index !== "number" || !Number.isInteger(index)) {
      throw new InvalidInputError(`index must be an integer, got ${String(index)}`);
    }
    if (index < 0) throw new InvalidInputError("index cannot be negative");
    if (index >= this.#total) {
      throw new InvalidInputError(`index ${index} out of bounds (total rows: ${this.#total})`);
    }
    if (isChecksumIndex(index)) throw new InvalidInputError("index points to checksum row");
  }
}
