/**
 * CRC-32/IEEE (zlib's crc32), used by checksum rows.
 *
 * In Node the native `zlib.crc32` is used (it is many times faster); it is
 * found through `process.getBuiltinModule` at run time rather than imported,
 * so this module still loads in a browser, where the portable table-driven
 * version serves. `useCrc32` lets a host inject its own implementation.
 */

/** A CRC-32/IEEE function; `initial` continues a running CRC. */
export type Crc32Function = (data: Uint8Array, initial?: number) => number;

// Slicing-by-8 tables: 8 × 256 entries, the first being the classic table.
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** Portable CRC-32/IEEE over `data`, slicing by 8 bytes; runs anywhere. */
export function crc32Portable(data: Uint8Array, initial = 0): number {
  const t = TABLES;
  let crc = ~initial >>> 0;
  let i = 0;
  const fast = data.length - (data.length % 8);
  for (; i < fast; i += 8) {
    const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ crc;
    const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    crc =
      t[7 * 256 + (a & 0xff)]! ^
      t[6 * 256 + ((a >>> 8) & 0xff)]! ^
      t[5 * 256 + ((a >>> 16) & 0xff)]! ^
      t[4 * 256 + (a >>> 24)]! ^
      t[3 * 256 + (b & 0xff)]! ^
      t[2 * 256 + ((b >>> 8) & 0xff)]! ^
      t[256 + ((b >>> 16) & 0xff)]! ^
      t[b >>> 24]!;
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

interface BuiltinModuleHost {
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's native crc32 (Node ≥ 20.15), or undefined outside Node. */
function findNativeCrc32(): Crc32Function | undefined {
  const host = (globalThis as { process?: BuiltinModuleHost }).process;
  const zlib = host?.getBuiltinModule?.("node:zlib") as
    | { crc32?: (data: Uint8Array, value?: number) => number }
    | undefined;
  const native = zlib?.crc32;
  if (typeof native !== "function") return undefined;
  return (data, initial = 0) => native(data, initial);
}

const NATIVE = findNativeCrc32();
let active: Crc32Function = NATIVE ?? crc32Portable;
let activeKind: Crc32Kind = NATIVE ? "native" : "portable";

/** Which implementation `crc32` uses now. */
export type Crc32Kind = "native" | "portable" | "custom";

/** CRC-32/IEEE of `data` (continuing from `initial`, default 0). */
export function crc32(data: Uint8Array, initial = 0): number {
  return active(data, initial);
}

/** The implementation `crc32` currently uses. */
export function crc32Kind(): Crc32Kind {
  return activeKind;
}

/**
 * Replaces the CRC implementation (`"native"` or `"portable"` select a
 * built-in one; a function installs a custom one). Returns the kind in use.
 */
export function useCrc32(implementation: Crc32Function | "native" | "portable"): Crc32Kind {
  if (implementation === "portable" || (implementation === "native" && !NATIVE)) {
    active = crc32Portable;
    activeKind = "portable";
  } else if (implementation === "native") {
    active = NATIVE!;
    activeKind = "native";
  } else {
    active = implementation;
    activeKind = "custom";
  }
  return activeKind;
}
