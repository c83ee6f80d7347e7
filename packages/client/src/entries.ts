/**
 * `db.entries()`: the committed rows in file order, optionally within a time
 * range. The ordering rule (for rows i < j, ts_i < ts_j + skew) lets the scan
 * start near `from` after a binary search and stop soon after `to`, instead
 * of reading the whole file.
 */

import {
  type DataEndControl,
  endsTransaction,
  formatUuid,
  InvalidInputError,
  inspectRow,
  isChecksumIndex,
  MAX_TRANSACTION_ROWS,
  valueTextAt,
} from "@frozendb/codec";
import type { TxLog } from "@frozendb/txlog";
import { Entry } from "./entry.js";
import { committedPrefix } from "./transaction-outcome.js";

/** A time range: `from` inclusive, `to` exclusive; `Date`s or milliseconds since the epoch. */
export interface EntryRange {
  readonly from?: Date | number;
  readonly to?: Date | number;
}

/** A data row of the transaction being read, kept until the transaction ends. */
interface PendingRow {
  readonly endControl: DataEndControl;
  /** Undefined for rows outside the range (never yielded). */
  readonly entry: Entry | undefined;
}

/** Milliseconds of a range bound. */
export function toMs(bound: Date | number | undefined, fallback: number): number {
  if (bound === undefined) return fallback;
  const ms = bound instanceof Date ? bound.getTime() : bound;
  if (typeof ms !== "number" || Number.isNaN(ms)) {
    throw new InvalidInputError(
      `a range bound must be a Date or milliseconds, got ${String(bound)}`,
    );
  }
  return ms;
}

/**
 * Reads start small and double up to the largest: a caller that takes a few
 * entries and stops pays for a few rows, a full scan soon reads in bulk. The
 * first read holds at least a whole transaction (100 rows and a checksum
 * row), whose end decides what of it is yielded.
 */
const FIRST_CHUNK_BYTES = 64 << 10;
const FIRST_CHUNK_ROWS = MAX_TRANSACTION_ROWS + 1;
const CHUNK_BYTES = 4 << 20;

/**
 * Yields the committed rows of `log` within `range`, in file order, among
 * the complete rows before `end` (default: those confirmed when iteration
 * starts).
 */
export function* scanEntries(log: TxLog, range: EntryRange, end?: number): Generator<Entry> {
  const from = toMs(range.from, Number.NEGATIVE_INFINITY);
  const to = toMs(range.to, Number.POSITIVE_INFINITY);
  const n = log.rowSize;
  const skew = log.skewMs;
  const total = end ?? log.rowCount();
  const maxPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / n));
  let perChunk = Math.min(
    maxPerChunk,
    Math.max(FIRST_CHUNK_ROWS, Math.floor(FIRST_CHUNK_BYTES / n)),
  );
  let index = Number.isFinite(from) ? startFor(log, from, total) : 1;
  let pending: PendingRow[] = [];
  let stopping = false;
  const key = new Uint8Array(16);
  while (index < total) {
    const count = Math.min(perChunk, total - index);
    // A view of the map where it can be (no copy); it must outlast the
    // yields below, whatever the caller reads meanwhile.
    const bytes = log.readRowsStable(index, count);
    perChunk = Math.min(maxPerChunk, perChunk * 2);
    for (let i = 0; i < count; i++, index++) {
      if (isChecksumIndex(index)) continue;
      const offset = i * n;
      const row = inspectRow(bytes, offset, n, index, key);
      if (row.type === "incomplete") continue;
      const starts = row.type === "null" || row.startControl === "T";
      if (starts) {
        if (stopping) return;
        pending = [];
      }
      if (row.type === "null") continue;
      // Every later row k has ts_k > ts − skew ≥ to: nothing after this
      // transaction can be in range.
      if (row.timestamp - skew >= to) stopping = true;
      const inRange = row.timestamp >= from && row.timestamp < to;
      pending.push({
        endControl: row.endControl as DataEndControl,
        entry: inRange
          ? new Entry(formatUuid(key), row.timestamp, valueTextAt(bytes, offset, row))
          : undefined,
      });
      if (endsTransaction(row.endControl)) {
        const kept = committedPrefix(pending.map((p) => p.endControl));
        for (let k = 0; k < kept; k++) {
          const entry = pending[k]!.entry;
          if (entry !== undefined) yield entry;
        }
        pending = [];
        if (stopping) return;
      }
    }
  }
}

/**
 * A row index at a transaction start before which no row can have a
 * timestamp ≥ `from`: binary search for a row j with ts_j + skew < from (then
 * every earlier row has ts < from), then back to its transaction's start.
 */
function startFor(log: TxLog, from: number, total: number): number {
  const timestamp = (i: number): number => {
    if (isChecksumIndex(i)) i--;
    const row = inspectRow(log.readRows(i, 1), 0, log.rowSize, i);
    return row.type === "incomplete" || row.type === "checksum" ? 0 : row.timestamp;
  };
  let lo = 1;
  let hi = total - 1;
  if (hi < lo || timestamp(lo) + log.skewMs >= from) return 1;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (timestamp(mid) + log.skewMs < from) lo = mid;
    else hi = mid - 1;
  }
  // Back to the start of the transaction holding row `lo` (≤ 101 rows back).
  const first = Math.max(1, lo - 101);
  const bytes = log.readRows(first, lo - first + 1);
  for (let i = lo; i >= first; i--) {
    if (isChecksumIndex(i)) continue;
    const row = inspectRow(bytes, (i - first) * log.rowSize, log.rowSize, i);
    if (row.type === "null" || (row.type === "data" && row.startControl === "T")) return i;
  }
  return first;
}
