// open, the writer lock and close (behaviour §3, spec 002 FR-004 … FR-008).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CorruptDatabaseError,
  crc32,
  HEADER_SIZE,
  InvalidInputError,
  PathError,
  TombstonedError,
  WriteError,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { create, open, setAppendOnly, type TxLog, verify } from "../src/index.js";
import {
  crash,
  ensureTxlogDist,
  flockProbe,
  runChild,
  startChild,
  UNPRIVILEGED_SKIP,
  unprivilegedCanReadCheckout,
} from "./helpers/lifecycle-child.js";
import {
  BASE_MS,
  buildFile,
  clearAppendOnlyOnFinish,
  dataRow,
  descriptorsOf,
  expectThrows,
  hasCommand,
  keyAt,
  lsattrShowsAppendOnly,
  rowOffset,
  thrownBy,
} from "./helpers/lifecycle-files.js";

const isRoot = process.getuid?.() === 0;
const hasFlock = hasCommand("flock");
const hasChattr = hasCommand("chattr") && hasCommand("lsattr");
const hasStrace = hasCommand("strace");
const hasSetpriv = hasCommand("setpriv");
const unprivilegedReads = isRoot && hasSetpriv && unprivilegedCanReadCheckout();

const LOCKED = "another process has the database locked";

/** A database with `committed` one-row committed transactions (row size 128). */
function makeDb(dir: string, name = "db.fdb", committed = 3): string {
  const path = join(dir, name);
  create(path, { rowSize: 128, skewMs: 1000 });
  if (committed > 0) {
    const log = open(path, { mode: "write", sync: false });
    for (let i = 0; i < committed; i++) {
      log.appendTransaction([{ key: keyAt(BASE_MS + i, i), value: `{"i":${i}}` }]);
    }
    log.close();
  }
  return path;
}

function expectLocked(fn: () => unknown): WriteError {
  const e = expectThrows(fn, WriteError, "write_error", LOCKED);
  expect(String(e)).toBe(`write_error: ${LOCKED} (caused by: resource temporarily unavailable)`);
  return e;
}

/** A child that opens `path` in write mode, prints `ready` and waits to be killed. */
const HOLD_WRITE_LOCK = `
const log = m.open(args[0], { mode: "write" });
process.stdout.write("ready\\n");
setInterval(() => {}, 1000);
`;

/** A child that tries to open `path` in each mode and reports what happened. */
const TRY_OPEN = `
for (const mode of ["write", "read"]) {
  try {
    const log = m.open(args[0], { mode });
    out({ mode, ok: true, rows: log.rowCount(), value: log.readRow(1).valueText });
    log.close();
  } catch (e) {
    out({ mode, ...err(e) });
  }
}
`;

/**
 * Holds a BSD flock on `path` from another program (util-linux `flock`) until
 * the returned function is called.
 */
async function holdFlock(path: string): Promise<() => Promise<void>> {
  const holder: ChildProcess = spawn(
    "flock",
    ["-n", "-o", path, "sh", "-c", "echo ready; exec sleep 60"],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => holder.on("exit", () => resolve()));
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    try {
      if (holder.pid !== undefined) process.kill(-holder.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  };
  onTestFinished(release);
  await new Promise<void>((resolve, reject) => {
    let out = "";
    holder.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("ready")) resolve();
    });
    holder.on("exit", (code) => reject(new Error(`flock exited early (${code})`)));
  });
  return release;
}

beforeAll(() => {
  ensureTxlogDist();
}, 120_000);

