// Spec 006 (reliability), concurrency across processes: one writer process
// (test/children/concurrency-writer.mjs) and two reader processes
// (concurrency-reader.mjs, binary_search and inmemory finders) share a file
// for SECONDS; the writer pauses between the calls of its transactions so the
// readers look at the file mid-transaction, and rolls some back. While a
// writer runs, second writers (this process and concurrency-contender.mjs)
// try to open the file for writing. The writer is killed with SIGKILL
// mid-transaction and a new one takes over, finishing what it left open.
//
// The scenario runs once; each test asserts one requirement on what it
// recorded. Times are Date.now() in every process (one machine, one clock).
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, open, verify } from "frozendb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Commit,
  type Expectations,
  expectations,
  percentile,
  type WriterEvent,
} from "./helpers/concurrency-analysis.js";
import { type ChildEvent, ensureDist, LineChild, sleep } from "./helpers/crash-processes.js";
import { extended, scale } from "./helpers/mode.js";

const SECONDS = scale(12, 60);
/** Writers killed and replaced during the run. */
const KILLS = scale(1, 3);
const READER_FINDERS = ["binary_search", "inmemory"] as const;
const VISIBILITY_MS = 100;
const LOCKED = "another process has the database locked";
const { FROZENDB_SEED } = process.env;
const BASE_SEED = Number(FROZENDB_SEED ?? Date.now() % 1_000_000_000);
const SCENARIO_TIMEOUT = (SECONDS + 120) * 1000;

/** One attempt of a second writer to open the file for writing. */
interface Attempt {
  readonly who: "test process" | "contender process";
  readonly opened: boolean;
  readonly code?: string;
  readonly message?: string;
  /** The bytes the file held before the attempt are still there, unchanged. */
  readonly unchanged: boolean;
}

/** What a reader process reported at the end. */
interface ReaderReport {
  readonly finder: string;
  readonly exitCode: number | null;
  readonly errors: ReadonlyArray<{ where: string; code?: string; message: string }>;
  /** Rows db.watch() yielded: [key, at, json]. */
  readonly watched: ReadonlyArray<readonly [string, number, string]>;
  /** Announced keys db.getRaw first returned: [key, [at, json]]. */
  readonly seen: ReadonlyArray<readonly [string, readonly [number, string]]>;
  /** Announced keys readable at the end: [key, json]. */
  readonly finalVisible: ReadonlyArray<readonly [string, string]>;
  readonly polls: number;
}

/** Everything the scenario recorded. */
interface Scenario {
  readonly path: string;
  readonly writerEvents: readonly WriterEvent[];
  readonly writerExits: ReadonlyArray<NodeJS.Signals | number | null>;
  readonly attempts: readonly Attempt[];
  readonly readers: readonly ReaderReport[];
  /** The file's committed rows at the end, in file order: [key, json]. */
  readonly fileRows: ReadonlyArray<readonly [string, string]>;
  readonly expected: Expectations;
  readonly seconds: number;
}

/** SHA-256 of the first `size` bytes of `path`. */
function hashPrefix(path: string, size: number): string {
  const bytes = Buffer.alloc(size);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return createHash("sha256").update(bytes).digest("hex");
}

/** FR-012 from this process: open for writing while the writer child holds the lock. */
function attemptHere(path: string): Attempt {
  const size = statSync(path).size;
  const before = hashPrefix(path, size);
  let outcome: Pick<Attempt, "opened" | "code" | "message">;
  try {
    open(path, { mode: "write" }).close();
    outcome = { opened: true };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    outcome = { opened: false, ...(code === undefined ? {} : { code }), message };
  }
  const unchanged = statSync(path).size >= size && hashPrefix(path, size) === before;
  return { who: "test process", ...outcome, unchanged };
}

