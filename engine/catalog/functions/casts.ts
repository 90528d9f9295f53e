/**
 * Casts between SQL types with PostgreSQL's cast contexts (pg_cast's castcontext: i, a, e).
 * Owns: resolveCast and the per-pair conversion functions, typmod application (varchar(n), char(n),
 * numeric(p,s)), integer/float range checks.
 * Invariants:
 *   (1) A cast allowed in context C is allowed in every weaker context: implicit < assignment < explicit.
 *   (2) Casts never round silently where PostgreSQL raises: int overflow 22003, varchar(n) on assignment
 *       22001; float -> int rounds half to even (rint), numeric -> int half away from zero.
 *   (3) resolveCast(t, t, ...) applies t's modifiers (the binder uses it to enforce a column's typmod).
 * Not here: NULL handling (casts are strict; the executor never calls them with NULL).
 */
import {
  Decimal,
  Interval,
  MICROS_PER_DAY,
  RustyError,
  applyCharLength,
  formatValue,
  fromLocal,
  toLocal,
  normalizeJsonb,
  numericOutOfRange,
  parseJson,
  parseValue,
  type SqlType,
  type SqlValue,
  type TypeId,
} from '../../common/index.js'
import type { CastFn } from './function-types.js'

export type CastContext = 'implicit' | 'assignment' | 'explicit'

const RANK: Record<CastContext, number> = { implicit: 0, assignment: 1, explicit: 2 }

/** Context a cast between two type ids needs (I implicit, A assignment, E explicit), absent: no cast. */
const CAST_TABLE: Record<string, 'i' | 'a' | 'e'> = {}
function cast(from: TypeId[], to: TypeId[], ctx: 'i' | 'a' | 'e'): void {
  for (const f of from) for (const t of to) if (f !== t) CAST_TABLE[`${f}>${t}`] = ctx
}
const NUMS: TypeId[] = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']
// Numeric ladder: widening implicit, narrowing assignment.
for (let i = 0; i < NUMS.length; i++) for (let j = 0; j < NUMS.length; j++) if (i !== j) CAST_TABLE[`${NUMS[i]}>${NUMS[j]}`] = i < j ? 'i' : 'a'
const STRINGS: TypeId[] = ['text', 'varchar', 'bpchar']
cast(STRINGS, STRINGS, 'i')
cast(['int4', 'int8'], ['bool'], 'e')
cast(['bool'], ['int4'], 'e')
cast(['date'], ['timestamp', 'timestamptz'], 'i')
cast(['timestamp'], ['timestamptz'], 'i')
cast(['timestamptz'], ['timestamp'], 'a')
cast(['timestamp', 'timestamptz'], ['date', 'time'], 'a')
cast(['time'], ['interval'], 'i')
cast(['interval'], ['time'], 'a')
cast(['json'], ['jsonb'], 'a')
cast(['jsonb'], ['json'], 'a')
cast(['jsonb'], ['bool', 'int2', 'int4', 'int8', 'numeric', 'float4', 'float8'], 'e')

const INT8_MIN = -(1n << 63n)
const INT8_MAX = (1n << 63n) - 1n

function intOutOfRange(id: TypeId): RustyError {
  return numericOutOfRange(id === 'int2' ? 'smallint out of range' : id === 'int4' ? 'integer out of range' : 'bigint out of range')
}

