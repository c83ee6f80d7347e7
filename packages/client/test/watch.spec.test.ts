// Spec 004 (frozendb client), watch(): committed rows as their transactions
// end, optional replay, end on break and on close. (Other processes:
// multiprocess.spec.test.ts.)
import { describe, expect, it } from "vitest";
import { create, type Entry, InvalidInputError, uuidv7 } from "../src/index.js";
import {
  BASE_MS,
  keyAt,
  newPath,
  openTracked,
  TIMED_OUT,
  takeKeys,
  thrown,
  WatchReader,
  within,
} from "./helpers/files.js";

/** A fresh 256-byte-row file, opened for writing (no fsync). */
function writable() {
  const path = newPath();
  create(path, { rowSize: 256 });
  return { path, db: openTracked(path, { mode: "write", sync: false }) };
}

const k = (i: number) => keyAt(BASE_MS + i, i);

describe("S_004 watch", () => {
  it("S_004 FR_014 yields the rows of each transaction committed after it started, in order, with key, timestamp, value and json", async () => {
    const { db } = writable();
    db.transaction((tx) => tx.add(k(0), "before"));
    const watch = db.watch();
    const tx = db.begin();
    tx.add(k(1), { n: 1 });
    tx.add(k(2), { n: 2 });
    tx.commit();
    db.transaction((t) => t.addRaw(k(3), '{"n":3,"big":12345678901234567890}'));
    const entries: Entry[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await watch.next();
      expect(next.done).toBe(false);
      entries.push(next.value as Entry);
    }
    expect(entries.map((e) => e.key)).toEqual([k(1), k(2), k(3)]);
    expect(entries[0]).toMatchObject({ key: k(1), timestamp: BASE_MS + 1, json: '{"n":1}' });
    expect(entries[1]!.value).toEqual({ n: 2 });
    expect(entries[2]!.json).toBe('{"n":3,"big":12345678901234567890}');
    expect(await new WatchReader(watch).idle(50)).toBe(true);
  });

  it("S_004 FR_014 yields only committed rows: a rolled-back transaction yields nothing, a partial rollback its kept rows, an empty one nothing", async () => {
    const { db } = writable();
    const watch = db.watch();
    const r = db.begin();
    r.add(k(1), 1);
    r.add(k(2), 2);
    r.rollback(0);
    const p = db.begin();
    p.add(k(3), 3);
    p.add(k(4), 4);
    p.savepoint();
    p.add(k(5), 5);
    p.rollback(1);
    db.begin().commit();
    db.begin().rollback();
    expect(
      thrown(() =>
        db.transaction((t) => {
          t.add(k(6), 6);
          throw new Error("abort");
        }),
      ),
    ).toBeInstanceOf(Error);
    db.transaction((t) => t.add(k(7), 7));
    const reader = new WatchReader(watch);
    expect(await reader.take(3)).toEqual([k(3), k(4), k(7)]);
    expect(await reader.idle(50)).toBe(true);
  });

  it("S_004 FR_014 a row is yielded only when its transaction commits, also rows added before watching began", async () => {
    const { db } = writable();
    const tx = db.begin();
    tx.add(k(1), 1);
    tx.add(k(2), 2); // k(1) is now a complete row of the open transaction
    const watch = db.watch();
    tx.add(k(3), 3);
    const pending = watch.next();
    expect(await within(pending, 100)).toBe(TIMED_OUT);
    tx.commit();
    const first = await within(pending, 1000);
    expect(first === TIMED_OUT ? first : first.value?.key).toBe(k(1));
    expect(await takeKeys(watch, 2)).toEqual([k(2), k(3)]);
  });

  it("S_004 FR_014 from replays the committed rows from that time first (Date or ms), then follows", async () => {
    const { db } = writable();
    db.transaction((t) => {
      for (let i = 1; i <= 5; i++) t.add(k(i * 10), i);
    });
    const rolled = db.begin();
    rolled.add(k(60), "rolled back");
    rolled.rollback();
    db.transaction((t) => t.add(k(70), 7));
    const fromMs = db.watch({ from: BASE_MS + 30 });
    const fromDate = db.watch({ from: new Date(BASE_MS + 30) });
    const fromZero = db.watch({ from: 0 });
    // Committed after the watchers were created but before anything was read.
    db.transaction((t) => t.add(k(80), 8));
    const expected = [k(30), k(40), k(50), k(70), k(80)];
    expect(await takeKeys(fromMs, 5)).toEqual(expected);
    expect(await takeKeys(fromDate, 5)).toEqual(expected);
    expect(await takeKeys(fromZero, 7)).toEqual([k(10), k(20), ...expected]);
    db.transaction((t) => t.add(k(90), 9));
    for (const w of [fromMs, fromDate, fromZero]) expect(await takeKeys(w, 1)).toEqual([k(90)]);
  });

  it("S_004 FR_014 next() calls made before rows arrive are each answered, in order (none is lost)", async () => {
    const { db } = writable();
    const watch = db.watch();
    const first = watch.next();
    const second = watch.next();
    db.transaction((t) => {
      t.add(k(1), 1);
      t.add(k(2), 2);
    });
    const both = await within(Promise.all([first, second]), 1000);
    expect(
      both === TIMED_OUT ? "the first next() never settled" : both.map((r) => r.value?.key),
    ).toEqual([k(1), k(2)]);
  });

  it("S_004 FR_014 a from that is not a Date or milliseconds is refused with invalid_input", () => {
    const { db } = writable();
    for (const bad of [Number.NaN, new Date("nope"), "yesterday" as unknown as number]) {
      const error = thrown(() => {
        const w = db.watch({ from: bad });
        void w.next();
      });
      expect(error, String(bad)).toBeInstanceOf(InvalidInputError);
    }
  });

  it("S_004 FR_014 ends on break: the loop exits, later next() calls are done, later commits are fine", async () => {
    const { db } = writable();
    const watch = db.watch();
    db.transaction((t) => {
      t.add(k(1), 1);
      t.add(k(2), 2);
    });
    const seen: string[] = [];
    for await (const entry of watch) {
      seen.push(entry.key);
      break;
    }
    expect(seen).toEqual([k(1)]);
    expect(await watch.next()).toEqual({ value: undefined, done: true });
    db.transaction((t) => t.add(k(3), 3));
    expect(await watch.next()).toEqual({ value: undefined, done: true });
    const other = db.watch();
    expect(await other.return?.()).toEqual({ value: undefined, done: true });
    expect(await other.next()).toEqual({ value: undefined, done: true });
  });

  it("S_004 FR_014 ends on close: a waiting next() and a for-await loop finish", async () => {
    const { db } = writable();
    const waiting = db.watch();
    const pending = waiting.next();
    const looped: string[] = [];
    const loop = (async () => {
      for await (const entry of db.watch()) looped.push(entry.key);
      return "ended";
    })();
    db.transaction((t) => t.add(k(1), 1));
    expect(await within(pending, 1000)).toMatchObject({ done: false, value: { key: k(1) } });
    await new Promise((resolve) => setImmediate(resolve));
    const again = waiting.next();
    db.close();
    expect(await within(again, 1000)).toEqual({ value: undefined, done: true });
    expect(await within(loop, 1000)).toBe("ended");
    expect(looped).toEqual([k(1)]);
  });

  it("S_004 FR_014 a read handle yields the commits another handle makes, only committed ones, in order", async () => {
    const { path, db } = writable();
    const reader = openTracked(path, { mode: "read" });
    const iterator = reader.watch();
    const watch = new WatchReader(iterator);
    const second = reader.watch();
    const open = db.begin();
    open.add(k(1), 1);
    open.add(k(2), 2);
    open.rollback(0);
    db.transaction((t) => {
      t.add(k(3), 3);
      t.add(k(4), 4);
    });
    const tx = db.begin();
    tx.add(k(5), 5);
    tx.add(k(6), 6);
    expect(await watch.take(2)).toEqual([k(3), k(4)]);
    expect(await watch.idle(200)).toBe(true); // k(5) is complete but uncommitted
    tx.commit();
    expect(await watch.take(2)).toEqual([k(5), k(6)]);
    expect(await takeKeys(second, 4)).toEqual([k(3), k(4), k(5), k(6)]);
    reader.close();
    expect(await watch.done()).toBe(true);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("S_004 FR_014 a read handle opened while a transaction is open yields all its rows once it commits", async () => {
    const { path, db } = writable();
    const tx = db.begin();
    tx.add(k(1), 1);
    tx.add(k(2), 2);
    const reader = openTracked(path, { mode: "read" });
    const watch = reader.watch();
    tx.add(uuidv7(), 3);
    tx.commit();
    const keys = await takeKeys(watch, 3);
    expect(keys.slice(0, 2)).toEqual([k(1), k(2)]);
  });
});
