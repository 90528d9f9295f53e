/**
 * Time zones: the session time zone (PostgreSQL's TimeZone setting) and zone offsets.
 * Owns: zoneOffset (UTC, IANA names through Intl, POSIX offsets), the session zone that timestamptz text
 * I/O, casts and date/time functions use, local <-> UTC conversion.
 * Invariants:
 *   (1) The default session zone is UTC, for which every conversion is the identity (fast path).
 *   (2) zoneOffset(z, t) is the offset (µs, positive east of Greenwich) in effect in z at UTC instant t.
 *   (3) Local -> UTC picks the offset in effect at the resulting instant (two passes), as PostgreSQL's
 *       DetermineTimeZoneOffset does outside DST gaps.
 * Not here: which statement runs under which zone: the session calls setSessionTimeZone on SET TIME ZONE
 * (one engine-wide setting: with several sessions, set it before each statement, like sessionClock).
 */
import { RustyError } from '../rusty-error.js'

const MICROS_PER_SECOND = 1_000_000
const zoneFormats = new Map<string, Intl.DateTimeFormat | null>()
const UTC_NAMES = new Set(['UTC', 'GMT', 'Z', 'ZULU', 'UCT', 'ETC/UTC', 'ETC/GMT', 'UNIVERSAL', 'GREENWICH', 'ETC/UCT'])
const POSIX_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i

function formatFor(zone: string): Intl.DateTimeFormat | null {
  let fmt = zoneFormats.get(zone)
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      fmt = null
    }
    zoneFormats.set(zone, fmt)
  }
  return fmt
}

/** True when `zone` names a zone zoneOffset understands. */
export function isValidTimeZone(zone: string): boolean {
  const z = zone.trim()
  return UTC_NAMES.has(z.toUpperCase()) || POSIX_RE.test(z) || formatFor(z) !== null
}

/**
 * Offset (µs, positive east) of `zone` at UTC instant `utcMicros`. POSIX-style numeric zones follow
 * PostgreSQL: '+05' / 'UTC+5' is 5 hours WEST of Greenwich. 22023 for an unknown zone.
 */
export function zoneOffset(zone: string, utcMicros: number): number {
  const z = zone.trim()
  if (UTC_NAMES.has(z.toUpperCase())) return 0
  const m = POSIX_RE.exec(z)
  if (m !== null) {
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)
    return (m[1] === '+' ? -secs : secs) * MICROS_PER_SECOND
  }
  const fmt = formatFor(z)
  if (fmt === null) throw new RustyError('22023', `time zone "${zone}" not recognized`)
  if (!Number.isFinite(utcMicros)) return 0
  const ms = Math.floor(utcMicros / 1000)
  const whole = ms - (((ms % 1000) + 1000) % 1000)
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  let second = 0
  for (const p of fmt.formatToParts(new Date(whole))) {
    switch (p.type) {
      case 'year':
        year = Number(p.value)
        break
      case 'month':
        month = Number(p.value)
        break
      case 'day':
        day = Number(p.value)
        break
      case 'hour':
        hour = Number(p.value) % 24
        break
      case 'minute':
        minute = Number(p.value)
        break
      case 'second':
        second = Number(p.value)
        break
    }
  }
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, 0)
  return (d.getTime() - whole) * 1000
}

let sessionZone = 'UTC'
let sessionIsUtc = true

/**
 * Sets the session time zone (SET TIME ZONE / SET timezone). 'local' and 'default' mean UTC.
 * 22023 `invalid value for parameter "TimeZone": "x"` for an unknown zone.
 */
export function setSessionTimeZone(zone: string): void {
  const z = zone.trim()
  const lower = z.toLowerCase()
  if (lower === 'local' || lower === 'default' || lower === '') {
    sessionZone = 'UTC'
    sessionIsUtc = true
    return
  }
  if (!isValidTimeZone(z)) throw new RustyError('22023', `invalid value for parameter "TimeZone": "${zone}"`)
  sessionZone = z
  sessionIsUtc = UTC_NAMES.has(z.toUpperCase())
}

/** The session time zone's name ('UTC' by default). */
export function sessionTimeZone(): string {
  return sessionZone
}

/** Offset (µs) of the session zone at a UTC instant; 0 for UTC. */
export function sessionOffset(utcMicros: number): number {
  return sessionIsUtc ? 0 : zoneOffset(sessionZone, utcMicros)
}

/** Session-local wall-clock µs of a UTC instant (timestamptz -> timestamp). */
export function toLocal(utcMicros: number): number {
  if (sessionIsUtc || !Number.isFinite(utcMicros)) return utcMicros
  return utcMicros + zoneOffset(sessionZone, utcMicros)
}

/** The UTC instant of a session-local wall-clock time (timestamp -> timestamptz), invariant (3). */
export function fromLocal(localMicros: number, zone?: string): number {
  const z = zone ?? sessionZone
  if ((zone === undefined && sessionIsUtc) || !Number.isFinite(localMicros)) return localMicros
  const guess = localMicros - zoneOffset(z, localMicros)
  return localMicros - zoneOffset(z, guess)
}
