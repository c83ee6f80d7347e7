// Hostile input (spec 006 FR-015 … FR-020): malformed bytes, files, values,
// keys and paths must produce precise FrozenDBErrors — never a TypeError, a
// RangeError, a hang or a wrong value — and leave committed data alone.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  decodeHeader,
  decodeRow,
  encodeBase64,
  formatUuid,
  HEADER_SIZE,
  verifyInitialChecksumRow,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import fc from "fast-check";
import { create, type Database, type FinderStrategy, open, uuidv7 } from "frozendb";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import {
  anyRowArb,
  applyMutations,
  concat,
  dataKeyArb,
  headerArb,
  isSingleByteChange,
  type Mutation,
  mutationsArb,
  noiseArb,
  partialRowArb,
  reframeRow,
} from "./helpers/hostile-bytes.js";
import {
  AS_NOBODY,
  ensureClientDist,
  nobodyCanReadCheckout,
  runClientChild,
  TRY_OPEN_BOTH_MODES,
} from "./helpers/hostile-child.js";
import {
  checkBase64,
  checkHeader,
  checkParseUuid,
  checkReadRowAt,
  checkRow,
  checkTail,
  checkValueBytes,
} from "./helpers/hostile-decoders.js";
import { attempt, CheckList, expectFrozen, OutcomeTally } from "./helpers/hostile-errors.js";
import {
  appendOnlyCapability,
  buildSampleDatabase,
  clearAppendOnlyOnFinish,
  hasCommand,
  type SampleDatabase,
  scratchDir,
  snapshot,
  writeBytes,
} from "./helpers/hostile-files.js";
import { scale } from "./helpers/mode.js";

const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];
const MODES = ["read", "write"] as const;
const ascii = (text: string) => new TextEncoder().encode(text);

/** Fuzz cases per codec decoder: default run, extended run. */
const DECODER_RUNS = scale(1_500, 30_000);
/** Random or mutated files `open` is tried on (each with 3 finders × 2 modes). */
const FILE_RUNS = scale(150, 3_000);

// One sample database (every row kind, a partial row at the end) for the
// mutation fuzz of readRowAt and open; built once, its folder removed after.
let sample: SampleDatabase;
const fixture = scratchDir();
beforeAll(() => {
  sample = buildSampleDatabase(fixture.dir);
});
afterAll(() => fixture.dispose());

/** The sample file with random mutations, and whether they changed one byte only. */
const mutatedSampleArb = () =>
  mutationsArb.map((ms: Mutation[]) => ({
    bytes: applyMutations(sample.bytes, ms),
    singleByte: isSingleByteChange(ms),
  }));

// ------------------------------------------------------------------ FR-015 --

it("S_006 FR_015 decodeHeader on random and mutated headers throws only corrupt_database and accepts only canonical headers", () => {
  const tally = new OutcomeTally();
  const mutated = fc.tuple(headerArb, mutationsArb).map(([h, ms]) => applyMutations(h.bytes, ms));
  fc.assert(
    fc.property(fc.oneof(noiseArb(100), mutated), (bytes) => checkHeader(bytes, tally)),
    { numRuns: DECODER_RUNS },
  );
  // Valid headers still decode, whatever follows them.
  fc.assert(
    fc.property(headerArb, fc.uint8Array({ maxLength: 40 }), (h, rest) => {
      expect(decodeHeader(concat(h.bytes, rest))).toEqual(h.settings);
    }),
    { numRuns: scale(100, 2_000) },
  );
  expect(tally.total).toBe(DECODER_RUNS);
  console.log(`FR_015 decodeHeader: ${tally.total} cases (${tally})`);
});

it("S_006 FR_015 decodeRow and inspectRow on random, mutated and re-framed rows throw only corrupt_database and accept only canonical rows", () => {
  const tally = new OutcomeTally();
  const mutated = fc.tuple(anyRowArb, mutationsArb).map(([r, ms]) => ({
    rowSize: r.rowSize,
    bytes: applyMutations(r.bytes, ms),
  }));
  // Re-framing (sentinels and parity fixed) pushes the damage past the cheap
  // checks, into padding, Base64, UUID rules and the value.
  const reframed = mutated.map((r) => ({ ...r, bytes: reframeRow(r.bytes, r.rowSize) }));
  const noise = fc
    .record({ rowSize: fc.integer({ min: 128, max: 200 }), bytes: noiseArb(260) })
    .map((r) => ({ ...r, bytes: reframeRow(r.bytes, r.rowSize) }));
  const input = fc.record({
    row: fc.oneof(mutated, reframed, noise),
    junk: fc.uint8Array({ maxLength: 4 }), // the row need not start the buffer
    rowIndex: fc.option(fc.nat(40_000), { nil: undefined }),
  });
  fc.assert(
    fc.property(input, ({ row, junk, rowIndex }) =>
      checkRow(concat(junk, row.bytes), junk.length, row.rowSize, rowIndex, tally),
    ),
    { numRuns: DECODER_RUNS },
  );
  // Valid rows decode; any single bit flip of one is reported (parity).
  fc.assert(
    fc.property(anyRowArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (r, at, bit) => {
      expect(decodeRow(r.bytes, 0, r.rowSize).type).not.toBe("incomplete");
      checkRow(r.bytes, 0, r.rowSize, undefined);
      const flipped = r.bytes.slice();
      flipped[at % flipped.length]! ^= 1 << bit;
      checkRow(flipped, 0, r.rowSize, 1);
      expectFrozen(
        () => decodeRow(flipped, 0, r.rowSize),
        "corrupt_database",
        undefined,
        `row with bit ${bit} of byte ${at % flipped.length} flipped`,
      );
    }),
    { numRuns: scale(300, 5_000) },
  );
  expect(tally.count("ok")).toBeGreaterThan(0); // some damage left a valid row: the accept path ran too
  console.log(`FR_015 decodeRow/inspectRow: ${tally.total} cases (${tally})`);
});

