import { describe, expect, it } from "vitest";
import {
  decodeRow,
  decodeTail,
  encodeChecksumRow,
  encodeDataRow,
  encodeNullRow,
  encodePartialDataRow,
  formatUuid,
  INCOMPLETE,
  parseUuid,
} from "../src/index.js";
import { ascii, concat, hex, utf8 } from "./helpers/bytes.js";

const K4 = parseUuid("01936b2e-5a20-7bbb-8ccc-dddddddddddd");
const N = 128;

describe("S_001 partial rows and torn tails", () => {
  it("S_001 FR_014 the three exact partial-row states of file-format §16.4", () => {
    const state1 = decodeTail(Uint8Array.of(0x1f, 0x54), 0, N);
    expect(state1).toEqual({ type: "partial", state: 1, startControl: "T", length: 2 });
    expect(decodeTail(Uint8Array.of(0x1f, 0x52), 0, N)).toMatchObject({
      state: 1,
      startControl: "R",
    });

    const body = concat(ascii('\x1fTAZNrLloge7uMzN3d3d3d3Q=={"p":0}'), new Uint8Array(90));
    expect(body).toHaveLength(N - 5);
    const state2 = decodeTail(body, 0, N);
    if (state2?.type !== "partial" || state2.state === 1) throw new Error("not state 2");
    expect(state2.state).toBe(2);
    expect(formatUuid(state2.key)).toBe("01936b2e-5a20-7bbb-8ccc-dddddddddddd");
    expect(Buffer.from(state2.value).toString()).toBe('{"p":0}');
    expect(state2.timestamp).toBe(0x01936b2e5a20);

    const state3 = decodeTail(concat(body, ascii("S")), 0, N);
    expect(state3).toMatchObject({ type: "partial", state: 3, startControl: "T", length: N - 4 });

    // The tail is read at an offset inside a whole file buffer.
    const file = concat(new Uint8Array(64 + N), body);
    expect(decodeTail(file, 64 + N, N)).toMatchObject({ state: 2 });
    expect(decodeTail(file.subarray(0, 64 + N), 64 + N, N)).toBeUndefined();
  });

  it("S_001 FR_015 anything else is a torn tail with a reason, never corruption or a value", () => {
    const data = encodeDataRow(
      { startControl: "R", endControl: "RE", key: K4, value: utf8("1") },
      N,
    );
    const cases: Array<[string, Uint8Array]> = [
      ["one byte", Uint8Array.of(0x1f)],
      ["wrong sentinel", Uint8Array.of(0x1e, 0x54)],
      ["start control C (a torn checksum row)", encodeChecksumRow(1, N).subarray(0, 2)],
      ["start control X", Uint8Array.of(0x1f, 0x58)],
      ["mid-payload", data.subarray(0, 40)],
      ["completion torn after R", data.subarray(0, N - 4)],
      ["completion torn later", data.subarray(0, N - 2)],
      ["torn null row of state-2 length", encodeNullRow(99, N).subarray(0, N - 5)],
      [
        "state-2 length with junk in padding",
        (() => {
          const b = data.slice(0, N - 5);
          b[100] = 7;
          return b;
        })(),
      ],
      [
        "state-2 length with a v4 key",
        (() => {
          const b = data.slice(0, N - 5);
          b.set(ascii("AZNrLlogS7uMzN3d3d3d3Q=="), 2);
          return b;
        })(),
      ],
    ];
    for (const [name, bytes] of cases) {
      const tail = decodeTail(bytes, 0, N);
      expect(tail?.type, name).toBe("torn");
      if (tail?.type === "torn") {
        expect(tail.length).toBe(bytes.length);
        expect(tail.reason.length).toBeGreaterThan(0);
      }
      expect(decodeRow(bytes, 0, N)).toBe(INCOMPLETE);
    }
  });

  it("S_001 FR_015 decodeRow reports INCOMPLETE for every proper prefix of a row", () => {
    const row = encodeDataRow(
      { startControl: "T", endControl: "TC", key: K4, value: utf8('{"p":0}') },
      N,
    );
    for (let n = 0; n < N; n++) expect(decodeRow(row.subarray(0, n), 0, N)).toBe(INCOMPLETE);
  });

  it("S_001 FR_016 encodePartialDataRow writes the exact bytes of each state", () => {
    const row = encodeDataRow(
      { startControl: "T", endControl: "SC", key: K4, value: utf8('{"p":0}') },
      N,
    );
    expect(hex(encodePartialDataRow({ state: 1, startControl: "T" }, N))).toBe("1f54");
    const s2 = encodePartialDataRow(
      { state: 2, startControl: "T", key: K4, value: utf8('{"p":0}') },
      N,
    );
    expect(hex(s2)).toBe(hex(row.subarray(0, N - 5)));
    const s3 = encodePartialDataRow(
      { state: 3, startControl: "T", key: K4, value: utf8('{"p":0}') },
      N,
    );
    expect(hex(s3)).toBe(hex(row.subarray(0, N - 4)));
    expect(decodeTail(s3, 0, N)).toMatchObject({ state: 3 });
  });
});