/** The next event from `child` that `match` accepts (events already received do not count). */
function nextEvent(
  child: LineChild,
  match: (event: ChildEvent) => boolean,
  timeoutMs = 20_000,
): Promise<ChildEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event in ${timeoutMs} ms: ${child.stderr}`));
    }, timeoutMs);
    const off = child.onEvent((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

class ConcurrencyRun {
  readonly #path: string;
  readonly #readers: ReadonlyArray<readonly [string, LineChild]>;
  readonly #writerEvents: WriterEvent[] = [];
  readonly #writerExits: Array<NodeJS.Signals | number | null> = [];
  readonly #attempts: Attempt[] = [];
  /** Every process started, to kill what is left if the run fails. */
  readonly #children: LineChild[] = [];

  constructor(path: string) {
    this.#path = path;
    this.#readers = READER_FINDERS.map(
      (finder) => [finder, this.#spawn("concurrency-reader.mjs", [path, finder])] as const,
    );
  }

  async run(): Promise<Scenario> {
    try {
      return await this.#run();
    } finally {
      // After a failure, no child may outlive the test.
      await Promise.all(this.#children.map((child) => child.killHard()));
    }
  }

  async #run(): Promise<Scenario> {
    const started = performance.now();
    await Promise.all(this.#readers.map(([, r]) => r.waitFor((e) => e.e === "ready")));
    const segmentMs = (SECONDS * 1000) / (KILLS + 1);
    let writer = this.#startWriter(0);
    for (let generation = 0; ; generation++) {
      await writer.waitFor((e) => e.e === "ready");
      const segmentEnd = Date.now() + segmentMs;
      await this.#contend(writer);
      await sleep(Math.max(0, segmentEnd - Date.now()));
      if (generation === KILLS) break;
      await this.#killMidTransaction(writer);
      writer = this.#startWriter(generation + 1);
    }
    writer.send({ op: "stop" });
    await writer.waitFor((e) => e.e === "stopped");
    this.#writerExits.push((await writer.exited).code);
    // The readers see the last commit within milliseconds; give them far more.
    await sleep(500);
    const readers = await this.#finishReaders();
    const fileRows = this.#readFile();
    return {
      path: this.#path,
      writerEvents: this.#writerEvents,
      writerExits: this.#writerExits,
      attempts: this.#attempts,
      readers,
      fileRows,
      expected: expectations(this.#writerEvents, new Map(fileRows)),
      seconds: (performance.now() - started) / 1000,
    };
  }

  #spawn(script: string, args: readonly string[]): LineChild {
    const child = new LineChild(script, args);
    this.#children.push(child);
    return child;
  }

  /** Starts writer `generation`, recording its events and announcing its keys to the readers. */
  #startWriter(generation: number): LineChild {
    const options = { seed: BASE_SEED + generation, generation };
    const writer = this.#spawn("concurrency-writer.mjs", [this.#path, JSON.stringify(options)]);
    writer.onEvent((event) => {
      this.#writerEvents.push({ generation, event });
      // Readers poll the keys of each planned transaction, and the row a
      // takeover adds to end a torn one.
      let keys: string[] = [];
      if (event.e === "plan") keys = event.adds!.map(([k]) => k);
      else if (event.e === "recovered" && event.marker !== undefined) {
        keys = [event.marker[0]];
      }
      if (keys.length === 0) return;
      for (const [, reader] of this.#readers) reader.send({ op: "track", keys });
    });
    return writer;
  }

  /**
   * FR-012 while `writer` runs: a contender process tries 10 times, this
   * process 5 times in between.
   */
  async #contend(writer: LineChild): Promise<void> {
    const contender = this.#spawn("concurrency-contender.mjs", [this.#path, "10", "40"]);
    for (let i = 0; i < 5 && writer.running; i++) {
      this.#attempts.push(attemptHere(this.#path));
      await sleep(80);
    }
    await contender.exited;
    for (const event of contender.events) {
      if (event.e !== "attempt") continue;
      const { opened, code, message, unchanged } = event as unknown as Attempt;
      this.#attempts.push({
        who: "contender process",
        opened,
        unchanged,
        ...(code === undefined ? {} : { code }),
        ...(message === undefined ? {} : { message }),
      });
    }
    expect(contender.events.at(-1)?.e, `contender failed: ${contender.stderr}`).toBe("end");
  }

  /** SIGKILL as soon as the writer says it pauses inside a transaction (it has rows on disk, uncommitted). */
  async #killMidTransaction(writer: LineChild): Promise<void> {
    await nextEvent(writer, (e) => {
      if (e.e !== "pause") return false;
      void writer.killHard();
      return true;
    });
    this.#writerExits.push((await writer.exited).signal);
  }

  async #finishReaders(): Promise<ReaderReport[]> {
    return Promise.all(
      this.#readers.map(async ([finder, reader]) => {
        if (!reader.running) {
          const exit = await reader.exited;
          throw new Error(`reader ${finder} died (${exit.code ?? exit.signal}): ${reader.stderr}`);
        }
        reader.send({ op: "finish" });
        const report = await reader.waitFor((e) => e.e === "report");
        const exit = await reader.exited;
        return { ...(report as unknown as ReaderReport), finder, exitCode: exit.code };
      }),
    );
  }

  #readFile(): Array<readonly [string, string]> {
    const db = open(this.#path, { mode: "read", finder: "simple", follow: false });
    try {
      return [...db.entries()].map((entry) => [entry.key, entry.json] as const);
    } finally {
      db.close();
    }
  }
}

/** Visibility delays of every commit with a known time, per way of looking, over both readers. */
function visibilityDelays(scenario: Scenario): {
  get: number[];
  watch: number[];
  problems: string[];
} {
  const get: number[] = [];
  const watch: number[] = [];
  const problems: string[] = [];
  for (const reader of scenario.readers) {
    const seen = new Map(reader.seen.map(([key, [at]]) => [key, at]));
    const watched = new Map(reader.watched.map(([key, at]) => [key, at]));
    for (const commit of scenario.expected.commits) {
      if (commit.at === undefined) continue;
      for (const [way, times, delays] of [
        ["get", seen, get],
        ["watch", watched, watch],
      ] as const) {
        const delay = delayOf(commit, times);
        if (delay === undefined)
          problems.push(`${reader.finder} never saw ${commit.label} by ${way}`);
        else delays.push(delay);
      }
    }
  }
  return { get, watch, problems };
}

/** When the last row of `commit` became visible, relative to the commit; undefined if one never did. */
function delayOf(commit: Commit, times: ReadonlyMap<string, number>): number | undefined {
  let last = Number.NEGATIVE_INFINITY;
  for (const key of commit.rows.keys()) {
    const at = times.get(key);
    if (at === undefined) return undefined;
    last = Math.max(last, at);
  }
  return last - commit.at!;
}

/** Every row a reader saw: committed, not before its transaction's end began, with its value. */
function sightingProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const commitOf = new Map<string, Commit>();
  for (const commit of scenario.expected.commits) {
    for (const key of commit.rows.keys()) commitOf.set(key, commit);
  }
  for (const reader of scenario.readers) {
    const sightings = [
      ...reader.seen.map(([key, [at, json]]) => ["get", key, at, json] as const),
      ...reader.watched.map(([key, at, json]) => ["watch", key, at, json] as const),
    ];
    for (const [way, key, at, json] of sightings) {
      const commit = commitOf.get(key);
      const where = `${reader.finder} ${way} ${key}`;
      if (scenario.expected.forbidden.has(key)) problems.push(`${where}: a rolled-back row`);
      else if (commit === undefined) problems.push(`${where}: a row no writer committed`);
      else if (at < commit.startAt) {
        problems.push(`${where}: seen ${commit.startAt - at} ms before ${commit.label} ended`);
      } else if (json !== commit.rows.get(key)) problems.push(`${where}: value ${json}`);
    }
  }
  return problems;
}

function figures(values: readonly number[]): string {
  return `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms (${values.length} commit×reader)`;
}

let dir: string;
let scenario: Promise<Scenario> | undefined;

/** Runs the scenario once; every test reads the same record. */
function recorded(): Promise<Scenario> {
  scenario ??= (async () => {
    const path = join(dir, "shared.fdb");
    create(path, { rowSize: 256 });
    const result = await new ConcurrencyRun(path).run();
    const delays = visibilityDelays(result);
    console.log(
      `concurrency (${extended ? "extended" : "default"}, seed ${BASE_SEED}): ${result.seconds.toFixed(1)} s, ` +
        `1 writer + ${result.readers.length} readers, ${KILLS} writer kill(s) and takeover(s); ` +
        `${result.expected.commits.length} commits, ${result.expected.forbidden.size} rolled-back keys, ` +
        `${result.fileRows.length} rows; visibility by get: ${figures(delays.get)}; by watch: ${figures(delays.watch)}; ` +
        `takeovers recovered ${result.expected.takeovers.map((t) => `${t.rowCount ?? "no"} open rows`).join(", ")}; ` +
        `${result.attempts.length} second-writer attempts refused; reader polls ${result.readers.map((r) => r.polls).join("/")}`,
    );
    return result;
  })();
  return scenario;
}

beforeAll(() => {
  ensureDist();
  dir = mkdtempSync(join(tmpdir(), "frozendb-concurrency-"));
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("S_006 concurrency across processes", () => {
  it(
    `S_006 FR_011 two reader processes never see an uncommitted or rolled-back row, never fail, and see each commit of a writer process within ${VISIBILITY_MS} ms (p99)`,
    async () => {
      const result = await recorded();
      expect(result.expected.problems).toEqual([]);
      for (const reader of result.readers) {
        expect(reader.errors, `${reader.finder} reader errors`).toEqual([]);
        expect(reader.exitCode, `${reader.finder} reader exit`).toBe(0);
        // watch() yields exactly the file's committed rows, in file order.
        expect(reader.watched.map(([key]) => key)).toEqual(result.fileRows.map(([key]) => key));
        const committed = new Set(result.fileRows.map(([key]) => key));
        const announcedVisible = reader.finalVisible.map(([key]) => key);
        expect(announcedVisible.filter((key) => !committed.has(key))).toEqual([]);
      }
      expect(sightingProblems(result)).toEqual([]);
      // The file holds exactly the commits, with their values.
      const expectedRows = new Map(
        result.expected.commits.flatMap((commit) => [...commit.rows.entries()]),
      );
      expect(new Map(result.fileRows)).toEqual(expectedRows);
      expect(verify(result.path).openTransaction).toBe(false);
      const delays = visibilityDelays(result);
      expect(delays.problems).toEqual([]);
      expect(delays.get.length).toBeGreaterThan(20);
      expect(percentile(delays.get, 99), `get: ${figures(delays.get)}`).toBeLessThanOrEqual(
        VISIBILITY_MS,
      );
      expect(percentile(delays.watch, 99), `watch: ${figures(delays.watch)}`).toBeLessThanOrEqual(
        VISIBILITY_MS,
      );
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "S_006 FR_012 a second writer, in another process or this one, always gets write_error and changes no byte of the file",
    async () => {
      const { attempts } = await recorded();
      expect(attempts.filter((a) => a.who === "contender process").length).toBe(10 * (KILLS + 1));
      expect(attempts.filter((a) => a.who === "test process").length).toBeGreaterThanOrEqual(
        KILLS + 1,
      );
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ opened: false, code: "write_error", unchanged: true });
        expect(attempt.message).toContain(LOCKED);
      }
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "S_006 FR_013 readers keep working while the writer is killed and a new writer takes over, and see the new writer's commits",
    async () => {
      const result = await recorded();
      expect(result.writerExits).toEqual([...Array(KILLS).fill("SIGKILL"), 0]);
      expect(result.expected.takeovers).toHaveLength(KILLS);
      for (const reader of result.readers) {
        expect(reader.errors, `${reader.finder} reader errors`).toEqual([]);
        const seen = new Set(reader.seen.map(([key]) => key));
        const watched = new Set(reader.watched.map(([key]) => key));
        for (let generation = 1; generation <= KILLS; generation++) {
          const theirs = result.expected.commits.filter((c) => c.generation === generation);
          expect(theirs.length, `commits of writer ${generation}`).toBeGreaterThan(0);
          for (const commit of theirs) {
            for (const key of commit.rows.keys()) {
              expect(watched.has(key), `${reader.finder} watch ${commit.label}`).toBe(true);
              expect(seen.has(key), `${reader.finder} get ${commit.label}`).toBe(true);
            }
          }
        }
      }
    },
    SCENARIO_TIMEOUT,
  );
});
