/**
 * Text input and output of SQL values (PostgreSQL's type input/output functions).
 * Owns: formatValue (typoutput) and parseValue (typinput, with the type's modifiers applied).
 * Invariants:
 *   (1) parseValue(formatValue(v, t), t) compares equal to v for every type (round trip), floats included
 *       (shortest round-trip digits, as PostgreSQL 12+ with extra_float_digits = 1).
 *   (2) Errors are PostgreSQL's: 22P02 invalid syntax, 22003 out of range, 22007/22008 date/time,
 *       22001 string too long for varchar(n)/char(n).
 * Not here: casts between non-text types (catalog/functions/casts.ts).
 */
import { invalidTextRepresentation, numericOutOfRange, stringTooLong } from '../errors.js'
import { RustyError } from '../rusty-error.js'
import { typeName, type SqlType, type SqlValue } from '../types.js'
import { Decimal } from './decimal.js'
import { formatDate, formatInterval, formatTime, formatTimestamp, parseDate, parseInterval, parseTime, parseTimestamp } from './datetime.js'
import type { Interval } from './interval.js'
import { normalizeJsonb, parseJson } from './json.js'

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n)
}

/** Mantissa digits and decimal exponent of a finite non-zero |x| with `precision` digits (shortest when undefined). */
function digitsOf(x: number, precision?: number): [string, number] {
  const e = precision === undefined ? x.toExponential() : x.toExponential(precision - 1)
  const at = e.indexOf('e')
  let mant = e.slice(0, at).replace('.', '')
  if (mant.startsWith('-')) mant = mant.slice(1)
  let end = mant.length
  while (end > 1 && mant.charCodeAt(end - 1) === 48) end--
  return [mant.slice(0, end), Number(e.slice(at + 1))]
}

function layoutFloat(neg: boolean, digits: string, exp: number, expLimit: number): string {
  let out: string
  if (exp < -4 || exp >= expLimit) {
    out = digits.length === 1 ? digits : digits[0] + '.' + digits.slice(1)
    out += (exp < 0 ? 'e-' : 'e+') + pad2(Math.abs(exp))
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length)
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1)
  }
  return neg ? '-' + out : out
}

/** float8 output: shortest round-trip digits, exponent form below 1e-4 and from 1e15 (PostgreSQL 12+). */
export function formatFloat8(x: number): string {
  if (x !== x) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x)
  const [digits, exp] = digitsOf(x)
  return layoutFloat(x < 0, digits, exp, 15)
}

/** float4 output: the shortest digits that round-trip through float32; exponent form from 1e6. */
export function formatFloat4(x: number): string {
  if (x !== x) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const f = Math.fround(x)
  let digits = ''
  let exp = 0
  for (let p = 1; p <= 9; p++) {
    ;[digits, exp] = digitsOf(f, p)
    if (Math.fround(Number(`${digits[0]}.${digits.slice(1)}e${exp}`)) === f) break
  }
  return layoutFloat(f < 0, digits, exp, 6)
}

const HEX = '0123456789abcdef'

/** bytea hex output: `\x0a1b`. */
export function formatBytea(b: Uint8Array): string {
  let s = '\\x'
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15]
  return s
}

/** An array element as it appears inside `{...}`: quoted when needed. */
function arrayElementText(s: string): string {
  if (s === '' || /[{},"\\\s]/.test(s) || s.toLowerCase() === 'null') {
    return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'
  }
  return s
}

/** PostgreSQL array output: `{1,2,NULL}`, `{"a b",c}`, nested `{{1,2},{3,4}}`. */
export function formatArray(values: readonly SqlValue[], element: SqlType): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ','
    const v = values[i]
    if (v === null) out += 'NULL'
    else if (Array.isArray(v)) out += element.id === 'array' ? formatValue(v, element) : formatArray(v, element)
    else out += arrayElementText(formatValue(v, element))
  }
  return out + '}'
}

/**
 * PostgreSQL text output of a non-NULL value (see the spec: float shortest round-trip, bool t/f, bytea \x,
 * ISO dates, numeric exact).
 */
export function formatValue(value: SqlValue, type: SqlType): string {
  switch (type.id) {
    case 'int2':
    case 'int4':
      return String(value)
    case 'int8':
      return (value as bigint).toString()
    case 'float8':
      return formatFloat8(value as number)
    case 'float4':
      return formatFloat4(value as number)
    case 'numeric':
      return (value as Decimal).toString()
    case 'bool':
      return value ? 't' : 'f'
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'unknown':
    case 'uuid':
    case 'json':
    case 'jsonb':
      return value as string
    case 'bytea':
      return formatBytea(value as Uint8Array)
    case 'date':
      return formatDate(value as number)
    case 'time':
      return formatTime(value as number)
    case 'timestamp':
      return formatTimestamp(value as number, false)
    case 'timestamptz':
      return formatTimestamp(value as number, true)
    case 'interval':
      return formatInterval(value as Interval)
    case 'array':
      return formatArray(value as readonly SqlValue[], type.element!)
    default:
      return String(value)
  }
}