/** Round half to even (C rint). */
export function rint(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

function checkInt(n: number, id: 'int2' | 'int4'): number {
  if (id === 'int2' ? n < -32768 || n > 32767 : n < -2147483648 || n > 2147483647) throw intOutOfRange(id)
  return n === 0 ? 0 : n
}

function bigToInt(b: bigint, id: TypeId): SqlValue {
  if (id === 'int8') {
    if (b < INT8_MIN || b > INT8_MAX) throw intOutOfRange('int8')
    return b
  }
  if (id === 'int2' ? b < -32768n || b > 32767n : b < -2147483648n || b > 2147483647n) throw intOutOfRange(id)
  return Number(b)
}

function floatToInt(x: number, id: TypeId): SqlValue {
  if (x !== x || !Number.isFinite(x)) throw intOutOfRange(id)
  const r = rint(x)
  if (id === 'int8') {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw intOutOfRange('int8')
    return BigInt(r)
  }
  return checkInt(r, id as 'int2' | 'int4')
}

function numericToInt(d: Decimal, id: TypeId): SqlValue {
  if (!d.isFinite) throw numericOutOfRange(d.isNaN ? `cannot convert NaN to ${id === 'int2' ? 'smallint' : id === 'int4' ? 'integer' : 'bigint'}` : `cannot convert infinity to ${id === 'int2' ? 'smallint' : id === 'int4' ? 'integer' : 'bigint'}`)
  return bigToInt(d.toBigInt(), id)
}

function toFloat4(x: number): number {
  const f = Math.fround(x)
  if (Number.isFinite(x) && !Number.isFinite(f)) throw numericOutOfRange('value out of range: overflow')
  if (x !== 0 && f === 0) throw numericOutOfRange('value out of range: underflow')
  return f
}

/** The conversion between two numeric type ids (no typmod). */
function numericConversion(from: TypeId, to: TypeId): CastFn {
  switch (from) {
    case 'int2':
    case 'int4':
      if (to === 'int2' || to === 'int4') return (v) => checkInt(v as number, to)
      if (to === 'int8') return (v) => BigInt(v as number)
      if (to === 'numeric') return (v) => Decimal.fromInt(v as number)
      if (to === 'float4') return (v) => Math.fround(v as number)
      return (v) => v
    case 'int8':
      if (to === 'int2' || to === 'int4') return (v) => bigToInt(v as bigint, to)
      if (to === 'numeric') return (v) => Decimal.fromInt(v as bigint)
      if (to === 'float4') return (v) => Math.fround(Number(v as bigint))
      return (v) => Number(v as bigint)
    case 'numeric':
      if (to === 'float8') return (v) => (v as Decimal).toNumber()
      if (to === 'float4') return (v) => toFloat4((v as Decimal).toNumber())
      return (v) => numericToInt(v as Decimal, to)
    case 'float4':
    case 'float8':
      if (to === 'float8' || to === 'float4') return to === 'float4' ? (v) => toFloat4(v as number) : (v) => v
      if (to === 'numeric') return from === 'float4' ? (v) => Decimal.fromFloat(v as number, 6) : (v) => Decimal.fromFloat(v as number, 15)
      return (v) => floatToInt(v as number, to)
    default:
      return (v) => v
  }
}

/** A function applying `to`'s modifiers (length, precision/scale), or undefined when it has none. */
function typmodFn(to: SqlType, context: CastContext): CastFn | undefined {
  if ((to.id === 'varchar' || to.id === 'bpchar') && to.length !== undefined) {
    const explicit = context === 'explicit'
    return (v) => applyCharLength(v as string, to, explicit)
  }
  if ((to.id === 'timestamp' || to.id === 'timestamptz' || to.id === 'time') && to.precision !== undefined && to.precision < 6) {
    const unit = 10 ** (6 - to.precision)
    return (v) => (Number.isFinite(v as number) ? rint((v as number) / unit) * unit : v)
  }
  if (to.id === 'interval' && to.precision !== undefined && to.precision < 6) {
    const unit = 10 ** (6 - to.precision)
    return (v) => {
      const iv = v as Interval
      return new Interval(iv.months, iv.days, rint(iv.micros / unit) * unit)
    }
  }
  if (to.id === 'numeric' && to.precision !== undefined) {
    const p = to.precision
    const s = to.scale ?? 0
    return (v) => (v as Decimal).applyTypmod(p, s)
  }
  return undefined
}

function then(f: CastFn, g: CastFn | undefined): CastFn {
  return g === undefined ? f : (v) => g(f(v))
}

const identity: CastFn = (v) => v

/** Text of a value for a cast to a string type: like output, but booleans are `true`/`false` (boolout vs. bool::text). */
function toText(from: SqlType): CastFn {
  if (from.id === 'bool') return (v) => (v ? 'true' : 'false')
  if (from.id === 'bpchar') return (v) => {
    const s = v as string
    let end = s.length
    while (end > 0 && s.charCodeAt(end - 1) === 32) end--
    return s.slice(0, end)
  }
  return (v) => formatValue(v, from)
}

/**
 * The cast from `from` to `to` allowed in `context`, or undefined. Unknown literals cast to anything through
 * parseValue; NULL-typed values to anything; same-id casts apply modifiers (invariant (3)).
 *
 * @example
 * resolveCast(typeOf('int4'), typeOf('int8'), 'implicit')!(5) // 5n
 * resolveCast(typeOf('int8'), typeOf('int4'), 'implicit')     // undefined: assignment at least
 */
export function resolveCast(from: SqlType, to: SqlType, context: CastContext): CastFn | undefined {
  const rank = RANK[context]
  const mod = typmodFn(to, context)
  if (from.id === 'null') return identity
  if (from.id === 'unknown') {
    if (to.id === 'text' || to.id === 'unknown') return identity
    return (v) => {
      const parsed = parseValue(v as string, to.id === 'varchar' || to.id === 'bpchar' ? { id: to.id } : to)
      return mod === undefined ? parsed : mod(parsed)
    }
  }
  if (from.id === to.id) {
    if (from.id === 'array') {
      const el = resolveCast(from.element!, to.element!, context)
      if (el === undefined) return undefined
      if (el === identity) return identity
      return (v) => (v as SqlValue[]).map((e) => (e === null ? null : el(e)))
    }
    if (mod === undefined) return identity
    // Same modifiers: nothing to do (varchar(5) -> varchar(5) still checks, as an assignment target).
    return mod
  }
  if (from.id === 'array' || to.id === 'array') {
    if (to.id === 'text' || to.id === 'varchar' || to.id === 'bpchar') return rank >= 1 ? then(toText(from), mod) : undefined
    if (from.id === 'text' || from.id === 'varchar' || from.id === 'bpchar') return rank >= 2 ? (v) => parseValue(v as string, to) : undefined
    return undefined
  }
  const key = `${from.id}>${to.id}`
  const need = CAST_TABLE[key]
  if (need !== undefined) {
    const needRank = need === 'i' ? 0 : need === 'a' ? 1 : 2
    if (rank < needRank) return undefined
    return then(conversion(from, to), mod)
  }
  // I/O conversion casts: anything -> string types (assignment), string types -> anything (explicit).
  if (to.id === 'text' || to.id === 'varchar' || to.id === 'bpchar') return rank >= 1 ? then(toText(from), mod) : undefined
  if (from.id === 'text' || from.id === 'varchar' || from.id === 'bpchar') {
    if (rank < 2) return undefined
    const plain: SqlType = to.id === 'numeric' ? { id: 'numeric' } : to
    return then((v) => parseValue(v as string, plain), mod)
  }
  return undefined
}

/** The value conversion of a CAST_TABLE pair. */
function conversion(from: SqlType, to: SqlType): CastFn {
  const f = from.id
  const t = to.id
  if (NUMS.includes(f) && NUMS.includes(t)) return numericConversion(f, t)
  switch (`${f}>${t}`) {
    case 'int4>bool':
      return (v) => v !== 0
    case 'int8>bool':
      return (v) => v !== 0n
    case 'bool>int4':
      return (v) => (v ? 1 : 0)
    case 'date>timestamp':
      return (v) => (Number.isFinite(v as number) ? (v as number) * MICROS_PER_DAY : v)
    case 'date>timestamptz':
      return (v) => (Number.isFinite(v as number) ? fromLocal((v as number) * MICROS_PER_DAY) : v)
    case 'timestamp>timestamptz':
      return (v) => fromLocal(v as number)
    case 'timestamptz>timestamp':
      return (v) => toLocal(v as number)
    case 'timestamp>date':
      return (v) => (Number.isFinite(v as number) ? Math.floor((v as number) / MICROS_PER_DAY) : v)
    case 'timestamptz>date':
      return (v) => (Number.isFinite(v as number) ? Math.floor(toLocal(v as number) / MICROS_PER_DAY) : v)
    case 'timestamp>time':
    case 'timestamptz>time':
      return (v) => {
        const us = f === 'timestamptz' ? toLocal(v as number) : (v as number)
        if (!Number.isFinite(us)) throw new RustyError('22008', 'timestamp out of range')
        return us - Math.floor(us / MICROS_PER_DAY) * MICROS_PER_DAY
      }
    case 'time>interval':
      return (v) => new Interval(0, 0, v as number)
    case 'interval>time':
      return (v) => {
        const us = (v as Interval).micros % MICROS_PER_DAY
        return us < 0 ? us + MICROS_PER_DAY : us
      }
    case 'json>jsonb':
      return (v) => normalizeJsonb(v as string)
    case 'jsonb>json':
      return identity
    default:
      if (f === 'varchar' || f === 'text' || f === 'bpchar') {
        if (f === 'bpchar' && t !== 'bpchar') return toText(from)
        return identity
      }
      if (f === 'jsonb') return jsonbScalarCast(t)
      return identity
  }
}

const JSONB_TYPE_NAMES: Partial<Record<TypeId, string>> = {
  bool: 'boolean',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  numeric: 'numeric',
  float4: 'real',
  float8: 'double precision',
}

/** jsonb -> bool/number casts (PostgreSQL 11+): the value must be a JSON boolean / number. */
function jsonbScalarCast(to: TypeId): CastFn {
  return (v) => {
    const node = parseJson(v as string)
    const kind = node.t === 'num' ? 'number' : node.t === 'bool' ? 'boolean' : node.t === 'str' ? 'string' : node.t === 'arr' ? 'array' : node.t === 'obj' ? 'object' : 'null'
    if (to === 'bool') {
      if (node.t !== 'bool') throw new RustyError('22023', `cannot cast jsonb ${kind} to type boolean`)
      return node.v
    }
    if (node.t !== 'num') throw new RustyError('22023', `cannot cast jsonb ${kind} to type ${JSONB_TYPE_NAMES[to]}`)
    const d = Decimal.parse(node.v)
    if (to === 'numeric') return d
    return numericConversion('numeric', to)(d)
  }
}

/** True when `from` converts to `to` implicitly (used by function and operator resolution). */
export function canImplicitCast(from: SqlType, to: SqlType): boolean {
  if (from.id === to.id) return from.id !== 'array' || from.element?.id === to.element?.id || from.element?.id === 'unknown'
  if (from.id === 'unknown' || from.id === 'null') return true
  return CAST_TABLE[`${from.id}>${to.id}`] === 'i'
}

