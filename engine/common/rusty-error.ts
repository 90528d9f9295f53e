/**
 * RustyError: the one error class of the engine.
 * Owns: the shape of an error as it crosses layers and the worker boundary.
 * Invariants:
 *   (1) `code` is always a five-character SQLSTATE.
 *   (2) `toJSON()` / `RustyError.fromJSON()` round-trip every field except `cause`,
 *       which crosses as its message only (foreign errors are kept as `cause`).
 * Field names are PostgreSQL's (as PGlite exposes them), so pg tools read them.
 */
import type { SqlStateCode } from './sqlstate.js'

/** Optional context attached to an error. */
export interface RustyErrorFields {
  /** 1-based character offset in the SQL statement, for SQL errors. */
  position?: number
  detail?: string
  hint?: string
  table?: string
  column?: string
  constraint?: string
  /** Page number, for storage and corruption errors. */
  page?: number
  /** File name, for storage and corruption errors. */
  file?: string
  cause?: unknown
}

/** Plain-data form of a RustyError (what crosses a worker or HTTP boundary). */
export interface RustyErrorData extends Omit<RustyErrorFields, 'cause'> {
  name: 'RustyError'
  code: string
  message: string
  cause?: string
}

/**
 * Every error the engine raises.
 *
 * @example
 * try { await db.query('SELECT * FROM nope') }
 * catch (e) { if (e instanceof RustyError && e.code === '42P01') ... }
 */
export class RustyError extends Error {
  override readonly name = 'RustyError'
  readonly code: SqlStateCode | string
  readonly position?: number
  readonly detail?: string
  readonly hint?: string
  readonly table?: string
  readonly column?: string
  readonly constraint?: string
  readonly page?: number
  readonly file?: string

  constructor(code: SqlStateCode | string, message: string, fields: RustyErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause })
    this.code = code
    if (fields.position !== undefined) this.position = fields.position
    if (fields.detail !== undefined) this.detail = fields.detail
    if (fields.hint !== undefined) this.hint = fields.hint
    if (fields.table !== undefined) this.table = fields.table
    if (fields.column !== undefined) this.column = fields.column
    if (fields.constraint !== undefined) this.constraint = fields.constraint
    if (fields.page !== undefined) this.page = fields.page
    if (fields.file !== undefined) this.file = fields.file
  }

  /** Plain data for postMessage / JSON. */
  toJSON(): RustyErrorData {
    const data: RustyErrorData = { name: 'RustyError', code: this.code, message: this.message }
    for (const key of ['position', 'detail', 'hint', 'table', 'column', 'constraint', 'page', 'file'] as const) {
      const value = this[key]
      if (value !== undefined) (data as unknown as Record<string, unknown>)[key] = value
    }
    if (this.cause !== undefined) data.cause = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return data
  }

  /** Rebuilds an error from `toJSON()` output. */
  static fromJSON(data: RustyErrorData): RustyError {
    const { code, message, cause, ...fields } = data
    return new RustyError(code, message, { ...fields, cause })
  }

  /** True for a RustyError, also one rebuilt on the other side of a worker boundary. */
  static is(value: unknown): value is RustyError {
    return value instanceof RustyError
  }
}
