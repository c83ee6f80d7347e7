import { type EntryRange, InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { formatRecord } from "../json-lines.js";
import { openDatabase } from "../open-database.js";
import { fileSize, startProgress } from "../progress.js";
import { parseTimeArg } from "../time-arg.js";

/** Parses `--from T` / `--to T`. */
function parseRange(args: readonly string[]): EntryRange {
  let from: number | undefined;
  let to: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== "--from" && arg !== "--to") throw new InvalidInputError(`unknown flag: ${arg}`);
    const value = args[++i];
    if (value === undefined) throw new InvalidInputError(`${arg} requires a value`);
    if (arg === "--from") from = parseTimeArg(arg, value);
    else to = parseTimeArg(arg, value);
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/**
 * `export [--from T] [--to T]`: committed rows as JSON Lines, in file order,
 * streamed; the stored value text is spliced in, never re-serialised.
 */
export async function exportRows(context: CommandContext): Promise<number> {
  const range = parseRange(context.args);
  const { out } = context;
  using db = openDatabase(context, "read");
  const bytes = fileSize(context.path);
  // Rows are what the scan counts; the estimate includes checksum and rolled-back rows.
  const estimate = Math.floor(Math.max(0, bytes - 64) / db.rowSize);
  const progress = await startProgress(context.io, "export", estimate, bytes, "rows");
  try {
    let rows = 0;
    for (const entry of db.entries(range)) {
      out.write(formatRecord(entry.key, entry.json));
      if (out.full) {
        progress.update(++rows);
        await out.flush();
        if (out.closed) return 0;
      } else {
        rows++;
      }
    }
  } finally {
    progress.stop();
  }
  return 0;
}
