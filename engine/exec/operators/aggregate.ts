/**
 * Hash aggregation: GROUP BY with aggregates, incl. DISTINCT, FILTER (WHERE ...) and ORDER BY inside calls.
 * Owns: runAggregate and the per-call accumulators (AggCall) that windows reuse for aggregates OVER frames.
 * Invariants:
 *   (1) Groups are keyed by hashKey-compatible keys (value-ops.ts (1)); NULLs group together.
 *   (2) Without GROUP BY there is exactly one output row, also for empty input (count 0, others per final()).
 *   (3) A strict aggregate skips rows with a NULL argument; FILTER skips rows where it is not TRUE; DISTINCT
 *       steps each distinct argument tuple once; ORDER BY steps a group's rows in that order (stable).
 *   (4) AggregateImpl.step receives a reused argument array: implementations copy what they keep.
 *   (5) count(*) and sum over int2/int4 accumulate in plain numbers (exact: a sum moves into a bigint before it
 *       can exceed 2^53), results as the impl's types (int8 → bigint).
 *   (6) Sorted input (AggregateNode.sorted: the input arrives in GROUP BY order): a group ends where the key
 *       changes, finished groups stream out in batches and leave memory; the groups and their order are the
 *       hash path's (first appearance is key order).
 */
import { BATCH_SIZE, type Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import type { AggregateImpl } from '../../catalog/functions/function-types.js'
import type { AggregateCall, AggregateNode } from '../../plan/plan-node.js'
import { compileExpr, layoutOf, type Compiled, type Layout } from '../expr/compile-expr.js'
import type { Runtime } from '../runtime.js'
import { rowKeyFn } from '../value-ops.js'
import { compileKeys, compareRowsFn, type CompiledKeys } from './sort.js'
import { nodeState, RowStore } from './support.js'

/** A compiled aggregate call. */
export interface CompiledAgg {
  readonly impl: AggregateImpl
  readonly args: readonly Compiled[]
  readonly filter: Compiled | null
  readonly distinct: boolean
  readonly argKey: (values: readonly SqlValue[]) => unknown
  readonly order: CompiledKeys | null
  /** 'count*', 'sumint' (invariant (5)) or 'generic'. */
  readonly mode: 'count*' | 'sumint' | 'generic'
}

export function compileAgg(call: AggregateCall, layout: Layout): CompiledAgg {
  const impl = call.fn
  const simple = !call.distinct && call.orderBy.length === 0
  let mode: CompiledAgg['mode'] = 'generic'
  if (simple && impl.name === 'count' && call.args.length === 0) mode = 'count*'
  else if (
    simple &&
    impl.name === 'sum' &&
    call.args.length === 1 &&
    (call.args[0].type.id === 'int4' || call.args[0].type.id === 'int2') &&
    impl.returnType.id === 'int8'
  ) {
    mode = 'sumint'
  }
  return {
    impl,
    args: call.args.map((a) => compileExpr(a, layout)),
    filter: call.filter === null ? null : compileExpr(call.filter, layout),
    distinct: call.distinct,
    argKey: rowKeyFn(call.args.map((a) => a.type)),
    order: call.orderBy.length === 0 ? null : compileKeys(call.orderBy, layout),
    mode,
  }
}

const SPILL = 2 ** 52

/** The accumulators of one aggregate call over many groups. */
export class AggAccumulator {
  readonly #agg: CompiledAgg
  readonly #states: unknown[] = []
  readonly #counts: number[] = []
  readonly #big: (bigint | undefined)[] = []
  /** DISTINCT without ORDER BY: the argument keys seen per group. */
  readonly #seen: Set<unknown>[] = []
  /** ORDER BY: the rows (args then order keys) per group, stepped at the end. */
  readonly #rows: SqlValue[][][] = []
  readonly #argv: SqlValue[]

  constructor(agg: CompiledAgg) {
    this.#agg = agg
    this.#argv = new Array<SqlValue>(agg.args.length)
  }

  /** Makes sure groups [0, n) exist. */
  grow(n: number): void {
    const agg = this.#agg
    while (this.#counts.length < n) {
      this.#counts.push(0)
      if (agg.mode === 'generic') this.#states.push(agg.impl.init())
      if (agg.mode === 'sumint') this.#big.push(undefined)
      if (agg.distinct && agg.order === null) this.#seen.push(new Set())
      if (agg.order !== null) this.#rows.push([])
    }
  }

  /** Adds the batch's rows (or the selected ones) to their groups (`groups[i]` for row i). */
  add(b: Batch, rt: Runtime, groups: ArrayLike<number>): void {
    const agg = this.#agg
    const n = b.length
    const filter = agg.filter === null ? null : agg.filter.vec(b, rt, null)
    const counts = this.#counts
    if (agg.mode === 'count*') {
      for (let i = 0; i < n; i++) if (filter === null || filter[i] === true) counts[groups[i]]++
      return
    }
    const vecs = agg.args.map((a) => a.vec(b, rt, null))
    if (agg.mode === 'sumint') {
      const v0 = vecs[0] as readonly (number | null)[]
      const big = this.#big
      // counts holds the running number sum; #states is unused; a non-NULL marker lives in #big / a separate flag.
      const sums = this.#sums()
      for (let i = 0; i < n; i++) {
        const v = v0[i]
        if (v === null || (filter !== null && filter[i] !== true)) continue
        const g = groups[i]
        counts[g]++
        let s = sums[g] + v
        if (s > SPILL || s < -SPILL) {
          big[g] = (big[g] ?? 0n) + BigInt(s)
          s = 0
        }
        sums[g] = s
      }
      return
    }
    const strict = agg.impl.strict
    const argv = this.#argv
    const k = vecs.length
    const order = agg.order
    if (order === null && !agg.distinct && k === 1) {
      // The common case, kept tight: one argument, no DISTINCT, no ORDER BY.
      const states = this.#states
      const impl = agg.impl
      const v0 = vecs[0]
      for (let i = 0; i < n; i++) {
        if (filter !== null && filter[i] !== true) continue
        const v = v0[i]
        if (v === null && strict) continue
        argv[0] = v
        const g = groups[i]
        states[g] = impl.step(states[g], argv)
      }
      return
    }
    const orderVecs = order === null ? null : order.exprs.map((e) => e.vec(b, rt, null))
    rows: for (let i = 0; i < n; i++) {
      if (filter !== null && filter[i] !== true) continue
      for (let j = 0; j < k; j++) {
        const v = vecs[j][i]
        if (v === null && strict) continue rows
        argv[j] = v
      }
      const g = groups[i]
      if (orderVecs !== null) {
        const row = argv.slice()
        for (const ov of orderVecs) row.push(ov[i])
        this.#rows[g].push(row)
        continue
      }
      if (agg.distinct) {
        const key = agg.argKey(argv)
        const seen = this.#seen[g]
        if (seen.has(key)) continue
        seen.add(key)
      }
      this.#states[g] = agg.impl.step(this.#states[g], argv)
    }
  }

  #sumsArr: number[] = []
  #sums(): number[] {
    const s = this.#sumsArr
    while (s.length < this.#counts.length) s.push(0)
    return s
  }

  /** Forgets groups [0, n) (sorted aggregation, after emitting them): group n becomes group 0. */
  dropFirst(n: number): void {
    this.#counts.splice(0, n)
    if (this.#states.length > 0) this.#states.splice(0, n)
    if (this.#big.length > 0) this.#big.splice(0, n)
    if (this.#seen.length > 0) this.#seen.splice(0, n)
    if (this.#rows.length > 0) this.#rows.splice(0, n)
    if (this.#sumsArr.length > 0) this.#sumsArr.splice(0, n)
  }

  /** The results of groups [start, end). */
  results(start: number, end: number): SqlValue[] {
    const out = new Array<SqlValue>(end - start)
    for (let g = start; g < end; g++) out[g - start] = this.result(g)
    return out
  }

  /** The result of group g. */
  result(g: number): SqlValue {
    const agg = this.#agg
    if (agg.mode === 'count*') return BigInt(this.#counts[g])
    if (agg.mode === 'sumint') {
      if (this.#counts[g] === 0) return null
      return BigInt(this.#sums()[g]) + (this.#big[g] ?? 0n)
    }
    if (agg.order !== null) {
      const rows = this.#rows[g]
      const k = agg.args.length
      const nk = agg.order.exprs.length
      const vecs: SqlValue[][] = []
      for (let j = 0; j < nk; j++) vecs.push(rows.map((r) => r[k + j]))
      const cmp = compareRowsFn(agg.order, vecs)
      const order = rows.map((_, i) => i).sort((a, b) => cmp(a, b) || a - b)
      let state = agg.impl.init()
      const seen = agg.distinct ? new Set<unknown>() : null
      for (const i of order) {
        const args = rows[i].slice(0, k)
        if (seen !== null) {
          const key = agg.argKey(args)
          if (seen.has(key)) continue
          seen.add(key)
        }
        state = agg.impl.step(state, args)
      }
      return agg.impl.final(state)
    }
    return agg.impl.final(this.#states[g])
  }
}

interface AggregateState {
  readonly groups: readonly Compiled[]
  readonly key: (values: readonly SqlValue[]) => unknown
  readonly aggs: readonly CompiledAgg[]
}

// The per-row loops live in plain functions rather than in the generator below: V8 optimizes and keeps
// them optimized on their own, where a loop inside the generator would be deoptimized again by every path of
// the generator that has not run yet (the output phase, empty input).

/** Group numbers of a batch's rows, creating groups as they first appear. */
function assignGroups(
  vecs: readonly (readonly SqlValue[])[],
  n: number,
  key: (values: readonly SqlValue[]) => unknown,
  index: Map<unknown, number>,
  groupValues: RowStore,
  values: SqlValue[],
  groupIdx: Int32Array,
): void {
  const ng = vecs.length
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ng; k++) values[k] = vecs[k][i]
    const gk = key(values)
    let g = index.get(gk)
    if (g === undefined) {
      g = groupValues.length
      index.set(gk, g)
      groupValues.appendRow(values)
    }
    groupIdx[i] = g
  }
}

/** The group key of the last row seen (sorted aggregation). */
interface OpenGroup {
  has: boolean
  key: unknown
}

/** Sorted input: a new group starts where the key changes (NULLs equal, NaN equal, as in the hash path). */
function assignSortedGroups(
  vecs: readonly (readonly SqlValue[])[],
  n: number,
  key: (values: readonly SqlValue[]) => unknown,
  open: OpenGroup,
  groupValues: RowStore,
  values: SqlValue[],
  groupIdx: Int32Array,
): void {
  const ng = vecs.length
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ng; k++) values[k] = vecs[k][i]
    const gk = key(values)
    const prev = open.key
    if (!open.has || (gk !== prev && (gk === gk || prev === prev))) {
      groupValues.appendRow(values)
      open.key = gk
      open.has = true
    }
    groupIdx[i] = groupValues.length - 1
  }
}

/** Output batches of groups [0, end). */
function* groupBatches(groupValues: RowStore, accs: readonly AggAccumulator[], end: number): Generator<Batch, void, undefined> {
  for (let start = 0; start < end; start += BATCH_SIZE) {
    const stop = Math.min(end, start + BATCH_SIZE)
    const cols: SqlValue[][] = groupValues.columns.map((c) => c.slice(start, stop))
    for (const a of accs) cols.push(a.results(start, stop))
    yield { length: stop - start, columns: cols }
  }
}

/** Invariant (6): groups of sorted input, streamed as they finish. */
function* runSortedAggregate(node: AggregateNode, st: AggregateState, rt: Runtime): Generator<Batch, void, undefined> {
  const ng = st.groups.length
  const accs = st.aggs.map((a) => new AggAccumulator(a))
  let groupValues = new RowStore(ng)
  const values = new Array<SqlValue>(ng)
  const open: OpenGroup = { has: false, key: undefined }
  let groupIdx = new Int32Array(BATCH_SIZE)
  for (const b of rt.run(node.input)) {
    if (b.length === 0) continue
    if (groupIdx.length < b.length) groupIdx = new Int32Array(b.length)
    assignSortedGroups(
      st.groups.map((g) => g.vec(b, rt, null)),
      b.length,
      st.key,
      open,
      groupValues,
      values,
      groupIdx,
    )
    for (const a of accs) {
      a.grow(groupValues.length)
      a.add(b, rt, groupIdx)
    }
    // Every group but the last is finished: hand them out once there is a batch of them.
    const finished = groupValues.length - 1
    if (finished >= BATCH_SIZE) {
      yield* groupBatches(groupValues, accs, finished)
      const rest = new RowStore(ng)
      rest.appendRow(groupValues.row(finished))
      groupValues = rest
      for (const a of accs) a.dropFirst(finished)
    }
  }
  yield* groupBatches(groupValues, accs, groupValues.length)
}

export function* runAggregate(node: AggregateNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st: AggregateState = nodeState(node, () => {
    const layout = layoutOf(node.input.output)
    return {
      groups: node.groupBy.map((e) => compileExpr(e, layout)),
      key: rowKeyFn(node.groupBy.map((e) => e.type)),
      aggs: node.aggregates.map((a) => compileAgg(a, layout)),
    }
  })
  if (node.sorted === true && st.groups.length > 0) {
    yield* runSortedAggregate(node, st, rt)
    return
  }
  const ng = st.groups.length
  const accs = st.aggs.map((a) => new AggAccumulator(a))
  const groupValues = new RowStore(ng)
  const index = new Map<unknown, number>()
  const values = new Array<SqlValue>(ng)
  let groupIdx = new Int32Array(BATCH_SIZE)
  if (ng === 0) {
    groupValues.appendRow([])
    for (const a of accs) a.grow(1)
  }
  for (const b of rt.run(node.input)) {
    if (b.length === 0) continue
    if (groupIdx.length < b.length) groupIdx = new Int32Array(b.length)
    if (ng > 0) {
      const vecs = st.groups.map((g) => g.vec(b, rt, null))
      assignGroups(vecs, b.length, st.key, index, groupValues, values, groupIdx)
      for (const a of accs) a.grow(groupValues.length)
    } else groupIdx.fill(0, 0, b.length)
    for (const a of accs) a.add(b, rt, groupIdx)
  }
  const total = groupValues.length
  for (let start = 0; start < total; start += BATCH_SIZE) {
    const end = Math.min(total, start + BATCH_SIZE)
    const cols: SqlValue[][] = groupValues.columns.map((c) => c.slice(start, end))
    for (const a of accs) cols.push(a.results(start, end))
    yield { length: end - start, columns: cols }
  }
}
