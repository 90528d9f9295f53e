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
 *
 * Estimates (catalog/table-stats.ts gathers the statistics; CatalogReader.stats() hands them over):
 *   - a table scan: the table's maintained row count (DEFAULT_TABLE_ROWS when none is recorded);
 *   - `col = const`: the const's frequency when it is a most common value, else the remaining frequency
 *     spread over the remaining distinct values, 0 outside [min, max]; `col = $1`: (1 - null fraction) / ndv;
 *   - `col < const` and friends: the fraction of the equi-depth histogram below the const (linear
 *     interpolation inside a bucket for numeric and date/time types, half a bucket otherwise; min/max
 *     interpolation without a histogram); a lower and an upper bound on one column make one range;
 *   - IS [NOT] NULL: the null fraction; NOT, AND, OR: complement, product, inclusion-exclusion;
 *   - a join `a = b`: 1 / max(ndv(a), ndv(b)), each ndv capped by its side's estimated rows; a column without
 *     statistics has ndv = its side's rows (a single-column key: its table's rows), and when neither side has
 *     any, the join keeps the larger side's rows (a key / foreign-key guess);
 *   - without statistics the old fixed guesses (equality 0.05, range 0.3, other 0.5).
 *   ndv of a column that was mostly distinct at ANALYZE grows with the table since (PostgreSQL's negative
 *   stadistinct).
 * Not here: expression binding (expr-binder.ts), the rest of SELECT (query-binder.ts).
 */
import { type SqlType, type SqlValue, compareValues, hashKey } from '../../common/index.js'
import type { IndexDef, TableDef } from '../../catalog/schema.js'
import { type ColumnStats, type TableStats, columnStats, isOrderedType, statsScalar } from '../../catalog/table-stats.js'
import { ROW_KEY } from '../../txn/table-access.js'
import type { BoundExpr } from '../bound-expr.js'
import type { JoinType, PlanColumn, PlanKeyBound, PlanNode, SeqScanNode } from '../plan-node.js'
import { and, columnIds, conjuncts, isVolatile, walkExpr } from './bound-util.js'
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

/** What the estimates know about one column of a table scan (keyed by the scan's PlanColumn objects). */
interface ColumnInfo {
  readonly type: SqlType
  readonly stats: ColumnStats | undefined
  /** The table's current row count. */
  readonly tableRows: number
  /** The row count when the column was analyzed (0: never). */
  readonly analyzedRows: number
  /** A single-column primary key or unique index: ndv = rows. */
  readonly unique: boolean
}

/**
 * Column facts of scans. Keyed by PlanColumn objects: nodes built over a scan (filters, joins) reuse them,
 * so a column id found in any plan's output leads back to its table's statistics.
 */
const columnInfos = new WeakMap<PlanColumn, ColumnInfo>()

function infoOf(plan: PlanNode, id: number): ColumnInfo | undefined {
  const out = plan.output
  for (let i = 0; i < out.length; i++) if (out[i].id === id) return columnInfos.get(out[i])
  return undefined
}

/**
 * A scan of every column of a table (plus the row key when asked), as a scope relation. `stats` (from
 * CatalogReader.stats) gives the row estimate and the columns' statistics; a number is taken as the rows.
 */
export function tableScan(
  table: TableDef,
  alias: string,
  newId: () => number,
  stats: TableStats | number | undefined,
  withRowKey = false,
): { plan: SeqScanNode; relation: ScopeRelation } {
  const tableStats = typeof stats === 'object' ? stats : undefined
  const rowCount = typeof stats === 'number' ? stats : (tableStats?.rowCount ?? DEFAULT_TABLE_ROWS)
  const output: PlanColumn[] = table.columns.map((c) => ({ id: newId(), name: c.name, type: c.type }))
  if (tableStats !== undefined) {
    const uniqueOrdinals = new Set<number>()
    if (table.primaryKey?.length === 1) uniqueOrdinals.add(table.primaryKey[0])
    for (const index of table.indexes) if (index.unique && index.columns.length === 1) uniqueOrdinals.add(index.columns[0].ordinal)
    table.columns.forEach((c, i) => {
      columnInfos.set(output[i], {
        type: c.type,
        stats: columnStats(tableStats, c),
        tableRows: rowCount,
        analyzedRows: tableStats.analyzed?.analyzedRows ?? 0,
        unique: uniqueOrdinals.has(i),
      })
    })
  }
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
  tableRows.set(table, rowCount)
  return { plan: withEstimate(plan, rowCount), relation: { alias, columns: scopeColumns, table } }
}

