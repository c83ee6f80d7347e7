/** What a workload gets: the scenario's data, its folder, the drivers and where to put figures. */

import type { Dataset } from "./data.js";
import type { PeerDriver, PeerFamily, StoreOptions } from "./drivers.js";
import type { MeasuredFigure, WorkloadName } from "./figures.js";
import type { PeerBudget } from "./measure.js";

/** One scenario: a key distribution, a row count and a row size. */
export interface Scenario {
  readonly distribution: Dataset["distribution"];
  readonly rows: number;
  readonly rowSize: number;
  /** The workloads run on it, in order. */
  readonly workloads: readonly WorkloadName[];
}

/** Shared by the workloads of one scenario. */
export interface ScenarioContext {
  readonly scenario: Scenario;
  /** "dense · 100k rows · row 256 B". */
  readonly label: string;
  readonly data: Dataset;
  readonly options: StoreOptions;
  /** The scenario's temporary folder. */
  readonly dir: string;
  readonly budget: PeerBudget;
  /** The loaded drivers, in report order. */
  readonly drivers: readonly PeerDriver[];
  /** Each family's store of all N rows (written by its loader), once written. */
  readonly stores: Map<PeerFamily, string>;
  /** Records a figure. */
  readonly emit: (figure: MeasuredFigure) => void;
  /** Records that a driver could not run a workload (it is reported, not hidden). */
  readonly fail: (driver: string, workload: WorkloadName, reason: string) => void;
  /** Progress, to stderr. */
  readonly log: (line: string) => void;
}

/** The fields every figure of `ctx` shares. */
export function figureBase(ctx: ScenarioContext): {
  scenario: string;
  distribution: string;
  rows: number;
  rowSize: number;
} {
  return {
    scenario: ctx.label,
    distribution: ctx.scenario.distribution,
    rows: ctx.scenario.rows,
    rowSize: ctx.scenario.rowSize,
  };
}

/** Folds results into a number that ends up in the report, so no work is dead code. */
let sink = 0;

export function addToSink(value: number): void {
  sink = (sink + (value | 0)) | 0;
}

export function peerSink(): number {
  return sink >>> 0;
}

/** A short message of an error, for the report. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 300);
}

/**
 * What every workload's child process is asked for: one driver, one store,
 * and the scenario it belongs to (the child rebuilds the data set, which is
 * deterministic).
 */
export interface ScenarioChildRequest {
  readonly driver: string;
  readonly family: PeerFamily;
  readonly path: string;
  readonly distribution: Dataset["distribution"];
  readonly rows: number;
  readonly options: StoreOptions;
  readonly budget: PeerBudget;
}

/** The request for `driver`'s child process on the store at `path` in `ctx`'s scenario. */
export function scenarioChildRequest(
  ctx: ScenarioContext,
  driver: PeerDriver,
  path: string,
): ScenarioChildRequest {
  return {
    driver: driver.name,
    family: driver.family,
    path,
    distribution: ctx.scenario.distribution,
    rows: ctx.scenario.rows,
    options: ctx.options,
    budget: ctx.budget,
  };
}

/** A file-name-safe form of a driver name. */
export function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
}
