/**
 * Workload 5, key distributions: which scenarios run, and on which keys.
 *
 * - dense: monotonic UUIDv7 as a tight `uuidv7()` loop makes them (1,000
 *   keys per millisecond, a 12-bit counter within it), so 1M keys span one
 *   second and every key shares one 5 s skew window: time-ordered search
 *   cannot narrow anything down;
 * - spread: timestamps an hour apart (plus up to a minute of jitter): every
 *   key alone in its skew window, the best case for time-ordered search;
 * - disordered: on average 10 ms apart, each key up to 4 s older than its
 *   position implies, so the file's row order and key order differ within
 *   the skew window (as keys made on several machines with clock skew are);
 *   the ordering rule still holds.
 *
 * Dense runs every workload at every size; spread and disordered run the
 * workloads whose cost depends on the keys (append, get, open; get only in
 * the quick run). Every scenario's data is the same for every peer.
 */

import type { Scenario } from "../context.js";
import type { WorkloadName } from "../figures.js";

const ALL: readonly WorkloadName[] = ["append", "get", "open", "scan"];

/** The scenarios of a run, in order. */
export function scenarios(quick: boolean): Scenario[] {
  if (quick) {
    // Reduced set: N = 100k, row 256; the other distributions on get only.
    return [
      { distribution: "dense", rows: 100_000, rowSize: 256, workloads: ALL },
      { distribution: "spread", rows: 100_000, rowSize: 256, workloads: ["get"] },
      { distribution: "disordered", rows: 100_000, rowSize: 256, workloads: ["get"] },
    ];
  }
  const list: Scenario[] = [];
  for (const rows of [100_000, 1_000_000]) {
    for (const rowSize of [256, 1024]) {
      list.push({ distribution: "dense", rows, rowSize, workloads: ALL });
    }
    for (const distribution of ["spread", "disordered"] as const) {
      list.push({ distribution, rows, rowSize: 256, workloads: ["append", "get", "open"] });
    }
  }
  return list;
}

/** "dense · 100k rows · row 256 B". */
export function scenarioLabel(s: Scenario): string {
  const rows = s.rows >= 1_000_000 ? `${s.rows / 1_000_000}M` : `${s.rows / 1_000}k`;
  return `${s.distribution} · ${rows} rows · row ${s.rowSize} B`;
}
