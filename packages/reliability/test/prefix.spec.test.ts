/**
 * S_006 FR_004–FR_007: every prefix a crash can leave.
 *
 * A writer only ever appends, so every byte prefix of a file written through
 * the API is a state a crash (SIGKILL, power loss, a torn write) can leave
 * behind. Each prefix below is checked against the record the generator kept
 * (helpers/generated-file.ts), never against the library's own reading:
 *
 * - shorter than header + initial checksum row → `corrupt_database`, every finder;
 * - otherwise read mode MUST open (decisions OP-4: a torn tail is invisible to
 *   readers) and show exactly the transactions whose ending row lies wholly
 *   inside the prefix — `getRaw` of every key ever written returns the value
 *   written or throws `key_not_found`, `entries()` lists them in file order;
 * - write mode MUST refuse a torn tail with `corrupt_database` naming `recover`,
 *   and accept an exact one; after `recover` (which keeps the longest exact
 *   partial-row state) a new transaction commits and the file passes `verify`.
 */

import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HEADER_SIZE } from "@frozendb/codec";
import { seededRandom, tempDir } from "@frozendb/testkit";
import {
  type Database,
  type FinderStrategy,
  type FrozenDBError,
  isFrozenDBError,
  open,
  recover,
  uuidv7,
  verify,
} from "frozendb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  buildLargeFile,
  buildSmallFile,
  committedWithin,
  type Ending,
  type ExpectedEntry,
  type GeneratedFile,
  keyTimestamp,
  openTransactionAt,
  recoveredLength,
  tailShape,
} from "./helpers/generated-file.js";
import { extended, scale } from "./helpers/mode.js";

const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];

/** Problems reported per test before the list is cut (the count is always exact). */
const MAX_REPORTED = 25;

// ---------------------------------------------------------------- small helpers

type Outcome<T> = { ok: true; value: T } | { ok: false; error: FrozenDBError };

/**
 * Runs `fn`; a FrozenDBError is an outcome, anything else fails the test at
 * once (FR_006: no TypeError, RangeError, … may escape).
 */
function attempt<T>(what: string, fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (isFrozenDBError(error)) return { ok: false, error };
    throw new Error(`${what}: non-FrozenDBError escaped: ${String(error)}`, { cause: error });
  }
}

/** Collects mismatches so one failing prefix does not hide the others. */
class Problems {
  readonly list: string[] = [];
  count = 0;
  add(message: string): void {
    this.count++;
    if (this.list.length < MAX_REPORTED) this.list.push(message);
  }
}

function describeShape(file: GeneratedFile, length: number): string {
  if (length < HEADER_SIZE + file.rowSize) return "inside header/first checksum row";
  const shape = tailShape(file, length);
  if (shape.kind === "boundary") return "row boundary";
  if (shape.kind === "exact") return `partial row state ${shape.state}`;
  return `torn tail of ${shape.length} bytes`;
}

/** Compares `db`'s view with `expected` for `keys` (absent from `expected` → key_not_found). */
function checkLookups(
  db: Database,
  keys: readonly string[],
  expected: ReadonlyMap<string, string>,
  where: string,
  problems: Problems,
): void {
  for (const key of keys) {
    const want = expected.get(key);
    const got = attempt(`${where} getRaw(${key})`, () => db.getRaw(key));
    if (got.ok) {
      if (want === undefined)
        problems.add(`${where}: ${key} returned ${got.value}, expected key_not_found`);
      else if (got.value !== want)
        problems.add(`${where}: ${key} returned ${got.value}, expected ${want}`);
    } else if (want !== undefined) {
      problems.add(`${where}: ${key} threw ${String(got.error)}, expected ${want}`);
    } else if (got.error.code !== "key_not_found") {
      problems.add(`${where}: ${key} threw ${String(got.error)}, expected key_not_found`);
    }
  }
}

