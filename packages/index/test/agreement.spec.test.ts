// Spec 003, agreement: every strategy answers like the brute-force model on
// random files (fast-check) and finds every key of the original's files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isCommit, parseUuid, readRowAt, rollbackTarget } from "@frozendb/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BinarySearchFinder,
  createFinder,
  FINDER_STRATEGIES,
  type Finder,
  InMemoryFinder,
  MemoryRowSource,
  type RowSource,
  SimpleFinder,
} from "../src/index.js";
import { expectAgreement } from "./helpers/agreement.js";
import { Oracle, outcome } from "./helpers/oracle.js";
import { buildRandomFile, randomFileSpec } from "./helpers/random-file.js";

const STRATEGIES: ReadonlyArray<readonly [string, (source: RowSource) => Finder]> = [
  ["simple", (s) => new SimpleFinder(s, { readBytes: 1000 })],
  ["inmemory", (s) => new InMemoryFinder(s)],
  ["binary_search", (s) => new BinarySearchFinder(s)],
  ["binary_search blockRows 2", (s) => new BinarySearchFinder(s, { blockRows: 2 })],
  // A cache this small forces block merges, so blocks grow large and sorted
  // blocks are searched by single-row probes.
  [
    "binary_search cacheBytes 1024",
    (s) => new BinarySearchFinder(s, { blockRows: 1, cacheBytes: 1024 }),
  ],
];

// A limit, not a timing assertion: property runs slow down on a busy machine.
const PROPERTY_TIMEOUT_MS = 180_000;

