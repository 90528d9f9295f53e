/**
 * planStatement: the planner's entry point for queries and DML.
 * Owns: dispatch by statement kind and the final typing of parameters (context (3)).
 * Not here: DDL (plan/ddl), transaction control and settings (the session, engine/session.ts).
 */
import { typeOf, type SqlType } from '../common/index.js'
import type * as ast from '../sql/index.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import type { PlanContext } from './binder/context.js'
import { DmlBinder } from './binder/dml-binder.js'
import { prunePlan } from './optimizer-prune.js'

export interface PlannedStatement {
  readonly plan: PlanNode
  readonly columns: readonly PlanColumn[]
  /** The type each $n parameter was bound as (unknown ones default to text). */
  readonly paramTypes: readonly SqlType[]
  /** The plan holds on to the planning transaction (sequence calls): run it only in that transaction. */
  readonly usesTransaction: boolean
}

/** Plans a query, INSERT, UPDATE or DELETE. */
export function planStatement(stmt: ast.Query | ast.Insert | ast.Update | ast.Delete, ctx: PlanContext): PlannedStatement {
  const binder = new DmlBinder(ctx)
  let plan: PlanNode
  switch (stmt.kind) {
    case 'Query':
      plan = binder.planQuery(stmt, null).plan
      break
    case 'Insert':
      plan = binder.planInsert(stmt, null)
      break
    case 'Update':
      plan = binder.planUpdate(stmt, null)
      break
    case 'Delete':
      plan = binder.planDelete(stmt, null)
      break
  }
  if (ctx.options.naive !== true) plan = prunePlan(plan)
  const paramTypes = ctx.paramTypes.map((t) => (t.id === 'unknown' ? typeOf('text') : t))
  return { plan, columns: plan.output, paramTypes, usesTransaction: ctx.usesTransaction }
}
