/**
 * SQL front-end errors: syntax errors with PostgreSQL-style positions.
 * Owns: the conversion from a source offset to a 1-based character position, and the
 * messages of the lexer and the parser.
 * Invariants:
 *   (1) Every error raised by engine/sql is a RustyError; syntax errors carry code 42601 and a
 *       `position` (1-based, counted in Unicode code points, as PostgreSQL counts characters).
 *   (2) `position` of an error at the end of the input is the length of the input plus one.
 * Not here: semantic errors (undefined table, column, type): the binder raises them.
 */
import { RustyError, SqlState } from '../common/index.js'

/** SQLSTATE 54001 (statement_too_complex): PostgreSQL's "stack depth limit exceeded". */
export const STATEMENT_TOO_COMPLEX = '54001'

/** 1-based character position of a 0-based UTF-16 offset into `sql` (surrogate pairs count once). */
export function positionOf(sql: string, offset: number): number {
  const end = Math.min(offset, sql.length)
  let position = 1
  for (let i = 0; i < end; i++) {
    const c = sql.charCodeAt(i)
    // a low surrogate that follows a high surrogate continues the same code point
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = sql.charCodeAt(i - 1)
      if (p >= 0xd800 && p <= 0xdbff) continue
    }
    position++
  }
  return position
}

/** 42601 at `offset`: the message is used as given (it already names the token). */
export function syntaxErrorAt(sql: string, offset: number, message: string, hint?: string): RustyError {
  const fields: { position: number; hint?: string } = { position: positionOf(sql, offset) }
  if (hint !== undefined) fields.hint = hint
  return new RustyError(SqlState.SYNTAX_ERROR, message, fields)
}

/** 0A000 at `offset`: syntax that RustyDB recognises but does not implement. */
export function unsupportedAt(sql: string, offset: number, feature: string, hint?: string): RustyError {
  const fields: { position: number; hint?: string } = { position: positionOf(sql, offset) }
  if (hint !== undefined) fields.hint = hint
  return new RustyError(SqlState.FEATURE_NOT_SUPPORTED, `${feature} is not supported`, fields)
}

/** 54001 at `offset`: the statement nests deeper than the parser allows. */
export function tooDeepAt(sql: string, offset: number, limit: number): RustyError {
  return new RustyError(STATEMENT_TOO_COMPLEX, 'stack depth limit exceeded', {
    position: positionOf(sql, offset),
    hint: `The statement nests deeper than ${limit} levels; simplify it or split it.`,
  })
}

/** The source text of a lexer error, as PostgreSQL shows it: from the offset to the end of the line. */
export function nearText(sql: string, offset: number): string {
  let end = sql.indexOf('\n', offset)
  if (end < 0) end = sql.length
  if (end - offset > 40) end = offset + 40
  return sql.slice(offset, end)
}
