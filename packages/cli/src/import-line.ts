/**
 * One line of `import` input: a JSON object with a `"value"` member, spliced
 * out of the line text exactly as written, and an optional `"key"` member.
 */

import { InvalidInputError } from "frozendb";
import { walkJson } from "./json-walk.js";

/** A parsed input line. */
export interface ImportLine {
  /** The `"key"` member's string, or `undefined` when absent. */
  readonly key: string | undefined;
  /** The `"value"` member's JSON text, exactly as in the line. */
  readonly value: string;
}

/**
 * Parses one input line.
 * @throws {@link InvalidInputError} `invalid JSON format` (cause: where),
 *   or a message naming the member that is missing, unknown or of the wrong type.
 */
export function parseImportLine(line: string): ImportLine {
  const members = new Map<string, { start: number; end: number; string: boolean }>();
  let topIsObject = false;
  let depth = 0;
  let name: string | undefined;
  let valueStart = 0;
  try {
    walkJson(line, {
      open(kind, _empty, start) {
        if (depth === 0) topIsObject = kind === "object";
        if (depth === 1) valueStart = start;
        depth++;
      },
      close(_kind, _empty, end) {
        depth--;
        if (depth === 1 && name !== undefined) {
          members.set(name, { start: valueStart, end, string: false });
        }
      },
      key(start, end) {
        if (depth === 1) name = JSON.parse(line.slice(start, end)) as string;
      },
      scalar(start, end) {
        if (depth === 1 && name !== undefined) {
          members.set(name, { start, end, string: line.charCodeAt(start) === 0x22 });
        }
      },
    });
  } catch (error) {
    throw new InvalidInputError("invalid JSON format", { cause: error });
  }
  if (!topIsObject) {
    throw new InvalidInputError('a line must be a JSON object with a "value" member');
  }
  for (const member of members.keys()) {
    if (member !== "key" && member !== "value") {
      throw new InvalidInputError(
        `unknown member ${JSON.stringify(member)} (expected "key" and "value")`,
      );
    }
  }
  const value = members.get("value");
  if (value === undefined) throw new InvalidInputError('missing "value" member');
  const key = members.get("key");
  if (key !== undefined && !key.string) throw new InvalidInputError('"key" must be a string');
  return {
    key: key === undefined ? undefined : (JSON.parse(line.slice(key.start, key.end)) as string),
    value: line.slice(value.start, value.end),
  };
}
