// FR-029 (row notifications: own writes, live updates from other processes)
// and FR-030 (a failing subscriber), behaviour §9 and §10.
import { appendFileSync, statSync } from "node:fs";
import { encodeDataRow, parseUuid, type Row } from "@frozendb/codec";
import { killHard } from "@frozendb/testkit";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { open, type TxLog } from "../src/index.js";
import { ChildWriter, ensureBuilt, runChild } from "./helpers/tx-child.js";
import {
  BASE_MS,
  committedOf,
  decodeFile,
  expectError,
  fill,
  key,
  newDb,
  newLog,
  rowStart,
  sleep,
  snapshot,
  val,
  viewRow,
  within,
} from "./helpers/tx-util.js";

beforeAll(() => {
  ensureBuilt();
}, 120_000);

interface Seen {
  index: number;
  type: Row["type"];
  end: string | undefined;
  phase: string;
  sizeOnDisk: number;
}

/** Subscribes a recorder that notes which call was running and the file size on disk. */
function record(log: TxLog, path: string, phase: () => string): Seen[] {
  const seen: Seen[] = [];
  log.subscribe((index, row) => {
    seen.push({
      index,
      type: row.type,
      end: row.type === "data" ? row.endControl : undefined,
      phase: phase(),
      sizeOnDisk: statSync(path).size,
    });
  });
  return seen;
}

