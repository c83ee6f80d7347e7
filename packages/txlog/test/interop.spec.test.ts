// FR-032: a transaction begun in one process is continued and committed in
// another; and interop with the files the original wrote (spec 002 edge
// cases): closed ones take new transactions, open ones resume.
import { join } from "node:path";
import {
  copyReference,
  hasReference,
  killHard,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
  startNode,
  tempDir,
} from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { create, open, type Transaction, verify } from "../src/index.js";
import { ensureBuilt, PRELUDE, REPO_ROOT, runChild, runChildJson } from "./helpers/tx-child.js";
import {
  BASE_MS,
  committedOf,
  decodeFile,
  expectError,
  expectRejected,
  key,
  snapshot,
  val,
  viewRow,
} from "./helpers/tx-util.js";

beforeAll(() => {
  ensureBuilt();
}, 120_000);

const K = [0, 1, 2, 3, 4, 5].map((i) => key(BASE_MS + i * 10, i));

/**
 * Child: open write mode, begin, add rows, optionally a savepoint; then exit
 * without commit or close ("exit") or wait to be killed ("wait").
 * argv: path, exit|wait, yes|no (savepoint), then key/value pairs.
 */
const BEGIN_AND_ADD = `
const [path, then, savepoint, ...pairs] = process.argv.slice(1);
const log = txlog.open(path, { mode: "write" });
const tx = log.begin();
for (let i = 0; i < pairs.length; i += 2) tx.add(pairs[i], pairs[i + 1]);
if (savepoint === "yes") tx.savepoint();
console.log("ready");
if (then === "exit") process.exit(0);
setInterval(() => {}, 1000);
`;

describe("S_002 FR_032 a transaction across processes", () => {
  it("S_002 FR_032 begun + two adds in a child that exits; this process resumes it, adds and commits; the rows decode as expected", () => {
    const path = join(tempDir(), "db.fdb");
    create(path, { rowSize: 256, skewMs: 100 });
    const run = runChild(BEGIN_AND_ADD, [
      path,
      "exit",
      "no",
      K[0]!,
      '{"from":"child"}',
      K[1]!,
      "[1,2]",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const log = open(path, { mode: "write" });
    const tx = log.activeTransaction!;
    expect(tx).not.toBeNull();
    expect(tx.rowCount).toBe(2);
    expect(tx.savepointCount).toBe(0);
    tx.add(K[2]!, '"from parent"');
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.slice(1).map((r) => [r.start, r.end, r.key, r.value])).toEqual([
      ["T", "RE", K[0], '{"from":"child"}'],
      ["R", "RE", K[1], "[1,2]"],
      ["R", "TC", K[2], '"from parent"'],
    ]);
    expect(verify(path)).toMatchObject({ dataRows: 3, openTransaction: false });
  });

  it("S_002 FR_032 a child SIGKILLed after its adds (savepoint pending); a second child resumes, adds, rolls back to the savepoint", async () => {
    const path = join(tempDir(), "db.fdb");
    create(path, { rowSize: 256, skewMs: 100 });
    const child = await startNode(
      PRELUDE + BEGIN_AND_ADD,
      [path, "wait", "yes", K[0]!, "1", K[1]!, "2"],
      REPO_ROOT,
    );
    // The child holds the lock: a writer here must fail.
    expectError(() => open(path, { mode: "write" }), "write_error", /./);
    await killHard(child);
    const out = runChildJson<{ rows: number; savepoints: number; error?: string }>(
      `const log = txlog.open(process.argv[1], { mode: "write" });
       const tx = log.activeTransaction;
       const out = { rows: tx.rowCount, savepoints: tx.savepointCount };
       tx.add(${JSON.stringify(K[2])}, "3"); // completes K1's row with SE
       tx.rollback(1);
       log.close();
       console.log(JSON.stringify(out));`,
      [path],
    );
    expect(out).toEqual({ rows: 2, savepoints: 1 });
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.slice(1).map((r) => [r.start, r.end, r.key])).toEqual([
      ["T", "RE", K[0]],
      ["R", "SE", K[1]],
      ["R", "R1", K[2]],
    ]);
    expect([...committedOf(rows).keys()]).toEqual([K[0], K[1]]);
    expect(verify(path).openTransaction).toBe(false);
  }, 30_000);

  it("S_002 FR_032 the resuming process checks ordering against the other process's keys, partial row included", () => {
    const path = join(tempDir(), "db.fdb");
    create(path, { rowSize: 256, skewMs: 20 });
    const late = key(BASE_MS + 1000, 9);
    const run = runChild(BEGIN_AND_ADD, [path, "exit", "no", key(BASE_MS, 8), "1", late, "2"]);
    expect(run.status, run.stderr).toBe(0);
    const log = open(path, { mode: "write" });
    const tx = log.activeTransaction!;
    expectRejected(
      path,
      () => tx.add(key(BASE_MS + 980, 10), "3"),
      "key_ordering",
      "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
    );
    expectRejected(path, () => tx.add(late, "3"), "invalid_input", /^key already exists/);
    tx.add(key(BASE_MS + 981, 11), "3");
    tx.commit();
    log.close();
    expect(committedOf(decodeFile(snapshot(path)).rows).size).toBe(3);
  });

  it("S_002 FR_032 an empty transaction begun in a child (1F 'T' only) is committed here as a null row", () => {
    const path = join(tempDir(), "db.fdb");
    create(path, { rowSize: 128, skewMs: 0 });
    const run = runChild(BEGIN_AND_ADD, [path, "exit", "no"]);
    expect(run.status, run.stderr).toBe(0);
    expect(snapshot(path).length).toBe(64 + 128 + 2);
    const log = open(path, { mode: "write" });
    const tx = log.activeTransaction!;
    expect(tx.rowCount).toBe(0);
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.map((r) => [r.type, r.key])).toEqual([
      ["checksum", undefined],
      ["null", "00000000-0000-7000-8000-000000000000"],
    ]);
  });
});

