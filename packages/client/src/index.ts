export {
  CorruptDatabaseError,
  ERROR_CODES,
  FrozenDBError,
  type FrozenDBErrorCode,
  InvalidActionError,
  InvalidDataError,
  InvalidInputError,
  isFrozenDBError,
  type KeyInput,
  KeyNotFoundError,
  KeyOrderingError,
  PathError,
  ReadError,
  TombstonedError,
  TransactionActiveError,
  WriteError,
} from "@frozendb/codec";
export type { FinderStrategy } from "@frozendb/index";
export {
  type CreateOptions,
  create,
  type RecoverResult,
  recover,
  type StrictFinding,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  verify,
} from "@frozendb/txlog";
/** A new UUIDv7 key as canonical text (the `uuid` package's `v7`, monotonic within a process). */
export { v7 as uuidv7 } from "uuid";
export { Database, type OpenOptions, open } from "./database.js";
export type { EntryRange } from "./entries.js";
export { Entry } from "./entry.js";
export { BatchTransaction, Transaction } from "./transaction.js";
export type { WatchOptions } from "./watch.js";
