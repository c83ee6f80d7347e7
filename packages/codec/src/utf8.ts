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
  encodeInto(input: string, target: Uint8Array): { read: number; written: number };
}
interface TextCodecHost {
  TextDecoder: new (
    label: string,
    options: { fatal: boolean; ignoreBOM: boolean },
  ) => TextDecoderLike;
  TextEncoder: new () => TextEncoderLike;
}

const host = globalThis as unknown as TextCodecHost;
// ignoreBOM: a leading U+FEFF is part of the stored text, not a marker to drop.
const strictDecoder = new host.TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new host.TextEncoder();

interface Latin1Host {
  Buffer?: {
    prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string };
  };
}

// In Node, Buffer's native latin1Slice turns ASCII bytes into a string about
// three times faster than TextDecoder (found on the global, not imported, so
// browsers simply take the TextDecoder path).
const latin1Slice = (globalThis as Latin1Host).Buffer?.prototype.latin1Slice;

/** Decodes UTF-8, throwing a `TypeError` on malformed input. */
export function decodeUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** The string of `bytes[start, end)`, which the caller knows are all ASCII. */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  return strictDecoder.decode(bytes.subarray(start, end));
}

/** Encodes `text` as UTF-8; the caller checks well-formedness first. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Encodes as much of `text` as fits into `target`; `read` (UTF-16 units
 * consumed) below `text.length` means it did not fit.
 */
export function encodeUtf8Into(
  text: string,
  target: Uint8Array,
): { read: number; written: number } {
  return encoder.encodeInto(text, target);
}

/** True when `text` has no lone surrogate (TextEncoder would silently replace it). */
export function isWellFormedText(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
