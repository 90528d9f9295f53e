import { describe, expect, it } from 'vitest'
import { commonType, isAggregateName, resolveAggregate, resolveCast, resolveTableFunction } from '../../../engine/catalog/functions/index.js'
import { Decimal, formatValue, parseValue, typeOf, type SqlValue } from '../../../engine/common/index.js'
import { ty } from './helpers.js'

function cast(from: string, to: string, text: string, context: 'implicit' | 'assignment' | 'explicit' = 'explicit'): string {
  const f = resolveCast(ty(from), ty(to), context)
  if (f === undefined) throw new Error(`no cast ${from} -> ${to} (${context})`)
  const v = ty(from).id === 'unknown' ? text : parseValue(text, ty(from))
  return formatValue(f(v), ty(to))
}

describe('resolveCast', () => {
  it('follows PostgreSQL cast contexts', () => {
    const ok = (f: string, t: string, c: 'implicit' | 'assignment' | 'explicit'): boolean => resolveCast(ty(f), ty(t), c) !== undefined
    expect(ok('int4', 'int8', 'implicit')).toBe(true)
    expect(ok('int8', 'int4', 'implicit')).toBe(false)
    expect(ok('int8', 'int4', 'assignment')).toBe(true)
    expect(ok('text', 'int4', 'assignment')).toBe(false)
    expect(ok('text', 'int4', 'explicit')).toBe(true)
    expect(ok('int4', 'text', 'implicit')).toBe(false)
    expect(ok('int4', 'text', 'assignment')).toBe(true)
    expect(ok('numeric', 'float8', 'implicit')).toBe(true)
    expect(ok('float8', 'numeric', 'implicit')).toBe(false)
    expect(ok('date', 'timestamptz', 'implicit')).toBe(true)
    expect(ok('unknown', 'date', 'implicit')).toBe(true)
    expect(ok('int4', 'bool', 'assignment')).toBe(false)
    expect(ok('int4', 'bool', 'explicit')).toBe(true)
    expect(ok('bool', 'date', 'explicit')).toBe(false)
  })

  it('converts numbers with PostgreSQL rounding and range checks', () => {
    expect(cast('float8', 'int4', '2.5')).toBe('2')
    expect(cast('float8', 'int4', '3.5')).toBe('4')
    expect(cast('float8', 'int4', '-2.5')).toBe('-2')
    expect(cast('numeric', 'int4', '2.5')).toBe('3')
    expect(cast('numeric', 'int4', '-2.5')).toBe('-3')
    expect(() => cast('int8', 'int4', '2147483648')).toThrow(expect.objectContaining({ code: '22003', message: 'integer out of range' }))
    expect(() => cast('int4', 'int2', '40000')).toThrow(expect.objectContaining({ message: 'smallint out of range' }))
    expect(() => cast('float8', 'int8', '1e19')).toThrow(expect.objectContaining({ message: 'bigint out of range' }))
    expect(() => cast('numeric', 'int4', 'NaN')).toThrow(expect.objectContaining({ message: 'cannot convert NaN to integer' }))
    expect(cast('float8', 'numeric', '0.1')).toBe('0.1')
    expect(cast('float4', 'numeric', '0.1')).toBe('0.1')
    expect(cast('float8', 'numeric(5,2)', '3.14159')).toBe('3.14')
    expect(cast('int4', 'float4', '16777217')).toBe('1.6777216e+07')
    expect(() => cast('float8', 'float4', '1e300')).toThrow(expect.objectContaining({ code: '22003' }))
  })

  it('applies varchar(n): truncates on explicit casts, errors on assignment', () => {
    expect(cast('text', 'varchar(3)', 'abcdef', 'explicit')).toBe('abc')
    expect(() => cast('text', 'varchar(3)', 'abcdef', 'assignment')).toThrow(expect.objectContaining({ code: '22001', message: 'value too long for type character varying(3)' }))
    expect(cast('text', 'char(4)', 'ab', 'assignment')).toBe('ab  ')
    expect(cast('varchar(3)', 'varchar(3)', 'abc', 'assignment')).toBe('abc')
    expect(() => resolveCast(ty('varchar'), ty('varchar(2)'), 'assignment')!('abc')).toThrow(expect.objectContaining({ code: '22001' }))
    expect(cast('numeric', 'numeric(4,1)', '12.34', 'assignment')).toBe('12.3')
  })

  it('converts between text, booleans, dates, json and arrays', () => {
    expect(cast('bool', 'text', 't')).toBe('true')
    expect(cast('int4', 'text', '42', 'assignment')).toBe('42')
    expect(cast('text', 'int4', ' 42 ')).toBe('42')
    expect(() => cast('text', 'int4', 'x')).toThrow(expect.objectContaining({ code: '22P02' }))
    expect(cast('int4', 'bool', '2')).toBe('t')
    expect(cast('date', 'timestamp', '2024-01-02', 'implicit')).toBe('2024-01-02 00:00:00')
    expect(cast('timestamp', 'date', '2024-01-02 23:59', 'assignment')).toBe('2024-01-02')
    expect(cast('timestamptz', 'time', '2024-01-02 23:59:01+00', 'assignment')).toBe('23:59:01')
    expect(cast('json', 'jsonb', '{"b":1,"a":2}', 'assignment')).toBe('{"a": 2, "b": 1}')
    expect(cast('jsonb', 'int4', '42')).toBe('42')
    expect(() => cast('jsonb', 'int4', '"x"')).toThrow(expect.objectContaining({ message: 'cannot cast jsonb string to type integer' }))
    expect(cast('int4[]', 'int8[]', '{1,NULL}', 'implicit')).toBe('{1,NULL}')
    expect(cast('int4[]', 'text', '{1,2}', 'assignment')).toBe('{1,2}')
    expect(cast('unknown', 'numeric(5,2)', '1.005', 'implicit')).toBe('1.01')
    expect(cast('char(4)', 'text', 'ab', 'implicit')).toBe('ab')
  })
})

