/**
 * Error helpers: one-line constructors so call sites stay short and messages stay uniform.
 * Messages name the object and the problem, in lower case (PostgreSQL's style).
 */
import { RustyError, type RustyErrorFields } from './rusty-error.js'
import { SqlState } from './sqlstate.js'

/** XX001: a page or log frame failed verification. Always names the page and the file. */
export function dataCorrupted(file: string, page: number, problem: string, fields: RustyErrorFields = {}): RustyError {
  return new RustyError(SqlState.DATA_CORRUPTED, `data corrupted in "${file}" at page ${page}: ${problem}`, {
    ...fields,
    file,
    page,
  })
}

/** 58030: the platform's storage failed. */
export function ioError(file: string, operation: string, cause?: unknown): RustyError {
  const reason = cause instanceof Error ? cause.message : cause === undefined ? 'unknown error' : String(cause)
  return new RustyError(SqlState.IO_ERROR, `could not ${operation} file "${file}": ${reason}`, { file, cause })
}

/** XX000: a bug in RustyDB. */
export function internalError(message: string, cause?: unknown): RustyError {
  return new RustyError(SqlState.INTERNAL_ERROR, `internal error: ${message}`, { cause })
}

/** 0A000: a feature that is not built yet. Never a silent no-op. */
export function featureNotSupported(feature: string, hint?: string): RustyError {
  return new RustyError(SqlState.FEATURE_NOT_SUPPORTED, `${feature} is not supported`, hint === undefined ? {} : { hint })
}

/** 22023: an argument or option with a bad value. */
export function invalidParameter(message: string, hint?: string): RustyError {
  return new RustyError(SqlState.INVALID_PARAMETER_VALUE, message, hint === undefined ? {} : { hint })
}

/** 54000: a value exceeds a hard limit of the engine. */
export function programLimitExceeded(message: string, hint?: string): RustyError {
  return new RustyError(SqlState.PROGRAM_LIMIT_EXCEEDED, message, hint === undefined ? {} : { hint })
}

/** 55000: an object is in the wrong state for the operation (closed database, released snapshot). */
export function wrongState(message: string): RustyError {
  return new RustyError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, message)
}
