import { describe, expect, it } from 'vitest'
import type { BoundExpr } from '../../engine/plan/bound-expr.js'
import type { PlanNode } from '../../engine/plan/plan-node.js'
import { ROW_KEY } from '../../engine/txn/table-access.js'
import { FakeAccess } from './support/fake-access.js'
import { call, cmpExpr, colRef, INT, lit, makeCtx, pc, plusImpl, runRows, tableDef, TEXT, valuesNode } from './support/plan-kit.js'

const t = tableDef(1, 't', [['id', INT], ['v', INT]], [0], { checks: [{ name: 't_v_check', expr: 'v >= 0' }] })

function setup(rows: (number | null)[][] = [[1, 10], [2, 20]]) {
  const access = new FakeAccess()
  access.addTable(t, rows)
  return { access, ctx: makeCtx(access) }
}

function insertPlan(rows: (number | null)[][], extra: Partial<Extract<PlanNode, { kind: 'Insert' }>> = {}): PlanNode {
  const input = valuesNode(['id', 'v'], rows)
  const rowIds = [pc('id').id, pc('v').id]
  const check: BoundExpr = cmpExpr('>=', colRef(input.output[1]), lit(0))
  return { kind: 'Insert', table: t, input, checks: [check], checkNames: ['t_v_check'], onConflict: null, rowIds, returning: [], output: [], ...extra }
}

/** UPDATE/DELETE input: a scan of all columns plus the row key. */
function scanAll() {
  const id = pc('id')
  const v = pc('v')
  const key = pc('key', TEXT)
  const scan: PlanNode = { kind: 'SeqScan', table: t, columns: [0, 1, ROW_KEY], lower: null, upper: null, reverse: false, filter: null, output: [id, v, key] }
  return { scan, id, v, key }
}

describe('INSERT', () => {
  it('inserts rows and counts them', () => {
    const { access, ctx } = setup([])
    runRows(insertPlan([[1, 5], [2, 6]]), ctx)
    expect(access.rows(t)).toEqual([[1, 5], [2, 6]])
    expect(ctx.affectedRows).toBe(2)
  })

  it('a CHECK that is false raises 23514 naming the table and constraint; NULL passes', () => {
    const { access, ctx } = setup([])
    runRows(insertPlan([[1, null]]), ctx)
    expect(access.rows(t)).toEqual([[1, null]])
    expect(() => runRows(insertPlan([[2, -1]]), ctx)).toThrow(
      expect.objectContaining({ code: '23514', table: 't', constraint: 't_v_check', message: 'new row for relation "t" violates check constraint "t_v_check"' }),
    )
  })

  it('RETURNING evaluates over the stored rows', () => {
    const { ctx } = setup([])
    const rowIds = [pc('id').id, pc('v').id]
    const plan = insertPlan([[7, 1]], { rowIds, returning: [call(plusImpl, { kind: 'Column', id: rowIds[0], type: INT }, { kind: 'Column', id: rowIds[1], type: INT })], output: [pc('s')] })
    expect(runRows(plan, ctx)).toEqual([[8]])
  })

  it('ON CONFLICT DO NOTHING skips conflicting rows', () => {
    const { access, ctx } = setup()
    const plan = insertPlan([[1, 99], [3, 30]], { onConflict: { arbiter: null, action: 'NOTHING', existingIds: [], assignments: [], where: null } })
    runRows(plan, ctx)
    expect(access.rows(t)).toEqual([[1, 10], [2, 20], [3, 30]])
    expect(ctx.affectedRows).toBe(1)
  })

  it('ON CONFLICT DO UPDATE sets columns from the existing and the proposed (EXCLUDED) row', () => {
    const { access, ctx } = setup()
    const input = valuesNode(['id', 'v'], [[1, 5], [4, 40]])
    const existingIds = [pc('id').id, pc('v').id]
    // SET v = t.v + excluded.v
    const plan: PlanNode = {
      kind: 'Insert', table: t, input, checks: [], checkNames: [], rowIds: [pc('a').id, pc('b').id], returning: [], output: [],
      onConflict: {
        arbiter: [0], action: 'UPDATE', existingIds, where: null,
        assignments: [{ ordinal: 1, expr: call(plusImpl, { kind: 'Column', id: existingIds[1], type: INT }, colRef(input.output[1])) }],
      },
    }
    runRows(plan, ctx)
    expect(access.rows(t)).toEqual([[1, 15], [2, 20], [4, 40]])
    expect(ctx.affectedRows).toBe(2)
  })

  it('ON CONFLICT DO UPDATE refuses to touch the same row twice (21000)', () => {
    const { ctx } = setup()
    const input = valuesNode(['id', 'v'], [[1, 5], [1, 6]])
    const existingIds = [pc('id').id, pc('v').id]
    const plan: PlanNode = {
      kind: 'Insert', table: t, input, checks: [], checkNames: [], rowIds: [pc('a').id, pc('b').id], returning: [], output: [],
      onConflict: { arbiter: [0], action: 'UPDATE', existingIds, where: null, assignments: [{ ordinal: 1, expr: colRef(input.output[1]) }] },
    }
    expect(() => runRows(plan, ctx)).toThrow(expect.objectContaining({ code: '21000' }))
  })
})

