// Helpers for the lifecycle spec tests (create, open, lock, close, recovery):
// deterministic keys, files built byte by byte with the codec encoders,
// error assertions, and clean-up of the append-only attribute.
import { spawnSync } from "node:child_process";
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  CHECKSUM_PERIOD,
  crc32,
  type DataEndControl,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  type FrozenDBError,
  HEADER_SIZE,
  parseUuid,
} from "@frozendb/codec";
import { expect, onTestFinished } from "vitest";

/** A fixed base time (2024-11-27) so that files are reproducible. */
export const BASE_MS = 1_732_670_020_000;

/**
 * A valid UUIDv7 (never a null-row UUID) with timestamp `ms`; `n` makes it
 * unique among keys of the same millisecond.
 */
export function keyAt(ms: number, n = 0): string {
  const t = ms.toString(16).padStart(12, "0");
  const tail = (n + 1).toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7abc-8def-${tail}`;
}

/** One complete row for {@link buildFile}. */
export type RowSpec =
  | {
      readonly type: "data";
      readonly start: "T" | "R";
      readonly end: DataEndControl;
      readonly key: string;
      readonly value?: string;
    }
  | { readonly type: "null"; readonly timestamp: number };

/** A data row spec. */
export function dataRow(
  start: "T" | "R",
  end: DataEndControl,
  key: string,
  value = '{"v":1}',
): RowSpec {
  return { type: "data", start, end, key, value };
}

/** Options of {@link buildFile}. */
export interface BuildOptions {
  readonly rowSize: number;
  readonly skewMs: number;
  /** Complete data/null rows, in order (checksum rows are inserted where due). */
  readonly rows: Iterable<RowSpec>;
  /** Bytes appended after the last row (a partial row or a torn tail). */
  readonly tail?: Uint8Array;
  /**
   * Write the checksum row due after the last row when the rows end exactly
   * at the end of a 10,000-row block (default true, as the writer does).
   */
  readonly trailingChecksum?: boolean;
}

/** Encodes one row spec. */
export function encodeRow(spec: RowSpec, rowSize: number): Uint8Array {
  if (spec.type === "null") return encodeNullRow(spec.timestamp, rowSize);
  return encodeDataRow(
    {
      startControl: spec.start,
      endControl: spec.end,
      key: parseUuid(spec.key),
      value: new TextEncoder().encode(spec.value ?? '{"v":1}'),
    },
    rowSize,
  );
}

/**
 * Writes a database file from row specs with the codec encoders: header,
 * initial checksum row, the rows with a checksum row at every index
 * k·10001 (CRC over the previous checksum row and the 10,000 rows after
 * it), then `tail`. Returns the file size.
 */
export function buildFile(path: string, options: BuildOptions): number {
  const n = options.rowSize;
  const fd = openSync(path, "w", 0o644);
  try {
    let size = 0;
    const put = (bytes: Uint8Array) => {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      size += bytes.length;
    };
    const header = encodeHeader({ rowSize: n, skewMs: options.skewMs });
    put(header);
    let block = encodeChecksumRow(crc32(header), n);
    let blockCrc = crc32(block);
    let blockRows = 0;
    put(block);
    // Buffer rows in chunks so that big files are written quickly.
    const chunkRows = Math.max(1, Math.floor((1 << 20) / n));
    let chunk = new Uint8Array(chunkRows * n);
    let inChunk = 0;
    const flush = () => {
      if (inChunk > 0) put(chunk.subarray(0, inChunk * n));
      chunk = new Uint8Array(chunkRows * n);
      inChunk = 0;
    };
    const push = (row: Uint8Array) => {
      chunk.set(row, inChunk * n);
      inChunk++;
      if (inChunk === chunkRows) flush();
    };
    const closeBlock = () => {
      block = encodeChecksumRow(blockCrc >>> 0, n);
      push(block);
      blockCrc = crc32(block);
      blockRows = 0;
    };
    for (const spec of options.rows) {
      if (blockRows === CHECKSUM_PERIOD - 1) closeBlock();
      const row = encodeRow(spec, n);
      push(row);
      blockCrc = crc32(row, blockCrc);
      blockRows++;
    }
    if (blockRows === CHECKSUM_PERIOD - 1 && options.trailingChecksum !== false) closeBlock();
    flush();
    if (options.tail !== undefined) put(options.tail);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Byte offset of row slot `index`. */
export function rowOffset(index: number, rowSize: number): number {
  return HEADER_SIZE + index * rowSize;
}

/** Runs `fn` and returns what it threw; fails the test when it returns normally. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  expect.fail("expected the call to throw, but it returned normally");
}

/**
 * Asserts that `fn` throws an instance of `cls` with `code` and, when given,
 * exactly `message` (a string) or a message matching `message` (a RegExp).
 */
export function expectThrows<E extends FrozenDBError>(
  fn: () => unknown,
  // biome-ignore lint/suspicious/noExplicitAny: any constructor signature
  cls: new (...args: any[]) => E,
  code: string,
  message?: string | RegExp,
): E {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(cls);
  const e = error as E;
  expect(e.code).toBe(code);
  if (typeof message === "string") expect(e.message).toBe(message);
  else if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

/** True when `command` is on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/** True when the lsattr output for `path` shows the append-only flag. */
export function lsattrShowsAppendOnly(path: string): boolean {
  const run = spawnSync("lsattr", ["-d", "--", path], { encoding: "utf8" });
  if (run.status !== 0) return false;
  return (run.stdout.trim().split(/\s+/)[0] ?? "").includes("a");
}

/**
 * Clears the append-only attribute on every file in `dir` when the test
 * finishes. Call it after `tempDir()`: `onTestFinished` hooks run in reverse
 * order, so this runs before the folder is removed.
 */
export function clearAppendOnlyOnFinish(dir: string): void {
  onTestFinished(() => {
    for (const name of readdirSync(dir)) {
      spawnSync("chattr", ["-a", "--", `${dir}/${name}`]);
    }
  });
}

/**
 * The open descriptors of this process that refer to `path`, with their
 * open flags (from /proc/self/fdinfo).
 */
export function descriptorsOf(path: string): { fd: number; flags: number }[] {
  // /proc shows resolved paths: resolve the folder (the file may be gone).
  const resolved = join(realpathSync(dirname(path)), basename(path));
  const found: { fd: number; flags: number }[] = [];
  for (const name of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue;
    }
    if (target !== resolved) continue;
    let flags = -1;
    try {
      const m = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${name}`, "utf8"));
      if (m) flags = Number.parseInt(m[1]!, 8);
    } catch {
      // flags stay unknown
    }
    found.push({ fd: Number(name), flags });
  }
  return found;
}
