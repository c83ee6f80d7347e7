// Child processes for the cross-process spec tests. Plain `node` resolves the
// workspace packages to their built dist/, so the children import the built
// files by absolute URL, and `ensureBuilt` rebuilds them when src is newer.
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runNode, startNode } from "@frozendb/testkit";

export const REPO_ROOT = join(import.meta.dirname, "../../../..");
const TXLOG = join(REPO_ROOT, "packages/txlog");
const CODEC = join(REPO_ROOT, "packages/codec");
export const TXLOG_DIST_URL = pathToFileURL(join(TXLOG, "dist/index.js")).href;
export const CODEC_DIST_URL = pathToFileURL(join(CODEC, "dist/index.js")).href;

/** The import lines every child script starts with. */
export const PRELUDE = `import * as txlog from ${JSON.stringify(TXLOG_DIST_URL)};
import * as codec from ${JSON.stringify(CODEC_DIST_URL)};
`;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const m = statSync(join(entry.parentPath, entry.name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

function stale(pkg: string): boolean {
  const dist = join(pkg, "dist/index.js");
  if (!existsSync(dist)) return true;
  return newestMtime(join(pkg, "src")) > newestMtime(join(pkg, "dist"));
}

const BUILD_LOCK = join(tmpdir(), "frozendb-txlog-test-build.lock");

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds @frozendb/txlog (and codec) when a dist is missing or older than its
 * src. Test files run in parallel workers, so one build at a time (a lock
 * folder), and the others wait for it instead of writing dist/ concurrently.
 */
export function ensureBuilt(): void {
  const deadline = Date.now() + 120_000;
  while (stale(TXLOG) || stale(CODEC)) {
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      // Another worker is building; a lock older than two minutes is left over.
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > 120_000)
          rmSync(BUILD_LOCK, { recursive: true, force: true });
      } catch {
        // It went away meanwhile.
      }
      if (Date.now() > deadline) throw new Error("timed out waiting for another worker's build");
      sleepSync(200);
      continue;
    }
    try {
      const run = spawnSync("pnpm", ["turbo", "run", "build", "--filter=@frozendb/txlog"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 120_000,
      });
      if (run.status !== 0) throw new Error(`build failed: ${run.stdout}\n${run.stderr}`);
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
    return;
  }
}

/** Runs a child script (PRELUDE prepended) to completion. */
export function runChild(
  script: string,
  args: string[] = [],
): { status: number | null; stdout: string; stderr: string } {
  return runNode(PRELUDE + script, args, REPO_ROOT);
}

/** Runs a child script and parses the last line of its stdout as JSON. */
export function runChildJson<T = Record<string, unknown>>(script: string, args: string[] = []): T {
  const run = runChild(script, args);
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  return JSON.parse(lines.at(-1)!) as T;
}

/**
 * Runs a child script under bash with `ulimit -f <blocks>` (1 block = 1024
 * bytes) and SIGXFSZ ignored, so a write past the limit fails with EFBIG.
 */
export function runChildWithFileSizeLimit(
  script: string,
  args: string[],
  blocks: number,
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    "bash",
    [
      "-c",
      `trap '' XFSZ; ulimit -f ${blocks}; exec "$0" --input-type=module -e "$1" "\${@:2}"`,
      process.execPath,
      PRELUDE + script,
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** True when `strace` can trace a child here. */
export function straceWorks(): boolean {
  const run = spawnSync("strace", ["-f", "-qq", "-e", "trace=none", "true"], { encoding: "utf8" });
  return run.status === 0;
}

/**
 * Runs a child script under `strace -f -y` tracing `syscalls`; returns the
 * trace lines (one syscall per line) and the child's output.
 */
export function runChildTraced(
  script: string,
  args: string[],
  syscalls: string,
  traceFile: string,
): { status: number | null; stdout: string; stderr: string; trace: string[] } {
  const run = spawnSync(
    "strace",
    [
      "-f",
      "-y",
      "-qq",
      "-e",
      `trace=${syscalls}`,
      "-o",
      traceFile,
      process.execPath,
      "--input-type=module",
      "-e",
      PRELUDE + script,
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 },
  );
  const trace = existsSync(traceFile) ? readFileSync(traceFile, "utf8").split("\n") : [];
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, trace };
}

/**
 * A long-lived child that executes one JSON command per stdin line and
 * answers one JSON line each (see WRITER_SCRIPT).
 */
export class ChildWriter {
  readonly child: ChildProcess;
  #buffer = "";
  #waiting: ((line: string) => void)[] = [];
  #lines: string[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.on("data", (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      let nl = this.#buffer.indexOf("\n");
      while (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        if (line !== "ready") {
          const w = this.#waiting.shift();
          if (w) w(line);
          else this.#lines.push(line);
        }
        nl = this.#buffer.indexOf("\n");
      }
    });
  }

  /** Starts a writer child on `path` (write mode, `sync: false`). */
  static async start(path: string): Promise<ChildWriter> {
    return new ChildWriter(await startNode(PRELUDE + WRITER_SCRIPT, [path], REPO_ROOT));
  }

  /** Sends a command; resolves with the child's JSON answer. */
  send(command: Record<string, unknown>): Promise<{ ok: boolean; error?: string; size?: number }> {
    const answer = new Promise<string>((resolve) => {
      const queued = this.#lines.shift();
      if (queued !== undefined) resolve(queued);
      else this.#waiting.push(resolve);
    });
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    return answer.then((line) => JSON.parse(line) as { ok: boolean; error?: string });
  }
}

/**
 * Commands: {op:"append", rows:[{key,value}]}, {op:"begin"}, {op:"add", key,
 * value}, {op:"savepoint"}, {op:"commit"}, {op:"rollback", n}, {op:"close"}.
 */
const WRITER_SCRIPT = `
import { statSync } from "node:fs";
import { createInterface } from "node:readline";
const path = process.argv[1];
const log = txlog.open(path, { mode: "write", sync: false });
let tx = log.activeTransaction;
const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const c = JSON.parse(line);
  try {
    if (c.op === "append") log.appendTransaction(c.rows);
    else if (c.op === "begin") tx = log.begin();
    else if (c.op === "add") tx.add(c.key, c.value);
    else if (c.op === "savepoint") tx.savepoint();
    else if (c.op === "commit") tx.commit();
    else if (c.op === "rollback") tx.rollback(c.n ?? 0);
    else if (c.op === "close") { log.close(); }
    console.log(JSON.stringify({ ok: true, size: statSync(path).size }));
    if (c.op === "close") process.exit(0);
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e) }));
  }
});
console.log("ready");
`;
