// Child processes for the lifecycle spec tests: a plain `node` resolves
// packages to their built `dist/`, so children import the txlog build by
// absolute file URL, and the build is refreshed when the sources are newer.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { onTestFinished } from "vitest";

/** packages/txlog */
export const TXLOG_DIR = resolve(fileURLToPath(import.meta.url), "../../..");
/** The monorepo root. */
export const REPO_DIR = resolve(TXLOG_DIR, "../..");
/** The built entry point children import. */
export const TXLOG_DIST = join(TXLOG_DIR, "dist/index.js");
/** Its file URL (first argument of every child script). */
export const TXLOG_DIST_URL = pathToFileURL(TXLOG_DIST).href;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `@frozendb/txlog` (and what it depends on) when its `dist/` is
 * missing or older than the sources of txlog or codec.
 */
export function ensureTxlogDist(): void {
  const codecSources = newestMtime(join(REPO_DIR, "packages/codec/src"));
  const txlogSources = Math.max(codecSources, newestMtime(join(TXLOG_DIR, "src")));
  const codecDist = join(REPO_DIR, "packages/codec/dist/index.js");
  if (
    existsSync(TXLOG_DIST) &&
    existsSync(codecDist) &&
    statSync(TXLOG_DIST).mtimeMs >= txlogSources &&
    statSync(codecDist).mtimeMs >= codecSources
  ) {
    return;
  }
  const run = spawnSync("pnpm", ["turbo", "run", "build", "--filter=@frozendb/txlog"], {
    cwd: REPO_DIR,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (run.status !== 0 || !existsSync(TXLOG_DIST)) {
    throw new Error(`building @frozendb/txlog failed:\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * The common start of a child script: `m` is the txlog module, `out(v)`
 * prints one JSON line, `err(e)` describes an error for the parent.
 * Arguments after the module URL are in `args`.
 */
const PRELUDE = `
const m = await import(process.argv[1]);
const args = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + "\\n");
const err = (e) => ({ name: e?.constructor?.name, code: e?.code, message: e?.message, text: String(e) });
`;

/** One JSON line a child printed (`err(e)` gives name, code, message, text). */
export interface ChildLine {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly text?: string;
  readonly [field: string]: unknown;
}

/** What a child reported. */
export interface ChildResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every stdout line parsed as JSON. */
  readonly lines: ChildLine[];
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** Environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** argv prefix to run node under (e.g. `capsh … --` or `setpriv …`). */
  readonly wrapper?: readonly string[];
  readonly cwd?: string;
  /** Kill the child (SIGKILL) after this many milliseconds (default 30,000). */
  readonly timeoutMs?: number;
}

/** Runs `body` (ES module code after the prelude) in a new Node process and waits. */
export function runChild(body: string, args: readonly string[] = [], options: ChildOptions = {}) {
  const nodeArgv = [
    process.execPath,
    "--input-type=module",
    "-e",
    PRELUDE + body,
    TXLOG_DIST_URL,
    ...args,
  ];
  const argv = [...(options.wrapper ?? []), ...nodeArgv];
  const run = spawnSync(argv[0]!, argv.slice(1), {
    cwd: options.cwd ?? REPO_DIR,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 30_000,
    killSignal: "SIGKILL",
  });
  const lines = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as ChildLine);
  const result: ChildResult = {
    status: run.status,
    signal: run.signal,
    stdout: run.stdout,
    stderr: run.stderr,
    lines,
  };
  return result;
}

/**
 * Starts `body` in a new Node process and resolves once it prints a line
 * `ready`. The child is SIGKILLed when the test finishes if still running.
 */
export function startChild(body: string, args: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", PRELUDE + body, TXLOG_DIST_URL, ...args],
    { cwd: REPO_DIR, stdio: ["pipe", "pipe", "pipe"] },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (/^ready$/m.test(out)) resolvePromise(child);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before ready: ${out}${err}`)),
    );
  });
}

/** SIGKILLs `child` (a crash: no close, no unlock) and waits until it is gone. */
export function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    child.on("exit", () => resolvePromise());
    child.kill("SIGKILL");
  });
}

/** Runs util-linux `flock -n <path> true`: exit 0 when the BSD lock is free, 1 when held. */
export function flockProbe(path: string): number | null {
  return spawnSync("flock", ["-n", path, "true"], { encoding: "utf8", timeout: 10_000 }).status;
}

/**
 * Whether an unprivileged user (uid 65534) can read this checkout, which the
 * unprivileged child tests need to load the built package. A clone inside a
 * private (0700) folder cannot be read; those tests then skip, saying why.
 */
export function unprivilegedCanReadCheckout(): boolean {
  const probe = spawnSync(
    "setpriv",
    [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      process.execPath,
      "-e",
      `require("fs").accessSync(${JSON.stringify(join(import.meta.dirname, "../../package.json"))})`,
    ],
    { encoding: "utf8", timeout: 10_000 },
  );
  return probe.status === 0;
}

/** Title suffix for tests skipped because {@link unprivilegedCanReadCheckout} is false. */
export const UNPRIVILEGED_SKIP = " (skipped: uid 65534 cannot read this checkout's folders)";
