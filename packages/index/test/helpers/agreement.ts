/**
 * Checks every finder against the brute-force model on one file: every
 * present key, absent keys next to present ones, every row's boundaries and
 * the max timestamp. Shared by the property tests and the spec tests.
 */

import { formatUuid } from "@frozendb/codec";
import { expect } from "vitest";
import type { Finder } from "../../src/index.js";
import { neighbour } from "./keys.js";
import { type Oracle, outcome } from "./oracle.js";

/** Which keys and rows to check (all by default). */
export interface AgreementScope {
  /** Check at most this many keys (sampled evenly), and as many absent neighbours. */
  readonly maxKeys?: number;
  /** Check boundaries of these row indices only. */
  readonly rows?: readonly number[];
}

/** Asserts that `finder` answers like `oracle`, the model of its file. */
export function expectAgreement(
  label: string,
  finder: Finder,
  oracle: Oracle,
  keys: readonly Uint8Array[],
  scope: AgreementScope = {},
): void {
  expect(finder.rowCount(), `${label}: rowCount`).toBe(oracle.total);
  const step =
    scope.maxKeys === undefined ? 1 : Math.max(1, Math.floor(keys.length / scope.maxKeys));
  for (let i = 0; i < keys.length; i += step) {
    const key = keys[i]!;
    const all = oracle.indices(key);
    const got = outcome(() => finder.getIndex(key));
    const expected =
      all.length > 0
        ? { ok: all[0]! }
        : { code: "key_not_found", message: `key ${formatUuid(key)} not found in database` };
    expect(got, `${label}: getIndex ${formatUuid(key)}`).toEqual(expected);
    expect(finder.getIndices(key), `${label}: getIndices ${formatUuid(key)}`).toEqual(all);
    for (const delta of [2, 4]) {
      const near = neighbour(key, delta);
      const nearAll = oracle.indices(near);
      const nearGot = outcome(() => finder.getIndex(near));
      expect(nearGot, `${label}: getIndex near ${formatUuid(near)}`).toEqual(
        nearAll.length > 0
          ? { ok: nearAll[0]! }
          : { code: "key_not_found", message: `key ${formatUuid(near)} not found in database` },
      );
    }
  }
  const rows = scope.rows ?? oracle.dataOrNullIndices();
  for (const i of rows) {
    if (i <= 0 || i >= oracle.total || i % 10_001 === 0) continue;
    expect(
      outcome(() => finder.getTransactionStart(i)),
      `${label}: start(${i})`,
    ).toEqual(oracle.start(i));
    expect(
      outcome(() => finder.getTransactionEnd(i)),
      `${label}: end(${i})`,
    ).toEqual(oracle.end(i));
  }
  for (const i of rows) {
    if (i <= 0 || i >= oracle.total || i % 10_001 === 0) continue;
    // The shortcut may say "not known", never "committed" for a row that is not.
    if (finder.isKnownCommitted(i)) {
      expect(oracle.committed(i), `${label}: isKnownCommitted(${i})`).toBe(true);
    }
  }
  expect(finder.maxTimestamp(), `${label}: maxTimestamp`).toBe(oracle.maxTimestamp());
}
