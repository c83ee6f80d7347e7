// FR-022 as a property: whatever the shape of the file — keys disordered
// within the skew window, several keys per millisecond, null rows,
// rollbacks, reopens — a key is refused exactly when a committed row (or the
// transaction itself) holds it. This is what keeps the "above the largest
// key" shortcut honest: a wrong largest key lets a duplicate through.
import { isFrozenDBError } from "@frozendb/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { open, type TxLog } from "../src/index.js";
import { BASE_MS, key, newDb, val } from "./helpers/tx-util.js";

const SKEW = 20;

/** One step: a transaction of `rows` keys (0: a null row), committed or not, call by call or whole. */
interface Step {
  readonly rows: ReadonlyArray<{
    readonly back: number;
    readonly n: number;
    readonly again: number;
  }>;
  readonly commit: boolean;
  readonly batch: boolean;
  readonly reopen: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  rows: fc.array(
    fc.record({
      // How far below the newest timestamp the key goes (within the rule).
      back: fc.integer({ min: -3, max: SKEW - 1 }),
      n: fc.integer({ min: 0, max: 4 }),
      // > 0: try a key already written (committed or rolled back) instead.
      again: fc.integer({ min: -3, max: 40 }),
    }),
    { maxLength: 6 },
  ),
  commit: fc.boolean(),
  batch: fc.boolean(),
  reopen: fc.boolean(),
});

function run(steps: readonly Step[], withCapability: boolean): void {
  const path = newDb({ skewMs: SKEW });
  const committed = new Set<string>();
  const written: { key: string; ts: number }[] = [];
  let maxTs = BASE_MS;
  const openLog = (): TxLog =>
    open(path, {
      mode: "write",
      ...(withCapability
        ? {
            isKeyCommitted: (k: Uint8Array) => committed.has(Buffer.from(k).toString("hex")),
          }
        : {}),
    });
  const hex = (k: string) => k.replaceAll("-", "");
  let log = openLog();
  try {
    for (const step of steps) {
      // What the log must do with each key: refuse it when committed or
      // already in this transaction.
      const inTx = new Set<string>();
      const accepted: { key: string; ts: number }[] = [];
      const tx = step.batch ? undefined : log.begin();
      // Keys are chosen as the rows go: the rule is checked against the
      // newest timestamp so far, this transaction's rows included.
      let running = maxTs;
      const keys: { key: string; ts: number }[] = [];
      for (const r of step.rows) {
        const old = r.again > 0 ? written[r.again % Math.max(1, written.length)] : undefined;
        const k =
          old !== undefined && old.ts + SKEW > running
            ? old
            : { key: key(running - r.back, r.n), ts: running - r.back };
        if (k.ts + SKEW <= running) continue;
        keys.push(k);
        const duplicate = committed.has(hex(k.key)) || inTx.has(hex(k.key));
        if (step.batch) {
          // A batch stops at its first bad row: try each row alone first.
          if (duplicate) continue;
          inTx.add(hex(k.key));
          accepted.push(k);
          running = Math.max(running, k.ts);
          continue;
        }
        let refused = false;
        try {
          tx!.add(k.key, val(accepted.length));
        } catch (error) {
          if (!isFrozenDBError(error)) throw error;
          expect(error.message).toMatch(/^key already exists/);
          refused = true;
        }
        expect(refused, `key ${k.key} (committed: ${committed.has(hex(k.key))})`).toBe(duplicate);
        if (!refused) {
          inTx.add(hex(k.key));
          accepted.push(k);
          running = Math.max(running, k.ts);
          maxTs = running;
        }
      }
      if (step.batch) {
        // A duplicate of a committed key in a batch is refused as a whole.
        const dup = keys.find((k) => committed.has(hex(k.key)));
        if (dup !== undefined) {
          expect(() => log.appendTransaction([{ key: dup.key, value: val(0) }])).toThrow(
            /key already exists/,
          );
        }
        if (step.commit) {
          log.appendTransaction(accepted.map((k, i) => ({ key: k.key, value: val(i) })));
          for (const k of accepted) maxTs = Math.max(maxTs, k.ts);
        } else {
          accepted.length = 0;
        }
      } else if (step.commit) {
        tx!.commit();
      } else {
        tx!.rollback(0);
      }
      for (const k of accepted) {
        written.push(k);
        if (step.commit) committed.add(hex(k.key));
      }
      if (step.reopen) {
        log.close();
        log = openLog();
      }
    }
  } finally {
    log.close();
  }
}

describe("S_002 FR_022 duplicate keys, as a property", () => {
  for (const withCapability of [true, false]) {
    it(`S_002 FR_022 random files (disorder within the skew window, null rows, rollbacks, reopens): a key is refused exactly when committed or in the transaction (${withCapability ? "caller's capability" : "default scan"})`, () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) =>
          run(steps, withCapability),
        ),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});
