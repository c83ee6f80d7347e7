/**
 * Runs the benchmarks, prints the tables and writes the JSON report.
 *
 *   node --expose-gc dist/run.js [--quick] [--filter <text>] [--only micro|peers] [--scenario <text>]
 *
 * Two layers: the micro-benchmarks (`micro/`, one table with in-run
 * baselines) and the peer benchmarks (`peers/`: frozenDB beside
 * better-sqlite3, lmdb and naive node:fs on the same data, one table per
 * scenario with ratios to the best peer and to fs). `--quick` runs the
 * reduced sets; `--filter` keeps micro-benchmarks whose name contains the
 * text; `--only` runs one layer; `--scenario` keeps the peer scenarios whose
 * label contains the text.
 *
 * Each group of micro-benchmarks (codec, txlog, client) runs in a process of
 * its own (`--group`, started by this script): in one process, the heap and
 * the compiled code that one group leaves behind — a million prepared keys,
 * call sites made polymorphic by another group's inputs — slowed the next
 * group's numbers by up to 40% in a full run, which no user's process sees.
 */

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type CpuProbe,
  cpuProbeSink,
  fastestReadingMs,
  formatCpuProbes,
  pinAsParentChose,
  probeAndPin,
  probeInPlace,
  withAllCpus,
} from "./cpu-probe.js";
import { probeDiskSync } from "./disk-probe.js";
import { clientBenchmarks } from "./micro/client.js";
import { codecBenchmarks } from "./micro/codec.js";
import {
  type Benchmark,
  type Measurement,
  type MeasureOptions,
  measure,
  sinkValue,
} from "./micro/harness.js";
import { txlogBenchmarks } from "./micro/txlog.js";
import { type PeerReport, runPeers } from "./peers/run-peers.js";
import { formatPeerSummary, formatPeerTables } from "./peers/table.js";
import {
  formatMachineState,
  formatTable,
  type MachineState,
  machineFacts,
  type Report,
  type ResultRow,
  reportFileName,
  toResultRows,
  writeReport,
} from "./report.js";

const FULL: MeasureOptions = {
  warmupMs: 300,
  batchMs: 20,
  batches: 40,
  maxMs: 3_000,
  minBatches: 5,
};
const QUICK: MeasureOptions = {
  warmupMs: 100,
  batchMs: 10,
  batches: 15,
  maxMs: 800,
  minBatches: 3,
};

/** What the harness itself costs per iteration: a loop that adds its counter. */
const EMPTY_LOOP: Benchmark = {
  name: "harness: empty loop",
  group: "harness",
  note: "reference: the cost of a benchmark's own loop, included in every other number",
  quick: true,
  run(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += i;
    return acc;
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      filter: { type: "string" },
      only: { type: "string" },
      scenario: { type: "string" },
      group: { type: "string" },
    },
    strict: true,
  });
  if (values.group !== undefined) {
    runGroupAndPrint(values.group, values.quick, values.filter ?? null);
    return;
  }
  const quick = values.quick;
  const filter = values.filter ?? null;
  const only = values.only ?? null;
  if (only !== null && only !== "micro" && only !== "peers") {
    throw new Error(`--only must be micro or peers, not ${only}`);
  }
  const options = quick ? QUICK : FULL;
  const startedAt = new Date();
  const started = performance.now();

  const codec = codecBenchmarks();
  const probes: CpuProbe[] = [];
  const micro = only === "peers" ? { rows: [], sink: 0 } : runMicro(quick, filter, probes);
  const rows = micro.rows;
  const sink = micro.sink;

  let peers: PeerReport | null = null;
  if (only !== "micro") {
    console.error(`peer benchmarks${quick ? " (quick)" : ""}`);
    peers = await runPeers(quick, values.scenario ?? null);
  }

  const allProbes = [...probes, ...(peers?.cpuProbes ?? [])];
  if (rows.length > 0) {
    console.log();
    console.log("## micro-benchmarks");
    console.log();
    console.log(formatTable(rows, fastestReadingMs(allProbes)));
    console.log();
    console.log(`sink ${sink.toString(16)} (folded results; keeps the work observable)`);
  }
  if (peers !== null) {
    console.log();
    console.log("## peers (vs best peer / vs fs: > 1× better, < 1× worse, same run)");
    console.log();
    console.log(formatPeerTables(peers, fastestReadingMs(allProbes)));
    console.log(formatPeerSummary(peers));
    console.log(`peer sink ${peers.sink.toString(16)}`);
  }

  const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const durationMs = performance.now() - started;
  const report: Report = {
    schema: 3,
    startedAt: startedAt.toISOString(),
    durationMs,
    quick,
    filter,
    only,
    scenario: values.scenario ?? null,
    machine: machineFacts(resultsDir),
    options,
    codec: codec.facts,
    results: rows,
    // The probes' work folded in too.
    sink: (sink ^ cpuProbeSink()) >>> 0,
    peers,
    cpuProbes: allProbes,
  };
  const written = writeReport(resultsDir, reportFileName(startedAt), report);
  console.log(formatCpuProbes(report.cpuProbes));
  console.log(`wrote ${written} (run took ${(durationMs / 1000).toFixed(1)} s)`);

  const failed = rows.filter((r) => r.pass === false);
  if (failed.length > 0) {
    // Reported, not fatal: a missed target is a finding of the run, and the
    // exit code must not depend on how busy the machine was.
    const fastest = fastestReadingMs(allProbes);
    const named = failed.map((r) => {
      const state = formatMachineState(r, fastest);
      return state === "" ? r.name : `${r.name} (${state})`;
    });
    console.log(`micro targets missed: ${named.join(", ")}`);
  }
}

