import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Decimal,
  Interval,
  arrayType,
  charType,
  compareValues,
  formatValue,
  hashKey,
  numericType,
  parseValue,
  rowHashKey,
  typeOf,
  type SqlType,
  type SqlValue,
} from '../../engine/common/index.js'

const T = typeOf

describe('formatValue', () => {
  it('prints float8 like PostgreSQL 12+ (shortest round trip)', () => {
    const f = (x: number): string => formatValue(x, T('float8'))
    expect(f(1)).toBe('1')
    expect(f(0.1)).toBe('0.1')
    expect(f(1e20)).toBe('1e+20')
    expect(f(1e15)).toBe('1e+15')
    expect(f(123456789012345)).toBe('123456789012345')
    expect(f(0.0001)).toBe('0.0001')
    expect(f(0.00001)).toBe('1e-05')
    expect(f(-1.5e-7)).toBe('-1.5e-07')
    expect(f(1 / 3)).toBe('0.3333333333333333')
    expect(f(Infinity)).toBe('Infinity')
    expect(f(-Infinity)).toBe('-Infinity')
    expect(f(NaN)).toBe('NaN')
    expect(f(-0)).toBe('-0')
    expect(f(2.5e300)).toBe('2.5e+300')
  })

  it('prints float4 with float32 shortest digits', () => {
    const f = (x: number): string => formatValue(Math.fround(x), T('float4'))
    expect(f(1.1)).toBe('1.1')
    expect(f(0.1)).toBe('0.1')
    expect(f(1234567)).toBe('1.234567e+06')
    expect(f(123456)).toBe('123456')
    expect(f(3.14159)).toBe('3.14159')
  })

  it('prints booleans, bytea, dates, times, intervals and arrays', () => {
    expect(formatValue(true, T('bool'))).toBe('t')
    expect(formatValue(new Uint8Array([0xde, 0xad, 0x01]), T('bytea'))).toBe('\\xdead01')
    expect(formatValue(parseValue('2024-02-29', T('date')), T('date'))).toBe('2024-02-29')
    expect(formatValue(parseValue('0044-03-15 BC', T('date')), T('date'))).toBe('0044-03-15 BC')
    expect(formatValue(parseValue('13:45:10.250', T('time')), T('time'))).toBe('13:45:10.25')
    expect(formatValue(parseValue('2024-01-31 13:45:00', T('timestamp')), T('timestamp'))).toBe('2024-01-31 13:45:00')
    expect(formatValue(parseValue('2024-01-31 13:45:00+02', T('timestamptz')), T('timestamptz'))).toBe('2024-01-31 11:45:00+00')
    expect(formatValue(parseValue('1 year 2 months 3 days 04:05:06.5', T('interval')), T('interval'))).toBe('1 year 2 mons 3 days 04:05:06.5')
    expect(formatValue(parseValue('-1 day 2 hours', T('interval')), T('interval'))).toBe('-1 days +02:00:00')
    expect(formatValue(new Interval(0, 0, 0), T('interval'))).toBe('00:00:00')
    expect(formatValue(parseValue('-1 hours', T('interval')), T('interval'))).toBe('-01:00:00')
    expect(formatValue(['a b', null, 'c', ''], arrayType(T('text')))).toBe('{"a b",NULL,c,""}')
    expect(formatValue([[1, 2], [3, 4]], arrayType(T('int4')))).toBe('{{1,2},{3,4}}')
    expect(formatValue(Infinity, T('date'))).toBe('infinity')
  })
})

