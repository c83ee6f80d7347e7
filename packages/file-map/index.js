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
 * Releases a map made by {@link map} at once: the buffer is detached first
 * (every view of it then has length 0), then the pages are unmapped. A buffer
 * already released, or not made by `map`, is left alone.
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
