/**
 * Errors raised by transactions and constraint checks, with PostgreSQL's codes, messages and fields.
 * Not here: the generic helpers (engine/common/errors.ts).
 */
import { RustyError, SqlState, formatValue } from '../common/index.js'
import type { SqlType, SqlValue } from '../common/types.js'

/** `(a, b)=(1, x)` as PostgreSQL's constraint details print keys. */
export function keyDetail(names: readonly string[], values: readonly SqlValue[], types: readonly SqlType[]): string {
  const shown = values.map((v, i) => (v === null ? 'null' : formatValue(v, types[i])))
  return `(${names.join(', ')})=(${shown.join(', ')})`
}

/** 23502 */
export function notNullViolation(table: string, column: string): RustyError {
  return new RustyError(SqlState.NOT_NULL_VIOLATION, `null value in column "${column}" of relation "${table}" violates not-null constraint`, {
    table,
    column,
  })
}

/** 23505 */
export function uniqueViolation(table: string, constraint: string, key: string): RustyError {
  return new RustyError(SqlState.UNIQUE_VIOLATION, `duplicate key value violates unique constraint "${constraint}"`, {
    detail: `Key ${key} already exists.`,
    table,
    constraint,
  })
}

/** 23503 on the referencing side (insert or update of the child). */
export function foreignKeyMissing(table: string, constraint: string, key: string, refTable: string): RustyError {
  return new RustyError(SqlState.FOREIGN_KEY_VIOLATION, `insert or update on table "${table}" violates foreign key constraint "${constraint}"`, {
    detail: `Key ${key} is not present in table "${refTable}".`,
    table,
    constraint,
  })
}

/** 23503 on the referenced side (update or delete of the parent). */
export function foreignKeyReferenced(table: string, constraint: string, childTable: string, key: string): RustyError {
  return new RustyError(
    SqlState.FOREIGN_KEY_VIOLATION,
    `update or delete on table "${table}" violates foreign key constraint "${constraint}" on table "${childTable}"`,
    { detail: `Key ${key} is still referenced from table "${childTable}".`, table: childTable, constraint },
  )
}

/** 25006 */
export function readOnlyTransaction(what: string): RustyError {
  return new RustyError('25006', `cannot execute ${what} in a read-only transaction`)
}

/** 25000 / 25P02: the transaction is over. */
export function transactionOver(state: string): RustyError {
  return new RustyError(SqlState.INVALID_TRANSACTION_STATE, `the transaction is ${state}; begin a new one`)
}

/** 3B001 */
export function noSuchSavepoint(name: string): RustyError {
  return new RustyError('3B001', `savepoint "${name}" does not exist`)
}
