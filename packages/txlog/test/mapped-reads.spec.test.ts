// FR-034: settled rows are read through a read-only memory map, with exactly
// the bytes pread gives; rows after the settled bound are read with pread.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { create, fileMapAvailable, open, type TxLog } from "../src/index.js";
import { ensureTxlogDist, runChild } from "./helpers/lifecycle-child.js";
import { clearAppendOnlyOnFinish, hasCommand } from "./helpers/lifecycle-files.js";
import { BASE_MS, fill, key, newDb, rowStart, snapshot, val } from "./helpers/tx-util.js";

const isRoot = process.getuid?.() === 0;
const hasChattr = hasCommand("chattr");

beforeAll(() => ensureTxlogDist(), 120_000);

/** Every `readRows` and `readRowsTransient` range of `log` equals the file's bytes. */
function expectSameBytes(log: TxLog, path: string, rowSize: number): void {
  const bytes = snapshot(path);
  const rows = log.rowCount();
  const expected = (s: number, c: number) =>
    bytes.subarray(rowStart(s, rowSize), rowStart(s + c, rowSize));
  // Every start, with short and long counts, through both read paths.
  for (let s = 0; s < rows; s++) {
    for (const c of [0, 1, 2, 7, rows - s]) {
      if (s + c > rows) continue;
      expect(Buffer.from(log.readRows(s, c)).equals(expected(s, c))).toBe(true);
      expect(Buffer.from(log.readRowsTransient(s, c)).equals(expected(s, c))).toBe(true);
    }
  }
}

/** A file of `committed` committed rows followed by an open transaction of `open` rows (the last one partial). */
function fileEndingOpen(rowSize: number, committed: number, open: number): string {
  const path = newDb({ rowSize });
  const log = openWriter(path);
  fill(log, committed, BASE_MS);
  const tx = log.begin();
  for (let i = 0; i < open; i++) tx.add(key(BASE_MS + committed + i, committed + i), val(i));
  log.close();
  return path;
}

function openWriter(path: string): TxLog {
  return open(path, { mode: "write", sync: false });
}

