/**
 * The child process of the scan workload (`workloads/scan.ts`): one reader
 * of one family's store, alone in a fresh process, scanned and verified as
 * the workload says; prints a JSON line with the figures.
 *
 *   node --expose-gc dist/peers/scan-child.js '<ScanChildRequest as JSON>'
 */

import type { ScenarioChildRequest } from "./context.js";
import { childMain, familyDriver } from "./spawn-child.js";
import { measureScans, type ScanMeasurement } from "./workloads/scan.js";

/** What the parent asks for. */
export interface ScanChildRequest extends ScenarioChildRequest {
  /** The store's size on disk, for MB/s. */
  readonly storeBytes: number;
}

/** What the child prints; `verify` is null where the library has no integrity check. */
export interface ScanChildReport {
  readonly scan: ScanMeasurement;
  readonly verify: ScanMeasurement | null;
  readonly sink: number;
}

childMain<ScanChildRequest, ScanChildReport>(async (request) => {
  const driver = await familyDriver(request.family, request.driver, "read");
  const reader = driver.read!.open(request.path, request.options);
  try {
    return measureScans(request.rows, request.budget, reader, request.driver, request.storeBytes);
  } finally {
    await reader.close();
  }
});
