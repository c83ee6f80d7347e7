/**
 * The fast-check commands of the model-based test (S_006 FR_014). Each runs
 * one step against the real database and the model, then checks that they
 * agree (the open transaction, and `get` of every key written so far).
 */
import fc from "fast-check";
import { type Database, type FinderStrategy, open, type Transaction } from "frozendb";
import { expect } from "vitest";
import { runRestartChild } from "./model-child.js";
import {
  executeOp,
  expectOutcome,
  expectSameAsModel,
  expectSameTransaction,
  outcomeOf,
} from "./model-exec.js";
import {
  type KeySource,
  MAX_ROWS,
  MAX_SAVEPOINTS,
  type Model,
  OK,
  type Op,
} from "./model-state.js";

export const ROW_SIZE = 256;
/** Longest value a row of ROW_SIZE holds (file format §8.3: N − 33 bytes of JSON). */
export const MAX_VALUE_BYTES = ROW_SIZE - 33;
export const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];

/** How much a run did, summed over the whole test (for the report). */
export const figures = {
  runs: 0,
  commands: 0,
  ops: 0,
  rejected: 0,
  reopens: 0,
  restarts: 0,
  kills: 0,
  childOps: 0,
};

/** The real side: the file, the write handle, and the last ended transaction object. */
export interface Real {
  readonly path: string;
  readonly keys: KeySource;
  db: Database;
  ended: Transaction | null;
}

type Cmd = fc.Command<Model, Real>;

/** One operation on both sides, then the full comparison. */
function step(model: Model, real: Real, op: Op, checkReads = true): void {
  const tx = real.db.activeTransaction;
  const expected = model.apply(op);
  const actual = executeOp(real.db, op);
  expectOutcome(actual, expected, JSON.stringify(op));
  figures.ops++;
  if (expected !== OK) figures.rejected++;
  if ((op.t === "commit" || op.t === "rollback") && actual === OK) real.ended = tx;
  if (checkReads) expectSameAsModel(real.db, model);
  else expectSameTransaction(real.db, model);
}

class BeginCmd implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    figures.commands++;
    step(model, real, { t: "begin" });
  }
  toString = () => "begin";
}

type KeyKind = "fresh" | "dupCommitted" | "dupTx" | "rolledBack";