function checkEntries(
  db: Database,
  expected: readonly ExpectedEntry[],
  where: string,
  problems: Problems,
  from?: number,
): void {
  const range = from === undefined ? {} : { from };
  const got = attempt(`${where} entries()`, () =>
    [...db.entries(range)].map((e) => ({ key: e.key, json: e.json })),
  );
  if (!got.ok) {
    problems.add(`${where}: entries() threw ${String(got.error)}`);
    return;
  }
  if (got.value.length !== expected.length) {
    problems.add(`${where}: entries() gave ${got.value.length} rows, expected ${expected.length}`);
    return;
  }
  const i = got.value.findIndex(
    (e, k) => e.key !== expected[k]!.key || e.json !== expected[k]!.json,
  );
  if (i >= 0)
    problems.add(
      `${where}: entries()[${i}] is ${JSON.stringify(got.value[i])}, expected ${JSON.stringify(expected[i])}`,
    );
}

// ---------------------------------------------------------------- read-mode prefix check

interface ReadCheckOptions {
  /** Finders to open with (default: all three). */
  readonly finders?: readonly FinderStrategy[];
  /** Keys to look up with `finder` (default: every key the file has seen). */
  readonly keys?: (finder: FinderStrategy) => readonly string[];
  /**
   * Compare `entries({ from })` instead of all of `entries()` (a large file's
   * full listing costs a read of the whole file per prefix).
   */
  readonly entriesFrom?: number;
}

/**
 * The file at `path` holds the first `length` bytes of `file`: checks FR_004
 * with each finder. `entries()` does not depend on the finder, so it is
 * compared once.
 */
function checkReadPrefix(
  file: GeneratedFile,
  path: string,
  length: number,
  problems: Problems,
  options: ReadCheckOptions = {},
): void {
  const where = (finder: string) => `prefix ${length} (${describeShape(file, length)}) ${finder}`;
  const finders = options.finders ?? FINDERS;
  for (const finder of finders) {
    const opened = attempt(`${where(finder)} open`, () =>
      open(path, { mode: "read", finder, follow: false }),
    );
    if (length < HEADER_SIZE + file.rowSize) {
      if (opened.ok) {
        opened.value.close();
        problems.add(`${where(finder)}: opened, expected corrupt_database`);
      } else if (opened.error.code !== "corrupt_database") {
        problems.add(`${where(finder)}: threw ${String(opened.error)}, expected corrupt_database`);
      }
      continue;
    }
    if (!opened.ok) {
      // Every prefix past the first checksum row is a crash state: readers must open it.
      problems.add(`${where(finder)}: a crash prefix was refused: ${String(opened.error)}`);
      continue;
    }
    const db = opened.value;
    try {
      const committed = committedWithin(file, length);
      const map = new Map(committed.map((e) => [e.key, e.json]));
      checkLookups(db, options.keys?.(finder) ?? file.keys, map, where(finder), problems);
      if (finder === finders[0]) {
        const from = options.entriesFrom;
        if (from === undefined) checkEntries(db, committed, where(finder), problems);
        else {
          const inRange = committed.filter((e) => keyTimestamp(e.key) >= from);
          checkEntries(db, inRange, where(finder), problems, from);
        }
      }
      checkActiveTransaction(file, db, length, where(finder), problems);
    } finally {
      db.close();
    }
  }
}

/**
 * Read mode ignores a torn tail entirely (decisions OP-4), so the
 * transaction it reports is the one of the prefix without the torn bytes.
 */
function checkActiveTransaction(
  file: GeneratedFile,
  db: Database,
  length: number,
  where: string,
  problems: Problems,
): void {
  const shape = tailShape(file, length);
  const visible = shape.kind === "torn" ? length - shape.length : length;
  const want = openTransactionAt(file, visible);
  const got = attempt(`${where} activeTransaction`, () => db.activeTransaction?.rowCount ?? null);
  if (!got.ok) problems.add(`${where}: activeTransaction threw ${String(got.error)}`);
  else if (got.value !== (want === undefined ? null : want.rows.length)) {
    problems.add(
      `${where}: activeTransaction has ${got.value} rows, expected ${want?.rows.length ?? null}`,
    );
  }
}

// ---------------------------------------------------------------- write-mode prefix check

/**
 * FR_007 on the file at `path` (the first `length` bytes of `file`): a torn
 * tail is refused with corrupt_database until `recover`; then the writer
 * finishes the recovered transaction (if any) with one new row, commits, and
 * every committed row — old, recovered and new — reads back; `verify` passes.
 */
