// FR-024, the part about reads: a block this handle wrote from its checksum
// row on is checksummed from a CRC kept as it appends — no read-back — while
// a block that began before the handle is read back and validated when its
// checksum row falls due. Reads are counted by the kernel for this thread
// (/proc/thread-self/io), whatever path they take.
import { crc32, decodeRow, encodeChecksumRow, isChecksumIndex } from "@frozendb/codec";
import { seededRandom, threadIo } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { open, type TxLog, verify } from "../src/index.js";
import { BASE_MS, fill, key, newDb, rowStart, snapshot, val } from "./helpers/tx-util.js";

const N = 128;

/** Bytes read while `fn` runs, less the reads of the counter itself (a few hundred bytes). */
function bytesReadDuring(fn: () => void): number {
  const before = threadIo().readBytes;
  fn();
  return threadIo().readBytes - before;
}

/** Every checksum row of the file is the CRC of the row before it back to the previous one. */
function expectChecksumRows(path: string, blocks: number): void {
  const bytes = snapshot(path);
  const rows = Math.floor((bytes.length - 64) / N);
  let seen = 0;
  for (let i = 10_001; i < rows; i += 10_001) {
    expect(isChecksumIndex(i)).toBe(true);
    const crc = crc32(bytes.subarray(rowStart(i - 10_001, N), rowStart(i, N)));
    expect(Buffer.from(bytes.subarray(rowStart(i, N), rowStart(i + 1, N)))).toEqual(
      Buffer.from(encodeChecksumRow(crc, N)),
    );
    expect(decodeRow(bytes, rowStart(i, N), N, i).type).toBe("checksum");
    seen++;
  }
  expect(seen).toBe(blocks);
  expect(verify(path)).toMatchObject({ checksumBlocks: blocks });
}

/**
 * Writes `rows` data rows with every kind of call, seeded: batches, call by
 * call with savepoints, rollbacks (whose rows stay in the file) and null rows.
 */
function writeMixed(log: TxLog, rows: number, startMs: number, seed: number): number {
  const random = seededRandom(seed);
  let ms = startMs;
  let written = 0;
  while (written < rows) {
    const size = Math.min(1 + Math.floor(random() * 100), rows - written);
    const kind = random();
    if (kind < 0.05) {
      log.appendTransaction([]);
    } else if (kind < 0.5) {
      const batch = [];
      for (let i = 0; i < size; i++) batch.push({ key: key(ms++, i), value: val(i) });
      log.appendTransaction(batch);
      written += size;
    } else {
      const tx = log.begin();
      for (let i = 0; i < size; i++) {
        tx.add(key(ms++, i), val(i));
        if (random() < 0.05 && tx.savepointCount < 9) tx.savepoint();
      }
      if (random() < 0.2) tx.rollback(Math.floor(random() * (tx.savepointCount + 1)));
      else tx.commit();
      written += size;
    }
  }
  return ms;
}

describe("S_002 FR_024 checksum rows from a running CRC", () => {
  it("S_002 FR_024 a handle that writes a file from its first checksum row reads none of it back, and every checksum row is right", () => {
    const path = newDb({ rowSize: N, skewMs: 5 });
    const log = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    // One row (the initial checksum row) is read to start the CRC.
    const read = bytesReadDuring(() => writeMixed(log, 25_000, BASE_MS, 7));
    log.close();
    expect(read).toBeLessThan(2 * N + 4096);
    expectChecksumRows(path, 2);
  });

  it("S_002 FR_024 a handle that begins inside a block reads that block back once when its checksum row falls due, then keeps the next block's CRC", () => {
    const path = newDb({ rowSize: N, skewMs: 5 });
    const first = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    const ms = fill(first, 9_950, BASE_MS);
    first.close();
    const log = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    // The block's 9,951 rows on disk are read back and validated.
    const dueRead = bytesReadDuring(() => fill(log, 100, ms, 100, 9_950));
    expect(dueRead).toBeGreaterThanOrEqual(9_951 * N);
    // The next block began with a checksum row this handle wrote: no read.
    const nextRead = bytesReadDuring(() => fill(log, 10_000, ms + 100, 100, 10_050));
    expect(nextRead).toBeLessThan(4096);
    log.close();
    expectChecksumRows(path, 2);
  });

  it("S_002 FR_024 a file ending in a checksum row and a partial row (a crash after begin) is continued with the partial bytes in the CRC", () => {
    const path = newDb({ rowSize: N, skewMs: 5 });
    const first = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    const ms = fill(first, 10_000, BASE_MS);
    const tx = first.begin(); // `1F T`, right after checksum row 10001
    tx.add(key(ms, 1), val(1)); // and a row head: a partial row
    first.close();
    const log = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    const resumed = log.activeTransaction!;
    const read = bytesReadDuring(() => {
      for (let i = 0; i < 99; i++) resumed.add(key(ms + 1 + i, 2 + i), val(i));
      resumed.commit();
      fill(log, 9_950, ms + 200, 100, 20_000);
    });
    expect(read).toBeLessThan(3 * N + 4096);
    log.close();
    expectChecksumRows(path, 2);
  });
});
