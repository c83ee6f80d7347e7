/**
 * The data every peer gets: N UUIDv7 keys (16 bytes each, one of three key
 * distributions), ~150-byte audit-log JSON values derived from the row index,
 * a fixed random order of existing keys to look up, and absent keys with the
 * same timestamps. Everything comes from fixed seeds, so every peer and every
 * run sees the same bytes.
 */

/** How the keys' timestamps are laid out (workloads/distributions.ts says why). */
export type KeyDistribution = "dense" | "spread" | "disordered";

/** Timestamp of the first key: 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);
/** Dense keys per millisecond: roughly what a tight `uuidv7()` loop produces. */
const DENSE_PER_MS = 1_000;
const HOUR_MS = 3_600_000;
/** Disordered: mean gap between keys, and how far back a key may jump (< the 5 s skew). */
const DISORDERED_STEP_MS = 10;
const DISORDERED_BACK_MS = 4_000;

/** The skew window every frozenDB file of the benchmarks is created with. */
export const SKEW_MS = 5_000;

/** Rows per transaction in every write workload. */
export const TX_ROWS = 100;

/** A fixed-seed xorshift32 generator. */
export function createRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** A 32-bit mix of `i` (splitmix-like), for values that must not depend on generation order. */
function hash32(i: number): number {
  let h = (i + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function writeTimestamp(out: Uint8Array, at: number, timestamp: number): void {
  const high = Math.floor(timestamp / 0x1000000);
  const low = timestamp % 0x1000000;
  out[at] = (high >>> 16) & 0xff;
  out[at + 1] = (high >>> 8) & 0xff;
  out[at + 2] = high & 0xff;
  out[at + 3] = (low >>> 16) & 0xff;
  out[at + 4] = (low >>> 8) & 0xff;
  out[at + 5] = low & 0xff;
}

/**
 * Writes a UUIDv7 at `out[at…at+16)`: `timestamp`, a 12-bit `counter` in
 * rand_a (monotonic within a millisecond, as `uuid`'s v7 does) and random
 * rand_b. `present` keys have an odd last byte, absent ones an even last
 * byte, so an absent key can never equal a present one.
 */
function writeKey(
  out: Uint8Array,
  at: number,
  timestamp: number,
  counter: number,
  random: () => number,
  present: boolean,
): void {
  writeTimestamp(out, at, timestamp);
  out[at + 6] = 0x70 | ((counter >>> 8) & 0x0f);
  out[at + 7] = counter & 0xff;
  const a = random();
  const b = random();
  out[at + 8] = 0x80 | (a & 0x3f);
  out[at + 9] = (a >>> 8) & 0xff;
  out[at + 10] = (a >>> 16) & 0xff;
  out[at + 11] = a >>> 24;
  out[at + 12] = b & 0xff;
  out[at + 13] = (b >>> 8) & 0xff;
  out[at + 14] = (b >>> 16) & 0xff;
  // Never zero (the null-row pattern needs bytes 7 and 9–15 all zero).
  out[at + 15] = present ? (b >>> 24) | 1 : ((b >>> 24) & 0xfe) | 0x02;
}

/** Timestamp of key `i` of `count` (`random` is used by the disordered layout only). */
function timestampOf(distribution: KeyDistribution, i: number, random: () => number): number {
  switch (distribution) {
    case "dense":
      return T0 + Math.floor(i / DENSE_PER_MS);
    case "spread":
      // Hours apart, plus up to a minute of jitter: every key in its own skew window.
      return T0 + i * HOUR_MS + (random() % 60_000);
    case "disordered":
      // Each key up to 4 s older than its position implies: row order and key
      // order differ inside the 5 s skew window, the ordering rule still holds.
      return T0 + i * DISORDERED_STEP_MS - (random() % (DISORDERED_BACK_MS + 1));
  }
}

/** The audit-log value of row `i` (about 150 bytes as JSON), the same for every peer. */
export interface AuditValue {
  readonly user: string;
  readonly action: string;
  readonly resource: string;
  readonly ip: string;
  readonly at: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly via: string;
}

const USERS = ["ana", "bruno.costa", "chen.wei", "dmitri", "eve.martinez", "fatima.zahra"];
const ACTIONS = ["login", "logout", "document.read", "document.update", "role.grant", "export"];
const CHANNELS = ["web", "api", "cli"];

/** The value of row `i` whose key carries `timestamp`. */
export function valueFor(i: number, timestamp: number): AuditValue {
  const r = hash32(i);
  return {
    user: USERS[r % USERS.length]!,
    action: ACTIONS[(r >>> 8) % ACTIONS.length]!,
    resource: `doc/${(i % 9973).toString().padStart(4, "0")}/${(r >>> 4).toString(16)}`,
    ip: `10.${(r >>> 8) & 255}.${(r >>> 16) & 255}.${r >>> 24}`,
    at: new Date(timestamp).toISOString(),
    ok: (r & 7) !== 0,
    ms: r % 500,
    via: CHANNELS[(r >>> 3) % CHANNELS.length]!,
  };
}

/** One data set: N keys of one distribution plus what the read workloads look up. */
export interface Dataset {
  readonly distribution: KeyDistribution;
  readonly rows: number;
  /** `rows` keys of 16 bytes, in insertion order. */
  readonly keys: Buffer;
  /** Timestamp carried by each key. */
  readonly timestamps: Float64Array;
  /** Row indices in a fixed random order: the existing keys to look up. */
  readonly lookupOrder: Uint32Array;
  /** Keys that are in no store, each with the timestamp of an existing key (16 bytes each). */
  readonly absentKeys: Buffer;
  /** Mean length of the values' JSON text in bytes (measured on a sample). */
  readonly meanValueBytes: number;
}

/** How many lookups a data set prepares (cycled when a workload wants more). */
export const LOOKUPS = 100_000;

/** Builds the data set of `rows` keys laid out as `distribution`. */
export function buildDataset(distribution: KeyDistribution, rows: number): Dataset {
  const random = createRandom(
    0x5eed ^ rows ^ (distribution === "dense" ? 1 : distribution === "spread" ? 2 : 3),
  );
  const keys = Buffer.alloc(rows * 16);
  const timestamps = new Float64Array(rows);
  let lastTimestamp = Number.NaN;
  let counter = 0;
  for (let i = 0; i < rows; i++) {
    const timestamp = timestampOf(distribution, i, random);
    // Monotonic within a millisecond, as a v7 generator's counter is.
    counter = timestamp === lastTimestamp ? counter + 1 : random() % 1024;
    lastTimestamp = timestamp;
    writeKey(keys, i * 16, timestamp, counter, random, true);
    timestamps[i] = timestamp;
  }
  const lookups = Math.min(LOOKUPS, Math.max(rows, 1) * 4);
  const lookupOrder = new Uint32Array(lookups);
  const absentKeys = Buffer.alloc(lookups * 16);
  for (let j = 0; j < lookups; j++) {
    const i = random() % rows;
    lookupOrder[j] = i;
    // Absent: the timestamp (and counter) of an existing key, other random bits.
    const base = random() % rows;
    writeKey(absentKeys, j * 16, timestamps[base]!, keys[base * 16 + 7]!, random, false);
    absentKeys[j * 16 + 6] = keys[base * 16 + 6]!;
  }
  let sampleBytes = 0;
  const sample = Math.min(rows, 1_000);
  for (let i = 0; i < sample; i++) {
    sampleBytes += Buffer.byteLength(JSON.stringify(valueFor(i, timestamps[i]!)));
  }
  return {
    distribution,
    rows,
    keys,
    timestamps,
    lookupOrder,
    absentKeys,
    meanValueBytes: sample === 0 ? 0 : sampleBytes / sample,
  };
}

/** Key `i` of `data` (a view, no copy). */
export function keyAt(data: Dataset, i: number): Buffer {
  return data.keys.subarray(i * 16, i * 16 + 16);
}

/** Absent key `j` of `data` (a view, no copy). */
export function absentKeyAt(data: Dataset, j: number): Buffer {
  return data.absentKeys.subarray(j * 16, j * 16 + 16);
}

/** The JSON text every peer must return for row `i`. */
export function expectedText(data: Dataset, i: number): string {
  return JSON.stringify(valueFor(i, data.timestamps[i]!));
}

/** One 100-row transaction's worth of rows, made before it is timed. */
export interface Batch {
  readonly keys: Buffer[];
  readonly values: AuditValue[];
}

/** Rows `start … start+count` of `data` as a batch. */
export function batchAt(data: Dataset, start: number, count: number): Batch {
  const keys: Buffer[] = [];
  const values: AuditValue[] = [];
  for (let i = start; i < start + count; i++) {
    keys.push(keyAt(data, i));
    values.push(valueFor(i, data.timestamps[i]!));
  }
  return { keys, values };
}