/** For large files: the keys to look up and where `entries()` starts, instead of all of them. */
interface Sample {
  readonly keys: readonly string[];
  readonly entriesFrom: number;
}

function checkWritePrefix(
  file: GeneratedFile,
  path: string,
  length: number,
  problems: Problems,
  sample?: Sample,
): void {
  const where = `write prefix ${length} (${describeShape(file, length)})`;
  const shape = tailShape(file, length);
  const first = attempt(`${where} open`, () => open(path, { mode: "write", sync: false }));
  let db: Database;
  if (shape.kind === "torn") {
    if (first.ok) {
      first.value.close();
      problems.add(
        `${where}: a torn tail was accepted by a writer; expected corrupt_database until recover`,
      );
      return;
    }
    if (first.error.code !== "corrupt_database" || !first.error.message.includes("recover")) {
      problems.add(
        `${where}: threw ${String(first.error)}, expected corrupt_database naming recover`,
      );
    }
    const recovered = attempt(`${where} recover`, () => recover(path));
    if (!recovered.ok) {
      problems.add(`${where}: recover threw ${String(recovered.error)}`);
      return;
    }
    if (recovered.value.sizeAfter !== recoveredLength(file, length)) {
      problems.add(
        `${where}: recover left ${recovered.value.sizeAfter} bytes, expected ${recoveredLength(file, length)}`,
      );
      return;
    }
    const again = attempt(`${where} reopen`, () => open(path, { mode: "write", sync: false }));
    if (!again.ok) {
      problems.add(`${where}: open after recover threw ${String(again.error)}`);
      return;
    }
    db = again.value;
  } else {
    if (!first.ok) {
      problems.add(
        `${where}: a writer refused a crash prefix with an exact tail: ${String(first.error)}`,
      );
      return;
    }
    db = first.value;
  }
  try {
    finishAndCheck(file, db, recoveredLength(file, length), where, problems, sample);
  } finally {
    db.close();
  }
  const verified = attempt(`${where} verify`, () => verify(path));
  if (!verified.ok)
    problems.add(`${where}: verify after the new commit threw ${String(verified.error)}`);
}

/**
 * Commits one new row (finishing the recovered transaction when there is
 * one: its rows then become committed too) and checks every key.
 */
function finishAndCheck(
  file: GeneratedFile,
  db: Database,
  length: number,
  where: string,
  problems: Problems,
  sample: Sample | undefined,
): void {
  const open = openTransactionAt(file, length);
  const active = db.activeTransaction;
  if (
    (active === null) !== (open === undefined) ||
    (active !== null && active.rowCount !== open?.rows.length)
  ) {
    problems.add(
      `${where}: recovered transaction has ${active?.rowCount ?? "no"} rows, expected ${open?.rows.length ?? "none"}`,
    );
    return;
  }
  const fresh = uuidv7();
  const expected = [
    ...committedWithin(file, length),
    ...(open?.rows ?? []).map((r) => ({ key: r.key, json: r.json })),
  ];
  // A recovered transaction may end in `1F R` or a complete RE/SE row, where
  // only a new row can carry its commit; one already at 100 rows ends in a
  // partial row with payload (a writer never leaves 100 complete open rows).
  const addFresh = active === null || active.rowCount < 100;
  const written = attempt(`${where} new commit`, () => {
    if (active === null) {
      db.transaction((tx) => tx.add(fresh, { fresh: true }));
      return;
    }
    if (addFresh) active.add(fresh, { fresh: true });
    active.commit();
  });
  if (!written.ok) {
    problems.add(`${where}: the new transaction failed: ${String(written.error)}`);
    return;
  }
  if (addFresh) expected.push({ key: fresh, json: '{"fresh":true}' });
  const map = new Map(expected.map((e) => [e.key, e.json]));
  const recoveredKeys = (open?.rows ?? []).map((r) => r.key);
  checkLookups(db, [...(sample?.keys ?? file.keys), ...recoveredKeys, fresh], map, where, problems);
  if (sample === undefined) checkEntries(db, expected, where, problems);
  else {
    const from = sample.entriesFrom;
    const inRange = expected.filter((e) => keyTimestamp(e.key) >= from);
    checkEntries(db, inRange, where, problems, from);
  }
}

