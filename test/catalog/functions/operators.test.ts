import { describe, expect, it } from 'vitest'
import { resolveOperator } from '../../../engine/catalog/functions/index.js'
import { op, ty } from './helpers.js'

const ids = (o: string, l: string | null, r: string): string[] | undefined =>
  resolveOperator(o, l === null ? null : ty(l), ty(r))?.impl.argTypes.map((t) => t.id)

describe('operator resolution', () => {
  it('promotes mixed numeric operands as PostgreSQL', () => {
    expect(ids('+', 'int4', 'int8')).toEqual(['int8', 'int8'])
    expect(ids('+', 'int2', 'int4')).toEqual(['int4', 'int4'])
    expect(ids('*', 'int4', 'numeric')).toEqual(['numeric', 'numeric'])
    expect(ids('-', 'numeric', 'float8')).toEqual(['float8', 'float8'])
    expect(ids('+', 'int4', 'float4')).toEqual(['float8', 'float8'])
    expect(ids('<', 'int8', 'float4')).toEqual(['float8', 'float8'])
    expect(ids('^', 'int4', 'int4')).toEqual(['float8', 'float8'])
  })

  it('resolves unknown literals to the other operand type', () => {
    expect(ids('=', 'int4', 'unknown')).toEqual(['int4', 'int4'])
    expect(ids('=', 'unknown', 'date')).toEqual(['date', 'date'])
    expect(ids('=', 'unknown', 'unknown')).toEqual(['text', 'text'])
    expect(ids('||', 'unknown', 'unknown')).toEqual(['text', 'text'])
    expect(ids('=', 'varchar', 'text')).toEqual(['text', 'text'])
  })

  it('has no operator for mismatched categories', () => {
    expect(ids('+', 'int4', 'text')).toBeUndefined()
    expect(ids('=', 'int4', 'bool')).toBeUndefined()
    expect(ids('%', 'float8', 'int4')).toBeUndefined()
    expect(ids('=', 'json', 'json')).toBeUndefined()
  })
})

describe('integer arithmetic', () => {
  it('checks overflow with the type name', () => {
    expect(() => op('+', ['int4', '2147483647'], ['int4', '1'])).toThrow(expect.objectContaining({ code: '22003', message: 'integer out of range' }))
    expect(() => op('*', ['int2', '200'], ['int2', '200'])).toThrow(expect.objectContaining({ message: 'smallint out of range' }))
    expect(() => op('-', ['int8', '-9223372036854775808'], ['int8', '1'])).toThrow(expect.objectContaining({ message: 'bigint out of range' }))
    expect(() => op('-', ['int4', '-2147483648'])).toThrow(expect.objectContaining({ message: 'integer out of range' }))
    expect(() => op('/', ['int4', '-2147483648'], ['int4', '-1'])).toThrow(expect.objectContaining({ message: 'integer out of range' }))
  })

  it('truncates division, keeps the dividend sign in %, and rejects zero divisors', () => {
    expect(op('/', ['int4', '7'], ['int4', '2'])).toBe('3')
    expect(op('/', ['int4', '-7'], ['int4', '2'])).toBe('-3')
    expect(op('%', ['int4', '-7'], ['int4', '3'])).toBe('-1')
    expect(op('%', ['int8', '7'], ['int8', '-3'])).toBe('1')
    expect(() => op('/', ['int4', '1'], ['int4', '0'])).toThrow(expect.objectContaining({ code: '22012', message: 'division by zero' }))
    expect(() => op('%', ['int8', '1'], ['int8', '0'])).toThrow(expect.objectContaining({ code: '22012' }))
    expect(() => op('/', ['float8', '1'], ['float8', '0'])).toThrow(expect.objectContaining({ code: '22012' }))
  })

  it('computes bitwise operators', () => {
    expect(op('&', ['int4', '12'], ['int4', '10'])).toBe('8')
    expect(op('|', ['int4', '12'], ['int4', '10'])).toBe('14')
    expect(op('#', ['int4', '12'], ['int4', '10'])).toBe('6')
    expect(op('~', ['int4', '0'])).toBe('-1')
    expect(op('<<', ['int4', '1'], ['int4', '4'])).toBe('16')
    expect(op('>>', ['int8', '-16'], ['int4', '2'])).toBe('-4')
  })
})