describe('parseValue', () => {
  it('parses integers with PostgreSQL range errors', () => {
    expect(parseValue(' 42 ', T('int4'))).toBe(42)
    expect(parseValue('-32768', T('int2'))).toBe(-32768)
    expect(parseValue('9223372036854775807', T('int8'))).toBe(9223372036854775807n)
    expect(() => parseValue('2147483648', T('int4'))).toThrow(expect.objectContaining({ code: '22003', message: 'value "2147483648" is out of range for type integer' }))
    expect(() => parseValue('1.5', T('int4'))).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type integer: "1.5"' }))
    expect(() => parseValue('abc', T('int8'))).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type bigint: "abc"' }))
    expect(parseValue('0x1F', T('int4'))).toBe(31)
    expect(parseValue('1_000', T('int4'))).toBe(1000)
  })

  it('parses floats, booleans and numerics', () => {
    expect(parseValue('1e-3', T('float8'))).toBe(0.001)
    expect(parseValue('-Infinity', T('float8'))).toBe(-Infinity)
    expect(Number.isNaN(parseValue('nan', T('float8')))).toBe(true)
    expect(() => parseValue('1e400', T('float8'))).toThrow(expect.objectContaining({ code: '22003' }))
    expect(() => parseValue('x', T('float4'))).toThrow(expect.objectContaining({ message: 'invalid input syntax for type real: "x"' }))
    for (const t of ['t', 'true', 'YES', 'on', '1', ' y ']) expect(parseValue(t, T('bool'))).toBe(true)
    for (const t of ['f', 'FALSE', 'no', 'off', '0']) expect(parseValue(t, T('bool'))).toBe(false)
    expect(() => parseValue('maybe', T('bool'))).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type boolean: "maybe"' }))
    expect((parseValue('12.345', numericType(4, 2)) as Decimal).toString()).toBe('12.35')
  })

  it('applies varchar(n) and char(n) lengths', () => {
    expect(parseValue('abc', charType('varchar', 5))).toBe('abc')
    expect(parseValue('abc   ', charType('varchar', 3))).toBe('abc')
    expect(() => parseValue('abcdef', charType('varchar', 3))).toThrow(
      expect.objectContaining({ code: '22001', message: 'value too long for type character varying(3)' }),
    )
    expect(parseValue('ab', charType('bpchar', 4))).toBe('ab  ')
    expect(() => parseValue('abcde', charType('bpchar', 4))).toThrow(expect.objectContaining({ message: 'value too long for type character(4)' }))
  })

  it('parses dates and timestamps with PostgreSQL errors', () => {
    expect(parseValue('1970-01-02', T('date'))).toBe(1)
    expect(parseValue('2000-01-01 10:00', T('date'))).toBe(10957)
    expect(parseValue('infinity', T('timestamp'))).toBe(Infinity)
    expect(parseValue('1970-01-01T00:00:01.5Z', T('timestamptz'))).toBe(1_500_000)
    expect(parseValue('1970-01-01 01:00:00+01', T('timestamptz'))).toBe(0)
    expect(parseValue('1970-01-01 01:00:00+01', T('timestamp'))).toBe(3_600_000_000)
    expect(parseValue('Jan 2 1970', T('date'))).toBe(1)
    expect(parseValue('01/02/1970', T('date'))).toBe(1)
    expect(parseValue('19700102', T('date'))).toBe(1)
    expect(parseValue('1970-01-01 13:00:00 UTC', T('timestamptz'))).toBe(13 * 3_600_000_000)
    expect(parseValue('1970-01-01 05:30:00+05:30', T('timestamptz'))).toBe(0)
    expect(parseValue('1:30 pm', T('time'))).toBe(13.5 * 3_600_000_000)
    expect(parseValue('24:00:00', T('time'))).toBe(86_400_000_000)
    expect(() => parseValue('2024-13-01', T('date'))).toThrow(expect.objectContaining({ code: '22008', message: 'date/time field value out of range: "2024-13-01"' }))
    expect(() => parseValue('2023-02-29', T('date'))).toThrow(expect.objectContaining({ code: '22008' }))
    expect(() => parseValue('garbage', T('date'))).toThrow(expect.objectContaining({ code: '22007', message: 'invalid input syntax for type date: "garbage"' }))
    expect(() => parseValue('25:00', T('time'))).toThrow(expect.objectContaining({ code: '22008' }))
  })

  it('parses intervals in PostgreSQL, SQL-standard and ISO 8601 forms', () => {
    const iv = (s: string): string => formatValue(parseValue(s, T('interval')), T('interval'))
    expect(iv('1 day')).toBe('1 day')
    expect(iv('2 weeks')).toBe('14 days')
    expect(iv('1.5 days')).toBe('1 day 12:00:00')
    expect(iv('1.5 months')).toBe('1 mon 15 days')
    expect(iv('01:02:03')).toBe('01:02:03')
    expect(iv('1 02:03:04')).toBe('1 day 02:03:04')
    expect(iv('@ 3 days ago')).toBe('-3 days')
    expect(iv('P1Y2M3DT4H5M6S')).toBe('1 year 2 mons 3 days 04:05:06')
    expect(iv('1-2')).toBe('1 year 2 mons')
    expect(iv('90 minutes')).toBe('01:30:00')
    expect(iv('30')).toBe('00:00:30')
    expect(() => parseValue('1 fortnight', T('interval'))).toThrow(expect.objectContaining({ code: '22007', message: 'invalid input syntax for type interval: "1 fortnight"' }))
  })

  it('parses uuid, bytea, json, jsonb and arrays', () => {
    expect(parseValue('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', T('uuid'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
    expect(parseValue('{a0eebc999c0b4ef8bb6d6bb9bd380a11}', T('uuid'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
    expect(() => parseValue('not-a-uuid', T('uuid'))).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type uuid: "not-a-uuid"' }))
    expect(parseValue('\\x0aff', T('bytea'))).toEqual(new Uint8Array([10, 255]))
    expect(parseValue('ab\\000', T('bytea'))).toEqual(new Uint8Array([97, 98, 0]))
    expect(parseValue('{"b":1,  "a":2}', T('json'))).toBe('{"b":1,  "a":2}')
    expect(parseValue('{"b":1, "a":2, "b": 3, "aa": [1.50, 1e2]}', T('jsonb'))).toBe('{"a": 2, "b": 3, "aa": [1.50, 100]}')
    expect(() => parseValue('{bad', T('json'))).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type json' }))
    expect(parseValue('{1, 2,NULL}', arrayType(T('int4')))).toEqual([1, 2, null])
    expect(parseValue('{"a b","c\\"d",e}', arrayType(T('text')))).toEqual(['a b', 'c"d', 'e'])
    expect(parseValue('{{1,2},{3,4}}', arrayType(T('int4')))).toEqual([[1, 2], [3, 4]])
    expect(() => parseValue('1,2', arrayType(T('int4')))).toThrow(expect.objectContaining({ code: '22P02', message: 'malformed array literal: "1,2"' }))
  })
})

/** Arbitrary values per type, with the duplicates that make equality interesting (1.0 vs 1.00, -0, NaN). */
const arbitraries: [SqlType, fc.Arbitrary<SqlValue>][] = [
  [T('int4'), fc.integer()],
  [T('int8'), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  [T('float8'), fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1.5))],
  [T('numeric'), fc.tuple(fc.bigInt({ min: -1000n, max: 1000n }), fc.integer({ min: 0, max: 3 })).map(([u, s]) => Decimal.of(u, s))],
  [T('text'), fc.oneof(fc.string(), fc.constantFrom('a', 'b', '\u{1F600}', '\uE000', ''))],
  [charType('bpchar', 5), fc.constantFrom('a    ', 'a', 'a  ', 'b', '')],
  [T('bool'), fc.boolean()],
  [T('bytea'), fc.uint8Array({ maxLength: 4 })],
  [T('interval'), fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -90, max: 90 }), fc.constantFrom(0, 86_400_000_000, -1)).map(([m, d, u]) => new Interval(m, d, u))],
  [arrayType(T('int4')), fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { maxLength: 3 })],
]

describe('compareValues and hashKey', () => {
  it('agree: equal values have identical keys (property, every type)', () => {
    for (const [type, arb] of arbitraries) {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          const equal = compareValues(a, b, type) === 0
          const ka = hashKey(a, type)
          const kb = hashKey(b, type)
          expect(new Map([[ka, 1]]).has(kb)).toBe(equal)
        }),
        { numRuns: 300 },
      )
    }
  })

  it('is a total order: antisymmetric and transitive (property)', () => {
    for (const [type, arb] of arbitraries) {
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          expect(Math.sign(compareValues(a, b, type))).toBe(-Math.sign(compareValues(b, a, type)) || 0)
          if (compareValues(a, b, type) <= 0 && compareValues(b, c, type) <= 0) expect(compareValues(a, c, type)).toBeLessThanOrEqual(0)
        }),
        { numRuns: 200 },
      )
    }
  })

  it('follows PostgreSQL for floats, text and intervals', () => {
    const f8 = T('float8')
    expect(compareValues(NaN, Infinity, f8)).toBeGreaterThan(0)
    expect(compareValues(NaN, NaN, f8)).toBe(0)
    expect(compareValues(-0, 0, f8)).toBe(0)
    expect(compareValues('\u{1F600}', '\uFFFF', T('text'))).toBeGreaterThan(0)
    expect(compareValues('a  ', 'a', charType('bpchar', 3))).toBe(0)
    expect(compareValues(new Interval(1, 0, 0), new Interval(0, 30, 0), T('interval'))).toBe(0)
  })

  it('builds composite row keys that separate NULL from values', () => {
    const types = [T('text'), T('text')]
    expect(rowHashKey(['a', 'bc'], types)).not.toBe(rowHashKey(['ab', 'c'], types))
    expect(rowHashKey([null, 'x'], types)).toBe(rowHashKey([null, 'x'], types))
    expect(rowHashKey([null], [T('int4')])).toBe(null)
  })
})

