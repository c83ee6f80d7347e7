// FR-022: the binary search's per-block key filters. Where keys are
// disordered across the whole skew window, the blocks' key ranges admit
// almost any key, and only the filters keep a lookup from reading them all.
import { describe, expect, it } from "vitest";
import { BinarySearchFinder, MemoryRowSource } from "../src/index.js";
import { FileBuilder } from "./helpers/file-builder.js";
import { T0 } from "./helpers/files.js";
import { createRandom, keyAt, neighbour } from "./helpers/keys.js";
import { Oracle, outcome } from "./helpers/oracle.js";
import { CountingRowSource } from "./helpers/row-sources.js";

/** `count` keys 10 ms apart, each up to 4 s older than its place (skew 5 s), in 100-row transactions. */
function disorderedFile(count: number, seed: number) {
  const random = createRandom(seed);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++)
    keys.push(keyAt(T0 + 4_000 + i * 10 - (random() % 4_001), random));
  const b = new FileBuilder({ skewMs: 5_000 });
  for (let i = 0; i < keys.length; i += 100) b.tx(keys.slice(i, i + 100));
  return { file: b.build(), keys, rowSize: b.rowSize };
}

describe("S_003 FR_022 key filters", () => {
  it("S_003 FR_022 absent keys in a window disordered end to end read fewer than 100 rows on average; answers stay exact", () => {
    const { file, keys, rowSize } = disorderedFile(20_000, 11);
    const oracle = new Oracle(file, rowSize);
    const source = new CountingRowSource(new MemoryRowSource(file));
    const finder = new BinarySearchFinder(source);
    finder.getIndex(keys[10_000]!); // summarises the window once
    let absentRows = 0;
    let absentLookups = 0;
    for (let i = 0; i < keys.length; i += 37) {
      const present = keys[i]!;
      expect(finder.getIndex(present)).toBe(oracle.indices(present)[0]);
      const absent = neighbour(present);
      absentRows += source.count(() =>
        expect(outcome(() => finder.getIndex(absent))).toMatchObject({ code: "key_not_found" }),
      );
      absentLookups++;
    }
    const average = absentRows / absentLookups;
    console.log(
      `binary_search, 20,000 keys disordered over 4 s: ${average.toFixed(1)} rows read per absent lookup`,
    );
    expect(average).toBeLessThan(100);
  });

  it("S_003 FR_022 filters survive cache merges (a merged block holds either half's keys) and count in cacheBytes", () => {
    const { file, keys, rowSize } = disorderedFile(20_000, 12);
    const oracle = new Oracle(file, rowSize);
    const finder = new BinarySearchFinder(new MemoryRowSource(file), { cacheBytes: 8_192 });
    for (let i = 0; i < keys.length; i += 97) {
      expect(finder.getIndex(keys[i]!)).toBe(oracle.indices(keys[i]!)[0]);
      expect(outcome(() => finder.getIndex(neighbour(keys[i]!)))).toMatchObject({
        code: "key_not_found",
      });
    }
    expect(finder.blockRows).toBeGreaterThan(16);
    expect(finder.memoryBytes()).toBeLessThanOrEqual(8_192);
  });
});
