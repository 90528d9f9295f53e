import { describe, expect, it } from 'vitest'
import type { BoundExpr } from '../../engine/plan/bound-expr.js'
import type { ProjectNode } from '../../engine/plan/plan-node.js'
import { and, BOOL, call, cmpExpr, colRef, divImpl, INT, lit, makeCtx, opImpl, or, pc, runRows, valuesNode } from './support/plan-kit.js'

/** Evaluates expressions (built over the Values columns) for each row. */
function evalOver(names: string[], rows: (number | boolean | null)[][], build: (cols: BoundExpr[]) => BoundExpr[], types = names.map(() => INT), params: unknown[] = []) {
  const input = valuesNode(names, rows, types)
  const exprs = build(input.output.map(colRef))
  const plan: ProjectNode = { kind: 'Project', input, exprs, output: exprs.map((e, i) => ({ ...pc(`e${i}`), type: e.type })) }
  return runRows(plan, makeCtx(undefined, { params: params as never[] }))
}

describe('expression evaluation', () => {
  it('AND follows three-valued logic', () => {
    const rows = evalOver(['a', 'b'], [[true, true], [true, null], [false, null], [null, null], [null, false], [true, false]], ([a, b]) => [and(a, b)], [BOOL, BOOL])
    expect(rows.map((r) => r[0])).toEqual([true, null, false, null, false, false])
  })

  it('OR follows three-valued logic', () => {
    const rows = evalOver(['a', 'b'], [[true, null], [false, null], [null, null], [null, true], [false, false]], ([a, b]) => [or(a, b)], [BOOL, BOOL])
    expect(rows.map((r) => r[0])).toEqual([true, null, null, true, false])
  })

  it('NOT of NULL is NULL', () => {
    const rows = evalOver(['a'], [[true], [null]], ([a]) => [{ kind: 'Not', type: BOOL, arg: a }], [BOOL])
    expect(rows.map((r) => r[0])).toEqual([false, null])
  })

  it('AND does not evaluate its right side on rows its left side already made false', () => {
    // x <> 0 AND 10 / x > 1 must not divide by zero.
    const rows = evalOver(['x'], [[0], [5], [20]], ([x]) => [and(cmpExpr('<>', x, lit(0)), cmpExpr('>', call(divImpl, lit(10), x), lit(1)))])
    expect(rows.map((r) => r[0])).toEqual([false, true, false])
  })

  it('CASE evaluates a THEN only for rows whose WHEN is true', () => {
    const rows = evalOver(['x'], [[0], [2], [null]], ([x]) => [
      { kind: 'Case', type: INT, whens: [{ when: cmpExpr('=', x, lit(0)), then: lit(-1) }, { when: cmpExpr('>', x, lit(0)), then: call(divImpl, lit(10), x) }], else: lit(99) },
    ])
    expect(rows.map((r) => r[0])).toEqual([-1, 5, 99])
  })

  it('CASE without ELSE yields NULL for unmatched rows', () => {
    const rows = evalOver(['x'], [[1], [2]], ([x]) => [{ kind: 'Case', type: INT, whens: [{ when: cmpExpr('=', x, lit(1)), then: lit(10) }], else: null }])
    expect(rows.map((r) => r[0])).toEqual([10, null])
  })

  it('COALESCE returns the first non-NULL argument and evaluates later ones lazily', () => {
    // Row 1: x is 1, so 10 / 0 is never computed.
    const rows = evalOver(['x', 'y'], [[1, 0], [null, 2], [null, null]], ([x, y]) => [
      { kind: 'Coalesce', type: INT, args: [x, call(divImpl, lit(10), y), lit(7)] },
    ])
    expect(rows.map((r) => r[0])).toEqual([1, 5, 7])
  })

  it('COALESCE raises the error of an argument it has to evaluate', () => {
    expect(() => evalOver(['x', 'y'], [[null, 0]], ([x, y]) => [{ kind: 'Coalesce', type: INT, args: [x, call(divImpl, lit(10), y)] }])).toThrow(
      expect.objectContaining({ code: '22012' }),
    )
  })

  it('IN with a NULL in the list is NULL when nothing matches', () => {
    const rows = evalOver(['x'], [[1], [3], [null]], ([x]) => [
      { kind: 'InList', type: BOOL, arg: x, list: [lit(1), lit(2), lit(null)], negated: false, eq: opImpl('=') },
      { kind: 'InList', type: BOOL, arg: x, list: [lit(1), lit(2), lit(null)], negated: true, eq: opImpl('=') },
      { kind: 'InList', type: BOOL, arg: x, list: [lit(1), lit(2)], negated: true, eq: opImpl('=') },
    ])
    expect(rows).toEqual([
      [true, false, false],
      [null, null, true],
      [null, null, null],
    ])
  })

  it('IN with non-constant list elements compares row by row', () => {
    const rows = evalOver(['x', 'y'], [[1, 1], [2, 3], [2, null]], ([x, y]) => [
      { kind: 'InList', type: BOOL, arg: x, list: [y, lit(5)], negated: false, eq: opImpl('=') },
    ])
    expect(rows.map((r) => r[0])).toEqual([true, false, null])
  })

  it('IS NULL and IS NOT NULL never yield NULL', () => {
    const rows = evalOver(['x'], [[1], [null]], ([x]) => [
      { kind: 'IsNull', type: BOOL, arg: x, negated: false },
      { kind: 'IsNull', type: BOOL, arg: x, negated: true },
    ])
    expect(rows).toEqual([[false, true], [true, false]])
  })

  it('IS [NOT] TRUE / FALSE / UNKNOWN treat NULL as unknown', () => {
    const rows = evalOver(['b'], [[true], [false], [null]], ([b]) => [
      { kind: 'IsBool', type: BOOL, arg: b, test: 'TRUE', negated: false },
      { kind: 'IsBool', type: BOOL, arg: b, test: 'FALSE', negated: true },
      { kind: 'IsBool', type: BOOL, arg: b, test: 'UNKNOWN', negated: false },
    ], [BOOL])
    expect(rows).toEqual([[true, true, false], [false, false, false], [false, true, true]])
  })

  it('strict functions return NULL for a NULL argument without being called', () => {
    // 10 / x with x NULL, and x / NULL: divImpl would throw on 0 but is never called with NULL.
    const rows = evalOver(['x'], [[null], [2]], ([x]) => [call(divImpl, lit(10), x), call(divImpl, x, lit(null))])
    expect(rows).toEqual([[null, null], [5, null]])
  })

  it('parameters are read from the context', () => {
    const rows = evalOver(['x'], [[1], [2]], ([x]) => [call({ name: '+', argTypes: [INT, INT], returnType: INT, strict: true, volatile: false, fn: (a, b) => (a as number) + (b as number) }, x, { kind: 'Param', index: 0, type: INT })], undefined, [10])
    expect(rows.map((r) => r[0])).toEqual([11, 12])
  })

  it('column-versus-constant comparisons in a filter drop NULLs', () => {
    const input = valuesNode(['x'], [[1], [null], [3], [5]])
    const x = colRef(input.output[0])
    const plan = { kind: 'Filter' as const, input, output: input.output, predicate: cmpExpr('<', x, lit(4)) }
    expect(runRows(plan)).toEqual([[1], [3]])
    const plan2 = { kind: 'Filter' as const, input, output: input.output, predicate: cmpExpr('<>', lit(3), x) }
    expect(runRows(plan2)).toEqual([[1], [5]])
  })

  it('a filter with AND keeps only rows where every conjunct is true', () => {
    const input = valuesNode(['x', 'y'], [[1, 1], [2, null], [3, 3], [4, 0]])
    const [x, y] = input.output.map(colRef)
    const plan = { kind: 'Filter' as const, input, output: input.output, predicate: and(cmpExpr('>', x, lit(1)), cmpExpr('>=', y, lit(0))) }
    expect(runRows(plan)).toEqual([[3, 3], [4, 0]])
  })
})
