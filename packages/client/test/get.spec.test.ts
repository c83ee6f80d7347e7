// Spec 004 (frozendb client), reading: get / getRaw visibility (behaviour §7),
// duplicate keys in files (decisions: duplicates), and the original's files
// with every finder.
import {
  hasReference,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
} from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import {
  create,
  type Database,
  InvalidDataError,
  InvalidInputError,
  KeyNotFoundError,
  open,
  TransactionActiveError,
} from "../src/index.js";
import {
  BASE_MS,
  buildFile,
  diskDataRows,
  expectFrozen,
  FINDERS,
  keyAt,
  newPath,
  nullRowKeyAt,
  openTracked,
  type RowSpec,
  referenceCopy,
  txRows,
} from "./helpers/files.js";

const FULL = "key exists only in fully rolled back transaction";
const AFTER = "key exists only after savepoint in partially rolled back transaction";
const OPEN = "key exists only in uncommitted transaction";
const absent = (key: string) => `key ${key} not found in database`;

/** Asserts `get` and `getRaw` of `key` both fail with key_not_found and `message`. */
function expectNotFound(
  db: Database,
  key: string | Uint8Array,
  message?: string,
): KeyNotFoundError {
  const error = expectFrozen(() => db.get(key), "key_not_found", message);
  expectFrozen(() => db.getRaw(key), "key_not_found", message);
  expect(error).toBeInstanceOf(KeyNotFoundError);
  return error as KeyNotFoundError;
}

/** Asserts the error of an uncommitted key: key_not_found caused by transaction_active. */
function expectUncommitted(db: Database, key: string): void {
  const error = expectNotFound(db, key, OPEN);
  expect(error.cause).toBeInstanceOf(TransactionActiveError);
  expect(String(error)).toBe(
    "key_not_found: key exists only in uncommitted transaction (caused by: transaction_active: transaction has no ending row)",
  );
}

/** A built file at a new path. */
function built(rows: RowSpec[], options: { rowSize?: number; skewMs?: number } = {}): string {
  const path = newPath();
  buildFile(path, { rowSize: options.rowSize ?? 128, skewMs: options.skewMs ?? 5000, rows });
  return path;
}

/** `n` committed filler rows in transactions of at most 100, keys from `ms` on. */
function filler(n: number, ms: number): RowSpec[] {
  const rows: RowSpec[] = [];
  for (let start = 0; start < n; start += 100) {
    const count = Math.min(100, n - start);
    rows.push(
      ...txRows(
        Array.from(
          { length: count },
          (_, i) => [keyAt(ms + start + i, 0), `${start + i}`] as const,
        ),
      ),
    );
  }
  return rows;
}

/** Keys checked per reference file with the simple finder (see there). */
const SAMPLE = 200;

/** `count` items spread evenly over `items`, first and last included. */
function spread<T>(items: readonly T[], count: number): T[] {
  const step = (items.length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => items[Math.round(i * step)]!);
}

