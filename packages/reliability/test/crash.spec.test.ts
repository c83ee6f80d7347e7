// Spec 006 (reliability), crash at any point: a real writer process
// (test/children/crash-writer.mjs, running the built package) commits random
// transaction shapes and is killed with SIGKILL after a random delay; then
// this process reopens the file in write mode and checks what it shows
// (FR-001), finishes the recovered transaction, writes again and verifies
// (FR-002). Most trials continue on one growing file, so later kills hit
// bigger files (past a checksum row in the extended run); every tenth trial
// starts a fresh file the child creates itself (kills during create).
//
// The trials run once, in a shared campaign; each test asserts one
// requirement on what the campaign found, so a failure names the requirement
// and lists every trial that broke it (with its seed).
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CorruptDatabaseError,
  create,
  type Database,
  type FinderStrategy,
  FrozenDBError,
  InvalidActionError,
  KeyNotFoundError,
  open,
  recover,
  type Transaction,
  uuidv7,
  verify,
} from "frozendb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExpectedContents,
  type PlannedTx,
  parseTrialLog,
  type TrialLog,
} from "./helpers/crash-model.js";
import { ensureDist, LineChild, seededRandom, sleep } from "./helpers/crash-processes.js";
import { extended, scale } from "./helpers/mode.js";

const MIN_TRIALS = scale(50, 1000);
const ROW_SIZE = 256;
const HEADER_AND_FIRST_CHECKSUM = 64 + ROW_SIZE;
const FINDERS: readonly FinderStrategy[] = ["simple", "inmemory", "binary_search"];
/** Every FRESH_EVERY-th trial the child creates a new file (and may be killed while creating it). */
const FRESH_EVERY = 10;
/** Rows written into a new growing file before the first trial (the first checksum row is due at 10,000). */
const PREFILL_ROWS = 9_800;
/**
 * The extended run starts a new growing file every ROTATE_EVERY trials: each
 * trial re-reads and verifies the whole file, and a file of 50,000 rows would
 * make the run hours long without finding more.
 */
const ROTATE_EVERY = 250;
/** Stop early once this many trials failed: the report is long enough to act on. */
const MAX_VIOLATIONS = 5;
const { FROZENDB_SEED } = process.env;
const BASE_SEED = Number(FROZENDB_SEED ?? Date.now() % 1_000_000_000);
const CAMPAIGN_TIMEOUT = scale(240_000, 4 * 3_600_000);

type Requirement = "FR_001" | "FR_002";

/** What the campaign counted (the summary line RELIABILITY.md quotes). */
interface CrashStats {
  trials: number;
  freshFiles: number;
  createKills: number;
  midTransaction: number;
  midBatch: number;
  recovered: number;
  recoveredCommitted: number;
  recoveredRolledBack: number;
  recoveredToSavepoint: number;
  tornTails: number;
  tornWrites: number;
  reportedChecked: number;
  rowsChecked: number;
  unreportedVisible: number;
  verified: number;
  growingRows: number;
  growingChecksumBlocks: number;
}

/** Delay before the kill: a third short (mid-first-calls), most mid-run, some late. */
function killDelay(random: () => number): number {
  const r = random();
  if (r < 0.3) return 1 + random() * 9;
  if (r < 0.7) return 10 + random() * 70;
  return 80 + random() * 120;
}

/** The value committed under `key` must be `value`, parsed and as stored text. */
function expectValue(db: Database, key: string, value: unknown): void {
  expect(db.get(key), `value of ${key}`).toEqual(value);
  expect(db.getRaw(key), `stored JSON of ${key}`).toBe(JSON.stringify(value));
}

/** `key` must not be readable (rolled back, uncommitted or never written). */
function expectInvisible(db: Database, key: string): void {
  expect(db.has(key), `${key} must not be visible`).toBe(false);
  expect(() => db.get(key), `${key} must not be readable`).toThrow(KeyNotFoundError);
}

/** How many of `adds` are visible; they must form a prefix (rows are kept up to a point, never a gap). */
function visiblePrefix(db: Database, adds: PlannedTx["adds"]): number {
  const visible = adds.map(([key]) => db.has(key));
  const count = visible.filter(Boolean).length;
  expect(visible.slice(0, count), "visible rows of one transaction form a prefix").not.toContain(
    false,
  );
  for (const [key, value] of adds.slice(0, count)) expectValue(db, key, value);
  return count;
}

