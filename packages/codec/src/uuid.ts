/**
 * UUID keys (file-format §7): canonical text ↔ 16 bytes, UUIDv7 rules, the
 * millisecond timestamp, and the null-row UUID pattern. Generation comes from
 * the `uuid` package. Its `parse` refuses text whose version or variant bits
 * are not RFC 9562's, but such keys must reach {@link validateUuidV7} to get
 * the original's specific messages ("UUID version must be 7, got 4"), so
 * canonical-shaped text is decoded here.
 */

import { v7 as uuidV7 } from "uuid";
import { InvalidInputError } from "./errors.js";

/** A key as callers hand it over: canonical UUID text or 16 raw bytes. */
export type KeyInput = string | Uint8Array;

/** Number of bytes in a UUID. */
export const UUID_LENGTH = 16;

const HEX = "0123456789abcdef";

/** Canonical lowercase text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) of 16 bytes. */
export function formatUuid(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < UUID_LENGTH; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    const b = bytes[i]!;
    s += HEX[b >>> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** Value of each hex digit's char code (either case), or -1. */
const HEX_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    table[HEX.charCodeAt(i)] = i;
    table[HEX.toUpperCase().charCodeAt(i)] = i;
  }
  return table;
})();

/** Offsets in canonical text of the 16 bytes' high hex digits (hyphens at 8, 13, 18, 23). */
const DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Decodes canonical text into `target[0 … 15]`; false (target partly written) when it is not canonical. */
function decodeCanonicalInto(text: string, target: Uint8Array): boolean {
  if (
    text.length !== 36 ||
    text.charCodeAt(8) !== 0x2d ||
    text.charCodeAt(13) !== 0x2d ||
    text.charCodeAt(18) !== 0x2d ||
    text.charCodeAt(23) !== 0x2d
  ) {
    return false;
  }
  for (let i = 0; i < UUID_LENGTH; i++) {
    const at = DIGIT_AT[i]!;
    const hi = text.charCodeAt(at);
    const lo = text.charCodeAt(at + 1);
    // Codes ≥ 128 index past the table: undefined, which fails the test below.
    const h = HEX_VALUE[hi] ?? -1;
    const l = HEX_VALUE[lo] ?? -1;
    if ((h | l) < 0) return false;
    target[i] = (h << 4) | l;
  }
  return true;
}

/**
 * The 16 bytes of `key` (a fresh copy), checking only its shape.
 * @throws {@link InvalidInputError} when `key` is not canonical UUID text or 16 bytes.
 */
export function parseUuid(key: KeyInput): Uint8Array {
  // A copy into a plain Uint8Array even for bytes: a Buffer's `slice` is a
  // view of the caller's memory, which the caller may reuse for its next key.
  const bytes = new Uint8Array(UUID_LENGTH);
  parseUuidInto(key, bytes);
  return bytes;
}

/**
 * Writes the 16 bytes of `key` into `target[0 … 15]` after the checks of
 * {@link parseUuid}, allocating nothing: for lookups, which hold the key only
 * while they run. On a throw, `target` may be partly written.
 * @throws {@link InvalidInputError} as {@link parseUuid}.
 */
export function parseUuidInto(key: KeyInput, target: Uint8Array): void {
  if (typeof key === "string") {
    if (!decodeCanonicalInto(key, target)) {
      throw new InvalidInputError(`invalid UUID format: '${key}'`);
    }
    return;
  }
  if (key instanceof Uint8Array) {
    if (key.length !== UUID_LENGTH) {
      throw new InvalidInputError(`UUID must be 16 bytes, got ${key.length}`);
    }
    for (let i = 0; i < UUID_LENGTH; i++) target[i] = key[i]!;
    return;
  }
  throw new InvalidInputError(`key must be a UUID string or 16 bytes, got ${typeof key}`);
}

/** Name of the variant of byte 8, as the original names it. */
function variantName(byte8: number): string {
  if ((byte8 & 0x80) === 0) return "Reserved";
  if ((byte8 & 0xc0) === 0x80) return "RFC4122";
  if ((byte8 & 0xe0) === 0xc0) return "Microsoft";
  return "Future";
}

