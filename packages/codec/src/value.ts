/**
 * Values: the UTF-8 bytes of one JSON document, stored exactly as supplied
 * (file-format §8.2). Writers validate before anything is written; readers
 * decode lazily, so a bad value surfaces as `invalid_data` on read instead of
 * making its row unreadable.
 */

import { maxValueLength } from "./constants.js";
import { InvalidDataError, InvalidInputError } from "./errors.js";
import { indexOfZero } from "./parity.js";
import { decodeUtf8, encodeUtf8, encodeUtf8Into, isWellFormedText } from "./utf8.js";

/** How strictly {@link encodeValue} checks a value. */
export interface ValueOptions {
  /**
   * Check that the text is one JSON document (default true). Turn off only
   * for text known to be `JSON.stringify` output.
   */
  readonly validateJson?: boolean;
}

/**
 * The bytes to store for `value` (JSON text, or its UTF-8 bytes) in a row
 * of `rowSize`, after every check a writer owes the format.
 * @throws {@link InvalidInputError} when the value is empty, longer than
 *   `rowSize − 33` bytes, contains `0x00`, is not UTF-8 or not JSON.
 */
export function encodeValue(
  value: string | Uint8Array,
  rowSize: number,
  options: ValueOptions = {},
): Uint8Array {
  const target = new Uint8Array(maxValueLength(rowSize));
  const length = encodeValueInto(value, target, 0, rowSize, options);
  return target.slice(0, length);
}

/**
 * Writes the bytes to store for `value` into `target[offset …]` — for a data
 * row, `offset` is the row's position 26 — after the checks of
 * {@link encodeValue}, and returns their length. Writers use it to encode
 * straight into the row they are building, without an intermediate copy.
 * `target` must have room for `rowSize − 33` bytes at `offset`; on a throw,
 * that room may hold part of the value.
 * @throws {@link InvalidInputError} as {@link encodeValue}.
 */
export function encodeValueInto(
  value: string | Uint8Array,
  target: Uint8Array,
  offset: number,
  rowSize: number,
  options: ValueOptions = {},
): number {
  const max = maxValueLength(rowSize);
  let length: number;
  let text: string | undefined;
  if (typeof value === "string") {
    if (value.length === 0) throw new InvalidInputError("value cannot be empty");
    if (!isWellFormedText(value)) throw new InvalidInputError("value must be valid UTF-8 text");
    // One spare byte tells a value that fits from one that does not.
    const { read, written } = encodeUtf8Into(value, valueArea(target, offset, max + 1));
    if (read < value.length || written > max) {
      throw new InvalidInputError(tooLong(encodeUtf8(value).length, rowSize));
    }
    length = written;
    text = value;
  } else if (value instanceof Uint8Array) {
    const problem = valueLayoutProblem(value, rowSize);
    if (problem !== undefined) throw new InvalidInputError(problem);
    target.set(value, offset);
    length = value.length;
  } else {
    throw new InvalidInputError(`value must be JSON text or bytes, got ${typeof value}`);
  }
  // Text holds a 0x00 byte exactly when it holds U+0000 (a one-byte memchr
  // in V8, cheaper than scanning the encoded bytes).
  if (
    text !== undefined
      ? text.indexOf("\u0000") >= 0
      : indexOfZero(target, offset, offset + length) >= 0
  ) {
    throw new InvalidInputError("value cannot contain a 0x00 byte");
  }
  if (text === undefined) {
    try {
      text = decodeUtf8(target.subarray(offset, offset + length));
    } catch (error) {
      throw new InvalidInputError("value must be valid UTF-8 text", { cause: error });
    }
  }
  if (options.validateJson !== false) {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError("value must be valid JSON", { cause: error });
    }
  }
  return length;
}

// The views `valueArea` made last, one per target and range: a writer
// encodes every value into one of the same two row buffers, and a view per
// value would be one more object for each row written. (Kept with the
// range that made them: reading a view's `byteOffset` back is a generic
// property load in optimized code.)
const areaTargets: [Uint8Array | undefined, Uint8Array | undefined] = [undefined, undefined];
const areaOffsets = [0, 0];
const areaLengths = [0, 0];
const areas: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
let nextArea = 0;

/** `target.subarray(offset, offset + length)`, reused while the same target asks for the same range. */
function valueArea(target: Uint8Array, offset: number, length: number): Uint8Array {
  for (let i = 0; i < 2; i++) {
    if (areaTargets[i] === target && areaOffsets[i] === offset && areaLengths[i] === length) {
      return areas[i]!;
    }
  }
  const area = target.subarray(offset, offset + length);
  areaTargets[nextArea] = target;
  areaOffsets[nextArea] = offset;
  areaLengths[nextArea] = length;
  areas[nextArea] = area;
  nextArea ^= 1;
  return area;
}

function tooLong(length: number, rowSize: number): string {
  // The original's wording; its limit counted the 24 key bytes as payload.
  const max = maxValueLength(rowSize);
  return `payload size (${24 + length} bytes) exceeds ROW_SIZE (${rowSize} bytes); maximum payload size is ${24 + max} bytes`;
}

/**
 * What keeps `bytes` from fitting a data row of `rowSize` (empty, longer than
 * `rowSize − 33`, or holding `0x00`), or `undefined` when it fits.
 */
export function valueLayoutProblem(bytes: Uint8Array, rowSize: number): string | undefined {
  if (bytes.length === 0) return "value cannot be empty";
  if (bytes.length > maxValueLength(rowSize)) return tooLong(bytes.length, rowSize);
  if (bytes.indexOf(0) >= 0) return "value cannot contain a 0x00 byte";
  return undefined;
}

/**
 * The stored JSON text of a value.
 * @throws {@link InvalidDataError} when the bytes are not valid UTF-8.
 */
export function decodeValueText(value: Uint8Array): string {
  try {
    return decodeUtf8(value);
  } catch (error) {
    throw new InvalidDataError("failed to unmarshal JSON value", { cause: error });
  }
}

/**
 * The stored value parsed as JSON.
 * @throws {@link InvalidDataError} when it is not valid UTF-8 or not JSON.
 */
export function decodeValue(value: Uint8Array): unknown {
  const text = decodeValueText(value);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidDataError("failed to unmarshal JSON value", { cause: error });
  }
}
