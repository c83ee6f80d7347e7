import { create, InvalidInputError } from "frozendb";
import { parseInteger } from "../integer-arg.js";

/**
 * `create <path> [--row-size N] [--skew-ms N] [--append-only]` (cli.md §4.1,
 * decisions OP-C4). Global flags are not parsed here: any other word counts
 * as an argument, so `create x.fdb --finder simple` has too many, as in the
 * original. With no options the file is byte-identical to the original's.
 */
export async function createDatabase(args: readonly string[]): Promise<number> {
  const positional: string[] = [];
  let rowSize: number | undefined;
  let skewMs: number | undefined;
  let appendOnly = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--row-size" || arg === "--skew-ms") {
      const value = args[++i];
      if (value === undefined) throw new InvalidInputError(`${arg} requires a value`);
      const parsed = parseInteger(value);
      if ("problem" in parsed) {
        throw new InvalidInputError(`${arg} must be a number`, {
          cause: new Error(parsed.problem),
        });
      }
      if (arg === "--row-size") rowSize = parsed.value;
      else skewMs = parsed.value;
    } else if (arg === "--append-only") {
      appendOnly = true;
    } else {
      positional.push(arg);
    }
  }
  const [path] = positional;
  if (path === undefined) throw new InvalidInputError("missing required argument: path");
  if (positional.length > 1) throw new InvalidInputError("too many arguments for create command");
  create(path, {
    ...(rowSize === undefined ? {} : { rowSize }),
    ...(skewMs === undefined ? {} : { skewMs }),
    appendOnly,
  });
  return 0;
}