describe("S_002 open: rejections (FR-004)", () => {
  it("S_002 FR_004 a bad mode is invalid_input 'mode must be 'read' or 'write'', checked before the path", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    for (const mode of ["append", "READ", "", "rw"]) {
      expectThrows(
        () => open(path, { mode: mode as "read" }),
        InvalidInputError,
        "invalid_input",
        "mode must be 'read' or 'write'",
      );
    }
    // The mode comes before the extension and the file.
    expectThrows(
      () => open(join(dir, "missing.txt"), { mode: "bogus" as "read" }),
      InvalidInputError,
      "invalid_input",
      "mode must be 'read' or 'write'",
    );
    expect(existsSync(join(dir, "missing.txt"))).toBe(false);
  });

  it("S_002 FR_004 a path without the .fdb extension (or '.fdb' alone) is invalid_input, before the file is looked at", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const renamed = join(dir, "db.txt");
    copyFileSync(path, renamed);
    for (const mode of ["read", "write"] as const) {
      for (const p of [renamed, join(dir, "missing.db"), ".fdb", `${path}.bak`]) {
        expectThrows(
          () => open(p, { mode }),
          InvalidInputError,
          "invalid_input",
          "path must have .fdb extension",
        );
      }
    }
    expect(existsSync(join(dir, "missing.db"))).toBe(false);
  });

  it("S_002 FR_004 a missing file is path_error 'database file does not exist' in both modes, and write mode does not create it", () => {
    const dir = tempDir();
    const path = join(dir, "absent.fdb");
    for (const mode of ["read", "write"] as const) {
      const e = expectThrows(
        () => open(path, { mode }),
        PathError,
        "path_error",
        "database file does not exist",
      );
      expect(e.cause).toBeDefined();
      expect(existsSync(path)).toBe(false);
    }
  });

  it("S_002 FR_004 a folder named x.fdb is path_error in both modes", () => {
    const dir = tempDir();
    const path = join(dir, "folder.fdb");
    mkdirSync(path);
    for (const mode of ["read", "write"] as const) {
      const e = thrownBy(() => open(path, { mode }));
      expect(e, `mode ${mode}: ${String(e)}`).toBeInstanceOf(PathError);
      expect((e as PathError).code).toBe("path_error");
    }
  });

  it.skipIf(!hasCommand("mkfifo"))(
    "S_002 FR_004 a FIFO named x.fdb is rejected with path_error at once in both modes (open must not block)",
    () => {
      const dir = tempDir();
      const path = join(dir, "pipe.fdb");
      const made = spawnSync("mkfifo", [path]);
      expect(made.status).toBe(0);
      for (const mode of ["write", "read"]) {
        const run = runChild(
          `try { m.open(args[0], { mode: args[1] }); out({ ok: true }); } catch (e) { out(err(e)); }`,
          [path, mode],
          { timeoutMs: 3000 },
        );
        expect(
          run.signal,
          `${mode} mode: open blocked on the FIFO and the child was killed`,
        ).toBeNull();
        expect(run.lines, mode).toHaveLength(1);
        expect(run.lines[0], mode).toMatchObject({ name: "PathError", code: "path_error" });
      }
    },
  );

  it.skipIf(!unprivilegedReads)(
    `S_002 FR_004 a file the user may not write (or read) is path_error 'permission denied to access database file' in write (and read) mode (unprivileged child)${isRoot && hasSetpriv && !unprivilegedReads ? UNPRIVILEGED_SKIP : ""}`,
    () => {
      const dir = tempDir();
      chmodSync(dir, 0o755);
      const path = makeDb(dir);
      chmodSync(path, 0o644);
      const run = runChild(TRY_OPEN, [path], {
        wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
      });
      expect(run.stderr).toBe("");
      expect(run.lines[0]).toMatchObject({
        mode: "write",
        name: "PathError",
        code: "path_error",
        message: "permission denied to access database file",
      });
      expect(run.lines[1]).toMatchObject({ mode: "read", ok: true, rows: 4, value: '{"i":0}' });
      // A file the user may not read at all: both modes.
      chmodSync(path, 0o600);
      const hidden = runChild(TRY_OPEN, [path], {
        wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
      });
      for (const [i, mode] of ["write", "read"].entries()) {
        expect(hidden.lines[i]).toMatchObject({
          mode,
          name: "PathError",
          code: "path_error",
          message: "permission denied to access database file",
        });
      }
    },
  );

  it("S_002 FR_004 a bad header is corrupt_database with the original's messages, in both modes", () => {
    const dir = tempDir();
    const good = readFileSync(makeDb(dir, "good.fdb", 0));
    const cases: { name: string; bytes: Buffer; message: string | RegExp }[] = [
      {
        name: "empty",
        bytes: Buffer.alloc(0),
        message: "file too small for header: expected at least 64 bytes, got 0",
      },
      {
        name: "short",
        bytes: good.subarray(0, 10),
        message: "file too small for header: expected at least 64 bytes, got 10",
      },
      {
        name: "newline",
        bytes: Buffer.concat([good.subarray(0, 63), Buffer.from([0x0b]), good.subarray(64)]),
        message: "byte 63 must be newline, got 0x0b",
      },
      {
        name: "signature",
        bytes: Buffer.from(good.toString("latin1").replace('"fDB"', '"fDX"'), "latin1"),
        message: "invalid header values",
      },
      {
        name: "json",
        bytes: Buffer.from(good.toString("latin1").replace('"ver":1', '"ver"!1'), "latin1"),
        message: "failed to parse JSON header",
      },
      {
        name: "header-only",
        bytes: good.subarray(0, 64),
        message: "file too small: expected at least 192 bytes (header + checksum row), got 64",
      },
      {
        name: "cut-checksum",
        bytes: good.subarray(0, 150),
        message: "file too small: expected at least 192 bytes (header + checksum row), got 150",
      },
    ];
    for (const c of cases) {
      const path = join(dir, `${c.name}.fdb`);
      writeFileSync(path, c.bytes);
      for (const mode of ["read", "write"] as const) {
        const e = expectThrows(
          () => open(path, { mode }),
          CorruptDatabaseError,
          "corrupt_database",
          c.message,
        );
        if (c.name === "signature") expect(String(e)).toMatch(/invalid signature/);
      }
      expect(readFileSync(path)).toEqual(c.bytes);
    }
  });

  it("S_002 FR_004 a bad initial checksum row is corrupt_database with the original's messages, in both modes", () => {
    const dir = tempDir();
    const good = readFileSync(makeDb(dir, "good.fdb", 2));
    const headerCrc = crc32(good.subarray(0, HEADER_SIZE));
    const hex = (v: number) => `0x${v.toString(16).toUpperCase().padStart(8, "0")}`;
    const patched = (pos: number, byte: number) => {
      const b = Buffer.from(good);
      b[pos] = byte;
      return b;
    };
    // Replace the CRC text by the Base64 of another value.
    const otherCrc = Buffer.from(good);
    otherCrc.write("AAAAAA==", 66, "latin1");
    const cases: { name: string; bytes: Buffer; message: string }[] = [
      {
        name: "crc",
        bytes: otherCrc,
        message: `CRC32 verification failed: calculated ${hex(headerCrc)}, stored 0x00000000`,
      },
      {
        name: "sentinel",
        bytes: patched(64, 0x20),
        message: "checksum row must start with ROW_START sentinel (0x1F), got 0x20",
      },
      {
        name: "start",
        bytes: patched(65, 0x58),
        message: "checksum row start_control must be 'C', got 0x58",
      },
      {
        name: "end",
        bytes: patched(64 + 128 - 4, 0x58),
        message: "checksum row end_control must be 'CS', got 'CX'",
      },
      {
        name: "rowend",
        bytes: patched(64 + 127, 0x0d),
        message: "checksum row must end with ROW_END sentinel (0x0A), got 0x0D",
      },
      {
        name: "base64",
        bytes: patched(67, 0x21),
        message: "invalid checksum format in checksum row",
      },
    ];
    for (const c of cases) {
      const path = join(dir, `${c.name}.fdb`);
      writeFileSync(path, c.bytes);
      for (const mode of ["read", "write"] as const) {
        expectThrows(
          () => open(path, { mode }),
          CorruptDatabaseError,
          "corrupt_database",
          c.message,
        );
      }
    }
  });

  it.skipIf(!hasFlock)(
    "S_002 FR_004 a failed open closes the file: no descriptor is left and the write lock is free",
    () => {
      const dir = tempDir();
      const good = makeDb(dir, "good.fdb", 1);
      const bad = join(dir, "bad.fdb");
      const bytes = readFileSync(good);
      bytes[66] = bytes[66] === 0x41 ? 0x42 : 0x41; // CRC text changed
      writeFileSync(bad, bytes);
      for (const mode of ["read", "write"] as const) {
        expectThrows(() => open(bad, { mode }), CorruptDatabaseError, "corrupt_database");
        expect(descriptorsOf(bad)).toEqual([]);
        expect(flockProbe(bad)).toBe(0);
      }
      // A torn tail (write mode only) and a lock conflict also leave nothing open.
      const torn = join(dir, "torn.fdb");
      writeFileSync(torn, Buffer.concat([readFileSync(good), Buffer.from([0x1f])]));
      expectThrows(() => open(torn, { mode: "write" }), CorruptDatabaseError, "corrupt_database");
      expect(descriptorsOf(torn)).toEqual([]);
      expect(flockProbe(torn)).toBe(0);
      const first = open(good, { mode: "write" });
      try {
        expectLocked(() => open(good, { mode: "write" }));
        expect(descriptorsOf(good)).toHaveLength(1);
      } finally {
        first.close();
      }
      expect(descriptorsOf(good)).toEqual([]);
    },
  );
});

