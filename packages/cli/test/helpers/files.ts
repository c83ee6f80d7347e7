/** Database files for CLI tests, written through the `frozendb` client. */

import { join } from "node:path";
import { create, open, uuidv7 } from "frozendb";

/** A new database in `dir` (row size 256 unless given) and its path. */
export function newDatabase(dir: string, rowSize = 256, name = "db.fdb"): string {
  const path = join(dir, name);
  create(path, { rowSize, skewMs: 5000 });
  return path;
}

/** Commits one transaction of `values` (JSON texts) and returns their keys. */
export function commitValues(path: string, values: readonly string[]): string[] {
  const db = open(path, { mode: "write" });
  try {
    const keys = values.map(() => uuidv7());
    db.transaction((tx) => {
      for (const [i, value] of values.entries()) tx.addRaw(keys[i]!, value);
    });
    return keys;
  } finally {
    db.close();
  }
}

/** The stored text of `key`, read through the client. */
export function storedText(path: string, key: string): string {
  const db = open(path);
  try {
    return db.getRaw(key);
  } finally {
    db.close();
  }
}
