/**
 * The child process of the get workload (`workloads/get.ts`): one reader
 * on one store, alone in a fresh process, measured as the workload says;
 * prints a JSON line with the figures.
 *
 *   node --expose-gc dist/peers/get-child.js '<GetChildRequest as JSON>'
 */

import type { ScenarioChildRequest } from "./context.js";
import { buildDataset } from "./data.js";
import { childMain, familyDriver } from "./spawn-child.js";
import { type GetMeasurement, measureGets } from "./workloads/get.js";

/** What the parent asks for. */
export type GetChildRequest = ScenarioChildRequest;

/** What the child prints. */
export interface GetChildReport {
  readonly measurements: GetMeasurement[];
  readonly sink: number;
}

childMain<GetChildRequest, GetChildReport>(async (request) => {
  const driver = await familyDriver(request.family, request.driver, "read");
  const data = buildDataset(request.distribution, request.rows);
  const reader = driver.read!.open(request.path, request.options);
  try {
    return measureGets(data, request.budget, reader, request.driver);
  } finally {
    await reader.close();
  }
});
