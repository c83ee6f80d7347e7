/**
 * Path validation shared by create and open (behaviour §2.1, §3.1), with the
 * original's codes and messages.
 */

import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { InvalidInputError, PathError } from "@frozendb/codec";

/**
 * Checks that `path` is a non-empty string ending in `.fdb` and longer than
 * the extension alone (the original accepts `dir/.fdb`, rejects `.fdb`).
 * @throws {@link InvalidInputError}
 */
export function checkDatabasePath(path: unknown): asserts path is string {
  if (typeof path !== "string" || path.length === 0) {
    throw new InvalidInputError("path cannot be empty");
  }
  if (!path.endsWith(".fdb") || path.length <= 4) {
    throw new InvalidInputError("path must have .fdb extension");
  }
}

/**
 * Checks that the parent folder of `path` exists, is a folder and is
 * writable by this process, and that `path` itself does not exist yet.
 * @throws {@link PathError}
 */
export function checkCreatablePath(path: string): void {
  const parent = dirname(path);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(parent);
  } catch (error) {
    if (isCode(error, "ENOENT"))
      throw new PathError("parent directory does not exist", { cause: error });
    throw new PathError("failed to access parent directory", { cause: error });
  }
  if (!stat.isDirectory()) throw new PathError("parent path is not a directory");
  if (!isWritableDirectory(parent)) throw new PathError("parent directory is not writable");
  try {
    statSync(path);
    throw new PathError("file already exists");
  } catch (error) {
    if (error instanceof PathError) throw error;
    if (!isCode(error, "ENOENT"))
      throw new PathError("failed to check if file exists", { cause: error });
  }
}

function isWritableDirectory(path: string): boolean {
  // Unlike the original (which tests only the owner bit), ask the kernel
  // whether *this* process may create entries here.
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `error` is a Node system error with this `code`. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
