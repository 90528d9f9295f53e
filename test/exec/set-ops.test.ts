import { describe, expect, it } from 'vitest'
import type { PlanNode, SetOpNode } from '../../engine/plan/plan-node.js'
import { asc, call, cmpExpr, colRef, lit, newId, pc, plusImpl, runRows, sorted, valuesNode } from './support/plan-kit.js'

const L = [[1], [1], [1], [2], [null], [null], [3]]
const R = [[1], [2], [2], [null], [4]]

function setOp(op: SetOpNode['op'], all: boolean): PlanNode {
  const left = valuesNode(['x'], L)
  const right = valuesNode(['x'], R)
  return { kind: 'SetOp', op, all, left, right, output: left.output }
}

describe('set operations', () => {
  it('UNION ALL keeps every row of both sides', () => {
    expect(runRows(setOp('UNION', true)).length).toBe(12)
  })
  it('UNION removes duplicates, treating NULLs as equal', () => {
    expect(sorted(runRows(setOp('UNION', false)))).toEqual(sorted([[1], [2], [null], [3], [4]]))
  })
  it('INTERSECT returns each common row once', () => {
    expect(sorted(runRows(setOp('INTERSECT', false)))).toEqual(sorted([[1], [2], [null]]))
  })
  it('INTERSECT ALL returns min(m, n) copies', () => {
    expect(sorted(runRows(setOp('INTERSECT', true)))).toEqual(sorted([[1], [2], [null]]))
  })
  it('EXCEPT returns distinct left rows missing on the right', () => {
    expect(sorted(runRows(setOp('EXCEPT', false)))).toEqual(sorted([[3]]))
  })
  it('EXCEPT ALL returns max(m - n, 0) copies', () => {
    expect(sorted(runRows(setOp('EXCEPT', true)))).toEqual(sorted([[1], [1], [null], [3]]))
  })
})

describe('distinct', () => {
  it('DISTINCT removes duplicate rows with NULLs equal', () => {
    const inp = valuesNode(['a', 'b'], [[1, null], [1, null], [1, 2], [null, 2], [null, 2]])
    expect(runRows({ kind: 'Distinct', input: inp, output: inp.output, on: [] })).toEqual([[1, null], [1, 2], [null, 2]])
  })
  it('DISTINCT ON keeps the first row of each key in input order', () => {
    const inp = valuesNode(['k', 'v'], [[1, 10], [1, 11], [2, 20], [null, 30], [2, 21], [null, 31]])
    const sort: PlanNode = { kind: 'Sort', input: inp, output: inp.output, keys: [asc(colRef(inp.output[0]))] }
    expect(runRows({ kind: 'Distinct', input: sort, output: inp.output, on: [colRef(inp.output[0])] })).toEqual([[1, 10], [2, 20], [null, 30]])
  })
})

