/**
 * Window functions: ranking, offsets, value-in-frame functions and aggregates OVER ROWS/RANGE/GROUPS frames.
 * Owns: runWindow. The input is materialized; each call sorts row indices by (PARTITION BY, ORDER BY),
 * walks partitions and peer groups, and writes one result per input row.
 * Invariants:
 *   (1) Frames follow PostgreSQL: ROWS counts rows, GROUPS counts peer groups, RANGE offsets measure the
 *       single ORDER BY key's value (NULL keys are peers of each other only); EXCLUDE CURRENT ROW / GROUP /
 *       TIES remove rows from the frame of each row.
 *   (2) Aggregates over frames: running (start UNBOUNDED PRECEDING, no exclusion) steps each row once; a
 *       moving frame uses the aggregate's inverse when it has one, else recomputes per row.
 *   (3) Output rows follow the sort order of the last window call (as PostgreSQL's last WindowAgg), with the
 *       input columns first and one column per call.
 * Not here: the frame defaults (the binder fills them in, plan-node.ts WindowCall).
 */
import type { Batch } from '../../common/batch.js'
import type { SqlType, SqlValue } from '../../common/types.js'
import { addInterval, Decimal, Interval, MICROS_PER_DAY, RustyError } from '../../common/index.js'
import type { AggregateImpl } from '../../catalog/functions/function-types.js'
import type { FrameBound, WindowCall, WindowNode } from '../../plan/plan-node.js'
import { compileExpr, compileScalar, layoutOf, type Compiled } from '../expr/compile-expr.js'
import { unsupported, type Runtime } from '../runtime.js'
import { comparatorFor, type Comparator } from '../value-ops.js'
import { compareRowsFn, compileKeys, type CompiledKeys } from './sort.js'
import { nodeState, RowStore } from './support.js'

interface CompiledWindow {
  readonly call: WindowCall
  readonly args: readonly Compiled[]
  readonly filter: Compiled | null
  readonly partition: CompiledKeys
  readonly order: CompiledKeys
  readonly startOffset: ((rt: Runtime) => SqlValue) | null
  readonly endOffset: ((rt: Runtime) => SqlValue) | null
  readonly orderCmp: Comparator | null
}

function compileWindow(call: WindowCall, node: WindowNode): CompiledWindow {
  const layout = layoutOf(node.input.output)
  return {
    call,
    args: call.args.map((a) => compileExpr(a, layout)),
    filter: call.filter === null ? null : compileExpr(call.filter, layout),
    partition: compileKeys(
      call.partitionBy.map((e) => ({ expr: e, descending: false, nullsFirst: false })),
      layout,
    ),
    order: compileKeys(call.orderBy, layout),
    startOffset: call.frame.start.offset === null ? null : compileScalar(call.frame.start.offset),
    endOffset: call.frame.end.offset === null ? null : compileScalar(call.frame.end.offset),
    orderCmp: call.orderBy.length === 1 ? comparatorFor(call.orderBy[0].expr.type) : null,
  }
}

export function* runWindow(node: WindowNode, rt: Runtime): Generator<Batch, void, undefined> {
  const calls = nodeState(node, () => node.functions.map((f) => compileWindow(f, node)))
  const store = new RowStore(node.input.output.length)
  for (const b of rt.run(node.input)) store.appendBatch(b)
  const n = store.length
  const batch = store.asBatch()
  const results: SqlValue[][] = []
  let order: Int32Array = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  for (const w of calls) {
    const out = new Array<SqlValue>(n).fill(null)
    order = computeWindow(w, batch, rt, out)
    results.push(out)
  }
  const all = new RowStore(node.output.length)
  for (let c = 0; c < store.columns.length; c++) all.columns[c] = store.columns[c]
  for (let k = 0; k < results.length; k++) all.columns[store.columns.length + k] = results[k]
  all.length = n
  yield* all.batchesInOrder(order)
}

/** Sorts, walks partitions, fills `out` per row; returns the sorted order. */
function computeWindow(w: CompiledWindow, batch: Batch, rt: Runtime, out: SqlValue[]): Int32Array {
  const n = batch.length
  const pvecs = w.partition.exprs.map((e) => e.vec(batch, rt, null))
  const ovecs = w.order.exprs.map((e) => e.vec(batch, rt, null))
  const pcmp = compareRowsFn(w.partition, pvecs)
  const ocmp = compareRowsFn(w.order, ovecs)
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  if (pvecs.length + ovecs.length > 0) order.sort((a, b) => pcmp(a, b) || ocmp(a, b) || a - b)
  const args = w.args.map((a) => a.vec(batch, rt, null))
  const filter = w.filter === null ? null : w.filter.vec(batch, rt, null)
  let start = 0
  while (start < n) {
    let end = start + 1
    while (end < n && pcmp(order[start], order[end]) === 0) end++
    const part = order.subarray(start, end)
    partition(w, part, ocmp, ovecs, args, filter, rt, out)
    start = end
  }
  return order
}

