/**
 * The contract every finder strategy meets (behaviour §8.1, spec 003). The
 * three strategies differ only in memory and speed, never in answers.
 */

import type { KeyInput, Row } from "@frozendb/codec";

/** Names of the finder strategies, as the original and the CLI spell them. */
export const FINDER_STRATEGIES = ["simple", "inmemory", "binary_search"] as const;

/** One of {@link FINDER_STRATEGIES}. */
export type FinderStrategy = (typeof FINDER_STRATEGIES)[number];

/**
 * Answers key and transaction-boundary questions over the confirmed complete
 * rows of a file: the rows present when it was created plus every row it was
 * told about since through {@link Finder.onRowAdded}.
 *
 * Semantics shared by every strategy:
 * 1. `getIndex` returns the **first** data row carrying the key in file order,
 *    whatever its transaction's outcome; visibility is the caller's job.
 * 2. After a notification error the finder is tombstoned: every lookup throws
 *    the same `TombstonedError`, whose cause is that error; `maxTimestamp()`
 *    keeps answering.
 * 3. The incomplete tail of the file is never part of any answer.
 */
export interface Finder {
  /**
   * Row index of the first complete data row carrying `key`.
   * @throws {@link KeyNotFoundError} (`key <uuid> not found in database`) when
   *   absent, and for a null-row UUID.
   * @throws {@link InvalidInputError} for a malformed key, the Nil UUID
   *   (`key cannot be uuid.Nil`) or a key that is not a UUIDv7.
   * @throws {@link TombstonedError} once tombstoned.
   * @throws {@link CorruptDatabaseError} when the matching row does not decode.
   */
  getIndex(key: KeyInput): number;
  /**
   * Row indices of every complete data row carrying `key`, in file order;
   * empty when there is none. Validation as {@link Finder.getIndex}, except
   * that an absent key is an empty array.
   * @throws {@link InvalidInputError} | {@link TombstonedError} | {@link CorruptDatabaseError}
   */
  getIndices(key: KeyInput): number[];
  /**
   * Row index of the first row of the transaction that row `index` belongs
   * to (`index` itself for a row with start control `T` and for a null row).
   * @throws {@link InvalidInputError} for a bad index or a checksum row.
   * @throws {@link CorruptDatabaseError} for an orphan continuation row or an
   *   undecodable row on the way.
   * @throws {@link TombstonedError} once tombstoned.
   */
  getTransactionStart(index: number): number;
  /**
   * Row index of the row that ends the transaction of row `index` (`index`
   * itself for an ending row and for a null row).
   * @throws {@link TransactionActiveError} when the transaction has no ending row yet.
   * @throws {@link InvalidInputError} for a bad index or a checksum row.
   * @throws {@link CorruptDatabaseError} when a new transaction starts before
   *   this one ends, or for an undecodable row on the way.
   * @throws {@link TombstonedError} once tombstoned.
   */
  getTransactionEnd(index: number): number;
  /**
   * True when the finder knows, from what it holds (reading at most one
   * bounded run of rows), that row `index` is committed: a null row, or a
   * data row whose transaction ended in a commit or in a rollback to a
   * savepoint at or after it. False means "not known here" — decide from
   * {@link getTransactionEnd} and the rows. A shortcut for lookups, never a
   * different answer.
   * @throws {@link InvalidInputError} as {@link getTransactionStart}.
   * @throws {@link TombstonedError} once tombstoned.
   */
  isKnownCommitted(index: number): boolean;
  /**
   * Largest timestamp (ms) among confirmed complete data and null rows; 0
   * when there are none. O(1) once known.
   * @throws {@link CorruptDatabaseError} when a row read to compute it is malformed.
   */
  maxTimestamp(): number;
  /** Confirmed complete row slots, checksum rows included. */
  rowCount(): number;
  /** Bytes held by the finder's own structures (excluding the source). */
  memoryBytes(): number;
  /**
   * Accepts the notification that row `index` is complete. Subscribed to the
   * source on creation; public so that a host can also deliver rows itself.
   * @throws {@link InvalidInputError} for an index other than `rowCount()`
   *   (tombstones the finder) or a missing row (does not).
   * @throws {@link CorruptDatabaseError} for a checksum row at a data index or
   *   the reverse (tombstones the finder).
   * @throws {@link TombstonedError} once tombstoned.
   */
  onRowAdded(index: number, row: Row): void;
  /** Unsubscribes from the source; later lookups throw `TombstonedError`. Idempotent. */
  close(): void;
}
