/**
 * Date/time text input and output with PostgreSQL's formats (DateStyle ISO, IntervalStyle postgres).
 * Owns: civil calendar arithmetic (proleptic Gregorian, astronomical year numbering: year 0 = 1 BC),
 * parsing and printing of date, time, timestamp, timestamptz and interval.
 * Representations (common/types.ts): date = days since 1970-01-01; time = µs since midnight;
 * timestamp(tz) = µs since 1970-01-01 00:00 UTC; ±Infinity for ±infinity.
 * Invariants:
 *   (1) timestamptz text is in the session time zone (timezone.ts; UTC by default: `+00`): output shows the
 *       local time and its offset, input without an offset is local time.
 *   (2) Fractional seconds are rounded to microseconds (half away from zero).
 * Not here: to_char / to_timestamp templates (catalog/functions/datetime-functions.ts).
 */
import { datetimeFieldOverflow, invalidDatetimeFormat } from '../errors.js'
import { Interval, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './interval.js'
import { fromLocal, sessionOffset, toLocal } from './timezone.js'

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** [year, month, day] of days since 1970-01-01 (Hinnant's civil_from_days). */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const y = yoe + era * 400
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [m <= 2 ? y + 1 : y, m, d]
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]
}

/** Earliest/latest dates PostgreSQL accepts: 4713-11-24 BC .. 5874897-12-31; timestamps to 294276 AD. */
const MIN_DATE = daysFromCivil(-4713, 11, 24)
const MAX_DATE = daysFromCivil(5874897, 12, 31)
const MAX_TIMESTAMP_DAYS = daysFromCivil(294277, 1, 1)

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n)
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : n >= 100 ? '0' + n : n >= 10 ? '00' + n : '000' + n
}

/** ISO date text of a civil date: `2024-01-31`, years <= 0 as `0044-03-15 BC`. */
function ymdText(y: number, m: number, d: number): string {
  if (y > 0) return `${pad4(y)}-${pad2(m)}-${pad2(d)}`
  return `${pad4(1 - y)}-${pad2(m)}-${pad2(d)} BC`
}

/** Seconds and fraction: `05`, `05.25` (trailing zeros dropped). */
function secondsText(micros: number): string {
  const s = Math.floor(micros / MICROS_PER_SECOND)
  const f = micros - s * MICROS_PER_SECOND
  if (f === 0) return pad2(s)
  let frac = String(f).padStart(6, '0')
  let end = 6
  while (frac.charCodeAt(end - 1) === 48) end--
  frac = frac.slice(0, end)
  return `${pad2(s)}.${frac}`
}

/** `HH:MM:SS[.ffffff]` of µs since midnight (may be 24:00:00). */
export function formatTime(micros: number): string {
  const h = Math.floor(micros / MICROS_PER_HOUR)
  const rest = micros - h * MICROS_PER_HOUR
  const mi = Math.floor(rest / MICROS_PER_MINUTE)
  return `${pad2(h)}:${pad2(mi)}:${secondsText(rest - mi * MICROS_PER_MINUTE)}`
}

/** PostgreSQL date output. */
export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity'
  if (days === -Infinity) return '-infinity'
  const [y, m, d] = civilFromDays(days)
  return ymdText(y, m, d)
}

/** A zone offset as PostgreSQL prints it: `+00`, `-05`, `+05:30`, `+00:19:32`. */
export function formatOffset(offsetMicros: number, isoColon = false): string {
  const secs = Math.round(offsetMicros / MICROS_PER_SECOND)
  const a = Math.abs(secs)
  const h = Math.floor(a / 3600)
  const m = Math.floor((a % 3600) / 60)
  const sec = a % 60
  let out = (secs < 0 ? '-' : '+') + pad2(h)
  if (m !== 0 || sec !== 0 || isoColon) out += ':' + pad2(m)
  if (sec !== 0) out += ':' + pad2(sec)
  return out
}

/** PostgreSQL timestamp output (`2024-01-31 13:45:00.5`); `withZone`: local time of the session zone and its offset (invariant (1)). */
export function formatTimestamp(micros: number, withZone: boolean): string {
  if (micros === Infinity) return 'infinity'
  if (micros === -Infinity) return '-infinity'
  let zone = ''
  if (withZone) {
    const off = sessionOffset(micros)
    zone = formatOffset(off)
    micros += off
  }
  const days = Math.floor(micros / MICROS_PER_DAY)
  const tod = micros - days * MICROS_PER_DAY
  const [y, m, d] = civilFromDays(days)
  const date = `${pad4(y > 0 ? y : 1 - y)}-${pad2(m)}-${pad2(d)}`
  return `${date} ${formatTime(tod)}${zone}${y > 0 ? '' : ' BC'}`
}

