import { describe, expect, it } from 'vitest'
import type { AggregateImpl } from '../../engine/catalog/functions/function-types.js'
import type { BoundExpr } from '../../engine/plan/bound-expr.js'
import type { FrameBound, WindowCall, WindowFrame, WindowFunctionName, PlanNode } from '../../engine/plan/plan-node.js'
import { asc, BIG, colRef, countAny, FLOAT, INT, lit, movingSum, pc, plainSum, runRows, valuesNode } from './support/plan-kit.js'

const UNB_PREC: FrameBound = { type: 'UNBOUNDED PRECEDING', offset: null }
const UNB_FOLL: FrameBound = { type: 'UNBOUNDED FOLLOWING', offset: null }
const CURRENT: FrameBound = { type: 'CURRENT ROW', offset: null }
const prec = (n: number): FrameBound => ({ type: 'PRECEDING', offset: lit(n) })
const foll = (n: number): FrameBound => ({ type: 'FOLLOWING', offset: lit(n) })
const DEFAULT: WindowFrame = { mode: 'RANGE', start: UNB_PREC, end: CURRENT, exclusion: 'NO OTHERS' }

// (p, o, v): partitions 1 and 2; ordered by o with ties.
const data = () => valuesNode(['p', 'o', 'v'], [[1, 1, 10], [1, 2, 20], [1, 2, 30], [1, 4, 40], [2, 1, 5], [2, 3, null], [1, 7, 70]])

function windowPlan(make: (cols: BoundExpr[]) => Omit<WindowCall, 'type'> & { type?: WindowCall['type'] }): { plan: PlanNode } {
  const inp = data()
  const cols = inp.output.map(colRef)
  const w = make(cols)
  const call: WindowCall = { type: BIG, ...w }
  return { plan: { kind: 'Window', input: inp, functions: [call], output: [...inp.output, pc('w', call.type)] } }
}

/** Runs and returns [p, o, v, w] rows, sorted by (p, o, v) for stable expectations. */
function run(make: Parameters<typeof windowPlan>[0]): (number | bigint | null)[][] {
  const rows = runRows(windowPlan(make).plan) as (number | bigint | null)[][]
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || ((a[2] as number) ?? 0) - ((b[2] as number) ?? 0))
}

function ranking(fn: WindowFunctionName, args: (cols: BoundExpr[]) => BoundExpr[] = () => [], type = BIG) {
  return run((c) => ({ fn, args: args(c), filter: null, partitionBy: [c[0]], orderBy: [asc(c[1])], frame: DEFAULT, type }))
}

function aggOver(fn: AggregateImpl, frame: WindowFrame, partition = true) {
  return run((c) => ({ fn, args: [c[2]], filter: null, partitionBy: partition ? [c[0]] : [], orderBy: [asc(c[1])], frame, type: INT }))
}

const col = (rows: unknown[][]) => rows.map((r) => r[3])

