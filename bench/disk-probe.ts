/**
 * How long the disk takes, right now, to make an append durable. The sync
 * figures (a commit with `fdatasync`, SQLite FULL, lmdb sync) move with it
 * more than with anything a library does: on the development VM an append
 * of 25.6 KB plus `fdatasync` costs 0.35 ms in one minute and 0.9 ms in
 * another (ext4 commits its journal for the size change). So each synced
 * measurement is preceded (micro: also followed) by this probe, and the
 * tables print its reading next to the figure. Figures are never adjusted.
 */

import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One probe's append: a 100-row transaction of 256-byte rows. */
const APPEND_BYTES = 100 * 256;
const TIMED_APPENDS = 9;

/**
 * Median time (ms) of an append of 25.6 KB plus `fdatasync`, over
 * {@link TIMED_APPENDS} appends to a scratch file in the system's temporary
 * folder (where the benchmarks write), after one untimed append.
 */
export function probeDiskSync(): number {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-disk-probe-"));
  const fd = openSync(join(dir, "probe.bin"), "a");
  const bytes = new Uint8Array(APPEND_BYTES).fill(0x61);
  try {
    writeSync(fd, bytes);
    fdatasyncSync(fd);
    const times: number[] = [];
    for (let i = 0; i < TIMED_APPENDS; i++) {
      const start = performance.now();
      writeSync(fd, bytes);
      fdatasyncSync(fd);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[TIMED_APPENDS >> 1]!;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "disk sync 0.82 ms": a probe reading as printed beside a synced figure. */
export function formatDiskSync(ms: number | null): string {
  return ms === null ? "" : `disk sync ${ms.toFixed(2)} ms`;
}