/** Peer groups of a partition: for position i, [groupStart[i], groupEnd[i]) and groupNo[i]. */
interface Peers {
  readonly start: Int32Array
  readonly end: Int32Array
  readonly no: Int32Array
  readonly count: number
  /** First position of each group. */
  readonly firsts: Int32Array
}

function peersOf(part: Int32Array, ocmp: (a: number, b: number) => number, hasOrder: boolean): Peers {
  const m = part.length
  const start = new Int32Array(m)
  const end = new Int32Array(m)
  const no = new Int32Array(m)
  const firsts: number[] = []
  let g = 0
  let s = 0
  while (s < m) {
    let e = s + 1
    if (hasOrder) while (e < m && ocmp(part[s], part[e]) === 0) e++
    else e = m
    for (let i = s; i < e; i++) {
      start[i] = s
      end[i] = e
      no[i] = g
    }
    firsts.push(s)
    g++
    s = e
  }
  firsts.push(m)
  return { start, end, no, count: g, firsts: Int32Array.from(firsts) }
}

function bigOrNumber(t: SqlType, v: number): SqlValue {
  return t.id === 'int8' ? BigInt(v) : v
}

function offsetValue(get: ((rt: Runtime) => SqlValue) | null, rt: Runtime, which: 'starting' | 'ending'): SqlValue {
  if (get === null) return null
  const v = get(rt)
  if (v === null) throw new RustyError('22004', `frame ${which} offset must not be null`)
  const negative =
    typeof v === 'number' ? v < 0 : typeof v === 'bigint' ? v < 0n : v instanceof Decimal ? v.sign() < 0 : v instanceof Interval ? v.months < 0 || v.days < 0 || v.micros < 0 : false
  if (negative) throw new RustyError('22013', `frame ${which} offset must not be negative`)
  return v
}

function partition(
  w: CompiledWindow,
  part: Int32Array,
  ocmp: (a: number, b: number) => number,
  ovecs: readonly (readonly SqlValue[])[],
  args: readonly (readonly SqlValue[])[],
  filter: readonly SqlValue[] | null,
  rt: Runtime,
  out: SqlValue[],
): void {
  const call = w.call
  const m = part.length
  const peers = peersOf(part, ocmp, ovecs.length > 0)
  const fn = call.fn
  if (typeof fn === 'string') {
    switch (fn) {
      case 'row_number':
        for (let i = 0; i < m; i++) out[part[i]] = bigOrNumber(call.type, i + 1)
        return
      case 'rank':
        for (let i = 0; i < m; i++) out[part[i]] = bigOrNumber(call.type, peers.start[i] + 1)
        return
      case 'dense_rank':
        for (let i = 0; i < m; i++) out[part[i]] = bigOrNumber(call.type, peers.no[i] + 1)
        return
      case 'percent_rank':
        for (let i = 0; i < m; i++) out[part[i]] = m > 1 ? peers.start[i] / (m - 1) : 0
        return
      case 'cume_dist':
        for (let i = 0; i < m; i++) out[part[i]] = peers.end[i] / m
        return
      case 'ntile': {
        for (let i = 0; i < m; i++) {
          const raw = args[0][part[i]]
          if (raw === null) {
            out[part[i]] = null
            continue
          }
          const buckets = Number(raw)
          if (buckets <= 0) throw new RustyError('22014', 'argument of ntile must be greater than zero')
          const size = Math.floor(m / buckets)
          const extra = m % buckets
          // The first `extra` buckets have size + 1 rows.
          const big = extra * (size + 1)
          const bucket = i < big ? Math.floor(i / (size + 1)) : extra + Math.floor((i - big) / Math.max(size, 1))
          out[part[i]] = bigOrNumber(call.type, bucket + 1)
        }
        return
      }
      case 'lag':
      case 'lead': {
        const sign = fn === 'lag' ? -1 : 1
        for (let i = 0; i < m; i++) {
          const row = part[i]
          const offRaw = args.length > 1 ? args[1][row] : 1
          if (offRaw === null) {
            out[row] = null
            continue
          }
          const j = i + sign * Number(offRaw)
          out[row] = j >= 0 && j < m ? args[0][part[j]] : args.length > 2 ? args[2][row] : null
        }
        return
      }
      default:
        break
    }
  }
  // Frame-based: first_value, last_value, nth_value and aggregates.
  const frames = frameBounds(w, part, peers, ovecs, rt)
  const exclusion = call.frame.exclusion
  const excluded = (i: number, p: number): boolean => {
    switch (exclusion) {
      case 'CURRENT ROW':
        return p === i
      case 'GROUP':
        return p >= peers.start[i] && p < peers.end[i]
      case 'TIES':
        return p !== i && p >= peers.start[i] && p < peers.end[i]
      default:
        return false
    }
  }
  if (typeof fn === 'string') {
    const a0 = args[0]
    for (let i = 0; i < m; i++) {
      const s = frames.start[i]
      const e = frames.end[i]
      let value: SqlValue = null
      if (fn === 'first_value') {
        for (let p = s; p < e; p++) if (!excluded(i, p)) {
          value = a0[part[p]]
          break
        }
      } else if (fn === 'last_value') {
        for (let p = e - 1; p >= s; p--) if (!excluded(i, p)) {
          value = a0[part[p]]
          break
        }
      } else if (fn === 'nth_value') {
        const nthRaw = args[1][part[i]]
        if (nthRaw !== null) {
          const nth = Number(nthRaw)
          if (nth <= 0) throw new RustyError('22016', 'argument of nth_value must be greater than zero')
          let k = 0
          for (let p = s; p < e; p++) if (!excluded(i, p) && ++k === nth) {
            value = a0[part[p]]
            break
          }
        }
      } else throw unsupported(`window function ${fn}`)
      out[part[i]] = value
    }
    return
  }
  aggregateFrames(fn, part, frames, exclusion === 'NO OTHERS' ? null : excluded, args, filter, out)
}

