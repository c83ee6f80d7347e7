// FR-025 (fdatasync at commit/rollback unless sync: false), FR-026 (a failed
// write tombstones the transaction and closes the file), and the "one write
// per call" half of FR-017 / FR-023, observed on real child processes.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { create, open } from "../src/index.js";
import {
  ensureBuilt,
  runChildTraced,
  runChildWithFileSizeLimit,
  straceWorks,
} from "./helpers/tx-child.js";
import { BASE_MS, committedOf, decodeFile, key, newLog, snapshot, val } from "./helpers/tx-util.js";

beforeAll(() => {
  ensureBuilt();
}, 120_000);

const hasStrace = straceWorks();
const straceNote = hasStrace ? "" : " (skipped: strace cannot trace here)";

/** Key helper for child scripts (same layout as helpers/tx-util key()). */
const CHILD_KEY = `
const key = (ms, n = 0) => {
  const t = ms.toString(16).padStart(12, "0");
  return t.slice(0, 8) + "-" + t.slice(8, 12) + "-7000-8000-" + (n + 1).toString(16).padStart(12, "0");
};
const BASE = ${BASE_MS};
`;

/** Writes "MARK <name>" to stdout with a raw write(2), so it shows in the trace. */
const SYNC_SCRIPT = `
import { writeSync } from "node:fs";
${CHILD_KEY}
const [path, syncArg] = process.argv.slice(1);
const mark = (name) => writeSync(1, "MARK " + name + "\\n");
mark("open");
const log = txlog.open(path, syncArg === "default" ? { mode: "write" } : { mode: "write", sync: syncArg === "on" });
mark("begin");
let tx = log.begin();
mark("add1");
tx.add(key(BASE, 1), '{"a":1}');
mark("add2");
tx.add(key(BASE + 1, 2), '{"a":2}');
mark("savepoint");
tx.savepoint();
mark("add3");
tx.add(key(BASE + 2, 3), '{"a":3}');
mark("commit");
tx.commit();
mark("begin2");
tx = log.begin();
tx.add(key(BASE + 3, 4), '{"a":4}');
mark("rollback");
tx.rollback(0);
mark("append");
log.appendTransaction([
  { key: key(BASE + 4, 5), value: "5" },
  { key: key(BASE + 5, 6), value: "6" },
  { key: key(BASE + 6, 7), value: "7" },
]);
mark("appendNull");
log.appendTransaction([]);
mark("beginNull");
tx = log.begin();
mark("nullCommit");
tx.commit();
mark("close");
log.close();
mark("end");
`;

interface Segment {
  name: string;
  calls: string[];
}

