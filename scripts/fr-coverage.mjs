// Runs the shared fr-coverage tool when the shared folder sits beside this
// repository (as on our machines and in CI); a clone elsewhere says why it skips.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tool = join(root, "..", "shared", "tools", "fr-coverage");
if (!existsSync(tool)) {
  console.log(`fr-coverage: skipped, ${tool} is not present in this checkout`);
  process.exit(0);
}
const run = spawnSync(tool, process.argv.slice(2), { cwd: root, stdio: "inherit" });
process.exit(run.status ?? 1);
