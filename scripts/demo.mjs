// The main job: a short tour of frozenDB on a file in a temp folder — the
// library (create, transactions, savepoints, get, entries, a second process
// reading live) and then the `frozendb` command on the same file.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, KeyNotFoundError, open, uuidv7, verify } from "frozendb";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const path = join(mkdtempSync(join(tmpdir(), "frozendb-demo-")), "audit.fdb");
const say = (text) => console.log(`\n== ${text}`);

say(`create ${path} (row size 512, skew 5 s)`);
create(path, { rowSize: 512, skewMs: 5000 });

const db = open(path, { mode: "write", finder: "binary_search" });
const login = uuidv7();
db.transaction((tx) => {
  tx.add(login, { user: "ana", action: "login", ip: "10.0.0.7" });
  tx.add(uuidv7(), { user: "ana", action: "read", doc: 42 });
});
say("a committed transaction of 2 rows, written in one append");
console.log("get(login) →", db.get(login));

const tx = db.begin();
const kept = uuidv7();
tx.add(kept, { user: "bo", action: "grant", role: "auditor" });
tx.savepoint();
const dropped = uuidv7();
tx.add(dropped, { user: "bo", action: "grant", role: "admin" });
tx.rollback(1);
say("a transaction rolled back to savepoint 1");
console.log("get(kept)    →", db.get(kept));
try {
  db.get(dropped);
} catch (error) {
  console.log("get(dropped) →", error instanceof KeyNotFoundError ? String(error) : error);
}

const open4 = db.begin();
const pending = uuidv7();
open4.add(pending, { user: "cy", action: "login" });
open4.add(uuidv7(), { user: "cy", action: "search", q: "invoices" });
say("an open transaction: its row is on disk but not visible");
try {
  db.get(pending);
} catch (error) {
  console.log("get(pending) →", String(error));
}
open4.commit();
console.log("after commit →", db.get(pending));

say("entries(): every committed row in file order");
for (const entry of db.entries()) console.log(entry.key, entry.json);

say("a reader in another process sees the commits (no lock needed)");
const reader = spawnSync(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `import { open } from "frozendb"; const db = open(process.argv[1], { mode: "read" });
     console.log("reader counted", [...db.entries()].length, "committed rows"); db.close();`,
    path,
  ],
  { cwd: join(root, "packages", "client"), encoding: "utf8" },
);
process.stdout.write(reader.stdout + reader.stderr);
db.close();

say("verify(): every row, every checksum");
console.log(verify(path));

const cli = join(root, "packages", "cli", "bin", "frozendb.js");
const frozendb = (...args) => {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  console.log(`$ frozendb ${args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  process.stdout.write(run.stdout + run.stderr);
};
say("the frozendb command on the same file");
frozendb("--path", path, "get", login);
frozendb("--path", path, "begin");
frozendb("--path", path, "add", "NOW", '{"user":"dee","action":"logout"}');
frozendb("--path", path, "commit");
frozendb("--path", path, "inspect", "--limit", "4");
frozendb("--path", path, "verify");
