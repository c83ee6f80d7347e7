import { InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { isJson } from "../json-walk.js";
import { parseKeyArg } from "../key-arg.js";
import { activeTransaction, openDatabase } from "../open-database.js";

/**
 * `add <key|NOW> <value>` (cli.md §4.6): arguments, key and JSON are checked
 * before the file is opened; the value is stored exactly as typed.
 */
export async function add(context: CommandContext): Promise<number> {
  const [keyArg, value] = context.args;
  if (keyArg === undefined) throw new InvalidInputError("missing required argument: key");
  if (value === undefined) throw new InvalidInputError("missing required argument: value");
  const key = parseKeyArg(keyArg, true);
  // The same grammar get's pretty-printer reads back; the text itself is what gets stored.
  if (!isJson(value)) throw new InvalidInputError("invalid JSON format");
  using db = openDatabase(context, "write");
  activeTransaction(db).addRaw(key, value);
  context.out.write(`${key}\n`);
  return 0;
}
