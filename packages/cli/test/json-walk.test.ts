import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isJson, walkJson } from "../src/json-walk.js";
import { prettyJson } from "../src/pretty-json.js";

describe("walkJson / isJson", () => {
  it("agrees with JSON.parse on generated JSON texts", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2), (value, indent) => {
        expect(isJson(JSON.stringify(value, null, indent))).toBe(true);
      }),
    );
  });

  it("agrees with JSON.parse on near-JSON strings", () => {
    const piece = fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      " ",
      "\n",
      "\t",
      '"',
      '"a"',
      "\\",
      "\\u00e9",
      "\\x",
      "1",
      "-",
      "0",
      "01",
      ".5",
      "1.",
      "e",
      "E+",
      "true",
      "fals",
      "null",
      "nul",
      "\u0001",
      "é",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        let parsed = true;
        try {
          JSON.parse(text);
        } catch {
          parsed = false;
        }
        expect(isJson(text)).toBe(parsed);
      }),
      { numRuns: 5000 },
    );
  });

  it("walks 100,000 levels of nesting without recursion", () => {
    const depth = 100_000;
    expect(isJson("[".repeat(depth) + "]".repeat(depth))).toBe(true);
    expect(isJson("[".repeat(depth) + "]".repeat(depth - 1))).toBe(false);
  });

  it("reports positions of containers and scalars", () => {
    const events: string[] = [];
    walkJson(' {"a" : [1, {}]} ', {
      scalar: (s, e) => events.push(`scalar ${s}-${e}`),
      key: (s, e) => events.push(`key ${s}-${e}`),
      open: (k, empty, s) => events.push(`open ${k} ${empty} ${s}`),
      close: (k, empty, e) => events.push(`close ${k} ${empty} ${e}`),
    });
    expect(events).toEqual([
      "open object false 1",
      "key 2-5",
      "open array false 8",
      "scalar 9-10",
      "open object true 12",
      "close object true 14",
      "close array false 15",
      "close object false 16",
    ]);
  });
});

describe("prettyJson", () => {
  it("equals JSON.stringify(value, null, 2) for the compact text of any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(prettyJson(JSON.stringify(value))).toBe(`${JSON.stringify(value, null, 2)}\n`);
      }),
    );
  });

  it("keeps number text, escapes and key order; rejects non-JSON with invalid_data", () => {
    expect(prettyJson('{"z":1.10,"a":"\\u003c"}')).toBe('{\n  "z": 1.10,\n  "a": "\\u003c"\n}\n');
    expect(() => prettyJson("{")).toThrowError(expect.objectContaining({ code: "invalid_data" }));
  });
});
