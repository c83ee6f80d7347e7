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
 */

import { addToSink, errorText, figureBase, type ScenarioContext, slug } from "../context.js";
import { type Batch, batchAt, TX_ROWS } from "../data.js";
import {
  FAMILY_STORES,
  type PeerDriver,
  removeStore,
  storeBytes,
  type Writer,
} from "../drivers.js";
import { APPEND_SYNCED_FIGURE, APPEND_UNSYNCED_FIGURE } from "../figures.js";
import { collectGarbage, percentile, timeEach } from "../measure.js";

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

function batchOf(ctx: ScenarioContext, tx: number): Batch {
  const start = tx * TX_ROWS;
  return batchAt(ctx.data, start, Math.min(TX_ROWS, ctx.data.rows - start));
}

async function appendWith(ctx: ScenarioContext, driver: PeerDriver, measured: boolean) {
  const write = driver.write!;
  const store = FAMILY_STORES[driver.family];
  const loads = write.loader && !ctx.stores.has(driver.family);
  if (!measured && !loads) return;
  const path = store.pathIn(ctx.dir, loads ? "store" : `append-${slug(driver.name)}`);
  const totalTx = Math.ceil(ctx.data.rows / TX_ROWS);
  collectGarbage();
  let writer: Writer | undefined;
  try {
    writer = write.open(path, ctx.options);
    const w = writer;
    let tx = 0;
    let rowsTimed = 0;
    let commitsTimed = 0;
    let totalMs = 0;
    let sorted: Float64Array = new Float64Array(0);
    let warmupCommits = 0;
    if (measured) {
      const warmupEnd = performance.now() + WARMUP_MS;
      const warmupMax = Math.max(WARMUP_MIN_TX, Math.floor(totalTx * WARMUP_MAX_SHARE));
      for (
        ;
        tx < totalTx && tx < warmupMax && (tx < WARMUP_MIN_TX || performance.now() < warmupEnd);
        tx++
      ) {
        w.append(batchOf(ctx, tx));
      }
      warmupCommits = tx;
      let batch: Batch = { keys: [], values: [] };
      const first = tx;
      const s = timeEach(
        () => w.append(batch),
        {
          maxOps: totalTx - first,
          minOps: Math.min(ctx.budget.minCommits, totalTx - first),
          capMs: ctx.budget.appendMs,
        },
        (i) => {
          batch = batchOf(ctx, first + i);
          rowsTimed += batch.keys.length;
        },
      );
      tx += s.count;
      commitsTimed = s.count;
      totalMs = s.totalMs;
      sorted = s.sortedMs;
    }
    if (loads) {
      const started = performance.now();
      for (; tx < totalTx; tx++) w.append(batchOf(ctx, tx));
      ctx.log(`    ${driver.name}: store loaded to ${ctx.data.rows} rows`);
      addToSink(Math.round(performance.now() - started));
    }
    writer = undefined;
    await w.close();
    if (loads) ctx.stores.set(driver.family, path);
    if (!measured) return;
    const rowsWritten = Math.min(tx * TX_ROWS, ctx.data.rows);
    ctx.emit({
      ...figureBase(ctx),
      workload: "append",
      figure: write.synced ? APPEND_SYNCED_FIGURE : APPEND_UNSYNCED_FIGURE,
      driver: driver.name,
      family: driver.family,
      unit: "rows/s",
      value: totalMs > 0 ? (rowsTimed / totalMs) * 1_000 : 0,
      p50Us: percentile(sorted, 0.5) * 1_000,
      p99Us: percentile(sorted, 0.99) * 1_000,
      samples: commitsTimed,
      mbPerSecond: null,
      details: {
        path: write.path,
        rowsTimed,
        rowsWritten,
        commitsTimed,
        warmupCommits,
        storeBytes: storeBytes(driver.family, path),
      },
    });
  } catch (error) {
    ctx.fail(driver.name, "append", errorText(error));
    try {
      await writer?.close();
    } catch {
      // Already failing; the first error is the one reported.
    }
  } finally {
    if (!loads) removeStore(driver.family, path);
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
