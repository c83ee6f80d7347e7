/**
 * Transaction-log throughput (issue: @frozendb/txlog performance targets),
 * measured on real files in a temp folder, with the machine's own limits
 * measured in the same run: one `write` per row and one `write` per 100-row
 * batch with plain node:fs.
 *
 * Row size 256, ~150-byte JSON values, transactions of 100 rows. Keys are
 * generated before timing (key generation is the caller's cost). The
 * duplicate-key check is the one the `frozendb` client gives the log: a
 * `binary_search` finder of `@frozendb/index` over the same log; txlog's
 * default (a scan of the skew window) is for standalone use and is not what
 * is measured here.
 */

import { mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeDataRow, parseUuid, uuidv7 } from "@frozendb/codec";
import { createFinder, type Finder } from "@frozendb/index";
import { create, type NewRow, open, type Transaction, type TxLog, verify } from "@frozendb/txlog";
import type { Benchmark } from "./harness.js";

const ROW_SIZE = 256;
const TX_ROWS = 100;

/** ~150-byte JSON value for row `i`. */
function valueFor(i: number): string {
  return JSON.stringify({
    id: i,
    user: `user-${String(i).padStart(8, "0")}`,
    email: `user${String(i).padStart(8, "0")}@example.com`,
    active: i % 2 === 0,
    score: Math.round(i * 7919.123) / 1000,
    tags: ["alpha", "beta", "gamma"],
  });
}

/**
 * Pre-generated rows: keys (monotonic UUIDv7, all within one skew window) and
 * values, made before any timing. Each benchmark reads them through its own
 * cursor (each writes its own file, so files may share keys): generating a
 * key and a value inside the timed loop would cost about as much as the
 * append being measured.
 */
class RowSupply {
  readonly #keys: Uint8Array[] = [];
  readonly #values: string[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.#make();
  }

  /** An independent reader of the rows, from the first. */
  cursor(): { next(): NewRow } {
    let i = 0;
    return {
      next: () => {
        // Past the pre-generated rows (a long run): make more, later keys.
        if (i >= this.#keys.length) this.#make();
        const row = { key: this.#keys[i]!, value: this.#values[i]! };
        i++;
        return row;
      },
    };
  }

  #make(): void {
    this.#keys.push(parseUuid(uuidv7()));
    this.#values.push(valueFor(this.#values.length));
  }
}

/**
 * A log opened for writing whose duplicate check asks a `binary_search`
 * finder kept current by the log's row notifications (the client's setup).
 */
function openWriter(path: string, sync: boolean): { log: TxLog } {
  let finder: Finder | undefined;
  const log = open(path, {
    mode: "write",
    sync,
    isKeyCommitted: (key) => (finder?.getIndices(key).length ?? 0) > 0,
  });
  finder = createFinder(log, "binary_search");
  return { log };
}

export interface TxlogBenchmarks {
  readonly benchmarks: Benchmark[];
  readonly cleanup: () => void;
}

