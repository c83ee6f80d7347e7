import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { expect, it } from "vitest";
import { create, open, uuidv7 } from "../src/index.js";

it("smoke: write, read, entries, watch", async () => {
  const path = join(tempDir(), "s.fdb");
  create(path, { rowSize: 256 });
  for (const finder of ["simple", "inmemory", "binary_search"] as const) {
    const db = open(path, { mode: "write", finder });
    const k1 = uuidv7();
    const tx = db.begin();
    tx.add(k1, { n: 1 });
    expect(() => db.get(k1)).toThrowError(expect.objectContaining({ code: "key_not_found" }));
    tx.commit();
    expect(db.get(k1)).toEqual({ n: 1 });
    const k2 = uuidv7();
    db.transaction((t) => t.add(k2, [1, 2]));
    expect(db.getRaw(k2)).toBe("[1,2]");
    const it2 = db.watch();
    const k3 = uuidv7();
    db.transaction((t) => t.add(k3, "x"));
    const next = await it2.next();
    expect(next.value?.key).toBe(k3);
    expect([...db.entries()].length).toBeGreaterThanOrEqual(3);
    db.close();
    expect((await it2.next()).done).toBe(true);
  }
});
