import { describe, expect, it } from "vitest";
import {
  compareUuids,
  decodeBase64Strict,
  encodeBase64,
  formatUuid,
  InvalidInputError,
  isNullRowUuid,
  nullRowUuid,
  parseUuid,
  parseUuidInto,
  uuidTimestamp,
  uuidV7Problem,
  uuidv7,
  validateDataKey,
  validateUuidV7,
} from "../src/index.js";
import { ascii, fromHex, thrown } from "./helpers/bytes.js";

describe("S_001 Base64 and UUID keys", () => {
  it("S_001 FR_005 encodes keys and CRCs as standard, padded Base64", () => {
    expect(encodeBase64(parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab"))).toBe(
      "AZNrLloQfD2eTwEjRWeJqw==",
    );
    expect(encodeBase64(fromHex("2bfffeb8"))).toBe("K//+uA==");
    const key = decodeBase64Strict(ascii("AZNrLloQfD2eTwEjRWeJqw=="), 0, 16);
    expect(key && formatUuid(key)).toBe("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    expect(decodeBase64Strict(ascii("K//+uA=="), 0, 4)).toEqual(fromHex("2bfffeb8"));
  });

  it("S_001 FR_005 rejects foreign characters, bad padding and non-canonical trailing bits", () => {
    for (const text of [
      "AZNrLloQfD2eTwEjRWeJqw=A", // padding not ==
      "AZNrLloQfD2eTwEjRWeJq===", // padding too early
      "AZNrLloQfD2eTwEjRWeJqx==", // non-zero unused bits (x = 49 → low nibble 1)
      "AZNrLloQfD2eTwEjRWeJ-w==", // URL-safe alphabet is not standard
      "AZNrLloQfD2eTwEj RWeJq==", // space
      "AZNrLloQfD2eTwEjRWeJqw\u0000\u0000",
    ]) {
      expect(decodeBase64Strict(ascii(text), 0, 16)).toBeUndefined();
    }
    expect(decodeBase64Strict(ascii("K//+uB=="), 0, 4)).toBeUndefined();
  });

  it("S_001 FR_006 keys are canonical UUID text or 16 bytes, formatted back in lowercase", () => {
    const text = "01936b2e-5a10-7c3d-9e4f-0123456789ab";
    const bytes = parseUuid(text);
    expect(bytes).toEqual(fromHex("01936b2e5a107c3d9e4f0123456789ab"));
    expect(formatUuid(bytes)).toBe(text);
    expect(formatUuid(parseUuid(text.toUpperCase()))).toBe(text);
    const copy = parseUuid(bytes);
    expect(copy).toEqual(bytes);
    expect(copy).not.toBe(bytes);
    for (const bad of [
      "",
      "01936b2e5a107c3d9e4f0123456789ab",
      `${text}0`,
      "zz936b2e-5a10-7c3d-9e4f-0123456789ab",
    ]) {
      expect(thrown(() => parseUuid(bad))).toBeInstanceOf(InvalidInputError);
    }
    expect(thrown(() => parseUuid(new Uint8Array(15))).code).toBe("invalid_input");
    expect(thrown(() => parseUuid(42 as unknown as string)).code).toBe("invalid_input");
    expect(uuidV7Problem(parseUuid(uuidv7()))).toBeUndefined();
  });

  it("S_001 FR_006 a parsed 16-byte key (Uint8Array or Buffer) is a copy: the caller may reuse its buffer", () => {
    const text = "01936b2e-5a10-7c3d-9e4f-0123456789ab";
    for (const given of [Buffer.from(parseUuid(text)), new Uint8Array(parseUuid(text))]) {
      const parsed = parseUuid(given);
      given.fill(0xff);
      expect(formatUuid(parsed)).toBe(text);
      expect(parsed.buffer).not.toBe(given.buffer);
    }
  });

  it("S_001 FR_006 parseUuidInto writes the key into the caller's 16 bytes with the same checks", () => {
    const text = "01936B2E-5a10-7c3d-9e4f-0123456789ab";
    const target = new Uint8Array(16);
    parseUuidInto(text, target);
    expect(formatUuid(target)).toBe(text.toLowerCase());
    const given = Buffer.from(parseUuid(uuidv7()));
    parseUuidInto(given, target);
    expect(Buffer.from(target).equals(given)).toBe(true);
    for (const bad of [
      "not-a-uuid",
      "01936b2e-5a10-7c3d-9e4f-0123456789aZ",
      new Uint8Array(17),
      7,
    ]) {
      const error = thrown(() => parseUuidInto(bad as string, target));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe(thrown(() => parseUuid(bad as string)).message);
    }
  });

  it("S_001 FR_007 UUIDv7 checks run Nil, variant, version with the original's messages", () => {
    expect(uuidV7Problem(new Uint8Array(16))).toBe("UUID cannot be zero/Nil");
    expect(uuidV7Problem(parseUuid("01936b2e-5a10-7c3d-1e4f-0123456789ab"))).toBe(
      "UUID variant must be RFC 4122, got Reserved",
    );
    expect(uuidV7Problem(parseUuid("01936b2e-5a10-7c3d-ce4f-0123456789ab"))).toBe(
      "UUID variant must be RFC 4122, got Microsoft",
    );
    // Variant is checked before version.
    expect(uuidV7Problem(parseUuid("01936b2e-5a10-4c3d-ee4f-0123456789ab"))).toBe(
      "UUID variant must be RFC 4122, got Future",
    );
    expect(uuidV7Problem(parseUuid("01936b2e-5a10-4c3d-9e4f-0123456789ab"))).toBe(
      "UUID version must be 7, got 4",
    );
    expect(thrown(() => validateUuidV7(new Uint8Array(16))).code).toBe("invalid_input");
  });

  it("S_001 FR_007 a data key must not have the null-row pattern; look-alikes are legal (D19)", () => {
    const nullKey = parseUuid("01936b2e-5a11-7000-8000-000000000000");
    expect(isNullRowUuid(nullKey)).toBe(true);
    const error = thrown(() => validateDataKey(nullKey));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe(
      "DataRow UUID cannot be a NullRow UUID (non-timestamp parts bytes 7, 9-15 must not be all zeros)",
    );
    for (const legal of [
      "01936b2e-5a0f-7000-8000-00000000beef", // file-format §16.3
      "01936b2e-5a0f-7100-8000-000000000000", // byte 6 is 0x71
      "01936b2e-5a0f-7000-8100-000000000000", // byte 8 is 0x81
      "01936b2e-5a0f-7001-8000-000000000000", // byte 7 non-zero
    ]) {
      expect(isNullRowUuid(parseUuid(legal))).toBe(false);
      expect(() => validateDataKey(parseUuid(legal))).not.toThrow();
    }
  });

  it("S_001 FR_008 timestamps are the first 6 bytes; null-row UUIDs carry a given timestamp", () => {
    expect(uuidTimestamp(parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab"))).toBe(1732670020112);
    expect(uuidTimestamp(parseUuid("ffffffff-ffff-7c3d-9e4f-0123456789ab"))).toBe(2 ** 48 - 1);
    expect(formatUuid(nullRowUuid(1732670020113))).toBe("01936b2e-5a11-7000-8000-000000000000");
    expect(encodeBase64(nullRowUuid(0))).toBe("AAAAAAAAcACAAAAAAAAAAA==");
    expect(uuidTimestamp(nullRowUuid(2 ** 48 - 1))).toBe(2 ** 48 - 1);
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN]) {
      expect(thrown(() => nullRowUuid(bad)).code).toBe("invalid_input");
    }
    const fixed = uuidv7({ msecs: 1732670020112 });
    expect(uuidTimestamp(parseUuid(fixed))).toBe(1732670020112);
  });

  it("S_001 FR_008 compareUuids orders keys by unsigned bytes, time first", () => {
    const a = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ab");
    const sameMsLater = parseUuid("01936b2e-5a10-7c3d-9e4f-0123456789ac");
    const nextMs = parseUuid("01936b2e-5a11-7000-8000-000000000001");
    const highByte = parseUuid("ff936b2e-5a10-7c3d-9e4f-0123456789ab");
    expect(compareUuids(a, parseUuid(formatUuid(a)))).toBe(0);
    expect(compareUuids(a, sameMsLater)).toBeLessThan(0);
    expect(compareUuids(sameMsLater, a)).toBeGreaterThan(0);
    expect(compareUuids(sameMsLater, nextMs)).toBeLessThan(0);
    // Unsigned: 0xFF sorts after 0x01, as the later timestamp it encodes.
    expect(compareUuids(highByte, nextMs)).toBeGreaterThan(0);
    for (let i = 0; i < 200; i++) {
      const x = parseUuid(uuidv7({ msecs: 1_700_000_000_000 + i * 7919 }));
      const y = parseUuid(uuidv7({ msecs: 1_700_000_000_000 + (i + 1) * 7919 }));
      expect(Math.sign(compareUuids(x, y))).toBe(-1);
    }
  });
});
