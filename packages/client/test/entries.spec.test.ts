// Spec 004 (frozendb client), entries(): committed rows in file order, time
// ranges bounded with the ordering rule.
import { parseUuid, uuidv7 as uuidAt, uuidTimestamp } from "@frozendb/codec";
import {
  hasReference,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
  seededRandom,
} from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { create, type Database, Entry, InvalidDataError, InvalidInputError } from "../src/index.js";
import {
  BASE_MS,
  buildFile,
  bytesOf,
  countIo,
  diskDataRows,
  FINDERS,
  keyAt,
  newPath,
  openTracked,
  referenceCopy,
  thrown,
  txRows,
} from "./helpers/files.js";

/** A small deterministic PRNG (mulberry32, testkit's), so failures reproduce. */
const random = seededRandom;

/** Keys of `entries`. */
const keysOf = (entries: Iterable<Entry>) => [...entries].map((e) => e.key);

/**
 * A file of `rows` data rows whose timestamps advance `stepMs` per row with
 * up to `jitterMs` backwards jitter (within the skew window), written in
 * transactions of 1 … 100 rows; about one transaction in eight is rolled
 * back fully and one in eight partially. Returns the handle (write mode)
 * and the committed keys in file order.
 */
function spreadFile(options: {
  rows: number;
  stepMs: number;
  jitterMs: number;
  skewMs: number;
  rowSize: number;
  seed: number;
}): { path: string; db: Database; committed: string[]; timestamps: number[] } {
  const path = newPath();
  create(path, { rowSize: options.rowSize, skewMs: options.skewMs });
  const db = openTracked(path, { mode: "write", sync: false });
  const rnd = random(options.seed);
  const committed: string[] = [];
  const timestamps: number[] = [];
  let i = 0;
  while (i < options.rows) {
    const size = Math.min(options.rows - i, 1 + Math.floor(rnd() * (rnd() < 0.5 ? 100 : 10)));
    const rows = Array.from({ length: size }, (_, j) => {
      const ms = BASE_MS + (i + j) * options.stepMs - Math.floor(rnd() * options.jitterMs);
      timestamps.push(ms);
      return uuidAt({ msecs: ms });
    });
    const fate = rnd();
    if (fate < 0.75) {
      db.transaction((tx) => {
        for (const k of rows) tx.add(k, { i: i++ });
      });
      committed.push(...rows);
    } else {
      const tx = db.begin();
      const keep = fate < 0.875 ? 0 : 1 + Math.floor(rnd() * size);
      rows.forEach((k, j) => {
        tx.add(k, { i: i++ });
        if (j + 1 === keep) tx.savepoint();
      });
      if (keep === size && rnd() < 0.5) tx.commit();
      else tx.rollback(keep === 0 ? 0 : 1);
      committed.push(...rows.slice(0, keep));
    }
  }
  return { path, db, committed, timestamps };
}

