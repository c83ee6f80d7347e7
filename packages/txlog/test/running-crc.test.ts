// RunningCrc batches the CRC of a writer's appends; whatever the sizes of
// the appends, its value is the CRC of their concatenation.
import { crc32 } from "@frozendb/codec";
import { seededRandom } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import { RunningCrc } from "../src/running-crc.js";

/** `count` random bytes. */
function randomBytes(random: () => number, count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

describe("RunningCrc", () => {
  it("equals the CRC of everything appended, for appends of any size (small, around the fold size, larger)", () => {
    const random = seededRandom(3);
    const sizes = [0, 1, 255, 256, 4_000, 65_535, 65_536, 65_537, 200_000, 7, 130_000];
    for (let i = 0; i < 300; i++) sizes.push(Math.floor(random() * 3_000));
    const stream = randomBytes(random, sizes.reduce((a, b) => a + b, 0) + 40);
    const running = new RunningCrc(0);
    let at = 0;
    for (const size of sizes) {
      // Appends are ranges of a larger buffer, as a write plan's are.
      running.append(stream, at, size);
      at += size;
      const tail = stream.subarray(at, at + 40);
      expect(running.valueWith(stream, at, 40)).toBe(crc32(stream.subarray(0, at + 40)));
      expect(running.valueWith(tail, 0, 0)).toBe(crc32(stream.subarray(0, at)));
    }
  });

  it("takes only the first `length` bytes of a reused buffer appended from its start, whatever follows them", () => {
    const random = seededRandom(9);
    // A writer's plan: one buffer, refilled for every call, longer than any call's bytes.
    const plan = new Uint8Array(600);
    const stream: number[] = [];
    const running = new RunningCrc(0);
    for (let call = 0; call < 2_000; call++) {
      const length = Math.floor(random() * 600);
      plan.set(randomBytes(random, 600));
      running.append(plan, 0, length);
      for (let i = 0; i < length; i++) stream.push(plan[i]!);
    }
    expect(running.valueWith(plan, 0, 0)).toBe(crc32(Uint8Array.from(stream)));
  });

  it("continues a seed, and restart begins a new stream", () => {
    const random = seededRandom(5);
    const a = randomBytes(random, 70_000);
    const b = randomBytes(random, 300);
    const running = new RunningCrc(crc32(a));
    running.append(b, 0, b.length);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(running.valueWith(b, 0, 0)).toBe(crc32(both));
    running.restart(0);
    running.append(a, 10, 5_000);
    expect(running.valueWith(b, 0, 3)).toBe(crc32(b.subarray(0, 3), crc32(a.subarray(10, 5_010))));
  });
});
