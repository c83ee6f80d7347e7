import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@frozendb/testkit";
import { open } from "frozendb";
import { describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import { Capture, cli, errorLine, ok, withoutCause } from "./helpers/cli.js";
import { commitValues, newDatabase } from "./helpers/files.js";

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

describe("S_005 invocation", () => {
  it("S_005 FR_001 run(argv, io) resolves to the exit code and never throws", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const inputs: string[][] = [
      [],
      ["--version"],
      ["--path", path, "verify"],
      ["--path", path, "get", "nope"],
      ["--path"],
      ["\u0000", "\uffff"],
      ["--path", join(dir, "missing.fdb"), "inspect"],
    ];
    for (const argv of inputs) {
      const code = await run(argv, { stdout: new Capture(), stderr: new Capture() });
      expect([0, 1]).toContain(code);
    }
    expect(await run(["--version"], { stdout: new Capture(), stderr: new Capture() })).toBe(0);
  });

  it("S_005 FR_002 version and --version as the first argument print frozendb v<version>", async () => {
    for (const argv of [
      ["version"],
      ["--version"],
      ["--version", "--path"],
      ["version", "bogus", "x"],
    ]) {
      const r = await cli(argv);
      expect(r).toMatchObject({ code: 0, stdout: `frozendb v${PACKAGE_VERSION}\n`, stderr: "" });
    }
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("S_005 FR_002 version elsewhere on the line is an ordinary word", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    expect(await errorLine(["--path", path, "version"])).toBe(
      "Error: invalid_input: unknown command: version",
    );
    expect(await errorLine(["get", "version"])).toBe(
      "Error: invalid_input: missing required flag: --path",
    );
  });

  it("S_005 FR_003 no arguments: usage on stderr, nothing on stdout, exit 1", async () => {
    const r = await cli([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.startsWith("Usage: frozendb <command> [arguments]\n\nCommands:\n")).toBe(true);
    for (const word of [
      "create <path>",
      "begin",
      "commit",
      "savepoint",
      "rollback [id]",
      "add <key|NOW> <val>",
      "get <key>",
      "inspect [--offset N] [--limit N] [--print-header BOOL]",
      "verify",
      "export",
      "import",
      "recover",
      "tail",
      "version",
    ]) {
      expect(r.stderr).toContain(word);
    }
  });

  it("S_005 FR_004 --path and --finder work before, between and after the command and its arguments", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ['{"a":1}']);
    const expected = '{\n  "a": 1\n}\n';
    for (const argv of [
      ["--path", path, "get", key!],
      ["get", "--path", path, key!],
      ["get", key!, "--path", path],
      ["--finder", "simple", "get", key!, "--path", path],
      ["get", "--finder", "inmemory", key!, "--path", path],
    ]) {
      expect(await ok(argv)).toBe(expected);
    }
  });

  it("S_005 FR_004 a flag's value is the next argument even when it starts with --", async () => {
    const dir = tempDir();
    const odd = join(dir, "--odd.fdb");
    newDatabase(dir, 256, "--odd.fdb");
    const [key] = commitValues(odd, ["1"]);
    expect(await ok(["get", key!, "--path", odd])).toBe("1\n");
    // `--finder --path` takes "--path" as the finder value.
    expect(await errorLine(["--finder", "--path", "x.fdb", "get", key!])).toBe(
      "Error: invalid_input: missing required flag: --path",
    );
  });

  it("S_005 FR_004 missing values, duplicates and --name=value", async () => {
    expect(await errorLine(["get", "K", "--path"])).toBe(
      "Error: invalid_input: --path requires a value",
    );
    expect(await errorLine(["--path", "a.fdb", "get", "--finder"])).toBe(
      "Error: invalid_input: --finder requires a value",
    );
    expect(await errorLine(["--path", "a.fdb", "--path", "b.fdb", "get", "K"])).toBe(
      "Error: invalid_input: duplicate flag: --path",
    );
    expect(
      await errorLine(["--finder", "simple", "get", "--finder", "simple", "--path", "a.fdb"]),
    ).toBe("Error: invalid_input: duplicate flag: --finder");
    // --path=x is not understood: it becomes an argument, so the path is missing.
    expect(await errorLine(["--path=a.fdb", "get", "K"])).toBe(
      "Error: invalid_input: missing required flag: --path",
    );
  });

  it("S_005 FR_004 unknown --flags and words after the command go to the command's argument list", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    // inspect reports its first unknown argument, proving the order of the list.
    expect(await errorLine(["--path", path, "inspect", "--bogus", "1"])).toBe(
      "Error: invalid_input: unknown flag: --bogus",
    );
    expect(await errorLine(["--bogus", "--path", path, "inspect"])).toBe(
      "Error: invalid_input: unknown flag: --bogus",
    );
    // Command-specific flags must follow the command: 2 becomes the command.
    expect(await errorLine(["--offset", "2", "--path", path, "inspect"])).toBe(
      "Error: invalid_input: unknown command: 2",
    );
  });

  it("S_005 FR_005 missing subcommand, missing --path before the command name, unknown command", async () => {
    expect(await errorLine(["--path", "a.fdb"])).toBe("Error: invalid_input: missing subcommand");
    expect(await errorLine(["--finder", "simple"])).toBe(
      "Error: invalid_input: missing subcommand",
    );
    expect(await errorLine(["bogus"])).toBe("Error: invalid_input: missing required flag: --path");
    expect(await errorLine(["--path", "", "get", "K"])).toBe(
      "Error: invalid_input: missing required flag: --path",
    );
    expect(await errorLine(["--path", "a.fdb", "bogus"])).toBe(
      "Error: invalid_input: unknown command: bogus",
    );
    expect(await errorLine(["--path", "a.fdb", "create", "y.fdb"])).toBe(
      "Error: invalid_input: unknown command: create",
    );
    expect(await errorLine(["--finder", "simple", "create", "x.fdb"])).toBe(
      "Error: invalid_input: missing required flag: --path",
    );
  });

  it("S_005 FR_006 --finder accepts simple, inmemory, binary in any case; empty is binary", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const [key] = commitValues(path, ["[1,2]"]);
    for (const finder of ["simple", "inmemory", "binary", "InMemory", "BINARY", "Simple", ""]) {
      expect(await ok(["--finder", finder, "--path", path, "get", key!])).toBe("[\n  1,\n  2\n]\n");
    }
  });

  it("S_005 FR_006 other finder values are rejected, echoed as typed", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    expect(await errorLine(["--finder", "binary_search", "--path", path, "get", "K"])).toBe(
      "Error: invalid_input: invalid finder strategy: binary_search (valid: simple, inmemory, binary)",
    );
    expect(await errorLine(["--finder", "Fast", "--path", path, "inspect"])).toBe(
      "Error: invalid_input: invalid finder strategy: Fast (valid: simple, inmemory, binary)",
    );
  });

  it("S_005 FR_007 --help and help print the tool's help on stdout, exit 0", async () => {
    for (const argv of [["--help"], ["help"], ["--path", "x.fdb", "--help"]]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("Usage: frozendb <command> [arguments]");
      expect(r.stdout).toContain("--finder <strategy>");
    }
  });

  it("S_005 FR_007 a command's --help shows its synopsis and options without touching any file", async () => {
    const dir = tempDir();
    const missing = join(dir, "missing.fdb");
    const cases: Array<[string[], string]> = [
      [["get", "--help"], "Usage: frozendb [--path <file>] [--finder <strategy>] get <key>"],
      [["--path", missing, "inspect", "--help"], "--print-header BOOL"],
      [["help", "export"], "--from T"],
      [["create", "--help"], "--row-size N"],
      [["create", join(dir, "new.fdb"), "--help"], "--append-only"],
      [["help", "tail"], "--follow"],
      [["import", "--help"], "import <file.jsonl|->"],
      [["verify", "--help"], "--strict"],
    ];
    for (const [argv, text] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(0);
      expect(r.stdout).toContain(text);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(await errorLine(["help", "bogus"])).toBe("Error: invalid_input: unknown command: bogus");
  });

  it("S_005 FR_008 every failure is one Error line with one of the eleven codes, never a stack trace", async () => {
    const dir = tempDir();
    const good = newDatabase(dir);
    const [key] = commitValues(good, ['{"a":1}']);
    const text = join(dir, "text.fdb");
    writeFileSync(text, "hello, this is not a database\n".repeat(10));
    const empty = join(dir, "empty.fdb");
    writeFileSync(empty, "");
    const tiny = join(dir, "tiny.fdb");
    writeFileSync(tiny, "0123456789");
    const headerOnly = join(dir, "header.fdb");
    writeFileSync(headerOnly, readFileSync(good).subarray(0, 64));
    const corrupt = join(dir, "corrupt.fdb");
    const bytes = readFileSync(good);
    bytes[64 + 256 + 40] = bytes[64 + 256 + 40]! ^ 0x01;
    writeFileSync(corrupt, bytes);
    const folder = join(dir, "folder.fdb");
    mkdirSync(folder);
    const locked = newDatabase(dir, 256, "locked.fdb");
    const holder = open(locked, { mode: "write" });
    try {
      const cases: string[][] = [
        ["--path"],
        ["--path", good, "--finder", "x", "get", key!],
        ["--path", good, "frobnicate"],
        ["--path", good, "get", "not-a-uuid"],
        ["--path", good, "get", "019c0596-e9ba-4872-b4bc-b6f15783a239"],
        ["--path", good, "commit"],
        ["--path", good, "add", "NOW", "{bad json"],
        ["--path", good, "inspect", "--offset"],
        ["--path", good, "rollback", "x"],
        ["--path", good, "export", "--from", "yesterday"],
        ["--path", good, "tail", "--lines", "-1"],
        ["create"],
        ["create", join(dir, "nodir", "x.fdb")],
        ...[text, empty, tiny, headerOnly, corrupt, folder].flatMap((p) => [
          ["--path", p, "get", key!],
          ["--path", p, "begin"],
          ["--path", p, "verify"],
          ["--path", p, "export"],
        ]),
        ["--path", text, "inspect"],
        ["--path", tiny, "inspect"],
        ["--path", folder, "inspect"],
        ["--path", locked, "begin"],
        ["--path", locked, "import", "-"],
        ["--path", locked, "recover"],
        ["--path", join(dir, "missing.fdb"), "get", key!],
        ["--path", join(dir, "not-fdb.txt"), "verify"],
      ];
      const codes =
        "invalid_input|path_error|write_error|corrupt_database|invalid_action|key_ordering|tombstoned|read_error|key_not_found|transaction_active|invalid_data";
      const shape = new RegExp(`^Error: (${codes}): [^\\n]+\\n$`);
      for (const argv of cases) {
        const r = await cli(argv, { stdin: "" });
        expect(r.code, argv.join(" ")).toBe(1);
        expect(r.stdout, argv.join(" ")).toBe("");
        expect(r.stderr, argv.join(" ")).toMatch(shape);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      holder.close();
    }
  });

  it("S_005 FR_008 the error line is the error's string form: code, message and (caused by: …)", async () => {
    const dir = tempDir();
    const path = newDatabase(dir);
    const line = await errorLine(["--path", path, "get", "abc"]);
    expect(line).toBe(
      "Error: invalid_input: invalid UUID format (caused by: invalid UUID length: 3)",
    );
    const missing = await errorLine(["--path", join(dir, "nonexist.fdb"), "begin"]);
    expect(withoutCause(missing)).toBe("Error: path_error: database file does not exist");
    expect(missing).toContain(" (caused by: ");
  });
});
