// Child processes of the crash and concurrency suites: they run the BUILT
// `frozendb` (packages/client/dist, resolved through this package's
// node_modules), so a kill lands in the code users run, not in vitest's
// transformed sources. Children talk in JSON lines on stdout (events) and
// stdin (commands).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/reliability: children run here so `import "frozendb"` resolves the workspace package. */
export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));
const REPO = join(PACKAGE_DIR, "../../");

/** Absolute path of a child script in test/children. */
export function childScript(name: string): string {
  return join(PACKAGE_DIR, "test", "children", name);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function staleReason(pkg: string): string | undefined {
  const dist = join(REPO, "packages", pkg, "dist", "index.js");
  if (!existsSync(dist)) return `${dist} is missing`;
  if (statSync(dist).mtimeMs < newestMtime(join(REPO, "packages", pkg, "src"))) {
    return `${pkg}/src is newer than its dist`;
  }
  return undefined;
}

/**
 * Builds `frozendb` and the packages it needs when a dist is missing or older
 * than its sources: the children run plain Node on the built output, and a
 * stale build would test yesterday's code.
 */
export function ensureDist(): void {
  // Test files run in parallel workers: one builds, the others wait and then
  // find the dist current (two builds at once would rewrite files a running
  // child is importing).
  withBuildLock(() => {
    const reasons = ["codec", "txlog", "index", "client"].map(staleReason).filter(Boolean);
    if (reasons.length > 0) build(reasons as string[]);
  });
}

const BUILD_LOCK = join(tmpdir(), "frozendb-reliability-build.lock");

function withBuildLock(fn: () => void): void {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, "wx"));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      // A lock left by a killed run is older than any build takes.
      const held = statSync(BUILD_LOCK, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > 300_000) {
        rmSync(BUILD_LOCK, { force: true });
      }
      if (Date.now() > deadline) throw new Error(`${BUILD_LOCK} held for 5 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

function build(reasons: readonly string[]): void {
  const run = spawnSync(
    "pnpm",
    ["turbo", "run", "build", "--filter=frozendb", "--output-logs=errors-only"],
    { cwd: REPO, encoding: "utf8", timeout: 240_000 },
  );
  if (run.status !== 0) {
    throw new Error(
      `building frozendb failed (${reasons.join("; ")}): ${run.error ?? ""}\n${run.stdout}\n${run.stderr}`,
    );
  }
}

/** One event line a child printed: a JSON object with an `e` field (see each child script). */
export interface ChildEvent {
  readonly e: string;
  readonly id?: number;
  readonly at?: number;
  readonly startAt?: number;
  readonly rowCount?: number;
  readonly none?: boolean;
  readonly marker?: [string, unknown];
  readonly adds?: Array<[string, unknown]>;
  readonly [field: string]: unknown;
}

/**
 * A running child script. Every stdout line is parsed as JSON and kept in
 * arrival order; listeners see each line as it comes.
 */
export class LineChild {
  readonly events: ChildEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #listeners = new Set<(event: ChildEvent) => void>();
  #buffer = "";
  #stderr = "";

  constructor(script: string, args: readonly string[]) {
    this.#child = spawn(process.execPath, [childScript(script), ...args], {
      cwd: PACKAGE_DIR,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.#child.stdout?.on("data", (chunk: Buffer) => this.#take(chunk.toString()));
    this.#child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    // A killed child's stdin may already be closed when the test writes to it.
    this.#child.stdin?.on("error", () => {});
    // "close", not "exit": only then has every line the child wrote been read.
    this.exited = new Promise((resolve) =>
      this.#child.on("close", (code, signal) => resolve({ code, signal })),
    );
  }

  /** What the child wrote on stderr so far (for failure messages). */
  get stderr(): string {
    return this.#stderr;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  onEvent(listener: (event: ChildEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the first event (already received or later) that `match`
   * accepts; rejects if the child exits first or after `timeoutMs`.
   */
  waitFor(match: (event: ChildEvent) => boolean, timeoutMs = 20_000): Promise<ChildEvent> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`child sent no matching event in ${timeoutMs} ms: ${this.#stderr}`));
      }, timeoutMs);
      const unsubscribe = this.onEvent((event) => {
        if (!match(event)) return;
        stop();
        resolve(event);
      });
      void this.exited.then(({ code, signal }) => {
        stop();
        reject(new Error(`child exited (${code ?? signal}) first: ${this.#stderr}`));
      });
    });
  }

  /** Sends one command line to the child's stdin. */
  send(command: Record<string, unknown>): void {
    if (this.running) this.#child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** SIGKILL, then waits for the exit (nothing the child does afterwards reaches the file). */
  async killHard(): Promise<void> {
    if (this.running) this.#child.kill("SIGKILL");
    await this.exited;
  }

  #take(text: string): void {
    this.#buffer += text;
    for (let nl = this.#buffer.indexOf("\n"); nl >= 0; nl = this.#buffer.indexOf("\n")) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line) as ChildEvent;
      this.events.push(event);
      for (const listener of [...this.#listeners]) listener(event);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { seededRandom } from "@frozendb/testkit";
