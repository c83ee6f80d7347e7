// Byte-level assertions: after each API call the file holds exactly what the
// original writer produces (file-format §10.6 and the worked examples of §16).
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { create, open } from "../src/index.js";

const K1 = "01936b2e-5a10-7c3d-9e4f-0123456789ab";
const K2 = "01936b2e-5a11-7a01-b2c3-d4e5f6071829";
const K3 = "01936b2e-5a0f-7000-8000-00000000beef";
const K4 = "01936b2e-5a20-7bbb-8ccc-dddddddddddd";

function bytesOf(path: string): Buffer {
  return readFileSync(path);
}

function latin1(bytes: Buffer, from: number, to: number): string {
  return bytes.subarray(from, to).toString("latin1");
}

describe("S_002 writing order", () => {
  it("S_002 FR_017 each call appends exactly the bytes of file-format §16.2–§16.4", () => {
    const path = join(tempDir(), "example.fdb");
    create(path, { rowSize: 128, skewMs: 250 });
    expect(statSync(path).size).toBe(192);
    const log = open(path, { mode: "write" });
    const size = () => statSync(path).size;

    // Example B: Begin; AddRow(K1, {"n":1}); Savepoint; AddRow(K2, "two"); Rollback(1).
    const tx = log.begin();
    expect(size()).toBe(194);
    expect([...bytesOf(path).subarray(192, 194)]).toEqual([0x1f, 0x54]);
    tx.add(K1, '{"n":1}');
    expect(size()).toBe(315);
    expect(latin1(bytesOf(path), 194, 225)).toBe('AZNrLloQfD2eTwEjRWeJqw=={"n":1}');
    expect([...bytesOf(path).subarray(225, 315)].every((b) => b === 0)).toBe(true);
    tx.savepoint();
    expect(size()).toBe(316);
    expect(latin1(bytesOf(path), 315, 316)).toBe("S");
    tx.add(K2, '"two"');
    expect(size()).toBe(443);
    expect(latin1(bytesOf(path), 316, 320)).toBe("E52\n");
    expect(latin1(bytesOf(path), 320, 351)).toBe('\x1fRAZNrLloRegGyw9Tl9gcYKQ=="two"');
    tx.rollback(1);
    expect(size()).toBe(448);
    expect(latin1(bytesOf(path), 443, 448)).toBe("R14C\n");
    expect(tx.state).toBe("rolled_back");

    // Example C: an empty transaction becomes a null row carrying the maximum
    // timestamp (K2's, although rolled back); then a key older than the maximum.
    const empty = log.begin();
    expect(size()).toBe(450);
    empty.commit();
    expect(size()).toBe(576);
    const file = bytesOf(path);
    expect(latin1(file, 448, 474)).toBe("\x1fTAZNrLloRcACAAAAAAAAAAA==");
    expect(latin1(file, 571, 576)).toBe("NR4D\n");
    const older = log.begin();
    older.add(K3, "[true,null]");
    older.commit();
    expect(size()).toBe(704);
    expect(latin1(bytesOf(path), 699, 704)).toBe("TC4B\n");

    // Example D: partial-row states on disk.
    const open4 = log.begin();
    expect(size()).toBe(706);
    open4.add(K4, '{"p":0}');
    expect(size()).toBe(827);
    open4.savepoint();
    expect(size()).toBe(828);
    open4.commit();
    expect(size()).toBe(832);
    expect(latin1(bytesOf(path), 828, 832).slice(0, 1)).toBe("C");
    expect(bytesOf(path)[831]).toBe(0x0a);
    log.close();
  });
});
