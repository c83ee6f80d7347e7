/**
 * Runs the benchmarks, prints the tables and writes the JSON report.
 *
 *   node --expose-gc dist/run.js [--quick] [--filter <text>] [--only micro|peers]
 *
 * Two layers: the micro-benchmarks (`micro/`, one table with in-run
 * baselines) and the peer benchmarks (`peers/`: frozenDB beside
 * better-sqlite3, lmdb and naive node:fs on the same data, one table per
 * scenario with ratios to the best peer and to fs). `--quick` runs the
 * reduced sets; `--filter` keeps micro-benchmarks whose name contains the
 * text; `--only` runs one layer.
 */

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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
  formatTable,
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
    },
    strict: true,
  });
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
  const rows = only === "peers" ? [] : runMicro(quick, filter, options, codec);
  const sink = sinkValue();

  let peers: PeerReport | null = null;
  if (only !== "micro") {
    console.error(`peer benchmarks${quick ? " (quick)" : ""}`);
    peers = await runPeers(quick);
  }

  if (rows.length > 0) {
    console.log();
    console.log("## micro-benchmarks");
    console.log();
    console.log(formatTable(rows));
    console.log();
    console.log(`sink ${sink.toString(16)} (folded results; keeps the work observable)`);
  }
  if (peers !== null) {
    console.log();
    console.log("## peers (vs best peer / vs fs: > 1× better, < 1× worse, same run)");
    console.log();
    console.log(formatPeerTables(peers));
    console.log(formatPeerSummary(peers));
    console.log(`peer sink ${peers.sink.toString(16)}`);
  }

  const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const durationMs = performance.now() - started;
  const report: Report = {
    schema: 2,
    startedAt: startedAt.toISOString(),
    durationMs,
    quick,
    filter,
    only,
    machine: machineFacts(resultsDir),
    options,
    codec: codec.facts,
    results: rows,
    sink,
    peers,
  };
  const written = writeReport(resultsDir, reportFileName(startedAt), report);
  console.log(`wrote ${written} (run took ${(durationMs / 1000).toFixed(1)} s)`);

  const failed = rows.filter((r) => r.pass === false);
  if (failed.length > 0) {
    // Reported, not fatal: a missed target is a finding of the run, and the
    // exit code must not depend on how busy the machine was.
    console.log(`micro targets missed: ${failed.map((r) => r.name).join(", ")}`);
  }
}

/** Runs the micro-benchmarks and returns their rows. */
function runMicro(
  quick: boolean,
  filter: string | null,
  options: MeasureOptions,
  codec: ReturnType<typeof codecBenchmarks>,
): ResultRow[] {
  // Building the prebuilt file takes seconds: only when a txlog benchmark runs.
  const wantsTxlog = filter === null || filter.includes("txlog") || filter.startsWith("fs");
  const txlog = wantsTxlog ? txlogBenchmarks(quick) : { benchmarks: [], cleanup: () => {} };
  const wantsClient = filter === null || filter.includes("client");
  const client = wantsClient ? clientBenchmarks(quick) : { benchmarks: [], cleanup: () => {} };
  const selected = [
    EMPTY_LOOP,
    ...codec.benchmarks,
    ...txlog.benchmarks,
    ...client.benchmarks,
  ].filter((b) => (!quick || b.quick) && (filter === null || b.name.includes(filter)));
  if (selected.length === 0) throw new Error(`no benchmark matches --filter ${filter}`);

  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === "function";
  console.error(
    `${selected.length} benchmarks${quick ? " (quick)" : ""}, Node ${process.version}, crc32: ${codec.facts.crc32Kind}${gcExposed ? "" : ", no --expose-gc"}`,
  );
  const measurements: Measurement[] = [];
  try {
    for (const benchmark of selected) {
      process.stderr.write(`  ${benchmark.name} … `);
      const m = measure(benchmark, options);
      measurements.push(m);
      process.stderr.write(
        `${m.medianNs.toFixed(1)} ns/op (${m.batches} × ${m.iterationsPerBatch})\n`,
      );
    }
  } finally {
    txlog.cleanup();
    client.cleanup();
  }
  return toResultRows(selected, measurements);
}

await main();
