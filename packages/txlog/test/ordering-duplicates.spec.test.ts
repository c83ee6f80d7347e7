// FR-021 (the ordering rule ts + skew_ms > M) and FR-022 (duplicate keys),
// file-format §12, behaviour §5.2 and §6, decisions "Duplicates".
import { parseUuid } from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import { open } from "../src/index.js";
import {
  BASE_MS,
  committedOf,
  decodeFile,
  expectError,
  expectRejected,
  fill,
  flipByte,
  key,
  newDb,
  newLog,
  rowStart,
  snapshot,
  val,
} from "./helpers/tx-util.js";

const ORDERING =
  "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp";
const DUPLICATE = /^key already exists/;

describe("S_002 FR_021 ordering rule", () => {
  it("S_002 FR_021 with skew 0 a second key in the same millisecond fails with key_ordering (same tx, next tx, batch)", () => {
    const { path, log } = newLog({ skewMs: 0 });
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    expectRejected(path, () => tx.add(key(BASE_MS, 2), val(2)), "key_ordering", ORDERING);
    tx.add(key(BASE_MS + 1, 3), val(3));
    tx.commit();
    const tx2 = log.begin();
    expectRejected(path, () => tx2.add(key(BASE_MS + 1, 4), val(4)), "key_ordering", ORDERING);
    tx2.rollback(0);
    expectRejected(
      path,
      () =>
        log.appendTransaction([
          { key: key(BASE_MS + 2, 5), value: val(5) },
          { key: key(BASE_MS + 2, 6), value: val(6) },
        ]),
      "key_ordering",
      ORDERING,
    );
    expectRejected(
      path,
      () => log.appendTransaction([{ key: key(BASE_MS + 1, 7), value: val(7) }]),
      "key_ordering",
      ORDERING,
    );
    log.appendTransaction([{ key: key(BASE_MS + 2, 8), value: val(8) }]);
    log.close();
  });

  it("S_002 FR_021 skew 20 (file-format §12.2): after 1000, 981 is accepted and 980 rejected; the bound never moves down", () => {
    const { path, log } = newLog({ skewMs: 20 });
    const t = (ms: number) => BASE_MS + ms;
    log.appendTransaction([{ key: key(t(1000), 1), value: val(1) }]);
    const tx = log.begin();
    expectRejected(path, () => tx.add(key(t(980), 2), val(2)), "key_ordering", ORDERING);
    tx.add(key(t(981), 3), val(3));
    // 981 did not lower M: 980 still fails, another 981 still passes.
    expectRejected(path, () => tx.add(key(t(980), 4), val(4)), "key_ordering", ORDERING);
    tx.add(key(t(981), 5), val(5));
    tx.add(key(t(1010), 6), val(6));
    // M is now 1010 (a key of this transaction): 990 fails, 991 passes.
    expectRejected(path, () => tx.add(key(t(990), 7), val(7)), "key_ordering", ORDERING);
    tx.add(key(t(991), 8), val(8));
    tx.commit();
    expect(log.maxTimestamp()).toBe(t(1010));
    log.close();
    // The same bound after a reopen.
    const again = open(path, { mode: "write" });
    expect(again.maxTimestamp()).toBe(t(1010));
    expectError(
      () => again.appendTransaction([{ key: key(t(990), 9), value: val(9) }]),
      "key_ordering",
      ORDERING,
    );
    again.appendTransaction([{ key: key(t(991), 10), value: val(10) }]);
    again.close();
  });

  it("S_002 FR_021 the bound includes rolled-back rows (full and partial rollback) and null rows do not lower it", () => {
    const { path, log } = newLog({ skewMs: 20 });
    const t = (ms: number) => BASE_MS + ms;
    log.appendTransaction([{ key: key(t(0), 1), value: val(1) }]);
    let tx = log.begin();
    tx.add(key(t(1000), 2), val(2));
    tx.rollback(0);
    tx = log.begin();
    tx.commit(); // a null row carrying 1000
    tx = log.begin();
    expectRejected(path, () => tx.add(key(t(980), 3), val(3)), "key_ordering", ORDERING);
    tx.add(key(t(981), 4), val(4));
    tx.savepoint();
    tx.add(key(t(2000), 5), val(5)); // rolled back below
    tx.rollback(1);
    expectError(
      () => log.appendTransaction([{ key: key(t(1980), 6), value: val(6) }]),
      "key_ordering",
      ORDERING,
    );
    log.appendTransaction([{ key: key(t(1981), 7), value: val(7) }]);
    log.close();
  });

  it("S_002 FR_021 the bound includes the key of the row still being written (the partial row)", () => {
    const { path, log } = newLog({ skewMs: 20 });
    const tx = log.begin();
    tx.add(key(BASE_MS + 1000, 1), val(1));
    // Not complete yet: not in maxTimestamp(), but in the transaction's M.
    expect(log.maxTimestamp()).toBe(0);
    expectRejected(path, () => tx.add(key(BASE_MS + 980, 2), val(2)), "key_ordering", ORDERING);
    tx.add(key(BASE_MS + 981, 3), val(3));
    tx.commit();
    log.close();
  });

  it("S_002 FR_021 every data row of a file written under random keys satisfies ts_i < ts_j + skew for i < j", () => {
    const skew = 50;
    const { path, log } = newLog({ skewMs: skew });
    let accepted = 0;
    let rejectedCount = 0;
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let clock = BASE_MS;
    for (let t = 0; t < 40; t++) {
      const tx = log.begin();
      for (let i = 0; i < 5; i++) {
        clock += Math.floor(rnd() * 20);
        const ms = clock - Math.floor(rnd() * 120);
        try {
          tx.add(key(ms, t * 10 + i), val(i));
          accepted++;
        } catch (error) {
          expect((error as { code: string }).code).toBe("key_ordering");
          rejectedCount++;
        }
      }
      if (rnd() < 0.3) tx.rollback(0);
      else tx.commit();
    }
    log.close();
    expect(accepted).toBeGreaterThan(50);
    expect(rejectedCount).toBeGreaterThan(5);
    const rows = decodeFile(snapshot(path)).rows.filter((r) => r.type === "data");
    let max = 0;
    for (const r of rows) {
      expect(r.timestamp! + skew).toBeGreaterThan(max);
      max = Math.max(max, r.timestamp!);
    }
  });
});

