export { decodeBase64Into, decodeBase64Strict, encodeBase64, encodeBase64Into } from "./base64.js";
export {
  checksumCoverage,
  encodeChecksumRow,
  verifyInitialChecksumRow,
  writeChecksumRow,
} from "./checksum-row.js";
export {
  CHECKSUM_INTERVAL,
  CHECKSUM_PERIOD,
  CRC_BASE64_LENGTH,
  HEADER_SIZE,
  KEY_BASE64_LENGTH,
  MAX_SAVEPOINTS,
  MAX_TRANSACTION_ROWS,
  maxValueLength,
  ROW,
  ROW_OVERHEAD,
  ROW_SIZE_RANGE,
  SAVEPOINT_MARK,
  SKEW_MS_RANGE,
  START_CONTROL,
  VALUE_OFFSET,
} from "./constants.js";
export {
  completionControl,
  type DataEndControl,
  END_CONTROLS,
  type EndControl,
  endsTransaction,
  hasSavepoint,
  isCommit,
  isDataEndControl,
  readEndControl,
  rollbackTarget,
  type SavepointDigit,
  type StartControl,
  startControlOf,
} from "./control.js";
export {
  type Crc32Function,
  type Crc32Kind,
  crc32,
  crc32Kind,
  crc32Portable,
  useCrc32,
} from "./crc32.js";
export {
  type DataRowFields,
  encodeDataRow,
  validateDataRowFields,
  writeDataRow,
  writeDataRowFrame,
  writeDataRowHead,
} from "./data-row.js";
export {
  CorruptDatabaseError,
  type CorruptionLocation,
  ERROR_CODES,
  FrozenDBError,
  type FrozenDBErrorCode,
  InvalidActionError,
  InvalidDataError,
  InvalidInputError,
  isFrozenDBError,
  KeyNotFoundError,
  KeyOrderingError,
  PathError,
  ReadError,
  TombstonedError,
  TransactionActiveError,
  WriteError,
} from "./errors.js";
export {
  decodeHeader,
  encodeHeader,
  FORMAT_VERSION,
  type Header,
  SIGNATURE,
  validateHeader,
  validateRowSize,
} from "./header.js";
export { KeySet } from "./key-set.js";
export { encodeNullRow, writeNullRow } from "./null-row.js";
export { optionsObject } from "./options.js";
export {
  computeParity,
  indexOfZero,
  isZeroRange,
  readParity,
  writeParity,
  xorRange,
} from "./parity.js";
export {
  decodeTail,
  encodePartialDataRow,
  type PartialDataRow,
  type PartialRowFields,
  type PartialRowStarted,
  type PartialRowWithPayload,
  type Tail,
  type TornTail,
} from "./partial-data-row.js";
export {
  type ChecksumRow,
  type DataRow,
  decodeRow,
  INCOMPLETE,
  inspectRow,
  inspectRowScanned,
  type NullRow,
  type Row,
  type RowDecodeResult,
  type RowInfo,
  valueTextAt,
  writeRowEnd,
  writtenDataRow,
} from "./row.js";
export {
  checkRowPlacement,
  classifySlot,
  completeRowCount,
  fileSizeFor,
  isChecksumIndex,
  logicalToRowIndex,
  readRowAt,
  rowIndexToLogical,
  rowOffset,
  type SlotContent,
  type SlotKind,
  tailLength,
} from "./row-layout.js";
export { rowScan } from "./row-scan.js";
export {
  compareUuids,
  formatUuid,
  isNullRowUuid,
  type KeyInput,
  MAX_UUID_TIMESTAMP,
  nullRowUuid,
  parseUuid,
  parseUuidInto,
  UUID_LENGTH,
  uuidTimestamp,
  uuidV7Problem,
  uuidv7,
  validateDataKey,
  validateUuidV7,
} from "./uuid.js";
export {
  decodeValue,
  decodeValueText,
  encodeValue,
  encodeValueInto,
  type ValueOptions,
  valueLayoutProblem,
} from "./value.js";
