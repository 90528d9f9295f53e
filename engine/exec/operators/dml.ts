/**
 * Data modification: INSERT (incl. ON CONFLICT DO NOTHING / DO UPDATE), UPDATE and DELETE, with RETURNING.
 * Owns: CHECK constraint evaluation (23514) and the write calls on TableAccess; ctx.affectedRows.
 * Invariants:
 *   (1) Every operator reads its whole input before its first write (no Halloween problem), and computes
 *       new values and RETURNING inputs from what it read.
 *   (2) UPDATE and DELETE touch each row key at most once (the first input row for it wins).
 *   (3) A CHECK fails only when it is FALSE (NULL passes), checked just before the row is written; the error
 *       names the table and the constraint (checkNames[i]).
 *   (4) ON CONFLICT DO UPDATE refuses to change a row that this statement inserted or updated (21000).
 *   (5) The writes happen while the generator runs: callers drain it even when there is no RETURNING.
 *   (6) UPDATE and DELETE lock every target row before the first write (lockTargets). A row that a commit the
 *       statement's snapshot cannot see changed (READ COMMITTED only; the other levels fail with 40001) is
 *       re-checked: the input plan runs again over that row's newest version alone (PostgreSQL's
 *       EvalPlanQual); the row stays a target, with the new values, only if it still qualifies.
 * Not here: NOT NULL, unique and foreign-key checks (TableAccess does them, table-access.ts (3)).
 */
import type { Batch } from '../../common/batch.js'
import type { SqlValue } from '../../common/types.js'
import { formatValue, RustyError } from '../../common/index.js'
import type { TableDef } from '../../catalog/schema.js'
import type { BoundExpr } from '../../plan/bound-expr.js'
import type { DeleteNode, InsertNode, LockRowsNode, PlanNode, UpdateNode } from '../../plan/plan-node.js'
import { LockMode } from '../../txn/lock-manager.js'
import type { LockPolicy } from '../../txn/table-access.js'
import { compileExpr, layoutOf, type Compiled, type Layout } from '../expr/compile-expr.js'
import type { Runtime } from '../runtime.js'
import { bytesKey } from '../value-ops.js'
import { nodeState, RowStore } from './support.js'

function idLayout(ids: readonly number[], offset = 0, into?: Map<number, number>): Map<number, number> {
  const m = into ?? new Map<number, number>()
  ids.forEach((id, i) => m.set(id, i + offset))
  return m
}

function compileAll(exprs: readonly BoundExpr[], layout: Layout): Compiled[] {
  return exprs.map((e) => compileExpr(e, layout))
}

function checkFailed(table: TableDef, names: readonly string[], index: number, row: readonly SqlValue[]): RustyError {
  const name = names[index] ?? table.checks[index]?.name ?? `${table.name}_check`
  const shown = row.map((v, i) => (v === null ? 'null' : formatValue(v, table.columns[i].type))).join(', ')
  return new RustyError('23514', `new row for relation "${table.name}" violates check constraint "${name}"`, {
    table: table.name,
    constraint: name,
    detail: `Failing row contains (${shown}).`,
  })
}

/** Check results per row of a batch: the index of the first FALSE check, or -1; null when there are no checks. */
function failingChecks(checks: readonly Compiled[], b: Batch, rt: Runtime): Int32Array | null {
  if (checks.length === 0) return null
  const out = new Int32Array(b.length).fill(-1)
  for (let c = checks.length - 1; c >= 0; c--) {
    const v = checks[c].vec(b, rt, null)
    for (let i = 0; i < b.length; i++) if (v[i] === false) out[i] = c
  }
  return out
}

/** RETURNING rows over stored rows laid out by `layout`. */
function* returningBatches(returning: readonly Compiled[], rows: RowStore, rt: Runtime): Generator<Batch, void, undefined> {
  if (returning.length === 0) return
  for (const b of rows.batches()) {
    yield { length: b.length, columns: returning.map((r) => r.vec(b, rt, null)) }
  }
}