describe("S_002 FR_034 memory-mapped reads of settled rows", () => {
  it("S_002 FR_034 the addon loads on this machine (the map is what the lookup targets rest on)", () => {
    // CI installs and builds @frozendb/file-map with the workspace; a
    // platform without it still reads correctly (tested below), only slower.
    expect(fileMapAvailable()).toBe(true);
  });

  it("S_002 FR_034 settled rows come from the map with the bytes pread gives; the open transaction's rows too (by pread); mapReads: false never maps", () => {
    const path = fileEndingOpen(128, 250, 5);
    const mapped = open(path, { mode: "read", follow: false });
    const unmapped = open(path, { mode: "read", follow: false, mapReads: false });
    const writer = openWriter(path);
    expect(mapped.readsFromMap).toBe(false); // nothing read yet: no map made at open
    for (const log of [mapped, unmapped, writer]) expectSameBytes(log, path, 128);
    expect(mapped.readsFromMap).toBe(true);
    expect(writer.readsFromMap).toBe(true);
    expect(unmapped.readsFromMap).toBe(false);
    // The recovered transaction goes on; its commit settles its rows.
    writer.activeTransaction!.commit();
    mapped.refresh();
    unmapped.refresh();
    for (const log of [mapped, unmapped, writer]) expectSameBytes(log, path, 128);
    for (const log of [mapped, unmapped, writer]) log.close();
  });

  it("S_002 FR_034 rows another process appends after the map was made read correctly, past the first map's end too", () => {
    const path = newDb({ rowSize: 1024 });
    const writer = openWriter(path);
    fill(writer, 50, BASE_MS);
    writer.close();
    const reader = open(path, { mode: "read", follow: false });
    expectSameBytes(reader, path, 1024);
    expect(reader.readsFromMap).toBe(true);
    // 3,000 rows of 1 KiB: beyond the first map (1 MiB, or twice the file).
    const run = runChild(
      `const log = m.open(args[0], { mode: "write", sync: false });
       const key = (ms, n) => { const t = ms.toString(16).padStart(12, "0"); return t.slice(0, 8) + "-" + t.slice(8) + "-7000-8000-" + (n + 1).toString(16).padStart(12, "0"); };
       for (let t = 0; t < 30; t++) {
         const rows = [];
         for (let i = 0; i < 100; i++) rows.push({ key: key(${BASE_MS + 50} + t * 100 + i, 50 + t * 100 + i), value: '{"i":' + i + '}' });
         log.appendTransaction(rows);
       }
       log.close(); out({ ok: true });`,
      [path],
    );
    expect(run.lines).toEqual([{ ok: true }]);
    expect(statSync(path).size).toBeGreaterThan(2 << 20);
    reader.refresh();
    expect(reader.rowCount()).toBe(1 + 3050);
    const bytes = snapshot(path);
    for (let s = 0; s < reader.rowCount(); s += 97) {
      const c = Math.min(300, reader.rowCount() - s);
      const want = bytes.subarray(rowStart(s, 1024), rowStart(s + c, 1024));
      expect(Buffer.from(reader.readRowsTransient(s, c)).equals(want)).toBe(true);
      expect(Buffer.from(reader.readRows(s, c)).equals(want)).toBe(true);
    }
    expect(Buffer.from(reader.readRows(0, reader.rowCount())).equals(bytes.subarray(64))).toBe(
      true,
    );
    reader.close();
  });

  it("S_002 FR_034 rows after the settled bound are read with pread: cut from the file under a reader, they give read_error, not a signal", () => {
    // 60 complete rows of 256 bytes in an open transaction: 15 KiB, whole
    // pages that a map would answer with SIGBUS once the file is cut.
    const path = fileEndingOpen(256, 300, 61);
    const run = runChild(
      `const fs = await import("node:fs");
       const reader = m.open(args[0], { mode: "read", follow: false });
       const rows = reader.rowCount();
       reader.readRows(0, 301); // settled rows: by the map
       reader.readRows(301, rows - 301); // the open transaction: by pread
       const mapped = reader.readsFromMap;
       // What a writer's clean-up after a failed write may do: cut the open transaction's rows.
       const firstOpen = 301;
       fs.truncateSync(args[0], 64 + firstOpen * 256);
       const results = { mapped, rows };
       try { reader.readRows(firstOpen, rows - firstOpen); results.open = "read"; } catch (e) { results.open = err(e); }
       results.settled = reader.readRows(0, firstOpen).length;
       out(results);`,
      [path],
    );
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatchObject({
      mapped: true,
      rows: 1 + 300 + 60,
      open: { name: "ReadError", code: "read_error" },
      settled: 301 * 256,
    });
  });

  it("S_002 FR_034 readRowsStable: settled rows are a view of the map, the open transaction's rows a copy, and neither changes when later reads reuse the read buffer", () => {
    const path = fileEndingOpen(128, 300, 5);
    const log = open(path, { mode: "read", follow: false });
    const total = log.rowCount();
    const settled = log.readRowsStable(1, 250);
    expect(log.readsFromMap).toBe(true);
    // A view of the map: its buffer is the whole map, not a copy of 250 rows.
    expect(settled.buffer.byteLength).toBeGreaterThan(250 * 128);
    const tail = log.readRowsStable(total - 3, 3);
    expect(tail.buffer.byteLength).toBe(3 * 128);
    const before = [Buffer.from(settled), Buffer.from(tail)];
    // Later reads: transient reads of other rows, the open transaction's too.
    for (let i = 1; i + 10 < total; i += 37) log.readRowsTransient(i, 10);
    log.readRowsTransient(total - 5, 5);
    log.readRowsTransient(total - 1, 1);
    expect(Buffer.from(settled).equals(before[0]!)).toBe(true);
    expect(Buffer.from(tail).equals(before[1]!)).toBe(true);
    expect(Buffer.from(settled).equals(Buffer.from(log.readRows(1, 250)))).toBe(true);
    expect(Buffer.from(tail).equals(Buffer.from(log.readRows(total - 3, 3)))).toBe(true);
    log.close();
  });

  it("S_002 FR_034 close releases the map at once (the file is no longer mapped) without detaching: views handed out before keep their length and read zeros, and the next handle maps afresh", () => {
    const path = fileEndingOpen(128, 300, 0);
    const real = realpathSync(path);
    const mapped = (): boolean =>
      readFileSync("/proc/self/maps", "utf8")
        .split("\n")
        .some((line) => line.endsWith(` ${real}`));
    for (let round = 0; round < 3; round++) {
      const log = open(path, { mode: "read", follow: false });
      const view = log.readRowsTransient(1, 100);
      expect(log.readsFromMap).toBe(true);
      expect(mapped()).toBe(true);
      expect(view.length).toBe(100 * 128);
      expect(view[0]).toBe(0x1f);
      log.close();
      expect(log.readsFromMap).toBe(false);
      expect(mapped()).toBe(false);
      expect(view.length).toBe(100 * 128);
      expect(view.buffer.byteLength).toBeGreaterThan(0);
      expect(view.every((b) => b === 0)).toBe(true);
    }
  });

  it.skipIf(!isRoot || !hasChattr)(
    "S_002 FR_034 an append-only file open for writing cannot be mapped (the kernel refuses): reads fall back to pread with the same bytes",
    () => {
      const dir = tempDir();
      clearAppendOnlyOnFinish(dir);
      const path = join(dir, "ao.fdb");
      create(path, { rowSize: 128, skewMs: 0, appendOnly: true });
      const writer = openWriter(path);
      fill(writer, 120, BASE_MS);
      expectSameBytes(writer, path, 128);
      expect(writer.readsFromMap).toBe(false);
      // A reader opens the file read-only, which the kernel maps.
      const reader = open(path, { mode: "read", follow: false });
      expectSameBytes(reader, path, 128);
      expect(reader.readsFromMap).toBe(true);
      reader.close();
      writer.close();
    },
  );
});
