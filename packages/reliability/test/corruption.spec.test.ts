/**
 * S_006 FR_008–FR_010: single-byte damage anywhere in the complete rows of a
 * file. Every mutation is one random bit flip or one random byte replacement
 * (never a no-op) in one region of a file written through the API
 * (helpers/generated-file.ts); the byte is restored after each trial.
 *
 * Why every one must be caught by `verify`: each complete row carries an XOR
 * parity over bytes 0…N−4, its parity digits and ROW_END are checked
 * literally, and the header is covered by the CRC of the initial checksum
 * row — so changing any single byte breaks at least one check.
 *
 * What `open` sees, by design (spec 002 FR-006): the header, the initial
 * checksum row and the rows of the tail it walks (the last data/null row
 * and, when the file ends inside a transaction, that transaction's complete
 * rows). Those must be refused by every finder. Rows in the middle are not
 * read by `binary_search` or `simple` at open (it would cost a read of the
 * whole file); `inmemory` decodes every row at open and must refuse them all.
 * Whatever open accepts, `get` must return the value written or throw a
 * FrozenDBError — never a different value, never a value for a key that was
 * not committed.
 */

import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HEADER_SIZE } from "@frozendb/codec";
import { seededRandom } from "@frozendb/testkit";
import { type Database, type FinderStrategy, isFrozenDBError, open, verify } from "frozendb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  buildLargeFile,
  buildSmallFile,
  committedWithin,
  type DataSlot,
  type GeneratedFile,
  type Slot,
} from "./helpers/generated-file.js";
import { extended, scale } from "./helpers/mode.js";

const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];

// ---------------------------------------------------------------- regions

/** A named set of byte offsets, with the rows they belong to. */
interface Region {
  readonly name: string;
  readonly offsets: readonly number[];
}