// ---------------------------------------------------------------- prefix selection

/** Row boundaries, one byte either side, and the three exact partial-row lengths of every slot in `[from, to)`. */
function structuralCuts(file: GeneratedFile, from: number, to: number): number[] {
  const n = file.rowSize;
  const cuts = new Set<number>();
  for (const slot of file.slots.slice(from, to)) {
    for (const delta of [-1, 0, 1, 2, n - 5, n - 4]) cuts.add(slot.start + delta);
  }
  return [...cuts].filter((l) => l >= 0 && l <= file.bytes.length);
}

/**
 * Runs `check` on prefixes of `file` at the given lengths, longest first,
 * truncating one working copy step by step (every prefix of a prefix is
 * still a prefix) instead of writing a new file each time.
 */
function forEachPrefix(
  file: GeneratedFile,
  dir: string,
  lengths: Iterable<number>,
  check: (path: string, length: number) => void,
): number {
  const path = join(dir, "prefix.fdb");
  writeFileSync(path, file.bytes);
  const sorted = [...new Set(lengths)].sort((a, b) => b - a);
  for (const length of sorted) {
    truncateSync(path, length);
    check(path, length);
  }
  return sorted.length;
}

// ---------------------------------------------------------------- tests

/**
 * Small files. Each holds call-by-call transactions throughout, so its
 * prefixes end in partial rows of all three states whatever the file's own
 * ending. Every prefix is read with every finder (FR_004); the extended run
 * adds the other endings and 256-byte rows, which the default run covers in
 * the write-mode test only (every prefix of a 256-byte-row file is ~8,500
 * opens per finder).
 */
const ALL_SMALL_FILES: readonly { rowSize: number; ending: Ending }[] = [
  { rowSize: 128, ending: "state1" },
  { rowSize: 128, ending: "state2" },
  { rowSize: 128, ending: "state3" },
  { rowSize: 256, ending: "state1" },
  { rowSize: 256, ending: "state2" },
  { rowSize: 256, ending: "state3" },
];
const READ_FILES = extended
  ? ALL_SMALL_FILES
  : ALL_SMALL_FILES.filter((f) => f.rowSize === 128 && f.ending !== "state2");
const WRITE_FILES = extended
  ? ALL_SMALL_FILES
  : ALL_SMALL_FILES.filter(
      (f) => f.ending === "state3" || (f.rowSize === 128 && f.ending === "state1"),
    );

