/**
 * The one interface through which the index reads a file. The txlog file
 * object satisfies it structurally, so the index never imports txlog, and
 * tests satisfy it with {@link MemoryRowSource}.
 */

import type { Row } from "@frozendb/codec";

/** Receives row `index`, decoded, once it is complete. */
export type RowListener = (index: number, row: Row) => void;

/** The complete rows of a v1 file, and notifications of the rows completed later. */
export interface RowSource {
  /** Bytes per row slot (from the header). */
  readonly rowSize: number;
  /** Clock-skew window of the ordering rule (from the header). */
  readonly skewMs: number;
  /** Complete, confirmed row slots, checksum rows included (row 0 is the initial checksum row). */
  rowCount(): number;
  /** Raw bytes of rows [start, start + count), concatenated; throws for rows beyond rowCount(). */
  readRows(start: number, count: number): Uint8Array;
  /** Called for every newly completed row, in file order, exactly once; returns an unsubscribe function. */
  subscribe(listener: (index: number, row: Row) => void): () => void;
}
