/**
 * The child process of the append workload (`workloads/append.ts`): one
 * writer, alone in a fresh process, writing one store as the workload says;
 * prints a JSON line with its figure.
 *
 *   node --expose-gc dist/peers/append-child.js '<AppendChildRequest as JSON>'
 */

import { buildDataset, type Dataset } from "./data.js";
import type { PeerFamily, StoreOptions } from "./drivers.js";
import type { PeerBudget } from "./measure.js";
import { childMain, familyDriver } from "./spawn-child.js";
import { type AppendMeasurement, runAppend } from "./workloads/append.js";

/** What the parent asks for. */
export interface AppendChildRequest {
  readonly driver: string;
  readonly family: PeerFamily;
  readonly path: string;
  /** The scenario's data set, rebuilt here (it is deterministic). */
  readonly distribution: Dataset["distribution"];
  readonly rows: number;
  readonly options: StoreOptions;
  readonly budget: PeerBudget;
  readonly measured: boolean;
  readonly loads: boolean;
}

/** What the child prints. */
export interface AppendChildReport {
  readonly measurement: AppendMeasurement | null;
  readonly sink: number;
}

childMain<AppendChildRequest, AppendChildReport>(async (request) => {
  const driver = await familyDriver(request.family, request.driver, "write");
  return runAppend({
    data: buildDataset(request.distribution, request.rows),
    options: request.options,
    budget: request.budget,
    driver,
    path: request.path,
    measured: request.measured,
    loads: request.loads,
  });
});
