// Concurrency-suite writer (spec 006 FR-011 … FR-013): commits transactions
// until told to stop, with deliberate pauses between the calls of a
// transaction so readers look at the file mid-transaction. Started again
// after a SIGKILL, it first finishes the transaction the killed writer left
// open (the takeover).
//
//   node concurrency-writer.mjs <path> <options JSON: {seed, generation}>
//
// stdin: {"op":"stop"} → ends after the current transaction.
// stdout, one JSON line each (synchronous on a pipe):
//   {e:"recovered", rowCount, savepointCount, startAt, at, marker?} or {e:"recovered", none:true}
//   {e:"ready"}
//   {e:"plan", id, kind, adds:[[key, value]…], keep}  before the first call
//   {e:"pause", id}                                    mid-transaction, before a pause
//   {e:"ending", id, at}                               just before the call that ends it
//   {e:"done", id, at}                                 right after that call returned
//   {e:"stopped"}
// `keep`: how many of `adds` (a prefix) the planned end leaves visible.
// Times are Date.now() (the readers use the same clock).
import { createInterface } from "node:readline";
import { InvalidActionError, open, uuidv7 } from "frozendb";

const [path, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const random = seededRandom(options.seed);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let stopping = false;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (JSON.parse(line).op === "stop") stopping = true;
});
// A writer the test forgot must not live on.
setTimeout(() => process.exit(3), 600_000).unref();

const db = open(path, { mode: "write" });
takeOver();
say({ e: "ready" });

for (let id = 1; !stopping; id++) {
  const plan = planTransaction(id);
  say({ e: "plan", id, kind: plan.kind, adds: plan.adds, keep: plan.keep });
  await run(id, plan);
  await sleep(5 + random() * 25);
}
db.close();
process.stdout.write(`${JSON.stringify({ e: "stopped" })}\n`, () => process.exit(0));

/** Commits the transaction a killed writer left open, so its rows become visible to the readers. */
function takeOver() {
  const tx = db.activeTransaction;
  if (tx === null) {
    say({ e: "recovered", none: true });
    return;
  }
  const { rowCount, savepointCount } = tx;
  const startAt = Date.now();
  let marker;
  try {
    tx.commit();
  } catch (error) {
    // A write torn by the kill: a row must be added before the end (behaviour §4.2).
    if (!(error instanceof InvalidActionError)) throw error;
    marker = [uuidv7(), { torn: options.generation }];
    tx.add(marker[0], marker[1]);
    tx.commit();
  }
  say({ e: "recovered", rowCount, savepointCount, startAt, at: Date.now(), marker });
}

async function run(id, plan) {
  if (plan.kind === "batch") {
    say({ e: "ending", id, at: Date.now() });
    db.transaction((tx) => {
      for (const [key, value] of plan.adds) tx.add(key, value);
    });
    say({ e: "done", id, at: Date.now() });
    return;
  }
  const tx = db.begin();
  for (const [op, arg] of plan.ops) {
    if (op === "add") tx.add(arg[0], arg[1]);
    else if (op === "savepoint") tx.savepoint();
    else {
      say({ e: "ending", id, at: Date.now() });
      if (op === "commit") tx.commit();
      else tx.rollback(arg);
      say({ e: "done", id, at: Date.now() });
      return;
    }
    if (random() < 0.6) {
      say({ e: "pause", id });
      await sleep(5 + random() * 20);
    }
  }
}

/** Batches, slow commits, slow full rollbacks and slow rollbacks to savepoint 1. */
function planTransaction(id) {
  const count = 1 + Math.floor(random() * 5);
  const adds = Array.from({ length: count }, (_, i) => [
    uuidv7(),
    { g: options.generation, id, i, pad: "x".repeat(Math.floor(random() * 60)) },
  ]);
  const r = random();
  if (r < 0.35) return { kind: "batch", adds, keep: count };
  const ops = adds.map((add) => ["add", add]);
  if (r < 0.7) return { kind: "commit", adds, keep: count, ops: [...ops, ["commit"]] };
  if (r < 0.85) return { kind: "rollback", adds, keep: 0, ops: [...ops, ["rollback", 0]] };
  // Savepoint 1 on the first row, then roll back to it: only that row stays.
  ops.splice(1, 0, ["savepoint"]);
  return { kind: "rollback-savepoint", adds, keep: 1, ops: [...ops, ["rollback", 1]] };
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