/** The inputs a join node was made from (joinPlans), so a predicate pushed below it can re-plan it. */
const joinInputs = new WeakMap<PlanNode, { left: PlanNode; right: PlanNode; preds: readonly BoundExpr[]; lateral: boolean }>()

/**
 * Pushes the conjuncts that read only a join's preserved side (both sides of INNER, the left of LEFT / SEMI /
 * ANTI, the right of RIGHT) below it and re-plans the join over the smaller input (which may now probe an
 * index: `... LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < 60`). The rest stays above in a
 * Filter. Null when nothing can be pushed.
 */
function pushIntoJoin(plan: PlanNode, preds: readonly BoundExpr[], rows: number): PlanNode | null {
  if (plan.kind !== 'HashJoin' && plan.kind !== 'NestedLoopJoin' && plan.kind !== 'IndexJoin') return null
  const inputs = joinInputs.get(plan)
  if (inputs === undefined || inputs.lateral) return null
  const type = plan.joinType
  const leftOk = type === 'INNER' || type === 'LEFT' || type === 'SEMI' || type === 'ANTI'
  const rightOk = type === 'INNER' || type === 'RIGHT'
  const leftIds = new Set(inputs.left.output.map((c) => c.id))
  const rightIds = new Set(inputs.right.output.map((c) => c.id))
  const toLeft: BoundExpr[] = []
  const toRight: BoundExpr[] = []
  const above: BoundExpr[] = []
  for (const p of preds) {
    if (leftOk && onlyFrom(p, leftIds) && !hasSubquery(p)) toLeft.push(p)
    else if (rightOk && onlyFrom(p, rightIds) && !hasSubquery(p)) toRight.push(p)
    else above.push(p)
  }
  if (toLeft.length === 0 && toRight.length === 0) return null
  const left = applyToLeaf(inputs.left, toLeft)
  const right = applyToLeaf(inputs.right, toRight)
  const joinRows = above.length === 0 ? rows : estimate(plan) * conjunctsSelectivity([...toLeft, ...toRight], plan)
  const joined = joinPlans(type, left, right, inputs.preds, joinRows)
  if (above.length === 0) return joined
  return withEstimate(Object.freeze({ kind: 'Filter', output: joined.output, input: joined, predicate: and(above) }), rows)
}

/** Rows of each table as the last tableScan() estimated them (the cost of scanning it whole). */
const tableRows = new WeakMap<TableDef, number>()

/** A probe through a B+tree costs about this many rows of a sequential scan. */
const PROBE_COST = 4

/**
 * An index nested-loop join of `left` with the base table `right` scans, when the join's equalities give a
 * primary-key prefix (or an index prefix) of that table and probing it once per left row is cheaper than
 * scanning it whole (left rows x PROBE_COST < table rows): `SELECT ... FROM orders o JOIN customers c ON
 * c.id = o.customer_id WHERE o.id = 7` looks one customer up instead of hashing them all. The right scan's
 * filter and the other predicates become the residual. Null when it does not apply.
 */