describe('numeric and float arithmetic', () => {
  it('uses numeric result scales', () => {
    expect(op('/', ['numeric', '1'], ['numeric', '3'])).toBe('0.33333333333333333333')
    expect(op('+', ['numeric', '1.5'], ['numeric', '2.25'])).toBe('3.75')
    expect(op('*', ['numeric', '1.10'], ['numeric', '2'])).toBe('2.20')
    expect(op('^', ['numeric', '2'], ['numeric', '3'])).toBe('8.0000000000000000')
    expect(op('^', ['float8', '2'], ['float8', '0.5'])).toBe('1.4142135623730951')
  })

  it('reports float overflow and power domain errors', () => {
    expect(() => op('*', ['float8', '1e300'], ['float8', '1e300'])).toThrow(expect.objectContaining({ code: '22003', message: 'value out of range: overflow' }))
    expect(() => op('^', ['float8', '0'], ['float8', '-1'])).toThrow(expect.objectContaining({ code: '2201F' }))
    expect(op('+', ['float8', 'Infinity'], ['float8', '1'])).toBe('Infinity')
  })
})

describe('comparison', () => {
  it('orders floats with NaN greatest and -0 = 0', () => {
    expect(op('=', ['float8', 'NaN'], ['float8', 'NaN'])).toBe('t')
    expect(op('>', ['float8', 'NaN'], ['float8', 'Infinity'])).toBe('t')
    expect(op('=', ['float8', '-0'], ['float8', '0'])).toBe('t')
  })

  it('compares strings, bpchar, numerics and mixed date/timestamp', () => {
    expect(op('<', ['text', 'a'], ['text', 'b'])).toBe('t')
    expect(op('=', ['char(5)', 'ab'], ['char(3)', 'ab'])).toBe('t')
    expect(op('=', ['numeric', '1.0'], ['numeric', '1.00'])).toBe('t')
    expect(op('<', ['date', '2024-01-01'], ['timestamp', '2024-01-01 00:00:01'])).toBe('t')
    expect(op('=', ['int4', '5'], ['unknown', '5'])).toBe('t')
    expect(op('<>', ['int4', '5'], ['numeric', '5.0'])).toBe('f')
  })
})

describe('strings and patterns', () => {
  it('concatenates text with any non-array value', () => {
    expect(op('||', ['text', 'a'], ['text', 'b'])).toBe('ab')
    expect(op('||', ['text', 'n='], ['int4', '5'])).toBe('n=5')
    expect(op('||', ['bool', 'true'], ['text', '!'])).toBe('true!')
    expect(op('||', ['int4[]', '{1,2}'], ['int4[]', '{3}'])).toBe('{1,2,3}')
    expect(op('||', ['int4[]', '{1,2}'], ['int4', '3'])).toBe('{1,2,3}')
  })

  it('matches LIKE and ILIKE with escapes', () => {
    expect(op('~~', ['text', 'hello'], ['text', 'h%o'])).toBe('t')
    expect(op('~~', ['text', 'hello'], ['text', 'h_llo'])).toBe('t')
    expect(op('~~', ['text', 'hello'], ['text', 'H%'])).toBe('f')
    expect(op('~~*', ['text', 'hello'], ['text', 'H%'])).toBe('t')
    expect(op('!~~', ['text', '50%'], ['text', '50\\%'])).toBe('f')
    expect(op('~~', ['text', 'a.c'], ['text', 'a.c'])).toBe('t')
    expect(op('~~', ['text', 'abc'], ['text', 'a.c'])).toBe('f')
    expect(op('~~', ['text', 'line1\nline2'], ['text', 'line1%'])).toBe('t')
    expect(() => op('~~', ['text', 'a'], ['text', 'a\\'])).toThrow(expect.objectContaining({ code: '22025' }))
  })

  it('matches POSIX regular expressions', () => {
    expect(op('~', ['text', 'foobar'], ['text', '^foo'])).toBe('t')
    expect(op('~*', ['text', 'FOOBAR'], ['text', 'foo'])).toBe('t')
    expect(op('!~', ['text', 'foobar'], ['text', '[[:digit:]]'])).toBe('t')
    expect(() => op('~', ['text', 'a'], ['text', '('])).toThrow(expect.objectContaining({ code: '2201B' }))
  })
})

describe('date/time arithmetic', () => {
  it('adds and subtracts dates, timestamps and intervals', () => {
    expect(op('+', ['date', '2024-02-28'], ['int4', '2'])).toBe('2024-03-01')
    expect(op('-', ['date', '2024-03-01'], ['date', '2024-02-01'])).toBe('29')
    expect(op('+', ['date', '2024-01-31'], ['interval', '1 month'])).toBe('2024-02-29 00:00:00')
    expect(op('+', ['timestamp', '2024-01-31 10:00'], ['interval', '1 day 2 hours'])).toBe('2024-02-01 12:00:00')
    expect(op('-', ['timestamp', '2024-03-01 12:00'], ['timestamp', '2024-02-28 00:00'])).toBe('2 days 12:00:00')
    expect(op('-', ['timestamptz', '2024-01-01 00:00+00'], ['interval', '1 hour'])).toBe('2023-12-31 23:00:00+00')
    expect(op('+', ['interval', '1 day'], ['interval', '01:00'])).toBe('1 day 01:00:00')
    expect(op('*', ['interval', '1 hour'], ['float8', '2.5'])).toBe('02:30:00')
    expect(op('-', ['interval', '1 day'])).toBe('-1 days')
    expect(op('+', ['date', '2024-01-01'], ['time', '10:30'])).toBe('2024-01-01 10:30:00')
    expect(op('+', ['date', '2024-01-01'], ['unknown', '3'])).toBe('2024-01-04')
    expect(op('+', ['timestamp', '2024-01-01'], ['unknown', '1 day'])).toBe('2024-01-02 00:00:00')
  })
})

