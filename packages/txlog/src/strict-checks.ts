/**
 * The checks `verify --strict` adds to the integrity check (decisions,
 * "Verify"): what a correct writer guarantees beyond the byte format. Each
 * finding is reported, none stops the scan: an existing file can hold them
 * (the original wrote duplicates and, after a resume, out-of-order keys)
 * without being damaged.
 */

import {
  endsTransaction,
  formatUuid,
  hasSavepoint,
  isCommit,
  type RowInfo,
  rollbackTarget,
} from "@frozendb/codec";

/** One thing `verify --strict` found. */
export interface StrictFinding {
  readonly kind: "key_ordering" | "duplicate_key" | "invalid_json" | "null_row_timestamp";
  readonly rowIndex: number;
  readonly offset: number;
  readonly message: string;
}

/** Findings kept at most; the count goes on. */
export const MAX_FINDINGS = 1000;

/** Accumulates strict findings over rows seen in file order. */
export class StrictChecks {
  readonly #skewMs: number;
  // Keys of committed rows, and of the rows of the transaction being read
  // (with whether each carries a savepoint): a key may be written again only
  // if every earlier row of it was rolled back.
  readonly #committed = new Set<string>();
  #transaction: Array<{ id: string; savepoint: boolean }> = [];
  readonly findings: StrictFinding[] = [];
  count = 0;
  #max = 0;

  constructor(skewMs: number) {
    this.#skewMs = skewMs;
  }

  /** Checks the data or null row `row` (its key in `key`) at `index`/`offset`. */
  row(
    row: Readonly<RowInfo>,
    key: Uint8Array,
    valueText: () => string,
    index: number,
    offset: number,
  ): void {
    if (row.type === "null") {
      if (row.timestamp !== this.#max) {
        this.#add(
          "null_row_timestamp",
          index,
          offset,
          `null row carries timestamp ${row.timestamp}, the maximum before it was ${this.#max}`,
        );
      }
    } else {
      if (!(row.timestamp + this.#skewMs > this.#max)) {
        this.#add(
          "key_ordering",
          index,
          offset,
          `key ${formatUuid(key)} (timestamp ${row.timestamp}) is more than skew_ms older than the maximum ${this.#max}`,
        );
      }
      const id = String.fromCharCode(...key);
      if (row.startControl === "T") this.#transaction = [];
      if (this.#committed.has(id) || this.#transaction.some((r) => r.id === id)) {
        this.#add(
          "duplicate_key",
          index,
          offset,
          `key ${formatUuid(key)} is already committed or in the same transaction`,
        );
      }
      this.#transaction.push({ id, savepoint: hasSavepoint(row.endControl) });
      if (endsTransaction(row.endControl)) this.#endTransaction(row);
      try {
        JSON.parse(valueText());
      } catch {
        this.#add(
          "invalid_json",
          index,
          offset,
          `the value of key ${formatUuid(key)} is not valid JSON (UTF-8)`,
        );
      }
    }
    if (row.timestamp > this.#max) this.#max = row.timestamp;
  }

  #endTransaction(row: Readonly<RowInfo>): void {
    let kept = 0;
    if (isCommit(row.endControl)) kept = this.#transaction.length;
    else {
      const target = rollbackTarget(row.endControl) ?? 0;
      let savepoints = 0;
      for (let i = 0; i < this.#transaction.length && target > 0; i++) {
        if (this.#transaction[i]!.savepoint && ++savepoints === target) kept = i + 1;
      }
    }
    for (let i = 0; i < kept; i++) this.#committed.add(this.#transaction[i]!.id);
    this.#transaction = [];
  }

  #add(kind: StrictFinding["kind"], rowIndex: number, offset: number, message: string): void {
    this.count++;
    if (this.findings.length < MAX_FINDINGS)
      this.findings.push({ kind, rowIndex, offset, message });
  }
}
