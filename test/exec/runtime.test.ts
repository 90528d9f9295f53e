import { describe, expect, it } from 'vitest'
import type { PlanNode } from '../../engine/plan/plan-node.js'
import type { NodeStats } from '../../engine/exec/index.js'
import { cmpExpr, colRef, lit, makeCtx, pc, runRows, valuesNode } from './support/plan-kit.js'

describe('execution runtime', () => {
  it('records rows and loops per node when stats are requested', () => {
    const inp = valuesNode(['x'], Array.from({ length: 2000 }, (_, i) => [i]))
    const filter: PlanNode = { kind: 'Filter', input: inp, output: inp.output, predicate: cmpExpr('<', colRef(inp.output[0]), lit(1500)) }
    const stats = new Map<PlanNode, NodeStats>()
    runRows(filter, makeCtx(undefined, { stats }))
    expect(stats.get(inp)).toMatchObject({ rows: 2000, loops: 1 })
    expect(stats.get(filter)).toMatchObject({ rows: 1500, loops: 1 })
    expect(stats.get(filter)!.timeMs).toBeGreaterThanOrEqual(0)
  })

  it('a passed deadline cancels with 57014', () => {
    const out = pc('x')
    const endless: PlanNode = { kind: 'FunctionScan', name: 'endless', output: [out], args: [], fn: function* () { for (;;) yield [1] } }
    expect(() => runRows(endless, makeCtx(undefined, { deadline: Date.now() - 1 }))).toThrow(expect.objectContaining({ code: '57014' }))
  })

  it('a plan runs many times with the same results (compiled state is reused)', () => {
    const inp = valuesNode(['x'], [[1], [2], [3]])
    const p: PlanNode = { kind: 'Filter', input: inp, output: inp.output, predicate: cmpExpr('>', colRef(inp.output[0]), { kind: 'Param', index: 0, type: inp.output[0].type }) }
    expect(runRows(p, makeCtx(undefined, { params: [1] }))).toEqual([[2], [3]])
    expect(runRows(p, makeCtx(undefined, { params: [2] }))).toEqual([[3]])
  })

  it('SELECT without FROM is one row of no columns', () => {
    const one: PlanNode = { kind: 'Values', output: [], rows: [[]] }
    const proj: PlanNode = { kind: 'Project', input: one, exprs: [lit(7)], output: [pc('c')] }
    expect(runRows(proj)).toEqual([[7]])
  })

  it('a function scan batches the rows its function yields', () => {
    const out = pc('n')
    const plan: PlanNode = { kind: 'FunctionScan', name: 'generate_series', output: [out], args: [lit(1), lit(3000)], fn: function* (args) { for (let i = args[0] as number; i <= (args[1] as number); i++) yield [i] } }
    const rows = runRows(plan)
    expect(rows.length).toBe(3000)
    expect(rows[2999]).toEqual([3000])
  })
})

describe('evaluateScalar', () => {
  it('evaluates a constant expression with parameters', async () => {
    const { evaluateScalar } = await import('../../engine/exec/index.js')
    const { call, plusImpl, INT } = await import('./support/plan-kit.js')
    expect(evaluateScalar(call(plusImpl, lit(2), { kind: 'Param', index: 0, type: INT }), makeCtx(undefined, { params: [40] }))).toBe(42)
  })
})
