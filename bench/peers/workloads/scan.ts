/**
 * Workload 4, verify and full scan, on each family's store of N rows (one
 * reader per family: the scan does not depend on the finder).
 *
 * - scan: every row's key and value text, in store order (frozendb
 *   `db.entries()` reading `entry.json`; SQLite `SELECT key, value FROM kv`;
 *   lmdb `getRange()`; fs: the rows decoded from 4 MiB reads);
 * - verify: the library's full integrity check (frozendb `verify(path)`:
 *   every row's structure and parity and every checksum; SQLite `PRAGMA
 *   integrity_check`; fs: every byte read and CRC32'd, the machine's limit;
 *   lmdb has none and is listed as not applicable).
 *
 * Each is run once untimed, then repeated within the budget (at least once); the figure is rows/s
 * at the median run, with MB/s of the store's own bytes on disk (stores of
 * the same rows differ in size: frozenDB and fs pad rows to the row size).
 * Each family's reader runs alone in a fresh child process
 * (`../scan-child.ts`), for the reason given in get.ts.
 */

import {
  addToSink,
  errorText,
  figureBase,
  type ScenarioContext,
  scenarioChildRequest,
} from "../context.js";
import { type Reader, storeBytes } from "../drivers.js";
import type { MeasuredFigure, WorkloadName } from "../figures.js";
import { collectGarbage, type PeerBudget, percentile, timeEach } from "../measure.js";
import type { ScanChildReport, ScanChildRequest } from "../scan-child.js";
import { runChildScript } from "../spawn-child.js";

export const SCAN_FIGURE = "scan all rows";
export const VERIFY_FIGURE = "verify whole store";

/** One scan or verify figure, without the scenario's and driver's fields. */
export type ScanMeasurement = Pick<
  MeasuredFigure,
  "workload" | "figure" | "value" | "p50Us" | "p99Us" | "samples" | "mbPerSecond" | "details"
>;

function measureRuns(
  rows: number,
  budget: PeerBudget,
  name: string,
  workload: WorkloadName,
  figure: string,
  storeBytes: number,
  run: () => number,
): { measurement: ScanMeasurement; sink: number } {
  // One untimed run first: in a fresh process a JavaScript reader's first
  // pass runs while V8 compiles it (a 100k-row verify: 35 ms cold, 9 warm).
  let sink = run() | 0;
  collectGarbage();
  let rowsSeen = 0;
  const s = timeEach(
    () => {
      rowsSeen = run();
      sink = (sink + rowsSeen) | 0;
    },
    { maxOps: budget.maxScans, minOps: 1, capMs: budget.scanMs },
  );
  if (rowsSeen !== rows) {
    throw new Error(`${name} ${workload}: saw ${rowsSeen} rows, expected ${rows}`);
  }
  const medianMs = percentile(s.sortedMs, 0.5);
  return {
    measurement: {
      workload,
      figure,
      value: (rows / medianMs) * 1_000,
      p50Us: medianMs * 1_000,
      p99Us: percentile(s.sortedMs, 0.99) * 1_000,
      samples: s.count,
      mbPerSecond: storeBytes / 1e6 / (medianMs / 1_000),
      details: { storeBytes, medianMs },
    },
    sink,
  };
}

/**
 * Measures `reader`'s scan, then its verify where it has one (`verify`
 * is null when the library has no integrity check).
 */
export function measureScans(
  rows: number,
  budget: PeerBudget,
  reader: Reader,
  name: string,
  bytes: number,
): { scan: ScanMeasurement; verify: ScanMeasurement | null; sink: number } {
  const scan = measureRuns(rows, budget, name, "scan", SCAN_FIGURE, bytes, () => reader.scan());
  const check = reader.verify;
  if (check === undefined) return { scan: scan.measurement, verify: null, sink: scan.sink };
  const verify = measureRuns(rows, budget, name, "verify", VERIFY_FIGURE, bytes, check);
  return {
    scan: scan.measurement,
    verify: verify.measurement,
    sink: (scan.sink + verify.sink) | 0,
  };
}

/** Measures one scan and one verify per family, each reader in a child process. */
export async function scanWorkload(ctx: ScenarioContext): Promise<void> {
  const seen = new Set<string>();
  for (const driver of ctx.drivers) {
    if (driver.read === undefined || seen.has(driver.family)) continue;
    seen.add(driver.family);
    const path = ctx.stores.get(driver.family);
    if (path === undefined) {
      ctx.fail(driver.name, "scan", "no store: its family's loader failed");
      continue;
    }
    ctx.log(`  scan, verify: ${driver.name}`);
    try {
      const request: ScanChildRequest = {
        ...scenarioChildRequest(ctx, driver, path),
        storeBytes: storeBytes(driver.family, path),
      };
      const report = runChildScript<ScanChildReport>("scan-child.js", request);
      addToSink(report.sink);
      const emit = (m: ScanMeasurement) =>
        ctx.emit({
          ...figureBase(ctx),
          driver: driver.name,
          family: driver.family,
          unit: "rows/s",
          ...m,
        });
      emit(report.scan);
      if (report.verify === null) {
        ctx.fail(driver.name, "verify", "not applicable: the library has no integrity check");
      } else {
        emit(report.verify);
      }
    } catch (error) {
      ctx.fail(driver.name, "scan", errorText(error));
    }
  }
}
