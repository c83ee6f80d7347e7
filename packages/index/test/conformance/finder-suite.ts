/**
 * The finder conformance suite: written once, run against every strategy
 * (finders.conformance.test.ts). Cases carry stable IDs; a case that only
 * applies to some strategies is gated by a capability, never by a name.
 * Pending cases would be listed in known-failures.txt (none today).
 */

import {
  CorruptDatabaseError,
  decodeRow,
  encodeDataRow,
  encodePartialDataRow,
  formatUuid,
  InvalidInputError,
  KeyNotFoundError,
  nullRowUuid,
  parseUuid,
  type Row,
  TombstonedError,
  TransactionActiveError,
  uuidTimestamp,
} from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import { type Finder, MemoryRowSource, type RowSource } from "../../src/index.js";
import { expectThrows, thrown } from "../helpers/expect-error.js";
import { FileBuilder } from "../helpers/file-builder.js";
import { denseRandomFile, mixedFile, orderedFile, T0 } from "../helpers/files.js";
import { createRandom, keyAt, keyWithSuffix, neighbour, text } from "../helpers/keys.js";
import { CountingRowSource } from "../helpers/row-sources.js";

/** Builds the strategy under test over a source. */
export type MakeFinder = (source: RowSource) => Finder;

/** What a strategy promises beyond the common contract. */
export interface FinderSupports {
  /** Creating the finder reads no rows. */
  readonly lazyOpen: boolean;
  /** Lookups and boundaries read no rows once the finder exists. */
  readonly answersFromMemory: boolean;
  /** Creating the finder decodes every row, so a corrupt row fails creation. */
  readonly validatesAtOpen: boolean;
}

const notFound = (key: Uint8Array) => `key ${formatUuid(key)} not found in database`;

