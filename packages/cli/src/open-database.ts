import { type Database, InvalidActionError, open, type Transaction } from "frozendb";
import type { CommandContext } from "./command-context.js";

/** Opens `--path` with the `--finder` strategy. */
export function openDatabase(context: CommandContext, mode: "read" | "write"): Database {
  return open(context.path, { mode, finder: context.finder });
}

/**
 * The transaction the file ends in: every invocation reconstructs it from
 * the file's tail, which is how one transaction spans several invocations.
 * @throws {@link InvalidActionError} `no active transaction`.
 */
export function activeTransaction(db: Database): Transaction {
  const tx = db.activeTransaction;
  if (tx === null) throw new InvalidActionError("no active transaction");
  return tx;
}
