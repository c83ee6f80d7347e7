/**
 * The peer driver map (after better-sqlite3's benchmark): name → how to open
 * a store for writing and for reading. Every driver gets the same rows (16-byte
 * UUIDv7 keys, the same JSON values) and does what its library's users do:
 * frozendb is handed the value objects (`tx.add` stringifies them), the
 * others store `JSON.stringify(value)`.
 *
 * A peer whose package fails to install or load is skipped with the reason,
 * never replaced by something else: `loadDrivers()` loads each library and
 * writes and reads one row in a temporary folder before listing its drivers.
 * `FROZENDB_BENCH_SKIP=lmdb,better-sqlite3` skips peers on purpose (to try
 * the skipped path).
 */

import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import zlib from "node:zlib";
import {
  create as createFrozen,
  type FinderStrategy,
  type Database as FrozenDatabase,
  isFrozenDBError,
  open as openFrozen,
  verify as verifyFrozen,
} from "frozendb";
import { type Batch, SKEW_MS, valueFor } from "./data.js";

/** The libraries compared. `fs` is the naive node:fs baseline: the machine's limit. */
export type PeerFamily = "frozendb" | "better-sqlite3" | "lmdb" | "fs";

/** Where a store lives and how its rows are laid out. */
export interface StoreOptions {
  /** frozenDB's row size (also the naive fs rows'); the other peers store values as they are. */
  readonly rowSize: number;
}

/** A store opened for writing: each `append` is one committed transaction. */
export interface Writer {
  append(batch: Batch): void;
  close(): void | Promise<void>;
}

/** A store opened for reading. */
export interface Reader {
  /** The stored JSON text, or undefined when the key is absent. */
  getRaw(key: Buffer): string | undefined;
  /** The stored value parsed, or undefined when the key is absent. */
  get(key: Buffer): unknown;
  /** Reads every row's key and value text in store order; returns the rows seen. */
  scan(): number;
  /** The library's own integrity check over the whole store, where it has one; returns rows checked. */
  readonly verify: (() => number) | undefined;
  close(): void | Promise<void>;
}

/** How a driver writes. */
export interface WriteCapability {
  /** `per-call`: a write per row; `transaction`: one write per 100-row transaction. */
  readonly path: "per-call" | "transaction";
  /** True when a commit returns only after the data is synced to disk. */
  readonly synced: boolean;
  /**
   * The family's store the read workloads use is written by this driver (the
   * family's fastest unsynced writer), continued untimed to N rows.
   */
  readonly loader: boolean;
  readonly open: (path: string, options: StoreOptions) => Writer;
}

/** How a driver reads. */
export interface ReadCapability {
  readonly open: (path: string, options: StoreOptions) => Reader;
}

/** One entry of the driver map. */
export interface PeerDriver {
  readonly name: string;
  readonly family: PeerFamily;
  /** Settings, one line, for the report. */
  readonly settings: string;
  readonly write?: WriteCapability;
  readonly read?: ReadCapability;
}

/** How each family names, measures and removes its store inside a scenario folder. */
export interface FamilyStore {
  /** Path of the store `name` in `dir`. */
  readonly pathIn: (dir: string, name: string) => string;
  /** The files the store at `path` consists of. */
  readonly files: (path: string) => string[];
}

function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Bytes the store at `path` of `family` takes on disk (every file of it). */
export function storeBytes(family: PeerFamily, path: string): number {
  return FAMILY_STORES[family].files(path).reduce((sum, file) => sum + fileBytes(file), 0);
}

/** Deletes the store at `path` of `family`. */
export function removeStore(family: PeerFamily, path: string): void {
  for (const file of FAMILY_STORES[family].files(path)) rmSync(file, { force: true });
}

export const FAMILY_STORES: Readonly<Record<PeerFamily, FamilyStore>> = {
  frozendb: { pathIn: (dir, name) => join(dir, `${name}.fdb`), files: (path) => [path] },
  "better-sqlite3": {
    pathIn: (dir, name) => join(dir, `${name}.sqlite`),
    files: (path) => [path, `${path}-wal`, `${path}-shm`],
  },
  // A path with an extension makes lmdb-js use one data file (noSubdir) plus a lock file.
  lmdb: {
    pathIn: (dir, name) => join(dir, `${name}.mdb`),
    files: (path) => [path, `${path}-lock`],
  },
  fs: { pathIn: (dir, name) => join(dir, `${name}.rows`), files: (path) => [path] },
};

