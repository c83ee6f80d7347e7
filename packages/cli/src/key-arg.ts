/**
 * Keys typed on the command line (cli.md §4.8): the spellings Go's
 * `uuid.Parse` accepts, checked with its messages, then the UUIDv7 version.
 */

import { InvalidInputError, uuidv7 } from "frozendb";

const HEX = /^[0-9a-fA-F]$/;

/** `invalid UUID format` with the parser's message as the cause. */
function formatError(problem: string): InvalidInputError {
  // The cause is the parser's own text, rendered without a code, as the original does.
  return new InvalidInputError("invalid UUID format", { cause: new Error(problem) });
}

/** The 32 hex digits of a 36-character canonical spelling, or `undefined`. */
function canonicalHex(text: string): string | undefined {
  for (const at of [8, 13, 18, 23]) if (text[at] !== "-") return undefined;
  return (
    text.slice(0, 8) + text.slice(9, 13) + text.slice(14, 18) + text.slice(19, 23) + text.slice(24)
  );
}

/**
 * Parses a key argument into lowercase canonical text. With `allowNow`,
 * `NOW` in any letter case is a new UUIDv7.
 * @throws {@link InvalidInputError} `invalid UUID format` (cause: the parser's
 *   reason) or `key must be UUIDv7`.
 */
export function parseKeyArg(text: string, allowNow: boolean): string {
  if (allowNow && text.toLowerCase() === "now") return uuidv7();
  // Go measures strings in bytes; a non-ASCII character can only fail the hex check anyway.
  const length = Buffer.byteLength(text, "utf8");
  let hex: string | undefined;
  switch (length) {
    case 36:
      hex = canonicalHex(text);
      break;
    case 38:
      // The original drops the first and last characters without looking at them.
      hex = canonicalHex([...text].slice(1, -1).join(""));
      break;
    case 45: {
      const prefix = Buffer.from(text, "utf8").subarray(0, 9).toString("latin1");
      if (prefix.toLowerCase() !== "urn:uuid:") {
        throw formatError(`invalid urn prefix: ${JSON.stringify(prefix)}`);
      }
      hex = canonicalHex(text.slice(9));
      break;
    }
    case 32:
      hex = text;
      break;
    default:
      throw formatError(`invalid UUID length: ${length}`);
  }
  if (hex === undefined || hex.length !== 32 || ![...hex].every((c) => HEX.test(c))) {
    throw formatError("invalid UUID format");
  }
  const lower = hex.toLowerCase();
  if (lower[12] !== "7") throw new InvalidInputError("key must be UUIDv7");
  return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
}
