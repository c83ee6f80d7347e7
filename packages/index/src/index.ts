export {
  BinarySearchFinder,
  type BinarySearchFinderOptions,
  DEFAULT_BLOCK_ROWS,
  DEFAULT_CACHE_BYTES,
} from "./binary-search-finder.js";
export { createFinder, type FinderOptions } from "./create-finder.js";
export { FINDER_STRATEGIES, type Finder, type FinderStrategy } from "./finder.js";
export { InMemoryFinder } from "./in-memory-finder.js";
export { MemoryRowSource } from "./memory-row-source.js";
export type { RowListener, RowSource } from "./row-source.js";
export { SimpleFinder, type SimpleFinderOptions } from "./simple-finder.js";
