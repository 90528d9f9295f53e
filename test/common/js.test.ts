import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Decimal,
  arrayType,
  charType,
  fromJs,
  inferType,
  numericType,
  toJs,
  typeFromName,
  typeOf,
} from '../../engine/common/index.js'

const T = typeOf

describe('toJs', () => {
  it('converts each type to its documented JS type', () => {
    expect(toJs(5, T('int4'))).toBe(5)
    expect(toJs(5n, T('int8'))).toBe(5n)
    expect(toJs(Decimal.parse('1.50'), T('numeric'))).toBe('1.50')
    expect(toJs(19782, T('date'))).toBe('2024-02-29')
    expect(toJs(3_600_000_000, T('time'))).toBe('01:00:00')
    expect(toJs(1_500_000, T('timestamptz'))).toEqual(new Date(1500))
    expect(toJs('{"a": [1, 2]}', T('jsonb'))).toEqual({ a: [1, 2] })
    expect(toJs([Decimal.parse('1'), null], arrayType(T('numeric')))).toEqual(['1', null])
    expect(toJs(null, T('text'))).toBe(null)
  })
})

describe('fromJs', () => {
  it('never rounds silently', () => {
    expect(fromJs(7, T('int4'))).toBe(7)
    expect(() => fromJs(1.5, T('int4'))).toThrow(expect.objectContaining({ code: '22P02' }))
    expect(() => fromJs(2 ** 31, T('int4'))).toThrow(expect.objectContaining({ code: '22003', message: 'integer out of range' }))
    expect(() => fromJs(40000, T('int2'))).toThrow(expect.objectContaining({ code: '22003', message: 'smallint out of range' }))
    expect(fromJs(2 ** 40, T('int8'))).toBe(2n ** 40n)
    expect(() => fromJs(2n ** 63n, T('int8'))).toThrow(expect.objectContaining({ code: '22003', message: 'bigint out of range' }))
    expect((fromJs(0.1, T('numeric')) as Decimal).toString()).toBe('0.1')
    expect((fromJs('12.345', numericType(5, 2)) as Decimal).toString()).toBe('12.35')
    expect(() => fromJs('too long', charType('varchar', 3))).toThrow(expect.objectContaining({ code: '22001' }))
  })

  it('accepts strings through PostgreSQL text input and Dates for date/time types', () => {
    expect(fromJs('42', T('int8'))).toBe(42n)
    expect(fromJs('t', T('bool'))).toBe(true)
    expect(fromJs(new Date(86_400_000), T('date'))).toBe(1)
    expect(fromJs(new Date(1500), T('timestamp'))).toBe(1_500_000)
    expect(fromJs({ b: 1, a: [true, null] }, T('jsonb'))).toBe('{"a": [true, null], "b": 1}')
    expect(fromJs('{"x":1}', T('json'))).toBe('{"x":1}')
    expect(fromJs([1, null], arrayType(T('int4')))).toEqual([1, null])
  })

  it('round-trips through toJs (property)', () => {
    fc.assert(fc.property(fc.integer(), (n) => {
      expect(toJs(fromJs(n, T('int4')), T('int4'))).toBe(n)
    }))
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
      expect(toJs(fromJs(n, T('int8')), T('int8'))).toBe(n)
    }))
    fc.assert(fc.property(fc.double({ noNaN: true }), (x) => {
      expect(toJs(fromJs(x, T('float8')), T('float8'))).toBe(x)
    }))
    fc.assert(fc.property(fc.string(), (s) => {
      expect(toJs(fromJs(s, T('text')), T('text'))).toBe(s)
    }))
  })
})

describe('inferType', () => {
  it('picks PostgreSQL-friendly types for parameters without context', () => {
    expect(inferType(1).id).toBe('int4')
    expect(inferType(2 ** 40).id).toBe('int8')
    expect(inferType(1.5).id).toBe('float8')
    expect(inferType(1n).id).toBe('int8')
    expect(inferType('x').id).toBe('text')
    expect(inferType(true).id).toBe('bool')
    expect(inferType(new Date()).id).toBe('timestamptz')
    expect(inferType(new Uint8Array()).id).toBe('bytea')
    expect(inferType({ a: 1 }).id).toBe('jsonb')
    expect(inferType([1]).id).toBe('jsonb')
  })
})

describe('typeFromName', () => {
  it('maps PostgreSQL type names and modifiers', () => {
    expect(typeFromName('integer')).toEqual(T('int4'))
    expect(typeFromName('int')).toEqual(T('int4'))
    expect(typeFromName('double precision')).toEqual(T('float8'))
    expect(typeFromName('float', [10])).toEqual(T('float4'))
    expect(typeFromName('float', [30])).toEqual(T('float8'))
    expect(typeFromName('numeric', [10, 2])).toEqual(numericType(10, 2))
    expect(typeFromName('decimal', [5])).toEqual(numericType(5, 0))
    expect(typeFromName('varchar', [20])).toEqual(charType('varchar', 20))
    expect(typeFromName('character varying')).toEqual(T('varchar'))
    expect(typeFromName('char')).toEqual(charType('bpchar', 1))
    expect(typeFromName('timestamp with time zone')).toEqual(T('timestamptz'))
    expect(typeFromName('timestamp', [3])).toEqual({ id: 'timestamp', precision: 3 })
    expect(typeFromName('timestamp', [6])).toEqual({ id: 'timestamp', precision: 6 })
    expect(typeFromName('int4', [], 1)).toEqual(arrayType(T('int4')))
    expect(typeFromName('jsonb')).toEqual(T('jsonb'))
  })

  it('rejects unknown names with 42704 and bad modifiers with 22023', () => {
    expect(() => typeFromName('blob')).toThrow(expect.objectContaining({ code: '42704', message: 'type "blob" does not exist' }))
    expect(() => typeFromName('numeric', [0])).toThrow(expect.objectContaining({ code: '22023', message: 'NUMERIC precision 0 must be between 1 and 1000' }))
    expect(() => typeFromName('varchar', [0])).toThrow(expect.objectContaining({ code: '22023' }))
  })
})