// ---------------------------------------------------------------- frozendb

function isKeyNotFound(error: unknown): boolean {
  return isFrozenDBError(error) && error.code === "key_not_found";
}

function frozenWriter(
  path: string,
  options: StoreOptions,
  perCall: boolean,
  sync: boolean,
  finder: FinderStrategy,
): Writer {
  createFrozen(path, { rowSize: options.rowSize, skewMs: SKEW_MS });
  // The finder also answers the duplicate-key check of every add.
  const db = openFrozen(path, { mode: "write", finder, sync });
  if (perCall) {
    return {
      append(batch) {
        const tx = db.begin();
        for (let i = 0; i < batch.keys.length; i++) tx.add(batch.keys[i]!, batch.values[i]);
        tx.commit();
      },
      close: () => db.close(),
    };
  }
  return {
    append(batch) {
      db.transaction((tx) => {
        for (let i = 0; i < batch.keys.length; i++) tx.add(batch.keys[i]!, batch.values[i]);
      });
    },
    close: () => db.close(),
  };
}

function frozenReader(path: string, finder: FinderStrategy): Reader {
  const db: FrozenDatabase = openFrozen(path, { mode: "read", finder });
  return {
    getRaw(key) {
      try {
        return db.getRaw(key);
      } catch (error) {
        if (isKeyNotFound(error)) return undefined;
        throw error;
      }
    },
    get(key) {
      try {
        return db.get(key);
      } catch (error) {
        if (isKeyNotFound(error)) return undefined;
        throw error;
      }
    },
    scan() {
      let rows = 0;
      let chars = 0;
      for (const entry of db.entries()) {
        chars += entry.json.length + entry.key.length;
        rows++;
      }
      return chars >= 0 ? rows : -1;
    },
    verify: () => verifyFrozen(path).dataRows,
    close: () => db.close(),
  };
}

function frozenDrivers(): PeerDriver[] {
  const writer = (
    path: "per-call" | "transaction",
    synced: boolean,
    loader: boolean,
    finder: FinderStrategy = "binary_search",
  ): PeerDriver => ({
    name: `frozendb ${path}${synced ? " fsync" : ""}${finder === "binary_search" ? "" : ` (${finder})`}`,
    family: "frozendb",
    settings: `${path === "per-call" ? "begin() + 100 × tx.add + commit()" : "transaction(fn) of 100 × tx.add"}, sync: ${synced}, finder ${finder}${finder === "binary_search" ? " (the default)" : ""}`,
    write: {
      path,
      synced,
      loader,
      open: (p, options) => frozenWriter(p, options, path === "per-call", synced, finder),
    },
  });
  const reader = (finder: FinderStrategy): PeerDriver => ({
    name: `frozendb ${finder}`,
    family: "frozendb",
    settings: `open(path, { mode: "read", finder: "${finder}" })`,
    read: { open: (p) => frozenReader(p, finder) },
  });
  return [
    writer("per-call", false, false),
    writer("transaction", false, true),
    writer("per-call", true, false),
    writer("transaction", true, false),
    // The same writes with the finder that answers the duplicate check from memory.
    writer("transaction", false, false, "inmemory"),
    reader("binary_search"),
    reader("inmemory"),
    reader("simple"),
  ];
}

// ---------------------------------------------------------------- better-sqlite3

type SqliteConstructor = typeof import("better-sqlite3");

const SQLITE_TABLE = "CREATE TABLE kv (key BLOB PRIMARY KEY, value TEXT) WITHOUT ROWID";

