// Spec 001, keys of a transaction: KeySet answers like a plain set of the keys' bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeySet } from "../src/index.js";

const key16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const hex = (key: Uint8Array): string => Buffer.from(key).toString("hex");

describe("S_001 KeySet", () => {
  it("S_001 FR_025 has() agrees with a set of the keys' bytes, for keys in any order", () => {
    fc.assert(
      fc.property(
        fc.array(key16, { maxLength: 120 }),
        fc.array(key16, { maxLength: 20 }),
        fc.boolean(),
        (keys, probes, sorted) => {
          const added = sorted ? [...keys].sort((a, b) => hex(a).localeCompare(hex(b))) : keys;
          const set = new KeySet();
          const model = new Set<string>();
          for (const key of added) {
            expect(set.has(key)).toBe(model.has(hex(key)));
            set.add(key);
            model.add(hex(key));
            expect(set.has(key)).toBe(true);
          }
          for (const probe of [...probes, ...added]) {
            expect(set.has(probe), hex(probe)).toBe(model.has(hex(probe)));
          }
          expect(set.size).toBe(added.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("S_001 FR_025 increasing keys, then one out of order, then more: every key is found", () => {
    const keys = Array.from({ length: 50 }, (_, i) =>
      Uint8Array.of(0, 0, 0, i, ...new Array(12).fill(7)),
    );
    const set = new KeySet();
    for (const key of keys.slice(0, 40)) set.add(key);
    expect(set.has(keys[45]!)).toBe(false);
    expect(set.has(keys[20]!)).toBe(true);
    set.add(keys[45]!);
    set.add(keys[41]!); // out of order: the set switches to hashing
    for (const key of [...keys.slice(0, 40), keys[45]!, keys[41]!]) expect(set.has(key)).toBe(true);
    expect(set.has(keys[42]!)).toBe(false);
    // A copy with equal bytes is the same key.
    expect(set.has(keys[3]!.slice())).toBe(true);
  });
});