describe('common table expressions', () => {
  it('a CTE read twice is computed once', () => {
    let calls = 0
    const cteId = newId()
    const x = pc('x')
    const source: PlanNode = { kind: 'FunctionScan', name: 'f', output: [x], args: [], fn: () => { calls++; return [[1], [2]] } }
    const a = pc('a')
    const b = pc('b')
    const join: PlanNode = { kind: 'NestedLoopJoin', joinType: 'INNER', lateral: false, condition: null, left: { kind: 'CteScan', cteId, output: [a] }, right: { kind: 'CteScan', cteId, output: [b] }, output: [a, b] }
    const plan: PlanNode = { kind: 'With', ctes: [{ id: cteId, plan: source }], input: join, output: join.output }
    expect(runRows(plan).length).toBe(4)
    expect(calls).toBe(1)
  })

  it('WITH RECURSIVE UNION ALL counts to 10 and stops when an iteration is empty', () => {
    const cteId = newId()
    const n = pc('n')
    const anchor = valuesNode(['n'], [[1]])
    const scanOut = pc('n')
    const scan: PlanNode = { kind: 'CteScan', cteId, output: [scanOut] }
    const filter: PlanNode = { kind: 'Filter', input: scan, output: scan.output, predicate: cmpExpr('<', colRef(scanOut), lit(10)) }
    const next = pc('n')
    const recursive: PlanNode = { kind: 'Project', input: filter, exprs: [call(plusImpl, colRef(scanOut), lit(1))], output: [next] }
    const ru: PlanNode = { kind: 'RecursiveUnion', cteId, all: true, anchor, recursive, output: [n] }
    const outer = pc('n')
    const plan: PlanNode = { kind: 'With', ctes: [{ id: cteId, plan: ru }], input: { kind: 'CteScan', cteId, output: [outer] }, output: [outer] }
    expect(runRows(plan).map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('WITH RECURSIVE UNION stops on a cycle because seen rows are dropped', () => {
    // n -> (n + 1) % 3 cycles 0, 1, 2, 0, ...
    const cteId = newId()
    const anchor = valuesNode(['n'], [[0]])
    const s = pc('n')
    const mod3 = { name: '%', argTypes: [s.type, s.type], returnType: s.type, strict: true, volatile: false, fn: (a: unknown, b: unknown) => (a as number) % (b as number) }
    const recursive: PlanNode = {
      kind: 'Project', input: { kind: 'CteScan', cteId, output: [s] },
      exprs: [call(mod3, call(plusImpl, colRef(s), lit(1)), lit(3))], output: [pc('n')],
    }
    const ru: PlanNode = { kind: 'RecursiveUnion', cteId, all: false, anchor, recursive, output: [pc('n')] }
    const outer = pc('n')
    const plan: PlanNode = { kind: 'With', ctes: [{ id: cteId, plan: ru }], input: { kind: 'CteScan', cteId, output: [outer] }, output: [outer] }
    expect(runRows(plan).map((r) => r[0])).toEqual([0, 1, 2])
  })

  it('LIMIT over an endless recursive CTE terminates', () => {
    const cteId = newId()
    const anchor = valuesNode(['n'], [[1]])
    const s = pc('n')
    const recursive: PlanNode = { kind: 'Project', input: { kind: 'CteScan', cteId, output: [s] }, exprs: [call(plusImpl, colRef(s), lit(1))], output: [pc('n')] }
    const ru: PlanNode = { kind: 'RecursiveUnion', cteId, all: true, anchor, recursive, output: [pc('n')] }
    const outer = pc('n')
    const scan: PlanNode = { kind: 'CteScan', cteId, output: [outer] }
    const limit: PlanNode = { kind: 'Limit', input: scan, output: scan.output, limit: lit(5), offset: null }
    const plan: PlanNode = { kind: 'With', ctes: [{ id: cteId, plan: ru }], input: limit, output: [outer] }
    expect(runRows(plan).map((r) => r[0])).toEqual([1, 2, 3, 4, 5])
  })
})

describe('data-modifying CTEs', () => {
  it('a DELETE in WITH runs even when the main query never reads it', async () => {
    const { FakeAccess } = await import('./support/fake-access.js')
    const { makeCtx, tableDef, INT } = await import('./support/plan-kit.js')
    const { ROW_KEY } = await import('../../engine/txn/table-access.js')
    const t = tableDef(3, 'd', [['id', INT]], [0])
    const access = new FakeAccess()
    access.addTable(t, [[1], [2]])
    const id = pc('id')
    const key = pc('key')
    const scan: PlanNode = { kind: 'SeqScan', table: t, columns: [0, ROW_KEY], lower: null, upper: null, reverse: false, filter: null, output: [id, key] }
    const del: PlanNode = { kind: 'Delete', table: t, input: scan, keyId: key.id, oldIds: [id.id], returning: [], output: [] }
    const one = valuesNode(['x'], [[1]])
    const plan: PlanNode = { kind: 'With', ctes: [{ id: newId(), plan: del }], input: one, output: one.output }
    const ctx = makeCtx(access)
    expect(runRows(plan, ctx)).toEqual([[1]])
    expect(access.rows(t)).toEqual([])
    expect(ctx.affectedRows).toBe(2)
  })
})
