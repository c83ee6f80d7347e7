// Every proper prefix (lengths 0 … N−1) of a few fixed rows: decodeRow says
// INCOMPLETE, and decodeTail finds an exact partial state only at lengths 2,
// N−5 and N−4 (file-format §11, decisions OP-4), a torn tail everywhere else.
import { describe, expect, it } from "vitest";
import {
  type DataEndControl,
  decodeRow,
  decodeTail,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  formatUuid,
  INCOMPLETE,
  parseUuid,
  type Tail,
} from "../src/index.js";

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));
const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");

interface DataCase {
  readonly name: string;
  readonly rowSize: number;
  readonly startControl: "T" | "R";
  readonly endControl: DataEndControl;
  readonly key: string;
  readonly value: string;
}

const DATA_CASES: readonly DataCase[] = [
  {
    name: "128-byte R…SE row (savepoint: state 3 exists)",
    rowSize: 128,
    startControl: "R",
    endControl: "SE",
    key: "01936b2e-5a10-7c3d-9e4f-0123456789ab",
    value: '{"n":1}',
  },
  {
    name: "256-byte T…TC row (no savepoint: N−4 is torn)",
    rowSize: 256,
    startControl: "T",
    endControl: "TC",
    key: "01936b2e-5a11-7a01-b2c3-d4e5f6071829",
    value: '{"name":"zoë","tags":["a","b"],"n":12345678901234567890}',
  },
  {
    name: "4096-byte T…S3 row with a value of N−33 bytes",
    rowSize: 4096,
    startControl: "T",
    endControl: "S3",
    key: "01936b2e-5a20-7bbb-8ccc-dddddddddddd",
    value: `"${"x".repeat(4096 - 35)}"`,
  },
];

function tailAt(bytes: Uint8Array, length: number, rowSize: number): Tail | undefined {
  return decodeTail(bytes.subarray(0, length), 0, rowSize);
}

/** Checks the prefixes of `row`; `partialAt` maps each length that must be a partial row to its state. */
function checkPrefixes(
  row: Uint8Array,
  rowSize: number,
  partialAt: ReadonlyMap<number, 1 | 2 | 3>,
  startControl: "T" | "R" | undefined,
): Map<number, Tail> {
  expect(row.length).toBe(rowSize);
  const partials = new Map<number, Tail>();
  const wrong: string[] = [];
  for (let length = 0; length < rowSize; length++) {
    if (decodeRow(row.subarray(0, length), 0, rowSize) !== INCOMPLETE) {
      wrong.push(`decodeRow(${length}) is not INCOMPLETE`);
    }
    // Also at a non-zero offset, as the tail of a longer buffer.
    const shifted = new Uint8Array(3 + length);
    shifted.set(row.subarray(0, length), 3);
    if (decodeRow(shifted, 3, rowSize) !== INCOMPLETE) wrong.push(`shifted decodeRow(${length})`);

    const tail = tailAt(row, length, rowSize);
    const again = decodeTail(shifted, 3, rowSize);
    if (JSON.stringify(again) !== JSON.stringify(tail)) wrong.push(`shifted tail at ${length}`);
    if (length === 0) {
      if (tail !== undefined) wrong.push("a 0-byte tail is not undefined");
      continue;
    }
    if (tail === undefined) {
      wrong.push(`no tail at ${length}`);
      continue;
    }
    if (tail.length !== length) wrong.push(`tail length ${tail.length} at ${length}`);
    const state = partialAt.get(length);
    if (state === undefined) {
      if (tail.type !== "torn") wrong.push(`partial state ${tail.state} at ${length}`);
      else if (tail.reason.length === 0) wrong.push(`empty reason at ${length}`);
    } else if (tail.type !== "partial" || tail.state !== state) {
      wrong.push(`expected state ${state} at ${length}, got ${JSON.stringify(tail)}`);
    } else {
      if (tail.startControl !== startControl) wrong.push(`start control at ${length}`);
      partials.set(length, tail);
    }
  }
  expect(wrong).toEqual([]);
  expect([...partials.keys()]).toEqual([...partialAt.keys()]);
  return partials;
}

describe("truncated data rows", () => {
  it.each(DATA_CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const n = c.rowSize;
    const key = parseUuid(c.key);
    const value = utf8(c.value);
    expect(value.length).toBeLessThanOrEqual(n - 33);
    const row = encodeDataRow(
      { startControl: c.startControl, endControl: c.endControl, key, value },
      n,
    );
    const savepoint = c.endControl.startsWith("S");
    const expected = new Map<number, 1 | 2 | 3>([
      [2, 1],
      [n - 5, 2],
    ]);
    if (savepoint) expected.set(n - 4, 3);
    const partials = checkPrefixes(row, n, expected, c.startControl);

    expect(hex(encodePartialDataRow({ state: 1, startControl: c.startControl }, n))).toBe(
      hex(row.subarray(0, 2)),
    );
    for (const state of savepoint ? ([2, 3] as const) : ([2] as const)) {
      const length = state === 2 ? n - 5 : n - 4;
      const tail = partials.get(length);
      if (tail?.type !== "partial" || tail.state === 1) throw new Error(`no state ${state}`);
      expect(formatUuid(tail.key)).toBe(c.key);
      expect(tail.timestamp).toBe(Number.parseInt(c.key.replace(/-/g, "").slice(0, 12), 16));
      expect(Buffer.from(tail.value).toString("utf8")).toBe(c.value);
      const encoded = encodePartialDataRow({ state, startControl: c.startControl, key, value }, n);
      expect(hex(encoded)).toBe(hex(row.subarray(0, length)));
    }
  });
});

describe("truncated null and checksum rows", () => {
  it("a 128-byte null row is a state-1 partial at 2 bytes (1F 54) and torn everywhere else", () => {
    const n = 128;
    const row = encodeNullRow(1_732_670_020_113, n);
    const partials = checkPrefixes(row, n, new Map([[2, 1]]), "T");
    expect(partials.get(2)).toEqual({ type: "partial", state: 1, startControl: "T", length: 2 });
    // Its state-2 and state-3 lengths hold a null-row UUID: never a partial data row.
    expect(tailAt(row, n - 5, n)?.type).toBe("torn");
    expect(tailAt(row, n - 4, n)?.type).toBe("torn");
  });

  it("a 128-byte checksum row is torn at every length", () => {
    const n = 128;
    const row = encodeChecksumRow(0x2bfffeb8, n);
    checkPrefixes(row, n, new Map(), undefined);
    expect(tailAt(row, 2, n)?.type).toBe("torn");
  });
});