describe("S_002 FR_029 notifications of own writes", () => {
  it("S_002 FR_029 every completed row is delivered once, in order, during the call that completed it; calls completing no row deliver nothing", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n, skewMs: 0 });
    let phase = "none";
    const seen = record(log, path, () => phase);
    const call = (name: string, fn: () => void) => {
      phase = name;
      fn();
      phase = `after ${name}`;
    };
    let tx = log.begin();
    call("begin", () => {});
    call("add1", () => tx.add(key(BASE_MS, 1), val(1)));
    call("savepoint", () => tx.savepoint());
    expect(seen).toEqual([]);
    call("add2", () => tx.add(key(BASE_MS + 1, 2), val(2)));
    call("add3", () => tx.add(key(BASE_MS + 2, 3), val(3)));
    call("commit", () => tx.commit());
    call("begin2", () => {
      tx = log.begin();
    });
    call("nullCommit", () => tx.commit());
    call("append", () =>
      log.appendTransaction([
        { key: key(BASE_MS + 3, 4), value: val(4) },
        { key: key(BASE_MS + 4, 5), value: val(5) },
        { key: key(BASE_MS + 5, 6), value: val(6) },
      ]),
    );
    call("appendNull", () => log.appendTransaction([]));
    call("begin3", () => {
      tx = log.begin();
    });
    call("add4", () => tx.add(key(BASE_MS + 6, 7), val(7)));
    call("rollback", () => tx.rollback(0));
    log.close();
    expect(seen.map((s) => [s.index, s.type, s.end, s.phase])).toEqual([
      [1, "data", "SE", "add2"],
      [2, "data", "RE", "add3"],
      [3, "data", "TC", "commit"],
      [4, "null", undefined, "nullCommit"],
      [5, "data", "RE", "append"],
      [6, "data", "RE", "append"],
      [7, "data", "TC", "append"],
      [8, "null", undefined, "appendNull"],
      [9, "data", "R0", "rollback"],
    ]);
    // The row's bytes were on disk when its subscriber ran.
    for (const s of seen) expect(s.sizeOnDisk).toBeGreaterThanOrEqual(rowStart(s.index + 1, n));
  });

  it("S_002 FR_029 checksum rows are delivered too, in file order, inside add and appendTransaction", () => {
    const path = newDb({ rowSize: 128, skewMs: 0 });
    const filler = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    const next = fill(filler, 9_998, BASE_MS);
    filler.close();
    const log = open(path, { mode: "write", sync: false });
    let phase = "";
    const seen = record(log, path, () => phase);
    const tx = log.begin();
    phase = "add1";
    tx.add(key(next, 1), val(1));
    phase = "add2";
    tx.add(key(next + 1, 2), val(2)); // completes row 9,999
    phase = "add3";
    tx.add(key(next + 2, 3), val(3)); // completes row 10,000 → checksum row 10,001
    phase = "commit";
    tx.commit();
    phase = "append";
    log.appendTransaction([{ key: key(next + 3, 4), value: val(4) }]);
    expect(seen.map((s) => [s.index, s.type, s.phase])).toEqual([
      [9_999, "data", "add2"],
      [10_000, "data", "add3"],
      [10_001, "checksum", "add3"],
      [10_002, "data", "commit"],
      [10_003, "data", "append"],
    ]);
    log.close();
  });

  it("S_002 FR_029 subscribers run in registration order, each row to all before the next; later subscribers see only later rows", () => {
    const { log } = newLog({ skewMs: 0 });
    const order: string[] = [];
    log.subscribe((i) => order.push(`A${i}`));
    log.subscribe((i) => order.push(`B${i}`));
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
    ]);
    const late: number[] = [];
    log.subscribe((i) => late.push(i));
    log.appendTransaction([{ key: key(BASE_MS + 2, 3), value: val(3) }]);
    expect(order).toEqual(["A1", "B1", "A2", "B2", "A3", "B3"]);
    expect(late).toEqual([3]);
    log.close();
  });

  it("S_002 FR_029 unsubscribe stops delivery, is idempotent, removes only its own registration, and works from inside a callback", () => {
    const { log } = newLog({ skewMs: 0 });
    const a: number[] = [];
    const b: number[] = [];
    const self: number[] = [];
    const offA = log.subscribe((i) => a.push(i));
    log.subscribe((i) => b.push(i));
    const offSelf = log.subscribe((i) => {
      self.push(i);
      offSelf();
    });
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
      { key: key(BASE_MS + 2, 3), value: val(3) },
    ]);
    expect(self).toEqual([1]);
    offA();
    offA();
    offSelf();
    log.appendTransaction([{ key: key(BASE_MS + 3, 4), value: val(4) }]);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3, 4]);
    expect(self).toEqual([1]);
    log.close();
  });

  it("S_002 FR_029 a subscriber added during a delivery receives the later rows only", () => {
    const { log } = newLog({ skewMs: 0 });
    const added: number[] = [];
    let done = false;
    log.subscribe(() => {
      if (done) return;
      done = true;
      log.subscribe((i) => added.push(i));
    });
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
      { key: key(BASE_MS + 2, 3), value: val(3) },
    ]);
    expect(added).toEqual([2, 3]);
    log.close();
  });

  it("S_002 FR_029 subscribe without a function is invalid_input: callback cannot be nil", () => {
    const { log } = newLog();
    expectError(
      () => log.subscribe(undefined as unknown as () => void),
      "invalid_input",
      "callback cannot be nil",
    );
    log.close();
  });
});

