export { hasAppendOnly, setAppendOnly } from "./append-only.js";
export { type CreateOptions, create, DEFAULT_ROW_SIZE, DEFAULT_SKEW_MS } from "./create.js";
export type { FileMode } from "./db-file.js";
export { fileMapAvailable } from "./mapped-file.js";
export { type RecoverResult, recover } from "./recover.js";
export type { StrictFinding } from "./strict-checks.js";
export {
  type AddOptions,
  type NewRow,
  Transaction,
  type TransactionState,
  type ValueInput,
} from "./transaction.js";
export { type ErrorListener, type OpenOptions, open, type RowListener, TxLog } from "./tx-log.js";
export { type VerifyOptions, type VerifyProgress, type VerifyReport, verify } from "./verify.js";