/** How an open transaction recovered from a reference file is ended. */
type Ending = "commit" | "rollback(0)" | "add, then rollback(1)";

function endingsFor(name: string, open: boolean): (Ending | "none")[] {
  if (!open) return ["none"];
  if (name.includes("savepoint")) return ["rollback(0)", "add, then rollback(1)", "commit"];
  return ["commit", "rollback(0)"];
}

describe("S_002 FR_032 interop with the original's files", () => {
  const names = referenceNames();
  it.skipIf(!hasReference)(
    `S_002 FR_032 the reference set is present${referenceSkipReason}`,
    () => {
      expect(names).toEqual(
        expect.arrayContaining([
          "bench-12k-rows",
          "cli-mixed",
          "cli-open-tx",
          "cli-open-tx-savepoint",
          "concurrent-reader-writer",
          "getting-started",
        ]),
      );
    },
  );

  for (const name of names) {
    const expected = referenceExpectation(name);
    const isOpen = expected.last_tx_state === "open";
    for (const ending of endingsFor(name, isOpen)) {
      const title = isOpen
        ? `S_002 FR_032 ${name}: the open transaction resumes (${ending}), new transactions follow, verify passes and every committed key is kept`
        : `S_002 FR_032 ${name}: new transactions are appended to the closed file, verify passes and every committed key is kept`;
      it(title, () => {
        const path = copyReference(name, tempDir());
        const log = open(path, { mode: "write" });
        const max = expected.max_timestamp;
        expect(log.maxTimestamp()).toBe(max);
        const added: string[] = [];
        const dropped: string[] = [...expected.rolled_back];
        let extra = 0;
        const nextKey = () => key(max + 1 + extra, 0x900 + extra++);
        if (isOpen) {
          const tx = log.activeTransaction as Transaction;
          expect(tx).not.toBeNull();
          expect(tx.rowCount).toBe(expected.uncommitted.length);
          expectError(() => log.begin(), "invalid_action", "active transaction already exists");
          if (ending === "commit") {
            tx.commit();
            added.push(...expected.uncommitted);
          } else if (ending === "rollback(0)") {
            tx.rollback(0);
            dropped.push(...expected.uncommitted);
          } else {
            expect(tx.savepointCount).toBeGreaterThanOrEqual(1);
            const k = nextKey();
            tx.add(k, '"resumed"');
            tx.rollback(1);
            // Savepoint 1 is the recovered row's pending S: everything up to it stays.
            added.push(...expected.uncommitted);
            dropped.push(k);
          }
        } else {
          expect(log.activeTransaction).toBeNull();
        }
        // A batch, a call-by-call transaction with a partial rollback, a null row.
        const batch = [nextKey(), nextKey(), nextKey()];
        log.appendTransaction(batch.map((k, i) => ({ key: k, value: `{"new":${i}}` })));
        added.push(...batch);
        const tx = log.begin();
        const kept = [nextKey(), nextKey()];
        const lost = nextKey();
        tx.add(kept[0]!, "1");
        tx.add(kept[1]!, "2");
        tx.savepoint();
        tx.add(lost, "3");
        tx.rollback(1);
        added.push(...kept);
        dropped.push(lost);
        log.begin().commit();
        // Keys of the original's committed rows are duplicates; its rolled-back ones are free.
        const committedKeys = Object.keys(expected.committed);
        const lastCommitted = committedKeys.at(-1)!;
        const t2 = log.begin();
        const tsOf = (k: string) => Number.parseInt(k.replaceAll("-", "").slice(0, 12), 16);
        expect(tsOf(lastCommitted) + log.skewMs).toBeGreaterThan(log.maxTimestamp());
        expectRejected(
          path,
          () => t2.add(lastCommitted, "0"),
          "invalid_input",
          /^key already exists/,
        );
        const reusable = dropped.find((k) => tsOf(k) + log.skewMs > log.maxTimestamp());
        expect(reusable).toBeDefined();
        t2.add(reusable!, '"again"');
        added.push(reusable!);
        dropped.splice(dropped.indexOf(reusable!), 1);
        t2.commit();
        log.close();

        const report = verify(path);
        expect(report.openTransaction).toBe(false);
        expect(report.partialRow).toBeUndefined();
        const reader = open(path, { mode: "read", follow: false });
        const bytes = snapshot(path);
        const decoded = decodeFile(bytes);
        expect(reader.rowCount()).toBe(decoded.rows.length);
        for (let i = 0; i < reader.rowCount(); i++) {
          expect(viewRow(i, reader.readRow(i))).toEqual(decoded.rows[i]);
        }
        reader.close();
        const committed = committedOf(decoded.rows);
        for (const [k, v] of Object.entries(expected.committed)) {
          expect(JSON.parse(committed.get(k)!), k).toEqual(v);
        }
        for (const k of added) expect(committed.has(k), k).toBe(true);
        for (const k of dropped) expect(committed.has(k), k).toBe(false);
        expect(committed.size).toBe(committedKeys.length + added.length);
      });
    }
  }
});