const INT_RE = /^\s*[+-]?\d+\s*$/
const FLOAT_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/

/** int2/int4 text input. */
export function parseInt32(text: string, id: 'int2' | 'int4'): number {
  const name = id === 'int2' ? 'smallint' : 'integer'
  if (!INT_RE.test(text)) {
    const alt = parseIntAlt(text)
    if (alt === undefined) throw invalidTextRepresentation(name, text)
    return checkInt32(alt, id, text)
  }
  const n = Number(text)
  return checkInt32(n, id, text)
}

function checkInt32(n: number | bigint, id: 'int2' | 'int4', text: string): number {
  const limit = id === 'int2' ? 32768 : 2147483648
  const x = Number(n)
  if (x < -limit || x > limit - 1) throw numericOutOfRange(`value "${text}" is out of range for type ${id === 'int2' ? 'smallint' : 'integer'}`)
  return x
}

/** PostgreSQL 16's other integer forms: 0x.., 0o.., 0b.., and underscores between digits. */
function parseIntAlt(text: string): bigint | undefined {
  const t = text.trim()
  const m = /^([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|\d(?:_?\d)*)$/.exec(t)
  if (m === null) return undefined
  const v = BigInt(m[2].replace(/_/g, ''))
  return m[1] === '-' ? -v : v
}

const INT8_MIN = -(1n << 63n)
const INT8_MAX = (1n << 63n) - 1n

/** int8 text input. */
export function parseInt64(text: string): bigint {
  let v: bigint
  if (INT_RE.test(text)) v = BigInt(text.trim())
  else {
    const alt = parseIntAlt(text)
    if (alt === undefined) throw invalidTextRepresentation('bigint', text)
    v = alt
  }
  if (v < INT8_MIN || v > INT8_MAX) throw numericOutOfRange(`value "${text}" is out of range for type bigint`)
  return v
}

/** float4/float8 text input (NaN, [+-]Infinity, [+-]inf accepted, case-insensitive). */
export function parseFloat8(text: string, id: 'float4' | 'float8' = 'float8'): number {
  const name = id === 'float4' ? 'real' : 'double precision'
  if (!FLOAT_RE.test(text)) {
    const t = text.trim().toLowerCase()
    if (t === 'nan') return NaN
    if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Infinity
    if (t === '-infinity' || t === '-inf') return -Infinity
    throw invalidTextRepresentation(name, text)
  }
  const x = Number(text)
  if (id === 'float4') {
    const f = Math.fround(x)
    if (!Number.isFinite(f) || (f === 0 && x !== 0)) throw numericOutOfRange(`"${text.trim()}" is out of range for type real`)
    return f
  }
  if (!Number.isFinite(x) || (x === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')))) {
    throw numericOutOfRange(`"${text.trim()}" is out of range for type double precision`)
  }
  return x
}

/** PostgreSQL boolean input: t/true/y/yes/on/1 and f/false/n/no/off/0, unique prefixes, any case. */
export function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase()
  if (t.length > 0) {
    if ('true'.startsWith(t) || ((t.length >= 1) && 'yes'.startsWith(t)) || t === '1' || (t.length >= 2 && 'on'.startsWith(t))) return true
    if ('false'.startsWith(t) || 'no'.startsWith(t) || t === '0' || (t.length >= 2 && 'off'.startsWith(t))) return false
  }
  throw invalidTextRepresentation('boolean', text)
}

/** bytea input: hex (`\x0a1b`) or escape format (`abc\\000`). */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '')
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw invalidTextRepresentation('bytea', text)
    const out = new Uint8Array(hex.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
    return out
  }
  const bytes: number[] = []
  const utf8 = new TextEncoder().encode(text)
  for (let i = 0; i < utf8.length; i++) {
    const c = utf8[i]
    if (c !== 92) {
      bytes.push(c)
      continue
    }
    if (utf8[i + 1] === 92) {
      bytes.push(92)
      i++
      continue
    }
    const oct = String.fromCharCode(utf8[i + 1], utf8[i + 2], utf8[i + 3])
    if (!/^[0-3][0-7][0-7]$/.test(oct)) throw invalidTextRepresentation('bytea', text)
    bytes.push(parseInt(oct, 8))
    i += 3
  }
  return Uint8Array.from(bytes)
}

const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i

