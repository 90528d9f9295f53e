import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFullRow, decodeRow, decodeRowsAt, encodeRow } from '../../engine/catalog/row-codec.js'
import { encodeKeyValues } from '../../engine/catalog/value-key.js'
import {
  Decimal,
  Interval,
  arrayType,
  charType,
  compareValues,
  typeOf,
  type SqlType,
  type SqlValue,
} from '../../engine/common/index.js'
import { compareKeys } from '../../engine/storage/index.js'

const T = typeOf

/** Per type: an arbitrary of its values, including the equal-but-different ones (1.0 / 1.00, -0 / 0). */
const typed: [SqlType, fc.Arbitrary<SqlValue>][] = [
  [T('bool'), fc.boolean()],
  [T('int2'), fc.integer({ min: -32768, max: 32767 })],
  [T('int4'), fc.integer()],
  [T('int8'), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  [T('float4'), fc.float().map((x) => Math.fround(x))],
  [T('float8'), fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity))],
  [
    T('numeric'),
    fc.oneof(
      fc.tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.integer({ min: 0, max: 8 })).map(([u, s]) => Decimal.of(u, s)),
      fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 2 })).map(([u, s]) => Decimal.of(BigInt(u), s)),
      fc.constantFrom(Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity, Decimal.ZERO),
    ),
  ],
  [T('text'), fc.string({ unit: 'grapheme' })],
  [charType('bpchar', 4), fc.constantFrom('a   ', 'ab  ', 'b   ', '    ')],
  [T('bytea'), fc.uint8Array({ maxLength: 8 })],
  [T('date'), fc.oneof(fc.integer({ min: -2_000_000, max: 2_000_000 }), fc.constantFrom(Infinity, -Infinity))],
  [T('time'), fc.integer({ min: 0, max: 86_400_000_000 })],
  [T('timestamp'), fc.oneof(fc.integer({ min: -1e17, max: 1e17 }), fc.constantFrom(Infinity, -Infinity))],
  [T('timestamptz'), fc.integer({ min: -1e15, max: 1e15 })],
  [T('interval'), fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1e12, max: 1e12 })).map(([m, d, u]) => new Interval(m, d, u))],
  [T('uuid'), fc.uuid()],
  [T('jsonb'), fc.constantFrom('{}', '[1, 2]', '{"a": "b"}')],
  [arrayType(T('int4')), fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }), { maxLength: 4 })],
  [arrayType(T('text')), fc.array(fc.option(fc.string({ maxLength: 3 }), { nil: null }), { maxLength: 3 })],
]

const rowArb = fc
  .array(fc.constantFrom(...typed.keys()), { minLength: 1, maxLength: 8 })
  .chain((idx) => fc.tuple(fc.constant(idx.map((i) => typed[i][0])), fc.tuple(...idx.map((i) => fc.option(typed[i][1], { nil: null, freq: 4 })))))

function sameValue(a: SqlValue, b: SqlValue, t: SqlType): void {
  if (a === null || b === null) {
    expect(b).toBe(a)
    return
  }
  expect(compareValues(a, b, t)).toBe(0)
  if (t.id === 'numeric') expect((b as Decimal).toString()).toBe((a as Decimal).toString())
  if (t.id === 'float8' || t.id === 'float4') expect(Object.is(a, b) || (a !== a && b !== b)).toBe(true)
}