/** The micro-benchmark groups, each run in a process of its own. */
const GROUPS = ["codec", "txlog", "client"] as const;
type Group = (typeof GROUPS)[number];

/** Marks the line of a group's output that carries its results. */
const RESULT_MARK = "@@micro-results ";

/** Whether `group` can have a benchmark matching `filter` (building its data takes seconds). */
function groupWanted(group: Group, filter: string | null): boolean {
  if (filter === null) return true;
  if (group === "codec") {
    return [EMPTY_LOOP, ...codecBenchmarks().benchmarks].some((b) => b.name.includes(filter));
  }
  if (group === "txlog") return filter.includes("txlog") || filter.startsWith("fs");
  return filter.includes("client");
}

/** Runs every wanted group in a child process and collects their rows and sinks. */
function runMicro(
  quick: boolean,
  filter: string | null,
  probes: CpuProbe[],
): { rows: ResultRow[]; sink: number } {
  const rows: ResultRow[] = [];
  let sink = 0;
  for (const group of GROUPS) {
    if (!groupWanted(group, filter)) continue;
    const probe = probeAndPin(`micro: ${group}`);
    probes.push(probe);
    console.error(`cpu probe ${probe.perCpuMs.map((ms) => ms.toFixed(1)).join(" / ")} ms`);
    const args = ["--expose-gc", fileURLToPath(import.meta.url), "--group", group];
    if (quick) args.push("--quick");
    if (filter !== null) args.push("--filter", filter);
    const child = withAllCpus(() =>
      spawnSync(process.execPath, args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 64 << 20,
      }),
    );
    const line = child.stdout?.split("\n").find((l) => l.startsWith(RESULT_MARK));
    if (child.status !== 0 || line === undefined) {
      throw new Error(`micro-benchmark group ${group} failed (exit ${child.status})`);
    }
    const result = JSON.parse(line.slice(RESULT_MARK.length)) as {
      rows: ResultRow[];
      sink: number;
      probes: CpuProbe[];
    };
    rows.push(...result.rows);
    probes.push(...result.probes);
    sink = (sink ^ result.sink) >>> 0;
  }
  if (rows.length === 0) throw new Error(`no benchmark matches --filter ${filter}`);
  return { rows, sink };
}

/** Child side of {@link runMicro}: runs one group, prints its rows and sink on one marked line. */
function runGroupAndPrint(group: string, quick: boolean, filter: string | null): void {
  if (!(GROUPS as readonly string[]).includes(group)) {
    throw new Error(`--group must be one of ${GROUPS.join(", ")}, not ${group}`);
  }
  pinAsParentChose();
  const options = quick ? QUICK : FULL;
  const built =
    group === "codec"
      ? { benchmarks: [EMPTY_LOOP, ...codecBenchmarks().benchmarks], cleanup: () => {} }
      : group === "txlog"
        ? txlogBenchmarks(quick)
        : clientBenchmarks(quick);
  const selected = built.benchmarks.filter(
    (b) => (!quick || b.quick) && (filter === null || b.name.includes(filter)),
  );
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === "function";
  console.error(
    `${group}: ${selected.length} benchmarks${quick ? " (quick)" : ""}, Node ${process.version}${gcExposed ? "" : ", no --expose-gc"}`,
  );
  const measurements: Measurement[] = [];
  const probes: CpuProbe[] = [];
  // The slower readings of the two around each benchmark, by name.
  const states = new Map<string, MachineState>();
  try {
    for (const benchmark of selected) {
      process.stderr.write(`  ${benchmark.name} … `);
      const diskBefore = benchmark.syncs === true ? probeDiskSync() : null;
      const before = probeInPlace("before", `micro: ${benchmark.name}`);
      const m = measure(benchmark, options);
      const after = probeInPlace("after", `micro: ${benchmark.name}`);
      const diskAfter = benchmark.syncs === true ? probeDiskSync() : null;
      measurements.push(m);
      probes.push(before, after);
      const diskSyncMs =
        diskBefore === null || diskAfter === null ? null : Math.max(diskBefore, diskAfter);
      states.set(benchmark.name, { cpuProbeMs: Math.max(before.ms, after.ms), diskSyncMs });
      const disk =
        diskSyncMs === null
          ? ""
          : `, disk sync ${diskBefore!.toFixed(2)} → ${diskAfter!.toFixed(2)} ms`;
      process.stderr.write(
        `${m.medianNs.toFixed(1)} ns/op (${m.batches} × ${m.iterationsPerBatch}), cpu probe ${before.ms.toFixed(1)} → ${after.ms.toFixed(1)} ms${disk}\n`,
      );
    }
  } finally {
    built.cleanup();
  }
  const rows = toResultRows(selected, measurements, states);
  const sink = (sinkValue() ^ cpuProbeSink()) >>> 0;
  console.log(`${RESULT_MARK}${JSON.stringify({ rows, sink, probes })}`);
}

await main();
