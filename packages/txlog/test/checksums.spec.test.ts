// FR-023 (appendTransaction = begin + add… + commit, byte for byte, validated
// first), FR-024 (checksum rows after every 10,000th data/null row, also
// inside a transaction) and the FR-017 bytes of an add that crosses one.
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  checksumCoverage,
  crc32,
  encodeChecksumRow,
  encodeDataRow,
  formatUuid,
  parseUuid,
} from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, type NewRow, open, type TxLog, verify } from "../src/index.js";
import {
  BASE_MS,
  committedOf,
  decodeFile,
  expectError,
  expectRejected,
  flipByte,
  jsonOfLength,
  key,
  rowStart,
  snapshot,
  val,
} from "./helpers/tx-util.js";

const N = 128;
const SKEW = 5;
const ORDERING =
  "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp";

let templates: string;
/** Template files: `data` rows (some null rows mixed in for `mixed`). */
const T9950 = () => join(templates, "t9950.fdb");
const T9999 = () => join(templates, "t9999-mixed.fdb");
/** First free millisecond after the templates' rows. */
const AFTER = BASE_MS + 20_000;

function build(path: string, total: number, nullEvery: number): void {
  create(path, { rowSize: N, skewMs: SKEW });
  const log = open(path, { mode: "write", sync: false, isKeyCommitted: () => false });
  let written = 0;
  let ms = BASE_MS;
  while (written < total) {
    if (nullEvery > 0 && written % nullEvery === nullEvery - 1) {
      log.appendTransaction([]);
      written++;
      continue;
    }
    const count = Math.min(
      nullEvery > 0 ? nullEvery - 1 - (written % nullEvery) : 100,
      total - written,
      100,
    );
    const rows: NewRow[] = [];
    for (let i = 0; i < count; i++)
      rows.push({ key: key(ms++, written + i), value: val(written + i) });
    log.appendTransaction(rows);
    written += count;
  }
  log.close();
}

beforeAll(() => {
  templates = mkdtempSync(join(tmpdir(), "frozendb-tx-templates-"));
  build(T9950(), 9950, 0);
  build(T9999(), 9999, 97);
}, 60_000);

afterAll(() => {
  rmSync(templates, { recursive: true, force: true });
});

/** A copy of a template in this test's temp folder. */
function copyOf(template: string, name = "db.fdb"): string {
  const path = join(tempDir(), name);
  copyFileSync(template, path);
  return path;
}

/** Asserts row 10001 is the checksum row over [64, 64 + 10001·N). */
function expectChecksumRow(bytes: Buffer): void {
  const cov = checksumCoverage(1, N);
  expect(cov).toEqual({ start: 64, end: 64 + 10001 * N });
  const crc = crc32(bytes.subarray(cov.start, cov.end));
  expect(crc).toBe(zlibCrc32(bytes.subarray(cov.start, cov.end)));
  const at = rowStart(10001, N);
  expect(bytes.subarray(at, at + N).equals(Buffer.from(encodeChecksumRow(crc, N)))).toBe(true);
}

function hundredRows(startMs: number, first = 0): NewRow[] {
  const rows: NewRow[] = [];
  for (let i = 0; i < 100; i++)
    rows.push({ key: key(startMs + i, 50_000 + first + i), value: val(i) });
  return rows;
}

/** begin + add for each row + commit. */
function callByCall(log: TxLog, rows: readonly NewRow[]): void {
  const tx = log.begin();
  for (const r of rows) tx.add(r.key, r.value);
  tx.commit();
}

