/** The usage text (no arguments, on stderr) and the help texts (`--help`, on stdout). */

import { COMMANDS, CREATE, findCommand } from "./commands.js";

function line(synopsis: string, summary: string): string {
  return `  ${synopsis.padEnd(56)} - ${summary}\n`;
}

/** What `frozendb` with no arguments prints (the original's layout, with our commands). */
export function usageText(): string {
  return (
    "Usage: frozendb <command> [arguments]\n\nCommands:\n" +
    line(CREATE.synopsis, CREATE.summary) +
    COMMANDS.map((c) => line(c.synopsis, c.summary)).join("") +
    line("version", "Display version information") +
    line("help [command]", "Show help (also --help)")
  );
}

/** `frozendb --help`. */
export function toolHelp(): string {
  return (
    "frozendb: an embedded, single-file, append-only key-value store keyed by UUIDv7\n\n" +
    usageText() +
    "\nGlobal flags (anywhere on the line, except with create):\n" +
    "  --path <file>        the database file (required by every command but create)\n" +
    "  --finder <strategy>  simple, inmemory or binary (default binary)\n\n" +
    "Run 'frozendb <command> --help' for a command's options.\n" +
    'Exit status: 0 on success; 1 on failure, with one "Error: <code>: <message>"\n' +
    "line on stderr.\n"
  );
}

/** `frozendb <command> --help`, or `undefined` for an unknown command. */
export function commandHelp(name: string): string | undefined {
  if (name === "version") return "Usage: frozendb version\n\nPrints frozendb v<version>.\n";
  if (name === "help") return "Usage: frozendb help [command]\n\nPrints help.\n";
  const spec = name === CREATE.name ? CREATE : findCommand(name);
  if (spec === undefined) return undefined;
  return `Usage: frozendb ${spec.synopsis}\n\n${spec.summary}.\n${spec.details}\n`;
}
