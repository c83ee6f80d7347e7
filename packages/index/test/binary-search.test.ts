// Unit tests of the binary search's internals: large sorted blocks searched
// by probes, null rows inside sorted blocks, block merges under the cache limit.
import { KeyNotFoundError } from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import { BlockSummaries, SummaryBuilder } from "../src/block-summaries.js";
import { BinarySearchFinder, MemoryRowSource } from "../src/index.js";
import { expectThrows } from "./helpers/expect-error.js";
import { FileBuilder } from "./helpers/file-builder.js";
import { denseRandomFile, orderedFile, T0 } from "./helpers/files.js";
import { createRandom, keyWithSuffix, neighbour } from "./helpers/keys.js";
import { CountingRowSource } from "./helpers/row-sources.js";

describe("binary search internals", () => {
  it("finds every key of large sorted blocks by probing, and no neighbour", () => {
    const { b, keys } = orderedFile(12_000, { stepMs: 0, txRows: 40 });
    const source = new CountingRowSource(new MemoryRowSource(b.build()));
    const finder = new BinarySearchFinder(source, { blockRows: 4096 });
    finder.getIndex(keys[0]!);
    for (let i = 0; i < keys.length; i++) {
      const expected = i + 1 + Math.floor(i / 10_000);
      // A probed search reads far less than the 4,096-row block.
      const rows = source.count(() => expect(finder.getIndex(keys[i]!)).toBe(expected));
      expect(rows).toBeLessThan(1_200);
      if (i % 7 === 0)
        expectThrows(() => finder.getIndex(neighbour(keys[i]!)), KeyNotFoundError, "key_not_found");
    }
  });

  it("large unordered blocks and an unordered tail are scanned, not probed", () => {
    const { b, keys } = denseRandomFile(6_000, 13);
    const file = b.build();
    const finder = new BinarySearchFinder(new MemoryRowSource(file), { blockRows: 4096 });
    keys.forEach((key, i) => {
      expect(finder.getIndex(key)).toBe(i + 1);
      if (i % 11 === 0)
        expectThrows(() => finder.getIndex(neighbour(key)), KeyNotFoundError, "key_not_found");
    });
  });

  it("runs of null rows inside a sorted block do not hide keys", () => {
    const b = new FileBuilder({ skewMs: 5000 });
    const keys: Uint8Array[] = [];
    const random = createRandom(23);
    for (let i = 0; i < 9_000; i++) {
      const key = keyWithSuffix(T0, i);
      keys.push(key);
      b.tx([key]);
      // Runs of 1–8 null rows, so probes land on them and some probe windows hold nothing else.
      if (random() % 4 === 0) for (let n = random() % 8; n >= 0; n--) b.nullRow();
    }
    const finder = new BinarySearchFinder(new MemoryRowSource(b.build()), { blockRows: 8192 });
    const rows = new Map<number, number>();
    b.rows.forEach((row, index) => {
      if (row.kind === "data")
        rows.set(row.key[14]! | (row.key[13]! << 8) | (row.key[12]! << 16), index);
    });
    for (const [i, key] of keys.entries()) expect(finder.getIndex(key)).toBe(rows.get(i));
  });

  it("merging blocks keeps memory within the limit and summaries exact", () => {
    const summaries = new BlockSummaries(1, 1024);
    summaries.grow(4);
    const builder = new SummaryBuilder();
    for (let block = 0; block < 4; block++) {
      builder.reset();
      builder.add(keyWithSuffix(T0, block), 0);
      summaries.setLeaf(block, builder);
    }
    expect(summaries.isSorted(1)).toBe(true);
    summaries.grow(1_000);
    expect(summaries.bytes()).toBeLessThanOrEqual(1024);
    expect(summaries.blockRows).toBeGreaterThan(1);
    // The first merged leaf holds the merge of the known blocks it covers.
    const leaf = summaries.leaf(0);
    if (summaries.blockRows <= 4) {
      expect(summaries.isKnown(leaf)).toBe(true);
      expect(summaries.isSorted(leaf)).toBe(true);
    } else {
      expect(summaries.isKnown(leaf)).toBe(false);
    }
  });

  it("a block with a key out of order is not sorted, and neither is its parent", () => {
    const summaries = new BlockSummaries(2, 1 << 20);
    summaries.grow(4);
    const builder = new SummaryBuilder();
    builder.add(keyWithSuffix(T0, 5), 0);
    builder.add(keyWithSuffix(T0, 3), 0);
    summaries.setLeaf(0, builder);
    builder.reset();
    builder.add(keyWithSuffix(T0, 6), 0);
    builder.add(keyWithSuffix(T0, 7), 0);
    summaries.setLeaf(1, builder);
    expect(summaries.isSorted(summaries.leaf(0))).toBe(false);
    expect(summaries.isSorted(summaries.leaf(1))).toBe(true);
    expect(summaries.isKnown(1)).toBe(true);
    expect(summaries.isSorted(1)).toBe(false);
    // Equal keys across blocks are not strictly increasing either.
    builder.reset();
    builder.add(keyWithSuffix(T0, 1), 0);
    builder.add(keyWithSuffix(T0, 6), 0);
    summaries.setLeaf(0, builder);
    expect(summaries.isSorted(1)).toBe(false);
  });
});
