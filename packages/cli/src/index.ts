export type { CliIo } from "./cli-io.js";
export { run } from "./run.js";
