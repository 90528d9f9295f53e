/**
 * engine/exec: the vectorized executor. executePlan runs a physical plan (engine/plan/plan-node.ts) over a
 * transaction's TableAccess and yields batches; compileExpr turns a bound expression into a closure over
 * a batch's column arrays.
 */
export { evaluateScalar, executePlan } from './executor.js'
export type { ExecContext, NodeStats } from './runtime.js'
export { compileExpr, compilePredicate, layoutOf, type Compiled, type Layout, type VecFn } from './expr/compile-expr.js'
