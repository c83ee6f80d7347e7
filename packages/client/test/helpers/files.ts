// Helpers for the client's spec tests: deterministic keys, files built row by
// row with the codec's encoders (for shapes the API refuses to write, such as
// duplicate keys), an independent decoding of a file's rows, error
// assertions, and I/O counting through node:fs.
import fs, { readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import {
  crc32,
  type DataEndControl,
  decodeRow,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  formatUuid,
  HEADER_SIZE,
  parseUuid,
} from "@frozendb/codec";
import { copyReference, tempDir, threadIo } from "@frozendb/testkit";
import { expect, onTestFinished, vi } from "vitest";
import { type Database, isFrozenDBError, type OpenOptions, open } from "../../src/index.js";

/** The three finder strategies, for `describe.each`/loops. */
export const FINDERS = ["simple", "inmemory", "binary_search"] as const;

/** A fixed base time (2024-11-27T01:13:40Z) so that built files are reproducible. */
export const BASE_MS = 1_732_670_020_000;

/**
 * A valid UUIDv7 (never a null-row UUID) carrying timestamp `ms`; `n` makes
 * it unique among keys of the same millisecond.
 */
export function keyAt(ms: number, n = 0): string {
  const t = ms.toString(16).padStart(12, "0");
  const tail = (n + 1).toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7abc-8def-${tail}`;
}

/** The null-row UUID text for `ms` (file-format §9.2). */
export function nullRowKeyAt(ms: number): string {
  const t = ms.toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7000-8000-000000000000`;
}

/** One complete row of a built file. */
export type RowSpec =
  | {
      readonly type: "data";
      readonly start: "T" | "R";
      readonly end: DataEndControl;
      readonly key: string;
      readonly value: string;
    }
  | { readonly type: "null"; readonly timestamp: number };

/** How a built transaction ends. */
export type TxEnd = "commit" | "open" | { readonly rollback: number };

/**
 * The rows of one transaction: one row per `[key, valueText]`, savepoints on
 * the rows at positions `savepoints` (0-based), ended as `end` says.
 */
export function txRows(
  rows: ReadonlyArray<readonly [string, string]>,
  end: TxEnd = "commit",
  savepoints: readonly number[] = [],
): RowSpec[] {
  return rows.map(([key, value], i) => {
    const last = i === rows.length - 1;
    const s = savepoints.includes(i);
    let code: string;
    if (!last || end === "open") code = s ? "SE" : "RE";
    else if (end === "commit") code = s ? "SC" : "TC";
    else code = `${s ? "S" : "R"}${end.rollback}`;
    return { type: "data", start: i === 0 ? "T" : "R", end: code as DataEndControl, key, value };
  });
}

/**
 * Writes a v1 file at `path`: header, initial checksum row, `rows` with a
 * checksum row after every 10,000 data/null rows, then `tail`.
 */
export function buildFile(
  path: string,
  options: { rowSize: number; skewMs: number; rows: readonly RowSpec[]; tail?: Uint8Array },
): void {
  const n = options.rowSize;
  const header = encodeHeader({ rowSize: n, skewMs: options.skewMs });
  const chunks: Uint8Array[] = [header, encodeChecksumRow(crc32(header), n)];
  let slots = 1;
  let blockStart = 1; // chunk index of the last checksum row
  for (const spec of options.rows) {
    chunks.push(
      spec.type === "null"
        ? encodeNullRow(spec.timestamp, n)
        : encodeDataRow(
            {
              startControl: spec.start,
              endControl: spec.end,
              key: parseUuid(spec.key),
              value: new TextEncoder().encode(spec.value),
            },
            n,
          ),
    );
    slots++;
    if (slots % 10_001 === 0) {
      const block = Buffer.concat(chunks.slice(blockStart));
      chunks.push(encodeChecksumRow(crc32(block), n));
      blockStart = chunks.length - 1;
      slots++;
    }
  }
  if (options.tail !== undefined) chunks.push(options.tail);
  writeFileSync(path, Buffer.concat(chunks));
}

/** A data row as an independent decoder (the codec's) reads it from disk. */
export interface DiskRow {
  readonly index: number;
  readonly start: "T" | "R";
  readonly end: string;
  readonly key: string;
  readonly valueText: string;
}

/** Every complete data row of the file at `path`, decoded with the codec. */
export function diskDataRows(path: string): DiskRow[] {
  const bytes = readFileSync(path);
  const rowSize = JSON.parse(bytes.subarray(0, bytes.indexOf(0)).toString("utf8")).row_size;
  const rows: DiskRow[] = [];
  const count = Math.floor((bytes.length - HEADER_SIZE) / rowSize);
  for (let i = 0; i < count; i++) {
    const row = decodeRow(bytes, HEADER_SIZE + i * rowSize, rowSize, i);
    if (row.type !== "data") continue;
    rows.push({
      index: i,
      start: row.startControl,
      end: row.endControl,
      key: formatUuid(row.key),
      valueText: row.valueText,
    });
  }
  return rows;
}

/** The file's bytes now. */
export function bytesOf(path: string): Buffer {
  return readFileSync(path);
}

/** Opens `path` and closes the handle when the test finishes (whatever happens). */
export function openTracked(path: string, options: OpenOptions = {}): Database {
  const db = open(path, options);
  onTestFinished(() => db.close());
  return db;
}

/** A copy of reference file `name` in a fresh temp dir. */
export function referenceCopy(name: string): string {
  return copyReference(name, tempDir());
}

/** A path for a new database in a fresh temp dir. */
export function newPath(name = "db.fdb"): string {
  return join(tempDir(), name);
}

/** What `fn` threw (fails the test when it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  expect.fail("expected the call to throw");
}

/** Asserts `fn` throws a frozenDB error with `code` (and `message`, when given); returns it. */
export function expectFrozen(
  fn: () => unknown,
  code: string,
  message?: string | RegExp,
): Error & { code: string } {
  const error = thrown(fn);
  expect(isFrozenDBError(error), `not a FrozenDBError: ${String(error)}`).toBe(true);
  const e = error as Error & { code: string };
  expect(e.code).toBe(code);
  if (typeof message === "string") expect(e.message).toBe(message);
  else if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

/** What node:fs did while `fn` ran. */
export interface IoCount<T> {
  readonly result: T;
  readonly readCalls: number;
  readonly bytesRead: number;
  readonly writeCalls: number;
  readonly bytesWritten: number;
  readonly syncCalls: number;
}

/**
 * Runs `fn` while counting `fs.readSync` calls (and the bytes they moved),
 * write(2) calls of this thread and their bytes, and `fs.fdatasyncSync` /
 * `fs.fsyncSync` calls. ESM named imports of node builtins are live bindings
 * to the CommonJS object once `syncBuiltinESMExports()` runs, so spies placed
 * on the object are seen by the modules under test.
 */
export function countIo<T>(fn: () => T): IoCount<T> {
  const writesBefore = threadIo();
  const reads = vi.spyOn(fs, "readSync");
  const syncs = [vi.spyOn(fs, "fdatasyncSync"), vi.spyOn(fs, "fsyncSync")];
  syncBuiltinESMExports();
  let result: T;
  let counts: Omit<IoCount<T>, "result" | "writeCalls" | "bytesWritten">;
  try {
    result = fn();
    const sum = (results: ReadonlyArray<{ type: string; value: unknown }>) =>
      results.reduce((total, r) => total + (r.type === "return" ? Number(r.value) : 0), 0);
    counts = {
      readCalls: reads.mock.calls.length,
      bytesRead: sum(reads.mock.results),
      syncCalls: syncs.reduce((total, spy) => total + spy.mock.calls.length, 0),
    };
  } finally {
    reads.mockRestore();
    for (const spy of syncs) spy.mockRestore();
    syncBuiltinESMExports();
  }
  const writesAfter = threadIo();
  return {
    result,
    ...counts,
    writeCalls: writesAfter.writeCalls - writesBefore.writeCalls,
    bytesWritten: writesAfter.writeBytes - writesBefore.writeBytes,
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`'s value, or `timedOut` when it does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What {@link within} returns on a timeout. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Reads a `watch()` iterator without ever leaving a `next()` call behind:
 * a call that did not settle in time is kept and awaited by the next read.
 */
export class WatchReader {
  readonly #iterator: AsyncIterator<{ key: string }>;
  #pending: Promise<IteratorResult<{ key: string }>> | undefined;

  constructor(iterator: AsyncIterator<{ key: string }>) {
    this.#iterator = iterator;
  }

  async #next(ms: number): Promise<IteratorResult<{ key: string }> | typeof TIMED_OUT> {
    this.#pending ??= this.#iterator.next();
    const result = await within(this.#pending, ms);
    if (result !== TIMED_OUT) this.#pending = undefined;
    return result;
  }

  /** The next `count` keys (fails after `ms`). */
  async take(count: number, ms = 3000): Promise<string[]> {
    const keys: string[] = [];
    const deadline = Date.now() + ms;
    while (keys.length < count) {
      const next = await this.#next(Math.max(1, deadline - Date.now()));
      if (next === TIMED_OUT) {
        expect.fail(`watch yielded ${keys.length} of ${count} rows within ${ms} ms: ${keys}`);
      }
      if (next.done) expect.fail(`watch ended after ${keys.length} of ${count} rows`);
      keys.push(next.value.key);
    }
    return keys;
  }

  /** True when nothing is yielded within `ms`. */
  async idle(ms: number): Promise<boolean> {
    return (await this.#next(ms)) === TIMED_OUT;
  }

  /** Whether the iterator reports done within `ms` (a pending row counts as not done). */
  async done(ms = 1000): Promise<boolean> {
    const next = await this.#next(ms);
    return next !== TIMED_OUT && next.done === true;
  }
}

/** The next `count` keys `iterator` yields (fails after `ms`). Use only when nothing else reads it. */
export async function takeKeys(
  iterator: AsyncIterator<{ key: string }>,
  count: number,
  ms = 3000,
): Promise<string[]> {
  return new WatchReader(iterator).take(count, ms);
}