it("S_006 FR_015 decodeTail on random and mutated partial rows never throws for a tail shorter than a row, and valid partial rows decode", () => {
  const tally = new OutcomeTally();
  const mutated = fc.tuple(partialRowArb, mutationsArb).map(([p, ms]) => ({
    rowSize: p.rowSize,
    bytes: applyMutations(p.bytes, ms),
  }));
  const noise = fc.record({ rowSize: fc.integer({ min: 128, max: 200 }), bytes: noiseArb(210) });
  const input = fc.record({
    tail: fc.oneof(mutated, noise),
    junk: fc.uint8Array({ maxLength: 4 }),
  });
  fc.assert(
    fc.property(input, ({ tail, junk }) => {
      checkTail(concat(junk, tail.bytes), junk.length, tail.rowSize, tally);
    }),
    { numRuns: DECODER_RUNS },
  );
  fc.assert(
    fc.property(partialRowArb, (p) => {
      const tail = checkTail(p.bytes, 0, p.rowSize);
      expect(tail).toMatchObject({ type: "partial", state: p.state, length: p.bytes.length });
    }),
    { numRuns: scale(200, 3_000) },
  );
  console.log(`FR_015 decodeTail: ${tally.total} cases (${tally})`);
});

it("S_006 FR_015 readRowAt and verifyInitialChecksumRow on mutated and random files throw only FrozenDBErrors; the valid file reads row by row", () => {
  const tally = new OutcomeTally();
  const rows = Math.ceil((sample.bytes.length - HEADER_SIZE) / sample.rowSize);
  // Every slot of the valid file reads (the last one is the partial row).
  for (let i = 0; i < rows; i++) checkReadRowAt(sample.bytes, i, sample.rowSize);
  verifyInitialChecksumRow(sample.bytes, sample.rowSize);

  const file = fc.oneof(
    { arbitrary: mutatedSampleArb().map((m) => m.bytes), weight: 4 },
    noiseArb(800),
    noiseArb(600).map((noise) => concat(sample.bytes.subarray(0, HEADER_SIZE), noise)),
  );
  // Mostly a slot of the file at hand (slot n·k is just past the end), else
  // an index no caller should pass.
  const index = fc.oneof(
    { arbitrary: fc.nat(1_000).map((slot) => ({ slot })), weight: 4 },
    fc
      .constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5, 2 ** 53, 10_001)
      .map((raw) => ({ raw })),
  );
  const rowSize = fc.oneof(fc.constant(sample.rowSize), fc.integer({ min: 128, max: 300 }));
  fc.assert(
    fc.property(file, index, rowSize, (bytes, at, n) => {
      const slots = Math.max(0, Math.ceil((bytes.length - HEADER_SIZE) / n));
      const i = "slot" in at ? at.slot % (slots + 1) : at.raw;
      checkReadRowAt(bytes, i, n, tally);
      const start = attempt(() => verifyInitialChecksumRow(bytes, n), "verifyInitialChecksumRow");
      if (!start.ok) expect(start.error.code).toBe("corrupt_database");
    }),
    { numRuns: DECODER_RUNS },
  );
  console.log(`FR_015 readRowAt: ${tally.total} cases (${tally})`);
});

it("S_006 FR_015 strict Base64 decoding of random and mutated text never throws and accepts only canonical text", () => {
  const canonical = fc
    .constantFrom(4 as const, 16 as const)
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
    .map((bytes) => ascii(encodeBase64(bytes)));
  const text = fc.oneof(
    noiseArb(30),
    fc.tuple(canonical, mutationsArb).map(([t, ms]) => applyMutations(t, ms)),
    fc.string({ unit: "binary-ascii", maxLength: 26 }).map(ascii),
  );
  fc.assert(
    fc.property(text, fc.nat(), fc.constantFrom(4 as const, 16 as const), (t, at, byteLength) =>
      checkBase64(t, at % (t.length + 1), byteLength),
    ),
    { numRuns: DECODER_RUNS },
  );
  // Canonical text decodes to its bytes.
  fc.assert(
    fc.property(fc.constantFrom(4 as const, 16 as const), fc.uint8Array(), (n, seed) => {
      const bytes = new Uint8Array(n).map((_, i) => seed[i] ?? i);
      checkBase64(ascii(encodeBase64(bytes)), 0, n);
    }),
    { numRuns: scale(100, 2_000) },
  );
});

it("S_006 FR_015 parseUuid on any value, random text and mutated UUID text throws only invalid_input and accepts only canonical-shaped keys", () => {
  const tally = new OutcomeTally();
  const canonical = dataKeyArb.map(formatUuid);
  const mutatedText = fc
    .tuple(canonical, mutationsArb)
    .map(([t, ms]) => new TextDecoder().decode(applyMutations(ascii(t), ms)));
  const key = fc.oneof(
    fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true }),
    fc.string({ maxLength: 45 }),
    mutatedText,
    canonical.map((t) => t.toUpperCase()),
    fc.uint8Array({ maxLength: 20 }),
    dataKeyArb,
  );
  fc.assert(
    fc.property(key, (k) => checkParseUuid(k, tally)),
    { numRuns: DECODER_RUNS },
  );
  console.log(`FR_015 parseUuid: ${tally.total} cases (${tally})`);
});

it("S_006 FR_015 value decoding of random and mutated JSON bytes throws only invalid_data, and what a writer accepts reads back", () => {
  const tally = new OutcomeTally();
  const json = fc.json({ maxDepth: 4 }).map(ascii);
  const bytes = fc.oneof(
    noiseArb(80),
    json,
    fc.tuple(json, mutationsArb).map(([j, ms]) => applyMutations(j, ms)),
  );
  fc.assert(
    fc.property(bytes, (b) => checkValueBytes(b, 256, tally)),
    { numRuns: DECODER_RUNS },
  );
  expect(tally.count("ok")).toBeGreaterThan(0);
  console.log(`FR_015 decodeValue: ${tally.total} cases (${tally})`);
});

// ------------------------------------------------------------------ FR-016 --

/**
 * Opens `path` with `finder` in `mode` and uses the handle the way an
 * application would. Only FrozenDBErrors may escape any step; when
 * `exactValues` is set (the file differs from the sample by one byte, which
 * parity always catches), `get` must return the value written or throw.
 */
