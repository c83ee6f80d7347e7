/** Validation of the key handed to a lookup, in the order of behaviour §8.1. */

import {
  formatUuid,
  InvalidInputError,
  isNullRowUuid,
  type KeyInput,
  KeyNotFoundError,
  parseUuid,
  UUID_LENGTH,
  uuidTimestamp,
  validateUuidV7,
} from "@frozendb/codec";
import { keyText } from "./key-text.js";

/** A validated search key in the forms the strategies compare. */
export class SearchKey {
  /** The 16 key bytes. */
  readonly bytes: Uint8Array;
  /** Its millisecond timestamp. */
  readonly timestamp: number;
  /** True for a null-row UUID: never stored in a data row, so always absent. */
  readonly nullRow: boolean;
  #text: Uint8Array | undefined;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.timestamp = uuidTimestamp(bytes);
    this.nullRow = isNullRowUuid(bytes);
  }

  /** Its 24-character Base64 text, as stored in rows (made on first use: a key table needs only the bytes). */
  get text(): Uint8Array {
    this.#text ??= keyText(this.bytes);
    return this.#text;
  }
}

/**
 * Parses and validates `key`: shape, then Nil, then the UUIDv7 rules.
 * @throws {@link InvalidInputError}
 */
export function toSearchKey(key: KeyInput): SearchKey {
  const bytes = parseUuid(key);
  let any = 0;
  for (let i = 0; i < UUID_LENGTH; i++) any |= bytes[i]!;
  if (any === 0) throw new InvalidInputError("key cannot be uuid.Nil");
  validateUuidV7(bytes);
  return new SearchKey(bytes);
}

/** The error for a key no data row carries (the same for every strategy). */
export function keyNotFound(key: SearchKey): KeyNotFoundError {
  return new KeyNotFoundError(`key ${formatUuid(key.bytes)} not found in database`);
}
