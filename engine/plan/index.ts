/**
 * engine/plan: SQL statements to physical plans.
 * planStatement(stmt, ctx): binds names and types (binder/), builds the plan with predicates pushed down,
 * access paths chosen and joins ordered (binder/from-binder.ts), and returns it with its output columns.
 * explainPlan prints a plan tree (EXPLAIN, EXPLAIN ANALYZE).
 */
export type { BoundExpr } from './bound-expr.js'
export type * from './plan-node.js'
export { PlanContext, type PlanOptions } from './binder/context.js'
export { planStatement, type PlannedStatement } from './planner.js'
export { explainPlan } from './explain.js'
