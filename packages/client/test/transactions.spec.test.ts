// Spec 004 (frozendb client), transactions: begin, activeTransaction, add /
// addRaw values, keys, and transaction(fn).
import { HEADER_SIZE, parseUuid, uuidTimestamp } from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import {
  BatchTransaction,
  create,
  InvalidActionError,
  InvalidInputError,
  KeyOrderingError,
  open,
  Transaction,
  uuidv7,
} from "../src/index.js";
import {
  BASE_MS,
  bytesOf,
  countIo,
  diskDataRows,
  expectFrozen,
  FINDERS,
  keyAt,
  newPath,
  openTracked,
  referenceCopy,
  takeKeys,
  thrown,
} from "./helpers/files.js";

const N = 256;

/** A fresh file of 256-byte rows opened for writing. */
function writable(options: { skewMs?: number; sync?: boolean } = {}) {
  const path = newPath();
  create(path, { rowSize: N, skewMs: options.skewMs ?? 5000 });
  const db = openTracked(path, { mode: "write", sync: options.sync ?? false });
  return { path, db };
}

/** Values `add` must refuse (JSON.stringify cannot represent them). */
function unrepresentable(): Array<[string, unknown]> {
  const cyclic: { a: number; self?: unknown } = { a: 1 };
  cyclic.self = cyclic;
  const deep: unknown[] = [1, { x: [] as unknown[] }];
  ((deep[1] as { x: unknown[] }).x as unknown[]).push(deep);
  return [
    ["undefined", undefined],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a BigInt", 10n],
    ["a nested BigInt", { n: [1n] }],
    ["a cyclic object", cyclic],
    ["a cyclic array", deep],
  ];
}

