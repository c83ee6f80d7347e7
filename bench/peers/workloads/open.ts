/**
 * Workload 3, open: the time to open each family's existing store of N rows
 * (for frozendb, once per finder) until the first lookup can be answered,
 * and the process's RSS after the open and after lookups.
 *
 * Each reader runs in a fresh child process (`../child.ts`), so its RSS is
 * its own and not the parent's data sets: the child loads the library,
 * records its RSS (the baseline), opens the store once (the "first open",
 * with cold code), then opens and closes it repeatedly within the budget
 * (the median is the figure), opens it once more and records RSS, does
 * lookups of existing keys and records RSS again (after a GC each time).
 * The store's pages are in the page cache (the parent just wrote them), so
 * this is a warm open. lmdb and frozendb map their files: the pages their
 * lookups touch count in their RSS; the others read with pread and the page
 * cache is not in RSS. The anonymous part of RSS (RssAnon) is each process's
 * own memory, comparable across all of them.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildReport, ChildRequest } from "../child.js";
import { addToSink, errorText, figureBase, type ScenarioContext } from "../context.js";
import { keyAt } from "../data.js";
import { runChildScript } from "../spawn-child.js";

export const OPEN_FIGURE = "open existing store (read)";

const MB = 1024 * 1024;

/** Writes the child's lookup keys (existing, in the fixed random order) to a file. */
function writeLookupKeys(ctx: ScenarioContext): string {
  const path = join(ctx.dir, "child-lookups.bin");
  const data = ctx.data;
  const count = Math.min(ctx.budget.childLookups, data.lookupOrder.length);
  const keys = Buffer.alloc(count * 16);
  for (let j = 0; j < count; j++) keyAt(data, data.lookupOrder[j]!).copy(keys, j * 16);
  writeFileSync(path, keys);
  return path;
}

/** Measures every read driver's open time and RSS, each in a child process. */
export async function openWorkload(ctx: ScenarioContext): Promise<void> {
  const lookupFile = writeLookupKeys(ctx);
  for (const driver of ctx.drivers) {
    if (driver.read === undefined) continue;
    const path = ctx.stores.get(driver.family);
    if (path === undefined) {
      ctx.fail(driver.name, "open", "no store: its family's loader failed");
      continue;
    }
    ctx.log(`  open: ${driver.name}`);
    try {
      const report = runChildScript<ChildReport>("child.js", {
        driver: driver.name,
        family: driver.family,
        path,
        rowSize: ctx.options.rowSize,
        lookupFile,
        openMs: ctx.budget.openMs,
        maxOpens: ctx.budget.maxOpens,
        lookupMs: ctx.budget.childLookupMs,
        maxLookups: ctx.budget.childLookups,
      } satisfies ChildRequest);
      addToSink(report.sink);
      const sorted = Float64Array.from(report.openMs).sort();
      const median = sorted[(sorted.length - 1) >> 1]!;
      ctx.emit({
        ...figureBase(ctx),
        workload: "open",
        figure: OPEN_FIGURE,
        driver: driver.name,
        family: driver.family,
        unit: "ms",
        value: median,
        p50Us: median * 1_000,
        p99Us: sorted[sorted.length - 1]! * 1_000,
        samples: sorted.length,
        mbPerSecond: null,
        details: {
          firstOpenMs: report.firstOpenMs,
          rssBaselineMB: report.rssBaseline / MB,
          rssAfterOpenMB: report.rssAfterOpen / MB,
          rssAfterLookupsMB: report.rssAfterLookups / MB,
          rssOpenDeltaMB: (report.rssAfterOpen - report.rssBaseline) / MB,
          rssLookupsDeltaMB: (report.rssAfterLookups - report.rssBaseline) / MB,
          anonOpenDeltaMB: (report.anonAfterOpen - report.anonBaseline) / MB,
          anonLookupsDeltaMB: (report.anonAfterLookups - report.anonBaseline) / MB,
          childLookups: report.lookups,
          childLookupsPerSecond:
            report.lookupMs > 0 ? (report.lookups / report.lookupMs) * 1_000 : 0,
          heapUsedAfterLookupsMB: report.heapUsedAfterLookups / MB,
        },
      });
    } catch (error) {
      ctx.fail(driver.name, "open", errorText(error));
    }
  }
}
