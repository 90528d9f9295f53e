/**
 * JavaScript <-> SQL value conversion at the public API boundary, and type names.
 * Owns: toJs (results to users), fromJs (parameters), inferType (parameters without context), typeFromName.
 * Invariants:
 *   (1) fromJs never rounds silently: a non-integer number for an integer type is 22P02, an out-of-range
 *       one 22003; numbers for numeric convert through their shortest decimal text (0.1 -> 0.1 exactly).
 *   (2) toJs(fromJs(x, t), t) gives back x for the JS type toJs documents for t.
 * Not here: text formats (text.ts).
 */
import { invalidParameter, invalidTextRepresentation, numericOutOfRange, undefinedType } from '../errors.js'
import { arrayType, charType, numericType, typeName, typeOf, type SqlType, type SqlValue } from '../types.js'
import { formatDate, formatInterval, formatTime } from './datetime.js'
import { Decimal } from './decimal.js'
import { Interval, MICROS_PER_DAY } from './interval.js'
import { jsonToJs, jsToJson, normalizeJsonb, parseJson, stringifyJson, toJsonb } from './json.js'
import { applyCharLength, formatFloat4, parseValue } from './text.js'

/**
 * The JS value of a SQL value (NULL -> null): int2/int4/float -> number, int8 -> bigint, numeric -> string,
 * text/uuid -> string, bytea -> Uint8Array, bool -> boolean, date -> 'YYYY-MM-DD', time -> 'HH:MM:SS[.ffffff]',
 * timestamp(tz) -> Date (±infinity -> the strings 'infinity' / '-infinity'), interval -> PostgreSQL text,
 * json/jsonb -> the parsed JS value (numbers as JS numbers), array -> JS array of toJs elements.
 */
export function toJs(value: SqlValue, type: SqlType): unknown {
  if (value === null) return null
  switch (type.id) {
    case 'numeric':
      return (value as Decimal).toString()
    case 'float4':
      // The double nearest PostgreSQL's float4 text (1.1, not 1.100000023841858), as pg drivers parse it.
      return Number(formatFloat4(value as number))
    case 'date':
      return formatDate(value as number)
    case 'time':
      return formatTime(value as number)
    case 'timestamp':
    case 'timestamptz': {
      const us = value as number
      if (us === Infinity) return 'infinity'
      if (us === -Infinity) return '-infinity'
      return new Date(Math.floor(us / 1000))
    }
    case 'interval':
      return formatInterval(value as Interval)
    case 'json':
    case 'jsonb':
      return jsonToJs(parseJson(value as string))
    case 'array': {
      const el = type.element!
      return (value as readonly SqlValue[]).map((v) => toJs(v, el))
    }
    default:
      return value
  }
}

function describe(js: unknown): string {
  if (typeof js === 'string') return js
  if (typeof js === 'number' || typeof js === 'bigint' || typeof js === 'boolean') return String(js)
  if (js instanceof Date) return js.toISOString()
  return Object.prototype.toString.call(js)
}

const INT_LIMITS = { int2: [-32768, 32767, 'smallint'], int4: [-2147483648, 2147483647, 'integer'] } as const
const INT8_MIN = -(1n << 63n)
const INT8_MAX = (1n << 63n) - 1n

function wrongJs(js: unknown, type: SqlType): never {
  throw invalidTextRepresentation(typeName(type), describe(js))
}

/**
 * The SQL value of a JS parameter value for `type` (null/undefined -> NULL). Strings go through parseValue
 * (PostgreSQL text input); other JS types convert exactly or fail (invariant (1)).
 */
