/**
 * `run(argv, io)`: the whole command line as a function, so tests call it in
 * process and `bin.ts` is a thin shell around it. Every failure becomes one
 * `Error: <code>: <message>` line and exit code 1; nothing escapes as an
 * exception or a stack trace.
 */

import { InvalidInputError, isFrozenDBError, ReadError, WriteError } from "frozendb";
import type { CliIo } from "./cli-io.js";
import { findCommand } from "./commands.js";
import { Output } from "./output.js";
import { parseArgs } from "./parse-args.js";
import { commandHelp, toolHelp, usageText } from "./usage.js";
import { cliVersion } from "./version.js";

/** Commands that write to the database file; an unexpected failure there is a `write_error`. */
const WRITING = new Set([
  "create",
  "begin",
  "commit",
  "savepoint",
  "rollback",
  "add",
  "import",
  "recover",
]);

/**
 * Runs the `frozendb` command line `argv` (without the program name) against `io`.
 * @returns the exit code: 0 on success, 1 on any failure (also an `inspect`
 *   that printed error rows).
 * @example
 * ```ts
 * const code = await run(["--path", "db.fdb", "get", key], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const out = new Output(io.stdout);
  let command = "";
  try {
    const invocation = parseArgs(argv);
    let code = 0;
    switch (invocation.kind) {
      case "version":
        out.write(`frozendb ${cliVersion()}\n`);
        break;
      case "usage":
        io.stderr.write(usageText());
        code = 1;
        break;
      case "help":
        out.write(helpFor(invocation.command));
        break;
      case "create": {
        command = "create";
        const { createDatabase } = await import("./commands/create.js");
        code = await createDatabase(invocation.args);
        break;
      }
      case "command": {
        command = invocation.command;
        const spec = findCommand(command);
        if (spec === undefined) throw unknownCommand(command);
        const execute = await spec.load();
        code = await execute({ ...invocation, io, out });
        break;
      }
    }
    await out.flush();
    return code;
  } catch (error) {
    // Lines already printed (inspect's) go out before the error line.
    await out.flush().catch(() => undefined);
    io.stderr.write(`Error: ${errorText(error, WRITING.has(command))}\n`);
    return 1;
  } finally {
    out.dispose();
  }
}

function helpFor(command: string | undefined): string {
  if (command === undefined) return toolHelp();
  const text = commandHelp(command);
  if (text === undefined) throw unknownCommand(command);
  return text;
}

function unknownCommand(command: string): InvalidInputError {
  return new InvalidInputError(`unknown command: ${command}`);
}

/**
 * `<code>: <message>[ (caused by: …)]` of `error`. Errors that are not
 * frozenDB's (a bug, or a Node error no layer translated) are reported as a
 * read or write failure rather than leaking a stack trace.
 */
function errorText(error: unknown, writing: boolean): string {
  if (isFrozenDBError(error)) return String(error);
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = writing
    ? new WriteError("unexpected failure", { cause: new Error(message) })
    : new ReadError("unexpected failure", { cause: new Error(message) });
  return String(wrapped);
}
