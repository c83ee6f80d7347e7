/**
 * Transaction boundaries found by walking the file from a row (behaviour
 * §8.1), for the strategies that keep no per-row state. Rows on the way are
 * checked in full: a boundary decides what `get` makes visible, so it must
 * never rest on a damaged row.
 */

import { endsTransaction, isChecksumIndex, type RowInfo } from "@frozendb/codec";
import { inspectRowChecked } from "./checked-row.js";
import { FIRST_WALK_ROWS, nextWalkRows } from "./read-chunks.js";
import type { RowSource } from "./row-source.js";
import {
  abandonedTransaction,
  orphanContinuation,
  transactionActive,
} from "./transaction-errors.js";

function startsTransaction(row: Readonly<RowInfo>): boolean {
  return row.type === "null" || (row.type === "data" && row.startControl === "T");
}

function endsItsTransaction(row: Readonly<RowInfo>): boolean {
  return row.type === "null" || (row.type === "data" && endsTransaction(row.endControl));
}

function readOne(source: RowSource, index: number): Readonly<RowInfo> {
  return inspectRowChecked(source.readRows(index, 1), 0, source.rowSize, index);
}

/**
 * The first row of the transaction of row `index` (a non-checksum row below `total`).
 * @throws {@link CorruptDatabaseError} for an orphan continuation or an undecodable row.
 */
export function walkTransactionStart(source: RowSource, index: number): number {
  const rowSize = source.rowSize;
  if (startsTransaction(readOne(source, index))) return index;
  let last = index - 1;
  let count = FIRST_WALK_ROWS;
  while (last >= 0) {
    const first = Math.max(0, last - count + 1);
    const bytes = source.readRows(first, last - first + 1);
    for (let i = last; i >= first; i--) {
      if (isChecksumIndex(i)) continue;
      const row = inspectRowChecked(bytes, (i - first) * rowSize, rowSize, i);
      // A closed transaction before any start: nothing opened the one row
      // `index` continues (decisions: orphan R row → corrupt for every finder).
      if (endsItsTransaction(row)) throw orphanContinuation(index, rowSize);
      if (startsTransaction(row)) return i;
    }
    last = first - 1;
    count = nextWalkRows(count, rowSize);
  }
  throw orphanContinuation(index, rowSize);
}

/**
 * The row that ends the transaction of row `index` (a non-checksum row below `total`).
 * @throws {@link TransactionActiveError} when no confirmed row ends it.
 * @throws {@link CorruptDatabaseError} when a new transaction starts first, or
 *   for an undecodable row.
 */
export function walkTransactionEnd(source: RowSource, index: number, total: number): number {
  const rowSize = source.rowSize;
  if (endsItsTransaction(readOne(source, index))) return index;
  let first = index + 1;
  let count = FIRST_WALK_ROWS;
  while (first < total) {
    const end = Math.min(total, first + count);
    const bytes = source.readRows(first, end - first);
    for (let i = first; i < end; i++) {
      if (isChecksumIndex(i)) continue;
      const row = inspectRowChecked(bytes, (i - first) * rowSize, rowSize, i);
      if (startsTransaction(row)) throw abandonedTransaction(index, i, rowSize);
      if (endsItsTransaction(row)) return i;
    }
    first = end;
    count = nextWalkRows(count, rowSize);
  }
  throw transactionActive();
}