/** Slots wholly inside the file (the trailing partial row is not part of the committed file). */
function completeSlots(file: GeneratedFile): Slot[] {
  return file.slots.filter((s) => s.start + file.rowSize <= file.bytes.length);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Byte offsets of a part of every complete data row, `part` giving row positions from a row. */
function dataRegion(
  file: GeneratedFile,
  name: string,
  part: (row: DataSlot, n: number) => number[],
  rows: readonly DataSlot[] = completeSlots(file).filter((s): s is DataSlot => s.kind === "data"),
): Region {
  return {
    name,
    offsets: rows.flatMap((row) => part(row, file.rowSize).map((p) => row.start + p)),
  };
}

/** The regions of file-format §3–§9 in the complete rows of `file`. */
function regionsOf(file: GeneratedFile): Region[] {
  const n = file.rowSize;
  const slots = completeSlots(file);
  const nullRows = slots.filter((s) => s.kind === "null");
  return [
    { name: "header", offsets: range(0, HEADER_SIZE) },
    { name: "initial checksum row", offsets: range(HEADER_SIZE, HEADER_SIZE + n) },
    dataRegion(file, "data: row sentinels", () => [0, n - 1]),
    dataRegion(file, "data: start control", () => [1]),
    dataRegion(file, "data: key", () => range(2, 26)),
    dataRegion(file, "data: value", (row) => range(26, 26 + row.valueLength)),
    dataRegion(file, "data: padding", (row) => range(26 + row.valueLength, n - 5)),
    dataRegion(file, "data: end control", () => [n - 5, n - 4]),
    dataRegion(file, "data: parity", () => [n - 3, n - 2]),
    { name: "null rows", offsets: nullRows.flatMap((s) => range(s.start, s.start + n)) },
  ];
}

/**
 * Rows `open` decodes by design: the last data/null row and, when the file
 * ends inside a transaction, every complete row of that transaction.
 */
function tailRowsOpenReads(file: GeneratedFile): DataSlot[] {
  const complete = completeSlots(file).filter((s) => s.kind !== "checksum");
  const last = complete.at(-1)!;
  const openTx = file.transactions.find((t) => t.endedAt === undefined);
  const rows = new Set<Slot>([last]);
  for (const row of openTx?.rows ?? [])
    if (row.start + file.rowSize <= file.bytes.length) rows.add(row);
  return [...rows].filter((s): s is DataSlot => s.kind === "data");
}

function seenByOpen(file: GeneratedFile, offset: number): boolean {
  if (offset < HEADER_SIZE + file.rowSize) return true;
  return tailRowsOpenReads(file).some((r) => offset >= r.start && offset < r.start + file.rowSize);
}

// ---------------------------------------------------------------- mutations

interface Mutation {
  readonly offset: number;
  readonly from: number;
  readonly to: number;
  readonly kind: "bit flip" | "byte change";
}

/** A random single-bit flip or a random different byte: never a no-op. */
function randomMutation(file: GeneratedFile, region: Region, next: () => number): Mutation {
  const offset = region.offsets[Math.floor(next() * region.offsets.length)]!;
  const from = file.bytes[offset]!;
  if (next() < 0.5)
    return { offset, from, to: from ^ (1 << Math.floor(next() * 8)), kind: "bit flip" };
  return { offset, from, to: (from + 1 + Math.floor(next() * 255)) & 0xff, kind: "byte change" };
}

function writeByte(fd: number, offset: number, value: number): void {
  writeSync(fd, Uint8Array.of(value), 0, 1, offset);
}

function readByte(fd: number, offset: number): number {
  const b = new Uint8Array(1);
  readSync(fd, b, 0, 1, offset);
  return b[0]!;
}

// ---------------------------------------------------------------- one trial

/** Per-region tallies, printed for RELIABILITY.md. */
class Tally {
  tried = 0;
  verifyDetected = 0;
  readonly openDetected: Record<FinderStrategy, number> = {
    simple: 0,
    inmemory: 0,
    binary_search: 0,
  };
  /** get outcomes of committed keys on files open accepted. */
  original = 0;
  missed = 0;
  errors = 0;
  /** Values that differ from the one written, or values for uncommitted keys: must stay 0. */
  wrong = 0;
  readonly problems: string[] = [];

  problem(message: string): void {
    if (this.problems.length < 20) this.problems.push(message);
  }

  line(region: string): string {
    const open = FINDERS.map((f) => `${f} ${this.openDetected[f]}`).join(", ");
    return `[corruption] ${region}: ${this.tried} mutations, verify detected ${this.verifyDetected}, open detected (${open}), get on accepted files: ${this.original} original, ${this.missed} key_not_found for a committed key, ${this.errors} other FrozenDBErrors, ${this.wrong} wrong values`;
  }
}

/** Fails the trial at once on anything but a FrozenDBError (FR_006/FR_010 allow nothing else). */
function attempt<T>(
  what: string,
  fn: () => T,
): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (isFrozenDBError(error)) return { ok: false, code: error.code };
    throw new Error(`${what}: non-FrozenDBError escaped: ${String(error)}`, { cause: error });
  }
}

interface TrialContext {
  readonly file: GeneratedFile;
  readonly path: string;
  readonly committed: ReadonlyMap<string, string>;
  /** Keys looked up with `finder` after a mutation at `offset`. */
  readonly keysFor: (offset: number, finder: FinderStrategy) => readonly string[];
  /** Compare the whole `entries()` listing (small files only). */
  readonly entries: boolean;
}

function runTrial(ctx: TrialContext, m: Mutation, tally: Tally): void {
  const what = `${m.kind} at ${m.offset} (0x${m.from.toString(16)} → 0x${m.to.toString(16)})`;
  tally.tried++;
  const verified = attempt(`${what} verify`, () => verify(ctx.path));
  if (verified.ok) tally.problem(`${what}: verify passed`);
  else if (verified.code !== "corrupt_database")
    tally.problem(`${what}: verify threw ${verified.code}`);
  else tally.verifyDetected++;

  for (const finder of FINDERS) {
    const opened = attempt(`${what} open ${finder}`, () =>
      open(ctx.path, { mode: "read", finder, follow: false }),
    );
    if (!opened.ok) {
      tally.openDetected[finder]++;
      if (opened.code !== "corrupt_database")
        tally.problem(`${what}: open ${finder} threw ${opened.code}`);
      continue;
    }
    const db = opened.value;
    if (seenByOpen(ctx.file, m.offset))
      tally.problem(`${what}: open ${finder} accepted a row it reads`);
    else if (finder === "inmemory")
      tally.problem(`${what}: open inmemory (which decodes every row) accepted it`);
    try {
      checkReads(ctx, db, ctx.keysFor(m.offset, finder), `${what} ${finder}`, tally);
    } finally {
      db.close();
    }
  }
}

