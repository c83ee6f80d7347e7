/** Data/null rows by logical position (FF §2 "Row index ↔ logical data index"). */

import { CHECKSUM_PERIOD } from "@frozendb/codec";

/** Data and null rows among `total` complete rows (every row but the checksum rows). */
export function logicalRowCount(total: number): number {
  if (total <= 1) return 0;
  return total - (Math.floor((total - 1) / CHECKSUM_PERIOD) + 1);
}
