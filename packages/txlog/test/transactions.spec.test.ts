// FR-015 … FR-020: begin, the precondition order of add, the bytes each call
// appends, savepoint, rollback and commit (behaviour §5, file-format §9–§10).
import { statSync } from "node:fs";
import {
  encodeDataRow,
  encodeNullRow,
  formatUuid,
  nullRowUuid,
  parseUuid,
  SAVEPOINT_MARK,
} from "@frozendb/codec";
import { describe, expect, it } from "vitest";
import { open, type Transaction, type TxLog } from "../src/index.js";
import {
  BASE_MS,
  committedOf,
  dataRows,
  decodeFile,
  expectError,
  expectRejected,
  jsonOfLength,
  key,
  newDb,
  newLog,
  snapshot,
  val,
} from "./helpers/tx-util.js";

const ORDERING =
  "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp";
const NULL_KEY =
  "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)";
const TOMBSTONED = "transaction is tombstoned due to write failure";

/** The null-row pattern for `ms`: tttttttt-tttt-7000-8000-000000000000. */
function nullPatternKey(ms: number): string {
  return formatUuid(nullRowUuid(ms));
}

/** A key carrying `ms` but with the given version nibble and variant byte text. */
function oddKey(ms: number, versionGroup: string, variantGroup: string): string {
  const t = ms.toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${versionGroup}-${variantGroup}-000000000001`;
}

/** State of a transaction, for "left exactly as it was" checks. */
function txState(tx: Transaction) {
  return { state: tx.state, rows: tx.rowCount, savepoints: tx.savepointCount };
}

/** Makes `tx` tombstoned the way a failing write does: a subscriber throws during `add`. */
function tombstone(log: TxLog, tx: Transaction, k: string): void {
  const boom = new Error("subscriber failed");
  const off = log.subscribe(() => {
    throw boom;
  });
  // The add completes the previous row, so a row notification fires and throws.
  expect(() => tx.add(k, val(0))).toThrow(boom);
  off();
  expect(tx.state).toBe("tombstoned");
}

describe("S_002 FR_015 begin", () => {
  it("S_002 FR_015 begin appends exactly 1F 'T' and starts an open, empty transaction", () => {
    const { path, log } = newLog();
    const before = snapshot(path);
    const tx = log.begin();
    const after = snapshot(path);
    expect(after.length).toBe(before.length + 2);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect([...after.subarray(before.length)]).toEqual([0x1f, 0x54]);
    expect(tx.state).toBe("open");
    expect(tx.rowCount).toBe(0);
    expect(tx.savepointCount).toBe(0);
    expect(log.activeTransaction).toBe(tx);
    log.close();
  });

  it("S_002 FR_015 begin in read mode fails with invalid_action and writes nothing", () => {
    const path = newDb();
    const reader = open(path, { mode: "read", follow: false });
    expectRejected(
      path,
      () => reader.begin(),
      "invalid_action",
      "cannot set writer on read-mode DBFile",
    );
    expectRejected(
      path,
      () => reader.appendTransaction([{ key: key(BASE_MS), value: val(1) }]),
      "invalid_action",
      "cannot set writer on read-mode DBFile",
    );
    reader.close();
  });

  it("S_002 FR_015 begin with an active transaction fails with invalid_action; the active one still works", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.add(key(BASE_MS), val(1));
    expectRejected(path, () => log.begin(), "invalid_action", "active transaction already exists");
    expectRejected(
      path,
      () => log.appendTransaction([{ key: key(BASE_MS + 1), value: val(2) }]),
      "invalid_action",
      "active transaction already exists",
    );
    expect(log.activeTransaction).toBe(tx);
    tx.add(key(BASE_MS + 2), val(3));
    tx.commit();
    expect(log.activeTransaction).toBeNull();
    const next = log.begin();
    next.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(dataRows(rows).map((r) => [r.key, r.end])).toEqual([
      [key(BASE_MS), "RE"],
      [key(BASE_MS + 2), "TC"],
    ]);
    expect(rows.at(-1)!.type).toBe("null");
  });

  it("S_002 FR_015 begin fails while the file ends in a transaction recovered at open", () => {
    const { path, log } = newLog();
    log.begin().add(key(BASE_MS), val(1));
    log.close();
    const again = open(path, { mode: "write" });
    expectRejected(
      path,
      () => again.begin(),
      "invalid_action",
      "active transaction already exists",
    );
    const tx = again.activeTransaction!;
    expect(tx.rowCount).toBe(1);
    tx.commit();
    expect(again.begin().state).toBe("open");
    again.close();
  });

  it("S_002 FR_015 begin on a read handle whose file ends in an open transaction: the active-transaction check comes first (behaviour §5.1)", () => {
    const { path, log } = newLog();
    log.begin().add(key(BASE_MS), val(1));
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.activeTransaction).not.toBeNull();
    expectRejected(
      path,
      () => reader.begin(),
      "invalid_action",
      "active transaction already exists",
    );
    reader.close();
    log.close();
  });

  it("S_002 FR_015 begin after close fails with tombstoned: file manager is closed", () => {
    const { path, log } = newLog();
    log.close();
    expectRejected(path, () => log.begin(), "tombstoned", "file manager is closed");
  });
});

describe("S_002 FR_016 add preconditions", () => {
  /** A log (row 128, skew 1000) with one committed row C at BASE and an open tx holding A. */
  function setup() {
    const { path, log } = newLog({ rowSize: 128, skewMs: 1000 });
    const c = key(BASE_MS, 100);
    log.appendTransaction([{ key: c, value: val(100) }]);
    const tx = log.begin();
    const a = key(BASE_MS + 10, 1);
    tx.add(a, val(1));
    return { path, log, tx, c, a };
  }

  /** Rejected with the file unchanged and the transaction exactly as it was. */
  function rejected(
    path: string,
    tx: Transaction,
    fn: () => unknown,
    code: string,
    message: string | RegExp,
    cause?: string | RegExp,
  ): Error {
    const state = txState(tx);
    const e = expectRejected(path, fn, code, message, cause);
    expect(txState(tx)).toEqual(state);
    return e;
  }

  /** Commits `tx` and checks the file holds exactly `keys` as committed data rows. */
  function commitAndCheck(path: string, log: TxLog, tx: Transaction, keys: string[]): void {
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect([...committedOf(rows).keys()]).toEqual(keys);
  }

  it("S_002 FR_016 #1 a tombstoned transaction rejects add with tombstoned, before every other check", () => {
    const { path, log, tx, c, a } = setup();
    const b = key(BASE_MS + 20, 2);
    tombstone(log, tx, b);
    // Tombstoned wins over: an invalid key, an empty value, a duplicate key.
    rejected(path, tx, () => tx.add(b, val(3)), "tombstoned", TOMBSTONED);
    rejected(
      path,
      tx,
      () => tx.add("00000000-0000-0000-0000-000000000000", ""),
      "tombstoned",
      TOMBSTONED,
    );
    rejected(path, tx, () => tx.add(c, val(3)), "tombstoned", TOMBSTONED);
    rejected(path, tx, () => tx.savepoint(), "tombstoned", TOMBSTONED);
    rejected(path, tx, () => tx.rollback(0), "tombstoned", TOMBSTONED);
    rejected(path, tx, () => tx.rollback(10), "tombstoned", TOMBSTONED);
    rejected(path, tx, () => tx.commit(), "tombstoned", TOMBSTONED);
    // The log goes on: the next begin behaves like a reopen and finds the
    // transaction in the file (A complete with RE, B the partial row).
    expectError(() => log.begin(), "invalid_action", "active transaction already exists");
    const resumed = log.activeTransaction!;
    expect(resumed).not.toBe(tx);
    expect(resumed.rowCount).toBe(2);
    commitAndCheck(path, log, resumed, [c, a, b]);
  });

  it("S_002 FR_016 #2 an ended transaction rejects add with 'AddRow() cannot be called on committed transaction'", () => {
    const { path, log, tx, c, a } = setup();
    tx.commit();
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 30, 3), val(3)),
      "invalid_action",
      "AddRow() cannot be called on committed transaction",
    );
    // Ended wins over an invalid key and an empty value.
    rejected(
      path,
      tx,
      () => tx.add("00000000-0000-0000-0000-000000000000", ""),
      "invalid_action",
      "AddRow() cannot be called on committed transaction",
    );
    const rolled = log.begin();
    rolled.rollback(0);
    rejected(
      path,
      rolled,
      () => rolled.add(key(BASE_MS + 40, 4), val(4)),
      "invalid_action",
      "AddRow() cannot be called on committed transaction",
    );
    const next = log.begin();
    const d = key(BASE_MS + 50, 5);
    next.add(d, val(5));
    commitAndCheck(path, log, next, [c, a, d]);
  });

  it("S_002 FR_016 #3 an invalid key is 'invalid UUIDv7 key' with the rule broken as cause", () => {
    const { path, log, tx, c, a } = setup();
    const ms = BASE_MS + 20;
    let e = rejected(
      path,
      tx,
      () => tx.add("00000000-0000-0000-0000-000000000000", val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
      "UUID cannot be zero/Nil",
    );
    expect(String(e)).toBe(
      "invalid_input: invalid UUIDv7 key (caused by: invalid_input: UUID cannot be zero/Nil)",
    );
    expect((e.cause as { code: string }).code).toBe("invalid_input");
    rejected(
      path,
      tx,
      () => tx.add(oddKey(ms, "7000", "0000"), val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
      "UUID variant must be RFC 4122, got Reserved",
    );
    rejected(
      path,
      tx,
      () => tx.add(oddKey(ms, "7000", "c000"), val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
      "UUID variant must be RFC 4122, got Microsoft",
    );
    e = rejected(
      path,
      tx,
      () => tx.add(oddKey(ms, "4000", "8000"), val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
      "UUID version must be 7, got 4",
    );
    expect(String(e)).toBe(
      "invalid_input: invalid UUIDv7 key (caused by: invalid_input: UUID version must be 7, got 4)",
    );
    rejected(path, tx, () => tx.add("not-a-uuid", val(1)), "invalid_input", "invalid UUIDv7 key");
    rejected(
      path,
      tx,
      () => tx.add(new Uint8Array(15), val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
    );
    // The key check comes before the value checks.
    rejected(
      path,
      tx,
      () => tx.add("00000000-0000-0000-0000-000000000000", ""),
      "invalid_input",
      "invalid UUIDv7 key",
    );
    rejected(
      path,
      tx,
      () => tx.add(oddKey(ms, "4000", "8000"), "{not json"),
      "invalid_input",
      "invalid UUIDv7 key",
    );
    // A key given as 16 bytes is accepted.
    const b = key(ms, 2);
    tx.add(parseUuid(b), val(2));
    commitAndCheck(path, log, tx, [c, a, b]);
  });

  it("S_002 FR_016 #4 an empty value is 'value cannot be empty'", () => {
    const { path, log, tx, c, a } = setup();
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), ""),
      "invalid_input",
      "value cannot be empty",
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), new Uint8Array(0)),
      "invalid_input",
      "value cannot be empty",
    );
    // Empty value wins over ordering, the null-row key and a duplicate key.
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS - 5000, 9), ""),
      "invalid_input",
      "value cannot be empty",
    );
    rejected(
      path,
      tx,
      () => tx.add(nullPatternKey(BASE_MS + 20), ""),
      "invalid_input",
      "value cannot be empty",
    );
    rejected(path, tx, () => tx.add(c, ""), "invalid_input", "value cannot be empty");
    commitAndCheck(path, log, tx, [c, a]);
  });

  it("S_002 FR_016 #5 the 101st row is 'transaction cannot contain more than 100 rows'; 100 commit", () => {
    const { path, log, tx, c, a } = setup();
    const keys = [c, a];
    for (let i = 0; i < 99; i++) {
      const k = key(BASE_MS + 11 + i, 10 + i);
      tx.add(k, val(i));
      keys.push(k);
    }
    expect(tx.rowCount).toBe(100);
    const limit = "transaction cannot contain more than 100 rows";
    rejected(path, tx, () => tx.add(key(BASE_MS + 500, 500), val(1)), "invalid_input", limit);
    // Before the limit: key and empty value win.
    rejected(
      path,
      tx,
      () => tx.add("00000000-0000-0000-0000-000000000000", val(1)),
      "invalid_input",
      "invalid UUIDv7 key",
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 500, 500), ""),
      "invalid_input",
      "value cannot be empty",
    );
    // After it: ordering, null-row key, size, JSON, duplicate all lose to the limit.
    rejected(path, tx, () => tx.add(key(BASE_MS - 5000, 501), val(1)), "invalid_input", limit);
    rejected(path, tx, () => tx.add(nullPatternKey(BASE_MS + 500), val(1)), "invalid_input", limit);
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 500, 502), jsonOfLength(200)),
      "invalid_input",
      limit,
    );
    rejected(path, tx, () => tx.add(key(BASE_MS + 500, 503), "{bad"), "invalid_input", limit);
    rejected(path, tx, () => tx.add(a, val(1)), "invalid_input", limit);
    commitAndCheck(path, log, tx, keys);
  });

  it("S_002 FR_016 #6 ordering is key_ordering with the original's message, before the null-row key check", () => {
    const { path, log, tx, c, a } = setup();
    // M = BASE+10 (A, in the transaction); skew 1000: ts + 1000 > BASE+10 needs ts ≥ BASE−989.
    rejected(path, tx, () => tx.add(key(BASE_MS - 990, 2), val(1)), "key_ordering", ORDERING);
    rejected(
      path,
      tx,
      () => tx.add(nullPatternKey(BASE_MS - 990), val(1)),
      "key_ordering",
      ORDERING,
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS - 990, 2), jsonOfLength(200)),
      "key_ordering",
      ORDERING,
    );
    rejected(path, tx, () => tx.add(key(BASE_MS - 990, 2), "{bad"), "key_ordering", ORDERING);
    const b = key(BASE_MS - 989, 2);
    tx.add(b, val(2));
    commitAndCheck(path, log, tx, [c, a, b]);
  });

  it("S_002 FR_016 #7 a null-row UUID key is rejected with the original's message, before the size check", () => {
    const { path, log, tx, c, a } = setup();
    const nk = nullPatternKey(BASE_MS + 20);
    expect(nk).toMatch(/-7000-8000-000000000000$/);
    rejected(path, tx, () => tx.add(nk, val(1)), "invalid_input", NULL_KEY);
    rejected(path, tx, () => tx.add(nk, jsonOfLength(200)), "invalid_input", NULL_KEY);
    rejected(path, tx, () => tx.add(nk, "{bad"), "invalid_input", NULL_KEY);
    // Looks like a null-row UUID but bytes 14–15 are non-zero: a legal data key.
    const legal = `${nk.slice(0, 24)}00000000beef`;
    tx.add(legal, val(2));
    commitAndCheck(path, log, tx, [c, a, legal]);
  });

  it("S_002 FR_016 #8 a value of N−32 bytes is rejected (payload size message), N−33 accepted", () => {
    const { path, log, tx, c, a } = setup();
    const n = 128;
    for (const size of [n - 32, n - 31, n - 30, 500]) {
      rejected(
        path,
        tx,
        () => tx.add(key(BASE_MS + 20, 2), jsonOfLength(size)),
        "invalid_input",
        new RegExp(`^payload size \\(${24 + size} bytes\\) exceeds ROW_SIZE \\(${n} bytes\\)`),
      );
    }
    // Size comes before JSON validity, 0x00 and duplicates.
    const big = "x".repeat(n - 32);
    rejected(path, tx, () => tx.add(key(BASE_MS + 20, 2), big), "invalid_input", /^payload size/);
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), `"${"\u0000".repeat(n - 34)}"`),
      "invalid_input",
      /^payload size/,
    );
    rejected(path, tx, () => tx.add(c, jsonOfLength(n - 32)), "invalid_input", /^payload size/);
    // Multi-byte UTF-8 counts in bytes: 48 × "é" (2 bytes) + quotes = 98 bytes = N − 30.
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), `"${"é".repeat(48)}"`),
      "invalid_input",
      /^payload size \(122 bytes\)/,
    );
    const b = key(BASE_MS + 20, 2);
    tx.add(b, jsonOfLength(n - 33));
    commitAndCheck(path, log, tx, [c, a, b]);
    const rows = dataRows(decodeFile(snapshot(path)).rows);
    expect(rows.at(-1)!.value).toBe(jsonOfLength(n - 33));
  });

  it("S_002 FR_016 invalid JSON is rejected with invalid_input before the duplicate check", () => {
    const { path, log, tx, c, a } = setup();
    for (const bad of ["{bad", "undefined", "{'a':1}", "[1,2", "NaN", "1 2"]) {
      rejected(path, tx, () => tx.add(key(BASE_MS + 20, 2), bad), "invalid_input", /JSON/);
    }
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), new TextEncoder().encode("{bad")),
      "invalid_input",
      /JSON/,
    );
    rejected(path, tx, () => tx.add(c, "{bad"), "invalid_input", /JSON/);
    rejected(path, tx, () => tx.add(a, "{bad"), "invalid_input", /JSON/);
    // Not UTF-8: bytes that do not decode, a string with a lone surrogate.
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), Uint8Array.of(0x22, 0xff, 0x22)),
      "invalid_input",
      /UTF-8/,
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), `"${String.fromCharCode(0xd800)}"`),
      "invalid_input",
      /UTF-8/,
    );
    // Stored exactly as given: whitespace and key order kept.
    const b = key(BASE_MS + 20, 2);
    tx.add(b, ' { "z" : 1 , "a" : [ ] } ');
    commitAndCheck(path, log, tx, [c, a, b]);
    expect(dataRows(decodeFile(snapshot(path)).rows).at(-1)!.value).toBe(
      ' { "z" : 1 , "a" : [ ] } ',
    );
  });

  it("S_002 FR_016 a value holding a 0x00 byte is rejected with invalid_input", () => {
    const { path, log, tx, c, a } = setup();
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), '"a\u0000b"'),
      "invalid_input",
      /0x00|NUL|null byte/i,
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), Uint8Array.of(0x31, 0x00)),
      "invalid_input",
      /0x00|NUL|null byte/i,
    );
    rejected(path, tx, () => tx.add(c, '"a\u0000b"'), "invalid_input", /0x00|NUL|null byte/i);
    commitAndCheck(path, log, tx, [c, a]);
  });

  it("S_002 FR_016 a duplicate key (committed, or in this transaction) is 'key already exists'", () => {
    const { path, log, tx, c, a } = setup();
    rejected(path, tx, () => tx.add(c, val(9)), "invalid_input", /^key already exists/);
    rejected(path, tx, () => tx.add(a, val(9)), "invalid_input", /^key already exists/);
    const b = key(BASE_MS + 20, 2);
    tx.add(b, val(2));
    commitAndCheck(path, log, tx, [c, a, b]);
  });

  it("S_002 FR_016 a rejected add after a savepoint leaves the pending S; the next add completes the row with SE", () => {
    const { path, log, tx, c, a } = setup();
    tx.savepoint();
    expect(tx.savepointCount).toBe(1);
    const sizeWithS = statSync(path).size;
    // The original's "poisoning" cases: checks 7 and 8 on a second add.
    rejected(
      path,
      tx,
      () => tx.add(nullPatternKey(BASE_MS + 20), val(1)),
      "invalid_input",
      NULL_KEY,
    );
    rejected(
      path,
      tx,
      () => tx.add(key(BASE_MS + 20, 2), jsonOfLength(96)),
      "invalid_input",
      /^payload size/,
    );
    rejected(path, tx, () => tx.add(key(BASE_MS + 20, 2), "{bad"), "invalid_input", /JSON/);
    expect(statSync(path).size).toBe(sizeWithS);
    const b = key(BASE_MS + 20, 2);
    tx.add(b, val(2));
    commitAndCheck(path, log, tx, [c, a, b]);
    const rows = dataRows(decodeFile(snapshot(path)).rows);
    expect(rows.map((r) => r.end)).toEqual(["TC", "SE", "TC"]);
  });

  it("S_002 FR_016 a rejected first add leaves the state-1 partial row; commit then writes a null row", () => {
    const { path, log } = newLog({ skewMs: 0 });
    const tx = log.begin();
    const state = txState(tx);
    expectRejected(path, () => tx.add(key(BASE_MS), ""), "invalid_input", "value cannot be empty");
    expectRejected(path, () => tx.add(nullPatternKey(BASE_MS), val(1)), "invalid_input", NULL_KEY);
    expect(txState(tx)).toEqual(state);
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.map((r) => r.type)).toEqual(["checksum", "null"]);
  });
});

describe("S_002 FR_017 bytes appended per call", () => {
  it("S_002 FR_017 a later add completes the previous row with RE + parity + LF, then writes the new head (N−5 bytes)", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n, skewMs: 0 });
    const k1 = key(BASE_MS, 1);
    const k2 = key(BASE_MS + 1, 2);
    const tx = log.begin();
    tx.add(k1, val(1));
    const before = snapshot(path);
    tx.add(k2, val(2));
    const after = snapshot(path);
    expect(after.length - before.length).toBe(5 + n - 5);
    const row1 = encodeDataRow(
      { startControl: "T", endControl: "RE", key: parseUuid(k1), value: Buffer.from(val(1)) },
      n,
    );
    const row2 = encodeDataRow(
      { startControl: "R", endControl: "TC", key: parseUuid(k2), value: Buffer.from(val(2)) },
      n,
    );
    const added = after.subarray(before.length);
    expect(added.subarray(0, 5).equals(Buffer.from(row1.subarray(n - 5)))).toBe(true);
    expect(added.subarray(5).equals(Buffer.from(row2.subarray(0, n - 5)))).toBe(true);
    log.close();
  });

  it("S_002 FR_017 a later add after a savepoint writes 'E' + parity + LF (4 bytes), then the new head", () => {
    const n = 256;
    const { path, log } = newLog({ rowSize: n, skewMs: 0 });
    const k1 = key(BASE_MS, 1);
    const k2 = key(BASE_MS + 1, 2);
    const tx = log.begin();
    tx.add(k1, val(1));
    tx.savepoint();
    const before = snapshot(path);
    expect(before.at(-1)).toBe(SAVEPOINT_MARK);
    tx.add(k2, val(2));
    const after = snapshot(path);
    expect(after.length - before.length).toBe(4 + n - 5);
    const row1 = encodeDataRow(
      { startControl: "T", endControl: "SE", key: parseUuid(k1), value: Buffer.from(val(1)) },
      n,
    );
    const head2 = encodeDataRow(
      { startControl: "R", endControl: "TC", key: parseUuid(k2), value: Buffer.from(val(2)) },
      n,
    ).subarray(0, n - 5);
    const added = after.subarray(before.length);
    expect(String.fromCharCode(added[0]!)).toBe("E");
    expect(added[3]).toBe(0x0a);
    expect(added.subarray(0, 4).equals(Buffer.from(row1.subarray(n - 4)))).toBe(true);
    expect(added.subarray(4).equals(Buffer.from(head2))).toBe(true);
    // The completed row as a whole equals the encoder's SE row.
    const rowAt = 64 + n;
    expect(after.subarray(rowAt, rowAt + n).equals(Buffer.from(row1))).toBe(true);
    tx.savepoint();
    tx.rollback(2);
    log.close();
    const rows = dataRows(decodeFile(snapshot(path)).rows);
    expect(rows.map((r) => r.end)).toEqual(["SE", "S2"]);
  });

  it("S_002 FR_017 commit/rollback append the completion only (5 bytes, or 4 after S); an empty transaction the rest of a null row (N−2)", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n, skewMs: 0 });
    const size = () => statSync(path).size;
    let tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    let s = size();
    tx.commit();
    expect(size() - s).toBe(5);
    tx = log.begin();
    tx.add(key(BASE_MS + 1, 2), val(2));
    tx.savepoint();
    s = size();
    tx.commit();
    expect(size() - s).toBe(4);
    tx = log.begin();
    tx.add(key(BASE_MS + 2, 3), val(3));
    s = size();
    tx.rollback(0);
    expect(size() - s).toBe(5);
    tx = log.begin();
    tx.add(key(BASE_MS + 3, 4), val(4));
    tx.savepoint();
    s = size();
    tx.rollback(1);
    expect(size() - s).toBe(4);
    tx = log.begin();
    s = size();
    tx.commit();
    expect(size() - s).toBe(n - 2);
    tx = log.begin();
    s = size();
    tx.rollback(0);
    expect(size() - s).toBe(n - 2);
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.map((r) => r.end ?? r.type)).toEqual([
      "checksum",
      "TC",
      "SC",
      "R0",
      "S1",
      "null",
      "null",
    ]);
  });
});

describe("S_002 FR_018 savepoint", () => {
  it("S_002 FR_018 savepoint on an empty transaction fails with 'cannot savepoint empty transaction'", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    expectRejected(
      path,
      () => tx.savepoint(),
      "invalid_action",
      "cannot savepoint empty transaction",
    );
    tx.add(key(BASE_MS, 1), val(1));
    tx.savepoint();
    tx.commit();
    log.close();
    expect(dataRows(decodeFile(snapshot(path)).rows).map((r) => r.end)).toEqual(["SC"]);
  });

  it("S_002 FR_018 a second savepoint on the same row fails with 'failed to create savepoint' and its cause", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    tx.savepoint();
    const e = expectRejected(
      path,
      () => tx.savepoint(),
      "invalid_action",
      "failed to create savepoint",
      "Savepoint() can only be called from PartialDataRowWithPayload",
    );
    expect(String(e)).toBe(
      "invalid_action: failed to create savepoint (caused by: invalid_action: Savepoint() can only be called from PartialDataRowWithPayload)",
    );
    expect(tx.savepointCount).toBe(1);
    tx.add(key(BASE_MS + 1, 2), val(2));
    tx.savepoint();
    expect(tx.savepointCount).toBe(2);
    tx.commit();
    log.close();
    expect(dataRows(decodeFile(snapshot(path)).rows).map((r) => r.end)).toEqual(["SE", "SC"]);
  });

  it("S_002 FR_018 a 10th savepoint fails with 'transaction cannot have more than 9 savepoints'", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    for (let i = 0; i < 9; i++) {
      tx.add(key(BASE_MS + i, i), val(i));
      tx.savepoint();
    }
    expect(tx.savepointCount).toBe(9);
    // The 9th is still pending on the current row: a second one there is the per-row error.
    expectRejected(path, () => tx.savepoint(), "invalid_action", "failed to create savepoint");
    tx.add(key(BASE_MS + 9, 9), val(9));
    expectRejected(
      path,
      () => tx.savepoint(),
      "invalid_action",
      "transaction cannot have more than 9 savepoints",
    );
    expect(tx.savepointCount).toBe(9);
    tx.rollback(9);
    log.close();
    const rows = dataRows(decodeFile(snapshot(path)).rows);
    expect(rows.map((r) => r.end)).toEqual([...Array(8).fill("SE"), "SE", "R9"]);
    expect(committedOf(decodeFile(snapshot(path)).rows).size).toBe(9);
  });

  it("S_002 FR_018 savepoint on an ended transaction fails with 'Savepoint() cannot be called on committed transaction', before the empty check", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.commit();
    expectRejected(
      path,
      () => tx.savepoint(),
      "invalid_action",
      "Savepoint() cannot be called on committed transaction",
    );
    const tx2 = log.begin();
    tx2.add(key(BASE_MS, 1), val(1));
    tx2.rollback(0);
    expectRejected(
      path,
      () => tx2.savepoint(),
      "invalid_action",
      "Savepoint() cannot be called on committed transaction",
    );
    log.close();
  });
});

describe("S_002 FR_019 rollback", () => {
  it("S_002 FR_019 rollback(n) with n outside 0–9 or not an integer fails with 'savepointId must be between 0 and 9'", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    tx.savepoint();
    for (const n of [10, -1, 1.5, Number.NaN, 100]) {
      expectRejected(
        path,
        () => tx.rollback(n),
        "invalid_input",
        "savepointId must be between 0 and 9",
      );
    }
    expect(tx.state).toBe("open");
    tx.rollback(1);
    log.close();
    expect(dataRows(decodeFile(snapshot(path)).rows).map((r) => r.end)).toEqual(["S1"]);
  });

  it("S_002 FR_019 rollback to a savepoint that does not exist fails; the pending S counts as existing", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    const k1 = key(BASE_MS, 1);
    const k2 = key(BASE_MS + 1, 2);
    const k3 = key(BASE_MS + 2, 3);
    tx.add(k1, val(1));
    expectRejected(
      path,
      () => tx.rollback(1),
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    tx.savepoint(); // pending S on k1's row: savepoint 1
    expectRejected(
      path,
      () => tx.rollback(2),
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    tx.add(k2, val(2));
    expectRejected(
      path,
      () => tx.rollback(2),
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    tx.savepoint(); // pending S on k2's row: savepoint 2
    expectRejected(
      path,
      () => tx.rollback(3),
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    // The range check comes first.
    expectRejected(
      path,
      () => tx.rollback(10),
      "invalid_input",
      "savepointId must be between 0 and 9",
    );
    tx.add(k3, val(3));
    tx.rollback(1);
    expect(tx.state).toBe("rolled_back");
    expect(log.activeTransaction).toBeNull();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(dataRows(rows).map((r) => r.end)).toEqual(["SE", "SE", "R1"]);
    expect([...committedOf(rows).keys()]).toEqual([k1]);
  });

  it("S_002 FR_019 rollback of a row carrying the pending S completes it with Sn (savepoint then rollback)", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    const k1 = key(BASE_MS, 1);
    const k2 = key(BASE_MS + 1, 2);
    tx.add(k1, val(1));
    tx.add(k2, val(2));
    tx.savepoint();
    tx.rollback(1);
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(dataRows(rows).map((r) => r.end)).toEqual(["RE", "S1"]);
    expect([...committedOf(rows).keys()]).toEqual([k1, k2]);
  });

  it("S_002 FR_019 rollback(0) of an empty transaction writes a null row; rollback(1) of one fails and writes nothing", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n });
    const tx = log.begin();
    expectRejected(
      path,
      () => tx.rollback(1),
      "invalid_input",
      "rollback target savepoint does not exist",
    );
    expect(tx.state).toBe("open");
    tx.rollback(0);
    expect(tx.state).toBe("rolled_back");
    log.close();
    const bytes = snapshot(path);
    expect(bytes.length).toBe(64 + 2 * n);
    expect(bytes.subarray(64 + n).equals(Buffer.from(encodeNullRow(0, n)))).toBe(true);
  });

  it("S_002 FR_019 rollback on an ended transaction fails with 'Rollback() cannot be called on committed transaction', before the range check", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.add(key(BASE_MS, 1), val(1));
    tx.commit();
    for (const n of [0, 1, 10]) {
      expectRejected(
        path,
        () => tx.rollback(n),
        "invalid_action",
        "Rollback() cannot be called on committed transaction",
      );
    }
    log.close();
  });
});

describe("S_002 FR_020 commit", () => {
  it("S_002 FR_020 commit of an empty transaction in an empty file writes the null row 00000000-0000-7000-8000-000000000000", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n });
    expect(log.maxTimestamp()).toBe(0);
    const tx = log.begin();
    tx.commit();
    expect(tx.state).toBe("committed");
    log.close();
    const bytes = snapshot(path);
    expect(bytes.length).toBe(64 + 2 * n);
    expect(bytes.subarray(64 + n).equals(Buffer.from(encodeNullRow(0, n)))).toBe(true);
    expect(bytes.subarray(64 + n + 2, 64 + n + 26).toString("latin1")).toBe(
      "AAAAAAAAcACAAAAAAAAAAA==",
    );
    const row = decodeFile(bytes).rows[1]!;
    expect(row).toMatchObject({ type: "null", key: "00000000-0000-7000-8000-000000000000" });
  });

  it("S_002 FR_020 a later empty commit carries the maximum timestamp (a rolled-back, out-of-order-newest row included)", () => {
    const n = 128;
    const { path, log } = newLog({ rowSize: n, skewMs: 100 });
    log.appendTransaction([{ key: key(BASE_MS, 1), value: val(1) }]);
    let tx = log.begin();
    tx.add(key(BASE_MS + 50, 2), val(2)); // newest, then rolled back
    tx.add(key(BASE_MS + 10, 3), val(3)); // older, within skew
    tx.rollback(0);
    tx = log.begin();
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(rows.at(-1)).toMatchObject({ type: "null", key: formatUuid(nullRowUuid(BASE_MS + 50)) });
    expect(
      snapshot(path)
        .subarray(-n)
        .equals(Buffer.from(encodeNullRow(BASE_MS + 50, n))),
    ).toBe(true);
  });

  it("S_002 FR_020 commit completes the last row with TC, or SC when it carries a savepoint; all rows become committed", () => {
    const { path, log } = newLog();
    const k = [0, 1, 2, 3].map((i) => key(BASE_MS + i, i));
    let tx = log.begin();
    tx.add(k[0]!, val(0));
    tx.add(k[1]!, val(1));
    tx.commit();
    tx = log.begin();
    tx.add(k[2]!, val(2));
    tx.savepoint();
    tx.add(k[3]!, val(3));
    tx.savepoint();
    tx.commit();
    log.close();
    const rows = decodeFile(snapshot(path)).rows;
    expect(dataRows(rows).map((r) => [r.start, r.end])).toEqual([
      ["T", "RE"],
      ["R", "TC"],
      ["T", "SE"],
      ["R", "SC"],
    ]);
    expect([...committedOf(rows).keys()]).toEqual(k);
  });

  it("S_002 FR_020 commit on an ended transaction fails with 'Commit() requires an active transaction (call Begin() first)'", () => {
    const { path, log } = newLog();
    const tx = log.begin();
    tx.commit();
    const msg = "Commit() requires an active transaction (call Begin() first)";
    expectRejected(path, () => tx.commit(), "invalid_action", msg);
    const tx2 = log.begin();
    tx2.add(key(BASE_MS, 1), val(1));
    tx2.rollback(0);
    expectRejected(path, () => tx2.commit(), "invalid_action", msg);
    log.close();
  });
});
