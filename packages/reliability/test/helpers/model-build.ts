/**
 * Child processes import the built `frozendb` (dist), while vitest runs the
 * TypeScript source: a stale dist would test old code. This builds it when
 * any package it depends on has a source newer than its dist.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/reliability: the cwd of children, so workspace packages resolve. */
export const RELIABILITY_DIR = fileURLToPath(new URL("../..", import.meta.url));
const REPO_ROOT = join(RELIABILITY_DIR, "../..");
const PACKAGES = ["codec", "txlog", "index", "client"].map((p) => join(REPO_ROOT, "packages", p));
const BUILD_LOCK = join(tmpdir(), "frozendb-reliability-build.lock");

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function stale(pkg: string): boolean {
  const dist = join(pkg, "dist");
  return !existsSync(dist) || newestMtime(join(pkg, "src")) > newestMtime(dist);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds `frozendb` and its workspace dependencies when a dist is missing or
 * stale. Test files run in parallel workers: one build at a time (a lock
 * folder); the others wait for it instead of writing dist/ concurrently.
 */
export function ensureFrozenDbBuilt(): void {
  const deadline = Date.now() + 180_000;
  while (PACKAGES.some(stale)) {
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      // Another worker builds; a lock older than three minutes is left over.
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > 180_000)
          rmSync(BUILD_LOCK, { recursive: true, force: true });
      } catch {
        // It went away meanwhile.
      }
      if (Date.now() > deadline) throw new Error("timed out waiting for another worker's build");
      sleepSync(250);
      continue;
    }
    try {
      const run = spawnSync(
        "pnpm",
        ["turbo", "run", "build", "--filter=frozendb", "--output-logs=errors-only"],
        { cwd: REPO_ROOT, encoding: "utf8", timeout: 180_000 },
      );
      if (run.status !== 0) throw new Error(`build failed: ${run.stdout}\n${run.stderr}`);
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
    return;
  }
}