describe("S_002 FR_022 duplicate keys", () => {
  it("S_002 FR_022 the duplicate error is exactly 'invalid_input: key already exists'", () => {
    const { log } = newLog({ skewMs: 1000 });
    const k = key(BASE_MS, 1);
    log.appendTransaction([{ key: k, value: val(1) }]);
    const tx = log.begin();
    const e = expectError(() => tx.add(k, val(2)), "invalid_input", "key already exists");
    expect(String(e)).toBe("invalid_input: key already exists");
    log.close();
  });

  it("S_002 FR_022 a committed key is rejected by the default scan (add and appendTransaction); the tx goes on", () => {
    const { path, log } = newLog({ skewMs: 1000 });
    const k = key(BASE_MS, 1);
    log.appendTransaction([
      { key: k, value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
    ]);
    const tx = log.begin();
    tx.add(key(BASE_MS + 2, 3), val(3));
    expectRejected(path, () => tx.add(k, val(9)), "invalid_input", DUPLICATE);
    tx.commit();
    expectRejected(
      path,
      () =>
        log.appendTransaction([
          { key: key(BASE_MS + 3, 4), value: val(4) },
          { key: k, value: val(9) },
        ]),
      "invalid_input",
      DUPLICATE,
    );
    log.close();
    // Also after a reopen (nothing cached).
    const again = open(path, { mode: "write" });
    const tx2 = again.begin();
    expectRejected(path, () => tx2.add(k, val(9)), "invalid_input", DUPLICATE);
    again.close();
  });

  it("S_002 FR_022 a key already in the transaction is rejected (add, batch, and a transaction recovered from the file)", () => {
    const { path, log } = newLog({ skewMs: 1000 });
    const a = key(BASE_MS, 1);
    const b = key(BASE_MS + 1, 2);
    const tx = log.begin();
    tx.add(a, val(1));
    expectRejected(path, () => tx.add(a, val(9)), "invalid_input", DUPLICATE); // the partial row's key
    tx.add(b, val(2));
    expectRejected(path, () => tx.add(a, val(9)), "invalid_input", DUPLICATE); // a completed row's key
    log.close();
    const again = open(path, { mode: "write" });
    const resumed = again.activeTransaction!;
    expectRejected(path, () => resumed.add(a, val(9)), "invalid_input", DUPLICATE);
    expectRejected(path, () => resumed.add(b, val(9)), "invalid_input", DUPLICATE);
    resumed.commit();
    expectRejected(
      path,
      () =>
        again.appendTransaction([
          { key: key(BASE_MS + 5, 5), value: val(5) },
          { key: key(BASE_MS + 5, 5), value: val(6) },
        ]),
      "invalid_input",
      DUPLICATE,
    );
    again.close();
  });

  it("S_002 FR_022 a key whose every row was rolled back may be written again (full rollback, partial rollback past it)", () => {
    const { path, log } = newLog({ skewMs: 1000 });
    const a = key(BASE_MS, 1);
    const b = key(BASE_MS + 1, 2);
    const c = key(BASE_MS + 2, 3);
    let tx = log.begin();
    tx.add(a, val(1));
    tx.rollback(0);
    tx = log.begin();
    tx.add(b, val(2));
    tx.savepoint();
    tx.add(c, val(3));
    tx.rollback(1); // keeps b, drops c
    tx = log.begin();
    tx.add(a, val(10)); // rolled back fully: accepted
    tx.add(c, val(30)); // rolled back past: accepted
    expectRejected(path, () => tx.add(b, val(20)), "invalid_input", DUPLICATE); // kept by rollback(1)
    tx.commit();
    // Now a and c are committed: a third write fails.
    const third = log.begin();
    expectRejected(path, () => third.add(a, val(11)), "invalid_input", DUPLICATE);
    log.close();
    const committed = committedOf(decodeFile(snapshot(path)).rows);
    expect([...committed.entries()]).toEqual([
      [b, val(2)],
      [a, val(10)],
      [c, val(30)],
    ]);
  });

  it("S_002 FR_022 a key on the row that is itself the rollback target (Sd) is committed and rejected", () => {
    const { path, log } = newLog({ skewMs: 1000 });
    const k1 = key(BASE_MS, 1);
    const k2 = key(BASE_MS + 1, 2);
    const k3 = key(BASE_MS + 2, 3);
    const tx = log.begin();
    tx.add(k1, val(1));
    tx.savepoint();
    tx.add(k2, val(2));
    tx.add(k3, val(3));
    tx.savepoint();
    tx.rollback(2); // S2 on k3's row: keeps k1, k2, k3
    const next = log.begin();
    for (const k of [k1, k2, k3])
      expectRejected(path, () => next.add(k, val(9)), "invalid_input", DUPLICATE);
    next.rollback(0);
    log.close();
  });

  it("S_002 FR_022 the largest key is found in the tail window even behind a null row of the same millisecond, and is asked about after a reopen", () => {
    const path = newDb({ skewMs: 1000 });
    const largest = key(BASE_MS, 9);
    const seed = open(path, { mode: "write" });
    seed.appendTransaction([{ key: largest, value: val(1) }]);
    seed.appendTransaction([{ key: key(BASE_MS, 1), value: val(2) }]);
    seed.appendTransaction([]); // a null row carrying BASE_MS
    seed.appendTransaction([{ key: key(BASE_MS, 0), value: val(3) }]);
    seed.close();
    const inFile = new Set(
      [largest, key(BASE_MS, 1), key(BASE_MS, 0)].map((k) =>
        Buffer.from(parseUuid(k)).toString("hex"),
      ),
    );
    const asked: string[] = [];
    const log = open(path, {
      mode: "write",
      isKeyCommitted: (k) => {
        const hex = Buffer.from(k).toString("hex");
        asked.push(hex);
        return inFile.has(hex);
      },
    });
    // Stopping the backward scan at the null row would take key(BASE_MS, 0)
    // for the largest and let this duplicate through unasked.
    expectRejected(
      path,
      () => log.appendTransaction([{ key: largest, value: val(4) }]),
      "invalid_input",
      DUPLICATE,
    );
    expect(asked).toEqual([Buffer.from(parseUuid(largest)).toString("hex")]);
    log.appendTransaction([{ key: key(BASE_MS, 10), value: val(5) }]);
    expect(asked).toHaveLength(1);
    log.close();
  });

  it("S_002 FR_022 with an isKeyCommitted capability the check asks it (key bytes, timestamp) instead of scanning, for keys not above the file's largest key", () => {
    const path = newDb({ skewMs: 1000 });
    const inFile = key(BASE_MS, 1);
    const largest = key(BASE_MS + 10, 2);
    const seed = open(path, { mode: "write" });
    seed.appendTransaction([
      { key: inFile, value: val(1) },
      { key: largest, value: val(2) },
    ]);
    seed.close();
    const claimed = key(BASE_MS + 5, 7);
    const calls: [string, number][] = [];
    const log = open(path, {
      mode: "write",
      isKeyCommitted: (k, ts) => {
        calls.push([Buffer.from(k).toString("hex"), ts]);
        return Buffer.from(k).equals(Buffer.from(parseUuid(claimed)));
      },
    });
    const tx = log.begin();
    expectRejected(path, () => tx.add(claimed, val(2)), "invalid_input", DUPLICATE);
    expect(calls.at(-1)).toEqual([Buffer.from(parseUuid(claimed)).toString("hex"), BASE_MS + 5]);
    // The capability is trusted: the key in the file is not found by it.
    tx.add(inFile, val(3));
    // The transaction's own keys are still checked.
    expectRejected(path, () => tx.add(inFile, val(4)), "invalid_input", DUPLICATE);
    // Above the largest key in the file: no row can hold it, nothing is asked.
    const asked = calls.length;
    tx.add(key(BASE_MS + 10, 3), val(5));
    tx.add(key(BASE_MS + 11, 1), val(6));
    expect(calls.length).toBe(asked);
    tx.commit();
    expectRejected(
      path,
      () => log.appendTransaction([{ key: claimed, value: val(5) }]),
      "invalid_input",
      DUPLICATE,
    );
    log.close();
  });

  it("S_002 FR_022 the default scan finds a committed duplicate 3,000 rows back in the same millisecond", () => {
    const skew = 5000;
    const path = newDb({ skewMs: skew });
    const k = key(BASE_MS, 0);
    const rolledBack = key(BASE_MS, 1);
    // Written through a capability that answers "no" so the filler costs nothing.
    const writer = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    writer.appendTransaction([{ key: k, value: val(0) }]);
    const tx = writer.begin();
    tx.add(rolledBack, val(1));
    tx.rollback(0);
    for (let done = 0; done < 3000; done += 100) {
      const rows = [];
      for (let i = 0; i < 100; i++) rows.push({ key: key(BASE_MS, 10 + done + i), value: val(i) });
      writer.appendTransaction(rows);
    }
    writer.close();
    const log = open(path, { mode: "write" });
    expect(log.rowCount()).toBe(3003);
    const tx2 = log.begin();
    expectRejected(path, () => tx2.add(k, val(9)), "invalid_input", DUPLICATE);
    // The rolled-back one (also 3,000 rows back) is free again.
    tx2.add(rolledBack, val(2));
    tx2.commit();
    log.close();
  });

  it("S_002 FR_022 the default scan stops at the skew window: a damaged row further back is never read", () => {
    const skew = 10;
    const path = newDb({ skewMs: skew });
    const writer = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    const next = fill(writer, 3000, BASE_MS);
    writer.close();
    // Damage a row far outside the window of any new key (its ts + skew < new ts).
    flipByte(path, rowStart(5, 128) + 40);
    const log = open(path, { mode: "write" });
    expectError(() => log.readRow(5), "corrupt_database", /./);
    const k = key(next + 100, 1);
    log.appendTransaction([{ key: k, value: val(1) }]);
    const tx = log.begin();
    tx.add(key(next + 101, 2), val(2));
    expectRejected(path, () => tx.add(k, val(3)), "invalid_input", DUPLICATE);
    tx.commit();
    log.close();
  });
});
