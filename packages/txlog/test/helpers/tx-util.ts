// Shared helpers for the FR-015 … FR-032 spec tests: keys, values, file
// snapshots, error assertions, decoding whole files and filling big files.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  decodeHeader,
  decodeRow,
  decodeTail,
  endsTransaction,
  formatUuid,
  HEADER_SIZE,
  isCommit,
  isFrozenDBError,
  type Row,
  rollbackTarget,
  type Tail,
} from "@frozendb/codec";
import { seededRandom, tempDir } from "@frozendb/testkit";
import { expect } from "vitest";
import { create, type NewRow, type OpenOptions, open, type TxLog } from "../../src/index.js";

/** A millisecond timestamp well after every reference file and "now". */
export const BASE_MS = 1_900_000_000_000;

/**
 * A valid UUIDv7 key carrying timestamp `ms`; `n` makes keys of the same
 * millisecond distinct (bytes 10–15 = n + 1, so never a null-row UUID).
 */
export function key(ms: number, n = 0): string {
  const t = ms.toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7000-8000-${(n + 1).toString(16).padStart(12, "0")}`;
}

/** A small JSON object value. */
export function val(i: number): string {
  return `{"i":${i}}`;
}

/** A JSON string value of exactly `length` bytes (length ≥ 2). */
export function jsonOfLength(length: number): string {
  return `"${"a".repeat(length - 2)}"`;
}

/** A new database in a fresh temp folder. */
export function newDb(options: { rowSize?: number; skewMs?: number } = {}): string {
  const path = join(tempDir(), "db.fdb");
  create(path, { rowSize: options.rowSize ?? 128, skewMs: options.skewMs ?? 0 });
  return path;
}

/** A new database opened in write mode. */
export function newLog(options: { rowSize?: number; skewMs?: number } & OpenOptions = {}): {
  path: string;
  log: TxLog;
} {
  const path = newDb(options);
  const log = open(path, { mode: "write", ...options });
  return { path, log };
}

/** The file's bytes now. */
export function snapshot(path: string): Buffer {
  return readFileSync(path);
}

/** Calls `fn`, expects it to throw, and returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, it returned");
}

/**
 * Expects `fn` to throw a frozenDB error with `code` and `message` (exact
 * string, or a pattern); `cause`, when given, is the cause's message.
 */
export function expectError(
  fn: () => unknown,
  code: string,
  message: string | RegExp,
  cause?: string | RegExp,
): Error {
  const error = thrown(fn);
  expect(isFrozenDBError(error), `not a frozenDB error: ${String(error)}`).toBe(true);
  const e = error as Error & { code: string };
  expect(e.code).toBe(code);
  if (typeof message === "string") expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  if (cause !== undefined) {
    const c = e.cause as Error | undefined;
    expect(c, "expected a cause").toBeDefined();
    if (typeof cause === "string") expect(c!.message).toBe(cause);
    else expect(c!.message).toMatch(cause);
  }
  return e;
}

/** Like {@link expectError}, and the file's bytes are exactly as before the call. */
export function expectRejected(
  path: string,
  fn: () => unknown,
  code: string,
  message: string | RegExp,
  cause?: string | RegExp,
): Error {
  const before = snapshot(path);
  const error = expectError(fn, code, message, cause);
  const after = snapshot(path);
  expect(after.length, "the file size changed after a rejected call").toBe(before.length);
  expect(after.equals(before), "the file bytes changed after a rejected call").toBe(true);
  return error;
}

/** A decoded complete row, in a shape easy to compare. */
export interface RowView {
  readonly index: number;
  readonly type: Row["type"];
  readonly key?: string;
  readonly timestamp?: number;
  readonly start?: "T" | "R";
  readonly end?: string;
  readonly value?: string;
  readonly crc?: number;
}

export function viewRow(index: number, row: Row): RowView {
  if (row.type === "checksum") return { index, type: "checksum", crc: row.crc };
  if (row.type === "null") {
    return { index, type: "null", key: formatUuid(row.key), timestamp: row.timestamp };
  }
  return {
    index,
    type: "data",
    key: formatUuid(row.key),
    timestamp: row.timestamp,
    start: row.startControl,
    end: row.endControl,
    value: row.valueText,
  };
}

/** Every complete row of a file and its tail, decoded with the codec alone. */
export function decodeFile(bytes: Uint8Array): {
  rowSize: number;
  skewMs: number;
  rows: RowView[];
  tail: Tail | undefined;
} {
  const header = decodeHeader(bytes.subarray(0, HEADER_SIZE));
  const n = header.rowSize;
  const count = Math.floor((bytes.length - HEADER_SIZE) / n);
  const rows: RowView[] = [];
  for (let i = 0; i < count; i++) {
    rows.push(viewRow(i, decodeRow(bytes, HEADER_SIZE + i * n, n, i) as Row));
  }
  const tail = decodeTail(bytes, HEADER_SIZE + count * n, n);
  return { rowSize: n, skewMs: header.skewMs, rows, tail };
}

/** Data rows only. */
export function dataRows(rows: readonly RowView[]): RowView[] {
  return rows.filter((r) => r.type === "data");
}

/**
 * Keys → values visible per file-format §10.4 (committed rows), computed
 * independently of the package under test. Throws on an invalid sequence.
 */
export function committedOf(rows: readonly RowView[]): Map<string, string> {
  const out = new Map<string, string>();
  let open: RowView[] = [];
  for (const row of rows) {
    if (row.type === "checksum") continue;
    if (row.type === "null") {
      if (open.length > 0) throw new Error(`null row ${row.index} inside a transaction`);
      continue;
    }
    if (row.start === "T" && open.length > 0) throw new Error(`nested T at ${row.index}`);
    if (row.start === "R" && open.length === 0) throw new Error(`R without T at ${row.index}`);
    open.push(row);
    const end = row.end as Parameters<typeof endsTransaction>[0];
    if (!endsTransaction(end)) continue;
    let keep = 0;
    if (isCommit(end)) keep = open.length;
    else {
      const target = rollbackTarget(end) ?? 0;
      let count = 0;
      open.forEach((r, i) => {
        if (r.end!.startsWith("S")) {
          count++;
          if (count === target) keep = i + 1;
        }
      });
    }
    for (const r of open.slice(0, keep)) out.set(r.key!, r.value!);
    open = [];
  }
  return out;
}

/** Largest timestamp among complete data and null rows (brute force). */
export function bruteMaxTimestamp(rows: readonly RowView[]): number {
  let max = 0;
  for (const r of rows) if (r.type !== "checksum" && r.timestamp! > max) max = r.timestamp!;
  return max;
}

/** Overwrites bytes at `offset` (the file must not carry the append-only attribute). */
export function writeAt(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** XORs the byte at `offset` with `mask`. */
export function flipByte(path: string, offset: number, mask = 0x01): void {
  const b = readFileSync(path)[offset]!;
  writeAt(path, offset, Uint8Array.of(b ^ mask));
}

/** Offset of row `index`. */
export function rowStart(index: number, rowSize: number): number {
  return HEADER_SIZE + index * rowSize;
}

/** `count` rows with strictly increasing timestamps from `startMs` (1 ms apart). */
export function rowsFrom(startMs: number, count: number, first = 0): NewRow[] {
  const rows: NewRow[] = [];
  for (let i = 0; i < count; i++)
    rows.push({ key: key(startMs + i, first + i), value: val(first + i) });
  return rows;
}

/**
 * Appends `count` committed data rows in transactions of `perTx` rows through
 * `appendTransaction`, keys 1 ms apart from `startMs`. Returns the next ms.
 */
export function fill(log: TxLog, count: number, startMs: number, perTx = 100, first = 0): number {
  for (let done = 0; done < count; done += perTx) {
    const k = Math.min(perTx, count - done);
    log.appendTransaction(rowsFrom(startMs + done, k, first + done));
  }
  return startMs + count;
}

/** A deterministic pseudo-random generator (mulberry32): testkit's. */
export const prng = seededRandom;

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `promise`, or rejects after `ms` saying `what` did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
