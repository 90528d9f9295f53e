import { describe, expect, it } from 'vitest'
import type { JoinType, PlanNode } from '../../engine/plan/plan-node.js'
import { cmpExpr, colRef, lit, runRows, sorted, valuesNode, and } from './support/plan-kit.js'

/** Reference join over plain arrays: pairs where cond holds, with the JoinType's null extension. */
function reference(type: JoinType, L: (number | null)[][], R: (number | null)[][], cond: (l: (number | null)[], r: (number | null)[]) => boolean) {
  const out: (number | null)[][] = []
  const rightMatched = new Set<number>()
  for (const l of L) {
    let matched = false
    R.forEach((r, j) => {
      if (cond(l, r)) {
        matched = true
        rightMatched.add(j)
        if (type !== 'SEMI' && type !== 'ANTI') out.push([...l, ...r])
      }
    })
    if (type === 'SEMI' && matched) out.push(l)
    if (type === 'ANTI' && !matched) out.push(l)
    if ((type === 'LEFT' || type === 'FULL') && !matched) out.push([...l, ...R[0].map(() => null)])
  }
  if (type === 'RIGHT' || type === 'FULL') R.forEach((r, j) => { if (!rightMatched.has(j)) out.push([...L[0].map(() => null), ...r]) })
  return out
}

const L = Array.from({ length: 700 }, (_, i) => [i % 40 === 0 ? null : i % 37, i])
const R = Array.from({ length: 500 }, (_, i) => [i % 29 === 0 ? null : i % 41, i * 3])
const cond = (l: (number | null)[], r: (number | null)[]) => l[0] !== null && r[0] !== null && l[0] === r[0] && (l[1] as number) % 3 !== (r[1] as number) % 7

describe.each(['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as JoinType[])('%s join over many batches of pairs', (type) => {
  function parts() {
    const left = valuesNode(['k', 'a'], L)
    const right = valuesNode(['k', 'b'], R)
    const [lk, la] = left.output.map(colRef)
    const [rk, rb] = right.output.map(colRef)
    const mod = (e: ReturnType<typeof colRef>, m: number) => ({ kind: 'Call' as const, type: e.type, impl: { name: '%', argTypes: [e.type, e.type], returnType: e.type, strict: true, volatile: false, fn: (a: unknown, b: unknown) => (a as number) % (b as number) }, args: [e, lit(m)] })
    const residual = cmpExpr('<>', mod(la, 3), mod(rb, 7))
    const output = type === 'SEMI' || type === 'ANTI' ? left.output : [...left.output, ...right.output]
    return { left, right, lk, rk, residual, output }
  }

  it('the hash join agrees with a reference join', () => {
    const { left, right, lk, rk, residual, output } = parts()
    const plan: PlanNode = { kind: 'HashJoin', joinType: type, left, right, leftKeys: [lk], rightKeys: [rk], residual, output }
    expect(sorted(runRows(plan))).toEqual(sorted(reference(type, L, R, cond)))
  })

  it('the nested loop join agrees with a reference join', () => {
    const { left, right, lk, rk, residual, output } = parts()
    const plan: PlanNode = { kind: 'NestedLoopJoin', joinType: type, left, right, condition: and(cmpExpr('=', lk, rk), residual), lateral: false, output }
    expect(sorted(runRows(plan))).toEqual(sorted(reference(type, L, R, cond)))
  })
})