/** Splits a trace into MARK segments, keeping the syscalls on the database file. */
function segments(trace: string[], dbPath: string): Segment[] {
  const out: Segment[] = [];
  let current: Segment | undefined;
  for (const line of trace) {
    const m = /"MARK (\w+)\\n"/.exec(line);
    if (m) {
      current = { name: m[1]!, calls: [] };
      out.push(current);
      continue;
    }
    const call = /\b(write|pwrite64|writev|pwritev2?|fdatasync|fsync)\(\d+<([^>]*)>/.exec(line);
    if (call && call[2] === dbPath && current) current.calls.push(call[1]!);
  }
  return out;
}

function traced(syncArg: "default" | "on" | "off"): Map<string, string[]> {
  const dir = tempDir();
  const path = join(dir, "db.fdb");
  create(path, { rowSize: 128, skewMs: 0 });
  const run = runChildTraced(
    SYNC_SCRIPT,
    [path, syncArg],
    "write,pwrite64,writev,pwritev,pwritev2,fdatasync,fsync",
    join(dir, "trace.txt"),
  );
  expect(run.status, run.stderr).toBe(0);
  const bySegment = new Map(segments(run.trace, path).map((s) => [s.name, s.calls]));
  expect([...bySegment.keys()]).toEqual([
    "open",
    "begin",
    "add1",
    "add2",
    "savepoint",
    "add3",
    "commit",
    "begin2",
    "rollback",
    "append",
    "appendNull",
    "beginNull",
    "nullCommit",
    "close",
    "end",
  ]);
  // Either way every byte is in the file afterwards.
  const rows = decodeFile(snapshot(path)).rows;
  expect([...committedOf(rows).keys()]).toEqual([
    key(BASE_MS, 1),
    key(BASE_MS + 1, 2),
    key(BASE_MS + 2, 3),
    key(BASE_MS + 4, 5),
    key(BASE_MS + 5, 6),
    key(BASE_MS + 6, 7),
  ]);
  return bySegment;
}

describe("S_002 FR_025 sync", () => {
  it.skipIf(!hasStrace)(
    `S_002 FR_025 by default commit, rollback and appendTransaction each fdatasync the file after their write; begin/add/savepoint never sync${straceNote}`,
    () => {
      const s = traced("default");
      expect(s.get("open")).toEqual([]);
      expect(s.get("begin")).toEqual(["write"]);
      expect(s.get("add1")).toEqual(["write"]);
      expect(s.get("add2")).toEqual(["write"]);
      expect(s.get("savepoint")).toEqual(["write"]);
      expect(s.get("add3")).toEqual(["write"]);
      expect(s.get("commit")).toEqual(["write", "fdatasync"]);
      expect(s.get("begin2")).toEqual(["write", "write"]);
      expect(s.get("rollback")).toEqual(["write", "fdatasync"]);
      expect(s.get("append")).toEqual(["write", "fdatasync"]);
      expect(s.get("appendNull")).toEqual(["write", "fdatasync"]);
      expect(s.get("nullCommit")).toEqual(["write", "fdatasync"]);
      expect(s.get("close")).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!hasStrace)(
    `S_002 FR_025 sync: true behaves as the default${straceNote}`,
    () => {
      const s = traced("on");
      expect(s.get("commit")).toEqual(["write", "fdatasync"]);
      expect(s.get("rollback")).toEqual(["write", "fdatasync"]);
      expect(s.get("append")).toEqual(["write", "fdatasync"]);
    },
    60_000,
  );

  it.skipIf(!hasStrace)(
    `S_002 FR_025 with sync: false no call syncs, and each call is still exactly one write${straceNote}`,
    () => {
      const s = traced("off");
      for (const [name, calls] of s) {
        expect(
          calls.filter((c) => c === "fdatasync" || c === "fsync"),
          name,
        ).toEqual([]);
      }
      expect(s.get("commit")).toEqual(["write"]);
      expect(s.get("rollback")).toEqual(["write"]);
      expect(s.get("append")).toEqual(["write"]);
      expect(s.get("add3")).toEqual(["write"]);
    },
    60_000,
  );

  it("S_002 FR_025 with sync: false a commit is in the file (seen by another descriptor and a reader) when it returns", () => {
    const { path, log } = newLog({ sync: false });
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    tx.commit();
    expect(readFileSync(path).length).toBe(64 + 2 * 128);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.rowCount()).toBe(2);
    expect(reader.readRow(1)).toMatchObject({ type: "data", endControl: "TC" });
    reader.close();
    log.close();
  });
});

/** Fills the file past a 1 KiB RLIMIT_FSIZE and reports what every later call does. */
const FAIL_SCRIPT = `
${CHILD_KEY}
const [path, how, writes] = process.argv.slice(1);
const log = txlog.open(path, { mode: "write", directWrites: writes === "direct" });
log.appendTransaction([{ key: key(BASE, 0), value: '{"committed":true}' }]);
const attempt = (f) => { try { f(); return "ok"; } catch (e) { return String(e); } };
const out = {};
let tx;
let failure;
let adds = 0;
try {
  if (how === "add") {
    tx = log.begin();
    for (; adds < 20; adds++) tx.add(key(BASE + 1 + adds, adds + 1), '{"n":' + adds + '}');
  } else {
    const rows = [];
    for (let i = 0; i < 10; i++) rows.push({ key: key(BASE + 1 + i, i + 1), value: '{"n":' + i + '}' });
    log.appendTransaction(rows);
  }
} catch (e) {
  failure = e;
}
out.adds = adds;
out.error = failure && { code: failure.code, message: failure.message, cause: String(failure.cause && (failure.cause.code || failure.cause.message)) };
out.state = tx && tx.state;
out.closed = log.closed;
if (tx) {
  out.add = attempt(() => tx.add(key(BASE + 50, 50), "1"));
  out.savepoint = attempt(() => tx.savepoint());
  out.rollback = attempt(() => tx.rollback(0));
  out.commit = attempt(() => tx.commit());
}
out.begin = attempt(() => log.begin());
out.append = attempt(() => log.appendTransaction([{ key: key(BASE + 60, 60), value: "1" }]));
out.readRow = attempt(() => log.readRow(0));
out.active = attempt(() => log.activeTransaction);
log.close();
console.log(JSON.stringify(out));
`;

/** What FAIL_SCRIPT prints. */
interface FailReport {
  adds: number;
  error?: { code: string; message: string; cause: string };
  state?: string;
  closed: boolean;
  add?: string;
  savepoint?: string;
  rollback?: string;
  commit?: string;
  begin: string;
  append: string;
  readRow: string;
}

describe("S_002 FR_026 write failures", () => {
  for (const [how, writes] of [
    ["add", "direct"],
    ["append", "direct"],
    ["add", "fs"],
    ["append", "fs"],
  ] as const) {
    it(`S_002 FR_026 S_002 FR_035 a real write failure (EFBIG under ulimit -f) in ${how === "add" ? "add" : "appendTransaction"} (${writes === "direct" ? "the addon's write(2)" : "fs.writeSync"}) is write_error, tombstones the transaction and closes the file`, () => {
      const path = join(tempDir(), "db.fdb");
      create(path, { rowSize: 128, skewMs: 0 });
      const run = runChildWithFileSizeLimit(FAIL_SCRIPT, [path, how, writes], 1);
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as FailReport;
      expect(out.error).toMatchObject({ code: "write_error", cause: "EFBIG" });
      expect(out.closed).toBe(true);
      const closed = "tombstoned: file manager is closed";
      if (how === "add") {
        // 192 + 128 (committed) + 2 (begin) + 121 + 4 × 128 = 955; the 6th add crosses 1024.
        expect(out.adds).toBe(5);
        expect(out.state).toBe("tombstoned");
        const tomb = "tombstoned: transaction is tombstoned due to write failure";
        expect(out.add).toBe(tomb);
        expect(out.savepoint).toBe(tomb);
        expect(out.rollback).toBe(tomb);
        expect(out.commit).toBe(tomb);
      }
      expect(out.begin).toBe(closed);
      expect(out.append).toBe(closed);
      expect(out.readRow).toBe(closed);
      expect(statSync(path).size).toBeLessThanOrEqual(1024);
      // The committed transaction before the failure is intact for a reader.
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.readRow(1)).toMatchObject({ type: "data", endControl: "TC" });
      reader.close();
    }, 60_000);
  }

  for (const how of ["add", "append"] as const) {
    it(`S_002 FR_026 a partly done ${how === "add" ? "add" : "appendTransaction"} write is taken back, so the next writer continues without recover`, () => {
      const path = join(tempDir(), "db.fdb");
      create(path, { rowSize: 128, skewMs: 0 });
      const run = runChildWithFileSizeLimit(FAIL_SCRIPT, [path, how], 1);
      expect(run.status, run.stderr).toBe(0);
      // Where the file stood before the failing call: 5 adds after the
      // committed row (see above), or just the committed row; no transaction
      // end was completed by the failing write.
      expect(statSync(path).size).toBe(how === "add" ? 955 : 320);
      const writer = open(path, { mode: "write", follow: false });
      if (how === "add") {
        // The five adds form the recovered open transaction; its last row
        // is partial and can carry the commit.
        writer.activeTransaction!.commit();
      }
      writer.appendTransaction([{ key: key(BASE_MS + 70, 70), value: "2" }]);
      const rows = writer.rowCount();
      writer.close();
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.readRow(rows - 1)).toMatchObject({ type: "data", endControl: "TC" });
      reader.close();
    }, 60_000);
  }
});
