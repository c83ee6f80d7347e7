/**
 * Integer arguments parsed as the original parses them (Go's
 * `strconv.ParseInt(s, 10, 64)`): optional sign, decimal digits only,
 * leading zeros allowed, 64-bit range.
 */

const INTEGER = /^[+-]?[0-9]+$/;
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** Why `text` is not a 64-bit integer, in the original's cause wording, or `undefined`. */
function integerProblem(text: string): string | undefined {
  if (!INTEGER.test(text)) return `parsing ${JSON.stringify(text)}: invalid syntax`;
  const value = BigInt(text);
  if (value < MIN || value > MAX) return `parsing ${JSON.stringify(text)}: value out of range`;
  return undefined;
}

/**
 * The integer `text` spells, or a problem description to wrap as the cause
 * of the caller's `… must be a number` error.
 */
export function parseInteger(text: string): { value: number } | { problem: string } {
  const problem = integerProblem(text);
  return problem === undefined ? { value: Number(text) } : { problem };
}
