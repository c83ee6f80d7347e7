// Recovery of the transaction a file ends in, torn tails and `recover`, the
// missing checksum row, and impossible tails (behaviour §4, decisions OP-4,
// OP-6, OP-B4; spec 002 FR-009 … FR-014).
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  CorruptDatabaseError,
  encodeChecksumRow,
  encodePartialDataRow,
  InvalidActionError,
  InvalidInputError,
  KeyOrderingError,
  PathError,
  parseUuid,
  WriteError,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import {
  create,
  open,
  recover,
  setAppendOnly,
  type Transaction,
  type TxLog,
  verify,
} from "../src/index.js";
import { ensureTxlogDist, runChild } from "./helpers/lifecycle-child.js";
import {
  BASE_MS,
  buildFile,
  clearAppendOnlyOnFinish,
  dataRow,
  descriptorsOf,
  expectThrows,
  hasCommand,
  keyAt,
  type RowSpec,
  rowOffset,
  thrownBy,
} from "./helpers/lifecycle-files.js";

const N = 128;
const SKEW = 1000;
const isRoot = process.getuid?.() === 0;
const hasChattr = hasCommand("chattr") && hasCommand("lsattr");
const ORDERING =
  "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp";

const k = (i: number) => keyAt(BASE_MS + i, i);

/** One API call of a scripted transaction. */
type Op =
  | { op: "begin" }
  | { op: "add"; key: string; value: string }
  | { op: "savepoint" }
  | { op: "commit" }
  | { op: "rollback"; n: number };

/** Runs `ops` on `log`, starting with `tx` (a recovered transaction) if given. */
function applyOps(log: TxLog, ops: readonly Op[], tx: Transaction | null = null): void {
  let current = tx;
  for (const o of ops) {
    if (o.op === "begin") current = log.begin();
    else if (o.op === "add") current!.add(o.key, o.value);
    else if (o.op === "savepoint") current!.savepoint();
    else if (o.op === "commit") current!.commit();
    else current!.rollback(o.n);
  }
}

/** The same, in a child process, continuing the transaction recovered at open. */
const CHILD_APPLY = `
const log = m.open(args[0], { mode: "write" });
let tx = log.activeTransaction;
for (const o of JSON.parse(args[1])) {
  if (o.op === "begin") tx = log.begin();
  else if (o.op === "add") tx.add(o.key, o.value);
  else if (o.op === "savepoint") tx.savepoint();
  else if (o.op === "commit") tx.commit();
  else tx.rollback(o.n);
}
log.close();
out({ ok: true });
`;

/** A new empty database (row size 128, skew 1000). */
function newDb(dir: string, name = "db.fdb"): string {
  const path = join(dir, name);
  create(path, { rowSize: N, skewMs: SKEW });
  return path;
}

/** Writes `ops` through one handle and closes it (an open transaction stays open). */
function writeOps(path: string, ops: readonly Op[]): void {
  const log = open(path, { mode: "write", sync: false });
  applyOps(log, ops);
  log.close();
}

/** A file built with the codec encoders (row size 128, skew 1000). */
function built(dir: string, rows: RowSpec[], tail?: Uint8Array, name = "built.fdb"): string {
  const path = join(dir, name);
  buildFile(path, { rowSize: N, skewMs: SKEW, rows, ...(tail ? { tail } : {}) });
  return path;
}

function partial(state: 1 | 2 | 3, start: "T" | "R", key?: string, value = '{"p":1}'): Uint8Array {
  if (state === 1) return encodePartialDataRow({ state, startControl: start }, N);
  return encodePartialDataRow(
    { state, startControl: start, key: parseUuid(key!), value: new TextEncoder().encode(value) },
    N,
  );
}

function expectInvalidAction(fn: () => unknown, message?: string): InvalidActionError {
  return expectThrows(fn, InvalidActionError, "invalid_action", message);
}

/** Opens `path` in `mode` and checks the recovered transaction's shape. */
function expectRecovered(
  path: string,
  mode: "read" | "write",
  rowCount: number,
  savepointCount: number,
): TxLog {
  const log = open(path, { mode, sync: false });
  const tx = log.activeTransaction;
  expect(tx, `${mode}: a recovered transaction`).not.toBeNull();
  expect(tx!.state).toBe("open");
  expect(tx!.readOnly).toBe(mode === "read");
  expect(tx!.rowCount).toBe(rowCount);
  expect(tx!.savepointCount).toBe(savepointCount);
  return log;
}

/** In read mode every write method of the recovered transaction fails at once. */
function expectReadOnlyTransaction(path: string, rowCount: number, savepointCount: number): void {
  const before = readFileSync(path);
  const log = expectRecovered(path, "read", rowCount, savepointCount);
  const tx = log.activeTransaction!;
  expectInvalidAction(() => tx.add(k(900), '"x"'));
  expectInvalidAction(() => tx.savepoint());
  expectInvalidAction(() => tx.commit());
  expectInvalidAction(() => tx.rollback(0));
  expectInvalidAction(() => log.begin());
  expect(tx.state).toBe("open");
  expect(tx.rowCount).toBe(rowCount);
  log.close();
  expect(readFileSync(path).equals(before)).toBe(true);
}

beforeAll(() => {
  ensureTxlogDist();
}, 120_000);