describe("S_004 entries", () => {
  describe.each(hasReference ? referenceNames() : ["(none)"])("reference file %s", (name) => {
    it.skipIf(!hasReference)(
      `S_004 FR_013 ${name}: entries() yields exactly the committed rows in file order, with key, timestamp, value and json${referenceSkipReason}`,
      () => {
        const exp = referenceExpectation(name);
        const path = referenceCopy(name);
        const stored = new Map(diskDataRows(path).map((r) => [r.key, r.valueText]));
        for (const finder of FINDERS) {
          const db = openTracked(path, { finder });
          const entries = [...db.entries()];
          expect(entries.map((e) => e.key)).toEqual(Object.keys(exp.committed));
          expect(entries.map((e) => e.value)).toEqual(Object.values(exp.committed));
          expect(entries.map((e) => e.json)).toEqual(entries.map((e) => stored.get(e.key)));
          expect(entries.map((e) => e.timestamp)).toEqual(
            entries.map((e) => uuidTimestamp(parseUuid(e.key))),
          );
          expect(entries.every((e) => e instanceof Entry)).toBe(true);
          db.close();
        }
      },
    );
  });

  it("S_004 FR_013 entries() skips rolled-back rows, keeps rows up to a savepoint, skips the open transaction, and includes every committed duplicate", () => {
    const path = newPath();
    const k = (i: number) => keyAt(BASE_MS + i * 10, i);
    buildFile(path, {
      rowSize: 128,
      skewMs: 5000,
      rows: [
        ...txRows([
          [k(1), "1"],
          [k(2), "2"],
        ]),
        { type: "null", timestamp: BASE_MS + 25 },
        ...txRows([[k(3), "3"]], { rollback: 0 }),
        ...txRows(
          [
            [k(4), "4"],
            [k(5), "5"],
            [k(6), "6"],
          ],
          { rollback: 1 },
          [1],
        ),
        ...txRows([[k(7), "{bad json"]]),
        ...txRows([[k(1), '"dup"']]),
        ...txRows(
          [
            [k(8), "8"],
            [k(9), "9"],
          ],
          "open",
        ),
      ],
    });
    for (const finder of FINDERS) {
      const db = openTracked(path, { finder });
      const entries = [...db.entries()];
      expect(entries.map((e) => e.key)).toEqual([k(1), k(2), k(4), k(5), k(7), k(1)]);
      expect(entries.map((e) => e.json)).toEqual(["1", "2", "4", "5", "{bad json", '"dup"']);
      expect(thrown(() => entries[4]!.value)).toBeInstanceOf(InvalidDataError);
      expect(entries[5]!.value).toBe("dup");
      expect(entries[0]).toMatchObject({ key: k(1), timestamp: BASE_MS + 10, json: "1", value: 1 });
    }
  });

  it("S_004 FR_013 entries() of a writer excludes its open transaction until it commits; keys come back as canonical text", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = openTracked(path, { mode: "write" });
    db.transaction((tx) => tx.add(parseUuid(keyAt(BASE_MS, 1)), { a: 1 }));
    const tx = db.begin();
    tx.add(keyAt(BASE_MS, 2), 2);
    tx.add(keyAt(BASE_MS, 3), 3);
    expect(keysOf(db.entries())).toEqual([keyAt(BASE_MS, 1)]);
    tx.commit();
    expect(keysOf(db.entries())).toEqual([1, 2, 3].map((i) => keyAt(BASE_MS, i)));
    const [first] = db.entries();
    expect(first).toMatchObject({ key: keyAt(BASE_MS, 1), timestamp: BASE_MS, json: '{"a":1}' });
    expect(first!.value).toEqual({ a: 1 });
  });

  it("S_004 FR_013 from (inclusive) and to (exclusive) bound by key time, as Dates or milliseconds", () => {
    const { db, committed } = spreadFile({
      rows: 400,
      stepMs: 1000,
      jitterMs: 0,
      skewMs: 5000,
      rowSize: 256,
      seed: 1,
    });
    const all = [...db.entries()];
    expect(all.map((e) => e.key)).toEqual(committed);
    const tsOf = (i: number) => all[i]!.timestamp;
    const brute = (from: number, to: number) =>
      all.filter((e) => e.timestamp >= from && e.timestamp < to).map((e) => e.key);
    const lo = tsOf(50);
    const hi = tsOf(120);
    const inRange = keysOf(db.entries({ from: lo, to: hi }));
    expect(inRange).toEqual(brute(lo, hi));
    expect(inRange[0]).toBe(all[50]!.key); // from is inclusive
    expect(inRange).not.toContain(all[120]!.key); // to is exclusive
    expect(keysOf(db.entries({ from: new Date(lo), to: new Date(hi) }))).toEqual(inRange);
    expect(keysOf(db.entries({ from: new Date(lo), to: hi }))).toEqual(inRange);
    expect(keysOf(db.entries({ from: lo }))).toEqual(brute(lo, Number.POSITIVE_INFINITY));
    expect(keysOf(db.entries({ to: new Date(hi) }))).toEqual(brute(0, hi));
    expect(keysOf(db.entries({ from: lo, to: lo + 1 }))).toEqual([all[50]!.key]);
    expect(keysOf(db.entries({ from: lo, to: lo }))).toEqual([]);
    expect(keysOf(db.entries({ from: hi, to: lo }))).toEqual([]);
    expect(keysOf(db.entries({ from: 0, to: BASE_MS - 1 }))).toEqual([]);
    expect(keysOf(db.entries({ from: tsOf(all.length - 1) + 1 }))).toEqual([]);
    expect(keysOf(db.entries({ from: 0, to: Number.MAX_SAFE_INTEGER }))).toEqual(committed);
  });

  it("S_004 FR_013 a bound that is not a Date or milliseconds is refused with invalid_input", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = openTracked(path);
    for (const bad of [Number.NaN, new Date("not a date"), "2024-01-01" as unknown as number]) {
      const error = thrown(() => [...db.entries({ from: bad })]);
      expect(error, String(bad)).toBeInstanceOf(InvalidInputError);
      expect(thrown(() => [...db.entries({ to: bad })])).toBeInstanceOf(InvalidInputError);
    }
  });

  it("S_004 FR_013 ranges over a 30,000-row file with keys out of order within the skew window and rollbacks match a brute-force filter of entries()", () => {
    const { db, committed, timestamps } = spreadFile({
      rows: 30_000,
      stepMs: 3,
      jitterMs: 95,
      skewMs: 100,
      rowSize: 128,
      seed: 7,
    });
    const all = [...db.entries()];
    expect(all.map((e) => e.key)).toEqual(committed);
    // The jitter really puts keys out of time order.
    expect(timestamps.some((t, i) => i > 0 && t < timestamps[i - 1]!)).toBe(true);
    const first = BASE_MS - 200;
    const last = BASE_MS + 30_000 * 3 + 200;
    const rnd = random(99);
    const pick = () => Math.floor(first + rnd() * (last - first));
    let nonEmpty = 0;
    for (let q = 0; q < 90; q++) {
      const a = pick();
      // Mostly narrow (≤ 200 ms, ~70 rows) and medium (≤ 5 s) ranges; some open-ended.
      const width = q % 6 === 5 ? last - a : Math.floor(rnd() * (q % 2 === 0 ? 200 : 5000));
      const from = a;
      const to = a + width;
      const expected = all.filter((e) => e.timestamp >= from && e.timestamp < to).map((e) => e.key);
      const actual = keysOf(
        db.entries(q % 2 === 0 ? { from, to } : { from: new Date(from), to: new Date(to) }),
      );
      expect(actual, `[${from}, ${to})`).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(60);
  });

  it("S_004 FR_013 a narrow range does not read the whole file: bytes read on a 100,000-row file stay a small fraction of it", () => {
    const rowSize = 256;
    const { path, db } = spreadFile({
      rows: 100_000,
      stepMs: 2,
      jitterMs: 50,
      skewMs: 100,
      rowSize,
      seed: 3,
    });
    db.close();
    const size = bytesOf(path).length;
    // Reads through the memory map are no system calls: count them with it off.
    const reader = openTracked(path, { mode: "read", mapReads: false });
    const all = [...reader.entries()];
    const check = (from: number, to: number) => {
      const expected = all.filter((e) => e.timestamp >= from && e.timestamp < to).map((e) => e.key);
      const io = countIo(() => keysOf(reader.entries({ from, to })));
      expect(io.result).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      return io;
    };
    // ~100 ms of keys (~50 rows) starting at a committed row.
    const around = (index: number) => check(all[index]!.timestamp, all[index]!.timestamp + 100);
    const nearEnd = around(all.length - 300);
    const middle = around(Math.floor(all.length / 2));
    const whole = countIo(() => [...reader.entries()].length);
    console.log(
      `entries range I/O on a ${size}-byte file: near the end ${nearEnd.bytesRead} bytes in ${nearEnd.readCalls} reads, ` +
        `middle ${middle.bytesRead} bytes in ${middle.readCalls} reads, whole file ${whole.bytesRead} bytes`,
    );
    expect(whole.bytesRead).toBeGreaterThanOrEqual(size - 64 - rowSize); // the spy sees the reads
    expect(nearEnd.bytesRead).toBeLessThan(size * 0.02);
    expect(middle.bytesRead).toBeLessThan(size * 0.5);
  });
});
