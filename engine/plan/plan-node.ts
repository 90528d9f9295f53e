/**
 * Physical plan nodes: the operator tree the planner builds and the executor runs.
 * Owns: the PlanNode union and its parts (PlanColumn, SortKey, AggregateCall, WindowCall).
 * Invariants:
 *   (1) Every node lists its `output` columns; each PlanColumn id is unique in the whole statement's plan
 *       (subqueries included), so an expression's Column id names exactly one producer. Exception: a node
 *       may pass an input column through under the same id (an Aggregate's plain-column group key, a
 *       Project of a plain column); within one node's inputs ids are still unique.
 *   (2) A node's expressions refer only to ids in its input nodes' outputs (Column) or to enclosing rows
 *       (OuterColumn, bound by the executor when it runs a correlated subquery).
 *   (3) Nodes are frozen plain objects; the executor keeps its run-time state elsewhere, so a plan can run
 *       many times (prepared statements, correlated subqueries).
 * Not here: the logical plan and rewrites (planner.ts, optimizer/), EXPLAIN text (explain.ts).
 */
import type { SqlType } from '../common/types.js'
import type { IndexDef, TableDef } from '../catalog/schema.js'
import type { AggregateImpl } from '../catalog/functions/function-types.js'
import type { BoundExpr } from './bound-expr.js'
import type { LockMode } from '../txn/lock-manager.js'
import type { LockPolicy } from '../txn/table-access.js'
import type { SqlValue } from '../common/types.js'

/** One output column of a node. `name` is what a client sees for a top-level column. */
export interface PlanColumn {
  readonly id: number
  readonly name: string
  readonly type: SqlType
}

/** ORDER BY item: values compare by their type's order (values/compare); NULLs per nullsFirst. */
export interface SortKey {
  readonly expr: BoundExpr
  readonly descending: boolean
  readonly nullsFirst: boolean
}

/** An aggregate computed per group: fn over args, rows filtered by `filter`, DISTINCT args, ORDER BY inside. */
export interface AggregateCall {
  readonly fn: AggregateImpl
  readonly args: readonly BoundExpr[]
  readonly distinct: boolean
  readonly filter: BoundExpr | null
  readonly orderBy: readonly SortKey[]
}

export type WindowFunctionName =
  | 'row_number'
  | 'rank'
  | 'dense_rank'
  | 'percent_rank'
  | 'cume_dist'
  | 'ntile'
  | 'lag'
  | 'lead'
  | 'first_value'
  | 'last_value'
  | 'nth_value'

export interface FrameBound {
  readonly type: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING'
  /** The offset for PRECEDING / FOLLOWING (a row count for ROWS/GROUPS, a value distance for RANGE). */
  readonly offset: BoundExpr | null
}

export interface WindowFrame {
  readonly mode: 'ROWS' | 'RANGE' | 'GROUPS'
  readonly start: FrameBound
  readonly end: FrameBound
  readonly exclusion: 'CURRENT ROW' | 'GROUP' | 'TIES' | 'NO OTHERS'
}

/**
 * One window function. `fn` is a window-only function by name or an aggregate used OVER a window.
 * `frame` is the default (RANGE UNBOUNDED PRECEDING to CURRENT ROW; whole partition without ORDER BY)
 * when the query gives none; the binder fills it in.
 */
