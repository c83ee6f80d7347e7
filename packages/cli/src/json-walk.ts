/**
 * A validating, non-recursive walk over JSON text (RFC 8259) that reports
 * positions instead of building values. `get` pretty-prints and `import`
 * splices stored text through it: values never pass through
 * `JSON.parse`/`JSON.stringify`, so numbers, escapes and key order stay as
 * written (decisions: "Values"). No recursion, so any nesting depth works.
 */

import { InvalidInputError } from "frozendb";

/** What {@link walkJson} reports, in document order. */
export interface JsonVisitor {
  /** A string, number, `true`, `false` or `null` at `[start, end)`. */
  scalar(start: number, end: number): void;
  /** An object member's name (with its quotes) at `[start, end)`. */
  key(start: number, end: number): void;
  /** `{` or `[` at `start`; `empty` when the container has no members. */
  open(kind: "object" | "array", empty: boolean, start: number): void;
  /** The container ends just before `end`. */
  close(kind: "object" | "array", empty: boolean, end: number): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function skipSpace(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return pos;
    pos++;
  }
}

function syntaxError(text: string, pos: number, expected: string): InvalidInputError {
  if (pos >= text.length) return new InvalidInputError("unexpected end of JSON input");
  return new InvalidInputError(
    `invalid character ${JSON.stringify(text[pos])} at offset ${pos}, expected ${expected}`,
  );
}

function scanString(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (Number.isNaN(c)) throw syntaxError(text, i, "end of string");
    if (c === QUOTE) return i + 1;
    if (c < 0x20)
      throw syntaxError(text, i, "a character of a string (control characters must be escaped)");
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          if (!isHexDigit(text.charCodeAt(i + k)))
            throw syntaxError(text, i + k, "a hex digit of \\u");
        }
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
        continue;
      }
      throw syntaxError(text, i + 1, "an escape character");
    }
    i++;
  }
}

function scanDigits(text: string, pos: number, what: string): number {
  if (!isDigit(text.charCodeAt(pos))) throw syntaxError(text, pos, what);
  let i = pos + 1;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

function scanNumber(text: string, pos: number): number {
  let i = pos;
  if (text.charCodeAt(i) === MINUS) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else i = scanDigits(text, i, "a digit");
  if (text.charCodeAt(i) === 0x2e) i = scanDigits(text, i + 1, "a digit after the decimal point");
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS) i++;
    i = scanDigits(text, i, "a digit of the exponent");
  }
  return i;
}

function scanScalar(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === QUOTE) return scanString(text, pos);
  if (c === MINUS || isDigit(c)) return scanNumber(text, pos);
  for (const word of ["true", "false", "null"]) {
    if (text.startsWith(word, pos)) return pos + word.length;
  }
  throw syntaxError(text, pos, "a value");
}

/**
 * Walks the JSON document `text` (surrounding whitespace allowed), calling
 * `visitor` for every token that carries content.
 * @throws {@link InvalidInputError} at the first syntax error, naming its offset.
 */
export function walkJson(text: string, visitor: JsonVisitor): void {
  // true = object, false = array, one entry per open container.
  const stack: boolean[] = [];
  let pos = skipSpace(text, 0);

  const memberName = (at: number): number => {
    if (text.charCodeAt(at) !== QUOTE) throw syntaxError(text, at, "a member name");
    const end = scanString(text, at);
    visitor.key(at, end);
    const colon = skipSpace(text, end);
    if (text.charCodeAt(colon) !== COLON) throw syntaxError(text, colon, "':'");
    return skipSpace(text, colon + 1);
  };

  for (;;) {
    // A value starts at `pos`.
    const c = text.charCodeAt(pos);
    if (c === LBRACE || c === LBRACKET) {
      const isObject = c === LBRACE;
      const kind = isObject ? "object" : "array";
      const inner = skipSpace(text, pos + 1);
      if (text.charCodeAt(inner) === (isObject ? RBRACE : RBRACKET)) {
        visitor.open(kind, true, pos);
        visitor.close(kind, true, inner + 1);
        pos = skipSpace(text, inner + 1);
      } else {
        visitor.open(kind, false, pos);
        stack.push(isObject);
        pos = isObject ? memberName(inner) : inner;
        continue;
      }
    } else {
      const end = scanScalar(text, pos);
      visitor.scalar(pos, end);
      pos = skipSpace(text, end);
    }
    // After a value: a separator, the end of containers, or the end of the text.
    for (;;) {
      const top = stack.at(-1);
      if (top === undefined) {
        if (pos !== text.length) throw syntaxError(text, pos, "the end of the document");
        return;
      }
      const d = text.charCodeAt(pos);
      if (d === COMMA) {
        const next = skipSpace(text, pos + 1);
        pos = top ? memberName(next) : next;
        break;
      }
      if (d === (top ? RBRACE : RBRACKET)) {
        stack.pop();
        visitor.close(top ? "object" : "array", false, pos + 1);
        pos = skipSpace(text, pos + 1);
        continue;
      }
      throw syntaxError(text, pos, top ? "',' or '}'" : "',' or ']'");
    }
  }
}

const IGNORE: JsonVisitor = { scalar() {}, key() {}, open() {}, close() {} };

/** True when `text` is one JSON document (surrounding whitespace allowed). */
export function isJson(text: string): boolean {
  try {
    walkJson(text, IGNORE);
    return true;
  } catch {
    return false;
  }
}
