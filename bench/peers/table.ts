/** The printed form of the peer report: one Markdown table per scenario, then targets and skips. */

import { slowPhaseLabel } from "../cpu-probe.js";
import { machineNotes } from "../report.js";
import type { PeerFigure } from "./figures.js";
import type { PeerReport } from "./run-peers.js";

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** A duration given in microseconds. */
export function formatUs(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return "";
  if (us < 1) return `${(us * 1_000).toFixed(0)} ns`;
  if (us < 1_000) return `${us.toFixed(us < 10 ? 2 : 1)} µs`;
  if (us < 1_000_000) return `${(us / 1_000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

function formatValue(f: PeerFigure): string {
  if (f.unit === "ms") return formatUs(f.value * 1_000);
  if (f.unit === "lookups/s") return `${formatCount(f.value)}/s`;
  return `${formatCount(f.value)} rows/s`;
}

function formatRatio(r: number | null): string {
  if (r === null) return "";
  return `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

function formatMB(mb: number): string {
  return mb >= 1_000 ? `${(mb / 1_000).toFixed(2)} GB` : `${mb.toFixed(1)} MB`;
}

/** A rate in MB/s, as GB/s from 1,000 MB/s. */
function formatMbRate(mbPerSecond: number): string {
  return mbPerSecond >= 1_000
    ? `${(mbPerSecond / 1_000).toFixed(2)} GB/s`
    : `${mbPerSecond.toFixed(0)} MB/s`;
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

function signedMB(mb: number): string {
  return `${mb < 0 ? "−" : "+"}${Math.abs(mb).toFixed(1)} MB`;
}

function details(f: PeerFigure): string {
  const d = f.details;
  const num = (name: string): number => Number(d[name] ?? 0);
  switch (f.workload) {
    case "append": {
      const rows = num("rowsTimed");
      const note = `${plural(rows, "row")}, ${plural(f.samples, "commit")}`;
      return num("rowsWritten") < f.rows ? `${note} (budget)` : note;
    }
    case "get":
      return f.mbPerSecond === null
        ? plural(f.samples, "lookup")
        : `${plural(f.samples, "lookup")}, each a scan of the whole store: ${formatMbRate(f.mbPerSecond)}`;
    case "open":
      return `first ${formatUs(num("firstOpenMs") * 1_000)}; RSS ${signedMB(num("rssOpenDeltaMB"))} open, ${signedMB(num("rssLookupsDeltaMB"))} after ${plural(num("childLookups"), "get")} at ${formatCount(num("childLookupsPerSecond"))}/s (anon ${signedMB(num("anonOpenDeltaMB"))}, ${signedMB(num("anonLookupsDeltaMB"))}); ${plural(f.samples, "open")}`;
    case "scan":
    case "verify":
      return `${formatMbRate(f.mbPerSecond ?? 0)} of ${formatMB(num("storeBytes") / 1e6)}; ${plural(f.samples, "run")}`;
  }
}

function table(header: readonly string[], body: readonly string[][], numeric: readonly boolean[]) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/** The CPU probe reading taken right before the workload that measured `f` (verify runs within scan). */
function probeBefore(report: PeerReport, f: PeerFigure): number | null {
  const workload = `${f.scenario}: ${f.workload === "verify" ? "scan" : f.workload}`;
  return report.cpuProbes.find((p) => p.when === "before" && p.workload === workload)?.ms ?? null;
}

/** The disk sync probe reading taken right before a synced writer's run, if any. */
function diskSyncOf(f: PeerFigure): number | null {
  const { diskSyncMs } = f.details;
  return typeof diskSyncMs === "number" ? diskSyncMs : null;
}

/**
 * One Markdown table per scenario; `fastestProbeMs`, the run's fastest CPU
 * probe reading, marks the figures of workloads that began in a slow phase;
 * synced writers' figures also show the disk's sync latency before them.
 */
export function formatPeerTables(report: PeerReport, fastestProbeMs: number | null): string {
  const out: string[] = [];
  const header = [
    "figure",
    "driver",
    "value",
    "p50",
    "p99",
    "vs best peer",
    "vs fs",
    "target",
    "met",
    "machine",
    "details",
  ];
  const numeric = [false, false, true, true, true, true, true, false, false, false, false];
  for (const scenario of report.scenarios) {
    // Grouped by figure (in the order figures first appear), drivers in run order.
    const figures = report.figures.filter((f) => f.scenario === scenario.label);
    const order = new Map<string, number>();
    for (const f of figures) if (!order.has(f.figure)) order.set(f.figure, order.size);
    figures.sort((a, b) => order.get(a.figure)! - order.get(b.figure)!);
    if (figures.length === 0) continue;
    const body: string[][] = [];
    let previous = "";
    for (const f of figures) {
      const first = f.figure !== previous;
      previous = f.figure;
      body.push([
        first ? `${f.figure}${f.bestPeer === null ? "" : ` (best peer: ${f.bestPeer})`}` : "",
        f.driver,
        formatValue(f),
        f.workload === "open" ? "" : formatUs(f.p50Us),
        formatUs(f.p99Us),
        formatRatio(f.vsBestPeer),
        formatRatio(f.vsFs),
        f.target?.label ?? "",
        f.met === null ? "" : f.met ? "met" : "NOT MET",
        machineNotes(slowPhaseLabel(probeBefore(report, f), fastestProbeMs), diskSyncOf(f)),
        details(f),
      ]);
    }
    out.push(`### ${scenario.label}`, "", table(header, body, numeric), "");
  }
  return out.join("\n");
}

/** The lines after the tables: targets, skipped peers, failed workloads. */
export function formatPeerSummary(report: PeerReport): string {
  const lines: string[] = [];
  const judged = report.figures.filter((f) => f.met !== null);
  const missed = judged.filter((f) => f.met === false);
  lines.push(
    `peer targets: ${judged.length - missed.length} of ${judged.length} met${judged.length === 0 ? " (none judged in this run)" : ""}`,
  );
  // One line per driver and figure: in how many scenarios, and its best value.
  const byFigure = new Map<string, PeerFigure[]>();
  for (const f of missed) {
    const id = `${f.driver} · ${f.figure}`;
    byFigure.set(id, [...(byFigure.get(id) ?? []), f]);
  }
  for (const [id, list] of byFigure) {
    const all = judged.filter((f) => `${f.driver} · ${f.figure}` === id).length;
    const best = list.reduce((a, b) => {
      const target = a.target!;
      const value = (f: PeerFigure) => (target.on === "value" ? f.value : (f.mbPerSecond ?? 0));
      return (target.kind === "min") === value(b) > value(a) ? b : a;
    });
    const shown =
      best.target?.on === "mbPerSecond"
        ? `${(best.mbPerSecond ?? 0).toFixed(0)} MB/s`
        : formatValue(best);
    lines.push(
      `  not met: ${id}, ${list.length} of ${plural(all, "scenario")} (best ${shown}, ${best.scenario}; target ${best.target?.label})`,
    );
  }
  for (const s of report.skipped) lines.push(`skipped peer ${s.peer}: ${s.reason}`);
  // Failures with the same driver, workload and reason on one line.
  const failures = new Map<string, string[]>();
  for (const f of report.failures) {
    const id = `${f.driver} ${f.workload}: ${f.reason}`;
    failures.set(id, [...(failures.get(id) ?? []), f.scenario]);
  }
  for (const [id, scenarios] of failures) {
    const where = scenarios.length === 1 ? scenarios[0] : `${scenarios.length} scenarios`;
    lines.push(`not measured: ${id} (${where})`);
  }
  return lines.join("\n");
}
