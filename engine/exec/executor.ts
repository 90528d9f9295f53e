/**
 * The executor's entry point: executePlan(plan, ctx) runs a physical plan and yields its batches.
 * Owns: the dispatch from PlanNode kind to operator (a Record over every kind, so a new kind breaks the build
 * until it is handled) and the creation of the per-execution Runtime.
 * Invariants:
 *   (1) Synchronous and pull-based: nothing runs until the caller pulls; abandoning the generator (return())
 *       closes every open child generator (operators use for-of / try-finally).
 *   (2) A plan can run any number of times: compiled state is cached per node (operators/support.ts), the
 *       Runtime is new per call.
 *   (3) Every node's batches pass the deadline check (57014) and, with ctx.stats, are counted (runtime.ts).
 * Not here: planning, EXPLAIN text (engine/plan), result conversion to JS values (the session).
 */
import type { Batch } from '../common/batch.js'
import type { SqlValue } from '../common/types.js'
import type { BoundExpr } from '../plan/bound-expr.js'
import { compileScalar } from './expr/compile-expr.js'
import type { PlanNode, PlanNodeKind } from '../plan/plan-node.js'
import { Runtime, type ExecContext } from './runtime.js'
import {
  runDistinct,
  runFilter,
  runFunctionScan,
  runIndexScan,
  runLimit,
  runProject,
  runSeqScan,
  runValues,
} from './operators/basic.js'
import { runHashJoin, runIndexJoin, runNestedLoopJoin } from './operators/join.js'
import { runAggregate } from './operators/aggregate.js'
import { runWindow } from './operators/window.js'
import { runSort } from './operators/sort.js'
import { runCteScan, runRecursiveUnion, runSetOp, runWith } from './operators/set-ops.js'
import { runDelete, runInsert, runLockRows, runUpdate } from './operators/dml.js'

type Operator<K extends PlanNodeKind> = (node: Extract<PlanNode, { kind: K }>, rt: Runtime) => Generator<Batch, void, undefined>

const OPERATORS: { [K in PlanNodeKind]: Operator<K> } = {
  Values: runValues,
  SeqScan: runSeqScan,
  IndexScan: runIndexScan,
  Filter: runFilter,
  Project: runProject,
  NestedLoopJoin: runNestedLoopJoin,
  HashJoin: runHashJoin,
  IndexJoin: runIndexJoin,
  Aggregate: runAggregate,
  Window: runWindow,
  Sort: runSort,
  Limit: runLimit,
  Distinct: runDistinct,
  SetOp: runSetOp,
  With: runWith,
  CteScan: runCteScan,
  RecursiveUnion: runRecursiveUnion,
  FunctionScan: runFunctionScan,
  Insert: runInsert,
  Update: runUpdate,
  Delete: runDelete,
  LockRows: runLockRows,
}

function runNode(node: PlanNode, rt: Runtime): Generator<Batch, void, undefined> {
  return (OPERATORS[node.kind] as Operator<PlanNodeKind>)(node as never, rt)
}

/**
 * Runs a plan and yields its result batches (column-major, up to BATCH_SIZE rows, in output column order).
 * DML writes happen while the generator runs: drain it.
 *
 * @example
 * const ctx = { access: txn, params: [], deadline: Infinity, now: Date.now() * 1000, affectedRows: 0 }
 * for (const batch of executePlan(plan, ctx)) rows.push(...toRows(batch))
 */
export function executePlan(plan: PlanNode, ctx: ExecContext): Generator<Batch, void, undefined> {
  const rt = new Runtime(ctx, runNode)
  return rt.run(plan)
}

/**
 * Evaluates an expression that reads no input columns (constants, parameters, functions of them, uncorrelated
 * subqueries) once, e.g. for column defaults or constant folding. Compiles on every call: not for hot loops.
 */
export function evaluateScalar(expr: BoundExpr, ctx: ExecContext): SqlValue {
  return compileScalar(expr)(new Runtime(ctx, runNode))
}
