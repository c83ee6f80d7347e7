/**
 * Workload 2, get: lookups of random existing keys and of random absent keys
 * (each absent key carries the timestamp of an existing one, the hard case
 * for a time-ordered finder) on each family's store of N rows. Existing keys
 * are reported twice: the raw JSON text (frozendb `getRaw`, the others'
 * stored string) and the parsed value (frozendb `get`, the others
 * `JSON.parse` of it). For an absent key frozendb throws `KeyNotFoundError`
 * (caught); the others return undefined.
 *
 * Every lookup is timed on its own (p50/p99 in µs; the timer's own cost is
 * in the report as `timerOverheadUs`); lookups/s is lookups over their summed
 * times. The key (a view of the data set's key bytes) is made before the
 * timer starts: it is the caller's, not the store's. A fixed random order of
 * keys, the same for every peer, cycles when a figure wants more lookups than
 * it holds. Before anything is timed, each reader must return the exact
 * stored text for sample keys and nothing for absent ones.
 *
 * Each reader runs alone in a fresh child process (`../get-child.ts`), which
 * rebuilds the scenario's data set (it is deterministic). In one shared
 * process every reader ran after every writer and loader of every peer, and
 * what one library does to the process changed the others' figures: lmdb-js
 * detaches an ArrayBuffer while it writes, which makes V8 check every
 * typed-array access for a detached buffer for the rest of the process
 * (a typed-array loop here: 10.9 → 14.5 ms after 50k lmdb puts). frozendb's
 * binary_search lookups on dense 1M rows were 314k/s with only its own
 * family in the process and 193k-215k/s with SQLite or lmdb beside it.
 */

import { spawnSync } from "node:child_process";
import { closeSync, fsyncSync, openSync, readSync } from "node:fs";
import {
  addToSink,
  errorText,
  figureBase,
  type ScenarioContext,
  scenarioChildRequest,
} from "../context.js";
import { absentKeyAt, type Dataset, expectedText, keyAt } from "../data.js";
import { FAMILY_STORES, type Reader, storeBytes } from "../drivers.js";
import {
  GET_ABSENT,
  GET_EXISTING_PARSED,
  GET_EXISTING_RAW,
  type MeasuredFigure,
} from "../figures.js";
import type { GetChildReport, GetChildRequest } from "../get-child.js";
import { collectGarbage, type PeerBudget, percentile, timeEach } from "../measure.js";
import { runChildScript } from "../spawn-child.js";

/**
 * Checks `reader` returns what was written, parsed and raw, and nothing for
 * absent keys: at least one key of each, up to 20 within the figure's budget
 * (a reader that scans the store may take seconds per lookup).
 */
export function checkReader(data: Dataset, budget: PeerBudget, reader: Reader, name: string): void {
  const checks = Math.min(20, data.lookupOrder.length);
  const deadline = performance.now() + budget.getMs;
  let j = 0;
  for (; j < checks && (j === 0 || performance.now() < deadline); j++) {
    const i = data.lookupOrder[j]!;
    const expected = expectedText(data, i);
    const raw = reader.getRaw(keyAt(data, i));
    if (raw !== expected) throw new Error(`${name}: row ${i} read back ${String(raw)}`);
    const parsed = JSON.stringify(reader.get(keyAt(data, i)));
    if (parsed !== expected) throw new Error(`${name}: row ${i} parsed back ${parsed}`);
    const absent = reader.getRaw(absentKeyAt(data, j));
    if (absent !== undefined) throw new Error(`${name}: absent key ${j} found`);
  }
}

/** One figure of one reader, without the scenario's and driver's fields. */
export type GetMeasurement = Pick<
  MeasuredFigure,
  "figure" | "value" | "p50Us" | "p99Us" | "samples" | "details"
>;

/** Looks up the key `key(j)` (made before the timer starts) and returns a number from the answer. */
type Op = (key: Buffer) => number;

function measureOp(
  data: Dataset,
  budget: PeerBudget,
  figure: string,
  keyFor: (j: number) => Buffer,
  op: Op,
): { measurement: GetMeasurement; sink: number } {
  const n = data.lookupOrder.length;
  let acc = 0;
  let key = keyFor(0);
  collectGarbage();
  // Warm-up, untimed: until `warmupMs` has passed (at least one lookup). A
  // JavaScript reader's first few thousand lookups run several times slower
  // while V8 compiles it, a cost native peers do not have; the cold start of
  // a fresh process is reported by the open workload instead.
  const warm = timeEach(
    () => (acc += op(key)),
    { maxOps: budget.maxLookups, minOps: 1, capMs: budget.getWarmupMs },
    (j) => (key = keyFor(j % n)),
  );
  const offset = warm.count;
  const s = timeEach(
    () => (acc += op(key)),
    { maxOps: budget.maxLookups, minOps: budget.minLookups, capMs: budget.getMs },
    (j) => (key = keyFor((offset + j) % n)),
  );
  return {
    measurement: {
      figure,
      value: s.totalMs > 0 ? (s.count / s.totalMs) * 1_000 : 0,
      p50Us: percentile(s.sortedMs, 0.5) * 1_000,
      p99Us: percentile(s.sortedMs, 0.99) * 1_000,
      samples: s.count,
      details: { warmupLookups: warm.count, distinctKeys: Math.min(n, s.count) },
    },
    sink: acc,
  };
}

