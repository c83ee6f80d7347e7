import { copyFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Files written by the original implementation live in ../shared beside the
 * repository (never copied in). Tests over them skip, saying why, where that
 * folder is absent.
 */
export const REFERENCE_DIR = join(
  fileURLToPath(import.meta.url),
  "../../../../../shared/fixtures/reference",
);

/** True when the reference files are present. */
export const hasReference = existsSync(REFERENCE_DIR);

/** Why reference tests are skipped, for test titles. */
export const referenceSkipReason = hasReference ? "" : ` (skipped: ${REFERENCE_DIR} is absent)`;

/** Names of the reference files, without `.fdb`. */
export function referenceNames(): string[] {
  if (!hasReference) return [];
  return readdirSync(REFERENCE_DIR)
    .filter((f) => f.endsWith(".fdb"))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** What a correct reader sees in reference file `name` (its `.expected.json`). */
export interface ReferenceExpectation {
  committed: Record<string, unknown>;
  rolled_back: string[];
  uncommitted: string[];
  max_timestamp: number;
  rows: number;
  last_tx_state: "open" | "closed";
  partial_row: null | {
    state: 1 | 2 | 3;
    start_control: string;
    offset: number;
    length: number;
    key?: string;
  };
  row_counts: { checksum: number; data: number; null: number; partial: number };
}

/** The expected reading of reference file `name`. */
export function referenceExpectation(name: string): ReferenceExpectation {
  return JSON.parse(
    readFileSync(join(REFERENCE_DIR, `${name}.expected.json`), "utf8"),
  ) as ReferenceExpectation;
}

/** Copies reference file `name` into `dir` and returns the copy's path. */
export function copyReference(name: string, dir: string): string {
  const target = join(dir, `${name}.fdb`);
  copyFileSync(join(REFERENCE_DIR, `${name}.fdb`), target);
  return target;
}
