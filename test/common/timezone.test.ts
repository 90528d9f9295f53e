import { afterEach, describe, expect, it } from 'vitest'
import { resolveCast, resolveFunction } from '../../engine/catalog/functions/index.js'
import { formatValue, parseValue, setSessionTimeZone, typeOf, zoneOffset } from '../../engine/common/index.js'

const T = typeOf
const tstz = (s: string): number => parseValue(s, T('timestamptz')) as number

describe('session time zone', () => {
  afterEach(() => setSessionTimeZone('UTC'))

  it('prints and reads timestamptz in the session zone', () => {
    setSessionTimeZone('America/New_York')
    expect(formatValue(tstz('2024-01-01 12:00+00'), T('timestamptz'))).toBe('2024-01-01 07:00:00-05')
    expect(formatValue(tstz('2024-07-01 12:00+00'), T('timestamptz'))).toBe('2024-07-01 08:00:00-04')
    expect(tstz('2024-01-01 07:00')).toBe(tstz('2024-01-01 12:00+00'))
    setSessionTimeZone('Asia/Kolkata')
    expect(formatValue(tstz('2024-01-01 00:00+00'), T('timestamptz'))).toBe('2024-01-01 05:30:00+05:30')
    setSessionTimeZone('UTC')
    expect(formatValue(tstz('2024-01-01 00:00+00'), T('timestamptz'))).toBe('2024-01-01 00:00:00+00')
  })

  it('converts between timestamp, timestamptz and date in the session zone', () => {
    setSessionTimeZone('Europe/Paris')
    const toTs = resolveCast(T('timestamptz'), T('timestamp'), 'assignment')!
    const toTz = resolveCast(T('timestamp'), T('timestamptz'), 'implicit')!
    const toDate = resolveCast(T('timestamptz'), T('date'), 'assignment')!
    const v = tstz('2024-01-01 23:30+00')
    expect(formatValue(toTs(v), T('timestamp'))).toBe('2024-01-02 00:30:00')
    expect(toTz(toTs(v))).toBe(v)
    expect(formatValue(toDate(v), T('date'))).toBe('2024-01-02')
    const trunc = resolveFunction('date_trunc', [T('text'), T('timestamptz')])!
    expect(formatValue(trunc.fn('day', v), T('timestamptz'))).toBe('2024-01-02 00:00:00+01')
    const extract = resolveFunction('extract', [T('text'), T('timestamptz')])!
    expect(String(extract.fn('hour', v))).toBe('0')
    expect(String(extract.fn('timezone', v))).toBe('3600')
  })

  it('rejects unknown zones and reads POSIX offsets west-positive', () => {
    expect(() => setSessionTimeZone('Mars/Base')).toThrow(expect.objectContaining({ code: '22023', message: 'invalid value for parameter "TimeZone": "Mars/Base"' }))
    expect(zoneOffset('UTC+5', 0)).toBe(-5 * 3_600_000_000)
    expect(zoneOffset('America/New_York', tstz('2024-01-01 00:00+00'))).toBe(-5 * 3_600_000_000)
  })
})

describe('timestamptz arithmetic across DST', () => {
  afterEach(() => setSessionTimeZone('UTC'))

  it('adds days in local time, hours in absolute time', async () => {
    const { resolveOperator } = await import('../../engine/catalog/functions/index.js')
    setSessionTimeZone('America/New_York')
    const plus = resolveOperator('+', T('timestamptz'), T('interval'))!.impl
    const start = tstz('2024-03-09 12:00:00')
    expect(formatValue(plus.fn(start, parseValue('1 day', T('interval'))), T('timestamptz'))).toBe('2024-03-10 12:00:00-04')
    expect(formatValue(plus.fn(start, parseValue('24 hours', T('interval'))), T('timestamptz'))).toBe('2024-03-10 13:00:00-04')
  })
})
