/**
 * FROM clause planning: relations, joins, predicate pushdown, access paths and join order.
 * Owns: turning FROM items plus the WHERE conjuncts into one join tree.
 * Invariants:
 *   (1) Inner joins and comma lists are flattened into one set of leaves; outer joins stay as units (a
 *       predicate never moves into the nullable side of an outer join).
 *   (2) A conjunct is applied as low as possible: on one leaf when it reads only that leaf, at the first
 *       join that has every leaf it reads otherwise; none is dropped.
 *   (3) Join order is greedy on estimated rows: start from the smallest leaf, then add the connected leaf
 *       that keeps the estimate smallest; leaves with no join predicate come last (cross products).
 * Not here: expression binding (expr-binder.ts), the rest of SELECT (query-binder.ts).
 */
import { type SqlType } from '../../common/index.js'
import type { IndexDef, TableDef } from '../../catalog/schema.js'
import { ROW_KEY } from '../../txn/table-access.js'
import type { BoundExpr } from '../bound-expr.js'
import type { JoinType, PlanColumn, PlanKeyBound, PlanNode, SeqScanNode } from '../plan-node.js'
import { and, columnIds, conjuncts, isVolatile } from './bound-util.js'
import type { ScopeRelation } from './context.js'

/** A leaf of the join graph: a plan and the ids it outputs. */
export interface JoinLeaf {
  plan: PlanNode
  readonly ids: ReadonlySet<number>
  rows: number
}

const DEFAULT_TABLE_ROWS = 1000

/** Estimated rows per node, for EXPLAIN and join ordering. */
export const estimates = new WeakMap<PlanNode, number>()

export function estimate(plan: PlanNode): number {
  return estimates.get(plan) ?? DEFAULT_TABLE_ROWS
}

function withEstimate<T extends PlanNode>(plan: T, rows: number): T {
  estimates.set(plan, Math.max(1, Math.round(rows)))
  return plan
}

/** A scan of every column of a table (plus the row key when asked), as a scope relation. */
export function tableScan(
  table: TableDef,
  alias: string,
  newId: () => number,
  rowCount: number | undefined,
  withRowKey = false,
): { plan: SeqScanNode; relation: ScopeRelation } {
  const output: PlanColumn[] = table.columns.map((c) => ({ id: newId(), name: c.name, type: c.type }))
  const columns = table.columns.map((_, i) => i)
  const scopeColumns = output.map((c) => ({ name: c.name, id: c.id, type: c.type }))
  if (withRowKey) {
    const id = newId()
    output.push({ id, name: 'ctid', type: { id: 'bytea' } })
    columns.push(ROW_KEY)
    scopeColumns.push({ name: 'ctid', id, type: { id: 'bytea' }, hidden: true } as never)
  }
  const plan: SeqScanNode = Object.freeze({
    kind: 'SeqScan',
    output,
    table,
    columns,
    lower: null,
    upper: null,
    reverse: false,
    filter: null,
  })
  return { plan: withEstimate(plan, rowCount ?? DEFAULT_TABLE_ROWS), relation: { alias, columns: scopeColumns, table } }
}

/** Selectivity guess for one conjunct (no histograms yet). */
function selectivity(e: BoundExpr): number {
  if (e.kind === 'Call') {
    if (e.impl.name === '=' || e.impl.name.endsWith('eq')) return 0.05
    return 0.3
  }
  if (e.kind === 'InList') return Math.min(0.5, 0.05 * e.list.length)
  return 0.5
}

/** The constant side of `col op value` where value reads no input column; for bounds. */
function comparisonOn(e: BoundExpr): { columnId: number; op: string; value: BoundExpr } | undefined {
  if (e.kind !== 'Call' || e.args.length !== 2) return undefined
  const op = comparisonOp(e.impl.name)
  if (op === undefined) return undefined
  const [l, r] = e.args
  const free = (x: BoundExpr): boolean => columnIds(x).size === 0 && !isVolatile(x)
  if (l.kind === 'Column' && free(r)) return { columnId: l.id, op, value: r }
  if (r.kind === 'Column' && free(l)) return { columnId: r.id, op: flip(op), value: l }
  return undefined
}

