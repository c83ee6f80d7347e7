/**
 * S_006 FR_014 — model-based testing: random sequences of begin / add /
 * savepoint / rollback(n) / commit / db.transaction(fn) / close+reopen /
 * process restart run against a real file and an in-memory model; after
 * every step `get` of every key written so far agrees with the model, and
 * at the end `verify` passes and fresh read handles with each finder agree.
 */
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import fc from "fast-check";
import { create, open } from "frozendb";
import { afterAll, beforeAll, describe, it } from "vitest";
import { scale } from "./helpers/mode.js";
import { ensureFrozenDbBuilt } from "./helpers/model-build.js";
import {
  limitCommands as c,
  commandArbitrary,
  FINDERS,
  figures,
  type Real,
  ROW_SIZE,
} from "./helpers/model-commands.js";
import { expectSameAsModel, expectVerified } from "./helpers/model-exec.js";
import { KeySource, Model } from "./helpers/model-state.js";

// Wide enough that keys written again after a rollback (older by at most a
// few thousand milliseconds) never break the ordering rule.
const SKEW_MS = 60_000;

beforeAll(() => ensureFrozenDbBuilt(), 300_000);

afterAll(() => {
  // The figures RELIABILITY.md reports.
  console.log(`S_006 FR_014 model-based figures: ${JSON.stringify(figures)}`);
});

/** A new file and a write handle on it, with an empty model. */
function setup(
  dir: string,
  name: string,
  finder: (typeof FINDERS)[number],
): { model: Model; real: Real } {
  const path = join(dir, `${name}.fdb`);
  create(path, { rowSize: ROW_SIZE, skewMs: SKEW_MS });
  const real: Real = {
    path,
    keys: new KeySource(Date.now()),
    db: open(path, { mode: "write", finder }),
    ended: null,
  };
  return { model: new Model(), real };
}

/** The end of a run: the file verifies and new read handles with every finder agree. */
function finalChecks(model: Model, real: Real): void {
  real.db.close();
  expectVerified(real.path, model);
  for (const finder of FINDERS) {
    const reader = open(real.path, { mode: "read", finder, follow: false });
    try {
      expectSameAsModel(reader, model);
    } finally {
      reader.close();
    }
  }
}

/** Runs `commands` on a fresh file, then the final checks; always closes the handle. */
function runModel(
  dir: string,
  name: string,
  finder: (typeof FINDERS)[number],
  commands: Iterable<fc.Command<Model, Real>>,
): void {
  const env = setup(dir, name, finder);
  try {
    fc.modelRun(() => env, commands);
    finalChecks(env.model, env.real);
    figures.runs++;
  } finally {
    env.real.db.close();
  }
}

describe("S_006 FR_014 model-based testing", () => {
  it(
    "S_006 FR_014 random begin/add/savepoint/rollback/commit/transaction(fn)/reopen/restart sequences agree with the model after every step, and the file verifies",
    () => {
      const dir = tempDir();
      let run = 0;
      fc.assert(
        fc.property(
          fc.commands([commandArbitrary(1)], { maxCommands: scale(40, 80), size: "max" }),
          fc.constantFrom(...FINDERS),
          (commands, finder) => runModel(dir, `run-${run++}`, finder, commands),
        ),
        { numRuns: scale(50, 1_000) },
      );
    },
    scale(120_000, 3_600_000),
  );

  it("S_006 FR_014 the 100-row and 9-savepoint limits hold across reopen and restart: exceeding them is refused and changes nothing", () => {
    const dir = tempDir();
    // Fill a transaction to 100 rows, resume it in another handle and in a
    // child process, where the 101st row is refused too; then commit it.
    runModel(dir, "rows", "inmemory", [
      c.begin(),
      c.fill(),
      c.reopen("simple"),
      c.add('"101st after reopen"'),
      c.restart([{ kind: "add", n: 0, json: "1" }], "exit"),
      c.commit(),
    ]);
    // Nine savepoints, a refused tenth (also after a reopen and a kill),
    // rollback(10) refused, then rollback(9) keeps the rows up to savepoint 9.
    runModel(dir, "savepoints", "binary_search", [
      c.begin(),
      c.savepoints(),
      c.reopen("inmemory"),
      c.savepoint(),
      c.add('"after the limit"'),
      c.restart([{ kind: "savepoint", n: 0, json: "0" }], "kill"),
      c.rollback(10),
      c.rollback(9),
    ]);
  });
});
