import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal, selectDivScale } from '../../engine/common/index.js'

const d = (s: string): Decimal => Decimal.parse(s)

describe('Decimal', () => {
  it('parses and prints exactly, keeping the display scale', () => {
    expect(d('1.50').toString()).toBe('1.50')
    expect(d('-0.001').toString()).toBe('-0.001')
    expect(d('  42 ').toString()).toBe('42')
    expect(d('1e3').toString()).toBe('1000')
    expect(d('1.5e-3').toString()).toBe('0.0015')
    expect(d('.5').toString()).toBe('0.5')
    expect(d('5.').toString()).toBe('5')
    expect(d('NaN').toString()).toBe('NaN')
    expect(d('-Infinity').toString()).toBe('-Infinity')
  })

  it('rejects bad input with 22P02', () => {
    expect(() => d('1.2.3')).toThrow(expect.objectContaining({ code: '22P02', message: 'invalid input syntax for type numeric: "1.2.3"' }))
    expect(() => d('')).toThrow(expect.objectContaining({ code: '22P02' }))
  })

  it('adds, subtracts and multiplies with PostgreSQL result scales', () => {
    expect(d('1.5').add(d('2.25')).toString()).toBe('3.75')
    expect(d('1.50').sub(d('0.5')).toString()).toBe('1.00')
    expect(d('1.5').mul(d('2.25')).toString()).toBe('3.375')
    expect(d('0.10').mul(d('3')).toString()).toBe('0.30')
  })

  it('divides with select_div_scale (at least 16 significant digits)', () => {
    expect(d('1').div(d('3')).toString()).toBe('0.33333333333333333333')
    expect(d('10').div(d('4')).toString()).toBe('2.5000000000000000')
    expect(d('3').div(d('2')).toString()).toBe('1.5000000000000000')
    expect(d('2').div(d('3')).toString()).toBe('0.66666666666666666667')
    expect(d('100').div(d('7')).toString()).toBe('14.2857142857142857')
    expect(d('1.000000000000000000001').div(d('1')).toString()).toBe('1.000000000000000000001')
    expect(d('7').div(d('0.5')).toString()).toBe('14.0000000000000000')
    expect(selectDivScale(d('1'), d('3'))).toBe(20)
  })

  it('raises 22012 on division by zero', () => {
    expect(() => d('1').div(d('0'))).toThrow(expect.objectContaining({ code: '22012', message: 'division by zero' }))
    expect(() => d('1').mod(d('0'))).toThrow(expect.objectContaining({ code: '22012' }))
  })

  it('rounds half away from zero and truncates', () => {
    expect(d('2.5').round(0).toString()).toBe('3')
    expect(d('-2.5').round(0).toString()).toBe('-3')
    expect(d('2.345').round(2).toString()).toBe('2.35')
    expect(d('1234.5678').round(-2).toString()).toBe('1200')
    expect(d('1.5').round(3).toString()).toBe('1.500')
    expect(d('-2.79').trunc(1).toString()).toBe('-2.7')
    expect(d('-2.1').floor().toString()).toBe('-3')
    expect(d('-2.1').ceil().toString()).toBe('-2')
    expect(d('2.1').ceil().toString()).toBe('3')
  })

  it('keeps the sign of the dividend in mod', () => {
    expect(d('-7').mod(d('3')).toString()).toBe('-1')
    expect(d('7.5').mod(d('2')).toString()).toBe('1.5')
  })

  it('applies numeric(p,s) typmods with PostgreSQL errors', () => {
    expect(d('123.456').applyTypmod(5, 2).toString()).toBe('123.46')
    expect(d('0.5').applyTypmod(1, 0).toString()).toBe('1')
    expect(() => d('1234.5').applyTypmod(5, 2)).toThrow(
      expect.objectContaining({
        code: '22003',
        message: 'numeric field overflow',
        detail: 'A field with precision 5, scale 2 must round to an absolute value less than 10^3.',
      }),
    )
    expect(() => d('0.995').applyTypmod(2, 2)).toThrow(expect.objectContaining({ code: '22003' }))
  })

  it('orders NaN above +Infinity and equal values regardless of scale', () => {
    const sorted = ['NaN', 'Infinity', '1', '-Infinity', '0.5', '-3'].map(d).sort((a, b) => a.compare(b))
    expect(sorted.map(String)).toEqual(['-Infinity', '-3', '0.5', '1', 'Infinity', 'NaN'])
    expect(d('1.0').compare(d('1.00'))).toBe(0)
    expect(d('1.0').key()).toBe(d('1').key())
    expect(d('NaN').compare(d('NaN'))).toBe(0)
  })

  it('converts floats as PostgreSQL (15 significant digits)', () => {
    expect(Decimal.fromFloat(0.1).toString()).toBe('0.1')
    expect(Decimal.fromFloat(1e20).toString()).toBe('100000000000000000000')
    expect(Decimal.fromFloat(1 / 3).toString()).toBe('0.333333333333333')
  })

  it('agrees with bigint arithmetic (property)', () => {
    const dec = fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
    fc.assert(
      fc.property(dec, dec, ([u1, s1], [u2, s2]) => {
        const a = Decimal.of(u1, s1)
        const b = Decimal.of(u2, s2)
        const s = Math.max(s1, s2)
        const a2 = u1 * 10n ** BigInt(s - s1)
        const b2 = u2 * 10n ** BigInt(s - s2)
        expect(a.add(b).unscaled).toBe(a2 + b2)
        expect(a.sub(b).unscaled).toBe(a2 - b2)
        expect(a.mul(b).unscaled).toBe(u1 * u2)
        expect(a.compare(b)).toBe(a2 < b2 ? -1 : a2 > b2 ? 1 : 0)
        expect(Decimal.parse(a.toString()).compare(a)).toBe(0)
        if (u2 !== 0n) {
          const q = a.div(b)
          // |q - a/b| <= half a unit in the last place: |q*b - a| * 2 <= |b| * 10^-scale
          const err = q.mul(b).sub(a).abs()
          const ulp = b.abs().mul(Decimal.of(1n, q.scale))
          expect(err.mul(Decimal.fromInt(2)).compare(ulp)).toBeLessThanOrEqual(0)
        }
      }),
    )
  })
})
