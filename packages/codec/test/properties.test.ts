// Property tests (fast-check) for the row codec, the tail classifier, CRC32
// and strict Base64. Layout facts are checked against an oracle written here
// from file-format §4–§9, not against the codec's own helpers.
import { crc32 as zlibCrc32 } from "node:zlib";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  CorruptDatabaseError,
  crc32,
  crc32Kind,
  crc32Portable,
  type DataEndControl,
  decodeBase64Strict,
  decodeRow,
  decodeTail,
  encodeBase64Into,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  encodeValue,
  HEADER_SIZE,
  INCOMPLETE,
  isFrozenDBError,
  type Row,
  useCrc32,
  writeDataRow,
} from "../src/index.js";

// ---------------------------------------------------------------- oracle --

const DATA_END_CONTROLS: readonly DataEndControl[] = [
  "TC",
  "RE",
  "SC",
  "SE",
  "R0",
  "R1",
  "R2",
  "R3",
  "R4",
  "R5",
  "R6",
  "R7",
  "R8",
  "R9",
  "S0",
  "S1",
  "S2",
  "S3",
  "S4",
  "S5",
  "S6",
  "S7",
  "S8",
  "S9",
];

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));
const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );

/** Null-row pattern of file-format §7, written out independently of the codec. */
function hasNullRowPattern(key: Uint8Array): boolean {
  return (
    key[6] === 0x70 && key[7] === 0 && key[8] === 0x80 && key.subarray(9).every((b) => b === 0)
  );
}

function timestampOf(key: Uint8Array): number {
  return Number.parseInt(Buffer.from(key.subarray(0, 6)).toString("hex"), 16);
}

/** The bytes file-format §4 prescribes for a row with this payload. */
function expectedRow(rowSize: number, start: string, payload: Uint8Array, end: string): Uint8Array {
  const row = new Uint8Array(rowSize);
  row[0] = 0x1f;
  row[1] = start.charCodeAt(0);
  row.set(payload, 2);
  row[rowSize - 5] = end.charCodeAt(0);
  row[rowSize - 4] = end.charCodeAt(1);
  let parity = 0;
  for (let i = 0; i < rowSize - 3; i++) parity ^= row[i]!;
  const digits = parity.toString(16).toUpperCase().padStart(2, "0");
  row[rowSize - 3] = digits.charCodeAt(0);
  row[rowSize - 2] = digits.charCodeAt(1);
  row[rowSize - 1] = 0x0a;
  return row;
}

const base64 = (bytes: Uint8Array): Uint8Array =>
  new Uint8Array(Buffer.from(Buffer.from(bytes).toString("base64"), "latin1"));

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

// ------------------------------------------------------------ arbitraries --

const rowSizeArb = fc.oneof(
  { arbitrary: fc.integer({ min: 128, max: 4096 }), weight: 12 },
  { arbitrary: fc.constantFrom(128, 129, 256, 4096), weight: 4 },
  { arbitrary: fc.constant(65_536), weight: 1 },
);

/** Sparse random bytes (mostly zero) so keys near the null-row pattern come up often. */
const sparseByte = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
);

const timestampArb = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  fc.constantFrom(0, 1, 2 ** 48 - 1, 1_732_670_020_113),
);

/** A UUIDv7 (version 7, RFC variant, any timestamp) that is not a null-row UUID. */
const dataKeyArb = fc
  .tuple(
    timestampArb,
    fc.oneof(
      fc.uint8Array({ minLength: 10, maxLength: 10 }),
      fc.array(sparseByte, { minLength: 10, maxLength: 10 }).map((a) => Uint8Array.from(a)),
    ),
  )
  .map(([ts, r]) => {
    const key = new Uint8Array(16);
    key.set(Buffer.from(ts.toString(16).padStart(12, "0"), "hex"), 0);
    key[6] = 0x70 | (r[0]! & 0x0f);
    key[7] = r[1]!;
    key[8] = 0x80 | (r[2]! & 0x3f);
    key.set(r.subarray(3), 9);
    return key;
  })
  .filter((key) => !hasNullRowPattern(key));