describe("S_002 FR_029 live updates in read mode", () => {
  /** A reader that resolves `waitFor(k)` once k rows were delivered. */
  function liveReader(path: string) {
    const reader = open(path, { mode: "read" });
    onTestFinished(() => reader.close());
    const rows: { index: number; row: ReturnType<typeof viewRow>; at: number }[] = [];
    const errors: Error[] = [];
    let waiter: { count: number; resolve: () => void } | undefined;
    reader.subscribe((index, row) => {
      rows.push({ index, row: viewRow(index, row), at: performance.now() });
      if (waiter && rows.length >= waiter.count) {
        waiter.resolve();
        waiter = undefined;
      }
    });
    reader.onError((e) => errors.push(e));
    const waitFor = (count: number) =>
      rows.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiter = { count, resolve };
          });
    return { reader, rows, errors, waitFor };
  }

  async function startWriter(path: string): Promise<ChildWriter> {
    const writer = await ChildWriter.start(path);
    onTestFinished(() => killHard(writer.child));
    return writer;
  }

  it("S_002 FR_029 rows committed by another process reach a reader's subscriber without refresh(), within 1 s", async () => {
    const path = newDb({ skewMs: 0 });
    const writer = await startWriter(path);
    const { rows, errors, waitFor } = liveReader(path);
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = [0, 1, 2].map((i) => ({
        key: key(BASE_MS + round * 10 + i, round * 10 + i),
        value: val(i),
      }));
      const sent = performance.now();
      const answer = writer.send({ op: "append", rows: batch });
      await within(waitFor((round + 1) * 3), 5_000, "the reader's subscriber was not called");
      expect((await answer).ok).toBe(true);
      latencies.push(rows.at(-1)!.at - sent);
    }
    console.log(`live update latency (ms): ${latencies.map((l) => l.toFixed(1)).join(", ")}`);
    for (const l of latencies) expect(l).toBeLessThan(1_000);
    expect(rows.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows.map((r) => r.row.end)).toEqual([
      "RE",
      "RE",
      "TC",
      "RE",
      "RE",
      "TC",
      "RE",
      "RE",
      "TC",
    ]);
    expect(errors).toEqual([]);
    await writer.send({ op: "close" });
  }, 30_000);

  it("S_002 FR_029 a reader never sees the partial row of another process's open transaction as a row", async () => {
    const path = newDb({ skewMs: 0 });
    const writer = await startWriter(path);
    const { reader, rows, errors, waitFor } = liveReader(path);
    expect((await writer.send({ op: "begin" })).ok).toBe(true);
    await sleep(250);
    expect((await writer.send({ op: "add", key: key(BASE_MS, 1), value: val(1) })).ok).toBe(true);
    await sleep(250);
    expect((await writer.send({ op: "savepoint" })).ok).toBe(true);
    await sleep(250);
    expect(rows).toEqual([]);
    expect(errors).toEqual([]);
    expect(reader.rowCount()).toBe(1);
    expect((await writer.send({ op: "add", key: key(BASE_MS + 1, 2), value: val(2) })).ok).toBe(
      true,
    );
    await within(waitFor(1), 5_000, "the completed row was not delivered");
    await sleep(150);
    expect(rows.map((r) => [r.index, r.row.end])).toEqual([[1, "SE"]]);
    expect((await writer.send({ op: "commit" })).ok).toBe(true);
    await within(waitFor(2), 5_000, "the committed row was not delivered");
    expect(rows.map((r) => [r.index, r.row.key, r.row.end])).toEqual([
      [1, key(BASE_MS, 1), "SE"],
      [2, key(BASE_MS + 1, 2), "TC"],
    ]);
    expect(errors).toEqual([]);
    await writer.send({ op: "close" });
  }, 30_000);

  it("S_002 FR_029 a tail still being written (half a row) is no corruption; the row is delivered once complete", async () => {
    const n = 128;
    const path = newDb({ rowSize: n, skewMs: 0 });
    const { rows, errors, waitFor } = liveReader(path);
    const row = encodeDataRow(
      {
        startControl: "T",
        endControl: "TC",
        key: parseUuid(key(BASE_MS, 1)),
        value: Buffer.from(val(1)),
      },
      n,
    );
    appendFileSync(path, row.subarray(0, 60)); // no partial-row state: a write in progress
    await sleep(300);
    expect(rows).toEqual([]);
    expect(errors).toEqual([]);
    appendFileSync(path, row.subarray(60));
    await within(waitFor(1), 5_000, "the completed row was not delivered");
    expect(rows.map((r) => [r.index, r.row.key, r.row.end])).toEqual([[1, key(BASE_MS, 1), "TC"]]);
    expect(errors).toEqual([]);
  }, 30_000);

  it("S_002 FR_029 refresh() delivers rows written by a process that has exited, synchronously, and returns their number", () => {
    const path = newDb({ skewMs: 0 });
    const reader = open(path, { mode: "read", follow: false });
    const seen: number[] = [];
    reader.subscribe((i) => seen.push(i));
    const run = runChild(
      `const log = txlog.open(process.argv[1], { mode: "write" });
       const tx = log.begin();
       tx.add(${JSON.stringify(key(BASE_MS, 1))}, "1");
       tx.add(${JSON.stringify(key(BASE_MS + 1, 2))}, "2");
       tx.commit();
       log.appendTransaction([]);
       log.close();`,
      [path],
    );
    expect(run.status, run.stderr).toBe(0);
    expect(seen).toEqual([]);
    expect(reader.refresh()).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(reader.refresh()).toBe(0);
    expect(seen).toEqual([1, 2, 3]);
    reader.close();
  });

  it("S_002 FR_029 update cycles are serialised: refresh() from inside a subscriber delivers nothing twice", () => {
    const { path, log } = newLog({ skewMs: 0 });
    const reader = open(path, { mode: "read", follow: false });
    const seen: number[] = [];
    reader.subscribe((i) => {
      seen.push(i);
      reader.refresh();
    });
    fill(log, 5, BASE_MS, 2);
    reader.refresh();
    fill(log, 3, BASE_MS + 10, 3);
    reader.refresh();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    reader.close();
    log.close();
  });
});

