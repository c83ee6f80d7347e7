/**
 * The errors of transaction-boundary lookups, built in one place so that the
 * walking strategies and the precomputing one report identical errors.
 */

import { CorruptDatabaseError, HEADER_SIZE, TransactionActiveError } from "@frozendb/codec";

/**
 * Row `index` continues a transaction (start control `R`) but the rows before
 * it reach a closed transaction, a null row or the beginning of the file
 * before a transaction start (decisions: "orphan R row").
 */
export function orphanContinuation(index: number, rowSize: number): CorruptDatabaseError {
  return new CorruptDatabaseError("no transaction start found in backward scan", {
    offset: HEADER_SIZE + index * rowSize,
    rowIndex: index,
  });
}

/**
 * The transaction of row `index` has not ended when row `next` starts a new
 * one: FF §10.5 forbids a transaction start while one is open.
 */
export function abandonedTransaction(
  index: number,
  next: number,
  rowSize: number,
): CorruptDatabaseError {
  return new CorruptDatabaseError(
    `transaction of row ${index} has no ending row before row ${next} starts a new transaction`,
    { offset: HEADER_SIZE + next * rowSize, rowIndex: next },
  );
}

/** The transaction of the row has no ending row among the confirmed rows. */
export function transactionActive(): TransactionActiveError {
  return new TransactionActiveError("transaction has no ending row");
}
