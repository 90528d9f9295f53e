import { describe, expect, it } from 'vitest'
import type { AggregateCall, PlanNode } from '../../engine/plan/plan-node.js'
import { arrayAgg, asc, BIG, cmpExpr, colRef, countAny, countStar, desc, lit, maxInt, pc, runRows, sorted, sumInt, valuesNode } from './support/plan-kit.js'
import type { AggregateImpl } from '../../engine/catalog/functions/function-types.js'

function agg(fn: AggregateImpl, args: AggregateCall['args'], extra: Partial<AggregateCall> = {}): AggregateCall {
  return { fn, args, distinct: false, filter: null, orderBy: [], ...extra }
}

// (g, x): g groups, x values with NULLs and duplicates.
const input = () => valuesNode(['g', 'x'], [[1, 5], [2, 7], [1, null], [1, 5], [null, 3], [2, 1], [null, 4]])

function aggregate(groupBy: boolean, calls: (cols: ReturnType<typeof colRef>[]) => AggregateCall[]): PlanNode {
  const inp = input()
  const cols = inp.output.map(colRef)
  const aggregates = calls(cols)
  return {
    kind: 'Aggregate', input: inp, groupBy: groupBy ? [cols[0]] : [], aggregates,
    output: [...(groupBy ? [pc('g')] : []), ...aggregates.map((a) => pc(a.fn.name, a.fn.returnType))],
  }
}

describe('hash aggregation', () => {
  it('groups rows, with NULL keys forming one group', () => {
    const rows = runRows(aggregate(true, ([, x]) => [agg(countStar, []), agg(countAny, [x]), agg(sumInt, [x]), agg(maxInt, [x])]))
    expect(sorted(rows)).toEqual(sorted([
      [1, 3n, 2n, 10n, 5],
      [2, 2n, 2n, 8n, 7],
      [null, 2n, 2n, 7n, 4],
    ]))
  })

  it('without GROUP BY returns one row for empty input: count 0, sum NULL', () => {
    const empty = valuesNode(['x'], [])
    const x = colRef(empty.output[0])
    const plan: PlanNode = {
      kind: 'Aggregate', input: empty, groupBy: [], aggregates: [agg(countStar, []), agg(sumInt, [x]), agg(maxInt, [x])],
      output: [pc('c', BIG), pc('s', BIG), pc('m')],
    }
    expect(runRows(plan)).toEqual([[0n, null, null]])
  })

  it('with GROUP BY returns no rows for empty input', () => {
    const empty = valuesNode(['g'], [])
    const plan: PlanNode = { kind: 'Aggregate', input: empty, groupBy: [colRef(empty.output[0])], aggregates: [agg(countStar, [])], output: [pc('g'), pc('c', BIG)] }
    expect(runRows(plan)).toEqual([])
  })

  it('DISTINCT aggregates step each distinct value once', () => {
    const rows = runRows(aggregate(true, ([, x]) => [agg(countAny, [x], { distinct: true }), agg(sumInt, [x], { distinct: true })]))
    expect(sorted(rows)).toEqual(sorted([[1, 1n, 5n], [2, 2n, 8n], [null, 2n, 7n]]))
  })

  it('FILTER skips rows where the condition is not true', () => {
    const rows = runRows(aggregate(false, ([g, x]) => [agg(countStar, [], { filter: cmpExpr('=', g, lit(1)) }), agg(sumInt, [x], { filter: cmpExpr('>', x, lit(4)) })]))
    expect(rows).toEqual([[3n, 17n]])
  })

  it('ORDER BY inside an aggregate steps rows in that order, NULLs included for a non-strict aggregate', () => {
    const rows = runRows(aggregate(false, ([, x]) => [agg(arrayAgg, [x], { orderBy: [desc(x, false)] })]))
    expect(rows).toEqual([[[7, 5, 5, 4, 3, 1, null]]])
  })

  it('DISTINCT with ORDER BY dedupes after sorting', () => {
    const rows = runRows(aggregate(false, ([, x]) => [agg(arrayAgg, [x], { distinct: true, orderBy: [asc(x, true)] })]))
    expect(rows).toEqual([[[null, 1, 3, 4, 5, 7]]])
  })

  it('int sums stay exact beyond 2^53', () => {
    const big = 2_000_000_000
    const rows = Array.from({ length: 5000 }, () => [big])
    const inp = valuesNode(['x'], rows)
    const plan: PlanNode = { kind: 'Aggregate', input: inp, groupBy: [], aggregates: [agg(sumInt, [colRef(inp.output[0])])], output: [pc('s', BIG)] }
    expect(runRows(plan)).toEqual([[BigInt(big) * 5000n]])
  })

  it('groups by two columns', () => {
    const inp = valuesNode(['a', 'b'], [[1, 1], [1, 2], [1, 1], [null, 1], [null, 1]])
    const [a, b] = inp.output.map(colRef)
    const plan: PlanNode = { kind: 'Aggregate', input: inp, groupBy: [a, b], aggregates: [agg(countStar, [])], output: [pc('a'), pc('b'), pc('c', BIG)] }
    expect(sorted(runRows(plan))).toEqual(sorted([[1, 1, 2n], [1, 2, 1n], [null, 1, 2n]]))
  })

  it('handles more groups than a batch', () => {
    const inp = valuesNode(['g'], Array.from({ length: 3000 }, (_, i) => [i % 2500]))
    const plan: PlanNode = { kind: 'Aggregate', input: inp, groupBy: [colRef(inp.output[0])], aggregates: [agg(countStar, [])], output: [pc('g'), pc('c', BIG)] }
    const rows = runRows(plan)
    expect(rows.length).toBe(2500)
    expect(rows.filter((r) => r[1] === 2n).length).toBe(500)
  })
})


