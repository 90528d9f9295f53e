/**
 * engine/common: the error class, SQLSTATE codes and shared value helpers. Imports nothing.
 */
export { RustyError, type RustyErrorData, type RustyErrorFields } from './rusty-error.js'
export { SqlState, type SqlStateCode } from './sqlstate.js'
export {
  dataCorrupted,
  featureNotSupported,
  internalError,
  invalidParameter,
  ioError,
  programLimitExceeded,
  wrongState,
  invalidTextRepresentation,
  numericOutOfRange,
  divisionByZero,
  stringTooLong,
  invalidDatetimeFormat,
  datetimeFieldOverflow,
  undefinedType,
  datatypeMismatch,
  undefinedFunction,
} from './errors.js'
export * from './values/index.js'
export * from './types.js'
export { BATCH_SIZE, type Batch } from './batch.js'