describe('UPDATE and DELETE', () => {
  it('UPDATE applies assignments, checks the new row and returns it', () => {
    const { access, ctx } = setup()
    const { scan, id, v, key } = scanAll()
    const rowIds = [pc('id').id, pc('v').id]
    const plan: PlanNode = {
      kind: 'Update', table: t, input: scan, keyId: key.id, oldIds: [id.id, v.id],
      assignments: [{ ordinal: 1, expr: call(plusImpl, colRef(v), lit(1)) }], checkNames: ['t_v_check'],
      checks: [cmpExpr('>=', { kind: 'Column', id: rowIds[1], type: INT }, lit(0))], rowIds,
      returning: [{ kind: 'Column', id: rowIds[1], type: INT }], output: [pc('v')],
    }
    expect(runRows(plan, ctx)).toEqual([[11], [21]])
    expect(access.rows(t)).toEqual([[1, 11], [2, 21]])
    expect(ctx.affectedRows).toBe(2)
  })

  it('UPDATE updates each row once even when the input repeats it (UPDATE ... FROM)', () => {
    const { access, ctx } = setup()
    const { scan, id, v, key } = scanAll()
    const dup: PlanNode = { kind: 'SetOp', op: 'UNION', all: true, left: scan, right: scanAll().scan, output: scan.output }
    const plan: PlanNode = {
      kind: 'Update', table: t, input: dup, keyId: key.id, oldIds: [id.id, v.id],
      assignments: [{ ordinal: 1, expr: call(plusImpl, colRef(v), lit(1)) }], checks: [], checkNames: [], rowIds: [pc('a').id, pc('b').id], returning: [], output: [],
    }
    runRows(plan, ctx)
    expect(access.rows(t)).toEqual([[1, 11], [2, 21]])
    expect(ctx.affectedRows).toBe(2)
  })

  it('UPDATE with a failing CHECK raises 23514 and writes nothing', () => {
    const { access, ctx } = setup()
    const { scan, id, v, key } = scanAll()
    const rowIds = [pc('id').id, pc('v').id]
    const plan: PlanNode = {
      kind: 'Update', table: t, input: scan, keyId: key.id, oldIds: [id.id, v.id],
      assignments: [{ ordinal: 1, expr: lit(-5) }], checkNames: ['t_v_check'], checks: [cmpExpr('>=', { kind: 'Column', id: rowIds[1], type: INT }, lit(0))], rowIds, returning: [], output: [],
    }
    expect(() => runRows(plan, ctx)).toThrow(expect.objectContaining({ code: '23514' }))
    expect(access.rows(t)).toEqual([[1, 10], [2, 20]])
  })

  it('DELETE removes the filtered rows and returns them', () => {
    const { access, ctx } = setup([[1, 10], [2, 20], [3, 30]])
    const { scan, id, v, key } = scanAll()
    const filtered: PlanNode = { kind: 'Filter', input: scan, output: scan.output, predicate: cmpExpr('>', colRef(v), lit(15)) }
    const plan: PlanNode = { kind: 'Delete', table: t, input: filtered, keyId: key.id, oldIds: [id.id, v.id], returning: [colRef(id)], output: [pc('id')] }
    expect(runRows(plan, ctx)).toEqual([[2], [3]])
    expect(access.rows(t)).toEqual([[1, 10]])
    expect(ctx.affectedRows).toBe(2)
  })
})

describe('scans', () => {
  it('a sequential scan honours key bounds, reverse order and its filter', () => {
    const { ctx } = setup([[1, 10], [2, 20], [3, 30], [4, 40]])
    const id = pc('id')
    const v = pc('v')
    const plan: PlanNode = {
      kind: 'SeqScan', table: t, columns: [0, 1], output: [id, v], reverse: true,
      lower: { values: [lit(2)], inclusive: true }, upper: { values: [lit(4)], inclusive: false },
      filter: cmpExpr('<>', colRef(v), lit(20)),
    }
    expect(runRows(plan, ctx)).toEqual([[3, 30]])
  })

  it('a bound on NULL returns no rows', () => {
    const { ctx } = setup()
    const id = pc('id')
    const plan: PlanNode = { kind: 'SeqScan', table: t, columns: [0], output: [id], reverse: false, lower: { values: [lit(null)], inclusive: true }, upper: null, filter: null }
    expect(runRows(plan, ctx)).toEqual([])
  })

  it('an index scan returns rows in index order', () => {
    const { ctx } = setup([[1, 30], [2, 10], [3, 20]])
    const index = { id: 9, name: 't_v', schema: 'public', tableId: 1, columns: [{ ordinal: 1, descending: false, nullsFirst: false }], unique: false, constraint: null }
    const id = pc('id')
    const plan: PlanNode = { kind: 'IndexScan', table: t, index, columns: [0], output: [id], reverse: false, lower: { values: [lit(15)], inclusive: true }, upper: null, filter: null }
    expect(runRows(plan, ctx)).toEqual([[3], [1]])
  })
})


