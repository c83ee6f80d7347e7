/** The streams and process facilities a run of the command uses. */
export interface CliIo {
  /** Where results go (values, TSV, JSON Lines, keys). */
  readonly stdout: NodeJS.WritableStream;
  /** Where the one `Error: …` line, usage text and progress bars go. */
  readonly stderr: NodeJS.WritableStream;
  /** Input of `import -`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Environment (`FROZENDB_PROGRESS`: `always`, `never`). Default: none. */
  readonly env?: {
    readonly FROZENDB_PROGRESS?: string | undefined;
    readonly [name: string]: string | undefined;
  };
  /** Whether stderr is a terminal (progress bars are drawn only then). Default: `stderr.isTTY`. */
  readonly stderrIsTTY?: boolean;
  /**
   * Registers `handler` for SIGINT/SIGTERM and returns a function that
   * unregisters it. Only `tail --follow` asks, so every other command keeps
   * the default signal behaviour.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
}
