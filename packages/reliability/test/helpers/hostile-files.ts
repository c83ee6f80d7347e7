/**
 * Files for the hostile-input tests: a small valid database holding every
 * row kind, snapshots to prove a rejected call wrote nothing, and the
 * append-only attribute's capability probe and cleanup.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, open, uuidv7 } from "frozendb";
import { onTestFinished } from "vitest";

/** A valid database file's bytes and what `get` must return for its keys. */
export interface SampleDatabase {
  readonly bytes: Uint8Array;
  readonly rowSize: number;
  /** Committed keys and their values. */
  readonly committed: ReadonlyMap<string, unknown>;
  /** Keys present in the file but not visible (rolled back or still open). */
  readonly invisible: readonly string[];
}

/**
 * Builds, in `dir`, a database holding every row kind a writer produces:
 * a batch commit, a partial rollback to a savepoint, a full rollback, a null
 * row (empty transaction) and, last, an open transaction whose final row is
 * a partial row (state 2). Returns its bytes.
 */
export function buildSampleDatabase(dir: string, rowSize = 160): SampleDatabase {
  const path = join(dir, "sample.fdb");
  create(path, { rowSize, skewMs: 60_000 });
  const committed = new Map<string, unknown>();
  const invisible: string[] = [];
  const db = open(path, { mode: "write", sync: false });
  try {
    const batch = [uuidv7(), uuidv7(), uuidv7()];
    const values: unknown[] = [{ user: "ana", n: 1 }, ["x", 2.5, null], "héllo 🌍"];
    db.transaction((tx) => {
      for (const [i, k] of batch.entries()) tx.add(k, values[i]);
    });
    for (const [i, k] of batch.entries()) committed.set(k, values[i]);

    const kept = uuidv7();
    const dropped = uuidv7();
    const partly = db.begin();
    partly.add(kept, { kept: true });
    partly.savepoint();
    partly.add(dropped, { kept: false });
    partly.rollback(1);
    committed.set(kept, { kept: true });
    invisible.push(dropped);

    const gone = uuidv7();
    const rolled = db.begin();
    rolled.add(gone, 42);
    rolled.rollback(0);
    invisible.push(gone);

    db.begin().commit(); // a null row

    const late = uuidv7();
    db.transaction((tx) => tx.add(late, { late: [1, 2, 3] }));
    committed.set(late, { late: [1, 2, 3] });

    const pending = uuidv7();
    db.begin().add(pending, { pending: true }); // left open: the file ends in a partial row
    invisible.push(pending);
  } finally {
    db.close();
  }
  return { bytes: new Uint8Array(readFileSync(path)), rowSize, committed, invisible };
}

/** A scratch folder outside any test (for `beforeAll` fixtures); removed by `dispose`. */
export function scratchDir(): { readonly dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "frozendb-hostile-"));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `bytes` to `path` (replacing it) and returns `path`. */
export function writeBytes(path: string, bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  return path;
}

/** The file's current bytes, to compare before and after a rejected call. */
export function snapshot(path: string): Buffer {
  return readFileSync(path);
}

/** True when `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/**
 * Whether this process may set the append-only attribute here: tries
 * `chattr +a` on a scratch file in the temp folder (the folder the tests
 * use), then clears it. Returns the reason when it may not.
 */
export function appendOnlyCapability(): { readonly ok: boolean; readonly reason: string } {
  if (!hasCommand("chattr")) return { ok: false, reason: "the chattr command is not installed" };
  const scratch = scratchDir();
  try {
    const file = join(scratch.dir, "probe");
    writeFileSync(file, "probe");
    const set = spawnSync("chattr", ["+a", "--", file], { encoding: "utf8" });
    spawnSync("chattr", ["-a", "--", file]);
    if (set.status !== 0) {
      return {
        ok: false,
        reason: `chattr +a failed here (needs root or CAP_LINUX_IMMUTABLE on a file system with attributes): ${set.stderr.trim()}`,
      };
    }
    return { ok: true, reason: "" };
  } finally {
    scratch.dispose();
  }
}

/**
 * Clears the append-only attribute of every file in `dir` when the test
 * finishes, so the folder can be removed. Call it after `tempDir()`:
 * `onTestFinished` hooks run in reverse order, so this runs first.
 */
export function clearAppendOnlyOnFinish(dir: string): void {
  onTestFinished(() => {
    for (const name of readdirSync(dir)) spawnSync("chattr", ["-a", "--", join(dir, name)]);
  });
}
