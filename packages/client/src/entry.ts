import { InvalidDataError } from "@frozendb/codec";

/** One committed row, as `entries()` and `watch()` yield it. */
export class Entry {
  /** The key, canonical UUID text. */
  readonly key: string;
  /** Milliseconds since the epoch carried by the key. */
  readonly timestamp: number;
  /** The stored JSON text, exactly as written. */
  readonly json: string;

  constructor(key: string, timestamp: number, json: string) {
    this.key = key;
    this.timestamp = timestamp;
    this.json = json;
  }

  /**
   * The stored value, parsed (on each access: keep the result if you need it
   * twice).
   * @throws {@link InvalidDataError} when the stored text is not JSON.
   */
  get value(): unknown {
    return parseStored(this.json);
  }
}

/**
 * Parses stored JSON text.
 * @throws {@link InvalidDataError} "failed to unmarshal JSON value".
 */
export function parseStored(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidDataError("failed to unmarshal JSON value", { cause: error });
  }
}