function comparisonOp(name: string): string | undefined {
  return ['=', '<', '<=', '>', '>='].includes(name) ? name : undefined
}

function flip(op: string): string {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op
}

/**
 * Pushes `preds` into a leaf: a SeqScan gets them as its filter and, when they pin a prefix of the primary
 * key or of an index, bounds (index selection); other plans get a Filter node.
 */
export function applyToLeaf(plan: PlanNode, preds: readonly BoundExpr[]): PlanNode {
  if (preds.length === 0) return plan
  const rows = estimate(plan) * preds.reduce((s, p) => s * selectivity(p), 1)
  if (plan.kind === 'SeqScan' && plan.filter === null && plan.lower === null && plan.upper === null) {
    const filter = and(preds)
    const access = chooseAccess(plan, preds)
    return withEstimate(Object.freeze({ ...plan, ...access, filter }), rows)
  }
  return withEstimate(Object.freeze({ kind: 'Filter', output: plan.output, input: plan, predicate: and(preds) }), rows)
}

/** Bounds on a key (ordinals in key order) from the equality/range conjuncts on its columns. */
function keyBounds(
  keyOrdinals: readonly number[],
  descending: readonly boolean[],
  scan: SeqScanNode,
  preds: readonly BoundExpr[],
): { lower: PlanKeyBound | null; upper: PlanKeyBound | null; score: number } | undefined {
  const byOrdinal = new Map<number, { op: string; value: BoundExpr }[]>()
  for (const p of preds) {
    const c = comparisonOn(p)
    if (c === undefined) continue
    const pos = scan.output.findIndex((o) => o.id === c.columnId)
    if (pos < 0) continue
    const ordinal = scan.columns[pos]
    const colType = scan.table.columns[ordinal]?.type
    if (colType === undefined || colType.id !== c.value.type.id) continue
    const list = byOrdinal.get(ordinal) ?? []
    list.push({ op: c.op, value: c.value })
    byOrdinal.set(ordinal, list)
  }
  const eq: BoundExpr[] = []
  let i = 0
  for (; i < keyOrdinals.length; i++) {
    const found = byOrdinal.get(keyOrdinals[i])?.find((x) => x.op === '=')
    if (found === undefined) break
    eq.push(found.value)
  }
  let lower: PlanKeyBound | null = eq.length > 0 ? { values: eq, inclusive: true } : null
  let upper: PlanKeyBound | null = eq.length > 0 ? { values: eq, inclusive: true } : null
  let score = eq.length * 10
  if (i < keyOrdinals.length) {
    const ranges = byOrdinal.get(keyOrdinals[i]) ?? []
    const desc = descending[i]
    for (const r of ranges) {
      if (r.op === '=') continue
      const isLower = (r.op === '>' || r.op === '>=') !== desc
      const bound = { values: [...eq, r.value], inclusive: r.op === '>=' || r.op === '<=' }
      if (isLower && (lower === null || lower.values.length === eq.length)) lower = bound
      else if (!isLower && (upper === null || upper.values.length === eq.length)) upper = bound
      score += 3
    }
  }
  if (score === 0) return undefined
  return { lower, upper, score }
}

function chooseAccess(scan: SeqScanNode, preds: readonly BoundExpr[]): Partial<SeqScanNode> | { kind: 'IndexScan'; index: IndexDef } {
  const table = scan.table
  let best: { score: number; result: Record<string, unknown> } | undefined
  if (table.primaryKey !== null) {
    const b = keyBounds(table.primaryKey, table.primaryKey.map(() => false), scan, preds)
    if (b !== undefined) best = { score: b.score + 1, result: { lower: b.lower, upper: b.upper } }
  }
  for (const index of table.indexes) {
    const b = keyBounds(
      index.columns.map((c) => c.ordinal),
      index.columns.map((c) => c.descending),
      scan,
      preds,
    )
    if (b !== undefined && (best === undefined || b.score > best.score)) {
      best = { score: b.score, result: { kind: 'IndexScan', index, lower: b.lower, upper: b.upper } }
    }
  }
  return (best?.result ?? {}) as Partial<SeqScanNode>
}

