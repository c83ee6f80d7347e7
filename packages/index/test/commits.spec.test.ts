// Spec 003, the commit shortcut: isKnownCommitted never claims a row that
// is not committed; inmemory knows every row; binary_search learns blocks.
import { logicalToRowIndex } from "@frozendb/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BinarySearchFinder,
  type Finder,
  InMemoryFinder,
  MemoryRowSource,
  type RowSource,
  SimpleFinder,
} from "../src/index.js";
import { mixedFile, orderedFile } from "./helpers/files.js";
import { Oracle } from "./helpers/oracle.js";
import { buildRandomFile, randomFileSpec } from "./helpers/random-file.js";
import { CountingRowSource } from "./helpers/row-sources.js";

const STRATEGIES: ReadonlyArray<readonly [string, (source: RowSource) => Finder]> = [
  ["simple", (s) => new SimpleFinder(s)],
  ["inmemory", (s) => new InMemoryFinder(s)],
  ["binary_search", (s) => new BinarySearchFinder(s)],
  ["binary_search blockRows 2", (s) => new BinarySearchFinder(s, { blockRows: 2 })],
  [
    "binary_search cacheBytes 1024",
    (s) => new BinarySearchFinder(s, { cacheBytes: 1024, blockRows: 1 }),
  ],
];

/** Asks every row before and after a lookup of every key (which summarises blocks). */
function claims(finder: Finder, oracle: Oracle, keys: readonly Uint8Array[]): number[] {
  const rows = oracle.dataOrNullIndices().filter((i) => i > 0);
  const claimed = rows.filter((i) => finder.isKnownCommitted(i));
  for (const key of keys) {
    try {
      finder.getIndex(key);
    } catch {
      // Absent or corrupt: only the claims matter here.
    }
  }
  return [...claimed, ...rows.filter((i) => finder.isKnownCommitted(i))];
}

describe("S_003 commit shortcut", () => {
  it("S_003 FR_020 no strategy claims a row that is not committed, on random (also malformed) files", () => {
    fc.assert(
      fc.property(randomFileSpec(), (spec) => {
        const { b, keys } = buildRandomFile(spec);
        const file = b.build();
        const oracle = new Oracle(file, b.rowSize);
        for (const [name, make] of STRATEGIES) {
          for (const i of claims(make(new MemoryRowSource(file)), oracle, keys)) {
            expect(oracle.committed(i), `${name}: row ${i}`).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  }, 180_000);

  it("S_003 FR_020 inmemory knows exactly which rows are committed, without reading", () => {
    fc.assert(
      fc.property(randomFileSpec(), (spec) => {
        const { b } = buildRandomFile(spec);
        const file = b.build();
        const oracle = new Oracle(file, b.rowSize);
        const source = new CountingRowSource(new MemoryRowSource(file));
        const finder = new InMemoryFinder(source);
        for (const i of oracle.dataOrNullIndices()) {
          if (i === 0) continue;
          expect(source.count(() => finder.isKnownCommitted(i))).toBe(0);
          expect(finder.isKnownCommitted(i), `row ${i}`).toBe(oracle.committed(i));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("S_003 FR_020 the mixed file: committed, rolled-back, partly rolled-back, open and null rows", () => {
    const { b, at } = mixedFile();
    const file = b.build();
    for (const [name, make] of STRATEGIES.filter(([n]) => n !== "simple")) {
      const finder = make(new MemoryRowSource(file));
      // inmemory knows all; binary_search learns blocks of only committed rows.
      for (const i of at.rolledBack) expect(finder.isKnownCommitted(i), `${name} ${i}`).toBe(false);
      for (const i of at.open) expect(finder.isKnownCommitted(i), `${name} ${i}`).toBe(false);
      expect(finder.isKnownCommitted(at.partial[2]!), name).toBe(false);
    }
    const inMemory = new InMemoryFinder(new MemoryRowSource(file));
    for (const i of [...at.committed, at.null1, ...at.partial.slice(0, 1), ...at.single]) {
      expect(inMemory.isKnownCommitted(i), `row ${i}`).toBe(true);
    }
    expect(new SimpleFinder(new MemoryRowSource(file)).isKnownCommitted(at.committed[0]!)).toBe(
      false,
    );
  });

  it("S_003 FR_020 binary_search learns a block of committed rows with one bounded read, once", () => {
    const { b } = orderedFile(2_000, { stepMs: 10, txRows: 37 });
    const file = b.build();
    const source = new CountingRowSource(new MemoryRowSource(file));
    const finder = new BinarySearchFinder(source, { blockRows: 64 });
    const row = 1_000;
    const reads = source.reads;
    const rowsRead = source.count(() => expect(finder.isKnownCommitted(row)).toBe(true));
    expect(source.reads - reads).toBe(1);
    expect(rowsRead).toBeLessThanOrEqual(64 + 2 * 100);
    // The same block, and every row of it, now without reading.
    const block = Math.floor((row - 1) / 64);
    for (let i = block * 64 + 1; i <= block * 64 + 64; i++) {
      expect(source.count(() => expect(finder.isKnownCommitted(i)).toBe(true))).toBe(0);
    }
  });

  it("S_003 FR_020 binary_search learns commits while it summarises the window of a dense file", () => {
    const { b, keys } = orderedFile(20_000, { stepMs: 0, txRows: 50 });
    const file = b.build();
    const source = new CountingRowSource(new MemoryRowSource(file));
    const finder = new BinarySearchFinder(source, { blockRows: 64 });
    finder.getIndex(keys[10_500]!);
    // The lookup summarised the whole window, in runs of blocks between the
    // blocks its probes read alone: all but the blocks at the edges of those
    // runs (a transaction crosses them) are known without another read, and
    // each of the others takes one read: at most three per probe.
    const completeBlocks = Math.floor(20_000 / 64);
    let learnt = 0;
    for (let block = 0; block < completeBlocks; block++) {
      const reads = source.reads;
      for (let p = block * 64; p < block * 64 + 64; p++) {
        const i = logicalToRowIndex(p);
        expect(finder.isKnownCommitted(i), `row ${i}`).toBe(true);
      }
      expect(source.reads - reads).toBeLessThanOrEqual(1);
      learnt += source.reads - reads;
    }
    const probes = 2 * Math.ceil(Math.log2(completeBlocks)) + 2;
    expect(learnt).toBeLessThanOrEqual(3 * probes);
  });
});