describe("S_002 locking (FR-005)", () => {
  it("S_002 FR_005 a second writer in the same process fails with write_error 'another process has the database locked'", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const first = open(path, { mode: "write" });
    expectLocked(() => open(path, { mode: "write" }));
    // The lock belongs to the file, not to the path: other names of it are locked too.
    const alias = join(dir, "alias.fdb");
    symlinkSync(path, alias);
    expectLocked(() => open(alias, { mode: "write" }));
    const hard = join(dir, "hard.fdb");
    linkSync(path, hard);
    expectLocked(() => open(hard, { mode: "write" }));
    // The holder is unaffected and keeps writing.
    first.appendTransaction([{ key: keyAt(BASE_MS + 100, 1), value: "1" }]);
    expectLocked(() => open(path, { mode: "write" }));
    first.close();
    const second = open(path, { mode: "write" });
    expect(second.rowCount()).toBe(5);
    second.close();
  });

  it("S_002 FR_005 a writer in another process excludes ours; readers are not blocked; its crash (SIGKILL) frees the lock", async () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const child = await startChild(HOLD_WRITE_LOCK, [path]);
    expectLocked(() => open(path, { mode: "write" }));
    const reader = open(path, { mode: "read" });
    expect(reader.rowCount()).toBe(4);
    expect(reader.readRow(3).type).toBe("data");
    const reader2 = open(path, { mode: "read" });
    reader2.close();
    if (hasFlock) expect(flockProbe(path)).toBe(1);
    await crash(child);
    const writer = open(path, { mode: "write" });
    writer.appendTransaction([{ key: keyAt(BASE_MS + 50, 9), value: "[]" }]);
    writer.close();
    expect(reader.rowCount()).toBeGreaterThanOrEqual(4);
    reader.close();
  });

  it("S_002 FR_005 while we hold the write lock a child process cannot open for writing but can open for reading", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const writer = open(path, { mode: "write" });
    try {
      const run = runChild(TRY_OPEN, [path]);
      expect(run.stderr).toBe("");
      expect(run.lines[0]).toMatchObject({
        mode: "write",
        name: "WriteError",
        code: "write_error",
        message: LOCKED,
      });
      expect(String(run.lines[0]!.text)).toBe(
        `write_error: ${LOCKED} (caused by: resource temporarily unavailable)`,
      );
      expect(run.lines[1]).toEqual({ mode: "read", ok: true, rows: 4, value: '{"i":0}' });
    } finally {
      writer.close();
    }
    const after = runChild(TRY_OPEN, [path]);
    expect(after.lines[0]).toMatchObject({ mode: "write", ok: true });
  });

  it.skipIf(!hasFlock)(
    "S_002 FR_005 the lock is a BSD flock on the data file: `flock -n` fails while we hold it and succeeds after close",
    () => {
      const dir = tempDir();
      const path = makeDb(dir);
      expect(flockProbe(path)).toBe(0);
      const writer = open(path, { mode: "write" });
      expect(flockProbe(path)).toBe(1);
      writer.close();
      expect(flockProbe(path)).toBe(0);
    },
  );

  it.skipIf(!hasFlock)(
    "S_002 FR_005 a BSD flock held by another program (util-linux flock) makes write-mode open fail; readers still open",
    async () => {
      const dir = tempDir();
      const path = makeDb(dir);
      const release = await holdFlock(path);
      try {
        expectLocked(() => open(path, { mode: "write" }));
        const reader = open(path, { mode: "read" });
        expect(reader.rowCount()).toBe(4);
        reader.close();
      } finally {
        await release();
      }
      const writer = open(path, { mode: "write" });
      writer.close();
    },
  );

  it.skipIf(!hasFlock)(
    "S_002 FR_005 the lock is taken before the file is validated: a locked file with a bad header or a torn tail reports the lock",
    async () => {
      const dir = tempDir();
      const good = readFileSync(makeDb(dir));
      const badHeader = join(dir, "bad-header.fdb");
      writeFileSync(badHeader, Buffer.concat([Buffer.from("x"), good.subarray(1)]));
      const torn = join(dir, "torn.fdb");
      writeFileSync(torn, Buffer.concat([good, Buffer.from([0x1f])]));
      for (const path of [badHeader, torn]) {
        const release = await holdFlock(path);
        try {
          expectLocked(() => open(path, { mode: "write" }));
        } finally {
          await release();
        }
        expectThrows(() => open(path, { mode: "write" }), CorruptDatabaseError, "corrupt_database");
      }
    },
  );

  it.skipIf(!hasFlock)(
    "S_002 FR_005 read mode takes no lock: with several readers open the flock is free and a writer opens",
    () => {
      const dir = tempDir();
      const path = makeDb(dir);
      const readers = [open(path), open(path, { mode: "read" }), open(path, { mode: "read" })];
      expect(flockProbe(path)).toBe(0);
      const writer = open(path, { mode: "write" });
      writer.appendTransaction([{ key: keyAt(BASE_MS + 10, 77), value: '"w"' }]);
      // And a reader opened while the writer holds the lock sees the new row.
      const late = open(path, { mode: "read" });
      expect(late.rowCount()).toBe(5);
      expect(late.readRow(4).type).toBe("data");
      late.close();
      writer.close();
      for (const r of readers) r.close();
    },
  );

  it("S_002 FR_005 close releases the lock: the same process and a child can then open for writing", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    for (let i = 0; i < 3; i++) {
      const w = open(path, { mode: "write" });
      w.close();
    }
    const w = open(path, { mode: "write" });
    expectLocked(() => open(path, { mode: "write" }));
    w.close();
    const run = runChild(TRY_OPEN, [path]);
    expect(run.lines[0]).toMatchObject({ mode: "write", ok: true, rows: 4 });
  });
});

