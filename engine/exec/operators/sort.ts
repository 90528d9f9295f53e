/**
 * Sort and top-N.
 * Owns: runSort (materialize, compute key vectors, stable index sort), topN (a bounded heap used by LIMIT over
 * Sort), and compareRowsFn (the row comparator also used by windows and ordered aggregates).
 * Invariants:
 *   (1) Stable: rows with equal keys keep their input order (ties break on the input position).
 *   (2) NULLs sort per SortKey.nullsFirst, independently of DESC; non-NULL values by their type's order.
 *   (3) topN(n) yields exactly the first n rows the full sort would yield, in the same order.
 *   (4) External sort: once the rows held pass the statement's memory budget (work_mem), they are sorted and
 *       written to the spill file as a run (row codec frames), and the sort goes on with an empty store; at
 *       the end the runs and the rows still held are merged with a heap. Runs are consecutive stretches of the
 *       input and ties go to the earlier run, so the result is the in-memory sort's, stable included. The
 *       runs are released when the sort ends, finished or not.
 * Not here: LIMIT/OFFSET slicing (basic.ts).
 */
import { BATCH_SIZE, type Batch } from '../../common/batch.js'
import type { SqlType, SqlValue } from '../../common/types.js'
import { decodeFullRow, encodeRow } from '../../catalog/row-codec.js'
import { internalError } from '../../common/index.js'
import type { SpillFile, SpillRun } from '../../storage/spill-file.js'
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
  const width = node.output.length
  const spill = rt.ctx.spill
  const budget = rt.ctx.workMem ?? Infinity
  let store = new RowStore(width)
  let held = 0
  const runs: SpillRun[] = []
  try {
    for (const b of rt.run(node.input)) {
      store.appendBatch(b)
      held += batchBytes(b)
      if (held > budget && spill !== undefined && store.length > 1) {
        spill.need()
        runs.push(writeRun(spill, store, sortedOrder(keys, store, rt), node.output.map((c) => c.type)))
        store = new RowStore(width)
        held = 0
      }
    }
    if (runs.length === 0) {
      yield* store.batchesInOrder(sortedOrder(keys, store, rt))
      return
    }
    const types = node.output.map((c) => c.type)
    const sources: MergeSource[] = runs.map((run) => new MergeSource(keys, rt, new RunReader(spill as SpillFile, run, types).batches()))
    sources.push(new MergeSource(keys, rt, store.batchesInOrder(sortedOrder(keys, store, rt))))
    yield* mergeSources(sources, keys, width)
  } finally {
    for (const run of runs) spill?.release(run)
  }
}

/** Estimated bytes a batch's values take in memory (8 per slot, plus strings and objects). */
function batchBytes(b: Batch): number {
  let bytes = 0
  for (const col of b.columns) {
    bytes += b.length * 8
    const first = col[0]
    if (typeof first === 'number' || typeof first === 'boolean') continue
    for (let i = 0; i < b.length; i++) {
      const v = col[i]
      if (typeof v === 'string') bytes += 16 + v.length * 2
      else if (typeof v === 'object' && v !== null) bytes += 32 + ((v as { byteLength?: number }).byteLength ?? 0)
      else if (typeof v === 'bigint') bytes += 24
    }
  }
  return bytes
}

const RUN_CHUNK = 1 << 20

/** Writes the store's rows in `order` as one run: frames of (u32 LE length, encoded row). */
function writeRun(spill: SpillFile, store: RowStore, order: Int32Array, types: readonly SqlType[]): SpillRun {
  const chunks: Uint8Array[] = []
  let buf = new Uint8Array(RUN_CHUNK)
  let at = 0
  const cols = store.columns
  const row = new Array<SqlValue>(cols.length)
  for (let k = 0; k < order.length; k++) {
    const r = order[k]
    for (let c = 0; c < cols.length; c++) row[c] = cols[c][r]
    const bytes = encodeRow(row, types)
    const need = 4 + bytes.length
    if (at + need > buf.length) {
      if (at > 0) chunks.push(buf.subarray(0, at))
      buf = new Uint8Array(Math.max(RUN_CHUNK, need))
      at = 0
    }
    buf[at] = bytes.length & 0xff
    buf[at + 1] = (bytes.length >>> 8) & 0xff
    buf[at + 2] = (bytes.length >>> 16) & 0xff
    buf[at + 3] = bytes.length >>> 24
    buf.set(bytes, at + 4)
    at += need
  }
  if (at > 0) chunks.push(buf.subarray(0, at))
  return spill.write(chunks)
}

/** Reads a run back as batches of decoded rows. */
class RunReader {
  readonly #spill: SpillFile
  readonly #run: SpillRun
  readonly #types: readonly SqlType[]
  #buf = new Uint8Array(1 << 15)
  /** Bytes of the run read into #buf so far, and the buffer's unconsumed range [#at, #len). */
  #read = 0
  #at = 0
  #len = 0