/** uuid input: canonical, upper case, braces, without hyphens; output lower-case canonical. */
export function parseUuid(text: string): string {
  const t = text.trim()
  const m = UUID_RE.exec(t)
  if (m === null || (t.startsWith('{') !== t.endsWith('}'))) throw invalidTextRepresentation('uuid', text)
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase()
}

/** Characters (code points) in a string. */
export function charLength(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

/** The first `n` characters (code points) of s. */
export function charPrefix(s: string, n: number): string {
  if (n <= 0) return ''
  let i = 0
  let count = 0
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i)
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1
    count++
  }
  return s.slice(0, i)
}

/**
 * varchar(n)/bpchar(n) length rule (a bpchar without length is unbounded, as PostgreSQL's bare `bpchar`). `explicit` (an explicit cast) truncates; otherwise a longer value is
 * 22001 unless the excess is only blanks. bpchar is blank-padded to n.
 */
export function applyCharLength(s: string, type: SqlType, explicit: boolean): string {
  const n = type.length
  if (n === undefined) return s
  const len = charLength(s)
  if (len > n) {
    const head = charPrefix(s, n)
    if (!explicit && !/^ *$/.test(s.slice(head.length))) {
      throw stringTooLong(type.id === 'bpchar' ? 'character' : 'character varying', n)
    }
    return head
  }
  if (type.id === 'bpchar' && len < n) return s + ' '.repeat(n - len)
  return s
}

/** Parses array text `{a,b,"c d",NULL}` into raw element strings (null for NULL), nested arrays as arrays. */
function parseArrayText(text: string, typeDesc: string): unknown[] {
  let p = 0
  const n = text.length
  const bad = (): never => {
    throw new RustyError('22P02', `malformed array literal: "${text}"`)
  }
  const ws = (): void => {
    while (p < n && /\s/.test(text[p])) p++
  }
  const list = (): unknown[] => {
    if (text[p] !== '{') bad()
    p++
    const out: unknown[] = []
    ws()
    if (text[p] === '}') {
      p++
      return out
    }
    for (;;) {
      ws()
      if (text[p] === '{') out.push(list())
      else if (text[p] === '"') {
        p++
        let s = ''
        while (p < n && text[p] !== '"') {
          if (text[p] === '\\') p++
          s += text[p++]
        }
        if (p >= n) bad()
        p++
        out.push(s)
      } else {
        let s = ''
        while (p < n && text[p] !== ',' && text[p] !== '}') {
          if (text[p] === '\\') p++
          s += text[p++]
        }
        s = s.trim()
        if (s === '') bad()
        out.push(s.toLowerCase() === 'null' ? null : s)
      }
      ws()
      if (text[p] === ',') {
        p++
        continue
      }
      if (text[p] === '}') {
        p++
        return out
      }
      bad()
    }
  }
  void typeDesc
  ws()
  const result = list()
  ws()
  if (p < n) bad()
  return result
}

function convertArray(raw: unknown[], element: SqlType): SqlValue[] {
  return raw.map((e) => {
    if (e === null) return null
    if (Array.isArray(e)) {
      if (element.id === 'array') return convertArray(e, element.element!)
      return convertArray(e, element)
    }
    return parseValue(e as string, element)
  })
}

/**
 * PostgreSQL text input of a value of `type`, modifiers applied (varchar(n) 22001, numeric(p,s) rounding and
 * 22003). Used for casts from text and typed literals (`DATE '2024-01-01'`).
 */
export function parseValue(text: string, type: SqlType): SqlValue {
  switch (type.id) {
    case 'int2':
    case 'int4':
      return parseInt32(text, type.id)
    case 'int8':
      return parseInt64(text)
    case 'float4':
    case 'float8':
      return parseFloat8(text, type.id)
    case 'numeric': {
      const d = Decimal.parse(text)
      return type.precision === undefined ? d : d.applyTypmod(type.precision, type.scale ?? 0)
    }
    case 'bool':
      return parseBool(text)
    case 'text':
    case 'unknown':
      return text
    case 'varchar':
    case 'bpchar':
      return applyCharLength(text, type, false)
    case 'bytea':
      return parseBytea(text)
    case 'date':
      return parseDate(text)
    case 'time':
      return parseTime(text)
    case 'timestamp':
      return parseTimestamp(text, false)
    case 'timestamptz':
      return parseTimestamp(text, true)
    case 'interval':
      return parseInterval(text)
    case 'uuid':
      return parseUuid(text)
    case 'json':
      parseJson(text)
      return text
    case 'jsonb':
      return normalizeJsonb(text)
    case 'array':
      return convertArray(parseArrayText(text, typeName(type)), type.element!)
    default:
      throw invalidTextRepresentation(typeName(type), text)
  }
}
