// Crash-suite writer (spec 006 FR-001): commits random transaction shapes on
// a frozenDB file until the test kills it with SIGKILL.
//
//   node crash-writer.mjs <path> <options JSON: {create, rowSize, sync, finder, seed}>
//
// Events on stdout, one JSON line each (stdout to a pipe is synchronous on
// Linux, so a line printed before the kill reaches the test):
//   {e:"starting"} → {e:"created"} (when it creates the file) → {e:"ready"}
//   {e:"plan", id, kind, adds:[[key, value]…], keep, savepointRows}   BEFORE its first call
//   {e:"done", id}                                      AFTER its last call returned
// `keep` is how many of `adds` (a prefix) are visible once the transaction
// has ended as planned; the rest are rolled back (or never written).
// `savepointRows[s - 1]` is the index in `adds` of the row savepoint s marks.
import { create, open, uuidv7 } from "frozendb";

const [path, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const random = seededRandom(options.seed);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

// A writer the test forgot must not live on.
setTimeout(() => process.exit(3), 60_000).unref();

say({ e: "starting" });
if (options.create) {
  create(path, { rowSize: options.rowSize });
  say({ e: "created" });
}
const db = open(path, { mode: "write", sync: options.sync, finder: options.finder });
say({ e: "ready" });

for (let id = 1; ; id++) {
  const plan = planTransaction(id);
  const { kind, adds, keep, savepointRows = [] } = plan;
  say({ e: "plan", id, kind, adds, keep, savepointRows });
  await run(plan);
  say({ e: "done", id });
  if (random() < 0.2) await pause();
}

/** Executes a planned transaction, pausing between calls now and then (kills land between calls). */
async function run(plan) {
  if (plan.kind === "batch" || plan.kind === "batch-throw") {
    try {
      db.transaction((tx) => {
        for (const [key, value] of plan.adds) tx.add(key, value);
        if (plan.kind === "batch-throw") throw new Error("planned abort");
      });
    } catch (error) {
      if (plan.kind !== "batch-throw" || error.message !== "planned abort") throw error;
    }
    return;
  }
  let tx;
  for (const [op, arg] of plan.ops) {
    if (op === "begin") tx = db.begin();
    else if (op === "add") tx.add(arg[0], arg[1]);
    else if (op === "savepoint") tx.savepoint();
    else if (op === "commit") tx.commit();
    else tx.rollback(arg);
    if (random() < 0.3) await pause();
  }
}

/**
 * One random transaction: kind, its calls, the rows it adds and how many of
 * them (a prefix) survive its planned end.
 */
function planTransaction(id) {
  const r = random();
  const count = 1 + Math.floor(random() * 5);
  const adds = Array.from({ length: count }, (_, i) => [uuidv7(), randomValue(id, i)]);
  if (r < 0.25) return { kind: "batch", adds, keep: count };
  if (r < 0.3) return { kind: "batch-throw", adds, keep: 0 };
  if (r < 0.35) return { kind: "empty-commit", adds: [], keep: 0, ops: [["begin"], ["commit"]] };
  if (r < 0.4)
    return { kind: "empty-rollback", adds: [], keep: 0, ops: [["begin"], ["rollback", 0]] };
  const ops = [["begin"]];
  const savepointRows = [];
  adds.forEach((add, i) => {
    ops.push(["add", add]);
    if (savepointRows.length < 9 && random() < 0.35) {
      ops.push(["savepoint"]);
      savepointRows.push(i);
    }
  });
  if (r < 0.7)
    return { kind: "commit", adds, keep: count, savepointRows, ops: [...ops, ["commit"]] };
  if (r < 0.8) {
    return { kind: "rollback-all", adds, keep: 0, savepointRows, ops: [...ops, ["rollback", 0]] };
  }
  if (savepointRows.length === 0) {
    // A rollback to a savepoint needs one: mark the first row.
    ops.splice(2, 0, ["savepoint"]);
    savepointRows.push(0);
  }
  const target = 1 + Math.floor(random() * savepointRows.length);
  const keep = savepointRows[target - 1] + 1;
  return {
    kind: "rollback-savepoint",
    adds,
    keep,
    savepointRows,
    ops: [...ops, ["rollback", target]],
  };
}

/** A JSON value of varied shape, small enough for 256-byte rows even in UTF-8. */
function randomValue(id, i) {
  const alphabet = 'abcxyz019 _-"\\/éß€🙂';
  const chars = Array.from(alphabet);
  let s = "";
  const length = Math.floor(random() * 40);
  for (let k = 0; k < length; k++) s += chars[Math.floor(random() * chars.length)];
  const shape = Math.floor(random() * 4);
  if (shape === 0) return { id, i, s };
  if (shape === 1) return [id, i, s, random() < 0.5, null];
  if (shape === 2) return { id, i, nested: { deep: [{ s }], n: random() * 1e6 } };
  return `${id}:${i}:${s}`;
}

function pause() {
  const ms = random() < 0.7 ? 0 : Math.floor(random() * 4);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
