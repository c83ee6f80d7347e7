/**
 * Complete rows (file-format §4): the generic parser that tells checksum,
 * null and data rows apart and validates every byte, and the shared tail
 * writer (end control, parity, ROW_END).
 */

import { decodeBase64Into } from "./base64.js";
import {
  CRC_BASE64_LENGTH,
  HEADER_SIZE,
  KEY_BASE64_LENGTH,
  ROW,
  START_CONTROL,
  VALUE_OFFSET,
} from "./constants.js";
import {
  type DataEndControl,
  type EndControl,
  isDataEndControl,
  readEndControl,
  type StartControl,
  writeEndControl,
} from "./control.js";
import { CorruptDatabaseError, InvalidInputError } from "./errors.js";
import { hexByte, hexDigitCode } from "./hex.js";
import { readParity, writeParity, xorRange } from "./parity.js";
import { rowScan, scanAscii, scanFirstZero, scanPaddingClean, scanParity } from "./row-scan.js";
import { decodeAscii } from "./utf8.js";
import { formatUuid, isNullRowUuid, uuidTimestamp, uuidV7Problem } from "./uuid.js";
import { decodeValueText } from "./value.js";

/** A checksum row: the CRC32 of the block before it (file-format §6). */
export interface ChecksumRow {
  readonly type: "checksum";
  /** CRC-32/IEEE as an unsigned 32-bit integer. */
  readonly crc: number;
}

/** A null row: an empty transaction, keyed by the null-row UUID of its time (§9). */
export interface NullRow {
  readonly type: "null";
  readonly key: Uint8Array;
  /** Milliseconds since the epoch carried by the key. */
  readonly timestamp: number;
}

/**
 * A data row: one key and its JSON value inside a transaction (§8). The value
 * stays in the decoded buffer until asked for, so a decode allocates only the
 * key; copy `value` before reusing that buffer.
 */
export class DataRow {
  readonly type = "data" as const;
  readonly startControl: "T" | "R";
  readonly endControl: DataEndControl;
  readonly key: Uint8Array;
  /** Milliseconds since the epoch carried by the key. */
  readonly timestamp: number;
  readonly #bytes: Uint8Array;
  readonly #start: number;
  readonly #end: number;
  readonly #ascii: boolean;

  /** @internal Built by {@link decodeRow}. */
  constructor(
    fields: {
      startControl: "T" | "R";
      endControl: DataEndControl;
      key: Uint8Array;
      timestamp: number;
    },
    bytes: Uint8Array,
    start: number,
    end: number,
    ascii: boolean,
  ) {
    this.startControl = fields.startControl;
    this.endControl = fields.endControl;
    this.key = fields.key;
    this.timestamp = fields.timestamp;
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
    this.#ascii = ascii;
  }

