// create (behaviour §2, spec 002 FR-001 … FR-003): validation order and
// messages, what is written and how, and the opt-in append-only attribute.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  crc32,
  decodeHeader,
  encodeChecksumRow,
  encodeHeader,
  InvalidInputError,
  PathError,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import {
  create,
  DEFAULT_ROW_SIZE,
  DEFAULT_SKEW_MS,
  hasAppendOnly,
  open,
  setAppendOnly,
  verify,
} from "../src/index.js";
import {
  ensureTxlogDist,
  runChild,
  UNPRIVILEGED_SKIP,
  unprivilegedCanReadCheckout,
} from "./helpers/lifecycle-child.js";
import {
  clearAppendOnlyOnFinish,
  expectThrows,
  hasCommand,
  lsattrShowsAppendOnly,
} from "./helpers/lifecycle-files.js";

const isRoot = process.getuid?.() === 0;
const hasChattr = hasCommand("chattr") && hasCommand("lsattr");
const hasStrace = hasCommand("strace");
const hasSetpriv = hasCommand("setpriv");
const unprivilegedReads = isRoot && hasSetpriv && unprivilegedCanReadCheckout();
const hasCapsh = hasCommand("capsh");

/** The bytes a new file must hold: header + checksum row over the header. */
function expectedNewFile(rowSize: number, skewMs: number): Buffer {
  const header = encodeHeader({ rowSize, skewMs });
  return Buffer.concat([header, encodeChecksumRow(crc32(header), rowSize)]);
}

function invalidInput(fn: () => unknown, message: string) {
  return expectThrows(fn, InvalidInputError, "invalid_input", message);
}

function pathError(fn: () => unknown, message: string) {
  return expectThrows(fn, PathError, "path_error", message);
}

beforeAll(() => {
  ensureTxlogDist();
}, 120_000);