export function* runInsert(node: InsertNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => {
    const inputLayout = layoutOf(node.input.output)
    const oc = node.onConflict
    const conflictLayout = oc === null ? null : layoutOf(node.input.output, oc.existingIds.length, idLayout(oc.existingIds))
    return {
      checks: compileAll(node.checks, inputLayout),
      returning: compileAll(node.returning, idLayout(node.rowIds)),
      assignments: oc === null ? [] : oc.assignments.map((a) => ({ ordinal: a.ordinal, expr: compileExpr(a.expr, conflictLayout!) })),
      where: oc === null || oc.where === null ? null : compileExpr(oc.where, conflictLayout!),
    }
  })
  const { table } = node
  const access = rt.ctx.access
  const width = table.columns.length
  // Invariant 1: the whole input is read first (its batches are kept as they are, not copied).
  const input: Batch[] = []
  for (const b of rt.run(node.input)) input.push(b)
  // Rows written, kept only for RETURNING.
  const stored = st.returning.length > 0 ? new RowStore(width) : null
  const oc = node.onConflict
  const touched = oc !== null && oc.action === 'UPDATE' ? new Set<string>() : null
  let count = 0
  for (const b of input) {
    const failing = failingChecks(st.checks, b, rt)
    for (let r = 0; r < b.length; r++) {
      const row = rowOf(b, r, width)
      if (oc !== null) {
        const conflict = access.findConflict(table, row, oc.arbiter)
        if (conflict !== undefined) {
          if (oc.action === 'NOTHING') continue
          const [key, existing] = conflict
          const k = bytesKey(key)
          if (touched!.has(k)) {
            throw new RustyError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
              hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
            })
          }
          const pair: Batch = {
            length: 1,
            columns: [...oc.existingIds.map((_, i) => [existing[i]]), ...b.columns.map((c) => [c[r]])],
          }
          if (st.where !== null && st.where.vec(pair, rt, null)[0] !== true) continue
          const updated = existing.slice()
          for (const a of st.assignments) updated[a.ordinal] = a.expr.vec(pair, rt, null)[0]
          const asInput: Batch = { length: 1, columns: node.input.output.map((_, i) => [i < width ? updated[i] : null]) }
          const fail = failingChecks(st.checks, asInput, rt)
          if (fail !== null && fail[0] >= 0) throw checkFailed(table, node.checkNames, fail[0], updated)
          const newKey = access.update(table, key, updated)
          touched!.add(bytesKey(newKey))
          stored?.appendRow(updated)
          count++
          continue
        }
      }
      if (failing !== null && failing[r] >= 0) throw checkFailed(table, node.checkNames, failing[r], row)
      const key = access.insert(table, row)
      touched?.add(bytesKey(key))
      stored?.appendRow(row)
      count++
    }
  }
  rt.ctx.affectedRows += count
  if (stored !== null) yield* returningBatches(st.returning, stored, rt)
}

/** Row `r` of batch `b`: its first `width` columns, as a new array. */
function rowOf(b: Batch, r: number, width: number): SqlValue[] {
  const row = new Array<SqlValue>(width)
  for (let c = 0; c < width; c++) row[c] = b.columns[c][r]
  return row
}

/** Target rows of UPDATE / DELETE / SELECT ... FOR: their row keys and their input rows (all input columns). */
export interface Targets {
  readonly keys: Uint8Array[]
  readonly rows: RowStore
}

/** Reads `input` and keeps the first row per row key (invariant 2). */
function readTargets(input: PlanNode, keyIndex: number, rt: Runtime): Targets {
  const seen = new Set<string>()
  const keys: Uint8Array[] = []
  const rows = new RowStore(input.output.length)
  for (const b of rt.run(input)) {
    const sel = new Int32Array(b.length)
    let m = 0
    const keyCol = b.columns[keyIndex]
    for (let i = 0; i < b.length; i++) {
      const key = keyCol[i] as Uint8Array
      const k = bytesKey(key)
      if (seen.has(k)) continue
      seen.add(k)
      keys.push(key)
      sel[m++] = i
    }
    if (m > 0) rows.appendRows(b, sel, m)
  }
  return { keys, rows }
}

/**
 * Locks every target row in `mode` (invariant 6). Rows a concurrent commit changed come back from the
 * transaction with their newest version (READ COMMITTED); `input` runs again over that version alone and
 * the row stays only if it still qualifies, with the re-computed input values. SKIP LOCKED drops rows.
 */
export function lockTargets(table: TableDef, input: PlanNode, keyIndex: number, targets: Targets, mode: LockMode, policy: LockPolicy, rt: Runtime): Targets {
  const access = rt.ctx.access
  const { keys, rows } = targets
  let out: Targets | null = null
  for (let r = 0; r < keys.length; r++) {
    const result = access.lockRow(table, keys[r], mode, policy, true)
    if (result.kind === 'current') {
      if (out !== null) {
        out.keys.push(keys[r])
        out.rows.appendRow(rows.row(r))
      }
      continue
    }
    if (out === null) {
      out = { keys: keys.slice(0, r), rows: new RowStore(rows.columns.length) }
      for (let i = 0; i < r; i++) out.rows.appendRow(rows.row(i))
    }
    if (result.kind === 'skipped' || result.row === null) continue
    const again = access.withOverride(table, keys[r], result.row, () => {
      const fresh = rt.fresh()
      for (const b of fresh.run(input)) {
        const keyCol = b.columns[keyIndex]
        for (let i = 0; i < b.length; i++) if (bytesKey(keyCol[i] as Uint8Array) === bytesKey(keys[r])) return b.columns.map((c) => c[i])
      }
      return null
    })
    if (again === null) continue
    out.keys.push(keys[r])
    out.rows.appendRow(again)
  }
  return out ?? targets
}

