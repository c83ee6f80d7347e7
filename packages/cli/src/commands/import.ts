/**
 * `import <file.jsonl|->`: appends JSON Lines rows in committed transactions
 * of up to 100 rows, each one `db.transaction(fn)` (one batch append). Every
 * line is checked before its batch is written, so the first bad line is
 * reported by number after the lines before it are committed.
 */

import { createReadStream, type ReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import {
  type Database,
  InvalidActionError,
  InvalidInputError,
  isFrozenDBError,
  KeyOrderingError,
  PathError,
  ReadError,
  uuidv7,
} from "frozendb";
import type { CommandContext } from "../command-context.js";
import { errorAt } from "../error-at.js";
import { parseImportLine } from "../import-line.js";
import { parseKeyArg } from "../key-arg.js";
import { openDatabase } from "../open-database.js";
import { startProgress } from "../progress.js";

/** Rows per transaction: the format's limit. */
const BATCH_ROWS = 100;

interface PendingRow {
  readonly line: number;
  readonly key: string;
  readonly value: string;
}

/** Milliseconds carried by a canonical UUIDv7 key. */
function keyTimestamp(key: string): number {
  return Number.parseInt(key.slice(0, 8) + key.slice(9, 13), 16);
}

/** The input stream: stdin for `-`, else the file, checked before the database is opened. */
function openInput(
  context: CommandContext,
  source: string,
): { input: NodeJS.ReadableStream; size: number } {
  if (source === "-") {
    if (context.io.stdin === undefined)
      throw new InvalidInputError("no standard input to import from");
    return { input: context.io.stdin, size: 0 };
  }
  let size: number;
  try {
    const stat = statSync(source);
    if (!stat.isFile()) throw new PathError(`input is not a file: ${source}`);
    size = stat.size;
  } catch (error) {
    if (isFrozenDBError(error)) throw error;
    if ((error as { code?: unknown }).code === "ENOENT") {
      throw new PathError(`input file does not exist: ${source}`, { cause: error });
    }
    throw new PathError(`cannot read input file: ${source}`, { cause: error });
  }
  return { input: createReadStream(source), size };
}

/** Writes batches and checks rows against the file and each other. */
class Importer {
  readonly #db: Database;
  readonly #skewMs: number;
  #maxTimestamp: number;
  #pending: PendingRow[] = [];
  readonly #pendingKeys = new Set<string>();
  rows = 0;
  transactions = 0;

  constructor(db: Database) {
    this.#db = db;
    this.#skewMs = db.skewMs;
    this.#maxTimestamp = db.maxTimestamp();
  }

  get full(): boolean {
    return this.#pending.length >= BATCH_ROWS;
  }

  /**
   * Checks a line and queues its row. The ordering rule and duplicates are
   * checked here, against the file and the rows before, because the batch
   * write checks them for the batch as a whole, without naming a line.
   */
  add(lineNumber: number, text: string): void {
    const line = parseImportLine(text);
    const key =
      line.key === undefined || line.key.toLowerCase() === "now"
        ? uuidv7()
        : parseKeyArg(line.key, false);
    const timestamp = keyTimestamp(key);
    if (!(timestamp + this.#skewMs > this.#maxTimestamp)) {
      throw new KeyOrderingError(
        "UUID timestamp violates ordering constraint: new_timestamp + skew_ms must be > max_timestamp",
      );
    }
    if (this.#pendingKeys.has(key) || this.#db.has(key)) {
      throw new InvalidInputError("key already exists");
    }
    this.#maxTimestamp = Math.max(this.#maxTimestamp, timestamp);
    this.#pendingKeys.add(key);
    this.#pending.push({ line: lineNumber, key, value: line.value });
  }

  /** Writes the queued rows as one committed transaction. */
  flush(): void {
    const rows = this.#pending;
    if (rows.length === 0) return;
    this.#pending = [];
    this.#pendingKeys.clear();
    let failedAt = -1;
    try {
      this.#write(rows, (i) => {
        failedAt = i;
      });
    } catch (error) {
      if (failedAt < 0) {
        throw errorAt(`lines ${rows[0]!.line}-${rows.at(-1)!.line}`, error);
      }
      // The rows before the bad one are good: commit them, then report it.
      this.#write(rows.slice(0, failedAt), () => undefined);
      throw errorAt(`line ${rows[failedAt]!.line}`, error);
    }
  }

  #write(rows: readonly PendingRow[], failing: (index: number) => void): void {
    if (rows.length === 0) return;
    this.#db.transaction((tx) => {
      rows.forEach((row, i) => {
        try {
          tx.addRaw(row.key, row.value);
        } catch (error) {
          failing(i);
          throw error;
        }
      });
    });
    this.rows += rows.length;
    this.transactions++;
  }
}

/** `import <file.jsonl|->`. */
export async function importRows(context: CommandContext): Promise<number> {
  const [source, extra] = context.args;
  if (source === undefined) throw new InvalidInputError("missing required argument: file");
  if (extra !== undefined) throw new InvalidInputError("too many arguments for import command");
  const { input, size } = openInput(context, source);
  using db = openDatabase(context, "write");
  if (db.activeTransaction !== null) throw new InvalidActionError("transaction already active");

  const importer = new Importer(db);
  const progress = await startProgress(context.io, "import", size, size, "bytes");
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const text = lineNumber === 1 && raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
      if (text.trim() === "") continue;
      try {
        importer.add(lineNumber, text);
      } catch (error) {
        importer.flush();
        throw errorAt(`line ${lineNumber}`, error);
      }
      if (importer.full) {
        importer.flush();
        progress.update((input as Partial<ReadStream>).bytesRead ?? 0);
      }
    }
    importer.flush();
  } catch (error) {
    if (isFrozenDBError(error)) throw error;
    throw new ReadError("failed to read input", { cause: error });
  } finally {
    progress.stop();
    lines.close();
    if (source !== "-") (input as ReadStream).destroy();
  }
  context.out.write(`imported ${importer.rows} rows in ${importer.transactions} transactions\n`);
  return 0;
}