describe("S_002 create: validation (FR-001)", () => {
  it("S_002 FR_001 row_size outside 128…65536 is rejected with the original's message", () => {
    const dir = tempDir();
    const path = join(dir, "a.fdb");
    for (const bad of [127, 65537, 0, -1]) {
      invalidInput(
        () => create(path, { rowSize: bad }),
        `row_size must be between 128 and 65536, got ${bad}`,
      );
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("S_002 FR_001 skew_ms outside 0…86400000 is rejected with the original's message", () => {
    const dir = tempDir();
    const path = join(dir, "a.fdb");
    for (const bad of [-1, 86_400_001]) {
      invalidInput(
        () => create(path, { skewMs: bad }),
        `skew_ms must be between 0 and 86400000, got ${bad}`,
      );
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("S_002 FR_001 the inclusive bounds 128/65536 and 0/86400000 are accepted", () => {
    const dir = tempDir();
    const cases = [
      { rowSize: 128, skewMs: 0 },
      { rowSize: 65536, skewMs: 86_400_000 },
    ];
    cases.forEach((settings, i) => {
      const path = join(dir, `b${i}.fdb`);
      create(path, settings);
      expect(decodeHeader(readFileSync(path).subarray(0, 64))).toMatchObject(settings);
      expect(statSync(path).size).toBe(64 + settings.rowSize);
    });
  });

  it("S_002 FR_001 checks run in the order row_size, skew_ms, empty path, extension, parent", () => {
    const dir = tempDir();
    // Every argument bad: the row size is reported.
    invalidInput(
      () => create("", { rowSize: 1, skewMs: -5 }),
      "row_size must be between 128 and 65536, got 1",
    );
    // Then the skew, before the path.
    invalidInput(
      () => create("", { skewMs: -5 }),
      "skew_ms must be between 0 and 86400000, got -5",
    );
    // Then the empty path.
    invalidInput(() => create(""), "path cannot be empty");
    // The extension before the (missing) parent folder.
    invalidInput(() => create(join(dir, "missing", "x.txt")), "path must have .fdb extension");
    // A missing parent before anything about the file.
    pathError(() => create(join(dir, "missing", "x.fdb")), "parent directory does not exist");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("S_002 FR_001 the .fdb rule: other extensions and '.fdb' alone are rejected", () => {
    const dir = tempDir();
    for (const name of ["x.txt", "x.fdb.bak", "x.FDB", "xfdb", "x.fdb/"]) {
      invalidInput(() => create(join(dir, name)), "path must have .fdb extension");
    }
    // '.fdb' alone: the whole path string must be longer than 4 characters.
    invalidInput(() => create(".fdb"), "path must have .fdb extension");
    expect(existsSync(".fdb")).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("S_002 FR_001 'dir/.fdb' passes the extension rule and is created", () => {
    const dir = tempDir();
    const path = join(dir, ".fdb");
    create(path, { rowSize: 128, skewMs: 0 });
    expect(readFileSync(path)).toEqual(expectedNewFile(128, 0));
    const log = open(path, { mode: "write" });
    log.close();
  });

  it("S_002 FR_001 './.fdb' (relative, 6 characters) is accepted", () => {
    const dir = tempDir();
    const run = runChild(
      `try { m.create("./.fdb", { rowSize: 128, skewMs: 7 }); out({ ok: true }); } catch (e) { out({ error: err(e) }); }`,
      [],
      { cwd: dir },
    );
    expect(run.lines).toEqual([{ ok: true }]);
    expect(readFileSync(join(dir, ".fdb"))).toEqual(expectedNewFile(128, 7));
  });

  it("S_002 FR_001 a missing parent folder is path_error 'parent directory does not exist'", () => {
    const dir = tempDir();
    const e = pathError(
      () => create(join(dir, "no", "such", "x.fdb")),
      "parent directory does not exist",
    );
    expect(e.cause).toBeDefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("S_002 FR_001 a parent that is a file is path_error 'parent path is not a directory'", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "plain"), "not a folder");
    pathError(() => create(join(dir, "plain", "x.fdb")), "parent path is not a directory");
    expect(readdirSync(dir)).toEqual(["plain"]);
  });

  it.skipIf(isRoot)(
    "S_002 FR_001 a non-writable parent is path_error 'parent directory is not writable' (skipped when running as root: root bypasses mode bits; see the unprivileged child test)",
    () => {
      const dir = tempDir();
      const ro = join(dir, "ro");
      mkdirSync(ro);
      chmodSync(ro, 0o555);
      try {
        pathError(() => create(join(ro, "x.fdb")), "parent directory is not writable");
        expect(readdirSync(ro)).toEqual([]);
      } finally {
        chmodSync(ro, 0o755);
      }
    },
  );

  it.skipIf(!unprivilegedReads)(
    `S_002 FR_001 for an unprivileged user a non-writable parent is 'parent directory is not writable', checked before 'file already exists'${isRoot && hasSetpriv && !unprivilegedReads ? UNPRIVILEGED_SKIP : ""}`,
    () => {
      const dir = tempDir();
      chmodSync(dir, 0o755);
      const ro = join(dir, "ro");
      mkdirSync(ro);
      writeFileSync(join(ro, "exists.fdb"), "keep me");
      chmodSync(ro, 0o555);
      const run = runChild(
        `for (const p of args) { try { m.create(p); out({ ok: p }); } catch (e) { out(err(e)); } }`,
        [join(ro, "x.fdb"), join(ro, "exists.fdb")],
        { wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] },
      );
      expect(run.stderr).toBe("");
      expect(run.lines).toHaveLength(2);
      for (const line of run.lines) {
        expect(line).toMatchObject({
          name: "PathError",
          code: "path_error",
          message: "parent directory is not writable",
        });
      }
      expect(readdirSync(ro)).toEqual(["exists.fdb"]);
      expect(readFileSync(join(ro, "exists.fdb"), "utf8")).toBe("keep me");
    },
  );

  it("S_002 FR_001 an existing file is path_error 'file already exists' and is left untouched", () => {
    const dir = tempDir();
    const path = join(dir, "a.fdb");
    writeFileSync(path, "precious");
    pathError(() => create(path), "file already exists");
    expect(readFileSync(path, "utf8")).toBe("precious");
    // An existing database is not overwritten either.
    const db = join(dir, "db.fdb");
    create(db, { rowSize: 256, skewMs: 1 });
    const before = readFileSync(db);
    pathError(() => create(db, { rowSize: 128, skewMs: 0 }), "file already exists");
    expect(readFileSync(db)).toEqual(before);
    // A folder at the path exists too.
    mkdirSync(join(dir, "folder.fdb"));
    pathError(() => create(join(dir, "folder.fdb")), "file already exists");
  });
});

describe("S_002 create: what is written (FR-002)", () => {
  it("S_002 FR_002 default settings are row_size 4096 and skew_ms 5000, bytes = header + initial checksum row", () => {
    expect(DEFAULT_ROW_SIZE).toBe(4096);
    expect(DEFAULT_SKEW_MS).toBe(5000);
    const path = join(tempDir(), "default.fdb");
    create(path);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(64 + 4096);
    expect(bytes).toEqual(expectedNewFile(4096, 5000));
    // Independently of the codec: the canonical header and the CRC of it.
    const json = '{"sig":"fDB","ver":1,"row_size":4096,"skew_ms":5000}';
    expect(bytes.subarray(0, json.length).toString("latin1")).toBe(json);
    expect(bytes.subarray(json.length, 63).every((b) => b === 0)).toBe(true);
    expect(bytes[63]).toBe(0x0a);
    const crc = zlibCrc32(bytes.subarray(0, 64));
    const crcBytes = Buffer.from([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]);
    expect(bytes.subarray(64, 74).toString("latin1")).toBe(`\x1fC${crcBytes.toString("base64")}`);
    expect(bytes.subarray(74, 64 + 4096 - 5).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(64 + 4096 - 5, 64 + 4096 - 3).toString("latin1")).toBe("CS");
    expect(bytes[64 + 4095]).toBe(0x0a);
    expect(verify(path)).toMatchObject({ rows: 1, dataRows: 0, rowSize: 4096, skewMs: 5000 });
  });

  it("S_002 FR_002 row_size 128 / skew_ms 250 gives exactly the bytes of file-format §16.1", () => {
    const path = join(tempDir(), "example.fdb");
    create(path, { rowSize: 128, skewMs: 250 });
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(192);
    const hex = bytes.subarray(0, 64).toString("hex");
    expect(hex).toBe(
      "7b22736967223a22664442222c22766572223a312c22726f775f73697a65223a" +
        "3132382c22736b65775f6d73223a3235307d000000000000000000000000000a",
    );
    expect(bytes.subarray(64, 74).toString("latin1")).toBe("\x1fCK//+uA==");
    expect(bytes.subarray(74, 187).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(187, 192).toString("latin1")).toBe("CS18\n");
  });

  it("S_002 FR_002 the file is created with mode 0644 (checked in a child with umask 0)", () => {
    const dir = tempDir();
    const path = join(dir, "mode.fdb");
    const run = runChild(
      `process.umask(0); m.create(args[0], { rowSize: 128, skewMs: 0 }); out({ ok: true });`,
      [path],
    );
    expect(run.lines).toEqual([{ ok: true }]);
    expect(statSync(path).mode & 0o7777).toBe(0o644);
  });

  it("S_002 FR_002 create is exclusive (O_EXCL): a dangling symlink at the path is not followed", () => {
    const dir = tempDir();
    const path = join(dir, "link.fdb");
    const target = join(dir, "target.fdb");
    symlinkSync(target, path);
    const error = expectThrows(
      () => create(path, { rowSize: 128, skewMs: 0 }),
      PathError,
      "path_error",
    );
    expect(["file already exists", "failed to create file atomically"]).toContain(error.message);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it.skipIf(!hasStrace)(
    "S_002 FR_002 one write of 64 + N bytes to a file opened O_CREAT|O_EXCL 0644, then fsync of the file and of its folder (strace)",
    () => {
      const dir = tempDir();
      const path = join(dir, "traced.fdb");
      const trace = join(dir, "trace.txt");
      const run = runChild(
        `m.create(args[0], { rowSize: 1024, skewMs: 3 }); out({ ok: true });`,
        [path],
        {
          wrapper: [
            "strace",
            "-f",
            "-y",
            "-e",
            "trace=openat,open,creat,write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync",
            "-o",
            trace,
          ],
        },
      );
      expect(run.lines).toEqual([{ ok: true }]);
      const lines = readFileSync(trace, "utf8").split("\n");
      const opens = lines.filter((l) => /open(at)?\(/.test(l) && l.includes(`"${path}"`));
      expect(opens).toHaveLength(1);
      expect(opens[0]).toMatch(/O_CREAT/);
      expect(opens[0]).toMatch(/O_EXCL/);
      expect(opens[0]).toMatch(/0644/);
      const onFile = (l: string) => l.includes(`<${path}>`);
      const writes = lines.filter((l) => /\b(p?write(v|64|v2)?)\(/.test(l) && onFile(l));
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/= 1088$/);
      const writeAt = lines.indexOf(writes[0]!);
      const fileSync = lines.findIndex((l) => /\bf(data)?sync\(/.test(l) && onFile(l));
      expect(fileSync).toBeGreaterThan(writeAt);
      const folderSync = lines.findIndex((l) => /\bfsync\(/.test(l) && l.includes(`<${dir}>`));
      expect(folderSync).toBeGreaterThan(writeAt);
      expect(readFileSync(path)).toEqual(expectedNewFile(1024, 3));
    },
  );

  it.skipIf(!isRoot || !hasCapsh)(
    "S_002 FR_002 when a step after the file was created fails (append-only refused), the file is removed",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "removed.fdb");
      const run = runChild(
        `try { m.create(args[0], { rowSize: 128, skewMs: 0, appendOnly: true }); out({ ok: true }); } catch (e) { out(err(e)); }`,
        [path],
        { wrapper: ["capsh", "--drop=cap_linux_immutable", "--", "-c", 'exec "$0" "$@"'] },
      );
      expect(run.lines).toHaveLength(1);
      expect(run.lines[0]).toMatchObject({ name: "WriteError", code: "write_error" });
      expect(existsSync(path)).toBe(false);
      // The same path can be created afterwards.
      create(path, { rowSize: 128, skewMs: 0 });
      expect(readFileSync(path)).toEqual(expectedNewFile(128, 0));
    },
  );
});

describe("S_002 create: the append-only attribute (FR-003)", () => {
  it.skipIf(!hasChattr || !isRoot)(
    "S_002 FR_003 appendOnly: true sets the Linux append-only attribute (lsattr shows 'a'; truncate and unlink are refused)",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "ao.fdb");
      create(path, { rowSize: 128, skewMs: 0, appendOnly: true });
      expect(lsattrShowsAppendOnly(path)).toBe(true);
      expect(hasAppendOnly(path)).toBe(true);
      expect(readFileSync(path)).toEqual(expectedNewFile(128, 0));
      expect(() => truncateSync(path, 64)).toThrow(/EPERM|not permitted/);
      expect(() => unlinkSync(path)).toThrow(/EPERM|not permitted/);
      expect(statSync(path).size).toBe(192);
    },
  );

  it.skipIf(!hasChattr || !isRoot)(
    "S_002 FR_003 without appendOnly the attribute is not set; setAppendOnly sets it later",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "plain.fdb");
      create(path, { rowSize: 128, skewMs: 0 });
      expect(lsattrShowsAppendOnly(path)).toBe(false);
      expect(hasAppendOnly(path)).toBe(false);
      create(join(dir, "explicit.fdb"), { rowSize: 128, skewMs: 0, appendOnly: false });
      expect(lsattrShowsAppendOnly(join(dir, "explicit.fdb"))).toBe(false);
      setAppendOnly(path);
      expect(lsattrShowsAppendOnly(path)).toBe(true);
      expect(hasAppendOnly(path)).toBe(true);
    },
  );

  it.skipIf(!isRoot || !hasCapsh)(
    "S_002 FR_003 when the OS refuses (no CAP_LINUX_IMMUTABLE) the file is removed and the WriteError names the missing privilege",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "refused.fdb");
      const run = runChild(
        `try { m.create(args[0], { rowSize: 256, skewMs: 0, appendOnly: true }); out({ ok: true }); } catch (e) { out(err(e)); }`,
        [path],
        { wrapper: ["capsh", "--drop=cap_linux_immutable", "--", "-c", 'exec "$0" "$@"'] },
      );
      expect(run.stderr).toBe("");
      expect(run.lines).toHaveLength(1);
      const e = run.lines[0]!;
      expect(e).toMatchObject({ name: "WriteError", code: "write_error" });
      expect(String(e.message)).toMatch(/CAP_LINUX_IMMUTABLE/);
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("S_002 FR_003 when the chattr tool cannot run (empty PATH) create throws WriteError and removes the file", () => {
    const dir = tempDir();
    clearAppendOnlyOnFinish(dir);
    const empty = join(dir, "empty-bin");
    mkdirSync(empty);
    const path = join(dir, "nochattr.fdb");
    const run = runChild(
      `try { m.create(args[0], { rowSize: 128, skewMs: 0, appendOnly: true }); out({ ok: true }); } catch (e) { out(err(e)); }`,
      [path],
      { env: { ...process.env, PATH: empty } },
    );
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatchObject({ name: "WriteError", code: "write_error" });
    expect(String(run.lines[0]!.message)).toMatch(/append-only/);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual(["empty-bin"]);
  });

  it.skipIf(!unprivilegedReads)(
    `S_002 FR_003 without appendOnly no privilege is needed (an unprivileged user creates a file)${isRoot && hasSetpriv && !unprivilegedReads ? UNPRIVILEGED_SKIP : ""}`,
    () => {
      const dir = tempDir();
      chmodSync(dir, 0o777);
      const path = join(dir, "user.fdb");
      const run = runChild(
        `try { m.create(args[0], { rowSize: 512, skewMs: 9 }); out({ ok: true }); } catch (e) { out(err(e)); }`,
        [path],
        { wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] },
      );
      expect(run.lines).toEqual([{ ok: true }]);
      expect(statSync(path).uid).toBe(65534);
      expect(readFileSync(path)).toEqual(expectedNewFile(512, 9));
    },
  );
});
