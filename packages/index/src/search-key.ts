/** Validation of the key handed to a lookup, in the order of behaviour §8.1. */

import {
  encodeBase64Into,
  formatUuid,
  InvalidInputError,
  isNullRowUuid,
  type KeyInput,
  KeyNotFoundError,
  parseUuidInto,
  UUID_LENGTH,
  uuidTimestamp,
  validateUuidV7,
} from "@frozendb/codec";
import { KEY_TEXT_LENGTH } from "./key-text.js";

/**
 * A validated search key in the forms the strategies compare. Each finder
 * owns one and loads every lookup's key into it: lookups are synchronous and
 * never nest, and a lookup that allocated its key (two typed arrays and an
 * object, about 300 bytes) would cost a writer that much garbage per row
 * through the duplicate-key check of every `add`.
 */
export class SearchKey {
  /** The 16 key bytes. */
  readonly bytes = new Uint8Array(UUID_LENGTH);
  /** Its millisecond timestamp. */
  timestamp = 0;
  /** True for a null-row UUID: never stored in a data row, so always absent. */
  nullRow = false;
  readonly #text = new Uint8Array(KEY_TEXT_LENGTH);
  #textLoaded = false;

  /**
   * Parses and validates `key` (shape, then Nil, then the UUIDv7 rules, as
   * behaviour §8.1 orders them) and makes it this search key.
   * @throws {@link InvalidInputError}
   */
  load(key: KeyInput): this {
    const bytes = this.bytes;
    this.#textLoaded = false;
    parseUuidInto(key, bytes);
    let any = 0;
    for (let i = 0; i < UUID_LENGTH; i++) any |= bytes[i]!;
    if (any === 0) throw new InvalidInputError("key cannot be uuid.Nil");
    validateUuidV7(bytes);
    this.timestamp = uuidTimestamp(bytes);
    this.nullRow = isNullRowUuid(bytes);
    return this;
  }

  /** Its 24-character Base64 text, as stored in rows (made on first use: a key table needs only the bytes). */
  get text(): Uint8Array {
    if (!this.#textLoaded) {
      encodeBase64Into(this.bytes, this.#text, 0);
      this.#textLoaded = true;
    }
    return this.#text;
  }
}

/** The error for a key no data row carries (the same for every strategy). */
export function keyNotFound(key: SearchKey): KeyNotFoundError {
  return new KeyNotFoundError(`key ${formatUuid(key.bytes)} not found in database`);
}
