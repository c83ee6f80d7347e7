/**
 * How fast each CPU runs right now, and running the measurements on the
 * fastest. The development VM goes through phases, minutes long, in which
 * work that lives in the CPU caches runs 1.7× slower (a loop over 256 KB:
 * 7.5 ms, then 12.5–14.5 ms; a loop in registers only ~7% slower), with no
 * steal time reported and nothing else running in the guest: some other
 * load on the host shares the caches, presumably. Sometimes only one vCPU
 * is affected (14–17 ms pinned to vCPU 0, 7.5 ms on vCPU 1, same minute),
 * sometimes both. Every CPU-bound figure moves with it (verify 1.1 GB/s,
 * then 0.75).
 *
 * So before each micro group and each peer workload the fixed work is timed
 * on every CPU, and the main thread (only: V8's and libuv's helper threads
 * keep every CPU) is pinned to the fastest with `taskset -p`; child
 * processes pin theirs to the same CPU. A phase can also begin while a
 * micro group runs (its benchmarks take a minute or more together), so each
 * micro-benchmark is bracketed by two more readings on its own CPU. Every
 * reading goes into the report, so a missed target can be read against the
 * state the machine was in.
 * Where `taskset` is missing, nothing is pinned and the readings are of
 * whatever CPU the thread was on. Figures are never adjusted by them.
 */

import { spawnSync } from "node:child_process";
import os from "node:os";

/** One reading: which measurement it brackets, the CPU chosen and every CPU's time. */
export interface CpuProbe {
  /** Whether the reading was taken right before or right after {@link CpuProbe.workload}. */
  readonly when: "before" | "after";
  /** The micro group, micro-benchmark or peer workload. */
  readonly workload: string;
  /** The CPU the main thread was pinned to, or null when pinning is unavailable. */
  readonly cpu: number | null;
  /** Time of the fixed work on the chosen CPU (ms, median of 5): lower is faster. */
  readonly ms: number;
  /** The same time on each CPU, by CPU number (one entry when nothing is pinned). */
  readonly perCpuMs: readonly number[];
}

const WORDS = new Int32Array(1 << 16).map((_, i) => Math.imul(i, 0x9e3779b1));

/** The fixed work: 200 passes of XOR-and-add over 256 KB (about 8 ms on the dev VM at full speed). */
function work(): number {
  let x = 0;
  for (let pass = 0; pass < 200; pass++) {
    for (let i = 0; i < WORDS.length; i++) x ^= WORDS[i]! + pass;
  }
  return x;
}

/** Folded results of every probe: module state, so the work cannot be dropped. */
let sink = 0;

/** Times the fixed work five times after two untimed runs; returns the median in ms. */
function probeMs(): number {
  sink ^= work() ^ work();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    sink ^= work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[2]!;
}

/** Sets the main thread's CPUs (`taskset -p`, this thread only); false when that failed. */
function pinMainThread(cpus: string): boolean {
  const result = spawnSync("taskset", ["-p", "-c", cpus, String(process.pid)], {
    stdio: "ignore",
  });
  return result.status === 0;
}

let pinned: number | null = null;

/**
 * Probes every CPU, pins the main thread to the fastest and returns the
 * reading, taken before `workload`. With `FROZENDB_BENCH_NO_PIN=1`, or without
 * `taskset`, it only probes where the thread runs.
 */
export function probeAndPin(workload: string): CpuProbe {
  // Not availableParallelism(): that counts the CPUs this thread may use, one once pinned.
  const cpus = os.cpus().length;
  const { FROZENDB_BENCH_NO_PIN: noPin } = process.env;
  if (noPin === "1" || cpus < 2 || !pinMainThread("0")) {
    const ms = probeMs();
    return { when: "before", workload, cpu: null, ms, perCpuMs: [ms] };
  }
  const perCpuMs: number[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    pinMainThread(String(cpu));
    perCpuMs.push(probeMs());
  }
  const cpu = perCpuMs.indexOf(Math.min(...perCpuMs));
  pinMainThread(String(cpu));
  pinned = cpu;
  // Read by child processes (pinAsParentChose).
  Object.assign(process.env, { FROZENDB_BENCH_CPU: String(cpu) });
  return { when: "before", workload, cpu, ms: perCpuMs[cpu]!, perCpuMs };
}

