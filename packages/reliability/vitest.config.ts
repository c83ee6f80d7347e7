import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.js";

// Crash and concurrency tests start real child processes: give them time.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "reliability", testTimeout: 120_000, hookTimeout: 60_000 } }),
);
