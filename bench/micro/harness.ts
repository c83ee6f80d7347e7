/**
 * A small measurement harness. Each benchmark owns its inner loop
 * (`run(iterations)`), so the measured call site stays monomorphic and the
 * harness adds one indirect call per batch, not per operation. The harness
 * warms up, sizes batches to a target duration, then times repeated batches
 * with `process.hrtime.bigint()` and reports the median and p99 over batches.
 */

/** What a benchmark must meet; checked against the median of the report, never in tests. */
export type Target =
  | { readonly kind: "max-ns-per-op"; readonly value: number }
  | { readonly kind: "min-bytes-per-second"; readonly value: number };

/** One micro-benchmark. */
export interface Benchmark {
  /** Unique, stable name (the JSON report is keyed by it). */
  readonly name: string;
  /** What it belongs to, for grouping in the table. */
  readonly group: string;
  /**
   * Performs the operation `iterations` times and returns a number derived
   * from every result, which the harness folds into the sink so the work
   * cannot be optimised away.
   */
  readonly run: (iterations: number) => number;
  /** Bytes processed per operation, for throughput benchmarks. */
  readonly bytesPerOp?: number;
  readonly target?: Target;
  /** Name of the in-run baseline this is compared with. */
  readonly peer?: string;
  /** Part of the reduced `--quick` set. */
  readonly quick: boolean;
  /** One line on what is measured, for the report. */
  readonly note: string;
  /** The figure depends on the disk's sync latency (it calls `fdatasync`): probed around it. */
  readonly syncs?: boolean;
}

/** How long to warm up and measure. */
export interface MeasureOptions {
  /** Minimum warm-up time, spent running batches that are thrown away. */
  readonly warmupMs: number;
  /** Target duration of one timed batch. */
  readonly batchMs: number;
  /** Timed batches to collect. */
  readonly batches: number;
  /** Stop collecting batches after this much measuring time (at least `minBatches` run). */
  readonly maxMs: number;
  readonly minBatches: number;
}

/** The result of measuring one benchmark. */
export interface Measurement {
  readonly name: string;
  readonly group: string;
  readonly iterationsPerBatch: number;
  readonly batches: number;
  /** Median over batches of nanoseconds per operation. */
  readonly medianNs: number;
  /** 99th percentile (nearest rank) over batches; with fewer than 100 batches, the slowest one. */
  readonly p99Ns: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly meanNs: number;
  /** Operations per second at the median. */
  readonly opsPerSecond: number;
  /** Bytes per second at the median, for throughput benchmarks. */
  readonly bytesPerSecond: number | undefined;
}

// Every benchmark result ends up here; it is printed and written to the
// report, so no result is dead from the optimiser's point of view.
let sink = 0;

/** The folded results of every batch run so far. */
export function sinkValue(): number {
  return sink >>> 0;
}

function timeBatch(run: (iterations: number) => number, iterations: number): number {
  const start = process.hrtime.bigint();
  const result = run(iterations);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink = (sink ^ (result | 0)) + 1;
  return elapsed;
}

function collectGarbage(): void {
  // Available when node runs with --expose-gc (the bench script does): starts
  // every benchmark with an empty young generation, so one benchmark's
  // garbage is not collected on the next one's clock.
  (globalThis as { gc?: () => void }).gc?.();
}

/** Warms up and returns the number of iterations that makes a batch last about `batchMs`. */
function calibrate(run: (iterations: number) => number, options: MeasureOptions): number {
  const batchNs = options.batchMs * 1e6;
  // One untimed call first: benchmarks open their file or build their
  // state lazily, and that must not be mistaken for the cost of an operation
  // (it would calibrate batches down to a single, timer-dominated call).
  timeBatch(run, 1);
  const deadline = performance.now() + options.warmupMs;
  let iterations = 1;
  let elapsed = timeBatch(run, iterations);
  // Grow until a batch is long enough to time reliably.
  while (elapsed < batchNs) {
    const scale = elapsed <= 0 ? 10 : Math.min(10, Math.max(2, batchNs / elapsed));
    iterations = Math.ceil(iterations * scale);
    elapsed = timeBatch(run, iterations);
  }
  // Keep running full-size batches until the warm-up time is spent, so the
  // optimising compiler has settled before anything is recorded.
  while (performance.now() < deadline) {
    iterations = Math.max(1, Math.round((iterations * batchNs) / Math.max(elapsed, 1)));
    elapsed = timeBatch(run, iterations);
  }
  return Math.max(1, Math.round((iterations * batchNs) / Math.max(elapsed, 1)));
}

function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Measures one benchmark. */
export function measure(benchmark: Benchmark, options: MeasureOptions): Measurement {
  collectGarbage();
  const iterations = calibrate(benchmark.run, options);
  const perOp: number[] = [];
  const deadline = performance.now() + options.maxMs;
  while (
    perOp.length < options.batches &&
    (perOp.length < options.minBatches || performance.now() < deadline)
  ) {
    perOp.push(timeBatch(benchmark.run, iterations) / iterations);
  }
  const sorted = perOp.slice().sort((a, b) => a - b);
  const medianNs =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return {
    name: benchmark.name,
    group: benchmark.group,
    iterationsPerBatch: iterations,
    batches: sorted.length,
    medianNs,
    p99Ns: percentile(sorted, 0.99),
    minNs: sorted[0]!,
    maxNs: sorted[sorted.length - 1]!,
    meanNs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    opsPerSecond: 1e9 / medianNs,
    bytesPerSecond:
      benchmark.bytesPerOp === undefined ? undefined : (benchmark.bytesPerOp * 1e9) / medianNs,
  };
}

/** True when `m` meets `target` (judged on the median). */
export function meetsTarget(m: Measurement, target: Target): boolean {
  if (target.kind === "max-ns-per-op") return m.medianNs <= target.value;
  return (m.bytesPerSecond ?? 0) >= target.value;
}
