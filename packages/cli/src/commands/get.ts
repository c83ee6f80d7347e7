import { InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { parseKeyArg } from "../key-arg.js";
import { openDatabase } from "../open-database.js";
import { prettyJson } from "../pretty-json.js";

/**
 * `get <key>` (cli.md §4.7): read mode, so no lock: works beside a writer
 * and an open transaction. The value is pretty-printed from its stored text.
 */
export async function get(context: CommandContext): Promise<number> {
  const keyArg = context.args[0];
  if (keyArg === undefined) throw new InvalidInputError("missing required argument: key");
  const key = parseKeyArg(keyArg, false);
  using db = openDatabase(context, "read");
  context.out.write(prettyJson(db.getRaw(key)));
  return 0;
}