function indexJoin(joinType: JoinType, left: PlanNode, right: PlanNode, preds: readonly BoundExpr[], rows: number): PlanNode | null {
  if (right.kind !== 'SeqScan' || right.lower !== null || right.upper !== null || right.columns.includes(ROW_KEY)) return null
  if (joinType !== 'INNER' && joinType !== 'LEFT' && joinType !== 'SEMI' && joinType !== 'ANTI') return null
  const table = right.table
  const leftRows = estimate(left)
  if (leftRows * PROBE_COST >= (tableRows.get(table) ?? DEFAULT_TABLE_ROWS)) return null
  const leftIds = new Set(left.output.map((c) => c.id))
  // Table ordinal -> the left expression it equals, and the predicate that says so.
  const byOrdinal = new Map<number, { expr: BoundExpr; pred: BoundExpr }>()
  for (const p of preds) {
    if (p.kind !== 'Call' || p.impl.name !== '=' || p.args.length !== 2 || p.args[0].type.id !== p.args[1].type.id) continue
    for (const [a, b] of [p.args, [p.args[1], p.args[0]]] as const) {
      if (b.kind !== 'Column') continue
      const at = right.output.findIndex((c) => c.id === b.id)
      if (at < 0 || !onlyFrom(a, leftIds)) continue
      const ordinal = right.columns[at]
      if (!byOrdinal.has(ordinal) && table.columns[ordinal].type.id === a.type.id) byOrdinal.set(ordinal, { expr: a, pred: p })
      break
    }
  }
  const prefix = (ordinals: readonly number[]): { expr: BoundExpr; pred: BoundExpr }[] => {
    const out: { expr: BoundExpr; pred: BoundExpr }[] = []
    for (const o of ordinals) {
      const e = byOrdinal.get(o)
      if (e === undefined) break
      out.push(e)
    }
    return out
  }
  let index: IndexDef | null = null
  let keys = table.primaryKey === null ? [] : prefix(table.primaryKey)
  if (keys.length < (table.primaryKey?.length ?? 0)) {
    for (const ix of table.indexes) {
      const k = prefix(ix.columns.map((c) => c.ordinal))
      if (k.length > keys.length && ix.columns.slice(0, k.length).every((c) => !c.descending)) {
        keys = k
        index = ix
      }
    }
  }
  if (keys.length === 0) return null
  const keyPreds = new Set(keys.map((k) => k.pred))
  const residual = preds.filter((p) => !keyPreds.has(p))
  if (right.filter !== null) residual.push(right.filter)
  const output = joinType === 'SEMI' || joinType === 'ANTI' ? left.output : [...left.output, ...right.output]
  return withEstimate(
    Object.freeze({ kind: 'IndexJoin', output, joinType, left, table, index, keys: keys.map((k) => k.expr), columns: right.columns, residual: residual.length === 0 ? null : and(residual) }),
    rows,
  )
}

// --- selectivity ---------------------------------------------------------------------------------------------

const DEFAULT_EQ_SEL = 0.05
const DEFAULT_RANGE_SEL = 0.3
const DEFAULT_SEL = 0.5

/** Estimated distinct non-NULL values of a column, capped by `rows` (the rows of the side it is read on). */
function distinctOf(info: ColumnInfo | undefined, rows: number): number | undefined {
  if (info === undefined) return undefined
  let ndv: number | undefined
  if (info.stats !== undefined) {
    ndv = info.stats.distinct
    if (info.analyzedRows > 0 && ndv > 0.1 * info.analyzedRows) ndv = (ndv * info.tableRows) / info.analyzedRows
  } else if (info.unique) ndv = info.tableRows
  if (ndv === undefined) return undefined
  return Math.max(1, Math.min(ndv, rows))
}

/** The value of a constant expression, or undefined (parameters, expressions). */
function constOf(e: BoundExpr, type: SqlType): { value: SqlValue } | undefined {
  if (e.kind === 'Const' && e.type.id === type.id) return { value: e.value }
  return undefined
}

