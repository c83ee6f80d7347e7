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
 * Each is repeated within the budget (at least once); the figure is rows/s
 * at the median run, with MB/s of the store's own bytes on disk (stores of
 * the same rows differ in size: frozenDB and fs pad rows to the row size).
 */

import { addToSink, errorText, figureBase, type ScenarioContext } from "../context.js";
import { type PeerDriver, type Reader, storeBytes } from "../drivers.js";
import type { WorkloadName } from "../figures.js";
import { collectGarbage, percentile, timeEach } from "../measure.js";

export const SCAN_FIGURE = "scan all rows";
export const VERIFY_FIGURE = "verify whole store";

function measureRuns(
  ctx: ScenarioContext,
  driver: PeerDriver,
  workload: WorkloadName,
  figure: string,
  storeBytes: number,
  run: () => number,
): void {
  collectGarbage();
  let rowsSeen = 0;
  const s = timeEach(
    () => {
      rowsSeen = run();
      addToSink(rowsSeen);
    },
    { maxOps: ctx.budget.maxScans, minOps: 1, capMs: ctx.budget.scanMs },
  );
  if (rowsSeen !== ctx.data.rows) {
    throw new Error(`${driver.name} ${workload}: saw ${rowsSeen} rows, expected ${ctx.data.rows}`);
  }
  const medianMs = percentile(s.sortedMs, 0.5);
  ctx.emit({
    ...figureBase(ctx),
    workload,
    figure,
    driver: driver.name,
    family: driver.family,
    unit: "rows/s",
    value: (ctx.data.rows / medianMs) * 1_000,
    p50Us: medianMs * 1_000,
    p99Us: percentile(s.sortedMs, 0.99) * 1_000,
    samples: s.count,
    mbPerSecond: storeBytes / 1e6 / (medianMs / 1_000),
    details: { storeBytes, medianMs },
  });
}

/** Measures one scan and one verify per family. */
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
    const bytes = storeBytes(driver.family, path);
    let reader: Reader | undefined;
    try {
      reader = driver.read.open(path, ctx.options);
      const r = reader;
      ctx.log(`  scan: ${driver.name}`);
      measureRuns(ctx, driver, "scan", SCAN_FIGURE, bytes, () => r.scan());
      if (r.verify === undefined) {
        ctx.fail(driver.name, "verify", "not applicable: the library has no integrity check");
      } else {
        const verify = r.verify;
        ctx.log(`  verify: ${driver.name}`);
        measureRuns(ctx, driver, "verify", VERIFY_FIGURE, bytes, verify);
      }
    } catch (error) {
      ctx.fail(driver.name, "scan", errorText(error));
    } finally {
      await reader?.close();
    }
  }
}
