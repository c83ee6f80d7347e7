/**
 * The child process of the append workload (`workloads/append.ts`): one
 * writer, alone in a fresh process, writing one store as the workload says;
 * prints a JSON line with its figure.
 *
 *   node --expose-gc dist/peers/append-child.js '<AppendChildRequest as JSON>'
 */

import type { ScenarioChildRequest } from "./context.js";
import { buildDataset } from "./data.js";
import { childMain, familyDriver } from "./spawn-child.js";
import { type AppendMeasurement, runAppend } from "./workloads/append.js";

/** What the parent asks for. */
export interface AppendChildRequest extends ScenarioChildRequest {
  /** Time the writer (the append figure). */
  readonly measured: boolean;
  /** Go on, untimed, to all N rows: the family's read store. */
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