describe("S_002 recovery of the open transaction (FR-009)", () => {
  it("S_002 FR_009 a state-1 partial row (1F T) reopens in both modes as an empty active transaction", () => {
    const dir = tempDir();
    const path = newDb(dir);
    writeOps(path, [{ op: "begin" }]);
    expect(statSync(path).size).toBe(64 + N + 2);
    expectReadOnlyTransaction(path, 0, 0);
    const log = expectRecovered(path, "write", 0, 0);
    expectInvalidAction(() => log.begin(), "active transaction already exists");
    expectInvalidAction(
      () => log.appendTransaction([{ key: k(1), value: "1" }]),
      "active transaction already exists",
    );
    const tx = log.activeTransaction!;
    expectInvalidAction(() => tx.savepoint(), "cannot savepoint empty transaction");
    expectThrows(
      () => tx.rollback(1),
      InvalidInputError,
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    // commit → the rest of a null row (N − 2 bytes).
    tx.commit();
    expect(tx.state).toBe("committed");
    expect(log.activeTransaction).toBeNull();
    log.close();
    expect(statSync(path).size).toBe(64 + 2 * N);
    expect(verify(path)).toMatchObject({ nullRows: 1, dataRows: 0, openTransaction: false });
    expect(
      readFileSync(path)
        .subarray(64 + 2 * N - 5)
        .toString("latin1"),
    ).toMatch(/^NR/);
  });

  it("S_002 FR_009 a recovered state-1 row accepts rollback(0) (→ null row) and add", () => {
    const dir = tempDir();
    const a = newDb(dir, "a.fdb");
    writeOps(a, [{ op: "begin" }]);
    const b = join(dir, "b.fdb");
    copyFileSync(a, b);
    const la = open(a, { mode: "write" });
    la.activeTransaction!.rollback(0);
    la.close();
    expect(verify(a)).toMatchObject({ nullRows: 1, openTransaction: false });
    const lb = open(b, { mode: "write" });
    const tx = lb.activeTransaction!;
    tx.add(k(1), '{"a":1}');
    expect(tx.rowCount).toBe(1);
    tx.commit();
    lb.close();
    expect(verify(b)).toMatchObject({ dataRows: 1, openTransaction: false });
  });

  it("S_002 FR_009 a state-2 partial row reopens in both modes with its completed rows and savepoints", () => {
    const dir = tempDir();
    const path = newDb(dir);
    writeOps(path, [
      { op: "begin" },
      { op: "add", key: k(1), value: "1" },
      { op: "savepoint" },
      { op: "add", key: k(2), value: "2" },
    ]);
    expect((statSync(path).size - 64) % N).toBe(N - 5);
    expectReadOnlyTransaction(path, 2, 1);
    for (const [end, check] of [
      ["commit", "TC"],
      ["rollback1", "R1"],
      ["savepoint+commit", "SC"],
    ] as const) {
      const copy = join(dir, `${end}.fdb`);
      copyFileSync(path, copy);
      const log = expectRecovered(copy, "write", 2, 1);
      const tx = log.activeTransaction!;
      if (end === "commit") tx.commit();
      else if (end === "rollback1") tx.rollback(1);
      else {
        tx.savepoint();
        expect(tx.savepointCount).toBe(2);
        tx.commit();
      }
      log.close();
      const bytes = readFileSync(copy);
      expect(bytes.subarray(bytes.length - 5, bytes.length - 3).toString("latin1")).toBe(check);
      expect(verify(copy).openTransaction).toBe(false);
    }
  });

  it("S_002 FR_009 a state-3 partial row: its pending S counts as a savepoint; a second savepoint is refused", () => {
    const dir = tempDir();
    const path = newDb(dir);
    writeOps(path, [
      { op: "begin" },
      { op: "add", key: k(1), value: "1" },
      { op: "savepoint" },
      { op: "add", key: k(2), value: "2" },
      { op: "savepoint" },
    ]);
    expect((statSync(path).size - 64) % N).toBe(N - 4);
    expectReadOnlyTransaction(path, 2, 2);
    const log = expectRecovered(path, "write", 2, 2);
    const tx = log.activeTransaction!;
    const e = expectInvalidAction(() => tx.savepoint(), "failed to create savepoint");
    expect(String(e)).toBe(
      "invalid_action: failed to create savepoint (caused by: invalid_action: Savepoint() can only be called from PartialDataRowWithPayload)",
    );
    expectThrows(
      () => tx.rollback(3),
      InvalidInputError,
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    const size = statSync(path).size;
    tx.rollback(2);
    log.close();
    // The completion after S is 4 bytes: the digit, parity, ROW_END.
    expect(statSync(path).size).toBe(size + 4);
    const bytes = readFileSync(path);
    expect(bytes.subarray(size - 1, size + 1).toString("latin1")).toBe("S2");
    expect(verify(path).openTransaction).toBe(false);
  });

  it("S_002 FR_009 a state-3 partial row continues with add (SE) and commit", () => {
    const dir = tempDir();
    const path = newDb(dir);
    writeOps(path, [{ op: "begin" }, { op: "add", key: k(1), value: "1" }, { op: "savepoint" }]);
    const log = expectRecovered(path, "write", 1, 1);
    const tx = log.activeTransaction!;
    tx.add(k(2), "2");
    expect(tx.rowCount).toBe(2);
    expect(tx.savepointCount).toBe(1);
    tx.commit();
    log.close();
    const bytes = readFileSync(path);
    expect(bytes.subarray(rowOffset(2, N) - 5, rowOffset(2, N) - 3).toString("latin1")).toBe("SE");
    expect(verify(path)).toMatchObject({ dataRows: 2, openTransaction: false });
  });

  it("S_002 FR_009 a file ending on a complete row ending RE/SE (no partial) reopens with that transaction active; only add may follow", () => {
    const dir = tempDir();
    for (const last of ["RE", "SE"] as const) {
      const path = built(
        dir,
        [dataRow("T", "TC", k(0)), dataRow("T", "SE", k(1)), dataRow("R", last, k(2))],
        undefined,
        `${last}.fdb`,
      );
      const sp = last === "SE" ? 2 : 1;
      expectReadOnlyTransaction(path, 2, sp);
      const before = readFileSync(path);
      const log = expectRecovered(path, "write", 2, sp);
      const tx = log.activeTransaction!;
      expectInvalidAction(() => log.begin(), "active transaction already exists");
      expectInvalidAction(() => tx.commit());
      expectInvalidAction(() => tx.rollback(0));
      expectInvalidAction(() => tx.savepoint());
      expect(readFileSync(path)).toEqual(before);
      tx.add(k(3), "3");
      // A fresh R row head: N − 5 bytes.
      expect(statSync(path).size).toBe(before.length + N - 5);
      expect(
        readFileSync(path)
          .subarray(before.length, before.length + 2)
          .toString("latin1"),
      ).toBe("\x1fR");
      expect(tx.rowCount).toBe(3);
      tx.savepoint();
      tx.rollback(sp + 1);
      log.close();
      expect(verify(path)).toMatchObject({ dataRows: 4, openTransaction: false });
    }
  });

  it("S_002 FR_009 a torn '1F R' state-1 row after an RE row reopens with its completed rows; only add may follow", () => {
    const dir = tempDir();
    const path = built(dir, [dataRow("T", "RE", k(1))], partial(1, "R"));
    expectReadOnlyTransaction(path, 1, 0);
    const before = readFileSync(path);
    const log = expectRecovered(path, "write", 1, 0);
    const tx = log.activeTransaction!;
    expectInvalidAction(() => tx.commit());
    expectInvalidAction(() => tx.rollback(0));
    expectInvalidAction(() => tx.savepoint());
    expect(readFileSync(path)).toEqual(before);
    tx.add(k(2), '"two"');
    // The rest of the R row: positions 2 … N−6.
    expect(statSync(path).size).toBe(before.length + N - 7);
    tx.commit();
    log.close();
    expect(verify(path)).toMatchObject({ dataRows: 2, openTransaction: false });
  });

  it("S_002 FR_009 a recovered transaction spanning a checksum row reopens in both modes", () => {
    const dir = tempDir();
    const rows: RowSpec[] = [];
    for (let i = 0; i < 9990; i++) rows.push(dataRow("T", "TC", k(i)));
    rows.push(dataRow("T", "RE", k(9990)));
    for (let i = 9991; i < 10_020; i++) rows.push(dataRow("R", "RE", k(i)));
    // 30 complete rows of the open transaction, a checksum row at 10001 among them, then a state-2 R partial.
    const path = built(dir, rows, partial(2, "R", k(10_020)));
    expectReadOnlyTransaction(path, 31, 0);
    const log = expectRecovered(path, "write", 31, 0);
    log.activeTransaction!.commit();
    log.close();
    expect(verify(path)).toMatchObject({
      dataRows: 10_021,
      checksumBlocks: 1,
      openTransaction: false,
    });
  });
});

describe("S_002 resuming (FR-010)", () => {
  const script: Op[] = [
    { op: "begin" },
    { op: "add", key: k(1), value: '{"n":1}' },
    { op: "savepoint" },
    { op: "add", key: k(2), value: '"two"' },
    { op: "add", key: k(3), value: "[3]" },
    { op: "savepoint" },
    { op: "add", key: k(4), value: "4" },
    { op: "rollback", n: 2 },
    { op: "begin" },
    { op: "commit" },
  ];

  it("S_002 FR_010 a transaction interrupted after any call and continued in another process ends byte-identical to one uninterrupted run", () => {
    const dir = tempDir();
    const reference = newDb(dir, "reference.fdb");
    writeOps(reference, script);
    const expected = readFileSync(reference);
    expect(verify(reference)).toMatchObject({ dataRows: 4, nullRows: 1, openTransaction: false });
    // Split after every call that leaves the transaction open.
    for (const split of [1, 2, 3, 4, 5, 6, 7, 9]) {
      const path = newDb(dir, `split-${split}.fdb`);
      writeOps(path, script.slice(0, split));
      const run = runChild(CHILD_APPLY, [path, JSON.stringify(script.slice(split))]);
      expect(run.stderr, `split ${split}`).toBe("");
      expect(run.lines, `split ${split}`).toEqual([{ ok: true }]);
      expect(readFileSync(path).equals(expected), `split after call ${split}`).toBe(true);
    }
  });

  it("S_002 FR_010 a tail ending RE/SE or '1F R' (a write cut after the completion) continues byte-exactly", () => {
    const dir = tempDir();
    const reference = newDb(dir, "reference.fdb");
    writeOps(reference, script);
    const expected = readFileSync(reference);
    // The add of k(3) appended: completion of k(2)'s row (5 bytes, RE) then k(3)'s head.
    const afterK2 = newDb(dir, "k2.fdb");
    writeOps(afterK2, script.slice(0, 4));
    const headK2 = statSync(afterK2).size;
    for (const cut of [headK2 + 5, headK2 + 7]) {
      const path = join(dir, `cut-${cut}.fdb`);
      writeFileSync(path, expected.subarray(0, cut));
      const log = open(path, { mode: "write", sync: false });
      const tx = log.activeTransaction!;
      expect(tx.rowCount).toBe(2);
      applyOps(log, script.slice(4), tx);
      log.close();
      expect(readFileSync(path).equals(expected), `cut at ${cut}`).toBe(true);
    }
  });

  it("S_002 FR_010 the ordering check includes the recovered state-2 partial row's key (the original would accept T − skew − 1)", () => {
    const dir = tempDir();
    const T = BASE_MS + 50_000;
    // A committed row at BASE_MS, then an open transaction whose only row (partial, state 2) has timestamp T.
    const path = built(dir, [dataRow("T", "TC", k(0))], partial(2, "T", keyAt(T, 1)));
    const before = readFileSync(path);
    const log = open(path, { mode: "write", sync: false });
    expect(log.maxTimestamp()).toBe(BASE_MS);
    const tx = log.activeTransaction!;
    for (const ts of [T - SKEW - 1, T - SKEW]) {
      expectThrows(() => tx.add(keyAt(ts, 7), "1"), KeyOrderingError, "key_ordering", ORDERING);
    }
    expect(readFileSync(path)).toEqual(before);
    expect(tx.rowCount).toBe(1);
    tx.add(keyAt(T - SKEW + 1, 8), "1");
    tx.commit();
    log.close();
    expect(verify(path)).toMatchObject({ dataRows: 3, openTransaction: false });
  });

  it("S_002 FR_010 the ordering check includes the key of a state-3 partial row and of recovered complete rows", () => {
    const dir = tempDir();
    const T = BASE_MS + 80_000;
    // State 3 after a recovered complete RE row whose key is older.
    const a = built(
      dir,
      [dataRow("T", "TC", k(0)), dataRow("T", "RE", keyAt(T - 10, 2))],
      partial(3, "R", keyAt(T, 3)),
      "state3.fdb",
    );
    const la = open(a, { mode: "write", sync: false });
    const ta = la.activeTransaction!;
    expect(ta.savepointCount).toBe(1);
    expectThrows(() => ta.add(keyAt(T - SKEW - 1, 9), "1"), KeyOrderingError, "key_ordering");
    ta.add(keyAt(T - SKEW + 1, 10), "1");
    ta.commit();
    la.close();
    expect(verify(a).openTransaction).toBe(false);
    // A recovered RE tail: its rows' keys bound the next key.
    const b = built(
      dir,
      [dataRow("T", "TC", k(0)), dataRow("T", "RE", keyAt(T, 4))],
      undefined,
      "re.fdb",
    );
    const lb = open(b, { mode: "write", sync: false });
    const tb = lb.activeTransaction!;
    expectThrows(() => tb.add(keyAt(T - SKEW, 11), "1"), KeyOrderingError, "key_ordering");
    tb.add(keyAt(T - SKEW + 1, 12), "1");
    tb.commit();
    lb.close();
    expect(verify(b).openTransaction).toBe(false);
  });
});

describe("S_002 torn tails and recover (FR-011)", () => {
  // One handle writes this; the sizes after each call (and, inside a later
  // add, after the completion and after `1F R`) are the exact state boundaries.
  const script: Op[] = [
    { op: "begin" },
    { op: "add", key: k(0), value: '{"c":0}' },
    { op: "commit" },
    { op: "begin" },
    { op: "add", key: k(1), value: '{"c":1}' },
    { op: "savepoint" },
    { op: "add", key: k(2), value: '{"c":2}' },
    { op: "add", key: k(3), value: '{"c":3}' },
    { op: "rollback", n: 1 },
    { op: "begin" },
    { op: "commit" },
    { op: "begin" },
    { op: "add", key: k(4), value: '{"c":4}' },
    { op: "savepoint" },
    { op: "commit" },
    { op: "begin" },
    { op: "add", key: k(5), value: '{"c":5}' },
  ];
  const BOUNDARIES = [
    192, 194, 315, 320, 322, 443, 444, 448, 450, 571, 576, 578, 699, 704, 706, 832, 834, 955, 956,
    960, 962, 1083,
  ];
  /** Boundaries at which the open transaction has no row to carry an end control. */
  const NEEDS_ADD = new Set([448, 450, 576, 578]);
  /** Row indices of committed data rows (k0, k1 and k2 by the rollback to 1, k4). */
  const COMMITTED: [number, string][] = [
    [1, k(0)],
    [2, k(1)],
    [6, k(4)],
  ];

  function endsIn(size: number): string {
    const tail = (size - 64) % N;
    if (tail === 0) return "row boundary";
    if (tail === 2) return "partial row state 1";
    if (tail === N - 5) return "partial row state 2";
    if (tail === N - 4) return "partial row state 3";
    throw new Error(`no state boundary: ${size}`);
  }

  function writeReference(dir: string): Buffer {
    const path = newDb(dir, "reference.fdb");
    const log = open(path, { mode: "write", sync: false });
    // Check the boundary list against the writer, call by call.
    const sizes = [statSync(path).size];
    let tx: Transaction | null = null;
    for (const o of script) {
      if (o.op === "begin") tx = log.begin();
      else applyOps(log, [o], tx);
      sizes.push(statSync(path).size);
    }
    log.close();
    for (const s of sizes) expect(BOUNDARIES).toContain(s);
    return readFileSync(path);
  }

  /** Sizes strictly inside a write of the script: every byte a crash can cut at. */
  function tornSizes(): number[] {
    const sizes: number[] = [];
    for (let size = 193; size < 1083; size++) if (!BOUNDARIES.includes(size)) sizes.push(size);
    return sizes;
  }

  it("S_002 FR_011 at every torn size read mode opens and sees every complete row; write mode fails with corrupt_database naming the tail offset and recover", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    expect(full.length).toBe(1083);
    const path = join(dir, "torn.fdb");
    writeFileSync(path, full);
    const sizes = tornSizes();
    expect(sizes).toHaveLength(1083 - 193 - (BOUNDARIES.length - 2));
    // Cut the file shorter and shorter (truncation is cheaper than rewriting).
    for (const size of sizes.reverse()) {
      truncateSync(path, size);
      const completeRows = Math.floor((size - 64) / N);
      const tailOffset = 64 + completeRows * N;
      const label = `size ${size}`;

      // Read mode: the torn tail is invisible; the rows before it are all there.
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.rowCount(), label).toBe(completeRows);
      for (let i = 1; i < completeRows; i++) reader.readRow(i);
      for (const [index, key] of COMMITTED) {
        if (index < completeRows) {
          const row = reader.readRow(index);
          expect(row.type === "data" && row.key, label).toEqual(parseUuid(key));
        }
      }
      reader.close();

      // Write mode refuses, naming the offset and the repair, and leaves the file alone.
      const e = thrownBy(() => open(path, { mode: "write" }));
      expect(e, `${label}: ${String(e)}`).toBeInstanceOf(CorruptDatabaseError);
      const c = e as CorruptDatabaseError;
      expect(c.code).toBe("corrupt_database");
      expect(c.message, label).toMatch(/recover/);
      expect(c.message, label).toContain(String(tailOffset));
      expect(c.offset, label).toBe(tailOffset);
      expect(statSync(path).size, label).toBe(size);
    }
    expect(descriptorsOf(path)).toEqual([]);
  });

  it("S_002 FR_011 recover truncates a torn tail to the last exact state boundary (every cut inside an add, and the edges of every other write), after which the transaction can be finished", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    const path = join(dir, "torn.fdb");
    // Every cut inside the add of k(3) (completion RE, 1F R, head), and the
    // first, a middle and the last cut inside every other write.
    const chosen = new Set<number>();
    for (let size = 572; size < 699; size++) chosen.add(size);
    for (let i = 0; i + 1 < BOUNDARIES.length; i++) {
      const [b, e] = [BOUNDARIES[i]!, BOUNDARIES[i + 1]!];
      if (e - b < 2) continue;
      for (const size of [b + 1, Math.floor((b + e) / 2), e - 1]) chosen.add(size);
    }
    for (const size of [...chosen].filter((x) => !BOUNDARIES.includes(x))) {
      const label = `size ${size}`;
      writeFileSync(path, full.subarray(0, size));
      const tailOffset = 64 + Math.floor((size - 64) / N) * N;
      const target = Math.max(...BOUNDARIES.filter((b) => b <= size));
      expect(target).toBeGreaterThanOrEqual(tailOffset);
      const result = recover(path);
      expect(result, label).toMatchObject({
        removedBytes: size - target,
        sizeBefore: size,
        sizeAfter: target,
        endsIn: endsIn(target),
      });
      expect(readFileSync(path).equals(full.subarray(0, target)), label).toBe(true);
      expect(recover(path).removedBytes, label).toBe(0);

      // Now a writer opens and finishes the transaction.
      const writer = open(path, { mode: "write", sync: false });
      const tx = writer.activeTransaction;
      if (tx === null) {
        writer.appendTransaction([{ key: k(100), value: '"end"' }]);
      } else {
        if (NEEDS_ADD.has(target)) tx.add(k(100), '"end"');
        tx.commit();
      }
      writer.close();
      expect(verify(path).openTransaction, label).toBe(false);
    }
  });

  it("S_002 FR_011 recover on an intact file (any state boundary) removes nothing", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    const path = join(dir, "intact.fdb");
    for (const size of BOUNDARIES) {
      writeFileSync(path, full.subarray(0, size));
      const result = recover(path);
      expect(result, `size ${size}`).toMatchObject({
        removedBytes: 0,
        sizeBefore: size,
        sizeAfter: size,
        endsIn: endsIn(size),
      });
      expect(readFileSync(path).equals(full.subarray(0, size))).toBe(true);
    }
  });

  it("S_002 FR_011 a torn tail that is not even a row start (a torn begin after a commit) is removed entirely", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    const path = join(dir, "torn-begin.fdb");
    // 320 ends the committed k0 row; one byte 1F of the next begin.
    writeFileSync(path, full.subarray(0, 321));
    expect(recover(path)).toMatchObject({
      removedBytes: 1,
      sizeAfter: 320,
      endsIn: "row boundary",
    });
    const log = open(path, { mode: "write" });
    expect(log.activeTransaction).toBeNull();
    expect(log.readRow(1).type).toBe("data");
    log.close();
    // Garbage of a partial row's length that is no state (no sentinel) goes too.
    writeFileSync(path, Buffer.concat([full.subarray(0, 320), Buffer.alloc(N - 5, 0x41)]));
    expect(recover(path)).toMatchObject({ removedBytes: N - 5, sizeAfter: 320 });
  });

  it.skipIf(!hasChattr || !isRoot)(
    "S_002 FR_011 recover refuses a file carrying the append-only attribute (write_error) and leaves it unchanged",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const full = writeReference(dir);
      const path = join(dir, "ao.fdb");
      writeFileSync(path, full.subarray(0, 1000));
      setAppendOnly(path);
      const e = expectThrows(() => recover(path), WriteError, "write_error");
      expect(e.message).toMatch(/append-only/);
      expect(readFileSync(path).equals(full.subarray(0, 1000))).toBe(true);
      expect(descriptorsOf(path)).toEqual([]);
      // The file still reads.
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.rowCount()).toBe(Math.floor((1000 - 64) / N));
      reader.close();
    },
  );

  it("S_002 FR_011 recover takes the writer lock: it refuses while a writer holds it", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    const path = join(dir, "locked.fdb");
    writeFileSync(path, full);
    const writer = open(path, { mode: "write" });
    try {
      expectThrows(
        () => recover(path),
        WriteError,
        "write_error",
        "another process has the database locked",
      );
    } finally {
      writer.close();
    }
    expect(readFileSync(path).equals(full)).toBe(true);
    // Readers take no lock: recover works while one is open.
    writeFileSync(path, full.subarray(0, 1000));
    const reader = open(path, { mode: "read", follow: false });
    expect(recover(path)).toMatchObject({ removedBytes: 1000 - 962, sizeAfter: 962 });
    reader.close();
  });

  it("S_002 FR_011 recover rejects a missing file, a folder and a FIFO named x.fdb with path_error, at once", () => {
    const dir = tempDir();
    expectThrows(
      () => recover(join(dir, "absent.fdb")),
      PathError,
      "path_error",
      "database file does not exist",
    );
    expect(existsSync(join(dir, "absent.fdb"))).toBe(false);
    const folder = join(dir, "folder.fdb");
    mkdirSync(folder);
    const e = thrownBy(() => recover(folder));
    expect(e, String(e)).toBeInstanceOf(PathError);
    const fifo = join(dir, "pipe.fdb");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const run = runChild(
      `try { m.recover(args[0]); out({ ok: true }); } catch (e) { out(err(e)); }`,
      [fifo],
      { timeoutMs: 3000 },
    );
    expect(run.signal, "recover blocked on the FIFO and the child was killed").toBeNull();
    expect(run.lines[0]).toMatchObject({ name: "PathError", code: "path_error" });
  });

  it("S_002 FR_011 a write cut inside the checksum row after the 10,000th row is removed; the writer then appends the missing checksum row (FR-012)", () => {
    const dir = tempDir();
    const rows: RowSpec[] = [];
    for (let i = 0; i < 9999; i++) rows.push(dataRow("T", "TC", k(i)));
    rows.push(dataRow("T", "RE", k(9999)));
    const expectedPath = join(dir, "expected.fdb");
    buildFile(expectedPath, {
      rowSize: N,
      skewMs: SKEW,
      rows: [...rows, dataRow("R", "TC", k(10_000), '"next"')],
    });
    const expected = readFileSync(expectedPath);
    const blockEnd = rowOffset(10_001, N);
    const path = join(dir, "cut.fdb");
    // The add of k(10000) wrote: completion of row 10000, checksum row, head. Cut inside the checksum row.
    for (const cut of [1, 2, 50, N - 1]) {
      writeFileSync(path, expected.subarray(0, blockEnd + cut));
      const e = expectThrows(
        () => open(path, { mode: "write" }),
        CorruptDatabaseError,
        "corrupt_database",
      );
      expect(e.offset).toBe(blockEnd);
      expect(recover(path)).toMatchObject({
        removedBytes: cut,
        sizeAfter: blockEnd,
        endsIn: "row boundary",
      });
      const writer = open(path, { mode: "write" });
      expect(statSync(path).size).toBe(blockEnd + N);
      const tx = writer.activeTransaction!;
      tx.add(k(10_000), '"next"');
      tx.commit();
      writer.close();
      expect(readFileSync(path).equals(expected), `cut ${cut}`).toBe(true);
    }
  });

  it("S_002 FR_011 a write cut inside an add is refused, repaired by recover and the transaction finished, all in another process", () => {
    const dir = tempDir();
    const full = writeReference(dir);
    const path = join(dir, "crash.fdb");
    // Cut inside the add of k(3): after the completion of k(2) and 20 bytes of k(3)'s head.
    writeFileSync(path, full.subarray(0, 576 + 20));
    const run = runChild(
      `try { m.open(args[0], { mode: "write" }); out({ ok: true }); } catch (e) { out({ ...err(e), offset: e.offset }); }
       const r = m.recover(args[0]); out({ removed: r.removedBytes, endsIn: r.endsIn });
       const log = m.open(args[0], { mode: "write" }); const tx = log.activeTransaction; out({ rows: tx.rowCount, sp: tx.savepointCount });
       tx.add(args[1], args[2]); tx.rollback(1); log.close(); out({ done: true });`,
      [path, k(3), '{"c":3}'],
    );
    expect(run.stderr).toBe("");
    expect(run.lines[0]).toMatchObject({
      name: "CorruptDatabaseError",
      code: "corrupt_database",
      offset: 576,
    });
    expect(run.lines.slice(1)).toEqual([
      { removed: 18, endsIn: "partial row state 1" },
      { rows: 2, sp: 1 },
      { done: true },
    ]);
    // The same bytes as the uninterrupted run, up to the rollback.
    expect(readFileSync(path).equals(full.subarray(0, 704))).toBe(true);
  });
});

