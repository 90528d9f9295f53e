/**
 * Projection pruning: scans produce only the columns something reads.
 * Owns: prunePlan, a rewrite of a finished plan.
 * Invariants:
 *   (1) A column is kept when any expression anywhere in the plan reads its id (subqueries' outer references
 *       and the OuterColumns of LATERAL right sides included), when the root outputs it, or when a consumer reads its input by position (set operations,
 *       CTE bodies, recursive unions, DISTINCT without ON, INSERT's input, the target rows of UPDATE/DELETE).
 *   (2) Only scans drop columns; every other node keeps its own outputs, and pass-through nodes (Filter,
 *       Sort, Limit, Distinct, joins, Window, With) recompute theirs from their rebuilt inputs.
 *   (3) A column that only its scan's own filter reads is read but not emitted (`read` lists what the scan
 *       reads, `output` what it passes on): the filter's survivors are gathered for the emitted columns only.
 * Not here: subquery plans inside expressions are pruned when the binder creates them (expr-binder.ts).
 */
import type { BoundExpr } from './bound-expr.js'
import type { PlanNode, SortKey } from './plan-node.js'
import { columnIds, walkExpr } from './binder/bound-util.js'
import { estimate, estimates } from './binder/from-binder.js'

/** Returns `root` with every scan narrowed to the columns the plan reads (invariants (1), (2)). */
export function prunePlan(root: PlanNode): PlanNode {
  const used = new Set<number>(root.output.map((c) => c.id))
  const saved = filters
  filters = { ids: new Map(), uses: new Map() }
  try {
    collect(root, used)
    return rebuild(root, used)
  } finally {
    filters = saved
  }
}

/**
 * The columns each scan's own filter reads, and how many scan filters read each column (invariant 3): a column
 * only its own scan's filter reads is read by that scan but not emitted.
 */
let filters: { ids: Map<PlanNode, Set<number>>; uses: Map<number, number> } = { ids: new Map(), uses: new Map() }

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
    case 'IndexScan': {
      addExprs([...(p.lower?.values ?? []), ...(p.upper?.values ?? [])], used)
      const own = new Set<number>()
      addExprs([p.filter], own)
      filters.ids.set(p, own)
      for (const id of own) filters.uses.set(id, (filters.uses.get(id) ?? 0) + 1)
      return
    }
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
      const own = filters.ids.get(p) ?? new Set<number>()
      // Needed above: read by anything but this scan's own filter (another scan's filter included).
      const needed = (id: number): boolean => used.has(id) || (filters.uses.get(id) ?? 0) > (own.has(id) ? 1 : 0)
      const cols = p.read ?? p.output
      const read = cols.map((c, i) => (needed(c.id) || own.has(c.id) ? i : -1)).filter((i) => i >= 0)
      const emitted = read.filter((i) => needed(cols[i].id))
      if (read.length === cols.length && emitted.length === cols.length) return p
      const output = emitted.map((i) => cols[i])
      const columns = read.map((i) => p.columns[i])
      if (emitted.length === read.length) return keep(p, Object.freeze({ ...p, output, columns, read: undefined }))
      return keep(p, Object.freeze({ ...p, output, columns, read: read.map((i) => cols[i]) }))
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