/**
 * Runs `spawn` (which starts a child process) with the main thread free to
 * use every CPU, so that the child's threads are not all confined to one;
 * the child pins its own main thread. Pins back afterwards.
 */
export function withAllCpus<T>(spawn: () => T): T {
  if (pinned === null) return spawn();
  pinMainThread(`0-${os.cpus().length - 1}`);
  try {
    return spawn();
  } finally {
    pinMainThread(String(pinned));
  }
}

/**
 * Times the fixed work where the main thread runs now, without moving it:
 * the readings right before and right after one micro-benchmark.
 */
export function probeInPlace(when: "before" | "after", workload: string): CpuProbe {
  const ms = probeMs();
  const { FROZENDB_BENCH_CPU: chosen } = process.env;
  const cpu = chosen !== undefined && /^\d+$/.test(chosen) ? Number(chosen) : pinned;
  return { when, workload, cpu, ms, perCpuMs: [ms] };
}

/** In a child process: pins its main thread to the CPU the parent chose, if it chose one. */
export function pinAsParentChose(): void {
  const { FROZENDB_BENCH_CPU: cpu } = process.env;
  if (cpu !== undefined && /^\d+$/.test(cpu)) pinMainThread(cpu);
}

/** Folded results of every probe (keeps the work observable). */
export function cpuProbeSink(): number {
  return sink >>> 0;
}

/** A reading above this multiple of the run's fastest marks a slow phase. */
const SLOW_PROBE_RATIO = 1.25;

/** The fastest reading of the run, or null when there is none. */
export function fastestReadingMs(probes: readonly CpuProbe[]): number | null {
  return probes.length === 0 ? null : Math.min(...probes.map((p) => p.ms));
}

/**
 * "slow 1.74×" when a reading of `probeMs` is more than
 * {@link SLOW_PROBE_RATIO} times the run's fastest (`fastestMs`), else "".
 */
export function slowPhaseLabel(probeMs: number | null, fastestMs: number | null): string {
  if (probeMs === null || fastestMs === null) return "";
  const ratio = probeMs / fastestMs;
  return ratio > SLOW_PROBE_RATIO ? `slow ${ratio.toFixed(2)}×` : "";
}

/** The summary printed after the tables: the chosen CPUs' range and the spread between CPUs. */
export function formatCpuProbes(probes: readonly CpuProbe[]): string {
  if (probes.length === 0) return "";
  const chosen = probes.map((p) => p.ms);
  const fastest = Math.min(...chosen);
  const slowest = Math.max(...chosen);
  const lines = [
    `CPU probe (fixed work, lower is faster) on the CPU each workload ran on: ${fastest.toFixed(1)}–${slowest.toFixed(1)} ms over ${probes.length} readings`,
  ];
  const spread = probes.filter((p) => p.perCpuMs.length > 1);
  if (spread.length > 0) {
    const worst = spread.map((p) => Math.max(...p.perCpuMs) / p.ms);
    const uneven = worst.filter((r) => r > SLOW_PROBE_RATIO).length;
    lines.push(
      `  the other CPU was more than ${SLOW_PROBE_RATIO}× slower at ${uneven} of ${spread.length} readings (up to ${Math.max(...worst).toFixed(2)}×)`,
    );
  }
  const slow = probes
    .filter((p) => p.ms > SLOW_PROBE_RATIO * fastest)
    .map((p) => `${p.when} ${p.workload}`);
  if (slow.length > 0) {
    lines.push(
      `  slower than ${SLOW_PROBE_RATIO}× the fastest reading even so: ${slow.join("; ")}`,
    );
  }
  return lines.join("\n");
}
