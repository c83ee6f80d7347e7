/**
 * "Process restart" for the model-based test: a real child process opens the
 * file in write mode, reports the transaction it recovered, runs a short
 * sequence of operations and then either closes and exits or kills itself
 * with SIGKILL (between two calls, so what it did is exactly known).
 */
import { runNode } from "@frozendb/testkit";
import type { FinderStrategy } from "frozendb";
import { RELIABILITY_DIR } from "./model-build.js";
import type { Op, Outcome } from "./model-state.js";

/** The child: argv = path, finder, ops (JSON), "exit" | "kill". Uses the built `frozendb`. */
const CHILD_SCRIPT = `
import { open, FrozenDBError } from "frozendb";
import { writeSync } from "node:fs";
const [path, finder, opsJson, ending] = process.argv.slice(1);
const ops = JSON.parse(opsJson);
const db = open(path, { mode: "write", finder });
const active = db.activeTransaction;
const recovered = active === null ? null : { rowCount: active.rowCount, savepointCount: active.savepointCount };
function outcome(call) {
  try { call(); return "ok"; }
  catch (e) { return e instanceof FrozenDBError ? e.code + ": " + e.message : "not a FrozenDBError: " + String(e); }
}
function run(op) {
  if (op.t === "begin") return outcome(() => db.begin());
  const tx = db.activeTransaction;
  if (tx === null) return "no active transaction";
  if (op.t === "add") return outcome(() => (op.raw ? tx.addRaw(op.key, op.json) : tx.add(op.key, JSON.parse(op.json))));
  if (op.t === "savepoint") return outcome(() => tx.savepoint());
  if (op.t === "rollback") return outcome(() => tx.rollback(op.n));
  return outcome(() => tx.commit());
}
const outcomes = ops.map(run);
// Written synchronously: nothing may be lost to the kill below.
writeSync(1, JSON.stringify({ recovered, outcomes }) + "\\n");
if (ending === "kill") process.kill(process.pid, "SIGKILL");
db.close();
`;

/** What the child reports. */
export interface ChildReport {
  readonly recovered: { rowCount: number; savepointCount: number } | null;
  readonly outcomes: Outcome[];
}

/** Runs the child on `path` (which no other handle may hold in write mode). */
export function runRestartChild(
  path: string,
  finder: FinderStrategy,
  ops: readonly Op[],
  ending: "exit" | "kill",
): ChildReport {
  const run = runNode(CHILD_SCRIPT, [path, finder, JSON.stringify(ops), ending], RELIABILITY_DIR);
  const endedAsAsked = ending === "kill" ? run.status === null : run.status === 0;
  if (!endedAsAsked) {
    throw new Error(`restart child (${ending}) ended with status ${run.status}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ChildReport;
}
