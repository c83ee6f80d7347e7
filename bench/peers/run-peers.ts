/**
 * Runs the peer benchmarks: loads the driver map, then for each scenario
 * builds the data set, runs its workloads and records the figures, judged
 * (ratios to the best peer and to naive fs, targets) at the end.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CpuProbe, probeAndPin } from "../cpu-probe.js";
import { errorText, peerSink, type Scenario, type ScenarioContext } from "./context.js";
import { buildDataset, type Dataset } from "./data.js";
import { loadDrivers, type PeerFamily, storeBytes } from "./drivers.js";
import {
  judgeFigures,
  type MeasuredFigure,
  type PeerFigure,
  type WorkloadName,
} from "./figures.js";
import { FULL_BUDGET, type PeerBudget, QUICK_BUDGET, timerOverheadUs } from "./measure.js";
import { appendWorkload, loadStores } from "./workloads/append.js";
import { scenarioLabel, scenarios } from "./workloads/distributions.js";
import { getWorkload } from "./workloads/get.js";
import { openWorkload } from "./workloads/open.js";
import { scanWorkload } from "./workloads/scan.js";

/** A driver as the report lists it. */
export interface DriverFacts {
  readonly name: string;
  readonly family: PeerFamily;
  readonly settings: string;
  readonly write: { path: string; synced: boolean; loader: boolean } | null;
  readonly read: boolean;
}

/** A workload a driver could not run, and why. */
export interface PeerFailure {
  readonly scenario: string;
  readonly driver: string;
  readonly workload: WorkloadName;
  readonly reason: string;
}

/** A scenario as the report lists it. */
export interface ScenarioFacts {
  readonly label: string;
  readonly distribution: string;
  readonly rows: number;
  readonly rowSize: number;
  readonly workloads: readonly WorkloadName[];
  readonly meanValueBytes: number;
  /** Each family's read store size in bytes. */
  readonly storeBytes: Partial<Record<PeerFamily, number>>;
  readonly durationMs: number;
}

/** The `peers` section of the JSON report. */
export interface PeerReport {
  readonly budget: PeerBudget;
  /** The median cost of timing one empty operation, included in every p50/p99. */
  readonly timerOverheadUs: number;
  readonly durationMs: number;
  readonly versions: Partial<Record<PeerFamily, string>>;
  readonly drivers: readonly DriverFacts[];
  /** Peers that did not install or load, with the reason: reported, never faked. */
  readonly skipped: readonly { peer: PeerFamily; reason: string }[];
  readonly failures: readonly PeerFailure[];
  readonly scenarios: readonly ScenarioFacts[];
  readonly figures: readonly PeerFigure[];
  /** The machine's speed before each workload (see cpu-probe.ts). */
  readonly cpuProbes: readonly CpuProbe[];
  /** Folded results of every workload, proof the work was used. */
  readonly sink: number;
}

const WORKLOADS: Readonly<Record<WorkloadName, ((ctx: ScenarioContext) => Promise<void>) | null>> =
  {
    append: appendWorkload,
    get: getWorkload,
    open: openWorkload,
    scan: scanWorkload,
    // Run by the scan workload, on the same reader.
    verify: null,
  };

let logStarted = performance.now();
const log = (line: string): void => {
  const seconds = ((performance.now() - logStarted) / 1_000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds} s] ${line}\n`);
};

/**
 * Runs every scenario of the full or quick set, or those whose label (for
 * example `spread · 1M rows · row 256 B`) contains `scenarioFilter`.
 */
export async function runPeers(
  quick: boolean,
  scenarioFilter: string | null = null,
): Promise<PeerReport> {
  const started = performance.now();
  logStarted = started;
  const budget = quick ? QUICK_BUDGET : FULL_BUDGET;
  const loaded = await loadDrivers();
  const drivers = [...loaded.drivers.values()];
  for (const [peer, reason] of loaded.skipped) log(`peer ${peer} skipped: ${reason}`);
  const overhead = timerOverheadUs();
  const plan = scenarios(quick).filter(
    (s) => scenarioFilter === null || scenarioLabel(s).includes(scenarioFilter),
  );
  if (plan.length === 0) throw new Error(`no peer scenario matches --scenario ${scenarioFilter}`);
  log(
    `${drivers.length} peer drivers, ${plan.length} scenarios${quick ? " (quick)" : ""}; timer overhead ${overhead.toFixed(3)} µs`,
  );

  const figures: MeasuredFigure[] = [];
  const probes: CpuProbe[] = [];
  const failures: PeerFailure[] = [];
  const facts: ScenarioFacts[] = [];
  const datasets = new Map<string, Dataset>();
  for (const scenario of plan) {
    const scenarioStarted = performance.now();
    const label = scenarioLabel(scenario);
    log(`peers: ${label}`);
    const dataKey = `${scenario.distribution}/${scenario.rows}`;
    let data = datasets.get(dataKey);
    if (data === undefined) {
      // Only the current size is kept: the 1M data sets are not small.
      datasets.clear();
      data = buildDataset(scenario.distribution, scenario.rows);
      datasets.set(dataKey, data);
    }
    const dir = mkdtempSync(join(tmpdir(), "frozendb-peers-"));
    const ctx: ScenarioContext = {
      scenario,
      label,
      data,
      options: { rowSize: scenario.rowSize },
      dir,
      budget,
      drivers,
      stores: new Map(),
      emit: (f) => figures.push(f),
      fail: (driver, workload, reason) => {
        failures.push({ scenario: label, driver, workload, reason });
        log(`    ${driver} ${workload}: ${reason}`);
      },
      log,
    };
    try {
      await runScenario(ctx, scenario, probes);
      const bytes: Partial<Record<PeerFamily, number>> = {};
      for (const [family, path] of ctx.stores) bytes[family] = storeBytes(family, path);
      facts.push({
        label,
        distribution: scenario.distribution,
        rows: scenario.rows,
        rowSize: scenario.rowSize,
        workloads: scenario.workloads,
        meanValueBytes: data.meanValueBytes,
        storeBytes: bytes,
        durationMs: performance.now() - scenarioStarted,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    budget,
    timerOverheadUs: overhead,
    durationMs: performance.now() - started,
    versions: loaded.versions,
    drivers: drivers.map((d) => ({
      name: d.name,
      family: d.family,
      settings: d.settings,
      write:
        d.write === undefined
          ? null
          : { path: d.write.path, synced: d.write.synced, loader: d.write.loader },
      read: d.read !== undefined,
    })),
    skipped: [...loaded.skipped].map(([peer, reason]) => ({ peer, reason })),
    failures,
    scenarios: facts,
    figures: judgeFigures(figures),
    cpuProbes: probes,
    sink: peerSink(),
  };
}

async function runScenario(
  ctx: ScenarioContext,
  scenario: Scenario,
  probes: CpuProbe[],
): Promise<void> {
  const probe = (workload: string): void => {
    const reading = probeAndPin(`${ctx.label}: ${workload}`);
    probes.push(reading);
    const times = reading.perCpuMs.map((ms) => ms.toFixed(1)).join(" / ");
    ctx.log(`  cpu probe ${times} ms${reading.cpu === null ? "" : `, on cpu ${reading.cpu}`}`);
  };
  if (scenario.workloads.includes("append")) {
    probe("append");
    await appendWorkload(ctx);
  }
  await loadStores(ctx);
  for (const name of scenario.workloads) {
    const workload = WORKLOADS[name];
    if (name === "append" || workload === null) continue;
    probe(name);
    try {
      await workload(ctx);
    } catch (error) {
      ctx.fail("(all)", name, errorText(error));
    }
  }
}