interface Frames {
  readonly start: Int32Array
  readonly end: Int32Array
}

function frameBounds(w: CompiledWindow, part: Int32Array, peers: Peers, ovecs: readonly (readonly SqlValue[])[], rt: Runtime): Frames {
  const m = part.length
  const frame = w.call.frame
  const start = new Int32Array(m)
  const end = new Int32Array(m)
  const so = offsetValue(w.startOffset, rt, 'starting')
  const eo = offsetValue(w.endOffset, rt, 'ending')
  const range = frame.mode === 'RANGE' ? rangeContext(w, part, ovecs) : null
  for (let i = 0; i < m; i++) {
    start[i] = bound(frame.start, so, true, i, m, peers, frame.mode, range)
    end[i] = bound(frame.end, eo, false, i, m, peers, frame.mode, range)
    if (end[i] < start[i]) end[i] = start[i]
  }
  return { start, end }
}

/** Sorted order-key values of a partition for RANGE offsets, with value arithmetic for its type. */
interface RangeContext {
  readonly values: SqlValue[]
  readonly desc: boolean
  readonly cmp: Comparator
  /** v + off (dir 1) or v - off (dir -1). */
  readonly shift: (v: SqlValue, off: SqlValue, dir: number) => SqlValue
  /** Non-NULL positions [lo, hi). */
  readonly lo: number
  readonly hi: number
}

function rangeContext(w: CompiledWindow, part: Int32Array, ovecs: readonly (readonly SqlValue[])[]): RangeContext | null {
  const call = w.call
  if (call.orderBy.length !== 1 || w.orderCmp === null) return null
  const t = call.orderBy[0].expr.type
  const raw = ovecs[0]
  let values: SqlValue[] = Array.from(part, (r) => raw[r])
  let cmp = w.orderCmp
  let shift: RangeContext['shift']
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
      shift = (v, off, dir) => (v as number) + dir * Number(off)
      break
    case 'int8':
      shift = (v, off, dir) => (v as bigint) + BigInt(dir) * (typeof off === 'bigint' ? off : BigInt(off as number))
      break
    case 'numeric':
      shift = (v, off, dir) => {
        const o = off instanceof Decimal ? off : new Decimal(BigInt(off as number), 0)
        return dir > 0 ? (v as Decimal).add(o) : (v as Decimal).sub(o)
      }
      break
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      if (t.id === 'date') {
        values = values.map((v) => (v === null ? null : (v as number) * MICROS_PER_DAY))
        cmp = comparatorFor({ id: 'timestamp' })
      }
      shift = (v, off, dir) => {
        const iv = off as Interval
        return addInterval(v as number, dir > 0 ? iv : new Interval(-iv.months, -iv.days, -iv.micros))
      }
      break
    default:
      throw unsupported(`RANGE with offset PRECEDING/FOLLOWING for type ${t.id}`)
  }
  let lo = 0
  while (lo < values.length && values[lo] === null) lo++
  let hi = values.length
  while (hi > lo && values[hi - 1] === null) hi--
  return { values, desc: call.orderBy[0].descending, cmp, shift, lo, hi }
}

