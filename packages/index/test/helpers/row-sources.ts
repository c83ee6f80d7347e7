/** Row sources for tests: a counting wrapper and a hand-driven notifier. */

import type { Row } from "@frozendb/codec";
import type { RowSource } from "../../src/index.js";

/** Wraps a source and counts the rows and calls of every read. */
export class CountingRowSource implements RowSource {
  readonly #inner: RowSource;
  rowsRead = 0;
  reads = 0;

  constructor(inner: RowSource) {
    this.#inner = inner;
  }

  get rowSize(): number {
    return this.#inner.rowSize;
  }

  get skewMs(): number {
    return this.#inner.skewMs;
  }

  rowCount(): number {
    return this.#inner.rowCount();
  }

  readRows(start: number, count: number): Uint8Array {
    this.rowsRead += count;
    this.reads++;
    return this.#inner.readRows(start, count);
  }

  subscribe(listener: (index: number, row: Row) => void): () => void {
    return this.#inner.subscribe(listener);
  }

  /** Rows read by `fn`. */
  count(fn: () => unknown): number {
    const before = this.rowsRead;
    fn();
    return this.rowsRead - before;
  }
}
