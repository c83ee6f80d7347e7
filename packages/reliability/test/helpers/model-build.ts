/**
 * Child processes import the built `frozendb` (dist), while vitest runs the
 * TypeScript source: a stale dist would test old code. This builds it when
 * any package it depends on has a source newer than its dist.
 */
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "@frozendb/testkit";

/** packages/reliability: the cwd of children, so workspace packages resolve. */
export const RELIABILITY_DIR = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds `frozendb` and its workspace dependencies when a dist is missing or
 * stale (one build at a time across parallel test workers).
 */
export function ensureFrozenDbBuilt(): void {
  ensureBuilt("frozendb", ["codec", "txlog", "index", "client"]);
}
