import { InvalidActionError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { openDatabase } from "../open-database.js";

/** `begin`: starts a transaction in the file (cli.md §4.2). Extra arguments are ignored. */
export async function begin(context: CommandContext): Promise<number> {
  using db = openDatabase(context, "write");
  // The CLI's own wording (the library says "active transaction already exists").
  if (db.activeTransaction !== null) throw new InvalidActionError("transaction already active");
  db.begin();
  return 0;
}
