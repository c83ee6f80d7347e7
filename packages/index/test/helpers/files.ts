/** Files shared by the conformance suite and the spec tests. */

import { FileBuilder } from "./file-builder.js";
import { createRandom, keyAt, keyWithSuffix } from "./keys.js";

/** Base timestamp of the test files (2023-11-14). */
export const T0 = 1_700_000_000_000;

/** A small file with every transaction shape; row indices are listed in `at`. */
export function mixedFile(rowSize = 128) {
  const b = new FileBuilder({ rowSize, skewMs: 1000 });
  const k = Array.from({ length: 11 }, (_, i) => keyWithSuffix(T0 + i * 10, 1000 + i));
  const committed = b.tx([k[0]!, k[1]!, k[2]!], "commit", [1]); // rows 1–3: T RE, R SE, R TC
  const null1 = b.nullRow(); // row 4
  const rolledBack = b.tx([k[3]!, k[4]!], { rollback: 0 }); // rows 5–6
  const partial = b.tx([k[5]!, k[6]!, k[7]!], { rollback: 1 }, [0]); // rows 7–9: T SE, R RE, R R1
  const single = b.tx([k[8]!]); // row 10: T TC
  const null2 = b.nullRow(); // row 11
  const open = b.tx([k[9]!, k[10]!], "open"); // rows 12–13: T RE, R RE
  return { b, k, at: { committed, null1, rolledBack, partial, single, null2, open } };
}

/**
 * A file of `dataRows` committed keys in transactions of `txRows` rows,
 * timestamps increasing by `stepMs` per row (0: all in one millisecond),
 * keys strictly increasing.
 */
export function orderedFile(
  dataRows: number,
  options: { rowSize?: number; skewMs?: number; stepMs?: number; txRows?: number } = {},
) {
  const b = new FileBuilder({ rowSize: options.rowSize ?? 128, skewMs: options.skewMs ?? 5000 });
  const step = options.stepMs ?? 1;
  const txRows = options.txRows ?? 100;
  const keys: Uint8Array[] = [];
  for (let i = 0; i < dataRows; i++) keys.push(keyWithSuffix(T0 + i * step, 2 * i + 1));
  for (let i = 0; i < dataRows; i += txRows) b.tx(keys.slice(i, i + txRows));
  return { b, keys };
}

/** A file of `dataRows` committed keys in one millisecond with random key bits (unordered). */
export function denseRandomFile(dataRows: number, seed = 7, rowSize = 128) {
  const b = new FileBuilder({ rowSize, skewMs: 5000 });
  const random = createRandom(seed);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < dataRows; i++) keys.push(keyAt(T0, random));
  for (let i = 0; i < dataRows; i += 50) b.tx(keys.slice(i, i + 50));
  return { b, keys };
}