describe("S_002 FR_024 checksum rows", () => {
  it("S_002 FR_024 the call completing the 10,000th row writes the checksum row at index 10001 at once, CRC over checksumCoverage(1)", () => {
    const path = copyOf(T9950());
    const log = open(path, { mode: "write", sync: false });
    log.appendTransaction(hundredRows(AFTER).slice(0, 49));
    expect(statSync(path).size).toBe(64 + 9_999 * N + N);
    log.appendTransaction(hundredRows(AFTER + 100).slice(0, 1));
    // 10,000 data rows → the next slot is already the checksum row.
    expect(statSync(path).size).toBe(64 + 10_002 * N);
    expect(log.rowCount()).toBe(10_002);
    expect(log.readRow(10_001).type).toBe("checksum");
    expectChecksumRow(snapshot(path));
    log.appendTransaction(hundredRows(AFTER + 200).slice(0, 1));
    expect(log.readRow(10_002).type).toBe("data");
    log.close();
    const report = verify(path);
    expect(report).toMatchObject({ dataRows: 10_001, checksumRows: 2, checksumBlocks: 1 });
  });

  const closers: [string, (log: TxLog) => void][] = [
    ["appendTransaction([]) (null row)", (log) => log.appendTransaction([])],
    ["begin + commit (null row)", (log) => log.begin().commit()],
    ["begin + rollback(0) (null row)", (log) => log.begin().rollback(0)],
    [
      "appendTransaction of one row",
      (log) => log.appendTransaction([{ key: key(AFTER, 1), value: val(1) }]),
    ],
    [
      "add + commit (TC)",
      (log) => {
        const tx = log.begin();
        tx.add(key(AFTER, 1), val(1));
        tx.commit();
      },
    ],
    [
      "add + savepoint + rollback(1) (S1)",
      (log) => {
        const tx = log.begin();
        tx.add(key(AFTER, 1), val(1));
        tx.savepoint();
        tx.rollback(1);
      },
    ],
    [
      "add + rollback(0) (R0)",
      (log) => {
        const tx = log.begin();
        tx.add(key(AFTER, 1), val(1));
        tx.rollback(0);
      },
    ],
  ];
  for (const [what, close] of closers) {
    it(`S_002 FR_024 with null rows mixed in, a 10,000th row completed by ${what} is followed by the checksum row in the same call`, () => {
      const path = copyOf(T9999());
      const log = open(path, { mode: "write", sync: false });
      expect(log.rowCount()).toBe(10_000);
      close(log);
      expect(statSync(path).size).toBe(64 + 10_002 * N);
      log.close();
      const bytes = snapshot(path);
      expectChecksumRow(bytes);
      const rows = decodeFile(bytes).rows;
      expect(rows.filter((r) => r.type === "null").length).toBeGreaterThan(100);
      expect(verify(path)).toMatchObject({ rows: 10_002, checksumRows: 2, checksumBlocks: 1 });
    });
  }

  it("S_002 FR_024 / FR_017 an add that completes the 10,000th row appends completion (5) + checksum row (N) + new head (N−5) in one call", () => {
    const path = copyOf(T9950());
    const log = open(path, { mode: "write", sync: false });
    const rows = hundredRows(AFTER);
    const tx = log.begin();
    for (let i = 0; i < 50; i++) tx.add(rows[i]!.key, rows[i]!.value);
    // The 50th row of the transaction is the 10,000th of the file (still partial).
    const before = snapshot(path);
    expect(before.length).toBe(64 + 10_000 * N + N - 5);
    tx.add(rows[50]!.key, rows[50]!.value);
    const after = snapshot(path);
    expect(after.length - before.length).toBe(5 + N + (N - 5));
    const row50 = encodeDataRow(
      {
        startControl: "R",
        endControl: "RE",
        key: parseUuid(rows[49]!.key),
        value: Buffer.from(rows[49]!.value as string),
      },
      N,
    );
    expect(
      after.subarray(before.length, before.length + 5).equals(Buffer.from(row50.subarray(N - 5))),
    ).toBe(true);
    expectChecksumRow(after);
    const head = encodeDataRow(
      {
        startControl: "R",
        endControl: "TC",
        key: parseUuid(rows[50]!.key),
        value: Buffer.from(rows[50]!.value as string),
      },
      N,
    ).subarray(0, N - 5);
    expect(after.subarray(before.length + 5 + N).equals(Buffer.from(head))).toBe(true);
    for (let i = 51; i < 100; i++) tx.add(rows[i]!.key, rows[i]!.value);
    tx.commit();
    log.close();
    const decoded = decodeFile(snapshot(path)).rows;
    const txRows = decoded.slice(9951);
    expect(txRows.map((r) => r.type)).toEqual([
      ...Array(50).fill("data"),
      "checksum",
      ...Array(50).fill("data"),
    ]);
    expect(txRows[0]!.start).toBe("T");
    expect(
      txRows.filter((r) => r.type === "data").every((r, i) => i === 0 || r.start === "R"),
    ).toBe(true);
    const committed = committedOf(decoded);
    for (const r of rows) expect(committed.get(r.key as string)).toBe(r.value);
    expect(verify(path)).toMatchObject({
      dataRows: 10_050,
      checksumBlocks: 1,
      openTransaction: false,
    });
  });

  it("S_002 FR_024 / FR_017 after a savepoint on the 10,000th row, the next add appends 'E'+parity+LF, the checksum row, then the head", () => {
    const path = copyOf(T9999());
    const log = open(path, { mode: "write", sync: false });
    const k1 = key(AFTER, 1);
    const k2 = key(AFTER + 1, 2);
    const tx = log.begin();
    tx.add(k1, val(1));
    tx.savepoint();
    const before = snapshot(path);
    tx.add(k2, val(2));
    const after = snapshot(path);
    expect(after.length - before.length).toBe(4 + N + (N - 5));
    expect(String.fromCharCode(after[before.length]!)).toBe("E");
    expectChecksumRow(after);
    tx.rollback(1);
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.slice(10_000).map((r) => r.end ?? r.type)).toEqual(["SE", "checksum", "R1"]);
    const committed = committedOf(rows);
    expect(committed.has(k1)).toBe(true);
    expect(committed.has(k2)).toBe(false);
    expect(verify(path).checksumBlocks).toBe(1);
  });

  it("S_002 FR_024 / FR_022 a transaction spanning the checksum row, rolled back to a savepoint before it: visibility and duplicates are right on both sides", () => {
    const path = copyOf(T9950());
    const log = open(path, { mode: "write", sync: false });
    // One millisecond for all: within the skew window of each other, so re-adding passes ordering.
    const rows = Array.from({ length: 100 }, (_, i) => ({
      key: key(AFTER, 7000 + i),
      value: val(i),
    }));
    const tx = log.begin();
    for (let i = 0; i < 100; i++) {
      tx.add(rows[i]!.key, rows[i]!.value);
      if (i === 29 || i === 79) tx.savepoint(); // savepoint 1 before the checksum row, 2 after
    }
    tx.rollback(1);
    const committed = committedOf(decodeFile(snapshot(path)).rows);
    for (let i = 0; i < 100; i++) expect(committed.has(rows[i]!.key), `row ${i}`).toBe(i <= 29);
    // Kept rows are duplicates; rolled-back ones (both sides of the checksum row) are free again.
    const next = log.begin();
    expectRejected(
      path,
      () => next.add(rows[10]!.key, "1"),
      "invalid_input",
      /^key already exists/,
    );
    expectRejected(
      path,
      () => next.add(rows[29]!.key, "1"),
      "invalid_input",
      /^key already exists/,
    );
    next.add(rows[40]!.key, "1");
    next.add(rows[60]!.key, "2");
    next.add(rows[99]!.key, "3");
    next.commit();
    log.close();
    expect(verify(path)).toMatchObject({ checksumBlocks: 1, openTransaction: false });
  });

  it("S_002 FR_024 / FR_030 a subscriber failing on the checksum row written by an add: the next begin recovers the transaction across it", () => {
    const path = copyOf(T9999());
    const log = open(path, { mode: "write", sync: false });
    const boom = new Error("no checksum rows please");
    const off = log.subscribe((_, row) => {
      if (row.type === "checksum") throw boom;
    });
    const k = [1, 2, 3].map((i) => key(AFTER + i, i));
    const tx = log.begin();
    tx.add(k[0]!, val(1)); // the 10,000th row, still partial
    expect(() => tx.add(k[1]!, val(2))).toThrow(boom);
    expect(tx.state).toBe("tombstoned");
    off();
    expect(statSync(path).size).toBe(64 + 10_002 * N + N - 5);
    expectError(() => log.begin(), "invalid_action", "active transaction already exists");
    const resumed = log.activeTransaction!;
    expect(resumed.rowCount).toBe(2);
    resumed.add(k[2]!, val(3));
    resumed.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.slice(10_000).map((r) => [r.type, r.start, r.end])).toEqual([
      ["data", "T", "RE"],
      ["checksum", undefined, undefined],
      ["data", "R", "RE"],
      ["data", "R", "TC"],
    ]);
    expectChecksumRow(snapshot(path));
    expect(verify(path)).toMatchObject({ checksumBlocks: 1, openTransaction: false });
  });

  const damagedBlockPaths: [string, (log: TxLog) => void][] = [
    ["appendTransaction", (log) => log.appendTransaction([{ key: key(AFTER, 1), value: val(1) }])],
    [
      "add + commit",
      (log) => {
        const tx = log.begin();
        tx.add(key(AFTER, 1), val(1));
        tx.commit();
      },
    ],
  ];
  for (const [what, write] of damagedBlockPaths) {
    it(`S_002 FR_024 the block's rows are validated before its checksum row (${what}): a damaged row gives corrupt_database and no checksum row`, () => {
      const path = copyOf(T9999());
      flipByte(path, rowStart(500, N) + 60); // a padding byte of row 500
      const log = open(path, { mode: "write", sync: false });
      const e = expectError(
        () => write(log),
        "corrupt_database",
        "row validation failed during checksum calculation",
      ) as Error & { rowIndex?: number; offset?: number };
      expect(e.rowIndex).toBe(500);
      expect(e.offset).toBeGreaterThanOrEqual(rowStart(500, N));
      expect(e.offset).toBeLessThan(rowStart(501, N));
      log.close();
      expect(statSync(path).size).toBeLessThanOrEqual(64 + 10_001 * N);
    });
  }
});

