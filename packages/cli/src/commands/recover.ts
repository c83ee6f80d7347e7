import { InvalidInputError, recover as recoverFile } from "frozendb";
import type { CommandContext } from "../command-context.js";

/**
 * `recover` (decisions OP-4): the library's `recover`, which truncates a
 * crash-torn tail back to the last exact state boundary and never removes a
 * complete row; prints exactly what it did.
 */
export async function recover(context: CommandContext): Promise<number> {
  const [extra] = context.args;
  if (extra !== undefined) throw new InvalidInputError(`unknown flag: ${extra}`);
  const result = recoverFile(context.path);
  context.out.write(`${result.description}\n`);
  return 0;
}