function aggregate(name: string, type: string, values: (string | null)[], star = false, second?: [string, string]): string | null {
  const types = second === undefined ? [ty(type)] : [ty(type), ty(second[0])]
  const impl = resolveAggregate(name, star ? [] : types, star)
  if (impl === undefined) throw new Error(`no aggregate ${name}(${type})`)
  let s = impl.init()
  for (const v of values) {
    const args: SqlValue[] = [v === null ? null : parseValue(v, ty(type))]
    if (second !== undefined) args.push(second[1])
    if (impl.strict && args.some((a) => a === null)) continue
    s = impl.step(s, args)
  }
  const r = impl.final(s)
  return r === null ? null : formatValue(r, impl.returnType)
}

describe('aggregates', () => {
  it('returns PostgreSQL result types', () => {
    const ret = (n: string, t: string): string | undefined => resolveAggregate(n, [ty(t)], false)?.returnType.id
    expect(resolveAggregate('count', [], true)!.returnType.id).toBe('int8')
    expect(ret('sum', 'int4')).toBe('int8')
    expect(ret('sum', 'int8')).toBe('numeric')
    expect(ret('sum', 'float4')).toBe('float4')
    expect(ret('avg', 'int4')).toBe('numeric')
    expect(ret('avg', 'float4')).toBe('float8')
    expect(ret('max', 'varchar')).toBe('text')
    expect(ret('min', 'date')).toBe('date')
    expect(ret('sum', 'text')).toBeUndefined()
    expect(ret('max', 'json')).toBeUndefined()
  })

  it('computes count, sum, avg, min, max with NULLs skipped', () => {
    expect(aggregate('count', 'int4', ['1', null, '3'], true)).toBe('3')
    expect(aggregate('count', 'int4', ['1', null, '3'])).toBe('2')
    expect(aggregate('count', 'int4', [])).toBe('0')
    expect(aggregate('sum', 'int4', ['1', null, '2'])).toBe('3')
    expect(aggregate('sum', 'int4', [])).toBe(null)
    expect(aggregate('sum', 'int4', ['2147483647', '2147483647'])).toBe('4294967294')
    expect(aggregate('sum', 'int8', ['9223372036854775807', '1'])).toBe('9223372036854775808')
    expect(aggregate('sum', 'numeric', ['1.5', '2.25'])).toBe('3.75')
    expect(aggregate('avg', 'int4', ['1', '2'])).toBe('1.5000000000000000')
    expect(aggregate('avg', 'int4', ['1', '2', '2'])).toBe('1.6666666666666667')
    expect(aggregate('avg', 'numeric', ['1.00', '2.00'])).toBe('1.5000000000000000')
    expect(aggregate('avg', 'float8', ['1', '2'])).toBe('1.5')
    expect(aggregate('avg', 'interval', ['1 day', '2 days'])).toBe('1 day 12:00:00')
    expect(aggregate('min', 'text', ['b', 'a', null])).toBe('a')
    expect(aggregate('max', 'float8', ['1', 'NaN', 'Infinity'])).toBe('NaN')
    expect(aggregate('max', 'numeric', ['1.0', '1.50', '-3'])).toBe('1.50')
  })

  it('computes bool, string, array and json aggregates', () => {
    expect(aggregate('bool_and', 'bool', ['t', 'f', null])).toBe('f')
    expect(aggregate('bool_or', 'bool', ['t', 'f'])).toBe('t')
    expect(aggregate('every', 'bool', [])).toBe(null)
    expect(aggregate('string_agg', 'text', ['a', null, 'b'], false, ['text', ', '])).toBe('a, b')
    expect(aggregate('array_agg', 'int4', ['1', null, '3'])).toBe('{1,NULL,3}')
    expect(aggregate('json_agg', 'text', ['a', null])).toBe('["a", null]')
    expect(aggregate('json_agg', 'json', ['{"a": 1}', '[1, 2]'])).toBe('[{"a":1}, [1,2]]')
    expect(aggregate('jsonb_agg', 'int4', ['2', '1'])).toBe('[2, 1]')
    expect(aggregate('bit_or', 'int4', ['1', '4'])).toBe('5')
    const obj = resolveAggregate('json_object_agg', [ty('text'), ty('int4')], false)!
    let s = obj.init()
    s = obj.step(s, ['a', 1])
    s = obj.step(s, ['b', null])
    expect(obj.final(s)).toBe('{ "a" : 1, "b" : null }')
  })

  it('computes variance and stddev as PostgreSQL', () => {
    expect(aggregate('variance', 'int4', ['1', '2', '3', '4'])).toBe('1.6666666666666667')
    expect(aggregate('var_pop', 'int4', ['1', '2', '3', '4'])).toBe('1.2500000000000000')
    expect(aggregate('stddev', 'int4', ['1', '2', '3', '4'])).toBe('1.2909944487358056')
    expect(aggregate('stddev_pop', 'numeric', ['2', '4', '4', '4', '5', '5', '7', '9'])).toBe('2.0000000000000000')
    expect(aggregate('stddev_samp', 'float8', ['1', '2', '3', '4'])).toBe('1.2909944487358056')
    expect(aggregate('variance', 'int4', ['1'])).toBe(null)
    expect(aggregate('var_pop', 'int4', ['5'])).toBe('0')
  })

  it('supports inverse transitions for moving frames', () => {
    const sum = resolveAggregate('sum', [typeOf('int4')], false)!
    let s = sum.init()
    s = sum.step(s, [5])
    s = sum.step(s, [7])
    s = sum.inverse!(s, [5])
    expect(sum.final(s)).toBe(7n)
    s = sum.inverse!(s, [7])
    expect(sum.final(s)).toBe(null)
  })

  it('names aggregates', () => {
    expect(isAggregateName('count')).toBe(true)
    expect(isAggregateName('string_agg')).toBe(true)
    expect(isAggregateName('lower')).toBe(false)
  })
})

