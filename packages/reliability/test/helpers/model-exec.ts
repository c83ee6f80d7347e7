/**
 * Runs model operations against a real database and compares the database
 * with the model (S_006 FR_014).
 */
import {
  type Database,
  FrozenDBError,
  KeyNotFoundError,
  TransactionActiveError,
  verify,
} from "frozendb";
import { expect } from "vitest";
import { type Model, OK, type Op, type Outcome } from "./model-state.js";

/** What a call answered: `ok` or `code: message`; any other exception is reported, not thrown. */
export function outcomeOf(call: () => void): Outcome {
  try {
    call();
    return OK;
  } catch (error) {
    if (error instanceof FrozenDBError) return `${error.code}: ${error.message}`;
    return `not a FrozenDBError: ${String(error)}`;
  }
}

/** Asserts an actual outcome matches the model's (whose message is a prefix). */
export function expectOutcome(actual: Outcome, expected: Outcome, what: string): void {
  if (expected === OK || !actual.startsWith(expected)) {
    expect(actual, what).toBe(expected);
  }
}

/**
 * Runs `op` on `db`; the calls of an open transaction go through
 * `db.activeTransaction`, so a resumed transaction is the one used.
 */
export function executeOp(db: Database, op: Op): Outcome {
  if (op.t === "begin") return outcomeOf(() => db.begin());
  const tx = db.activeTransaction;
  if (tx === null) return "no active transaction";
  switch (op.t) {
    case "add":
      return outcomeOf(() =>
        op.raw ? tx.addRaw(op.key, op.json) : tx.add(op.key, JSON.parse(op.json)),
      );
    case "savepoint":
      return outcomeOf(() => tx.savepoint());
    case "rollback":
      return outcomeOf(() => tx.rollback(op.n));
    case "commit":
      return outcomeOf(() => tx.commit());
  }
}

/** The open transaction of `db` agrees with the model's (or both have none). */
export function expectSameTransaction(db: Database, model: Model): void {
  const tx = db.activeTransaction;
  if (model.tx === null) {
    expect(tx, "no transaction is active").toBeNull();
    return;
  }
  expect(tx, "the model's transaction is active").not.toBeNull();
  expect(tx!.state).toBe("open");
  expect(tx!.rowCount, "rows in the open transaction").toBe(model.tx.rows.length);
  expect(tx!.savepointCount, "savepoints in the open transaction").toBe(model.tx.savepoints.length);
}

/**
 * `get`, `getRaw` and `has` of every key written so far agree with the model:
 * committed keys give the stored value, every other key `KeyNotFoundError`
 * (with a `TransactionActiveError` cause while a complete row of the open
 * transaction holds it; its last row is partial and never searched, behaviour §7.2).
 */
export function expectSameReads(db: Database, model: Model): void {
  const inTx = new Set(model.tx?.rows.slice(0, -1).map((r) => r.key));
  for (const key of model.written) {
    const json = model.committed.get(key);
    if (json !== undefined) {
      expect(db.getRaw(key), `getRaw(${key})`).toBe(json);
      expect(db.get(key), `get(${key})`).toEqual(JSON.parse(json));
      expect(db.has(key), `has(${key})`).toBe(true);
      continue;
    }
    let error: unknown;
    try {
      db.get(key);
    } catch (e) {
      error = e;
    }
    expect(error, `get(${key}) of an uncommitted key`).toBeInstanceOf(KeyNotFoundError);
    if (inTx.has(key) && !model.everRolledBack.has(key)) {
      expect((error as Error).cause, `cause for ${key}`).toBeInstanceOf(TransactionActiveError);
    }
    expect(db.has(key), `has(${key})`).toBe(false);
  }
}

/** The whole handle agrees with the model. */
export function expectSameAsModel(db: Database, model: Model): void {
  expectSameTransaction(db, model);
  expectSameReads(db, model);
}

/** `verify` passes (also strictly) and counts the rows the model wrote. */
export function expectVerified(path: string, model: Model): void {
  const report = verify(path);
  expect(report.dataRows, "complete data rows").toBe(model.completeDataRows());
  expect(report.nullRows, "null rows").toBe(model.nullRows);
  expect(report.partialRow, "partial row state").toBe(model.partialRow());
  expect(report.openTransaction, "open transaction").toBe(model.tx !== null);
  const strict = verify(path, { strict: true });
  expect(strict.findings ?? [], "strict findings").toEqual([]);
}
