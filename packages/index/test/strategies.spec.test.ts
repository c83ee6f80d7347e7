// Spec 003, what each strategy promises beyond the common contract: reads,
// memory and the binary search's logarithmic cost on dense files.
import { CorruptDatabaseError, formatUuid, KeyNotFoundError } from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import {
  BinarySearchFinder,
  DEFAULT_CACHE_BYTES,
  InMemoryFinder,
  MemoryRowSource,
  SimpleFinder,
} from "../src/index.js";
import { expectThrows } from "./helpers/expect-error.js";
import { FileBuilder } from "./helpers/file-builder.js";
import { denseRandomFile, orderedFile, T0 } from "./helpers/files.js";
import { createRandom, keyAt, neighbour } from "./helpers/keys.js";
import { Oracle, outcome } from "./helpers/oracle.js";
import { CountingRowSource } from "./helpers/row-sources.js";

/** 100,000 keys in one millisecond, strictly increasing: what a monotonic UUIDv7 generator writes. */
let dense: ReturnType<typeof orderedFile> | undefined;
const denseFile = () => {
  dense ??= orderedFile(100_000, { stepMs: 0, skewMs: 5000 });
  return dense;
};

describe("S_003 strategies", () => {
  it("S_003 FR_016 simple reads nothing at creation, scans in bulk reads and decodes only matching rows", () => {
    const { b, keys } = orderedFile(20_010, { txRows: 50 });
    const file = b.build();
    const source = new CountingRowSource(new MemoryRowSource(file));
    const finder = new SimpleFinder(source);
    expect(source.rowsRead).toBe(0);
    expect(finder.memoryBytes()).toBe(0);
    const total = b.rows.length;
    const rows = source.count(() => expect(finder.getIndex(keys[19_999]!)).toBe(20_001));
    // Whole reads up to the one holding the match: here every row but the initial checksum row.
    expect(rows).toBe(20_012);
    // 1 MiB reads of 128-byte rows: 8,192 rows per call.
    expect(source.reads).toBe(Math.ceil(20_002 / 8192));
    expect(total).toBe(20_013);
    // Past the second checksum row (20002), indices stay exact.
    expect(finder.getIndex(keys[20_000]!)).toBe(20_003);
    expect(finder.getIndex(keys[20_009]!)).toBe(20_012);
    // One read spanning two checksum rows.
    const wide = new SimpleFinder(new MemoryRowSource(file), { readBytes: 4 << 20 });
    expect(wide.getIndex(keys[20_000]!)).toBe(20_003);
    expect(wide.getIndex(keys[10_000]!)).toBe(10_002);

    // A damaged row that does not match is never decoded; the damaged row itself is reported.
    const damaged = file.slice();
    damaged[64 + 5 * 128 + 40] = damaged[64 + 5 * 128 + 40]! ^ 1;
    const scan = new SimpleFinder(new MemoryRowSource(damaged));
    expect(scan.getIndex(keys[10_000]!)).toBe(10_002);
    expectThrows(
      () => scan.getIndex(keys[4]!),
      CorruptDatabaseError,
      "corrupt_database",
      "failed to parse row at index 5",
    );
  });

  it("S_003 FR_017 inmemory reads every row once at creation, then answers without reads in < 64 bytes per row", () => {
    const { b, keys } = denseFile();
    const source = new CountingRowSource(new MemoryRowSource(b.build()));
    const finder = new InMemoryFinder(source);
    const total = b.rows.length;
    expect(source.rowsRead).toBe(total);
    expect(source.reads).toBe(Math.ceil(total / ((4 << 20) / 128)));
    const perRow = finder.memoryBytes() / total;
    console.log(
      `inmemory: ${finder.memoryBytes()} bytes for ${total} rows = ${perRow.toFixed(1)} bytes/row`,
    );
    expect(perRow).toBeLessThan(64);
    const before = source.rowsRead;
    for (let i = 0; i < keys.length; i += 997) {
      const index = finder.getIndex(keys[i]!);
      finder.getTransactionStart(index);
      finder.getTransactionEnd(index);
    }
    expectThrows(() => finder.getIndex(neighbour(keys[5]!)), KeyNotFoundError, "key_not_found");
    expect(source.rowsRead).toBe(before);

    // Grown by notifications, it stays under the bound.
    const grown = orderedFile(30_000, { stepMs: 0 });
    const live = new MemoryRowSource(grown.b.prefix(10_000));
    const growing = new InMemoryFinder(live);
    live.append(grown.b.rowBytes(10_000));
    const grownPerRow = growing.memoryBytes() / growing.rowCount();
    console.log(
      `inmemory after live growth 10,000 → ${growing.rowCount()} rows: ${grownPerRow.toFixed(1)} bytes/row`,
    );
    expect(grownPerRow).toBeLessThan(64);
    expect(growing.getIndex(grown.keys[29_999]!)).toBe(30_002);

    const corrupt = b.prefix(200);
    corrupt[64 + 150 * 128 + 40] = corrupt[64 + 150 * 128 + 40]! ^ 1;
    const error = expectThrows(
      () => new InMemoryFinder(new MemoryRowSource(corrupt)),
      CorruptDatabaseError,
      "corrupt_database",
      "failed to parse row at index 150",
    );
    expect(error.rowIndex).toBe(150);
  });

  it("S_003 FR_018 binary_search reads nothing at creation, stays within its cache limit, and reads < 2,000 rows per lookup on 100,000 dense keys", () => {
    const { b, keys } = denseFile();
    const source = new CountingRowSource(new MemoryRowSource(b.build()));
    const finder = new BinarySearchFinder(source);
    const total = b.rows.length;
    expect(source.rowsRead).toBe(0);

    // The first lookup must read the window once: nothing else can prove the answer (spec D6).
    const first = source.count(() => expect(finder.getIndex(keys[31_337]!)).toBeGreaterThan(0));
    expect(first).toBeLessThan(total + 2_000);

    const random = createRandom(42);
    let maxPresent = 0;
    let maxAbsent = 0;
    let sum = 0;
    const lookups = 500;
    for (let n = 0; n < lookups; n++) {
      const i = random() % keys.length;
      const present = source.count(() =>
        expect(finder.getIndex(keys[i]!)).toBe(i + 1 + Math.floor(i / 10_000)),
      );
      // Absent: a neighbour in the same millisecond, and a key just outside the file's range.
      const absentKey =
        n % 2 === 0 ? neighbour(keys[i]!) : keyAt(T0 + (n % 4 === 1 ? -1 : 1), random);
      const absent = source.count(() =>
        expectThrows(
          () => finder.getIndex(absentKey),
          KeyNotFoundError,
          "key_not_found",
          `key ${formatUuid(absentKey)} not found in database`,
        ),
      );
      maxPresent = Math.max(maxPresent, present);
      maxAbsent = Math.max(maxAbsent, absent);
      sum += present + absent;
    }
    console.log(
      `binary_search, ${keys.length} dense keys: first lookup read ${first} rows; then per lookup max ${maxPresent} (present), ${maxAbsent} (absent), mean ${(sum / (2 * lookups)).toFixed(1)} rows; cache ${finder.memoryBytes()} bytes`,
    );
    expect(maxPresent).toBeLessThan(2_000);
    expect(maxAbsent).toBeLessThan(2_000);
    expect(finder.memoryBytes()).toBeLessThanOrEqual(DEFAULT_CACHE_BYTES);

    // A cache limit far below the file's needs: memory stays within it, answers stay right.
    const small = new BinarySearchFinder(new MemoryRowSource(b.build()), { cacheBytes: 4096 });
    for (let i = 0; i < keys.length; i += 4_999)
      expect(small.getIndex(keys[i]!)).toBe(i + 1 + Math.floor(i / 10_000));
    expect(small.memoryBytes()).toBeLessThanOrEqual(4096);
    expect(small.blockRows).toBeGreaterThan(64);
  });

  it("S_003 FR_019 binary_search returns first occurrences under disorder and scans only where the file is out of order", () => {
    // Dense and unordered (random key bits in one millisecond), with duplicates.
    const { b, keys } = denseRandomFile(3_000, 5);
    for (const i of [7, 1_500, 2_999]) b.tx([keys[i]!]);
    const file = b.build();
    const oracle = new Oracle(file, b.rowSize);
    const finder = new BinarySearchFinder(new MemoryRowSource(file));
    for (const key of keys) {
      expect(finder.getIndex(key)).toBe(oracle.indices(key)[0]);
      expect(outcome(() => finder.getIndex(neighbour(key)))).toMatchObject({
        code: "key_not_found",
      });
    }
    expect(finder.getIndices(keys[1_500]!)).toEqual(oracle.indices(keys[1_500]!));

    // Ordered by time but unordered inside each millisecond (20 random keys per ms):
    // blocks are unsorted, yet their key ranges are narrow, so lookups stay short.
    const local = new FileBuilder({ skewMs: 5000 });
    const random = createRandom(17);
    const localKeys: Uint8Array[] = [];
    for (let i = 0; i < 50_000; i++) localKeys.push(keyAt(T0 + Math.floor(i / 20), random));
    for (let i = 0; i < localKeys.length; i += 100) local.tx(localKeys.slice(i, i + 100));
    const source = new CountingRowSource(new MemoryRowSource(local.build()));
    const search = new BinarySearchFinder(source);
    search.getIndex(localKeys[0]!);
    let max = 0;
    for (let i = 0; i < localKeys.length; i += 251) {
      const expected = i + 1 + Math.floor(i / 10_000);
      max = Math.max(
        max,
        source.count(() => expect(search.getIndex(localKeys[i]!)).toBe(expected)),
      );
      max = Math.max(
        max,
        source.count(() =>
          expect(outcome(() => search.getIndex(neighbour(localKeys[i]!)))).toMatchObject({
            code: "key_not_found",
          }),
        ),
      );
    }
    console.log(`binary_search, 50,000 keys unordered within each ms: max ${max} rows per lookup`);
    expect(max).toBeLessThan(2_000);
  });
});