function exerciseOpen(
  path: string,
  finder: FinderStrategy,
  mode: "read" | "write",
  exactValues: boolean,
  tally: OutcomeTally,
): void {
  const context = `open(${finder}, ${mode})`;
  const opened = attempt(() => open(path, { mode, finder }), context);
  tally.add(opened);
  if (!opened.ok) return;
  const db = opened.value;
  try {
    attempt(() => db.maxTimestamp(), `${context} maxTimestamp`);
    readEveryEntry(db, context);
    for (const [key, value] of sample.committed) {
      const got = attempt(() => db.get(key), `${context} get ${key}`);
      if (exactValues && got.ok) expect(got.value, `${context} get ${key}`).toEqual(value);
      attempt(() => db.has(key), `${context} has ${key}`);
    }
    for (const key of [...sample.invisible, uuidv7()]) {
      attempt(() => db.get(key), `${context} get ${key}`);
    }
    if (mode === "write") {
      attempt(() => db.transaction((tx) => tx.add(uuidv7(), { probe: 1 })), `${context} write`);
    }
  } finally {
    attempt(() => db.close(), `${context} close`);
  }
}

function readEveryEntry(db: Database, context: string): void {
  attempt(() => {
    for (const entry of db.entries()) attempt(() => entry.value, `${context} entry value`);
  }, `${context} entries`);
}

it("S_006 FR_016 open with every finder in both modes on random and mutated files throws only FrozenDBErrors, and so do get and entries on what opens", () => {
  const dir = tempDir();
  const path = join(dir, "hostile.fdb");
  const tally = new OutcomeTally();
  let files = 0;
  const file = fc.oneof(
    { arbitrary: mutatedSampleArb(), weight: 6 },
    { arbitrary: noiseArb(900).map((bytes) => ({ bytes, singleByte: false })), weight: 1 },
    {
      // A valid header and initial checksum row, then noise: gets past the first checks.
      arbitrary: noiseArb(900).map((noise) => ({
        bytes: concat(sample.bytes.subarray(0, HEADER_SIZE + sample.rowSize), noise),
        singleByte: false,
      })),
      weight: 2,
    },
  );
  fc.assert(
    fc.property(file, ({ bytes, singleByte }) => {
      files++;
      for (const finder of FINDERS) {
        for (const mode of MODES) {
          // Rewritten every time: a write-mode open may append to it.
          writeBytes(path, bytes);
          exerciseOpen(path, finder, mode, singleByte, tally);
        }
      }
    }),
    { numRuns: FILE_RUNS },
  );
  // The unmutated sample opens everywhere and reads back what was written.
  writeBytes(path, sample.bytes);
  for (const finder of FINDERS) {
    const db = open(path, { finder });
    for (const [key, value] of sample.committed) expect(db.get(key)).toEqual(value);
    db.close();
  }
  expect(tally.total).toBe(files * FINDERS.length * MODES.length);
  console.log(`FR_016 open: ${files} files, ${tally.total} opens (${tally})`);
});

// ------------------------------------------------------------------ FR-017 --

/** A new database in a fresh folder, open for writing; closed when the test ends. */
function writableDatabase(rowSize: number): { path: string; db: Database } {
  const path = join(tempDir(), "values.fdb");
  create(path, { rowSize, skewMs: 60_000 });
  const db = open(path, { mode: "write", sync: false });
  onTestFinished(() => db.close());
  return { path, db };
}

/** Expects `fn` to be refused with invalid_input and the file to keep every byte. */
function expectRefusedUnchanged(path: string, fn: () => unknown, context: string): void {
  const before = snapshot(path);
  expectFrozen(fn, "invalid_input", undefined, context);
  expect(snapshot(path).equals(before), `${context}: the file changed`).toBe(true);
}

/** Depth of nested single-element arrays, walked without recursion. */
function arrayDepth(value: unknown): number {
  let depth = 0;
  let at = value;
  while (Array.isArray(at)) {
    depth++;
    at = at[0];
  }
  return depth;
}

