/**
 * Progress bars for long runs (`verify`, `import`, `export`), drawn on
 * stderr with `cli-progress` only when stderr is a terminal and the work is
 * large, so pipes, logs and stdout never see them.
 */

import { statSync } from "node:fs";
import type { CliIo } from "./cli-io.js";

/** Work below this many bytes finishes too fast for a bar to help. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

/** A running bar, or a no-op. */
export interface Progress {
  update(value: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/** The size of the file at `path`, or 0 when it cannot be read (the command reports that). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Starts a bar labelled `label` counting up to `total` units, when stderr is
 * a terminal and `bytes` (the size of the work) reaches
 * {@link PROGRESS_MIN_BYTES}. `FROZENDB_PROGRESS=always` drops the size
 * limit, `never` turns bars off.
 */
export async function startProgress(
  io: CliIo,
  label: string,
  total: number,
  bytes: number,
  unit: string,
): Promise<Progress> {
  const setting = io.env?.FROZENDB_PROGRESS;
  const tty = io.stderrIsTTY ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (setting === "never" || !tty || total <= 0) return NONE;
  if (setting !== "always" && bytes < PROGRESS_MIN_BYTES) return NONE;
  // Loaded only when a bar is drawn: most runs never need it.
  const { SingleBar } = await import("cli-progress");
  const bar = new SingleBar({
    stream: io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | ETA {eta}s`,
    clearOnComplete: true,
    hideCursor: false,
    // Redraw on our own updates only: a timer would keep a finished process alive.
    etaAsynchronousUpdate: false,
    fps: 10,
  });
  bar.start(total, 0);
  return {
    update: (value) => bar.update(Math.min(value, total)),
    stop: () => bar.stop(),
  };
}
