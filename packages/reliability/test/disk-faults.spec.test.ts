/**
 * S_006 FR_022, FR_023 — disk faults: a write that fails because the disk is
 * full (ENOSPC on a small tmpfs) or the file size limit is hit (EFBIG under
 * `ulimit -f`) must throw `WriteError` (the OS code as cause), cut what it
 * appended (the file ends where it did before the failing call), tombstone
 * the transaction and close the handle (behaviour §5.6: every later call on
 * it fails with `tombstoned`). Committed rows stay readable by new handles,
 * `verify` passes right after the failure, and a new writer (once space is
 * freed, or without the limit) ends the recovered transaction and commits.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmdirSync, statfsSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import {
  create,
  type Database,
  type FinderStrategy,
  FrozenDBError,
  open,
  TombstonedError,
  type Transaction,
  verify,
  WriteError,
} from "frozendb";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { ensureFrozenDbBuilt, RELIABILITY_DIR } from "./helpers/model-build.js";
import { KeySource } from "./helpers/model-state.js";

const PAGE = 4096;
const HEADER_BYTES = 64;
const TMPFS_BYTES = 256 * 1024;
/** Rows per checksum block: below it no checksum row follows a transaction end in the same write. */
const CHECKSUM_INTERVAL = 10_000;
const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];

// ------------------------------------------------------------------ tmpfs

const mounted = new Set<string>();