describe("S_002 missing checksum row (FR-012)", () => {
  it("S_002 FR_012 after appendTransaction completes the 10,000th row its checksum row is already on disk (the batch path writes it at once, nothing is left for open to repair)", () => {
    const dir = tempDir();
    const path = join(dir, "db.fdb");
    create(path, { rowSize: N, skewMs: 0 });
    const log = open(path, { mode: "write", sync: false });
    for (let t = 0; t < 100; t++) {
      const rows = [];
      for (let i = 0; i < 100; i++) rows.push({ key: k(t * 100 + i), value: `${t * 100 + i}` });
      log.appendTransaction(rows);
    }
    expect(log.rowCount()).toBe(10_002);
    log.close();
    expect(statSync(path).size).toBe(rowOffset(10_002, N));
    expect(verify(path)).toMatchObject({ checksumBlocks: 1, dataRows: 10_000 });
  });

  it("S_002 FR_012 a write-mode open of a file whose 10,000-row block lacks its checksum row appends it first, restoring the writer's bytes", () => {
    const dir = tempDir();
    const path = join(dir, "db.fdb");
    create(path, { rowSize: N, skewMs: 0 });
    const log = open(path, { mode: "write", sync: false });
    for (let t = 0; t < 99; t++) {
      const rows = [];
      for (let i = 0; i < 100; i++) rows.push({ key: k(t * 100 + i), value: `${t * 100 + i}` });
      log.appendTransaction(rows);
    }
    // The last 100 rows call by call: the commit completes the 10,000th row.
    const last = log.begin();
    for (let i = 9900; i < 10_000; i++) last.add(k(i), `${i}`);
    last.commit();
    log.close();
    const full = readFileSync(path);
    expect(full.length).toBe(rowOffset(10_002, N));
    // A crash between the 10,000th row and its checksum row: cut the checksum row away.
    truncateSync(path, full.length - N);

    const reader = open(path, { mode: "read", follow: false });
    expect(reader.rowCount()).toBe(10_001);
    reader.close();
    expect(statSync(path).size).toBe(full.length - N);

    const writer = open(path, { mode: "write" });
    // Before any call, the checksum row is back.
    expect(statSync(path).size).toBe(full.length);
    expect(writer.rowCount()).toBe(10_002);
    const bytes = readFileSync(path);
    expect(bytes.equals(full)).toBe(true);
    const crc = zlibCrc32(bytes.subarray(64, rowOffset(10_001, N)));
    expect(bytes.subarray(rowOffset(10_001, N))).toEqual(Buffer.from(encodeChecksumRow(crc, N)));
    const tx = writer.begin();
    tx.add(k(20_000), '"after"');
    tx.commit();
    writer.close();
    expect(
      readFileSync(path)
        .subarray(rowOffset(10_002, N), rowOffset(10_002, N) + 2)
        .toString("latin1"),
    ).toBe("\x1fT");
    expect(verify(path)).toMatchObject({
      checksumBlocks: 1,
      dataRows: 10_001,
      openTransaction: false,
    });
  });

  it("S_002 FR_012 when the 10,000th row leaves its transaction open (RE) the checksum row is appended and the transaction continues after it", () => {
    const dir = tempDir();
    const rows: RowSpec[] = [];
    for (let i = 0; i < 9999; i++) rows.push(dataRow("T", "TC", k(i)));
    rows.push(dataRow("T", "RE", k(9999)));
    const path = join(dir, "open.fdb");
    const size = buildFile(path, { rowSize: N, skewMs: SKEW, rows, trailingChecksum: false });
    expect(size).toBe(rowOffset(10_001, N));
    // The expected result: the same rows, the checksum row, then the next R row committed.
    const expectedPath = join(dir, "expected.fdb");
    buildFile(expectedPath, {
      rowSize: N,
      skewMs: SKEW,
      rows: [...rows, dataRow("R", "TC", k(10_000), '"next"')],
    });

    const writer = open(path, { mode: "write" });
    expect(statSync(path).size).toBe(size + N);
    const tx = writer.activeTransaction!;
    expect(tx.rowCount).toBe(1);
    tx.add(k(10_000), '"next"');
    tx.commit();
    writer.close();
    expect(readFileSync(path).equals(readFileSync(expectedPath))).toBe(true);
    expect(verify(path)).toMatchObject({ checksumBlocks: 1, openTransaction: false });
  });
});

