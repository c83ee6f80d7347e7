import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.js";

// Crash and concurrency tests start real child processes: give them time.
// The extended run (FROZENDB_RELIABILITY=extended) does 10–20 times the work
// per test, so its limit is hours, not minutes: it is a soak, not a check.
const { FROZENDB_RELIABILITY } = process.env;
const extended = FROZENDB_RELIABILITY === "extended";

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "reliability",
      testTimeout: extended ? 4 * 3_600_000 : 120_000,
      hookTimeout: extended ? 3_600_000 : 60_000,
    },
  }),
);
