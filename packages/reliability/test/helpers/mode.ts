/**
 * How hard the suite tries: the default run (inside `pnpm test:all`) keeps to
 * a few minutes; `FROZENDB_RELIABILITY=extended` (`pnpm test:reliability`)
 * runs the long version whose figures RELIABILITY.md reports.
 */
const { FROZENDB_RELIABILITY } = process.env;
export const extended = FROZENDB_RELIABILITY === "extended";

/** `fast` in the default run, `long` in the extended run. */
export function scale(fast: number, long: number): number {
  return extended ? long : fast;
}