describe("S_002 a transaction that can never close (FR-013)", () => {
  function hundredRows(open100: number): RowSpec[] {
    const rows: RowSpec[] = [dataRow("T", "TC", k(0)), dataRow("T", "RE", k(1))];
    for (let i = 2; i <= open100; i++) rows.push(dataRow("R", "RE", k(i)));
    return rows;
  }

  it("S_002 FR_013 an open transaction with 100 complete rows and no partial opens for reading; write mode is corrupt_database explaining why", () => {
    const dir = tempDir();
    const path = built(dir, hundredRows(100));
    const before = readFileSync(path);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.activeTransaction?.rowCount).toBe(100);
    expect(reader.readRow(101).type).toBe("data");
    reader.close();
    const e = expectThrows(
      () => open(path, { mode: "write" }),
      CorruptDatabaseError,
      "corrupt_database",
    );
    expect(e.message).toMatch(/100/);
    expect(readFileSync(path)).toEqual(before);
    expect(descriptorsOf(path)).toEqual([]);
  });

  it("S_002 FR_013 100 complete rows followed by a torn '1F R' row, or spanning a checksum row, also open for reading only", () => {
    const dir = tempDir();
    const withR = built(dir, hundredRows(100), partial(1, "R"), "with-r.fdb");
    // T at index 9951, its 100 rows across the checksum row at 10001: the
    // 101-row window starts exactly at the T row.
    const spanning: RowSpec[] = [];
    for (let i = 0; i < 9950; i++) spanning.push(dataRow("T", "TC", k(i)));
    spanning.push(dataRow("T", "RE", k(9950)));
    for (let i = 9951; i < 10_050; i++) spanning.push(dataRow("R", "RE", k(i)));
    const across = built(dir, spanning, undefined, "across.fdb");
    for (const path of [withR, across]) {
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.activeTransaction?.rowCount, path).toBe(100);
      reader.close();
      const e = expectThrows(
        () => open(path, { mode: "write" }),
        CorruptDatabaseError,
        "corrupt_database",
      );
      expect(e.message).toMatch(/100/);
      expect(descriptorsOf(path)).toEqual([]);
    }
  });

  it("S_002 FR_013 with 99 complete rows the writer opens and the 100th row can end the transaction", () => {
    const dir = tempDir();
    const path = built(dir, hundredRows(99));
    const log = open(path, { mode: "write" });
    const tx = log.activeTransaction!;
    expect(tx.rowCount).toBe(99);
    tx.add(k(100), "100");
    expect(tx.rowCount).toBe(100);
    tx.commit();
    log.close();
    expect(verify(path)).toMatchObject({ dataRows: 101, openTransaction: false });
  });
});

