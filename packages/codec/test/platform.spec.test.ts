import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../src");

describe("S_001 platform", () => {
  it("S_001 FR_024 no source file imports a Node built-in", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(join(SRC, file), "utf8");
      const specifiers = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
      for (const specifier of specifiers) {
        expect(
          specifier.startsWith("node:") ||
            ["fs", "path", "zlib", "crypto", "buffer"].includes(specifier),
          `${file} imports ${specifier}`,
        ).toBe(false);
      }
      expect(text).not.toMatch(/\bBuffer\./);
      expect(text).not.toMatch(/\brequire\(/);
    }
  });

  it("S_001 FR_024 the CRC module works with no process global (the browser fallback)", async () => {
    // Load the compiled-on-the-fly module text into a context without `process`
    // and check that it falls back to the portable implementation.
    const { transformWithEsbuild } = await import("vite");
    const source = readFileSync(join(SRC, "crc32.ts"), "utf8");
    const { code } = await transformWithEsbuild(source, "crc32.ts", {
      format: "cjs",
      loader: "ts",
    });
    const sandbox: { module: { exports: Record<string, unknown> }; exports?: unknown } = {
      module: { exports: {} },
    };
    sandbox.exports = sandbox.module.exports;
    runInNewContext(code, sandbox);
    const mod = sandbox.module.exports as { crc32Kind(): string; crc32(d: Uint8Array): number };
    expect(mod.crc32Kind()).toBe("portable");
    expect(mod.crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});
