/**
 * A read-only shared memory map of the data file, for reading settled rows
 * without a system call: a `pread` costs about 3 µs on a machine with
 * page-table isolation, more than everything else a lookup does, while bytes
 * in the map are the page cache's own pages.
 *
 * The map is made by the optional `@frozendb/file-map` addon. Where it did
 * not build or load, or the kernel refuses the map (an append-only file open
 * for writing, an address-space limit), {@link MappedFile.open} returns
 * undefined and the log reads with `pread` as before: the same bytes, slower.
 *
 * The one hazard of a map: touching a page that lies wholly past the end of
 * the file raises SIGBUS, which ends the process. The log therefore only asks
 * for bytes that no frozenDB operation ever removes (rows up to the last row
 * that ends a transaction: `recover` and the clean-up after a failed write
 * only cut bytes after it). A file truncated by something else under a
 * running reader is outside that promise.
 */

import { type NativeAddon, nativeAddon } from "./native-addon.js";

/** Smallest map: small files get room to grow before the first remap. */
const MIN_MAP_BYTES = 1 << 20;
/** Maps are page-aligned in length (the kernel rounds up anyway). */
const MAP_ALIGN = 1 << 16;

/** True when the memory-map addon is installed and loads on this platform. */
export function fileMapAvailable(): boolean {
  return nativeAddon() !== null;
}

/**
 * A map of the first bytes of one open file, remapped larger (twice what is
 * needed) when a read reaches past it. Maps reach past the end of the file on
 * purpose: bytes appended later become readable without a new map.
 */
export class MappedFile {
  readonly #addon: NativeAddon;
  readonly #fd: number;
  #bytes: Uint8Array;
  /**
   * Every map made, the current one last: an older one may still back a view
   * a caller holds, so all are released together by {@link release}.
   */
  readonly #maps: ArrayBuffer[] = [];

  private constructor(addon: NativeAddon, fd: number, bytes: Uint8Array) {
    this.#addon = addon;
    this.#fd = fd;
    this.#bytes = bytes;
    this.#maps.push(bytes.buffer as ArrayBuffer);
  }

  /** Maps `fd` for reads up to `size` bytes; undefined when no map can be made. */
  static open(fd: number, size: number): MappedFile | undefined {
    const addon = nativeAddon();
    if (addon === null) return undefined;
    const bytes = mapAtLeast(addon, fd, size);
    return bytes === undefined ? undefined : new MappedFile(addon, fd, bytes);
  }

  /**
   * A view of bytes `[offset, offset + length)`, which the caller knows the
   * file holds and will always hold; undefined when the map cannot grow to
   * cover them (the caller then reads them with `pread`).
   */
  view(offset: number, length: number): Uint8Array | undefined {
    const end = offset + length;
    if (end > this.#bytes.length) {
      const grown = mapAtLeast(this.#addon, this.#fd, end);
      if (grown === undefined) return undefined;
      this.#bytes = grown;
      this.#maps.push(grown.buffer as ArrayBuffer);
    }
    return this.#bytes.subarray(offset, end);
  }

  /**
   * Releases every map now rather than at garbage collection (a process that
   * opens and closes files would otherwise hold their pages — counted in its
   * resident size — until the collector runs). Views handed out before
   * become empty (length 0), never dangling.
   */
  release(): void {
    for (const map of this.#maps) this.#addon.unmap(map);
    this.#maps.length = 0;
    this.#bytes = new Uint8Array(0);
  }
}

/** A map of twice `size` bytes (at least 1 MiB), or undefined when the kernel refuses. */
function mapAtLeast(addon: NativeAddon, fd: number, size: number): Uint8Array | undefined {
  const wanted = Math.max(MIN_MAP_BYTES, 2 * size);
  const length = Math.ceil(wanted / MAP_ALIGN) * MAP_ALIGN;
  try {
    return new Uint8Array(addon.map(fd, length));
  } catch {
    return undefined;
  }
}