describe("S_002 FR_030 failing subscribers", () => {
  it("S_002 FR_030 write mode: the call throws the subscriber's error and the transaction is tombstoned; the next begin recovers it from the file", () => {
    const { path, log } = newLog({ skewMs: 0 });
    const k = [0, 1, 2, 3, 4].map((i) => key(BASE_MS + i, i));
    const boom = new Error("subscriber refused");
    let armed = false;
    const other: number[] = [];
    log.subscribe(() => {
      if (armed) {
        armed = false;
        throw boom;
      }
    });
    log.subscribe((i) => other.push(i));
    const tx = log.begin();
    tx.add(k[0]!, val(0));
    armed = true;
    let caught: unknown;
    try {
      tx.add(k[1]!, val(1)); // completes k0's row: the notification throws
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    expect(tx.state).toBe("tombstoned");
    expectError(
      () => tx.add(k[2]!, val(2)),
      "tombstoned",
      "transaction is tombstoned due to write failure",
    );
    expectError(() => tx.commit(), "tombstoned", "transaction is tombstoned due to write failure");
    // The bytes of the failed call are on disk: row k0 (RE) and k1's head.
    expect(statSync(path).size).toBe(64 + 2 * 128 + 123);
    // Like a reopen: the transaction in the file is active again.
    expectError(() => log.begin(), "invalid_action", "active transaction already exists");
    const resumed = log.activeTransaction!;
    expect(resumed).not.toBe(tx);
    expect(resumed.state).toBe("open");
    expect(resumed.rowCount).toBe(2);
    resumed.add(k[2]!, val(2));
    resumed.commit();
    log.appendTransaction([{ key: k[3]!, value: val(3) }]);
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect([...committedOf(rows).keys()]).toEqual([k[0], k[1], k[2], k[3]]);
    // The row the first subscriber failed on still reaches the other one, once.
    expect(other).toEqual([1, 2, 3, 4]);
  });

  it("S_002 FR_030 write mode: a subscriber failing on commit tombstones the transaction; the committed bytes stay and the next begin starts afresh", () => {
    const { path, log } = newLog({ skewMs: 0 });
    const boom = new Error("no");
    let armed = false;
    log.subscribe(() => {
      if (armed) {
        armed = false;
        throw boom;
      }
    });
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    armed = true;
    expect(() => tx.commit()).toThrow(boom);
    expect(tx.state).toBe("tombstoned");
    expect(log.activeTransaction).toBeNull();
    const next = log.begin();
    next.add(key(BASE_MS + 1, 2), val(2));
    next.commit();
    armed = true;
    expect(() => log.appendTransaction([{ key: key(BASE_MS + 2, 3), value: val(3) }])).toThrow(
      boom,
    );
    expect(log.activeTransaction).toBeNull();
    log.appendTransaction([{ key: key(BASE_MS + 3, 4), value: val(4) }]);
    log.close();
    const committed = committedOf(decodeFile(snapshot(path)).rows);
    expect([...committed.keys()]).toEqual([
      key(BASE_MS, 1),
      key(BASE_MS + 1, 2),
      key(BASE_MS + 2, 3),
      key(BASE_MS + 3, 4),
    ]);
  });

  it("S_002 FR_030 / FR_021 after a subscriber fails on the first row of a batch, the ordering bound still includes every row the batch wrote", () => {
    const { path, log } = newLog({ skewMs: 0 });
    log.appendTransaction([{ key: key(BASE_MS, 1), value: val(1) }]);
    expect(log.maxTimestamp()).toBe(BASE_MS);
    const boom = new Error("first row refused");
    let armed = true;
    log.subscribe(() => {
      if (armed) {
        armed = false;
        throw boom;
      }
    });
    expect(() =>
      log.appendTransaction([
        { key: key(BASE_MS + 1, 2), value: val(2) },
        { key: key(BASE_MS + 100, 3), value: val(3) },
      ]),
    ).toThrow(boom);
    // Both rows are on disk: M is BASE+100, so BASE+50 breaks the ordering rule.
    expect(decodeFile(snapshot(path)).rows.length).toBe(4);
    expect(log.maxTimestamp()).toBe(BASE_MS + 100);
    expectError(
      () => log.appendTransaction([{ key: key(BASE_MS + 50, 4), value: val(4) }]),
      "key_ordering",
      "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
    );
    const tx = log.begin();
    expectError(() => tx.add(key(BASE_MS + 50, 5), val(5)), "key_ordering", /ordering/);
    tx.rollback(0);
    log.close();
  });

  it("S_002 FR_030 / FR_027 read mode: after a subscriber fails, maxTimestamp() still covers every confirmed row", () => {
    const { path, log } = newLog({ skewMs: 0 });
    log.appendTransaction([{ key: key(BASE_MS, 1), value: val(1) }]);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.maxTimestamp()).toBe(BASE_MS);
    const boom = new Error("reader refused");
    let armed = true;
    reader.subscribe(() => {
      if (armed) {
        armed = false;
        throw boom;
      }
    });
    log.appendTransaction([
      { key: key(BASE_MS + 1, 2), value: val(2) },
      { key: key(BASE_MS + 100, 3), value: val(3) },
    ]);
    expect(() => reader.refresh()).toThrow(boom);
    expect(reader.rowCount()).toBe(4);
    expect(reader.readRow(3)).toMatchObject({ timestamp: BASE_MS + 100 });
    expect(reader.maxTimestamp()).toBe(BASE_MS + 100);
    reader.close();
    log.close();
  });

  it("S_002 FR_029 a subscriber unsubscribed by another during a row still gets that row, then nothing", () => {
    const { log } = newLog({ skewMs: 0 });
    const b: number[] = [];
    let offB: () => void = () => {};
    log.subscribe((i) => {
      if (i === 1) offB();
    });
    offB = log.subscribe((i) => b.push(i));
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
    ]);
    expect(b).toEqual([1]);
    log.close();
  });

  it("S_002 FR_030 read mode: a throwing subscriber's error goes to onError and delivery stops", async () => {
    const { path, log } = newLog({ skewMs: 0 });
    const reader = open(path, { mode: "read" });
    onTestFinished(() => reader.close());
    const boom = new Error("reader subscriber failed");
    const first: number[] = [];
    const second: number[] = [];
    reader.subscribe((i) => {
      first.push(i);
      if (i === 2) throw boom;
    });
    reader.subscribe((i) => second.push(i));
    const reported = new Promise<Error>((resolve) => reader.onError(resolve));
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
      { key: key(BASE_MS + 2, 3), value: val(3) },
    ]);
    const error = await within(reported, 5_000, "onError was not called");
    expect(error).toBe(boom);
    await sleep(200);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1]);
    // refresh() called directly throws it instead.
    log.appendTransaction([{ key: key(BASE_MS + 3, 4), value: val(4) }]);
    let direct: unknown;
    try {
      reader.refresh();
    } catch (e) {
      direct = e;
    }
    expect(direct).toBe(boom);
    expect(second).not.toContain(3);
    log.close();
  }, 30_000);
});
