// Spec 004 FR-017: `mapReads` reaches the transaction log; every read gives
// the same results with the memory map on and off, and the map's one hazard
// (a file cut under a running reader) is what the option documents.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { isFrozenDBError } from "../src/index.js";
import { DIST_URL, ensureDist } from "./helpers/child.js";
import {
  BASE_MS,
  buildFile,
  FINDERS,
  keyAt,
  newPath,
  openTracked,
  type RowSpec,
  txRows,
} from "./helpers/files.js";

beforeAll(() => ensureDist(), 300_000);

/** What a read gave: the value, or the error's code and message. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    if (!isFrozenDBError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

/**
 * About 1,200 rows: committed transactions, full and partial rollbacks, null rows,
 * a key written again after its rollback, and an open transaction at the end.
 */
function mixedFile(): { path: string; keys: string[] } {
  const rows: RowSpec[] = [];
  const keys: string[] = [];
  let n = 0;
  const next = () => {
    const key = keyAt(BASE_MS + n, n);
    n++;
    keys.push(key);
    return [key, `{"n":${n},"text":"${"x".repeat(n % 90)}"}`] as const;
  };
  for (let t = 0; t < 240; t++) {
    const size = 1 + (t % 9);
    const batch = Array.from({ length: size }, next);
    if (t % 7 === 3) rows.push(...txRows(batch, { rollback: 0 }));
    else if (t % 7 === 5 && size > 2) rows.push(...txRows(batch, { rollback: 1 }, [1]));
    else rows.push(...txRows(batch));
    if (t % 11 === 0) rows.push({ type: "null", timestamp: BASE_MS + n });
  }
  // A rolled-back key committed again later.
  rows.push(...txRows([[keys[3]!, '"again"']]));
  rows.push(...txRows([next(), next()], "open"));
  const path = newPath();
  buildFile(path, { rowSize: 256, skewMs: 1000, rows });
  // Absent keys next to present ones.
  for (let i = 0; i < 50; i++) keys.push(keyAt(BASE_MS + i * 17, 90_000 + i));
  return { path, keys };
}

describe("S_004 FR_017 memory-mapped reads", () => {
  it("S_004 FR_017 get, getRaw, has and entries give the same results with the map on and off, with every finder", () => {
    const { path, keys } = mixedFile();
    const reference = openTracked(path, { mode: "read", finder: "simple", mapReads: false });
    const expected = keys.map((k) => [
      outcome(() => reference.get(k)),
      outcome(() => reference.getRaw(k)),
      reference.has(k),
    ]);
    const expectedEntries = [...reference.entries()];
    expect(expected.filter((e) => e[2]).length).toBeGreaterThan(800);
    for (const finder of FINDERS) {
      for (const mapReads of [true, false]) {
        const db = openTracked(path, { mode: "read", finder, mapReads });
        const label = `${finder}, mapReads ${mapReads}`;
        const got = keys.map((k) => [
          outcome(() => db.get(k)),
          outcome(() => db.getRaw(k)),
          db.has(k),
        ]);
        expect(got, label).toEqual(expected);
        expect([...db.entries()], label).toEqual(expectedEntries);
      }
    }
  });

  it("S_004 FR_017 a file cut under a running reader: read_error with mapReads: false; with the map on the reader can be ended by SIGBUS (the documented hazard)", () => {
    // A child opens the file, reads a late key (the map now covers the
    // file), cuts the file to its first two pages as an outside program
    // might, then reads another key whose row is gone. (At a page boundary:
    // inside the last page the kernel shows zeros past the end instead.)
    const cutUnderReader = (mapReads: boolean) => {
      const { path } = mixedFile();
      const entries = [...openTracked(path, { mode: "read", mapReads: false }).entries()];
      // Two rows far from the first 20 and from each other (the second is not in the last read).
      const [first, second] = [entries.at(-5)!.key, entries[600]!.key];
      return spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { open } = await import(process.argv[1]);
           const fs = await import("node:fs");
           const [path, mapReads, first, second] = process.argv.slice(2);
           const db = open(path, { mode: "read", finder: "binary_search", follow: false, mapReads: mapReads === "true" });
           const before = db.getRaw(first);
           fs.truncateSync(path, 8192);
           try { db.getRaw(second); console.log(JSON.stringify({ before, after: "read" })); }
           catch (e) { console.log(JSON.stringify({ before, code: e.code })); }`,
          DIST_URL,
          path,
          String(mapReads),
          first,
          second,
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
    };
    const unmapped = cutUnderReader(false);
    expect(unmapped.signal, unmapped.stderr).toBeNull();
    expect(JSON.parse(unmapped.stdout)).toMatchObject({ code: "read_error" });
    expect(JSON.parse(unmapped.stdout).before).toMatch(/^\{"n":\d+,"text":"x*"\}$/);
    const mapped = cutUnderReader(true);
    expect(mapped.signal, mapped.stdout).toBe("SIGBUS");
  });
});
