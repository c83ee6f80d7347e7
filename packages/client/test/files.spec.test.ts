// Spec 004 (frozendb client), files: create, open, verify/recover, close.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { crc32, decodeRow, HEADER_SIZE } from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import * as txlog from "@frozendb/txlog";
import { describe, expect, it } from "vitest";
import {
  create,
  type Database,
  InvalidActionError,
  open,
  PathError,
  recover,
  TombstonedError,
  uuidv7,
  verify,
} from "../src/index.js";
import {
  BASE_MS,
  buildFile,
  bytesOf,
  countIo,
  expectFrozen,
  FINDERS,
  keyAt,
  newPath,
  openTracked,
  referenceCopy,
  thrown,
  txRows,
} from "./helpers/files.js";

/** The canonical header the original writes (file-format §3.1), built independently. */
function canonicalHeader(rowSize: number, skewMs: number): Buffer {
  const header = Buffer.alloc(HEADER_SIZE, 0);
  header.write(`{"sig":"fDB","ver":1,"row_size":${rowSize},"skew_ms":${skewMs}}`, 0, "utf8");
  header[HEADER_SIZE - 1] = 0x0a;
  return header;
}

describe("S_004 files", () => {
  it("S_004 FR_001 create with defaults writes the original's header (4096 / 5000) and initial checksum row", () => {
    const path = newPath();
    create(path);
    const bytes = bytesOf(path);
    expect(bytes.length).toBe(HEADER_SIZE + 4096);
    expect(bytes.subarray(0, HEADER_SIZE).equals(canonicalHeader(4096, 5000))).toBe(true);
    const row0 = decodeRow(bytes, HEADER_SIZE, 4096, 0);
    expect(row0).toEqual({ type: "checksum", crc: crc32(bytes.subarray(0, HEADER_SIZE)) });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const db = openTracked(path);
    expect([db.rowSize, db.skewMs]).toEqual([4096, 5000]);
    expect([...db.entries()]).toEqual([]);
  });

  it("S_004 FR_001 create honours rowSize and skewMs (skewMs 0 allowed)", () => {
    const path = newPath();
    create(path, { rowSize: 128, skewMs: 0 });
    expect(bytesOf(path).subarray(0, HEADER_SIZE).equals(canonicalHeader(128, 0))).toBe(true);
    expect(bytesOf(path).length).toBe(HEADER_SIZE + 128);
    const db = openTracked(path, { mode: "write" });
    expect([db.rowSize, db.skewMs]).toEqual([128, 0]);
  });

  it("S_004 FR_001 create validates before touching the disk, with the original's codes and messages", () => {
    const dir = tempDir();
    const path = join(dir, "a.fdb");
    expectFrozen(
      () => create(path, { rowSize: 127 }),
      "invalid_input",
      "row_size must be between 128 and 65536, got 127",
    );
    expectFrozen(
      () => create(path, { rowSize: 65537 }),
      "invalid_input",
      "row_size must be between 128 and 65536, got 65537",
    );
    expectFrozen(
      () => create(path, { skewMs: 86_400_001 }),
      "invalid_input",
      "skew_ms must be between 0 and 86400000, got 86400001",
    );
    expectFrozen(() => create(""), "invalid_input", "path cannot be empty");
    expectFrozen(() => create(join(dir, "a.db")), "invalid_input", "path must have .fdb extension");
    expectFrozen(
      () => create(join(dir, "missing", "a.fdb")),
      "path_error",
      "parent directory does not exist",
    );
    expect(existsSync(path)).toBe(false);
    create(path);
    const before = bytesOf(path);
    const error = expectFrozen(() => create(path), "path_error", "file already exists");
    expect(error).toBeInstanceOf(PathError);
    expect(bytesOf(path).equals(before)).toBe(true);
  });

  it("S_004 FR_001 appendOnly: false needs no privilege; appendOnly: true sets the attribute or fails with write_error and no file", () => {
    const dir = tempDir();
    const plain = join(dir, "plain.fdb");
    create(plain, { appendOnly: false, rowSize: 256 });
    expect(txlog.hasAppendOnly(plain)).toBe(false);
    expectFrozen(
      () => create(join(dir, "bad.fdb"), { appendOnly: "yes" as unknown as boolean }),
      "invalid_input",
    );
    const locked = join(dir, "locked.fdb");
    let created = false;
    try {
      create(locked, { appendOnly: true, rowSize: 256 });
      created = true;
    } catch (error) {
      expect((error as { code?: string }).code).toBe("write_error");
      expect(existsSync(locked)).toBe(false);
    }
    try {
      if (created) {
        expect(txlog.hasAppendOnly(locked)).toBe(true);
        // The attribute still lets the writer append (behaviour §2.4).
        const db = open(locked, { mode: "write" });
        const key = uuidv7();
        db.transaction((tx) => tx.add(key, { ok: true }));
        expect(db.get(key)).toEqual({ ok: true });
        db.close();
      }
    } finally {
      if (created) spawnSync("chattr", ["-a", "--", locked]);
    }
  });

  it("S_004 FR_002 open validates finder and mode with invalid_input, in the original's order", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    expectFrozen(
      () => open(path, { finder: "btree" as never }),
      "invalid_input",
      'Invalid finder strategy: "btree". Supported strategies: simple, inmemory, binary_search',
    );
    expectFrozen(
      () => open(path, { mode: "append" as never }),
      "invalid_input",
      "mode must be 'read' or 'write'",
    );
    // Finder is checked before mode (behaviour §3.1).
    expectFrozen(
      () => open(path, { mode: "append" as never, finder: "x" as never }),
      "invalid_input",
      /^Invalid finder strategy/,
    );
    expectFrozen(
      () => open(join(tempDir(), "absent.fdb")),
      "path_error",
      "database file does not exist",
    );
    expectFrozen(() => open(`${path}.txt`), "invalid_input", "path must have .fdb extension");
  });

  it("S_004 FR_002 open exposes rowSize, skewMs, mode and path, with every finder and both modes", () => {
    const path = newPath();
    create(path, { rowSize: 512, skewMs: 1234 });
    for (const finder of FINDERS) {
      for (const mode of ["read", "write"] as const) {
        const db = open(path, { mode, finder });
        expect({ path: db.path, mode: db.mode, rowSize: db.rowSize, skewMs: db.skewMs }).toEqual({
          path,
          mode,
          rowSize: 512,
          skewMs: 1234,
        });
        db.close();
      }
    }
    const db = openTracked(path);
    expect(db.mode).toBe("read");
  });

  it("S_004 FR_002 the chosen finder serves lookups; write mode takes the writer lock", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const k = keyAt(BASE_MS);
    const w = open(path, { mode: "write", finder: "simple", sync: false });
    w.transaction((tx) => tx.add(k, "v"));
    expectFrozen(
      () => open(path, { mode: "write" }),
      "write_error",
      "another process has the database locked",
    );
    for (const finder of FINDERS) {
      const r = open(path, { finder });
      expect(r.get(k)).toBe("v");
      r.close();
    }
    w.close();
    const again = openTracked(path, { mode: "write" });
    expect(again.get(k)).toBe("v");
  });

  it("S_004 FR_002 sync (default true) flushes every commit and rollback to disk; sync: false never does", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const write = (db: Database, n: number) =>
      countIo(() => {
        db.transaction((tx) => tx.add(keyAt(BASE_MS + n, 1), 1));
        const tx = db.begin();
        tx.add(keyAt(BASE_MS + n, 2), 2);
        tx.commit();
        const rb = db.begin();
        rb.add(keyAt(BASE_MS + n, 3), 3);
        rb.rollback(0);
      });
    const durable = open(path, { mode: "write" });
    expect(write(durable, 0).syncCalls).toBeGreaterThanOrEqual(3);
    durable.close();
    const explicit = open(path, { mode: "write", sync: true });
    expect(write(explicit, 10).syncCalls).toBeGreaterThanOrEqual(3);
    explicit.close();
    const fast = openTracked(path, { mode: "write", sync: false });
    expect(write(fast, 20).syncCalls).toBe(0);
    expect(fast.get(keyAt(BASE_MS + 20, 2))).toBe(2);
  });

  it("S_004 FR_003 verify and recover are the transaction log's (spec 002)", () => {
    expect(verify).toBe(txlog.verify);
    expect(recover).toBe(txlog.recover);
  });

  it("S_004 FR_003 verify reports an intact file, calls onProgress, and strict mode finds duplicates", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = open(path, { mode: "write", sync: false });
    db.transaction((tx) => {
      tx.add(keyAt(BASE_MS, 1), 1);
      tx.add(keyAt(BASE_MS, 2), 2);
    });
    db.close();
    const progress: number[] = [];
    const report = verify(path, { onProgress: (p) => progress.push(p.bytesChecked) });
    expect(report).toMatchObject({
      rowSize: 256,
      dataRows: 2,
      checksumRows: 1,
      partialRow: undefined,
    });
    expect(report.bytes).toBe(HEADER_SIZE + 3 * 256);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(report.bytes);

    const dup = newPath();
    const k = keyAt(BASE_MS);
    buildFile(dup, {
      rowSize: 256,
      skewMs: 5000,
      rows: [...txRows([[k, "1"]]), ...txRows([[k, "2"]])],
    });
    expect(verify(dup).dataRows).toBe(2);
    expect(verify(dup, { strict: true }).findingCount).toBeGreaterThan(0);
  });

  it("S_004 FR_003 verify fails on a damaged file with corrupt_database naming the offset", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = open(path, { mode: "write", sync: false });
    db.transaction((tx) => tx.add(keyAt(BASE_MS), { a: 1 }));
    db.close();
    const bytes = bytesOf(path);
    bytes[HEADER_SIZE + 256 + 40]! ^= 0x01; // inside the data row's value: parity breaks
    const broken = newPath();
    appendFileSync(broken, bytes);
    const error = expectFrozen(() => verify(broken), "corrupt_database");
    expect(error.message).toContain(String(HEADER_SIZE + 256));
  });

  it("S_004 FR_003 recover truncates a torn tail so that write mode opens again; committed data is kept", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const k = keyAt(BASE_MS);
    const db = open(path, { mode: "write", sync: false });
    db.transaction((tx) => tx.add(k, "kept"));
    db.close();
    const size = bytesOf(path).length;
    appendFileSync(path, Buffer.from("torn\n")); // no partial-row state: a torn tail
    // Read mode ignores a torn tail (decisions: torn tail).
    const reader = open(path);
    expect(reader.get(k)).toBe("kept");
    reader.close();
    expectFrozen(() => open(path, { mode: "write" }), "corrupt_database");
    const result = recover(path);
    expect(result.sizeAfter).toBe(size);
    expect(bytesOf(path).length).toBe(size);
    const w = openTracked(path, { mode: "write" });
    expect(w.get(k)).toBe("kept");
  });

  it("S_004 FR_004 close is idempotent, works through Symbol.dispose, and releases the writer lock", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = open(path, { mode: "write" });
    db.close();
    expect(() => db.close()).not.toThrow();
    const second = open(path, { mode: "write" });
    second[Symbol.dispose]();
    expect(() => second[Symbol.dispose]()).not.toThrow();
    expect(() => second.close()).not.toThrow();
    // The lock is free again after dispose.
    const third = open(path, { mode: "write" });
    expect(third.mode).toBe("write");
    third.close();
  });

  it("S_004 FR_004 a `using` declaration closes the handle at the end of its block", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const k = keyAt(BASE_MS);
    let escaped: Database | undefined;
    {
      using db = open(path, { mode: "write" });
      escaped = db;
      db.transaction((tx) => tx.add(k, "v"));
    }
    expectFrozen(() => escaped!.get(k), "tombstoned");
    const again = openTracked(path, { mode: "write" }); // the lock was released
    expect(again.get(k)).toBe("v");
  });

  it("S_004 FR_004 every use after close fails with TombstonedError", async () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const k = keyAt(BASE_MS);
    for (const mode of ["read", "write"] as const) {
      if (mode === "write") {
        const w = open(path, { mode: "write" });
        w.transaction((tx) => tx.add(k, 1));
        w.close();
      }
      const db = open(path, { mode });
      db.close();
      const calls: Array<[string, () => unknown]> = [
        ["get", () => db.get(k)],
        ["getRaw", () => db.getRaw(k)],
        ["has", () => db.has(k)],
        ["entries", () => [...db.entries()]],
        ["watch", () => db.watch()],
        ["begin", () => db.begin()],
        ["transaction", () => db.transaction((tx) => tx.add(uuidv7(), 1))],
        ["activeTransaction", () => db.activeTransaction],
        ["maxTimestamp", () => db.maxTimestamp()],
        ["refresh", () => db.refresh()],
      ];
      for (const [name, call] of calls) {
        const error = expectFrozen(call, "tombstoned");
        expect(error, `${mode} ${name}`).toBeInstanceOf(TombstonedError);
      }
    }
  });

  it("S_004 FR_004 a transaction object used after its handle closed fails; a disposed handle is closed", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const db = open(path, { mode: "write" });
    const tx = db.begin();
    tx.add(keyAt(BASE_MS, 1), 1);
    db[Symbol.dispose]();
    const before = bytesOf(path);
    expectFrozen(() => tx.add(keyAt(BASE_MS, 2), 2), "tombstoned");
    expectFrozen(() => tx.commit(), "tombstoned");
    expect(bytesOf(path).equals(before)).toBe(true);
    expectFrozen(() => db.get(keyAt(BASE_MS, 1)), "tombstoned");
  });

  it("S_004 FR_004 close leaves an open transaction in the file; the next writer recovers it", () => {
    const path = newPath();
    create(path, { rowSize: 256 });
    const k1 = keyAt(BASE_MS, 1);
    const k2 = keyAt(BASE_MS, 2);
    const db = open(path, { mode: "write" });
    const tx = db.begin();
    tx.add(k1, { n: 1 });
    tx.add(k2, { n: 2 });
    const size = bytesOf(path).length;
    db.close();
    expect(bytesOf(path).length).toBe(size); // close wrote nothing
    const next = openTracked(path, { mode: "write" });
    const recovered = next.activeTransaction;
    expect(recovered).not.toBeNull();
    expect(recovered!.rowCount).toBe(2);
    expectFrozen(() => next.get(k1), "key_not_found");
    expectFrozen(() => next.begin(), "invalid_action", "active transaction already exists");
    recovered!.commit();
    expect(next.get(k1)).toEqual({ n: 1 });
    expect(next.get(k2)).toEqual({ n: 2 });
    expect(next.activeTransaction).toBeNull();
  });

  it("S_004 FR_004 a read handle's recovered snapshot refuses writes with invalid_action", () => {
    const path = referenceCopy("cli-open-tx");
    const db = openTracked(path);
    const tx = db.activeTransaction;
    expect(tx).not.toBeNull();
    const before = bytesOf(path);
    const error = thrown(() => tx!.commit());
    expect(error).toBeInstanceOf(InvalidActionError);
    expect(bytesOf(path).equals(before)).toBe(true);
  });
});
