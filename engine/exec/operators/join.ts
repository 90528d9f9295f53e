/**
 * Joins: hash join, nested loops (incl. LATERAL) and index nested loops, for every JoinType.
 * Owns: PairSink (candidate (left row, right row) pairs → residual check → output rows, with the matched
 * flags that LEFT/RIGHT/FULL/SEMI/ANTI need) and the three join operators built on it.
 * Invariants:
 *   (1) Output = left columns then right columns; SEMI/ANTI output left columns only (plan-node.ts).
 *   (2) NULL join keys never match (hash and index joins); a condition/residual passes only when TRUE.
 *   (3) LEFT/FULL emit each unmatched left row once, null-extended; RIGHT/FULL emit unmatched right rows after
 *       the probe side is exhausted; SEMI emits a left row at most once, ANTI only rows with no passing pair.
 *   (4) The hash join builds on `right` (the planner puts the smaller input there) and streams `left`.
 * Not here: join order and algorithm choice (planner).
 */
import { BATCH_SIZE, type Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import { ROW_KEY } from '../../txn/table-access.js'
import type { HashJoinNode, IndexJoinNode, JoinType, NestedLoopJoinNode, PlanColumn } from '../../plan/plan-node.js'
import { compileExpr, compilePredicate, layoutOf, type Compiled, type PredFn } from '../expr/compile-expr.js'
import type { Runtime } from '../runtime.js'
import { filled, gather, keyFor, rowKeyFn } from '../value-ops.js'
import { nodeState, RowStore, selectRows } from './support.js'

/** Collects candidate pairs for one left batch and turns them into output batches. */
class PairSink {
  readonly #type: JoinType
  readonly #residual: PredFn | null
  readonly #rt: Runtime
  readonly #li = new Int32Array(BATCH_SIZE)
  readonly #ri = new Int32Array(BATCH_SIZE)
  #n = 0
  #left: Batch = { length: 0, columns: [] }
  #right: RowStore
  #leftMatched = new Uint8Array(0)
  /** Over the whole build side, for RIGHT/FULL. */
  rightMatched: Uint8Array | null = null

  constructor(type: JoinType, residual: PredFn | null, rt: Runtime, right: RowStore) {
    this.#type = type
    this.#residual = residual
    this.#rt = rt
    this.#right = right
  }

  get full(): boolean {
    return this.#n === BATCH_SIZE
  }

  /** Starts a new left batch (pending pairs must have been flushed). */
  startLeft(left: Batch, right?: RowStore): void {
    this.#left = left
    if (right !== undefined) this.#right = right
    this.#leftMatched = new Uint8Array(left.length)
  }

  setRight(right: RowStore): void {
    this.#right = right
  }

  leftMatched(i: number): boolean {
    return this.#leftMatched[i] === 1
  }

  add(l: number, r: number): void {
    this.#li[this.#n] = l
    this.#ri[this.#n] = r
    this.#n++
  }

  /** Adds pairs from..to-1 of `left`/`right` until the sink is full; returns the index of the first one not added. */
  addPairs(left: Int32Array, right: Int32Array, from: number, to: number): number {
    const li = this.#li
    const ri = this.#ri
    let n = this.#n
    let k = from
    while (k < to && n < BATCH_SIZE) {
      li[n] = left[k]
      ri[n++] = right[k++]
    }
    this.#n = n
    return k
  }

  /** Checks the pending pairs; returns the output rows they give (INNER/LEFT/RIGHT/FULL) or null. */
  flush(): Batch | null {
    const n = this.#n
    if (n === 0) return null
    this.#n = 0
    const li = this.#li.subarray(0, n)
    const ri = this.#ri.subarray(0, n)
    const semiAnti = this.#type === 'SEMI' || this.#type === 'ANTI'
    let pairs: Batch | null = null
    let pass: Int32Array | null = null
    if (this.#residual !== null || !semiAnti) {
      const cols: (readonly SqlValue[])[] = []
      for (const c of this.#left.columns) cols.push(gather(c, li))
      for (const c of this.#right.columns) cols.push(gather(c, ri))
      pairs = { length: n, columns: cols }
      if (this.#residual !== null) pass = this.#residual(pairs, this.#rt, null)
    }
    const lm = this.#leftMatched
    const rm = this.rightMatched
    if (pass === null) {
      for (let i = 0; i < n; i++) lm[li[i]] = 1
      if (rm !== null) for (let i = 0; i < n; i++) rm[ri[i]] = 1
    } else {
      for (let k = 0; k < pass.length; k++) lm[li[pass[k]]] = 1
      if (rm !== null) for (let k = 0; k < pass.length; k++) rm[ri[pass[k]]] = 1
    }
    if (semiAnti || pairs === null) return null
    if (pass === null) return pairs
    return pass.length === 0 ? null : selectRows(pairs, pass)
  }

  /** After the left batch: unmatched left rows (LEFT/FULL null-extended, ANTI), or matched ones (SEMI). */
  finishLeft(rightWidth: number): Batch | null {
    const t = this.#type
    if (t === 'INNER' || t === 'RIGHT') return null
    const left = this.#left
    const lm = this.#leftMatched
    const want = t === 'SEMI' ? 1 : 0
    const sel = new Int32Array(left.length)
    let m = 0
    for (let i = 0; i < left.length; i++) if (lm[i] === want) sel[m++] = i
    if (m === 0) return null
    const picked = selectRows(left, sel.subarray(0, m))
    if (t === 'SEMI' || t === 'ANTI') return picked
    const cols: (readonly SqlValue[])[] = [...picked.columns]
    for (let c = 0; c < rightWidth; c++) cols.push(filled(m, null))
    return { length: m, columns: cols }
  }
}

/** RIGHT/FULL: the build rows no pair matched, with NULL left columns. */
function* unmatchedRight(store: RowStore, matched: Uint8Array, leftWidth: number): Generator<Batch, void, undefined> {
  const idx = new Int32Array(BATCH_SIZE)
  let m = 0
  const emit = (): Batch => {
    const cols: (readonly SqlValue[])[] = []
    for (let c = 0; c < leftWidth; c++) cols.push(filled(m, null))
    for (const c of store.columns) cols.push(gather(c, idx, m))
    const b = { length: m, columns: cols }
    m = 0
    return b
  }
  for (let r = 0; r < store.length; r++) {
    if (matched[r] === 1) continue
    idx[m++] = r
    if (m === BATCH_SIZE) yield emit()
  }
  if (m > 0) yield emit()
}

function combinedLayout(left: readonly PlanColumn[], right: readonly PlanColumn[]): Map<number, number> {
  const layout = layoutOf(left)
  return layoutOf(right, left.length, layout)
}

interface HashJoinState {
  readonly leftKeys: readonly Compiled[]
  readonly rightKeys: readonly Compiled[]
  readonly key: (values: readonly SqlValue[]) => unknown
  readonly residual: PredFn | null
}

export function* runHashJoin(node: HashJoinNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st: HashJoinState = nodeState(node, () => {
    const types = node.leftKeys.map((k) => k.type)
    return {
      leftKeys: node.leftKeys.map((k) => compileExpr(k, layoutOf(node.left.output))),
      rightKeys: node.rightKeys.map((k) => compileExpr(k, layoutOf(node.right.output))),
      key: types.length === 1 ? keyOne(types[0]) : rowKeyFn(types),
      residual: node.residual === null ? null : compilePredicate(node.residual, combinedLayout(node.left.output, node.right.output)),
    }
  })
  const type = node.joinType
  const leftWidth = node.left.output.length
  const rightWidth = node.right.output.length
  const nk = st.rightKeys.length

  // Build: key → row index (unique so far) or list of indices, in input order. One int32-valued key goes into
  // an IntJoinTable while every key is an int32; the first other value (a date's infinity) falls back to the Map.
  const store = new RowStore(rightWidth)
  const table = new Map<unknown, number | number[]>()
  const values = new Array<SqlValue>(nk)
  let ints: IntJoinTable | null = nk === 1 && INT32_KEYS.has(node.rightKeys[0].type.id) ? new IntJoinTable() : null
  let rebuild = false
  for (const b of rt.run(node.right)) {
    const base = store.length
    store.appendBatch(b)
    const vecs = st.rightKeys.map((k) => k.vec(b, rt, null))
    if (ints !== null) {
      if (ints.addAll(vecs[0], b.length, base)) continue
      ints = null
      rebuild = true
    }
    if (!rebuild) buildRows(vecs, b.length, base, st.key, table, values)
  }
  if (rebuild) buildRows(st.rightKeys.map((k) => k.vec(store.asBatch(), rt, null)), store.length, 0, st.key, table, values)
  if (store.length === 0 && (type === 'INNER' || type === 'SEMI' || type === 'RIGHT')) return

  const sink = new PairSink(type, st.residual, rt, store)
  if (type === 'RIGHT' || type === 'FULL') sink.rightMatched = new Uint8Array(store.length)
  const existsOnly = type === 'SEMI' && st.residual === null
  const antiOnly = type === 'ANTI' && st.residual === null
  let sel = new Int32Array(BATCH_SIZE)
  const pairs = new PairBuffer()
  for (const b of rt.run(node.left)) {
    sink.startLeft(b)
    const vecs = st.leftKeys.map((k) => k.vec(b, rt, null))
    if (existsOnly || antiOnly) {
      // No residual: a key lookup decides the row.
      if (sel.length < b.length) sel = new Int32Array(b.length)
      const m = ints !== null ? existsRowsInt(vecs[0], b.length, ints, existsOnly, sel) : existsRows(vecs, b.length, st.key, table, values, existsOnly, sel)
      if (m > 0) yield selectRows(b, sel.slice(0, m))
      continue
    }
    const m = ints !== null ? probeRowsInt(vecs[0], b.length, ints, pairs) : probeRows(vecs, b.length, st.key, table, values, pairs)
    for (let k = 0; k < m; ) {
      k = sink.addPairs(pairs.left, pairs.right, k, m)
      if (sink.full) {
        const out = sink.flush()
        if (out !== null) yield out
      }
    }
    const out = sink.flush()
    if (out !== null) yield out
    const rest = sink.finishLeft(rightWidth)
    if (rest !== null) yield rest
  }
  if (sink.rightMatched !== null) yield* unmatchedRight(store, sink.rightMatched, leftWidth)
}

// The per-row loops of the hash join are plain functions, not part of the generator: V8 optimizes them on their
// own and keeps them optimized (aggregate.ts says the same).

type KeyFn = (values: readonly SqlValue[]) => unknown

/** Adds rows base..base+n-1 of the build side to `table` by key (rows with a NULL key never match). */
function buildRows(vecs: readonly (readonly SqlValue[])[], n: number, base: number, key: KeyFn, table: Map<unknown, number | number[]>, values: SqlValue[]): void {
  const nk = vecs.length
  rows: for (let i = 0; i < n; i++) {
    for (let k = 0; k < nk; k++) {
      const v = vecs[k][i]
      if (v === null) continue rows
      values[k] = v
    }
    const hk = key(values)
    const r = base + i
    const cur = table.get(hk)
    if (cur === undefined) table.set(hk, r)
    else if (typeof cur === 'number') table.set(hk, [cur, r])
    else cur.push(r)
  }
}

/** SEMI/ANTI without a residual: the rows whose key is in `table` (exists) or not, into `sel`; returns their count. */
function existsRows(
  vecs: readonly (readonly SqlValue[])[],
  n: number,
  key: KeyFn,
  table: Map<unknown, number | number[]>,
  values: SqlValue[],
  exists: boolean,
  sel: Int32Array,
): number {
  const nk = vecs.length
  let m = 0
  for (let i = 0; i < n; i++) {
    let hasNull = false
    for (let k = 0; k < nk; k++) {
      const v = vecs[k][i]
      if (v === null) {
        hasNull = true
        break
      }
      values[k] = v
    }
    const found = !hasNull && table.has(key(values))
    if (found === exists) sel[m++] = i
  }
  return m
}

/** Growable (left row, build row) pair arrays. */
class PairBuffer {
  left = new Int32Array(BATCH_SIZE)
  right = new Int32Array(BATCH_SIZE)

  grow(): void {
    const l = new Int32Array(this.left.length * 2)
    l.set(this.left)
    const r = new Int32Array(this.right.length * 2)
    r.set(this.right)
    this.left = l
    this.right = r
  }
}

/** The matching (left row, build row) pairs of a probe batch, in left-row then build order; returns their count. */
function probeRows(vecs: readonly (readonly SqlValue[])[], n: number, key: KeyFn, table: Map<unknown, number | number[]>, values: SqlValue[], out: PairBuffer): number {
  const nk = vecs.length
  let m = 0
  rows: for (let i = 0; i < n; i++) {
    for (let k = 0; k < nk; k++) {
      const v = vecs[k][i]
      if (v === null) continue rows
      values[k] = v
    }
    const hit = table.get(key(values))
    if (hit === undefined) continue
    if (typeof hit === 'number') {
      if (m === out.left.length) out.grow()
      out.left[m] = i
      out.right[m++] = hit
    } else {
      for (let j = 0; j < hit.length; j++) {
        if (m === out.left.length) out.grow()
        out.left[m] = i
        out.right[m++] = hit[j]
      }
    }
  }
  return m
}

/** Key types whose values are int32 numbers (a date may also be ±Infinity: IntJoinTable.addAll refuses those). */
const INT32_KEYS = new Set(['int2', 'int4', 'date'])

/**
 * The build side of a hash join on one int32 key: open addressing over typed arrays (no Map, no boxing), the
 * rows of a key chained in input order through `next`.
 */
class IntJoinTable {
  #mask = 1023
  #keys = new Int32Array(1024)
  #head = new Int32Array(1024).fill(-1)
  #tail = new Int32Array(1024)
  #distinct = 0
  /** Per build row: the next row with the same key, or -1. */
  next = new Int32Array(1024)

  /** Adds rows base..base+n-1 keyed by vec (NULLs never match); false at the first key that is not an int32. */
  addAll(vec: readonly SqlValue[], n: number, base: number): boolean {
    if (this.next.length < base + n) {
      const grown = new Int32Array(Math.max(base + n, this.next.length * 2))
      grown.set(this.next)
      this.next = grown
    }
    for (let i = 0; i < n; i++) {
      const v = vec[i]
      const row = base + i
      this.next[row] = -1
      if (v === null) continue
      if (typeof v !== 'number' || (v | 0) !== v) return false
      this.#add(v, row)
    }
    return true
  }

  /** The first build row with `key`, or -1. */
  first(key: number): number {
    const keys = this.#keys
    const head = this.#head
    const mask = this.#mask
    for (let h = Math.imul(key, 0x9e3779b1) & mask; ; h = (h + 1) & mask) {
      const r = head[h]
      if (r === -1 || keys[h] === key) return r
    }
  }

  #add(key: number, row: number): void {
    if ((this.#distinct + 1) * 2 > this.#mask + 1) this.#grow()
    const keys = this.#keys
    const head = this.#head
    const mask = this.#mask
    let h = Math.imul(key, 0x9e3779b1) & mask
    for (; head[h] !== -1; h = (h + 1) & mask) {
      if (keys[h] === key) {
        this.next[this.#tail[h]] = row
        this.#tail[h] = row
        return
      }
    }
    keys[h] = key
    head[h] = row
    this.#tail[h] = row
    this.#distinct++
  }

  #grow(): void {
    const oldKeys = this.#keys
    const oldHead = this.#head
    const oldTail = this.#tail
    const size = (this.#mask + 1) * 2
    this.#mask = size - 1
    this.#keys = new Int32Array(size)
    this.#head = new Int32Array(size).fill(-1)
    this.#tail = new Int32Array(size)
    for (let i = 0; i < oldHead.length; i++) {
      if (oldHead[i] === -1) continue
      let h = Math.imul(oldKeys[i], 0x9e3779b1) & this.#mask
      while (this.#head[h] !== -1) h = (h + 1) & this.#mask
      this.#keys[h] = oldKeys[i]
      this.#head[h] = oldHead[i]
      this.#tail[h] = oldTail[i]
    }
  }
}

/** probeRows over an IntJoinTable (a key that is NULL or not an int32 matches nothing there). */
function probeRowsInt(vec: readonly SqlValue[], n: number, table: IntJoinTable, out: PairBuffer): number {
  const next = table.next
  let m = 0
  for (let i = 0; i < n; i++) {
    const v = vec[i]
    if (typeof v !== 'number' || (v | 0) !== v) continue
    for (let r = table.first(v); r !== -1; r = next[r]) {
      if (m === out.left.length) out.grow()
      out.left[m] = i
      out.right[m++] = r
    }
  }
  return m
}

/** existsRows over an IntJoinTable. */
function existsRowsInt(vec: readonly SqlValue[], n: number, table: IntJoinTable, exists: boolean, sel: Int32Array): number {
  let m = 0
  for (let i = 0; i < n; i++) {
    const v = vec[i]
    const found = v !== null && typeof v === 'number' && (v | 0) === v && table.first(v) !== -1
    if (found === exists) sel[m++] = i
  }
  return m
}

/** Key of a single non-NULL value (values[0]). */
function keyOne(t: PlanColumn['type']): (values: readonly SqlValue[]) => unknown {
  const f = keyFor(t)
  return (values) => f(values[0])
}

export function* runNestedLoopJoin(node: NestedLoopJoinNode, rt: Runtime): Generator<Batch, void, undefined> {
  const condition = nodeState(node, () =>
    node.condition === null ? null : compilePredicate(node.condition, combinedLayout(node.left.output, node.right.output)),
  )
  const type = node.joinType
  const leftWidth = node.left.output.length
  const rightWidth = node.right.output.length
  if (node.lateral) {
    const ids = node.left.output.map((c) => c.id)
    const rowValues = new Array<SqlValue>(ids.length)
    const sink = new PairSink(type, condition, rt, new RowStore(rightWidth))
    for (const b of rt.run(node.left)) {
      sink.startLeft(b)
      for (let i = 0; i < b.length; i++) {
        for (let c = 0; c < ids.length; c++) rowValues[c] = b.columns[c][i]
        const saved = rt.bindOuter(ids, rowValues)
        let right: RowStore
        try {
          right = new RowStore(rightWidth)
          for (const rb of rt.run(node.right)) right.appendBatch(rb)
        } finally {
          rt.restoreOuter(ids, saved)
        }
        sink.setRight(right)
        for (let r = 0; r < right.length; r++) {
          sink.add(i, r)
          if (sink.full) {
            const out = sink.flush()
            if (out !== null) yield out
          }
        }
        const out = sink.flush()
        if (out !== null) yield out
      }
      const rest = sink.finishLeft(rightWidth)
      if (rest !== null) yield rest
    }
    return
  }
  const store = new RowStore(rightWidth)
  for (const b of rt.run(node.right)) store.appendBatch(b)
  if (store.length === 0 && (type === 'INNER' || type === 'SEMI' || type === 'RIGHT')) return
  const sink = new PairSink(type, condition, rt, store)
  if (type === 'RIGHT' || type === 'FULL') sink.rightMatched = new Uint8Array(store.length)
  const semiAnti = type === 'SEMI' || type === 'ANTI'
  let pairs = 0
  for (const b of rt.run(node.left)) {
    sink.startLeft(b)
    for (let i = 0; i < b.length; i++) {
      if (semiAnti && condition === null) {
        if (store.length > 0) sink.add(i, 0)
      } else {
        for (let r = 0; r < store.length; r++) {
          sink.add(i, r)
          if (sink.full) {
            if (++pairs % 64 === 0) rt.checkDeadline()
            const out = sink.flush()
            if (out !== null) yield out
          }
        }
      }
      if (sink.full) {
        const out = sink.flush()
        if (out !== null) yield out
      }
    }
    const out = sink.flush()
    if (out !== null) yield out
    const rest = sink.finishLeft(rightWidth)
    if (rest !== null) yield rest
  }
  if (sink.rightMatched !== null) yield* unmatchedRight(store, sink.rightMatched, leftWidth)
}

export function* runIndexJoin(node: IndexJoinNode, rt: Runtime): Generator<Batch, void, undefined> {
  const leftWidth = node.left.output.length
  const rightCols = node.output.slice(leftWidth)
  const rightWidth = node.columns.length
  const st = nodeState(node, () => {
    const pk = node.table.primaryKey
    return {
      keys: node.keys.map((k) => compileExpr(k, layoutOf(node.left.output))),
      residual: node.residual === null ? null : compilePredicate(node.residual, combinedLayout(node.left.output, rightCols)),
      pointLookup: node.index === null && pk !== null && pk.length === node.keys.length && !node.columns.includes(ROW_KEY),
    }
  })
  const access = rt.ctx.access
  const type = node.joinType
  const nk = st.keys.length
  const sink = new PairSink(type, st.residual, rt, new RowStore(rightWidth))
  for (const b of rt.run(node.left)) {
    const right = new RowStore(rightWidth)
    sink.startLeft(b, right)
    const vecs = st.keys.map((k) => k.vec(b, rt, null))
    rows: for (let i = 0; i < b.length; i++) {
      const values = new Array<SqlValue>(nk)
      for (let k = 0; k < nk; k++) {
        const v = vecs[k][i]
        if (v === null) continue rows
        values[k] = v
      }
      const first = right.length
      if (st.pointLookup) {
        const row = access.getByPrimaryKey(node.table, values)
        if (row !== undefined) right.appendRow(node.columns.map((o) => row[o]))
      } else {
        const bound = { values, inclusive: true }
        const options = { columns: node.columns, lower: bound, upper: bound }
        const gen = node.index === null ? access.scan(node.table, options) : access.indexScan(node.index, options)
        for (const rb of gen) right.appendBatch(rb)
      }
      for (let r = first; r < right.length; r++) {
        sink.add(i, r)
        if (sink.full) {
          const out = sink.flush()
          if (out !== null) yield out
        }
      }
    }
    const out = sink.flush()
    if (out !== null) yield out
    const rest = sink.finishLeft(rightWidth)
    if (rest !== null) yield rest
  }
}
