/**
 * Running the command line in process (`run(argv, io)` with captured
 * streams) and as the real built executable.
 */

import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { run } from "../../src/index.js";

/** The monorepo root. */
export const ROOT = resolve(fileURLToPath(import.meta.url), "../../../../..");
/** The executable shim, as users run it from the repo root. */
export const BIN = join(ROOT, "packages/cli/bin/frozendb.js");

/** A writable that keeps what is written; `isTTY` can be set to pose as a terminal. */
export class Capture extends Writable {
  text = "";
  writes = 0;
  isTTY: boolean | undefined;
  columns = 100;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.writes++;
    done();
  }
}

/** What one run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Number of writes to stdout (streaming shows as more than one). */
  stdoutWrites: number;
}

/** Options of {@link cli}. */
export interface CliOptions {
  stdin?: string | Readable;
  env?: Record<string, string>;
  stderrIsTTY?: boolean;
  onInterrupt?: (handler: () => void) => () => void;
  stdout?: Capture;
}

/** Runs `argv` in process and returns the exit code and captured output. */
export async function cli(argv: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = options.stdout ?? new Capture();
  const stderr = new Capture();
  if (options.stderrIsTTY === true) stderr.isTTY = true;
  const stdin = typeof options.stdin === "string" ? Readable.from([options.stdin]) : options.stdin;
  const code = await run(argv, {
    stdout,
    stderr,
    ...(stdin === undefined ? {} : { stdin }),
    env: options.env ?? {},
    ...(options.stderrIsTTY === undefined ? {} : { stderrIsTTY: options.stderrIsTTY }),
    ...(options.onInterrupt === undefined ? {} : { onInterrupt: options.onInterrupt }),
  });
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutWrites: stdout.writes };
}

/** A run that must succeed; returns stdout. */
export async function ok(argv: string[], options: CliOptions = {}): Promise<string> {
  const r = await cli(argv, options);
  if (r.code !== 0) throw new Error(`frozendb ${argv.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The single error line a failed run printed (asserting it is exactly one line and exit 1). */
export async function errorLine(argv: string[], options: CliOptions = {}): Promise<string> {
  const r = await cli(argv, options);
  if (r.code !== 1 || !/^Error: [^\n]*\n$/.test(r.stderr)) {
    throw new Error(
      `expected one error line and exit 1, got ${r.code}: ${JSON.stringify(r.stderr)}`,
    );
  }
  return r.stderr.slice(0, -1);
}

/** `Error: <code>: <message>` of an error line, without the informative `(caused by: …)` part. */
export function withoutCause(line: string): string {
  const at = line.indexOf(" (caused by: ");
  return at < 0 ? line : line.slice(0, at);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the CLI and what it depends on when a `dist/` is missing or older
 * than its sources, so end-to-end tests run the code as published.
 */
export function ensureBuilt(): void {
  const stale = ["cli", "client", "codec", "txlog", "index"].some((name) => {
    const dir = join(ROOT, "packages", name);
    const dist = join(dir, "dist");
    return !existsSync(dist) || newestMtime(join(dir, "src")) > newestMtime(dist);
  });
  if (!stale) return;
  const build = spawnSync(
    join(ROOT, "node_modules/.bin/turbo"),
    ["run", "build", "--filter=@frozendb/cli", "--output-logs=errors-only"],
    { cwd: ROOT, encoding: "utf8", timeout: 300_000 },
  );
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}\n${build.stderr}`);
}

/** What a spawned run produced. */
export interface SpawnResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built executable with `args` in `cwd`, optionally feeding `input` to stdin. */
export function spawnCli(args: string[], cwd: string, input?: string): Promise<SpawnResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, encoding: "utf8", maxBuffer: 256 << 20, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolvePromise({ status, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
