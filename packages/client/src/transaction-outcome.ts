/**
 * Which rows of a transaction are committed (file-format §10.4): all of
 * them after `TC`/`SC`, none after `R0`/`S0`, and after `Rd`/`Sd` those up to
 * and including the row that carries savepoint `d`.
 */

import { type EndControl, hasSavepoint, isCommit, rollbackTarget } from "@frozendb/codec";

/**
 * How many leading rows of a transaction survive its end, given each row's
 * end control in order (the last one ends the transaction).
 */
export function committedPrefix(endControls: readonly EndControl[]): number {
  const last = endControls.at(-1);
  if (last === undefined) return 0;
  if (isCommit(last)) return endControls.length;
  const target = rollbackTarget(last) ?? 0;
  if (target === 0) return 0;
  let savepoints = 0;
  for (let i = 0; i < endControls.length; i++) {
    if (hasSavepoint(endControls[i]!) && ++savepoints === target) return i + 1;
  }
  return 0;
}
