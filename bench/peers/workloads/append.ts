/**
 * Workload 1, append: the scenario's rows written in transactions of 100
 * into a new store, each transaction timed from its first row to its commit
 * returning (for per-call writes: `begin()`, 100 × `add`, `commit()`).
 * Reports rows/s (rows over the summed commit times) and commit p50/p99.
 *
 * Each writer runs until all N rows are in or its time budget is spent
 * (reported: rows written). The rows of a transaction (keys and value
 * objects) are made before its clock starts. Writers are grouped by
 * durability: "commit not synced" (frozendb sync: false, SQLite WAL NORMAL,
 * lmdb noSync, fs without fdatasync) and "synced at commit".
 *
 * The family's loader (its fastest unsynced writer) writes the store the
 * read workloads use: after its timed part it goes on, untimed, to N rows.
 *
 * Each writer runs alone in a fresh child process (`../append-child.ts`),
 * for the reason the readers do (see get.ts): what one library does to a
 * process (lmdb-js detaches ArrayBuffers) slows the others' code in it.
 */

import { formatDiskSync, probeDiskSync } from "../../disk-probe.js";
import type { AppendChildReport, AppendChildRequest } from "../append-child.js";
import {
  addToSink,
  errorText,
  figureBase,
  type ScenarioContext,
  scenarioChildRequest,
  slug,
} from "../context.js";
import { type Batch, batchAt, type Dataset, TX_ROWS } from "../data.js";
import {
  FAMILY_STORES,
  type PeerDriver,
  removeStore,
  type StoreOptions,
  storeBytes,
  type Writer,
} from "../drivers.js";
import { APPEND_SYNCED_FIGURE, APPEND_UNSYNCED_FIGURE, type MeasuredFigure } from "../figures.js";
import { collectGarbage, type PeerBudget, percentile, timeEach } from "../measure.js";
import { runChildScript } from "../spawn-child.js";

/**
 * Untimed transactions at the start of each writer (they are still
 * written): at least 20 and until 300 ms have passed, but never more than a
 * fifth of the scenario. A JavaScript writer runs its first ~20k rows
 * several times slower while V8 compiles it (on this 2-core machine the
 * compiler takes a core); native peers have no such phase. Short-lived
 * processes pay it: see the bench README.
 */
const WARMUP_MIN_TX = 20;
const WARMUP_MS = 300;
const WARMUP_MAX_SHARE = 0.2;

function batchOf(data: Dataset, tx: number): Batch {
  const start = tx * TX_ROWS;
  return batchAt(data, start, Math.min(TX_ROWS, data.rows - start));
}

/** One writer's figure, without the scenario's and driver's fields. */
export type AppendMeasurement = Pick<
  MeasuredFigure,
  "figure" | "value" | "p50Us" | "p99Us" | "samples" | "details"
>;

/** What one writer is asked to do (in its child process). */
export interface AppendJob {
  readonly data: Dataset;
  readonly options: StoreOptions;
  readonly budget: PeerBudget;
  readonly driver: PeerDriver;
  readonly path: string;
  /** Time it (the append figure). */
  readonly measured: boolean;
  /** Go on, untimed, to all N rows: this is the family's read store. */
  readonly loads: boolean;
}

/**
 * Writes with `job.driver` into a new store at `job.path`: the timed part
 * when `measured`, then the rest of the rows when `loads`. Returns the
 * figure (when measured) and a number for the sink.
 */
