/**
 * AST base: what every node has, and the few shared leaf nodes.
 * Owns: NodeBase (kind + source span), QualifiedName, TypeName, Alias, SortItem.
 * Invariants:
 *   (1) Every node is a frozen plain object with a string `kind`; every array in a node is frozen.
 *   (2) `start` is the 0-based UTF-16 offset of the node's first token, `end` the offset just past
 *       its last token, so `sql.slice(node.start, node.end)` is the node's source text. Errors
 *       report `position = positionOf(sql, node.start)` (1-based, as PostgreSQL does).
 *   (3) Names are already case-folded: unquoted identifiers are lower case, quoted ones are kept.
 * Not here: the node unions (expressions.ts, queries.ts, statements.ts).
 */

/** Fields shared by every node. */
export interface NodeBase<K extends string> {
  readonly kind: K
  /** 0-based offset of the first character of the node in the statement text. */
  readonly start: number
  /** 0-based offset just past the last character of the node. */
  readonly end: number
}

/** A possibly qualified object name: `name`, `schema.name` or `catalog.schema.name`. */
export interface QualifiedName extends NodeBase<'QualifiedName'> {
  readonly catalog: string | null
  readonly schema: string | null
  readonly name: string
}

/**
 * A type name as written, lightly canonicalised:
 * - SQL-standard keyword types get one spelling: INT/INTEGER -> `integer`, DEC/DECIMAL/NUMERIC ->
 *   `numeric`, CHARACTER/CHAR -> `char`, CHARACTER VARYING/CHAR VARYING/VARCHAR -> `varchar`,
 *   DOUBLE PRECISION -> `double precision`, BIT VARYING -> `varbit`, TIMESTAMP [WITHOUT TIME ZONE]
 *   -> `timestamp`, TIMESTAMP WITH TIME ZONE -> `timestamptz`, TIME [WITH TIME ZONE] -> `time` /
 *   `timetz`, plus `smallint`, `bigint`, `real`, `float`, `boolean`, `interval`, `bit`.
 * - Every other name (text, int4, uuid, jsonb, serial, ...) is kept as written (folded); the
 *   binder maps aliases such as int4 -> integer.
 */
export interface TypeName extends NodeBase<'TypeName'> {
  readonly schema: string | null
  readonly name: string
  /** Type modifiers: VARCHAR(30) -> [30], NUMERIC(10, 2) -> [10, 2], TIMESTAMP(3) -> [3]. */
  readonly modifiers: readonly number[]
  /** One entry per array dimension: `INT[]` -> [-1], `INT[3][4]` -> [3, 4], `INT ARRAY` -> [-1]. */
  readonly arrayBounds: readonly number[]
  /** INTERVAL field restriction, upper case: 'DAY', 'YEAR TO MONTH', 'DAY TO SECOND', ...; else null. */
  readonly intervalFields: string | null
}

/** `AS name (col, ...)` after a FROM item. */
export interface Alias extends NodeBase<'Alias'> {
  readonly name: string
  readonly columns: readonly string[]
}

/** Sort direction of ORDER BY items and index columns. */
export type SortDirection = 'ASC' | 'DESC'

/** NULLS FIRST / NULLS LAST. */
export type NullsOrder = 'FIRST' | 'LAST'