function plural(value: number, unit: string, first: boolean, before: boolean): string {
  return `${first ? '' : ' '}${before && value > 0 ? '+' : ''}${value} ${unit}${value === 1 ? '' : 's'}`
}

/** PostgreSQL interval output, IntervalStyle postgres: `1 year 2 mons -3 days +04:05:06.5`. */
export function formatInterval(iv: Interval): string {
  const years = Math.trunc(iv.months / 12)
  const mons = iv.months - years * 12
  let out = ''
  let isZero = true
  let before = false
  for (const [v, unit] of [
    [years, 'year'],
    [mons, 'mon'],
    [iv.days, 'day'],
  ] as const) {
    if (v === 0) continue
    out += plural(v, unit, isZero, before)
    before = v < 0
    isZero = false
  }
  const us = iv.micros
  if (isZero || us !== 0) {
    const minus = us < 0
    const a = Math.abs(us)
    const h = Math.floor(a / MICROS_PER_HOUR)
    const rest = a - h * MICROS_PER_HOUR
    const mi = Math.floor(rest / MICROS_PER_MINUTE)
    out += `${isZero ? '' : ' '}${minus ? '-' : before ? '+' : ''}${pad2(h)}:${pad2(mi)}:${secondsText(rest - mi * MICROS_PER_MINUTE)}`
  }
  return out
}

/** Fraction digits (after the point) as µs, rounded half up at the 7th digit. */
function fractionMicros(frac: string | undefined): number {
  if (frac === undefined || frac === '') return 0
  if (frac.length <= 6) return Number(frac.padEnd(6, '0'))
  const base = Number(frac.slice(0, 6))
  return frac.charCodeAt(6) >= 53 ? base + 1 : base
}