/**
 * True for the figures whose every lookup reads the whole store: the
 * `simple` finder's absent keys (it scans every row and finds none), so the
 * store's size times the lookup rate is its scan rate (the index issue's
 * "simple: scan ≥ 1 GB/s").
 */
function scansWholeStore(driver: string, figure: string): boolean {
  return driver === "frozendb simple" && figure === GET_ABSENT;
}

/**
 * Checks `reader`, then measures its three figures: existing keys raw and
 * parsed, and absent keys.
 */
export function measureGets(
  data: Dataset,
  budget: PeerBudget,
  reader: Reader,
  name: string,
): { measurements: GetMeasurement[]; sink: number } {
  checkReader(data, budget, reader, name);
  const existing = (j: number) => keyAt(data, data.lookupOrder[j]!);
  const runs = [
    measureOp(data, budget, GET_EXISTING_RAW, existing, (key) => {
      const text = reader.getRaw(key);
      return text === undefined ? -1 : text.length;
    }),
    measureOp(data, budget, GET_EXISTING_PARSED, existing, (key) => {
      const value = reader.get(key) as { ms: number } | undefined;
      return value === undefined ? -1 : value.ms;
    }),
    measureOp(
      data,
      budget,
      GET_ABSENT,
      (j) => absentKeyAt(data, j),
      (key) => (reader.getRaw(key) === undefined ? 1 : 0),
    ),
  ];
  return {
    measurements: runs.map((r) => r.measurement),
    sink: runs.reduce((sum, r) => (sum + (r.sink | 0)) | 0, 0),
  };
}

/**
 * Brings `files` into the page cache the way reading them from disk leaves
 * them, untimed, so that every reader starts from the same state whatever
 * wrote the store and whenever it ran: each file is flushed (fsync), evicted
 * (`dd iflag=nocache count=0`, which is posix_fadvise DONTNEED on the whole
 * file) and read back once.
 *
 * Both halves matter on the development VM. Its host pages out memory left
 * untouched for about a minute (DAMON reclaim: `kdamond`, age ≥ 60 s), so a
 * store written a minute before its reader ran was partly on disk again and
 * its lookups became disk reads by chance of timing: frozendb's 1M-row spread
 * store, looked up at random, did 130k/s right after a read of the file,
 * 92k/s after 2.5 minutes untouched, 36k/s in one full run. And what the
 * writer left in the cache differs by writer: pages cached by small appends
 * are small, pages read back from disk come in large folios, and the first
 * touch of a memory-mapped page costs a fault that maps 16 small pages for
 * ~26 µs here, or a large folio's worth for ~11 µs (lmdb and frozendb map
 * their files; SQLite and fs read with pread). The same store's first 25k
 * random lookups on a fresh frozendb reader: 42-50k/s as its writer left
 * the cache, 61-70k/s after an eviction and a read. Flushing also keeps the
 * kernel from writing a loader's gigabytes back while the readers are timed.
 * Where `dd` is missing, the files are only read.
 */
function settlePageCache(files: readonly string[]): void {
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (const file of files) {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      continue; // a store's optional file (an SQLite -shm) may not exist
    }
    try {
      fsyncSync(fd);
      spawnSync("dd", [`if=${file}`, "iflag=nocache", "count=0", "status=none"], {
        stdio: "ignore",
      });
      while (readSync(fd, chunk, 0, chunk.length, null) > 0) {}
    } finally {
      closeSync(fd);
    }
  }
}

/** Measures every read driver's lookups, each reader alone in a child process. */
export async function getWorkload(ctx: ScenarioContext): Promise<void> {
  for (const driver of ctx.drivers) {
    if (driver.read === undefined) continue;
    const path = ctx.stores.get(driver.family);
    if (path === undefined) {
      ctx.fail(driver.name, "get", "no store: its family's loader failed");
      continue;
    }
    ctx.log(`  get: ${driver.name}`);
    try {
      settlePageCache(FAMILY_STORES[driver.family].files(path));
      const report = runChildScript<GetChildReport>(
        "get-child.js",
        scenarioChildRequest(ctx, driver, path) satisfies GetChildRequest,
      );
      addToSink(report.sink);
      for (const m of report.measurements) {
        ctx.emit({
          ...figureBase(ctx),
          workload: "get",
          driver: driver.name,
          family: driver.family,
          unit: "lookups/s",
          mbPerSecond: scansWholeStore(driver.name, m.figure)
            ? (storeBytes(driver.family, path) / 1e6) * m.value
            : null,
          ...m,
        });
      }
    } catch (error) {
      ctx.fail(driver.name, "get", errorText(error));
    }
  }
}
