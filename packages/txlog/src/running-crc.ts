/**
 * The CRC-32 of a stream of appended bytes, computed in bulk. A writer that
 * appends one row per call would otherwise run the CRC once per row: node's
 * `crc32` costs ~0.2 µs for 256 bytes (~140 ns of it a fixed cost per call)
 * but streams ~5.7 GB/s over tens of kilobytes, so copying each append into
 * a backlog (~30 ns) and folding the backlog in when it fills or the value is
 * asked for (once per checksum row) is several times cheaper per row.
 */

import { crc32 } from "@frozendb/codec";

/** Backlog folded into the CRC once it holds this much (~12 µs of CRC). */
const FOLD_BYTES = 64 << 10;

/** A CRC-32/IEEE over everything {@link RunningCrc.append}ed since the seed. */
export class RunningCrc {
  #crc: number;
  #backlog = new Uint8Array(FOLD_BYTES);
  #pending = 0;

  /** Continues the CRC `seed` (0: nothing yet). */
  constructor(seed: number) {
    this.#crc = seed;
  }

  /** Adds `bytes[offset, offset + length)` to the stream. */
  append(bytes: Uint8Array, offset: number, length: number): void {
    if (length > FOLD_BYTES) {
      this.#fold();
      this.#crc = crc32(bytes.subarray(offset, offset + length), this.#crc);
      return;
    }
    if (this.#pending + length > FOLD_BYTES) this.#fold();
    const backlog = this.#backlog;
    if (
      offset === 0 &&
      bytes.length <= 2 * length + 64 &&
      this.#pending + bytes.length <= backlog.length
    ) {
      // A writer's plan buffer holds two rows and a few bytes, and a row's
      // call fills most of it: copying it whole, bytes past `length` to be
      // overwritten by the next append, costs less than the view a partial
      // copy needs (an object per row written, and a fresh cache line or two
      // each). The bound keeps a plan grown by a batch from being copied
      // whole for every later small call.
      backlog.set(bytes, this.#pending);
    } else {
      backlog.set(bytes.subarray(offset, offset + length), this.#pending);
    }
    this.#pending += length;
  }

  /** The CRC of the stream followed by `bytes[offset, offset + length)`, which are not added. */
  valueWith(bytes: Uint8Array, offset: number, length: number): number {
    this.#fold();
    return crc32(bytes.subarray(offset, offset + length), this.#crc);
  }

  /** Starts a new stream continuing `seed`. */
  restart(seed: number): void {
    this.#crc = seed;
    this.#pending = 0;
  }

  #fold(): void {
    if (this.#pending === 0) return;
    this.#crc = crc32(this.#backlog.subarray(0, this.#pending), this.#crc);
    this.#pending = 0;
  }
}
