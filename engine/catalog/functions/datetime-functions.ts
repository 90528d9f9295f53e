/**
 * Date/time functions (PostgreSQL "Date/Time Functions and Operators", "Data Type Formatting Functions").
 * Owns: now() and the current_* family, date_trunc, date_part/extract, age, make_*, to_char, to_date,
 * to_timestamp, justify_*, isfinite, timezone (AT TIME ZONE), date_bin.
 * Invariants:
 *   (1) timestamptz fields (extract, date_trunc, to_char, age, casts) are in the session time zone
 *       (common/values/timezone.ts); AT TIME ZONE accepts UTC, IANA names (through Intl) and POSIX-style
 *       offsets ('+05' is 5 hours WEST, as PostgreSQL reads it). timestamptz +/- interval moves months and
 *       days in local time (common/values/datetime.ts addIntervalTz).
 *   (2) now()/current_timestamp are stable within a statement: they read sessionClock (registry.ts), which
 *       the executor sets per statement; clock_timestamp() is volatile.
 *   (3) extract() returns numeric (PostgreSQL 14+), date_part() float8.
 */
import {
  Decimal,
  Interval,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  RustyError,
  checkDate,
  checkTimestamp,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  formatOffset,
  fromLocal,
  sessionOffset,
  toLocal,
  zoneOffset,
  type SqlValue,
} from '../../common/index.js'
import { DATE, FLOAT8, INT4, INTERVAL, NUMERIC, TEXT, TIME, TIMESTAMP, TIMESTAMPTZ } from './impl-util.js'
import { overloads, sig, statementNow, transactionNow } from './registry.js'

const N = (v: SqlValue): number => v as number
const S = (v: SqlValue): string => v as string
const IV = (v: SqlValue): Interval => v as Interval

// ---------------------------------------------------------------------------------------------------------
// Current time

