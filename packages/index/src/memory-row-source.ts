/**
 * A {@link RowSource} over the bytes of a whole file held in memory: for
 * tests, for tools that already hold a file's bytes, and for browsers. It
 * follows the row emitter's contract (behaviour §9.2): rows are delivered in
 * index order, each to every subscriber before the next, and the delivered
 * count only advances once a whole append was delivered without error.
 */

import {
  completeRowCount,
  decodeHeader,
  HEADER_SIZE,
  InvalidInputError,
  type Row,
  readRowAt,
  verifyInitialChecksumRow,
} from "@frozendb/codec";
import type { RowListener, RowSource } from "./row-source.js";

interface Registration {
  readonly listener: RowListener;
}

/**
 * An in-memory v1 file that can grow by {@link MemoryRowSource.append}.
 *
 * @example
 * ```ts
 * const source = new MemoryRowSource(fileBytes);
 * const finder = new BinarySearchFinder(source);
 * source.append(moreRows); // the finder sees every completed row
 * ```
 */
export class MemoryRowSource implements RowSource {
  readonly rowSize: number;
  readonly skewMs: number;
  #buffer: Uint8Array;
  #length: number;
  #delivered: number;
  #registrations: Registration[] = [];

  /**
   * Takes a copy of `file` (header, rows and possibly an incomplete tail).
   * Rows already complete are history: subscribers only hear of rows
   * completed by later appends.
   * @throws {@link CorruptDatabaseError} when the header, or the initial
   *   checksum row when present, is invalid.
   */
  constructor(file: Uint8Array) {
    const header = decodeHeader(file);
    this.rowSize = header.rowSize;
    this.skewMs = header.skewMs;
    if (file.length >= HEADER_SIZE + header.rowSize) verifyInitialChecksumRow(file, header.rowSize);
    // Room for a few rows of appends; append() grows by doubling beyond that.
    this.#buffer = new Uint8Array(file.length + 16 * header.rowSize);
    this.#buffer.set(file);
    this.#length = file.length;
    this.#delivered = completeRowCount(file.length, header.rowSize);
  }

  /** Complete row slots, checksum rows included. */
  rowCount(): number {
    return completeRowCount(this.#length, this.rowSize);
  }

  /**
   * The bytes of rows `[start, start + count)`: a view into the source's
   * buffer, valid for ever (bytes are only ever appended) but not to be written.
   * @throws {@link InvalidInputError} ("read exceeds file size") for rows
   *   outside `[0, rowCount())` or non-integer arguments.
   */
  readRows(start: number, count: number): Uint8Array {
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > this.rowCount()
    ) {
      throw new InvalidInputError(
        `read exceeds file size: rows [${start}, ${start + count}) of ${this.rowCount()}`,
      );
    }
    const offset = HEADER_SIZE + start * this.rowSize;
    return this.#buffer.subarray(offset, offset + count * this.rowSize);
  }

  /**
   * Registers `listener` for rows completed from now on.
   * @returns a function that removes exactly this registration (idempotent).
   * @throws {@link InvalidInputError} ("callback cannot be nil") when
   *   `listener` is not a function.
   */
  subscribe(listener: RowListener): () => void {
    if (typeof listener !== "function") throw new InvalidInputError("callback cannot be nil");
    const registration: Registration = { listener };
    this.#registrations = [...this.#registrations, registration];
    return () => {
      // A fresh array, so a delivery in progress keeps its snapshot (§9.2).
      this.#registrations = this.#registrations.filter((r) => r !== registration);
    };
  }

  /** The whole file as it is now (a view; do not write to it). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * Appends `bytes` at the end of the file, then delivers every row that is
   * now complete and was not delivered yet.
   * @throws the first subscriber error, or {@link CorruptDatabaseError} for a
   *   completed row that does not decode; the rows of this call are then
   *   delivered again by the next append.
   */
  append(bytes: Uint8Array): void {
    const needed = this.#length + bytes.length;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#length);
    this.#length = needed;
    const complete = this.rowCount();
    const file = this.bytes();
    for (let index = this.#delivered; index < complete; index++) {
      const row = readRowAt(file, index, this.rowSize) as Row;
      for (const { listener } of this.#registrations) listener(index, row);
    }
    this.#delivered = complete;
  }
}