describe('row codec', () => {
  it('round-trips every type, NULLs included (property)', () => {
    fc.assert(
      fc.property(rowArb, ([types, row]) => {
        const back = decodeFullRow(encodeRow(row, types), types)
        expect(back.length).toBe(row.length)
        row.forEach((v, i) => sameValue(v, back[i], types[i]))
      }),
      { numRuns: 500 },
    )
  })

  it('decodes selected columns straight into column arrays (property)', () => {
    fc.assert(
      fc.property(rowArb, fc.array(fc.nat(), { maxLength: 5 }), ([types, row], picks) => {
        const columns = picks.map((p) => p % types.length)
        const out: SqlValue[][] = columns.map(() => [])
        const bytes = encodeRow(row, types)
        decodeRow(bytes, types, columns, out, 0)
        decodeRow(bytes, types, columns, out, 1)
        columns.forEach((c, k) => {
          sameValue(row[c], out[k][0], types[c])
          sameValue(row[c], out[k][1], types[c])
        })
      }),
      { numRuns: 300 },
    )
  })

  it('decodes many packed rows like decodeRow, through the fixed-offset path and around it (property)', () => {
    // Half the tables are fixed-width only (the direct path applies to rows without NULLs up to the last
    // requested column); rows may be NULL anywhere or written before columns were added.
    const fixed = typed.map((t, i) => i).filter((i) => ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid'].includes(typed[i][0].id))
    const tableArb = fc
      .oneof(fc.array(fc.constantFrom(...fixed), { minLength: 1, maxLength: 10 }), fc.array(fc.constantFrom(...typed.keys()), { minLength: 1, maxLength: 8 }))
      .chain((idx) =>
        fc.tuple(
          fc.constant(idx.map((i) => typed[i][0])),
          fc.array(
            fc.tuple(fc.integer({ min: 0, max: idx.length - 1 }), fc.tuple(...idx.map((i) => fc.option(typed[i][1], { nil: null, freq: 8 })))),
            { minLength: 1, maxLength: 12 },
          ),
          fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        ),
      )
    fc.assert(
      fc.property(tableArb, ([types, rows, picks]) => {
        const columns = picks.map((p) => p % types.length)
        // Each row is stored with its first `dropped` trailing columns missing half the time (ADD COLUMN).
        const encoded = rows.map(([cut, row], r) => (r % 2 === 0 ? encodeRow(row, types) : encodeRow(row.slice(0, cut + 1), types.slice(0, cut + 1))))
        const logical = rows.map(([cut, row], r) => (r % 2 === 0 ? row : row.map((v, i) => (i <= cut ? v : null))))
        const pad = 5
        const total = encoded.reduce((a, b) => a + b.length, pad)
        const data = new Uint8Array(total)
        const offsets = new Uint32Array(encoded.length)
        let at = pad
        encoded.forEach((e, r) => {
          offsets[r] = at
          data.set(e, at)
          at += e.length
        })
        const out: SqlValue[][] = columns.map(() => [])
        const start = 3
        decodeRowsAt(data, offsets, 0, encoded.length, types, columns, out, start)
        logical.forEach((row, r) => columns.forEach((c, k) => sameValue(row[c], out[k][start + r], types[c])))
      }),
      { numRuns: 400 },
    )
  })

  it('reads rows written before ADD COLUMN with NULL or the given default', () => {
    const old = [T('int4'), T('text')]
    const now = [...old, T('int8'), T('bool')]
    const bytes = encodeRow([1, 'a'], old)
    expect(decodeFullRow(bytes, now)).toEqual([1, 'a', null, null])
    expect(decodeFullRow(bytes, now, [null, null, 7n, true])).toEqual([1, 'a', 7n, true])
    const out: SqlValue[][] = [[], []]
    decodeRow(bytes, now, [3, 0], out, 0, [null, null, 7n, false])
    expect(out).toEqual([[false], [1]])
  })

  it('does not keep references to the input bytes', () => {
    const bytes = encodeRow([new Uint8Array([1, 2, 3])], [T('bytea')])
    const row = decodeFullRow(bytes, [T('bytea')])
    bytes.fill(0)
    expect(row[0]).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('rejects an unknown format version as corruption', () => {
    const bytes = encodeRow([1], [T('int4')])
    bytes[0] = 9
    expect(() => decodeFullRow(bytes, [T('int4')])).toThrow(expect.objectContaining({ code: 'XX001' }))
  })
})

describe('value keys', () => {
  it('orders keys like compareValues and gives equal values equal bytes (property, every type)', () => {
    for (const [type, arb] of typed) {
      if (type.id === 'jsonb') continue
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          const c = Math.sign(compareValues(a, b, type))
          const ka = encodeKeyValues([a], [type])
          const kb = encodeKeyValues([b], [type])
          expect(Math.sign(compareKeys(ka, kb))).toBe(c)
          const da = encodeKeyValues([a], [type], [{ descending: true }])
          const db = encodeKeyValues([b], [type], [{ descending: true }])
          expect(Math.sign(compareKeys(da, db))).toBe(-c || 0)
        }),
        { numRuns: 300 },
      )
    }
  })

  it('keeps composite key order and NULL placement', () => {
    const types = [T('int4'), T('text')]
    const keys = [
      [1, 'b'],
      [1, null],
      [null, 'a'],
      [0, 'z'],
      [1, 'a'],
    ].map((r) => encodeKeyValues(r, types))
    const sorted = [...keys].sort(compareKeys).map((k) => keys.indexOf(k))
    expect(sorted).toEqual([3, 4, 0, 1, 2])
    const nullsFirst = encodeKeyValues([null], [T('int4')], [{ nullsFirst: true }])
    expect(compareKeys(nullsFirst, encodeKeyValues([-5], [T('int4')]))).toBeLessThan(0)
  })

  it('encodes numeric scale-independently and int widths alike', () => {
    expect(encodeKeyValues([Decimal.parse('1.0')], [T('numeric')])).toEqual(encodeKeyValues([Decimal.parse('1.000')], [T('numeric')]))
    expect(encodeKeyValues([-0], [T('float8')])).toEqual(encodeKeyValues([0], [T('float8')]))
    expect(encodeKeyValues([5], [T('int4')])).toEqual(encodeKeyValues([5n], [T('int8')]))
    expect(encodeKeyValues(['ab  '], [charType('bpchar', 4)])).toEqual(encodeKeyValues(['ab'], [charType('bpchar', 2)]))
  })
})
