/**
 * JavaScript values ↔ stored JSON text. Values handed over as JavaScript are
 * stored as `JSON.stringify` output; text is never round-tripped through
 * `JSON.parse`/`JSON.stringify` on its way to disk (decisions: "Values").
 */

import { InvalidInputError } from "@frozendb/codec";

/**
 * The JSON text to store for `value`.
 * @throws {@link InvalidInputError} for `undefined`, functions, symbols,
 *   BigInt and cyclic structures (what `JSON.stringify` cannot represent).
 */
export function toJsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError("value cannot be stored as JSON", { cause: error });
  }
  if (text === undefined) {
    throw new InvalidInputError(
      `value cannot be stored as JSON: ${typeof value} is not representable`,
    );
  }
  return text;
}