describe("S_002 open reads only the tail window (FR-006)", () => {
  const ROW = 128;
  const DATA_ROWS = 200_000;
  let shared: string;
  let bigFile: string;
  let bigSize: number;
  /** A row far from the tail (in the middle of the file). */
  const MIDDLE = 100_123;

  beforeAll(() => {
    shared = mkdtempSync(join(tmpdir(), "frozendb-fr006-"));
    bigFile = join(shared, "big.fdb");
    function* rows() {
      for (let i = 0; i < DATA_ROWS; i += 4) {
        // Four-row transactions.
        yield dataRow("T", "RE", keyAt(BASE_MS + i, i));
        yield dataRow("R", "SE", keyAt(BASE_MS + i + 1, i + 1));
        yield dataRow("R", "RE", keyAt(BASE_MS + i + 2, i + 2));
        yield dataRow("R", "TC", keyAt(BASE_MS + i + 3, i + 3));
      }
    }
    bigSize = buildFile(bigFile, { rowSize: ROW, skewMs: 10, rows: rows() });
  }, 60_000);

  afterAll(() => {
    rmSync(shared, { recursive: true, force: true });
  });

  function corruptedCopy(): string {
    const path = join(tempDir(), "big.fdb");
    copyFileSync(bigFile, path);
    const bytes = readFileSync(path);
    // Flip one bit of a value byte in the middle row: its parity no longer matches.
    bytes[rowOffset(MIDDLE, ROW) + 30]! ^= 0x01;
    writeFileSync(path, bytes);
    return path;
  }

  it("S_002 FR_006 a corrupt row in the middle of a 200,000-row file does not stop open (both modes); verify reports it", () => {
    const path = corruptedCopy();
    const completeRows = DATA_ROWS + 21;
    const reader = open(path, { mode: "read" });
    expect(reader.rowCount()).toBe(completeRows);
    expect(reader.activeTransaction).toBeNull();
    // The handle can see that the row is bad when it is asked for it.
    expectThrows(() => reader.readRow(MIDDLE), CorruptDatabaseError, "corrupt_database");
    reader.close();

    const writer = open(path, { mode: "write", sync: false });
    expect(writer.rowCount()).toBe(completeRows);
    writer.appendTransaction([{ key: keyAt(BASE_MS + DATA_ROWS + 5, 1), value: '"tail"' }]);
    writer.close();
    expect(statSync(path).size).toBe(bigSize + ROW);

    const e = expectThrows(() => verify(path), CorruptDatabaseError, "corrupt_database");
    expect(e.rowIndex).toBe(MIDDLE);
    expect(e.offset).toBeGreaterThanOrEqual(rowOffset(MIDDLE, ROW));
    expect(e.offset).toBeLessThan(rowOffset(MIDDLE + 1, ROW));
  });

  it("S_002 FR_006 open succeeds on a file whose rows before the tail window are a 128 MB hole of zeros", () => {
    const dir = tempDir();
    const path = join(dir, "sparse.fdb");
    const hole = 1_000_200;
    buildFile(path, { rowSize: ROW, skewMs: 10, rows: [] });
    truncateSync(path, rowOffset(1 + hole, ROW));
    const tail = join(dir, "tail.bin");
    // 102 rows after the hole: a 100-row transaction, then one closed single row and a 2-row open transaction.
    const rows = [];
    const k = (i: number) => keyAt(BASE_MS + i, i);
    rows.push(dataRow("T", "RE", k(0)));
    for (let i = 1; i < 99; i++) rows.push(dataRow("R", "RE", k(i)));
    rows.push(dataRow("R", "TC", k(99)));
    rows.push(dataRow("T", "TC", k(100)));
    rows.push(dataRow("T", "SE", k(101)));
    const tailSize = buildFile(tail, { rowSize: ROW, skewMs: 10, rows });
    const tailRows = readFileSync(tail).subarray(64 + ROW, tailSize);
    writeFileSync(path, tailRows, { flag: "a" });
    const completeRows = 1 + hole + rows.length;
    // No checksum row is due inside the tail rows.
    for (let i = 1 + hole; i < completeRows + 2; i++) expect(i % 10001).not.toBe(0);

    const reader = open(path, { mode: "read" });
    expect(reader.rowCount()).toBe(completeRows);
    expect(reader.activeTransaction?.rowCount).toBe(1);
    expect(reader.activeTransaction?.savepointCount).toBe(1);
    reader.close();
    const writer = open(path, { mode: "write", sync: false });
    const tx = writer.activeTransaction!;
    expect(tx.rowCount).toBe(1);
    tx.add(keyAt(BASE_MS + 102, 102), '"x"');
    tx.rollback(1);
    writer.close();
    expect(statSync(path).size).toBe(rowOffset(completeRows + 1, ROW));
    const e = expectThrows(() => verify(path), CorruptDatabaseError, "corrupt_database");
    expect(e.rowIndex).toBe(1);
  });

  it.skipIf(!hasStrace)(
    "S_002 FR_006 open reads only the header, the initial checksum row and at most 101 rows + partial row at the tail (strace of a child)",
    () => {
      const dir = tempDir();
      const path = corruptedCopy();
      // End the file in an open transaction with a state-3 partial row, so
      // that recovery has to walk back.
      const w = open(path, { mode: "write", sync: false });
      const tx = w.begin();
      for (let i = 0; i < 60; i++) tx.add(keyAt(BASE_MS + DATA_ROWS + 10 + i, i), `${i}`);
      tx.savepoint();
      w.close();
      const size = statSync(path).size;
      const trace = join(dir, "trace.txt");
      const run = runChild(
        `for (const mode of ["read", "write"]) { const log = m.open(args[0], { mode }); out({ mode, rows: log.rowCount(), tx: log.activeTransaction?.rowCount }); log.close(); }`,
        [path],
        {
          // Without -f only the main thread is traced: the API is synchronous.
          wrapper: ["strace", "-y", "-e", "trace=read,pread64,readv,preadv,preadv2", "-o", trace],
        },
      );
      expect(run.lines).toEqual([
        { mode: "read", rows: DATA_ROWS + 21 + 59, tx: 60 },
        { mode: "write", rows: DATA_ROWS + 21 + 59, tx: 60 },
      ]);
      const reads = readFileSync(trace, "utf8")
        .split("\n")
        .filter((l) => l.includes(`<${path}>`));
      expect(reads.length).toBeGreaterThan(0);
      const completeRows = Math.floor((size - 64) / ROW);
      const windowStart = rowOffset(completeRows - 101, ROW);
      let total = 0;
      for (const line of reads) {
        const m = /pread64\(\d+<[^>]*>, .*, (\d+), (\d+)\) = (\d+)$/.exec(line);
        expect(m, `only positional reads are expected: ${line}`).not.toBeNull();
        const offset = Number(m![2]);
        const got = Number(m![3]);
        total += got;
        const inHead = offset + got <= HEADER_SIZE + ROW;
        const inTail = offset >= windowStart && offset + got <= size;
        expect(inHead || inTail, `read of ${got} bytes at ${offset}`).toBe(true);
      }
      // Two opens, each: header + checksum row + window + partial row (+ a little slack).
      expect(total).toBeLessThanOrEqual(2 * (2 * (HEADER_SIZE + ROW) + 102 * ROW));
    },
  );
});