describe('json operators', () => {
  it('extracts fields, elements and paths', () => {
    expect(op('->', ['jsonb', '{"a": {"b": [1, 2]}}'], ['text', 'a'])).toBe('{"b": [1, 2]}')
    expect(op('->>', ['jsonb', '{"a": "x"}'], ['text', 'a'])).toBe('x')
    expect(op('->>', ['json', '[1, "two", null]'], ['int4', '1'])).toBe('two')
    expect(op('->>', ['json', '[1, "two", null]'], ['int4', '2'])).toBe(null)
    expect(op('->', ['json', '[1, 2, 3]'], ['int4', '-1'])).toBe('3')
    expect(op('->', ['jsonb', '{"a": 1}'], ['text', 'missing'])).toBe(null)
    expect(op('#>', ['jsonb', '{"a": {"b": [1, 2]}}'], ['text[]', '{a,b,1}'])).toBe('2')
    expect(op('#>>', ['jsonb', '{"a": {"b": "c"}}'], ['text[]', '{a,b}'])).toBe('c')
    expect(op('->>', ['jsonb', '{"a": "x"}'], ['unknown', 'a'])).toBe('x')
  })

  it('tests containment and key existence', () => {
    expect(op('@>', ['jsonb', '{"a": 1, "b": [1, 2]}'], ['jsonb', '{"b": [2]}'])).toBe('t')
    expect(op('@>', ['jsonb', '{"a": 1}'], ['jsonb', '{"a": 2}'])).toBe('f')
    expect(op('<@', ['jsonb', '{"a": 1}'], ['jsonb', '{"a": 1, "b": 2}'])).toBe('t')
    expect(op('@>', ['jsonb', '[1, 2, 3]'], ['jsonb', '2'])).toBe('t')
    expect(op('?', ['jsonb', '{"a": 1}'], ['text', 'a'])).toBe('t')
    expect(op('?', ['jsonb', '["a", "b"]'], ['text', 'b'])).toBe('t')
    expect(op('?|', ['jsonb', '{"a": 1}'], ['text[]', '{x,a}'])).toBe('t')
    expect(op('?&', ['jsonb', '{"a": 1}'], ['text[]', '{x,a}'])).toBe('f')
  })

  it('deletes and concatenates jsonb', () => {
    expect(op('-', ['jsonb', '{"a": 1, "b": 2}'], ['text', 'a'])).toBe('{"b": 2}')
    expect(op('-', ['jsonb', '[1, 2, 3]'], ['int4', '0'])).toBe('[2, 3]')
    expect(op('||', ['jsonb', '{"a": 1}'], ['jsonb', '{"a": 2, "b": 3}'])).toBe('{"a": 2, "b": 3}')
    expect(op('||', ['jsonb', '[1]'], ['jsonb', '[2]'])).toBe('[1, 2]')
  })
})

describe('array concatenation resolution', () => {
  it('accepts compatible elements and array literals, rejects others', () => {
    expect(ids('||', 'int4[]', 'int4')).toEqual(['array', 'int4'])
    expect(ids('||', 'int4[]', 'unknown')).toEqual(['array', 'array'])
    expect(op('||', ['int4[]', '{1}'], ['unknown', '{2,3}'])).toBe('{1,2,3}')
    expect(op('||', ['int2', '0'], ['int4[]', '{1}'])).toBe('{0,1}')
    expect(ids('||', 'text', 'int4[]')).toBeUndefined()
  })
})

describe('array containment', () => {
  it('implements @>, <@ and && with PostgreSQL NULL rules', () => {
    expect(op('@>', ['int4[]', '{1,4,3}'], ['int4[]', '{3,1,3}'])).toBe('t')
    expect(op('<@', ['int4[]', '{2,2,7}'], ['int4[]', '{1,7,4,2,6}'])).toBe('t')
    expect(op('&&', ['int4[]', '{1,4,3}'], ['int4[]', '{2,1}'])).toBe('t')
    expect(op('@>', ['int4[]', '{1,NULL}'], ['int4[]', '{NULL}'])).toBe('f')
    expect(op('@>', ['text[]', '{a,b}'], ['unknown', '{a}'])).toBe('t')
    expect(op('->>', ['jsonb', '[10, 20]'], ['int8', '1'])).toBe('20')
  })
})