describe("every prefix of small files", () => {
  test.each(READ_FILES)(
    "S_006 FR_004 every prefix of a file with $rowSize-byte rows ending in partial-row $ending opens with exactly the committed rows inside it, or fails with corrupt_database inside the header or first checksum row",
    ({ rowSize, ending }) => {
      const dir = tempDir();
      const file = buildSmallFile(dir, rowSize, ending);
      const problems = new Problems();
      const lengths = Array.from({ length: file.bytes.length + 1 }, (_, i) => i);
      const tried = forEachPrefix(file, dir, lengths, (path, length) =>
        checkReadPrefix(file, path, length, problems),
      );
      console.log(
        `[FR_004] row ${rowSize}, ${ending}: ${file.slots.length} slots, ${file.bytes.length} bytes, ${tried} prefixes × ${FINDERS.length} finders, ${file.keys.length} keys each: ${problems.count} problems`,
      );
      expect(problems.list).toEqual([]);
    },
  );

  test("S_006 FR_006 prefixes of a small file give only FrozenDBErrors from every read API, and no value that differs from the one written", () => {
    const dir = tempDir();
    const file = buildSmallFile(dir, 128, "state2");
    const problems = new Problems();
    let calls = 0;
    let errors = 0;
    // Every prefix in the extended run; every row boundary ±1, every exact
    // partial-row length and every 5th byte otherwise (FR_004 already runs
    // open and get on every prefix of its files).
    const every = extended ? 1 : 5;
    const lengths = [
      ...Array.from({ length: Math.floor(file.bytes.length / every) + 1 }, (_, i) => i * every),
      ...structuralCuts(file, 0, file.slots.length),
      file.bytes.length,
    ];
    const tried = forEachPrefix(file, dir, lengths, (path, length) => {
      const committed = new Map(committedWithin(file, length).map((e) => [e.key, e.json]));
      for (const finder of FINDERS) {
        const where = `prefix ${length} ${finder}`;
        // attempt() throws (failing the test) on anything but a FrozenDBError.
        const opened = attempt(where, () => open(path, { mode: "read", finder, follow: false }));
        calls++;
        if (!opened.ok) {
          errors++;
          continue;
        }
        const db = opened.value;
        const outcomes: Outcome<unknown>[] = [
          attempt(where, () => db.maxTimestamp()),
          attempt(where, () => db.activeTransaction?.savepointCount),
          attempt(where, () => db.refresh()),
          attempt(where, () => [...db.entries({ from: 0, to: Date.now() + 1e9 })].length),
          attempt(where, () => db.get("00000000-0000-7000-8000-000000000000")),
        ];
        for (const key of file.keys) {
          const has = attempt(where, () => db.has(key));
          const got = attempt(where, () => db.get(key));
          outcomes.push(has, got);
          const want = committed.get(key);
          const wrong =
            got.ok &&
            (want === undefined || JSON.stringify(got.value) !== JSON.stringify(JSON.parse(want)));
          if (wrong) {
            problems.add(
              `${where}: get(${key}) returned ${JSON.stringify(got.value)}, expected ${want ?? "key_not_found"}`,
            );
          }
          if (has.ok && has.value !== (want !== undefined)) {
            problems.add(`${where}: has(${key}) is ${has.value}, expected ${want !== undefined}`);
          }
        }
        calls += outcomes.length;
        errors += outcomes.filter((o) => !o.ok).length;
        db.close();
      }
    });
    console.log(
      `[FR_006] ${calls} read calls over ${tried} prefixes × ${FINDERS.length} finders: ${errors} FrozenDBErrors, 0 other exceptions, ${problems.count} wrong answers`,
    );
    expect(problems.list).toEqual([]);
  });

  test.each(WRITE_FILES)(
    "S_006 FR_007 a writer on a crash prefix of a $rowSize-byte-row file ending in $ending refuses a torn tail until recover, then commits a readable transaction and leaves a file that passes verify",
    ({ rowSize, ending }) => {
      const dir = tempDir();
      const file = buildSmallFile(dir, rowSize, ending);
      const problems = new Problems();
      const next = seededRandom(rowSize * 31 + ending.length);
      const min = HEADER_SIZE + rowSize;
      const lengths = structuralCuts(file, 1, file.slots.length);
      for (let i = 0; i < scale(40, 400); i++) {
        lengths.push(min + Math.floor(next() * (file.bytes.length - min + 1)));
      }
      const valid = [...new Set(lengths)].filter((l) => l >= min);
      const path = join(dir, "write.fdb");
      let torn = 0;
      for (const length of valid) {
        writeFileSync(path, file.bytes.subarray(0, length));
        if (tailShape(file, length).kind === "torn") torn++;
        checkWritePrefix(file, path, length, problems);
      }
      console.log(
        `[FR_007] row ${rowSize}, ${ending}: ${valid.length} crash prefixes (${torn} torn: refused, recovered), each finished with a new commit and verified: ${problems.count} problems`,
      );
      expect(problems.list).toEqual([]);
    },
  );
});