function sqliteDrivers(Database: SqliteConstructor): PeerDriver[] {
  const writer = (synchronous: "NORMAL" | "FULL"): PeerDriver => ({
    name: `better-sqlite3 WAL ${synchronous}`,
    family: "better-sqlite3",
    settings: `journal_mode WAL, synchronous ${synchronous}, ${SQLITE_TABLE}; db.transaction of 100 × insert.run`,
    write: {
      path: "transaction",
      // WAL + NORMAL syncs at checkpoints, not at commit; FULL syncs the WAL at every commit.
      synced: synchronous === "FULL",
      loader: synchronous === "NORMAL",
      open(path) {
        const db = new Database(path);
        db.pragma("journal_mode = WAL");
        db.pragma(`synchronous = ${synchronous}`);
        db.exec(SQLITE_TABLE);
        const insert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
        const tx = db.transaction((batch: Batch) => {
          for (let i = 0; i < batch.keys.length; i++) {
            insert.run(batch.keys[i], JSON.stringify(batch.values[i]));
          }
        });
        return {
          append: (batch) => tx(batch),
          close() {
            // Readers then find every row in the main file, not in the WAL.
            db.pragma("wal_checkpoint(TRUNCATE)");
            db.close();
          },
        };
      },
    },
  });
  return [
    writer("NORMAL"),
    writer("FULL"),
    {
      name: "better-sqlite3",
      family: "better-sqlite3",
      settings: "default cache; prepared SELECT value FROM kv WHERE key = ? (pluck)",
      read: {
        open(path) {
          const db = new Database(path);
          const select = db.prepare<[Buffer], string>("SELECT value FROM kv WHERE key = ?").pluck();
          return {
            getRaw: (key) => select.get(key),
            get(key) {
              const text = select.get(key);
              return text === undefined ? undefined : JSON.parse(text);
            },
            scan() {
              let rows = 0;
              let bytes = 0;
              const all = db.prepare<[], [Buffer, string]>("SELECT key, value FROM kv").raw();
              for (const row of all.iterate()) {
                bytes += row[0].length + row[1].length;
                rows++;
              }
              return bytes >= 0 ? rows : -1;
            },
            verify() {
              const result = db.pragma("integrity_check", { simple: true });
              if (result !== "ok") throw new Error(`integrity_check: ${String(result)}`);
              return db.prepare<[], number>("SELECT count(*) FROM kv").pluck().get() ?? 0;
            },
            close() {
              db.close();
            },
          };
        },
      },
    },
  ];
}

// ---------------------------------------------------------------- lmdb

type LmdbModule = typeof import("lmdb");

function lmdbDrivers(lmdb: LmdbModule): PeerDriver[] {
  const openEnv = (path: string, sync: boolean, readOnly: boolean) =>
    lmdb.open<string, Buffer>({
      path,
      encoding: "string",
      keyEncoding: "binary",
      compression: false,
      noSync: !sync,
      // Without this, lmdb-js commits first and syncs later, in the background.
      overlappingSync: false,
      readOnly,
    });
  const writer = (sync: boolean): PeerDriver => ({
    name: `lmdb ${sync ? "sync" : "noSync"}`,
    family: "lmdb",
    settings: `${sync ? "sync at commit (overlappingSync off)" : "noSync"}; transactionSync of 100 × putSync(noOverwrite), string values, binary keys`,
    write: {
      path: "transaction",
      synced: sync,
      loader: !sync,
      open(path) {
        const db = openEnv(path, sync, false);
        return {
          append(batch) {
            db.transactionSync(() => {
              for (let i = 0; i < batch.keys.length; i++) {
                // noOverwrite: a duplicate key is refused, as frozendb and SQLite refuse it.
                const written = db.putSync(batch.keys[i]!, JSON.stringify(batch.values[i]), {
                  noOverwrite: true,
                }) as unknown;
                if (written === false) throw new Error("lmdb: duplicate key");
              }
            });
          },
          close: () => db.close(),
        };
      },
    },
  });
  return [
    writer(false),
    writer(true),
    {
      name: "lmdb",
      family: "lmdb",
      settings: "readOnly env; get() with string values, binary keys",
      read: {
        open(path) {
          const db = openEnv(path, false, true);
          return {
            getRaw: (key) => db.get(key),
            get(key) {
              const text = db.get(key);
              return text === undefined ? undefined : JSON.parse(text);
            },
            scan() {
              let rows = 0;
              let bytes = 0;
              for (const { key, value } of db.getRange()) {
                bytes += key.length + value.length;
                rows++;
              }
              return bytes >= 0 ? rows : -1;
            },
            verify: undefined,
            close: () => db.close(),
          };
        },
      },
    },
  ];
}

// ---------------------------------------------------------------- naive node:fs

/** fs row layout: 16-byte key, 2-byte value length (LE), UTF-8 value, zero padding. */
const FS_VALUE_AT = 18;
const CHUNK_BYTES = 4 << 20;