function bound(
  b: FrameBound,
  off: SqlValue,
  isStart: boolean,
  i: number,
  m: number,
  peers: Peers,
  mode: 'ROWS' | 'RANGE' | 'GROUPS',
  range: RangeContext | null,
): number {
  switch (b.type) {
    case 'UNBOUNDED PRECEDING':
      return 0
    case 'UNBOUNDED FOLLOWING':
      return m
    case 'CURRENT ROW':
      if (mode === 'ROWS') return isStart ? i : i + 1
      return isStart ? peers.start[i] : peers.end[i]
    default: {
      const sign = b.type === 'PRECEDING' ? -1 : 1
      if (mode === 'ROWS') {
        const k = Number(off)
        const p = i + sign * k
        const v = isStart ? p : p + 1
        return v < 0 ? 0 : v > m ? m : v
      }
      if (mode === 'GROUPS') {
        const g = peers.no[i] + sign * Number(off)
        if (isStart) return g < 0 ? 0 : g >= peers.count ? m : peers.firsts[g]
        return g < 0 ? 0 : g >= peers.count ? m : peers.firsts[g + 1]
      }
      if (range === null) throw unsupported('RANGE with offset requires exactly one ORDER BY column')
      const v = range.values[i]
      if (v === null) return isStart ? peers.start[i] : peers.end[i]
      // In sort direction: PRECEDING moves against it, FOLLOWING along it.
      const dir = range.desc ? -sign : sign
      const target = range.shift(v, off, dir)
      const dcmp = (x: SqlValue): number => (range.desc ? -range.cmp(x, target) : range.cmp(x, target))
      // start: first p with value >= target (in direction); end: first p with value > target.
      let lo = range.lo
      let hi = range.hi
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const c = dcmp(range.values[mid])
        if (isStart ? c < 0 : c <= 0) lo = mid + 1
        else hi = mid
      }
      return lo
    }
  }
}

function aggregateFrames(
  impl: AggregateImpl,
  part: Int32Array,
  frames: Frames,
  excluded: ((i: number, p: number) => boolean) | null,
  args: readonly (readonly SqlValue[])[],
  filter: readonly SqlValue[] | null,
  out: SqlValue[],
): void {
  const m = part.length
  const k = args.length
  const argv = new Array<SqlValue>(k)
  const strict = impl.strict
  // Loads the arguments of position p into argv; false when the row does not count (FILTER, strict NULL).
  const load = (p: number): boolean => {
    const r = part[p]
    if (filter !== null && filter[r] !== true) return false
    for (let j = 0; j < k; j++) {
      const v = args[j][r]
      if (v === null && strict) return false
      argv[j] = v
    }
    return true
  }
  let monotone = excluded === null
  for (let i = 1; i < m && monotone; i++) if (frames.start[i] < frames.start[i - 1] || frames.end[i] < frames.end[i - 1]) monotone = false
  const running = monotone && frames.start.every((s) => s === 0)
  if (running || (monotone && impl.inverse !== undefined)) {
    let state = impl.init()
    let s = 0
    let e = 0
    for (let i = 0; i < m; i++) {
      const fs = frames.start[i]
      const fe = frames.end[i]
      if (fs >= e) {
        // The frame moved past everything added: start over (also covers empty frames).
        if (fs > s || e > s) {
          state = impl.init()
          s = fs
          e = fs
        }
      }
      while (e < fe) {
        if (load(e)) state = impl.step(state, argv)
        e++
      }
      while (s < fs) {
        if (load(s)) state = impl.inverse!(state, argv)
        s++
      }
      out[part[i]] = impl.final(state)
    }
    return
  }
  for (let i = 0; i < m; i++) {
    let state = impl.init()
    for (let p = frames.start[i]; p < frames.end[i]; p++) {
      if (excluded !== null && excluded(i, p)) continue
      if (load(p)) state = impl.step(state, argv)
    }
    out[part[i]] = impl.final(state)
  }
}
