import { describe, expect, it } from "vitest";
import {
  type DataEndControl,
  type DataRow,
  decodeRow,
  END_CONTROLS,
  encodeDataRow,
  isDataEndControl,
  parseUuid,
  uuidTimestamp,
  writtenDataRow,
} from "../src/index.js";
import { utf8 } from "./helpers/bytes.js";

describe("S_001 rows a writer has just encoded", () => {
  it("S_001 FR_026 writtenDataRow equals decodeRow for every data end control, start control and ASCII or non-ASCII value", () => {
    const key = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    const ends = END_CONTROLS.filter((e): e is DataEndControl => isDataEndControl(e));
    expect(ends.length).toBeGreaterThan(10);
    let checked = 0;
    for (const rowSize of [128, 256]) {
      for (const text of ['{"a":1}', '"grüße ✓"', `"${"x".repeat(rowSize - 35)}"`]) {
        const value = utf8(text);
        for (const startControl of ["T", "R"] as const) {
          for (const endControl of ends) {
            // At an offset inside a larger buffer, as a writer's plan holds rows.
            const bytes = new Uint8Array(rowSize * 3);
            bytes.set(encodeDataRow({ startControl, endControl, key, value }, rowSize), rowSize);
            const decoded = decodeRow(bytes, rowSize, rowSize) as DataRow;
            const ascii = value.length === text.length;
            const written = writtenDataRow(
              bytes,
              rowSize,
              rowSize,
              key.slice(),
              uuidTimestamp(key),
              value.length,
              ascii,
            );
            for (const row of [decoded, written]) {
              expect(row.type).toBe("data");
              expect(row.startControl).toBe(startControl);
              expect(row.endControl).toBe(endControl);
              expect(row.key).toEqual(key);
              expect(row.timestamp).toBe(uuidTimestamp(key));
              expect(row.value).toEqual(value);
              expect(row.valueText).toBe(text);
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * 3 * 2 * ends.length);
  });
});