function fsWriter(path: string, options: StoreOptions, sync: boolean): Writer {
  const fd = openSync(path, "w");
  const rowSize = options.rowSize;
  const buffer = Buffer.alloc(rowSize * 100);
  return {
    append(batch) {
      const n = batch.keys.length;
      buffer.fill(0, 0, n * rowSize);
      for (let i = 0; i < n; i++) {
        const at = i * rowSize;
        batch.keys[i]!.copy(buffer, at);
        const length = buffer.write(
          JSON.stringify(batch.values[i]),
          at + FS_VALUE_AT,
          rowSize - FS_VALUE_AT,
        );
        buffer.writeUInt16LE(length, at + 16);
      }
      writeSync(fd, buffer, 0, n * rowSize);
      if (sync) fdatasyncSync(fd);
    },
    close: () => closeSync(fd),
  };
}

/** Calls `visit(chunk, rows)` for each 4 MiB chunk of whole rows of the file `fd`. */
function forEachChunk(
  fd: number,
  rowSize: number,
  visit: (chunk: Buffer, rows: number) => void,
): number {
  const size = fstatSync(fd).size;
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowSize));
  const chunk = Buffer.allocUnsafe(perChunk * rowSize);
  let rows = 0;
  for (let at = 0; at + rowSize <= size; ) {
    const want = Math.min(chunk.length, Math.floor((size - at) / rowSize) * rowSize);
    const got = readSync(fd, chunk, 0, want, at);
    if (got !== want) throw new Error(`fs: short read at ${at}`);
    visit(chunk, want / rowSize);
    rows += want / rowSize;
    at += want;
  }
  return rows;
}

function fsReader(path: string, options: StoreOptions): Reader {
  const rowSize = options.rowSize;
  const fd = openSync(path, "r");
  // The naive index: one pass over the file, a Map from key to row number.
  const rowOf = new Map<string, number>();
  forEachChunk(fd, rowSize, (chunk, rows) => {
    for (let i = 0; i < rows; i++) {
      rowOf.set(chunk.toString("latin1", i * rowSize, i * rowSize + 16), rowOf.size);
    }
  });
  const row = Buffer.allocUnsafe(rowSize);
  const getRaw = (key: Buffer): string | undefined => {
    const index = rowOf.get(key.toString("latin1"));
    if (index === undefined) return undefined;
    readSync(fd, row, 0, rowSize, index * rowSize);
    return row.toString("utf8", FS_VALUE_AT, FS_VALUE_AT + row.readUInt16LE(16));
  };
  return {
    getRaw,
    get(key) {
      const text = getRaw(key);
      return text === undefined ? undefined : JSON.parse(text);
    },
    scan() {
      let chars = 0;
      const rows = forEachChunk(fd, rowSize, (chunk, count) => {
        for (let i = 0; i < count; i++) {
          const at = i * rowSize;
          const length = chunk.readUInt16LE(at + 16);
          chars += chunk.toString("utf8", at + FS_VALUE_AT, at + FS_VALUE_AT + length).length;
        }
      });
      return chars >= 0 ? rows : -1;
    },
    // The machine's limit for a full check: read every byte and CRC32 it.
    verify:
      typeof zlib.crc32 === "function"
        ? () => {
            let crc = 0;
            const rows = forEachChunk(fd, rowSize, (chunk, count) => {
              crc = zlib.crc32(chunk.subarray(0, count * rowSize), crc);
            });
            return crc === -1 ? -1 : rows;
          }
        : undefined,
    close: () => closeSync(fd),
  };
}

function fsDrivers(): PeerDriver[] {
  const writer = (sync: boolean): PeerDriver => ({
    name: `fs${sync ? " fdatasync" : ""}`,
    family: "fs",
    settings: `one writeSync per 100-row batch${sync ? " + fdatasync" : ""}; no checks, no index`,
    write: {
      path: "transaction",
      synced: sync,
      loader: !sync,
      open: (p, o) => fsWriter(p, o, sync),
    },
  });
  return [
    writer(false),
    writer(true),
    {
      name: "fs pread",
      family: "fs",
      settings:
        "open reads the file once into a Map key → row; get = one pread of the row; verify = read + zlib.crc32",
      read: { open: fsReader },
    },
  ];
}

// ---------------------------------------------------------------- loading

