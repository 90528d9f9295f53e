/**
 * Operator support: per-node compiled state, row stores and batch builders shared by the operators.
 * Owns: nodeState (the cache of compiled per-node state: plan-node.ts (3) keeps nodes frozen, so the state
 * lives in a WeakMap keyed by node), RowStore (materialized rows, column-major), BatchBuilder.
 * Invariants:
 *   (1) Cached node state is execution-independent (compiled closures and layouts only).
 *   (2) Batches handed out are never written again (batch.ts (3)): builders start new arrays per batch.
 * Not here: the operators themselves.
 */
import { BATCH_SIZE, type Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import type { PlanNode } from '../../plan/plan-node.js'
import type { Runtime } from '../runtime.js'

const states = new WeakMap<PlanNode, unknown>()

/** The compiled state of a node, built on first use and reused by every later execution. */
export function nodeState<T>(node: PlanNode, build: () => T): T {
  let s = states.get(node) as T | undefined
  if (s === undefined) {
    s = build()
    states.set(node, s)
  }
  return s
}

/** Materialized rows of a fixed number of columns, column-major, growing. */
export class RowStore {
  readonly columns: SqlValue[][]
  length = 0

  constructor(width: number) {
    this.columns = []
    for (let c = 0; c < width; c++) this.columns.push([])
  }

  /** Appends every row of a batch. */
  appendBatch(b: Batch): void {
    const cols = this.columns
    for (let c = 0; c < cols.length; c++) {
      const dst = cols[c]
      const src = b.columns[c]
      for (let i = 0; i < b.length; i++) dst.push(src[i])
    }
    this.length += b.length
  }

  /** Appends the selected rows of a batch. */
  appendRows(b: Batch, rows: ArrayLike<number>, n = rows.length): void {
    const cols = this.columns
    for (let c = 0; c < cols.length; c++) {
      const dst = cols[c]
      const src = b.columns[c]
      for (let i = 0; i < n; i++) dst.push(src[rows[i]])
    }
    this.length += n
  }

  appendRow(values: readonly SqlValue[]): void {
    const cols = this.columns
    for (let c = 0; c < cols.length; c++) cols[c].push(values[c])
    this.length++
  }

  /** Row r as an array. */
  row(r: number): SqlValue[] {
    return this.columns.map((c) => c[r])
  }

  /** The whole store as one batch (shares the arrays: only after appending is finished). */
  asBatch(): Batch {
    return { length: this.length, columns: this.columns }
  }

  /** Batches of rows [0, length) in order, of up to BATCH_SIZE rows. */
  *batches(): Generator<Batch, void, undefined> {
    for (let start = 0; start < this.length; start += BATCH_SIZE) {
      const end = Math.min(this.length, start + BATCH_SIZE)
      yield { length: end - start, columns: this.columns.map((c) => c.slice(start, end)) }
    }
  }

  /** Batches of the rows listed in `order`. */
  *batchesInOrder(order: ArrayLike<number>, n = order.length): Generator<Batch, void, undefined> {
    for (let start = 0; start < n; start += BATCH_SIZE) {
      const end = Math.min(n, start + BATCH_SIZE)
      const len = end - start
      const cols = this.columns.map((c) => {
        const out = new Array<SqlValue>(len)
        for (let i = 0; i < len; i++) out[i] = c[order[start + i]]
        return out
      })
      yield { length: len, columns: cols }
    }
  }
}

/** Reads every batch of a node into a RowStore. */
export function materialize(rt: Runtime, node: PlanNode): RowStore {
  const store = new RowStore(node.output.length)
  for (const b of rt.run(node)) store.appendBatch(b)
  return store
}

/** Collects rows one at a time into batches of BATCH_SIZE. */
export class BatchBuilder {
  readonly width: number
  #cols: SqlValue[][]
  #length = 0

  constructor(width: number) {
    this.width = width
    this.#cols = this.#fresh()
  }

  #fresh(): SqlValue[][] {
    const cols: SqlValue[][] = []
    for (let c = 0; c < this.width; c++) cols.push([])
    return cols
  }

  get length(): number {
    return this.#length
  }

  get full(): boolean {
    return this.#length >= BATCH_SIZE
  }

  push(values: readonly SqlValue[]): void {
    for (let c = 0; c < this.width; c++) this.#cols[c].push(values[c])
    this.#length++
  }

  /** The rows so far as a batch; the builder starts over. */
  take(): Batch {
    const b: Batch = { length: this.#length, columns: this.#cols }
    this.#cols = this.#fresh()
    this.#length = 0
    return b
  }
}

/** Keeps only the selected rows of a batch (the batch itself when all rows are selected). */
export function selectRows(b: Batch, sel: Int32Array): Batch {
  if (sel.length === b.length) return b
  const n = sel.length
  const width = b.columns.length
  const cols: SqlValue[][] = new Array(width)
  for (let c = 0; c < width; c++) cols[c] = gatherColumn(b.columns[c], sel, n)
  return { length: n, columns: cols }
}

function gatherColumn(col: readonly SqlValue[], sel: Int32Array, n: number): SqlValue[] {
  const out = new Array<SqlValue>(n)
  for (let i = 0; i < n; i++) out[i] = col[sel[i]]
  return out
}