class CrashCampaign {
  readonly stats: CrashStats = {
    trials: 0,
    freshFiles: 0,
    createKills: 0,
    midTransaction: 0,
    midBatch: 0,
    recovered: 0,
    recoveredCommitted: 0,
    recoveredRolledBack: 0,
    recoveredToSavepoint: 0,
    tornTails: 0,
    tornWrites: 0,
    reportedChecked: 0,
    rowsChecked: 0,
    unreportedVisible: 0,
    verified: 0,
    growingRows: 0,
    growingChecksumBlocks: 0,
  };
  readonly violations: Record<Requirement, string[]> = { FR_001: [], FR_002: [] };
  seconds = 0;
  readonly #dir: string;
  #growing: { path: string; expected: ExpectedContents };
  #generation = 0;

  constructor(dir: string) {
    this.#dir = dir;
    this.#growing = this.#newGrowingFile();
  }

  async run(): Promise<this> {
    const started = performance.now();
    for (let n = 0; n < MIN_TRIALS; n++) {
      if (this.violations.FR_001.length + this.violations.FR_002.length >= MAX_VIOLATIONS) break;
      if (n > 0 && n % ROTATE_EVERY === 0) {
        this.#finalCheck();
        this.#growing = this.#newGrowingFile();
      }
      await this.#trial(n);
    }
    this.#finalCheck();
    this.seconds = (performance.now() - started) / 1000;
    return this;
  }

  /** The line RELIABILITY.md quotes. */
  summary(): string {
    const s = this.stats;
    return (
      `crash (${extended ? "extended" : "default"}, seed ${BASE_SEED}): ${s.trials} SIGKILL trials in ${this.seconds.toFixed(1)} s; ` +
      `${s.midTransaction} kills mid-transaction (${s.midBatch} in a batch), ${s.createKills} of ${s.freshFiles} fresh files killed before create returned; ` +
      `${s.recovered} recovered active transactions (${s.recoveredCommitted} committed, ${s.recoveredRolledBack} rolled back, ` +
      `${s.recoveredToSavepoint} to a savepoint, ${s.tornTails} torn); ${s.tornWrites} torn writes recovered; ${s.reportedChecked} reported transactions and ` +
      `${s.rowsChecked} row reads checked, ${s.unreportedVisible} committed-but-unreported found whole; ` +
      `${s.verified} verify passes; ${this.#generation} growing file(s), largest ${s.growingRows} rows (${s.growingChecksumBlocks} checksum blocks)`
    );
  }

  /**
   * A new growing file, pre-filled to just under the first 10,000-row
   * checksum block so that the kills of the first trials land around the
   * checksum row and the later ones in a file past it.
   */
  #newGrowingFile(): { path: string; expected: ExpectedContents } {
    const path = join(this.#dir, `growing-${this.#generation++}.fdb`);
    create(path, { rowSize: ROW_SIZE });
    const expected = new ExpectedContents();
    const db = open(path, { mode: "write", sync: false });
    try {
      for (let batch = 0; batch < PREFILL_ROWS / 100; batch++) {
        const rows = Array.from({ length: 100 }, (_, i) => [uuidv7(), { batch, i }] as const);
        db.transaction((tx) => {
          for (const [key, value] of rows) tx.add(key, value);
        });
        expected.settle(rows, rows.length);
      }
    } finally {
      db.close();
    }
    return { path, expected };
  }

