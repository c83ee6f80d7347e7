// Concurrency-suite reader (spec 006 FR-011, FR-013): a read handle that
// follows another process's writes two ways at once, and records when each
// key became visible.
//
//   node concurrency-reader.mjs <path> <finder>
//
// - watch: every row db.watch() yields, with the time it came;
// - poll: every key the test announces (stdin {"op":"track", keys}) is looked
//   up with db.getRaw about every millisecond until it is readable (or for
//   TRACK_MS), recording the time it first was.
// Any error other than key_not_found is recorded, never thrown: the test
// asserts there are none. stdin {"op":"finish"} → one {e:"report", …} line
// (plus which tracked keys are readable at the end), then exit.
import { createInterface } from "node:readline";
import { open } from "frozendb";

const TRACK_MS = 5000;
const [path, finder] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const db = open(path, { mode: "read", finder });

const errors = [];
const watched = []; // [key, at, json]
const seen = new Map(); // key → [at, json]
const tracked = new Map(); // key → announced at
let polls = 0;
let finished = false;

const record = (where, error) =>
  errors.push({ where, code: error?.code, message: String(error?.message ?? error) });

const watching = (async () => {
  try {
    for await (const entry of db.watch()) watched.push([entry.key, Date.now(), entry.json]);
  } catch (error) {
    record("watch", error);
  }
})();

function poll() {
  if (finished) return;
  polls++;
  const now = Date.now();
  for (const [key, announcedAt] of tracked) {
    if (seen.has(key) || now - announcedAt > TRACK_MS) continue;
    try {
      const json = db.getRaw(key);
      seen.set(key, [Date.now(), json]);
    } catch (error) {
      if (error?.code !== "key_not_found") record(`get ${key}`, error);
    }
  }
  setTimeout(poll, 1);
}

/** Which tracked keys are readable now, with their stored JSON. */
function finalLook() {
  const visible = [];
  for (const key of tracked.keys()) {
    try {
      if (db.has(key)) visible.push([key, db.getRaw(key)]);
    } catch (error) {
      record(`final ${key}`, error);
    }
  }
  return visible;
}

createInterface({ input: process.stdin }).on("line", async (line) => {
  const command = JSON.parse(line);
  if (command.op === "track") {
    const now = Date.now();
    for (const key of command.keys) if (!tracked.has(key)) tracked.set(key, now);
  } else if (command.op === "finish") {
    finished = true;
    const finalVisible = finalLook();
    db.close(); // ends the watch loop
    await watching;
    const report = { e: "report", errors, watched, seen: [...seen], finalVisible, polls };
    // Exit once the (large) line has been handed over, not before.
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  }
});
// A reader the test forgot must not live on.
setTimeout(() => process.exit(3), 900_000).unref();

poll();
say({ e: "ready" });
