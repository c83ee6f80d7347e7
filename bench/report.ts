/**
 * The benchmark report: machine facts, the printed table and the JSON file
 * in bench/results/. Targets are judged here, from the numbers of the run,
 * never by timed assertions in tests.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CpuProbe, slowPhaseLabel } from "./cpu-probe.js";
import { formatDiskSync } from "./disk-probe.js";
import type { Benchmark, Measurement, MeasureOptions, Target } from "./micro/harness.js";
import { meetsTarget } from "./micro/harness.js";
import type { PeerReport } from "./peers/run-peers.js";

/** Facts about the machine a run happened on. */
export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly availableParallelism: number;
  readonly totalMemoryBytes: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly kernelRelease: string;
  readonly hostname: string;
  /** File system type of the results folder (`stat -f -c %T`), or null when unknown. */
  readonly resultsFileSystem: string | null;
}

/** One row of the report. */
export interface ResultRow extends Measurement {
  readonly note: string;
  readonly bytesPerOp: number | null;
  readonly target: Target | null;
  /** Whether the median meets the target; null when there is none. */
  readonly pass: boolean | null;
  readonly peer: string | null;
  /** This median divided by the peer's median: below 1 is faster than the peer. */
  readonly timeRatioToPeer: number | null;
  /** True when another benchmark of the run uses this one as its peer. */
  readonly isBaseline: boolean;
  /**
   * The slower of the two CPU probe readings (ms) taken right before and
   * right after this benchmark on its CPU, or null when none was taken.
   */
  readonly cpuProbeMs: number | null;
  /**
   * For a benchmark that syncs: the slower of the two disk sync probe
   * readings (ms) taken right before and right after it (see disk-probe.ts).
   */
  readonly diskSyncMs: number | null;
}

/** Reads the file system type of `dir`, or null when `stat -f` is unavailable. */
function fileSystemType(dir: string): string | null {
  try {
    const out = execFileSync("stat", ["-f", "-c", "%T", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

/** Collects the machine facts; `resultsDir` must exist. */
export function machineFacts(resultsDir: string): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    kernelRelease: os.release(),
    hostname: os.hostname(),
    resultsFileSystem: fileSystemType(resultsDir),
  };
}

/** The machine's state around one benchmark: CPU and (if it syncs) disk probe readings, in ms. */
export interface MachineState {
  readonly cpuProbeMs: number;
  readonly diskSyncMs: number | null;
}

/**
 * Joins measurements with their benchmark's target and peer, and with the
 * probe readings that bracket each (by benchmark name, when taken).
 */
export function toResultRows(
  benchmarks: readonly Benchmark[],
  measurements: readonly Measurement[],
  states: ReadonlyMap<string, MachineState> = new Map(),
): ResultRow[] {
  const byName = new Map(measurements.map((m) => [m.name, m]));
  const peers = new Set(benchmarks.map((b) => b.peer).filter((p) => p !== undefined));
  return measurements.map((m) => {
    const b = benchmarks.find((x) => x.name === m.name)!;
    const peer = b.peer === undefined ? undefined : byName.get(b.peer);
    return {
      ...m,
      note: b.note,
      bytesPerOp: b.bytesPerOp ?? null,
      target: b.target ?? null,
      pass: b.target === undefined ? null : meetsTarget(m, b.target),
      peer: peer?.name ?? null,
      timeRatioToPeer: peer === undefined ? null : m.medianNs / peer.medianNs,
      isBaseline: peers.has(m.name),
      cpuProbeMs: states.get(m.name)?.cpuProbeMs ?? null,
      diskSyncMs: states.get(m.name)?.diskSyncMs ?? null,
    };
  });
}

function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

function formatBytesRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e9) return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}

function formatOpsRate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)} M ops/s`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)} k ops/s`;
  return `${opsPerSecond.toFixed(1)} ops/s`;
}

function formatTarget(target: Target | null): string {
  if (target === null) return "";
  if (target.kind === "max-ns-per-op") {
    // Stated as the rate the issue names when that reads better (≥ 150k ops/s, not ≤ 6666.67 ns).
    return target.value >= 1000
      ? `≥ ${formatOpsRate(1e9 / target.value)}`
      : `≤ ${Number(target.value.toPrecision(4))} ns`;
  }
  return `≥ ${formatBytesRate(target.value)}`;
}

