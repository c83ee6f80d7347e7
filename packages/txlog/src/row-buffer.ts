/**
 * A row a transaction is writing, with the views of it that the writing
 * order appends (file-format §10.6). The views are made once per buffer:
 * a `subarray` per call would be one more object for every row written.
 */
export class RowBuffer {
  /** The whole row. */
  readonly bytes: Uint8Array;
  /** Positions 0…N−6: sentinel, `R`, key, value and padding (a row after the first). */
  readonly head: Uint8Array;
  /** Positions 2…N−6: the first row's head, `begin` having written `1F T`. */
  readonly headAfterBegin: Uint8Array;
  /** Positions N−5…N−1: end control, parity, newline. */
  readonly end: Uint8Array;
  /** Positions N−4…N−1: the end after a savepoint's `S`. */
  readonly endAfterSavepoint: Uint8Array;
  /** Positions 2…N−1: a null row, `begin` having written `1F T`. */
  readonly afterBegin: Uint8Array;

  /** The row at `buffer[offset, offset + rowSize)`. */
  constructor(buffer: ArrayBuffer, offset: number, rowSize: number) {
    const bytes = new Uint8Array(buffer, offset, rowSize);
    this.bytes = bytes;
    this.head = bytes.subarray(0, rowSize - 5);
    this.headAfterBegin = bytes.subarray(2, rowSize - 5);
    this.end = bytes.subarray(rowSize - 5);
    this.endAfterSavepoint = bytes.subarray(rowSize - 4);
    this.afterBegin = bytes.subarray(2);
  }
}