/** `depth` nested arrays built without recursion: `[[[…]]]`. */
function nestedArray(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

it("S_006 FR_017 a value of rowSize−33 bytes is stored and one byte more is invalid_input before anything is written, in every write path", () => {
  const rowSize = 1024;
  const max = rowSize - 33;
  const { path, db } = writableDatabase(rowSize);
  const fits = "a".repeat(max - 2); // JSON text adds the two quotes
  const over = "a".repeat(max - 1);
  // UTF-8 bytes count, not characters: 2-byte "é", 4-byte emoji.
  const fitsWide = `${"é".repeat((max - 3) / 2)}a`;
  const overWide = "😀".repeat(Math.ceil((max - 1) / 4));
  const tooLong = /exceeds ROW_SIZE/;

  const refuse = (label: string, call: () => unknown) => {
    const before = snapshot(path);
    expectFrozen(call, "invalid_input", tooLong, label);
    expect(snapshot(path).equals(before), `${label}: the file changed`).toBe(true);
  };
  // transaction(fn): checked as rows are added, nothing written when refused.
  refuse("batch add, one byte over", () => db.transaction((b) => b.add(uuidv7(), over)));
  refuse("batch add, multi-byte over", () => db.transaction((b) => b.add(uuidv7(), overWide)));
  refuse("batch addRaw, one byte over", () =>
    db.transaction((b) => b.addRaw(uuidv7(), `"${over}"`)),
  );
  // begin(): each call appends at once, so each must be checked before it writes.
  const tx = db.begin();
  refuse("add, one byte over", () => tx.add(uuidv7(), over));
  refuse("add, multi-byte over", () => tx.add(uuidv7(), overWide));
  refuse("add, 8 MB", () => tx.add(uuidv7(), "x".repeat(8 << 20)));
  refuse("addRaw text, one byte over", () => tx.addRaw(uuidv7(), JSON.stringify(over)));
  refuse("addRaw bytes, one byte over", () => tx.addRaw(uuidv7(), ascii(JSON.stringify(over))));
  // The refused calls left the transaction usable: the largest values fit.
  const [k1, k2, k3] = [uuidv7(), uuidv7(), uuidv7()];
  tx.add(k1, fits);
  tx.add(k2, fitsWide);
  tx.addRaw(k3, ascii(JSON.stringify(fits)));
  tx.commit();
  expect(db.get(k1)).toBe(fits);
  expect(db.get(k2)).toBe(fitsWide);
  expect(Buffer.byteLength(db.getRaw(k2))).toBe(max);
  expect(db.get(k3)).toBe(fits);
});

it("S_006 FR_017 deeply nested JSON is stored when it fits, and nesting too deep for JSON.stringify is invalid_input, not a RangeError", () => {
  const rowSize = 65_536;
  const { path, db } = writableDatabase(rowSize);
  const shallow = uuidv7();
  db.transaction((tx) => tx.add(shallow, nestedArray(2_000)));
  expect(arrayDepth(db.get(shallow))).toBe(2_000);
  // 5,000 levels: V8's JSON.stringify runs out of stack between 4,000 and
  // 5,000 levels in Node 20, so add either stores it or refuses it with
  // invalid_input (cause: the RangeError), writing nothing. As text it is stored.
  const five = uuidv7();
  const before = snapshot(path);
  const added = attempt(() => db.transaction((tx) => tx.add(five, nestedArray(5_000))), "5,000");
  if (!added.ok) {
    expect(added.error.code).toBe("invalid_input");
    expect(added.error.cause).toBeInstanceOf(RangeError);
    expect(snapshot(path).equals(before)).toBe(true);
    db.transaction((tx) => tx.addRaw(five, `${"[".repeat(5_000)}${"]".repeat(5_000)}`));
  }
  console.log(`FR_017 5,000-deep add: ${added.ok ? "stored" : "invalid_input (RangeError cause)"}`);
  expect(arrayDepth(db.get(five))).toBe(5_000);

  // As deep as a row can hold: text, stored exactly, parsed on get.
  const depth = Math.floor((rowSize - 33) / 2);
  const deep = uuidv7();
  db.transaction((tx) => tx.addRaw(deep, `${"[".repeat(depth)}${"]".repeat(depth)}`));
  const got = attempt(() => db.get(deep), "get of the deepest value");
  expect(got.ok).toBe(true);
  if (got.ok) expect(arrayDepth(got.value)).toBe(depth);
  const entry = [...db.entries()].find((e) => e.key === deep);
  expect(arrayDepth(entry?.value)).toBe(depth);

  // Deeper than the row: the size check refuses the text.
  const tooDeep = `${"[".repeat(depth + 1)}${"]".repeat(depth + 1)}`;
  expectRefusedUnchanged(path, () => db.transaction((tx) => tx.addRaw(uuidv7(), tooDeep)), "raw");
  // Deeper than the stack: JSON.stringify throws a RangeError inside add,
  // which must come out as invalid_input.
  const abyss = nestedArray(2_000_000);
  expectRefusedUnchanged(path, () => db.transaction((tx) => tx.add(uuidv7(), abyss)), "batch");
  const tx = db.begin();
  expectRefusedUnchanged(path, () => tx.add(uuidv7(), abyss), "add");
  tx.rollback(0);
});

/** Values whose JSON text is unusual, the text JSON.stringify gives, and what get returns. */
const ODD_VALUES: readonly { label: string; value: unknown; text: string; back: unknown }[] = [
  { label: "NUL in a string", value: "a\u0000b", text: '"a\\u0000b"', back: "a\u0000b" },
  { label: "lone high surrogate", value: "\ud800", text: '"\\ud800"', back: "\ud800" },
  { label: "lone low surrogate", value: "x\udc00y", text: '"x\\udc00y"', back: "x\udc00y" },
  { label: "emoji and flags", value: "😀🇺🇳", text: '"😀🇺🇳"', back: "😀🇺🇳" },
  { label: "line separators", value: "\u2028\u2029", text: '"\u2028\u2029"', back: "\u2028\u2029" },
  { label: "byte order mark", value: "\ufeff", text: '"\ufeff"', back: "\ufeff" },
  { label: "-0", value: -0, text: "0", back: 0 },
  { label: "1e308", value: 1e308, text: "1e+308", back: 1e308 },
  { label: "smallest double", value: 5e-324, text: "5e-324", back: 5e-324 },
  // JSON has no NaN or Infinity: JSON.stringify writes null, as documented for add.
  { label: "NaN", value: Number.NaN, text: "null", back: null },
  { label: "Infinity", value: Number.POSITIVE_INFINITY, text: "null", back: null },
  {
    label: "-Infinity in an array",
    value: [Number.NEGATIVE_INFINITY],
    text: "[null]",
    back: [null],
  },
  {
    label: "undefined and function members",
    value: { a: undefined, f: () => 1 },
    text: "{}",
    back: {},
  },
  {
    label: "a Date",
    value: new Date(0),
    text: '"1970-01-01T00:00:00.000Z"',
    back: "1970-01-01T00:00:00.000Z",
  },
];

it("S_006 FR_017 odd values (NUL, lone surrogates, emoji, U+2028, -0, 1e308, NaN, Infinity) store their JSON.stringify text and read back", () => {
  const { db } = writableDatabase(256);
  const keys = ODD_VALUES.map(() => uuidv7());
  db.transaction((tx) => {
    for (const [i, odd] of ODD_VALUES.entries()) tx.add(keys[i]!, odd.value);
  });
  const tx = db.begin();
  const callKeys = ODD_VALUES.map(() => uuidv7());
  for (const [i, odd] of ODD_VALUES.entries()) tx.add(callKeys[i]!, odd.value);
  tx.commit();
  ODD_VALUES.forEach((odd, i) => {
    for (const key of [keys[i]!, callKeys[i]!]) {
      expect(db.getRaw(key), odd.label).toBe(odd.text);
      expect(db.get(key), odd.label).toEqual(odd.back);
    }
  });
  expect(Object.is(db.get(keys[ODD_VALUES.findIndex((o) => o.label === "-0")]!), 0)).toBe(true);
});

/** Values JSON cannot represent: add must refuse them, writing nothing. */
function unrepresentableValues(): [string, unknown][] {
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  return [
    ["undefined", undefined],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a BigInt", 10n],
    ["a BigInt inside an object", { n: 1n }],
    ["a cyclic object", cyclic],
    [
      "a toJSON that throws",
      {
        toJSON: () => {
          throw new Error("no");
        },
      },
    ],
  ];
}

/** Texts and byte strings addRaw must refuse: not one JSON document in UTF-8. */
const INVALID_RAW: readonly [string, unknown][] = [
  ["empty text", ""],
  ["only whitespace", " "],
  ["unclosed object", "{"],
  ["NaN", "NaN"],
  ["undefined", "undefined"],
  ["unquoted key", "{a:1}"],
  ["trailing comma", "[1,]"],
  ["two documents", "1 2"],
  ["single quotes", "'x'"],
  ["leading zero", "01"],
  ["byte order mark before the value", "\ufeff1"],
  ["raw NUL inside a string", '"a\u0000b"'],
  ["raw lone surrogate", '"\ud800"'],
  ["bytes: 0xFF", Uint8Array.of(0xff)],
  ["bytes: truncated UTF-8", Uint8Array.of(0x22, 0xc3, 0x22)],
  ["bytes: UTF-8 of a surrogate", Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22)],
  ["bytes: NUL inside a string", Uint8Array.of(0x22, 0x00, 0x22)],
  ["bytes: empty", new Uint8Array(0)],
  ["a number", 1],
  ["null", null],
  ["an object", { a: 1 }],
  ["an array of bytes", [0x31]],
];

