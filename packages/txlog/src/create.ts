/**
 * Creating a database file (behaviour §2): validate everything, then write
 * the header and the initial checksum row in one write to a file created
 * with O_EXCL, and make both durable.
 */

import { closeSync, constants, fsyncSync, openSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import {
  crc32,
  encodeHeader,
  HEADER_SIZE,
  InvalidInputError,
  optionsObject,
  PathError,
  validateHeader,
  WriteError,
  writeChecksumRow,
} from "@frozendb/codec";
import { setAppendOnly } from "./append-only.js";
import { checkCreatablePath, checkDatabasePath, isCode } from "./path-checks.js";

/** Settings of a new database file. */
export interface CreateOptions {
  /** Bytes per row, 128 … 65536 (default 4096, as the original's CLI). */
  readonly rowSize?: number;
  /** Clock-skew window in milliseconds, 0 … 86400000 (default 5000). */
  readonly skewMs?: number;
  /**
   * Also set the Linux append-only attribute (`chattr +a`), so that not even
   * the owner can truncate or rewrite the file. Needs root or
   * CAP_LINUX_IMMUTABLE. Default false.
   */
  readonly appendOnly?: boolean;
  /**
   * Permission bits of the new file, before the process umask (default
   * 0o644: the owner writes, everyone may read, as `touch` would).
   */
  readonly fileMode?: number;
}

/** Permission bits of a new database file unless the caller asks otherwise. */
const DEFAULT_FILE_MODE = 0o644;

/** Default row size, as the original's CLI. */
export const DEFAULT_ROW_SIZE = 4096;
/** Default clock-skew window, as the original's CLI. */
export const DEFAULT_SKEW_MS = 5000;

/**
 * Creates a new, empty database file at `path`.
 *
 * Nothing touches the disk until every check has passed. The header and the
 * initial checksum row are written in one write and synced, and so is the
 * folder entry, so the file exists durably when this returns.
 *
 * @throws {@link InvalidInputError} bad `rowSize`, `skewMs`, `fileMode` or path.
 * @throws {@link PathError} parent missing, not a folder or not writable; file exists.
 * @throws {@link WriteError} the write, sync or append-only attribute failed (the file is removed).
 */
export function create(path: string, given?: CreateOptions): void {
  const options = optionsObject(given);
  const rowSize = options.rowSize ?? DEFAULT_ROW_SIZE;
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  validateHeader({ rowSize, skewMs });
  checkDatabasePath(path);
  if (options.appendOnly !== undefined && typeof options.appendOnly !== "boolean") {
    throw new InvalidInputError("appendOnly must be a boolean");
  }
  const fileMode = options.fileMode ?? DEFAULT_FILE_MODE;
  if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777) {
    throw new InvalidInputError(
      `fileMode must be permission bits between 0 and 0o777, got ${String(options.fileMode)}`,
    );
  }
  checkCreatablePath(path);

  const bytes = new Uint8Array(HEADER_SIZE + rowSize);
  bytes.set(encodeHeader({ rowSize, skewMs }), 0);
  writeChecksumRow(bytes, HEADER_SIZE, rowSize, crc32(bytes.subarray(0, HEADER_SIZE)));

  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, fileMode);
  } catch (error) {
    if (isCode(error, "EEXIST")) throw new PathError("file already exists", { cause: error });
    throw new PathError("failed to create file atomically", { cause: error });
  }
  try {
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } catch (error) {
      throw new WriteError("failed to write data", { cause: error });
    } finally {
      closeSync(fd);
    }
    syncFolder(dirname(path));
    if (options.appendOnly === true) setAppendOnly(path);
  } catch (error) {
    removeQuietly(path);
    throw error;
  }
}

/** Makes the new folder entry durable (a file can be lost on power failure without it). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, constants.O_RDONLY);
    fsyncSync(fd);
  } catch (error) {
    throw new WriteError("failed to sync the parent directory", { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // The original error is the one worth reporting.
  }
}
