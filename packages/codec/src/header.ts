/**
 * The 64-byte file header (file-format §3): compact JSON with the keys
 * `sig`, `ver`, `row_size`, `skew_ms` in that order, `0x00` padding, and a
 * newline at byte 63. Only the canonical form is accepted (decisions: OP-1).
 */

import { HEADER_SIZE, ROW_SIZE_RANGE, SKEW_MS_RANGE } from "./constants.js";
import { CorruptDatabaseError, InvalidInputError } from "./errors.js";
import { hexByteLower } from "./hex.js";
import { decodeUtf8, encodeUtf8 } from "./utf8.js";

/** The settings a file is created with; fixed for its lifetime. */
export interface Header {
  /** Bytes per row slot, 128 … 65536. */
  readonly rowSize: number;
  /** Clock-skew window of the ordering rule in milliseconds, 0 … 86400000. */
  readonly skewMs: number;
}

/** The signature in the `sig` field. */
export const SIGNATURE = "fDB";
/** The only format version. */
export const FORMAT_VERSION = 1;

function canonicalJson(header: Header): string {
  return `{"sig":"${SIGNATURE}","ver":${FORMAT_VERSION},"row_size":${header.rowSize},"skew_ms":${header.skewMs}}`;
}

function rangeProblem(header: Header): string | undefined {
  const { rowSize, skewMs } = header;
  if (!Number.isInteger(rowSize) || rowSize < ROW_SIZE_RANGE.MIN || rowSize > ROW_SIZE_RANGE.MAX) {
    return `row_size must be between ${ROW_SIZE_RANGE.MIN} and ${ROW_SIZE_RANGE.MAX}, got ${rowSize}`;
  }
  if (!Number.isInteger(skewMs) || skewMs < SKEW_MS_RANGE.MIN || skewMs > SKEW_MS_RANGE.MAX) {
    return `skew_ms must be between ${SKEW_MS_RANGE.MIN} and ${SKEW_MS_RANGE.MAX}, got ${skewMs}`;
  }
  return undefined;
}

/**
 * Checks that `rowSize` is an integer in 128 … 65536.
 * @throws {@link InvalidInputError}
 */
export function validateRowSize(rowSize: number): void {
  if (!Number.isInteger(rowSize) || rowSize < ROW_SIZE_RANGE.MIN || rowSize > ROW_SIZE_RANGE.MAX) {
    throw new InvalidInputError(
      `row_size must be between ${ROW_SIZE_RANGE.MIN} and ${ROW_SIZE_RANGE.MAX}, got ${rowSize}`,
    );
  }
}

/**
 * Checks `row_size` and `skew_ms` ranges (integers, inclusive bounds).
 * @throws {@link InvalidInputError} naming the field and the value.
 */
export function validateHeader(header: Header): void {
  const problem = rangeProblem(header);
  if (problem !== undefined) throw new InvalidInputError(problem);
}

/**
 * The exact 64 header bytes the original writes for these settings.
 * @throws {@link InvalidInputError} when a setting is out of range.
 */
export function encodeHeader(header: Header): Uint8Array {
  validateHeader(header);
  const bytes = new Uint8Array(HEADER_SIZE);
  bytes.set(encodeUtf8(canonicalJson(header)), 0);
  bytes[HEADER_SIZE - 1] = 0x0a;
  return bytes;
}

function corrupt(message: string, offset: number, cause?: unknown): CorruptDatabaseError {
  return new CorruptDatabaseError(message, cause === undefined ? { offset } : { offset, cause });
}

/**
 * Parses and validates the header in the first 64 bytes of `bytes`, in the
 * order of file-format §3.2, then requires the canonical form.
 * @throws {@link CorruptDatabaseError} with the original's messages; `offset` is the bad byte.
 */
export function decodeHeader(bytes: Uint8Array): Header {
  if (bytes.length < HEADER_SIZE) {
    throw corrupt(
      `file too small for header: expected at least ${HEADER_SIZE} bytes, got ${bytes.length}`,
      bytes.length,
    );
  }
  const last = bytes[HEADER_SIZE - 1];
  if (last !== 0x0a) {
    throw corrupt(`byte 63 must be newline, got ${hexByteLower(last)}`, HEADER_SIZE - 1);
  }
  const firstNul = bytes.subarray(0, HEADER_SIZE).indexOf(0);
  if (firstNul < 0) throw corrupt("no null terminator found in header", HEADER_SIZE - 1);
  for (let i = firstNul; i < HEADER_SIZE - 1; i++) {
    if (bytes[i] !== 0) {
      throw corrupt(`padding byte at position ${i} must be null, got ${hexByteLower(bytes[i])}`, i);
    }
  }
  const fields = parseHeaderJson(bytes.subarray(0, firstNul));
  const valueProblem = headerValueProblem(fields);
  if (valueProblem !== undefined) {
    throw corrupt("invalid header values", 0, new InvalidInputError(valueProblem));
  }
  const header: Header = { rowSize: fields.rowSize, skewMs: fields.skewMs };
  const canonical = encodeUtf8(canonicalJson(header));
  const differsAt = firstDifference(canonical, bytes.subarray(0, firstNul));
  if (differsAt >= 0) {
    throw corrupt(
      `header JSON is not in canonical form (expected ${canonicalJson(header)})`,
      differsAt,
    );
  }
  return header;
}

interface HeaderFields {
  readonly sig: string;
  readonly ver: number;
  readonly rowSize: number;
  readonly skewMs: number;
}

function parseHeaderJson(json: Uint8Array): HeaderFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(json));
  } catch (error) {
    throw corrupt("failed to parse JSON header", 0, error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw corrupt("failed to parse JSON header", 0);
  }
  const { sig, ver, row_size: rowSize, skew_ms: skewMs } = parsed as Record<string, unknown>;
  // The original decodes into typed fields: a field of the wrong JSON type is
  // a parse failure, not a range failure.
  if (
    typeof sig !== "string" ||
    typeof ver !== "number" ||
    typeof rowSize !== "number" ||
    typeof skewMs !== "number"
  ) {
    throw corrupt("failed to parse JSON header", 0);
  }
  return { sig, ver, rowSize, skewMs };
}

function headerValueProblem(fields: HeaderFields): string | undefined {
  if (fields.sig !== SIGNATURE) {
    return `invalid signature: expected '${SIGNATURE}', got '${String(fields.sig)}'`;
  }
  if (fields.ver !== FORMAT_VERSION) {
    return `unsupported version: expected ${FORMAT_VERSION}, got ${String(fields.ver)}`;
  }
  return rangeProblem(fields);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
