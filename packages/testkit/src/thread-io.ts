/**
 * This thread's I/O so far, as the kernel counts it (`/proc/thread-self/io`,
 * Linux): every read(2)/pread(2) and write(2), whichever code made it —
 * `fs`, a native addon, or a memory-map fault (not counted: it is no read).
 */

import { readFileSync } from "node:fs";

/** Counters of {@link threadIo}. */
export interface ThreadIo {
  /** Bytes read by read-like system calls (`rchar`). */
  readonly readBytes: number;
  /** write-like system calls (`syscw`). */
  readonly writeCalls: number;
  /** Bytes passed to them (`wchar`). */
  readonly writeBytes: number;
}

/** Reads this thread's counters (reading them costs a few hundred bytes of `readBytes`). */
export function threadIo(): ThreadIo {
  const text = readFileSync("/proc/thread-self/io", "utf8");
  const field = (name: string): number => {
    const value = new RegExp(`^${name}: (\\d+)$`, "m").exec(text)?.[1];
    if (value === undefined) throw new Error(`/proc/thread-self/io has no ${name}`);
    return Number(value);
  };
  return { readBytes: field("rchar"), writeCalls: field("syscw"), writeBytes: field("wchar") };
}
