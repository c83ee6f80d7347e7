// FR-031: verify streams the whole file and reports the first problem as
// corrupt_database with its byte offset and row index (behaviour §11,
// decisions "Verify"), and reports progress.
import { appendFileSync, copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  crc32,
  type DataEndControl,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  parseUuid,
} from "@frozendb/codec";
import {
  hasReference,
  REFERENCE_DIR,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
  tempDir,
} from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { create, open, type VerifyProgress, verify } from "../src/index.js";
import {
  BASE_MS,
  expectError,
  fill,
  flipByte,
  key,
  newDb,
  newLog,
  rowStart,
  snapshot,
  val,
  writeAt,
} from "./helpers/tx-util.js";

const N = 128;

/** A data row built with the codec's encoder. */
function dataRow(i: number, start: "T" | "R", end: DataEndControl, rowSize = N): Uint8Array {
  return encodeDataRow(
    {
      startControl: start,
      endControl: end,
      key: parseUuid(key(BASE_MS + i, i)),
      value: Buffer.from(val(i)),
    },
    rowSize,
  );
}

/** A new file (header + initial checksum row) followed by `rows` as raw bytes. */
function rawFile(rows: Uint8Array[], rowSize = N): string {
  const path = newDb({ rowSize, skewMs: 0 });
  if (rows.length > 0) appendFileSync(path, Buffer.concat(rows));
  return path;
}

interface Located extends Error {
  code: string;
  offset?: number;
  rowIndex?: number;
}

/** verify(path) must fail with corrupt_database at `rowIndex`, the message matching. */
function expectCorrupt(path: string, rowIndex: number, message: RegExp, rowSize = N): Located {
  const e = expectError(() => verify(path), "corrupt_database", message) as Located;
  expect(e.rowIndex).toBe(rowIndex);
  expect(e.offset).toBeGreaterThanOrEqual(rowStart(rowIndex, rowSize));
  expect(e.offset).toBeLessThan(rowStart(rowIndex + 1, rowSize));
  return e;
}

describe("S_002 FR_031 verify: intact files", () => {
  it("S_002 FR_031 a clean file gives a report with its counts (closed; open with a partial row; open ending RE)", () => {
    const { path, log } = newLog({ rowSize: N, skewMs: 7 });
    log.appendTransaction([
      { key: key(BASE_MS, 1), value: val(1) },
      { key: key(BASE_MS + 1, 2), value: val(2) },
      { key: key(BASE_MS + 2, 3), value: val(3) },
    ]);
    log.begin().commit();
    let tx = log.begin();
    tx.add(key(BASE_MS + 3, 4), val(4));
    tx.add(key(BASE_MS + 4, 5), val(5));
    tx.rollback(0);
    expect(verify(path)).toEqual({
      bytes: 64 + 7 * N,
      rowSize: N,
      skewMs: 7,
      rows: 7,
      dataRows: 5,
      nullRows: 1,
      checksumRows: 1,
      checksumBlocks: 0,
      partialRow: undefined,
      openTransaction: false,
    });
    tx = log.begin();
    expect(verify(path)).toMatchObject({
      partialRow: 1,
      openTransaction: true,
      bytes: 64 + 7 * N + 2,
    });
    tx.add(key(BASE_MS + 5, 6), val(6));
    expect(verify(path)).toMatchObject({ partialRow: 2, openTransaction: true, rows: 7 });
    tx.savepoint();
    expect(verify(path)).toMatchObject({ partialRow: 3, openTransaction: true });
    log.close();
    // A file ending on a complete RE row, no partial row.
    const re = rawFile([dataRow(1, "T", "TC"), dataRow(2, "T", "RE")]);
    expect(verify(re)).toMatchObject({
      rows: 3,
      dataRows: 2,
      partialRow: undefined,
      openTransaction: true,
    });
  });

  it("S_002 FR_031 onProgress reports increasing bytes, totalBytes = size, ending at the file size", () => {
    const rowSize = 4096;
    const path = newDb({ rowSize, skewMs: 0 });
    const w = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    fill(w, 2_100, BASE_MS); // ≈ 8.6 MB: more than one read chunk
    w.close();
    const size = snapshot(path).length;
    const calls: VerifyProgress[] = [];
    const report = verify(path, { onProgress: (p) => calls.push({ ...p }) });
    expect(report.dataRows).toBe(2_100);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.bytesChecked).toBeGreaterThanOrEqual(calls[i - 1]!.bytesChecked);
    }
    expect(calls[0]!.bytesChecked).toBeLessThan(size);
    expect(calls.at(-1)!.bytesChecked).toBe(size);
    for (const c of calls) expect(c.totalBytes).toBe(size);
  });

  it("S_002 FR_031 a file with a complete 10,000-row block and its checksum row passes", () => {
    const path = newDb({ rowSize: N, skewMs: 0 });
    const w = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    fill(w, 10_050, BASE_MS);
    w.close();
    expect(verify(path)).toMatchObject({
      rows: 10_052,
      dataRows: 10_050,
      checksumRows: 2,
      checksumBlocks: 1,
    });
  });

  const names = referenceNames();
  it.skipIf(!hasReference)(
    `S_002 FR_031 every reference file written by the original passes, with its counts${referenceSkipReason}`,
    () => {
      expect(names.length).toBeGreaterThanOrEqual(6);
      for (const name of names) {
        const expected = referenceExpectation(name);
        const report = verify(join(REFERENCE_DIR, `${name}.fdb`));
        expect(report.dataRows, name).toBe(expected.row_counts.data);
        expect(report.nullRows, name).toBe(expected.row_counts.null);
        expect(report.checksumRows, name).toBe(expected.row_counts.checksum);
        expect(report.partialRow, name).toBe(expected.partial_row?.state);
        expect(report.openTransaction, name).toBe(expected.last_tx_state === "open");
      }
    },
  );
});

