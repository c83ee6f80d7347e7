/**
 * The Linux append-only inode attribute (`FS_APPEND_FL`, what `chattr +a`
 * sets): once set, the file cannot be truncated, rewritten or deleted without
 * CAP_LINUX_IMMUTABLE, but opening it with O_APPEND still works. Node has no
 * ioctl, so this runs e2fsprogs' `chattr`/`lsattr`, as an operator would.
 */

import { spawnSync } from "node:child_process";
import { WriteError } from "@frozendb/codec";

/**
 * Sets the append-only attribute on `path`.
 * @throws {@link WriteError} naming the missing privilege or tool.
 */
export function setAppendOnly(path: string): void {
  const run = spawnSync("chattr", ["+a", "--", path], { encoding: "utf8" });
  if (run.error) {
    throw new WriteError(
      "failed to set append-only attribute: the chattr command is not available",
      {
        cause: run.error,
      },
    );
  }
  if (run.status !== 0) {
    const detail = run.stderr.trim();
    const privilege = /not permitted|permission denied/i.test(detail)
      ? "setting the append-only attribute needs root or the CAP_LINUX_IMMUTABLE capability"
      : "the file system refused the append-only attribute";
    throw new WriteError(`failed to set append-only attribute: ${privilege}`, {
      cause: new Error(detail || `chattr exited with status ${run.status}`),
    });
  }
}

/**
 * True when `path` carries the append-only attribute; false when it does not
 * or when that cannot be determined (no lsattr, unsupported file system).
 */
export function hasAppendOnly(path: string): boolean {
  const run = spawnSync("lsattr", ["-d", "--", path], { encoding: "utf8" });
  if (run.error || run.status !== 0) return false;
  const flags = run.stdout.trim().split(/\s+/)[0] ?? "";
  return flags.includes("a");
}
