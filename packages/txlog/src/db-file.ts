/**
 * The open data file: one descriptor, positional reads, appends, fsync. It
 * knows nothing about rows; every read and write of the database goes through
 * it so that "closed" and "failed" are enforced in one place.
 */

import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { ReadError, TombstonedError, WriteError } from "@frozendb/codec";
import { nativeAddon } from "./native-addon.js";

/**
 * write(2) through the native addon, when it has it: `fs.writeSync` adds
 * about 1 µs to each call here, and a writer in the original's on-disk order
 * makes one call per row.
 */
const directAppend = nativeAddon()?.append;

/** Read-only, or read-write through O_APPEND. */
export type FileMode = "read" | "write";

/** A descriptor with positional I/O that fails with frozenDB errors once closed. */
export class DbFile {
  readonly path: string;
  readonly mode: FileMode;
  #fd: number | undefined;
  /** Appends go through the addon's write(2) rather than `fs.writeSync`. */
  readonly direct: boolean;

  /**
   * Wraps an already opened descriptor; `direct: false` writes through
   * `fs.writeSync` even where the addon offers a direct write.
   */
  constructor(path: string, mode: FileMode, fd: number, direct = true) {
    this.direct = direct && directAppend !== undefined;
    this.path = path;
    this.mode = mode;
    this.#fd = fd;
  }

  /** The descriptor, or a `tombstoned` error after close. */
  get fd(): number {
    if (this.#fd === undefined) throw new TombstonedError("file manager is closed");
    return this.#fd;
  }

  /** True once {@link close} ran (or a write failure closed the file). */
  get closed(): boolean {
    return this.#fd === undefined;
  }

  /** The size the operating system reports now. */
  statSize(): number {
    try {
      return fstatSync(this.fd).size;
    } catch (error) {
      if (error instanceof TombstonedError) throw error;
      throw new ReadError("failed to get file info", { cause: error });
    }
  }

  /**
   * Reads exactly `length` bytes at `offset` into a new buffer.
   * @throws {@link ReadError} when the file ends early or the read fails.
   */
  read(offset: number, length: number): Uint8Array {
    const target = new Uint8Array(length);
    this.readInto(target, 0, length, offset);
    return target;
  }

  /** Reads exactly `length` bytes at `position` into `target[offset …]`. */
  readInto(target: Uint8Array, offset: number, length: number, position: number): void {
    const fd = this.fd;
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(fd, target, offset + done, length - done, position + done);
        if (n === 0) {
          throw new ReadError(
            `read exceeds file size: wanted ${length} bytes at offset ${position}, got ${done}`,
          );
        }
        done += n;
      }
    } catch (error) {
      if (error instanceof ReadError) throw error;
      throw new ReadError(`failed to read ${length} bytes at offset ${position}`, { cause: error });
    }
  }

  /**
   * Appends `bytes[offset, offset + length)` whole (the descriptor is
   * O_APPEND, so the kernel places them at the end of the file whatever else
   * happened).
   * @throws {@link WriteError} "failed to write data", the system's error as cause
   */
  append(bytes: Uint8Array, offset = 0, length = bytes.length - offset): void {
    const fd = this.fd;
    try {
      if (this.direct) {
        directAppend!(fd, bytes, offset, length);
        return;
      }
      let done = 0;
      while (done < length) done += writeSync(fd, bytes, offset + done, length - done);
    } catch (error) {
      throw new WriteError("failed to write data", { cause: error });
    }
  }

  /**
   * Flushes written data to stable storage (fdatasync).
   * @throws {@link WriteError}
   */
  sync(): void {
    try {
      fdatasyncSync(this.fd);
    } catch (error) {
      if (error instanceof TombstonedError) throw error;
      throw new WriteError("failed to sync data to disk", { cause: error });
    }
  }

  /**
   * Cuts the file to `size` bytes; false when the file refuses (the
   * append-only attribute) or the call fails.
   */
  truncate(size: number): boolean {
    try {
      ftruncateSync(this.fd, size);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the descriptor; idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Nothing useful can be done about a failed close of a read or an
      // already-synced descriptor; the handle is closed either way.
    }
  }
}

/**
 * Opens an existing `path` for `mode` (never creates it). Writers always
 * append: files with chattr +a keep working. O_NONBLOCK keeps a FIFO from
 * blocking the open (it has no effect on regular files); callers then
 * refuse anything that is not a regular file.
 */
export function openDescriptor(path: string, mode: FileMode): number {
  const access = mode === "write" ? constants.O_RDWR | constants.O_APPEND : constants.O_RDONLY;
  return openSync(path, access | constants.O_NONBLOCK);
}

/** True when the open descriptor `fd` is a regular file. */
export function isRegularFile(fd: number): boolean {
  return fstatSync(fd).isFile();
}
