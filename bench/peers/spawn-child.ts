/**
 * Runs one of the peer workloads' child scripts (`child.ts`, `get-child.ts`)
 * in a fresh node process and returns the JSON report it prints last. A
 * child inherits the parent's CPU choice (see cpu-probe.ts); it is spawned
 * with every CPU allowed so that it can pin itself as the parent chose.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pinAsParentChose, withAllCpus } from "../cpu-probe.js";
import { loadFamilyDrivers, type PeerDriver, type PeerFamily } from "./drivers.js";

/** Runs `script` (a file of dist/peers/) with `request` as its argument; throws on failure. */
export function runChildScript<Report>(script: string, request: unknown): Report {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const result = withAllCpus(() =>
    spawnSync(process.execPath, ["--expose-gc", path, JSON.stringify(request)], {
      encoding: "utf8",
      timeout: 300_000,
      maxBuffer: 8 << 20,
    }),
  );
  if (result.error !== undefined) throw result.error;
  const lines = result.stdout.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (result.status !== 0 || !last.startsWith("{")) {
    const why = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" / ");
    throw new Error(`child exited ${result.status ?? result.signal}: ${why}`);
  }
  return JSON.parse(last) as Report;
}

/**
 * The body of a child script: pins itself as the parent chose, reads the
 * request from argv, runs `work` and prints its report as the last line; on
 * failure, prints the error to stderr and exits 1.
 */
export function childMain<Request, Report>(work: (request: Request) => Promise<Report>): void {
  pinAsParentChose();
  Promise.resolve()
    .then(() => work(JSON.parse(process.argv[2] ?? "") as Request))
    .then((report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    });
}

/** The driver `name` of `family`, which must be able to `need`. */
export async function familyDriver(
  family: PeerFamily,
  name: string,
  need: "read" | "write",
): Promise<PeerDriver> {
  const driver = (await loadFamilyDrivers(family)).find((d) => d.name === name);
  if (driver?.[need] === undefined) throw new Error(`no ${need} driver ${name}`);
  return driver;
}
