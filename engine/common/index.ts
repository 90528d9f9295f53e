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
} from './errors.js'
