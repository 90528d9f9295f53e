import { describe, expect, it } from 'vitest'
import type { JoinType, PlanNode } from '../../engine/plan/plan-node.js'
import { ROW_KEY } from '../../engine/txn/table-access.js'
import { FakeAccess } from './support/fake-access.js'
import { cmpExpr, colRef, INT, lit, makeCtx, outerRef, pc, runRows, sorted, tableDef, valuesNode } from './support/plan-kit.js'

// left (id, a): (1, 10) (2, 20) (3, NULL) (4, 40);  right (k, b): (1, 'x') (1, 'y') (3, 'z') (NULL, 'n') (5, 'w')
function sides() {
  const left = valuesNode(['id', 'a'], [[1, 10], [2, 20], [3, null], [4, 40]])
  const right = valuesNode(['k', 'b'], [[1, 100], [1, 101], [3, 300], [null, 999], [5, 500]])
  return { left, right }
}

function hashJoin(joinType: JoinType, residual = false): PlanNode {
  const { left, right } = sides()
  const output = joinType === 'SEMI' || joinType === 'ANTI' ? left.output : [...left.output, ...right.output]
  return {
    kind: 'HashJoin', joinType, left, right, output,
    leftKeys: [colRef(left.output[0])], rightKeys: [colRef(right.output[0])],
    residual: residual ? cmpExpr('<>', colRef(right.output[1]), lit(101)) : null,
  }
}

function nestedLoop(joinType: JoinType, withCondition = true): PlanNode {
  const { left, right } = sides()
  const output = joinType === 'SEMI' || joinType === 'ANTI' ? left.output : [...left.output, ...right.output]
  return {
    kind: 'NestedLoopJoin', joinType, left, right, output, lateral: false,
    condition: withCondition ? cmpExpr('=', colRef(left.output[0]), colRef(right.output[0])) : null,
  }
}

const INNER = [[1, 10, 1, 100], [1, 10, 1, 101], [3, null, 3, 300]]
const LEFT = [...INNER, [2, 20, null, null], [4, 40, null, null]]
const RIGHT = [...INNER, [null, null, null, 999], [null, null, 5, 500]]
const FULL = [...LEFT, [null, null, null, 999], [null, null, 5, 500]]

describe.each([
  ['hash join', hashJoin],
  ['nested loop join', (t: JoinType) => nestedLoop(t)],
])('%s', (_name, make) => {
  it('INNER returns matching pairs and never matches NULL keys', () => {
    expect(sorted(runRows(make('INNER')))).toEqual(sorted(INNER))
  })
  it('LEFT null-extends unmatched left rows', () => {
    expect(sorted(runRows(make('LEFT')))).toEqual(sorted(LEFT))
  })
  it('RIGHT null-extends unmatched right rows, including the NULL key', () => {
    expect(sorted(runRows(make('RIGHT')))).toEqual(sorted(RIGHT))
  })
  it('FULL returns matches plus unmatched rows of both sides', () => {
    expect(sorted(runRows(make('FULL')))).toEqual(sorted(FULL))
  })
  it('SEMI returns each matching left row once', () => {
    expect(sorted(runRows(make('SEMI')))).toEqual(sorted([[1, 10], [3, null]]))
  })
  it('ANTI returns the left rows without a match', () => {
    expect(sorted(runRows(make('ANTI')))).toEqual(sorted([[2, 20], [4, 40]]))
  })
})