/** The drivers that loaded, and the peers that did not (with why). */
export interface LoadedDrivers {
  /** name → driver, in report order. */
  readonly drivers: Map<string, PeerDriver>;
  /** Skipped peer → the reason (install or load failure, or FROZENDB_BENCH_SKIP). */
  readonly skipped: Map<PeerFamily, string>;
  /** Library versions of the peers that loaded. */
  readonly versions: Partial<Record<PeerFamily, string>>;
}

function skipList(): Set<string> {
  const { FROZENDB_BENCH_SKIP: list = "" } = process.env;
  return new Set(
    list
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 300);
}

/** Writes one row with each write driver and reads it back with each reader, in a temp folder. */
async function probe(family: PeerFamily, drivers: readonly PeerDriver[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `frozendb-peer-probe-${family.replace(/\W/g, "")}-`));
  try {
    const key = Buffer.from("0190d2e5f1a47c3b8a1b2c3d4e5f6071", "hex");
    const batch: Batch = { keys: [key], values: [valueFor(0, 1_720_000_000_000)] };
    const expected = JSON.stringify(batch.values[0]);
    const options: StoreOptions = { rowSize: 256 };
    const store = FAMILY_STORES[family];
    const loader = drivers.find((d) => d.write?.loader);
    for (const driver of drivers) {
      if (driver.write === undefined) continue;
      const path = store.pathIn(dir, driver === loader ? "store" : `w${drivers.indexOf(driver)}`);
      const writer = driver.write.open(path, options);
      writer.append(batch);
      await writer.close();
    }
    for (const driver of drivers) {
      if (driver.read === undefined) continue;
      const reader = driver.read.open(store.pathIn(dir, "store"), options);
      try {
        const got = reader.getRaw(key);
        if (got !== expected) throw new Error(`${driver.name} read back ${String(got)}`);
      } finally {
        await reader.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The installed version of package `name` (its package.json next to its entry point). */
function packageVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (let i = 0; i < 4; i++, dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? "unknown";
    }
  } catch {
    // Reported as unknown below.
  }
  return "unknown";
}

async function loadFamily(family: PeerFamily): Promise<{ drivers: PeerDriver[]; version: string }> {
  switch (family) {
    case "frozendb":
      return { drivers: frozenDrivers(), version: "workspace" };
    case "fs":
      return { drivers: fsDrivers(), version: process.version };
    case "better-sqlite3": {
      const Database = (await import("better-sqlite3")).default;
      const probeDb = new Database(":memory:");
      const version = probeDb.prepare<[], string>("SELECT sqlite_version()").pluck().get();
      probeDb.close();
      return {
        drivers: sqliteDrivers(Database),
        version: `${packageVersion("better-sqlite3")} (SQLite ${version})`,
      };
    }
    case "lmdb": {
      const lmdb = await import("lmdb");
      return { drivers: lmdbDrivers(lmdb), version: packageVersion("lmdb") };
    }
  }
}

/** The drivers of one family, loaded without the probe (for the open workload's child process). */
export async function loadFamilyDrivers(family: PeerFamily): Promise<PeerDriver[]> {
  return (await loadFamily(family)).drivers;
}

/** Every family, in report order. */
export const FAMILIES: readonly PeerFamily[] = ["frozendb", "better-sqlite3", "lmdb", "fs"];

/**
 * Loads and probes the peers (`families`, default all) and returns the
 * driver map. A peer that fails is listed in `skipped`, not thrown.
 */
export async function loadDrivers(
  families: readonly PeerFamily[] = FAMILIES,
): Promise<LoadedDrivers> {
  const drivers = new Map<string, PeerDriver>();
  const skipped = new Map<PeerFamily, string>();
  const versions: Partial<Record<PeerFamily, string>> = {};
  const skip = skipList();
  for (const family of families) {
    if (skip.has(family)) {
      skipped.set(family, "skipped by FROZENDB_BENCH_SKIP");
      continue;
    }
    try {
      const loaded = await loadFamily(family);
      await probe(family, loaded.drivers);
      for (const d of loaded.drivers) drivers.set(d.name, d);
      versions[family] = loaded.version;
    } catch (error) {
      skipped.set(family, `failed to load or probe: ${message(error)}`);
    }
  }
  return { drivers, skipped, versions };
}
