// Concurrency-suite second writer (spec 006 FR-012): tries to open the file
// in write mode while another process holds it, again and again, and checks
// that no attempt changed a byte of what the file held before it.
//
//   node concurrency-contender.mjs <path> <attempts> <intervalMs>
//
// stdout: {e:"attempt", opened, code, message, unchanged, size} per attempt, then {e:"end"}.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { open } from "frozendb";

const [path, attemptsText, intervalText] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** SHA-256 of the first `size` bytes of the file. */
function hashPrefix(size) {
  const bytes = Buffer.alloc(size);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return createHash("sha256").update(bytes).digest("hex");
}

for (let i = 0; i < Number(attemptsText); i++) {
  const size = statSync(path).size;
  const before = hashPrefix(size);
  let outcome;
  try {
    open(path, { mode: "write" }).close();
    outcome = { opened: true };
  } catch (error) {
    outcome = { opened: false, code: error.code, message: error.message };
  }
  const unchanged = statSync(path).size >= size && hashPrefix(size) === before;
  say({ e: "attempt", ...outcome, unchanged, size });
  await sleep(Number(intervalText));
}
say({ e: "end" });
