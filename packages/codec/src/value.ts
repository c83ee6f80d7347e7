/**
 * Values: the UTF-8 bytes of one JSON document, stored exactly as supplied
 * (file-format §8.2). Writers validate before anything is written; readers
 * decode lazily, so a bad value surfaces as `invalid_data` on read instead of
 * making its row unreadable.
 */

import { maxValueLength } from "./constants.js";
import { InvalidDataError, InvalidInputError } from "./errors.js";
import { decodeUtf8, encodeUtf8, isWellFormedText } from "./utf8.js";

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
  let bytes: Uint8Array;
  let text: string | undefined;
  if (typeof value === "string") {
    if (!isWellFormedText(value)) throw new InvalidInputError("value must be valid UTF-8 text");
    text = value;
    bytes = encodeUtf8(value);
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw new InvalidInputError(`value must be JSON text or bytes, got ${typeof value}`);
  }
  const problem = valueLayoutProblem(bytes, rowSize);
  if (problem !== undefined) throw new InvalidInputError(problem);
  if (text === undefined) {
    try {
      text = decodeUtf8(bytes);
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
  return bytes;
}

/**
 * What keeps `bytes` from fitting a data row of `rowSize` (empty, longer than
 * `rowSize − 33`, or holding `0x00`), or `undefined` when it fits.
 */
export function valueLayoutProblem(bytes: Uint8Array, rowSize: number): string | undefined {
  if (bytes.length === 0) return "value cannot be empty";
  const max = maxValueLength(rowSize);
  if (bytes.length > max) {
    // The original's wording; its limit counted the 24 key bytes as payload.
    return `payload size (${24 + bytes.length} bytes) exceeds ROW_SIZE (${rowSize} bytes); maximum payload size is ${24 + max} bytes`;
  }
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