/** JSON text (compact, or padded with JSON whitespace) of at most `rowSize − 33` UTF-8 bytes. */
function valueTextArb(rowSize: number): fc.Arbitrary<string> {
  const max = rowSize - 33;
  const whitespace = fc.constantFrom(" ", "\n", "\t", "\r");
  return fc
    .oneof(
      fc.json({ stringUnit: "binary", maxDepth: 3 }),
      fc.json({ maxDepth: 2 }),
      fc
        .string({ unit: "binary", maxLength: Math.max(1, Math.floor(max / 4)) })
        .map((s) => JSON.stringify(s)),
      // Exactly the largest value: JSON padded with whitespace (0x0A among it).
      fc
        .tuple(fc.json({ maxDepth: 1 }), whitespace)
        .map(([t, ws]) => t + ws.repeat(Math.max(0, max - Buffer.byteLength(t)))),
      // JSON with whitespace between tokens.
      fc
        .tuple(fc.array(fc.json({ maxDepth: 0 }), { minLength: 1, maxLength: 5 }), whitespace)
        .map(([items, ws]) => `${ws}[${ws}${items.join(`,${ws}`)}${ws}]${ws}`),
    )
    .filter((t) => {
      const n = Buffer.byteLength(t);
      return n >= 1 && n <= max;
    });
}

interface DataCase {
  readonly kind: "data";
  readonly rowSize: number;
  readonly startControl: "T" | "R";
  readonly endControl: DataEndControl;
  readonly key: Uint8Array;
  readonly valueText: string;
}
interface NullCase {
  readonly kind: "null";
  readonly rowSize: number;
  readonly timestamp: number;
}
interface ChecksumCase {
  readonly kind: "checksum";
  readonly rowSize: number;
  readonly crc: number;
}
type RowCase = DataCase | NullCase | ChecksumCase;

function dataCaseArb(sizes: fc.Arbitrary<number> = rowSizeArb): fc.Arbitrary<DataCase> {
  return sizes.chain((rowSize) =>
    fc.record({
      kind: fc.constant("data" as const),
      rowSize: fc.constant(rowSize),
      startControl: fc.constantFrom("T" as const, "R" as const),
      endControl: fc.constantFrom(...DATA_END_CONTROLS),
      key: dataKeyArb,
      valueText: valueTextArb(rowSize),
    }),
  );
}

function nullCaseArb(sizes: fc.Arbitrary<number> = rowSizeArb): fc.Arbitrary<NullCase> {
  return fc.record({
    kind: fc.constant("null" as const),
    rowSize: sizes,
    timestamp: timestampArb,
  });
}

function checksumCaseArb(sizes: fc.Arbitrary<number> = rowSizeArb): fc.Arbitrary<ChecksumCase> {
  return fc.record({
    kind: fc.constant("checksum" as const),
    rowSize: sizes,
    crc: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 0xffffffff)),
  });
}

function rowCaseArb(sizes: fc.Arbitrary<number> = rowSizeArb): fc.Arbitrary<RowCase> {
  return fc.oneof(
    { arbitrary: dataCaseArb(sizes), weight: 3 },
    { arbitrary: nullCaseArb(sizes), weight: 1 },
    { arbitrary: checksumCaseArb(sizes), weight: 1 },
  );
}

function encodeCase(c: RowCase): Uint8Array {
  switch (c.kind) {
    case "data":
      return encodeDataRow(
        {
          startControl: c.startControl,
          endControl: c.endControl,
          key: c.key,
          value: encodeValue(c.valueText, c.rowSize),
        },
        c.rowSize,
      );
    case "null":
      return encodeNullRow(c.timestamp, c.rowSize);
    case "checksum":
      return encodeChecksumRow(c.crc, c.rowSize);
  }
}

