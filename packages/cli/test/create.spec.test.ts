import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, encodeChecksumRow, encodeHeader } from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { cli, errorLine, ok, withoutCause } from "./helpers/cli.js";

/** The original's file for `create` with these settings: header + initial checksum row. */
function originalNewFile(rowSize: number, skewMs: number): Buffer {
  const header = encodeHeader({ rowSize, skewMs });
  return Buffer.concat([header, encodeChecksumRow(crc32(header), rowSize)]);
}

const isRoot = process.getuid?.() === 0;
const hasChattr = spawnSync("chattr", ["--help"]).error === undefined;

describe("S_005 create", () => {
  it("S_005 FR_009 create <path> writes the original's 4160-byte file and prints nothing", async () => {
    const dir = tempDir();
    const path = join(dir, "new.fdb");
    const r = await cli(["create", path]);
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(4160);
    expect(bytes.equals(originalNewFile(4096, 5000))).toBe(true);
    expect(bytes.subarray(0, 52).toString()).toBe(
      '{"sig":"fDB","ver":1,"row_size":4096,"skew_ms":5000}',
    );
  });

  it("S_005 FR_009 argument count errors and the library's path errors", async () => {
    const dir = tempDir();
    expect(await errorLine(["create"])).toBe(
      "Error: invalid_input: missing required argument: path",
    );
    expect(await errorLine(["create", join(dir, "a.fdb"), join(dir, "b.fdb")])).toBe(
      "Error: invalid_input: too many arguments for create command",
    );
    // Global flags are not parsed for create: they are extra arguments.
    expect(await errorLine(["create", join(dir, "c.fdb"), "--finder", "simple"])).toBe(
      "Error: invalid_input: too many arguments for create command",
    );
    expect(await errorLine(["create", ""])).toBe("Error: invalid_input: path cannot be empty");
    expect(await errorLine(["create", join(dir, "x.txt")])).toBe(
      "Error: invalid_input: path must have .fdb extension",
    );
    expect(await errorLine(["create", ".fdb"])).toBe(
      "Error: invalid_input: path must have .fdb extension",
    );
    expect(withoutCause(await errorLine(["create", join(dir, "nodir", "x.fdb")]))).toBe(
      "Error: path_error: parent directory does not exist",
    );
    const existing = join(dir, "exists.fdb");
    writeFileSync(existing, "keep me");
    expect(await errorLine(["create", existing])).toBe("Error: path_error: file already exists");
    expect(readFileSync(existing, "utf8")).toBe("keep me");
    expect(existsSync(join(dir, "a.fdb"))).toBe(false);
  });

  it("S_005 FR_010 --row-size and --skew-ms, before or after the path", async () => {
    const dir = tempDir();
    await ok(["create", join(dir, "a.fdb"), "--row-size", "256", "--skew-ms", "0"]);
    expect(readFileSync(join(dir, "a.fdb")).equals(originalNewFile(256, 0))).toBe(true);
    await ok(["create", "--skew-ms", "+100", "--row-size", "0128", join(dir, "b.fdb")]);
    expect(readFileSync(join(dir, "b.fdb")).equals(originalNewFile(128, 100))).toBe(true);
    await ok(["create", join(dir, "c.fdb"), "--row-size", "65536"]);
    expect(readFileSync(join(dir, "c.fdb")).equals(originalNewFile(65536, 5000))).toBe(true);
  });

  it("S_005 FR_010 missing, non-integer and out-of-range values are rejected before anything is written", async () => {
    const dir = tempDir();
    const path = join(dir, "x.fdb");
    expect(await errorLine(["create", path, "--row-size"])).toBe(
      "Error: invalid_input: --row-size requires a value",
    );
    expect(await errorLine(["create", path, "--skew-ms"])).toBe(
      "Error: invalid_input: --skew-ms requires a value",
    );
    expect(withoutCause(await errorLine(["create", path, "--row-size", "4k"]))).toBe(
      "Error: invalid_input: --row-size must be a number",
    );
    expect(withoutCause(await errorLine(["create", path, "--skew-ms", "1.5"]))).toBe(
      "Error: invalid_input: --skew-ms must be a number",
    );
    expect(await errorLine(["create", path, "--row-size", "100"])).toBe(
      "Error: invalid_input: row_size must be between 128 and 65536, got 100",
    );
    expect(await errorLine(["create", path, "--skew-ms", "-1"])).toBe(
      "Error: invalid_input: skew_ms must be between 0 and 86400000, got -1",
    );
    expect(existsSync(path)).toBe(false);
  });

  it.skipIf(!isRoot || !hasChattr)(
    "S_005 FR_010 --append-only sets the OS append-only attribute (root with chattr only)",
    async () => {
      const dir = tempDir();
      const path = join(dir, "ao.fdb");
      onTestFinished(() => void spawnSync("chattr", ["-a", "--", path]));
      await ok(["create", path, "--append-only"]);
      const attrs = spawnSync("lsattr", ["-d", "--", path], { encoding: "utf8" }).stdout;
      expect(attrs.split(/\s+/)[0]).toContain("a");
      expect(readFileSync(path).equals(originalNewFile(4096, 5000))).toBe(true);
    },
  );
});
