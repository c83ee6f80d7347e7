/**
 * Child processes for the hostile-path tests. Two cases cannot run inside
 * the test process: an unreadable file (tests run as root, which ignores
 * permission bits, so the child drops to uid 65534 with `setpriv`), and a
 * FIFO (if `open` ever blocked on one, a sync call would freeze the whole
 * test runner; a child can be killed). A plain `node` cannot load the
 * TypeScript sources, so the child imports the built `frozendb` package,
 * rebuilt first when the sources are newer.
 */

import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureBuilt } from "@frozendb/testkit";

/** The monorepo root. */
export const REPO_DIR = resolve(import.meta.dirname, "../../../..");
const CLIENT_DIST = join(REPO_DIR, "packages/client/dist/index.js");

/** The argv prefix that runs a command as the unprivileged user `nobody`. */
export const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/**
 * Builds `frozendb` and its workspace dependencies when a `dist/` is missing
 * or older than its sources.
 */
export function ensureClientDist(): void {
  ensureBuilt("frozendb", ["codec", "txlog", "index", "client"]);
}

/**
 * Whether uid 65534 can load the built package (a checkout inside a private
 * folder cannot be read; the unprivileged test then skips, saying why).
 */
export function nobodyCanReadCheckout(): boolean {
  if (spawnSync("sh", ["-c", "command -v setpriv"]).status !== 0) return false;
  const probe = spawnSync(
    AS_NOBODY[0]!,
    [
      ...AS_NOBODY.slice(1),
      process.execPath,
      "-e",
      `require("fs").accessSync(${JSON.stringify(join(REPO_DIR, "packages/client/package.json"))})`,
    ],
    { encoding: "utf8", timeout: 10_000 },
  );
  return probe.status === 0;
}

/**
 * Child prelude: `m` is the frozendb module, `out(v)` prints a JSON line,
 * `err(e)` describes an error (and whether it is a FrozenDBError).
 */
const PRELUDE = `
const m = await import(process.argv[1]);
const args = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + "\\n");
const err = (e) => ({ name: e?.constructor?.name, code: e?.code, message: e?.message, frozen: m.isFrozenDBError(e) });
`;

/**
 * Child body: opens `args[0]` in read then write mode; prints one line per
 * mode, with the number of entries read or the error.
 */
export const TRY_OPEN_BOTH_MODES = `
for (const mode of ["read", "write"]) {
  try {
    const db = m.open(args[0], { mode, follow: false });
    let entries = 0;
    for (const _ of db.entries()) entries++;
    db.close();
    out({ mode, ok: true, entries });
  } catch (e) {
    out({ mode, ...err(e) });
  }
}
`;

/** One JSON line a child printed. */
export interface ChildLine {
  readonly mode?: string;
  readonly ok?: boolean;
  readonly entries?: number;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly frozen?: boolean;
}

/** What a child did. */
export interface ChildRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly lines: readonly ChildLine[];
}

/**
 * Runs `body` in a new Node process (under `wrapper`, e.g. {@link AS_NOBODY})
 * with `args`, SIGKILLing it after `timeoutMs`.
 */
export function runClientChild(
  body: string,
  args: readonly string[],
  options: { readonly wrapper?: readonly string[]; readonly timeoutMs?: number } = {},
): ChildRun {
  const argv = [
    ...(options.wrapper ?? []),
    process.execPath,
    "--input-type=module",
    "-e",
    PRELUDE + body,
    pathToFileURL(CLIENT_DIST).href,
    ...args,
  ];
  const run = spawnSync(argv[0]!, argv.slice(1), {
    cwd: REPO_DIR,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 20_000,
    killSignal: "SIGKILL",
  });
  const lines = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as ChildLine);
  return { status: run.status, signal: run.signal, stderr: run.stderr, lines };
}
