/**
 * Set operations and common table expressions: UNION / INTERSECT / EXCEPT [ALL], WITH, CTE scans and
 * WITH RECURSIVE.
 * Invariants:
 *   (1) Rows compare positionally with NULLs equal (rowKeyFn); INTERSECT ALL / EXCEPT ALL follow PostgreSQL's
 *       multiplicities (min(m, n) and max(m - n, 0)).
 *   (2) A CTE is computed at most once per execution of its WITH, lazily: readers share one buffer and pull
 *       its plan only as far as some reader needs (so LIMIT over an endless recursive CTE terminates).
 *   (3) RecursiveUnion installs the working table under its cteId only while the recursive term runs (around
 *       each pull), so other readers of the same id keep seeing the CTE's own buffer.
 *   (4) Recursion ends when an iteration yields no new rows (UNION drops rows seen in any earlier iteration).
 *   (5) A data-modifying CTE (INSERT/UPDATE/DELETE plan) is run to completion after the main query, read or not.
 * Not here: the deadline (every node's batches are checked, runtime.ts instrument).
 */
import type { Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import type { CteScanNode, RecursiveUnionNode, SetOpNode, WithNode } from '../../plan/plan-node.js'
import { internal, type CteBuffer, type Runtime } from '../runtime.js'
import { rowKeyFn } from '../value-ops.js'
import { selectRows } from './support.js'

type RowKey = (values: readonly SqlValue[]) => unknown

/** Calls f(key, row) for each row of b; keeps the rows where it returns true. */
function keep(b: Batch, key: RowKey, f: (k: unknown) => boolean): Batch | null {
  const width = b.columns.length
  const values = new Array<SqlValue>(width)
  const sel = new Int32Array(b.length)
  let m = 0
  for (let i = 0; i < b.length; i++) {
    for (let c = 0; c < width; c++) values[c] = b.columns[c][i]
    if (f(key(values))) sel[m++] = i
  }
  return m === 0 ? null : selectRows(b, sel.subarray(0, m))
}

export function* runSetOp(node: SetOpNode, rt: Runtime): Generator<Batch, void, undefined> {
  const key = rowKeyFn(node.output.map((c) => c.type))
  if (node.op === 'UNION') {
    if (node.all) {
      yield* rt.run(node.left)
      yield* rt.run(node.right)
      return
    }
    const seen = new Set<unknown>()
    const fresh = (k: unknown): boolean => {
      if (seen.has(k)) return false
      seen.add(k)
      return true
    }
    for (const side of [node.left, node.right]) {
      for (const b of rt.run(side)) {
        const out = keep(b, key, fresh)
        if (out !== null) yield out
      }
    }
    return
  }
  const counts = new Map<unknown, number>()
  for (const b of rt.run(node.right)) keep(b, key, (k) => (counts.set(k, (counts.get(k) ?? 0) + 1), false))
  let f: (k: unknown) => boolean
  if (node.op === 'INTERSECT') {
    f = node.all
      ? (k) => {
          const c = counts.get(k)
          if (c === undefined || c === 0) return false
          counts.set(k, c - 1)
          return true
        }
      : (k) => {
          if (counts.get(k) === undefined || counts.get(k) === 0) return false
          counts.set(k, 0)
          return true
        }
  } else if (node.all) {
    f = (k) => {
      const c = counts.get(k)
      if (c === undefined || c === 0) return true
      counts.set(k, c - 1)
      return false
    }
  } else {
    const emitted = new Set<unknown>()
    f = (k) => {
      if (counts.has(k) || emitted.has(k)) return false
      emitted.add(k)
      return true
    }
  }
  for (const b of rt.run(node.left)) {
    const out = keep(b, key, f)
    if (out !== null) yield out
  }
}

export function* runWith(node: WithNode, rt: Runtime): Generator<Batch, void, undefined> {
  const saved = node.ctes.map((c) => rt.ctes.get(c.id))
  const mine: CteBuffer[] = []
  for (const c of node.ctes) {
    const buf: CteBuffer = { batches: [], plan: c.plan, source: null, done: false }
    mine.push(buf)
    rt.ctes.set(c.id, buf)
  }
  try {
    yield* rt.run(node.input)
    // Data-modifying CTEs run to completion even when the query reads them partly or not at all (PostgreSQL).
    for (const buf of mine) {
      const kind = buf.plan?.kind
      if ((kind === 'Insert' || kind === 'Update' || kind === 'Delete') && !buf.done) {
        if (buf.source === null) buf.source = rt.run(buf.plan!)
        for (let r = buf.source.next(); r.done !== true; r = buf.source.next()) buf.batches.push(r.value)
        buf.done = true
        buf.source = null
      }
    }
  } finally {
    for (const buf of mine) buf.source?.return()
    node.ctes.forEach((c, i) => {
      const prev = saved[i]
      if (prev === undefined) rt.ctes.delete(c.id)
      else rt.ctes.set(c.id, prev)
    })
  }
}

export function* runCteScan(node: CteScanNode, rt: Runtime): Generator<Batch, void, undefined> {
  const buf = rt.ctes.get(node.cteId)
  if (buf === undefined) throw internal(`CTE ${node.cteId} is not in scope`)
  let i = 0
  for (;;) {
    if (i < buf.batches.length) {
      yield buf.batches[i++]
      continue
    }
    if (buf.done) return
    if (buf.source === null) {
      if (buf.plan === null) return
      buf.source = rt.run(buf.plan)
    }
    const r = buf.source.next()
    if (r.done === true) {
      buf.done = true
      buf.source = null
      return
    }
    buf.batches.push(r.value)
  }
}

export function* runRecursiveUnion(node: RecursiveUnionNode, rt: Runtime): Generator<Batch, void, undefined> {
  const key = rowKeyFn(node.output.map((c) => c.type))
  const seen = node.all ? null : new Set<unknown>()
  const fresh = (k: unknown): boolean => {
    if (seen!.has(k)) return false
    seen!.add(k)
    return true
  }
  const filter = (b: Batch): Batch | null => (seen === null ? (b.length === 0 ? null : b) : keep(b, key, fresh))
  let working: Batch[] = []
  for (const b of rt.run(node.anchor)) {
    const out = filter(b)
    if (out === null) continue
    working.push(out)
    yield out
  }
  while (working.length > 0) {
    rt.checkDeadline()
    const table: CteBuffer = { batches: working, plan: null, source: null, done: true }
    const next: Batch[] = []
    const gen = rt.run(node.recursive)
    try {
      for (;;) {
        const prev = rt.ctes.get(node.cteId)
        rt.ctes.set(node.cteId, table)
        let r: IteratorResult<Batch, void>
        try {
          r = gen.next()
        } finally {
          if (prev === undefined) rt.ctes.delete(node.cteId)
          else rt.ctes.set(node.cteId, prev)
        }
        if (r.done === true) break
        const out = filter(r.value)
        if (out === null) continue
        next.push(out)
        yield out
      }
    } finally {
      gen.return()
    }
    working = next
  }
}