function reencode(row: Row, rowSize: number): Uint8Array {
  switch (row.type) {
    case "checksum":
      return encodeChecksumRow(row.crc, rowSize);
    case "null":
      return encodeNullRow(row.timestamp, rowSize);
    case "data":
      return encodeDataRow(
        {
          startControl: row.startControl,
          endControl: row.endControl,
          key: row.key,
          value: row.value,
        },
        rowSize,
      );
  }
}

function decodeComplete(bytes: Uint8Array, offset: number, rowSize: number, rowIndex?: number) {
  const row = decodeRow(bytes, offset, rowSize, rowIndex);
  if (row.type === "incomplete") throw new Error("a complete row decoded as incomplete");
  return row;
}

/** `row` inside a buffer at an offset of 0–7 bytes, with random junk before and after. */
const embeddingArb = fc.record({
  before: fc.uint8Array({ maxLength: 7 }),
  after: fc.uint8Array({ maxLength: 9 }),
});

const RUNS = { numRuns: 300 } as const;

// ----------------------------------------------------------------- (a) ----

describe("encode ∘ decode identity", () => {
  it("data rows: decoding gives the fields back, and the bytes are exactly file-format §8.1", () => {
    fc.assert(
      fc.property(dataCaseArb(), embeddingArb, (c, { before, after }) => {
        const n = c.rowSize;
        const value = encodeValue(c.valueText, n);
        expect(sameBytes(value, utf8(c.valueText))).toBe(true);
        const bytes = encodeDataRow(
          { startControl: c.startControl, endControl: c.endControl, key: c.key, value },
          n,
        );
        const oracle = expectedRow(
          n,
          c.startControl,
          concatBytes(base64(c.key), value),
          c.endControl,
        );
        expect(hex(bytes)).toBe(hex(oracle));

        const file = concatBytes(before, bytes, after);
        const row = decodeComplete(file, before.length, n);
        if (row.type !== "data") throw new Error(`decoded as ${row.type}`);
        expect(row.startControl).toBe(c.startControl);
        expect(row.endControl).toBe(c.endControl);
        expect(hex(row.key)).toBe(hex(c.key));
        expect(row.timestamp).toBe(timestampOf(c.key));
        expect(Buffer.from(row.value).toString("utf8")).toBe(c.valueText);
        expect(hex(reencode(row, n))).toBe(hex(bytes));

        // writeDataRow into a larger buffer writes the same bytes, nothing else.
        const target = new Uint8Array(before.length + n + 4).fill(0xee);
        writeDataRow(target, before.length, n, {
          startControl: c.startControl,
          endControl: c.endControl,
          key: c.key,
          value,
        });
        expect(sameBytes(target.subarray(before.length, before.length + n), bytes)).toBe(true);
        expect(target.subarray(0, before.length).every((b) => b === 0xee)).toBe(true);
        expect(target.subarray(before.length + n).every((b) => b === 0xee)).toBe(true);
      }),
      RUNS,
    );
  });

  it("null rows: the null-row UUID of the timestamp, no value, end NR", () => {
    fc.assert(
      fc.property(nullCaseArb(), embeddingArb, (c, { before, after }) => {
        const n = c.rowSize;
        const bytes = encodeNullRow(c.timestamp, n);
        const key = new Uint8Array(16);
        key.set(Buffer.from(c.timestamp.toString(16).padStart(12, "0"), "hex"), 0);
        key[6] = 0x70;
        key[8] = 0x80;
        expect(hex(bytes)).toBe(hex(expectedRow(n, "T", base64(key), "NR")));
        const row = decodeComplete(concatBytes(before, bytes, after), before.length, n);
        expect(row).toEqual({ type: "null", key, timestamp: c.timestamp });
        expect(hex(reencode(row, n))).toBe(hex(bytes));
      }),
      RUNS,
    );
  });

  it("checksum rows: the CRC as 4 big-endian bytes in Base64, end CS", () => {
    fc.assert(
      fc.property(checksumCaseArb(), embeddingArb, (c, { before, after }) => {
        const n = c.rowSize;
        const bytes = encodeChecksumRow(c.crc, n);
        const crcBytes = new Uint8Array(4);
        new DataView(crcBytes.buffer).setUint32(0, c.crc);
        expect(hex(bytes)).toBe(hex(expectedRow(n, "C", base64(crcBytes), "CS")));
        const row = decodeComplete(concatBytes(before, bytes, after), before.length, n);
        expect(row).toEqual({ type: "checksum", crc: c.crc });
        expect(hex(reencode(row, n))).toBe(hex(bytes));
      }),
      RUNS,
    );
  });
});

