import {
  copyReference,
  hasReference,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
  tempDir,
} from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { cli, ok } from "./helpers/cli.js";

const TYPES: Record<string, keyof ReturnType<typeof referenceExpectation>["row_counts"]> = {
  Checksum: "checksum",
  Data: "data",
  NullRow: "null",
  partial: "partial",
};

/** `get` output with each number (alone on its line, after an optional member name) in JavaScript's spelling. */
function canonicalNumbers(output: string): string {
  return output.replace(
    /^(\s*(?:"(?:[^"\\]|\\.)*": )?)(-?[0-9][0-9.eE+-]*)(,?)$/gm,
    (_, head: string, number: string, comma: string) => `${head}${String(Number(number))}${comma}`,
  );
}

describe.skipIf(!hasReference)(`S_005 the original's reference files${referenceSkipReason}`, () => {
  for (const name of referenceNames()) {
    it(`S_005 FR_037 ${name}: inspect lists every row with the expected types and partial row`, async () => {
      const path = copyReference(name, tempDir());
      const expected = referenceExpectation(name);
      const r = await cli(["--path", path, "inspect", "--print-header", "true"]);
      expect(r.code).toBe(0);
      const lines = r.stdout
        .split("\n")
        .slice(4, -1)
        .map((l) => l.split("\t"));
      const counts = { checksum: 0, data: 0, null: 0, partial: 0 };
      lines.forEach((fields, i) => {
        expect(fields).toHaveLength(9);
        expect(fields[0]).toBe(String(i));
        counts[TYPES[fields[1]!]!]++;
      });
      expect(counts).toEqual(expected.row_counts);
      const last = lines.at(-1)!;
      if (expected.partial_row === null) {
        expect(last[1]).not.toBe("partial");
      } else {
        expect(last[1]).toBe("partial");
        expect(last[4]).toBe(String(expected.partial_row.state === 3));
        if (expected.partial_row.key !== undefined) expect(last[2]).toBe(expected.partial_row.key);
      }
    });

    it(`S_005 FR_037 ${name}: get prints every committed value pretty-printed; others are not found`, async () => {
      const path = copyReference(name, tempDir());
      const expected = referenceExpectation(name);
      const committed = Object.entries(expected.committed);
      // The 12k-row file: a sample keeps the run short.
      const sample =
        committed.length > 50
          ? committed.filter((_, i) => i % 500 === 0 || i === committed.length - 1)
          : committed;
      for (const [key, value] of sample) {
        const out = await ok(["--path", path, "get", key]);
        expect(JSON.parse(out)).toEqual(value);
        // Identical to JSON.stringify's layout, except that numbers keep their
        // stored spelling (77515.060 stays so: decisions, "Values").
        expect(canonicalNumbers(out)).toBe(`${JSON.stringify(value, null, 2)}\n`);
      }
      for (const key of [...expected.rolled_back, ...expected.uncommitted]) {
        const r = await cli(["--path", path, "get", key]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^Error: key_not_found: /);
      }
    });

    it(`S_005 FR_037 ${name}: verify succeeds and export lists exactly the committed rows`, async () => {
      const path = copyReference(name, tempDir());
      const expected = referenceExpectation(name);
      const summary = await ok(["--path", path, "verify"]);
      const counts = expected.row_counts;
      expect(summary).toContain(
        `(${counts.data} data, ${counts.null} null, ${counts.checksum} checksum)`,
      );
      const exported = (await ok(["--path", path, "export"]))
        .split("\n")
        .slice(0, -1)
        .map((l) => JSON.parse(l) as { key: string; value: unknown });
      expect(exported.map((r) => r.key)).toEqual(Object.keys(expected.committed));
      expect(Object.fromEntries(exported.map((r) => [r.key, r.value]))).toEqual(expected.committed);
    });
  }
});
