/**
 * Bound expressions: the typed, name-resolved expression trees that plans carry and the executor compiles.
 * Owns: the BoundExpr union.
 * Invariants:
 *   (1) Every node has its result `type`; arguments already have the types their consumer expects (the binder
 *       inserts Cast nodes), so the executor never coerces.
 *   (2) Column refers to a column of the operator's input by its plan-wide unique id (plan-node.ts PlanColumn);
 *       OuterColumn refers to a column of an enclosing query's current row (a correlated reference).
 *   (3) Three-valued logic: And/Or/Not/InList/Subquery comparisons yield NULL for unknown, as in PostgreSQL.
 * Not here: evaluation (engine/exec).
 */
import type { SqlType, SqlValue } from '../common/types.js'
import type { CastFn, ScalarImpl } from '../catalog/functions/function-types.js'
import type { PlanNode } from './plan-node.js'

export type BoundExpr =
  | ConstExpr
  | ParamExpr
  | ColumnExpr
  | OuterColumnExpr
  | CallExpr
  | CastExpr
  | LogicExpr
  | NotExpr
  | IsNullExpr
  | IsBoolExpr
  | CaseExpr
  | CoalesceExpr
  | InListExpr
  | SubqueryExpr
  | ExistsExpr
  | QuantifiedExpr

export interface ConstExpr {
  readonly kind: 'Const'
  readonly type: SqlType
  readonly value: SqlValue
}

/** `$n`: `index` is 0-based; the session converts parameter values to `type` before execution. */
export interface ParamExpr {
  readonly kind: 'Param'
  readonly type: SqlType
  readonly index: number
}

export interface ColumnExpr {
  readonly kind: 'Column'
  readonly type: SqlType
  readonly id: number
}

export interface OuterColumnExpr {
  readonly kind: 'OuterColumn'
  readonly type: SqlType
  readonly id: number
}

/** A function or operator call. Invariant (1) of function-types.ts: strict impls see no NULL. */
export interface CallExpr {
  readonly kind: 'Call'
  readonly type: SqlType
  readonly impl: ScalarImpl
  readonly args: readonly BoundExpr[]
}

export interface CastExpr {
  readonly kind: 'Cast'
  readonly type: SqlType
  readonly arg: BoundExpr
  /** Strict: NULL casts to NULL without calling it. */
  readonly cast: CastFn
}

export interface LogicExpr {
  readonly kind: 'And' | 'Or'
  readonly type: SqlType
  readonly args: readonly BoundExpr[]
}

export interface NotExpr {
  readonly kind: 'Not'
  readonly type: SqlType
  readonly arg: BoundExpr
}

/** IS [NOT] NULL. */
export interface IsNullExpr {
  readonly kind: 'IsNull'
  readonly type: SqlType
  readonly arg: BoundExpr
  readonly negated: boolean
}

/** IS [NOT] TRUE / FALSE / UNKNOWN (never NULL). */
export interface IsBoolExpr {
  readonly kind: 'IsBool'
  readonly type: SqlType
  readonly arg: BoundExpr
  readonly test: 'TRUE' | 'FALSE' | 'UNKNOWN'
  readonly negated: boolean
}

/** Searched CASE (the binder rewrites CASE x WHEN v as x = v). `else` null means ELSE NULL. */
export interface CaseExpr {
  readonly kind: 'Case'
  readonly type: SqlType
  readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[]
  readonly else: BoundExpr | null
}

/** COALESCE: the first non-NULL argument, evaluating lazily. */
export interface CoalesceExpr {
  readonly kind: 'Coalesce'
  readonly type: SqlType
  readonly args: readonly BoundExpr[]
}

/** x [NOT] IN (a, b, ...): `eq` compares x with one element (both already coerced). 3VL per invariant (3). */
export interface InListExpr {
  readonly kind: 'InList'
  readonly type: SqlType
  readonly arg: BoundExpr
  readonly list: readonly BoundExpr[]
  readonly negated: boolean
  readonly eq: ScalarImpl
}

/**
 * A subquery plan. `outerRefs`: ids of OuterColumns the plan reads (empty: uncorrelated, evaluate once per
 * statement execution and cache). The executor binds those ids from the current row before running it.
 */
interface SubqueryBase {
  readonly plan: PlanNode
  readonly outerRefs: readonly number[]
}

/** Scalar subquery: its single column's value, NULL when it returns no row; 21000 when more than one. */
export interface SubqueryExpr extends SubqueryBase {
  readonly kind: 'Subquery'
  readonly type: SqlType
}

/** [NOT] EXISTS (...). */
export interface ExistsExpr extends SubqueryBase {
  readonly kind: 'Exists'
  readonly type: SqlType
  readonly negated: boolean
}

/**
 * x op ANY/ALL (subquery); x IN (subquery) is `= ANY`, NOT IN is `<> ALL`. `op` compares x with the
 * subquery's single column. 3VL as PostgreSQL: ANY is true if some comparison is true, NULL if none is
 * true and some is NULL, else false; ALL dually.
 */
export interface QuantifiedExpr extends SubqueryBase {
  readonly kind: 'Quantified'
  readonly type: SqlType
  readonly arg: BoundExpr
  readonly op: ScalarImpl
  readonly quantifier: 'ANY' | 'ALL'
}
