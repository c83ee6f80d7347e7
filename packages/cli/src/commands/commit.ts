import type { CommandContext } from "../command-context.js";
import { activeTransaction, openDatabase } from "../open-database.js";

/** `commit`: commits the transaction the file ends in (cli.md §4.3). */
export async function commit(context: CommandContext): Promise<number> {
  using db = openDatabase(context, "write");
  activeTransaction(db).commit();
  return 0;
}
