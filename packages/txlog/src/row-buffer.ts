/**
 * The row a transaction is writing: its bytes, the views of them that the
 * writing order appends (file-format §10.6) and what the row holds. A
 * transaction has two, used in turn, each refilled by every `add`: the
 * views are made once per buffer and the fields are overwritten, since on
 * this VM every object a call allocates costs it fresh cache lines right
 * after its `write(2)`.
 */

import { UUID_LENGTH } from "@frozendb/codec";
import type { WrittenDataRow } from "./write-plan.js";

/** The key of a buffer that holds no row yet. */
const NO_KEY = new Uint8Array(UUID_LENGTH);

export class RowBuffer implements WrittenDataRow {
  /** Tells this state of a transaction's current row from "none" and "started". */
  readonly kind = "payload";
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
  /** The row's key (its own bytes, never shared with another row). */
  key: Uint8Array = NO_KEY;
  timestamp = 0;
  valueLength = 0;
  /** The value is all ASCII (its text can be read without a UTF-8 decoder). */
  ascii = false;
  /** The row carries a savepoint `S` (written, its end not yet). */
  savepoint = false;

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
