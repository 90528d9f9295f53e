/**
 * Query nodes: SELECT, VALUES, set operations, WITH, FROM items.
 * Owns: Query (the clauses that apply to a whole query expression) and its body.
 * Invariants:
 *   (1) A Query always wraps a body; ORDER BY, LIMIT/OFFSET/FETCH and FOR UPDATE sit on the Query,
 *       never on a Select, so `SELECT a FROM t UNION SELECT b FROM u ORDER BY 1` orders the union.
 *   (2) A parenthesised query with none of those clauses (and no WITH) leaves no node behind: it is
 *       its body. One that has them is a nested Query inside a SetOperation.
 *   (3) SetOperation follows SQL precedence: INTERSECT binds tighter than UNION and EXCEPT, which
 *       associate to the left.
 *   (4) FROM is a list of items (comma joins); explicit joins are left-deep JoinRef trees.
 * Not here: data-modifying statements (statements.ts).
 */
import type { Expr, SortItem, WindowSpec } from './expressions.js'
import type { Alias, NodeBase, QualifiedName } from './node.js'
import type { Delete, Insert, Update } from './statements.js'

/** A complete query: WITH, a body, and the clauses that apply to the body's result. */
export interface Query extends NodeBase<'Query'> {
  readonly with: WithClause | null
  readonly body: QueryBody
  readonly orderBy: readonly SortItem[]
  /** LIMIT n / FETCH FIRST n ROWS; null for none or LIMIT ALL. */
  readonly limit: Expr | null
  readonly offset: Expr | null
  /** FETCH FIRST n ROWS WITH TIES. */
  readonly withTies: boolean
  readonly locking: readonly LockingClause[]
}

/** What a query computes before ORDER BY / LIMIT. */
export type QueryBody = Select | Values | SetOperation | Query

/** One SELECT block. */
export interface Select extends NodeBase<'Select'> {
  /** SELECT DISTINCT (also true with DISTINCT ON). */
  readonly distinct: boolean
  /** DISTINCT ON (...); null otherwise. */
  readonly distinctOn: readonly Expr[] | null
  readonly targets: readonly SelectItem[]
  readonly from: readonly FromItem[]
  readonly where: Expr | null
  readonly groupBy: readonly GroupByItem[]
  readonly having: Expr | null
  readonly windows: readonly NamedWindow[]
}

/** An output column: an expression (or Star) and its alias. */
export interface SelectItem extends NodeBase<'SelectItem'> {
  readonly expr: Expr
  readonly alias: string | null
}

/** `VALUES (...), (...)`; rows may contain DefaultValue (INSERT only). */
export interface Values extends NodeBase<'Values'> {
  readonly rows: readonly (readonly Expr[])[]
}

/** `left UNION|INTERSECT|EXCEPT [ALL] right`. */
export interface SetOperation extends NodeBase<'SetOperation'> {
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT'
  /** ALL keeps duplicates; DISTINCT (the default) removes them. */
  readonly all: boolean
  readonly left: QueryBody
  readonly right: QueryBody
}

/** `WITH [RECURSIVE] cte, ...`. */
export interface WithClause extends NodeBase<'WithClause'> {
  readonly recursive: boolean
  readonly ctes: readonly CommonTableExpr[]
}

/** `name [(cols)] AS [[NOT] MATERIALIZED] (statement)`. */
export interface CommonTableExpr extends NodeBase<'CommonTableExpr'> {
  readonly name: string
  readonly columns: readonly string[]
  /** null when not specified. */
  readonly materialized: boolean | null
  /** A query, or a data-modifying statement (with RETURNING). */
  readonly statement: Query | Insert | Update | Delete
}

/** `FOR UPDATE|NO KEY UPDATE|SHARE|KEY SHARE [OF t, ...] [NOWAIT|SKIP LOCKED]`. */
export interface LockingClause extends NodeBase<'LockingClause'> {
  readonly strength: 'UPDATE' | 'NO KEY UPDATE' | 'SHARE' | 'KEY SHARE'
  readonly of: readonly QualifiedName[]
  readonly wait: 'NOWAIT' | 'SKIP LOCKED' | null
}

/** `WINDOW name AS (spec)`. */
export interface NamedWindow extends NodeBase<'NamedWindow'> {
  readonly name: string
  readonly spec: WindowSpec
}

/** GROUP BY ROLLUP (...), CUBE (...), GROUPING SETS (...), or the empty set `()`. */
export interface GroupingSet extends NodeBase<'GroupingSet'> {
  readonly type: 'ROLLUP' | 'CUBE' | 'SETS' | 'EMPTY'
  /** Members; a RowConstructor member groups several columns together. */
  readonly items: readonly (Expr | GroupingSet)[]
}

/** A GROUP BY entry. */
export type GroupByItem = Expr | GroupingSet

/** A base table (or view, or CTE name) in FROM. */
export interface TableRef extends NodeBase<'TableRef'> {
  readonly name: QualifiedName
  readonly alias: Alias | null
  /** `ONLY t`. */
  readonly only: boolean
}

/** `[LATERAL] (query) [AS] alias` (also `(VALUES ...) AS t(a, b)`). */
export interface SubqueryRef extends NodeBase<'SubqueryRef'> {
  readonly query: Query
  readonly alias: Alias | null
  readonly lateral: boolean
}

/** `[LATERAL] f(args) [WITH ORDINALITY] [AS] alias` (generate_series, unnest, ...). */
export interface FunctionRef extends NodeBase<'FunctionRef'> {
  readonly call: Expr
  readonly alias: Alias | null
  readonly lateral: boolean
  readonly withOrdinality: boolean
}

/** A join of two FROM items. CROSS and comma joins have neither ON nor USING. */
export interface JoinRef extends NodeBase<'JoinRef'> {
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS'
  readonly natural: boolean
  readonly left: FromItem
  readonly right: FromItem
  readonly on: Expr | null
  readonly using: readonly string[] | null
  /** `(a JOIN b) AS j`. */
  readonly alias: Alias | null
}

/** Everything that can appear in FROM. */
export type FromItem = TableRef | SubqueryRef | FunctionRef | JoinRef
