/**
 * The bytes one API call appends, built in memory first so that each call is
 * exactly one write: completions of rows, checksum rows that fall due, and
 * the head of a new row (file-format §10.6). It also records which rows the
 * call completes, for the checksum and for row notifications.
 */

/** A row completed by a write: its index and its full bytes. */
export interface CompletedRow {
  readonly index: number;
  readonly bytes: Uint8Array;
}

/** Appends to a growable byte buffer and records completed rows. */
export class WritePlan {
  #buffer: Uint8Array;
  #length = 0;
  readonly completed: CompletedRow[] = [];

  constructor(capacity = 512) {
    this.#buffer = new Uint8Array(capacity);
  }

  /** Bytes planned so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends `bytes` to the plan. */
  push(bytes: Uint8Array): void {
    this.#reserve(bytes.length).set(bytes);
  }

  #reserve(length: number): Uint8Array {
    const needed = this.#length + length;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    const region = this.#buffer.subarray(this.#length, needed);
    this.#length = needed;
    return region;
  }

  /** Records that the write completes row `index`, whose bytes are `bytes`. */
  complete(index: number, bytes: Uint8Array): void {
    this.completed.push({ index, bytes });
  }

  /** The planned bytes. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}
