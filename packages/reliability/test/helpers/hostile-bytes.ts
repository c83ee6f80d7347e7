/**
 * Byte material for the hostile-input tests (spec 006 FR-015, FR-016): valid
 * encodings built with the codec's own encoders, and the mutations a damaged
 * disk, a bad copy or an attacker could apply to them. Mutating valid
 * encodings matters more than pure noise: random bytes rarely get past the
 * first sentinel check, mutated rows reach the deep paths (Base64, UUID rules,
 * padding, parity, JSON).
 */

import {
  computeParity,
  type DataEndControl,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  encodePartialDataRow,
  MAX_UUID_TIMESTAMP,
  writeParity,
} from "@frozendb/codec";
import fc from "fast-check";

/** Every end control a data row may carry. */
export const DATA_END_CONTROLS: readonly DataEndControl[] = [
  "TC",
  "RE",
  "SC",
  "SE",
  ...(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const).flatMap(
    (d) => [`R${d}`, `S${d}`] as DataEndControl[],
  ),
];

/** One damage applied to a byte string. Positions are reduced modulo the length. */
export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly byte: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "extend"; readonly bytes: Uint8Array };

/** Bytes that are structurally meaningful in the format, so mutations hit them often. */
const INTERESTING_BYTES = [0x00, 0x0a, 0x1f, 0x3d, 0x41, 0x43, 0x4e, 0x52, 0x53, 0x54, 0x7b, 0xff];

const byteArb = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...INTERESTING_BYTES));

/** One random mutation. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: byteArb }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("extend" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
);

/** One to four mutations in a row. */
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

/** A copy of `bytes` with `m` applied. */
export function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  switch (m.kind) {
    case "flip": {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case "set": {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      out[m.at % n] = m.byte;
      return out;
    }
    case "insert": {
      const at = m.at % (n + 1);
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    }
    case "delete": {
      if (n === 0) return bytes.slice();
      const at = m.at % n;
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + m.length)));
    }
    case "truncate":
      return bytes.slice(0, m.at % (n + 1));
    case "extend":
      return concat(bytes, m.bytes);
  }
}

/** A copy of `bytes` with every mutation applied in order. */
export function applyMutations(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  return mutations.reduce(applyMutation, bytes);
}

/** True when the mutations change exactly one byte in place (length unchanged). */
export function isSingleByteChange(mutations: readonly Mutation[]): boolean {
  return mutations.length === 1 && (mutations[0]!.kind === "flip" || mutations[0]!.kind === "set");
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Makes a damaged row pass the cheap frame checks again (ROW_START, ROW_END,
 * parity), so the decoder's deeper checks — padding, Base64, UUID rules, value
 * — are the ones that have to catch the damage.
 */
export function reframeRow(row: Uint8Array, rowSize: number): Uint8Array {
  // Damage that changed the length is cut or zero-filled back to one row.
  const out = new Uint8Array(rowSize);
  out.set(row.subarray(0, rowSize));
  out[0] = 0x1f;
  out[rowSize - 1] = 0x0a;
  writeParity(out, rowSize - 3, computeParity(out, 0, rowSize));
  return out;
}

/** 16 bytes of a valid UUIDv7 data key (never the null-row pattern). */
export const dataKeyArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    ms: fc.integer({ min: 0, max: MAX_UUID_TIMESTAMP }),
    rand: fc.uint8Array({ minLength: 10, maxLength: 10 }),
  })
  .map(({ ms, rand }) => {
    const key = new Uint8Array(16);
    const high = Math.floor(ms / 0x1000000);
    const low = ms % 0x1000000;
    key.set([(high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff], 0);
    key.set([(low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff], 3);
    key.set(rand, 6);
    key[6] = 0x70 | (key[6]! & 0x0f);
    key[8] = 0x80 | (key[8]! & 0x3f);
    key[15] = key[15]! | 1; // bytes 9–15 not all zero: never a null-row UUID
    return key;
  });

const rowSizeArb = fc.integer({ min: 128, max: 400 });
const valueTextArb = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: "grapheme", minLength: 0, maxLength: 40 }).map((s) => JSON.stringify(s)),
);

/** A valid data row and what it was built from. */
export interface BuiltRow {
  readonly rowSize: number;
  readonly bytes: Uint8Array;
}

/** Valid data rows of random sizes, controls, keys and JSON values. */
export const dataRowArb: fc.Arbitrary<BuiltRow> = fc
  .record({
    rowSize: rowSizeArb,
    start: fc.constantFrom("T" as const, "R" as const),
    end: fc.constantFrom(...DATA_END_CONTROLS),
    key: dataKeyArb,
    json: valueTextArb,
  })
  .map(({ rowSize, start, end, key, json }) => {
    const text = new TextEncoder().encode(json);
    // Grow the row when the value needs it, as a writer choosing rowSize would.
    const size = Math.max(rowSize, text.length + 33);
    const value = text.length > 0 ? text : new TextEncoder().encode("0");
    const bytes = encodeDataRow({ startControl: start, endControl: end, key, value }, size);
    return { rowSize: size, bytes };
  });

/** Valid null rows. */
export const nullRowArb: fc.Arbitrary<BuiltRow> = fc
  .record({ rowSize: rowSizeArb, ms: fc.integer({ min: 0, max: MAX_UUID_TIMESTAMP }) })
  .map(({ rowSize, ms }) => ({ rowSize, bytes: encodeNullRow(ms, rowSize) }));

/** Valid checksum rows. */
export const checksumRowArb: fc.Arbitrary<BuiltRow> = fc
  .record({ rowSize: rowSizeArb, crc: fc.integer({ min: 0, max: 0xffffffff }) })
  .map(({ rowSize, crc }) => ({ rowSize, bytes: encodeChecksumRow(crc, rowSize) }));

/** Any valid complete row. */
export const anyRowArb = fc.oneof(dataRowArb, nullRowArb, checksumRowArb);

/** A valid partial data row (the tail of a file) in state 1, 2 or 3. */
export const partialRowArb: fc.Arbitrary<BuiltRow & { readonly state: 1 | 2 | 3 }> = fc
  .record({
    rowSize: rowSizeArb,
    state: fc.constantFrom(1 as const, 2 as const, 3 as const),
    start: fc.constantFrom("T" as const, "R" as const),
    key: dataKeyArb,
    value: fc
      .integer({ min: 1, max: 60 })
      .map((n) => new TextEncoder().encode(`"${"v".repeat(n)}"`)),
  })
  .map(({ rowSize, state, start, key, value }) => {
    const bytes =
      state === 1
        ? encodePartialDataRow({ state, startControl: start }, rowSize)
        : encodePartialDataRow({ state, startControl: start, key, value }, rowSize);
    return { rowSize, state, bytes };
  });

/** A valid header with random settings. */
export const headerArb = fc
  .record({
    rowSize: fc.integer({ min: 128, max: 65_536 }),
    skewMs: fc.integer({ min: 0, max: 86_400_000 }),
  })
  .map((settings) => ({ settings, bytes: encodeHeader(settings) }));

/** Random bytes, biased towards the format's own byte values. */
export function noiseArb(maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.array(byteArb, { maxLength }).map((a) => Uint8Array.from(a)),
  );
}
