/**
 * Deterministic benchmark data: data rows laid out as in a file (a 64-byte
 * header, then rows of `rowSize` at 64 + i·rowSize) with UUIDv7 keys in time
 * order and audit-log style JSON values of about 150 bytes.
 */

import { type DataRowFields, HEADER_SIZE, writeDataRow } from "@frozendb/codec";

/** A fixed-seed xorshift32 generator, so every run measures the same bytes. */
export function createRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** A valid data-row UUIDv7 carrying `timestamp`, its random bits from `random`. */
export function makeKey(timestamp: number, random: () => number): Uint8Array {
  const key = new Uint8Array(16);
  const high = Math.floor(timestamp / 0x1000000);
  const low = timestamp % 0x1000000;
  key[0] = (high >>> 16) & 0xff;
  key[1] = (high >>> 8) & 0xff;
  key[2] = high & 0xff;
  key[3] = (low >>> 16) & 0xff;
  key[4] = (low >>> 8) & 0xff;
  key[5] = low & 0xff;
  for (let i = 6; i < 16; i += 4) {
    const r = random();
    key[i] = r & 0xff;
    key[i + 1] = (r >>> 8) & 0xff;
    if (i + 2 < 16) key[i + 2] = (r >>> 16) & 0xff;
    if (i + 3 < 16) key[i + 3] = r >>> 24;
  }
  key[6] = 0x70 | (key[6]! & 0x0f); // version 7
  key[8] = 0x80 | (key[8]! & 0x3f); // RFC 4122 variant
  key[15] = key[15]! | 1; // never the null-row pattern
  return key;
}

const USERS = ["ana", "bruno.costa", "chen.wei", "dmitri", "eve.martinez", "fatima.zahra"];
const ACTIONS = ["login", "logout", "document.read", "document.update", "role.grant", "export"];
const CHANNELS = ["web", "api", "cli"];

/** An audit-log JSON value of roughly 150 bytes (ASCII, as most JSON is). */
export function makeValue(index: number, timestamp: number, random: () => number): string {
  const r = random();
  return JSON.stringify({
    user: USERS[r % USERS.length],
    action: ACTIONS[(r >>> 8) % ACTIONS.length],
    resource: `doc/${(index % 9973).toString().padStart(4, "0")}/${(r >>> 4).toString(16)}`,
    ip: `10.${(r >>> 8) & 255}.${(r >>> 16) & 255}.${r >>> 24}`,
    at: new Date(timestamp).toISOString(),
    ok: (r & 7) !== 0,
    ms: r % 500,
    via: CHANNELS[(r >>> 3) % CHANNELS.length],
  });
}

/** A run of data rows laid out like a frozenDB file. */
export interface RowFile {
  /** Header space (not a real header: only rows are decoded) followed by the rows. */
  readonly bytes: Uint8Array;
  readonly rowSize: number;
  readonly rowCount: number;
  /** The fields each row was written from, for checking decoders. */
  readonly rows: readonly DataRowFields[];
  /** Mean value length in bytes. */
  readonly meanValueLength: number;
}

/** Offset of row `index` in a {@link RowFile}. */
export function rowOffsetIn(file: RowFile, index: number): number {
  return HEADER_SIZE + index * file.rowSize;
}

/** Builds `rowCount` committed single-row transactions of `rowSize` bytes. */
export function buildRowFile(rowCount: number, rowSize: number, seed = 0x5eed): RowFile {
  const random = createRandom(seed);
  const bytes = new Uint8Array(HEADER_SIZE + rowCount * rowSize);
  const encoder = new TextEncoder();
  const rows: DataRowFields[] = [];
  const start = Date.UTC(2025, 0, 1);
  let valueBytes = 0;
  for (let i = 0; i < rowCount; i++) {
    const timestamp = start + i * 37;
    const value = encoder.encode(makeValue(i, timestamp, random));
    const row: DataRowFields = {
      startControl: "T",
      endControl: "TC",
      key: makeKey(timestamp, random),
      value,
    };
    writeDataRow(bytes, HEADER_SIZE + i * rowSize, rowSize, row);
    rows.push(row);
    valueBytes += value.length;
  }
  return { bytes, rowSize, rowCount, rows, meanValueLength: valueBytes / rowCount };
}
