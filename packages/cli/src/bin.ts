/** The `frozendb` executable: the process around {@link run}. */

import type { CliIo } from "./cli-io.js";

// A reader that closes the pipe early (`| head`) is not an error: without a
// listener, the late EPIPE would crash the process with a stack trace.
process.stdout.on("error", () => undefined);

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  // Lazy: touching process.stdin creates the stream, which only `import -` needs.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
};

try {
  // Loaded here rather than imported statically, so that a broken
  // installation is reported as one error line too, not as a stack trace.
  const { run } = await import("./run.js");
  process.exitCode = await run(process.argv.slice(2), io);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: read_error: failed to load frozendb (caused by: ${message})\n`);
  process.exitCode = 1;
}
