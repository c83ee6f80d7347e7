// FR-027 (maxTimestamp exact, lazy, kept current) and FR-028 (readRow /
// readRows: validated rows of the confirmed file, invalid_input outside it).
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  decodeRow,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  parseUuid,
  type Row,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { create, open, type TxLog } from "../src/index.js";
import {
  BASE_MS,
  bruteMaxTimestamp,
  decodeFile,
  expectError,
  fill,
  key,
  newDb,
  newLog,
  prng,
  rowStart,
  snapshot,
  val,
  viewRow,
  writeAt,
} from "./helpers/tx-util.js";

/**
 * Writes a random file: commits, full and partial rollbacks, null rows, keys
 * out of order within the skew, optionally ending inside a transaction.
 * After every transaction the writer's maxTimestamp() must equal the brute
 * force maximum over the complete rows on disk.
 */
function randomFile(seed: number, skew: number, askEarly: boolean, endOpen: boolean): string {
  const rnd = prng(seed);
  const path = newDb({ rowSize: 128, skewMs: skew });
  const log = open(path, { mode: "write", sync: false });
  if (askEarly) expect(log.maxTimestamp()).toBe(0);
  let m = 0; // every key handed out so far (rolled back and partial included)
  let clock = BASE_MS;
  let n = 0;
  const nextKey = () => {
    clock += Math.floor(rnd() * 30);
    const low = Math.max(m - skew + 1, BASE_MS);
    const ts =
      rnd() < 0.4 && m > 0
        ? low + Math.floor(rnd() * Math.max(1, m - low + 1))
        : Math.max(clock, low);
    m = Math.max(m, ts);
    return key(ts, n++);
  };
  const transactions = 15 + Math.floor(rnd() * 20);
  for (let t = 0; t < transactions; t++) {
    const tx = log.begin();
    const rows = Math.floor(rnd() * 6);
    let savepoints = 0;
    for (let i = 0; i < rows; i++) {
      tx.add(nextKey(), val(n));
      if (rnd() < 0.3) {
        tx.savepoint();
        savepoints++;
      }
    }
    const end = rnd();
    if (t === transactions - 1 && endOpen && rows > 0) break;
    if (end < 0.5) tx.commit();
    else if (end < 0.75 || savepoints === 0) tx.rollback(0);
    else tx.rollback(1 + Math.floor(rnd() * savepoints));
    if (askEarly || t % 5 === 4) {
      expect(log.maxTimestamp()).toBe(bruteMaxTimestamp(decodeFile(snapshot(path)).rows));
    }
  }
  expect(log.maxTimestamp()).toBe(bruteMaxTimestamp(decodeFile(snapshot(path)).rows));
  log.close();
  return path;
}