/** The txlog benchmarks; `quick` shrinks the prebuilt file used for open and verify. */
export function txlogBenchmarks(quick: boolean): TxlogBenchmarks {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-bench-"));
  let fileNo = 0;
  const newFile = () => {
    const path = join(dir, `bench-${fileNo++}.fdb`);
    create(path, { rowSize: ROW_SIZE, skewMs: 5000 });
    return path;
  };
  const supply = new RowSupply(quick ? 200_000 : 1_000_000);
  const toClose: Array<{ close(): void }> = [];

  const callByCall = (sync: boolean): Benchmark["run"] => {
    let state:
      | {
          log: TxLog;
          rows: { next(): NewRow };
          tx: Transaction | undefined;
          inTx: number;
        }
      | undefined;
    return (n) => {
      if (state === undefined) {
        const w = openWriter(newFile(), sync);
        toClose.push(w.log);
        state = { ...w, rows: supply.cursor(), tx: undefined, inTx: 0 };
      }
      const s = state;
      for (let i = 0; i < n; i++) {
        if (s.tx === undefined) s.tx = s.log.begin();
        const row = s.rows.next();
        s.tx.add(row.key, row.value, { trustedJson: true });
        if (++s.inTx === TX_ROWS) {
          s.tx.commit();
          s.tx = undefined;
          s.inTx = 0;
        }
      }
      return s.log.size;
    };
  };

  const batched = (): Benchmark["run"] => {
    let state: { log: TxLog; rows: { next(): NewRow }; pending: NewRow[] } | undefined;
    return (n) => {
      if (state === undefined) {
        const w = openWriter(newFile(), false);
        toClose.push(w.log);
        state = { ...w, rows: supply.cursor(), pending: [] };
      }
      const s = state;
      for (let i = 0; i < n; i++) {
        const row = s.rows.next();
        s.pending.push(row);
        if (s.pending.length === TX_ROWS) {
          s.log.appendTransaction(s.pending, { trustedJson: true });
          s.pending = [];
        }
      }
      return s.log.size;
    };
  };

  // The machine's limits: the same bytes written with plain node:fs.
  const rowBytes = encodeDataRow(
    {
      startControl: "R",
      endControl: "RE",
      key: parseUuid(uuidv7()),
      value: new TextEncoder().encode(valueFor(1)),
    },
    ROW_SIZE,
  );
  const fsPerRow = (): Benchmark["run"] => {
    let fd: number | undefined;
    return (n) => {
      fd ??= openSync(join(dir, `fs-row-${fileNo++}.bin`), "a");
      for (let i = 0; i < n; i++) writeSync(fd, rowBytes);
      return fd;
    };
  };
  const batchBytes = new Uint8Array(ROW_SIZE * TX_ROWS);
  for (let i = 0; i < TX_ROWS; i++) batchBytes.set(rowBytes, i * ROW_SIZE);
  const fsPerBatch = (): Benchmark["run"] => {
    let fd: number | undefined;
    let inBatch = 0;
    return (n) => {
      fd ??= openSync(join(dir, `fs-batch-${fileNo++}.bin`), "a");
      for (let i = 0; i < n; i++) {
        if (++inBatch === TX_ROWS) {
          writeSync(fd, batchBytes);
          inBatch = 0;
        }
      }
      return fd;
    };
  };

  // A prebuilt file for open and verify.
  const bigRows = quick ? 100_000 : 1_000_000;
  const bigPath = newFile();
  {
    const { log } = openWriter(bigPath, false);
    const rows = supply.cursor();
    const pending: NewRow[] = [];
    for (let i = 0; i < bigRows; i++) {
      pending.push(rows.next());
      if (pending.length === TX_ROWS) {
        log.appendTransaction(pending, { trustedJson: true });
        pending.length = 0;
      }
    }
    log.close();
  }
  const bigSize = statSync(bigPath).size;
  const label = quick ? "100k" : "1M";

  const benchmarks: Benchmark[] = [
    {
      name: "txlog add, call by call, tx of 100, fsync off",
      group: "txlog write",
      note: "Transaction.add per row (one write per call, the original's on-disk order), commit every 100 rows",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / 150_000 },
      peer: "fs: one write per row",
      run: callByCall(false),
    },
    {
      name: "fs: one write per row",
      group: "txlog write",
      note: "baseline: writeSync of a 256-byte row per row (the machine's per-call limit)",
      quick: true,
      run: fsPerRow(),
    },
    {
      name: "txlog appendTransaction of 100, fsync off",
      group: "txlog write",
      note: "one write per 100-row transaction, same bytes as call by call",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / 500_000 },
      peer: "fs: one write per 100-row batch",
      run: batched(),
    },
    {
      name: "fs: one write per 100-row batch",
      group: "txlog write",
      note: "baseline: writeSync of 25.6 KB per 100 rows",
      quick: true,
      run: fsPerBatch(),
    },
    {
      name: "txlog add, call by call, tx of 100, fdatasync at commit",
      group: "txlog write",
      note: "durable commits: fdatasync once per 100-row transaction",
      quick: true,
      target: { kind: "max-ns-per-op", value: 1e9 / 70_000 },
      syncs: true,
      run: callByCall(true),
    },
    {
      name: `txlog open+close, ${label}-row file, read mode`,
      group: "txlog open",
      note: "header, first checksum row and the tail window only",
      quick: true,
      target: { kind: "max-ns-per-op", value: 10_000_000 },
      run: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const log = open(bigPath, { mode: "read", follow: false });
          acc += log.rowCount();
          log.close();
        }
        return acc;
      },
    },
    {
      name: `txlog open+close, ${label}-row file, write mode`,
      group: "txlog open",
      note: "also takes the flock",
      quick: true,
      target: { kind: "max-ns-per-op", value: 10_000_000 },
      run: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const log = open(bigPath, { mode: "write" });
          acc += log.rowCount();
          log.close();
        }
        return acc;
      },
    },
    {
      name: `txlog verify, ${label}-row file`,
      group: "txlog verify",
      note: "every row's structure and parity, every checksum, from the page cache",
      quick: true,
      bytesPerOp: bigSize,
      target: { kind: "min-bytes-per-second", value: 1e9 },
      run: (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += verify(bigPath).dataRows;
        return acc;
      },
    },
  ];

  return {
    benchmarks,
    cleanup: () => {
      for (const c of toClose) c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
