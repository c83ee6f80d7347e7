/**
 * `inspect` (cli.md §6, decisions OP-C2, OP-C5): every row of the file as
 * TSV, streamed in bounded chunks so memory stays flat on any file size.
 * Only the header is validated up front; a row that does not parse is
 * printed as an `error` row and the scan goes on.
 */

import {
  CorruptDatabaseError,
  decodeHeader,
  decodeTail,
  FORMAT_VERSION,
  formatUuid,
  HEADER_SIZE,
  inspectRow,
  type RowInfo,
  VALUE_OFFSET,
} from "@frozendb/codec";
import { InvalidInputError } from "frozendb";
import type { CommandContext } from "../command-context.js";
import { parseInteger } from "../integer-arg.js";
import { RawFile } from "../raw-file.js";
import { escapeTsvField } from "../tsv.js";

/** Bytes read per chunk. */
const CHUNK_BYTES = 1 << 20;

const COLUMNS = "index\ttype\tkey\tvalue\tsavepoint\ttx start\ttx end\trollback\tparity\n";
const TRUE_WORDS = new Set(["true", "t", "1"]);
const FALSE_WORDS = new Set(["false", "f", "0"]);

interface InspectOptions {
  offset: number;
  limit: number;
  printHeader: boolean;
}

/** Parses the command's flags before the file is opened (cli.md §6.1). */
function parseOptions(args: readonly string[]): InspectOptions {
  const options: InspectOptions = { offset: 0, limit: -1, printHeader: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== "--offset" && arg !== "--limit" && arg !== "--print-header") {
      throw new InvalidInputError(`unknown flag: ${arg}`);
    }
    const value = args[++i];
    if (value === undefined) throw new InvalidInputError(`${arg} requires a value`);
    if (arg === "--print-header") {
      const word = value.toLowerCase();
      if (TRUE_WORDS.has(word)) options.printHeader = true;
      else if (FALSE_WORDS.has(word)) options.printHeader = false;
      else throw new InvalidInputError("--print-header must be true or false");
      continue;
    }
    const parsed = parseInteger(value);
    if ("problem" in parsed) {
      throw new InvalidInputError(`${arg} must be a number`, { cause: new Error(parsed.problem) });
    }
    if (arg === "--offset") options.offset = parsed.value;
    else options.limit = parsed.value;
  }
  return options;
}

function fields(index: number, ...rest: string[]): string {
  return `${index}\t${rest.join("\t")}\n`;
}

/** The TSV line of the complete row at `bytes[offset]`, and whether it parsed. */
function rowLine(
  bytes: Buffer,
  offset: number,
  rowSize: number,
  index: number,
  key: Uint8Array,
): { line: string; ok: boolean } {
  const parity = escapeTsvField(
    bytes.toString("latin1", offset + rowSize - 3, offset + rowSize - 1),
  );
  let row: Readonly<RowInfo>;
  try {
    row = inspectRow(bytes, offset, rowSize, index, key) as Readonly<RowInfo>;
  } catch (error) {
    if (!(error instanceof CorruptDatabaseError)) throw error;
    return { line: fields(index, "error", "", "", "", "", "", "", parity), ok: false };
  }
  if (row.type === "checksum") {
    const crc = bytes.toString("latin1", offset + 2, offset + 10);
    return { line: fields(index, "Checksum", "", crc, "", "", "", "", parity), ok: true };
  }
  if (row.type === "null") {
    return {
      line: fields(index, "NullRow", formatUuid(key), "", "false", "true", "true", "false", parity),
      ok: true,
    };
  }
  const end = row.endControl;
  // Invalid UTF-8 is shown with replacement characters: inspect shows, it does not judge values.
  const value = bytes.toString("utf8", offset + VALUE_OFFSET, offset + row.valueEnd);
  return {
    line: fields(
      index,
      "Data",
      formatUuid(key),
      escapeTsvField(value),
      String(end[0] === "S"),
      String(row.startControl === "T"),
      String(end[1] === "C"),
      String(end[1]! >= "0" && end[1]! <= "9"),
      parity,
    ),
    ok: true,
  };
}

/** The line of the bytes after the last complete row: a partial row, or an error row for a torn tail. */
function tailLine(tail: Buffer, rowSize: number, index: number): { line: string; ok: boolean } {
  const decoded = decodeTail(tail, 0, rowSize)!;
  if (decoded.type === "torn") {
    return { line: fields(index, "error", "", "", "", "", "", "", ""), ok: false };
  }
  const txStart = String(decoded.startControl === "T");
  if (decoded.state === 1) {
    return { line: fields(index, "partial", "", "", "false", txStart, "", "", ""), ok: true };
  }
  const value = Buffer.from(decoded.value.buffer, decoded.value.byteOffset, decoded.value.length);
  return {
    line: fields(
      index,
      "partial",
      formatUuid(decoded.key),
      escapeTsvField(value.toString("utf8")),
      String(decoded.state === 3),
      txStart,
      "",
      "",
      "",
    ),
    ok: true,
  };
}

/** `inspect [--offset N] [--limit N] [--print-header BOOL]`. */
export async function inspect(context: CommandContext): Promise<number> {
  const { offset, limit, printHeader } = parseOptions(context.args);
  const { out } = context;
  using file = new RawFile(context.path);
  const headerBytes = Buffer.alloc(HEADER_SIZE);
  file.read(headerBytes, HEADER_SIZE, 0);
  const { rowSize, skewMs } = decodeHeader(headerBytes);

  if (printHeader) {
    out.write(`Row Size\tClock Skew\tFile Version\n${rowSize}\t${skewMs}\t${FORMAT_VERSION}\n\n`);
  }
  out.write(COLUMNS);
  // As the original: checked only after the header table and column line are out.
  if (offset < 0) throw new InvalidInputError("offset cannot be negative");

  const total = Math.floor((file.size - HEADER_SIZE) / rowSize);
  const end = limit < 0 ? total : Math.min(offset + limit, total);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowSize));
  const chunk = Buffer.allocUnsafe(perChunk * rowSize);
  const key = new Uint8Array(16);
  let failed = false;
  for (let start = offset; start < end; start += perChunk) {
    const count = Math.min(perChunk, end - start);
    file.read(chunk, count * rowSize, HEADER_SIZE + start * rowSize);
    for (let i = 0; i < count; i++) {
      const { line, ok } = rowLine(chunk, i * rowSize, rowSize, start + i, key);
      failed ||= !ok;
      out.write(line);
      if (out.full) {
        await out.flush();
        if (out.closed) return 0;
      }
    }
  }

  const tailLength = file.size - HEADER_SIZE - total * rowSize;
  if (tailLength > 0 && offset <= total && (limit < 0 || offset + limit > total)) {
    const tail = Buffer.alloc(tailLength);
    file.read(tail, tailLength, HEADER_SIZE + total * rowSize);
    const { line, ok } = tailLine(tail, rowSize, total);
    failed ||= !ok;
    out.write(line);
  }
  return failed ? 1 : 0;
}
