/**
 * TSV field escaping for `inspect` (decisions OP-C5): a value containing a
 * tab or a line break (legal JSON whitespace) must not break the one-row,
 * nine-field line structure.
 */

const SPECIAL = /[\t\n\r\\]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\\": "\\\\",
};

/** `text` with tab, newline, carriage return and backslash written as `\t`, `\n`, `\r`, `\\`. */
export function escapeTsvField(text: string): string {
  return text.replace(SPECIAL, (c) => ESCAPES[c]!);
}
