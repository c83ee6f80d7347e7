/**
 * Builds v1 files row by row with the codec's encoders, inserting a checksum
 * row (with the right CRC) after every 10,000 data/null rows, and records
 * what it wrote so tests can state expectations without decoding.
 */

import {
  crc32,
  type DataEndControl,
  encodeChecksumRow,
  encodeHeader,
  encodeNullRow,
  HEADER_SIZE,
  writeDataRow,
} from "@frozendb/codec";

/** What the builder wrote at one row index. */
export type BuiltRow =
  | { readonly kind: "checksum" }
  | { readonly kind: "null"; readonly timestamp: number }
  | {
      readonly kind: "data";
      readonly key: Uint8Array;
      readonly start: "T" | "R";
      readonly end: DataEndControl;
    };

/** How a transaction built by {@link FileBuilder.tx} ends. */
export type TxEnd = "commit" | "open" | { readonly rollback: number };

const VALUE = new TextEncoder().encode('{"v":1}');

/** A growing v1 file. */
export class FileBuilder {
  readonly rowSize: number;
  readonly skewMs: number;
  readonly rows: BuiltRow[] = [];
  #buffer: Uint8Array;
  #length: number;
  #tail: Uint8Array = new Uint8Array(0);
  #max = 0;

  constructor(options: { rowSize?: number; skewMs?: number } = {}) {
    this.rowSize = options.rowSize ?? 128;
    this.skewMs = options.skewMs ?? 5000;
    const header = encodeHeader({ rowSize: this.rowSize, skewMs: this.skewMs });
    this.#buffer = new Uint8Array(HEADER_SIZE + this.rowSize * 64);
    this.#buffer.set(header);
    this.#length = HEADER_SIZE;
    this.#push(encodeChecksumRow(crc32(header), this.rowSize), { kind: "checksum" });
  }

  /** Largest timestamp among the data and null rows written so far. */
  get maxTimestamp(): number {
    return this.#max;
  }

  /** Index the next row will get. */
  get nextIndex(): number {
    return this.rows.length;
  }

  /** Appends one data row; returns its index. */
  data(key: Uint8Array, start: "T" | "R", end: DataEndControl, value: Uint8Array = VALUE): number {
    const bytes = new Uint8Array(this.rowSize);
    writeDataRow(bytes, 0, this.rowSize, { startControl: start, endControl: end, key, value });
    const ts = timestampOf(key);
    if (ts > this.#max) this.#max = ts;
    return this.#push(bytes, { kind: "data", key, start, end });
  }

  /** Appends a null row carrying `timestamp` (default: the current maximum); returns its index. */
  nullRow(timestamp: number = this.#max): number {
    if (timestamp > this.#max) this.#max = timestamp;
    return this.#push(encodeNullRow(timestamp, this.rowSize), { kind: "null", timestamp });
  }

  /**
   * Appends a transaction of one row per key. `savepoints` lists positions
   * (0-based within the transaction) that carry a savepoint. Returns the row indices.
   */
  tx(
    keys: readonly Uint8Array[],
    end: TxEnd = "commit",
    savepoints: readonly number[] = [],
  ): number[] {
    const indices: number[] = [];
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const s = savepoints.includes(i);
      let code: string;
      if (!last || end === "open") code = s ? "SE" : "RE";
      else if (end === "commit") code = s ? "SC" : "TC";
      else code = `${s ? "S" : "R"}${end.rollback}`;
      indices.push(this.data(key, i === 0 ? "T" : "R", code as DataEndControl));
    });
    return indices;
  }

  /** Sets bytes after the last complete row (a partial row). */
  tail(bytes: Uint8Array): this {
    this.#tail = bytes;
    return this;
  }

  /** The whole file. */
  build(): Uint8Array {
    const out = new Uint8Array(this.#length + this.#tail.length);
    out.set(this.#buffer.subarray(0, this.#length));
    out.set(this.#tail, this.#length);
    return out;
  }

  /** The file up to (excluding) row `index`: header and rows `[0, index)`. */
  prefix(index: number): Uint8Array {
    return this.#buffer.slice(0, HEADER_SIZE + index * this.rowSize);
  }

  /** The bytes of rows `[from, to)`. */
  rowBytes(from: number, to: number = this.rows.length): Uint8Array {
    return this.#buffer.slice(HEADER_SIZE + from * this.rowSize, HEADER_SIZE + to * this.rowSize);
  }

  #push(bytes: Uint8Array, row: BuiltRow): number {
    this.#append(bytes);
    this.rows.push(row);
    const index = this.rows.length - 1;
    if (this.rows.length % 10_001 === 0) {
      // Checksum k covers the previous checksum row and the 10,000 rows after it.
      const start = HEADER_SIZE + (this.rows.length - 10_001) * this.rowSize;
      const crc = crc32(this.#buffer.subarray(start, this.#length));
      this.#append(encodeChecksumRow(crc, this.rowSize));
      this.rows.push({ kind: "checksum" });
    }
    return index;
  }

  #append(bytes: Uint8Array): void {
    if (this.#length + bytes.length > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + bytes.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }
}

function timestampOf(key: Uint8Array): number {
  return (
    (key[0]! * 0x10000 + ((key[1]! << 8) | key[2]!)) * 0x1000000 +
    ((key[3]! << 16) | (key[4]! << 8) | key[5]!)
  );
}
