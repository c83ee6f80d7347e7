/**
 * The JSON Lines record `export` and `tail` print, and `import` reads back.
 * The stored value text is spliced in as it is; only line breaks, which in
 * valid JSON can only be insignificant whitespace, become spaces so that a
 * record stays on one line.
 */

const LINE_BREAKS = /[\n\r]/g;

/** `{"key":"<key>","value":<stored text>}` and a newline. */
export function formatRecord(key: string, storedText: string): string {
  return `{"key":"${key}","value":${storedText.replace(LINE_BREAKS, " ")}}\n`;
}