export interface WindowCall {
  readonly fn: WindowFunctionName | AggregateImpl
  readonly args: readonly BoundExpr[]
  readonly filter: BoundExpr | null
  readonly partitionBy: readonly BoundExpr[]
  readonly orderBy: readonly SortKey[]
  readonly frame: WindowFrame
  readonly type: SqlType
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI'

/** Rows given inline: VALUES lists, and SELECT without FROM (one row of no columns). */
export interface ValuesNode {
  readonly kind: 'Values'
  readonly output: readonly PlanColumn[]
  readonly rows: readonly (readonly BoundExpr[])[]
}

/**
 * A table's rows in primary-key order (reverse: descending), optionally bounded on a primary-key prefix;
 * `columns[i]` is the table ordinal (or ROW_KEY) of output[i]. `filter` is evaluated on the output columns.
 */
export interface SeqScanNode {
  readonly kind: 'SeqScan'
  readonly output: readonly PlanColumn[]
  readonly table: TableDef
  readonly columns: readonly number[]
  readonly lower: PlanKeyBound | null
  readonly upper: PlanKeyBound | null
  readonly reverse: boolean
  readonly filter: BoundExpr | null
  /**
   * Set by projection pruning when the filter reads columns nothing above needs: every column read (the
   * filter's layout; `columns` matches it), while `output` keeps only the emitted ones, in the same order.
   */
  readonly read?: readonly PlanColumn[]
}

/** A bound whose values are expressions (constants, parameters, outer columns) evaluated when the scan opens. */
export interface PlanKeyBound {
  readonly values: readonly BoundExpr[]
  readonly inclusive: boolean
}

/** Rows through a secondary index, in index order. Same columns/filter rules as SeqScan. */
export interface IndexScanNode {
  readonly kind: 'IndexScan'
  readonly output: readonly PlanColumn[]
  readonly table: TableDef
  readonly index: IndexDef
  readonly columns: readonly number[]
  readonly lower: PlanKeyBound | null
  readonly upper: PlanKeyBound | null
  readonly reverse: boolean
  readonly filter: BoundExpr | null
  /** As SeqScanNode.read. */
  readonly read?: readonly PlanColumn[]
}

export interface FilterNode {
  readonly kind: 'Filter'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly predicate: BoundExpr
}

/** output[i] = exprs[i] evaluated on the input. */
export interface ProjectNode {
  readonly kind: 'Project'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly exprs: readonly BoundExpr[]
}

/**
 * Nested loops: for each left row, the right side (re-run per row when `lateral`, the right plan then reads
 * the left row's columns as OuterColumn ids). Output = left columns then right columns (SEMI/ANTI: left only).
 */
export interface NestedLoopJoinNode {
  readonly kind: 'NestedLoopJoin'
  readonly output: readonly PlanColumn[]
  readonly joinType: JoinType
  readonly left: PlanNode
  readonly right: PlanNode
  readonly condition: BoundExpr | null
  readonly lateral: boolean
}

/**
 * Hash join: builds a hash table on `right` keyed by rightKeys, probes with leftKeys (equal types; NULL keys
 * never match). `residual` is checked on matching pairs. Output as NestedLoopJoin.
 */
export interface HashJoinNode {
  readonly kind: 'HashJoin'
  readonly output: readonly PlanColumn[]
  readonly joinType: JoinType
  readonly left: PlanNode
  readonly right: PlanNode
  readonly leftKeys: readonly BoundExpr[]
  readonly rightKeys: readonly BoundExpr[]
  readonly residual: BoundExpr | null
}

/**
 * Index nested loops: for each left row, look up `table` through `index` (null: the primary key) with the
 * key prefix `keys` (expressions over the left columns). `columns` as in SeqScan; output = left then right
 * columns (SEMI/ANTI: left only). joinType is INNER, LEFT, SEMI or ANTI.
 */
export interface IndexJoinNode {
  readonly kind: 'IndexJoin'
  readonly output: readonly PlanColumn[]
  readonly joinType: JoinType
  readonly left: PlanNode
  readonly table: TableDef
  readonly index: IndexDef | null
  readonly keys: readonly BoundExpr[]
  readonly columns: readonly number[]
  readonly residual: BoundExpr | null
}

/**
 * Grouping: output = one column per groupBy expression, then one per aggregate. Without groupBy, exactly one
 * output row even for empty input (count 0, other aggregates NULL).
 */
export interface AggregateNode {
  readonly kind: 'Aggregate'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly groupBy: readonly BoundExpr[]
  readonly aggregates: readonly AggregateCall[]
  /** The input arrives ordered by the GROUP BY columns: groups are finished one after another and streamed. */
  readonly sorted?: boolean
}

/** Output = input columns, then one column per window function. */
export interface WindowNode {
  readonly kind: 'Window'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly functions: readonly WindowCall[]
}

export interface SortNode {
  readonly kind: 'Sort'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly keys: readonly SortKey[]
}

/** LIMIT/OFFSET; the expressions are constant for the execution (literals, parameters, outer columns). */
export interface LimitNode {
  readonly kind: 'Limit'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly limit: BoundExpr | null
  readonly offset: BoundExpr | null
}

/** DISTINCT (on: empty = all columns) or DISTINCT ON (keeps the first input row per key). NULLs equal. */
export interface DistinctNode {
  readonly kind: 'Distinct'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly on: readonly BoundExpr[]
}

/** UNION / INTERSECT / EXCEPT [ALL], positional; both inputs have output's types. NULLs equal. */
export interface SetOpNode {
  readonly kind: 'SetOp'
  readonly output: readonly PlanColumn[]
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT'
  readonly all: boolean
  readonly left: PlanNode
  readonly right: PlanNode
}

/** Common table expressions: each cte is materialized once, on first read, for one execution of `input`. */
export interface WithNode {
  readonly kind: 'With'
  readonly output: readonly PlanColumn[]
  readonly ctes: readonly { readonly id: number; readonly plan: PlanNode }[]
  readonly input: PlanNode
}

/** Reads a materialized CTE (or, inside a recursive term, the current working table) positionally. */
export interface CteScanNode {
  readonly kind: 'CteScan'
  readonly output: readonly PlanColumn[]
  readonly cteId: number
}

/**
 * WITH RECURSIVE: anchor, then repeatedly `recursive` (which reads the previous iteration through
 * CteScan(cteId)) until it yields no new rows; UNION (not ALL) drops duplicates of every row seen so far.
 */
export interface RecursiveUnionNode {
  readonly kind: 'RecursiveUnion'
  readonly output: readonly PlanColumn[]
  readonly cteId: number
  readonly all: boolean
  readonly anchor: PlanNode
  readonly recursive: PlanNode
}

/** A set-returning function in FROM (generate_series, unnest, ...). */
export interface FunctionScanNode {
  readonly kind: 'FunctionScan'
  readonly output: readonly PlanColumn[]
  readonly name: string
  readonly args: readonly BoundExpr[]
  readonly fn: (args: readonly SqlValue[]) => Iterable<readonly SqlValue[]>
}

/**
 * INSERT: `input` yields complete rows in table column order (the binder filled defaults), as input's output
 * columns. `checks` are over those column ids (a row fails when a check is false; NULL passes). ON CONFLICT
 * binds the existing row's columns to `existingIds` and the proposed row to the input ids (EXCLUDED).
 * `returning` is over the stored row, bound to `rowIds`. Output = the RETURNING columns (may be empty).
 */
export interface InsertNode {
  readonly kind: 'Insert'
  readonly output: readonly PlanColumn[]
  readonly table: TableDef
  readonly input: PlanNode
  readonly checks: readonly BoundExpr[]
  /** Constraint name of each check, for 23514 messages. */
  readonly checkNames: readonly string[]
  readonly onConflict: OnConflictPlan | null
  readonly rowIds: readonly number[]
  readonly returning: readonly BoundExpr[]
}

export interface OnConflictPlan {
  /** Ordinals of the arbiter constraint's columns; null = any unique constraint (DO NOTHING only). */
  readonly arbiter: readonly number[] | null
  readonly action: 'NOTHING' | 'UPDATE'
  readonly existingIds: readonly number[]
  /** DO UPDATE SET: new value per assigned ordinal, over existingIds and the input (EXCLUDED) ids. */
  readonly assignments: readonly { readonly ordinal: number; readonly expr: BoundExpr }[]
  readonly where: BoundExpr | null
}

/**
 * UPDATE: `input` yields target rows (all table columns as `oldIds`, in ordinal order, plus the row key in
 * `keyId`), joined with FROM items when present. The executor reads all input before writing (no Halloween
 * problem) and updates each row key at most once. New row = old row with assignments applied (exprs over the
 * input); checks and returning are over the new row bound to `rowIds`.
 */
export interface UpdateNode {
  readonly kind: 'Update'
  readonly output: readonly PlanColumn[]
  readonly table: TableDef
  readonly input: PlanNode
  readonly keyId: number
  readonly oldIds: readonly number[]
  readonly assignments: readonly { readonly ordinal: number; readonly expr: BoundExpr }[]
  readonly checks: readonly BoundExpr[]
  /** Constraint name of each check, for 23514 messages. */
  readonly checkNames: readonly string[]
  readonly rowIds: readonly number[]
  readonly returning: readonly BoundExpr[]
}

/** DELETE: like UPDATE without assignments; returning is over the deleted row (oldIds). Each key once. */
export interface DeleteNode {
  readonly kind: 'Delete'
  readonly output: readonly PlanColumn[]
  readonly table: TableDef
  readonly input: PlanNode
  readonly keyId: number
  readonly oldIds: readonly number[]
  readonly returning: readonly BoundExpr[]
}

/**
 * SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE: locks, per input row, the row of each target
 * (its row key in column `keyId`; NULL on the nullable side of an outer join: nothing to lock). NOWAIT fails
 * with 55P03, SKIP LOCKED drops the row. At READ COMMITTED a row changed by a concurrent commit is
 * re-checked by running `input` again over its newest version (the row is dropped when it no longer
 * qualifies). `streaming`: a LIMIT is above, so rows are handed on one at a time and only those locked.
 */
export interface LockRowsNode {
  readonly kind: 'LockRows'
  readonly output: readonly PlanColumn[]
  readonly input: PlanNode
  readonly targets: readonly { readonly table: TableDef; readonly keyId: number; readonly mode: LockMode; readonly policy: LockPolicy }[]
  readonly streaming: boolean
}

export type PlanNode =
  | ValuesNode
  | SeqScanNode
  | IndexScanNode
  | FilterNode
  | ProjectNode
  | NestedLoopJoinNode
  | HashJoinNode
  | IndexJoinNode
  | AggregateNode
  | WindowNode
  | SortNode
  | LimitNode
  | DistinctNode
  | SetOpNode
  | WithNode
  | CteScanNode
  | RecursiveUnionNode
  | FunctionScanNode
  | InsertNode
  | UpdateNode
  | DeleteNode
  | LockRowsNode

export type PlanNodeKind = PlanNode['kind']