export function fromJs(js: unknown, type: SqlType): SqlValue {
  if (js === null || js === undefined) return null
  if (typeof js === 'string' && type.id !== 'json' && type.id !== 'jsonb') return parseValue(js, type)
  switch (type.id) {
    case 'int2':
    case 'int4': {
      const [min, max, name] = INT_LIMITS[type.id]
      if (typeof js === 'number') {
        if (!Number.isInteger(js)) throw invalidTextRepresentation(name, describe(js))
        if (js < min || js > max) throw numericOutOfRange(`${name} out of range`)
        return js === 0 ? 0 : js
      }
      if (typeof js === 'bigint') {
        if (js < BigInt(min) || js > BigInt(max)) throw numericOutOfRange(`${name} out of range`)
        return Number(js)
      }
      return wrongJs(js, type)
    }
    case 'int8':
      if (typeof js === 'number') {
        if (!Number.isInteger(js)) throw invalidTextRepresentation('bigint', describe(js))
        if (!Number.isSafeInteger(js) && (js < -9223372036854775808 || js >= 9223372036854775808)) throw numericOutOfRange('bigint out of range')
        return BigInt(js)
      }
      if (typeof js === 'bigint') {
        if (js < INT8_MIN || js > INT8_MAX) throw numericOutOfRange('bigint out of range')
        return js
      }
      return wrongJs(js, type)
    case 'float4':
    case 'float8':
      if (typeof js === 'number') {
        if (type.id === 'float4') {
          const f = Math.fround(js)
          if (Number.isFinite(js) && !Number.isFinite(f)) throw numericOutOfRange(`value out of range: overflow`)
          return f
        }
        return js
      }
      if (typeof js === 'bigint') {
        const x = Number(js)
        return type.id === 'float4' ? Math.fround(x) : x
      }
      return wrongJs(js, type)
    case 'numeric': {
      let d: Decimal
      if (js instanceof Decimal) d = js
      else if (typeof js === 'number') d = Number.isFinite(js) ? Decimal.parse(String(js)) : Decimal.fromFloat(js)
      else if (typeof js === 'bigint') d = Decimal.fromInt(js)
      else return wrongJs(js, type)
      return type.precision === undefined ? d : d.applyTypmod(type.precision, type.scale ?? 0)
    }
    case 'bool':
      if (typeof js === 'boolean') return js
      if (js === 0 || js === 1) return js === 1
      return wrongJs(js, type)
    case 'text':
    case 'unknown':
    case 'varchar':
    case 'bpchar': {
      let s: string
      if (typeof js === 'number' || typeof js === 'bigint' || typeof js === 'boolean') s = String(js)
      else if (js instanceof Date) s = js.toISOString()
      else return wrongJs(js, type)
      return type.id === 'text' || type.id === 'unknown' ? s : applyCharLength(s, type, false)
    }
    case 'bytea':
      if (js instanceof Uint8Array) return js
      if (js instanceof ArrayBuffer) return new Uint8Array(js)
      return wrongJs(js, type)
    case 'date':
      if (js instanceof Date) {
        const ms = js.getTime()
        if (ms !== ms) throw invalidParameter('invalid Date parameter')
        return Math.floor(ms / 86_400_000)
      }
      return wrongJs(js, type)
    case 'timestamp':
    case 'timestamptz':
      if (js instanceof Date) {
        const ms = js.getTime()
        if (ms !== ms) throw invalidParameter('invalid Date parameter')
        return ms * 1000
      }
      return wrongJs(js, type)
    case 'interval':
      if (js instanceof Interval) return js
      return wrongJs(js, type)
    case 'json':
    case 'jsonb': {
      if (typeof js === 'string') return type.id === 'json' ? (parseJson(js), js) : normalizeJsonb(js)
      const node = jsToJson(js)
      return type.id === 'json' ? stringifyJson(node, false) : stringifyJson(toJsonb(node))
    }
    case 'array':
      if (Array.isArray(js)) return js.map((e) => fromJs(e, type.element!))
      return wrongJs(js, type)
    default:
      return wrongJs(js, type)
  }
}

/**
 * The type of a parameter with no context: integer number in int4 range -> int4, other integer -> int8,
 * other number -> float8, bigint -> int8, string -> text, boolean -> bool, Date -> timestamptz,
 * Uint8Array -> bytea, plain object or array -> jsonb, null/undefined -> text (PostgreSQL's default for an
 * unresolved parameter).
 */
export function inferType(js: unknown): SqlType {
  switch (typeof js) {
    case 'number':
      if (Number.isInteger(js)) return js >= -2147483648 && js <= 2147483647 ? typeOf('int4') : Number.isSafeInteger(js) ? typeOf('int8') : typeOf('float8')
      return typeOf('float8')
    case 'bigint':
      return typeOf('int8')
    case 'string':
      return typeOf('text')
    case 'boolean':
      return typeOf('bool')
    default:
      if (js instanceof Date) return typeOf('timestamptz')
      if (js instanceof Uint8Array) return typeOf('bytea')
      if (js instanceof Decimal) return typeOf('numeric')
      if (js instanceof Interval) return typeOf('interval')
      if (js !== null && typeof js === 'object') return typeOf('jsonb')
      return typeOf('text')
  }
}