/**
 * SELECT ... FOR UPDATE / SHARE (plan-node.ts LockRowsNode): locks each row's targets; rows a concurrent
 * commit changed are re-checked over their newest versions (READ COMMITTED), SKIP LOCKED drops rows.
 */
export function* runLockRows(node: LockRowsNode, rt: Runtime): Generator<Batch, void, undefined> {
  const layout = layoutOf(node.input.output)
  const keyIndex = node.targets.map((t) => layout.get(t.keyId)!)
  const access = rt.ctx.access
  const width = node.input.output.length
  for (const b of rt.run(node.input)) {
    const out = new RowStore(width)
    for (let i = 0; i < b.length; i++) {
      let skip = false
      const changed: { table: TableDef; key: Uint8Array; row: SqlValue[] }[] = []
      for (let t = 0; t < node.targets.length; t++) {
        const key = b.columns[keyIndex[t]][i] as Uint8Array | null
        if (key === null) continue // the nullable side of an outer join: no row
        const target = node.targets[t]
        const result = access.lockRow(target.table, key, target.mode, target.policy)
        if (result.kind === 'current') continue
        if (result.kind === 'skipped' || result.row === null) {
          skip = true
          break
        }
        changed.push({ table: target.table, key, row: result.row })
      }
      if (skip) continue
      let row: SqlValue[] | null = b.columns.map((c) => c[i])
      if (changed.length > 0) row = recheckRow(node.input, keyIndex, row, changed, rt)
      if (row === null) continue
      if (node.streaming) {
        yield { length: 1, columns: row.map((v) => [v]) }
        continue
      }
      out.appendRow(row)
    }
    if (out.length > 0) yield out.asBatch()
  }
}

/** `input` re-run over the newest versions of `changed` rows: the output row with the same row keys, or null. */
function recheckRow(input: PlanNode, keyIndex: readonly number[], row: readonly SqlValue[], changed: readonly { table: TableDef; key: Uint8Array; row: SqlValue[] }[], rt: Runtime): SqlValue[] | null {
  const access = rt.ctx.access
  const want = keyIndex.map((k) => (row[k] === null ? null : bytesKey(row[k] as Uint8Array)))
  const run = (level: number): SqlValue[] | null => {
    if (level < changed.length) {
      const c = changed[level]
      return access.withOverride(c.table, c.key, c.row, () => run(level + 1))
    }
    for (const b of rt.fresh().run(input)) {
      for (let i = 0; i < b.length; i++) {
        if (keyIndex.every((k, t) => (b.columns[k][i] === null ? want[t] === null : bytesKey(b.columns[k][i] as Uint8Array) === want[t]))) return b.columns.map((c) => c[i])
      }
    }
    return null
  }
  return run(0)
}

export function* runUpdate(node: UpdateNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => {
    const inputLayout = layoutOf(node.input.output)
    const rowLayout = idLayout(node.rowIds)
    return {
      keyIndex: inputLayout.get(node.keyId)!,
      oldIndex: node.oldIds.map((id) => inputLayout.get(id)!),
      assignments: node.assignments.map((a) => ({ ordinal: a.ordinal, expr: compileExpr(a.expr, inputLayout) })),
      checks: compileAll(node.checks, rowLayout),
      returning: compileAll(node.returning, rowLayout),
    }
  })
  const { table } = node
  const access = rt.ctx.access
  const width = table.columns.length
  const targets = lockTargets(table, node.input, st.keyIndex, readTargets(node.input, st.keyIndex, rt), LockMode.NO_KEY_UPDATE, 'wait', rt)
  const keys = targets.keys
  const rows = new RowStore(width)
  for (const picked of targets.rows.batches()) {
    const cols: (readonly SqlValue[])[] = st.oldIndex.map((c) => picked.columns[c])
    for (const a of st.assignments) cols[a.ordinal] = a.expr.vec(picked, rt, null)
    rows.appendBatch({ length: picked.length, columns: cols })
  }
  const failing = failingChecks(st.checks, rows.asBatch(), rt)
  for (let r = 0; r < rows.length; r++) {
    const row = rows.row(r)
    if (failing !== null && failing[r] >= 0) throw checkFailed(table, node.checkNames, failing[r], row)
    access.update(table, keys[r], row)
  }
  rt.ctx.affectedRows += rows.length
  yield* returningBatches(st.returning, rows, rt)
}

export function* runDelete(node: DeleteNode, rt: Runtime): Generator<Batch, void, undefined> {
  const st = nodeState(node, () => {
    const inputLayout = layoutOf(node.input.output)
    return {
      keyIndex: inputLayout.get(node.keyId)!,
      returning: compileAll(node.returning, inputLayout),
    }
  })
  const access = rt.ctx.access
  const { keys, rows } = lockTargets(node.table, node.input, st.keyIndex, readTargets(node.input, st.keyIndex, rt), LockMode.UPDATE, 'wait', rt)
  for (const key of keys) access.delete(node.table, key)
  rt.ctx.affectedRows += keys.length
  yield* returningBatches(st.returning, rows, rt)
}