describe('commonType', () => {
  it('follows select_common_type', () => {
    expect(commonType([ty('int4'), ty('numeric')], 'UNION').id).toBe('numeric')
    expect(commonType([ty('int4'), ty('float8'), ty('int8')], 'CASE').id).toBe('float8')
    expect(commonType([ty('unknown'), ty('unknown')], 'VALUES').id).toBe('text')
    expect(commonType([ty('unknown'), ty('int4')], 'VALUES').id).toBe('int4')
    expect(commonType([ty('varchar'), ty('text')], 'UNION').id).toBe('text')
    expect(commonType([ty('date'), ty('timestamptz')], 'COALESCE').id).toBe('timestamptz')
    expect(() => commonType([ty('int4'), ty('text')], 'UNION')).toThrow(expect.objectContaining({ code: '42804', message: 'UNION types integer and text cannot be matched' }))
    expect(() => commonType([ty('bool'), ty('int4')], 'CASE')).toThrow(expect.objectContaining({ message: 'CASE types boolean and integer cannot be matched' }))
  })
})

describe('table functions', () => {
  const rows = (name: string, types: string[], args: SqlValue[]): unknown[][] => [...resolveTableFunction(name, types.map(ty))!.fn(args)].map((r) => [...r])

  it('generates series', () => {
    expect(rows('generate_series', ['int4', 'int4'], [1, 3])).toEqual([[1], [2], [3]])
    expect(rows('generate_series', ['int4', 'int4', 'int4'], [5, 1, -2])).toEqual([[5], [3], [1]])
    expect(rows('generate_series', ['int8', 'int8'], [1n, 2n])).toEqual([[1n], [2n]])
    expect(rows('generate_series', ['numeric', 'numeric', 'numeric'], [Decimal.parse('0'), Decimal.parse('1'), Decimal.parse('0.5')]).map((r) => String(r[0]))).toEqual(['0', '0.5', '1.0'])
    expect(() => rows('generate_series', ['int4', 'int4', 'int4'], [1, 3, 0])).toThrow(expect.objectContaining({ message: 'step size cannot equal zero' }))
    const ts = resolveTableFunction('generate_series', [ty('timestamp'), ty('timestamp'), ty('interval')])!
    expect(ts.columns[0].type.id).toBe('timestamp')
    expect(rows('generate_series', ['int4', 'int4'], [1, null])).toEqual([])
  })

  it('unnests arrays and expands json', () => {
    expect(rows('unnest', ['int4[]'], [[1, null, 3]])).toEqual([[1], [null], [3]])
    expect(rows('unnest', ['int4[]', 'text[]'], [[1, 2], ['a']])).toEqual([[1, 'a'], [2, null]])
    expect(rows('jsonb_each', ['jsonb'], ['{"a": 1, "b": "x"}'])).toEqual([['a', '1'], ['b', '"x"']])
    expect(rows('jsonb_each_text', ['jsonb'], ['{"a": 1, "b": "x"}'])).toEqual([['a', '1'], ['b', 'x']])
    expect(rows('jsonb_array_elements', ['jsonb'], ['[1, {"a": 2}]'])).toEqual([['1'], ['{"a": 2}']])
    expect(rows('jsonb_object_keys', ['jsonb'], ['{"b": 1, "a": 2}'])).toEqual([['b'], ['a']])
    expect(rows('regexp_split_to_table', ['text', 'text'], ['a,b', ','])).toEqual([['a'], ['b']])
    expect(rows('regexp_matches', ['text', 'text', 'text'], ['a1b2', '[0-9]', 'g'])).toEqual([[['1']], [['2']]])
  })
})