it("S_006 FR_017 unrepresentable values and invalid JSON text are invalid_input in add, addRaw and transaction(fn), and nothing is written", () => {
  const { path, db } = writableDatabase(256);
  const checks = new CheckList();
  const refused = (label: string, fn: () => unknown) =>
    checks.check(label, () => expectRefusedUnchanged(path, fn, label));
  const tx = db.begin();
  for (const [label, value] of unrepresentableValues()) {
    refused(`add ${label}`, () => tx.add(uuidv7(), value));
  }
  for (const [label, raw] of INVALID_RAW) {
    refused(`addRaw ${label}`, () => tx.addRaw(uuidv7(), raw as string));
  }
  tx.rollback(0);
  for (const [label, value] of unrepresentableValues()) {
    refused(`transaction add ${label}`, () => db.transaction((b) => b.add(uuidv7(), value)));
  }
  for (const [label, raw] of INVALID_RAW) {
    refused(`transaction addRaw ${label}`, () =>
      db.transaction((b) => b.addRaw(uuidv7(), raw as string)),
    );
  }
  checks.assertAllPassed();
  // Valid raw text is stored exactly, digits beyond 2^53 included.
  const big = uuidv7();
  db.transaction((b) => b.addRaw(big, ' {"n": 12345678901234567890} '));
  expect(db.getRaw(big)).toBe(' {"n": 12345678901234567890} ');
});

const PROTO_TEXT =
  '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"nested":[{"__proto__":{"polluted":"yes"}}]}';

/** Checks a value read back: the dangerous keys are own data, no prototype was touched. */
function expectPlainData(got: unknown, context: string): void {
  const value = got as Record<string, unknown>;
  expect(Object.getPrototypeOf(value), context).toBe(Object.prototype);
  expect(Object.getOwnPropertyNames(value).sort(), context).toEqual(
    ["__proto__", "constructor", "nested", "prototype"].sort(),
  );
  for (const name of ["__proto__", "constructor", "prototype"]) {
    const descriptor = Object.getOwnPropertyDescriptor(value, name);
    expect(descriptor?.value, `${context} ${name}`).toBeTypeOf("object");
    expect(descriptor?.writable && descriptor.enumerable, `${context} ${name}`).toBe(true);
  }
  expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: "yes" });
  const nested = (value as { nested: object[] }).nested[0]!;
  expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
  expect(Object.hasOwn(nested, "__proto__")).toBe(true);
  expect((value as { polluted?: unknown }).polluted, context).toBeUndefined();
  expect(({} as { polluted?: unknown }).polluted, context).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, "polluted"), context).toBe(false);
}

it("S_006 FR_017 __proto__, constructor and prototype keys are stored and returned as plain own data, without touching any prototype", () => {
  const { db } = writableDatabase(512);
  const fromParse = JSON.parse(PROTO_TEXT) as unknown; // own "__proto__" property
  const fromLiteral = {
    ["__proto__"]: { polluted: "yes" },
    constructor: { prototype: { polluted: "yes" } },
    prototype: { polluted: "yes" },
    nested: [JSON.parse('{"__proto__":{"polluted":"yes"}}')],
  };
  const nullProto = Object.assign(Object.create(null) as object, fromParse);
  const [k1, k2, k3, k4] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
  db.transaction((tx) => {
    tx.add(k1, fromParse);
    tx.add(k2, fromLiteral);
    tx.add(k3, nullProto);
    tx.addRaw(k4, PROTO_TEXT);
  });
  for (const key of [k1, k2, k3, k4]) {
    expect(db.getRaw(key)).toBe(PROTO_TEXT);
    expectPlainData(db.get(key), `get ${key}`);
  }
  for (const entry of db.entries()) expectPlainData(entry.value, `entry ${entry.key}`);
  // A reader of the file sees the same plain data.
  const reader = open(db.path, { finder: "inmemory" });
  expectPlainData(reader.get(k4), "reader");
  reader.close();
});

// ------------------------------------------------------------------ FR-018 --

/** A valid UUIDv7 text with byte `at` replaced by `byte`. */
function withByte(text: string, at: number, byte: number): string {
  const bytes = Buffer.from(text.replaceAll("-", ""), "hex");
  bytes[at] = byte;
  return formatUuid(bytes);
}