/** Fraction of all rows where the column equals `value` (undefined: an unknown value, e.g. a parameter). */
function eqSelectivity(info: ColumnInfo, value: { value: SqlValue } | undefined, rows: number): number {
  const st = info.stats
  if (value !== undefined && value.value === null) return 0
  if (st === undefined) {
    const ndv = distinctOf(info, Infinity)
    return ndv === undefined ? DEFAULT_EQ_SEL : 1 / ndv
  }
  const nonNull = 1 - st.nullFraction
  if (st.distinct === 0) return 0
  let mcvTotal = 0
  for (const f of st.mostCommonFreqs) mcvTotal += f
  if (value !== undefined) {
    const v = value.value as SqlValue
    const key = hashKey(v, info.type)
    for (let i = 0; i < st.mostCommon.length; i++) if (hashKey(st.mostCommon[i], info.type) === key) return st.mostCommonFreqs[i]
    if (st.min !== null && st.max !== null && isOrderedType(info.type)) {
      if (compareValues(v, st.min, info.type) < 0 || compareValues(v, st.max, info.type) > 0) return 0
    }
  }
  const ndv = distinctOf(info, Infinity) ?? st.distinct
  const rest = ndv - st.mostCommon.length
  if (rest <= 0) return value === undefined ? nonNull / Math.max(1, ndv) : 0
  return Math.max(0, nonNull - mcvTotal) / rest
}

/**
 * Fraction of the non-NULL values below `v` (histogram position; invariant 3 of table-stats.ts), or
 * undefined without a histogram or min/max to go by.
 */
function fractionBelow(st: ColumnStats, type: SqlType, v: SqlValue): number | undefined {
  const h = st.histogram
  if (v === null) return undefined
  if (h.length >= 2) {
    let lo = 0
    let hi = 0
    for (let i = 0; i < h.length; i++) {
      const c = compareValues(h[i], v, type)
      if (c < 0) lo++
      if (c <= 0) hi++
    }
    const buckets = h.length - 1
    if (hi === 0) return 0
    if (lo === h.length) return 1
    if (lo < hi) return (lo + hi - 1) / 2 / buckets
    // h[lo - 1] < v < h[lo]
    const a = statsScalar(h[lo - 1], type)
    const b = statsScalar(h[lo], type)
    const x = statsScalar(v, type)
    const within = a !== undefined && b !== undefined && x !== undefined && b > a ? (x - a) / (b - a) : 0.5
    return (lo - 1 + within) / buckets
  }
  if (st.min === null || st.max === null) return undefined
  if (compareValues(v, st.min, type) <= 0) return 0
  if (compareValues(v, st.max, type) >= 0) return 1
  const a = statsScalar(st.min, type)
  const b = statsScalar(st.max, type)
  const x = statsScalar(v, type)
  return a !== undefined && b !== undefined && x !== undefined && b > a ? (x - a) / (b - a) : 0.5
}

/** Selectivity of `lower < col < upper` (either side optional); ops are the comparisons' operators. */
function rangeSelectivity(
  info: ColumnInfo,
  lower: { op: string; value: BoundExpr } | undefined,
  upper: { op: string; value: BoundExpr } | undefined,
  rows: number,
): number {
  const st = info.stats
  const fraction = (b: { op: string; value: BoundExpr } | undefined, atUpper: boolean): number | undefined => {
    if (b === undefined) return atUpper ? 1 : 0
    const c = constOf(b.value, info.type)
    if (st === undefined || c === undefined || !isOrderedType(info.type)) return undefined
    const f = fractionBelow(st, info.type, c.value)
    if (f === undefined) return undefined
    // `<=` / `>` move the cut past the values equal to the bound.
    const eq = st.distinct > 0 ? eqSelectivity(info, c, rows) / Math.max(1e-9, 1 - st.nullFraction) : 0
    const inclusive = b.op === '<=' || b.op === '>'
    return Math.min(1, Math.max(0, f + (inclusive ? eq / 2 : -eq / 2)))
  }
  const lo = fraction(lower, false)
  const hi = fraction(upper, true)
  if (lo === undefined || hi === undefined || st === undefined) {
    const known = (lower === undefined ? 1 : DEFAULT_RANGE_SEL) * (upper === undefined ? 1 : DEFAULT_RANGE_SEL)
    return lower !== undefined && upper !== undefined ? Math.min(known * 2, 0.1) : known
  }
  return Math.max(0, hi - lo) * (1 - st.nullFraction)
}

