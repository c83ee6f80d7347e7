// Spec 003, the common finder contract (FR-003 … FR-013), checked for every
// strategy through the public factory.
import {
  CorruptDatabaseError,
  formatUuid,
  InvalidInputError,
  KeyNotFoundError,
  nullRowUuid,
  TombstonedError,
  TransactionActiveError,
  uuidTimestamp,
} from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import {
  BinarySearchFinder,
  createFinder,
  FINDER_STRATEGIES,
  type Finder,
  type FinderStrategy,
  InMemoryFinder,
  MemoryRowSource,
  SimpleFinder,
} from "../src/index.js";
import { expectThrows } from "./helpers/expect-error.js";
import { FileBuilder } from "./helpers/file-builder.js";
import { mixedFile, orderedFile, T0 } from "./helpers/files.js";
import { createRandom, keyAt, keyWithSuffix, neighbour, text } from "./helpers/keys.js";
import { CountingRowSource } from "./helpers/row-sources.js";

const each = (file: Uint8Array): Array<[FinderStrategy, Finder]> =>
  FINDER_STRATEGIES.map((s) => [s, createFinder(new MemoryRowSource(file), s)]);

describe("S_003 finders", () => {
  it("S_003 FR_003 createFinder builds each named strategy behind one Finder interface and rejects other names", () => {
    const source = new MemoryRowSource(mixedFile().b.build());
    expect(FINDER_STRATEGIES).toEqual(["simple", "inmemory", "binary_search"]);
    expect(createFinder(source, "simple")).toBeInstanceOf(SimpleFinder);
    expect(createFinder(source, "inmemory")).toBeInstanceOf(InMemoryFinder);
    expect(createFinder(source, "binary_search")).toBeInstanceOf(BinarySearchFinder);
    for (const name of ["", "binary", "InMemory"]) {
      expectThrows(
        () => createFinder(source, name as FinderStrategy),
        InvalidInputError,
        "invalid_input",
      );
    }
    for (const [, finder] of each(mixedFile().b.build())) {
      for (const method of [
        "getIndex",
        "getIndices",
        "getTransactionStart",
        "getTransactionEnd",
        "maxTimestamp",
        "rowCount",
        "memoryBytes",
        "onRowAdded",
        "close",
      ] as const) {
        expect(typeof finder[method]).toBe("function");
      }
    }
    expectThrows(
      () => new BinarySearchFinder(source, { cacheBytes: 10 }),
      InvalidInputError,
      "invalid_input",
    );
    expectThrows(
      () => new BinarySearchFinder(source, { blockRows: 3 }),
      InvalidInputError,
      "invalid_input",
    );
    expectThrows(
      () => new SimpleFinder(source, { readBytes: 0 }),
      InvalidInputError,
      "invalid_input",
    );
  });

  it("S_003 FR_004 key validation runs tombstone, shape, Nil, UUIDv7 in order; a null-row UUID is absent", () => {
    for (const [strategy, finder] of each(mixedFile().b.build())) {
      expectThrows(() => finder.getIndex("zz"), InvalidInputError, "invalid_input");
      expectThrows(
        () => finder.getIndex("00000000-0000-0000-0000-000000000000"),
        InvalidInputError,
        "invalid_input",
        "key cannot be uuid.Nil",
      );
      expectThrows(
        () => finder.getIndices(new Uint8Array(16)),
        InvalidInputError,
        "invalid_input",
        "key cannot be uuid.Nil",
      );
      expectThrows(
        () => finder.getIndex("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"),
        InvalidInputError,
        "invalid_input",
        "UUID version must be 7, got 4",
      );
      const nullKey = nullRowUuid(T0);
      expectThrows(
        () => finder.getIndex(nullKey),
        KeyNotFoundError,
        "key_not_found",
        `key ${formatUuid(nullKey)} not found in database`,
      );
      expect(finder.getIndices(nullKey), strategy).toEqual([]);
      // Once tombstoned, the tombstone comes first, even for a Nil key.
      expect(() => finder.onRowAdded(0, { type: "checksum", crc: 0 })).toThrow();
      expectThrows(
        () => finder.getIndex("00000000-0000-0000-0000-000000000000"),
        TombstonedError,
        "tombstoned",
      );
    }
  });

  it("S_003 FR_005 getIndex returns a complete data row's index whatever the outcome; null, checksum and tail rows never match", () => {
    const { b, k, at } = mixedFile();
    for (const [strategy, finder] of each(b.build())) {
      expect(finder.getIndex(k[0]!), strategy).toBe(at.committed[0]);
      expect(finder.getIndex(k[3]!), strategy).toBe(at.rolledBack[0]);
      expect(finder.getIndex(k[6]!), strategy).toBe(at.partial[1]);
      expect(finder.getIndex(k[10]!), strategy).toBe(at.open[1]);
      expectThrows(
        () => finder.getIndex(nullRowUuid(b.maxTimestamp)),
        KeyNotFoundError,
        "key_not_found",
      );
    }
  });

  it("S_003 FR_006 duplicates: getIndex gives the first occurrence in file order, getIndices all of them", () => {
    const b = new FileBuilder({ skewMs: 1000 });
    const dup = keyWithSuffix(T0 + 10, 1);
    const rows = [
      b.tx([dup], { rollback: 0 })[0],
      b.tx([keyWithSuffix(T0 + 11, 1), dup])[1],
      b.tx([dup])[0],
    ];
    for (const [strategy, finder] of each(b.build())) {
      expect(finder.getIndex(dup), strategy).toBe(rows[0]);
      expect(finder.getIndices(dup), strategy).toEqual(rows);
      expect(finder.getIndices(neighbour(dup)), strategy).toEqual([]);
    }
  });

  it("S_003 FR_007 an absent key is KeyNotFoundError with 'key <uuid> not found in database' for every strategy", () => {
    const { b, k } = mixedFile();
    const absent = [neighbour(k[4]!), keyWithSuffix(T0 - 1, 1), keyWithSuffix(T0 + 10_000_000, 1)];
    for (const [, finder] of each(b.build())) {
      for (const key of absent) {
        expectThrows(
          () => finder.getIndex(key),
          KeyNotFoundError,
          "key_not_found",
          `key ${formatUuid(key)} not found in database`,
        );
      }
    }
  });

  it("S_003 FR_008 boundary lookups validate integer, sign, bounds, then checksum rows", () => {
    const { b } = mixedFile();
    const total = b.rows.length;
    for (const [, finder] of each(b.build())) {
      for (const get of [
        (i: number) => finder.getTransactionStart(i),
        (i: number) => finder.getTransactionEnd(i),
      ]) {
        expectThrows(() => get(0.5), InvalidInputError, "invalid_input");
        expectThrows(() => get(-3), InvalidInputError, "invalid_input", "index cannot be negative");
        expectThrows(
          () => get(total + 4),
          InvalidInputError,
          "invalid_input",
          `index ${total + 4} out of bounds (total rows: ${total})`,
        );
        expectThrows(
          () => get(0),
          InvalidInputError,
          "invalid_input",
          "index points to checksum row",
        );
      }
    }
  });

  it("S_003 FR_009 getTransactionStart finds the T row, a null row is its own start, an orphan R is corrupt", () => {
    const { b, at } = mixedFile();
    // After the open transaction, an R row still continues it: not an orphan.
    const continued = b.data(keyWithSuffix(T0 + 500, 1), "R", "TC");
    const orphan = b.data(keyWithSuffix(T0 + 501, 1), "R", "TC");
    for (const [strategy, finder] of each(b.build())) {
      expect(finder.getTransactionStart(at.partial[2]!), strategy).toBe(at.partial[0]);
      expect(finder.getTransactionStart(at.committed[0]!), strategy).toBe(at.committed[0]);
      expect(finder.getTransactionStart(at.null2), strategy).toBe(at.null2);
      expect(finder.getTransactionStart(continued), strategy).toBe(at.open[0]);
      expectThrows(
        () => finder.getTransactionStart(orphan),
        CorruptDatabaseError,
        "corrupt_database",
        "no transaction start found in backward scan",
      );
    }
  });

  it("S_003 FR_010 getTransactionEnd finds the ending row; open → transaction_active; abandoned → corrupt", () => {
    const { b, at } = mixedFile();
    const next = b.tx([keyWithSuffix(T0 + 600, 1)]);
    for (const [strategy, finder] of each(b.build())) {
      expect(finder.getTransactionEnd(at.committed[0]!), strategy).toBe(at.committed[2]);
      expect(finder.getTransactionEnd(at.rolledBack[0]!), strategy).toBe(at.rolledBack[1]);
      expect(finder.getTransactionEnd(at.null1), strategy).toBe(at.null1);
      expect(finder.getTransactionEnd(next[0]!), strategy).toBe(next[0]);
      expectThrows(
        () => finder.getTransactionEnd(at.open[0]!),
        CorruptDatabaseError,
        "corrupt_database",
        `transaction of row ${at.open[0]} has no ending row before row ${next[0]} starts a new transaction`,
      );
    }
    const { b: openFile, at: openAt } = mixedFile();
    for (const [, finder] of each(openFile.build())) {
      expectThrows(
        () => finder.getTransactionEnd(openAt.open[1]!),
        TransactionActiveError,
        "transaction_active",
        "transaction has no ending row",
      );
    }
  });

  it("S_003 FR_011 maxTimestamp is exact, lazily computed from the tail window, then O(1) and kept current", () => {
    const random = createRandom(9);
    const b = new FileBuilder({ skewMs: 50 });
    for (let i = 0; i < 3_000; i++) b.tx([keyAt(T0 + i - (i % 3 === 0 ? 49 : 0), random)]);
    const expected = T0 + 2_999;
    for (const strategy of FINDER_STRATEGIES) {
      const source = new CountingRowSource(new MemoryRowSource(b.build()));
      const finder = createFinder(source, strategy);
      const atOpen = source.rowsRead;
      const first = source.count(() => expect(finder.maxTimestamp()).toBe(expected));
      if (strategy !== "inmemory") {
        expect(atOpen).toBe(0);
        expect(first).toBeGreaterThan(0);
        // Only the rows the rule leaves open at the end: ~50 here, read in a few bulk reads.
        expect(first).toBeLessThan(200);
      }
      expect(source.count(() => finder.maxTimestamp())).toBe(0);
    }
    // Kept current by notifications, with no read.
    const { b: live } = mixedFile();
    const at = live.nextIndex;
    live.tx([keyWithSuffix(T0 + 90_000, 1)]);
    for (const strategy of FINDER_STRATEGIES) {
      const memory = new MemoryRowSource(live.prefix(at));
      const source = new CountingRowSource(memory);
      const finder = createFinder(source, strategy);
      finder.maxTimestamp();
      memory.append(live.rowBytes(at));
      expect(source.count(() => expect(finder.maxTimestamp()).toBe(T0 + 90_000))).toBe(0);
    }
  });

  it("S_003 FR_012 finders subscribe on creation, accept only the expected index, and close() unsubscribes", () => {
    const { b, k, at } = mixedFile();
    for (const strategy of FINDER_STRATEGIES) {
      const source = new MemoryRowSource(b.prefix(at.single[0]!));
      const finder = createFinder(source, strategy);
      expect(finder.rowCount()).toBe(at.single[0]);
      source.append(b.rowBytes(at.single[0]!, at.open[0]!));
      expect(finder.rowCount()).toBe(at.open[0]);
      expect(finder.getIndex(k[8]!)).toBe(at.single[0]);
      finder.close();
      source.append(b.rowBytes(at.open[0]!));
      expect(finder.rowCount()).toBe(at.open[0]);
      expectThrows(() => finder.getIndex(k[8]!), TombstonedError, "tombstoned");
    }
  });

  it("S_003 FR_013 an out-of-order notification tombstones the finder with the error as cause; a missing row does not", () => {
    const { b, k } = mixedFile();
    for (const strategy of FINDER_STRATEGIES) {
      const finder = createFinder(new MemoryRowSource(b.build()), strategy);
      const total = finder.rowCount();
      const row = { type: "null", key: nullRowUuid(T0), timestamp: T0 } as const;
      expectThrows(
        () => finder.onRowAdded(total, undefined as never),
        InvalidInputError,
        "invalid_input",
        "row cannot be nil",
      );
      expect(finder.getIndex(k[0]!)).toBe(1);
      expectThrows(
        () => finder.onRowAdded(total + 2, row),
        InvalidInputError,
        "invalid_input",
        `row index ${total + 2} skips positions (expected ${total})`,
      );
      const tomb = expectThrows(
        () => finder.getIndex(k[0]!),
        TombstonedError,
        "tombstoned",
        "finder tombstoned due to onRowAdded error",
      );
      expect(tomb.cause).toBeInstanceOf(InvalidInputError);
      expect(() => finder.getTransactionEnd(1)).toThrow(tomb);
      expect(finder.maxTimestamp()).toBe(uuidTimestamp(k[10]!));
      expectThrows(() => finder.onRowAdded(total, row), TombstonedError, "tombstoned");

      const other = createFinder(new MemoryRowSource(b.build()), strategy);
      expectThrows(
        () => other.onRowAdded(total - 1, row),
        InvalidInputError,
        "invalid_input",
        `row index ${total - 1} does not match expected position ${total} (existing data)`,
      );
      expectThrows(() => other.getIndices(text(k[0]!)), TombstonedError, "tombstoned");

      const third = createFinder(new MemoryRowSource(orderedFile(3).b.build()), strategy);
      expectThrows(
        () => third.onRowAdded(third.rowCount(), { type: "checksum", crc: 1 }),
        CorruptDatabaseError,
        "corrupt_database",
      );
      expectThrows(() => third.getTransactionStart(1), TombstonedError, "tombstoned");
    }
  });
});
