/** Building a finder by strategy name, as `open(path, { finder })` and the CLI do. */

import { InvalidInputError } from "@frozendb/codec";
import { BinarySearchFinder, type BinarySearchFinderOptions } from "./binary-search-finder.js";
import { FINDER_STRATEGIES, type Finder, type FinderStrategy } from "./finder.js";
import { InMemoryFinder } from "./in-memory-finder.js";
import type { RowSource } from "./row-source.js";
import { SimpleFinder, type SimpleFinderOptions } from "./simple-finder.js";

/** Options for {@link createFinder}: those of the chosen strategy. */
export type FinderOptions = SimpleFinderOptions & BinarySearchFinderOptions;

/**
 * A finder of strategy `strategy` over `source`.
 * @throws {@link InvalidInputError} for an unknown strategy name or bad options.
 * @throws {@link CorruptDatabaseError} when `inmemory` meets a corrupt row while reading the file.
 * @example
 * ```ts
 * const finder = createFinder(source, "binary_search");
 * ```
 */
export function createFinder(
  source: RowSource,
  strategy: FinderStrategy,
  options: FinderOptions = {},
): Finder {
  switch (strategy) {
    case "simple":
      return new SimpleFinder(source, options);
    case "inmemory":
      return new InMemoryFinder(source);
    case "binary_search":
      return new BinarySearchFinder(source, options);
    default:
      throw new InvalidInputError(
        `invalid finder strategy: '${String(strategy)}' (expected one of ${FINDER_STRATEGIES.join(", ")})`,
      );
  }
}
