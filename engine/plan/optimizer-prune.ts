/**
 * Projection pruning: scans produce only the columns something reads.
 * Owns: prunePlan, a rewrite of a finished plan.
 * Invariants:
 *   (1) A column is kept when any expression anywhere in the plan reads its id (subqueries' outer references
 *       and the OuterColumns of LATERAL right sides included), when the root outputs it, or when a consumer reads its input by position (set operations,
 *       CTE bodies, recursive unions, DISTINCT without ON, INSERT's input, the target rows of UPDATE/DELETE).
 *   (2) Only scans drop columns; every other node keeps its own outputs, and pass-through nodes (Filter,
 *       Sort, Limit, Distinct, joins, Window, With) recompute theirs from their rebuilt inputs.
 * Not here: subquery plans inside expressions are pruned when the binder creates them (expr-binder.ts).
 */
import type { BoundExpr } from './bound-expr.js'
import type { PlanNode, SortKey } from './plan-node.js'
import { columnIds, walkExpr } from './binder/bound-util.js'
import { estimate, estimates } from './binder/from-binder.js'

/** Returns `root` with every scan narrowed to the columns the plan reads (invariants (1), (2)). */
export function prunePlan(root: PlanNode): PlanNode {
  const used = new Set<number>(root.output.map((c) => c.id))
  collect(root, used)
  return rebuild(root, used)
}

function addExprs(exprs: readonly (BoundExpr | null)[], used: Set<number>): void {
  for (const e of exprs) {
    if (e === null) continue
    columnIds(e, used)
    // An OuterColumn inside a LATERAL right side names a column of the left side: keep it too.
    walkExpr(e, (x) => {
      if (x.kind === 'OuterColumn') used.add(x.id)
    })
  }
}

function addKeys(keys: readonly SortKey[], used: Set<number>): void {
  for (const k of keys) columnIds(k.expr, used)
}

function addOutputs(plan: PlanNode, used: Set<number>): void {
  for (const c of plan.output) used.add(c.id)
}

function collect(p: PlanNode, used: Set<number>): void {
  switch (p.kind) {
    case 'Values':
      for (const row of p.rows) addExprs(row, used)
      return
    case 'SeqScan':
    case 'IndexScan':
      addExprs([p.filter, ...(p.lower?.values ?? []), ...(p.upper?.values ?? [])], used)
      return
    case 'CteScan':
      return
    case 'FunctionScan':
      addExprs(p.args, used)
      return
    case 'Filter':
      addExprs([p.predicate], used)
      break
    case 'Project':
      addExprs(p.exprs, used)
      break
    case 'NestedLoopJoin':
      addExprs([p.condition], used)
      collect(p.left, used)
      collect(p.right, used)
      return
    case 'HashJoin':
      addExprs([...p.leftKeys, ...p.rightKeys, p.residual], used)
      collect(p.left, used)
      collect(p.right, used)
      return
    case 'IndexJoin':
      addExprs([...p.keys, p.residual], used)
      collect(p.left, used)
      return
    case 'Aggregate':
      addExprs(p.groupBy, used)
      for (const a of p.aggregates) {
        addExprs([...a.args, a.filter], used)
        addKeys(a.orderBy, used)
      }
      break
    case 'Window':
      for (const w of p.functions) {
        addExprs([...w.args, w.filter, ...w.partitionBy, w.frame.start.offset, w.frame.end.offset], used)
        addKeys(w.orderBy, used)
      }
      break
    case 'Sort':
      addKeys(p.keys, used)
      break
    case 'Limit':
      addExprs([p.limit, p.offset], used)
      break
    case 'Distinct':
      if (p.on.length === 0) addOutputs(p.input, used)
      addExprs(p.on, used)
      break
    case 'SetOp':
      addOutputs(p.left, used)
      addOutputs(p.right, used)
      collect(p.left, used)
      collect(p.right, used)
      return
    case 'With':
      for (const c of p.ctes) {
        addOutputs(c.plan, used)
        collect(c.plan, used)
      }
      break
    case 'RecursiveUnion':
      addOutputs(p.anchor, used)
      addOutputs(p.recursive, used)
      collect(p.anchor, used)
      collect(p.recursive, used)
      return
    case 'Insert':
      addOutputs(p.input, used)
      addExprs([...p.checks, ...p.returning], used)
      if (p.onConflict !== null) addExprs([...p.onConflict.assignments.map((a) => a.expr), p.onConflict.where], used)
      break
    case 'Update':
      used.add(p.keyId)
      for (const id of p.oldIds) used.add(id)
      addExprs([...p.assignments.map((a) => a.expr), ...p.checks, ...p.returning], used)
      break
    case 'Delete':
      used.add(p.keyId)
      for (const id of p.oldIds) used.add(id)
      addExprs(p.returning, used)
      break
    case 'LockRows':
      // The re-check after a concurrent change re-runs the input: keep everything it produces.
      for (const t of p.targets) used.add(t.keyId)
      addOutputs(p.input, used)
      break
  }
  collect(p.input, used)
}