  async #trial(n: number): Promise<void> {
    const seed = BASE_SEED + n;
    const random = seededRandom(seed);
    const fresh = n % FRESH_EVERY === FRESH_EVERY - 1;
    const target = fresh
      ? { path: join(this.#dir, `fresh-${n}.fdb`), expected: new ExpectedContents() }
      : this.#growing;
    const finder = FINDERS[n % FINDERS.length]!;
    const killEarly = fresh && random() < 0.5;
    // Create is one write and two fsyncs: kill at once or within the first 3 ms.
    const delay = killEarly ? (random() < 0.5 ? 0 : random() * 3) : killDelay(random);
    const context = `trial ${n} (seed ${seed}, ${fresh ? "fresh" : "growing"} file ${target.path}, reopen finder ${finder}, kill ${delay.toFixed(1)} ms after ${killEarly ? "start" : "ready"})`;
    let requirement: Requirement = "FR_001";
    try {
      const log = await this.#runWriter(n, seed, target.path, fresh, killEarly, delay);
      if (fresh) this.stats.freshFiles++;
      if (fresh && !log.created && this.#killedDuringCreate(target.path)) {
        this.stats.trials++;
        return;
      }
      for (const tx of log.done) target.expected.settle(tx.adds, tx.keep);
      const db = this.#openWriterAfterKill(target.path, log, target.expected, finder, random);
      try {
        const active = this.#checkReported(db, log, target.expected, finder, random);
        requirement = "FR_002";
        this.#finishRecovered(db, active, log.pending, target.expected, random);
        this.#writeAgain(db, n, target.expected);
      } finally {
        db.close();
      }
      const report = verify(target.path);
      expect(report.openTransaction, "verify: no open transaction after finishing it").toBe(false);
      this.stats.verified++;
      if (!fresh) {
        this.stats.growingRows = Math.max(this.stats.growingRows, report.rows);
        this.stats.growingChecksumBlocks = Math.max(
          this.stats.growingChecksumBlocks,
          report.checksumBlocks,
        );
      }
      this.stats.trials++;
    } catch (error) {
      this.violations[requirement].push(`${context}: ${String(error)}`);
      // A broken file would fail every later trial for the same reason.
      if (!fresh) this.#growing = this.#newGrowingFile();
    }
  }

  /** Starts the writer, kills it with SIGKILL after `delay` ms, and returns what it printed. */
  async #runWriter(
    n: number,
    seed: number,
    path: string,
    fresh: boolean,
    killEarly: boolean,
    delay: number,
  ): Promise<TrialLog> {
    const options = {
      create: fresh,
      rowSize: ROW_SIZE,
      sync: n % 2 === 0,
      finder: FINDERS[(n + 1) % FINDERS.length],
      seed,
    };
    const child = new LineChild("crash-writer.mjs", [path, JSON.stringify(options)]);
    try {
      await child.waitFor((e) => e.e === (killEarly ? "starting" : "ready"));
      if (delay > 0) await sleep(delay);
    } finally {
      await child.killHard();
    }
    const exit = await child.exited;
    expect(exit.signal, `the writer died by itself: ${child.stderr}`).toBe("SIGKILL");
    const log = parseTrialLog(child.events);
    if (log.pending !== undefined) {
      this.stats.midTransaction++;
      if (log.pending.kind.startsWith("batch")) this.stats.midBatch++;
    }
    return log;
  }

