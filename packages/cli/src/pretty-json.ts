/**
 * `frozendb get` output: the stored JSON text pretty-printed like the
 * original (two-space indent, one member per line, `"key": value`, empty
 * containers on one line, a trailing newline) but from the text itself, so
 * key order, duplicate keys, number digits and string escapes stay exactly
 * as stored (decisions: "`frozendb get` output").
 */

import { InvalidDataError } from "frozendb";
import { walkJson } from "./json-walk.js";

/**
 * The pretty-printed form of the JSON text `text`, ending in a newline.
 * @throws {@link InvalidDataError} "failed to unmarshal JSON value" when `text` is not JSON.
 */
export function prettyJson(text: string): string {
  const parts: string[] = [];
  // One entry per open container: has it printed a member yet?
  const started: boolean[] = [];
  let afterKey = false;

  const indent = () => `\n${"  ".repeat(started.length)}`;
  // Every value and member name starts a new line inside a container, except
  // a value right after its member name.
  const startItem = () => {
    if (afterKey) {
      afterKey = false;
      return;
    }
    const depth = started.length;
    if (depth === 0) return;
    parts.push(started[depth - 1] ? "," : "", indent());
    started[depth - 1] = true;
  };

  try {
    walkJson(text, {
      scalar(start, end) {
        startItem();
        parts.push(text.slice(start, end));
      },
      key(start, end) {
        startItem();
        parts.push(text.slice(start, end), ": ");
        afterKey = true;
      },
      open(kind, empty) {
        startItem();
        if (empty) parts.push(kind === "object" ? "{}" : "[]");
        else {
          parts.push(kind === "object" ? "{" : "[");
          started.push(false);
        }
      },
      close(kind, empty) {
        if (empty) return;
        started.pop();
        parts.push(indent(), kind === "object" ? "}" : "]");
      },
    });
  } catch (error) {
    throw new InvalidDataError("failed to unmarshal JSON value", { cause: error });
  }
  parts.push("\n");
  return parts.join("");
}
