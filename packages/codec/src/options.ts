/**
 * Options objects from callers that TypeScript does not check (plain
 * JavaScript, JSON from elsewhere): `null` or a number where an options
 * object belongs must be an `InvalidInputError`, not a TypeError from
 * reading a property of it.
 */

import { InvalidInputError } from "./errors.js";

/**
 * Returns `options`, or `{}` when it is `undefined`.
 * @throws {@link InvalidInputError} when it is not an object.
 */
export function optionsObject<T extends object>(options: T | undefined, name = "options"): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidInputError(
      `${name} must be an object, got ${options === null ? "null" : typeof options}`,
    );
  }
  return options;
}