/** Every malformed key we can think of, with a label. All must be invalid_input. */
function invalidKeys(): [string, unknown][] {
  const v = uuidv7();
  const bytes = Buffer.from(v.replaceAll("-", ""), "hex");
  return [
    ["empty", ""],
    ["one character short", v.slice(0, -1)],
    ["one character long", `${v}0`],
    ["non-hex letter", `g${v.slice(1)}`],
    ["full-width digit", `０${v.slice(1)}`],
    ["leading space", ` ${v}`],
    ["trailing newline", `${v}\n`],
    ["braces", `{${v}}`],
    ["urn prefix", `urn:uuid:${v}`],
    ["no hyphens", v.replaceAll("-", "")],
    ["hyphen moved", `${v.slice(0, 7)}-${v[7]}${v.slice(9)}`],
    ["underscores for hyphens", v.replaceAll("-", "_")],
    ["version 4", withByte(v, 6, 0x40 | (bytes[6]! & 0x0f))],
    ["version 0", withByte(v, 6, bytes[6]! & 0x0f)],
    ["version 8", withByte(v, 6, 0x80 | (bytes[6]! & 0x0f))],
    ["variant NCS (0b0)", withByte(v, 8, bytes[8]! & 0x3f)],
    ["variant Microsoft (0b110)", withByte(v, 8, 0xc0 | (bytes[8]! & 0x1f))],
    ["variant future (0b111)", withByte(v, 8, 0xe0 | (bytes[8]! & 0x1f))],
    ["Nil (all zero)", "00000000-0000-0000-0000-000000000000"],
    ["Max (all ones)", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
    ["a random v4 UUID", crypto.randomUUID()],
    ["a number", 1],
    ["NaN", Number.NaN],
    ["null", null],
    ["undefined", undefined],
    ["true", true],
    ["a BigInt", 10n],
    ["an object", { key: v }],
    ["an object whose toString is the key", { toString: () => v }],
    ["a String object", new String(v)],
    ["an array of 16 numbers", [...bytes]],
    ["an ArrayBuffer of 16 bytes", bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 16)],
    ["a DataView", new DataView(new ArrayBuffer(16))],
    ["Uint8Array of 0", new Uint8Array(0)],
    ["Uint8Array of 15", new Uint8Array(bytes.subarray(0, 15))],
    ["Uint8Array of 17", Uint8Array.from([...bytes, 1])],
    ["Uint16Array of 8", new Uint16Array(8).fill(0x7070)],
    ["Uint8Array of 16, version 4", Uint8Array.from(bytes, (b, i) => (i === 6 ? 0x40 : b))],
    ["Uint8Array of 16 zeros", new Uint8Array(16)],
  ];
}

/** A database holding one committed row (so ordering applies), open for writing. */
function databaseWithOneRow(): { path: string; db: Database; committed: string } {
  const { path, db } = writableDatabase(256);
  const committed = uuidv7();
  db.transaction((tx) => tx.add(committed, { first: true }));
  return { path, db, committed };
}

it("S_006 FR_018 invalid UUIDs in every form are invalid_input in add, addRaw, transaction(fn), get and has, and leave the file unchanged", () => {
  const { path, db, committed } = databaseWithOneRow();
  const readers = FINDERS.map((finder) => open(path, { finder }));
  onTestFinished(() => {
    for (const reader of readers) reader.close();
  });
  const keys = invalidKeys();
  for (const [label, key] of keys) {
    const k = key as string;
    expectRefusedUnchanged(path, () => db.transaction((b) => b.add(k, 1)), `batch add ${label}`);
    expectRefusedUnchanged(path, () => db.transaction((b) => b.addRaw(k, "1")), `batch ${label}`);
    for (const handle of [db, ...readers]) {
      expectFrozen(() => handle.get(k), "invalid_input", undefined, `get ${label}`);
      expectFrozen(() => handle.has(k), "invalid_input", undefined, `has ${label}`);
    }
  }
  const tx = db.begin();
  for (const [label, key] of keys) {
    expectRefusedUnchanged(path, () => tx.add(key as string, 1), `add ${label}`);
    expectRefusedUnchanged(path, () => tx.addRaw(key as string, "1"), `addRaw ${label}`);
  }
  // The refusals did not poison the transaction.
  const after = uuidv7();
  tx.add(after, 2);
  tx.commit();
  expect(db.get(after)).toBe(2);
  expect(db.get(committed)).toEqual({ first: true });
});

it("S_006 FR_018 null-row UUIDs are invalid_input as data keys and absent as search keys; zero-timestamp keys fail the ordering rule first", () => {
  const { path, db } = databaseWithOneRow();
  const nullRowNow = formatUuid(nullRowUuidBytes(Date.now()));
  const tx = db.begin();
  expectRefusedUnchanged(path, () => tx.add(nullRowNow, 1), "add null-row UUID");
  expectFrozen(() => tx.add(nullRowNow, 1), "invalid_input", /cannot be a NullRow UUID/);
  // decisions.md (Keys): a null-row UUID as a search key is an absent key, for every finder.
  for (const finder of FINDERS) {
    const reader = open(path, { finder });
    expectFrozen(() => reader.get(nullRowNow), "key_not_found", undefined, `${finder} get`);
    reader.close();
  }
  // A UUIDv7 with timestamp 0 is well-formed (file-format §7) but older than
  // the newest row by more than skewMs; behaviour §5.2 checks ordering (6)
  // before the null-row rule (7), so both the random one and the null-row one
  // are key_ordering here, and nothing is written.
  for (const epoch of [
    "00000000-0000-7000-8000-0123456789ab",
    "00000000-0000-7000-8000-000000000000",
  ]) {
    const before = snapshot(path);
    expectFrozen(() => tx.add(epoch, 1), "key_ordering", undefined, epoch);
    expect(snapshot(path).equals(before)).toBe(true);
  }
  expectFrozen(() => db.get("00000000-0000-7000-8000-0123456789ab"), "key_not_found");
  tx.rollback(0);
  // In an empty database nothing is newer: the zero-timestamp null-row UUID
  // reaches the null-row rule and is invalid_input.
  const empty = writableDatabase(256);
  const first = empty.db.begin();
  expectRefusedUnchanged(
    empty.path,
    () => first.add("00000000-0000-7000-8000-000000000000", 1),
    "zero null-row UUID in an empty database",
  );
  first.rollback(0);
});

it("S_006 FR_018 keys are case-insensitive: uppercase UUID text names the same key as its lowercase form", () => {
  // parseUuid accepts either case, as the original's uuid.Parse does; the key
  // is its 16 bytes, so both spellings find the same row.
  const { db } = databaseWithOneRow();
  const key = uuidv7();
  db.transaction((tx) => tx.add(key.toUpperCase(), "upper"));
  expect(db.get(key)).toBe("upper");
  expect(db.get(key.toUpperCase())).toBe("upper");
  expect([...db.entries()].map((e) => e.key)).toContain(key);
  expectFrozen(
    () => db.transaction((tx) => tx.add(key, "again")),
    "invalid_input",
    /already exists/,
  );
});