describe('hash join residuals', () => {
  it('a residual that rejects every pair of a left row makes LEFT null-extend it', () => {
    const { left, right } = sides()
    const plan: PlanNode = {
      kind: 'HashJoin', joinType: 'LEFT', left, right, output: [...left.output, ...right.output],
      leftKeys: [colRef(left.output[0])], rightKeys: [colRef(right.output[0])],
      residual: cmpExpr('>', colRef(right.output[1]), lit(200)),
    }
    expect(sorted(runRows(plan))).toEqual(sorted([[1, 10, null, null], [2, 20, null, null], [3, null, 3, 300], [4, 40, null, null]]))
  })

  it('SEMI and ANTI apply the residual before deciding', () => {
    expect(sorted(runRows(hashJoin('SEMI', true)))).toEqual(sorted([[1, 10], [3, null]]))
    const { left, right } = sides()
    const anti: PlanNode = {
      kind: 'HashJoin', joinType: 'ANTI', left, right, output: left.output,
      leftKeys: [colRef(left.output[0])], rightKeys: [colRef(right.output[0])],
      residual: cmpExpr('>', colRef(right.output[1]), lit(200)),
    }
    expect(sorted(runRows(anti))).toEqual(sorted([[1, 10], [2, 20], [4, 40]]))
  })

  it('RIGHT counts a build row as matched only when the residual passes', () => {
    expect(sorted(runRows(hashJoin('RIGHT', true)))).toEqual(sorted([[1, 10, 1, 100], [3, null, 3, 300], [null, null, 1, 101], [null, null, null, 999], [null, null, 5, 500]]))
  })

  it('an empty build side gives no rows for INNER and all left rows for LEFT and ANTI', () => {
    const left = valuesNode(['id'], [[1], [2]])
    const right = valuesNode(['k'], [])
    const mk = (joinType: JoinType): PlanNode => ({
      kind: 'HashJoin', joinType, left, right, output: joinType === 'ANTI' ? left.output : [...left.output, ...right.output],
      leftKeys: [colRef(left.output[0])], rightKeys: [colRef(right.output[0])], residual: null,
    })
    expect(runRows(mk('INNER'))).toEqual([])
    expect(sorted(runRows(mk('LEFT')))).toEqual([[1, null], [2, null]])
    expect(sorted(runRows(mk('ANTI')))).toEqual([[1], [2]])
  })

  it('joins on two keys with many duplicates produce every pair across batch boundaries', () => {
    const rowsL = Array.from({ length: 50 }, (_, i) => [i % 5, i % 2])
    const rowsR = Array.from({ length: 60 }, (_, i) => [i % 5, i % 2])
    const left = valuesNode(['a', 'b'], rowsL)
    const right = valuesNode(['c', 'd'], rowsR)
    const plan: PlanNode = {
      kind: 'HashJoin', joinType: 'INNER', left, right, output: [...left.output, ...right.output],
      leftKeys: [colRef(left.output[0]), colRef(left.output[1])], rightKeys: [colRef(right.output[0]), colRef(right.output[1])], residual: null,
    }
    let expected = 0
    for (const l of rowsL) for (const r of rowsR) if (l[0] === r[0] && l[1] === r[1]) expected++
    const rows = runRows(plan)
    expect(rows.length).toBe(expected)
    expect(rows.every((r) => r[0] === r[2] && r[1] === r[3])).toBe(true)
  })
})

describe('nested loop join', () => {
  it('without a condition is a cross join', () => {
    expect(runRows(nestedLoop('INNER', false)).length).toBe(20)
  })

  it('LATERAL re-runs the right side per left row with the left columns bound', () => {
    const left = valuesNode(['n'], [[1], [2], [0]])
    const n = left.output[0]
    const rc = pc('m')
    // right: VALUES (n * 1), (n + 10) → via Values with outer refs
    const right: PlanNode = { kind: 'Values', output: [rc], rows: [[outerRef(n)], [{ kind: 'Call', type: INT, impl: { name: '+', argTypes: [INT, INT], returnType: INT, strict: true, volatile: false, fn: (a, b) => (a as number) + (b as number) }, args: [outerRef(n), lit(10)] }]] }
    const filteredRight: PlanNode = { kind: 'Filter', input: right, output: right.output, predicate: cmpExpr('>', colRef(rc), lit(1)) }
    const plan: PlanNode = { kind: 'NestedLoopJoin', joinType: 'LEFT', left, right: filteredRight, output: [n, rc], condition: null, lateral: true }
    expect(runRows(plan)).toEqual([[1, 11], [2, 2], [2, 12], [0, 10]])
  })
})

describe('index join', () => {
  const t = tableDef(7, 'r', [['k', INT], ['v', INT]], [0])

  function setup() {
    const access = new FakeAccess()
    access.addTable(t, [[1, 100], [3, 300], [4, 400]])
    const left = valuesNode(['id'], [[1], [2], [3], [null]])
    return { access, left }
  }

  it('INNER looks each left key up by primary key', () => {
    const { access, left } = setup()
    const k = pc('k')
    const v = pc('v')
    const plan: PlanNode = { kind: 'IndexJoin', joinType: 'INNER', left, table: t, index: null, keys: [colRef(left.output[0])], columns: [0, 1], residual: null, output: [...left.output, k, v] }
    expect(runRows(plan, makeCtx(access))).toEqual([[1, 1, 100], [3, 3, 300]])
  })

  it('LEFT null-extends misses and NULL keys; the residual sees the right columns', () => {
    const { access, left } = setup()
    const k = pc('k')
    const v = pc('v')
    const plan: PlanNode = {
      kind: 'IndexJoin', joinType: 'LEFT', left, table: t, index: null, keys: [colRef(left.output[0])], columns: [0, 1],
      residual: cmpExpr('>', colRef(v), lit(150)), output: [...left.output, k, v],
    }
    expect(runRows(plan, makeCtx(access))).toEqual([[3, 3, 300], [1, null, null], [2, null, null], [null, null, null]])
  })

  it('SEMI and ANTI through a secondary index scan (with the row key column)', () => {
    const { access, left } = setup()
    const index = { id: 70, name: 'r_v', schema: 'public', tableId: 7, columns: [{ ordinal: 0, descending: false, nullsFirst: false }], unique: false, constraint: null }
    const mk = (joinType: JoinType): PlanNode => ({ kind: 'IndexJoin', joinType, left, table: t, index, keys: [colRef(left.output[0])], columns: [ROW_KEY, 1], residual: null, output: left.output })
    expect(runRows(mk('SEMI'), makeCtx(access))).toEqual([[1], [3]])
    expect(runRows(mk('ANTI'), makeCtx(access))).toEqual([[2], [null]])
  })
})
