// The README's example runs as written (spec 004 success criteria): its first
// ```ts block, with `from "frozendb"` pointed at this package's source, runs
// in a fresh folder and must complete; the files it leaves must verify.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tempDir } from "@frozendb/testkit";
import { expect, it, vi } from "vitest";
import { verify } from "../src/index.js";

const README = fileURLToPath(new URL("../README.md", import.meta.url));
const SOURCE = fileURLToPath(new URL("../src/index.ts", import.meta.url));

/** The first ```ts block of the README, or undefined. */
function firstTsBlock(markdown: string): string | undefined {
  return /```ts\n([\s\S]*?)```/.exec(markdown)?.[1];
}

const readme = existsSync(README) ? readFileSync(README, "utf8") : undefined;
const skipReason = readme === undefined ? ` (skipped: ${README} does not exist)` : "";

it.skipIf(readme === undefined)(`README example runs to completion${skipReason}`, async () => {
  const code = firstTsBlock(readme!);
  expect(code, "the README has no ```ts block").toBeDefined();
  expect(code).toMatch(/from "frozendb"/);
  const dir = tempDir();
  const file = join(dir, "readme-example.ts");
  writeFileSync(file, code!.replaceAll(/from "frozendb"/g, `from ${JSON.stringify(SOURCE)}`));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const cwd = process.cwd();
  let logged: unknown[][] = [];
  process.chdir(dir); // the example uses relative paths
  try {
    await import(pathToFileURL(file).href);
  } finally {
    process.chdir(cwd);
    logged = [...log.mock.calls];
    log.mockRestore();
  }
  expect(logged.length, "the example prints what it read").toBeGreaterThan(0);
  const files = readdirSync(dir).filter((f) => f.endsWith(".fdb"));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(verify(join(dir, f)).openTransaction).toBe(false);
});