/** The null-row UUID bytes for a timestamp (file-format §9.2), written here as an oracle. */
function nullRowUuidBytes(ms: number): Uint8Array {
  const key = new Uint8Array(16);
  let rest = ms;
  for (let i = 5; i >= 0; i--) {
    key[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  key[6] = 0x70;
  key[8] = 0x80;
  return key;
}

// ------------------------------------------------------------------ FR-019 --

/**
 * Expects `open(path)` to fail with `code` for every finder in both modes,
 * with the problem named in the error text (message and cause).
 */
function expectOpenFails(path: string, code: string, problem: RegExp, context: string): void {
  for (const finder of FINDERS) {
    for (const mode of MODES) {
      const outcome = attempt(() => open(path, { mode, finder }), `${context} ${finder} ${mode}`);
      if (outcome.ok) outcome.value.close();
      expect(outcome.ok, `${context}: ${finder} ${mode} opened`).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error.code, `${context} ${finder} ${mode}`).toBe(code);
      expect(String(outcome.error), `${context} ${finder} ${mode}`).toMatch(problem);
    }
  }
}

/** A valid database with one committed row at `path`; returns the row's key. */
function databaseAt(path: string): string {
  create(path, { rowSize: 256, skewMs: 1000 });
  const key = uuidv7();
  const db = open(path, { mode: "write", sync: false });
  db.transaction((tx) => tx.add(key, { here: path }));
  db.close();
  return key;
}

const NOT_REGULAR = /failed to open database file.*(not a regular file|EISDIR|directory)/;

it("S_006 FR_019 a directory, a symlink to a directory, a dangling symlink and device files fail open with path_error naming the problem", () => {
  const dir = tempDir();
  const folder = join(dir, "folder.fdb");
  mkdirSync(folder);
  expectOpenFails(folder, "path_error", NOT_REGULAR, "directory");
  symlinkSync(folder, join(dir, "to-folder.fdb"));
  expectOpenFails(join(dir, "to-folder.fdb"), "path_error", NOT_REGULAR, "symlink to a directory");
  symlinkSync(join(dir, "missing.fdb"), join(dir, "dangling.fdb"));
  expectOpenFails(join(dir, "dangling.fdb"), "path_error", /does not exist/, "dangling symlink");
  expectOpenFails(join(dir, "absent.fdb"), "path_error", /does not exist/, "absent file");
  // Character devices are not regular files either; /dev/zero would never end.
  for (const device of ["/dev/null", "/dev/zero", "/dev/urandom"]) {
    const link = join(dir, `${device.slice(5)}.fdb`);
    symlinkSync(device, link);
    expectOpenFails(link, "path_error", /not a regular file/, device);
  }
});

it("S_006 FR_019 a symlink to a valid database opens that file, reads it and appends to it", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "real"));
  const target = join(dir, "real", "data.fdb");
  const key = databaseAt(target);
  const link = join(dir, "link.fdb");
  symlinkSync(target, link);
  for (const finder of FINDERS) {
    const reader = open(link, { finder });
    expect(reader.get(key)).toEqual({ here: target });
    reader.close();
  }
  const sizeBefore = statSync(target).size;
  const writer = open(link, { mode: "write" });
  const added = uuidv7();
  writer.transaction((tx) => tx.add(added, "via link"));
  writer.close();
  expect(statSync(target).size).toBeGreaterThan(sizeBefore);
  expect(statSync(link).isFile()).toBe(true); // the link still points at it
  const reader = open(target);
  expect(reader.get(added)).toBe("via link");
  reader.close();
});

it("S_006 FR_019 files of every size from 0 to 63 bytes (random bytes and header prefixes) fail open with corrupt_database 'file too small for header'", () => {
  const dir = tempDir();
  const path = join(dir, "small.fdb");
  const header = sample.bytes.subarray(0, HEADER_SIZE);
  const random = fc.sample(fc.uint8Array({ minLength: 63, maxLength: 63 }), { numRuns: 1 })[0]!;
  let tried = 0;
  for (let size = 0; size < HEADER_SIZE; size++) {
    for (const bytes of [random.subarray(0, size), header.subarray(0, size)]) {
      writeBytes(path, bytes);
      const message = new RegExp(
        `file too small for header: expected at least 64 bytes, got ${size}$`,
      );
      expectOpenFails(path, "corrupt_database", message, `${size} bytes`);
      tried++;
    }
  }
  // A whole header but a short initial checksum row is also too small.
  for (const size of [HEADER_SIZE, HEADER_SIZE + 1, HEADER_SIZE + sample.rowSize - 1]) {
    writeBytes(path, sample.bytes.subarray(0, size));
    expectOpenFails(path, "corrupt_database", /file too small: expected at least/, `${size} bytes`);
    tried++;
  }
  console.log(`FR_019 small files: ${tried} files × ${FINDERS.length * MODES.length} opens`);
});

it("S_006 FR_019 create refuses an existing path, a non-.fdb name, a missing folder and a dangling symlink cleanly, creating nothing", () => {
  const dir = tempDir();
  const existing = join(dir, "existing.fdb");
  databaseAt(existing);
  const before = snapshot(existing);
  expectFrozen(() => create(existing), "path_error", /file already exists/);
  expect(snapshot(existing).equals(before)).toBe(true);
  mkdirSync(join(dir, "folder.fdb"));
  expectFrozen(() => create(join(dir, "folder.fdb")), "path_error", /already exists/);
  for (const name of ["db", "db.FDB", "db.fdb.bak", "db.fdb/"]) {
    expectFrozen(() => create(join(dir, name)), "invalid_input", /\.fdb extension/, name);
    expect(existsSync(join(dir, name.replace(/\/$/, ""))), name).toBe(false);
  }
  // The extension alone is no name (the original accepts "dir/.fdb", refuses ".fdb").
  expectFrozen(() => create(".fdb"), "invalid_input", /\.fdb extension/);
  for (const path of ["", 42, null, undefined]) {
    expectFrozen(() => create(path as string), "invalid_input", /path/, String(path));
    expectFrozen(() => open(path as string), "invalid_input", /path/, String(path));
  }
  const missing = join(dir, "no", "such", "folder", "db.fdb");
  expectFrozen(() => create(missing), "path_error", /parent directory does not exist/);
  expect(existsSync(join(dir, "no"))).toBe(false);
  writeFileSync(join(dir, "plain"), "x");
  expectFrozen(() => create(join(dir, "plain", "db.fdb")), "path_error", /not a directory/);
  // O_EXCL: create never follows a symlink to make a file somewhere else.
  const dangling = join(dir, "dangling.fdb");
  symlinkSync(join(dir, "elsewhere.fdb"), dangling);
  expectFrozen(() => create(dangling), "path_error", /already exists/);
  expect(existsSync(join(dir, "elsewhere.fdb"))).toBe(false);
});

