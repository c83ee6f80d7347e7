/**
 * The frozendb client's read and write paths (issue: frozendb client
 * performance targets): `get` of random existing keys on a file of N rows
 * (row 256, ~150-byte JSON values) with each finder, `transaction(fn)` of 100
 * rows, and a full `entries()` scan. Reported per operation; ratios to the
 * txlog's own paths and to node:fs come from the same run.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type Database, type Entry, open, uuidv7 } from "frozendb";
import type { Benchmark } from "./harness.js";

const ROW_SIZE = 256;

function valueFor(i: number): Record<string, unknown> {
  return {
    id: i,
    user: `user-${String(i).padStart(8, "0")}`,
    email: `user${String(i).padStart(8, "0")}@example.com`,
    active: i % 2 === 0,
    score: Math.round(i * 7919.123) / 1000,
    tags: ["alpha", "beta", "gamma"],
  };
}

export interface ClientBenchmarks {
  readonly benchmarks: Benchmark[];
  readonly cleanup: () => void;
}

/** Client benchmarks over a prebuilt file of 100k (quick) or 1M rows. */
export function clientBenchmarks(quick: boolean): ClientBenchmarks {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-client-bench-"));
  const rows = quick ? 100_000 : 1_000_000;
  const label = quick ? "100k" : "1M";
  const path = join(dir, "big.fdb");
  create(path, { rowSize: ROW_SIZE, skewMs: 5000 });
  const keys: string[] = [];
  {
    const db = open(path, { mode: "write", finder: "inmemory", sync: false });
    for (let i = 0; i < rows; i += 100) {
      db.transaction((tx) => {
        for (let j = i; j < i + 100; j++) {
          const key = uuidv7();
          keys.push(key);
          tx.add(key, valueFor(j));
        }
      });
    }
    db.close();
  }
  const values = Array.from({ length: 1000 }, (_, i) => valueFor(i));
  let written = 0;
  const handles: Database[] = [];
  const reader = (finder: "simple" | "inmemory" | "binary_search") => {
    const db = open(path, { mode: "read", finder });
    handles.push(db);
    return db;
  };
  // A fixed pseudo-random order of keys, the same for every finder.
  let seed = 12345;
  const order = Array.from({ length: 100_000 }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return keys[seed % keys.length]!;
  });
  const getBench = (finder: "inmemory" | "binary_search", target: number): Benchmark => {
    let db: Database | undefined;
    let at = 0;
    return {
      name: `client get, ${finder}, ${label} rows`,
      group: "client read",
      note: "db.get of random existing keys, JSON.parse of a ~150-byte value included",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / target },
      run: (n) => {
        db ??= reader(finder);
        let acc = 0;
        for (let i = 0; i < n; i++) {
          acc += (db.get(order[at]!) as { id: number }).id;
          if (++at === order.length) at = 0;
        }
        return acc;
      },
    };
  };

  let writer: Database | undefined;
  let scan: IterableIterator<Entry> | undefined;
  const benchmarks: Benchmark[] = [
    getBench("binary_search", 150_000),
    getBench("inmemory", 250_000),
    {
      name: "client transaction(fn) of 100 rows, fsync off",
      group: "client write",
      note: "db.transaction((tx) => 100 × tx.add(key, object)): validation, JSON.stringify, one append",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / 400_000 },
      run: (n) => {
        if (writer === undefined) {
          const p = join(dir, `w-${Date.now()}.fdb`);
          create(p, { rowSize: ROW_SIZE, skewMs: 5000 });
          writer = open(p, { mode: "write", finder: "binary_search", sync: false });
          handles.push(writer);
        }
        const w = writer;
        let done = 0;
        while (done < n) {
          const batch = Math.min(100, n - done);
          w.transaction((tx) => {
            for (let i = 0; i < batch; i++) {
              // Keys and values made before timing (the big file's keys:
              // increasing, and new to this file); past them, fresh keys.
              const k = written < keys.length ? keys[written]! : uuidv7();
              tx.add(k, values[written % values.length]);
              written++;
            }
          });
          done += batch;
        }
        return done;
      },
    },
    {
      name: `client entries(), ${label} rows, values not parsed`,
      group: "client read",
      note: "full scan of committed rows in file order (key, timestamp, JSON text)",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / 1_000_000 },
      run: (n) => {
        // One scan carried across batches (restarted at the end of the
        // file): a batch of n entries measures the scan, not n restarts.
        const db = handles.find((h) => h.mode === "read") ?? reader("binary_search");
        let acc = 0;
        for (let seen = 0; seen < n; seen++) {
          scan ??= db.entries();
          const next = scan.next();
          if (next.done === true) {
            scan = undefined;
            seen--;
            continue;
          }
          acc += next.value.json.length;
        }
        return acc;
      },
    },
  ];
  return {
    benchmarks,
    cleanup: () => {
      for (const h of handles) h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