describe('more aggregates and function-style casts', () => {
  it('computes covariance, correlation and regression', () => {
    const run = (name: string): unknown => {
      const impl = resolveAggregate(name, [typeOf('float8'), typeOf('float8')], false)!
      let s = impl.init()
      for (const [y, x] of [
        [1, 1],
        [2, 2],
        [3, 4],
      ])
        s = impl.step(s, [y, x])
      return impl.final(s)
    }
    expect(run('regr_count')).toBe(3n)
    expect(run('covar_pop') as number).toBeCloseTo(1, 12)
    expect(run('covar_samp') as number).toBeCloseTo(1.5, 12)
    expect(run('corr') as number).toBeCloseTo(0.9819805060619657, 12)
    expect(run('regr_slope') as number).toBeCloseTo(0.6428571428571429, 12)
    expect(run('regr_intercept') as number).toBeCloseTo(0.5, 12)
  })
})

describe('numeric sum state', () => {
  it('keeps the largest scale, handles special values and inverse transitions', () => {
    expect(aggregate('sum', 'numeric', ['1.5', '2', '0.125'])).toBe('3.625')
    expect(aggregate('sum', 'numeric', ['1.50', '-1.5'])).toBe('0.00')
    expect(aggregate('sum', 'numeric', ['1', 'NaN'])).toBe('NaN')
    expect(aggregate('sum', 'numeric', ['Infinity', '1'])).toBe('Infinity')
    expect(aggregate('sum', 'numeric', ['Infinity', '-Infinity'])).toBe('NaN')
    expect(aggregate('avg', 'numeric', ['1', '2.5'])).toBe('1.7500000000000000')
    const sum = resolveAggregate('sum', [typeOf('numeric')], false)!
    let s = sum.init()
    s = sum.step(s, [Decimal.parse('NaN')])
    s = sum.step(s, [Decimal.parse('2.25')])
    s = sum.inverse!(s, [Decimal.parse('NaN')])
    expect(String(sum.final(s))).toBe('2.25')
  })
})