const DATE_RE = /^(\d{1,})-(\d{1,2})-(\d{1,2})/
const DATE_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?!\d)/
/** DateStyle MDY: 01/31/2024 (also with - or . as PostgreSQL accepts). */
const DATE_MDY_RE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{1,})/
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const TEXT_DATE_RE = /^([a-z]{3,9})\s+(\d{1,2}),?\s+(\d{1,})|^(\d{1,2})[\s-]+([a-z]{3,9})[\s-]+(\d{1,})/i
const TIME_RE = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?/
const ZONE_RE = /^(?:(z|utc|gmt|zulu)|([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)/i

/** The pieces of a date/time literal. */
interface Parsed {
  /** Days since epoch, or undefined when the text has no date part. */
  days?: number
  /** µs since midnight, or undefined when the text has no time part. */
  time?: number
  /** Zone offset in seconds east of UTC, when given. */
  offset?: number
  special?: 'infinity' | '-infinity' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'allballs'
}

const SPECIALS = new Set(['infinity', '+infinity', '-infinity', 'epoch', 'now', 'today', 'tomorrow', 'yesterday', 'allballs'])

/** Splits a literal into date, time, zone; throws 22007 (bad syntax) or 22008 (bad field) naming `typeName`. */
function parseParts(text: string, typeName: string, wantDate: boolean): Parsed {
  let s = text.trim().toLowerCase()
  const bad = (): never => {
    throw invalidDatetimeFormat(typeName, text)
  }
  if (SPECIALS.has(s)) return { special: (s === '+infinity' ? 'infinity' : s) as Parsed['special'] }
  const out: Parsed = {}
  let bc = false
  if (s.endsWith(' bc')) {
    bc = true
    s = s.slice(0, -3).trimEnd()
  } else if (s.endsWith(' ad')) {
    s = s.slice(0, -3).trimEnd()
  }
  let m = DATE_RE.exec(s)
  let y = 0
  let mo = 0
  let d = 0
  if (m !== null) {
    y = Number(m[1])
    mo = Number(m[2])
    d = Number(m[3])
    s = s.slice(m[0].length)
  } else if ((m = DATE_COMPACT_RE.exec(s)) !== null && (wantDate || s.length === 8 || /^\d{8}[ t]/.test(s))) {
    y = Number(m[1])
    mo = Number(m[2])
    d = Number(m[3])
    s = s.slice(m[0].length)
  } else if ((m = DATE_MDY_RE.exec(s)) !== null) {
    mo = Number(m[1])
    d = Number(m[2])
    y = Number(m[3])
    if (m[3].length <= 2) y += y < 70 ? 2000 : 1900
    if (mo === 0 || d === 0) throw datetimeFieldOverflow(text)
    s = s.slice(m[0].length)
  } else if ((m = TEXT_DATE_RE.exec(s)) !== null) {
    const name = (m[1] ?? m[5]).slice(0, 3)
    mo = MONTH_NAMES.indexOf(name) + 1
    if (mo === 0) bad()
    d = Number(m[2] ?? m[4])
    y = Number(m[3] ?? m[6])
    s = s.slice(m[0].length)
  }
  if (mo !== 0) {
    if (bc) y = 1 - y
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || (bc && y > 0)) throw datetimeFieldOverflow(text)
    out.days = daysFromCivil(y, mo, d)
    if (s.startsWith('t')) s = s.slice(1)
    s = s.trimStart()
  } else if (wantDate && !TIME_RE.test(s)) {
    bad()
  }
  if (s.length > 0 && (m = TIME_RE.exec(s)) !== null) {
    const h = Number(m[1])
    const mi = Number(m[2])
    const sec = m[3] === undefined ? 0 : Number(m[3])
    const us = fractionMicros(m[4])
    s = s.slice(m[0].length).trimStart()
    let hour = h
    if (s.startsWith('am') || s.startsWith('pm')) {
      if (h < 1 || h > 12) throw datetimeFieldOverflow(text)
      hour = (h % 12) + (s.startsWith('pm') ? 12 : 0)
      s = s.slice(2).trimStart()
    }
    if (mi > 59 || sec > 60 || hour > 24 || (hour === 24 && (mi > 0 || sec > 0 || us > 0))) throw datetimeFieldOverflow(text)
    out.time = hour * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + sec * MICROS_PER_SECOND + us
  }
  if (s.length > 0 && (m = ZONE_RE.exec(s)) !== null) {
    if (m[1] !== undefined) out.offset = 0
    else {
      const oh = Number(m[3])
      const om = m[4] === undefined ? 0 : Number(m[4])
      const os = m[5] === undefined ? 0 : Number(m[5])
      if (oh > 15 || om > 59 || os > 59) throw datetimeFieldOverflow(text, `time zone displacement out of range: "${text}"`)
      out.offset = (m[2] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os)
    }
    s = s.slice(m[0].length).trimStart()
  }
  if (s.length > 0) bad()
  if (out.days === undefined && out.time === undefined) bad()
  return out
}

function nowMicros(): number {
  return Date.now() * 1000
}

/** PostgreSQL date input. `now` (µs since epoch) serves 'now', 'today', 'tomorrow', 'yesterday'. */
export function parseDate(text: string, now = nowMicros()): number {
  const p = parseParts(text, 'date', true)
  if (p.special !== undefined) return specialDate(p.special, text, now)
  if (p.days === undefined) throw invalidDatetimeFormat('date', text)
  if (p.days < MIN_DATE || p.days > MAX_DATE) throw datetimeFieldOverflow(text, `date out of range: "${text}"`)
  return p.days
}

function specialDate(sp: NonNullable<Parsed['special']>, text: string, now: number): number {
  const today = Math.floor(toLocal(now) / MICROS_PER_DAY)
  switch (sp) {
    case 'infinity':
      return Infinity
    case '-infinity':
      return -Infinity
    case 'epoch':
      return 0
    case 'now':
    case 'today':
      return today
    case 'tomorrow':
      return today + 1
    case 'yesterday':
      return today - 1
    default:
      throw invalidDatetimeFormat('date', text)
  }
}

/** PostgreSQL time input (`13:45`, `13:45:10.5`, `1:45 pm`, `allballs`); a date part or zone is ignored. */
export function parseTime(text: string, now = nowMicros()): number {
  const p = parseParts(text, 'time without time zone', false)
  if (p.special === 'allballs') return 0
  if (p.special === 'now') return ((toLocal(now) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY
  if (p.special !== undefined || p.time === undefined) throw invalidDatetimeFormat('time without time zone', text)
  return p.time
}

/**
 * PostgreSQL timestamp / timestamptz input. For timestamptz a zone offset shifts the value to UTC; for
 * timestamp it is ignored (as PostgreSQL does).
 */
export function parseTimestamp(text: string, withZone: boolean, now = nowMicros()): number {
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp without time zone'
  const p = parseParts(text, typeName, false)
  if (p.special !== undefined) {
    if (p.special === 'infinity') return Infinity
    if (p.special === '-infinity') return -Infinity
    if (p.special === 'now') return now
    if (p.special === 'allballs') throw invalidDatetimeFormat(typeName, text)
    const midnight = specialDate(p.special, text, now) * MICROS_PER_DAY
    return withZone ? fromLocal(midnight) : midnight
  }
  if (p.days === undefined) throw invalidDatetimeFormat(typeName, text)
  let v = p.days * MICROS_PER_DAY + (p.time ?? 0)
  if (withZone) v = p.offset !== undefined ? v - p.offset * MICROS_PER_SECOND : fromLocal(v)
  if (p.days < MIN_DATE || p.days >= MAX_TIMESTAMP_DAYS) throw datetimeFieldOverflow(text, `timestamp out of range: "${text}"`)
  return v
}

const UNITS: Record<string, [kind: 'months' | 'days' | 'micros', factor: number]> = {}
function unit(names: string[], kind: 'months' | 'days' | 'micros', factor: number): void {
  for (const n of names) UNITS[n] = [kind, factor]
}
unit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds'], 'micros', 1)
unit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds'], 'micros', 1000)
unit(['second', 'seconds', 's', 'sec', 'secs'], 'micros', MICROS_PER_SECOND)
unit(['minute', 'minutes', 'm', 'min', 'mins'], 'micros', MICROS_PER_MINUTE)
unit(['hour', 'hours', 'h', 'hr', 'hrs'], 'micros', MICROS_PER_HOUR)
unit(['day', 'days', 'd'], 'days', 1)
unit(['week', 'weeks', 'w'], 'days', 7)
unit(['month', 'months', 'mon', 'mons'], 'months', 1)
unit(['year', 'years', 'y', 'yr', 'yrs'], 'months', 12)
unit(['decade', 'decades'], 'months', 120)
unit(['century', 'centuries'], 'months', 1200)
unit(['millennium', 'millennia', 'millenniums'], 'months', 12000)

const ISO_RE = /^p(?:(-?\d+(?:\.\d+)?)y)?(?:(-?\d+(?:\.\d+)?)m)?(?:(-?\d+(?:\.\d+)?)w)?(?:(-?\d+(?:\.\d+)?)d)?(?:t(?:(-?\d+(?:\.\d+)?)h)?(?:(-?\d+(?:\.\d+)?)m)?(?:(-?\d+(?:\.\d+)?)s)?)?$/
const TOKEN_RE = /\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(?::(\d+)(?::(\d+(?:\.\d*)?))?)?\s*([a-z]+)?/y

/** Accumulates a (possibly fractional) amount of a unit, cascading fractions as PostgreSQL does. */
class IntervalBuilder {
  months = 0
  days = 0
  micros = 0

  add(value: number, kind: 'months' | 'days' | 'micros', factor: number): void {
    if (kind === 'micros') {
      this.micros += Math.round(value * factor)
      return
    }
    const total = value * factor
    const whole = Math.trunc(total)
    const frac = total - whole
    if (kind === 'months') {
      this.months += whole
      const d = frac * 30
      const wd = Math.trunc(d)
      this.days += wd
      this.micros += Math.round((d - wd) * MICROS_PER_DAY)
    } else {
      this.days += whole
      this.micros += Math.round(frac * MICROS_PER_DAY)
    }
  }

  build(negate: boolean): Interval {
    const iv = new Interval(this.months || 0, this.days || 0, this.micros || 0)
    return negate ? iv.neg() : iv
  }
}

/** PostgreSQL interval input: `1 day 2 hours`, `1-2` (year-month), `01:02:03`, `P1DT2H`, `@ 3 days ago`. */
export function parseInterval(text: string): Interval {
  let s = text.trim().toLowerCase()
  const bad = (): never => {
    throw invalidDatetimeFormat('interval', text)
  }
  if (s.length === 0) bad()
  const b = new IntervalBuilder()
  if (s.startsWith('p')) {
    const m = ISO_RE.exec(s)
    if (m === null || s === 'p' || s.endsWith('t')) bad()
    const f = (i: number): number => (m![i] === undefined ? 0 : Number(m![i]))
    b.add(f(1), 'months', 12)
    b.add(f(2), 'months', 1)
    b.add(f(3), 'days', 7)
    b.add(f(4), 'days', 1)
    b.add(f(5), 'micros', MICROS_PER_HOUR)
    b.add(f(6), 'micros', MICROS_PER_MINUTE)
    b.add(f(7), 'micros', MICROS_PER_SECOND)
    return b.build(false)
  }
  if (s.startsWith('@')) s = s.slice(1)
  let negate = false
  if (s.endsWith(' ago')) {
    negate = true
    s = s.slice(0, -4)
  } else if (s === 'ago') bad()
  // Year-month literal `Y-M` (SQL standard), possibly followed by day and time.
  const ym = /^\s*([+-]?)(\d+)-(\d+)(?=\s|$)/.exec(s)
  if (ym !== null) {
    const sign = ym[1] === '-' ? -1 : 1
    const months = Number(ym[3])
    if (months > 11) throw datetimeFieldOverflow(text, `interval field value out of range: "${text}"`)
    b.months += sign * (Number(ym[2]) * 12 + months)
    s = s.slice(ym[0].length)
  }
  TOKEN_RE.lastIndex = 0
  let pos = 0
  let any = ym !== null
  while (pos < s.length) {
    if (s.slice(pos).trim() === '') break
    TOKEN_RE.lastIndex = pos
    const m = TOKEN_RE.exec(s)
    if (m === null || m.index !== pos || m[0].length === 0) bad()
    pos = TOKEN_RE.lastIndex
    any = true
    const num = m![1]
    const word = m![4]
    if (m![2] !== undefined) {
      // A time: h:m[:s]
      const neg = num.startsWith('-')
      const h = Math.abs(Number(num))
      const mi = Number(m![2])
      const sec = m![3] === undefined ? 0 : Number(m![3])
      if (mi > 59 || sec >= 60) throw datetimeFieldOverflow(text, `interval field value out of range: "${text}"`)
      const us = Math.round(h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + sec * MICROS_PER_SECOND)
      b.micros += neg ? -us : us
      if (word !== undefined) bad()
      continue
    }
    const value = Number(num)
    if (!Number.isFinite(value)) bad()
    if (word === undefined) {
      // A bare number: days when a time follows (`1 02:03`), else seconds.
      const rest = s.slice(pos)
      if (/^\s*[+-]?\d+:/.test(rest)) b.add(value, 'days', 1)
      else b.add(value, 'micros', MICROS_PER_SECOND)
      continue
    }
    const u = UNITS[word]
    if (u === undefined) bad()
    b.add(value, u![0], u![1])
  }
  if (!any) bad()
  return b.build(negate)
}

/** Today's date (days since epoch) of a µs timestamp. */
export function dateOfTimestamp(micros: number): number {
  if (!Number.isFinite(micros)) return micros
  return Math.floor(micros / MICROS_PER_DAY)
}

/** Adds whole months to a date-time, clamping the day to the month's length (PostgreSQL's timestamp_pl_interval). */
export function addMonths(micros: number, months: number): number {
  if (months === 0 || !Number.isFinite(micros)) return micros
  const days = Math.floor(micros / MICROS_PER_DAY)
  const tod = micros - days * MICROS_PER_DAY
  const [y, m, d] = civilFromDays(days)
  const total = y * 12 + (m - 1) + months
  const ny = Math.floor(total / 12)
  const nm = total - ny * 12 + 1
  const nd = Math.min(d, daysInMonth(ny, nm))
  return daysFromCivil(ny, nm, nd) * MICROS_PER_DAY + tod
}

/** timestamp + interval: months first (day clamped), then days, then µs. */
export function addInterval(micros: number, iv: Interval): number {
  if (!Number.isFinite(micros)) return micros
  return addMonths(micros, iv.months) + iv.days * MICROS_PER_DAY + iv.micros
}

/**
 * timestamptz + interval (PostgreSQL's timestamptz_pl_interval): months and days move the session-local
 * wall clock (so '1 day' across a DST change keeps the local time), µs are added to the instant.
 */
export function addIntervalTz(micros: number, iv: Interval): number {
  if (!Number.isFinite(micros)) return micros
  if (iv.months === 0 && iv.days === 0) return micros + iv.micros
  const local = addMonths(toLocal(micros), iv.months) + iv.days * MICROS_PER_DAY
  return fromLocal(local) + iv.micros
}

/** Range check of a computed timestamp: 22008 `timestamp out of range`. */
export function checkTimestamp(micros: number): number {
  if (Number.isFinite(micros)) {
    const days = Math.floor(micros / MICROS_PER_DAY)
    if (days < MIN_DATE || days >= MAX_TIMESTAMP_DAYS) throw datetimeFieldOverflow('', 'timestamp out of range')
  }
  return micros
}

/** Range check of a computed date: 22008 `date out of range`. */
export function checkDate(days: number): number {
  if (Number.isFinite(days) && (days < MIN_DATE || days > MAX_DATE)) throw datetimeFieldOverflow('', 'date out of range')
  return days
}