/** FR_010: every lookup gives the value written or a FrozenDBError. */
function checkReads(
  ctx: TrialContext,
  db: Database,
  keys: readonly string[],
  where: string,
  tally: Tally,
): void {
  for (const key of keys) {
    const want = ctx.committed.get(key);
    const got = attempt(`${where} getRaw(${key})`, () => db.getRaw(key));
    if (got.ok && got.value === want) tally.original++;
    else if (got.ok) {
      tally.wrong++;
      tally.problem(
        `${where}: getRaw(${key}) returned ${got.value}, expected ${want ?? "an error"}`,
      );
    } else if (want !== undefined && got.code === "key_not_found") tally.missed++;
    else if (want !== undefined || got.code !== "key_not_found") tally.errors++;
  }
  if (!ctx.entries) return;
  const listed = attempt(`${where} entries()`, () => [...db.entries()].map((e) => [e.key, e.json]));
  if (!listed.ok) return;
  const expected = [...ctx.committed.entries()];
  if (JSON.stringify(listed.value) !== JSON.stringify(expected)) {
    tally.wrong++;
    tally.problem(`${where}: entries() listed rows that differ from those written`);
  }
}

/** Runs `count` mutations in `region` on a working copy, restoring each byte afterwards. */
function mutateRegion(ctx: TrialContext, region: Region, count: number, seed: number): Tally {
  const tally = new Tally();
  const next = seededRandom(seed);
  const fd = openSync(ctx.path, "r+");
  try {
    for (let i = 0; i < count; i++) {
      const m = randomMutation(ctx.file, region, next);
      writeByte(fd, m.offset, m.to);
      try {
        runTrial(ctx, m, tally);
      } finally {
        writeByte(fd, m.offset, m.from);
      }
      if (readByte(fd, m.offset) !== m.from) throw new Error(`could not restore byte ${m.offset}`);
    }
  } finally {
    closeSync(fd);
  }
  return tally;
}

function report(region: Region, tally: Tally): void {
  console.log(tally.line(region.name));
  expect(tally.problems).toEqual([]);
  expect(tally.verifyDetected).toBe(tally.tried);
  expect(tally.wrong).toBe(0);
}

// ---------------------------------------------------------------- tests

const PER_REGION = scale(40, 500);

