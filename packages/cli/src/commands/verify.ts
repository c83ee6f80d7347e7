import {
  CorruptDatabaseError,
  InvalidInputError,
  type VerifyReport,
  verify as verifyFile,
} from "frozendb";
import type { CommandContext } from "../command-context.js";
import { fileSize, startProgress } from "../progress.js";

/** The one summary line of a successful verify (decisions: "Verify"). */
function summary(report: VerifyReport): string {
  let line =
    `verified ${report.bytes} bytes: ${report.rows} rows ` +
    `(${report.dataRows} data, ${report.nullRows} null, ${report.checksumRows} checksum), ` +
    `${report.checksumBlocks} checksum blocks`;
  if (report.partialRow !== undefined) line += `, partial row in state ${report.partialRow}`;
  if (report.openTransaction) line += ", transaction open";
  if (report.findingCount !== undefined) line += `, ${report.findingCount} findings`;
  return `${line}\n`;
}

/**
 * `verify [--strict]` (cli.md §7, decisions "Verify"): the library's full
 * check, read-only and without a lock.
 */
export async function verify(context: CommandContext): Promise<number> {
  let strict = false;
  for (const arg of context.args) {
    if (arg === "--strict") strict = true;
    else throw new InvalidInputError(`unknown flag: ${arg}`);
  }
  const bytes = fileSize(context.path);
  const progress = await startProgress(context.io, "verify", bytes, bytes, "bytes");
  let report: VerifyReport;
  try {
    report = verifyFile(context.path, {
      strict,
      onProgress: ({ bytesChecked }) => progress.update(bytesChecked),
    });
  } finally {
    progress.stop();
  }
  for (const f of report.findings ?? []) {
    context.out.write(`finding ${f.kind} row ${f.rowIndex} offset ${f.offset}: ${f.message}\n`);
  }
  context.out.write(summary(report));
  const findings = report.findingCount ?? 0;
  if (findings > 0) {
    throw new CorruptDatabaseError(`strict verify found ${findings} findings`);
  }
  return 0;
}
