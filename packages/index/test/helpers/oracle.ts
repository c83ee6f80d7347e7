/**
 * A brute-force model of the finder contract (spec 003), written from the
 * spec's words over rows decoded one by one by the codec: the reference the
 * three strategies are compared with.
 */

import {
  completeRowCount,
  endsTransaction,
  hasSavepoint,
  isChecksumIndex,
  isCommit,
  isFrozenDBError,
  type Row,
  readRowAt,
  rollbackTarget,
} from "@frozendb/codec";

/** What a call produced: a value, or an error's code and message. */
export type Outcome<T> = { ok: T } | { code: string; message: string };

/** Runs `fn` and captures its outcome (only frozenDB errors are captured). */
export function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: fn() };
  } catch (error) {
    if (!isFrozenDBError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

function starts(row: Row): boolean {
  return row.type === "null" || (row.type === "data" && row.startControl === "T");
}

function ends(row: Row): boolean {
  return row.type === "null" || (row.type === "data" && endsTransaction(row.endControl));
}

/** The model over the complete rows of `file`. */
export class Oracle {
  readonly rows: Row[] = [];

  constructor(file: Uint8Array, rowSize: number) {
    const total = completeRowCount(file.length, rowSize);
    for (let i = 0; i < total; i++) this.rows.push(readRowAt(file, i, rowSize) as Row);
  }

  get total(): number {
    return this.rows.length;
  }

  /** Every data row carrying `key`, in file order. */
  indices(key: Uint8Array): number[] {
    const out: number[] = [];
    this.rows.forEach((row, i) => {
      if (row.type === "data" && sameKey(row.key, key)) out.push(i);
    });
    return out;
  }

  maxTimestamp(): number {
    let max = 0;
    for (const row of this.rows)
      if (row.type !== "checksum" && row.timestamp > max) max = row.timestamp;
    return max;
  }

  /** Expected code/message (or value) of getTransactionStart(i) for a valid, non-checksum i. */
  start(i: number): Outcome<number> {
    const row = this.rows[i]!;
    if (starts(row)) return { ok: i };
    for (let j = i - 1; j >= 0; j--) {
      const r = this.rows[j]!;
      if (r.type === "checksum") continue;
      if (ends(r)) return orphan();
      if (starts(r)) return { ok: j };
    }
    return orphan();
  }

  /** Expected outcome of getTransactionEnd(i) for a valid, non-checksum i. */
  end(i: number): Outcome<number> {
    if (ends(this.rows[i]!)) return { ok: i };
    for (let j = i + 1; j < this.rows.length; j++) {
      const r = this.rows[j]!;
      if (r.type === "checksum") continue;
      if (starts(r)) {
        return {
          code: "corrupt_database",
          message: `transaction of row ${i} has no ending row before row ${j} starts a new transaction`,
        };
      }
      if (ends(r)) return { ok: j };
    }
    return { code: "transaction_active", message: "transaction has no ending row" };
  }

  /**
   * Whether row `i` is committed (behaviour §7.1): a null row (an empty
   * transaction that committed), or a data row whose transaction has a
   * well-formed start and end and ended in a commit or in a rollback to a
   * savepoint at or after row `i`.
   */
  committed(i: number): boolean {
    const row = this.rows[i]!;
    if (row.type === "null") return true;
    if (row.type !== "data") return false;
    const start = this.start(i);
    const end = this.end(i);
    if (!("ok" in start) || !("ok" in end)) return false;
    const last = this.rows[end.ok]!;
    if (last.type !== "data") return false;
    if (isCommit(last.endControl)) return true;
    const target = rollbackTarget(last.endControl) ?? 0;
    let savepoints = 0;
    for (let j = start.ok; j <= end.ok; j++) {
      const r = this.rows[j]!;
      if (r.type === "data" && hasSavepoint(r.endControl) && ++savepoints === target) return i <= j;
    }
    return false;
  }

  /** Indices that are not checksum rows. */
  dataOrNullIndices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.rows.length; i++) if (!isChecksumIndex(i)) out.push(i);
    return out;
  }
}

function orphan(): Outcome<number> {
  return { code: "corrupt_database", message: "no transaction start found in backward scan" };
}
