import { describe, expect, it } from 'vitest'
import type { BoundExpr } from '../../engine/plan/bound-expr.js'
import type { PlanNode } from '../../engine/plan/plan-node.js'
import { BOOL, cmpExpr, colRef, INT, lit, makeCtx, opImpl, outerRef, pc, runRows, valuesNode } from './support/plan-kit.js'

/** SELECT x, <expr> FROM (VALUES ...) */
function project(rows: (number | null)[][], make: (x: ReturnType<typeof pc>) => BoundExpr): PlanNode {
  const inp = valuesNode(['x'], rows)
  const expr = make(inp.output[0])
  return { kind: 'Project', input: inp, exprs: [colRef(inp.output[0]), expr], output: [pc('x'), pc('e', expr.type)] }
}

/** A counting inner plan: VALUES (1), (2), (NULL) filtered by v > outer x when correlated. */
function inner(correlateWith: ReturnType<typeof pc> | null, counter: { runs: number }, values: (number | null)[][] = [[1], [2], [null]]): PlanNode {
  const v = pc('v')
  const scan: PlanNode = {
    kind: 'FunctionScan', name: 'vals', output: [v], args: [],
    fn: () => { counter.runs++; return values },
  }
  if (correlateWith === null) return scan
  return { kind: 'Filter', input: scan, output: scan.output, predicate: cmpExpr('>', colRef(v), outerRef(correlateWith)) }
}

describe('subqueries', () => {
  it('an uncorrelated scalar subquery runs once per execution', () => {
    const counter = { runs: 0 }
    const plan = project([[1], [2], [3]], () => ({ kind: 'Subquery', type: INT, plan: inner(null, counter, [[42]]), outerRefs: [] }))
    expect(runRows(plan).map((r) => r[1])).toEqual([42, 42, 42])
    expect(counter.runs).toBe(1)
  })

  it('a scalar subquery with no row is NULL and with two rows is 21000', () => {
    const empty = project([[1]], () => ({ kind: 'Subquery', type: INT, plan: inner(null, { runs: 0 }, []), outerRefs: [] }))
    expect(runRows(empty)).toEqual([[1, null]])
    const two = project([[1]], () => ({ kind: 'Subquery', type: INT, plan: inner(null, { runs: 0 }, [[1], [2]]), outerRefs: [] }))
    expect(() => runRows(two)).toThrow(expect.objectContaining({ code: '21000' }))
  })

  it('a correlated subquery binds the outer row and caches per distinct outer value', () => {
    const counter = { runs: 0 }
    const plan = project([[0], [1], [0], [5]], (x) => ({ kind: 'Exists', type: BOOL, negated: false, plan: inner(x, counter), outerRefs: [x.id] }))
    expect(runRows(plan).map((r) => r[1])).toEqual([true, true, true, false])
    expect(counter.runs).toBe(3)
  })

  it('NOT EXISTS negates', () => {
    const plan = project([[0], [5]], (x) => ({ kind: 'Exists', type: BOOL, negated: true, plan: inner(x, { runs: 0 }), outerRefs: [x.id] }))
    expect(runRows(plan).map((r) => r[1])).toEqual([false, true])
  })

  it('IN (subquery) is NULL when there is no match but the subquery has a NULL', () => {
    const plan = project([[1], [3], [null]], () => ({ kind: 'Quantified', type: BOOL, quantifier: 'ANY', op: opImpl('='), arg: lit(0), plan: inner(null, { runs: 0 }), outerRefs: [] }))
    const inp = (plan as { input: PlanNode }).input
    const x = colRef(inp.output[0])
    const exprs = (plan as unknown as { exprs: BoundExpr[] }).exprs
    const q = { ...(exprs[1] as object), arg: x } as BoundExpr
    const p2 = { ...(plan as object), exprs: [exprs[0], q] } as unknown as PlanNode
    expect(runRows(p2).map((r) => r[1])).toEqual([true, null, null])
  })

  it('= ANY over an empty subquery is false even for NULL, and <> ALL is true', () => {
    const anyPlan = project([[null], [1]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ANY', op: opImpl('='), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }, []), outerRefs: [] }))
    expect(runRows(anyPlan).map((r) => r[1])).toEqual([false, false])
    const allPlan = project([[null], [1]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ALL', op: opImpl('<>'), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }, []), outerRefs: [] }))
    expect(runRows(allPlan).map((r) => r[1])).toEqual([true, true])
  })

  it('NOT IN (<> ALL) follows three-valued logic', () => {
    const plan = project([[1], [3], [null]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ALL', op: opImpl('<>'), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }, [[1], [2]]), outerRefs: [] }))
    expect(runRows(plan).map((r) => r[1])).toEqual([false, true, null])
    const withNull = project([[3]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ALL', op: opImpl('<>'), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }), outerRefs: [] }))
    expect(runRows(withNull).map((r) => r[1])).toEqual([null])
  })

  it('> ALL and < ANY compare with every row', () => {
    const gtAll = project([[5], [2]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ALL', op: opImpl('>'), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }, [[1], [2]]), outerRefs: [] }))
    expect(runRows(gtAll).map((r) => r[1])).toEqual([true, false])
    const ltAny = project([[0], [2]], (x) => ({ kind: 'Quantified', type: BOOL, quantifier: 'ANY', op: opImpl('<'), arg: { kind: 'Column', id: x.id, type: INT }, plan: inner(null, { runs: 0 }, [[1], [2]]), outerRefs: [] }))
    expect(runRows(ltAny).map((r) => r[1])).toEqual([true, false])
  })

  it('a correlated subquery inside a filter sees each row', () => {
    const inp = valuesNode(['x'], [[0], [1], [2], [3]])
    const x = inp.output[0]
    const exists: BoundExpr = { kind: 'Exists', type: BOOL, negated: false, plan: inner(x, { runs: 0 }), outerRefs: [x.id] }
    expect(runRows({ kind: 'Filter', input: inp, output: inp.output, predicate: exists })).toEqual([[0], [1]])
  })

  it('a subquery nested in a correlated subquery reads the outermost row through the outer bindings', () => {
    // SELECT x, (SELECT count-ish: EXISTS (SELECT 1 FROM vals WHERE v > x) FROM one row) FROM (VALUES 0, 2)
    const inp = valuesNode(['x'], [[0], [2]])
    const x = inp.output[0]
    const innermost: BoundExpr = { kind: 'Exists', type: BOOL, negated: false, plan: inner(x, { runs: 0 }), outerRefs: [x.id] }
    const middle: PlanNode = { kind: 'Project', input: { kind: 'Values', output: [], rows: [[]] }, exprs: [innermost], output: [pc('e', BOOL)] }
    const plan: PlanNode = { kind: 'Project', input: inp, exprs: [colRef(x), { kind: 'Subquery', type: BOOL, plan: middle, outerRefs: [x.id] }], output: [pc('x'), pc('s', BOOL)] }
    expect(runRows(plan)).toEqual([[0, true], [2, false]])
  })

  it('uncorrelated subquery results are cached per execution, not across executions', () => {
    const v = pc('v')
    const paramPlan: PlanNode = { kind: 'Values', output: [v], rows: [[{ kind: 'Param', index: 0, type: INT }]] }
    const plan = project([[1]], () => ({ kind: 'Subquery', type: INT, plan: paramPlan, outerRefs: [] }))
    expect(runRows(plan, makeCtx(undefined, { params: [5] }))).toEqual([[1, 5]])
    expect(runRows(plan, makeCtx(undefined, { params: [6] }))).toEqual([[1, 6]])
  })
})

