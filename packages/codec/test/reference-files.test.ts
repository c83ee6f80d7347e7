// Golden tests over files written by the original implementation. They live
// in ../shared (beside the repository), never copied in; where that folder is
// absent the suite skips and says why.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CHECKSUM_PERIOD,
  checksumCoverage,
  completeRowCount,
  crc32,
  decodeHeader,
  decodeRow,
  decodeTail,
  decodeValue,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  formatUuid,
  HEADER_SIZE,
  readRowAt,
  tailLength,
  verifyInitialChecksumRow,
} from "../src/index.js";

/** Byte equality without vitest's deep-equality cost (12k rows per file). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}

const REFERENCE_DIR = join(import.meta.dirname, "../../../../shared/fixtures/reference");
const available = existsSync(REFERENCE_DIR);
const names = available
  ? readdirSync(REFERENCE_DIR)
      .filter((f) => f.endsWith(".fdb"))
      .map((f) => f.slice(0, -4))
  : [];

interface Expected {
  committed: Record<string, unknown>;
  rolled_back: string[];
  uncommitted: string[];
  max_timestamp: number;
  rows: number;
  partial_row: null | {
    state: number;
    start_control: string;
    offset: number;
    length: number;
    key?: string;
  };
  row_counts: { checksum: number; data: number; null: number; partial: number };
}

describe.skipIf(!available)(
  `reference files written by the original${available ? "" : ` (skipped: ${REFERENCE_DIR} is absent)`}`,
  () => {
    it("finds the reference files", () => {
      expect(names.length).toBeGreaterThanOrEqual(6);
    });

    for (const name of names) {
      describe(name, () => {
        const file = new Uint8Array(readFileSync(join(REFERENCE_DIR, `${name}.fdb`)));
        const expected = JSON.parse(
          readFileSync(join(REFERENCE_DIR, `${name}.expected.json`), "utf8"),
        ) as Expected;
        const { rowSize } = decodeHeader(file);
        const rows = completeRowCount(file.length, rowSize);

        it("every complete row decodes and re-encodes to the same bytes", () => {
          const counts = { checksum: 0, data: 0, null: 0, partial: 0 };
          let maxTimestamp = 0;
          for (let i = 0; i < rows; i++) {
            const row = readRowAt(file, i, rowSize);
            const original = file.subarray(
              HEADER_SIZE + i * rowSize,
              HEADER_SIZE + (i + 1) * rowSize,
            );
            if (row.type === "checksum") {
              counts.checksum++;
              if (!sameBytes(encodeChecksumRow(row.crc, rowSize), original))
                throw new Error(`row ${i} re-encodes differently`);
            } else if (row.type === "null") {
              counts.null++;
              maxTimestamp = Math.max(maxTimestamp, row.timestamp);
              if (!sameBytes(encodeNullRow(row.timestamp, rowSize), original))
                throw new Error(`row ${i} re-encodes differently`);
            } else if (row.type === "data") {
              counts.data++;
              maxTimestamp = Math.max(maxTimestamp, row.timestamp);
              if (!sameBytes(encodeDataRow(row, rowSize), original))
                throw new Error(`row ${i} re-encodes differently`);
            } else {
              throw new Error(`complete row ${i} decoded as ${row.type}`);
            }
          }
          if (tailLength(file.length, rowSize) > 0) counts.partial++;
          expect(counts).toEqual(expected.row_counts);
          expect(counts.data + counts.null).toBe(expected.rows);
          expect(maxTimestamp).toBe(expected.max_timestamp);
        });

        it("every checksum row matches the CRC of the bytes it covers", () => {
          verifyInitialChecksumRow(file, rowSize);
          for (let i = 0; i < rows; i += CHECKSUM_PERIOD) {
            const row = decodeRow(file, HEADER_SIZE + i * rowSize, rowSize, i);
            if (row.type !== "checksum") throw new Error(`row ${i} is not a checksum row`);
            const { start, end } = checksumCoverage(i / CHECKSUM_PERIOD, rowSize);
            expect(crc32(file.subarray(start, end))).toBe(row.crc);
          }
        });

        it("keys and values of committed rows agree with the expected reading", () => {
          const seen = new Map<string, unknown>();
          for (let i = 0; i < rows; i++) {
            const row = readRowAt(file, i, rowSize);
            if (row.type === "data") seen.set(formatUuid(row.key), decodeValue(row.value));
          }
          for (const [key, value] of Object.entries(expected.committed)) {
            expect(seen.get(key)).toEqual(value);
          }
          for (const key of [...expected.rolled_back, ...expected.uncommitted]) {
            const inComplete = seen.has(key);
            const inPartial = expected.partial_row?.key === key;
            expect(inComplete || inPartial).toBe(true);
          }
        });

        it("the tail is the expected partial row, re-encoded byte for byte", () => {
          const tail = decodeTail(file, HEADER_SIZE + rows * rowSize, rowSize);
          if (expected.partial_row === null) {
            expect(tail).toBeUndefined();
            return;
          }
          if (tail?.type !== "partial") throw new Error(`tail is ${tail?.type}`);
          expect(tail.state).toBe(expected.partial_row.state);
          expect(tail.startControl).toBe(expected.partial_row.start_control);
          expect(tail.length).toBe(expected.partial_row.length);
          expect(HEADER_SIZE + rows * rowSize).toBe(expected.partial_row.offset);
          const original = file.subarray(HEADER_SIZE + rows * rowSize);
          if (tail.state === 1) {
            expect(encodePartialDataRow(tail, rowSize)).toEqual(original);
          } else {
            expect(formatUuid(tail.key)).toBe(expected.partial_row.key);
            expect(encodePartialDataRow(tail, rowSize)).toEqual(original);
          }
        });
      });
    }
  },
);
