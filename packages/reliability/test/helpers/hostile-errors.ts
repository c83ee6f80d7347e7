/**
 * The one property every hostile-input test checks: whatever frozenDB is
 * fed, the only exceptions that escape are `FrozenDBError`s — never a
 * TypeError, RangeError or anything the platform throws on its own.
 */

import { FrozenDBError, type FrozenDBErrorCode, isFrozenDBError } from "@frozendb/codec";
import { expect } from "vitest";

/** What a call did: returned a value, or threw a FrozenDBError. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: FrozenDBError };

/**
 * An error that is not a FrozenDBError escaped: fails the test with what was
 * being done and the foreign error (its stack names the faulty line).
 */
export class EscapedError extends Error {
  constructor(context: string, cause: unknown) {
    const name = cause instanceof Error ? cause.constructor.name : typeof cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${context}: a ${name} escaped instead of a FrozenDBError: ${message}`, { cause });
  }
}

/**
 * Runs `fn`. A FrozenDBError is returned as an outcome; anything else thrown
 * fails with {@link EscapedError}. `context` describes the input, for the
 * failure message (fast-check also prints the counterexample).
 */
export function attempt<T>(fn: () => T, context: string): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    // Both checks: `instanceof` is what a caller writes; the brand is what
    // survives duplicate installs. They must agree for our own errors.
    if (error instanceof FrozenDBError && isFrozenDBError(error)) return { ok: false, error };
    throw new EscapedError(context, error);
  }
}

/**
 * Expects `fn` to throw a FrozenDBError with `code` whose message matches
 * `message` (a substring or pattern); returns the error for further checks.
 */
export function expectFrozen(
  fn: () => unknown,
  code: FrozenDBErrorCode,
  message?: string | RegExp,
  context = "call",
): FrozenDBError {
  const outcome = attempt(fn, context);
  if (outcome.ok) {
    throw new Error(`${context}: expected ${code}, but it returned ${describe(outcome.value)}`);
  }
  expect(outcome.error.code, `${context}: ${String(outcome.error)}`).toBe(code);
  if (message !== undefined) expect(outcome.error.message, context).toMatch(message);
  return outcome.error;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Counts outcomes per error code, for the figures the tests report. */
export class OutcomeTally {
  readonly #counts = new Map<string, number>();

  add(outcome: Outcome<unknown>): void {
    this.addLabel(outcome.ok ? "ok" : outcome.error.code);
  }

  /** Counts an outcome under a label of the caller's (e.g. "incomplete"). */
  addLabel(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  toString(): string {
    return [...this.#counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}=${n}`)
      .join(" ");
  }
}

/**
 * Runs many independent checks and fails once, listing every check that
 * failed — so one escaped TypeError does not hide the next case's outcome.
 */
export class CheckList {
  readonly #failures: string[] = [];

  check(label: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#failures.push(message.startsWith(label) ? message : `${label}: ${message}`);
    }
  }

  /** Fails listing every failed check, if any. */
  assertAllPassed(): void {
    expect(this.#failures, this.#failures.join("\n")).toEqual([]);
  }
}