describe('window functions', () => {
  it('row_number numbers rows within each partition', () => {
    expect(col(ranking('row_number'))).toEqual([1n, 2n, 3n, 4n, 5n, 1n, 2n])
  })

  it('rank leaves gaps after ties and dense_rank does not', () => {
    expect(col(ranking('rank'))).toEqual([1n, 2n, 2n, 4n, 5n, 1n, 2n])
    expect(col(ranking('dense_rank'))).toEqual([1n, 2n, 2n, 3n, 4n, 1n, 2n])
  })

  it('percent_rank and cume_dist follow PostgreSQL', () => {
    expect(col(ranking('percent_rank', undefined, FLOAT))).toEqual([0, 0.25, 0.25, 0.75, 1, 0, 1])
    expect(col(ranking('cume_dist', undefined, FLOAT))).toEqual([0.2, 0.6, 0.6, 0.8, 1, 0.5, 1])
  })

  it('ntile spreads the remainder over the first buckets', () => {
    expect(col(ranking('ntile', () => [lit(2)], INT))).toEqual([1, 1, 1, 2, 2, 1, 2])
  })

  it('lag and lead read other rows of the partition with an offset and a default', () => {
    expect(col(ranking('lag', (c) => [c[2]], INT))).toEqual([null, 10, 20, 30, 40, null, 5])
    expect(col(ranking('lead', (c) => [c[2], lit(2), lit(-1)], INT))).toEqual([30, 40, 70, -1, -1, -1, -1])
  })

  it('first_value and last_value use the default frame (up to the last peer)', () => {
    expect(col(ranking('first_value', (c) => [c[2]], INT))).toEqual([10, 10, 10, 10, 10, 5, 5])
    expect(col(ranking('last_value', (c) => [c[2]], INT))).toEqual([10, 30, 30, 40, 70, 5, null])
  })

  it('nth_value is NULL until the frame has n rows (peers keep input order)', () => {
    expect(col(ranking('nth_value', (c) => [c[2], lit(2)], INT))).toEqual([null, 20, 20, 20, 20, null, null])
  })

  it('an aggregate over the default RANGE frame is a running total that includes peers', () => {
    expect(col(aggOver(movingSum, DEFAULT))).toEqual([10, 60, 60, 100, 170, 5, 5])
  })

  it('an aggregate over the whole partition repeats the partition total', () => {
    expect(col(aggOver(movingSum, { mode: 'ROWS', start: UNB_PREC, end: UNB_FOLL, exclusion: 'NO OTHERS' }))).toEqual([170, 170, 170, 170, 170, 5, 5])
  })

  it('ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING gives the same sums with or without an inverse', () => {
    const frame: WindowFrame = { mode: 'ROWS', start: prec(1), end: foll(1), exclusion: 'NO OTHERS' }
    const expected = [30, 60, 90, 140, 110, 5, 5]
    expect(col(aggOver(movingSum, frame))).toEqual(expected)
    expect(col(aggOver(plainSum, frame))).toEqual(expected)
  })

  it('GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW counts peer groups', () => {
    expect(col(aggOver(movingSum, { mode: 'GROUPS', start: prec(1), end: CURRENT, exclusion: 'NO OTHERS' }))).toEqual([10, 60, 60, 90, 110, 5, 5])
  })

  it('RANGE BETWEEN 2 PRECEDING AND CURRENT ROW measures the ORDER BY value', () => {
    // partition 1 o: 1, 2, 2, 4, 7
    expect(col(aggOver(movingSum, { mode: 'RANGE', start: prec(2), end: CURRENT, exclusion: 'NO OTHERS' }))).toEqual([10, 60, 60, 90, 70, 5, 5])
  })

  it('RANGE offsets FOLLOWING find the first row beyond the value', () => {
    expect(col(aggOver(movingSum, { mode: 'RANGE', start: CURRENT, end: foll(1), exclusion: 'NO OTHERS' }))).toEqual([60, 50, 50, 40, 70, 5, null])
  })

  it('EXCLUDE CURRENT ROW, GROUP and TIES remove rows from each frame', () => {
    const whole = (exclusion: WindowFrame['exclusion']): WindowFrame => ({ mode: 'ROWS', start: UNB_PREC, end: UNB_FOLL, exclusion })
    expect(col(aggOver(movingSum, whole('CURRENT ROW')))).toEqual([160, 150, 140, 130, 100, null, 5])
    expect(col(aggOver(movingSum, whole('GROUP')))).toEqual([160, 120, 120, 130, 100, null, 5])
    expect(col(aggOver(movingSum, whole('TIES')))).toEqual([170, 140, 150, 170, 170, 5, 5])
  })

  it('a strict aggregate skips NULLs and FILTER skips rows', () => {
    expect(col(aggOver(countAny, DEFAULT)).map(Number)).toEqual([1, 3, 3, 4, 5, 1, 1])
    const rows = run((c) => ({ fn: movingSum, args: [c[2]], filter: { kind: 'Call', type: { id: 'bool' }, impl: { name: '>', argTypes: [INT, INT], returnType: { id: 'bool' }, strict: true, volatile: false, fn: (a, b) => (a as number) > (b as number) }, args: [c[2], lit(15)] }, partitionBy: [c[0]], orderBy: [asc(c[1])], frame: DEFAULT, type: INT }))
    expect(col(rows)).toEqual([null, 50, 50, 90, 160, null, null])
  })

  it('without ORDER BY every row of a partition is a peer', () => {
    const rows = run((c) => ({ fn: 'rank', args: [], filter: null, partitionBy: [c[0]], orderBy: [], frame: DEFAULT, type: BIG }))
    expect(col(rows)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n])
  })

  it('a window over empty input yields no rows', () => {
    const inp = valuesNode(['x'], [])
    const call: WindowCall = { fn: 'row_number', args: [], filter: null, partitionBy: [], orderBy: [], frame: DEFAULT, type: BIG }
    expect(runRows({ kind: 'Window', input: inp, functions: [call], output: [...inp.output, pc('w', BIG)] })).toEqual([])
  })

  it('a negative frame offset is 22013', () => {
    expect(() => aggOver(movingSum, { mode: 'ROWS', start: prec(-1), end: CURRENT, exclusion: 'NO OTHERS' })).toThrow(expect.objectContaining({ code: '22013' }))
  })

  it('several window calls each get their own column, rows follow the last call\'s order', () => {
    const inp = data()
    const c = inp.output.map(colRef)
    const rn: WindowCall = { fn: 'row_number', args: [], filter: null, partitionBy: [], orderBy: [asc(c[2], false)], frame: DEFAULT, type: BIG }
    const total: WindowCall = { fn: movingSum, args: [c[2]], filter: null, partitionBy: [c[0]], orderBy: [], frame: DEFAULT, type: INT }
    const plan: PlanNode = { kind: 'Window', input: inp, functions: [rn, total], output: [...inp.output, pc('rn', BIG), pc('t', INT)] }
    const rows = runRows(plan)
    expect(rows.map((r) => r[2])).toEqual([10, 20, 30, 40, 70, 5, null])
    expect(rows.map((r) => r[3])).toEqual([2n, 3n, 4n, 5n, 6n, 1n, 7n])
    expect(rows.map((r) => r[4])).toEqual([170, 170, 170, 170, 170, 5, 5])
  })
})