export async function runAppend(
  job: AppendJob,
): Promise<{ measurement: AppendMeasurement | null; sink: number }> {
  const { data, budget, driver } = job;
  const write = driver.write!;
  const totalTx = Math.ceil(data.rows / TX_ROWS);
  collectGarbage();
  let writer: Writer | undefined = write.open(job.path, job.options);
  try {
    const w = writer;
    let tx = 0;
    let rowsTimed = 0;
    let commitsTimed = 0;
    let totalMs = 0;
    let sorted: Float64Array = new Float64Array(0);
    let warmupCommits = 0;
    let sink = 0;
    if (job.measured) {
      const warmupEnd = performance.now() + WARMUP_MS;
      const warmupMax = Math.max(WARMUP_MIN_TX, Math.floor(totalTx * WARMUP_MAX_SHARE));
      for (
        ;
        tx < totalTx && tx < warmupMax && (tx < WARMUP_MIN_TX || performance.now() < warmupEnd);
        tx++
      ) {
        w.append(batchOf(data, tx));
      }
      warmupCommits = tx;
      let batch: Batch = { keys: [], values: [] };
      const first = tx;
      const s = timeEach(
        () => w.append(batch),
        {
          maxOps: totalTx - first,
          minOps: Math.min(budget.minCommits, totalTx - first),
          capMs: budget.appendMs,
        },
        (i) => {
          batch = batchOf(data, first + i);
          rowsTimed += batch.keys.length;
        },
      );
      tx += s.count;
      commitsTimed = s.count;
      totalMs = s.totalMs;
      sorted = s.sortedMs;
    }
    if (job.loads) {
      const started = performance.now();
      for (; tx < totalTx; tx++) w.append(batchOf(data, tx));
      sink = Math.round(performance.now() - started);
    }
    writer = undefined;
    await w.close();
    if (!job.measured) return { measurement: null, sink };
    return {
      measurement: {
        figure: write.synced ? APPEND_SYNCED_FIGURE : APPEND_UNSYNCED_FIGURE,
        value: totalMs > 0 ? (rowsTimed / totalMs) * 1_000 : 0,
        p50Us: percentile(sorted, 0.5) * 1_000,
        p99Us: percentile(sorted, 0.99) * 1_000,
        samples: commitsTimed,
        details: {
          path: write.path,
          rowsTimed,
          rowsWritten: Math.min(tx * TX_ROWS, data.rows),
          commitsTimed,
          warmupCommits,
          storeBytes: storeBytes(driver.family, job.path),
        },
      },
      sink,
    };
  } finally {
    try {
      await writer?.close();
    } catch {
      // Already failing; the first error is the one reported.
    }
  }
}

async function appendWith(ctx: ScenarioContext, driver: PeerDriver, measured: boolean) {
  const store = FAMILY_STORES[driver.family];
  const loads = driver.write!.loader && !ctx.stores.has(driver.family);
  if (!measured && !loads) return;
  const path = store.pathIn(ctx.dir, loads ? "store" : `append-${slug(driver.name)}`);
  let loaded = false;
  try {
    const request: AppendChildRequest = {
      ...scenarioChildRequest(ctx, driver, path),
      measured,
      loads,
    };
    // A synced writer's figure is read against the disk's sync latency of the moment.
    const diskSyncMs = measured && driver.write!.synced ? probeDiskSync() : null;
    if (diskSyncMs !== null) ctx.log(`    ${formatDiskSync(diskSyncMs)}`);
    const report = runChildScript<AppendChildReport>("append-child.js", request);
    addToSink(report.sink);
    if (loads) {
      ctx.log(`    ${driver.name}: store loaded to ${ctx.data.rows} rows`);
      ctx.stores.set(driver.family, path);
      loaded = true;
    }
    if (report.measurement !== null) {
      ctx.emit({
        ...figureBase(ctx),
        workload: "append",
        driver: driver.name,
        family: driver.family,
        unit: "rows/s",
        mbPerSecond: null,
        ...report.measurement,
        details: { ...report.measurement.details, diskSyncMs },
      });
    }
  } catch (error) {
    ctx.fail(driver.name, "append", errorText(error));
  } finally {
    if (!loaded) removeStore(driver.family, path);
  }
}

/** Measures every write driver; each family's loader also writes its read store. */
export async function appendWorkload(ctx: ScenarioContext): Promise<void> {
  for (const driver of ctx.drivers) {
    if (driver.write === undefined) continue;
    ctx.log(`  append: ${driver.name}`);
    await appendWith(ctx, driver, true);
  }
}

/** Writes each family's read store (untimed) where the append workload has not. */
export async function loadStores(ctx: ScenarioContext): Promise<void> {
  for (const driver of ctx.drivers) {
    if (driver.write?.loader !== true || ctx.stores.has(driver.family)) continue;
    ctx.log(`  load: ${driver.name}`);
    await appendWith(ctx, driver, false);
  }
}