  constructor(spill: SpillFile, run: SpillRun, types: readonly SqlType[]) {
    this.#spill = spill
    this.#run = run
    this.#types = types
  }

  *batches(): Generator<Batch, void, undefined> {
    const width = this.#types.length
    for (;;) {
      const cols: SqlValue[][] = []
      for (let c = 0; c < width; c++) cols.push([])
      let n = 0
      while (n < BATCH_SIZE) {
        const frame = this.#frame()
        if (frame === null) break
        const row = decodeFullRow(frame, this.#types)
        for (let c = 0; c < width; c++) cols[c].push(row[c])
        n++
      }
      if (n === 0) return
      yield { length: n, columns: cols }
      if (n < BATCH_SIZE) return
    }
  }

  /** The next frame's row bytes (a view into the buffer, valid until the next call), or null at the end. */
  #frame(): Uint8Array | null {
    if (this.#len - this.#at < 4 && !this.#fill(4)) return null
    const b = this.#buf
    const at = this.#at
    const size = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24
    if (this.#len - this.#at < 4 + size && !this.#fill(4 + size)) throw internalError(`spill run ends inside a row (${size} bytes at ${this.#read})`)
    const start = this.#at + 4
    this.#at = start + size
    return this.#buf.subarray(start, start + size)
  }

  /** Makes at least `need` unconsumed bytes available; false when the run ends first. */
  #fill(need: number): boolean {
    const rest = this.#len - this.#at
    if (rest === 0 && this.#read === this.#run.length) return false
    if (need > this.#buf.length) {
      const bigger = new Uint8Array(need)
      bigger.set(this.#buf.subarray(this.#at, this.#len))
      this.#buf = bigger
    } else this.#buf.copyWithin(0, this.#at, this.#len)
    this.#at = 0
    this.#len = rest
    while (this.#len < need && this.#read < this.#run.length) {
      const got = this.#spill.read(this.#run, this.#read, this.#buf.subarray(this.#len))
      this.#read += got
      this.#len += got
    }
    return this.#len >= need
  }
}

/** One sorted input of the merge: its current batch, key vectors and row. */
class MergeSource {
  batch: Batch | null = null
  vecs: (readonly SqlValue[])[] = []
  pos = 0
  readonly #keys: CompiledKeys
  readonly #rt: Runtime
  readonly #input: Generator<Batch, void, undefined>

  constructor(keys: CompiledKeys, rt: Runtime, input: Generator<Batch, void, undefined>) {
    this.#keys = keys
    this.#rt = rt
    this.#input = input
    this.#pull()
  }

  /** Moves to the next row; false when the source is exhausted. */
  advance(): boolean {
    if (++this.pos < (this.batch as Batch).length) return true
    return this.#pull()
  }

  #pull(): boolean {
    for (;;) {
      const next = this.#input.next()
      if (next.done === true) {
        this.batch = null
        return false
      }
      if (next.value.length === 0) continue
      this.batch = next.value
      this.vecs = this.#keys.exprs.map((e) => e.vec(next.value, this.#rt, null))
      this.pos = 0
      return true
    }
  }
}

/** k-way merge of sorted sources; ties go to the lower source index (invariant 4). */
function* mergeSources(sources: MergeSource[], keys: CompiledKeys, width: number): Generator<Batch, void, undefined> {
  const { cmps, desc, nullsFirst } = keys
  const nk = keys.exprs.length
  const index = new Map(sources.map((s, i) => [s, i]))
  const before = (a: MergeSource, b: MergeSource): boolean => {
    for (let i = 0; i < nk; i++) {
      const x = a.vecs[i][a.pos]
      const y = b.vecs[i][b.pos]
      if (x === y) continue
      if (x === null) return nullsFirst[i]
      if (y === null) return !nullsFirst[i]
      const c = cmps[i](x, y)
      if (c !== 0) return desc[i] ? c > 0 : c < 0
    }
    return (index.get(a) as number) < (index.get(b) as number)
  }
  // Min-heap of the sources that still have rows.
  const heap = sources.filter((s) => s.batch !== null)
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      if (l >= heap.length) return
      const r = l + 1
      const m = r < heap.length && before(heap[r], heap[l]) ? r : l
      if (!before(heap[m], heap[i])) return
      const t = heap[m]
      heap[m] = heap[i]
      heap[i] = t
      i = m
    }
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i)
  let cols: SqlValue[][] = []
  for (let c = 0; c < width; c++) cols.push([])
  let n = 0
  while (heap.length > 0) {
    const top = heap[0]
    const b = top.batch as Batch
    for (let c = 0; c < width; c++) cols[c].push(b.columns[c][top.pos])
    if (++n === BATCH_SIZE) {
      yield { length: n, columns: cols }
      cols = []
      for (let c = 0; c < width; c++) cols.push([])
      n = 0
    }
    if (!top.advance()) {
      const last = heap.pop() as MergeSource
      if (heap.length === 0) break
      heap[0] = last
    }
    down(0)
  }
  if (n > 0) yield { length: n, columns: cols }
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