describe("S_002 FR_023 appendTransaction", () => {
  /** Transactions mixing sizes, an empty one, unicode values, keys out of order within the skew. */
  function script(): NewRow[][] {
    const t = (ms: number) => BASE_MS + ms;
    return [
      [{ key: key(t(0), 1), value: '{"a":1}' }],
      [
        { key: key(t(10), 2), value: " [1, 2,\n 3] " },
        { key: key(t(7), 3), value: '"héllo ✓"' },
        { key: key(t(11), 4), value: "12345678901234567890" },
      ],
      [],
      Array.from({ length: 100 }, (_, i) => ({ key: key(t(20 + i), 10 + i), value: val(i) })),
      [{ key: key(t(200), 200), value: jsonOfLength(N - 33) }],
      [],
      [
        { key: key(t(300), 300), value: "true" },
        { key: key(t(296), 301), value: "null" },
      ],
    ];
  }

  it("S_002 FR_023 appendTransaction writes exactly the bytes of begin + add… + commit (whole files compared)", () => {
    const dir = tempDir();
    const a = join(dir, "a.fdb");
    const b = join(dir, "b.fdb");
    create(a, { rowSize: N, skewMs: SKEW });
    create(b, { rowSize: N, skewMs: SKEW });
    const la = open(a, { mode: "write" });
    const lb = open(b, { mode: "write" });
    for (const rows of script()) {
      la.appendTransaction(rows);
      callByCall(lb, rows);
      expect(snapshot(a).equals(snapshot(b))).toBe(true);
    }
    la.close();
    lb.close();
    expect(snapshot(a).equals(snapshot(b))).toBe(true);
    const rows = decodeFile(snapshot(a)).rows;
    expect(rows.length).toBe(1 + 1 + 3 + 1 + 100 + 1 + 1 + 2);
    expect(committedOf(rows).get(key(BASE_MS + 7, 3))).toBe('"héllo ✓"');
  });

  it("S_002 FR_023 with ownedKeys the given key arrays are kept (same bytes on disk); without it they are copied", () => {
    const dir = tempDir();
    const seen: Uint8Array[] = [];
    const files: Buffer[] = [];
    for (const owned of [true, false]) {
      const path = join(dir, `${owned}.fdb`);
      create(path, { rowSize: N, skewMs: SKEW });
      const log = open(path, { mode: "write" });
      log.subscribe((_index, row) => {
        if (row.type === "data") seen.push(row.key);
      });
      const keys = [parseUuid(key(BASE_MS, 1)), parseUuid(key(BASE_MS + 1, 2))];
      log.appendTransaction(
        keys.map((k, i) => ({ key: k, value: val(i) })),
        { ownedKeys: owned },
      );
      log.close();
      expect(seen.map((k, i) => k === keys[i])).toEqual([owned, owned]);
      expect(seen.map((k) => formatUuid(k))).toEqual(keys.map((k) => formatUuid(k)));
      seen.length = 0;
      files.push(snapshot(path));
    }
    expect(files[0]!.equals(files[1]!)).toBe(true);
    // Owned keys are still validated: a Nil key is refused, nothing written.
    const path = join(dir, "nil.fdb");
    create(path, { rowSize: N, skewMs: SKEW });
    const log = open(path, { mode: "write" });
    const before = snapshot(path);
    expect(() =>
      log.appendTransaction([{ key: new Uint8Array(16), value: "1" }], { ownedKeys: true }),
    ).toThrow(expect.objectContaining({ code: "invalid_input" }));
    log.close();
    expect(snapshot(path).equals(before)).toBe(true);
  });

  it("S_002 FR_023 a batch that crosses the checksum row (100 rows from logical row 9,950) equals the call-by-call file byte for byte", () => {
    const dir = tempDir();
    const a = join(dir, "a.fdb");
    const b = join(dir, "b.fdb");
    copyFileSync(T9950(), a);
    copyFileSync(T9950(), b);
    const rows = hundredRows(AFTER);
    const la = open(a, { mode: "write", sync: false });
    la.appendTransaction(rows);
    la.close();
    const lb = open(b, { mode: "write", sync: false });
    callByCall(lb, rows);
    lb.close();
    const fa = snapshot(a);
    expect(fa.length).toBe(64 + 10_052 * N);
    expect(fa.equals(snapshot(b))).toBe(true);
    expectChecksumRow(fa);
    expect(verify(a)).toMatchObject({ dataRows: 10_050, checksumBlocks: 1 });
  });

  const lastRowBatches: [string, NewRow[]][] = [
    ["one row", [{ key: key(AFTER, 1), value: val(1) }]],
    ["no rows (null row)", []],
  ];
  for (const [what, rows] of lastRowBatches) {
    it(`S_002 FR_023 a batch (${what}) whose last row is the file's 10,000th equals the call-by-call file, checksum row included`, () => {
      const dir = tempDir();
      const a = join(dir, "a.fdb");
      const b = join(dir, "b.fdb");
      copyFileSync(T9999(), a);
      copyFileSync(T9999(), b);
      const la = open(a, { mode: "write", sync: false });
      la.appendTransaction(rows);
      const lb = open(b, { mode: "write", sync: false });
      callByCall(lb, rows);
      expect(snapshot(b).length).toBe(64 + 10_002 * N);
      expect(snapshot(a).equals(snapshot(b))).toBe(true);
      la.close();
      lb.close();
    });
  }

  it("S_002 FR_023 a bad 50th row leaves the file unchanged, with the same error add gives; a good batch then succeeds", () => {
    const path = join(tempDir(), "db.fdb");
    create(path, { rowSize: N, skewMs: 1000 }); // a wide window, so duplicates get past ordering
    const log = open(path, { mode: "write" });
    const committed = key(BASE_MS, 0);
    log.appendTransaction([{ key: committed, value: val(0) }]);
    const good = () =>
      Array.from({ length: 60 }, (_, i) => ({ key: key(BASE_MS + 10 + i, 1 + i), value: val(i) }));
    const bad: [string, (rows: NewRow[]) => void, string, string | RegExp][] = [
      [
        "Nil key",
        (r) => {
          r[49] = { key: "00000000-0000-0000-0000-000000000000", value: val(1) };
        },
        "invalid_input",
        "invalid UUIDv7 key",
      ],
      [
        "empty value",
        (r) => {
          r[49] = { key: r[49]!.key, value: "" };
        },
        "invalid_input",
        "value cannot be empty",
      ],
      [
        "too old",
        (r) => {
          r[49] = { key: key(BASE_MS + 10 + 48 - 1000, 999), value: val(1) };
        },
        "key_ordering",
        ORDERING,
      ],
      [
        "null-row key",
        (r) => {
          r[49] = { key: `${key(BASE_MS + 100).slice(0, 24)}000000000000`, value: val(1) };
        },
        "invalid_input",
        "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
      ],
      [
        "oversize",
        (r) => {
          r[49] = { key: r[49]!.key, value: jsonOfLength(N - 32) };
        },
        "invalid_input",
        /^payload size/,
      ],
      [
        "invalid JSON",
        (r) => {
          r[49] = { key: r[49]!.key, value: "{bad" };
        },
        "invalid_input",
        /JSON/,
      ],
      [
        "0x00",
        (r) => {
          r[49] = { key: r[49]!.key, value: '"\u0000"' };
        },
        "invalid_input",
        /0x00|NUL|null byte/i,
      ],
      [
        "duplicate in batch",
        (r) => {
          r[49] = { key: r[2]!.key, value: val(1) };
        },
        "invalid_input",
        /^key already exists/,
      ],
      [
        "committed duplicate",
        (r) => {
          r[49] = { key: committed, value: val(1) };
        },
        "invalid_input",
        /^key already exists/,
      ],
    ];
    for (const [, spoil, code, message] of bad) {
      const rows = good();
      spoil(rows);
      expectRejected(path, () => log.appendTransaction(rows), code, message);
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => ({
      key: key(BASE_MS + 10 + i, 1 + i),
      value: val(i),
    }));
    expectRejected(
      path,
      () => log.appendTransaction(tooMany),
      "invalid_input",
      "transaction cannot contain more than 100 rows",
    );
    expect(log.activeTransaction).toBeNull();
    const rows = good();
    log.appendTransaction(rows);
    log.close();
    const all = committedOf(decodeFile(snapshot(path)).rows);
    expect(all.size).toBe(61);
  });
});