/** add(key, value): a new key, or one that must be refused (duplicate) or accepted again (rolled back). */
class AddCmd implements Cmd {
  readonly kind: KeyKind;
  readonly pick: number;
  readonly json: string;
  readonly raw: boolean;
  constructor(kind: KeyKind, pick: number, json: string, raw: boolean) {
    this.kind = kind;
    this.pick = pick;
    this.json = json;
    this.raw = raw;
  }
  check(model: Readonly<Model>): boolean {
    if (model.tx === null) return false;
    if (this.kind === "dupCommitted") return model.committed.size > 0;
    if (this.kind === "dupTx") return model.tx.rows.length > 0;
    if (this.kind === "rolledBack") return model.rolledBackKeys().length > 0;
    return true;
  }
  run(model: Model, real: Real): void {
    figures.commands++;
    step(model, real, { t: "add", key: this.#key(model, real), json: this.json, raw: this.raw });
  }
  #key(model: Model, real: Real): string {
    const from = (keys: readonly string[]) => keys[this.pick % keys.length]!;
    if (this.kind === "dupCommitted") return from([...model.committed.keys()]);
    if (this.kind === "dupTx") return from(model.tx!.rows.map((r) => r.key));
    if (this.kind === "rolledBack") return from(model.rolledBackKeys());
    return real.keys.next();
  }
  toString = () => `add(${this.kind}#${this.pick}, ${this.json}${this.raw ? ", raw" : ""})`;
}

class SavepointCmd implements Cmd {
  check = (model: Readonly<Model>) => model.tx !== null;
  run(model: Model, real: Real): void {
    figures.commands++;
    step(model, real, { t: "savepoint" });
  }
  toString = () => "savepoint";
}

/** rollback(n) with n valid or not (−1, 10, or a savepoint not yet created). */
class RollbackCmd implements Cmd {
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  check = (model: Readonly<Model>) => model.tx !== null;
  run(model: Model, real: Real): void {
    figures.commands++;
    step(model, real, { t: "rollback", n: this.n });
  }
  toString = () => `rollback(${this.n})`;
}

class CommitCmd implements Cmd {
  check = (model: Readonly<Model>) => model.tx !== null;
  run(model: Model, real: Real): void {
    figures.commands++;
    step(model, real, { t: "commit" });
  }
  toString = () => "commit";
}

type TxMethod = "add" | "savepoint" | "rollback" | "commit";

/** A call on a transaction object that has ended must be refused and change nothing. */
class StaleCallCmd implements Cmd {
  readonly method: TxMethod;
  constructor(method: TxMethod) {
    this.method = method;
  }
  check = (model: Readonly<Model>) => model.staleTx;
  run(model: Model, real: Real): void {
    figures.commands++;
    const tx = real.ended;
    expect(tx, "the ended transaction object").not.toBeNull();
    const calls: Record<TxMethod, () => void> = {
      add: () => tx!.add(real.keys.next(), 1),
      savepoint: () => tx!.savepoint(),
      rollback: () => tx!.rollback(0),
      commit: () => tx!.commit(),
    };
    expectOutcome(outcomeOf(calls[this.method]), "invalid_action: ", `stale ${this.method}`);
    figures.rejected++;
    expectSameAsModel(real.db, model);
  }
  toString = () => `stale.${this.method}()`;
}

/** Adds rows up to the 100-row limit; the 101st must be refused. */
class FillToLimitCmd implements Cmd {
  check = (model: Readonly<Model>) => model.tx !== null;
  run(model: Model, real: Real): void {
    figures.commands++;
    while (model.tx!.rows.length < MAX_ROWS) {
      step(model, real, { t: "add", key: real.keys.next(), json: "{}", raw: false }, false);
    }
    step(model, real, { t: "add", key: real.keys.next(), json: "101", raw: false });
  }
  toString = () => "fillToLimit";
}

/** Takes savepoints up to 9 (adding rows as needed); the 10th must be refused. */
class SavepointsToLimitCmd implements Cmd {
  check = (model: Readonly<Model>) =>
    model.tx !== null && model.tx.rows.length + MAX_SAVEPOINTS + 1 < MAX_ROWS;
  run(model: Model, real: Real): void {
    figures.commands++;
    const addRow = () =>
      step(model, real, { t: "add", key: real.keys.next(), json: "[]", raw: false }, false);
    while (model.tx!.savepoints.length < MAX_SAVEPOINTS) {
      if (model.tx!.rows.length === 0 || model.tx!.savepoints.at(-1) === model.tx!.rows.length) {
        addRow();
      }
      step(model, real, { t: "savepoint" }, false);
    }
    addRow();
    step(model, real, { t: "savepoint" });
  }
  toString = () => "savepointsToLimit";
}

type BatchDup = "none" | "committed" | "inBatch" | "throws";

/** db.transaction(fn) with `jsons.length` rows; a duplicate or a throw inside fn writes nothing. */
class BatchCmd implements Cmd {
  readonly jsons: string[];
  readonly dup: BatchDup;
  constructor(jsons: string[], dup: BatchDup) {
    this.jsons = jsons;
    this.dup = dup;
  }
  check = () => true;
  run(model: Model, real: Real): void {
    figures.commands++;
    const rows = this.jsons.map((json) => ({ key: real.keys.next(), json }));
    if (this.dup === "committed" && rows.length > 0 && model.committed.size > 0) {
      rows[rows.length - 1] = { key: [...model.committed.keys()][0]!, json: "0" };
    }
    if (this.dup === "inBatch" && rows.length > 1) rows[rows.length - 1] = { ...rows[0]! };
    const throws = this.dup === "throws";
    const actual = outcomeOf(() =>
      real.db.transaction((tx) => {
        for (const row of rows) tx.addRaw(row.key, row.json);
        if (throws) throw new Error("fn gave up");
      }),
    );
    let expected: string;
    if (!throws) expected = model.applyBatch(rows);
    else if (model.tx !== null) expected = "invalid_action: active transaction already exists";
    // fn threw: its error comes through, nothing is written, the model stays as it was.
    else expected = "not a FrozenDBError: Error: fn gave up";
    expectOutcome(actual, expected, `transaction(${rows.length} rows, ${this.dup})`);
    figures.ops++;
    if (expected !== OK) figures.rejected++;
    expectSameAsModel(real.db, model);
  }
  toString = () => `transaction(${JSON.stringify(this.jsons)}, ${this.dup})`;
}

/** close + open in write mode with `finder`: the open transaction must be resumed as-is. */
class ReopenCmd implements Cmd {
  readonly finder: FinderStrategy;
  constructor(finder: FinderStrategy) {
    this.finder = finder;
  }
  check = () => true;
  run(model: Model, real: Real): void {
    figures.commands++;
    figures.reopens++;
    reopen(model, real, this.finder);
  }
  toString = () => `reopen(${this.finder})`;
}

function reopen(model: Model, real: Real, finder: FinderStrategy): void {
  real.db.close();
  real.db = open(real.path, { mode: "write", finder });
  real.ended = null;
  model.staleTx = false;
  expectSameAsModel(real.db, model);
}

/** One operation of a child's sequence, before its key is chosen. */
export interface ChildStep {
  readonly kind: "begin" | "add" | "addRaw" | "dup" | "savepoint" | "rollback" | "commit";
  readonly n: number;
  readonly json: string;
}

/**
 * A process restart: this handle closes, a child process opens the file in
 * write mode (recovering the open transaction), runs `steps`, and exits or
 * is killed with SIGKILL; then this process reopens with `finderAfter`.
 */
class RestartCmd implements Cmd {
  readonly steps: ChildStep[];
  readonly childFinder: FinderStrategy;
  readonly finderAfter: FinderStrategy;
  readonly ending: "exit" | "kill";
  constructor(
    steps: ChildStep[],
    childFinder: FinderStrategy,
    finderAfter: FinderStrategy,
    ending: "exit" | "kill",
  ) {
    this.steps = steps;
    this.childFinder = childFinder;
    this.finderAfter = finderAfter;
    this.ending = ending;
  }
  check = () => true;
  run(model: Model, real: Real): void {
    figures.commands++;
    figures.restarts++;
    if (this.ending === "kill") figures.kills++;
    real.db.close();
    const recovered =
      model.tx === null
        ? null
        : { rowCount: model.tx.rows.length, savepointCount: model.tx.savepoints.length };
    const ops: Op[] = [];
    const expected: string[] = [];
    for (const s of this.steps) {
      for (const op of concreteOps(s, model, real.keys)) {
        ops.push(op);
        expected.push(model.apply(op));
      }
    }
    const report = runRestartChild(real.path, this.childFinder, ops, this.ending);
    expect(report.recovered, "the transaction the child recovered").toEqual(recovered);
    expect(report.outcomes).toHaveLength(ops.length);
    report.outcomes.forEach((actual, i) => {
      expectOutcome(actual, expected[i]!, `child op ${i}: ${JSON.stringify(ops[i])}`);
    });
    figures.childOps += ops.length;
    figures.rejected += expected.filter((e) => e !== OK).length;
    reopen(model, real, this.finderAfter);
  }
  toString = () =>
    `restart(${this.childFinder}→${this.finderAfter}, ${this.ending}, ${JSON.stringify(this.steps)})`;
}

/** The operations a child step becomes for the model's current state (a `begin` first if needed). */
function concreteOps(s: ChildStep, model: Model, keys: KeySource): Op[] {
  const ops: Op[] = [];
  if (s.kind !== "begin" && model.tx === null) ops.push({ t: "begin" });
  switch (s.kind) {
    case "begin":
      return [{ t: "begin" }];
    case "add":
    case "addRaw":
      ops.push({ t: "add", key: keys.next(), json: s.json, raw: s.kind === "addRaw" });
      break;
    case "dup": {
      const committed = [...model.committed.keys()];
      const key = committed.length > 0 ? committed[s.n % committed.length]! : keys.next();
      ops.push({ t: "add", key, json: s.json, raw: false });
      break;
    }
    case "savepoint":
      ops.push({ t: "savepoint" });
      break;
    case "rollback":
      ops.push({ t: "rollback", n: s.n % 11 });
      break;
    case "commit":
      ops.push({ t: "commit" });
      break;
  }
  return ops;
}

// ------------------------------------------------------------------ arbitraries

/** JSON texts of values that fit a row: small records, random JSON, and the exact maximum. */
export const valueJson: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 5, arbitrary: fc.record({ i: fc.nat(), s: fc.string({ maxLength: 16 }) }) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    // A string whose JSON text is exactly the largest value a row holds.
    { weight: 1, arbitrary: fc.constant("x".repeat(MAX_VALUE_BYTES - 2)) },
  )
  .map((v) => JSON.stringify(v))
  .filter((json) => Buffer.byteLength(json, "utf8") <= MAX_VALUE_BYTES);

