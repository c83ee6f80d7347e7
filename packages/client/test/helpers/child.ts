// Child processes for the multi-process spec tests: a small agent that runs
// the built `frozendb` (dist) and executes JSON commands read from stdin, one
// reply line per command.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBuilt, killHard, startNode } from "@frozendb/testkit";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
/** The built client's entry, as a file URL the child imports. */
export const DIST_URL = pathToFileURL(join(REPO, "packages/client/dist/index.js")).href;

/**
 * Builds `frozendb` and the packages it needs when a dist is missing or older
 * than its sources (the child processes run plain Node on the built output).
 */
export function ensureDist(): void {
  ensureBuilt("frozendb", ["codec", "txlog", "index", "client"]);
}

/**
 * The agent. Commands (one JSON object per line): open, begin, add, savepoint,
 * commit, rollback, tx (rows committed by transaction(fn)), get, waitFor
 * (polls get until the key is readable), watch / take (collect watched keys),
 * burst (many transactions quickly), close. Each reply is one JSON line with
 * the command's `id`, `ok`, and either results or `code` / `message`.
 */
const AGENT = String.raw`
import { createInterface } from "node:readline";
const fdb = await import(process.argv[1]);
let db;
let tx;
let watched = [];
let watchError;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const reply = (o) => process.stdout.write(JSON.stringify(o) + "\n");
async function run(c) {
  switch (c.op) {
    case "open": db = fdb.open(c.path, c.options); return {};
    case "begin": tx = db.begin(); return {};
    case "add": tx.add(c.key, c.value); return {};
    case "savepoint": tx.savepoint(); return {};
    case "commit": tx.commit(); return { at: Date.now() };
    case "rollback": tx.rollback(c.n ?? 0); return { at: Date.now() };
    case "tx": db.transaction((t) => { for (const [k, v] of c.rows) t.add(k, v); }); return { at: Date.now() };
    case "get": return { value: db.get(c.key) };
    case "waitFor": {
      const deadline = Date.now() + c.timeoutMs;
      for (;;) {
        try { return { value: db.get(c.key), at: Date.now() }; }
        catch (e) { if (e.code !== "key_not_found" || Date.now() > deadline) throw e; }
        await sleep(1);
      }
    }
    case "watch": {
      (async () => {
        try { for await (const e of db.watch(c.from === undefined ? {} : { from: c.from })) watched.push(e.key); }
        catch (e) { watchError = e; }
      })();
      return {};
    }
    case "take": {
      const deadline = Date.now() + c.timeoutMs;
      while (watched.length < c.count && Date.now() < deadline && !watchError) await sleep(2);
      if (watchError) throw watchError;
      return { keys: watched.slice(0, c.count), total: watched.length };
    }
    case "burst": {
      // c.batches transactions of c.size rows; keys from c.prefix; every c.rollbackEvery-th rolled back.
      // Odd batches go through transaction(fn) (one write), even ones call by call.
      for (let b = 0; b < c.batches; b++) {
        const rows = Array.from({ length: c.size }, (_, i) => [fdb.uuidv7(), { b, i, pad: "x".repeat(c.pad ?? 0) }]);
        const rollback = c.rollbackEvery && b % c.rollbackEvery === c.rollbackEvery - 1;
        if (b % 2 === 1 && !rollback) {
          db.transaction((t) => { for (const [k, v] of rows) t.add(k, v); });
        } else {
          const t = db.begin();
          for (const [k, v] of rows) t.add(k, v);
          if (rollback) t.rollback(0); else t.commit();
        }
        if (c.pauseEvery && b % c.pauseEvery === 0) await sleep(1);
      }
      return { at: Date.now() };
    }
    case "close": db.close(); return {};
    default: throw new Error("unknown op " + c.op);
  }
}
const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  const c = JSON.parse(line);
  queue = queue.then(async () => {
    try { reply({ id: c.id, ok: true, ...(await run(c)) }); }
    catch (e) { reply({ id: c.id, ok: false, code: e.code, message: e.message, cause: e.cause && String(e.cause) }); }
  });
});
process.stdout.write("ready\n");
`;

/** A reply of the agent. */
export interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly cause?: string;
  readonly value?: unknown;
  readonly at?: number;
  readonly keys?: string[];
  readonly total?: number;
}

/** A running agent process. */
export class Agent {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: Error) => void }
  >();
  #next = 1;
  #buffer = "";
  #stderr = "";

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.on("data", (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      let nl = this.#buffer.indexOf("\n");
      while (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        nl = this.#buffer.indexOf("\n");
        if (!line.startsWith("{")) continue;
        const reply = JSON.parse(line) as Reply;
        this.#waiting.get(reply.id)?.resolve(reply);
        this.#waiting.delete(reply.id);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    child.on("exit", (code, signal) => {
      const error = new Error(`agent exited (${code ?? signal}) before replying: ${this.#stderr}`);
      for (const { reject } of this.#waiting.values()) reject(error);
      this.#waiting.clear();
    });
  }

  /** Starts an agent in `cwd`. */
  static async start(cwd: string): Promise<Agent> {
    return new Agent(await startNode(AGENT, [DIST_URL], cwd));
  }

  /** Sends a command and resolves with its reply (rejects when the process dies first). */
  send(command: Record<string, unknown>): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        reject(new Error(`agent has exited: ${this.#stderr}`));
        return;
      }
      this.#waiting.set(id, { resolve, reject });
      this.#child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** Sends a command and fails unless it succeeded. */
  async ok(command: Record<string, unknown>): Promise<Reply> {
    const reply = await this.send(command);
    if (!reply.ok) {
      const { op } = command;
      throw new Error(`agent ${String(op)} failed: ${reply.code}: ${reply.message}`);
    }
    return reply;
  }

  /** Kills the process with SIGKILL (no clean-up of any kind runs). */
  kill(): Promise<void> {
    return killHard(this.#child);
  }

  /** Its stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }
}