it("S_002 FR_032 a reader in this process sees nothing of a child's open transaction until this process commits it", () => {
  const path = join(tempDir(), "db.fdb");
  create(path, { rowSize: 128, skewMs: 0 });
  const run = runChild(BEGIN_AND_ADD, [path, "exit", "no", K[0]!, "1", K[1]!, "2"]);
  expect(run.status, run.stderr).toBe(0);
  const reader = open(path, { mode: "read", follow: false });
  const seen: string[] = [];
  reader.subscribe((i, row) =>
    seen.push(`${i}:${row.type === "data" ? row.endControl : row.type}`),
  );
  const snapshotTx = reader.activeTransaction!;
  expect(snapshotTx.rowCount).toBe(2);
  expectError(() => snapshotTx.add(K[2]!, "3"), "invalid_action", /./);
  const log = open(path, { mode: "write" });
  log.activeTransaction!.commit();
  log.close();
  expect(reader.refresh()).toBe(1);
  expect(seen).toEqual(["2:TC"]);
  reader.close();
});

it("S_002 FR_032 values written by the other process keep their exact bytes (no re-serialisation)", () => {
  const path = join(tempDir(), "db.fdb");
  create(path, { rowSize: 256, skewMs: 0 });
  const value = '{ "b" : 12345678901234567890 , "a":"é\\n" }';
  const run = runChild(BEGIN_AND_ADD, [path, "exit", "no", K[0]!, value]);
  expect(run.status, run.stderr).toBe(0);
  const log = open(path, { mode: "write" });
  log.activeTransaction!.commit();
  log.appendTransaction([{ key: K[1]!, value: val(1) }]);
  log.close();
  expect(committedOf(decodeFile(snapshot(path)).rows).get(K[0]!)).toBe(value);
});