/** Runs the conformance cases against one strategy. */
export function describeFinderConformance(
  name: string,
  make: MakeFinder,
  supports: FinderSupports,
): void {
  const open = (file: Uint8Array) => {
    const source = new MemoryRowSource(file);
    return { source, finder: make(source) };
  };

  // One file past the first checksum block, shared by the cases that read it.
  let big: ReturnType<typeof orderedFile> | undefined;
  const bigFile = () => {
    big ??= orderedFile(10_050, { stepMs: 1, txRows: 7 });
    return big;
  };

  describe(`${name} finder conformance`, () => {
    describe("getIndex", () => {
      it("FC-GI-001 finds every key of a committed transaction at its row", () => {
        const { b, k, at } = mixedFile();
        const { finder } = open(b.build());
        for (const [i, row] of at.committed.entries()) expect(finder.getIndex(k[i]!)).toBe(row);
        expect(finder.getIndex(k[8]!)).toBe(at.single[0]);
      });

      it("FC-GI-002 finds keys whatever their transaction's outcome (rolled back, open)", () => {
        const { b, k, at } = mixedFile();
        const { finder } = open(b.build());
        expect(finder.getIndex(k[3]!)).toBe(at.rolledBack[0]);
        expect(finder.getIndex(k[4]!)).toBe(at.rolledBack[1]);
        expect(finder.getIndex(k[7]!)).toBe(at.partial[2]);
        expect(finder.getIndex(k[9]!)).toBe(at.open[0]);
        expect(finder.getIndex(k[10]!)).toBe(at.open[1]);
      });

      it("FC-GI-003 an absent key is key_not_found with the uuid in the message", () => {
        const { b, k } = mixedFile();
        const { finder } = open(b.build());
        for (const absent of [
          neighbour(k[0]!),
          keyWithSuffix(T0 - 5_000_000, 9),
          keyWithSuffix(T0 + 9_999_999, 9),
        ]) {
          expectThrows(
            () => finder.getIndex(absent),
            KeyNotFoundError,
            "key_not_found",
            notFound(absent),
          );
        }
      });

      it("FC-GI-004 the Nil UUID is invalid_input: key cannot be uuid.Nil", () => {
        const { finder } = open(mixedFile().b.build());
        expectThrows(
          () => finder.getIndex("00000000-0000-0000-0000-000000000000"),
          InvalidInputError,
          "invalid_input",
          "key cannot be uuid.Nil",
        );
        expectThrows(() => finder.getIndex(new Uint8Array(16)), InvalidInputError, "invalid_input");
      });

      it("FC-GI-005 a key that is not a UUIDv7 fails with the validation message", () => {
        const { finder } = open(mixedFile().b.build());
        expectThrows(
          () => finder.getIndex("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"),
          InvalidInputError,
          "invalid_input",
          "UUID version must be 7, got 4",
        );
        expectThrows(
          () => finder.getIndex("0190a1b2-c3d4-7e5f-0a6b-7c8d9e0f1a2b"),
          InvalidInputError,
          "invalid_input",
          "UUID variant must be RFC 4122, got Reserved",
        );
      });

      it("FC-GI-006 malformed key shapes are invalid_input", () => {
        const { finder } = open(mixedFile().b.build());
        expectThrows(() => finder.getIndex("not-a-uuid"), InvalidInputError, "invalid_input");
        expectThrows(() => finder.getIndex(new Uint8Array(15)), InvalidInputError, "invalid_input");
      });

      it("FC-GI-007 a null-row UUID is an absent key, also one equal to a null row in the file", () => {
        const { b } = mixedFile();
        const { finder } = open(b.build());
        const inFile = nullRowUuid(b.maxTimestamp);
        expectThrows(
          () => finder.getIndex(inFile),
          KeyNotFoundError,
          "key_not_found",
          notFound(inFile),
        );
        expect(finder.getIndices(inFile)).toEqual([]);
      });

      it("FC-GI-008 keys are accepted as text in any case and as bytes", () => {
        const { b, k, at } = mixedFile();
        const { finder } = open(b.build());
        expect(finder.getIndex(text(k[1]!).toUpperCase())).toBe(at.committed[1]);
        expect(finder.getIndex(text(k[1]!))).toBe(at.committed[1]);
        expect(finder.getIndex(k[1]!.slice())).toBe(at.committed[1]);
      });

      it("FC-GI-009 a duplicated key is found at its first occurrence, even when that one was rolled back", () => {
        const b = new FileBuilder({ skewMs: 1000 });
        const dup = keyWithSuffix(T0, 77);
        const other = keyWithSuffix(T0 + 1, 5);
        const first = b.tx([dup], { rollback: 0 });
        b.tx([other]);
        const second = b.tx([dup]);
        const third = b.tx([dup], "open");
        const { finder } = open(b.build());
        expect(finder.getIndex(dup)).toBe(first[0]);
        expect(finder.getIndices(dup)).toEqual([first[0], second[0], third[0]]);
        expect(finder.getIndices(other)).toEqual([b.rows.length - 3]);
      });

      it("FC-GI-010 getIndices of an absent key is empty", () => {
        const { b, k } = mixedFile();
        const { finder } = open(b.build());
        expect(finder.getIndices(neighbour(k[2]!))).toEqual([]);
      });

      it("FC-GI-011 a key only in the incomplete tail row is not found", () => {
        const { b } = mixedFile();
        const key = keyWithSuffix(T0 + 500, 3);
        b.tail(
          encodePartialDataRow(
            { state: 2, startControl: "T", key, value: new TextEncoder().encode("1") },
            b.rowSize,
          ),
        );
        const { finder } = open(b.build());
        expectThrows(() => finder.getIndex(key), KeyNotFoundError, "key_not_found", notFound(key));
      });

      it("FC-GI-012 a file with only the initial checksum row finds nothing", () => {
        const { finder } = open(new FileBuilder().build());
        const key = keyWithSuffix(T0, 1);
        expectThrows(() => finder.getIndex(key), KeyNotFoundError, "key_not_found", notFound(key));
        expect(finder.getIndices(key)).toEqual([]);
      });

      it("FC-GI-013 past 10,000 rows keys are found at their row index, across the checksum row", () => {
        const { b, keys } = bigFile();
        const { finder } = open(b.build());
        expect(b.rows[10_001]).toEqual({ kind: "checksum" });
        expect(finder.getIndex(keys[0]!)).toBe(1);
        expect(finder.getIndex(keys[9_999]!)).toBe(10_000);
        expect(finder.getIndex(keys[10_000]!)).toBe(10_002);
        expect(finder.getIndex(keys[10_049]!)).toBe(10_051);
        const absent = neighbour(keys[10_010]!);
        expectThrows(() => finder.getIndex(absent), KeyNotFoundError, "key_not_found");
      });

      it("FC-GI-014 dense keys in one millisecond with random bits are all found, absent neighbours are not", () => {
        const { b, keys } = denseRandomFile(600);
        const { finder } = open(b.build());
        const oracle = new Map<string, number>();
        b.rows.forEach((row, i) => {
          if (row.kind === "data" && !oracle.has(text(row.key))) oracle.set(text(row.key), i);
        });
        for (const key of keys) expect(finder.getIndex(key)).toBe(oracle.get(text(key)));
        for (const key of keys.slice(0, 50)) {
          expectThrows(() => finder.getIndex(neighbour(key)), KeyNotFoundError, "key_not_found");
        }
      });

      it("FC-GI-015 keys whose timestamps go back within the skew window are found", () => {
        const b = new FileBuilder({ skewMs: 100 });
        const random = createRandom(3);
        const keys = [T0 + 100, T0 + 1, T0 + 150, T0 + 51, T0 + 51, T0 + 200, T0 + 101].map((t) =>
          keyAt(t, random),
        );
        for (const key of keys) b.tx([key]);
        const { finder } = open(b.build());
        for (const [i, key] of keys.entries()) expect(finder.getIndex(key)).toBe(i + 1);
      });
    });

    describe("getTransactionStart", () => {
      it("FC-TS-001 a row inside a transaction starts at the transaction's T row", () => {
        const { b, at } = mixedFile();
        const { finder } = open(b.build());
        for (const row of at.committed)
          expect(finder.getTransactionStart(row)).toBe(at.committed[0]);
        for (const row of at.partial) expect(finder.getTransactionStart(row)).toBe(at.partial[0]);
        for (const row of at.open) expect(finder.getTransactionStart(row)).toBe(at.open[0]);
      });

      it("FC-TS-002 a null row and a one-row transaction are their own start", () => {
        const { b, at } = mixedFile();
        const { finder } = open(b.build());
        expect(finder.getTransactionStart(at.null1)).toBe(at.null1);
        expect(finder.getTransactionStart(at.single[0]!)).toBe(at.single[0]);
      });

      it("FC-TS-003 a checksum row index is invalid_input: index points to checksum row", () => {
        const { finder } = open(mixedFile().b.build());
        expectThrows(
          () => finder.getTransactionStart(0),
          InvalidInputError,
          "invalid_input",
          "index points to checksum row",
        );
        expectThrows(
          () => finder.getTransactionEnd(0),
          InvalidInputError,
          "invalid_input",
          "index points to checksum row",
        );
      });

      it("FC-TS-004 negative, out-of-bounds and non-integer indices are invalid_input", () => {
        const { b } = mixedFile();
        const { finder } = open(b.build());
        const total = b.rows.length;
        for (const get of [
          (i: number) => finder.getTransactionStart(i),
          (i: number) => finder.getTransactionEnd(i),
        ]) {
          expectThrows(
            () => get(-1),
            InvalidInputError,
            "invalid_input",
            "index cannot be negative",
          );
          expectThrows(
            () => get(total),
            InvalidInputError,
            "invalid_input",
            `index ${total} out of bounds (total rows: ${total})`,
          );
          expectThrows(() => get(1.5), InvalidInputError, "invalid_input");
          expectThrows(() => get(Number.NaN), InvalidInputError, "invalid_input");
        }
      });

      it("FC-TS-005 an R row with no transaction start before it is corrupt_database", () => {
        const b = new FileBuilder();
        b.data(keyWithSuffix(T0, 1), "R", "TC");
        const { finder } = open(b.build());
        const error = expectThrows(
          () => finder.getTransactionStart(1),
          CorruptDatabaseError,
          "corrupt_database",
        );
        expect(error.rowIndex).toBe(1);
        expect(finder.getIndex(keyWithSuffix(T0, 1))).toBe(1);
        expect(finder.getTransactionEnd(1)).toBe(1);
      });

      it("FC-TS-006 an R row after a closed transaction or a null row is corrupt_database", () => {
        const b = new FileBuilder();
        b.tx([keyWithSuffix(T0, 1)]);
        const afterCommit = b.data(keyWithSuffix(T0 + 1, 1), "R", "RE");
        const follower = b.data(keyWithSuffix(T0 + 2, 1), "R", "TC");
        b.nullRow();
        const afterNull = b.data(keyWithSuffix(T0 + 3, 1), "R", "TC");
        const { finder } = open(b.build());
        for (const row of [afterCommit, follower, afterNull]) {
          expectThrows(
            () => finder.getTransactionStart(row),
            CorruptDatabaseError,
            "corrupt_database",
          );
        }
        expect(finder.getTransactionEnd(afterCommit)).toBe(follower);
      });

      it("FC-TS-007 a transaction spanning the checksum row at 10001 starts before it", () => {
        const b = new FileBuilder();
        for (let i = 0; i < 9_998; i++) b.tx([keyWithSuffix(T0 + i, 1)]);
        const tx = b.tx([1, 2, 3, 4].map((j) => keyWithSuffix(T0 + 10_000 + j, 1)));
        expect(tx).toEqual([9_999, 10_000, 10_002, 10_003]);
        const { finder } = open(b.build());
        expect(finder.getTransactionStart(10_002)).toBe(9_999);
        expect(finder.getTransactionStart(10_003)).toBe(9_999);
        expect(finder.getTransactionEnd(9_999)).toBe(10_003);
        expect(finder.getTransactionEnd(10_000)).toBe(10_003);
        expectThrows(
          () => finder.getTransactionEnd(10_001),
          InvalidInputError,
          "invalid_input",
          "index points to checksum row",
        );
      });
    });

    describe("getTransactionEnd", () => {
      it("FC-TE-001 every row of an ended transaction ends at its last row (TC, SC, R0, R1)", () => {
        const { b, at } = mixedFile();
        const { finder } = open(b.build());
        for (const rows of [at.committed, at.rolledBack, at.partial, at.single]) {
          for (const row of rows) expect(finder.getTransactionEnd(row)).toBe(rows[rows.length - 1]);
        }
      });

      it("FC-TE-002 a null row is its own end", () => {
        const { b, at } = mixedFile();
        const { finder } = open(b.build());
        expect(finder.getTransactionEnd(at.null1)).toBe(at.null1);
        expect(finder.getTransactionEnd(at.null2)).toBe(at.null2);
      });

      it("FC-TE-003 a row of the open transaction is transaction_active", () => {
        const { b, at } = mixedFile();
        const { finder } = open(b.build());
        for (const row of at.open) {
          expectThrows(
            () => finder.getTransactionEnd(row),
            TransactionActiveError,
            "transaction_active",
            "transaction has no ending row",
          );
        }
      });

      it("FC-TE-004 T…RE followed by a new transaction is corrupt_database, not borrowed nor open", () => {
        const b = new FileBuilder();
        const abandoned = b.tx([keyWithSuffix(T0, 1), keyWithSuffix(T0 + 1, 1)], "open");
        const next = b.tx([keyWithSuffix(T0 + 2, 1)]);
        const { finder } = open(b.build());
        for (const row of abandoned) {
          expectThrows(
            () => finder.getTransactionEnd(row),
            CorruptDatabaseError,
            "corrupt_database",
          );
        }
        expect(finder.getTransactionStart(abandoned[1]!)).toBe(abandoned[0]);
        expect(finder.getTransactionEnd(next[0]!)).toBe(next[0]);
      });

      it("FC-TE-005 an open transaction followed by a null row is corrupt_database", () => {
        const b = new FileBuilder();
        const abandoned = b.tx([keyWithSuffix(T0, 1)], "open");
        b.nullRow();
        const { finder } = open(b.build());
        expectThrows(
          () => finder.getTransactionEnd(abandoned[0]!),
          CorruptDatabaseError,
          "corrupt_database",
        );
      });
    });

    describe("maxTimestamp", () => {
      it("FC-MT-001 is the largest timestamp of data and null rows of any outcome; 0 when there are none", () => {
        expect(open(new FileBuilder().build()).finder.maxTimestamp()).toBe(0);
        const { b, k } = mixedFile();
        expect(open(b.build()).finder.maxTimestamp()).toBe(uuidTimestamp(k[10]!));
        const nullOnly = new FileBuilder();
        nullOnly.nullRow(T0);
        expect(open(nullOnly.build()).finder.maxTimestamp()).toBe(T0);
      });

      it("FC-MT-002 the maximum need not be the last row when timestamps step back within the window", () => {
        const b = new FileBuilder({ skewMs: 1000 });
        const random = createRandom(11);
        for (const t of [T0, T0 + 900, T0 + 5, T0 + 400, T0 + 1]) b.tx([keyAt(t, random)]);
        b.nullRow(T0 + 900);
        const { finder } = open(b.build());
        expect(finder.maxTimestamp()).toBe(T0 + 900);
        expect(finder.maxTimestamp()).toBe(T0 + 900);
      });

      it("FC-MT-004 a row just older than the maximum allows does not hide an earlier maximum", () => {
        // skew 10: after 100, 91 is the oldest key allowed; 91 + 10 > 99, so
        // the row at 100 before it may still be the largest.
        const b = new FileBuilder({ skewMs: 10 });
        const random = createRandom(5);
        for (const t of [T0 + 100, T0 + 91, T0 + 99]) b.tx([keyAt(t, random)]);
        expect(open(b.build()).finder.maxTimestamp()).toBe(T0 + 100);
      });

      it("FC-MT-003 follows rows appended live", () => {
        const { b } = mixedFile();
        const extra = b.nextIndex;
        b.tx([keyWithSuffix(T0 + 60_000, 1)]);
        const source = new MemoryRowSource(b.prefix(extra));
        const finder = make(source);
        const before = finder.maxTimestamp();
        source.append(b.rowBytes(extra));
        expect(before).toBeLessThan(T0 + 60_000);
        expect(finder.maxTimestamp()).toBe(T0 + 60_000);
      });
    });

    describe("notifications", () => {
      it("FC-NT-001 rows appended live are found, with their boundaries", () => {
        const { b, k, at } = mixedFile();
        const source = new MemoryRowSource(b.prefix(at.partial[0]!));
        const finder = make(source);
        expectThrows(() => finder.getIndex(k[6]!), KeyNotFoundError, "key_not_found");
        source.append(b.rowBytes(at.partial[0]!));
        expect(finder.rowCount()).toBe(b.rows.length);
        expect(finder.getIndex(k[6]!)).toBe(at.partial[1]);
        expect(finder.getIndex(k[10]!)).toBe(at.open[1]);
        expect(finder.getTransactionEnd(at.partial[0]!)).toBe(at.partial[2]);
      });

      it("FC-NT-002 a row written in pieces is found only once it is complete", () => {
        const b = new FileBuilder();
        b.tx([keyWithSuffix(T0, 1)]);
        const source = new MemoryRowSource(b.build());
        const finder = make(source);
        const key = keyWithSuffix(T0 + 1, 1);
        const row = encodeDataRow(
          { startControl: "T", endControl: "TC", key, value: new TextEncoder().encode("2") },
          b.rowSize,
        );
        source.append(row.subarray(0, 2));
        source.append(row.subarray(2, b.rowSize - 5));
        expectThrows(() => finder.getIndex(key), KeyNotFoundError, "key_not_found");
        expect(finder.rowCount()).toBe(2);
        source.append(row.subarray(b.rowSize - 5));
        expect(finder.getIndex(key)).toBe(2);
        expect(finder.rowCount()).toBe(3);
      });

      it("FC-NT-003 the open transaction's end appears when its last row is appended", () => {
        const b = new FileBuilder();
        const rows = b.tx([
          keyWithSuffix(T0, 1),
          keyWithSuffix(T0 + 1, 1),
          keyWithSuffix(T0 + 2, 1),
        ]);
        const source = new MemoryRowSource(b.prefix(rows[2]!));
        const finder = make(source);
        expectThrows(
          () => finder.getTransactionEnd(rows[0]!),
          TransactionActiveError,
          "transaction_active",
        );
        source.append(b.rowBytes(rows[2]!));
        expect(finder.getTransactionEnd(rows[0]!)).toBe(rows[2]);
        expect(finder.getTransactionEnd(rows[1]!)).toBe(rows[2]);
      });

      it("FC-NT-004 live appends across the checksum row at 10001 keep indices right", () => {
        const { b, keys } = bigFile();
        const source = new MemoryRowSource(b.prefix(9_990));
        const finder = make(source);
        for (let i = 9_990; i < b.rows.length; i += 13)
          source.append(b.rowBytes(i, Math.min(i + 13, b.rows.length)));
        expect(finder.rowCount()).toBe(b.rows.length);
        expect(finder.getIndex(keys[10_000]!)).toBe(10_002);
        expect(finder.getIndex(keys[9_995]!)).toBe(9_996);
        expect(finder.getIndex(keys[10_049]!)).toBe(10_051);
        expect(finder.maxTimestamp()).toBe(uuidTimestamp(keys[10_049]!));
      });

      it("FC-NT-005 many live appends into a dense window stay findable", () => {
        const { b, keys } = denseRandomFile(700, 21);
        const source = new MemoryRowSource(b.prefix(1));
        const finder = make(source);
        for (let i = 1; i < b.rows.length; i += 37)
          source.append(b.rowBytes(i, Math.min(i + 37, b.rows.length)));
        const seen = new Map<string, number>();
        b.rows.forEach((row, i) => {
          if (row.kind === "data" && !seen.has(text(row.key))) seen.set(text(row.key), i);
        });
        for (const key of keys) expect(finder.getIndex(key)).toBe(seen.get(text(key)));
      });
    });

    describe("tombstoning", () => {
      it("FC-TB-001 a notification for an index already seen tombstones the finder", () => {
        const { b, k } = mixedFile();
        const { finder } = open(b.build());
        const row = { type: "null", key: nullRowUuid(T0), timestamp: T0 } as const;
        const total = finder.rowCount();
        expectThrows(
          () => finder.onRowAdded(total - 1, row),
          InvalidInputError,
          "invalid_input",
          `row index ${total - 1} does not match expected position ${total} (existing data)`,
        );
        const first = expectThrows(
          () => finder.getIndex(k[0]!),
          TombstonedError,
          "tombstoned",
          "finder tombstoned due to onRowAdded error",
        );
        expect((first.cause as Error).message).toContain("does not match expected position");
        expect(thrown(() => finder.getTransactionStart(1))).toBe(first);
        expect(thrown(() => finder.getTransactionEnd(1))).toBe(first);
        expect(thrown(() => finder.getIndices(k[0]!))).toBe(first);
        expect(finder.maxTimestamp()).toBe(uuidTimestamp(k[10]!));
      });

      it("FC-TB-002 a notification that skips an index tombstones the finder", () => {
        const { b, k } = mixedFile();
        const { finder } = open(b.build());
        const total = finder.rowCount();
        expectThrows(
          () => finder.onRowAdded(total + 1, { type: "null", key: nullRowUuid(T0), timestamp: T0 }),
          InvalidInputError,
          "invalid_input",
          `row index ${total + 1} skips positions (expected ${total})`,
        );
        expectThrows(() => finder.getIndex(k[0]!), TombstonedError, "tombstoned");
      });

      it("FC-TB-003 a notification without a row is invalid_input and does not tombstone", () => {
        const { b, k, at } = mixedFile();
        const { finder } = open(b.build());
        expectThrows(
          () => finder.onRowAdded(finder.rowCount(), undefined as never),
          InvalidInputError,
          "invalid_input",
          "row cannot be nil",
        );
        expect(finder.getIndex(k[0]!)).toBe(at.committed[0]);
      });

      it("FC-TB-004 a row re-delivered after another subscriber failed tombstones the finder", () => {
        const { b, k } = mixedFile();
        const source = new MemoryRowSource(b.prefix(5));
        const finder = make(source);
        let fail = true;
        source.subscribe(() => {
          if (fail) throw new InvalidInputError("subscriber failed");
        });
        expectThrows(
          () => source.append(b.rowBytes(5, 6)),
          InvalidInputError,
          "invalid_input",
          "subscriber failed",
        );
        fail = false;
        expectThrows(() => source.append(b.rowBytes(6, 7)), InvalidInputError, "invalid_input");
        expectThrows(() => finder.getIndex(k[3]!), TombstonedError, "tombstoned");
      });

      it("FC-TB-005 a data row at a checksum index tombstones the finder", () => {
        const { b } = mixedFile();
        const { finder } = open(b.build());
        const total = finder.rowCount();
        const key = keyWithSuffix(T0, 5);
        const row = decodeRow(
          encodeDataRow(
            { startControl: "T", endControl: "TC", key, value: new Uint8Array([0x31]) },
            128,
          ),
          0,
          128,
        ) as Row;
        // Pretend the file is long enough that the next index is a checksum slot.
        for (let i = total; i < 10_001; i++)
          finder.onRowAdded(i, { type: "null", key: nullRowUuid(T0), timestamp: T0 });
        expectThrows(
          () => finder.onRowAdded(10_001, row),
          CorruptDatabaseError,
          "corrupt_database",
        );
        expectThrows(() => finder.getIndex(key), TombstonedError, "tombstoned");
      });
    });

    describe("lifecycle and reads", () => {
      it("FC-OP-001 close() unsubscribes: later appends are not seen and lookups are tombstoned", () => {
        const { b, k, at } = mixedFile();
        const source = new MemoryRowSource(b.prefix(at.open[0]!));
        const finder = make(source);
        finder.close();
        finder.close();
        source.append(b.rowBytes(at.open[0]!));
        expect(finder.rowCount()).toBe(at.open[0]);
        expectThrows(() => finder.getIndex(k[0]!), TombstonedError, "tombstoned");
      });

      it.runIf(supports.lazyOpen)("FC-OP-002 creating the finder reads no rows", () => {
        const source = new CountingRowSource(new MemoryRowSource(bigFile().b.build()));
        make(source);
        expect(source.rowsRead).toBe(0);
      });

      it.runIf(supports.answersFromMemory)("FC-OP-003 lookups and boundaries read no rows", () => {
        const { b, k, at } = mixedFile();
        const source = new CountingRowSource(new MemoryRowSource(b.build()));
        const finder = make(source);
        const before = source.rowsRead;
        finder.getIndex(k[5]!);
        finder.getTransactionStart(at.partial[2]!);
        finder.getTransactionEnd(at.partial[0]!);
        finder.maxTimestamp();
        expect(source.rowsRead).toBe(before);
      });

      it.runIf(supports.validatesAtOpen)(
        "FC-OP-004 a corrupt row fails creation with corrupt_database",
        () => {
          const { b } = mixedFile();
          const file = b.build();
          file[64 + 2 * b.rowSize + 30] = file[64 + 2 * b.rowSize + 30]! ^ 0x01; // row 2, inside its value: parity breaks
          const source = new MemoryRowSource(file);
          const error = expectThrows(
            () => make(source),
            CorruptDatabaseError,
            "corrupt_database",
            "failed to parse row at index 2",
          );
          expect(error.rowIndex).toBe(2);
        },
      );

      it.runIf(!supports.validatesAtOpen)(
        "FC-OP-005 a corrupt matching row is corrupt_database when found, never returned",
        () => {
          const { b, k } = mixedFile();
          const file = b.build();
          file[64 + 2 * b.rowSize + 30] = file[64 + 2 * b.rowSize + 30]! ^ 0x01;
          const { finder } = open(file);
          const error = expectThrows(
            () => finder.getIndex(k[1]!),
            CorruptDatabaseError,
            "corrupt_database",
            "failed to parse row at index 2",
          );
          expect(error.rowIndex).toBe(2);
          expectThrows(
            () => finder.getTransactionStart(3),
            CorruptDatabaseError,
            "corrupt_database",
          );
        },
      );

      it("FC-OP-006 memoryBytes() reports a finite size", () => {
        const { finder } = open(mixedFile().b.build());
        expect(Number.isFinite(finder.memoryBytes())).toBe(true);
        expect(finder.memoryBytes()).toBeGreaterThanOrEqual(0);
      });

      it("FC-OP-007 parseUuid'd bytes and text give the same answers", () => {
        const { b, k } = mixedFile();
        const { finder } = open(b.build());
        for (const key of k)
          expect(finder.getIndices(parseUuid(text(key)))).toEqual(finder.getIndices(text(key)));
      });
    });
  });
}
