/** Two-digit hex helpers for parity bytes and error messages. */

const UPPER_HEX = "0123456789ABCDEF";

/** ASCII code of the uppercase hex digit of `nibble` (0–15). */
export function hexDigitCode(nibble: number): number {
  return UPPER_HEX.charCodeAt(nibble & 15);
}

/** Value of one uppercase hex digit, or -1 (lowercase is not a parity digit). */
export function upperHexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** `0x1F`-style rendering used in error messages (uppercase, two digits). */
export function hexByte(byte: number | undefined): string {
  if (byte === undefined) return "EOF";
  return `0x${UPPER_HEX[byte >>> 4]}${UPPER_HEX[byte & 15]}`;
}

/** Lowercase two-digit rendering, as the original prints header bytes. */
export function hexByteLower(byte: number | undefined): string {
  return hexByte(byte).toLowerCase();
}

/** `0x1234ABCD`-style rendering of a 32-bit unsigned value. */
export function hexWord(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}
