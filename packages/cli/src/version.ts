import { readFileSync } from "node:fs";

/**
 * The package version as `frozendb version` prints it (`v0.1.0`). Read from
 * package.json, which sits one level above both `src/` and `dist/`.
 */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? `v${pkg.version}` : "(development)";
}