describe("S_003 agreement", () => {
  it(
    "S_003 FR_014 every strategy agrees with the brute-force model on random files, opened whole",
    () => {
      fc.assert(
        fc.property(randomFileSpec(), (spec) => {
          const { b, keys } = buildRandomFile(spec);
          const file = b.build();
          const oracle = new Oracle(file, b.rowSize);
          for (const [name, make] of STRATEGIES) {
            expectAgreement(name, make(new MemoryRowSource(file)), oracle, keys);
          }
        }),
        { numRuns: 100 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "S_003 FR_014 every strategy agrees while rows arrive live through notifications, in pieces",
    () => {
      fc.assert(
        fc.property(
          randomFileSpec(),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
          (spec, cut, pieces) => {
            const { b, keys } = buildRandomFile(spec);
            const file = b.build();
            const start = 1 + Math.floor(cut * (b.rows.length - 1));
            const sources = STRATEGIES.map(() => new MemoryRowSource(b.prefix(start)));
            const finders = STRATEGIES.map(([, make], i) => make(sources[i]!));
            // Ask before the appends, so lazily built state must then follow notifications.
            for (const finder of finders) {
              finder.maxTimestamp();
              if (keys[0] !== undefined) finder.getIndices(keys[0]);
            }
            const rest = file.subarray(64 + start * b.rowSize);
            let at = 0;
            for (let p = 0; at < rest.length; p++) {
              const piece = rest.subarray(at, at + pieces[p % pieces.length]!);
              for (const source of sources) source.append(piece);
              at += piece.length;
            }
            const oracle = new Oracle(file, b.rowSize);
            STRATEGIES.forEach(([name], i) => {
              expectAgreement(`${name} live`, finders[i]!, oracle, keys);
            });
          },
        ),
        { numRuns: 60 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "S_003 FR_014 every strategy agrees on random files past the first checksum row",
    () => {
      fc.assert(
        fc.property(
          randomFileSpec({
            transactions: fc.integer({ min: 20, max: 80 }),
            padding: fc.integer({ min: 9_900, max: 10_050 }),
          }),
          (spec) => {
            const { b, keys } = buildRandomFile(spec);
            const file = b.build();
            const oracle = new Oracle(file, b.rowSize);
            const rows: number[] = [];
            for (let i = 9_850; i < b.rows.length; i++) rows.push(i);
            for (const [name, make] of STRATEGIES) {
              expectAgreement(name, make(new MemoryRowSource(file)), oracle, keys, {
                maxKeys: 150,
                rows,
              });
            }
          },
        ),
        // Shrinking a 10,000-row file takes minutes; the seed in the report is enough.
        { numRuns: 3, endOnFailure: true },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  const REFERENCE_DIR = join(import.meta.dirname, "../../../../shared/fixtures/reference");
  const available = existsSync(REFERENCE_DIR);
  const names = available
    ? readdirSync(REFERENCE_DIR)
        .filter((f) => f.endsWith(".fdb"))
        .map((f) => f.slice(0, -4))
    : [];

  interface Expected {
    committed: Record<string, unknown>;
    rolled_back: string[];
    uncommitted: string[];
    max_timestamp: number;
    /** Data and null rows (the README's "first checksum row included" is not what the files hold). */
    rows: number;
    row_counts: { checksum: number };
  }

  it.skipIf(!available)(
    `S_003 FR_015 every key of the original's reference files is found at the same row by every strategy${available ? "" : " (skipped: ../shared/fixtures/reference is absent)"}`,
    () => {
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const file = new Uint8Array(readFileSync(join(REFERENCE_DIR, `${name}.fdb`)));
        const expected = JSON.parse(
          readFileSync(join(REFERENCE_DIR, `${name}.expected.json`), "utf8"),
        ) as Expected;
        const finders = FINDER_STRATEGIES.map((s) => createFinder(new MemoryRowSource(file), s));
        const rowSize = new MemoryRowSource(file).rowSize;
        const oracle = new Oracle(file, rowSize);
        for (const finder of finders) {
          expect(finder.rowCount(), name).toBe(expected.rows + expected.row_counts.checksum);
          expect(finder.maxTimestamp(), name).toBe(expected.max_timestamp);
        }
        for (const key of Object.keys(expected.committed)) {
          const [first, ...others] = finders.map((f) => f.getIndex(key));
          expect(others, `${name} ${key}`).toEqual([first, first]);
          expect(first).toBe(oracle.indices(parseUuid(key))[0]);
          // Committed: its transaction has an ending row that commits or keeps it.
          const ends = finders.map((f) => f.getTransactionEnd(first!));
          expect(new Set(ends).size).toBe(1);
          const end = readRowAt(file, ends[0]!, rowSize);
          expect(end.type).toBe("data");
          if (end.type === "data") {
            // A commit, or a rollback to a savepoint that keeps some rows.
            expect(isCommit(end.endControl) || (rollbackTarget(end.endControl) ?? 0) > 0).toBe(
              true,
            );
          }
        }
        for (const key of [...expected.rolled_back, ...expected.uncommitted]) {
          const answers = finders.map((f) => outcome(() => f.getIndex(key)));
          expect(answers[1], `${name} ${key}`).toEqual(answers[0]);
          expect(answers[2], `${name} ${key}`).toEqual(answers[0]);
          if ("ok" in answers[0]!) {
            const i = answers[0].ok;
            const ends = finders.map((f) => outcome(() => f.getTransactionEnd(i)));
            expect(ends[1]).toEqual(ends[0]);
            expect(ends[2]).toEqual(ends[0]);
            if (expected.uncommitted.includes(key)) {
              expect(ends[0]).toMatchObject({ code: "transaction_active" });
            } else {
              const end = readRowAt(file, (ends[0] as { ok: number }).ok, rowSize);
              expect(end.type === "data" && !isCommit(end.endControl)).toBe(true);
            }
          } else {
            // Only the key of the trailing partial row is in no complete row.
            expect(expected.uncommitted).toContain(key);
          }
        }
        const committedIndices = Object.keys(expected.committed).map((k) =>
          finders[0]!.getIndex(k),
        );
        for (const finder of finders.slice(1)) {
          for (const [i, key] of Object.keys(expected.committed).entries()) {
            if (i % 97 === 0) expect(finder.getIndices(key)).toEqual([committedIndices[i]]);
          }
        }
      }
    },
  );
});