describe('round trip', () => {
  it('parseValue(formatValue(v)) equals v for every type (property)', () => {
    const more: [SqlType, fc.Arbitrary<SqlValue>][] = [
      ...arbitraries.filter(([t]) => t.id !== 'bpchar'),
      [T('date'), fc.integer({ min: -2_000_000, max: 2_000_000 })],
      [T('timestamp'), fc.integer({ min: -200_000_000_000_000_000, max: 200_000_000_000_000_000 })],
      [T('timestamptz'), fc.integer({ min: -1e17, max: 1e17 })],
      [T('time'), fc.integer({ min: 0, max: 86_400_000_000 - 1 })],
      [T('float4'), fc.float({ noDefaultInfinity: false }).map((x) => Math.fround(x))],
      [T('uuid'), fc.uuid()],
    ]
    for (const [type, arb] of more) {
      fc.assert(
        fc.property(arb, (v) => {
          const text = formatValue(v, type)
          const back = parseValue(text, type)
          expect(compareValues(back, v, type)).toBe(0)
          if (type.id === 'numeric') expect(String(back)).toBe(text)
        }),
        { numRuns: 300 },
      )
    }
  })
})

describe('bad input', () => {
  it('parseValue either parses or throws a RustyError with a SQLSTATE, never a TypeError (property)', () => {
    const types: SqlType[] = [
      T('int2'), T('int4'), T('int8'), T('float4'), T('float8'), numericType(), numericType(5, 2), T('bool'), T('bytea'),
      T('date'), T('time'), T('timestamp'), T('timestamptz'), T('interval'), T('uuid'), T('json'), T('jsonb'),
      arrayType(T('int4')), arrayType(T('text')), charType('varchar', 3),
    ]
    const text = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[0-9:\-+. a-zA-Z{}",\\[\]]{0,20}$/),
      fc.constantFrom('', ' ', '-', '+', '.', 'e5', '1e', '--1', '0x', '{', '{"a":', '[1,', 'P', 'PT', '@', 'ago', '1 ago', '24:00:01', '2024-02-30', '{{1},{2}', '\\x1'),
    )
    for (const type of types) {
      fc.assert(
        fc.property(text, (s) => {
          try {
            parseValue(s, type)
          } catch (e) {
            expect((e as { name?: string }).name).toBe('RustyError')
            expect((e as { code: string }).code).toMatch(/^[0-9A-Z]{5}$/)
          }
        }),
        { numRuns: 300 },
      )
    }
  })
})
