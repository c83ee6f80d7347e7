/**
 * The `simple` strategy (behaviour §8.2): constant memory, a linear scan per
 * lookup. It keeps nothing but the confirmed size and, once asked for, the
 * max timestamp. Its scan reads many rows per call and compares the stored
 * key text, decoding only a row whose text matches.
 */

import { CHECKSUM_PERIOD, InvalidInputError, type Row, UUID_LENGTH } from "@frozendb/codec";
import { inspectRowChecked } from "./checked-row.js";
import { FinderBase } from "./finder-base.js";
import { compareKeys, KEY_TEXT_OFFSET, keyTextEquals } from "./key-text.js";
import { rowsPerRead, SCAN_READ_BYTES } from "./read-chunks.js";
import type { RowSource } from "./row-source.js";
import type { SearchKey } from "./search-key.js";
import { tailMaxTimestamp } from "./tail-max-timestamp.js";
import { walkTransactionEnd, walkTransactionStart } from "./transaction-walk.js";

/** Options of {@link SimpleFinder}. */
export interface SimpleFinderOptions {
  /** Bytes per read while scanning (default 1 MiB; at least one row is read at a time). */
  readonly readBytes?: number;
}

/**
 * Finder that scans the file for every lookup. Creating it reads nothing.
 *
 * @example
 * ```ts
 * const finder = new SimpleFinder(source);
 * const row = finder.getIndex("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b");
 * ```
 */
export class SimpleFinder extends FinderBase {
  readonly #rowsPerRead: number;
  readonly #matched = new Uint8Array(UUID_LENGTH);
  #max: number | undefined;

  /**
   * @throws {@link InvalidInputError} when `readBytes` is not a positive integer.
   */
  constructor(source: RowSource, options: SimpleFinderOptions = {}) {
    super(source);
    const readBytes = options.readBytes ?? SCAN_READ_BYTES;
    if (!Number.isInteger(readBytes) || readBytes < 1) {
      throw new InvalidInputError(`readBytes must be a positive integer, got ${readBytes}`);
    }
    this.#rowsPerRead = rowsPerRead(this.rowSize, readBytes);
    this.subscribe();
  }

  maxTimestamp(): number {
    this.#max ??= tailMaxTimestamp(this.source, this.rowCount());
    return this.#max;
  }

  memoryBytes(): number {
    return 0;
  }

  protected findFirst(key: SearchKey): number {
    let found = -1;
    this.#scan(key, (index) => {
      found = index;
      return true;
    });
    return found;
  }

  protected findAll(key: SearchKey): number[] {
    const found: number[] = [];
    this.#scan(key, (index) => {
      found.push(index);
      return false;
    });
    return found;
  }

  protected transactionStart(index: number): number {
    return walkTransactionStart(this.source, index);
  }

  protected transactionEnd(index: number): number {
    return walkTransactionEnd(this.source, index, this.rowCount());
  }

  protected accept(_index: number, row: Row): void {
    if (this.#max !== undefined && row.type !== "checksum" && row.timestamp > this.#max) {
      this.#max = row.timestamp;
    }
  }

  /** Calls `onMatch` for each data row carrying `key`, in file order, until it returns true. */
  #scan(key: SearchKey, onMatch: (index: number) => boolean): void {
    const { rowSize } = this;
    const total = this.rowCount();
    const text = key.text;
    for (let first = 1; first < total; first += this.#rowsPerRead) {
      const count = Math.min(this.#rowsPerRead, total - first);
      const bytes = this.source.readRows(first, count);
      // Checksum rows sit at multiples of 10001; track the next one instead
      // of a modulo per row.
      let nextChecksum = Math.ceil(first / CHECKSUM_PERIOD) * CHECKSUM_PERIOD;
      for (let r = 0; r < count; r++) {
        const index = first + r;
        if (index === nextChecksum) {
          nextChecksum += CHECKSUM_PERIOD;
          continue;
        }
        const offset = r * rowSize;
        if (!keyTextEquals(bytes, offset + KEY_TEXT_OFFSET, text)) continue;
        const row = inspectRowChecked(bytes, offset, rowSize, index, this.#matched);
        if (row.type === "data" && compareKeys(this.#matched, 0, key.bytes, 0) === 0) {
          if (onMatch(index)) return;
        }
      }
    }
  }
}