describe("S_002 writers append (FR-007)", () => {
  it("S_002 FR_007 the write-mode descriptor is opened with O_APPEND (read mode: read-only)", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const O_ACCMODE = 0o3;
    const O_APPEND = 0o2000;
    const writer = open(path, { mode: "write" });
    const wfds = descriptorsOf(path);
    expect(wfds).toHaveLength(1);
    expect(wfds[0]!.flags).toBeGreaterThanOrEqual(0);
    expect(wfds[0]!.flags & O_APPEND).toBe(O_APPEND);
    expect(wfds[0]!.flags & O_ACCMODE).not.toBe(0);
    writer.close();
    const reader = open(path, { mode: "read" });
    const rfds = descriptorsOf(path);
    expect(rfds).toHaveLength(1);
    expect(rfds[0]!.flags).toBeGreaterThanOrEqual(0);
    expect(rfds[0]!.flags & O_ACCMODE).toBe(0);
    expect(rfds[0]!.flags & O_APPEND).toBe(0);
    reader.close();
  });

  it.skipIf(!hasChattr || !isRoot)(
    "S_002 FR_007 a file created with appendOnly: true can be written, closed, reopened and written again",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "ao.fdb");
      create(path, { rowSize: 128, skewMs: 100, appendOnly: true });
      expect(lsattrShowsAppendOnly(path)).toBe(true);
      const w1 = open(path, { mode: "write" });
      const tx = w1.begin();
      tx.add(keyAt(BASE_MS, 1), '{"a":1}');
      tx.savepoint();
      tx.add(keyAt(BASE_MS + 1, 2), '{"a":2}');
      tx.commit();
      w1.appendTransaction([{ key: keyAt(BASE_MS + 2, 3), value: "3" }]);
      // Leave a transaction open across the reopen.
      w1.begin().add(keyAt(BASE_MS + 3, 4), "4");
      w1.close();
      const w2 = open(path, { mode: "write" });
      const resumed = w2.activeTransaction!;
      expect(resumed.rowCount).toBe(1);
      resumed.commit();
      w2.appendTransaction([]);
      w2.close();
      expect(lsattrShowsAppendOnly(path)).toBe(true);
      const report = verify(path);
      expect(report).toMatchObject({ dataRows: 4, nullRows: 1, openTransaction: false });
      const r = open(path, { mode: "read" });
      expect(r.readRow(4).type).toBe("data");
      r.close();
    },
  );

  it.skipIf(!hasChattr || !isRoot)(
    "S_002 FR_007 the attribute set on an existing file (setAppendOnly) does not stop a writer from a child process",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = makeDb(dir);
      setAppendOnly(path);
      const run = runChild(
        `const log = m.open(args[0], { mode: "write" }); log.appendTransaction([{ key: args[1], value: "1" }]); log.close(); out({ ok: true });`,
        [path, keyAt(BASE_MS + 500, 5)],
      );
      expect(run.stderr).toBe("");
      expect(run.lines).toEqual([{ ok: true }]);
      expect(verify(path).dataRows).toBe(4);
    },
  );
});

