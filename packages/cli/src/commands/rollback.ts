import { InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { parseInteger } from "../integer-arg.js";
import { activeTransaction, openDatabase } from "../open-database.js";

/**
 * `rollback [id]` (cli.md §4.5): the id is checked before the file is
 * opened; further arguments are ignored.
 */
export async function rollback(context: CommandContext): Promise<number> {
  const parsed = parseInteger(context.args[0] ?? "0");
  if ("problem" in parsed) {
    throw new InvalidInputError("savepointId must be a number", {
      cause: new Error(parsed.problem),
    });
  }
  if (parsed.value < 0 || parsed.value > 9) {
    throw new InvalidInputError("savepointId must be between 0 and 9");
  }
  using db = openDatabase(context, "write");
  activeTransaction(db).rollback(parsed.value);
  return 0;
}