describe("S_004 get", () => {
  it("S_004 FR_010 get returns the parsed value and getRaw the stored text, in both modes and every finder", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const values: Array<[string, string, unknown]> = [
      [keyAt(BASE_MS, 1), '{"user":"ana","n":[1,2.5,null]}', { user: "ana", n: [1, 2.5, null] }],
      [keyAt(BASE_MS, 2), '"text ✓"', "text ✓"],
      [keyAt(BASE_MS, 3), "12345678901234567890", Number("12345678901234567890")],
      [keyAt(BASE_MS, 4), "false", false],
      [keyAt(BASE_MS, 5), "null", null],
    ];
    const w = open(path, { mode: "write", sync: false });
    w.transaction((tx) => {
      for (const [k, text] of values) tx.addRaw(k, text);
    });
    for (const [k, text, value] of values) {
      expect(w.get(k)).toEqual(value);
      expect(w.getRaw(k)).toBe(text);
    }
    w.close();
    for (const finder of FINDERS) {
      for (const mode of ["read", "write"] as const) {
        const db = open(path, { mode, finder });
        for (const [k, text, value] of values) {
          expect(db.get(k), `${finder} ${mode}`).toEqual(value);
          expect(db.getRaw(k)).toBe(text);
        }
        db.close();
      }
    }
  });

  describe.each(FINDERS)("finder %s", (finder) => {
    it(`S_004 FR_010 a key committed twice in a file: get returns the first occurrence (${finder})`, () => {
      const k = keyAt(BASE_MS + 100, 7);
      const path = built([
        ...txRows([[keyAt(BASE_MS, 1), '"x"']]),
        ...txRows([
          [k, '"first"'],
          [keyAt(BASE_MS + 100, 8), '"y"'],
        ]),
        ...txRows([[keyAt(BASE_MS + 200, 1), '"z"']]),
        ...txRows([[k, '"second"']]),
        ...txRows([[keyAt(BASE_MS + 300, 1), '"w"']]),
      ]);
      for (const mode of ["read", "write"] as const) {
        const db = open(path, { finder, mode });
        expect(db.get(k)).toBe("first");
        expect(db.getRaw(k)).toBe('"first"');
        db.close();
      }
    });

    it(`S_004 FR_010 a rolled-back first occurrence followed by a committed one: get returns the committed (${finder})`, () => {
      const k = keyAt(BASE_MS + 50, 3);
      const j = keyAt(BASE_MS + 60, 3);
      const path = built([
        ...txRows([[k, '"rolled back"']], { rollback: 0 }),
        ...txRows(
          [
            [keyAt(BASE_MS + 55, 1), '"kept"'],
            [j, '"after savepoint"'],
          ],
          { rollback: 1 },
          [0],
        ),
        ...txRows([[keyAt(BASE_MS + 70, 1), '"other"']]),
        ...txRows([
          [j, '"j committed"'],
          [k, '"k committed"'],
        ]),
        ...txRows([[k, '"k again"']]),
      ]);
      const db = openTracked(path, { finder });
      expect(db.get(k)).toBe("k committed");
      expect(db.get(j)).toBe("j committed");
      expect(db.get(keyAt(BASE_MS + 55, 1))).toBe("kept");
    });

    it(`S_004 FR_010 a committed key repeated in the open transaction at the end still reads committed (${finder})`, () => {
      const k = keyAt(BASE_MS, 1);
      const path = built([
        ...txRows([[k, '"committed"']]),
        ...txRows(
          [
            [keyAt(BASE_MS, 2), '"open"'],
            [k, '"open dup"'],
            [keyAt(BASE_MS, 3), '"open 3"'],
          ],
          "open",
        ),
      ]);
      const db = openTracked(path, { finder });
      expect(db.get(k)).toBe("committed");
      expectUncommitted(db, keyAt(BASE_MS, 2));
    });

    it(`S_004 FR_010 partial rollback of a transaction that spans a checksum row: rows up to the savepoint row are kept (${finder})`, () => {
      const ms = BASE_MS + 20_000;
      const keys = [0, 1, 2, 3].map((i) => keyAt(ms, i));
      const fill = filler(9_998, BASE_MS); // data rows 1 … 9998
      // Rows 9999, 10000, [checksum 10001], 10002, 10003.
      const spAfterChecksum = built([
        ...fill,
        ...txRows(
          keys.map((k, i) => [k, `${i}`] as const),
          { rollback: 1 },
          [2],
        ),
        ...txRows([[keyAt(ms + 1, 0), '"next"']]),
      ]);
      const spBeforeChecksum = built([
        ...fill,
        ...txRows(
          keys.map((k, i) => [k, `${i}`] as const),
          { rollback: 2 },
          [0, 1],
        ),
      ]);
      const a = openTracked(spAfterChecksum, { finder });
      expect(diskDataRows(spAfterChecksum).find((r) => r.key === keys[2])?.index).toBe(10_002);
      expect([a.get(keys[0]!), a.get(keys[1]!), a.get(keys[2]!)]).toEqual([0, 1, 2]);
      expectNotFound(a, keys[3]!, AFTER);
      expect(a.get(keyAt(ms + 1, 0))).toBe("next");
      expect(a.get(keyAt(BASE_MS + 9_997, 0))).toBe(9_997);
      const b = openTracked(spBeforeChecksum, { finder });
      expect([b.get(keys[0]!), b.get(keys[1]!)]).toEqual([0, 1]);
      expectNotFound(b, keys[2]!, AFTER);
      expectNotFound(b, keys[3]!, AFTER);
    });

    it(`S_004 FR_010 a key rolled back then written again and committed through the API is readable (${finder})`, () => {
      const path = newPath();
      create(path, { rowSize: 256 });
      const k = keyAt(BASE_MS, 1);
      const w = open(path, { mode: "write", finder, sync: false });
      const t1 = w.begin();
      t1.add(k, "v1");
      t1.rollback(0);
      expectNotFound(w, k, FULL);
      const t2 = w.begin();
      t2.add(keyAt(BASE_MS, 2), "keep");
      t2.savepoint();
      t2.add(k, "v2");
      t2.rollback(1);
      expectNotFound(w, k, FULL); // the first occurrence's reason is reported
      const t3 = w.begin();
      t3.add(k, "v3");
      expectNotFound(w, k, FULL); // the new row is still the partial row
      t3.commit();
      expect(w.get(k)).toBe("v3");
      w.close();
      const r = openTracked(path, { finder });
      expect(r.get(k)).toBe("v3");
      expect(r.get(keyAt(BASE_MS, 2))).toBe("keep");
    });

    it(`S_004 FR_011 not-found messages: fully rolled back, after savepoint, uncommitted (with cause), absent (${finder})`, () => {
      const path = newPath();
      create(path, { rowSize: 256 });
      const w = openTracked(path, { mode: "write", finder, sync: false });
      const k = (i: number) => keyAt(BASE_MS, i);
      const t1 = w.begin();
      t1.add(k(1), 1);
      t1.add(k(2), 2);
      t1.rollback(0);
      const t2 = w.begin();
      t2.add(k(3), 3);
      t2.savepoint();
      t2.add(k(4), 4);
      t2.rollback(1);
      const t3 = w.begin();
      t3.add(k(5), 5);
      t3.add(k(6), 6); // k(6) sits in the partial row: never searched
      for (const db of [w, openTracked(path, { finder })]) {
        expectNotFound(db, k(1), FULL);
        expectNotFound(db, k(2), FULL);
        expect(db.get(k(3))).toBe(3);
        expectNotFound(db, k(4), AFTER);
        expectUncommitted(db, k(5));
        expectNotFound(db, k(6), absent(k(6)));
        expectNotFound(db, k(7), absent(k(7)));
        expectNotFound(db, keyAt(BASE_MS - 86_400_000), absent(keyAt(BASE_MS - 86_400_000)));
        expectNotFound(db, keyAt(BASE_MS + 86_400_000), absent(keyAt(BASE_MS + 86_400_000)));
      }
      t3.commit();
      expect([w.get(k(5)), w.get(k(6))]).toEqual([5, 6]);
    });

    it(`S_004 FR_011 a Nil key is invalid_input; a null-row UUID is an absent key (${finder})`, () => {
      const nullMs = BASE_MS + 10;
      const path = built([
        ...txRows([[keyAt(BASE_MS, 1), "1"]]),
        { type: "null", timestamp: nullMs },
        ...txRows([[keyAt(BASE_MS + 20, 1), "2"]]),
      ]);
      const db = openTracked(path, { finder });
      const nil = "00000000-0000-0000-0000-000000000000";
      for (const key of [nil, new Uint8Array(16)]) {
        const error = expectFrozen(() => db.get(key), "invalid_input", "key cannot be uuid.Nil");
        expect(error).toBeInstanceOf(InvalidInputError);
        expectFrozen(() => db.getRaw(key), "invalid_input", "key cannot be uuid.Nil");
      }
      for (const key of [nullRowKeyAt(nullMs), nullRowKeyAt(BASE_MS + 20), nullRowKeyAt(1)]) {
        expectNotFound(db, key, absent(key));
      }
    });

    it(`S_004 FR_011 a stored value that is not JSON gives invalid_data from get; getRaw returns its text (${finder})`, () => {
      const bad = keyAt(BASE_MS, 1);
      const path = built([
        ...txRows([
          [bad, "{not json"],
          [keyAt(BASE_MS, 2), '{"fine":true}'],
        ]),
      ]);
      const db = openTracked(path, { finder });
      const error = expectFrozen(
        () => db.get(bad),
        "invalid_data",
        "failed to unmarshal JSON value",
      );
      expect(error).toBeInstanceOf(InvalidDataError);
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(db.getRaw(bad)).toBe("{not json");
      expect(db.get(keyAt(BASE_MS, 2))).toEqual({ fine: true });
    });
  });

  describe.each(hasReference ? referenceNames() : ["(none)"])("reference file %s", (name) => {
    const exp = hasReference ? referenceExpectation(name) : undefined;
    // Which message each rolled-back key of the original's files gets (behaviour §7.2),
    // read off the files' end controls: R1 after a savepoint on the row before, and R0.
    const rolledBackReason: Record<string, string> = {
      "01a20b7e-4a4f-760d-a504-cd7e1bb08682": AFTER,
      "01a20b7e-4a65-74e7-bafe-b44e5a16caa8": AFTER,
      "01a20b7e-4aa2-7a0d-96ca-4e4f4d204fd9": FULL,
    };

    for (const finder of FINDERS) {
      // The simple finder scans the whole file on every lookup (~13 ms per key on the
      // 12k-row file), so on large files it is checked on keys spread over the file.
      const sampled = finder === "simple" && Object.keys(exp?.committed ?? {}).length > SAMPLE;
      const scope = sampled ? `${SAMPLE} keys spread over the file` : "every committed key";
      it.skipIf(!hasReference)(
        `S_004 FR_012 ${name}: get returns exactly the committed values and getRaw the stored text (${scope}), finder ${finder}${referenceSkipReason}`,
        () => {
          const path = referenceCopy(name);
          const stored = new Map(diskDataRows(path).map((r) => [r.key, r.valueText]));
          const db = openTracked(path, { finder });
          const committed = Object.entries(exp!.committed);
          expect(committed.length).toBeGreaterThan(0);
          const keys = (sampled ? spread(committed, SAMPLE) : committed).map(([key]) => key);
          const expected = Object.fromEntries(keys.map((key) => [key, exp!.committed[key]]));
          expect(Object.fromEntries(keys.map((key) => [key, db.get(key)]))).toEqual(expected);
          const raws = keys.map((key) => db.getRaw(key));
          expect(raws).toEqual(keys.map((key) => stored.get(key)));
          expect(raws.map((raw) => JSON.parse(raw))).toEqual(Object.values(expected));
        },
      );
    }

    it.skipIf(!hasReference).each(FINDERS)(
      `S_004 FR_012 ${name}: rolled-back, uncommitted and absent keys give key_not_found with the original's messages, finder %s${referenceSkipReason}`,
      (finder) => {
        const path = referenceCopy(name);
        const db = openTracked(path, { finder });
        for (const key of exp!.rolled_back) {
          const reason = rolledBackReason[key];
          if (reason !== undefined) expectNotFound(db, key, reason);
          else expect([FULL, AFTER]).toContain(expectNotFound(db, key).message);
        }
        const partialKey = exp!.partial_row?.key;
        for (const key of exp!.uncommitted) {
          if (key === partialKey) expectNotFound(db, key, absent(key));
          else expectUncommitted(db, key);
        }
        const max = exp!.max_timestamp;
        for (const key of [keyAt(max, 4242), keyAt(max + 1), keyAt(max - 60_000, 9), keyAt(1)]) {
          expectNotFound(db, key, absent(key));
        }
      },
    );

    // Files ending in an open transaction: see transactions.spec (FR_006, recovered and committed).
    if (exp?.last_tx_state === "open") return;
    it.skipIf(!hasReference)(
      `S_004 FR_012 ${name}: a writer appends after the original's rows and every finder still reads both${referenceSkipReason}`,
      () => {
        const path = referenceCopy(name);
        const w = open(path, { mode: "write", sync: false });
        const added = keyAt(exp!.max_timestamp + 1, 1);
        w.transaction((tx) => tx.add(added, { added: true }));
        w.close();
        for (const finder of FINDERS) {
          const db = open(path, { finder });
          expect(db.get(added)).toEqual({ added: true });
          const [first] = Object.keys(exp!.committed);
          expect(db.get(first!)).toEqual(exp!.committed[first!]);
          db.close();
        }
      },
    );
  });
});
