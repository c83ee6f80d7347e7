/**
 * The in-memory model of a frozenDB file for the model-based test (S_006
 * FR_014): what is committed, the open transaction with its savepoints, and
 * the row counts `verify` must report. `apply` returns what the real
 * database must answer to an operation (behaviour §5.2) and changes the model
 * only when the operation succeeds.
 */

/** One write operation, serialisable so a child process can run it too. */
export type Op =
  | { readonly t: "begin" }
  | { readonly t: "add"; readonly key: string; readonly json: string; readonly raw: boolean }
  | { readonly t: "savepoint" }
  | { readonly t: "rollback"; readonly n: number }
  | { readonly t: "commit" };

/** `ok`, or `code: message` (the expected message is a prefix of the actual one). */
export type Outcome = string;
export const OK: Outcome = "ok";

/** Row limits of one transaction (behaviour §5.2). */
export const MAX_ROWS = 100;
export const MAX_SAVEPOINTS = 9;

interface Row {
  readonly key: string;
  readonly json: string;
}

/** The open transaction: its rows and, per savepoint, how many rows it keeps. */
export interface ModelTx {
  readonly rows: Row[];
  readonly savepoints: number[];
}

export class Model {
  /** key → stored JSON text of every committed row. */
  readonly committed = new Map<string, string>();
  /** Every key that was ever appended (committed, rolled back or open). */
  readonly written = new Set<string>();
  /** Keys that have (had) a rolled-back row: `get` messages differ for them. */
  readonly everRolledBack = new Set<string>();
  tx: ModelTx | null = null;
  /** Data rows appended to the file so far (the open transaction's partial row included). */
  dataRows = 0;
  nullRows = 0;
  /** True when this handle ended a transaction whose object can still be called (stale). */
  staleTx = false;

  /** Keys whose every row was rolled back: they may be written again (decisions, Keys). */
  rolledBackKeys(): string[] {
    const inTx = new Set(this.tx?.rows.map((r) => r.key));
    return [...this.written].filter((k) => !this.committed.has(k) && !inTx.has(k));
  }

  /** What the real database must answer to `op`; updates the model when that is `ok`. */
  apply(op: Op): Outcome {
    switch (op.t) {
      case "begin":
        return this.#begin();
      case "add":
        return this.#add(op.key, op.json);
      case "savepoint":
        return this.#savepoint();
      case "rollback":
        return this.#rollback(op.n);
      case "commit":
        return this.#end(this.tx?.rows.length ?? 0);
    }
  }

  /** What `db.transaction(fn)` adding `rows` must answer; updates the model on success. */
  applyBatch(rows: readonly Row[]): Outcome {
    if (this.tx !== null) return "invalid_action: active transaction already exists";
    if (rows.length > MAX_ROWS)
      return "invalid_input: transaction cannot contain more than 100 rows";
    const keys = new Set<string>();
    for (const { key } of rows) {
      if (keys.has(key) || this.committed.has(key)) return "invalid_input: key already exists";
      keys.add(key);
    }
    for (const row of rows) this.#store(row);
    if (rows.length === 0) this.nullRows++;
    this.dataRows += rows.length;
    return OK;
  }

  /** The complete data rows `verify` counts (an open transaction's last row is partial). */
  completeDataRows(): number {
    return this.dataRows - (this.tx !== null && this.tx.rows.length > 0 ? 1 : 0);
  }

  /** The partial-row state `verify` reports (file format §10.6). */
  partialRow(): 1 | 2 | 3 | undefined {
    if (this.tx === null) return undefined;
    if (this.tx.rows.length === 0) return 1;
    return this.tx.savepoints.at(-1) === this.tx.rows.length ? 3 : 2;
  }

  #begin(): Outcome {
    if (this.tx !== null) return "invalid_action: active transaction already exists";
    this.tx = { rows: [], savepoints: [] };
    return OK;
  }

  #add(key: string, json: string): Outcome {
    const tx = this.tx;
    if (tx === null) return "invalid_action: ";
    const duplicate = this.committed.has(key) || tx.rows.some((r) => r.key === key);
    if (tx.rows.length >= MAX_ROWS) {
      // The order of the limit and the duplicate check is not specified: both are invalid_input.
      return duplicate
        ? "invalid_input: "
        : "invalid_input: transaction cannot contain more than 100 rows";
    }
    if (duplicate) return "invalid_input: key already exists";
    tx.rows.push({ key, json });
    this.written.add(key);
    this.dataRows++;
    return OK;
  }

  #savepoint(): Outcome {
    const tx = this.tx;
    if (tx === null) return "invalid_action: ";
    if (tx.rows.length === 0) return "invalid_action: cannot savepoint empty transaction";
    const onCurrentRow = tx.savepoints.at(-1) === tx.rows.length;
    // The 9-savepoint check counts completed rows only; a savepoint on the
    // current (partial) row is the next check (behaviour §5.2).
    const completed = tx.savepoints.length - (onCurrentRow ? 1 : 0);
    if (completed >= MAX_SAVEPOINTS) {
      return "invalid_action: transaction cannot have more than 9 savepoints";
    }
    if (onCurrentRow) return "invalid_action: failed to create savepoint";
    tx.savepoints.push(tx.rows.length);
    return OK;
  }

  #rollback(n: number): Outcome {
    const tx = this.tx;
    if (tx === null) return "invalid_action: ";
    if (!Number.isInteger(n) || n < 0 || n > MAX_SAVEPOINTS) {
      return "invalid_input: savepointId must be between 0 and 9";
    }
    if (n > tx.savepoints.length) return "invalid_input: rollback target savepoint does not exist";
    const kept = n === 0 ? 0 : tx.savepoints[n - 1]!;
    for (const row of tx.rows.slice(kept)) this.everRolledBack.add(row.key);
    return this.#end(kept);
  }

  /** Ends the open transaction keeping its first `kept` rows. */
  #end(kept: number): Outcome {
    const tx = this.tx;
    if (tx === null) return "invalid_action: ";
    for (const row of tx.rows.slice(0, kept)) this.committed.set(row.key, row.json);
    if (tx.rows.length === 0) this.nullRows++;
    this.tx = null;
    this.staleTx = true;
    return OK;
  }

  #store(row: Row): void {
    this.committed.set(row.key, row.json);
    this.written.add(row.key);
  }
}

/**
 * Deterministic UUIDv7 keys, 1 ms apart from `startMs`: always newer than
 * the last (the ordering rule), never a null-row UUID (byte 9 carries a
 * nonzero variant nibble pattern and a constant `f`), canonical lower case.
 */
export class KeySource {
  #next = 0;
  readonly #startMs: number;

  constructor(startMs: number) {
    this.#startMs = startMs;
  }

  next(): string {
    const n = this.#next++;
    const ts = (this.#startMs + n).toString(16).padStart(12, "0");
    const randA = (n & 0xfff).toString(16).padStart(3, "0");
    const randB = `f${n.toString(16).padStart(14, "0")}`;
    return `${ts.slice(0, 8)}-${ts.slice(8)}-7${randA}-9${randB.slice(0, 3)}-${randB.slice(3)}`;
  }
}