/**
 * The naive plan (SET rustydb.optimizer = off): FROM items cross-joined by nested loops in FROM order, every
 * predicate in one Filter on top, no access paths. The reference the optimizer is tested against.
 */
export function naiveJoins(leaves: readonly JoinLeaf[], preds: readonly BoundExpr[]): PlanNode {
  let plan = leaves[0].plan
  for (const leaf of leaves.slice(1)) {
    plan = withEstimate(
      Object.freeze({ kind: 'NestedLoopJoin', output: [...plan.output, ...leaf.plan.output], joinType: 'INNER', left: plan, right: leaf.plan, condition: null, lateral: false }),
      estimate(plan) * leaf.rows,
    )
  }
  const all = preds.flatMap((p) => conjuncts(p))
  if (all.length === 0) return plan
  return withEstimate(Object.freeze({ kind: 'Filter', output: plan.output, input: plan, predicate: and(all) }), estimate(plan))
}

/** Splits `a = b` conjuncts into hash keys between two id sets. */
function equiKeys(
  preds: readonly BoundExpr[],
  left: ReadonlySet<number>,
  right: ReadonlySet<number>,
): { leftKeys: BoundExpr[]; rightKeys: BoundExpr[]; rest: BoundExpr[] } {
  const leftKeys: BoundExpr[] = []
  const rightKeys: BoundExpr[] = []
  const rest: BoundExpr[] = []
  const within = (e: BoundExpr, ids: ReadonlySet<number>): boolean => {
    const used = columnIds(e)
    if (used.size === 0) return false
    for (const id of used) if (!ids.has(id)) return false
    return !isVolatile(e)
  }
  for (const p of preds) {
    if (p.kind === 'Call' && p.impl.name === '=' && p.args.length === 2 && p.args[0].type.id === p.args[1].type.id) {
      const [a, b] = p.args
      if (within(a, left) && within(b, right)) {
        leftKeys.push(a)
        rightKeys.push(b)
        continue
      }
      if (within(b, left) && within(a, right)) {
        leftKeys.push(b)
        rightKeys.push(a)
        continue
      }
    }
    rest.push(p)
  }
  return { leftKeys, rightKeys, rest }
}

/** Joins two plans with the given predicates: a hash join on equalities, else nested loops. */
export function joinPlans(
  joinType: JoinType,
  left: PlanNode,
  right: PlanNode,
  preds: readonly BoundExpr[],
  rows: number,
  lateral = false,
  naive = false,
): PlanNode {
  const leftIds = new Set(left.output.map((c) => c.id))
  const rightIds = new Set(right.output.map((c) => c.id))
  const output = joinType === 'SEMI' || joinType === 'ANTI' ? left.output : [...left.output, ...right.output]
  const { leftKeys, rightKeys, rest } = lateral || naive ? { leftKeys: [], rightKeys: [], rest: [...preds] } : equiKeys(preds, leftIds, rightIds)
  if (leftKeys.length > 0) {
    return withEstimate(
      Object.freeze({ kind: 'HashJoin', output, joinType, left, right, leftKeys, rightKeys, residual: rest.length === 0 ? null : and(rest) }),
      rows,
    )
  }
  return withEstimate(
    Object.freeze({ kind: 'NestedLoopJoin', output, joinType, left, right, condition: rest.length === 0 ? null : and(rest), lateral }),
    rows,
  )
}

/**
 * Orders the inner-join leaves and applies the conjuncts (invariants (2), (3)). `outerIds` are ids that are
 * always available (none today; reserved for lateral use).
 */
