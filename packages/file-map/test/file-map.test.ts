// The addon on its own: the bytes of a map equal the file's, appends by
// another descriptor become visible through an existing map, `append`
// writes exactly the range it is given at the end of the file, unmap
// releases the file without detaching the buffer, and bad
// arguments, refused maps and failed writes throw instead of crashing.
import {
  appendFileSync,
  closeSync,
  openSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { append, map, unmap } from "../index.js";

/** Paths of the files this process has mapped (from /proc/self/maps). */
function mappedFiles(): string[] {
  return readFileSync("/proc/self/maps", "utf8")
    .split("\n")
    .map((line) => line.split(/\s+/).slice(5).join(" "))
    .filter((name) => name.startsWith("/"));
}

function bytesOf(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe("@frozendb/file-map", () => {
  it("maps a file read-only: the buffer shows exactly its bytes", () => {
    const path = join(tempDir(), "a.bin");
    const content = bytesOf(10_000, 7);
    writeFileSync(path, content);
    const fd = openSync(path, "r");
    const buffer = map(fd, 1 << 20);
    closeSync(fd); // the map does not need the descriptor
    expect(buffer.byteLength).toBe(1 << 20);
    expect(Buffer.from(buffer, 0, content.length).equals(content)).toBe(true);
  });

  it("bytes appended after the map was made are visible through it", () => {
    const path = join(tempDir(), "grow.bin");
    writeFileSync(path, bytesOf(100, 1));
    const fd = openSync(path, "r");
    const view = new Uint8Array(map(fd, 1 << 20));
    const more = bytesOf(50_000, 2);
    appendFileSync(path, more);
    expect(Buffer.from(view.subarray(100, 100 + more.length)).equals(more)).toBe(true);
    closeSync(fd);
  });

  it("unmap releases the file's pages at once without detaching: views keep their length and read zeros; a second unmap or a foreign buffer is ignored", () => {
    const path = join(realpathSync(tempDir()), "c.bin");
    writeFileSync(path, bytesOf(10_000, 5));
    const fd = openSync(path, "r");
    const buffer = map(fd, 1 << 20);
    const view = new Uint8Array(buffer, 0, 10_000);
    expect(view[1]).toBe((31 + 5) & 0xff);
    expect(mappedFiles()).toContain(path);
    unmap(buffer);
    // The file is no longer mapped: its pages are released now, not at GC.
    expect(mappedFiles()).not.toContain(path);
    // Not detached (that would slow every typed-array loop of the process):
    // the range holds zero pages until the buffer is collected.
    expect(buffer.byteLength).toBe(1 << 20);
    expect(view.length).toBe(10_000);
    expect(view[1]).toBe(0);
    expect(view.every((b) => b === 0)).toBe(true);
    unmap(buffer);
    expect(view[1]).toBe(0);
    const plain = new ArrayBuffer(8);
    unmap(plain);
    expect(plain.byteLength).toBe(8);
    expect(() => unmap(5 as unknown as ArrayBuffer)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG" }),
    );
    // Many maps of 1 GiB made and released: none of them stays mapped.
    for (let i = 0; i < 500; i++) unmap(map(fd, 1 << 30));
    expect(mappedFiles()).not.toContain(path);
    closeSync(fd);
  });

  it("rejects bad arguments and reports refused maps as ERR_MMAP errors", () => {
    const path = join(tempDir(), "b.bin");
    writeFileSync(path, bytesOf(10, 3));
    const fd = openSync(path, "r");
    for (const length of [0, -1, 1.5, Number.NaN]) {
      expect(() => map(fd, length)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARG" }));
    }
    expect(() => map(-1, 4096)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARG" }));
    // A descriptor that is not open: the kernel says EBADF.
    closeSync(fd);
    expect(() => map(fd, 4096)).toThrow(expect.objectContaining({ code: "ERR_MMAP" }));
    // A write-only descriptor cannot be mapped for reading (EACCES).
    const writeOnly = openSync(path, "w");
    expect(() => map(writeOnly, 4096)).toThrow(
      expect.objectContaining({ code: "ERR_MMAP", message: expect.stringMatching(/denied/i) }),
    );
    closeSync(writeOnly);
  });

  it("append writes exactly bytes[offset, offset+length) at the end of an O_APPEND file, large writes whole", () => {
    const path = join(tempDir(), "append.bin");
    writeFileSync(path, Buffer.from("head|"));
    const fd = openSync(path, "a");
    const source = bytesOf(64, 9);
    // A view that starts inside its buffer: the view's own offset 0 is used.
    const view = source.subarray(10, 40);
    append(fd, view, 5, 20);
    append(fd, view, 0, 0);
    const big = bytesOf(8 << 20, 4);
    append(fd, big, 0, big.length);
    closeSync(fd);
    const content = readFileSync(path);
    expect(content.subarray(0, 5).toString()).toBe("head|");
    expect(content.subarray(5, 25).equals(source.subarray(15, 35))).toBe(true);
    expect(content.subarray(25).equals(big)).toBe(true);
  });

  it("append rejects bad arguments and reports a failed write like Node (code, errno, syscall)", () => {
    const path = join(tempDir(), "append-bad.bin");
    writeFileSync(path, "");
    const fd = openSync(path, "a");
    const bytes = new Uint8Array(16);
    const invalid = expect.objectContaining({ code: "ERR_INVALID_ARG" });
    expect(() => append(-1, bytes, 0, 1)).toThrow(invalid);
    expect(() => append(fd, bytes, 10, 7)).toThrow(invalid);
    expect(() => append(fd, bytes, -1, 1)).toThrow(invalid);
    expect(() => append(fd, new Uint16Array(4) as unknown as Uint8Array, 0, 1)).toThrow(invalid);
    expect(() => append(fd, "text" as unknown as Uint8Array, 0, 1)).toThrow(invalid);
    closeSync(fd);
    expect(readFileSync(path).length).toBe(0);
    // A read-only descriptor: the kernel says EBADF. (Not a closed one: its
    // number could be reused by another open file by then.)
    const readOnly = openSync(path, "r");
    expect(() => append(readOnly, bytes, 0, 1)).toThrow(
      expect.objectContaining({ code: "EBADF", errno: -9, syscall: "write" }),
    );
    closeSync(readOnly);
  });
});
