/**
 * Streaming operators: VALUES, table and index scans, filter, projection, LIMIT/OFFSET, DISTINCT [ON] and
 * set-returning functions in FROM.
 * Invariants:
 *   (1) Scans pass storage batches through untouched when no filter drops a row.
 *   (2) Limit stops pulling its input as soon as it has its rows (closing the input generator), and reads
 *       no input at all for LIMIT 0; LIMIT over Sort runs the sort as a top-N (sort.ts).
 *   (3) DISTINCT ON keeps the first input row of each key (the planner sorts first); NULLs are equal.
 * Not here: joins, aggregation, sorting, windows, CTEs, DML.
 */
import { BATCH_SIZE, type Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import { RustyError } from '../../common/index.js'
import { ROW_KEY } from '../../txn/table-access.js'
import type { KeyBound, ScanOptions } from '../../txn/table-access.js'
import type {
  DistinctNode,
  FilterNode,
  FunctionScanNode,
  IndexScanNode,
  LimitNode,
  PlanKeyBound,
  ProjectNode,
  SeqScanNode,
  ValuesNode,
} from '../../plan/plan-node.js'
import { compileExpr, compilePredicate, compileScalar, layoutOf, type PredFn } from '../expr/compile-expr.js'
import type { Runtime } from '../runtime.js'
import { rowKeyFn } from '../value-ops.js'
import { BatchBuilder, nodeState, selectRows } from './support.js'
import { topN } from './sort.js'

export function* runValues(node: ValuesNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => node.rows.map((row) => row.map(compileScalar)))
  const width = node.output.length
  for (let start = 0; start < st.length; start += BATCH_SIZE) {
    const end = Math.min(st.length, start + BATCH_SIZE)
    const cols: SqlValue[][] = []
    for (let c = 0; c < width; c++) cols.push(new Array<SqlValue>(end - start))
    for (let r = start; r < end; r++) {
      const row = st[r]
      for (let c = 0; c < width; c++) cols[c][r - start] = row[c](rt)
    }
    yield { length: end - start, columns: cols }
  }
}

interface ScanState {
  readonly lower: ((rt: Runtime) => KeyBound | null) | null
  readonly upper: ((rt: Runtime) => KeyBound | null) | null
  readonly filter: PredFn | null
  /** Positions of the emitted columns among those read, when the node reads more than it emits (node.read). */
  readonly emit: readonly number[] | null
}

function compileBound(bound: PlanKeyBound | null): ((rt: Runtime) => KeyBound | null) | null {
  if (bound === null) return null
  const values = bound.values.map(compileScalar)
  const inclusive = bound.inclusive
  // null: a bound on NULL, which no row satisfies.
  return (rt) => {
    const vs = values.map((v) => v(rt))
    return vs.includes(null) ? null : { values: vs, inclusive }
  }
}

function scanState(node: SeqScanNode | IndexScanNode): ScanState {
  return nodeState(node, () => ({
    lower: compileBound(node.lower),
    upper: compileBound(node.upper),
    filter: node.filter === null ? null : compilePredicate(node.filter, layoutOf(node.read ?? node.output)),
    emit: node.read === undefined ? null : node.output.map((c) => (node.read as readonly { id: number }[]).findIndex((r) => r.id === c.id)),
  }))
}

/** Scan options for this execution, or null when a bound is NULL (no rows). */
function scanOptions(node: SeqScanNode | IndexScanNode, st: ScanState, rt: Runtime): ScanOptions | null {
  const options: { columns: readonly number[]; lower?: KeyBound; upper?: KeyBound; reverse?: boolean } = {
    columns: node.columns,
    reverse: node.reverse,
  }
  if (st.lower !== null) {
    const b = st.lower(rt)
    if (b === null) return null
    options.lower = b
  }
  if (st.upper !== null) {
    const b = st.upper(rt)
    if (b === null) return null
    options.upper = b
  }
  return options
}

/** The rows of `source` that pass `filter`, with only the `emit` columns (all when null) gathered. */
function* filtered(source: Iterable<Batch>, filter: PredFn | null, emit: readonly number[] | null, rt: Runtime): Generator<Batch, void, undefined> {
  if (filter === null && emit === null) {
    yield* source
    return
  }
  for (const b of source) {
    if (b.length === 0) continue
    const sel = filter === null ? null : filter(b, rt, null)
    if (sel !== null && sel.length === 0) continue
    const narrowed = emit === null ? b : { length: b.length, columns: emit.map((i) => b.columns[i]) }
    yield sel === null ? narrowed : selectRows(narrowed, sel)
  }
}

export function* runSeqScan(node: SeqScanNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = scanState(node)
  const options = scanOptions(node, st, rt)
  if (options === null) return
  if (isPointLookup(node) && options.lower !== undefined) {
    // The whole primary key is pinned by equalities: one lookup instead of a range scan.
    const row = rt.ctx.access.getByPrimaryKey(node.table, options.lower.values)
    if (row === undefined) return
    const columns = node.columns.map((c) => [row[c]])
    yield* filtered([{ length: 1, columns }], st.filter, st.emit, rt)
    return
  }
  yield* filtered(rt.ctx.access.scan(node.table, options), st.filter, st.emit, rt)
}