overloads(['now', 'current_timestamp', 'transaction_timestamp'], [sig([], TIMESTAMPTZ, () => transactionNow())])
overloads('statement_timestamp', [sig([], TIMESTAMPTZ, () => statementNow())])
overloads('clock_timestamp', [sig([], TIMESTAMPTZ, () => Date.now() * 1000, { volatile: true })])
overloads('timeofday', [sig([], TEXT, () => new Date().toString(), { volatile: true })])
overloads('current_date', [sig([], DATE, () => Math.floor(toLocal(transactionNow()) / MICROS_PER_DAY))])
overloads('localtimestamp', [sig([], TIMESTAMP, () => toLocal(transactionNow()))])
overloads(['localtime', 'current_time'], [sig([], TIME, () => ((toLocal(transactionNow()) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY)])

// ---------------------------------------------------------------------------------------------------------
// Field access

interface Fields {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** Seconds including the fraction. */
  micros: number
  days: number
}

function fieldsOf(us: number): Fields {
  const days = Math.floor(us / MICROS_PER_DAY)
  const tod = us - days * MICROS_PER_DAY
  const [year, month, day] = civilFromDays(days)
  const hour = Math.floor(tod / MICROS_PER_HOUR)
  const minute = Math.floor((tod - hour * MICROS_PER_HOUR) / MICROS_PER_MINUTE)
  return { year, month, day, hour, minute, micros: tod - hour * MICROS_PER_HOUR - minute * MICROS_PER_MINUTE, days }
}

/** ISO 8601 week number and ISO year of a day number. */
function isoWeek(days: number): [week: number, isoYear: number] {
  const dow = isoDow(days) // 1..7
  const thursday = days + (4 - dow)
  const [y] = civilFromDays(thursday)
  const jan1 = daysFromCivil(y, 1, 1)
  return [Math.floor((thursday - jan1) / 7) + 1, y]
}

function isoDow(days: number): number {
  const d = (((days + 3) % 7) + 7) % 7 // 1970-01-01 was a Thursday: 0 = Monday
  return d + 1
}

function unitError(field: string, typeName: string): RustyError {
  return new RustyError('0A000', `unit "${field}" not supported for type ${typeName}`)
}

function unknownUnit(field: string, typeName: string): RustyError {
  return new RustyError('22023', `unit "${field}" not recognized for type ${typeName}`)
}

const FIELD_ALIASES: Record<string, string> = {
  years: 'year',
  y: 'year',
  yr: 'year',
  yrs: 'year',
  months: 'month',
  mon: 'month',
  mons: 'month',
  days: 'day',
  d: 'day',
  hours: 'hour',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  minutes: 'minute',
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  seconds: 'second',
  s: 'second',
  sec: 'second',
  secs: 'second',
  milliseconds: 'milliseconds',
  millisecond: 'milliseconds',
  ms: 'milliseconds',
  msec: 'milliseconds',
  microseconds: 'microseconds',
  microsecond: 'microseconds',
  us: 'microseconds',
  usec: 'microseconds',
  weeks: 'week',
  w: 'week',
  quarters: 'quarter',
  decades: 'decade',
  centuries: 'century',
  millennia: 'millennium',
  millenniums: 'millennium',
}

function normField(f: string): string {
  const l = f.toLowerCase().trim()
  return FIELD_ALIASES[l] ?? l
}

/** Field value of a timestamp as [value numerator as Decimal-compatible pieces]: returns a Decimal. */
function timestampPart(field: string, us: number, typeName: string): Decimal {
  if (!Number.isFinite(us)) {
    if (['epoch', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear'].includes(field)) {
      return us > 0 ? Decimal.Infinity : Decimal.NegativeInfinity
    }
    return null as unknown as Decimal
  }
  const f = fieldsOf(us)
  switch (field) {
    case 'year':
      return Decimal.fromInt(f.year > 0 ? f.year : f.year - 1)
    case 'month':
      return Decimal.fromInt(f.month)
    case 'day':
      return Decimal.fromInt(f.day)
    case 'hour':
      return Decimal.fromInt(f.hour)
    case 'minute':
      return Decimal.fromInt(f.minute)
    case 'second':
      return Decimal.of(BigInt(f.micros), 6)
    case 'milliseconds':
      return Decimal.of(BigInt(f.micros), 3)
    case 'microseconds':
      return Decimal.fromInt(f.micros)
    case 'epoch':
      return Decimal.of(BigInt(us), 6)
    case 'dow':
      return Decimal.fromInt(isoDow(f.days) % 7)
    case 'isodow':
      return Decimal.fromInt(isoDow(f.days))
    case 'doy':
      return Decimal.fromInt(f.days - daysFromCivil(f.year, 1, 1) + 1)
    case 'quarter':
      return Decimal.fromInt(Math.floor((f.month - 1) / 3) + 1)
    case 'week':
      return Decimal.fromInt(isoWeek(f.days)[0])
    case 'isoyear':
      return Decimal.fromInt(isoWeek(f.days)[1])
    case 'decade':
      return Decimal.fromInt(Math.floor(f.year / 10))
    case 'century':
      return Decimal.fromInt(f.year > 0 ? Math.floor((f.year + 99) / 100) : -Math.floor((99 - (f.year - 1)) / 100))
    case 'millennium':
      return Decimal.fromInt(f.year > 0 ? Math.floor((f.year + 999) / 1000) : -Math.floor((999 - (f.year - 1)) / 1000))
    case 'julian':
      return Decimal.fromInt(f.days + 2440588).add(Decimal.of(BigInt(us - f.days * MICROS_PER_DAY), 0).divScale(Decimal.fromInt(MICROS_PER_DAY), 20).normalize())
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute': {
      if (typeName === 'timestamp without time zone') throw unitError(field, typeName)
      const off = Math.round(sessionOffset(fromLocal(us)) / MICROS_PER_SECOND)
      return Decimal.fromInt(field === 'timezone' ? off : field === 'timezone_hour' ? Math.trunc(off / 3600) : Math.trunc((off % 3600) / 60))
    }
  }
  throw unknownUnit(field, typeName)
}

function datePart(field: string, days: number): Decimal {
  if (['hour', 'minute', 'second', 'milliseconds', 'microseconds', 'timezone', 'timezone_hour', 'timezone_minute'].includes(field)) {
    throw unitError(field, 'date')
  }
  if (field === 'epoch') return Number.isFinite(days) ? Decimal.fromInt(days * 86400) : days > 0 ? Decimal.Infinity : Decimal.NegativeInfinity
  if (field === 'julian') return Decimal.fromInt(days + 2440588)
  return timestampPart(field, Number.isFinite(days) ? days * MICROS_PER_DAY : days, 'date')
}

function timePart(field: string, us: number): Decimal {
  switch (field) {
    case 'hour':
      return Decimal.fromInt(Math.floor(us / MICROS_PER_HOUR))
    case 'minute':
      return Decimal.fromInt(Math.floor((us % MICROS_PER_HOUR) / MICROS_PER_MINUTE))
    case 'second':
      return Decimal.of(BigInt(us % MICROS_PER_MINUTE), 6)
    case 'milliseconds':
      return Decimal.of(BigInt(us % MICROS_PER_MINUTE), 3)
    case 'microseconds':
      return Decimal.fromInt(us % MICROS_PER_MINUTE)
    case 'epoch':
      return Decimal.of(BigInt(us), 6)
  }
  throw unitError(field, 'time without time zone')
}

function intervalPart(field: string, iv: Interval): Decimal {
  const tod = iv.micros
  switch (field) {
    case 'year':
      return Decimal.fromInt(Math.trunc(iv.months / 12))
    case 'month':
      return Decimal.fromInt(iv.months % 12)
    case 'day':
      return Decimal.fromInt(iv.days)
    case 'hour':
      return Decimal.fromInt(Math.trunc(tod / MICROS_PER_HOUR))
    case 'minute':
      return Decimal.fromInt(Math.trunc((tod % MICROS_PER_HOUR) / MICROS_PER_MINUTE))
    case 'second':
      return Decimal.of(BigInt(tod % MICROS_PER_MINUTE), 6)
    case 'milliseconds':
      return Decimal.of(BigInt(tod % MICROS_PER_MINUTE), 3)
    case 'microseconds':
      return Decimal.fromInt(tod % MICROS_PER_MINUTE)
    case 'quarter':
      return Decimal.fromInt(Math.trunc((iv.months % 12) / 3) + 1)
    case 'decade':
      return Decimal.fromInt(Math.trunc(iv.months / 120))
    case 'century':
      return Decimal.fromInt(Math.trunc(iv.months / 1200))
    case 'millennium':
      return Decimal.fromInt(Math.trunc(iv.months / 12000))
    case 'epoch': {
      const years = Math.trunc(iv.months / 12)
      const months = iv.months % 12
      // 365.25 days per year, 30 per month, as PostgreSQL's interval_part.
      const secsX100 = BigInt(years) * 3155760000n + BigInt(months) * 259200000n + BigInt(iv.days) * 8640000n
      return Decimal.of(secsX100 * 10000n + BigInt(tod), 6)
    }
  }
  throw unknownUnit(field, 'interval')
}

/** A timestamptz field: local fields in the session zone; epoch stays absolute. */
function tstzPart(field: string, us: number): Decimal {
  if (field === 'epoch') return timestampPart(field, us, 'timestamp with time zone')
  return timestampPart(field, toLocal(us), 'timestamp with time zone')
}

const nullable = (d: Decimal | null): SqlValue => d
const asFloat = (d: Decimal | null): SqlValue => (d === null ? null : d.toNumber())

overloads('extract', [
  sig([TEXT, TIMESTAMP], NUMERIC, (f, v) => nullable(timestampPart(normField(S(f)), N(v), 'timestamp without time zone'))),
  sig([TEXT, TIMESTAMPTZ], NUMERIC, (f, v) => nullable(tstzPart(normField(S(f)), N(v)))),
  sig([TEXT, DATE], NUMERIC, (f, v) => nullable(datePart(normField(S(f)), N(v)))),
  sig([TEXT, TIME], NUMERIC, (f, v) => timePart(normField(S(f)), N(v))),
  sig([TEXT, INTERVAL], NUMERIC, (f, v) => intervalPart(normField(S(f)), IV(v))),
])
overloads('date_part', [
  sig([TEXT, TIMESTAMP], FLOAT8, (f, v) => asFloat(timestampPart(normField(S(f)), N(v), 'timestamp without time zone'))),
  sig([TEXT, TIMESTAMPTZ], FLOAT8, (f, v) => asFloat(tstzPart(normField(S(f)), N(v)))),
  sig([TEXT, TIME], FLOAT8, (f, v) => asFloat(timePart(normField(S(f)), N(v)))),
  sig([TEXT, INTERVAL], FLOAT8, (f, v) => asFloat(intervalPart(normField(S(f)), IV(v)))),
])

// ---------------------------------------------------------------------------------------------------------
// date_trunc

function truncTimestamp(field: string, us: number, typeName: string): number {
  if (!Number.isFinite(us)) return us
  const f = fieldsOf(us)
  const day = f.days * MICROS_PER_DAY
  const ymd = (y: number, m: number): number => daysFromCivil(y, m, 1) * MICROS_PER_DAY
  switch (field) {
    case 'microseconds':
      return us
    case 'milliseconds':
      return us - (((us % 1000) + 1000) % 1000)
    case 'second':
      return us - (((us % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND)
    case 'minute':
      return day + f.hour * MICROS_PER_HOUR + f.minute * MICROS_PER_MINUTE
    case 'hour':
      return day + f.hour * MICROS_PER_HOUR
    case 'day':
      return day
    case 'week':
      return (f.days - (isoDow(f.days) - 1)) * MICROS_PER_DAY
    case 'month':
      return ymd(f.year, f.month)
    case 'quarter':
      return ymd(f.year, Math.floor((f.month - 1) / 3) * 3 + 1)
    case 'year':
      return ymd(f.year, 1)
    case 'decade':
      return ymd(f.year > 0 ? Math.floor(f.year / 10) * 10 : -Math.floor((8 - (f.year - 1)) / 10) * 10 + 1, 1)
    case 'century':
      return ymd(f.year > 0 ? Math.floor((f.year - 1) / 100) * 100 + 1 : -Math.floor((99 - (f.year - 1)) / 100) * 100 + 1, 1)
    case 'millennium':
      return ymd(f.year > 0 ? Math.floor((f.year - 1) / 1000) * 1000 + 1 : -Math.floor((999 - (f.year - 1)) / 1000) * 1000 + 1, 1)
  }
  throw unknownUnit(field, typeName)
}

function truncInterval(field: string, iv: Interval): Interval {
  const us = iv.micros
  switch (field) {
    case 'microseconds':
      return iv
    case 'milliseconds':
      return new Interval(iv.months, iv.days, us - (us % 1000))
    case 'second':
      return new Interval(iv.months, iv.days, us - (us % MICROS_PER_SECOND))
    case 'minute':
      return new Interval(iv.months, iv.days, us - (us % MICROS_PER_MINUTE))
    case 'hour':
      return new Interval(iv.months, iv.days, us - (us % MICROS_PER_HOUR))
    case 'day':
      return new Interval(iv.months, iv.days, 0)
    case 'month':
      return new Interval(iv.months, 0, 0)
    case 'quarter':
      return new Interval(iv.months - (iv.months % 3), 0, 0)
    case 'year':
      return new Interval(iv.months - (iv.months % 12), 0, 0)
    case 'decade':
      return new Interval(iv.months - (iv.months % 120), 0, 0)
    case 'century':
      return new Interval(iv.months - (iv.months % 1200), 0, 0)
    case 'millennium':
      return new Interval(iv.months - (iv.months % 12000), 0, 0)
  }
  throw unknownUnit(field, 'interval')
}

overloads('date_trunc', [
  sig([TEXT, TIMESTAMP], TIMESTAMP, (f, v) => truncTimestamp(normField(S(f)), N(v), 'timestamp without time zone')),
  sig([TEXT, TIMESTAMPTZ], TIMESTAMPTZ, (f, v) => fromLocal(truncTimestamp(normField(S(f)), toLocal(N(v)), 'timestamp with time zone'))),
  sig([TEXT, INTERVAL], INTERVAL, (f, v) => truncInterval(normField(S(f)), IV(v))),
  // date_trunc(field, timestamptz, zone): truncate in the zone's local time (PostgreSQL 12+).
  sig([TEXT, TIMESTAMPTZ, TEXT], TIMESTAMPTZ, (f, v, z) => {
    const t = N(v)
    if (!Number.isFinite(t)) return t
    const local = truncTimestamp(normField(S(f)), t + zoneOffset(S(z), t), 'timestamp with time zone')
    return fromLocal(local, S(z))
  }),
])

// ---------------------------------------------------------------------------------------------------------
// age, make_*, justify_*, isfinite

/** PostgreSQL's age(a, b): symbolic years/months/days, borrowing from the earlier date's month. */
export function age(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RustyError('22008', 'timestamp out of range')
  const neg = a < b
  const x = fieldsOf(neg ? b : a)
  const y = fieldsOf(neg ? a : b)
  let us = x.hour * MICROS_PER_HOUR + x.minute * MICROS_PER_MINUTE + x.micros - (y.hour * MICROS_PER_HOUR + y.minute * MICROS_PER_MINUTE + y.micros)
  let d = x.day - y.day
  let m = x.month - y.month
  let yr = x.year - y.year
  if (us < 0) {
    us += MICROS_PER_DAY
    d--
  }
  if (d < 0) {
    d += daysInMonth(y.year, y.month)
    m--
  }
  if (m < 0) {
    m += 12
    yr--
  }
  const iv = new Interval(yr * 12 + m, d, us)
  return neg ? iv.neg() : iv
}

overloads('age', [
  sig([TIMESTAMP, TIMESTAMP], INTERVAL, (a, b) => age(N(a), N(b))),
  sig([TIMESTAMPTZ, TIMESTAMPTZ], INTERVAL, (a, b) => age(toLocal(N(a)), toLocal(N(b)))),
  sig([TIMESTAMP], INTERVAL, (a) => age(Math.floor(toLocal(transactionNow()) / MICROS_PER_DAY) * MICROS_PER_DAY, N(a))),
  sig([TIMESTAMPTZ], INTERVAL, (a) => age(Math.floor(toLocal(transactionNow()) / MICROS_PER_DAY) * MICROS_PER_DAY, toLocal(N(a)))),
])

function makeDate(y: number, m: number, d: number): number {
  const year = y < 0 ? y + 1 : y
  if (y === 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(year, m)) {
    throw new RustyError('22008', `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)
  }
  return checkDate(daysFromCivil(year, m, d))
}

function makeTime(h: number, mi: number, s: number): number {
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 60 || (h === 24 && (mi > 0 || s > 0))) {
    throw new RustyError('22008', `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`)
  }
  return h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + Math.round(s * MICROS_PER_SECOND)
}

overloads('make_date', [sig([INT4, INT4, INT4], DATE, (y, m, d) => makeDate(N(y), N(m), N(d)))])
overloads('make_time', [sig([INT4, INT4, FLOAT8], TIME, (h, m, s) => makeTime(N(h), N(m), N(s)))])
overloads('make_timestamp', [
  sig([INT4, INT4, INT4, INT4, INT4, FLOAT8], TIMESTAMP, (y, mo, d, h, mi, s) => checkTimestamp(makeDate(N(y), N(mo), N(d)) * MICROS_PER_DAY + makeTime(N(h), N(mi), N(s)))),
])
overloads('make_timestamptz', [
  sig([INT4, INT4, INT4, INT4, INT4, FLOAT8], TIMESTAMPTZ, (y, mo, d, h, mi, s) => checkTimestamp(fromLocal(makeDate(N(y), N(mo), N(d)) * MICROS_PER_DAY + makeTime(N(h), N(mi), N(s))))),
  sig([INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT], TIMESTAMPTZ, (y, mo, d, h, mi, s, z) =>
    checkTimestamp(fromLocal(makeDate(N(y), N(mo), N(d)) * MICROS_PER_DAY + makeTime(N(h), N(mi), N(s)), S(z))),
  ),
])
{
  const argList = [INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8]
  const sigs = []
  for (let n = 0; n <= 7; n++) {
    sigs.push(
      sig(argList.slice(0, n), INTERVAL, (...a) => {
        const v = (i: number): number => (a[i] === undefined ? 0 : N(a[i]))
        return new Interval(v(0) * 12 + v(1), v(2) * 7 + v(3), v(4) * MICROS_PER_HOUR + v(5) * MICROS_PER_MINUTE + Math.round(v(6) * MICROS_PER_SECOND))
      }),
    )
  }
  overloads('make_interval', sigs)
}

export function justifyHours(iv: Interval): Interval {
  let days = iv.days + Math.trunc(iv.micros / MICROS_PER_DAY)
  let us = iv.micros % MICROS_PER_DAY
  if (days > 0 && us < 0) {
    us += MICROS_PER_DAY
    days--
  } else if (days < 0 && us > 0) {
    us -= MICROS_PER_DAY
    days++
  }
  return new Interval(iv.months, days, us)
}

export function justifyDays(iv: Interval): Interval {
  let months = iv.months + Math.trunc(iv.days / 30)
  let days = iv.days % 30
  if (months > 0 && days < 0) {
    days += 30
    months--
  } else if (months < 0 && days > 0) {
    days -= 30
    months++
  }
  return new Interval(months, days, iv.micros)
}

overloads('justify_hours', [sig([INTERVAL], INTERVAL, (v) => justifyHours(IV(v)))])
overloads('justify_days', [sig([INTERVAL], INTERVAL, (v) => justifyDays(IV(v)))])
/** PostgreSQL's interval_justify_interval. */
export function justifyInterval(iv: Interval): Interval {
  let months = iv.months
  let days = iv.days
  let time = iv.micros
  if ((days > 0 && time > 0) || (days < 0 && time < 0)) {
    const whole = Math.trunc(time / MICROS_PER_DAY)
    time -= whole * MICROS_PER_DAY
    days += whole
  }
  const wholeMonth = Math.trunc(days / 30)
  days -= wholeMonth * 30
  months += wholeMonth
  if (months > 0 && (days < 0 || (days === 0 && time < 0))) {
    days += 30
    months--
  } else if (months < 0 && (days > 0 || (days === 0 && time > 0))) {
    days -= 30
    months++
  }
  const wholeDay = Math.trunc(time / MICROS_PER_DAY)
  time -= wholeDay * MICROS_PER_DAY
  days += wholeDay
  if (days > 0 && time < 0) {
    time += MICROS_PER_DAY
    days--
  } else if (days < 0 && time > 0) {
    time -= MICROS_PER_DAY
    days++
  }
  return new Interval(months || 0, days || 0, time || 0)
}
overloads('justify_interval', [sig([INTERVAL], INTERVAL, (v) => justifyInterval(IV(v)))])
overloads('isfinite', [
  sig([DATE], { id: 'bool' }, (v) => Number.isFinite(N(v))),
  sig([TIMESTAMP], { id: 'bool' }, (v) => Number.isFinite(N(v))),
  sig([TIMESTAMPTZ], { id: 'bool' }, (v) => Number.isFinite(N(v))),
  sig([INTERVAL], { id: 'bool' }, () => true),
])
overloads('date_bin', [
  sig([INTERVAL, TIMESTAMP, TIMESTAMP], TIMESTAMP, (s, t, o) => dateBin(IV(s), N(t), N(o))),
  sig([INTERVAL, TIMESTAMPTZ, TIMESTAMPTZ], TIMESTAMPTZ, (s, t, o) => dateBin(IV(s), N(t), N(o))),
])

function dateBin(stride: Interval, t: number, origin: number): number {
  if (stride.months !== 0) throw new RustyError('0A000', 'timestamps cannot be binned into intervals containing months or years')
  const s = stride.days * MICROS_PER_DAY + stride.micros
  if (s <= 0) throw new RustyError('22023', 'stride must be greater than zero')
  const delta = t - origin
  let bins = Math.trunc(delta / s)
  if (delta < 0 && delta % s !== 0) bins--
  return origin + bins * s
}

// ---------------------------------------------------------------------------------------------------------
// AT TIME ZONE

overloads('timezone', [
  // timestamptz AT TIME ZONE z -> local timestamp in z
  sig([TEXT, TIMESTAMPTZ], TIMESTAMP, (z, t) => (Number.isFinite(N(t)) ? N(t) + zoneOffset(S(z), N(t)) : N(t))),
  // timestamp AT TIME ZONE z -> the instant when z's wall clock shows t
  sig([TEXT, TIMESTAMP], TIMESTAMPTZ, (z, t) => fromLocal(N(t), S(z))),
  sig([INTERVAL, TIMESTAMPTZ], TIMESTAMP, (z, t) => N(t) + IV(z).micros),
  sig([INTERVAL, TIMESTAMP], TIMESTAMPTZ, (z, t) => N(t) - IV(z).micros),
])

// ---------------------------------------------------------------------------------------------------------
// to_char / to_date / to_timestamp

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const TOKENS = [
  'HH24', 'HH12', 'HH', 'MI', 'SS', 'MS', 'US', 'SSSSS', 'SSSS',
  'A.M.', 'P.M.', 'a.m.', 'p.m.', 'AM', 'PM', 'am', 'pm',
  'YYYY', 'Y,YYY', 'YYY', 'YY', 'Y', 'IYYY', 'IYY', 'IY', 'I',
  'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM',
  'DAY', 'Day', 'day', 'DY', 'Dy', 'dy', 'DDD', 'DD', 'D', 'IDDD', 'ID',
  'WW', 'IW', 'W', 'Q', 'CC', 'J', 'TZ', 'tz', 'OF', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6',
].sort((a, b) => b.length - a.length)

function pad(n: number, width: number, fm: boolean): string {
  const s = String(Math.abs(n))
  const body = fm ? s : s.padStart(width, '0')
  return n < 0 ? '-' + body : body
}

function ordinal(n: number, upper: boolean): string {
  const t = n % 100
  const s = t >= 11 && t <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th'
  return upper ? s.toUpperCase() : s
}

function cased(word: string, token: string, fm: boolean, width: number): string {
  const w = token === token.toUpperCase() ? word.toUpperCase() : token[0] === token[0].toUpperCase() ? word : word.toLowerCase()
  return fm ? w : w.padEnd(width, ' ')
}

/** to_char for a timestamp (µs) or interval fields. */
function formatDateTime(us: number, fmt: string, iv?: Interval, utc?: number): string {
  const f = fieldsOf(iv === undefined ? us : 0)
  let hour = f.hour
  let minute = f.minute
  let micros = f.micros
  let year = f.year
  let month = f.month
  let day = f.day
  if (iv !== undefined) {
    hour = Math.trunc(iv.micros / MICROS_PER_HOUR)
    minute = Math.trunc((iv.micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE)
    micros = iv.micros % MICROS_PER_MINUTE
    year = Math.trunc(iv.months / 12)
    month = iv.months % 12
    day = iv.days
  }
  const yearOut = iv === undefined && year <= 0 ? 1 - year : year
  let out = ''
  let i = 0
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1)
      out += fmt.slice(i + 1, end < 0 ? fmt.length : end)
      i = end < 0 ? fmt.length : end + 1
      continue
    }
    if (fmt[i] === '\\' && i + 1 < fmt.length) {
      out += fmt[i + 1]
      i += 2
      continue
    }
    let fm = false
    let j = i
    if (fmt.startsWith('FM', j) || fmt.startsWith('fm', j)) {
      fm = true
      j += 2
    }
    const token = TOKENS.find((t) => fmt.startsWith(t, j))
    if (token === undefined) {
      out += fmt[i]
      i++
      continue
    }
    j += token.length
    let th: string | null = null
    if (fmt.startsWith('TH', j) || fmt.startsWith('th', j)) {
      th = fmt.slice(j, j + 2)
      j += 2
    }
    let s: string
    let num: number | null = null
    const doy = iv === undefined ? f.days - daysFromCivil(f.year, 1, 1) + 1 : day
    switch (token) {
      case 'HH24':
        num = hour
        s = pad(hour, 2, fm)
        break
      case 'HH12':
      case 'HH': {
        const h = hour % 12 === 0 ? 12 : hour % 12
        num = h
        s = pad(h, 2, fm)
        break
      }
      case 'MI':
        num = minute
        s = pad(minute, 2, fm)
        break
      case 'SS':
        num = Math.floor(micros / MICROS_PER_SECOND)
        s = pad(num, 2, fm)
        break
      case 'MS':
        s = pad(Math.floor((micros % MICROS_PER_SECOND) / 1000), 3, fm)
        break
      case 'US':
        s = pad(micros % MICROS_PER_SECOND, 6, fm)
        break
      case 'FF1':
      case 'FF2':
      case 'FF3':
      case 'FF4':
      case 'FF5':
      case 'FF6': {
        const n = Number(token[2])
        s = String(micros % MICROS_PER_SECOND).padStart(6, '0').slice(0, n)
        break
      }
      case 'SSSS':
      case 'SSSSS':
        s = String(hour * 3600 + minute * 60 + Math.floor(micros / MICROS_PER_SECOND))
        break
      case 'AM':
      case 'PM':
        s = hour < 12 ? 'AM' : 'PM'
        break
      case 'am':
      case 'pm':
        s = hour < 12 ? 'am' : 'pm'
        break
      case 'A.M.':
      case 'P.M.':
        s = hour < 12 ? 'A.M.' : 'P.M.'
        break
      case 'a.m.':
      case 'p.m.':
        s = hour < 12 ? 'a.m.' : 'p.m.'
        break
      case 'YYYY':
      case 'IYYY': {
        const y = token === 'IYYY' ? isoWeek(f.days)[1] : yearOut
        num = y
        s = pad(y, 4, fm)
        break
      }
      case 'Y,YYY':
        s = `${Math.floor(yearOut / 1000)},${String(yearOut % 1000).padStart(3, '0')}`
        break
      case 'YYY':
      case 'IYY':
        s = pad(yearOut % 1000, 3, fm)
        break
      case 'YY':
      case 'IY':
        s = pad(yearOut % 100, 2, fm)
        break
      case 'Y':
      case 'I':
        s = String(yearOut % 10)
        break
      case 'MONTH':
      case 'Month':
      case 'month':
        s = month >= 1 ? cased(MONTHS[month - 1], token, fm, 9) : ''
        break
      case 'MON':
      case 'Mon':
      case 'mon':
        s = month >= 1 ? cased(MONTHS[month - 1].slice(0, 3), token, true, 3) : ''
        break
      case 'MM':
        num = month
        s = pad(month, 2, fm)
        break
      case 'DAY':
      case 'Day':
      case 'day':
        s = cased(DAYS[isoDow(f.days) % 7], token, fm, 9)
        break
      case 'DY':
      case 'Dy':
      case 'dy':
        s = cased(DAYS[isoDow(f.days) % 7].slice(0, 3), token, true, 3)
        break
      case 'DDD':
      case 'IDDD':
        num = doy
        s = pad(doy, 3, fm)
        break
      case 'DD':
        num = day
        s = pad(day, 2, fm)
        break
      case 'D':
        num = (isoDow(f.days) % 7) + 1
        s = String(num)
        break
      case 'ID':
        num = isoDow(f.days)
        s = String(num)
        break
      case 'WW':
        num = Math.floor((doy - 1) / 7) + 1
        s = pad(num, 2, fm)
        break
      case 'IW':
        num = isoWeek(f.days)[0]
        s = pad(num, 2, fm)
        break
      case 'W':
        num = Math.floor((day - 1) / 7) + 1
        s = String(num)
        break
      case 'Q':
        num = Math.floor((month - 1) / 3) + 1
        s = String(num)
        break
      case 'CC':
        num = year > 0 ? Math.floor((year + 99) / 100) : -Math.floor((99 - (year - 1)) / 100)
        s = pad(num, 2, fm)
        break
      case 'J':
        num = f.days + 2440588
        s = String(num)
        break
      case 'TZ':
      case 'tz': {
        const name = utc === undefined ? '' : sessionOffset(utc) === 0 ? 'UTC' : formatOffset(sessionOffset(utc))
        s = token === 'tz' ? name.toLowerCase() : name
        break
      }
      case 'OF':
        s = utc === undefined ? '' : formatOffset(sessionOffset(utc))
        break
      default:
        s = token
    }
    if (th !== null && num !== null) s += ordinal(Math.abs(num), th === 'TH')
    out += s
    i = j
  }
  return out
}

/** to_char(numeric, fmt): digits 9/0, decimal point ./D, group ,/G, sign S/MI/PL/SG, FM, PR. */
export function formatNumber(value: Decimal, fmt: string): string {
  let fm = false
  let f = fmt
  if (/^fm/i.test(f)) {
    fm = true
    f = f.slice(2)
  }
  const pr = /PR$/i.test(f)
  if (pr) f = f.slice(0, -2)
  const core = f.replace(/MI|PL|SG|S/gi, '') // sign markers take no digit position
  const dot = core.search(/[.D]/i)
  const intFmt = dot < 0 ? core : core.slice(0, dot)
  const fracFmt = dot < 0 ? '' : core.slice(dot + 1)
  const fracDigits = (fracFmt.match(/[90]/g) ?? []).length
  const intDigits = (intFmt.match(/[90]/g) ?? []).length
  const neg = value.sign() < 0
  const rounded = value.abs().round(fracDigits)
  const text = rounded.toString()
  const [ip0, fp = ''] = text.split('.')
  // PostgreSQL prints no integer digit for |x| < 1 when the format has fraction digits (' .5' for 9.9).
  const ip = ip0 === '0' ? (fracDigits > 0 ? '' : '0') : ip0
  if (ip.length > intDigits) {
    // Overflow: PostgreSQL prints '#' for every digit position.
    return (fm ? '' : ' ') + f.replace(/[90]/g, '#').replace(/[.D]/i, '.').replace(/[SG,]/gi, (c) => (c === ',' || c.toUpperCase() === 'G' ? ',' : ''))
  }
  // Integer part, right to left over the format.
  let out = ''
  let di = ip.length - 1
  const firstZero = intFmt.search(/0/)
  for (let k = intFmt.length - 1; k >= 0; k--) {
    const c = intFmt[k]
    if (c === '9' || c === '0') {
      if (di >= 0) out = ip[di--] + out
      else if (c === '0' || (firstZero >= 0 && k >= firstZero)) out = '0' + out
      else out = (fm ? '' : ' ') + out
    } else if (c === ',' || c === 'G' || c === 'g') {
      out = (di >= 0 || (firstZero >= 0 && k > firstZero) ? ',' : fm ? '' : ' ') + out
    } else if (/[SMPL]/i.test(c)) {
      // sign positions: handled below
    } else out = c + out
  }
  let frac = ''
  if (dot >= 0) {
    frac = '.'
    let fi = 0
    const kinds: string[] = []
    for (const c of fracFmt) {
      if (c === '9' || c === '0') {
        frac += fp[fi++] ?? '0'
        kinds.push(c)
      } else if (!/[SMPL]/i.test(c)) {
        frac += c
        kinds.push('')
      }
    }
    // FM drops trailing zeros of 9 positions only ('FM9.90' keeps one decimal).
    if (fm) {
      let end = frac.length
      while (end > 1 && kinds[end - 2] === '9' && frac[end - 1] === '0') end--
      frac = frac.slice(0, end)
    }
  }
  let body = out + frac
  if (fm) body = body.trimStart()
  if (/S/i.test(f)) {
    const sign = neg ? '-' : '+'
    return f.search(/S/i) === 0 ? sign + body.trimStart() : body + sign
  }
  if (/MI/i.test(f)) return body + (neg ? '-' : fm ? '' : ' ')
  if (pr) return neg ? '<' + body.trimStart() + '>' : ' ' + body + ' '
  if (fm) return (neg ? '-' : '') + body
  // The sign takes one position just before the first digit: '  -5' for -5 with '999'.
  const lead = body.length - body.trimStart().length
  return body.slice(0, lead) + (neg ? '-' : ' ') + body.slice(lead)
}

overloads('to_char', [
  sig([TIMESTAMP, TEXT], TEXT, (t, f) => (Number.isFinite(N(t)) ? formatDateTime(N(t), S(f)) : null)),
  sig([TIMESTAMPTZ, TEXT], TEXT, (t, f) => (Number.isFinite(N(t)) ? formatDateTime(toLocal(N(t)), S(f), undefined, N(t)) : null)),
  sig([INTERVAL, TEXT], TEXT, (t, f) => formatDateTime(0, S(f), IV(t))),
  sig([NUMERIC, TEXT], TEXT, (v, f) => formatNumber(v as Decimal, S(f))),
  sig([{ id: 'int8' }, TEXT], TEXT, (v, f) => formatNumber(Decimal.fromInt(v as bigint), S(f))),
  sig([INT4, TEXT], TEXT, (v, f) => formatNumber(Decimal.fromInt(N(v)), S(f))),
  sig([FLOAT8, TEXT], TEXT, (v, f) => formatNumber(Decimal.fromFloat(N(v), 15), S(f))),
])

/** Parses `text` with a to_timestamp/to_date template; returns µs since epoch. */
function parseWithFormat(text: string, fmt: string, typeName: string): number {
  let year = 1
  let month = 1
  let day = 1
  let hour = 0
  let minute = 0
  let second = 0
  let micros = 0
  let pm: boolean | null = null
  let doy: number | null = null
  let p = 0
  let i = 0
  const bad = (): never => {
    throw new RustyError('22007', `invalid value "${text.slice(p, p + 10)}" for "${fmt.slice(i, i + 4)}"`)
  }
  const num = (maxLen: number): number => {
    while (p < text.length && text[p] === ' ') p++
    const m = new RegExp(`^[+-]?\\d{1,${maxLen}}`).exec(text.slice(p))
    if (m === null) bad()
    p += m![0].length
    return Number(m![0])
  }
  while (i < fmt.length) {
    if (fmt.startsWith('FM', i) || fmt.startsWith('fm', i)) {
      i += 2
      continue
    }
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1)
      const lit = fmt.slice(i + 1, end < 0 ? fmt.length : end)
      p += lit.length
      i = end < 0 ? fmt.length : end + 1
      continue
    }
    const token = TOKENS.find((t) => fmt.startsWith(t, i))
    if (token === undefined) {
      // Separator: skip one input character if it is not alphanumeric.
      if (p < text.length && !/[A-Za-z0-9]/.test(text[p])) p++
      else if (fmt[i] === ' ') {
        /* spaces in the template are optional */
      }
      i++
      continue
    }
    i += token.length
    switch (token) {
      case 'YYYY':
      case 'IYYY':
        year = num(token === 'YYYY' && fmt.length === i ? 9 : 4)
        break
      case 'YYY':
      case 'IYY': {
        const y = num(3)
        year = y + (y < 70 ? 2000 : 1000)
        break
      }
      case 'YY':
      case 'IY': {
        const y = num(2)
        year = y < 70 ? 2000 + y : 1900 + y
        break
      }
      case 'Y':
        year = 2000 + num(1)
        break
      case 'MM':
        month = num(2)
        break
      case 'DD':
        day = num(2)
        break
      case 'DDD':
        doy = num(3)
        break
      case 'HH24':
        hour = num(2)
        break
      case 'HH':
      case 'HH12':
        hour = num(2)
        if (hour < 1 || hour > 12) throw new RustyError('22008', `hour "${hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' })
        break
      case 'MI':
        minute = num(2)
        break
      case 'SS':
        second = num(2)
        break
      case 'MS':
        micros += num(3) * 1000
        break
      case 'US':
        micros += num(6)
        break
      case 'AM':
      case 'PM':
      case 'am':
      case 'pm':
      case 'A.M.':
      case 'P.M.':
      case 'a.m.':
      case 'p.m.': {
        const w = text.slice(p, p + token.length).toUpperCase().replace(/\./g, '')
        if (w !== 'AM' && w !== 'PM') bad()
        pm = w === 'PM'
        p += token.length
        break
      }
      case 'MONTH':
      case 'Month':
      case 'month':
      case 'MON':
      case 'Mon':
      case 'mon': {
        const rest = text.slice(p).toLowerCase()
        const idx = MONTHS.findIndex((m) => rest.startsWith(token.length === 3 ? m.slice(0, 3).toLowerCase() : m.toLowerCase()))
        const idx3 = idx >= 0 ? idx : MONTHS.findIndex((m) => rest.startsWith(m.slice(0, 3).toLowerCase()))
        if (idx3 < 0) bad()
        month = idx3 + 1
        p += token.length === 3 || idx < 0 ? 3 : MONTHS[idx3].length
        break
      }
      case 'DAY':
      case 'Day':
      case 'day':
      case 'DY':
      case 'Dy':
      case 'dy': {
        const rest = text.slice(p).toLowerCase()
        const d = DAYS.find((x) => rest.startsWith(x.toLowerCase())) ?? DAYS.find((x) => rest.startsWith(x.slice(0, 3).toLowerCase()))
        if (d === undefined) bad()
        p += rest.startsWith(d!.toLowerCase()) ? d!.length : 3
        break
      }
      case 'TZ':
      case 'tz':
      case 'OF':
        while (p < text.length && /[A-Za-z+\-0-9:]/.test(text[p])) p++
        break
      default:
        num(6)
    }
  }
  if (pm !== null) hour = (hour % 12) + (pm ? 12 : 0)
  if (month < 1 || month > 12) throw new RustyError('22008', `date/time field value out of range: "${text}"`)
  if (doy !== null) {
    return (daysFromCivil(year, 1, 1) + doy - 1) * MICROS_PER_DAY
  }
  if (day < 1 || day > daysInMonth(year, month)) throw new RustyError('22008', `date/time field value out of range: "${text}"`)
  if (hour > 24 || minute > 59 || second > 60) throw new RustyError('22008', `date/time field value out of range: "${text}"`)
  void typeName
  return daysFromCivil(year, month, day) * MICROS_PER_DAY + hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE + second * MICROS_PER_SECOND + micros
}

/** to_number(text, fmt): the digits, sign and decimal point of the text (group separators and other format characters ignored). */
function toNumber(text: string, fmt: string): Decimal {
  const neg = /-|\(|<|MI/.test(text) && /[-(<]/.test(text)
  const dot = fmt.search(/[.D]/i)
  let digits = ''
  let seenDot = false
  for (const c of text) {
    if (c >= '0' && c <= '9') digits += c
    else if (c === '.' && dot >= 0 && !seenDot) {
      digits += '.'
      seenDot = true
    }
  }
  if (digits === '' || digits === '.') throw new RustyError('22P02', `invalid input syntax for type numeric: " "`)
  const d = Decimal.parse(digits)
  return neg ? d.neg() : d
}
overloads('to_number', [sig([TEXT, TEXT], NUMERIC, (t, f) => toNumber(S(t), S(f)))])

overloads('to_date', [sig([TEXT, TEXT], DATE, (t, f) => Math.floor(parseWithFormat(S(t), S(f), 'date') / MICROS_PER_DAY))])
overloads('to_timestamp', [
  sig([TEXT, TEXT], TIMESTAMPTZ, (t, f) => checkTimestamp(fromLocal(parseWithFormat(S(t), S(f), 'timestamp')))),
  sig([FLOAT8], TIMESTAMPTZ, (x) => {
    const v = N(x)
    if (v !== v) throw new RustyError('22008', 'timestamp cannot be NaN')
    if (!Number.isFinite(v)) return v
    return checkTimestamp(Math.round(v * MICROS_PER_SECOND))
  }),
])