/**
 * The first UUIDv7 rule `bytes` breaks (Nil, then variant, then version), or
 * `undefined` when it is a valid UUIDv7.
 */
export function uuidV7Problem(bytes: Uint8Array): string | undefined {
  if (bytes.length !== UUID_LENGTH) return `UUID must be 16 bytes, got ${bytes.length}`;
  // The common case first: version 7 and the RFC 4122 variant leave nothing
  // to report (such a key cannot be Nil), without the 16-byte Nil scan that
  // must otherwise come first to name the right problem.
  if (bytes[6]! >>> 4 === 7 && (bytes[8]! & 0xc0) === 0x80) return undefined;
  let any = 0;
  for (let i = 0; i < UUID_LENGTH; i++) any |= bytes[i]!;
  if (any === 0) return "UUID cannot be zero/Nil";
  const b8 = bytes[8]!;
  if ((b8 & 0xc0) !== 0x80) return `UUID variant must be RFC 4122, got ${variantName(b8)}`;
  const version = bytes[6]! >>> 4;
  if (version !== 7) return `UUID version must be 7, got ${version}`;
  return undefined;
}

/**
 * Checks the UUIDv7 rules of file-format §7.
 * @throws {@link InvalidInputError} naming the first rule broken.
 */
export function validateUuidV7(bytes: Uint8Array): void {
  const problem = uuidV7Problem(bytes);
  if (problem !== undefined) throw new InvalidInputError(problem);
}

/**
 * True when `bytes` has the null-row pattern: byte 6 = 0x70, byte 7 = 0,
 * byte 8 = 0x80, bytes 9–15 = 0 (any timestamp). A data key must not.
 */
export function isNullRowUuid(bytes: Uint8Array): boolean {
  if (bytes[6] !== 0x70 || bytes[7] !== 0 || bytes[8] !== 0x80) return false;
  for (let i = 9; i < UUID_LENGTH; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Checks that `bytes` may key a data row: a UUIDv7 that is not a null-row UUID.
 * @throws {@link InvalidInputError} with the original's messages.
 */
export function validateDataKey(bytes: Uint8Array): void {
  validateUuidV7(bytes);
  if (isNullRowUuid(bytes)) {
    throw new InvalidInputError(
      "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
    );
  }
}

/** Milliseconds since the Unix epoch: the first 6 bytes, big-endian. */
export function uuidTimestamp(bytes: Uint8Array, offset = 0): number {
  return (
    (bytes[offset]! * 0x10000 + ((bytes[offset + 1]! << 8) | bytes[offset + 2]!)) * 0x1000000 +
    ((bytes[offset + 3]! << 16) | (bytes[offset + 4]! << 8) | bytes[offset + 5]!)
  );
}

/**
 * Compares two 16-byte keys byte by byte: negative when `a` sorts first, 0
 * when equal. For UUIDv7 this is time order first (the timestamp leads).
 */
export function compareUuids(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < UUID_LENGTH; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Largest timestamp a UUIDv7 can carry (48 bits). */
export const MAX_UUID_TIMESTAMP = 2 ** 48 - 1;

/**
 * The null-row UUID for `timestamp` (file-format §9.2):
 * `tttttttt-tttt-7000-8000-000000000000`.
 * @throws {@link InvalidInputError} when `timestamp` is not an integer in 0 … 2^48−1.
 */
export function nullRowUuid(timestamp: number): Uint8Array {
  if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_UUID_TIMESTAMP) {
    throw new InvalidInputError(
      `timestamp must be an integer between 0 and 2^48-1, got ${timestamp}`,
    );
  }
  const bytes = new Uint8Array(UUID_LENGTH);
  const high = Math.floor(timestamp / 0x1000000);
  const low = timestamp % 0x1000000;
  bytes[0] = (high >>> 16) & 0xff;
  bytes[1] = (high >>> 8) & 0xff;
  bytes[2] = high & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70;
  bytes[8] = 0x80;
  return bytes;
}

/**
 * A new UUIDv7 as canonical text (monotonic within this process), from the
 * `uuid` package. Pass `msecs` to fix the timestamp.
 */
export function uuidv7(options?: { msecs?: number }): string {
  return options?.msecs === undefined ? uuidV7() : uuidV7({ msecs: options.msecs });
}
