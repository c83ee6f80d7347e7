// The addon is compiled at install (node-gyp); loading fails where it could
// not be built, and callers then read with pread instead.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const addon = require("./build/Release/file_map.node");

/**
 * Maps the first `length` bytes of the open file `fd`, read-only and shared.
 * @param {number} fd
 * @param {number} length
 * @returns {ArrayBuffer}
 */
export function map(fd, length) {
  return addon.map(fd, length);
}

/**
 * Releases the file's pages of a map made by {@link map} at once: the range
 * is swapped for zero pages in place (views keep their length and read
 * zeros; the buffer is not detached, see index.d.ts). A buffer already
 * released, or not made by `map`, is left alone.
 * @param {ArrayBuffer} buffer
 * @returns {void}
 */
export function unmap(buffer) {
  addon.unmap(buffer);
}

/**
 * Writes `bytes[offset, offset + length)` to `fd` with write(2), again until
 * all of it is written (a descriptor opened with O_APPEND places it at the
 * end of the file).
 * @param {number} fd
 * @param {Uint8Array} bytes
 * @param {number} offset
 * @param {number} length
 * @returns {void}
 */
export function append(fd, bytes, offset, length) {
  addon.append(fd, bytes, offset, length);
}

/**
 * The byte scan of `count` rows of `rowSize` bytes at `bytes[offset]`, one
 * packed result per row in `out` (the codec's `rowScan` format).
 * @param {Uint8Array} bytes
 * @param {number} offset
 * @param {number} rowSize
 * @param {number} count
 * @param {Int32Array} out
 * @returns {void}
 */
export function scanRows(bytes, offset, rowSize, count, out) {
  addon.scanRows(bytes, offset, rowSize, count, out);
}
