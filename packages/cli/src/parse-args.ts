/**
 * Global argument processing, in the original's exact order (cli.md §2):
 * `version` first, usage with no arguments, `create` as the first word, then
 * one left-to-right scan for `--path`/`--finder` (anywhere on the line) and
 * the command; the rest is the command's argument list.
 */

import { type FinderStrategy, InvalidInputError } from "frozendb";

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: "version" }
  | { readonly kind: "usage" }
  | { readonly kind: "help"; readonly command: string | undefined }
  | { readonly kind: "create"; readonly args: readonly string[] }
  | {
      readonly kind: "command";
      readonly command: string;
      readonly args: readonly string[];
      readonly path: string;
      readonly finder: FinderStrategy;
    };

const FINDERS: Readonly<Record<string, FinderStrategy>> = {
  "": "binary_search",
  binary: "binary_search",
  simple: "simple",
  inmemory: "inmemory",
};

/**
 * The `--finder` value mapped to the library's strategy (any letter case; empty is `binary`).
 * @throws {@link InvalidInputError} for any other value, echoed as typed.
 */
export function parseFinder(value: string): FinderStrategy {
  const finder = FINDERS[value.toLowerCase()];
  if (finder === undefined) {
    throw new InvalidInputError(
      `invalid finder strategy: ${value} (valid: simple, inmemory, binary)`,
    );
  }
  return finder;
}

/**
 * Classifies `argv` (the arguments after the program name).
 * @throws {@link InvalidInputError} with the original's messages for flag
 *   errors, a missing command or a missing `--path`.
 */
export function parseArgs(argv: readonly string[]): Invocation {
  const first = argv[0];
  if (first === "version" || first === "--version") return { kind: "version" };
  if (first === undefined) return { kind: "usage" };
  if (first === "create") {
    const args = argv.slice(1);
    return args.includes("--help") ? { kind: "help", command: "create" } : { kind: "create", args };
  }

  let path: string | undefined;
  let finder: string | undefined;
  let command: string | undefined;
  let help = false;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--path" || arg === "--finder") {
      const value = argv[i + 1];
      if (value === undefined) throw new InvalidInputError(`${arg} requires a value`);
      if ((arg === "--path" ? path : finder) !== undefined) {
        throw new InvalidInputError(`duplicate flag: ${arg}`);
      }
      if (arg === "--path") path = value;
      else finder = value;
      i++;
    } else if (arg === "--help") {
      help = true;
    } else if (command === undefined && !arg.startsWith("--")) {
      command = arg;
    } else {
      args.push(arg);
    }
  }

  if (help) return { kind: "help", command };
  if (command === "help") return { kind: "help", command: args[0] };
  if (command === undefined) throw new InvalidInputError("missing subcommand");
  if (path === undefined || path === "") {
    throw new InvalidInputError("missing required flag: --path");
  }
  return { kind: "command", command, args, path, finder: parseFinder(finder ?? "") };
}
