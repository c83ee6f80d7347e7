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
