import { describe, expect, it } from "vitest";
import { parseInteger } from "../src/integer-arg.js";
import { parseKeyArg } from "../src/key-arg.js";
import { parseArgs } from "../src/parse-args.js";
import { escapeTsvField } from "../src/tsv.js";

describe("parseArgs", () => {
  it("classifies invocations", () => {
    expect(parseArgs([])).toEqual({ kind: "usage" });
    expect(parseArgs(["version", "x"])).toEqual({ kind: "version" });
    expect(parseArgs(["create", "a.fdb", "--row-size", "256"])).toEqual({
      kind: "create",
      args: ["a.fdb", "--row-size", "256"],
    });
    expect(parseArgs(["get", "--x", "--path", "p.fdb", "K", "--finder", "SIMPLE", "more"])).toEqual(
      {
        kind: "command",
        command: "get",
        args: ["--x", "K", "more"],
        path: "p.fdb",
        finder: "simple",
      },
    );
    expect(parseArgs(["help", "get"])).toEqual({ kind: "help", command: "get" });
    expect(parseArgs(["inspect", "--help"])).toEqual({ kind: "help", command: "inspect" });
  });
});

describe("parseInteger", () => {
  it("follows Go's ParseInt(s, 10, 64)", () => {
    expect(parseInteger("+007")).toEqual({ value: 7 });
    expect(parseInteger("-9223372036854775808")).toEqual({ value: -(2 ** 63) });
    expect(parseInteger("9223372036854775808")).toEqual({
      problem: 'parsing "9223372036854775808": value out of range',
    });
    for (const bad of ["", " 1", "1 ", "0x10", "1_000", "1e3", "+", "٣"]) {
      expect(parseInteger(bad)).toEqual({
        problem: `parsing ${JSON.stringify(bad)}: invalid syntax`,
      });
    }
  });
});

describe("parseKeyArg", () => {
  const key = "019c0596-e9ba-7872-b4bc-b6f15783a239";
  it("accepts the spellings of Go's uuid.Parse and returns lowercase canonical text", () => {
    for (const s of [
      key,
      key.toUpperCase(),
      key.replaceAll("-", ""),
      `{${key}}`,
      `x${key}y`,
      `urn:UUID:${key}`,
    ]) {
      expect(parseKeyArg(s, false)).toBe(key);
    }
  });

  it("reports the parser's reason as the cause", () => {
    const cause = (s: string) => {
      try {
        parseKeyArg(s, false);
      } catch (error) {
        return `${(error as Error).message} / ${((error as Error).cause as Error).message}`;
      }
      return "accepted";
    };
    expect(cause("now")).toBe("invalid UUID format / invalid UUID length: 3");
    expect(cause("é".repeat(18))).toBe("invalid UUID format / invalid UUID format");
    expect(cause(`urn:uuid-${key}`)).toBe('invalid UUID format / invalid urn prefix: "urn:uuid-"');
  });

  it("makes a new UUIDv7 for NOW only when allowed", () => {
    expect(parseKeyArg("nOW", true)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });
});

describe("escapeTsvField", () => {
  it("escapes exactly tab, newline, carriage return and backslash", () => {
    expect(escapeTsvField('a\tb\nc\rd\\e"f')).toBe('a\\tb\\nc\\rd\\\\e"f');
  });
});