function keep<T extends PlanNode>(old: PlanNode, next: T): T {
  estimates.set(next, estimate(old))
  return next
}

function rebuild(p: PlanNode, used: ReadonlySet<number>): PlanNode {
  const r = (x: PlanNode): PlanNode => rebuild(x, used)
  switch (p.kind) {
    case 'Values':
    case 'CteScan':
    case 'FunctionScan':
      return p
    case 'SeqScan':
    case 'IndexScan': {
      const idx = p.output.map((c, i) => (used.has(c.id) ? i : -1)).filter((i) => i >= 0)
      if (idx.length === p.output.length) return p
      return keep(p, Object.freeze({ ...p, output: idx.map((i) => p.output[i]), columns: idx.map((i) => p.columns[i]) }))
    }
    case 'Filter':
    case 'Sort':
    case 'Limit':
    case 'LockRows':
    case 'Distinct': {
      const input = r(p.input)
      return input === p.input ? p : keep(p, Object.freeze({ ...p, input, output: input.output }))
    }
    case 'With': {
      const input = r(p.input)
      const ctes = p.ctes.map((c) => ({ id: c.id, plan: r(c.plan) }))
      return keep(p, Object.freeze({ ...p, input, ctes, output: input.output }))
    }
    case 'NestedLoopJoin':
    case 'HashJoin': {
      const left = r(p.left)
      const right = r(p.right)
      if (left === p.left && right === p.right) return p
      const output = p.joinType === 'SEMI' || p.joinType === 'ANTI' ? left.output : [...left.output, ...right.output]
      return keep(p, Object.freeze({ ...p, left, right, output }))
    }
    case 'IndexJoin': {
      const left = r(p.left)
      const rightOut = p.joinType === 'SEMI' || p.joinType === 'ANTI' ? [] : p.output.slice(p.left.output.length)
      const idx = rightOut.map((c, i) => (used.has(c.id) ? i : -1)).filter((i) => i >= 0)
      const output = [...left.output, ...idx.map((i) => rightOut[i])]
      const columns = rightOut.length === 0 ? p.columns : idx.map((i) => p.columns[i])
      return keep(p, Object.freeze({ ...p, left, output, columns }))
    }
    case 'Window': {
      const input = r(p.input)
      if (input === p.input) return p
      return keep(p, Object.freeze({ ...p, input, output: [...input.output, ...p.output.slice(p.input.output.length)] }))
    }
    case 'SetOp':
      return keep(p, Object.freeze({ ...p, left: r(p.left), right: r(p.right) }))
    case 'RecursiveUnion':
      return keep(p, Object.freeze({ ...p, anchor: r(p.anchor), recursive: r(p.recursive) }))
    case 'Project':
    case 'Aggregate':
    case 'Insert':
    case 'Update':
    case 'Delete': {
      const input = r(p.input)
      return input === p.input ? p : keep(p, Object.freeze({ ...p, input }))
    }
  }
}
