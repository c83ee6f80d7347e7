/**
 * The child process of the open workload (`workloads/open.ts`): opens one
 * reader on one store, alone in its process, and prints a JSON line with the
 * open times and RSS readings.
 *
 *   node --expose-gc dist/peers/child.js '<ChildRequest as JSON>'
 */

import { readFileSync } from "node:fs";
import type { PeerFamily, Reader } from "./drivers.js";
import { childMain, familyDriver } from "./spawn-child.js";

/** What the parent asks for. */
export interface ChildRequest {
  readonly driver: string;
  readonly family: PeerFamily;
  readonly path: string;
  readonly rowSize: number;
  /** A file of 16-byte existing keys to look up. */
  readonly lookupFile: string;
  readonly openMs: number;
  readonly maxOpens: number;
  readonly lookupMs: number;
  readonly maxLookups: number;
}

/** What the child prints (RSS and heap in bytes, times in ms). */
export interface ChildReport {
  readonly rssBaseline: number;
  /** Private (anonymous) resident memory, without mapped file pages; -1 where unknown. */
  readonly anonBaseline: number;
  readonly firstOpenMs: number;
  /** Each repeated open (open, then close, timed to the end of the open). */
  readonly openMs: number[];
  readonly rssAfterOpen: number;
  readonly anonAfterOpen: number;
  readonly lookups: number;
  /** Time the lookups took: a fresh process's first lookups, cold code and cold caches. */
  readonly lookupMs: number;
  readonly rssAfterLookups: number;
  readonly anonAfterLookups: number;
  readonly heapUsedAfterLookups: number;
  readonly sink: number;
}

/**
 * Resident anonymous memory in bytes (`RssAnon` of /proc/self/status): the
 * process's own memory. RSS also counts the page-cache pages of mapped files
 * (lmdb's and frozendb's maps), which are shared and reclaimable. -1 off Linux.
 */
function anonResident(): number {
  try {
    const match = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match === null ? -1 : Number(match[1]) * 1024;
  } catch {
    return -1;
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

childMain<ChildRequest, ChildReport>(async (request) => {
  const open = (await familyDriver(request.family, request.driver, "read")).read!.open;
  const options = { rowSize: request.rowSize };
  const keys = readFileSync(request.lookupFile);
  gc();
  const rssBaseline = process.memoryUsage().rss;
  const anonBaseline = anonResident();

  const timedOpen = (): { reader: Reader; ms: number } => {
    const start = performance.now();
    const reader = open(request.path, options);
    return { reader, ms: performance.now() - start };
  };
  const first = timedOpen();
  await first.reader.close();
  const openMs: number[] = [];
  const deadline = performance.now() + request.openMs;
  while (openMs.length < request.maxOpens && (openMs.length < 1 || performance.now() < deadline)) {
    const { reader, ms } = timedOpen();
    openMs.push(ms);
    await reader.close();
  }

  gc();
  const { reader } = timedOpen();
  gc();
  const rssAfterOpen = process.memoryUsage().rss;
  const anonAfterOpen = anonResident();
  let sink = 0;
  let lookups = 0;
  const available = Math.floor(keys.length / 16);
  const stop = performance.now() + request.lookupMs;
  const most = Math.min(request.maxLookups, available);
  const lookupsStart = performance.now();
  while (lookups < most && (lookups === 0 || performance.now() < stop)) {
    const text = reader.getRaw(keys.subarray(lookups * 16, lookups * 16 + 16));
    if (text === undefined) throw new Error(`${request.driver}: lookup ${lookups} not found`);
    sink = (sink + text.length) | 0;
    lookups++;
  }
  const lookupMs = performance.now() - lookupsStart;
  gc();
  const memory = process.memoryUsage();
  const anonAfterLookups = anonResident();
  await reader.close();
  return {
    rssBaseline,
    anonBaseline,
    firstOpenMs: first.ms,
    openMs,
    rssAfterOpen,
    anonAfterOpen,
    lookups,
    lookupMs,
    rssAfterLookups: memory.rss,
    anonAfterLookups,
    heapUsedAfterLookups: memory.heapUsed,
    sink,
  };
});