  /**
   * Opens the killed writer's file for writing. SIGKILL can stop a write to a
   * regular file at a page boundary, leaving a torn tail: then write mode
   * refuses with `corrupt_database` naming `recover` (decisions, OP-4), read
   * mode already shows every reported commit, and `recover` removes only the
   * torn bytes, after which write mode opens.
   */
  #openWriterAfterKill(
    path: string,
    log: TrialLog,
    expected: ExpectedContents,
    finder: FinderStrategy,
    random: () => number,
  ): Database {
    try {
      return open(path, { mode: "write", finder });
    } catch (error) {
      if (!(error instanceof CorruptDatabaseError) || !/torn by a crash/.test(error.message)) {
        throw error;
      }
      expect(error.message).toMatch(/run recover/);
    }
    this.stats.tornWrites++;
    const reader = open(path, { mode: "read", finder });
    try {
      this.#checkReported(reader, log, expected, finder, random, false);
    } finally {
      reader.close();
    }
    const sizeBefore = statSync(path).size;
    const result = recover(path);
    expect(result.removedBytes, "recover removes only the torn bytes").toBeGreaterThan(0);
    expect(result.removedBytes).toBeLessThan(ROW_SIZE);
    expect(result.sizeAfter).toBe(sizeBefore - result.removedBytes);
    return open(path, { mode: "write", finder });
  }

  /**
   * A kill before `create` returned: the file is absent, or it exists and is
   * refused with a FrozenDBError, or create had finished its single write (then
   * the trial goes on). Returns true when there is nothing more to check.
   */
  #killedDuringCreate(path: string): boolean {
    if (!existsSync(path)) {
      this.stats.createKills++;
      return true;
    }
    if (statSync(path).size >= HEADER_AND_FIRST_CHECKSUM) return false;
    this.stats.createKills++;
    expect(() => open(path, { mode: "write" }), "a file cut during create").toThrow(FrozenDBError);
    return true;
  }

  /**
   * FR-001: every reported commit readable with the same values, rolled-back
   * keys invisible, the transaction killed mid-way either invisible (still
   * open) or whole (it ended before the child could say so). Returns the
   * recovered open transaction.
   */
  #checkReported(
    db: Database,
    log: TrialLog,
    expected: ExpectedContents,
    finder: FinderStrategy,
    random: () => number,
    settle = true,
  ): Transaction | null {
    for (const tx of log.done) {
      tx.adds.forEach(([key, value], i) => {
        if (i < tx.keep) expectValue(db, key, value);
        else expectInvisible(db, key);
      });
      this.stats.reportedChecked++;
      this.stats.rowsChecked += tx.adds.length;
    }
    // Older trials' rows, sampled (a `simple` lookup scans the file).
    const older = finder === "simple" ? 10 : 100;
    for (const key of expected.sampleCommitted(older, random)) {
      expectValue(db, key, expected.committed.get(key));
      this.stats.rowsChecked++;
    }
    for (const key of expected.sampleForbidden(older, random)) expectInvisible(db, key);
    const active = db.activeTransaction;
    // A read handle before `recover` checks what it sees and settles nothing.
    if (!settle) return active;
    if (log.pending !== undefined) this.#checkPending(db, log.pending, active, expected);
    else expect(active, "an open transaction the writer never began").toBeNull();
    // The whole file now and then (every trial would dominate the run time).
    if (random() < 0.25) this.#checkWholeFile(db, expected);
    return active;
  }

  /** The transaction the kill landed in (or just after): open and invisible, or ended whole. */
  #checkPending(
    db: Database,
    pending: PlannedTx,
    active: Transaction | null,
    expected: ExpectedContents,
  ): void {
    if (active !== null) {
      for (const [key] of pending.adds) expectInvisible(db, key);
      expect(active.rowCount, "recovered rows").toBeLessThanOrEqual(pending.adds.length);
      expect(active.savepointCount).toBeLessThanOrEqual(pending.savepointRows.length);
      return; // settled once it is finished (FR-002)
    }
    const kept = pending.adds.slice(0, pending.keep);
    for (const [key] of pending.adds.slice(pending.keep)) expectInvisible(db, key);
    const visible = kept.filter(([key]) => db.has(key)).length;
    expect([0, kept.length], "the killed transaction is all or nothing").toContain(visible);
    if (visible > 0) {
      for (const [key, value] of kept) expectValue(db, key, value);
      this.stats.unreportedVisible++;
    }
    expected.settle(pending.adds, visible);
  }

  /**
   * Every committed row of the file is one the model expects, with its value,
   * and none is missing. (Plain comparisons, one assertion: a file holds
   * thousands of rows.)
   */
  #checkWholeFile(db: Database, expected: ExpectedContents): void {
    const wrong: string[] = [];
    let seen = 0;
    for (const entry of db.entries()) {
      if (!expected.committed.has(entry.key)) wrong.push(`unexpected visible row ${entry.key}`);
      else if (entry.json !== JSON.stringify(expected.committed.get(entry.key))) {
        wrong.push(`${entry.key} holds ${entry.json}`);
      }
      seen++;
    }
    expect(wrong, "rows of the whole file").toEqual([]);
    expect(seen, "committed rows in the file").toBe(expected.committed.size);
  }

  /**
   * FR-002: the recovered transaction ends by commit, rollback(0) or
   * rollback to its last savepoint, in rotation; what it leaves visible is
   * exactly what that end promises.
   */
  #finishRecovered(
    db: Database,
    active: Transaction | null,
    pending: PlannedTx | undefined,
    expected: ExpectedContents,
    random: () => number,
  ): void {
    if (active === null || pending === undefined) return;
    this.stats.recovered++;
    const written = active.rowCount;
    const savepoints = active.savepointCount;
    const turn = this.stats.recovered % 3;
    const savepoint = turn === 2 && savepoints > 0 ? 1 + Math.floor(random() * savepoints) : 0;
    const commit = turn === 0;
    const adds: Array<readonly [string, unknown]> = [...pending.adds];
    try {
      endTransaction(active, commit, savepoint);
    } catch (error) {
      // A write torn by the kill (`1F R`, or a tail ending RE/SE): no row can
      // carry the end until one is added (behaviour §4.2).
      if (!(error instanceof InvalidActionError)) throw error;
      this.stats.tornTails++;
      const marker = [uuidv7(), { torn: true }] as const;
      active.add(marker[0], marker[1]);
      adds.splice(written, adds.length - written, marker);
      endTransaction(active, commit, savepoint);
    }
    expect(active.state).toBe(commit ? "committed" : "rolled_back");
    expect(db.activeTransaction).toBeNull();
    const visible = visiblePrefix(db, adds);
    if (commit) {
      this.stats.recoveredCommitted++;
      expect(visible, "a committed recovered transaction shows every written row").toBe(
        active.rowCount,
      );
    } else if (savepoint > 0) {
      this.stats.recoveredToSavepoint++;
      expect(visible, `rows kept by rollback(${savepoint})`).toBe(
        pending.savepointRows[savepoint - 1]! + 1,
      );
    } else {
      this.stats.recoveredRolledBack++;
      expect(visible, "rows kept by rollback(0)").toBe(0);
    }
    expected.settle(adds, visible);
  }

  /** FR-002: after recovery the file takes a new transaction (batch or call by call) that reads back. */
  #writeAgain(db: Database, n: number, expected: ExpectedContents): void {
    const rows = [0, 1, 2].map((i) => [uuidv7(), { afterKill: n, i }] as const);
    if (n % 2 === 0) {
      db.transaction((tx) => {
        for (const [key, value] of rows) tx.add(key, value);
      });
    } else {
      const tx = db.begin();
      for (const [key, value] of rows) {
        tx.add(key, value);
        tx.savepoint();
      }
      tx.commit();
    }
    for (const [key, value] of rows) expectValue(db, key, value);
    expected.settle(rows, rows.length);
  }

  /** At the end of a growing file: every key it ever committed, read back once. */
  #finalCheck(): void {
    const { path, expected } = this.#growing;
    try {
      const db = open(path, { mode: "read", finder: "inmemory" });
      try {
        const wrong: string[] = [];
        for (const [key, value] of expected.committed) {
          if (db.getRaw(key) !== JSON.stringify(value))
            wrong.push(`${key} holds ${db.getRaw(key)}`);
        }
        for (const key of expected.forbidden) if (db.has(key)) wrong.push(`${key} is visible`);
        expect(wrong, "every key the growing file ever got").toEqual([]);
        this.#checkWholeFile(db, expected);
      } finally {
        db.close();
      }
    } catch (error) {
      this.violations.FR_001.push(`final read of ${path}: ${String(error)}`);
    }
  }
}

