import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests run against each package's TypeScript source (the "@frozendb/source"
// export condition), so no build is needed before `vitest run`.
export default defineConfig({
  ssr: {
    resolve: {
      conditions: ["@frozendb/source", ...defaultServerConditions],
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // The JSON report feeds the one-line total that `pnpm test:all` prints.
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});
