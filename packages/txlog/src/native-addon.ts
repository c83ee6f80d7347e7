/**
 * The optional native addon `@frozendb/file-map`: memory maps of the data
 * file (mapped-file.ts), a direct `write(2)` for appends (db-file.ts) and
 * the byte scan of rows for verify (verify.ts).
 * Where it did not build or load, the log reads with `pread` and writes with
 * `fs.writeSync`: the same bytes, slower.
 */

import { createRequire } from "node:module";

/** What the log uses of the addon. */
export interface NativeAddon {
  map(fd: number, length: number): ArrayBuffer;
  unmap(buffer: ArrayBuffer): void;
  /** Missing from builds of the addon older than the log. */
  append?: (fd: number, bytes: Uint8Array, offset: number, length: number) => void;
  /** The codec's row scan (`rowScan`) of `count` rows at once; missing from older builds. */
  scanRows?: (
    bytes: Uint8Array,
    offset: number,
    rowSize: number,
    count: number,
    out: Int32Array,
  ) => void;
}

let addon: NativeAddon | null | undefined;

/** The addon, loaded on first use; null where it is unavailable. */
export function nativeAddon(): NativeAddon | null {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)("@frozendb/file-map") as NativeAddon;
    } catch {
      addon = null;
    }
  }
  return addon;
}
