/**
 * Sort and top-N.
 * Owns: runSort (materialize, compute key vectors, stable index sort), topN (a bounded heap used by LIMIT over
 * Sort), and compareRowsFn (the row comparator also used by windows and ordered aggregates).
 * Invariants:
 *   (1) Stable: rows with equal keys keep their input order (ties break on the input position).
 *   (2) NULLs sort per SortKey.nullsFirst, independently of DESC; non-NULL values by their type's order.
 *   (3) topN(n) yields exactly the first n rows the full sort would yield, in the same order.
 * Memory: the sort keeps all rows in memory. Spilling sorted runs to storage beyond a memory budget (the
 * issue's external sort) is a later step; it belongs here, behind runSort, with runs merged by the same
 * comparator.
 * Not here: LIMIT/OFFSET slicing (basic.ts).
 */
import type { Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import type { SortKey, SortNode } from '../../plan/plan-node.js'
import { compileExpr, layoutOf, type Compiled, type Layout } from '../expr/compile-expr.js'
import type { Runtime } from '../runtime.js'
import { comparatorFor, type Comparator } from '../value-ops.js'
import { nodeState, RowStore } from './support.js'

/** Compiled sort keys: expressions and their comparison rules. */
export interface CompiledKeys {
  readonly exprs: readonly Compiled[]
  readonly cmps: readonly Comparator[]
  readonly desc: readonly boolean[]
  readonly nullsFirst: readonly boolean[]
  /** Per key: an int32-valued type (packed sort fast path). */
  readonly packable: readonly boolean[]
}

export function compileKeys(keys: readonly SortKey[], layout: Layout): CompiledKeys {
  return {
    exprs: keys.map((k) => compileExpr(k.expr, layout)),
    cmps: keys.map((k) => comparatorFor(k.expr.type)),
    desc: keys.map((k) => k.descending),
    nullsFirst: keys.map((k) => k.nullsFirst),
    packable: keys.map((k) => k.expr.type.id === 'int4' || k.expr.type.id === 'int2' || k.expr.type.id === 'date'),
  }
}

/** Compares rows a and b of key vectors (without the stability tie-break). */
export function compareRowsFn(keys: CompiledKeys, vecs: readonly (readonly SqlValue[])[]): (a: number, b: number) => number {
  const { cmps, desc, nullsFirst } = keys
  const k = vecs.length
  return (a, b) => {
    for (let i = 0; i < k; i++) {
      const v = vecs[i]
      const x = v[a]
      const y = v[b]
      if (x === y) continue
      if (x === null) return nullsFirst[i] ? -1 : 1
      if (y === null) return nullsFirst[i] ? 1 : -1
      const c = cmps[i](x, y)
      if (c !== 0) return desc[i] ? -c : c
    }
    return 0
  }
}

/** A stable order of the store's rows by the keys (indices into the store). */
export function sortedOrder(keys: CompiledKeys, store: RowStore, rt: Runtime): Int32Array {
  const n = store.length
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  if (n < 2 || keys.exprs.length === 0) return order
  const batch = store.asBatch()
  const vecs = keys.exprs.map((e) => e.vec(batch, rt, null))
  if (keys.packable.length === 1 && keys.packable[0] && n <= PACK_ROWS) return packedOrder(vecs[0] as readonly (number | null)[], keys.desc[0], keys.nullsFirst[0])
  const cmp = compareRowsFn(keys, vecs)
  order.sort((a, b) => cmp(a, b) || a - b)
  return order
}

const PACK_ROWS = 1 << 21
const PACK_BIAS = 2 ** 31

/**
 * One int32-valued key (int2, int4, date) and at most 2^21 rows: sorts doubles (key + 2^31) * 2^21 + row
 * natively, exact below 2^53 and stable by construction; NULLs are placed first or last afterwards.
 */
function packedOrder(v: readonly (number | null)[], descending: boolean, nullsFirst: boolean): Int32Array {
  const n = v.length
  const packed = new Float64Array(n)
  const nulls: number[] = []
  let m = 0
  for (let i = 0; i < n; i++) {
    const x = v[i]
    if (x === null || !Number.isFinite(x)) {
      if (x === null) nulls.push(i)
      else return fallbackOrder(v, descending, nullsFirst)
      continue
    }
    const key = descending ? PACK_BIAS - 1 - x : x + PACK_BIAS
    packed[m++] = key * PACK_ROWS + i
  }
  const sortedKeys = packed.subarray(0, m).sort()
  const order = new Int32Array(n)
  let o = 0
  if (nullsFirst) for (const i of nulls) order[o++] = i
  for (let j = 0; j < m; j++) order[o++] = sortedKeys[j] % PACK_ROWS
  if (!nullsFirst) for (const i of nulls) order[o++] = i
  return order
}

function fallbackOrder(v: readonly (number | null)[], descending: boolean, nullsFirst: boolean): Int32Array {
  const order = new Int32Array(v.length)
  for (let i = 0; i < v.length; i++) order[i] = i
  return order.sort((a, b) => {
    const x = v[a]
    const y = v[b]
    if (x === y) return a - b
    if (x === null) return nullsFirst ? -1 : 1
    if (y === null) return nullsFirst ? 1 : -1
    const c = x < y ? -1 : 1
    return (descending ? -c : c) || a - b
  })
}

export function* runSort(node: SortNode, rt: Runtime): Generator<Batch, void, undefined> {
  const keys = nodeState(node, () => compileKeys(node.keys, layoutOf(node.input.output)))
  const store = new RowStore(node.output.length)
  for (const b of rt.run(node.input)) store.appendBatch(b)
  yield* store.batchesInOrder(sortedOrder(keys, store, rt))
}

interface HeapEntry {
  readonly keys: SqlValue[]
  readonly row: SqlValue[]
  seq: number
}

/** The first n rows of the Sort node's order (invariant (3)); the Sort node is instrumented as if run. */
export function topN(node: SortNode, rt: Runtime, n: number): Generator<Batch, void, undefined> {
  return rt.instrument(node, runTopN(node, rt, n))
}

function* runTopN(node: SortNode, rt: Runtime, n: number): Generator<Batch, void, undefined> {
  if (n > 1 << 20 || node.keys.length === 0) {
    yield* runSort(node, rt)
    return
  }
  const keys = nodeState(node, () => compileKeys(node.keys, layoutOf(node.input.output)))
  const { cmps, desc, nullsFirst } = keys
  const k = keys.exprs.length
  const cmpEntries = (a: HeapEntry, b: HeapEntry): number => {
    for (let i = 0; i < k; i++) {
      const x = a.keys[i]
      const y = b.keys[i]
      if (x === y) continue
      if (x === null) return nullsFirst[i] ? -1 : 1
      if (y === null) return nullsFirst[i] ? 1 : -1
      const c = cmps[i](x, y)
      if (c !== 0) return desc[i] ? -c : c
    }
    return a.seq - b.seq
  }
  // Max-heap: heap[0] is the worst row kept so far.
  const heap: HeapEntry[] = []
  const siftDown = (i: number): void => {
    const size = heap.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= size) return
      const r = l + 1
      let m = r < size && cmpEntries(heap[r], heap[l]) > 0 ? r : l
      if (cmpEntries(heap[m], heap[i]) <= 0) return
      const t = heap[m]
      heap[m] = heap[i]
      heap[i] = t
      i = m
    }
  }
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (cmpEntries(heap[i], heap[p]) <= 0) return
      const t = heap[p]
      heap[p] = heap[i]
      heap[i] = t
      i = p
    }
  }
  let seq = 0
  const width = node.output.length
  const probeKeys = new Array<SqlValue>(k)
  const probe: HeapEntry = { keys: probeKeys, row: probeKeys, seq: 0 }
  for (const b of rt.run(node.input)) {
    const vecs = keys.exprs.map((e) => e.vec(b, rt, null))
    for (let r = 0; r < b.length; r++) {
      const s = seq++
      if (heap.length >= n) {
        // Cheap rejection against the current worst before allocating anything.
        const worst = heap[0]
        const x = vecs[0][r]
        const y = worst.keys[0]
        if (x !== y) {
          const c = x === null ? (nullsFirst[0] ? -1 : 1) : y === null ? (nullsFirst[0] ? 1 : -1) : desc[0] ? -cmps[0](x, y) : cmps[0](x, y)
          if (c > 0) continue
          if (c === 0) {
            for (let i = 0; i < k; i++) probeKeys[i] = vecs[i][r]
            probe.seq = s
            if (cmpEntries(probe, worst) >= 0) continue
          }
        } else {
          for (let i = 0; i < k; i++) probeKeys[i] = vecs[i][r]
          probe.seq = s
          if (cmpEntries(probe, worst) >= 0) continue
        }
      }
      const rowKeys = new Array<SqlValue>(k)
      for (let i = 0; i < k; i++) rowKeys[i] = vecs[i][r]
      const row = new Array<SqlValue>(width)
      for (let c = 0; c < width; c++) row[c] = b.columns[c][r]
      const entry = { keys: rowKeys, row, seq: s }
      if (heap.length < n) {
        heap.push(entry)
        siftUp(heap.length - 1)
      } else {
        heap[0] = entry
        siftDown(0)
      }
    }
  }
  heap.sort(cmpEntries)
  const store = new RowStore(width)
  for (const e of heap) store.appendRow(e.row)
  yield* store.batches()
}