/** True when lower and upper are the same inclusive equality on every primary-key column (from-binder). */
function isPointLookup(node: SeqScanNode): boolean {
  const { lower, upper, table } = node
  return (
    lower !== null &&
    upper !== null &&
    lower.values === upper.values &&
    lower.inclusive &&
    upper.inclusive &&
    table.primaryKey !== null &&
    lower.values.length === table.primaryKey.length &&
    !node.columns.includes(ROW_KEY)
  )
}

export function* runIndexScan(node: IndexScanNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = scanState(node)
  const options = scanOptions(node, st, rt)
  if (options === null) return
  yield* filtered(rt.ctx.access.indexScan(node.index, options), st.filter, st.emit, rt)
}

export function* runFilter(node: FilterNode, rt: Runtime): Generator<Batch, void, undefined> {
  const pred = nodeState(node, () => compilePredicate(node.predicate, layoutOf(node.input.output)))
  yield* filtered(rt.run(node.input), pred, null, rt)
}

export function* runProject(node: ProjectNode, rt: Runtime): Generator<Batch, void, undefined> {
  const exprs = nodeState(node, () => {
    const layout = layoutOf(node.input.output)
    return node.exprs.map((e) => compileExpr(e, layout))
  })
  for (const b of rt.run(node.input)) {
    const cols = new Array<readonly SqlValue[]>(exprs.length)
    for (let i = 0; i < exprs.length; i++) cols[i] = exprs[i].vec(b, rt, null)
    yield { length: b.length, columns: cols }
  }
}

/** A LIMIT/OFFSET value as a non-negative count (Infinity for NULL / absent). */
function countValue(v: SqlValue, what: 'LIMIT' | 'OFFSET'): number {
  if (v === null) return what === 'LIMIT' ? Infinity : 0
  const n = typeof v === 'bigint' ? Number(v) : Number(v)
  if (n < 0) {
    throw what === 'LIMIT'
      ? new RustyError('2201W', 'LIMIT must not be negative')
      : new RustyError('2201X', 'OFFSET must not be negative')
  }
  return Math.floor(n)
}

export function* runLimit(node: LimitNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => ({
    limit: node.limit === null ? null : compileScalar(node.limit),
    offset: node.offset === null ? null : compileScalar(node.offset),
  }))
  const limit = st.limit === null ? Infinity : countValue(st.limit(rt), 'LIMIT')
  let skip = st.offset === null ? 0 : countValue(st.offset(rt), 'OFFSET')
  if (limit === 0) return
  let left = limit
  const source = node.input.kind === 'Sort' && limit !== Infinity ? topN(node.input, rt, limit + skip) : rt.run(node.input)
  for (const b of source) {
    let start = 0
    if (skip > 0) {
      if (b.length <= skip) {
        skip -= b.length
        continue
      }
      start = skip
      skip = 0
    }
    const end = Math.min(b.length, start + left)
    left -= end - start
    yield start === 0 && end === b.length ? b : { length: end - start, columns: b.columns.map((c) => c.slice(start, end)) }
    if (left <= 0) return
  }
}

export function* runDistinct(node: DistinctNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => {
    const layout = layoutOf(node.input.output)
    const exprs = node.on.length === 0 ? node.input.output.map((c) => compileExpr({ kind: 'Column', id: c.id, type: c.type }, layout)) : node.on.map((e) => compileExpr(e, layout))
    const types = node.on.length === 0 ? node.input.output.map((c) => c.type) : node.on.map((e) => e.type)
    return { exprs, key: rowKeyFn(types) }
  })
  const seen = new Set<unknown>()
  const values = new Array<SqlValue>(st.exprs.length)
  for (const b of rt.run(node.input)) {
    const vecs = st.exprs.map((e) => e.vec(b, rt, null))
    const sel = new Int32Array(b.length)
    let m = 0
    for (let i = 0; i < b.length; i++) {
      for (let k = 0; k < vecs.length; k++) values[k] = vecs[k][i]
      const key = st.key(values)
      if (seen.has(key)) continue
      seen.add(key)
      sel[m++] = i
    }
    if (m > 0) yield selectRows(b, sel.subarray(0, m))
  }
}

export function* runFunctionScan(node: FunctionScanNode, rt: Runtime): Generator<Batch, void, undefined> {
  const args = nodeState(node, () => node.args.map(compileScalar))
  const values = args.map((a) => a(rt))
  const builder = new BatchBuilder(node.output.length)
  let n = 0
  for (const row of node.fn(values)) {
    builder.push(row)
    if (builder.full) {
      yield builder.take()
      if (++n % 16 === 0) rt.checkDeadline()
    }
  }
  if (builder.length > 0) yield builder.take()
}