/** Selectivity of one conjunct on `plan`'s output. */
function selectivity(e: BoundExpr, plan: PlanNode): number {
  const rows = estimate(plan)
  switch (e.kind) {
    case 'Const':
      return e.value === true ? 1 : 0
    case 'Not':
      return 1 - selectivity(e.arg, plan)
    case 'And':
      return e.args.reduce((s, a) => s * selectivity(a, plan), 1)
    case 'Or': {
      let s = 0
      for (const a of e.args) {
        const x = selectivity(a, plan)
        s = s + x - s * x
      }
      return s
    }
    case 'IsNull': {
      const info = e.arg.kind === 'Column' ? infoOf(plan, e.arg.id) : undefined
      const nf = info?.stats?.nullFraction
      if (nf === undefined) return e.negated ? 0.9 : 0.1
      return e.negated ? 1 - nf : nf
    }
    case 'InList': {
      const info = e.arg.kind === 'Column' ? infoOf(plan, e.arg.id) : undefined
      if (info === undefined) return Math.min(0.5, DEFAULT_EQ_SEL * e.list.length)
      let s = 0
      for (const item of e.list) s += eqSelectivity(info, constOf(item, info.type), rows)
      s = Math.min(1, s)
      return e.negated ? Math.max(0, 1 - s - (info.stats?.nullFraction ?? 0)) : s
    }
    case 'Call': {
      const c = comparisonOn(e)
      const info = c === undefined ? undefined : infoOf(plan, c.columnId)
      if (c !== undefined && info !== undefined && (c.value.type.id === info.type.id || c.value.kind !== 'Const')) {
        if (c.op === '=') return eqSelectivity(info, constOf(c.value, info.type), rows)
        if (c.op === '<>') return Math.max(0, 1 - eqSelectivity(info, constOf(c.value, info.type), rows) - (info.stats?.nullFraction ?? 0))
        if (c.op === '<' || c.op === '<=') return rangeSelectivity(info, undefined, c, rows)
        if (c.op === '>' || c.op === '>=') return rangeSelectivity(info, c, undefined, rows)
      }
      if (e.impl.name === '=' || e.impl.name.endsWith('eq')) return DEFAULT_EQ_SEL
      return DEFAULT_RANGE_SEL
    }
    default:
      return DEFAULT_SEL
  }
}

/**
 * Selectivity of a leaf's conjuncts together: independent conjuncts multiply, but a lower and an upper
 * bound on the same column are one range (`a > 1 AND a < 5` is not 0.3 * 0.3 of the table).
 */