function formatRatio(row: ResultRow): string {
  if (row.timeRatioToPeer === null) return row.isBaseline ? "baseline" : "";
  const r = row.timeRatioToPeer;
  return r <= 1 ? `${(1 / r).toFixed(2)}× faster` : `${r.toFixed(2)}× slower`;
}

/**
 * The machine column: `CPU slow 1.74×` when the row was measured in a slow
 * phase (see cpu-probe.ts) and, for a benchmark that syncs, the disk's sync
 * latency around it (see disk-probe.ts); "" when there is nothing to say.
 */
export function formatMachineState(row: ResultRow, fastestProbeMs: number | null): string {
  return machineNotes(slowPhaseLabel(row.cpuProbeMs, fastestProbeMs), row.diskSyncMs);
}

/** Joins a CPU slow-phase label (`slow 1.74×`, or "") and a disk sync reading (or null). */
export function machineNotes(cpuSlow: string, diskSyncMs: number | null): string {
  return [cpuSlow === "" ? "" : `CPU ${cpuSlow}`, formatDiskSync(diskSyncMs)]
    .filter((note) => note !== "")
    .join("; ");
}

/**
 * The results as an aligned Markdown table; `fastestProbeMs`, the run's
 * fastest CPU probe reading, marks rows measured in a slow phase.
 */
export function formatTable(rows: readonly ResultRow[], fastestProbeMs: number | null): string {
  const header = [
    "benchmark",
    "median/op",
    "p99/op",
    "rate",
    "target",
    "result",
    "vs baseline",
    "machine",
  ];
  const body = rows.map((r) => [
    r.name,
    formatNs(r.medianNs),
    formatNs(r.p99Ns),
    r.bytesPerSecond === undefined
      ? formatOpsRate(r.opsPerSecond)
      : formatBytesRate(r.bytesPerSecond),
    formatTarget(r.target),
    r.pass === null ? "" : r.pass ? "pass" : "FAIL",
    formatRatio(r),
    formatMachineState(r, fastestProbeMs),
  ]);
  const numeric = [false, true, true, true, false, false, false, false];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/** The whole JSON report. */
export interface Report {
  /**
   * 2 added `peers` and `durationMs`; 3 added `results[].cpuProbeMs` and
   * `results[].diskSyncMs`, the readings around each micro-benchmark, the
   * peers' `details.diskSyncMs`, and `when`/`workload` in place of a
   * probe's `before`.
   */
  readonly schema: 3;
  readonly startedAt: string;
  /** Wall time of the whole run. */
  readonly durationMs: number;
  readonly quick: boolean;
  readonly filter: string | null;
  /** `micro`, `peers` or null (both). */
  readonly only: string | null;
  /** `--scenario`: the peer scenarios whose label contains this text, or null for all. */
  readonly scenario: string | null;
  /**
   * The machine's speed before each micro group and peer workload, and
   * around each micro-benchmark (see cpu-probe.ts).
   */
  readonly cpuProbes: readonly CpuProbe[];
  readonly machine: MachineFacts;
  readonly options: MeasureOptions;
  readonly codec: unknown;
  /** The micro-benchmarks (empty with `--only peers`). */
  readonly results: readonly ResultRow[];
  /** The folded micro-benchmark results (printed too), proof the work was used. */
  readonly sink: number;
  /** The peer benchmarks (null with `--only micro`). */
  readonly peers: PeerReport | null;
}

/** `results/<YYYY-MM-DD>-<node version>.json` for a run started at `date` (UTC). */
export function reportFileName(date: Date): string {
  return `${date.toISOString().slice(0, 10)}-${process.version}.json`;
}

/** Writes `report` into `resultsDir` (via a temporary file and a rename); returns its path. */
export function writeReport(resultsDir: string, fileName: string, report: Report): string {
  mkdirSync(resultsDir, { recursive: true });
  const target = path.join(resultsDir, fileName);
  const temporary = `${target}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, target);
  return target;
}
