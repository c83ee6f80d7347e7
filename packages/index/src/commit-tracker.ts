/**
 * Which blocks of rows hold only committed data rows, learnt by following
 * transactions through a run of consecutive rows read in file order. The
 * binary search keeps the answer as two bits per block, so that a lookup in
 * such a block needs no walk to its transaction's end (behaviour §7.1).
 *
 * Conservative by design: a block counts as "all committed" only when every
 * transaction touching it starts inside the run with a `T` row and ends with
 * `TC`/`SC` (or is a null row). A rollback of any kind, an abandoned
 * transaction, an orphan continuation or a control it does not recognise
 * marks the block "not all committed", and lookups there decide row by row
 * from the transaction's rows, as before — with the same errors. Rows whose
 * transaction started before the run, or had not ended by its end, leave
 * their block unknown.
 */

import { START_CONTROL } from "@frozendb/codec";

/** Every row so far belongs to a transaction that committed. */
const GOOD = 0;
/** Some row's transaction is not known from this run (started before it). */
const UNKNOWN = 1;
/** Some row is not (known to be) committed: no shortcut for this block. */
const BAD = 2;

/** Whether a transaction is open where the run is now. */
const CLOSED = 0;
const OPEN = 1;
const NOT_KNOWN = 2;

const BYTE_N = 0x4e;
const BYTE_R = 0x52;
const BYTE_S = 0x53;
const BYTE_T = 0x54;
const BYTE_E = 0x45;
const BYTE_C = 0x43;
const BYTE_0 = 0x30;
const BYTE_9 = 0x39;

/** Follows one run of rows by logical position; reusable with {@link begin}. */
export class CommitTracker {
  #blockRows = 1;
  #first = 0;
  #next = 0;
  /** Worst state of each block touched by the run, from the first position's block on. */
  #states: number[] = [];
  #open = NOT_KNOWN;
  /** First position of the current transaction inside the run. */
  #txFrom = 0;
  /** Rows of the current transaction seen in the run. */
  #txRows = 0;
  /** What the current transaction's rows get if it commits. */
  #txState = UNKNOWN;
  /** Every row before this position belongs to a transaction that ended. */
  #endedBefore = 0;

  /** Starts a run at position `first` over blocks of `blockRows`; what came before is unknown. */
  begin(first: number, blockRows: number): void {
    this.#blockRows = blockRows;
    this.#first = first;
    this.#next = first;
    this.#states.length = 0;
    this.#open = NOT_KNOWN;
    this.#txFrom = first;
    this.#txRows = 0;
    this.#txState = UNKNOWN;
    this.#endedBefore = first;
  }

  /** True when every row taken in so far belongs to a transaction that has ended. */
  get closed(): boolean {
    return this.#open === CLOSED;
  }

  /** Takes in the row at the next position, framed at `bytes[offset]`. */
  add(bytes: Uint8Array, offset: number, rowSize: number): void {
    const p = this.#next++;
    // Positions come in order: a block's entry starts out GOOD at its first
    // position (the marks below only ever reach back).
    if (p === this.#first || p % this.#blockRows === 0) this.#states.push(GOOD);
    const start = bytes[offset + 1];
    const e1 = bytes[offset + rowSize - 5]!;
    const e2 = bytes[offset + rowSize - 4]!;
    if (start === START_CONTROL.TRANSACTION) {
      // A start while the previous transaction still has rows and no end:
      // those rows are abandoned (the walk reports them as corrupt).
      if (this.#open !== CLOSED && this.#txRows > 0) this.#mark(this.#txFrom, p - 1, BAD);
      this.#open = OPEN;
      this.#txFrom = p;
      this.#txRows = 0;
      this.#txState = GOOD;
      if (e1 === BYTE_N && e2 === BYTE_R) {
        this.#ended(p);
        return;
      }
    } else if (start === START_CONTROL.CONTINUATION) {
      if (this.#open === CLOSED) {
        // An orphan continuation: no transaction is open to continue.
        this.#open = OPEN;
        this.#txFrom = p;
        this.#txRows = 0;
        this.#txState = BAD;
      }
    } else {
      this.#txState = BAD;
    }
    this.#txRows++;

    if (e2 === BYTE_E && (e1 === BYTE_R || e1 === BYTE_S)) return;
    if (e2 === BYTE_C && (e1 === BYTE_T || e1 === BYTE_S)) {
      if (this.#txState !== GOOD) this.#mark(this.#txFrom, p, this.#txState);
      this.#ended(p);
      return;
    }
    if ((e1 === BYTE_R || e1 === BYTE_S) && e2 >= BYTE_0 && e2 <= BYTE_9) {
      this.#mark(this.#txFrom, p, BAD);
      this.#ended(p);
      return;
    }
    // Not a data row's end control: leave the decision to the walk.
    this.#txState = BAD;
    this.#mark(this.#txFrom, p, BAD);
  }

  /**
   * Ends the run: calls `report(block, allCommitted)` for every block whose
   * positions all lie in the run and belong to transactions that ended in it.
   */
  end(report: (block: number, allCommitted: boolean) => void): void {
    const b = this.#blockRows;
    const firstBlock = Math.floor(this.#first / b);
    for (let block = Math.ceil(this.#first / b); (block + 1) * b <= this.#endedBefore; block++) {
      const state = this.#states[block - firstBlock] ?? GOOD;
      if (state !== UNKNOWN) report(block, state === GOOD);
    }
  }

  #ended(p: number): void {
    this.#open = CLOSED;
    this.#txRows = 0;
    this.#endedBefore = p + 1;
  }

  /** Raises the state of the blocks holding positions `[from, to]` to at least `state`. */
  #mark(from: number, to: number, state: number): void {
    if (to < from) return;
    const firstBlock = Math.floor(this.#first / this.#blockRows);
    const last = Math.floor(to / this.#blockRows) - firstBlock;
    for (let k = Math.floor(from / this.#blockRows) - firstBlock; k <= last; k++) {
      const current = this.#states[k];
      if (current === undefined || current < state) this.#states[k] = state;
    }
  }
}
