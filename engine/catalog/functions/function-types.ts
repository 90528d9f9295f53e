/**
 * Built-in function and operator descriptors: what the binder resolves a call to and the executor runs.
 * Owns: the ScalarImpl, AggregateImpl and resolution result shapes. The registry (registry.ts) fills them.
 * Invariants:
 *   (1) A strict implementation is never called with a NULL argument: the executor returns NULL instead.
 *   (2) Implementations receive arguments already coerced to the resolved `argTypes` and return a value of
 *       `returnType` in its internal representation (common/types.ts), or throw a RustyError (22003 overflow,
 *       22012 division by zero, 22P02 invalid text, ...).
 * Not here: window-only functions (row_number, rank, lag, ...): the executor's Window operator owns them.
 */
import type { SqlType, SqlValue } from '../../common/types.js'

/** A resolved scalar function or operator. */
export interface ScalarImpl {
  /** The SQL name, for EXPLAIN and messages (`int4pl`, `abs`, `=`...). */
  readonly name: string
  readonly argTypes: readonly SqlType[]
  readonly returnType: SqlType
  /** Invariant (1). False for functions that look at NULLs (coalesce-likes, concat, ...). */
  readonly strict: boolean
  /** True when two calls with the same arguments may differ (random(), nextval(), now() is stable, not volatile). */
  readonly volatile: boolean
  readonly fn: (...args: SqlValue[]) => SqlValue
}

/** A resolved aggregate. The executor owns a state per group. */
export interface AggregateImpl<S = unknown> {
  readonly name: string
  readonly argTypes: readonly SqlType[]
  readonly returnType: SqlType
  /** Rows where any argument is NULL are skipped (count(x), sum, avg, ...); count(*) has no arguments. */
  readonly strict: boolean
  init(): S
  step(state: S, args: readonly SqlValue[]): S
  /** The result for a group; called once per group (and per frame for window use). */
  final(state: S): SqlValue
  /** Optional inverse for moving window frames; absent means recompute. */
  inverse?(state: S, args: readonly SqlValue[]): S
}

/** How to convert a value from one type to another; undefined from resolveCast when there is no such cast. */
export type CastFn = (value: SqlValue) => SqlValue