const fifoReason = hasCommand("mkfifo") ? "" : " (skipped: mkfifo is not installed)";

it.skipIf(fifoReason !== "")(
  `S_006 FR_019 a FIFO fails open with path_error in both modes without blocking (child process, killed if it hangs)${fifoReason}`,
  () => {
    ensureClientDist();
    const dir = tempDir();
    const fifo = join(dir, "pipe.fdb");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const run = runClientChild(TRY_OPEN_BOTH_MODES, [fifo], { timeoutMs: 15_000 });
    expect(run.signal, `open blocked on the FIFO: ${run.stderr}`).toBeNull();
    expect(run.lines).toHaveLength(2);
    for (const line of run.lines) {
      expect(line).toMatchObject({ frozen: true, code: "path_error" });
      expect(line.message).toMatch(/failed to open database file/);
    }
  },
);

const isRoot = process.getuid?.() === 0;
const nobodyReason = !isRoot
  ? " (skipped: needs root to switch to uid 65534 with setpriv)"
  : !hasCommand("setpriv")
    ? " (skipped: setpriv is not installed)"
    : !nobodyCanReadCheckout()
      ? " (skipped: uid 65534 cannot read this checkout's folders)"
      : "";

it.skipIf(nobodyReason !== "")(
  `S_006 FR_019 an unreadable file fails open with path_error 'permission denied' in both modes (child as uid 65534)${nobodyReason}`,
  () => {
    ensureClientDist();
    const dir = tempDir();
    chmodSync(dir, 0o755); // nobody must reach the file to be refused by it
    const path = join(dir, "secret.fdb");
    databaseAt(path);
    chmodSync(path, 0o000);
    const hidden = runClientChild(TRY_OPEN_BOTH_MODES, [path], { wrapper: AS_NOBODY });
    expect(hidden.stderr).toBe("");
    expect(hidden.lines).toHaveLength(2);
    for (const line of hidden.lines) {
      expect(line).toMatchObject({
        frozen: true,
        code: "path_error",
        message: "permission denied to access database file",
      });
    }
    // Control: the same user reads the file once it may, so the refusal
    // above was about the permission bits (write mode still needs w).
    chmodSync(path, 0o644);
    const readable = runClientChild(TRY_OPEN_BOTH_MODES, [path], { wrapper: AS_NOBODY });
    expect(readable.lines[0]).toMatchObject({ mode: "read", ok: true, entries: 1 });
    expect(readable.lines[1]).toMatchObject({ mode: "write", code: "path_error", frozen: true });
  },
);

// ------------------------------------------------------------------ FR-020 --

const appendOnly = appendOnlyCapability();
const appendOnlyReason = appendOnly.ok ? "" : ` (skipped: ${appendOnly.reason})`;

/** Runs a shell command as another program would; returns its exit status. */
function otherProgram(command: string, args: readonly string[]): number | null {
  return spawnSync(command, args, { encoding: "utf8" }).status;
}

/** Expects `fn` to fail with the system error `code`. */
function expectSystemError(fn: () => unknown, code: string, context: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect((thrown as { code?: string } | undefined)?.code, context).toBe(code);
}

it.skipIf(!appendOnly.ok)(
  `S_006 FR_020 a database created with appendOnly cannot be truncated, overwritten, deleted or renamed by other programs, and still appends${appendOnlyReason}`,
  () => {
    const dir = tempDir();
    clearAppendOnlyOnFinish(dir); // after tempDir: runs first, so the folder can be removed
    const path = join(dir, "audit.fdb");
    create(path, { rowSize: 256, skewMs: 1000, appendOnly: true });
    expect(spawnSync("lsattr", ["-d", path], { encoding: "utf8" }).stdout.split(" ")[0]).toContain(
      "a",
    );
    const first = uuidv7();
    const db = open(path, { mode: "write" });
    db.transaction((tx) => tx.add(first, { n: 1 }));
    const before = snapshot(path);

    expect(otherProgram("truncate", ["-s", "0", path]), "truncate -s 0").not.toBe(0);
    expect(otherProgram("rm", ["-f", path]), "rm -f").not.toBe(0);
    expect(otherProgram("sh", ["-c", `printf x > '${path}'`]), "shell > redirect").not.toBe(0);
    expectSystemError(() => truncateSync(path, 0), "EPERM", "truncateSync");
    expectSystemError(() => openSync(path, "r+"), "EPERM", "open r+ (overwrite in place)");
    expectSystemError(() => writeFileSync(path, "x"), "EPERM", "writeFileSync (O_TRUNC)");
    expectSystemError(() => unlinkSync(path), "EPERM", "unlink");
    expectSystemError(() => renameSync(path, join(dir, "moved.fdb")), "EPERM", "rename");
    expect(snapshot(path).equals(before), "the attacks changed the file").toBe(true);

    // The database itself only appends, which the attribute allows.
    const second = uuidv7();
    db.transaction((tx) => tx.add(second, { n: 2 }));
    const tx = db.begin();
    tx.add(uuidv7(), { n: 3 });
    tx.commit();
    db.close();
    const after = readFileSync(path);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const reader = open(path, { finder: "inmemory" });
    expect(reader.get(first)).toEqual({ n: 1 });
    expect(reader.get(second)).toEqual({ n: 2 });
    expect([...reader.entries()]).toHaveLength(3);
    reader.close();
    // And a later writer still opens and appends.
    const again = open(path, { mode: "write" });
    again.transaction((t) => t.add(uuidv7(), { n: 4 }));
    again.close();
  },
);