const finder = fc.constantFrom(...FINDERS);

const childStep: fc.Arbitrary<ChildStep> = fc.record({
  kind: fc.constantFrom<ChildStep["kind"][]>(
    "begin",
    "add",
    "add",
    "addRaw",
    "dup",
    "savepoint",
    "rollback",
    "commit",
  ),
  n: fc.nat(),
  json: valueJson,
});

/** Every command, weighted so transactions fill up and restarts (~100 ms each) stay rare. */
export function commandArbitrary(restartWeight: number): fc.Arbitrary<Cmd> {
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
  return fc.oneof(
    w(6, fc.constant(new BeginCmd())),
    w(
      14,
      fc.tuple(valueJson, fc.boolean()).map(([json, raw]) => new AddCmd("fresh", 0, json, raw)),
    ),
    w(
      2,
      fc
        .tuple(fc.nat(), valueJson)
        .map(([pick, json]) => new AddCmd("dupCommitted", pick, json, false)),
    ),
    w(
      2,
      fc.tuple(fc.nat(), valueJson).map(([pick, json]) => new AddCmd("dupTx", pick, json, true)),
    ),
    w(
      2,
      fc
        .tuple(fc.nat(), valueJson)
        .map(([pick, json]) => new AddCmd("rolledBack", pick, json, false)),
    ),
    w(6, fc.constant(new SavepointCmd())),
    w(
      4,
      fc.integer({ min: -1, max: 10 }).map((n) => new RollbackCmd(n)),
    ),
    w(6, fc.constant(new CommitCmd())),
    w(
      1,
      fc
        .constantFrom<TxMethod[]>("add", "savepoint", "rollback", "commit")
        .map((m) => new StaleCallCmd(m)),
    ),
    w(1, fc.constant(new FillToLimitCmd())),
    w(1, fc.constant(new SavepointsToLimitCmd())),
    w(
      3,
      fc
        .tuple(
          fc.array(valueJson, { maxLength: 8 }),
          fc.constantFrom<BatchDup[]>("none", "none", "committed", "inBatch", "throws"),
        )
        .map(([jsons, dup]) => new BatchCmd(jsons, dup)),
    ),
    w(
      2,
      finder.map((f) => new ReopenCmd(f)),
    ),
    w(
      restartWeight,
      fc
        .tuple(
          fc.array(childStep, { maxLength: 6 }),
          finder,
          finder,
          fc.constantFrom<("exit" | "kill")[]>("exit", "kill"),
        )
        .map(([steps, f1, f2, ending]) => new RestartCmd(steps, f1, f2, ending)),
    ),
  );
}

/** Fixed commands for the deterministic limit test. */
export const limitCommands = {
  begin: () => new BeginCmd(),
  add: (json: string) => new AddCmd("fresh", 0, json, false),
  fill: () => new FillToLimitCmd(),
  savepoints: () => new SavepointsToLimitCmd(),
  savepoint: () => new SavepointCmd(),
  rollback: (n: number) => new RollbackCmd(n),
  commit: () => new CommitCmd(),
  reopen: (f: FinderStrategy) => new ReopenCmd(f),
  restart: (steps: ChildStep[], ending: "exit" | "kill") =>
    new RestartCmd(steps, "binary_search", "simple", ending),
};
