/**
 * Recovery of the transaction state from the tail of the file (behaviour §4,
 * decisions OP-4, OP-6, OP-B4): which transaction is open, which of its rows
 * are complete, and in which state its partial row is. Reads only the last
 * 101 complete rows and the tail, whatever the file size.
 */

import {
  CorruptDatabaseError,
  type DataEndControl,
  type DataRow,
  decodeRow,
  decodeTail,
  endsTransaction,
  HEADER_SIZE,
  isChecksumIndex,
  MAX_TRANSACTION_ROWS,
  type PartialDataRow,
  type Row,
  type TornTail,
} from "@frozendb/codec";
import type { DbFile } from "./db-file.js";

/** A complete row of the open transaction. */
export interface RecoveredRow {
  readonly index: number;
  readonly key: Uint8Array;
  readonly timestamp: number;
  readonly endControl: DataEndControl;
}

/** The transaction the file ends in. */
export interface OpenTransactionState {
  /** Index of its first row (the `T` row; the partial row's index when it has no complete row). */
  readonly startIndex: number;
  readonly rows: readonly RecoveredRow[];
  /** Its last, incomplete row, if the file ends in one. */
  readonly partial: PartialDataRow | undefined;
}

/** What the tail of a file says. */
export interface TailState {
  /** Complete row slots (checksum rows included). */
  readonly completeRows: number;
  /** Bytes after the last complete row. */
  readonly tailLength: number;
  /** The tail when it is no exact partial-row state (a write torn by a crash). */
  readonly torn: (TornTail & { readonly offset: number }) | undefined;
  /** The open transaction, or undefined when the last transaction is closed. */
  readonly open: OpenTransactionState | undefined;
  /** A checksum row is due at the end of the file but missing (a crash right after the 10,000th row). */
  readonly missingChecksum: boolean;
}

/** Rows the recovery window holds: 100 data rows and one checksum row. */
const WINDOW = MAX_TRANSACTION_ROWS + 1;

/**
 * Reads the tail window of `file` (of `size` bytes) and reconstructs the
 * state of its last transaction.
 * @throws {@link CorruptDatabaseError} when a row in the window is corrupt or
 *   the transaction structure cannot be what a writer produced.
 */
export function readTailState(file: DbFile, size: number, rowSize: number): TailState {
  const completeRows = Math.floor((size - HEADER_SIZE) / rowSize);
  const tailLength = (size - HEADER_SIZE) % rowSize;
  const first = Math.max(1, completeRows - WINDOW);
  const windowOffset = HEADER_SIZE + first * rowSize;
  const bytes = file.read(windowOffset, size - windowOffset);
  const rowAt = (i: number): Row => decodeRow(bytes, (i - first) * rowSize, rowSize, i) as Row;

  const tailOffset = HEADER_SIZE + completeRows * rowSize;
  const tail = decodeTail(bytes, tailOffset - windowOffset, rowSize);
  const torn = tail?.type === "torn" ? { ...tail, offset: tailOffset } : undefined;
  const partial = tail?.type === "partial" ? tail : undefined;
  const missingChecksum = completeRows > 1 && isChecksumIndex(completeRows) && tailLength === 0;

  // The last data or null row, walking back over checksum rows.
  let last = completeRows - 1;
  while (last >= first && isChecksumIndex(last)) last--;
  const lastRow = last >= first ? rowAt(last) : undefined;
  const lastIsOpen = lastRow?.type === "data" && !endsTransaction(lastRow.endControl);

  if (partial?.startControl === "T" || (partial === undefined && !lastIsOpen)) {
    if (partial !== undefined && lastIsOpen) {
      throw new CorruptDatabaseError("transaction start inside an open transaction", {
        offset: tailOffset,
        rowIndex: completeRows,
      });
    }
    const open = partial ? { startIndex: completeRows, rows: [], partial } : undefined;
    return { completeRows, tailLength, torn, open, missingChecksum };
  }

  // The partial row continues a transaction (start R), or the file ends on a
  // row ending RE/SE: walk back to the transaction's T row.
  const rows: RecoveredRow[] = [];
  for (let i = last; ; i--) {
    if (i < first) {
      throw new CorruptDatabaseError("transaction start not found in scanned rows", {
        offset: tailOffset,
        rowIndex: completeRows,
      });
    }
    if (isChecksumIndex(i)) continue;
    const row = rowAt(i);
    if (row.type !== "data" || endsTransaction(row.endControl)) {
      throw new CorruptDatabaseError("continuation row without a transaction start", {
        offset: HEADER_SIZE + (i + 1) * rowSize,
        rowIndex: i + 1,
      });
    }
    rows.push(recovered(i, row));
    if (row.startControl === "T") break;
  }
  rows.reverse();
  return {
    completeRows,
    tailLength,
    torn,
    open: { startIndex: rows[0]!.index, rows, partial },
    missingChecksum,
  };
}

function recovered(index: number, row: DataRow): RecoveredRow {
  return { index, key: row.key, timestamp: row.timestamp, endControl: row.endControl };
}