describe("S_002 close (FR-008)", () => {
  it("S_002 FR_008 close is idempotent in both modes", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    for (const mode of ["read", "write"] as const) {
      const log = open(path, { mode });
      expect(log.closed).toBe(false);
      log.close();
      expect(log.closed).toBe(true);
      expect(() => log.close()).not.toThrow();
      expect(() => log.close()).not.toThrow();
      expect(log.closed).toBe(true);
    }
    const w = open(path, { mode: "write" });
    w.close();
    w.close();
  });

  it("S_002 FR_008 close leaves an open transaction in the file untouched, and the next writer (another process) finishes it", () => {
    const dir = tempDir();
    const path = makeDb(dir, "db.fdb", 1);
    const log = open(path, { mode: "write" });
    const tx = log.begin();
    tx.add(keyAt(BASE_MS + 10, 1), '{"n":1}');
    tx.savepoint();
    const before = readFileSync(path);
    log.close();
    expect(readFileSync(path)).toEqual(before);
    expect(before.length).toBe(rowOffset(2, 128) + 128 - 4);
    const run = runChild(
      `const log = m.open(args[0], { mode: "write" }); const tx = log.activeTransaction; out({ rows: tx.rowCount, sp: tx.savepointCount }); tx.add(args[1], '"two"'); tx.rollback(1); log.close(); out({ ok: true });`,
      [path, keyAt(BASE_MS + 11, 2)],
    );
    expect(run.stderr).toBe("");
    expect(run.lines).toEqual([{ rows: 1, sp: 1 }, { ok: true }]);
    expect(verify(path)).toMatchObject({ dataRows: 3, openTransaction: false });
  });

  it("S_002 FR_008 after close every read and write fails with tombstoned 'file manager is closed'", () => {
    const dir = tempDir();
    const path = makeDb(dir);
    const writer = open(path, { mode: "write" });
    const tx = writer.begin();
    tx.add(keyAt(BASE_MS + 10, 1), "1");
    writer.close();
    const size = statSync(path).size;
    const closedMessage = "file manager is closed";
    const handleCalls: [string, (log: TxLog) => unknown][] = [
      ["readRows", (l) => l.readRows(0, 1)],
      ["readRow", (l) => l.readRow(1)],
      ["begin", (l) => l.begin()],
      [
        "appendTransaction",
        (l) => l.appendTransaction([{ key: keyAt(BASE_MS + 20, 2), value: "2" }]),
      ],
    ];
    for (const [name, call] of handleCalls) {
      const e = thrownBy(() => call(writer));
      expect(e, name).toBeInstanceOf(TombstonedError);
      expect((e as TombstonedError).code).toBe("tombstoned");
      expect((e as TombstonedError).message, name).toBe(closedMessage);
    }
    const txCalls: [string, () => unknown][] = [
      ["add", () => tx.add(keyAt(BASE_MS + 21, 3), "3")],
      ["savepoint", () => tx.savepoint()],
      ["commit", () => tx.commit()],
      ["rollback", () => tx.rollback(0)],
    ];
    for (const [name, call] of txCalls) {
      const e = thrownBy(call);
      expect(e, name).toBeInstanceOf(TombstonedError);
      expect((e as TombstonedError).code).toBe("tombstoned");
    }
    expect(statSync(path).size).toBe(size);

    const reader = open(path, { mode: "read" });
    reader.close();
    for (const [name, call] of handleCalls.slice(0, 2)) {
      const e = thrownBy(() => call(reader));
      expect(e, name).toBeInstanceOf(TombstonedError);
      expect((e as TombstonedError).message).toBe(closedMessage);
    }
  });
});