describe("S_002 FR_027 maxTimestamp", () => {
  for (const [seed, skew] of [
    [1, 0],
    [2, 20],
    [3, 100],
    [4, 1000],
    [5, 5],
    [6, 50],
  ] as const) {
    it(`S_002 FR_027 equals the brute-force maximum on a random file (seed ${seed}, skew ${skew}) on the writer, after reopen in both modes`, () => {
      const path = randomFile(seed, skew, seed % 2 === 0, seed % 3 === 0);
      const expected = bruteMaxTimestamp(decodeFile(snapshot(path)).rows);
      expect(expected).toBeGreaterThan(BASE_MS);
      const reader = open(path, { mode: "read", follow: false });
      expect(reader.maxTimestamp()).toBe(expected);
      reader.close();
      const writer = open(path, { mode: "write" });
      expect(writer.maxTimestamp()).toBe(expected);
      writer.close();
    });
  }

  it("S_002 FR_027 the row still being written (partial) does not count; it does once completed", () => {
    const { path, log } = newLog({ skewMs: 100 });
    log.appendTransaction([{ key: key(BASE_MS, 1), value: val(1) }]);
    const tx = log.begin();
    tx.add(key(BASE_MS + 500, 2), val(2));
    expect(log.maxTimestamp()).toBe(BASE_MS);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.maxTimestamp()).toBe(BASE_MS);
    tx.add(key(BASE_MS + 450, 3), val(3)); // completes the 500 row
    expect(log.maxTimestamp()).toBe(BASE_MS + 500);
    reader.refresh();
    expect(reader.maxTimestamp()).toBe(BASE_MS + 500);
    tx.rollback(0); // rolled-back rows count too
    expect(log.maxTimestamp()).toBe(BASE_MS + 500);
    reader.close();
    log.close();
  });

  it("S_002 FR_027 is kept current by a reader following another handle's writes (computed first, then refreshed)", () => {
    const { path, log } = newLog({ skewMs: 10 });
    fill(log, 50, BASE_MS);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.maxTimestamp()).toBe(BASE_MS + 49);
    fill(log, 30, BASE_MS + 1000, 7);
    log.begin().commit(); // a null row at the maximum
    expect(reader.refresh()).toBe(30 + 1);
    expect(reader.maxTimestamp()).toBe(BASE_MS + 1029);
    expect(reader.maxTimestamp()).toBe(bruteMaxTimestamp(decodeFile(snapshot(path)).rows));
    reader.close();
    log.close();
  });

  it("S_002 FR_027 is not computed at open: a damaged row beyond the recovery window but inside the skew window breaks maxTimestamp(), not open", () => {
    // One day of skew and every key in the same millisecond: the window is the whole file.
    const path = newDb({ rowSize: 128, skewMs: 86_400_000 });
    const w = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    for (let done = 0; done < 1000; done += 100) {
      const rows = [];
      for (let i = 0; i < 100; i++) rows.push({ key: key(BASE_MS, done + i), value: val(i) });
      w.appendTransaction(rows);
    }
    w.close();
    // Row 5's key: its first Base64 character → '/', a far-future timestamp if it were believed.
    writeAt(path, rowStart(5, 128) + 2, Buffer.from("/"));
    const reader = open(path, { mode: "read", follow: false });
    const writer = open(path, { mode: "write" });
    expect(reader.rowCount()).toBe(1001);
    expectError(() => reader.maxTimestamp(), "corrupt_database", /./);
    expectError(() => writer.maxTimestamp(), "corrupt_database", /./);
    reader.close();
    writer.close();
  });

  it("S_002 FR_027 reads only the window the ordering rule allows: a damaged row far behind it does not matter", () => {
    const path = newDb({ rowSize: 128, skewMs: 10 });
    const w = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    fill(w, 3000, BASE_MS);
    w.close();
    writeAt(path, rowStart(5, 128) + 2, Buffer.from("/"));
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.maxTimestamp()).toBe(BASE_MS + 2999);
    reader.close();
    const writer = open(path, { mode: "write" });
    expect(writer.maxTimestamp()).toBe(BASE_MS + 2999);
    writer.appendTransaction([{ key: key(BASE_MS + 5000, 1), value: val(1) }]);
    expect(writer.maxTimestamp()).toBe(BASE_MS + 5000);
    writer.close();
  });

  it("S_002 FR_027 a newer row far back within the skew window is found (out-of-order keys)", () => {
    const skew = 60_000;
    const { path, log } = newLog({ skewMs: skew });
    log.appendTransaction([{ key: key(BASE_MS + 50_000, 0), value: val(0) }]);
    // 500 later rows, all older than the first one but within the window.
    for (let t = 0; t < 5; t++) {
      const rows = [];
      for (let i = 0; i < 100; i++)
        rows.push({ key: key(BASE_MS + t * 100 + i, 1 + t * 100 + i), value: val(i) });
      log.appendTransaction(rows);
    }
    log.close();
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.maxTimestamp()).toBe(BASE_MS + 50_000);
    reader.close();
  });
});

