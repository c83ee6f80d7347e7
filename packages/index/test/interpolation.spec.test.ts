// FR-021: on files whose timestamps spread beyond the skew window, the
// narrowing probes where the timestamps say the key is, instead of bisecting.
import { describe, expect, it } from "vitest";
import { BinarySearchFinder, MemoryRowSource } from "../src/index.js";
import { orderedFile } from "./helpers/files.js";
import { createRandom } from "./helpers/keys.js";
import { CountingRowSource } from "./helpers/row-sources.js";

describe("S_003 binary_search narrowing on spread timestamps", () => {
  it("S_003 FR_021 a cold lookup on 100,000 keys 7 ms apart reads fewer than 350 rows on average (bisecting the blocks: about 420)", () => {
    const { b, keys } = orderedFile(100_000, { stepMs: 7, skewMs: 100 });
    const file = b.build();
    const random = createRandom(21);
    let rows = 0;
    const lookups = 40;
    for (let n = 0; n < lookups; n++) {
      // A fresh finder each time: nothing summarised, every probe is a read.
      const source = new CountingRowSource(new MemoryRowSource(file));
      const finder = new BinarySearchFinder(source);
      const i = random() % keys.length;
      rows += source.count(() =>
        expect(finder.getIndex(keys[i]!)).toBe(i + 1 + Math.floor(i / 10_000)),
      );
    }
    const mean = rows / lookups;
    // Common to any probe order: the window (≈ 15 rows each side of the key,
    // in blocks of 16) and one read of the found block ± 100 rows for its
    // commits. A bisection adds about log2(blocks) = 13 probes of 16 rows
    // (422 rows on average, measured when this was written).
    console.log(
      `binary_search, 100,000 keys 7 ms apart, skew 100 ms: a cold lookup reads ${mean.toFixed(0)} rows on average`,
    );
    expect(mean).toBeLessThan(350);
  });
});
