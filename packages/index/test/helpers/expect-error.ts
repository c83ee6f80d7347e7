/** Assertions on frozenDB errors: class, code and (where the spec fixes it) message. */

import { isFrozenDBError } from "@frozendb/codec";
import { expect } from "vitest";

/** What a thrown frozenDB error looks like to a test. */
export interface ThrownError extends Error {
  readonly code: string;
  readonly cause?: unknown;
  readonly rowIndex?: number;
}

/** Runs `fn`, which must throw a frozenDB error, and returns that error. */
export function thrown(fn: () => unknown): ThrownError {
  try {
    fn();
  } catch (error) {
    expect(isFrozenDBError(error), `expected a FrozenDBError, got ${String(error)}`).toBe(true);
    return error as ThrownError;
  }
  throw new Error("expected the call to throw");
}

/** Asserts that `fn` throws an instance of `type` with `code` (and `message` when given). */
export function expectThrows(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  code: string,
  message?: string,
): ThrownError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(type);
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toBe(message);
  return error;
}
