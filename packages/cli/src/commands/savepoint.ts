import type { CommandContext } from "../command-context.js";
import { activeTransaction, openDatabase } from "../open-database.js";

/** `savepoint`: marks the open transaction's last row as a savepoint (cli.md §4.4). */
export async function savepoint(context: CommandContext): Promise<number> {
  using db = openDatabase(context, "write");
  activeTransaction(db).savepoint();
  return 0;
}
