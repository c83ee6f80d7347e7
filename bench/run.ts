/**
 * Runs the benchmarks, prints a table and writes the JSON report.
 *
 *   node --expose-gc dist/run.js [--quick] [--filter <text>]
 *
 * `--quick` runs the reduced set (targets and their baselines) with shorter
 * warm-up and fewer batches; `--filter` keeps benchmarks whose name contains
 * the text.
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
import {
  formatTable,
  machineFacts,
  type Report,
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

function main(): void {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      filter: { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick;
  const filter = values.filter ?? null;
  const options = quick ? QUICK : FULL;

  const startedAt = new Date();
  const codec = codecBenchmarks();
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
  for (const benchmark of selected) {
    process.stderr.write(`  ${benchmark.name} … `);
    const m = measure(benchmark, options);
    measurements.push(m);
    process.stderr.write(
      `${m.medianNs.toFixed(1)} ns/op (${m.batches} × ${m.iterationsPerBatch})\n`,
    );
  }

  txlog.cleanup();
  client.cleanup();
  const rows = toResultRows(selected, measurements);
  console.log();
  console.log(formatTable(rows));
  console.log();
  const sink = sinkValue();
  console.log(`sink ${sink.toString(16)} (folded results; keeps the work observable)`);

  const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const report: Report = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    quick,
    filter,
    machine: machineFacts(resultsDir),
    options,
    codec: codec.facts,
    results: rows,
    sink,
  };
  const written = writeReport(resultsDir, reportFileName(startedAt), report);
  console.log(`wrote ${written}`);

  const failed = rows.filter((r) => r.pass === false);
  if (failed.length > 0) {
    // Reported, not fatal: a missed target is a finding of the run, and the
    // exit code must not depend on how busy the machine was.
    console.log(`targets missed: ${failed.map((r) => r.name).join(", ")}`);
  }
}

main();
