/**
 * Start and end control codes (file-format §5): what each code means for the
 * transaction it belongs to.
 */

import { START_CONTROL } from "./constants.js";

/** Start control of a row: `T` begins a transaction, `R` continues it, `C` is a checksum row. */
export type StartControl = "T" | "R" | "C";

/** A savepoint/rollback digit. */
export type SavepointDigit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/** End control of a row (positions N−5, N−4). */
export type EndControl =
  | "TC"
  | "RE"
  | "SC"
  | "SE"
  | `R${SavepointDigit}`
  | `S${SavepointDigit}`
  | "CS"
  | "NR";

/** End controls a data row may carry. */
export type DataEndControl = Exclude<EndControl, "CS" | "NR">;

const DIGITS: readonly SavepointDigit[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** `R0`–`R9` and `S0`–`S9`, by digit. */
const ROLLBACKS: readonly DataEndControl[] = DIGITS.map((d): DataEndControl => `R${d}`);
const SAVEPOINT_ROLLBACKS: readonly DataEndControl[] = DIGITS.map((d): DataEndControl => `S${d}`);

/** Every valid end control, in the order of file-format §5.2. */
export const END_CONTROLS: readonly EndControl[] = [
  "TC",
  "RE",
  "SC",
  "SE",
  ...ROLLBACKS,
  ...SAVEPOINT_ROLLBACKS,
  "CS",
  "NR",
];

// (first byte << 8 | second byte) → 1 + index in END_CONTROLS (0: invalid), so
// a read is one typed-array lookup, no string building or hashing.
const END_CONTROL_SLOT = new Uint8Array(1 << 16);
END_CONTROLS.forEach((code, i) => {
  END_CONTROL_SLOT[(code.charCodeAt(0) << 8) | code.charCodeAt(1)] = i + 1;
});

/** The end control stored at `bytes[position]`, or `undefined` when it is not a valid code. */
export function readEndControl(bytes: Uint8Array, position: number): EndControl | undefined {
  const slot = END_CONTROL_SLOT[(bytes[position]! << 8) | bytes[position + 1]!]!;
  return slot === 0 ? undefined : END_CONTROLS[slot - 1];
}

/** Writes the two bytes of `code` at `target[position]`. */
export function writeEndControl(target: Uint8Array, position: number, code: EndControl): void {
  target[position] = code.charCodeAt(0);
  target[position + 1] = code.charCodeAt(1);
}

/** The start control for byte `b`, or `undefined`. */
export function startControlOf(b: number | undefined): StartControl | undefined {
  if (b === START_CONTROL.TRANSACTION) return "T";
  if (b === START_CONTROL.CONTINUATION) return "R";
  if (b === START_CONTROL.CHECKSUM) return "C";
  return undefined;
}

/** True when `code` is valid on a data row (every code but `CS` and `NR`). */
export function isDataEndControl(code: EndControl): code is DataEndControl {
  return code !== "CS" && code !== "NR";
}

/** True when the row creates a savepoint (first character `S`). */
export function hasSavepoint(code: EndControl): boolean {
  return code.charCodeAt(0) === 0x53;
}

/** True for codes that close a transaction: `TC`, `SC`, `R0`–`R9`, `S0`–`S9`, `NR`. */
export function endsTransaction(code: EndControl): boolean {
  return code !== "RE" && code !== "SE" && code !== "CS";
}

/** True for `TC` and `SC`: every row of the transaction is committed. */
export function isCommit(code: EndControl): boolean {
  return code === "TC" || code === "SC";
}

/** The savepoint a rollback code returns to (0–9), or `undefined` for other codes. */
export function rollbackTarget(code: EndControl): number | undefined {
  const d = code.charCodeAt(1) - 0x30;
  return d >= 0 && d <= 9 ? d : undefined;
}

/**
 * The end control a data row gets when it is completed by `action`, given
 * whether a savepoint was placed on it (file-format §10.6).
 */
export function completionControl(
  action: "continue" | "commit" | { rollbackTo: number },
  savepoint: boolean,
): DataEndControl {
  // Constant strings, not built ones: this runs for every row written.
  if (action === "continue") return savepoint ? "SE" : "RE";
  if (action === "commit") return savepoint ? "SC" : "TC";
  return (savepoint ? SAVEPOINT_ROLLBACKS : ROLLBACKS)[action.rollbackTo]!;
}