const SIMPLE: Record<string, SqlType> = {
  int: typeOf('int4'),
  integer: typeOf('int4'),
  int4: typeOf('int4'),
  smallint: typeOf('int2'),
  int2: typeOf('int2'),
  bigint: typeOf('int8'),
  int8: typeOf('int8'),
  real: typeOf('float4'),
  float4: typeOf('float4'),
  'double precision': typeOf('float8'),
  float8: typeOf('float8'),
  text: typeOf('text'),
  name: typeOf('text'),
  boolean: typeOf('bool'),
  bool: typeOf('bool'),
  bytea: typeOf('bytea'),
  date: typeOf('date'),
  time: typeOf('time'),
  'time without time zone': typeOf('time'),
  timestamp: typeOf('timestamp'),
  'timestamp without time zone': typeOf('timestamp'),
  timestamptz: typeOf('timestamptz'),
  'timestamp with time zone': typeOf('timestamptz'),
  interval: typeOf('interval'),
  uuid: typeOf('uuid'),
  json: typeOf('json'),
  jsonb: typeOf('jsonb'),
}

function typmodError(message: string): never {
  throw invalidParameter(message)
}

/**
 * The SqlType of a type name as the parser gives it (lower case; `double precision`, `varchar`, `char`,
 * `numeric`, `float`, `timestamptz`...), with modifiers and array dimensions. Unknown names: 42704.
 * time(p)/timestamp(p)/timestamptz(p)/interval(p) keep p (0..6) as `precision`; casts round to it.
 */
export function typeFromName(name: string, modifiers: readonly number[] = [], arrayDims = 0): SqlType {
  const base = baseType(name.toLowerCase(), modifiers)
  return arrayDims > 0 ? arrayType(base) : base
}

function baseType(name: string, mods: readonly number[]): SqlType {
  const simple = SIMPLE[name]
  if (simple !== undefined) {
    if (mods.length > 0 && !(simple.id === 'time' || simple.id === 'timestamp' || simple.id === 'timestamptz' || simple.id === 'interval')) {
      throw invalidParameter(`type modifier is not allowed for type "${name}"`)
    }
    if (mods.length > 0 && (mods[0] < 0 || mods.length > 1)) typmodError(`invalid type modifier`)
    if (mods.length === 1) {
      if (mods[0] > 6) return simple // PostgreSQL reduces larger precisions to 6 (with a warning)
      return Object.freeze({ id: simple.id, precision: mods[0] })
    }
    return simple
  }
  switch (name) {
    case 'float':
      if (mods.length === 0) return typeOf('float8')
      if (mods[0] < 1) typmodError('precision for type float must be at least 1 bit')
      if (mods[0] > 53) typmodError('precision for type float must be less than 54 bits')
      return typeOf(mods[0] <= 24 ? 'float4' : 'float8')
    case 'numeric':
    case 'decimal': {
      if (mods.length === 0) return numericType()
      if (mods.length > 2) typmodError('invalid NUMERIC type modifier')
      const [p, s = 0] = mods
      if (p < 1 || p > 1000) typmodError(`NUMERIC precision ${p} must be between 1 and 1000`)
      if (s < -1000 || s > 1000) typmodError(`NUMERIC scale ${s} must be between -1000 and 1000`)
      return numericType(p, s)
    }
    case 'varchar':
    case 'character varying':
      if (mods.length === 0) return charType('varchar')
      if (mods.length > 1) typmodError('invalid type modifier')
      if (mods[0] < 1) typmodError('length for type varchar must be at least 1')
      return charType('varchar', mods[0])
    case 'char':
    case 'character':
    case 'bpchar':
      if (mods.length === 0) return name === 'bpchar' ? typeOf('bpchar') : charType('bpchar', 1) // bare bpchar: unbounded
      if (mods.length > 1) typmodError('invalid type modifier')
      if (mods[0] < 1) typmodError('length for type char must be at least 1')
      return charType('bpchar', mods[0])
    default:
      throw undefinedType(name)
  }
}

/** Midnight of a date as µs since epoch. */
export function dateToTimestamp(days: number): number {
  return Number.isFinite(days) ? days * MICROS_PER_DAY : days
}
