/**
 * Child processes run plain Node on the packages' built `dist/`, while
 * vitest runs their TypeScript sources: a stale build would test old code.
 * `ensureBuilt` rebuilds when a package's sources are newer than its dist,
 * one build at a time across parallel test workers (a second build would
 * rewrite files a running child is importing).
 */

import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const LOCK = join(tmpdir(), "frozendb-test-build.lock");
const LOCK_TIMEOUT_MS = 300_000;

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why package `name`'s dist must be rebuilt, or undefined when it is current. */
function staleReason(name: string): string | undefined {
  const dist = join(REPO_ROOT, "packages", name, "dist", "index.js");
  if (!existsSync(dist)) return `${dist} is missing`;
  if (statSync(dist).mtimeMs < newestMtime(join(REPO_ROOT, "packages", name, "src"))) {
    return `${name}/src is newer than its dist`;
  }
  return undefined;
}

function withBuildLock(fn: () => void): void {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      closeSync(openSync(LOCK, "wx"));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      // A lock left by a killed run is older than any build takes.
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > LOCK_TIMEOUT_MS) {
        rmSync(LOCK, { force: true });
      }
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 5 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/**
 * Builds `filter` (a turbo filter, e.g. `frozendb`) when the dist of any of
 * `packages` (folder names under packages/) is missing or older than its src.
 */
export function ensureBuilt(filter: string, packages: readonly string[]): void {
  if (packages.every((name) => staleReason(name) === undefined)) return;
  withBuildLock(() => {
    // Another worker may have built while this one waited.
    const reasons = packages.map(staleReason).filter((r) => r !== undefined);
    if (reasons.length === 0) return;
    const run = spawnSync(
      "pnpm",
      ["turbo", "run", "build", `--filter=${filter}`, "--output-logs=errors-only"],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 240_000 },
    );
    if (run.status !== 0) {
      throw new Error(
        `building ${filter} failed (${reasons.join("; ")}): ${run.error ?? ""}\n${run.stdout}\n${run.stderr}`,
      );
    }
  });
}
