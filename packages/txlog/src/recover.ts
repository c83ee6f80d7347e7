/**
 * Recover (decisions OP-4): clear a torn tail — the bytes a crash left in the
 * middle of a write — by truncating the file to the last exact partial-row
 * state boundary. Only bytes after the last complete row can go, and those
 * are never committed data.
 */

import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync } from "node:fs";
import {
  decodeHeader,
  decodeTail,
  HEADER_SIZE,
  PathError,
  SAVEPOINT_MARK,
  verifyInitialChecksumRow,
  WriteError,
} from "@frozendb/codec";
import { hasAppendOnly } from "./append-only.js";
import { DbFile, isRegularFile, openDescriptor } from "./db-file.js";
import { lockExclusive, unlock } from "./file-lock.js";
import { checkDatabasePath, isCode } from "./path-checks.js";

/** What {@link recover} did. */
export interface RecoverResult {
  /** Bytes removed from the end of the file (0 when there was nothing to do). */
  readonly removedBytes: number;
  /** File size before and after. */
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  /** What the file ends in now: no partial row, or partial-row state 1, 2 or 3. */
  readonly endsIn:
    | "row boundary"
    | "partial row state 1"
    | "partial row state 2"
    | "partial row state 3";
  /** One sentence for an operator. */
  readonly description: string;
}

/**
 * Removes a torn tail from the file at `path`, keeping the longest prefix of
 * the tail that is an exact partial-row state. Takes the writer lock, so it
 * never races a writer. A file without a torn tail is left untouched.
 * @throws {@link WriteError} when another process holds the lock, or the file
 *   carries the append-only attribute (truncation is impossible by design).
 * @throws {@link CorruptDatabaseError} when the header or initial checksum row is bad.
 */
export function recover(path: string): RecoverResult {
  checkDatabasePath(path);
  // Read-only first: a file with the append-only attribute cannot even be
  // opened for writing without O_APPEND, and must get a clear refusal.
  let fd: number;
  try {
    fd = openDescriptor(path, "read");
  } catch (error) {
    if (isCode(error, "ENOENT"))
      throw new PathError("database file does not exist", { cause: error });
    throw new PathError("failed to open database file", { cause: error });
  }
  const file = new DbFile(path, "write", fd);
  try {
    if (!isRegularFile(fd)) {
      throw new PathError("failed to open database file", {
        cause: new Error(`${path} is not a regular file`),
      });
    }
    lockExclusive(fd);
    const size = fstatSync(fd).size;
    const header = decodeHeader(file.read(0, Math.min(size, HEADER_SIZE)));
    const n = header.rowSize;
    verifyInitialChecksumRow(file.read(0, Math.min(size, HEADER_SIZE + n)), n, size);
    const rowsEnd = HEADER_SIZE + Math.floor((size - HEADER_SIZE) / n) * n;
    const tailBytes = file.read(rowsEnd, size - rowsEnd);
    const tail = decodeTail(tailBytes, 0, n);
    if (tail === undefined || tail.type === "partial") {
      const endsIn =
        tail === undefined ? "row boundary" : (`partial row state ${tail.state}` as const);
      return {
        removedBytes: 0,
        sizeBefore: size,
        sizeAfter: size,
        endsIn,
        description: `nothing to recover: the file ends in a ${endsIn}`,
      };
    }
    const keep = longestExactPrefix(tailBytes, n);
    const target = rowsEnd + keep.length;
    // Never below the last complete row: complete rows hold everything committed.
    if (target < rowsEnd)
      throw new WriteError("refusing to recover: committed rows would be removed");
    if (hasAppendOnly(path)) {
      throw new WriteError(
        "refusing to recover: the file carries the append-only attribute, which forbids truncation; clear it as root (chattr -a), run recover, then set it again",
      );
    }
    let writable: number | undefined;
    try {
      writable = openSync(path, "r+");
      ftruncateSync(writable, target);
      fsyncSync(writable);
    } catch (error) {
      throw new WriteError("failed to truncate the torn tail", { cause: error });
    } finally {
      if (writable !== undefined) closeSync(writable);
    }
    const removed = size - target;
    return {
      removedBytes: removed,
      sizeBefore: size,
      sizeAfter: target,
      endsIn: keep.endsIn,
      description: `removed ${removed} uncommitted bytes at offset ${target} (${tail.reason}); the file now ends in a ${keep.endsIn}`,
    };
  } finally {
    unlock(fd);
    closeSync(fd);
  }
}

/** The longest prefix of a torn tail that is an exact partial-row state (possibly empty). */
function longestExactPrefix(
  tail: Uint8Array,
  rowSize: number,
): { length: number; endsIn: RecoverResult["endsIn"] } {
  for (const length of [rowSize - 4, rowSize - 5, 2]) {
    if (length >= tail.length) continue;
    if (length === rowSize - 4 && tail[rowSize - 5] !== SAVEPOINT_MARK) continue;
    const prefix = decodeTail(tail.subarray(0, length), 0, rowSize);
    if (prefix?.type === "partial") return { length, endsIn: `partial row state ${prefix.state}` };
  }
  return { length: 0, endsIn: "row boundary" };
}