  /** The stored JSON bytes, exactly as written (a view into the decoded buffer). */
  get value(): Uint8Array {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /** Length of the stored value in bytes. */
  get valueLength(): number {
    return this.#end - this.#start;
  }

  /**
   * The stored JSON text, exactly as written.
   * @throws {@link InvalidDataError} when the bytes are not valid UTF-8.
   */
  get valueText(): string {
    if (this.#ascii) return decodeAscii(this.#bytes, this.#start, this.#end);
    return decodeValueText(this.value);
  }
}

/**
 * The {@link DataRow} of a row the caller itself has just encoded at
 * `bytes[offset]` (with `writeDataRowFrame` and `writeRowEnd`): `key` (the
 * caller's own copy), `timestamp` and a value of `valueLength` bytes, `ascii`
 * when they are all ASCII. Nothing is decoded or checked — for a writer that
 * tells subscribers about its own rows, which are valid by construction.
 */
export function writtenDataRow(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  key: Uint8Array,
  timestamp: number,
  valueLength: number,
  ascii: boolean,
): DataRow {
  return new DataRow(
    {
      startControl: bytes[offset + 1] === START_CONTROL.TRANSACTION ? "T" : "R",
      endControl: readEndControl(bytes, offset + rowSize - 5) as DataEndControl,
      key,
      timestamp,
    },
    bytes,
    offset + VALUE_OFFSET,
    offset + VALUE_OFFSET + valueLength,
    ascii,
  );
}

/** Any complete row. */
export type Row = ChecksumRow | NullRow | DataRow;

/** Fewer bytes than a row remain: a torn tail, settled by recovery, never corruption. */
export const INCOMPLETE: { readonly type: "incomplete" } = Object.freeze({ type: "incomplete" });

/** Result of {@link decodeRow}. */
export type RowDecodeResult = Row | typeof INCOMPLETE;

type RowType = Row["type"];

const TYPE_NAMES: Record<RowType, string> = { checksum: "checksum", null: "null", data: "data" };

/** Absolute file offset of position `pos` in the row at `offset`/`rowIndex`. */
function fileOffset(
  offset: number,
  rowSize: number,
  rowIndex: number | undefined,
  pos: number,
): number {
  return (rowIndex === undefined ? offset : HEADER_SIZE + rowIndex * rowSize) + pos;
}

/** Internal: a row-level problem at position `pos`, wrapped by {@link decodeRow}. */
class RowFailure {
  readonly pos: number;
  readonly cause: InvalidInputError;
  constructor(pos: number, cause: InvalidInputError) {
    this.pos = pos;
    this.cause = cause;
  }
}

function fail(pos: number, message: string, cause?: InvalidInputError): never {
  throw new RowFailure(pos, new InvalidInputError(message, cause ? { cause } : undefined));
}

/**
 * Decodes the complete row of `rowSize` bytes at `bytes[offset]`, checking
 * every byte: sentinels, controls, padding, parity (over the bytes actually
 * stored), Base64, UUIDv7 rules and the payload of its type.
 *
 * @param rowIndex - the row's index in the file; when given, errors carry it
 *   and absolute file offsets (otherwise offsets are relative to `bytes`).
 * @returns {@link INCOMPLETE} when fewer than `rowSize` bytes remain.
 * @throws {@link CorruptDatabaseError} with the original's message
 *   ("failed to unmarshal data row", "unknown row type", …), the specific
 *   problem as its cause, and the offset of the bad byte.
 */
export function decodeRow(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex?: number,
): RowDecodeResult {
  if (bytes.length - offset < rowSize) return INCOMPLETE;
  const end = readEndControl(bytes, offset + rowSize - 5);
  const type = rowTypeOf(bytes, offset, rowSize, rowIndex, end);
  const key = type === "checksum" ? SCRATCH_KEY : new Uint8Array(16);
  parse(type, bytes, offset, rowSize, end, rowIndex, key);
  if (type === "checksum") return { type, crc: parsed.crc };
  if (type === "null") return { type, key, timestamp: parsed.timestamp };
  return new DataRow(
    {
      startControl: parsed.startControl as "T" | "R",
      endControl: parsed.endControl as DataEndControl,
      key,
      timestamp: parsed.timestamp,
    },
    bytes,
    offset + VALUE_OFFSET,
    offset + parsed.valueEnd,
    parsed.ascii,
  );
}

/** The row type its controls name (file-format §4.2 step 3), or a corruption error. */
function rowTypeOf(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex: number | undefined,
  end: EndControl | undefined,
): RowType {
  const start = bytes[offset + 1];
  if (start === START_CONTROL.CHECKSUM && end === "CS") return "checksum";
  if (start === START_CONTROL.TRANSACTION && end === "NR") return "null";
  if (start === START_CONTROL.TRANSACTION || start === START_CONTROL.CONTINUATION) return "data";
  const cause =
    start === START_CONTROL.CHECKSUM
      ? new InvalidInputError("invalid end_control", {
          cause: new InvalidInputError(
            `invalid EndControl: '${endText(bytes, offset + rowSize - 5)}'`,
          ),
        })
      : new InvalidInputError("invalid start_control", {
          cause: new InvalidInputError(`invalid StartControl byte: ${hexByte(start)}`),
        });
  throw new CorruptDatabaseError("unknown row type", {
    cause,
    offset: fileOffset(offset, rowSize, rowIndex, 1),
    ...(rowIndex === undefined ? {} : { rowIndex }),
  });
}

/**
 * What {@link inspectRow} found: the row's kind and controls, without the
 * objects {@link decodeRow} builds. One instance, overwritten by every call.
 */
export interface RowInfo {
  type: Row["type"];
  startControl: StartControl;
  endControl: EndControl;
  /** Key timestamp (data and null rows). */
  timestamp: number;
  /** CRC (checksum rows). */
  crc: number;
  /** Value end position within the row (data rows): the value is [26, valueEnd). */
  valueEnd: number;
  ascii: boolean;
}

const parsed: RowInfo = {
  type: "checksum",
  startControl: "C",
  endControl: "CS",
  timestamp: 0,
  crc: 0,
  valueEnd: 0,
  ascii: true,
};
const SCRATCH_KEY = new Uint8Array(16);

/**
 * Checks a complete row exactly as {@link decodeRow} does, without
 * allocating: for scans that only need kinds, controls and timestamps
 * (verify, finders). The key bytes land in `keyTarget` when given.
 * @returns a record reused by the next call, or {@link INCOMPLETE}.
 * @throws {@link CorruptDatabaseError} as {@link decodeRow}.
 */
export function inspectRow(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex?: number,
  keyTarget: Uint8Array = SCRATCH_KEY,
): Readonly<RowInfo> | typeof INCOMPLETE {
  return inspect(bytes, offset, rowSize, rowIndex, keyTarget, -1);
}

/**
 * {@link inspectRow} for a row whose byte scan was made already: `scan` is
 * what {@link rowScan} gives for it (verify gets the scans of a whole chunk
 * from native code). Every check and error is {@link inspectRow}'s.
 * @throws {@link CorruptDatabaseError} as {@link decodeRow}.
 */
export function inspectRowScanned(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex: number,
  keyTarget: Uint8Array,
  scan: number,
): Readonly<RowInfo> | typeof INCOMPLETE {
  return inspect(bytes, offset, rowSize, rowIndex, keyTarget, scan);
}

/** {@link inspectRow}; `scan` is the row's {@link rowScan}, or -1 to make it here. */
function inspect(
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  rowIndex: number | undefined,
  keyTarget: Uint8Array,
  scan: number,
): Readonly<RowInfo> | typeof INCOMPLETE {
  if (bytes.length - offset < rowSize) return INCOMPLETE;
  const end = readEndControl(bytes, offset + rowSize - 5);
  parse(
    rowTypeOf(bytes, offset, rowSize, rowIndex, end),
    bytes,
    offset,
    rowSize,
    end,
    rowIndex,
    keyTarget,
    scan,
  );
  return parsed;
}

/**
 * The value text of the data row at `bytes[offset]` that {@link inspectRow}
 * just checked (`info` is its result).
 * @throws {@link InvalidDataError} when the bytes are not valid UTF-8.
 */
export function valueTextAt(bytes: Uint8Array, offset: number, info: Readonly<RowInfo>): string {
  const start = offset + VALUE_OFFSET;
  const end = offset + info.valueEnd;
  if (info.ascii) return decodeAscii(bytes, start, end);
  return decodeValueText(bytes.subarray(start, end));
}

/** Checks a row of type `type`; `scan` is its {@link rowScan}, or -1 to make it here. */
function parse(
  type: RowType,
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  end: EndControl | undefined,
  rowIndex: number | undefined,
  key: Uint8Array,
  scan = -1,
): void {
  try {
    parseTyped(type, bytes, offset, rowSize, end, key, scan);
  } catch (error) {
    if (!(error instanceof RowFailure)) throw error;
    throw new CorruptDatabaseError(`failed to unmarshal ${TYPE_NAMES[type]} row`, {
      cause: error.cause,
      offset: fileOffset(offset, rowSize, rowIndex, error.pos),
      ...(rowIndex === undefined ? {} : { rowIndex }),
    });
  }
}

function endText(bytes: Uint8Array, pos: number): string {
  return String.fromCharCode(bytes[pos]!, bytes[pos + 1]!);
}

function parseTyped(
  type: RowType,
  bytes: Uint8Array,
  offset: number,
  rowSize: number,
  end: EndControl | undefined,
  key: Uint8Array,
  scan: number,
): void {
  const b0 = bytes[offset]!;
  if (b0 !== ROW.START) fail(0, `invalid ROW_START: expected 0x1F, got ${hexByte(b0)}`);
  const last = bytes[offset + rowSize - 1]!;
  if (last !== ROW.END) fail(rowSize - 1, `invalid ROW_END: expected 0x0A, got ${hexByte(last)}`);

  // One pass gives the parity, the first 0x00, whether the padding after it
  // is clean and, for free, whether the row is pure ASCII (every byte of a
  // row is, except maybe the value's), which lets the value text skip UTF-8
  // decoding (row-scan.ts; verify hands in scans made natively). Bytes 0
  // and 1 were checked non-zero, so the first zero is the first at
  // position ≥ 2.
  if (scan < 0) scan = rowScan(bytes, offset, rowSize);
  const parity = scanParity(scan);
  const ascii = scanAscii(scan);
  const nulAt = offset + scanFirstZero(scan);

  // The payload ends at the first 0x00 among positions 2 … N−7, so every row
  // has at least two padding bytes (file-format §4.2 step 4).
  if (nulAt < offset || nulAt > offset + rowSize - 7)
    fail(2, "no null byte found to mark padding start");
  const firstNul = nulAt - offset;
  if (!scanPaddingClean(scan)) {
    let i = nulAt;
    while (bytes[i] === 0) i++;
    fail(
      i - offset,
      `invalid padding byte at position ${i - offset}: expected NULL_BYTE (0x00), got ${hexByte(bytes[i])}`,
    );
  }

  const endPos = rowSize - 5;
  if (end === undefined) {
    fail(
      endPos,
      "invalid end_control",
      new InvalidInputError(`invalid EndControl: '${endText(bytes, offset + endPos)}'`),
    );
  }
  if (type === "data" && !isDataEndControl(end)) {
    fail(endPos, `data row must have valid end_control, got '${end}'`);
  }

  const stored = readParity(bytes, offset + rowSize - 3);
  if (stored !== parity) {
    const eh = hexDigitCode(parity >>> 4);
    const el = hexDigitCode(parity);
    const got = bytes[offset + rowSize - 3]!;
    const got2 = bytes[offset + rowSize - 2]!;
    fail(
      rowSize - 3,
      `parity mismatch: expected [${String.fromCharCode(eh)}, ${String.fromCharCode(el)}], got [${String.fromCharCode(got)}, ${String.fromCharCode(got2)}]`,
    );
  }

  const payloadLength = firstNul - 2;
  if (type === "checksum") {
    if (payloadLength !== CRC_BASE64_LENGTH) {
      payloadFail(2, `Checksum Base64 must be exactly 8 bytes, got ${payloadLength}`, "unmarshal");
    }
    if (!decodeBase64Into(bytes, offset + 2, key, 4)) {
      payloadFail(2, "invalid Base64 encoding for checksum", "unmarshal");
    }
    parsed.type = type;
    parsed.startControl = "C";
    parsed.endControl = "CS";
    parsed.crc = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
    return;
  }

  if (payloadLength < KEY_BASE64_LENGTH) {
    payloadFail(
      2,
      type === "data"
        ? `DataRowPayload must be at least 24 bytes for UUID, got ${payloadLength}`
        : `Base64 UUID must be exactly 24 bytes, got ${payloadLength}`,
      "unmarshal",
    );
  }
  if (!decodeBase64Into(bytes, offset + 2, key, 16)) {
    payloadFail(2, "invalid Base64 encoding for UUID", "unmarshal");
  }
  const problem = uuidV7Problem(key);

  if (type === "null") {
    if (payloadLength !== KEY_BASE64_LENGTH) {
      payloadFail(
        VALUE_OFFSET,
        `Base64 UUID must be exactly 24 bytes, got ${payloadLength}`,
        "unmarshal",
      );
    }
    if (problem !== undefined || !isNullRowUuid(key)) {
      payloadFail(
        2,
        `NullRowPayload.Key must be valid NullRow UUID (UUIDv7 with zeroed random components), got ${formatUuid(key)}`,
        "validate",
      );
    }
    parsed.type = type;
    parsed.startControl = "T";
    parsed.endControl = "NR";
    parsed.timestamp = uuidTimestamp(key);
    return;
  }

  if (problem !== undefined) payloadFail(2, problem, "validate");
  if (isNullRowUuid(key)) {
    payloadFail(
      2,
      "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
      "validate",
    );
  }
  if (payloadLength === KEY_BASE64_LENGTH) {
    payloadFail(VALUE_OFFSET, "DataRowPayload.Value cannot be empty", "validate");
  }
  parsed.type = type;
  parsed.startControl = bytes[offset + 1] === START_CONTROL.TRANSACTION ? "T" : "R";
  parsed.endControl = end;
  parsed.timestamp = uuidTimestamp(key);
  parsed.valueEnd = firstNul;
  parsed.ascii = ascii;
}

function payloadFail(pos: number, message: string, stage: "unmarshal" | "validate"): never {
  fail(
    pos,
    stage === "unmarshal" ? "failed to unmarshal payload" : "payload validation failed",
    new InvalidInputError(message),
  );
}

/**
 * Completes the row at `target[offset]` whose positions 0 … N−6 are already
 * written (payload and zero padding): writes the end control, the parity of
 * the whole row, and ROW_END.
 */
export function writeRowEnd(
  target: Uint8Array,
  offset: number,
  rowSize: number,
  end: EndControl,
): void {
  writeEndControl(target, offset + rowSize - 5, end);
  writeParity(target, offset + rowSize - 3, xorRange(target, offset, offset + rowSize - 3));
  target[offset + rowSize - 1] = ROW.END;
}
