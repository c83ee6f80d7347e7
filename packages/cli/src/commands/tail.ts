/**
 * `tail [--lines N] [--follow]`: the last committed rows as JSON Lines and,
 * with `--follow`, every row as its transaction commits, also in other
 * processes, until SIGINT/SIGTERM.
 */

import { type Entry, InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { parseInteger } from "../integer-arg.js";
import { formatRecord } from "../json-lines.js";
import { openDatabase } from "../open-database.js";

const DEFAULT_LINES = 10;

function parseOptions(args: readonly string[]): { lines: number; follow: boolean } {
  let lines = DEFAULT_LINES;
  let follow = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--follow") {
      follow = true;
    } else if (arg === "--lines") {
      const value = args[++i];
      if (value === undefined) throw new InvalidInputError("--lines requires a value");
      const parsed = parseInteger(value);
      if ("problem" in parsed) {
        throw new InvalidInputError("--lines must be a number", {
          cause: new Error(parsed.problem),
        });
      }
      if (parsed.value < 0) throw new InvalidInputError("--lines cannot be negative");
      lines = parsed.value;
    } else {
      throw new InvalidInputError(`unknown flag: ${arg}`);
    }
  }
  return { lines, follow };
}

/** The last `n` items of `entries`, keeping at most `n` in memory. */
function lastEntries(entries: Iterable<Entry>, n: number): Entry[] {
  const ring: Entry[] = [];
  if (n === 0) return ring;
  let next = 0;
  for (const entry of entries) {
    if (ring.length < n) ring.push(entry);
    else ring[next] = entry;
    next = (next + 1) % n;
  }
  return ring.length < n ? ring : [...ring.slice(next), ...ring.slice(0, next)];
}

/** `tail [--lines N] [--follow]`. */
export async function tail(context: CommandContext): Promise<number> {
  const { lines, follow } = parseOptions(context.args);
  const { out } = context;
  using db = openDatabase(context, "read");
  // Subscribed before the scan, in the same tick: the handle only takes in
  // other processes' rows between ticks, so no row is missed or printed twice.
  const watcher = follow ? db.watch() : undefined;
  for (const entry of lastEntries(db.entries(), lines))
    out.write(formatRecord(entry.key, entry.json));
  await out.flush();
  if (watcher === undefined || out.closed) return 0;

  const stop = () => void watcher.return?.();
  const unregister = context.io.onInterrupt?.(stop);
  // The client's file watcher does not hold the event loop open (it serves
  // library users who decide that); a follower must, until it is stopped.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    for await (const entry of watcher) {
      out.write(formatRecord(entry.key, entry.json));
      await out.flush();
      if (out.closed) break;
    }
  } finally {
    clearInterval(keepAlive);
    unregister?.();
  }
  return 0;
}
