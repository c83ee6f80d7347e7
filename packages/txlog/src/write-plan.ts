/**
 * The bytes one API call appends, built in memory first so that each call is
 * exactly one write: completions of rows, checksum rows that fall due, and
 * the head of a new row (file-format §10.6). It also records which rows the
 * call completes, for the checksum and for row notifications.
 *
 * One plan per log, reused by every call, its completed-row records
 * included: a call's bytes are written and its rows delivered before the
 * next call starts, and every object a call allocates costs it fresh cache
 * lines right after its `write(2)` (on this VM about 0.35 µs per KB).
 */

/**
 * A row completed by a write: its index, where its full bytes are (in the
 * plan's or a transaction's buffer; a view per row would be one more object
 * for every row written) and (data/null rows) its timestamp. Valid until the
 * plan's next {@link WritePlan.reset}, which reuses it.
 */
export interface CompletedRow {
  readonly index: number;
  /** The buffer holding the row, at {@link CompletedRow.offset}. */
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly timestamp: number | undefined;
  /** A data row's fields as the writer built it (subscribers get them without a decode). */
  readonly data: WrittenDataRow | undefined;
}

/** A {@link CompletedRow} record the plan refills. */
interface CompletedRecord {
  index: number;
  bytes: Uint8Array;
  offset: number;
  timestamp: number | undefined;
  data: WrittenDataRow | undefined;
}

/** What the writer knows of a data row it completes. */
export interface WrittenDataRow {
  /** The row's own key bytes. */
  readonly key: Uint8Array;
  readonly valueLength: number;
  /** The value is all ASCII (its text can be read without a UTF-8 decoder). */
  readonly ascii: boolean;
}

/** A reusable, growable byte buffer plus the rows it completes. */
export class WritePlan {
  #buffer: Uint8Array;
  #length = 0;
  /** Records of completed rows, `[0, #completedCount)` in use; never shrinks. */
  readonly #completed: CompletedRecord[] = [];
  #completedCount = 0;
  #checksumOffset = -1;

  constructor(capacity: number) {
    this.#buffer = new Uint8Array(capacity);
  }

  /** Empties the plan for the next call. */
  reset(): this {
    this.#length = 0;
    this.#checksumOffset = -1;
    this.#completedCount = 0;
    return this;
  }

  /** Bytes planned so far. */
  get length(): number {
    return this.#length;
  }

  /** How many rows the planned bytes complete. */
  get completedCount(): number {
    return this.#completedCount;
  }

  /** The `i`-th row (in file order) the planned bytes complete, `i` < {@link completedCount}. */
  completedAt(i: number): CompletedRow {
    return this.#completed[i]!;
  }

  /** The last row the planned bytes complete, if any. */
  lastCompleted(): CompletedRow | undefined {
    return this.#completedCount === 0 ? undefined : this.#completed[this.#completedCount - 1];
  }

  /** Copies of the rows the planned bytes complete, in file order (for rare paths). */
  completedRows(): CompletedRow[] {
    return this.#completed.slice(0, this.#completedCount).map((row) => ({ ...row }));
  }

  /**
   * Where the checksum row the plan writes starts, or -1 (a call completes
   * at most 101 rows, so it writes at most one).
   */
  get checksumOffset(): number {
    return this.#checksumOffset;
  }

  /** Records that a checksum row starts at byte `offset` of the plan. */
  markChecksumRow(offset: number): void {
    this.#checksumOffset = offset;
  }

  /** Appends a copy of `bytes` to the plan (no view of the plan is made: this runs per row). */
  push(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Appends one byte. */
  pushByte(byte: number): void {
    this.#ensure(1);
    this.#buffer[this.#length++] = byte;
  }

  /**
   * The next `length` bytes of the plan, to be filled in by the caller. The
   * view is valid until the next `reserve`/`push` (the buffer may grow).
   */
  reserve(length: number): Uint8Array {
    this.#ensure(length);
    const region = this.#buffer.subarray(this.#length, this.#length + length);
    this.#length += length;
    return region;
  }

  /** Grows the buffer (keeping the planned bytes) so that `length` more bytes fit. */
  #ensure(length: number): void {
    const needed = this.#length + length;
    if (needed <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  /** Records that the write completes row `index`, whose bytes are at `bytes[offset]`. */
  complete(
    index: number,
    bytes: Uint8Array,
    offset: number,
    timestamp: number | undefined,
    data?: WrittenDataRow,
  ): void {
    const record = this.#completed[this.#completedCount];
    if (record === undefined) {
      this.#completed.push({ index, bytes, offset, timestamp, data });
    } else {
      record.index = index;
      record.bytes = bytes;
      record.offset = offset;
      record.timestamp = timestamp;
      record.data = data;
    }
    this.#completedCount++;
  }

  /** The buffer whose first {@link length} bytes are the planned bytes (no view to allocate). */
  get buffer(): Uint8Array {
    return this.#buffer;
  }
}
