/**
 * UTF-8 through the platform's TextEncoder/TextDecoder (present in Node and
 * every browser). Taken from globalThis so the codec needs neither DOM nor
 * Node type libraries.
 */

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
interface TextEncoderLike {
  encode(input: string): Uint8Array;
}
interface TextCodecHost {
  TextDecoder: new (label: string, options: { fatal: boolean }) => TextDecoderLike;
  TextEncoder: new () => TextEncoderLike;
}

const host = globalThis as unknown as TextCodecHost;
const strictDecoder = new host.TextDecoder("utf-8", { fatal: true });
const encoder = new host.TextEncoder();

/**
 * Decodes UTF-8, throwing a `TypeError` on malformed input. Pure ASCII (the
 * usual case for JSON) takes a faster path than the platform decoder.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= 512) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (bytes[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  return strictDecoder.decode(bytes);
}

/** Encodes `text` as UTF-8; the caller checks well-formedness first. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** True when `text` has no lone surrogate (TextEncoder would silently replace it). */
export function isWellFormedText(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
