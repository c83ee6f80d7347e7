/**
 * The command table: names, synopses and help texts, with each command's
 * code loaded only when it runs, so that `--help`, `version` and argument
 * errors load no database code (start-up time matters for a CLI).
 */

import type { CommandContext } from "./command-context.js";

/** A command's entry point: returns the exit code. */
export type Execute = (context: CommandContext) => Promise<number>;

/** One command of the table. */
export interface CommandSpec {
  readonly name: string;
  /** The synopsis after `frozendb`, as in the usage text. */
  readonly synopsis: string;
  /** One line for the usage text. */
  readonly summary: string;
  /** The rest of `frozendb <command> --help`: options, output, notes. */
  readonly details: string;
  readonly load: () => Promise<Execute>;
}

const GLOBAL = "[--path <file>] [--finder <strategy>]";

/** Every command that runs through the global-flag scan (all but `create`, `version`, `help`). */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "begin",
    synopsis: `${GLOBAL} begin`,
    summary: "Start transaction",
    details:
      "Starts a transaction in the file (appends its first two bytes). Fails with\n" +
      "invalid_action when the file already ends inside a transaction.",
    load: async () => (await import("./commands/begin.js")).begin,
  },
  {
    name: "commit",
    synopsis: `${GLOBAL} commit`,
    summary: "Commit transaction",
    details:
      "Commits the transaction the file ends in; its rows become visible.\n" +
      "An empty transaction (begin then commit) writes a null row.",
    load: async () => (await import("./commands/commit.js")).commit,
  },
  {
    name: "savepoint",
    synopsis: `${GLOBAL} savepoint`,
    summary: "Create savepoint",
    details: "Marks the last added row of the open transaction as the next savepoint (1-9).",
    load: async () => (await import("./commands/savepoint.js")).savepoint,
  },
  {
    name: "rollback",
    synopsis: `${GLOBAL} rollback [id]`,
    summary: "Rollback transaction",
    details:
      "Ends the open transaction keeping the rows up to savepoint <id> (0-9,\n" +
      "default 0: none).",
    load: async () => (await import("./commands/rollback.js")).rollback,
  },
  {
    name: "add",
    synopsis: `${GLOBAL} add <key|NOW> <val>`,
    summary: "Insert key-value pair",
    details:
      "Adds a row to the open transaction and prints its key. <key> is a UUIDv7\n" +
      "(canonical, 32 hex digits, {braced} or urn:uuid:), or NOW for a new one.\n" +
      "<val> is JSON, stored byte for byte as typed.",
    load: async () => (await import("./commands/add.js")).add,
  },
  {
    name: "get",
    synopsis: `${GLOBAL} get <key>`,
    summary: "Retrieve value by key",
    details:
      "Prints the committed value of <key>, pretty-printed from the stored text\n" +
      "(key order, numbers and escapes as stored). Takes no lock.",
    load: async () => (await import("./commands/get.js")).get,
  },
  {
    name: "inspect",
    synopsis: "[--path <file>] inspect [--offset N] [--limit N] [--print-header BOOL]",
    summary: "Display database contents",
    details:
      "Prints every row as TSV: index, type (Checksum, NullRow, Data, partial,\n" +
      "error), key, value, savepoint, tx start, tx end, rollback, parity. Tabs,\n" +
      "line breaks and backslashes in values are written \\t \\n \\r \\\\.\n" +
      "  --offset N           first row index (default 0)\n" +
      "  --limit N            rows to print (default -1: all)\n" +
      "  --print-header BOOL  print the header table first (default false)\n" +
      "Exits 1 when a row cannot be parsed (it is printed as an error row).",
    load: async () => (await import("./commands/inspect.js")).inspect,
  },
  {
    name: "verify",
    synopsis: "[--path <file>] verify [--strict]",
    summary: "Verify database integrity",
    details:
      "Checks the header, every row, every checksum row, the partial row and the\n" +
      "transaction sequence, and prints a summary line. Takes no lock, never writes.\n" +
      "  --strict  also check key order, duplicate keys, JSON values and null-row\n" +
      "            timestamps; each finding is printed and makes the exit code 1",
    load: async () => (await import("./commands/verify.js")).verify,
  },
  {
    name: "export",
    synopsis: "[--path <file>] export [--from T] [--to T]",
    summary: "Print committed rows as JSON Lines",
    details:
      'Prints {"key":…,"value":…} per committed row, in file order, values exactly\n' +
      "as stored (line breaks, which can only be whitespace, become spaces).\n" +
      "  --from T  only keys with timestamp >= T (milliseconds or ISO 8601)\n" +
      "  --to T    only keys with timestamp < T",
    load: async () => (await import("./commands/export.js")).exportRows,
  },
  {
    name: "import",
    synopsis: "[--path <file>] import <file.jsonl|->",
    summary: "Append JSON Lines rows",
    details:
      'Reads {"key":…,"value":…} per line (from stdin for -) and appends the rows\n' +
      'in committed transactions of up to 100. "key" may be absent or "NOW" (a new\n' +
      "UUIDv7). Stops at the first bad line, naming it; the lines before it stay\n" +
      "committed.",
    load: async () => (await import("./commands/import.js")).importRows,
  },
  {
    name: "recover",
    synopsis: "[--path <file>] recover",
    summary: "Remove a crash-torn uncommitted tail",
    details:
      "Truncates bytes a crash left in the middle of a write, back to the last exact\n" +
      "state boundary, and prints what it removed. Never removes committed data;\n" +
      "refuses on a locked file or one with the append-only attribute.",
    load: async () => (await import("./commands/recover.js")).recover,
  },
  {
    name: "tail",
    synopsis: "[--path <file>] tail [--lines N] [--follow]",
    summary: "Print the last committed rows",
    details:
      "Prints the last N committed rows as JSON Lines (as export does).\n" +
      "  --lines N  how many (default 10)\n" +
      "  --follow   then print each row as it commits, also from other processes,\n" +
      "             until interrupted (SIGINT/SIGTERM), then exit 0",
    load: async () => (await import("./commands/tail.js")).tail,
  },
];

/** `create`, outside the table because global flags are not parsed for it. */
export const CREATE = {
  name: "create",
  synopsis: "create <path> [--row-size N] [--skew-ms N] [--append-only]",
  summary: "Initialize new database",
  details:
    "Creates an empty database file (4160 bytes with the defaults).\n" +
    "  --row-size N    bytes per row, 128-65536 (default 4096)\n" +
    "  --skew-ms N     clock-skew window in ms, 0-86400000 (default 5000)\n" +
    "  --append-only   also set the OS append-only attribute (needs root)",
} as const;

/** The table entry for `name`, if any. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
