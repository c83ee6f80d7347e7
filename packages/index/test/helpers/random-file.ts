/**
 * Random valid files for property tests: random transaction shapes,
 * savepoints, full and partial rollbacks, null rows, an open last
 * transaction, duplicates, and timestamps that step back inside the skew
 * window as far as the ordering rule allows (FF §12.2: ts + skew > M).
 * Optionally malformed: orphan continuation rows and abandoned transactions.
 */

import type { DataEndControl } from "@frozendb/codec";
import fc from "fast-check";
import { FileBuilder } from "./file-builder.js";
import { T0 } from "./files.js";
import { createRandom, keyAt } from "./keys.js";

/** How keys are drawn. */
export type KeyMode = "random" | "dense" | "lowEntropy" | "increasing";

/** Parameters of one random file. */
export interface RandomFileSpec {
  readonly seed: number;
  readonly skewMs: number;
  readonly keyMode: KeyMode;
  readonly transactions: number;
  readonly maxTxRows: number;
  /** Probability (0–1) that a timestamp goes back to the oldest the rule allows. */
  readonly backRate: number;
  readonly dupRate: number;
  readonly nullRate: number;
  readonly openLast: boolean;
  readonly malformed: boolean;
  /** Data rows to write first, in one-row transactions (to pass 10,000 rows). */
  readonly padding: number;
}

/** The fast-check arbitrary of {@link RandomFileSpec}. */
export function randomFileSpec(
  overrides: Partial<{ transactions: fc.Arbitrary<number>; padding: fc.Arbitrary<number> }> = {},
): fc.Arbitrary<RandomFileSpec> {
  return fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    skewMs: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 20 }),
      fc.constant(1000),
      fc.constant(86_400_000),
    ),
    keyMode: fc.constantFrom<KeyMode>("random", "dense", "lowEntropy", "increasing"),
    transactions: overrides.transactions ?? fc.integer({ min: 0, max: 40 }),
    maxTxRows: fc.integer({ min: 1, max: 12 }),
    backRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    dupRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
    nullRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
    openLast: fc.boolean(),
    malformed: fc.boolean(),
    padding: overrides.padding ?? fc.constant(0),
  });
}

/** Builds the file of `spec`; returns the builder (rows recorded) and every key written. */
export function buildRandomFile(spec: RandomFileSpec): { b: FileBuilder; keys: Uint8Array[] } {
  const random = createRandom(spec.seed);
  const chance = (p: number) => random() / 0x1_0000_0000 < p;
  const pick = (n: number) => random() % n;
  const b = new FileBuilder({ rowSize: 128, skewMs: spec.skewMs });
  const keys: Uint8Array[] = [];
  const s = spec.skewMs;
  let lowEntropy = 0;
  let increasing = 0;

  const nextTimestamp = (): number => {
    const m = b.maxTimestamp;
    if (m === 0) return T0;
    const oldest = Math.max(1, m - s + 1); // ts + s > m
    if (spec.keyMode === "dense") return Math.max(oldest, m);
    if (chance(spec.backRate)) return oldest;
    // Jumps forward spread keys over time, so the window excludes rows.
    if (chance(0.3)) return m + pick(10 * s + 100);
    const spread = Math.max(1, Math.min(s, 50));
    return Math.max(oldest, m - (s > 0 ? pick(spread) : 0) + pick(3));
  };

  const nextKey = (): Uint8Array => {
    // A duplicate is only written where the rule still admits its timestamp.
    if (keys.length > 0 && chance(spec.dupRate)) {
      const candidate = keys[pick(keys.length)]!;
      if (timestampOf(candidate) + s > b.maxTimestamp) return candidate;
    }
    const ts = nextTimestamp();
    let key: Uint8Array;
    if (spec.keyMode === "lowEntropy") {
      // Few distinct random parts: keys differ only in their last bits.
      key = keyAt(ts, () => 0);
      key[15] = ((lowEntropy++ % 5) * 2 + 1) | (pick(4) << 4);
    } else if (spec.keyMode === "increasing") {
      key = keyAt(ts, () => 0);
      increasing += 1 + pick(3);
      key[12] = (increasing >>> 24) & 0xff;
      key[13] = (increasing >>> 16) & 0xff;
      key[14] = (increasing >>> 8) & 0xff;
      key[15] = (increasing & 0xff) | 1;
    } else {
      key = keyAt(ts, random);
    }
    keys.push(key);
    return key;
  };

  for (let i = 0; i < spec.padding; i++) b.tx([nextKey()]);

  for (let t = 0; t < spec.transactions; t++) {
    const last = t === spec.transactions - 1;
    if (chance(spec.nullRate)) {
      b.nullRow();
      continue;
    }
    if (spec.malformed && chance(0.08)) {
      // An orphan continuation after a closed transaction.
      b.data(nextKey(), "R", chance(0.5) ? "TC" : "RE");
      continue;
    }
    const rows = 1 + pick(spec.maxTxRows);
    let savepoints = 0;
    const abandon = spec.malformed && !last && chance(0.08);
    const open = (last && spec.openLast) || abandon;
    for (let r = 0; r < rows; r++) {
      const isLast = r === rows - 1;
      const savepoint = savepoints < 9 && chance(0.2);
      if (savepoint) savepoints++;
      let end: string;
      if (!isLast || open) end = savepoint ? "SE" : "RE";
      else if (chance(0.6)) end = savepoint ? "SC" : "TC";
      else end = `${savepoint ? "S" : "R"}${pick(savepoints + 1)}`;
      b.data(nextKey(), r === 0 ? "T" : "R", end as DataEndControl);
    }
  }
  return { b, keys };
}

function timestampOf(key: Uint8Array): number {
  return (
    (key[0]! * 0x10000 + ((key[1]! << 8) | key[2]!)) * 0x1000000 +
    ((key[3]! << 16) | (key[4]! << 8) | key[5]!)
  );
}
