/**
 * Maps the first `length` bytes of the open file `fd` into memory,
 * read-only (`PROT_READ`) and shared (`MAP_SHARED`): bytes appended to the
 * file later, by any process, become readable through the same map.
 *
 * `length` may exceed the file's size, but a page wholly past the end of the
 * file must never be touched: the kernel answers with SIGBUS, which ends the
 * process. Writing through the buffer ends it with SIGSEGV. The map lives as
 * long as the returned buffer (it is released when that is garbage-collected),
 * and does not need `fd` to stay open.
 *
 * @throws `Error` with code `ERR_MMAP` when the kernel refuses the map (for
 *   example `EACCES` for an append-only file opened for writing), code
 *   `ERR_INVALID_ARG` for a bad `fd` or `length`.
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { map } from "@frozendb/file-map";
 * const bytes = new Uint8Array(map(openSync("audit.fdb", "r"), 1 << 20), 0, 64);
 * ```
 */
export function map(fd: number, length: number): ArrayBuffer;

/**
 * Releases the file's pages of a map made by {@link map} at once instead of
 * at garbage collection: the range is swapped in place for anonymous zero
 * pages, so views of the buffer keep their length and read zeros, never
 * released memory; the address range itself goes back when the buffer is
 * garbage-collected. The buffer is not detached: detaching any ArrayBuffer
 * makes every typed-array access in the process slower from then on (a V8
 * protector). Only if the swap fails is the buffer detached (length 0).
 * A buffer already released, or not made by `map`, is left alone.
 * @throws `Error` with code `ERR_INVALID_ARG` when `buffer` is not an ArrayBuffer.
 */
export function unmap(buffer: ArrayBuffer): void;

/**
 * Writes `bytes[offset, offset + length)` to the open file `fd` with
 * write(2), again after a short write or an interrupted call, until all of it
 * is written; a descriptor opened with `O_APPEND` puts it at the end of the
 * file. The same system call as `fs.writeSync`, without its per-call
 * overhead (about 1 µs here, as much as the call itself): for writers that
 * must append every call at once.
 *
 * @throws `Error` like Node's own for a failed write — `code` (`ENOSPC`,
 *   `EFBIG`, `EBADF`, …), negative `errno`, `syscall: "write"` — after the
 *   bytes before the failure were written; code `ERR_INVALID_ARG` for a bad
 *   `fd`, a `bytes` that is not a `Uint8Array`, or a range outside it.
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { append } from "@frozendb/file-map";
 * const fd = openSync("events.log", "a");
 * const line = new TextEncoder().encode("hello\n");
 * append(fd, line, 0, line.length);
 * ```
 */
export function append(fd: number, bytes: Uint8Array, offset: number, length: number): void;

/**
 * The byte scan a frozenDB row check starts with, for `count` rows of
 * `rowSize` bytes (8 … 65536) at `bytes[offset]`: one packed result per row
 * in `out[0 … count)`, in the format of `@frozendb/codec`'s `rowScan` (the
 * first zero byte's position + 1 in bits 0–16, the XOR of bytes
 * `[0, rowSize − 3)` in bits 17–24, clean zero padding in bit 25, ASCII
 * outside the padding in bit 26). Verify runs it over every byte of a file;
 * the compiler vectorises what JavaScript does a word at a time.
 * @throws `Error` with code `ERR_INVALID_ARG` for arguments that do not
 *   select whole rows inside `bytes`, or an `out` too short.
 */
export function scanRows(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  count: number,
  out: Int32Array,
): void;
