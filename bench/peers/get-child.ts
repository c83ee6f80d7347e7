/**
 * The child process of the get workload (`workloads/get.ts`): one reader
 * on one store, alone in a fresh process, measured as the workload says;
 * prints a JSON line with the figures.
 *
 *   node --expose-gc dist/peers/get-child.js '<GetChildRequest as JSON>'
 */

import { pinAsParentChose } from "../cpu-probe.js";
import { buildDataset, type Dataset } from "./data.js";
import { loadFamilyDrivers, type PeerFamily, type StoreOptions } from "./drivers.js";
import type { PeerBudget } from "./measure.js";
import { type GetMeasurement, measureGets } from "./workloads/get.js";

/** What the parent asks for. */
export interface GetChildRequest {
  readonly driver: string;
  readonly family: PeerFamily;
  readonly path: string;
  /** The scenario's data set, rebuilt here (it is deterministic). */
  readonly distribution: Dataset["distribution"];
  readonly rows: number;
  readonly options: StoreOptions;
  readonly budget: PeerBudget;
}

/** What the child prints. */
export interface GetChildReport {
  readonly measurements: GetMeasurement[];
  readonly sink: number;
}

async function main(): Promise<void> {
  pinAsParentChose();
  const request = JSON.parse(process.argv[2] ?? "") as GetChildRequest;
  const driver = (await loadFamilyDrivers(request.family)).find((d) => d.name === request.driver);
  if (driver?.read === undefined) throw new Error(`no read driver ${request.driver}`);
  const data = buildDataset(request.distribution, request.rows);
  const reader = driver.read.open(request.path, request.options);
  try {
    const report: GetChildReport = measureGets(data, request.budget, reader, request.driver);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await reader.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