function mountTmpfs(dir: string): string | undefined {
  const run = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_BYTES}`, "tmpfs", dir], {
    encoding: "utf8",
  });
  return run.status === 0
    ? undefined
    : `${run.stderr || run.error?.message || "mount failed"}`.trim();
}

function unmount(dir: string): void {
  // Lazy, so a descriptor a failed assertion left open cannot keep it mounted.
  spawnSync("umount", ["-l", dir]);
  mounted.delete(dir);
  rmdirSync(dir);
}

/** Why a small tmpfs cannot be mounted here (tests needing one skip), or undefined. */
const tmpfsProblem: string | undefined = (() => {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-tmpfs-probe-"));
  const problem = mountTmpfs(dir);
  if (problem === undefined) spawnSync("umount", [dir]);
  rmdirSync(dir);
  return problem;
})();
const tmpfsSkip =
  tmpfsProblem === undefined ? "" : ` (skipped: cannot mount a tmpfs: ${tmpfsProblem})`;

/** A fresh 256 KiB tmpfs for the running test, unmounted when it finishes. */
function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-tmpfs-"));
  const problem = mountTmpfs(dir);
  if (problem !== undefined) throw new Error(`mount failed: ${problem}`);
  mounted.add(dir);
  onTestFinished(() => unmount(dir));
  return dir;
}

afterAll(() => {
  for (const dir of [...mounted]) unmount(dir);
});

/** Bytes a new file can still get on the filesystem of `dir`. */
function available(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Takes all but `leave` bytes of the free space with a filler file; returns its path. */
function pad(dir: string, leave: number): string {
  const filler = join(dir, "filler");
  writeFileSync(filler, Buffer.alloc(Math.max(0, available(dir) - leave)));
  return filler;
}

// ------------------------------------------------------------------ writing until failure

function fileSize(path: string): number {
  return statSync(path).size;
}

/** What a writer did before its first failing call. */
interface Written {
  readonly committed: Map<string, unknown>;
  /**
   * Rows of the transaction the failure hit that earlier calls wrote: they
   * stay in the file as an open transaction a new writer recovers.
   */
  open: Map<string, unknown>;
  /** Keys the failing call (an `add`, or a whole batch) tried to write: never in the file. */
  lost: string[];
  /** The transaction the failure hit (call by call, once `begin` returned). */
  failedTx: Transaction | null;
  error: unknown;
  /** File size before the failing call, and right after it failed. */
  sizeBefore: number;
  sizeAfter: number;
}

function written(): Written {
  return {
    committed: new Map(),
    open: new Map(),
    lost: [],
    failedTx: null,
    error: undefined,
    sizeBefore: 0,
    sizeAfter: 0,
  };
}

/** Runs `body` with a `call` wrapper that records the file size before each call, until one throws. */
function untilFailure(
  db: Database,
  body: (w: Written, call: (fn: () => void) => void) => void,
): Written {
  const w = written();
  const call = (fn: () => void) => {
    w.sizeBefore = fileSize(db.path);
    fn();
  };
  try {
    for (let i = 0; i < 100_000; i++) body(w, call);
  } catch (error) {
    w.error = error;
  }
  w.sizeAfter = fileSize(db.path);
  return w;
}

/** Call by call: transactions of four rows, a savepoint on the second, then commit. */
function fillByCalls(db: Database, keys: KeySource): Written {
  return untilFailure(db, (w, call) => {
    w.failedTx = null;
    w.open = new Map();
    let tx: Transaction | undefined;
    call(() => {
      tx = db.begin();
    });
    w.failedTx = tx!;
    for (let r = 0; r < 4; r++) {
      const key = keys.next();
      const value = { r, pad: "v".repeat(r * 7) };
      w.lost = [key];
      call(() => tx!.add(key, value));
      w.lost = [];
      w.open.set(key, value);
      if (r === 1) call(() => tx!.savepoint());
    }
    call(() => tx!.commit());
    for (const [key, value] of w.open) w.committed.set(key, value);
  });
}

/** Batches of `size` rows through db.transaction(fn). */
function fillByBatches(db: Database, keys: KeySource, size: number): Written {
  return untilFailure(db, (w, call) => {
    const rows = Array.from({ length: size }, (_, i) => [keys.next(), { i, batch: true }] as const);
    w.lost = rows.map(([key]) => key);
    call(() =>
      db.transaction((tx) => {
        for (const [key, value] of rows) tx.add(key, value);
      }),
    );
    w.lost = [];
    for (const [key, value] of rows) w.committed.set(key, value);
  });
}

// ------------------------------------------------------------------ checks

/** `ok`, or the error's code (or a note that it is not a FrozenDBError). */
function outcome(call: () => unknown): string {
  try {
    call();
    return "ok";
  } catch (error) {
    return error instanceof FrozenDBError ? error.code : `not a FrozenDBError: ${String(error)}`;
  }
}

/** `TombstonedError` when `call` throws one (code `tombstoned`), else what happened. */
function tombstoneOutcome(call: () => unknown): string {
  try {
    call();
    return "ok";
  } catch (error) {
    if (error instanceof TombstonedError && error.code === "tombstoned") return "TombstonedError";
    return error instanceof FrozenDBError ? error.code : `not a FrozenDBError: ${String(error)}`;
  }
}

/** Reads that disagree: `found` keys must give their value, `absent` keys `key_not_found`. */
function readProblems(
  db: Database,
  found: Map<string, unknown>,
  absent: Iterable<string>,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of found) {
    let got: unknown;
    const result = outcome(() => {
      got = db.get(key);
    });
    if (result !== "ok") problems.push(`${key}: ${result}`);
    else if (JSON.stringify(got) !== JSON.stringify(value)) problems.push(`${key}: wrong value`);
  }
  for (const key of absent) {
    const result = outcome(() => db.get(key));
    if (result !== "key_not_found") problems.push(`${key} (not committed): ${result}`);
  }
  return problems.slice(0, 5);
}

/** The write failed with a WriteError carrying the operating system's error code. */
function expectWriteError(error: unknown, osCode: "ENOSPC" | "EFBIG"): void {
  expect(error, "the failing call threw a WriteError").toBeInstanceOf(WriteError);
  expect((error as WriteError).code).toBe("write_error");
  expect(((error as Error).cause as NodeJS.ErrnoException | undefined)?.code).toBe(osCode);
}

/**
 * The failed write left nothing behind: the file ends exactly where it did
 * before the failing call. (A write that completed a transaction end keeps
 * the file up to that row, but only a checksum row due after the end could
 * fail after it, and these files stay below one checksum block.)
 */
function expectCutBack(path: string, rowSize: number, w: Written): void {
  const rows = (w.sizeBefore - HEADER_BYTES) / rowSize;
  expect(rows, "rows before the failing call (no checksum row due)").toBeLessThan(
    CHECKSUM_INTERVAL - 1,
  );
  expect(
    w.sizeAfter,
    `file size after the failure (${rowSize}-byte rows after a ${HEADER_BYTES}-byte header)`,
  ).toBe(w.sizeBefore);
  expect(
    outcome(() => verify(path)),
    "verify right after the failure",
  ).toBe("ok");
}

/**
 * The failed write closed the handle: every later call on it, and on the
 * failed transaction, throws `TombstonedError`.
 */
function expectHandleTombstoned(db: Database, failedTx: Transaction | null, key: string): void {
  const calls: Record<string, () => unknown> = {
    get: () => db.get(key),
    getRaw: () => db.getRaw(key),
    has: () => db.has(key),
    begin: () => db.begin(),
    transaction: () => db.transaction((tx) => tx.add(key, 1)),
    activeTransaction: () => db.activeTransaction,
    entries: () => [...db.entries()],
    maxTimestamp: () => db.maxTimestamp(),
    refresh: () => db.refresh(),
    watch: () => db.watch(),
  };
  if (failedTx !== null) {
    expect(failedTx.state, "the failed transaction").toBe("tombstoned");
    Object.assign(calls, {
      "tx.add": () => failedTx.add(key, 1),
      "tx.savepoint": () => failedTx.savepoint(),
      "tx.commit": () => failedTx.commit(),
      "tx.rollback": () => failedTx.rollback(0),
    });
  }
  const outcomes = Object.fromEntries(
    Object.entries(calls).map(([name, call]) => [name, tombstoneOutcome(call)]),
  );
  const expected = Object.fromEntries(Object.keys(calls).map((name) => [name, "TombstonedError"]));
  expect(outcomes, "later calls on the same handle").toEqual(expected);
  expect(
    outcome(() => db.close()),
    "close stays allowed",
  ).toBe("ok");
}

/** New read handles of every finder: committed rows read back, the others are not found. */
function expectReaders(path: string, w: Written, when: string): void {
  const absent = [...w.open.keys(), ...w.lost];
  for (const finder of FINDERS) {
    const reader = open(path, { mode: "read", finder, follow: false });
    try {
      expect(readProblems(reader, w.committed, absent), `${when}: a new ${finder} handle`).toEqual(
        [],
      );
    } finally {
      reader.close();
    }
  }
}

/**
 * A new write handle recovers the transaction the failure hit (`recovers`:
 * when `begin` had returned) and ends it with `end`; then commits a batch and
 * a transaction call by call. New readers and `verify` agree.
 */
function expectNewWriterContinues(
  path: string,
  w: Written,
  keys: KeySource,
  recovers: boolean,
  end: "commit" | "rollback",
): void {
  {
    using db = open(path, { mode: "write" });
    const tx = db.activeTransaction;
    expect(tx !== null, "the new writer recovers the open transaction").toBe(recovers);
    if (tx !== null) {
      expect(tx.rowCount, "rows of the recovered transaction").toBe(w.open.size);
      const finish = () => (end === "commit" ? tx.commit() : tx.rollback(0));
      // A recovered tail whose last row is complete (RE/SE) has no row to
      // carry the end control: a row is added first (behaviour §4.2).
      if (outcome(finish) === "invalid_action") {
        const key = keys.next();
        tx.add(key, "ends the recovered transaction");
        w.open.set(key, "ends the recovered transaction");
        finish();
      }
      expect(tx.state).toBe(end === "commit" ? "committed" : "rolled_back");
      if (end === "commit") for (const [key, value] of w.open) w.committed.set(key, value);
      else w.lost.push(...w.open.keys());
      w.open = new Map();
    }
    const batchKey = keys.next();
    db.transaction((t) => t.add(batchKey, { after: "failure", via: "batch" }));
    w.committed.set(batchKey, { after: "failure", via: "batch" });
    const callKey = keys.next();
    const t = db.begin();
    t.add(callKey, { after: "failure", via: "calls" });
    t.commit();
    w.committed.set(callKey, { after: "failure", via: "calls" });
    expect(readProblems(db, w.committed, w.lost), "reads by the new writer").toEqual([]);
  }
  expectReaders(path, w, "after the new writer");
  const report = verify(path);
  expect(report.openTransaction, "the final file has no open transaction").toBe(false);
}

/**
 * After an ENOSPC failure: the file is cut back and verifies, the handle is
 * tombstoned, new readers see the committed rows, and once `freeSpace` ran a
 * new writer takes over.
 */
function expectCleanRecovery(
  db: Database,
  w: Written,
  keys: KeySource,
  end: "commit" | "rollback",
  freeSpace: () => void,
): void {
  expectCutBack(db.path, db.rowSize, w);
  expectHandleTombstoned(db, w.failedTx, w.committed.keys().next().value ?? keys.next());
  expectReaders(db.path, w, "right after the failure");
  freeSpace();
  expectNewWriterContinues(db.path, w, keys, w.failedTx !== null, end);
}

// ------------------------------------------------------------------ FR_022: ENOSPC

describe("S_006 FR_022 a full disk (ENOSPC on a 256 KiB tmpfs)", () => {
  /** A database on a fresh small tmpfs, open for writing, with a filler leaving `leave` bytes. */
  function fullDiskDb(
    rowSize: number,
    leave: number,
  ): { db: Database; filler: string; keys: KeySource } {
    const dir = smallDisk();
    const path = join(dir, "db.fdb");
    create(path, { rowSize, skewMs: 5_000 });
    const db = open(path, { mode: "write", finder: "binary_search" });
    onTestFinished(() => db.close());
    return { db, filler: pad(dir, leave), keys: new KeySource(Date.now()) };
  }

  it.skipIf(tmpfsProblem !== undefined)(
    `S_006 FR_022 call by call (begin/add/savepoint/commit): WriteError(ENOSPC), the file cut back to its size before the call, the handle tombstoned, committed rows readable by new handles, a new writer commits the recovered transaction once space is freed${tmpfsSkip}`,
    () => {
      const { db, filler, keys } = fullDiskDb(128, 20_000);
      const w = fillByCalls(db, keys);
      expectWriteError(w.error, "ENOSPC");
      expect(w.committed.size, "rows committed before the disk filled").toBeGreaterThan(10);
      expectCleanRecovery(db, w, keys, "commit", () => unlinkSync(filler));
    },
  );

  it.skipIf(tmpfsProblem !== undefined)(
    `S_006 FR_022 db.transaction(fn) batches: WriteError(ENOSPC), no byte of the failed batch left, the handle tombstoned, committed rows readable by new handles, a new writer commits once space is freed${tmpfsSkip}`,
    () => {
      const { db, filler, keys } = fullDiskDb(128, 20_000);
      const w = fillByBatches(db, keys, 7);
      expectWriteError(w.error, "ENOSPC");
      expect(w.committed.size).toBeGreaterThan(10);
      expectCleanRecovery(db, w, keys, "commit", () => unlinkSync(filler));
    },
  );

  it.skipIf(tmpfsProblem !== undefined)(
    `S_006 FR_022 the disk fills in mid-row (part of the failing write fits): the written part is cut, the handle tombstoned, a new writer commits once space is freed${tmpfsSkip}`,
    () => {
      // 1,000-byte rows after a 64-byte header: the last free page ends inside a row.
      const { db, filler, keys } = fullDiskDb(1_000, 9_999);
      const w = fillByBatches(db, keys, 1);
      expectWriteError(w.error, "ENOSPC");
      // The file's last page had room for part of the row: the kernel wrote
      // that part (a short write) before the next write failed with ENOSPC.
      const roomInLastPage = (PAGE - (w.sizeBefore % PAGE)) % PAGE;
      expect(roomInLastPage, "bytes of the failing row that fit").toBeGreaterThan(0);
      expect(roomInLastPage).toBeLessThan(1_000);
      expectCleanRecovery(db, w, keys, "commit", () => unlinkSync(filler));
    },
  );

  it.skipIf(tmpfsProblem !== undefined)(
    `S_006 FR_022 the disk is full before the first byte of a transaction: begin fails with WriteError and writes nothing, then the handle is tombstoned, a new writer commits once space is freed${tmpfsSkip}`,
    () => {
      // 64 + 4,032 = 4,096: the new file ends exactly at a page boundary, so
      // with every free page taken not one byte of the next write fits.
      const { db, filler, keys } = fullDiskDb(4_032, 0);
      expect(available(join(filler, "..")), "free space left").toBe(0);
      const w = written();
      w.sizeBefore = fileSize(db.path);
      try {
        db.begin();
      } catch (e) {
        w.error = e;
      }
      w.sizeAfter = fileSize(db.path);
      expectWriteError(w.error, "ENOSPC");
      const key = keys.next();
      expect(
        tombstoneOutcome(() => db.transaction((tx) => tx.add(key, "no room"))),
        "transaction(fn) on the same handle",
      ).toBe("TombstonedError");
      expect(fileSize(db.path), "transaction(fn) wrote nothing").toBe(w.sizeBefore);
      w.lost.push(key);
      expectCleanRecovery(db, w, keys, "commit", () => unlinkSync(filler));
    },
  );
});

// ------------------------------------------------------------------ FR_023: EFBIG

/**
 * The EFBIG writer, run under `ulimit -f` with SIGXFSZ ignored (so the
 * write fails with EFBIG instead of killing the process). argv: path, how
 * ("calls" | "batch"), limit in bytes. Prints one JSON report.
 */
const EFBIG_CHILD = `
import { open, uuidv7, verify, FrozenDBError, TombstonedError } from "frozendb";
import { statSync } from "node:fs";
const [path, how, limitText] = process.argv.slice(1);
const limit = Number(limitText);
const db = open(path, { mode: "write", finder: "binary_search" });
const size = () => statSync(path).size;
const outcome = (call) => {
  try { call(); return "ok"; }
  catch (e) { return e instanceof FrozenDBError ? e.code : "not a FrozenDBError: " + String(e); }
};
const tombstoneOutcome = (call) => {
  try { call(); return "ok"; }
  catch (e) {
    if (e instanceof TombstonedError && e.code === "tombstoned") return "TombstonedError";
    return e instanceof FrozenDBError ? e.code : "not a FrozenDBError: " + String(e);
  }
};
const describe = (e) => ({ name: e?.name, code: e?.code, cause: e?.cause?.code ?? null, message: String(e) });
const committed = {};
let open_ = {};
let lost = [];
let failedTx = null;
let failure = null;
let sizeBefore = 0;
const call = (fn) => { sizeBefore = size(); fn(); };
const batch = (n) => {
  const rows = Array.from({ length: n }, (_, i) => [uuidv7(), { i, n }]);
  lost = rows.map(([k]) => k);
  call(() => db.transaction((tx) => rows.forEach(([k, v]) => tx.add(k, v))));
  for (const [k, v] of rows) committed[k] = v;
  lost = [];
};
const ROW = db.rowSize;
try {
  for (let i = 0; i < 5; i++) batch(1);
  if (how === "batch") {
    // Single rows while a 20-row batch would still fit, then the 20-row batch:
    // it crosses the limit, and at least 19 rows of room remain after it fails.
    while (size() + 20 * ROW <= limit) batch(1);
    batch(20);
  } else {
    // One transaction, call by call, a savepoint every 7 rows, until a call fails.
    const tx = db.begin();
    failedTx = tx;
    for (let i = 0; ; i++) {
      const key = uuidv7();
      lost = [key];
      call(() => tx.add(key, { i }));
      lost = [];
      open_[key] = { i };
      if (i % 7 === 6) call(() => tx.savepoint());
      if (tx.rowCount === 100) throw new Error("limit never reached");
    }
  }
} catch (e) {
  failure = describe(e);
}
const out = { failure, sizeBefore, sizeAfter: size(), committed, open: open_, lost };
out.verifyAfterFailure = outcome(() => verify(path));
// Every later call on the same handle (and on the failed transaction) is tombstoned.
const key = Object.keys(committed)[0];
const calls = {
  get: () => db.get(key),
  getRaw: () => db.getRaw(key),
  has: () => db.has(key),
  begin: () => db.begin(),
  transaction: () => db.transaction((tx) => tx.add(uuidv7(), 1)),
  activeTransaction: () => db.activeTransaction,
  entries: () => [...db.entries()],
  maxTimestamp: () => db.maxTimestamp(),
  refresh: () => db.refresh(),
  watch: () => db.watch(),
};
if (failedTx !== null) {
  calls["tx.add"] = () => failedTx.add(uuidv7(), 1);
  calls["tx.savepoint"] = () => failedTx.savepoint();
  calls["tx.commit"] = () => failedTx.commit();
  calls["tx.rollback"] = () => failedTx.rollback(0);
}
out.tombstoned = Object.fromEntries(Object.entries(calls).map(([n, c]) => [n, tombstoneOutcome(c)]));
out.txState = failedTx?.state ?? null;
out.close = outcome(() => db.close());
if (how === "batch") {
  // Room is left under the limit: a new handle, still under it, commits.
  const k = uuidv7();
  out.newWriterUnderLimit = outcome(() => {
    const again = open(path, { mode: "write" });
    try { again.transaction((tx) => tx.add(k, "again")); } finally { again.close(); }
  });
  if (out.newWriterUnderLimit === "ok") committed[k] = "again";
}
console.log(JSON.stringify(out));
`;

interface EfbigReport {
  failure: { name: string; code: string; cause: string | null; message: string } | null;
  sizeBefore: number;
  sizeAfter: number;
  committed: Record<string, unknown>;
  open: Record<string, unknown>;
  lost: string[];
  verifyAfterFailure: string;
  tombstoned: Record<string, string>;
  txState: string | null;
  close: string;
  newWriterUnderLimit?: string;
}

/** Runs EFBIG_CHILD with a file size limit of `blocks` KiB (SIGXFSZ ignored, as the txlog tests do). */
function runUnderFileSizeLimit(path: string, how: "calls" | "batch", blocks: number): EfbigReport {
  const run = spawnSync(
    "bash",
    [
      "-c",
      `trap '' XFSZ; ulimit -f ${blocks}; exec "$0" --input-type=module -e "$1" "\${@:2}"`,
      process.execPath,
      EFBIG_CHILD,
      path,
      how,
      String(blocks * 1024),
    ],
    { cwd: RELIABILITY_DIR, encoding: "utf8", timeout: 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as EfbigReport;
}

describe("S_006 FR_023 the file size limit (EFBIG under ulimit -f)", () => {
  beforeAll(() => ensureFrozenDbBuilt(), 300_000);

  for (const how of ["calls", "batch"] as const) {
    const title =
      how === "calls"
        ? "call by call (add): WriteError(EFBIG), the file cut back to its size before the call, the handle tombstoned, committed rows readable by new handles, a new writer without the limit rolls back the recovered transaction and commits, verify passes"
        : "db.transaction(fn): WriteError(EFBIG), no byte of the failed batch left, the handle tombstoned, committed rows readable by new handles, a new writer (under the limit and without it) commits, verify passes";
    it(`S_006 FR_023 ${title}`, () => {
      const path = join(tempDir(), "db.fdb");
      create(path, { rowSize: 128, skewMs: 5_000 });
      const out = runUnderFileSizeLimit(path, how, how === "calls" ? 4 : 8);
      expect(out.failure, "the failing write").toMatchObject({
        name: "WriteError",
        code: "write_error",
        cause: "EFBIG",
      });
      expect(
        Object.keys(out.committed).length,
        "rows committed before the limit",
      ).toBeGreaterThanOrEqual(5);
      const w: Written = {
        committed: new Map(Object.entries(out.committed)),
        open: new Map(Object.entries(out.open)),
        lost: out.lost,
        failedTx: null, // it lived in the child

        error: out.failure,
        sizeBefore: out.sizeBefore,
        sizeAfter: out.sizeAfter,
      };
      expectCutBack(path, 128, w);
      expect(out.verifyAfterFailure, "verify right after the failure (in the child)").toBe("ok");
      expect(out.tombstoned, "later calls on the same handle").toEqual(
        Object.fromEntries(Object.keys(out.tombstoned).map((name) => [name, "TombstonedError"])),
      );
      expect(Object.keys(out.tombstoned)).toHaveLength(how === "calls" ? 14 : 10);
      expect(out.txState, "the failed transaction").toBe(how === "calls" ? "tombstoned" : null);
      expect(out.close, "close stays allowed").toBe("ok");
      if (how === "batch") {
        expect(out.newWriterUnderLimit, "a new handle under the same limit commits").toBe("ok");
      }
      const keys = new KeySource(Date.now() + 1_000);
      expectReaders(path, w, "right after the failure");
      // Without the limit, a new process takes over.
      expectNewWriterContinues(path, w, keys, how === "calls", "rollback");
    });
  }
});
