/**
 * The one error taxonomy of frozenDB. Every layer throws these classes and
 * nothing else; `frozendb` re-exports them. Codes are identical to the
 * original implementation's, so callers (and scripts reading CLI output) can
 * switch on `err.code`.
 */

const BRAND: unique symbol = Symbol.for("frozendb.error");

/** Stable machine-readable codes, identical to the original implementation's. */
export type FrozenDBErrorCode =
  | "invalid_input"
  | "path_error"
  | "write_error"
  | "corrupt_database"
  | "invalid_action"
  | "key_ordering"
  | "tombstoned"
  | "read_error"
  | "key_not_found"
  | "transaction_active"
  | "invalid_data";

/** Every code, in the order of the original's taxonomy. */
export const ERROR_CODES: readonly FrozenDBErrorCode[] = [
  "invalid_input",
  "path_error",
  "write_error",
  "corrupt_database",
  "invalid_action",
  "key_ordering",
  "tombstoned",
  "read_error",
  "key_not_found",
  "transaction_active",
  "invalid_data",
];

/**
 * Base of every error frozenDB throws. Switch on `code`, never on `message`.
 * `String(err)` renders `<code>: <message>` and, when there is a cause,
 * ` (caused by: <cause>)`, exactly as the original renders its errors.
 */
export abstract class FrozenDBError extends Error {
  abstract readonly code: FrozenDBErrorCode;
  readonly [BRAND] = true;

  override get name(): string {
    return this.constructor.name;
  }

  override toString(): string {
    const own = `${this.code}: ${this.message}`;
    if (this.cause === undefined) return own;
    return `${own} (caused by: ${describeCause(this.cause)})`;
  }
}

function describeCause(cause: unknown): string {
  if (isFrozenDBError(cause)) return cause.toString();
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * True for errors thrown by any installed copy of frozenDB (`instanceof`
 * fails across duplicate installs; the brand does not).
 */
export const isFrozenDBError = (value: unknown): value is FrozenDBError =>
  typeof value === "object" && value !== null && BRAND in value;

/** Bad arguments: paths, ranges, keys, values, indices, savepoint ids, row limits, modes. */
export class InvalidInputError extends FrozenDBError {
  readonly code = "invalid_input";
}

/** A file-system path is unusable: missing parent, not writable, exists, not accessible. */
export class PathError extends FrozenDBError {
  readonly code = "path_error";
}

/** A file-level operation failed: lock held, write, fsync, close, privileges. */
export class WriteError extends FrozenDBError {
  readonly code = "write_error";
}

/** Where in the file a corruption was found. */
export interface CorruptionLocation {
  /** Absolute byte offset in the file of the first bad byte (or of the bad row). */
  readonly offset?: number;
  /** Row index (0 = the initial checksum row), when the corruption is inside a row slot. */
  readonly rowIndex?: number;
}

/**
 * The file breaks the v1 format. Retrying cannot help; `offset` and
 * `rowIndex` say where, when known.
 */
export class CorruptDatabaseError extends FrozenDBError {
  readonly code = "corrupt_database";
  readonly offset: number | undefined;
  readonly rowIndex: number | undefined;

  constructor(message: string, options?: ErrorOptions & CorruptionLocation) {
    super(message, options);
    this.offset = options?.offset;
    this.rowIndex = options?.rowIndex;
  }
}

/** The operation is not allowed in the current state (no transaction, read mode, limits). */
export class InvalidActionError extends FrozenDBError {
  readonly code = "invalid_action";
}

/** A key's timestamp breaks the ordering rule `ts + skew_ms > max_timestamp`. */
export class KeyOrderingError extends FrozenDBError {
  readonly code = "key_ordering";
}

/** Use after failure or close: tombstoned transaction, tombstoned finder, closed file. */
export class TombstonedError extends FrozenDBError {
  readonly code = "tombstoned";
}

/** A read from the file failed. */
export class ReadError extends FrozenDBError {
  readonly code = "read_error";
}

/** The key is absent, or not visible (rolled back, or only in the open transaction). */
export class KeyNotFoundError extends FrozenDBError {
  readonly code = "key_not_found";
}

/** The transaction has no ending row yet. */
export class TransactionActiveError extends FrozenDBError {
  readonly code = "transaction_active";
}

/** A stored value cannot be decoded (invalid UTF-8 or invalid JSON). */
export class InvalidDataError extends FrozenDBError {
  readonly code = "invalid_data";
}
