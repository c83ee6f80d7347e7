import { InvalidInputError } from "frozendb";

const INTEGER = /^-?[0-9]+$/;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;

/**
 * A time bound of `export`: milliseconds since the epoch, or an ISO 8601
 * date or date-time (`2026-01-31`, `2026-01-31T12:00:00Z`).
 * @throws {@link InvalidInputError} `<flag> must be a time (milliseconds or ISO 8601)`.
 */
export function parseTimeArg(flag: string, text: string): number {
  const ms = INTEGER.test(text)
    ? Number(text)
    : ISO_DATE.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new InvalidInputError(`${flag} must be a time (milliseconds or ISO 8601)`, {
      cause: new Error(`cannot read ${JSON.stringify(text)} as a time`),
    });
  }
  return ms;
}