describe("S_004 transactions", () => {
  it("S_004 FR_005 begin returns a transaction whose calls are appended one by one in the original's on-disk order", () => {
    const { path, db } = writable();
    const base = HEADER_SIZE + N;
    const size = () => bytesOf(path).length;
    const tx = db.begin();
    expect(tx).toBeInstanceOf(Transaction);
    expect(tx.state).toBe("open");
    expect(size()).toBe(base + 2); // 1F 'T'
    tx.add(keyAt(BASE_MS, 1), { a: 1 });
    expect(size()).toBe(base + N - 5); // the row up to its end control
    tx.savepoint();
    expect(size()).toBe(base + N - 4); // 'S'
    tx.addRaw(keyAt(BASE_MS, 2), '{"b":2}');
    expect(size()).toBe(base + 2 * N - 5);
    expect(tx.rowCount).toBe(2);
    expect(tx.savepointCount).toBe(1);
    tx.commit();
    expect(size()).toBe(base + 2 * N);
    expect(tx.state).toBe("committed");
    expect(diskDataRows(path).map((r) => [r.start, r.end, r.valueText])).toEqual([
      ["T", "SE", '{"a":1}'],
      ["R", "TC", '{"b":2}'],
    ]);
  });

  it("S_004 FR_005 commit makes rows readable; rollback(0) discards all; rollback(n) keeps rows up to savepoint n", () => {
    const { db } = writable();
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((i) => keyAt(BASE_MS, i)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const t1 = db.begin();
    t1.add(a, "a");
    t1.rollback();
    expect(t1.state).toBe("rolled_back");
    expectFrozen(
      () => db.get(a),
      "key_not_found",
      "key exists only in fully rolled back transaction",
    );
    const t2 = db.begin();
    t2.add(b, "b");
    t2.savepoint();
    t2.add(c, "c");
    t2.savepoint();
    t2.add(d, "d");
    t2.rollback(1);
    expect(db.get(b)).toBe("b");
    for (const k of [c, d]) {
      expectFrozen(
        () => db.get(k),
        "key_not_found",
        "key exists only after savepoint in partially rolled back transaction",
      );
    }
    const t3 = db.begin();
    t3.add(e, "e");
    t3.commit();
    expect(db.get(e)).toBe("e");
    expect([...db.entries()].map((x) => x.key)).toEqual([b, e]);
  });

  it("S_004 FR_005 an empty transaction commits or rolls back as one null row that nothing can read", () => {
    const { path, db } = writable();
    const before = bytesOf(path).length;
    db.begin().commit();
    db.begin().rollback(0);
    expect(bytesOf(path).length).toBe(before + 2 * N);
    expect([...db.entries()]).toEqual([]);
    expect(diskDataRows(path)).toEqual([]);
  });

  it("S_004 FR_005 at most one transaction at a time; calls after the end are refused; savepoint and rollback limits", () => {
    const { path, db } = writable();
    const tx = db.begin();
    expectFrozen(() => db.begin(), "invalid_action", "active transaction already exists");
    expectFrozen(
      () => db.transaction(() => 1),
      "invalid_action",
      "active transaction already exists",
    );
    expectFrozen(() => tx.savepoint(), "invalid_action", "cannot savepoint empty transaction");
    tx.add(keyAt(BASE_MS, 1), 1);
    tx.savepoint();
    const before = bytesOf(path);
    expectFrozen(() => tx.rollback(10), "invalid_input", "savepointId must be between 0 and 9");
    expectFrozen(() => tx.rollback(2), "invalid_input", "rollback target savepoint does not exist");
    expect(bytesOf(path).equals(before)).toBe(true);
    tx.commit();
    expectFrozen(
      () => tx.add(keyAt(BASE_MS, 2), 2),
      "invalid_action",
      "AddRow() cannot be called on committed transaction",
    );
    expectFrozen(
      () => tx.commit(),
      "invalid_action",
      "Commit() requires an active transaction (call Begin() first)",
    );
    const next = db.begin(); // the next one may start now
    expect(next).not.toBe(tx);
    next.commit();
  });

  it("S_004 FR_005 begin in read mode is refused with invalid_action", () => {
    const { path } = writable();
    const reader = openTracked(path);
    expectFrozen(() => reader.begin(), "invalid_action", "cannot set writer on read-mode DBFile");
    expectFrozen(
      () => reader.transaction(() => 1),
      "invalid_action",
      "cannot set writer on read-mode DBFile",
    );
  });

  it("S_004 FR_005 a 101st row, a duplicate key and a key older than the skew window are refused without writing", () => {
    const { path, db } = writable({ skewMs: 1000 });
    db.transaction((t) => t.add(keyAt(BASE_MS + 10_000, 0), "committed"));
    const tx = db.begin();
    for (let i = 1; i <= 100; i++) tx.add(keyAt(BASE_MS + 10_000, i), i);
    const before = bytesOf(path);
    expectFrozen(
      () => tx.add(keyAt(BASE_MS + 10_000, 101), 101),
      "invalid_input",
      "transaction cannot contain more than 100 rows",
    );
    expect(bytesOf(path).equals(before)).toBe(true);
    tx.commit();
    const t2 = db.begin();
    t2.add(keyAt(BASE_MS + 10_500, 1), 1);
    const mid = bytesOf(path);
    expectFrozen(
      () => t2.add(keyAt(BASE_MS + 10_500, 1), 2),
      "invalid_input",
      "key already exists",
    );
    expectFrozen(
      () => t2.add(keyAt(BASE_MS + 10_000, 0), 2),
      "invalid_input",
      "key already exists",
    );
    const old = thrown(() => t2.add(keyAt(BASE_MS + 9_500, 9), 3));
    expect(old).toBeInstanceOf(KeyOrderingError);
    expect((old as KeyOrderingError).message).toBe(
      "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
    );
    expect(bytesOf(path).equals(mid)).toBe(true);
    // A rejected call leaves the transaction usable (behaviour §5.2).
    t2.add(keyAt(BASE_MS + 10_500, 2), 2);
    t2.commit();
    expect(db.get(keyAt(BASE_MS + 10_500, 2))).toBe(2);
  });

  it("S_004 FR_006 activeTransaction is null, then the transaction begun, then null again", () => {
    const { db } = writable();
    expect(db.activeTransaction).toBeNull();
    const tx = db.begin();
    expect(db.activeTransaction).toBe(tx);
    tx.add(keyAt(BASE_MS), 1);
    tx.commit();
    expect(db.activeTransaction).toBeNull();
    db.transaction((t) => {
      expect(db.activeTransaction).toBeNull(); // nothing is written until fn returns
      t.add(keyAt(BASE_MS, 2), 2);
    });
    expect(db.activeTransaction).toBeNull();
  });

  it("S_004 FR_006 the transaction left open by a closed handle is recovered at open, continued and committed", () => {
    const { path, db } = writable();
    const k1 = keyAt(BASE_MS, 1);
    const k2 = keyAt(BASE_MS, 2);
    const k3 = keyAt(BASE_MS, 3);
    const tx = db.begin();
    tx.add(k1, "one");
    tx.savepoint();
    tx.add(k2, "two");
    db.close();
    const reader = openTracked(path);
    expect(reader.activeTransaction?.rowCount).toBe(2);
    const again = openTracked(path, { mode: "write" });
    const recovered = again.activeTransaction;
    expect(recovered).toBeInstanceOf(Transaction);
    expect(recovered!.state).toBe("open");
    expect(recovered!.rowCount).toBe(2);
    expect(recovered!.savepointCount).toBe(1);
    expect(again.activeTransaction).toBe(recovered);
    recovered!.add(k3, "three");
    recovered!.rollback(1);
    expect(again.get(k1)).toBe("one");
    expectFrozen(() => again.get(k2), "key_not_found");
    expectFrozen(() => again.get(k3), "key_not_found");
    expect(again.activeTransaction).toBeNull();
  });

  it.each(["cli-open-tx", "cli-open-tx-savepoint"])(
    "S_004 FR_006 the open transaction of the original's %s is recovered in write mode and commits",
    (name) => {
      const path = referenceCopy(name);
      const db = openTracked(path, { mode: "write" });
      const tx = db.activeTransaction;
      expect(tx).not.toBeNull();
      expect(tx!.rowCount).toBe(2);
      tx!.commit();
      expect(db.get("01a20b7e-4e60-7ef5-8f67-3d9684977278")).toEqual({ pending: 1 });
      expect(() => db.get("01a20b7e-4e78-794a-8a8e-1550255efe0e")).not.toThrow();
      expect(db.activeTransaction).toBeNull();
      db.close();
      for (const finder of FINDERS) {
        const r = open(path, { finder });
        expect([...r.entries()].map((e) => e.key).slice(-2)).toEqual([
          "01a20b7e-4e60-7ef5-8f67-3d9684977278",
          "01a20b7e-4e78-794a-8a8e-1550255efe0e",
        ]);
        r.close();
      }
    },
  );

  it.each(unrepresentable())(
    "S_004 FR_007 add rejects %s with invalid_input before writing anything",
    (_, value) => {
      const { path, db } = writable();
      const tx = db.begin();
      tx.add(keyAt(BASE_MS, 1), "first");
      const before = bytesOf(path);
      const error = expectFrozen(() => tx.add(keyAt(BASE_MS, 2), value), "invalid_input");
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(bytesOf(path).equals(before)).toBe(true);
      expect(tx.rowCount).toBe(1);
      // The same in transaction(fn): the error surfaces from add, nothing is written.
      tx.commit();
      const committed = bytesOf(path);
      expect(thrown(() => db.transaction((t) => t.add(keyAt(BASE_MS, 3), value)))).toBeInstanceOf(
        InvalidInputError,
      );
      expect(bytesOf(path).equals(committed)).toBe(true);
    },
  );

  it("S_004 FR_007 add stores JSON.stringify(value) exactly", () => {
    const { path, db } = writable();
    const values: unknown[] = [
      { b: 1, a: [1, "x", null, true] },
      'héllo ✓ \u2028 "quoted" \\',
      0,
      -1.5e-7,
      null,
      false,
      [],
      { skip: undefined, keep: 1 },
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      { toJSON: () => ({ custom: true }) },
      Number.NaN,
    ];
    const keys = values.map((_, i) => keyAt(BASE_MS, i));
    db.transaction((tx) => {
      values.forEach((v, i) => {
        tx.add(keys[i]!, v);
      });
    });
    const t = db.begin();
    t.add(keyAt(BASE_MS, 100), { call: "by call" });
    t.commit();
    const stored = new Map(diskDataRows(path).map((r) => [r.key, r.valueText]));
    values.forEach((v, i) => {
      expect(db.getRaw(keys[i]!)).toBe(JSON.stringify(v));
      expect(stored.get(keys[i]!)).toBe(JSON.stringify(v));
    });
    expect(db.getRaw(keyAt(BASE_MS, 100))).toBe('{"call":"by call"}');
    expect(db.get(keys[0]!)).toEqual({ b: 1, a: [1, "x", null, true] });
  });

  it("S_004 FR_007 addRaw stores the text exactly (big numbers keep their digits, key order and spacing kept)", () => {
    const { path, db } = writable();
    const texts = [
      '{"b":12345678901234567890,"a":1}',
      "[1, 2 ,\t3]",
      '"h\\u00e9llo"',
      '{"é":"✓","n":1.0000000000000000001}',
      "-0",
    ];
    const tx = db.begin();
    texts.forEach((text, i) => {
      tx.addRaw(keyAt(BASE_MS, i), text);
    });
    tx.commit();
    db.transaction((t) => {
      t.addRaw(keyAt(BASE_MS, 10), '{"z":99999999999999999999999}');
      t.addRaw(keyAt(BASE_MS, 11), new TextEncoder().encode('{"bytes":"ü"}'));
    });
    texts.forEach((text, i) => {
      expect(db.getRaw(keyAt(BASE_MS, i))).toBe(text);
    });
    expect(db.getRaw(keyAt(BASE_MS, 10))).toBe('{"z":99999999999999999999999}');
    expect(db.getRaw(keyAt(BASE_MS, 11))).toBe('{"bytes":"ü"}');
    expect(diskDataRows(path)[0]!.valueText).toBe('{"b":12345678901234567890,"a":1}');
    expect(db.get(keyAt(BASE_MS, 1))).toEqual([1, 2, 3]);
  });

  it("S_004 FR_007 addRaw rejects text that is not one JSON document, before writing", () => {
    const { path, db } = writable();
    const bad = ["", "{a:1}", "[1,", "1 2", "undefined", "{'a':1}", "NaN"];
    const tx = db.begin();
    tx.add(keyAt(BASE_MS, 0), 0);
    const before = bytesOf(path);
    for (const text of bad) {
      expectFrozen(() => tx.addRaw(keyAt(BASE_MS, 1), text), "invalid_input");
    }
    expect(bytesOf(path).equals(before)).toBe(true);
    tx.commit();
    const committed = bytesOf(path);
    for (const text of bad) {
      const error = thrown(() => db.transaction((t) => t.addRaw(keyAt(BASE_MS, 2), text)));
      expect(error, text).toBeInstanceOf(InvalidInputError);
    }
    expect(bytesOf(path).equals(committed)).toBe(true);
  });

  it("S_004 FR_007 a value longer than rowSize − 33 bytes is refused; exactly rowSize − 33 fits", () => {
    const { path, db } = writable();
    const fits = `"${"x".repeat(N - 33 - 2)}"`;
    const tooLong = `"${"x".repeat(N - 33 - 1)}"`;
    const before = bytesOf(path);
    expectFrozen(
      () => db.transaction((t) => t.addRaw(keyAt(BASE_MS, 1), tooLong)),
      "invalid_input",
    );
    const tx = db.begin();
    expectFrozen(() => tx.addRaw(keyAt(BASE_MS, 1), tooLong), "invalid_input");
    tx.rollback();
    expect(bytesOf(path).length).toBe(before.length + N); // only the null row
    db.transaction((t) => t.addRaw(keyAt(BASE_MS, 2), fits));
    expect(db.getRaw(keyAt(BASE_MS, 2))).toBe(fits);
  });

  it("S_004 FR_008 keys are accepted as canonical strings and as 16-byte Uint8Arrays, interchangeably", () => {
    const { db } = writable();
    const text = keyAt(BASE_MS, 1);
    const bytes = parseUuid(keyAt(BASE_MS, 2));
    db.transaction((tx) => {
      tx.add(parseUuid(text), "from bytes key");
      tx.add(bytes, "bytes");
    });
    const t = db.begin();
    t.add(parseUuid(keyAt(BASE_MS, 3)), 3);
    t.addRaw(keyAt(BASE_MS, 4), "4");
    t.commit();
    expect(db.get(text)).toBe("from bytes key");
    expect(db.get(parseUuid(text))).toBe("from bytes key");
    expect(db.getRaw(keyAt(BASE_MS, 2))).toBe('"bytes"');
    expect(db.get(parseUuid(keyAt(BASE_MS, 4)))).toBe(4);
    expect([...db.entries()].map((e) => e.key)).toEqual([1, 2, 3, 4].map((i) => keyAt(BASE_MS, i)));
    // A key given as bytes is copied: changing the array later changes nothing.
    const mutable = parseUuid(keyAt(BASE_MS, 5));
    const t2 = db.begin();
    t2.add(mutable, 5);
    mutable[15] = 0x77;
    t2.commit();
    expect(db.get(keyAt(BASE_MS, 5))).toBe(5);
  });

  it("S_004 FR_008 one Buffer reused for key after key (per call and in transaction(fn)) stores and finds every key", () => {
    const { db } = writable();
    const buffer = Buffer.alloc(16);
    const keys = Array.from({ length: 6 }, (_, i) => keyAt(BASE_MS + i, i + 1));
    const t = db.begin();
    for (const k of keys.slice(0, 3)) {
      buffer.set(parseUuid(k));
      t.add(buffer, k);
    }
    t.commit();
    db.transaction((tx) => {
      for (const k of keys.slice(3)) {
        buffer.set(parseUuid(k));
        tx.add(buffer, k);
      }
    });
    for (const k of keys) {
      buffer.set(parseUuid(k));
      expect(db.get(buffer)).toBe(k);
    }
    expect([...db.entries()].map((e) => e.key)).toEqual(keys);
  });

  it("S_004 FR_008 malformed keys and UUIDs that are not version 7 are refused with invalid_input", () => {
    const { path, db } = writable();
    const before = bytesOf(path);
    const v4 = "0190a7f2-3c4d-4e5f-8a6b-7c8d9e0f1a2b";
    const bad: unknown[] = [
      "not-a-uuid",
      "",
      keyAt(BASE_MS).slice(0, 35),
      `${keyAt(BASE_MS)}0`,
      new Uint8Array(15),
      new Uint8Array(17),
      v4,
      "00000000-0000-0000-0000-000000000000",
      42,
    ];
    for (const key of bad) {
      expectFrozen(() => db.transaction((t) => t.add(key as string, 1)), "invalid_input");
      expectFrozen(() => db.get(key as string), "invalid_input");
    }
    const tx = db.begin();
    for (const key of bad) expectFrozen(() => tx.add(key as string, 1), "invalid_input");
    expect(bytesOf(path).length).toBe(before.length + 2); // only begin's 1F 'T'
    expect(String(thrown(() => db.get(v4)))).toContain("UUID version must be 7, got 4");
  });

  it("S_004 FR_008 uuidv7() returns monotonic canonical UUIDv7 text for the current time", () => {
    const before = Date.now();
    const keys = Array.from({ length: 2000 }, () => uuidv7());
    const after = Date.now();
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ts = uuidTimestamp(parseUuid(key));
      expect(ts).toBeGreaterThanOrEqual(before);
      expect(ts).toBeLessThanOrEqual(after + 1);
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    const { db } = writable();
    db.transaction((tx) => {
      for (const key of keys.slice(0, 100)) tx.add(key, 1);
    });
    expect(db.get(keys[99]!)).toBe(1);
  });

  it("S_004 FR_009 transaction(fn) returns fn's result and writes all rows as one committed transaction in one write", () => {
    const { path, db } = writable({ sync: true });
    const keys = Array.from({ length: 100 }, (_, i) => keyAt(BASE_MS, i));
    const before = bytesOf(path).length;
    const io = countIo(() =>
      db.transaction((tx) => {
        expect(tx).toBeInstanceOf(BatchTransaction);
        for (const [i, k] of keys.entries()) tx.add(k, { i });
        expect(tx.rowCount).toBe(100);
        return { answer: 42 };
      }),
    );
    expect(io.result).toEqual({ answer: 42 });
    expect(io.writeCalls).toBe(1);
    expect(io.bytesWritten).toBe(100 * N);
    expect(bytesOf(path).length).toBe(before + 100 * N);
    const rows = diskDataRows(path);
    expect(rows.map((r) => r.start + r.end)).toEqual([
      "TRE",
      ...Array.from({ length: 98 }, () => "RRE"),
      "RTC",
    ]);
    for (const [i, k] of keys.entries()) expect(db.get(k)).toEqual({ i });
  });

  it("S_004 FR_009 readers see a transaction(fn) all at once: a watcher gets every row of it together", async () => {
    const { path, db } = writable();
    const reader = openTracked(path);
    const watch = reader.watch();
    const keys = Array.from({ length: 50 }, (_, i) => keyAt(BASE_MS, i));
    db.transaction((tx) => {
      for (const k of keys) tx.add(k, 1);
    });
    expect(await takeKeys(watch, 50)).toEqual(keys);
    expect([...reader.entries()].length).toBe(50);
  });

  it("S_004 FR_009 when fn throws nothing is written and the error is rethrown as is", () => {
    const { path, db } = writable();
    db.transaction((tx) => tx.add(keyAt(BASE_MS, 0), 0));
    const before = bytesOf(path);
    const boom = new Error("boom");
    const error = thrown(() =>
      db.transaction((tx) => {
        tx.add(keyAt(BASE_MS, 1), 1);
        tx.add(keyAt(BASE_MS, 2), 2);
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(bytesOf(path).equals(before)).toBe(true);
    expect(db.activeTransaction).toBeNull();
    expectFrozen(() => db.get(keyAt(BASE_MS, 1)), "key_not_found");
    // The keys were never written, so they may be used again.
    db.transaction((tx) => tx.add(keyAt(BASE_MS, 1), "again"));
    expect(db.get(keyAt(BASE_MS, 1))).toBe("again");
  });

  it("S_004 FR_009 an async fn (returning a promise) is refused with invalid_action and nothing is written", async () => {
    const { path, db } = writable();
    const before = bytesOf(path);
    const error = thrown(() =>
      db.transaction(async (tx) => {
        tx.add(keyAt(BASE_MS, 1), 1);
      }),
    );
    expect(error).toBeInstanceOf(InvalidActionError);
    const thenable = thrown(() =>
      db.transaction((tx) => {
        tx.add(keyAt(BASE_MS, 2), 2);
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this case is about
        return { then: (resolve: (v: number) => void) => resolve(1) };
      }),
    );
    expect(thenable).toBeInstanceOf(InvalidActionError);
    expect(bytesOf(path).equals(before)).toBe(true);
    expect(db.activeTransaction).toBeNull();
    db.transaction((tx) => tx.add(keyAt(BASE_MS, 1), "later"));
    expect(db.get(keyAt(BASE_MS, 1))).toBe("later");
  });

  it("S_004 FR_009 a 101st row, a duplicate in the batch, a committed duplicate and a key older than skew write nothing", () => {
    const { path, db } = writable({ skewMs: 1000 });
    const committed = keyAt(BASE_MS + 5000, 0);
    db.transaction((tx) => tx.add(committed, "c"));
    const before = bytesOf(path);
    const cases: Array<[string, (tx: BatchTransaction) => void, string, string]> = [
      [
        "101 rows",
        (tx) => {
          for (let i = 1; i <= 101; i++) tx.add(keyAt(BASE_MS + 5000, i), i);
        },
        "invalid_input",
        "transaction cannot contain more than 100 rows",
      ],
      [
        "duplicate within the batch",
        (tx) => {
          tx.add(keyAt(BASE_MS + 5000, 1), 1);
          tx.add(keyAt(BASE_MS + 5000, 1), 2);
        },
        "invalid_input",
        "key already exists",
      ],
      [
        "duplicate of a committed key",
        (tx) => {
          tx.add(keyAt(BASE_MS + 5000, 1), 1);
          tx.add(committed, 2);
        },
        "invalid_input",
        "key already exists",
      ],
      [
        "older than skew",
        (tx) => {
          tx.add(keyAt(BASE_MS + 5000, 1), 1);
          tx.add(keyAt(BASE_MS + 3999, 1), 2);
        },
        "key_ordering",
        "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
      ],
    ];
    for (const [name, fn, code, message] of cases) {
      const error = expectFrozen(() => db.transaction(fn), code, message);
      expect(error, name).toBeDefined();
      expect(bytesOf(path).equals(before), name).toBe(true);
      expect(db.activeTransaction).toBeNull();
    }
    // Exactly 100 rows, within skew, fit.
    db.transaction((tx) => {
      for (let i = 1; i <= 100; i++) tx.add(keyAt(BASE_MS + 4001, i), i);
    });
    expect(db.get(keyAt(BASE_MS + 4001, 100))).toBe(100);
  });

  it("S_004 FR_009 its tx validates each row at add: a refused add can be caught and the rest commits", () => {
    const { db } = writable();
    const nil = "00000000-0000-0000-0000-000000000000";
    const result = db.transaction((tx) => {
      tx.add(keyAt(BASE_MS, 1), 1);
      expectFrozen(() => tx.add(nil, 2), "invalid_input");
      expectFrozen(() => tx.add(keyAt(BASE_MS, 1), 3), "invalid_input", "key already exists");
      expectFrozen(() => tx.add(keyAt(BASE_MS, 2), undefined), "invalid_input");
      expectFrozen(() => tx.addRaw(keyAt(BASE_MS, 2), "{"), "invalid_input");
      expect(tx.rowCount).toBe(1);
      tx.add(keyAt(BASE_MS, 2), 2);
      return tx.rowCount;
    });
    expect(result).toBe(2);
    expect([...db.entries()].map((e) => e.value)).toEqual([1, 2]);
  });

  it("S_004 FR_009 the tx of transaction(fn) cannot be used after fn returned", () => {
    const { path, db } = writable();
    let leaked: BatchTransaction | undefined;
    db.transaction((tx) => {
      leaked = tx;
      tx.add(keyAt(BASE_MS, 1), 1);
    });
    const before = bytesOf(path);
    expectFrozen(() => leaked!.add(keyAt(BASE_MS, 2), 2), "invalid_action");
    expect(bytesOf(path).equals(before)).toBe(true);
    expectFrozen(() => db.get(keyAt(BASE_MS, 2)), "key_not_found");
  });

  it("S_004 FR_009 a key rolled back (call by call) can be written again by transaction(fn), and vice versa", () => {
    const { db } = writable();
    const k = keyAt(BASE_MS, 1);
    const tx = db.begin();
    tx.add(k, "rolled back");
    tx.rollback(0);
    db.transaction((t) => t.add(k, "committed"));
    expect(db.get(k)).toBe("committed");
    expectFrozen(
      () => db.transaction((t) => t.add(k, "dup")),
      "invalid_input",
      "key already exists",
    );
    const k2 = keyAt(BASE_MS, 2);
    expect(
      thrown(() =>
        db.transaction((t) => {
          t.add(k2, "x");
          throw new Error("abort");
        }),
      ),
    ).toBeInstanceOf(Error);
    const t2 = db.begin();
    t2.add(k2, "later");
    t2.commit();
    expect(db.get(k2)).toBe("later");
  });
});
