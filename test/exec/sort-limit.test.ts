import { describe, expect, it } from 'vitest'
import type { PlanNode } from '../../engine/plan/plan-node.js'
import { executePlan } from '../../engine/exec/index.js'
import { asc, colRef, desc, INT, lit, makeCtx, pc, runRows, TEXT, valuesNode } from './support/plan-kit.js'

const input = () => valuesNode(['x', 'tag'], [[3, 'a'], [null, 'b'], [1, 'c'], [3, 'd'], [2, 'e'], [null, 'f']], [INT, TEXT])

function sortNode(keys: (x: ReturnType<typeof colRef>) => ReturnType<typeof asc>[]): PlanNode {
  const inp = input()
  return { kind: 'Sort', input: inp, output: inp.output, keys: keys(colRef(inp.output[0])) }
}

function limit(inputNode: PlanNode, l: number | null, o: number | null = null): PlanNode {
  return { kind: 'Limit', input: inputNode, output: inputNode.output, limit: l === null ? null : lit(l), offset: o === null ? null : lit(o) }
}

describe('sort', () => {
  it('sorts ascending with NULLS LAST and keeps ties in input order', () => {
    expect(runRows(sortNode((x) => [asc(x)])).map((r) => r[1])).toEqual(['c', 'e', 'a', 'd', 'b', 'f'])
  })

  it('sorts descending with NULLS FIRST', () => {
    expect(runRows(sortNode((x) => [desc(x, true)])).map((r) => r[1])).toEqual(['b', 'f', 'a', 'd', 'e', 'c'])
  })

  it('sorts descending with NULLS LAST', () => {
    expect(runRows(sortNode((x) => [desc(x, false)])).map((r) => r[1])).toEqual(['a', 'd', 'e', 'c', 'b', 'f'])
  })

  it('sorts by a second key when the first ties', () => {
    const inp = input()
    const [x, tag] = inp.output.map(colRef)
    const plan: PlanNode = { kind: 'Sort', input: inp, output: inp.output, keys: [asc(x, true), desc(tag)] }
    expect(runRows(plan).map((r) => r[1])).toEqual(['f', 'b', 'c', 'e', 'd', 'a'])
  })

  it('sorts extreme int4 values and many rows exactly like a comparison sort', () => {
    const values = Array.from({ length: 4000 }, (_, i) => (i % 7 === 0 ? null : i % 5 === 0 ? 2147483647 : i % 3 === 0 ? -2147483648 : ((i * 2654435761) % 1000) - 500))
    const inp = valuesNode(['x', 'i'], values.map((v, i) => [v, i]))
    const [x] = inp.output.map(colRef)
    const got = runRows({ kind: 'Sort', input: inp, output: inp.output, keys: [desc(x, false)] }).map((r) => r[1])
    const expected = values
      .map((v, i) => [v, i] as const)
      .sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] === null ? 1 : b[0] === null ? -1 : b[0] - a[0] || a[1] - b[1]))
      .map((r) => r[1])
    expect(got).toEqual(expected)
  })

  it('sorts dates with infinities', () => {
    const DATE = { id: 'date' } as const
    const inp = valuesNode(['d'], [[5], [Infinity], [null], [-Infinity], [0]], [DATE])
    const rows = runRows({ kind: 'Sort', input: inp, output: inp.output, keys: [asc(colRef(inp.output[0]))] })
    expect(rows.map((r) => r[0])).toEqual([-Infinity, 0, 5, Infinity, null])
  })

  it('an empty input sorts to nothing', () => {
    const inp = valuesNode(['x'], [])
    expect(runRows({ kind: 'Sort', input: inp, output: inp.output, keys: [asc(colRef(inp.output[0]))] })).toEqual([])
  })
})

describe('limit and offset', () => {
  it('LIMIT over Sort returns the same rows as the full sort (top-N)', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [(i * 7919) % 1000, `r${i}`])
    const inp = valuesNode(['x', 'tag'], rows, [INT, TEXT])
    const sort: PlanNode = { kind: 'Sort', input: inp, output: inp.output, keys: [desc(colRef(inp.output[0]))] }
    const full = runRows(sort)
    expect(runRows(limit(sort, 25, 10))).toEqual(full.slice(10, 35))
  })

  it('OFFSET skips rows across batches', () => {
    const inp = valuesNode(['x'], Array.from({ length: 3000 }, (_, i) => [i]))
    const rows = runRows(limit(inp, 3, 2500))
    expect(rows).toEqual([[2500], [2501], [2502]])
  })

  it('LIMIT NULL means no limit and OFFSET past the end gives nothing', () => {
    const inp = valuesNode(['x'], [[1], [2]])
    expect(runRows(limit(inp, null))).toEqual([[1], [2]])
    expect(runRows(limit(inp, null, 5))).toEqual([])
  })

  it('LIMIT stops pulling its input once it has its rows', () => {
    let produced = 0
    const inp = valuesNode(['x'], [])
    const counting: PlanNode = {
      kind: 'FunctionScan', name: 'gen', output: inp.output, args: [],
      fn: function* () {
        for (let i = 0; ; i++) {
          produced++
          yield [i]
        }
      },
    }
    expect(runRows(limit(counting, 5))).toEqual([[0], [1], [2], [3], [4]])
    expect(produced).toBeLessThanOrEqual(1024)
  })

  it('LIMIT 0 reads no input', () => {
    let opened = false
    const out = pc('x')
    const never: PlanNode = { kind: 'FunctionScan', name: 'never', output: [out], args: [], fn: () => { opened = true; return [] } }
    expect(runRows(limit(never, 0))).toEqual([])
    expect(opened).toBe(false)
  })

  it('a negative LIMIT is 2201W and a negative OFFSET 2201X', () => {
    const inp = valuesNode(['x'], [[1]])
    expect(() => runRows(limit(inp, -1))).toThrow(expect.objectContaining({ code: '2201W' }))
    expect(() => runRows(limit(inp, 1, -1))).toThrow(expect.objectContaining({ code: '2201X' }))
  })

  it('accepts bigint limits', () => {
    const inp = valuesNode(['x'], [[1], [2], [3]])
    const plan: PlanNode = { kind: 'Limit', input: inp, output: inp.output, limit: { kind: 'Const', type: { id: 'int8' }, value: 2n }, offset: null }
    expect(runRows(plan)).toEqual([[1], [2]])
  })

  it('closing the result early closes the running plan', () => {
    let closed = false
    const out = pc('x')
    const gen: PlanNode = {
      kind: 'FunctionScan', name: 'g', output: [out], args: [],
      fn: function* () {
        try {
          for (let i = 0; ; i++) yield [i]
        } finally {
          closed = true
        }
      },
    }
    const it = executePlan(gen, makeCtx())
    it.next()
    it.return()
    expect(closed).toBe(true)
  })
})
