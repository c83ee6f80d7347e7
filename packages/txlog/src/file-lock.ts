/**
 * The writer lock: a non-blocking exclusive BSD `flock` on the data file
 * itself, through the `fs-ext` native addon. It must be `flock` (not a POSIX
 * record lock, which Linux keeps separate) so that our writer and the
 * original's exclude each other (behaviour §3.2).
 */

import { createRequire } from "node:module";
import { WriteError } from "@frozendb/codec";
import { isCode } from "./path-checks.js";

interface FsExt {
  flockSync(fd: number, flags: "ex" | "exnb" | "sh" | "shnb" | "un"): void;
}

// fs-ext is a CommonJS native addon; load it lazily so that read-only users
// of this package never need the addon to load.
let fsExt: FsExt | undefined;
function loadFsExt(): FsExt {
  if (fsExt === undefined) {
    try {
      fsExt = createRequire(import.meta.url)("fs-ext") as FsExt;
    } catch (error) {
      throw new WriteError(
        "failed to acquire file lock: the fs-ext native addon is not available",
        {
          cause: error,
        },
      );
    }
  }
  return fsExt;
}

/**
 * Takes the exclusive writer lock on `fd` without waiting.
 * @throws {@link WriteError} "another process has the database locked" when
 *   another open file description holds it; "failed to acquire file lock" for
 *   any other failure (never proceeds unlocked).
 */
export function lockExclusive(fd: number): void {
  try {
    loadFsExt().flockSync(fd, "exnb");
  } catch (error) {
    if (error instanceof WriteError) throw error;
    if (isCode(error, "EWOULDBLOCK") || isCode(error, "EAGAIN")) {
      throw new WriteError("another process has the database locked", {
        cause: new Error("resource temporarily unavailable"),
      });
    }
    throw new WriteError("failed to acquire file lock", { cause: error });
  }
}

/** Releases the lock on `fd` (closing the descriptor would release it too). */
export function unlock(fd: number): void {
  try {
    loadFsExt().flockSync(fd, "un");
  } catch {
    // Closing the descriptor right after releases the lock anyway.
  }
}