/** A file with 2 transactions and an open one (partial row state 2). */
function smallFile(): { path: string; log: TxLog } {
  const { path, log } = newLog({ skewMs: 0 });
  log.appendTransaction([
    { key: key(BASE_MS, 1), value: val(1) },
    { key: key(BASE_MS + 1, 2), value: val(2) },
  ]);
  log.begin().commit();
  const tx = log.begin();
  tx.add(key(BASE_MS + 2, 3), val(3));
  tx.add(key(BASE_MS + 3, 4), val(4));
  return { path, log };
}

describe("S_002 FR_028 readRow and readRows", () => {
  it("S_002 FR_028 readRow(i) returns every confirmed row, validated and equal to the codec's decoding", () => {
    const { path, log } = smallFile();
    const bytes = snapshot(path);
    expect(log.rowCount()).toBe(5); // checksum, 2 data, null, 1 complete data row of the open tx
    for (let i = 0; i < log.rowCount(); i++) {
      const expected = viewRow(i, decodeRow(bytes, rowStart(i, 128), 128, i) as Row);
      expect(viewRow(i, log.readRow(i))).toEqual(expected);
    }
    expect(log.readRow(0).type).toBe("checksum");
    expect(log.readRow(3).type).toBe("null");
    expect(viewRow(4, log.readRow(4))).toMatchObject({ key: key(BASE_MS + 2, 3), end: "RE" });
    log.close();
  });

  it("S_002 FR_028 readRow outside the confirmed rows (negative, past the end, the partial row, not an integer) is invalid_input", () => {
    const { path, log } = smallFile();
    const reader = open(path, { mode: "read", follow: false });
    for (const handle of [log, reader]) {
      const rows = handle.rowCount();
      for (const i of [-1, rows, rows + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expectError(() => handle.readRow(i), "invalid_input", /./);
      }
    }
    reader.close();
    log.close();
  });

  it("S_002 FR_028 readRows returns the exact bytes of a range and rejects ranges leaving the confirmed rows", () => {
    const { path, log } = smallFile();
    const bytes = snapshot(path);
    const rows = log.rowCount();
    expect(Buffer.from(log.readRows(0, rows)).equals(bytes.subarray(64, rowStart(rows, 128)))).toBe(
      true,
    );
    expect(
      Buffer.from(log.readRows(2, 2)).equals(bytes.subarray(rowStart(2, 128), rowStart(4, 128))),
    ).toBe(true);
    expect(log.readRows(rows, 0).length).toBe(0);
    for (const [s, c] of [
      [0, rows + 1],
      [rows, 1],
      [-1, 2],
      [1, -1],
      [0.5, 1],
      [1, 1.5],
    ] as const) {
      expectError(() => log.readRows(s, c), "invalid_input", /./);
    }
    log.close();
  });

  it("S_002 FR_028 readRowsTransient returns the same bytes from one reused buffer; readRows bytes are never changed by later reads", () => {
    const { path, log } = smallFile();
    const bytes = snapshot(path);
    const rows = log.rowCount();
    const expected = (s: number, c: number) =>
      bytes.subarray(rowStart(s, 128), rowStart(s + c, 128));
    const whole = log.readRowsTransient(0, rows);
    expect(Buffer.from(whole).equals(expected(0, rows))).toBe(true);
    // Inside the previous transient read: a view of the same buffer.
    const inside = log.readRowsTransient(2, 2);
    expect(inside.buffer).toBe(whole.buffer);
    expect(Buffer.from(inside).equals(expected(2, 2))).toBe(true);
    // A fresh read has bytes of its own, even when the rows were just read.
    const own = log.readRows(2, 2);
    expect(own.buffer).not.toBe(whole.buffer);
    const copy = Buffer.from(own);
    log.readRowsTransient(1, 1);
    log.readRowsTransient(3, 1);
    expect(Buffer.from(own).equals(copy)).toBe(true);
    for (let s = 0; s < rows; s++) {
      for (let c = 0; s + c <= rows; c++) {
        expect(Buffer.from(log.readRowsTransient(s, c)).equals(expected(s, c))).toBe(true);
      }
    }
    for (const [s, c] of [
      [0, rows + 1],
      [-1, 2],
      [0.5, 1],
    ] as const) {
      expectError(() => log.readRowsTransient(s, c), "invalid_input", /./);
    }
    log.close();
  });

  it("S_002 FR_028 a reader's confirmed rows grow only on refresh; rows written since are out of range until then", () => {
    const { path, log } = newLog({ skewMs: 0 });
    fill(log, 3, BASE_MS);
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.rowCount()).toBe(4);
    fill(log, 2, BASE_MS + 10);
    expectError(() => reader.readRow(4), "invalid_input", /./);
    expectError(() => reader.readRows(0, 5), "invalid_input", /./);
    expect(reader.refresh()).toBe(2);
    expect(reader.rowCount()).toBe(6);
    expect(viewRow(5, reader.readRow(5))).toMatchObject({ key: key(BASE_MS + 11, 1), end: "TC" });
    reader.close();
    log.close();
  });

  it("S_002 FR_028 a damaged row is corrupt_database with its row index and an offset inside it", () => {
    const { path, log } = newLog({ skewMs: 0 });
    fill(log, 5, BASE_MS);
    log.close();
    const bytes = snapshot(path);
    writeAt(path, rowStart(3, 128) + 30, Uint8Array.of(bytes[rowStart(3, 128) + 30]! ^ 0x04));
    const reader = open(path, { mode: "read", follow: false });
    const e = expectError(() => reader.readRow(3), "corrupt_database", /./) as Error & {
      rowIndex?: number;
      offset?: number;
    };
    expect(e.rowIndex).toBe(3);
    expect(e.offset).toBeGreaterThanOrEqual(rowStart(3, 128));
    expect(e.offset).toBeLessThan(rowStart(4, 128));
    expect(reader.readRow(2).type).toBe("data");
    reader.close();
  });

  it("S_002 FR_028 a checksum row in a data slot and a data row in a checksum slot are corrupt_database", () => {
    const n = 128;
    const path = join(tempDir(), "db.fdb");
    // Built with the codec alone: header, checksum row, 10,001 data rows (no checksum at 10001),
    // and a checksum row at index 3 instead of a data row.
    create(path, { rowSize: n, skewMs: 0 });
    const first = snapshot(path);
    const parts: Uint8Array[] = [first];
    for (let i = 1; i <= 10_001; i++) {
      if (i === 3) {
        parts.push(encodeChecksumRow(0x12345678, n));
        continue;
      }
      parts.push(
        encodeDataRow(
          {
            startControl: "T",
            endControl: "TC",
            key: parseUuid(key(BASE_MS + i, i)),
            value: Buffer.from(val(i)),
          },
          n,
        ),
      );
    }
    writeFileSync(path, Buffer.concat(parts));
    appendFileSync(path, encodeNullRow(BASE_MS + 20_000, n));
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.rowCount()).toBe(10_003);
    const a = expectError(() => reader.readRow(3), "corrupt_database", /checksum row/) as Error & {
      rowIndex?: number;
    };
    expect(a.rowIndex).toBe(3);
    const b = expectError(
      () => reader.readRow(10_001),
      "corrupt_database",
      /checksum row/,
    ) as Error & {
      rowIndex?: number;
    };
    expect(b.rowIndex).toBe(10_001);
    expect(reader.readRow(10_002).type).toBe("null");
    reader.close();
  });

  it("S_002 FR_028 reads after close fail with tombstoned: file manager is closed", () => {
    const { log } = newLog();
    log.close();
    expectError(() => log.readRow(0), "tombstoned", "file manager is closed");
    expectError(() => log.readRows(0, 1), "tombstoned", "file manager is closed");
  });
});
