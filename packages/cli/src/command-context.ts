import type { FinderStrategy } from "frozendb";
import type { CliIo } from "./cli-io.js";
import type { Output } from "./output.js";

/** What a command gets after the global flags are parsed. */
export interface CommandContext {
  /** The command's own arguments, in order. */
  readonly args: readonly string[];
  /** `--path`, as given. */
  readonly path: string;
  /** `--finder`, mapped to the library's strategy name. */
  readonly finder: FinderStrategy;
  readonly io: CliIo;
  /** Buffered stdout. */
  readonly out: Output;
}