describe("prefixes of a file past 10,000 rows", () => {
  let dir: string;
  let file: GeneratedFile;
  /** Row index of the first later checksum row. */
  const CHECKSUM_INDEX = 10_001;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "frozendb-prefix-large-"));
    file = buildLargeFile(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * What to look up at a cut: the keys of the rows just before and after it
   * (the transactions a crash there affects) and a spread of older ones. The
   * simple finder scans the file for every absent key, so it gets fewer.
   */
  function sampleAt(length: number, next: () => number, finder?: FinderStrategy): Sample {
    const cutSlot = Math.floor((length - HEADER_SIZE) / file.rowSize);
    const [before, after, spread] = finder === "simple" ? [10, 5, 5] : [60, 20, 20];
    const keys = new Set<string>();
    let entriesFrom = 0;
    for (const slot of file.slots.slice(Math.max(0, cutSlot - before), cutSlot + after)) {
      if (slot.kind !== "data") continue;
      keys.add(slot.key);
      if (entriesFrom === 0) entriesFrom = keyTimestamp(slot.key);
    }
    for (let i = 0; i < spread; i++) keys.add(file.keys[Math.floor(next() * file.keys.length)]!);
    return { keys: [...keys], entriesFrom };
  }

  test("S_006 FR_005 dense prefixes of a file past 10,000 rows (every row boundary ±1 byte and partial-row length around the checksum row at 10001, every byte of that row, random cuts) behave as FR_004", () => {
    // The writer appends the checksum row eagerly, inside the transaction
    // whose row was the 10,000th of the block.
    const [before, checksum, after] = file.slots.slice(CHECKSUM_INDEX - 1, CHECKSUM_INDEX + 2);
    expect(checksum?.kind).toBe("checksum");
    expect(before?.kind === "data" && after?.kind === "data" && before.tx === after.tx).toBe(true);
    const problems = new Problems();
    const next = seededRandom(10_001);
    const lengths = structuralCuts(file, CHECKSUM_INDEX - 15, CHECKSUM_INDEX + 15);
    // Every byte of the checksum row itself: a crash inside its write.
    const checksumStart = file.slots[CHECKSUM_INDEX]!.start;
    for (let b = 0; b <= file.rowSize; b++) lengths.push(checksumStart + b);
    // The open transaction at the end and the rows before it.
    lengths.push(...structuralCuts(file, file.slots.length - 8, file.slots.length));
    lengths.push(file.bytes.length);
    for (let i = 0; i < scale(120, 3000); i++) {
      lengths.push(Math.floor(next() * (file.bytes.length + 1)));
    }
    // binary_search (the default) on every prefix; the others, whose cost
    // grows with the file (inmemory reads it all at open, simple scans it per
    // lookup), on every other one in the default run.
    let k = 0;
    const finderCounts = { simple: 0, inmemory: 0, binary_search: 0 };
    const tried = forEachPrefix(file, dir, lengths, (path, length) => {
      const other: FinderStrategy = k++ % 2 === 0 ? "inmemory" : "simple";
      const finders: FinderStrategy[] = extended ? [...FINDERS] : ["binary_search", other];
      for (const f of finders) finderCounts[f]++;
      const samples = new Map(finders.map((f) => [f, sampleAt(length, next, f)]));
      checkReadPrefix(file, path, length, problems, {
        finders,
        keys: (f) => samples.get(f)!.keys,
        entriesFrom: samples.get("binary_search")!.entriesFrom,
      });
    });
    console.log(
      `[FR_005] row ${file.rowSize}, ${file.slots.length} slots (${file.bytes.length} bytes): ${tried} prefixes (opens: ${JSON.stringify(finderCounts)}): ${problems.count} problems`,
    );
    expect(problems.list).toEqual([]);
  });

  test("S_006 FR_007 a writer on crash prefixes around the checksum row at 10001 (including one that lost the checksum row) recovers, commits and passes verify", () => {
    const problems = new Problems();
    const next = seededRandom(7);
    const checksumStart = file.slots[CHECKSUM_INDEX]!.start;
    const min = HEADER_SIZE + file.rowSize;
    const lengths = [
      ...structuralCuts(file, CHECKSUM_INDEX - 2, CHECKSUM_INDEX + 2),
      checksumStart + Math.floor(file.rowSize / 2),
      ...structuralCuts(file, file.slots.length - 2, file.slots.length),
      file.bytes.length,
    ];
    for (let i = 0; i < scale(6, 100); i++) {
      lengths.push(min + Math.floor(next() * (file.bytes.length - min)));
    }
    const path = join(dir, "write.fdb");
    const unique = [...new Set(lengths)];
    for (const length of unique) {
      writeFileSync(path, file.bytes.subarray(0, length));
      checkWritePrefix(file, path, length, problems, sampleAt(length, next));
    }
    console.log(
      `[FR_007] row ${file.rowSize}, large file: ${unique.length} crash prefixes finished with a new commit and verified: ${problems.count} problems`,
    );
    expect(problems.list).toEqual([]);
  });
});
