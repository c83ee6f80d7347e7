/**
 * The child process of the scan workload (`workloads/scan.ts`): one reader
 * of one family's store, alone in a fresh process, scanned and verified as
 * the workload says; prints a JSON line with the figures.
 *
 *   node --expose-gc dist/peers/scan-child.js '<ScanChildRequest as JSON>'
 */

import { pinAsParentChose } from "../cpu-probe.js";
import { loadFamilyDrivers, type PeerFamily, type StoreOptions } from "./drivers.js";
import type { PeerBudget } from "./measure.js";
import { measureScans, type ScanMeasurement } from "./workloads/scan.js";

/** What the parent asks for. */
export interface ScanChildRequest {
  readonly driver: string;
  readonly family: PeerFamily;
  readonly path: string;
  /** Rows the store holds (every scan and verify must see them all). */
  readonly rows: number;
  readonly options: StoreOptions;
  readonly budget: PeerBudget;
  readonly storeBytes: number;
}

/** What the child prints; `verify` is null where the library has no integrity check. */
export interface ScanChildReport {
  readonly scan: ScanMeasurement;
  readonly verify: ScanMeasurement | null;
  readonly sink: number;
}

async function main(): Promise<void> {
  pinAsParentChose();
  const request = JSON.parse(process.argv[2] ?? "") as ScanChildRequest;
  const driver = (await loadFamilyDrivers(request.family)).find((d) => d.name === request.driver);
  if (driver?.read === undefined) throw new Error(`no read driver ${request.driver}`);
  const reader = driver.read.open(request.path, request.options);
  try {
    const report: ScanChildReport = measureScans(
      request.rows,
      request.budget,
      reader,
      request.driver,
      request.storeBytes,
    );
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await reader.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
