/**
 * Timing for the peer workloads: every operation (a lookup, a 100-row
 * transaction, a scan) is timed on its own with `performance.now()`, so the
 * report has latency percentiles, and a workload stops at a time cap, so a
 * slow peer costs the run seconds, not minutes.
 */

/** How long each workload may run; `full` and `quick` differ. */
export interface PeerBudget {
  /** Timed appending per writer (each writer still commits at least `minCommits`). */
  readonly appendMs: number;
  readonly minCommits: number;
  /** Timed lookups per figure (at least `minLookups`), after `getWarmupMs` of untimed ones. */
  readonly getMs: number;
  readonly maxLookups: number;
  readonly minLookups: number;
  readonly getWarmupMs: number;
  /** Repeated opens in the child process (at least one after the first). */
  readonly openMs: number;
  readonly maxOpens: number;
  /** Lookups the child does before it reads RSS "after lookups". */
  readonly childLookups: number;
  readonly childLookupMs: number;
  /** Repeated scans and verifies (at least one each). */
  readonly scanMs: number;
  readonly maxScans: number;
}

export const FULL_BUDGET: PeerBudget = {
  appendMs: 2_500,
  minCommits: 5,
  getMs: 700,
  maxLookups: 200_000,
  minLookups: 2,
  getWarmupMs: 300,
  openMs: 1_000,
  maxOpens: 25,
  childLookups: 20_000,
  childLookupMs: 1_000,
  scanMs: 1_500,
  maxScans: 5,
};

export const QUICK_BUDGET: PeerBudget = {
  appendMs: 400,
  minCommits: 3,
  getMs: 150,
  maxLookups: 50_000,
  minLookups: 2,
  getWarmupMs: 100,
  openMs: 250,
  maxOpens: 10,
  childLookups: 2_000,
  childLookupMs: 200,
  scanMs: 250,
  maxScans: 3,
};

/** Per-operation timings of one measured loop. */
export interface Samples {
  /** Operations timed. */
  readonly count: number;
  /** Sum of the operations' times, in milliseconds (the loop's own overhead excluded). */
  readonly totalMs: number;
  /** Each operation's time in milliseconds, sorted ascending. */
  readonly sortedMs: Float64Array;
}

/** Nearest-rank percentile of sorted samples (p in 0…1). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Runs `op(i)` for i = 0, 1, … until `maxOps` operations or `capMs` of
 * measured time have passed (but at least `minOps`), timing each call.
 * `before(i)`, when given, runs untimed before each operation (it prepares
 * the input).
 */
export function timeEach(
  op: (i: number) => void,
  limits: { readonly maxOps: number; readonly minOps: number; readonly capMs: number },
  before?: (i: number) => void,
): Samples {
  const times = new Float64Array(Math.max(limits.maxOps, 0));
  let total = 0;
  let n = 0;
  const deadline = performance.now() + limits.capMs;
  while (n < limits.maxOps && (n < limits.minOps || performance.now() < deadline)) {
    before?.(n);
    const start = performance.now();
    op(n);
    const elapsed = performance.now() - start;
    times[n++] = elapsed;
    total += elapsed;
  }
  const sorted = times.subarray(0, n).sort();
  return { count: n, totalMs: total, sortedMs: sorted };
}

/** Forces a garbage collection when node runs with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** What timing one empty operation costs (µs, median), reported beside the figures. */
export function timerOverheadUs(): number {
  let sink = 0;
  const s = timeEach(
    (i) => {
      sink += i;
    },
    { maxOps: 100_000, minOps: 100_000, capMs: 1_000 },
  );
  return sink === -1 ? 0 : percentile(s.sortedMs, 0.5) * 1_000;
}
