// Child processes of the crash and concurrency suites: they run the BUILT
// `frozendb` (packages/client/dist, resolved through this package's
// node_modules), so a kill lands in the code users run, not in vitest's
// transformed sources. Children talk in JSON lines on stdout (events) and
// stdin (commands).
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "@frozendb/testkit";

/** packages/reliability: children run here so `import "frozendb"` resolves the workspace package. */
export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** Absolute path of a child script in test/children. */
export function childScript(name: string): string {
  return join(PACKAGE_DIR, "test", "children", name);
}

/**
 * Builds `frozendb` and the packages it needs when a dist is missing or older
 * than its sources: the children run plain Node on the built output, and a
 * stale build would test yesterday's code.
 */
export function ensureDist(): void {
  ensureBuilt("frozendb", ["codec", "txlog", "index", "client"]);
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