describe("single-byte corruption of a small file", () => {
  let dir: string;
  let file: GeneratedFile;
  let ctx: TrialContext;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "frozendb-corruption-"));
    file = buildSmallFile(dir, 128, "state2");
    const path = join(dir, "work.fdb");
    writeFileSync(path, file.bytes);
    const committed = new Map(committedWithin(file, file.bytes.length).map((e) => [e.key, e.json]));
    ctx = { file, path, committed, keysFor: () => file.keys, entries: true };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("S_006 FR_008 the file is intact before any mutation (verify passes, every finder reads every committed value)", () => {
    expect(() => verify(ctx.path)).not.toThrow();
    for (const finder of FINDERS) {
      const db = open(ctx.path, { mode: "read", finder, follow: false });
      const tally = new Tally();
      try {
        checkReads(ctx, db, file.keys, finder, tally);
      } finally {
        db.close();
      }
      expect(tally.original).toBe(ctx.committed.size);
      expect(tally.problems).toEqual([]);
    }
  });

  test.each(["header", "initial checksum row"])(
    "S_006 FR_009 a bit flip or byte change in the %s is refused by verify and by open with every finder (corrupt_database)",
    (name) => {
      const region = regionsOf(file).find((r) => r.name === name)!;
      const tally = mutateRegion(ctx, region, PER_REGION, name.length);
      report(region, tally);
      for (const finder of FINDERS) expect(tally.openDetected[finder]).toBe(tally.tried);
    },
  );

  test.each([
    "data: row sentinels",
    "data: start control",
    "data: key",
    "data: value",
    "data: padding",
    "data: end control",
    "data: parity",
    "null rows",
  ])(
    "S_006 FR_008 a bit flip or byte change in %s is reported by verify, and get returns the value written or a FrozenDBError (FR_010)",
    (name) => {
      const region = regionsOf(file).find((r) => r.name === name)!;
      expect(region.offsets.length).toBeGreaterThan(0);
      const tally = mutateRegion(ctx, region, PER_REGION, name.length * 7919);
      report(region, tally);
      // The in-memory finder decodes every complete row when it opens.
      expect(tally.openDetected.inmemory).toBe(tally.tried);
    },
  );

  test("S_006 FR_009 a bit flip or byte change in the rows of the tail open reads (the open transaction's complete rows) is refused by open with every finder", () => {
    const rows = tailRowsOpenReads(file);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const region = dataRegion(file, "tail rows open reads", (_, n) => range(0, n), rows);
    const tally = mutateRegion(ctx, region, PER_REGION, 4242);
    report(region, tally);
    for (const finder of FINDERS) expect(tally.openDetected[finder]).toBe(tally.tried);
  });
});

describe("single-byte corruption of a file past 10,000 rows", () => {
  let dir: string;
  let file: GeneratedFile;
  let ctx: TrialContext;
  const CHECKSUM_INDEX = 10_001;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "frozendb-corruption-large-"));
    file = buildLargeFile(dir);
    const path = join(dir, "work.fdb");
    writeFileSync(path, file.bytes);
    const committed = new Map(committedWithin(file, file.bytes.length).map((e) => [e.key, e.json]));
    const next = seededRandom(99);
    // The keys of the rows around the damage (those a lookup may walk
    // through) and a spread of others: all 10,000 per trial would be slow,
    // above all with `simple`, which scans the file for each key.
    const keysFor = (offset: number, finder: FinderStrategy): string[] => {
      const slot = Math.floor((offset - HEADER_SIZE) / file.rowSize);
      const [around, spread] = finder === "simple" ? [8, 4] : [110, 30];
      const keys = new Set<string>();
      for (const s of file.slots.slice(Math.max(0, slot - around), slot + around)) {
        if (s.kind === "data") keys.add(s.key);
      }
      for (let i = 0; i < spread; i++) keys.add(file.keys[Math.floor(next() * file.keys.length)]!);
      return [...keys];
    };
    ctx = { file, path, committed, keysFor, entries: false };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("S_006 FR_008 a bit flip or byte change in a later checksum row (index 10001) is reported by verify; lookups stay correct", () => {
    expect(file.slots[CHECKSUM_INDEX]?.kind).toBe("checksum");
    const start = file.slots[CHECKSUM_INDEX]!.start;
    const region = {
      name: "later checksum row (10001)",
      offsets: range(start, start + file.rowSize),
    };
    const tally = mutateRegion(ctx, region, scale(20, 300), 10_001);
    report(region, tally);
    expect(tally.openDetected.inmemory).toBe(tally.tried);
  });

  test("S_006 FR_010 a bit flip or byte change in a data row in the middle of a large file is reported by verify; get returns the value written or a FrozenDBError", () => {
    const rows = file.slots
      .slice(CHECKSUM_INDEX - 3000, CHECKSUM_INDEX - 2000)
      .filter((s): s is DataSlot => s.kind === "data");
    const region = dataRegion(file, "data rows mid-file (large)", (_, n) => range(0, n), rows);
    const tally = mutateRegion(ctx, region, scale(20, 300), 5);
    report(region, tally);
    expect(tally.openDetected.inmemory).toBe(tally.tried);
  });
});

if (extended)
  console.log(`[corruption] extended run: ${PER_REGION} mutations per small-file region`);