function conjunctsSelectivity(preds: readonly BoundExpr[], plan: PlanNode): number {
  const rows = estimate(plan)
  const ranges = new Map<number, { lower?: { op: string; value: BoundExpr }; upper?: { op: string; value: BoundExpr }; info: ColumnInfo }>()
  let s = 1
  for (const p of preds) {
    const c = p.kind === 'Call' ? comparisonOn(p) : undefined
    const info = c === undefined ? undefined : infoOf(plan, c.columnId)
    if (c !== undefined && info?.stats !== undefined && c.op !== '=' && c.op !== '<>' && constOf(c.value, info.type) !== undefined) {
      const r = ranges.get(c.columnId) ?? { info }
      if (c.op === '>' || c.op === '>=') r.lower = c
      else r.upper = c
      ranges.set(c.columnId, r)
      continue
    }
    s *= selectivity(p, plan)
  }
  for (const r of ranges.values()) s *= rangeSelectivity(r.info, r.lower, r.upper, rows)
  return s
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
  return ['=', '<', '<=', '>', '>=', '<>'].includes(name) ? name : undefined
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
  const rows = estimate(plan) * conjunctsSelectivity(preds, plan)
  if (plan.kind === 'SeqScan' && plan.filter === null && plan.lower === null && plan.upper === null) {
    const filter = and(preds)
    const access = chooseAccess(plan, preds)
    return withEstimate(Object.freeze({ ...plan, ...access, filter }), rows)
  }
  const pushed = pushIntoJoin(plan, preds, rows)
  if (pushed !== null) return pushed
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
    if (c === undefined || c.op === '<>') continue
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
/** True when `e` reads columns, all of them in `ids`, and is not volatile. */
function onlyFrom(e: BoundExpr, ids: ReadonlySet<number>): boolean {
  const used = columnIds(e)
  if (used.size === 0) return false
  for (const id of used) if (!ids.has(id)) return false
  return !isVolatile(e)
}

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
  const made = (node: PlanNode): PlanNode => {
    joinInputs.set(node, { left, right, preds, lateral })
    return node
  }
  if (!lateral && !naive) {
    const probe = indexJoin(joinType, left, right, preds, rows)
    if (probe !== null) return made(probe)
  }
  const { leftKeys, rightKeys, rest } = lateral || naive ? { leftKeys: [], rightKeys: [], rest: [...preds] } : equiKeys(preds, leftIds, rightIds)
  if (leftKeys.length > 0) {
    return made(
      withEstimate(
        Object.freeze({ kind: 'HashJoin', output, joinType, left, right, leftKeys, rightKeys, residual: rest.length === 0 ? null : and(rest) }),
        rows,
      ),
    )
  }
  return made(
    withEstimate(
      Object.freeze({ kind: 'NestedLoopJoin', output, joinType, left, right, condition: rest.length === 0 ? null : and(rest), lateral }),
      rows,
    ),
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
      const joining = open.filter((p) => p.leaves.has(i) && [...p.leaves].every((l) => l === i || joined.has(l)))
      const connected = joining.length > 0
      const est = connected ? joinEstimate(plan, rows, leaves[i].plan, leaves[i].rows, joining.map((p) => p.expr)) : rows * leaves[i].rows
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
    // An index nested-loop join probes the leaf's table; otherwise build the hash table on the smaller side.
    const probe = ready.length > 0 ? indexJoin('INNER', plan, leaf.plan, ready, bestRows) : null
    if (probe !== null) {
      joinInputs.set(probe, { left: plan, right: leaf.plan, preds: ready, lateral: false })
      plan = probe
    }
    else if (leaf.rows > rows && ready.length > 0) plan = joinPlans('INNER', leaf.plan, plan, ready, bestRows)
    else plan = joinPlans('INNER', plan, leaf.plan, ready, bestRows)
    rows = bestRows
  }
  const leftover = [...constant, ...open.map((p) => p.expr)]
  if (leftover.length > 0) plan = applyToLeaf(plan, leftover)
  return plan
}

/**
 * Rows of an inner join of `left` (`leftRows`) and `right` on `preds`: each `a = b` between the sides
 * multiplies by 1 / max(ndv(a), ndv(b)) (a side without statistics counts its rows as the ndv); when no
 * equality has statistics on either side, the larger side's rows (the key / foreign-key guess).
 */
function joinEstimate(left: PlanNode, leftRows: number, right: PlanNode, rightRows: number, preds: readonly BoundExpr[]): number {
  let sel = 1
  let known = false
  for (const p of preds) {
    if (p.kind !== 'Call' || p.impl.name !== '=' || p.args.length !== 2) continue
    const [a, b] = p.args
    if (a.kind !== 'Column' || b.kind !== 'Column') continue
    let la = infoOf(left, a.id)
    let rb = infoOf(right, b.id)
    let aSide = leftRows
    let bSide = rightRows
    if (la === undefined && rb === undefined) {
      la = infoOf(right, a.id)
      rb = infoOf(left, b.id)
      aSide = rightRows
      bSide = leftRows
    }
    const na = distinctOf(la, aSide)
    const nb = distinctOf(rb, bSide)
    if (na === undefined && nb === undefined) continue
    known = true
    sel /= Math.max(na ?? aSide, nb ?? bSide)
  }
  if (!known) return Math.max(leftRows, rightRows)
  return Math.max(1, leftRows * rightRows * sel)
}

function hasSubquery(e: BoundExpr): boolean {
  let found = false
  walkExpr(e, (x) => {
    if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'Quantified') found = true
  })
  return found
}