function endTransaction(tx: Transaction, commit: boolean, savepoint: number): void {
  if (commit) tx.commit();
  else tx.rollback(savepoint);
}

let dir: string;
let campaign: Promise<CrashCampaign> | undefined;

/** Runs the trials once; every test reads the same result. */
function trials(): Promise<CrashCampaign> {
  campaign ??= new CrashCampaign(dir).run().then((done) => {
    console.log(done.summary());
    return done;
  });
  return campaign;
}

beforeAll(() => {
  ensureDist();
  dir = mkdtempSync(join(tmpdir(), "frozendb-crash-"));
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("S_006 crash safety", () => {
  it(
    "S_006 FR_001 after SIGKILL at a random moment a new write handle reads every reported commit with its values and no uncommitted or rolled-back row",
    async () => {
      const result = await trials();
      expect(result.violations.FR_001).toEqual([]);
      expect(result.stats.reportedChecked).toBeGreaterThan(0);
      expect(result.stats.midTransaction, "some kills landed mid-transaction").toBeGreaterThan(0);
    },
    CAMPAIGN_TIMEOUT,
  );

  it(
    "S_006 FR_002 after SIGKILL the recovered transaction commits or rolls back, writing continues and verify passes",
    async () => {
      const result = await trials();
      expect(result.violations.FR_002).toEqual([]);
      expect(result.stats.verified).toBe(result.stats.trials - result.stats.createKills);
      expect(result.stats.recovered, "some kills left an open transaction").toBeGreaterThan(0);
    },
    CAMPAIGN_TIMEOUT,
  );

  it(
    `S_006 FR_003 the ${extended ? "extended" : "default"} run executes at least ${MIN_TRIALS} crash trials`,
    async () => {
      const result = await trials();
      expect(result.stats.trials).toBeGreaterThanOrEqual(MIN_TRIALS);
    },
    CAMPAIGN_TIMEOUT,
  );
});
