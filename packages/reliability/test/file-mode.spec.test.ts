/**
 * New files get predictable permissions: 0644 unless the caller asks for
 * other bits. Checked in a child whose umask is 0, so that the bits seen are
 * exactly the ones create asked for (a worker thread may not change umask).
 */

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { runNode, tempDir } from "@frozendb/testkit";
import { create, InvalidInputError } from "frozendb";
import { describe, expect, it } from "vitest";

const packageDir = join(import.meta.dirname, "..");

/** Creates `path` in a child with umask 0, passing `fileMode` when given. */
function createWithUmaskZero(path: string, fileMode?: number): void {
  const options =
    fileMode === undefined ? "{ rowSize: 128 }" : `{ rowSize: 128, fileMode: ${fileMode} }`;
  const script = `
    import { create } from "frozendb";
    process.umask(0);
    create(process.argv[1], ${options});
    console.log("created");
  `;
  const run = runNode(script, [path], packageDir);
  expect(run.stderr).toBe("");
  expect(run.stdout.trim()).toBe("created");
}

describe("S_006 file permissions", () => {
  it("S_006 FR_021 a new database file has mode 0644 by default", () => {
    const path = join(tempDir(), "default.fdb");
    createWithUmaskZero(path);
    expect(statSync(path).mode & 0o7777).toBe(0o644);
  });

  it("S_006 FR_021 fileMode sets other permission bits (0600, 0640, 0444)", () => {
    const dir = tempDir();
    for (const mode of [0o600, 0o640, 0o444]) {
      const path = join(dir, `mode-${mode.toString(8)}.fdb`);
      createWithUmaskZero(path, mode);
      expect(statSync(path).mode & 0o7777).toBe(mode);
    }
  });

  it("S_006 FR_021 a bad fileMode is invalid_input and creates nothing", () => {
    const dir = tempDir();
    for (const fileMode of [-1, 0o1777, 1.5, Number.NaN, "644" as unknown as number]) {
      const path = join(dir, "bad.fdb");
      expect(() => create(path, { rowSize: 128, fileMode })).toThrow(InvalidInputError);
      expect(existsSync(path)).toBe(false);
    }
  });
});
