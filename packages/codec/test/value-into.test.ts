// encodeValueInto writes a value where it is asked to, whichever buffers and
// offsets the calls before it used (it reuses the views it makes while a
// writer keeps encoding into the same row buffers).
import { describe, expect, it } from "vitest";
import { encodeValue, encodeValueInto, InvalidInputError } from "../src/index.js";

const ROW = 128;

describe("encodeValueInto", () => {
  it("writes each value at its own buffer and offset across interleaved targets, and reports overflow by target", () => {
    const a = new Uint8Array(2 * ROW);
    const b = new Uint8Array(ROW + 40);
    const targets: Array<[Uint8Array, number]> = [
      [a, 26],
      [b, 26],
      [a, ROW + 26],
      [a, 26],
      [b, 40],
      [b, 26],
      [a, ROW + 26],
    ];
    targets.forEach(([target, offset], i) => {
      const value = JSON.stringify({ i, text: "é".repeat(i * 3) });
      target.fill(0xaa);
      const length = encodeValueInto(value, target, offset, ROW);
      const expected = encodeValue(value, ROW);
      expect(length).toBe(expected.length);
      expect(Buffer.from(target.subarray(offset, offset + length))).toEqual(Buffer.from(expected));
      expect(target[offset - 1]).toBe(0xaa);
    });
    // The longest value that fits, then one byte more, into a target whose view was reused.
    const max = ROW - 33;
    expect(encodeValueInto(`"${"x".repeat(max - 2)}"`, a, 26, ROW)).toBe(max);
    expect(() => encodeValueInto(`"${"x".repeat(max - 1)}"`, a, 26, ROW)).toThrow(
      InvalidInputError,
    );
    expect(() => encodeValueInto(`"${"é".repeat(max / 2)}"`, a, 26, ROW)).toThrow(
      InvalidInputError,
    );
  });
});
