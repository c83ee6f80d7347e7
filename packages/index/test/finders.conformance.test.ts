// The one conformance suite, run once per strategy. Capabilities, not names,
// decide which optional cases apply.
import { BinarySearchFinder, InMemoryFinder, SimpleFinder } from "../src/index.js";
import { describeFinderConformance } from "./conformance/finder-suite.js";

describeFinderConformance("simple", (source) => new SimpleFinder(source), {
  lazyOpen: true,
  answersFromMemory: false,
  validatesAtOpen: false,
});

describeFinderConformance("inmemory", (source) => new InMemoryFinder(source), {
  lazyOpen: false,
  answersFromMemory: true,
  validatesAtOpen: true,
});

describeFinderConformance("binary_search", (source) => new BinarySearchFinder(source), {
  lazyOpen: true,
  answersFromMemory: false,
  validatesAtOpen: false,
});

// Small blocks and a tiny cache force block merges and in-block probing.
describeFinderConformance(
  "binary_search (blockRows 4, cacheBytes 2048)",
  (source) => new BinarySearchFinder(source, { blockRows: 4, cacheBytes: 2048 }),
  { lazyOpen: true, answersFromMemory: false, validatesAtOpen: false },
);