describe("S_002 FR_031 verify: damage", () => {
  it("S_002 FR_031 a flipped byte in a data row is reported at that row (offset and row index)", () => {
    const { path, log } = newLog({ skewMs: 0 });
    log.appendTransaction([1, 2, 3, 4].map((i) => ({ key: key(BASE_MS + i, i), value: val(i) })));
    log.close();
    for (const pos of [1, 5, 30, 60, N - 5, N - 3, N - 1]) {
      const copy = join(tempDir(), `flip-${pos}.fdb`);
      copyFileSync(path, copy);
      flipByte(copy, rowStart(3, N) + pos, 0x02);
      expectCorrupt(copy, 3, new RegExp(`^invalid row at offset ${rowStart(3, N)}: `));
    }
    expect(verify(path).dataRows).toBe(4);
  });

  it("S_002 FR_031 the first problem wins (fail-fast)", () => {
    const path = rawFile([1, 2, 3, 4, 5].map((i) => dataRow(i, "T", "TC")));
    flipByte(path, rowStart(4, N) + 30);
    flipByte(path, rowStart(2, N) + 30);
    expectCorrupt(path, 2, /^invalid row at offset/);
  });

  it("S_002 FR_031 a checksum row whose CRC does not match is 'checksum mismatch at offset <o> (expected …, got …)'", () => {
    const path = newDb({ rowSize: N, skewMs: 0 });
    const w = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
    fill(w, 10_010, BASE_MS);
    w.close();
    const bytes = snapshot(path);
    const at = rowStart(10_001, N);
    const good = crc32(bytes.subarray(64, at));
    // (a) the stored CRC is wrong (the row itself is well-formed).
    const a = join(tempDir(), "a.fdb");
    copyFileSync(path, a);
    writeAt(a, at, encodeChecksumRow((good ^ 0x1) >>> 0, N));
    const ea = expectCorrupt(
      a,
      10_001,
      new RegExp(
        `^checksum mismatch at offset ${at} \\(expected ${good.toString(16).padStart(8, "0")}, got `,
      ),
    );
    expect(ea.offset).toBe(at);
    // (b) a covered data row changed without breaking its parity: swap two value digits.
    const b = join(tempDir(), "b.fdb");
    copyFileSync(path, b);
    const row = rowStart(5_000, N);
    const value = bytes.subarray(row + 26, row + 26 + 9).toString("latin1");
    expect(value).toBe('{"i":4999');
    writeAt(b, row + 26 + 5, Buffer.from("9499", "latin1")); // 4999 → 9499: same bytes, other order
    expect(open(b, { mode: "read", follow: false }).readRow(5_000).type).toBe("data");
    expectCorrupt(b, 10_001, new RegExp(`^checksum mismatch at offset ${at} `));
    // (c) the header's checksum row.
    const c = join(tempDir(), "c.fdb");
    copyFileSync(path, c);
    writeAt(c, 64, encodeChecksumRow((crc32(bytes.subarray(0, 64)) ^ 0x10) >>> 0, N));
    expectCorrupt(c, 0, /^checksum mismatch at offset 64 /);
  });

  it("S_002 FR_031 a checksum row in a data slot and a data row in a checksum slot are reported at their rows", () => {
    const inData = rawFile([
      dataRow(1, "T", "TC"),
      encodeChecksumRow(0xdeadbeef, N),
      dataRow(3, "T", "TC"),
    ]);
    expectCorrupt(
      inData,
      2,
      new RegExp(`^invalid row at offset ${rowStart(2, N)}: .*checksum row`),
    );
    const rows: Uint8Array[] = [];
    for (let i = 1; i <= 10_001; i++) rows.push(dataRow(i, "T", "TC"));
    const inChecksum = rawFile(rows);
    expectCorrupt(
      inChecksum,
      10_001,
      new RegExp(`^invalid checksum row at offset ${rowStart(10_001, N)}: `),
    );
  });

  it("S_002 FR_031 a torn tail (no exact partial-row state) is 'invalid partial row at offset <o>'", () => {
    const row = dataRow(2, "T", "TC");
    const tails: Uint8Array[] = [
      row.subarray(0, 1),
      row.subarray(0, 10),
      row.subarray(0, N - 6),
      row.subarray(0, N - 3),
      Uint8Array.of(0x41, 0x42, 0x43),
      Uint8Array.of(0x1f, 0x43),
    ];
    for (const tail of tails) {
      const path = rawFile([dataRow(1, "T", "TC")]);
      appendFileSync(path, tail);
      const e = expectError(() => verify(path), "corrupt_database", /./) as Located;
      expect(e.message).toMatch(new RegExp(`^invalid partial row at offset ${rowStart(2, N)}: `));
      expect(e.offset).toBe(rowStart(2, N));
      expect(e.rowIndex).toBe(2);
    }
  });

  it("S_002 FR_031 a partial row where checksum row 10001 belongs is reported at that offset", () => {
    const rows: Uint8Array[] = [];
    for (let i = 1; i <= 10_000; i++) rows.push(dataRow(i, "T", "TC"));
    const path = rawFile(rows);
    appendFileSync(path, encodePartialDataRow({ state: 1, startControl: "T" }, N));
    const e = expectError(
      () => verify(path),
      "corrupt_database",
      /^invalid partial row at offset/,
    ) as Located;
    expect(e.offset).toBe(rowStart(10_001, N));
    expect(e.rowIndex).toBe(10_001);
  });

  it("S_002 FR_031 invalid transaction sequences are reported at the offending row", () => {
    const seq = "^invalid transaction sequence at offset";
    const cases: [string, Uint8Array[], number][] = [
      ["R row after a closed transaction", [dataRow(1, "T", "TC"), dataRow(2, "R", "TC")], 2],
      ["R row at the start of the file", [dataRow(1, "R", "RE"), dataRow(2, "R", "TC")], 1],
      ["T row inside an open transaction", [dataRow(1, "T", "RE"), dataRow(2, "T", "TC")], 2],
      [
        "null row inside an open transaction",
        [dataRow(1, "T", "RE"), encodeNullRow(BASE_MS + 1, N)],
        2,
      ],
      [
        "rollback to a savepoint that does not exist",
        [dataRow(1, "T", "SE"), dataRow(2, "R", "R2")],
        2,
      ],
      [
        "Sd counting its own savepoint, target too high",
        [dataRow(1, "T", "RE"), dataRow(2, "R", "S2")],
        2,
      ],
    ];
    for (const [what, rows, bad] of cases) {
      const path = rawFile(rows);
      const e = expectCorrupt(path, bad, new RegExp(seq));
      expect(e.message, what).toContain(`offset ${rowStart(bad, N)}`);
    }
    // Legal: S1 on the first row (creates savepoint 1 and keeps it), R1 after a SE.
    expect(verify(rawFile([dataRow(1, "T", "S1")])).dataRows).toBe(1);
    expect(verify(rawFile([dataRow(1, "T", "SE"), dataRow(2, "R", "R1")])).dataRows).toBe(2);
  });

  it("S_002 FR_031 more than 100 rows or more than 9 savepoints in one transaction are invalid sequences", () => {
    const hundredOne: Uint8Array[] = [dataRow(1, "T", "RE")];
    for (let i = 2; i <= 100; i++) hundredOne.push(dataRow(i, "R", "RE"));
    hundredOne.push(dataRow(101, "R", "TC"));
    expectCorrupt(rawFile(hundredOne), 101, /^invalid transaction sequence at offset/);
    const ten: Uint8Array[] = [dataRow(1, "T", "SE")];
    for (let i = 2; i <= 9; i++) ten.push(dataRow(i, "R", "SE"));
    ten.push(dataRow(10, "R", "SC"));
    expectCorrupt(rawFile(ten), 10, /^invalid transaction sequence at offset/);
    // Exactly 100 rows and 9 savepoints are fine.
    expect(
      verify(rawFile(hundredOne.slice(0, 99).concat([dataRow(100, "R", "TC")]))).dataRows,
    ).toBe(100);
    expect(verify(rawFile(ten.slice(0, 8).concat([dataRow(9, "R", "SC")]))).dataRows).toBe(9);
  });

  it("S_002 FR_031 a partial row that breaks the sequence (R after a closed transaction, T inside an open one) is reported at the tail", () => {
    const r = rawFile([dataRow(1, "T", "TC")]);
    appendFileSync(r, encodePartialDataRow({ state: 1, startControl: "R" }, N));
    const er = expectError(
      () => verify(r),
      "corrupt_database",
      /^invalid transaction sequence at offset/,
    ) as Located;
    expect(er.rowIndex).toBe(2);
    expect(er.offset).toBe(rowStart(2, N));
    const t = rawFile([dataRow(1, "T", "RE")]);
    appendFileSync(
      t,
      encodePartialDataRow(
        {
          state: 2,
          startControl: "T",
          key: parseUuid(key(BASE_MS + 2, 2)),
          value: Buffer.from("1"),
        },
        N,
      ),
    );
    const et = expectError(
      () => verify(t),
      "corrupt_database",
      /^invalid transaction sequence at offset/,
    ) as Located;
    expect(et.rowIndex).toBe(2);
  });

  it("S_002 FR_031 header and size problems: short files, a bad header, an empty path, a missing file", () => {
    const dir = tempDir();
    const tiny = join(dir, "tiny.fdb");
    writeFileSync(tiny, Buffer.alloc(10));
    expectError(
      () => verify(tiny),
      "corrupt_database",
      "file too small: must be at least 64 bytes for header",
    );
    const path = newDb({ rowSize: N });
    const headerOnly = join(dir, "header.fdb");
    writeFileSync(headerOnly, snapshot(path).subarray(0, 64 + 10));
    expectError(
      () => verify(headerOnly),
      "corrupt_database",
      `file too small: must have at least header (64 bytes) + initial checksum row (${N} bytes)`,
    );
    const badHeader = join(dir, "bad.fdb");
    copyFileSync(path, badHeader);
    flipByte(badHeader, 3, 0x20);
    const e = expectError(
      () => verify(badHeader),
      "corrupt_database",
      /^invalid header at offset 0: /,
    ) as Located;
    expect(e.offset).toBeLessThan(64);
    expectError(() => verify(""), "invalid_input", "path cannot be empty");
    const missing = join(dir, "missing.fdb");
    expectError(() => verify(missing), "read_error", `failed to open file: ${missing}`);
    // verify does not insist on the .fdb extension and takes no lock.
    const other = join(dir, "copy.bin");
    copyFileSync(path, other);
    const writer = open(path, { mode: "write" });
    expect(verify(other).rows).toBe(1);
    expect(verify(path).rows).toBe(1);
    writer.close();
  });
});

it("S_002 FR_031 a file built by create() alone passes", () => {
  const path = join(tempDir(), "empty.fdb");
  create(path, { rowSize: 65536, skewMs: 86_400_000 });
  expect(verify(path)).toMatchObject({ rows: 1, rowSize: 65536, checksumRows: 1, dataRows: 0 });
});
