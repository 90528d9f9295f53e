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

/** 22P02: text that is not a valid value of a type (`invalid input syntax for type integer: "x"`). */
export function invalidTextRepresentation(typeName: string, text: string): RustyError {
  return new RustyError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}: "${text}"`)
}

/** 22003: a value outside its type's range (`integer out of range`, `bigint out of range`, ...). */
export function numericOutOfRange(message: string, detail?: string): RustyError {
  return new RustyError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, message, detail === undefined ? {} : { detail })
}

/** 22012: `division by zero`. */
export function divisionByZero(): RustyError {
  return new RustyError(SqlState.DIVISION_BY_ZERO, 'division by zero')
}

/** 22001: a string too long for varchar(n)/char(n) on assignment. */
export function stringTooLong(typeName: string, length: number): RustyError {
  return new RustyError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type ${typeName}(${length})`)
}

/** 22007: text that is not a valid date/time (`invalid input syntax for type date: "x"`). */
export function invalidDatetimeFormat(typeName: string, text: string): RustyError {
  return new RustyError('22007', `invalid input syntax for type ${typeName}: "${text}"`)
}

/** 22008: a date/time field out of range (`date/time field value out of range: "2024-13-01"`). */
export function datetimeFieldOverflow(text: string, message?: string): RustyError {
  return new RustyError('22008', message ?? `date/time field value out of range: "${text}"`)
}

/** 42704: `type "x" does not exist`. */
export function undefinedType(name: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_OBJECT, `type "${name}" does not exist`)
}

/** 42804: a type mismatch found while resolving an expression. */
export function datatypeMismatch(message: string, hint?: string): RustyError {
  return new RustyError(SqlState.DATATYPE_MISMATCH, message, hint === undefined ? {} : { hint })
}

/** 42883: no function or operator matches (`operator does not exist: integer + text`). */
export function undefinedFunction(message: string, hint?: string): RustyError {
  return new RustyError('42883', message, hint === undefined ? {} : { hint })
}
