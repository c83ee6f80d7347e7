/**
 * Read-only access to a database file below the library, for `inspect`,
 * which must list the rows of damaged files too. Path checks and messages
 * are the library's (behaviour §3.1); no lock is taken.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InvalidInputError, PathError, ReadError } from "frozendb";

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** An open file descriptor and the file's size when opened. */
export class RawFile implements Disposable {
  readonly fd: number;
  readonly size: number;

  /**
   * Opens `path` read-only.
   * @throws {@link InvalidInputError} empty path or no `.fdb` extension.
   * @throws {@link PathError} missing, inaccessible or not a regular file.
   */
  constructor(path: string) {
    if (path.length === 0) throw new InvalidInputError("path cannot be empty");
    if (!path.endsWith(".fdb") || path.length <= 4) {
      throw new InvalidInputError("path must have .fdb extension");
    }
    try {
      this.fd = openSync(path, "r");
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT") throw new PathError("database file does not exist", { cause: error });
      if (code === "EACCES" || code === "EPERM") {
        throw new PathError("permission denied to access database file", { cause: error });
      }
      throw new PathError("failed to open database file", { cause: error });
    }
    try {
      const stat = fstatSync(this.fd);
      if (!stat.isFile()) {
        throw new PathError("failed to open database file", {
          cause: new Error(`${path} is not a regular file`),
        });
      }
      this.size = stat.size;
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  /**
   * Reads `length` bytes at `position` into `target`.
   * @throws {@link InvalidInputError} `read exceeds file size` past the size seen at open.
   * @throws {@link ReadError} when the read fails.
   */
  read(target: Uint8Array, length: number, position: number): void {
    if (position + length > this.size) throw new InvalidInputError("read exceeds file size");
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, target, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (error) {
      throw new ReadError(`failed to read ${length} bytes at offset ${position}`, { cause: error });
    }
    // The file shrank under us (only `recover` truncates, and only a torn tail).
    if (done < length) throw new InvalidInputError("read exceeds file size");
  }

  [Symbol.dispose](): void {
    closeSync(this.fd);
  }
}