// ----------------------------------------------------------------- (b) ----

/** What decodeTail must say about the first `length` bytes of the row of case `c`. */
function expectedTailKind(c: RowCase, length: number): "state1" | "state2" | "state3" | "torn" {
  if (c.kind === "checksum") return "torn";
  if (length === 2) return "state1";
  if (c.kind !== "data") return "torn";
  if (length === c.rowSize - 5) return "state2";
  if (length === c.rowSize - 4 && c.endControl.startsWith("S")) return "state3";
  return "torn";
}

describe("proper prefixes of a valid row", () => {
  it("are INCOMPLETE rows and exact partial states or torn tails, never errors", () => {
    fc.assert(
      fc.property(rowCaseArb(), fc.uint8Array({ maxLength: 5 }), (c, junk) => {
        const n = c.rowSize;
        const bytes = encodeCase(c);
        const problems: string[] = [];
        for (let length = 0; length < n; length++) {
          const prefix = bytes.subarray(0, length);
          if (decodeRow(prefix, 0, n) !== INCOMPLETE) problems.push(`decodeRow at ${length}`);
          const tail = decodeTail(prefix, 0, n);
          if (length === 0) {
            if (tail !== undefined) problems.push("tail of 0 bytes");
            continue;
          }
          const kind = expectedTailKind(c, length);
          if (tail === undefined || tail.length !== length) {
            problems.push(`length at ${length}`);
          } else if (kind === "torn") {
            if (tail.type !== "torn") problems.push(`not torn at ${length}: state ${tail.state}`);
          } else {
            // Exact partial state: its fields equal the row's.
            expect(tail.type, `length ${length}`).toBe("partial");
            if (tail.type !== "partial" || c.kind === "checksum") continue;
            expect(tail.state).toBe(Number(kind.slice(5)));
            expect(tail.startControl).toBe(c.kind === "data" ? c.startControl : "T");
            if (tail.state !== 1 && c.kind === "data") {
              expect(hex(tail.key)).toBe(hex(c.key));
              expect(tail.timestamp).toBe(timestampOf(c.key));
              expect(Buffer.from(tail.value).toString("utf8")).toBe(c.valueText);
              const fields = {
                state: tail.state,
                startControl: c.startControl,
                key: c.key,
                value: utf8(c.valueText),
              };
              expect(hex(encodePartialDataRow(fields, n))).toBe(hex(prefix));
            }
            // The same tail after other bytes decodes the same.
            expect(decodeTail(concatBytes(junk, prefix), junk.length, n)).toEqual(tail);
          }
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

// ----------------------------------------------------------------- (c) ----

/** Row-shaped bytes: sentinels, controls, Base64-ish payload, zeros, a parity that may be right. */
const structuredRowArb = fc
  .record({
    rowSize: fc.integer({ min: 128, max: 300 }),
    start: fc.constantFrom(0x54, 0x52, 0x43, 0x74, 0x00),
    payload: fc.oneof(
      fc.string({ unit: fc.constantFrom(..."AZaz09+/=cACA"), maxLength: 40 }),
      dataKeyArb.map((k) => Buffer.from(k).toString("base64")),
      fc
        .tuple(dataKeyArb, fc.json({ maxDepth: 1 }))
        .map(([k, v]) => Buffer.from(k).toString("base64") + v),
      fc.integer({ min: 0, max: 0xffffffff }).map((crc) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(crc);
        return b.toString("base64");
      }),
    ),
    end: fc.oneof(
      fc.constantFrom(...DATA_END_CONTROLS, "CS", "NR"),
      fc.string({ unit: "grapheme-ascii", minLength: 2, maxLength: 2 }),
    ),
    fixParity: fc.boolean(),
    noise: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
  })
  .map(({ rowSize, start, payload, end, fixParity, noise }) => {
    const row = expectedRow(rowSize, "T", utf8(payload).subarray(0, rowSize - 8), end);
    row[1] = start;
    for (const [pos, b] of noise) row[pos % rowSize] = b;
    if (fixParity) {
      let p = 0;
      for (let i = 0; i < rowSize - 3; i++) p ^= row[i]!;
      const d = p.toString(16).toUpperCase().padStart(2, "0");
      row[rowSize - 3] = d.charCodeAt(0);
      row[rowSize - 2] = d.charCodeAt(1);
    }
    return { rowSize, row };
  });

/** A valid row with a few bytes set to random values and the parity then recomputed. */
const perturbedRowArb = fc
  .record({
    c: rowCaseArb(fc.integer({ min: 128, max: 300 })),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(({ c, edits }) => {
    const rowSize = c.rowSize;
    const row = encodeCase(c);
    // Edits land in the payload or the padding, where only payload rules can catch them.
    for (const [pos, b] of edits) row[2 + (pos % (rowSize - 7))] = b;
    let p = 0;
    for (let i = 0; i < rowSize - 3; i++) p ^= row[i]!;
    const d = p.toString(16).toUpperCase().padStart(2, "0");
    row[rowSize - 3] = d.charCodeAt(0);
    row[rowSize - 2] = d.charCodeAt(1);
    return { rowSize, row };
  });

/** decodeRow either throws corruption located in the row, or returns a row that re-encodes to the input. */
function checkAnyRow(bytes: Uint8Array, rowSize: number): "row" | "corrupt" {
  let row: ReturnType<typeof decodeRow>;
  try {
    row = decodeRow(bytes, 0, rowSize);
  } catch (error) {
    if (!isFrozenDBError(error)) throw error;
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    const offset = (error as CorruptDatabaseError).offset!;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(rowSize);
    return "corrupt";
  }
  if (row.type === "incomplete") throw new Error("a complete row decoded as incomplete");
  // Only the canonical bytes of a row are ever accepted.
  expect(hex(reencode(row, rowSize))).toBe(hex(bytes));
  return "row";
}

describe("arbitrary bytes", () => {
  it("decodeRow on random bytes of row length throws only FrozenDBErrors", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 128, max: 1024 })
          .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        (bytes) => {
          checkAnyRow(bytes, bytes.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decodeRow on row-shaped bytes throws only corruption, or returns a canonical row", () => {
    const outcomes = { row: 0, corrupt: 0 };
    fc.assert(
      fc.property(fc.oneof(structuredRowArb, perturbedRowArb), ({ rowSize, row }) => {
        outcomes[checkAnyRow(row, rowSize)]++;
      }),
      { numRuns: 500 },
    );
    // The generators reach both outcomes (edits inside a value keep the row valid).
    expect(outcomes.row).toBeGreaterThan(0);
    expect(outcomes.corrupt).toBeGreaterThan(0);
  });

  it("decodeRow gives the same outcome wherever the row sits in a buffer (word alignment)", () => {
    // The row scan reads aligned 32-bit words of the whole buffer: a row at
    // each offset mod 4, inside a larger buffer whose neighbours are not
    // zero, must decode (or fail) exactly as the row alone does.
    const outcome = (bytes: Uint8Array, offset: number, rowSize: number): string => {
      try {
        const row = decodeRow(bytes, offset, rowSize);
        return row.type === "incomplete" ? "incomplete" : hex(reencode(row, rowSize));
      } catch (error) {
        const e = error as CorruptDatabaseError;
        return `${e.code} ${e.message} @${e.offset! - offset}`;
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(structuredRowArb, perturbedRowArb),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 255 }),
        ({ rowSize, row }, shift, viewShift, filler) => {
          // A view that starts `viewShift` bytes into its buffer, as a
          // subarray of a file read does.
          const memory = new Uint8Array(viewShift + shift + rowSize + 8).fill(filler);
          const view = memory.subarray(viewShift);
          view.set(row, shift);
          expect(outcome(view, shift, rowSize)).toBe(outcome(row, 0, rowSize));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decodeTail on random short bytes never throws, and a partial result is canonical", () => {
    const tailArb = fc.integer({ min: 128, max: 512 }).chain((n) =>
      fc.record({
        rowSize: fc.constant(n),
        bytes: fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: n - 1 }),
          fc
            .tuple(
              fc.constantFrom(0x54, 0x52, 0x43),
              fc.uint8Array({ minLength: 0, maxLength: n - 3 }),
            )
            .map(([start, rest]) => concatBytes(Uint8Array.of(0x1f, start), rest)),
          fc
            .tuple(dataCaseArb(fc.constant(n)), fc.nat(), fc.integer({ min: 0, max: 255 }))
            .map(([c, pos, b]) => {
              const state = encodePartialDataRow(
                {
                  state: c.endControl.startsWith("S") ? 3 : 2,
                  startControl: c.startControl,
                  key: c.key,
                  value: utf8(c.valueText),
                },
                n,
              );
              state[pos % state.length] = b;
              return state;
            }),
        ),
      }),
    );
    fc.assert(
      fc.property(tailArb, ({ rowSize, bytes }) => {
        const tail = decodeTail(bytes, 0, rowSize);
        if (tail === undefined) throw new Error("no tail for a non-empty tail");
        expect(tail.length).toBe(bytes.length);
        if (tail.type === "partial") {
          const fields =
            tail.state === 1
              ? { state: 1 as const, startControl: tail.startControl }
              : {
                  state: tail.state,
                  startControl: tail.startControl,
                  key: tail.key,
                  value: tail.value,
                };
          expect(hex(encodePartialDataRow(fields, rowSize))).toBe(hex(bytes));
        } else {
          expect(tail.type).toBe("torn");
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ----------------------------------------------------------------- (d) ----

describe("single-byte mutations of a valid row", () => {
  it("are always corruption, located inside the row", () => {
    fc.assert(
      fc.property(
        rowCaseArb(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 0, max: 3 }),
        (c, rawPos, delta, rowIndex) => {
          const n = c.rowSize;
          const pos = rawPos % n;
          const bytes = encodeCase(c);
          bytes[pos] = bytes[pos]! ^ delta;

          let error: unknown;
          try {
            decodeRow(bytes, 0, n);
          } catch (e) {
            error = e;
          }
          expect(error, `byte ${pos} ^ ${delta} decoded as a row`).toBeInstanceOf(
            CorruptDatabaseError,
          );
          const corrupt = error as CorruptDatabaseError;
          expect(corrupt.code).toBe("corrupt_database");
          expect(corrupt.offset).toBeGreaterThanOrEqual(0);
          expect(corrupt.offset).toBeLessThan(n);
          expect(corrupt.rowIndex).toBeUndefined();

          // The same row as row `rowIndex` of a file: absolute offset and index.
          const file = new Uint8Array(HEADER_SIZE + (rowIndex + 1) * n);
          const start = HEADER_SIZE + rowIndex * n;
          file.set(bytes, start);
          let located: unknown;
          try {
            decodeRow(file, start, n, rowIndex);
          } catch (e) {
            located = e;
          }
          expect(located).toBeInstanceOf(CorruptDatabaseError);
          expect((located as CorruptDatabaseError).rowIndex).toBe(rowIndex);
          expect((located as CorruptDatabaseError).offset).toBe(start + corrupt.offset!);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ----------------------------------------------------------------- (e) ----

describe("crc32", () => {
  afterEach(() => {
    useCrc32("native");
  });

  it("native and portable agree with zlib, also continued from any initial value", () => {
    expect(useCrc32("native")).toBe("native");
    expect(crc32Kind()).toBe("native");
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (data, initial) => {
          const expected = zlibCrc32(data);
          expect(crc32Portable(data)).toBe(expected);
          expect(crc32(data)).toBe(expected);
          expect(crc32Portable(data, initial)).toBe(zlibCrc32(data, initial));
          expect(crc32(data, initial)).toBe(zlibCrc32(data, initial));
        },
      ),
      RUNS,
    );
  });

  it("a CRC split at any point and continued with `initial` equals the whole CRC", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat(), (data, rawSplit) => {
        const split = rawSplit % (data.length + 1);
        const head = data.subarray(0, split);
        const rest = data.subarray(split);
        const whole = zlibCrc32(data);
        expect(crc32Portable(rest, crc32Portable(head))).toBe(whole);
        expect(crc32(rest, crc32Portable(head))).toBe(whole);
        expect(crc32Portable(rest, crc32(head))).toBe(whole);
        useCrc32("portable");
        expect(crc32Kind()).toBe("portable");
        expect(crc32(rest, crc32(head))).toBe(whole);
        useCrc32("native");
      }),
      RUNS,
    );
  });
});

// ----------------------------------------------------------------- (f) ----

const BASE64_TEXT = /^[A-Za-z0-9+/=]*$/;

/** The bytes `text` canonically encodes (standard alphabet, `==`, zero unused bits), or undefined. */
function canonicalDecode(text: string, byteLength: number): Uint8Array | undefined {
  if (!BASE64_TEXT.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== byteLength || bytes.toString("base64") !== text) return undefined;
  return new Uint8Array(bytes);
}

describe("strict Base64", () => {
  for (const byteLength of [16, 4]) {
    const textLength = byteLength === 16 ? 24 : 8;

    it(`${byteLength} bytes round-trip through ${textLength} characters at any offset`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: byteLength, maxLength: byteLength }),
          fc.integer({ min: 0, max: 7 }),
          (bytes, offset) => {
            const target = new Uint8Array(offset + textLength + 3).fill(0x21);
            expect(encodeBase64Into(bytes, target, offset)).toBe(textLength);
            const text = Buffer.from(target.subarray(offset, offset + textLength)).toString(
              "latin1",
            );
            expect(text).toBe(Buffer.from(bytes).toString("base64"));
            expect(target[offset + textLength]).toBe(0x21);
            const decoded = decodeBase64Strict(target, offset, byteLength);
            expect(decoded && hex(decoded)).toBe(hex(bytes));
          },
        ),
        RUNS,
      );
    });

    it(`a one-character change of ${textLength}-character text decodes only if canonical`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: byteLength, maxLength: byteLength }),
          fc.nat(textLength - 1),
          fc.oneof(
            fc.integer({ min: 1, max: 255 }),
            fc.constantFrom(..."AQgw=+/-_ .".split("").map((ch) => ch.charCodeAt(0))),
          ),
          (bytes, pos, replacement) => {
            const text = new Uint8Array(Buffer.from(Buffer.from(bytes).toString("base64")));
            fc.pre(text[pos] !== replacement);
            text[pos] = replacement;
            const mutated = Buffer.from(text).toString("latin1");
            const expected = canonicalDecode(mutated, byteLength);
            const decoded = decodeBase64Strict(text, 0, byteLength);
            if (expected === undefined) {
              expect(decoded).toBeUndefined();
            } else {
              expect(decoded && hex(decoded)).toBe(hex(expected));
              expect(hex(expected)).not.toBe(hex(bytes));
            }
          },
        ),
        { numRuns: 500 },
      );
    });
  }
});