describe("S_002 impossible tails (FR-014)", () => {
  function expectCorruptBothModes(path: string, message?: string): void {
    for (const mode of ["read", "write"] as const) {
      const e = thrownBy(() => open(path, { mode, follow: false }));
      expect(e, `${mode}: ${String(e)}`).toBeInstanceOf(CorruptDatabaseError);
      expect((e as CorruptDatabaseError).code).toBe("corrupt_database");
      if (message !== undefined) expect((e as CorruptDatabaseError).message).toBe(message);
      expect(descriptorsOf(path)).toEqual([]);
    }
  }

  it("S_002 FR_014 an R partial row (state 1 or 2) after a closed transaction is corrupt_database in both modes", () => {
    const dir = tempDir();
    const cases: [string, RowSpec[], Uint8Array][] = [
      ["after-commit-1", [dataRow("T", "TC", k(0))], partial(1, "R")],
      ["after-commit-2", [dataRow("T", "TC", k(0))], partial(2, "R", k(1))],
      [
        "after-rollback",
        [dataRow("T", "SE", k(0)), dataRow("R", "S1", k(1))],
        partial(2, "R", k(2)),
      ],
      [
        "after-null",
        [dataRow("T", "TC", k(0)), { type: "null", timestamp: BASE_MS }],
        partial(1, "R"),
      ],
      ["no-rows", [], partial(2, "R", k(1))],
    ];
    for (const [name, rows, tail] of cases) {
      expectCorruptBothModes(built(dir, rows, tail, `${name}.fdb`));
    }
  });

  it("S_002 FR_014 a continuation row (R…RE) after a closed transaction, with no partial row, is corrupt_database in both modes", () => {
    const dir = tempDir();
    expectCorruptBothModes(
      built(dir, [dataRow("T", "TC", k(0)), dataRow("R", "RE", k(1))], undefined, "r-after-tc.fdb"),
    );
  });

  it("S_002 FR_014 a continuation run whose T row lies beyond the 101-row window is corrupt_database in both modes", () => {
    const dir = tempDir();
    const rows: RowSpec[] = [dataRow("T", "TC", k(0)), dataRow("T", "RE", k(1))];
    for (let i = 2; i <= 102; i++) rows.push(dataRow("R", "RE", k(i)));
    // 101 R rows after the T row: no partial, then with an R partial row.
    expectCorruptBothModes(
      built(dir, rows, undefined, "far.fdb"),
      "transaction start not found in scanned rows",
    );
    expectCorruptBothModes(
      built(dir, rows, partial(2, "R", k(200)), "far-partial.fdb"),
      "transaction start not found in scanned rows",
    );
    expectCorruptBothModes(
      built(dir, rows, partial(1, "R"), "far-partial1.fdb"),
      "transaction start not found in scanned rows",
    );
  });
});
