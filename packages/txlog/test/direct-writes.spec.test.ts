// FR-035: appends go through the addon's write(2) when it is there, with the
// same bytes and the same failures as fs.writeSync (the failures under a real
// file size limit are in durability.spec.test.ts, for both paths).
import { describe, expect, it } from "vitest";
import { fileMapAvailable, open, type TxLog } from "../src/index.js";
import { BASE_MS, key, newDb, snapshot, val } from "./helpers/tx-util.js";

/** Every kind of call once or more: per-call adds, savepoints, rollbacks, null rows, batches, a checksum block. */
function writeEverything(log: TxLog): void {
  let ms = BASE_MS;
  const tx = log.begin();
  tx.add(key(ms++, 1), val(1));
  tx.savepoint();
  tx.add(key(ms++, 2), val(2));
  tx.rollback(1);
  log.begin().commit(); // a null row
  for (let t = 0; t < 105; t++) {
    const rows = [];
    for (let i = 0; i < 100; i++) rows.push({ key: key(ms++, i), value: val(i) });
    if (t % 2 === 0) {
      log.appendTransaction(rows);
    } else {
      const each = log.begin();
      for (const row of rows) each.add(row.key, row.value);
      each.commit();
    }
  }
  const open = log.begin();
  open.add(key(ms++, 7), val(7));
  open.savepoint();
}

describe("S_002 FR_035 direct appends", () => {
  it("S_002 FR_035 the addon's write(2) is used by default in write mode, never in read mode, not with directWrites: false", () => {
    // CI builds the addon with the workspace; a missing build fails here
    // rather than making every write slower unnoticed.
    expect(fileMapAvailable()).toBe(true);
    const path = newDb();
    const writer = open(path, { mode: "write" });
    expect(writer.writesDirect).toBe(true);
    writer.close();
    const plain = open(path, { mode: "write", directWrites: false });
    expect(plain.writesDirect).toBe(false);
    plain.close();
    const reader = open(path, { mode: "read", follow: false });
    expect(reader.writesDirect).toBe(false);
    reader.close();
  });

  it("S_002 FR_035 both write paths produce byte-identical files for the same calls (10,000-row checksum block included)", () => {
    const files = [true, false].map((directWrites) => {
      const path = newDb({ rowSize: 128, skewMs: 5 });
      const log = open(path, { mode: "write", sync: false, directWrites });
      expect(log.writesDirect).toBe(directWrites);
      writeEverything(log);
      log.close();
      return snapshot(path);
    });
    expect(files[0]!.length).toBe(files[1]!.length);
    // Past one checksum block: 10,500 data rows and a null row.
    expect(files[0]!.length).toBeGreaterThan(64 + 10_002 * 128);
    expect(files[0]!.equals(files[1]!)).toBe(true);
  });
});