export function planJoins(leaves: JoinLeaf[], preds: readonly BoundExpr[]): PlanNode {
  const all = preds.flatMap((p) => conjuncts(p))
  const idToLeaf = new Map<number, number>()
  leaves.forEach((l, i) => l.ids.forEach((id) => idToLeaf.set(id, i)))
  const pending: { expr: BoundExpr; leaves: Set<number> }[] = []
  const perLeaf: BoundExpr[][] = leaves.map(() => [])
  const constant: BoundExpr[] = []
  for (const p of all) {
    const used = new Set<number>()
    for (const id of columnIds(p)) {
      const leaf = idToLeaf.get(id)
      if (leaf !== undefined) used.add(leaf)
    }
    if (used.size === 0) constant.push(p)
    else if (used.size === 1 && !hasSubquery(p)) perLeaf[[...used][0]].push(p)
    else pending.push({ expr: p, leaves: used })
  }
  for (let i = 0; i < leaves.length; i++) {
    leaves[i].plan = applyToLeaf(leaves[i].plan, perLeaf[i])
    leaves[i].rows = estimate(leaves[i].plan)
  }
  if (leaves.length === 0) throw new Error('planJoins needs at least one leaf')
  const remaining = new Set(leaves.map((_, i) => i))
  const joined = new Set<number>()
  let start = 0
  for (const i of remaining) if (leaves[i].rows < leaves[start].rows) start = i
  let plan = leaves[start].plan
  let rows = leaves[start].rows
  remaining.delete(start)
  joined.add(start)
  let open = pending
  const takeReady = (): BoundExpr[] => {
    const ready: BoundExpr[] = []
    const still: typeof open = []
    for (const p of open) {
      if ([...p.leaves].every((l) => joined.has(l))) ready.push(p.expr)
      else still.push(p)
    }
    open = still
    return ready
  }
  // Predicates over only the start leaf that contain subqueries.
  const early = takeReady()
  if (early.length > 0) plan = applyToLeaf(plan, early)
  while (remaining.size > 0) {
    let best = -1
    let bestRows = Infinity
    let bestConnected = false
    for (const i of remaining) {
      const connected = open.some((p) => p.leaves.has(i) && [...p.leaves].every((l) => l === i || joined.has(l)))
      const est = connected ? Math.max(rows, leaves[i].rows) : rows * leaves[i].rows
      if ((connected && !bestConnected) || (connected === bestConnected && est < bestRows)) {
        best = i
        bestRows = est
        bestConnected = connected
      }
    }
    joined.add(best)
    remaining.delete(best)
    const ready = takeReady()
    const leaf = leaves[best]
    // Build the hash table on the smaller side.
    if (leaf.rows > rows && ready.length > 0) plan = joinPlans('INNER', leaf.plan, plan, ready, bestRows)
    else plan = joinPlans('INNER', plan, leaf.plan, ready, bestRows)
    rows = bestRows
  }
  const leftover = [...constant, ...open.map((p) => p.expr)]
  if (leftover.length > 0) plan = applyToLeaf(plan, leftover)
  return plan
}

function hasSubquery(e: BoundExpr): boolean {
  let found = false
  const visit = (x: BoundExpr): void => {
    if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'Quantified') found = true
  }
  // walkExpr without importing it twice
  const stack = [e]
  while (stack.length > 0) {
    const x = stack.pop() as BoundExpr
    visit(x)
    if ('args' in x && Array.isArray(x.args)) stack.push(...(x.args as BoundExpr[]))
    if ('arg' in x && x.arg !== undefined) stack.push(x.arg as BoundExpr)
    if (x.kind === 'Case') {
      for (const w of x.whens) stack.push(w.when, w.then)
      if (x.else !== null) stack.push(x.else)
    }
    if (x.kind === 'InList') stack.push(...x.list)
  }
  return found
}

