/**
 * Built-in operators with PostgreSQL's resolution and semantics.
 * Owns: resolveOperator: arithmetic (+ - * / % ^, unary - +), comparisons, || (text, bytea, jsonb, arrays),
 * LIKE/ILIKE (~~ ~~* !~~ !~~*), regular expressions (~ ~* !~ !~*), bitwise integer operators (& | # << >> ~),
 * date/time arithmetic, json/jsonb operators (-> ->> #> #>> @> <@ ? ?| ?& - ||).
 * Invariants:
 *   (1) The returned impl's argTypes are what the binder casts the operands to (implicit casts only).
 *   (2) Integer arithmetic checks overflow (22003 `integer out of range`...), division by zero is 22012,
 *       integer division truncates toward zero, % has the sign of the dividend.
 *   (3) An unknown literal operand takes the other operand's type (`int4col = '5'` is int4 = int4); two
 *       unknowns resolve as text.
 * Not here: AND/OR/NOT, IS [NOT] DISTINCT FROM, IN, BETWEEN (BoundExpr forms the binder builds).
 */
import {
  Decimal,
  Interval,
  MICROS_PER_DAY,
  RustyError,
  addInterval,
  addIntervalTz,
  arrayType,
  checkDate,
  checkTimestamp,
  compareText,
  compareValues,
  divisionByZero,
  numericOutOfRange,
  type SqlType,
  type SqlValue,
} from '../../common/index.js'
import { resolveCast } from './casts.js'
import type { ScalarImpl } from './function-types.js'
import {
  BOOL,
  BYTEA,
  DATE,
  FLOAT8,
  INT4,
  INT8,
  INT8_MIN,
  INTERVAL,
  JSONB,
  JSON_T,
  NUMERIC,
  TEXT,
  TIME,
  TIMESTAMP,
  TIMESTAMPTZ,
  bare,
  checkFloat,
  checkFloat4,
  checkI2,
  checkI4,
  checkI8,
  int8Range,
  isNum,
  isStr,
  promote,
  scalar,
} from './impl-util.js'
import { jsonContains, jsonDelete, jsonConcat, jsonExists, jsonGet, jsonGetPath } from './json-ops.js'
import { likeMatch, regexMatch } from './patterns.js'
import { decimalPow } from './decimal-math.js'

/** A resolved operator: the binder casts operands to impl.argTypes. */
export interface OperatorMatch {
  readonly impl: ScalarImpl
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>='])

// ---------------------------------------------------------------------------------------------------------
// Arithmetic

/** numeric ^ numeric (also power(numeric, numeric)). */
export function numericPow(a: Decimal, b: Decimal): Decimal {
  if (a.isNaN || b.isNaN) return a.isNaN && b.isFinite && b.sign() === 0 ? Decimal.ONE : Decimal.NaN
  if (a.sign() === 0 && b.sign() < 0) throw new RustyError('2201F', 'zero raised to a negative power is undefined')
  const bn = b.normalize()
  if (bn.isFinite && bn.scale === 0 && bn.unscaled >= -100000n && bn.unscaled <= 100000n && a.isFinite) {
    const n = Number(bn.unscaled)
    const est = Math.abs(a.toNumber()) === 0 ? 0 : n * Math.log10(Math.abs(a.toNumber()))
    let rscale = 16 - Math.trunc(est)
    if (rscale < b.scale) rscale = b.scale
    if (rscale < 0) rscale = 0
    if (rscale > 1000) rscale = 1000
    if (n >= 0) return a.powInt(n).round(rscale)
    return Decimal.ONE.divScale(a.powInt(-n), rscale)
  }
  if (a.sign() < 0 && b.isFinite) throw new RustyError('2201F', 'a negative number raised to a non-integer power yields a complex result')
  if (!a.isFinite || !b.isFinite) {
    const r = Math.pow(a.toNumber(), b.toNumber())
    return r === Infinity ? Decimal.Infinity : r === 0 ? Decimal.ZERO : Decimal.NaN
  }
  if (a.sign() === 0) return Decimal.ZERO
  const est = b.toNumber() * Math.log10(a.toNumber())
  if (est > 131072) throw numericOutOfRange('value overflows numeric format')
  // PostgreSQL's power_var: 16 significant digits from the (truncated) decimal weight of the result.
  let rscale = 16 - Math.trunc(est)
  if (rscale < a.scale) rscale = a.scale
  if (rscale < b.scale) rscale = b.scale
  if (rscale < 0) rscale = 0
  return decimalPow(a, b, Math.min(rscale, 1000))
}

function floatPow(a: number, b: number): number {
  if (a === 0 && b < 0) throw new RustyError('2201F', 'zero raised to a negative power is undefined')
  if (a < 0 && !Number.isInteger(b) && Number.isFinite(b)) throw new RustyError('2201F', 'a negative number raised to a non-integer power yields a complex result')
  if (a === 1 || b === 0) return 1 // PostgreSQL: 1 ^ NaN = 1, NaN ^ 0 = 1
  const r = Math.pow(a, b)
  if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) throw numericOutOfRange('value out of range: overflow')
  if (r === 0 && a !== 0 && Number.isFinite(a) && Number.isFinite(b)) throw numericOutOfRange('value out of range: underflow')
  return r
}

/** The impl of an arithmetic operator on one numeric type t. */
function arithmetic(op: string, t: SqlType): ScalarImpl | undefined {
  const args = [t, t]
  switch (t.id) {
    case 'int2':
    case 'int4': {
      const check = t.id === 'int2' ? checkI2 : checkI4
      const min = t.id === 'int2' ? -32768 : -2147483648
      switch (op) {
        case '+':
          return scalar('+', args, t, (a, b) => check((a as number) + (b as number)))
        case '-':
          return scalar('-', args, t, (a, b) => check((a as number) - (b as number)))
        case '*':
          return scalar('*', args, t, (a, b) => check((a as number) * (b as number)))
        case '/':
          return scalar('/', args, t, (a, b) => {
            if (b === 0) throw divisionByZero()
            if (b === -1 && a === min) return check(-min)
            return Math.trunc((a as number) / (b as number)) || 0
          })
        case '%':
          return scalar('%', args, t, (a, b) => {
            if (b === 0) throw divisionByZero()
            return (a as number) % (b as number) || 0
          })
      }
      return undefined
    }
    case 'int8':
      switch (op) {
        case '+':
          return scalar('+', args, t, (a, b) => checkI8((a as bigint) + (b as bigint)))
        case '-':
          return scalar('-', args, t, (a, b) => checkI8((a as bigint) - (b as bigint)))
        case '*':
          return scalar('*', args, t, (a, b) => checkI8((a as bigint) * (b as bigint)))
        case '/':
          return scalar('/', args, t, (a, b) => {
            if (b === 0n) throw divisionByZero()
            if (b === -1n && a === INT8_MIN) throw int8Range()
            return (a as bigint) / (b as bigint)
          })
        case '%':
          return scalar('%', args, t, (a, b) => {
            if (b === 0n) throw divisionByZero()
            if (b === -1n) return 0n
            return (a as bigint) % (b as bigint)
          })
      }
      return undefined
    case 'float4':
    case 'float8': {
      const check = t.id === 'float4' ? checkFloat4 : checkFloat
      switch (op) {
        case '+':
          return scalar('+', args, t, (a, b) => check((a as number) + (b as number), a as number, b as number))
        case '-':
          return scalar('-', args, t, (a, b) => check((a as number) - (b as number), a as number, b as number))
        case '*':
          return scalar('*', args, t, (a, b) => check((a as number) * (b as number), a as number, b as number))
        case '/':
          return scalar('/', args, t, (a, b) => {
            if (b === 0) throw divisionByZero()
            return check((a as number) / (b as number), a as number, b as number)
          })
        case '^':
          return t.id === 'float8' ? scalar('^', args, t, (a, b) => floatPow(a as number, b as number)) : undefined
      }
      return undefined
    }
    case 'numeric':
      switch (op) {
        case '+':
          return scalar('+', args, t, (a, b) => (a as Decimal).add(b as Decimal))
        case '-':
          return scalar('-', args, t, (a, b) => (a as Decimal).sub(b as Decimal))
        case '*':
          return scalar('*', args, t, (a, b) => (a as Decimal).mul(b as Decimal))
        case '/':
          return scalar('/', args, t, (a, b) => (a as Decimal).div(b as Decimal))
        case '%':
          return scalar('%', args, t, (a, b) => (a as Decimal).mod(b as Decimal))
        case '^':
          return scalar('^', args, t, (a, b) => numericPow(a as Decimal, b as Decimal))
      }
      return undefined
  }
  return undefined
}

function unaryMinus(t: SqlType): ScalarImpl | undefined {
  switch (t.id) {
    case 'int2':
      return scalar('-', [t], t, (a) => checkI2(-(a as number)))
    case 'int4':
      return scalar('-', [t], t, (a) => checkI4(-(a as number)))
    case 'int8':
      return scalar('-', [t], t, (a) => checkI8(-(a as bigint)))
    case 'float4':
    case 'float8':
      return scalar('-', [t], t, (a) => -(a as number))
    case 'numeric':
      return scalar('-', [t], t, (a) => (a as Decimal).neg())
    case 'interval':
      return scalar('-', [t], t, (a) => (a as Interval).neg())
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------
// Comparisons

function floatCmp(a: number, b: number): number {
  if (a < b) return -1
  if (a > b) return 1
  if (a === b) return 0
  const an = a !== a
  const bn = b !== b
  return an === bn ? 0 : an ? 1 : -1
}

/** Comparison impl on one type t (both operands t). Specialised closures for the hot types. */
function comparison(op: string, t: SqlType): ScalarImpl {
  const args = [t, t]
  const id = t.id
  if (id === 'int2' || id === 'int4' || id === 'int8' || id === 'date' || id === 'time' || id === 'timestamp' || id === 'timestamptz' || id === 'bool') {
    switch (op) {
      case '=':
        return scalar('=', args, BOOL, (a, b) => a === b)
      case '<>':
        return scalar('<>', args, BOOL, (a, b) => a !== b)
      case '<':
        return scalar('<', args, BOOL, (a, b) => (a as number) < (b as number))
      case '<=':
        return scalar('<=', args, BOOL, (a, b) => (a as number) <= (b as number))
      case '>':
        return scalar('>', args, BOOL, (a, b) => (a as number) > (b as number))
      default:
        return scalar('>=', args, BOOL, (a, b) => (a as number) >= (b as number))
    }
  }
  if (id === 'float4' || id === 'float8') {
    switch (op) {
      case '=':
        return scalar('=', args, BOOL, (a, b) => a === b || (a !== a && b !== b))
      case '<>':
        return scalar('<>', args, BOOL, (a, b) => !(a === b || (a !== a && b !== b)))
      case '<':
        return scalar('<', args, BOOL, (a, b) => floatCmp(a as number, b as number) < 0)
      case '<=':
        return scalar('<=', args, BOOL, (a, b) => floatCmp(a as number, b as number) <= 0)
      case '>':
        return scalar('>', args, BOOL, (a, b) => floatCmp(a as number, b as number) > 0)
      default:
        return scalar('>=', args, BOOL, (a, b) => floatCmp(a as number, b as number) >= 0)
    }
  }
  if (id === 'text' || id === 'uuid') {
    switch (op) {
      case '=':
        return scalar('=', args, BOOL, (a, b) => a === b)
      case '<>':
        return scalar('<>', args, BOOL, (a, b) => a !== b)
      case '<':
        return scalar('<', args, BOOL, (a, b) => compareText(a as string, b as string) < 0)
      case '<=':
        return scalar('<=', args, BOOL, (a, b) => compareText(a as string, b as string) <= 0)
      case '>':
        return scalar('>', args, BOOL, (a, b) => compareText(a as string, b as string) > 0)
      default:
        return scalar('>=', args, BOOL, (a, b) => compareText(a as string, b as string) >= 0)
    }
  }
  switch (op) {
    case '=':
      return scalar('=', args, BOOL, (a, b) => compareValues(a, b, t) === 0)
    case '<>':
      return scalar('<>', args, BOOL, (a, b) => compareValues(a, b, t) !== 0)
    case '<':
      return scalar('<', args, BOOL, (a, b) => compareValues(a, b, t) < 0)
    case '<=':
      return scalar('<=', args, BOOL, (a, b) => compareValues(a, b, t) <= 0)
    case '>':
      return scalar('>', args, BOOL, (a, b) => compareValues(a, b, t) > 0)
    default:
      return scalar('>=', args, BOOL, (a, b) => compareValues(a, b, t) >= 0)
  }
}

const DATETIME_RANK: Record<string, number> = { date: 0, timestamp: 1, timestamptz: 2 }

/** The type both operands of a comparison convert to, or undefined when they do not compare. */
export function comparisonType(l: SqlType, r: SqlType): SqlType | undefined {
  if (l.id === 'unknown' && r.id === 'unknown') return TEXT
  if (l.id === 'unknown' || l.id === 'null') return r.id === 'varchar' ? TEXT : r.id === 'null' ? TEXT : bare(r)
  if (r.id === 'unknown' || r.id === 'null') return l.id === 'varchar' ? TEXT : bare(l)
  if (isNum(l) && isNum(r)) return promote(l, r)
  if (isStr(l) && isStr(r)) return l.id === 'bpchar' && r.id === 'bpchar' ? typeOfBpchar : TEXT
  if (DATETIME_RANK[l.id] !== undefined && DATETIME_RANK[r.id] !== undefined) {
    return DATETIME_RANK[l.id] >= DATETIME_RANK[r.id] ? bare(l) : bare(r)
  }
  if (l.id === 'array' && r.id === 'array') {
    const el = comparisonType(l.element!, r.element!)
    return el === undefined ? undefined : arrayType(el)
  }
  if (l.id === r.id && l.id !== 'json') return bare(l)
  return undefined
}

const typeOfBpchar: SqlType = { id: 'bpchar' }

// ---------------------------------------------------------------------------------------------------------
// Date/time arithmetic

const dtCache = new Map<string, ScalarImpl | undefined>()

function datetimeOp(op: string, l: SqlType, r: SqlType): ScalarImpl | undefined {
  const key = `${op} ${l.id} ${r.id}`
  if (dtCache.has(key)) return dtCache.get(key)
  const impl = buildDatetimeOp(op, l.id, r.id)
  dtCache.set(key, impl)
  return impl
}

function intervalOf(v: SqlValue): Interval {
  return v as Interval
}

function buildDatetimeOp(op: string, l: string, r: string): ScalarImpl | undefined {
  const ts = (id: string): SqlType => (id === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP)
  if (op === '+') {
    if (l === 'date' && (r === 'int4' || r === 'int2')) return scalar('+', [DATE, INT4], DATE, (a, b) => checkDate((a as number) + (b as number)))
    if ((l === 'int4' || l === 'int2') && r === 'date') return scalar('+', [INT4, DATE], DATE, (a, b) => checkDate((a as number) + (b as number)))
    if (l === 'date' && r === 'interval') return scalar('+', [DATE, INTERVAL], TIMESTAMP, (a, b) => checkTimestamp(addInterval(dayTs(a), intervalOf(b))))
    if (l === 'interval' && r === 'date') return scalar('+', [INTERVAL, DATE], TIMESTAMP, (a, b) => checkTimestamp(addInterval(dayTs(b), intervalOf(a))))
    if (l === 'date' && r === 'time') return scalar('+', [DATE, TIME], TIMESTAMP, (a, b) => checkTimestamp(dayTs(a) + (b as number)))
    if (l === 'time' && r === 'date') return scalar('+', [TIME, DATE], TIMESTAMP, (a, b) => checkTimestamp(dayTs(b) + (a as number)))
    if (l === 'timestamp' && r === 'interval') return scalar('+', [TIMESTAMP, INTERVAL], TIMESTAMP, (a, b) => checkTimestamp(addInterval(a as number, intervalOf(b))))
    if (l === 'interval' && r === 'timestamp') return scalar('+', [INTERVAL, TIMESTAMP], TIMESTAMP, (a, b) => checkTimestamp(addInterval(b as number, intervalOf(a))))
    if (l === 'timestamptz' && r === 'interval') return scalar('+', [TIMESTAMPTZ, INTERVAL], TIMESTAMPTZ, (a, b) => checkTimestamp(addIntervalTz(a as number, intervalOf(b))))
    if (l === 'interval' && r === 'timestamptz') return scalar('+', [INTERVAL, TIMESTAMPTZ], TIMESTAMPTZ, (a, b) => checkTimestamp(addIntervalTz(b as number, intervalOf(a))))
    if (l === 'interval' && r === 'interval') return scalar('+', [INTERVAL, INTERVAL], INTERVAL, (a, b) => intervalOf(a).add(intervalOf(b)))
    if (l === 'time' && r === 'interval') return scalar('+', [TIME, INTERVAL], TIME, (a, b) => timeAdd(a as number, intervalOf(b).micros))
    if (l === 'interval' && r === 'time') return scalar('+', [INTERVAL, TIME], TIME, (a, b) => timeAdd(b as number, intervalOf(a).micros))
  } else if (op === '-') {
    if (l === 'date' && (r === 'int4' || r === 'int2')) return scalar('-', [DATE, INT4], DATE, (a, b) => checkDate((a as number) - (b as number)))
    if (l === 'date' && r === 'date') {
      return scalar('-', [DATE, DATE], INT4, (a, b) => {
        if (!Number.isFinite(a as number) || !Number.isFinite(b as number)) throw new RustyError('22008', 'cannot subtract infinite dates')
        return (a as number) - (b as number)
      })
    }
    if (l === 'date' && r === 'interval') return scalar('-', [DATE, INTERVAL], TIMESTAMP, (a, b) => checkTimestamp(addInterval(dayTs(a), intervalOf(b).neg())))
    if (l === 'timestamp' && r === 'interval') return scalar('-', [TIMESTAMP, INTERVAL], TIMESTAMP, (a, b) => checkTimestamp(addInterval(a as number, intervalOf(b).neg())))
    if (l === 'timestamptz' && r === 'interval') return scalar('-', [TIMESTAMPTZ, INTERVAL], TIMESTAMPTZ, (a, b) => checkTimestamp(addIntervalTz(a as number, intervalOf(b).neg())))
    if ((l === 'timestamp' || l === 'timestamptz') && (r === 'timestamp' || r === 'timestamptz' || r === 'date')) {
      const t = l === 'timestamptz' || r === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP
      return scalar('-', [t, t], INTERVAL, (a, b) => timestampDiff(a as number, b as number))
    }
    if (l === 'date' && (r === 'timestamp' || r === 'timestamptz')) {
      const t = ts(r)
      return scalar('-', [t, t], INTERVAL, (a, b) => timestampDiff(a as number, b as number))
    }
    if (l === 'interval' && r === 'interval') return scalar('-', [INTERVAL, INTERVAL], INTERVAL, (a, b) => intervalOf(a).sub(intervalOf(b)))
    if (l === 'time' && r === 'time') return scalar('-', [TIME, TIME], INTERVAL, (a, b) => new Interval(0, 0, (a as number) - (b as number)))
    if (l === 'time' && r === 'interval') return scalar('-', [TIME, INTERVAL], TIME, (a, b) => timeAdd(a as number, -intervalOf(b).micros))
  } else if (op === '*') {
    if (l === 'interval' && isNumId(r)) return scalar('*', [INTERVAL, FLOAT8], INTERVAL, (a, b) => intervalOf(a).mul(b as number))
    if (isNumId(l) && r === 'interval') return scalar('*', [FLOAT8, INTERVAL], INTERVAL, (a, b) => intervalOf(b).mul(a as number))
  } else if (op === '/') {
    if (l === 'interval' && isNumId(r)) {
      return scalar('/', [INTERVAL, FLOAT8], INTERVAL, (a, b) => {
        if (b === 0) throw divisionByZero()
        return intervalOf(a).mul(1 / (b as number))
      })
    }
  }
  return undefined
}

function isNumId(id: string): boolean {
  return id === 'int2' || id === 'int4' || id === 'int8' || id === 'numeric' || id === 'float4' || id === 'float8' || id === 'unknown'
}

function dayTs(v: SqlValue): number {
  const d = v as number
  return Number.isFinite(d) ? d * MICROS_PER_DAY : d
}

function timeAdd(t: number, us: number): number {
  const r = (t + us) % MICROS_PER_DAY
  return r < 0 ? r + MICROS_PER_DAY : r
}

/** timestamp - timestamp: days and time (PostgreSQL's timestamp_mi with justify_hours). */
function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RustyError('22008', 'cannot subtract infinite timestamps')
  const diff = a - b
  const days = Math.trunc(diff / MICROS_PER_DAY)
  return new Interval(0, days || 0, diff - days * MICROS_PER_DAY || 0)
}

// ---------------------------------------------------------------------------------------------------------
// Strings, patterns, bitwise, json, arrays

function textCat(l: SqlType, r: SqlType): ScalarImpl {
  const lf = toTextFn(l)
  const rf = toTextFn(r)
  if (lf === undefined && rf === undefined) return scalar('||', [TEXT, TEXT], TEXT, (a, b) => (a as string) + (b as string))
  return scalar('||', [lf === undefined ? TEXT : bare(l), rf === undefined ? TEXT : bare(r)], TEXT, (a, b) =>
    (lf === undefined ? (a as string) : (lf(a) as string)) + (rf === undefined ? (b as string) : (rf(b) as string)),
  )
}

/** Text conversion of a non-string operand of ||, undefined for string types. */
function toTextFn(t: SqlType): ((v: SqlValue) => SqlValue) | undefined {
  if (isStr(t) || t.id === 'unknown') return undefined
  return resolveCast(t, TEXT, 'explicit')
}

function bitwise(op: string, t: SqlType): ScalarImpl | undefined {
  if (t.id === 'int8') {
    switch (op) {
      case '&':
        return scalar('&', [t, t], t, (a, b) => (a as bigint) & (b as bigint))
      case '|':
        return scalar('|', [t, t], t, (a, b) => (a as bigint) | (b as bigint))
      case '#':
        return scalar('#', [t, t], t, (a, b) => (a as bigint) ^ (b as bigint))
    }
    return undefined
  }
  const fix = t.id === 'int2' ? (x: number): number => (x << 16) >> 16 : (x: number): number => x | 0
  switch (op) {
    case '&':
      return scalar('&', [t, t], t, (a, b) => fix((a as number) & (b as number)))
    case '|':
      return scalar('|', [t, t], t, (a, b) => fix((a as number) | (b as number)))
    case '#':
      return scalar('#', [t, t], t, (a, b) => fix((a as number) ^ (b as number)))
  }
  return undefined
}

function shift(op: '<<' | '>>', t: SqlType): ScalarImpl {
  if (t.id === 'int8') {
    return scalar(op, [t, INT4], t, (a, b) => {
      const n = BigInt((b as number) & 63)
      return op === '<<' ? BigInt.asIntN(64, (a as bigint) << n) : (a as bigint) >> n
    })
  }
  const bits = t.id === 'int2' ? 16 : 32
  return scalar(op, [t, INT4], t, (a, b) => {
    const n = (b as number) & 31
    const r = op === '<<' ? (a as number) << n : (a as number) >> n
    return bits === 16 ? (r << 16) >> 16 : r
  })
}

function arrayCat(l: SqlType, r: SqlType): ScalarImpl | undefined {
  if (l.id === 'array' && r.id === 'array') {
    const t = comparisonType(l, r)
    if (t === undefined) return undefined
    return scalar('||', [t, t], t, (a, b) => [...(a as SqlValue[]), ...(b as SqlValue[])], { strict: false })
  }
  if (l.id === 'array' && r.id === 'unknown') return arrayCat(l, l) // PostgreSQL: ARRAY[1,2] || '{3,4}'
  if (r.id === 'array' && l.id === 'unknown') return arrayCat(r, r)
  if (l.id === 'array') {
    const el = l.element!
    // array || element: the element must be compatible with the array's element type.
    if (r.id !== 'unknown' && comparisonType(r, el) === undefined) return undefined
    return scalar('||', [l, el], l, (a, b) => (a === null ? [b] : [...(a as SqlValue[]), b]), { strict: false })
  }
  const el = r.element!
  if (l.id !== 'unknown' && comparisonType(l, el) === undefined) return undefined
  return scalar('||', [el, r], r, (a, b) => (b === null ? [a] : [a, ...(b as SqlValue[])]), { strict: false })
}

function jsonOp(op: string, l: SqlType, r: SqlType): ScalarImpl | undefined {
  const jt = l.id === 'jsonb' ? JSONB : JSON_T
  const isB = l.id === 'jsonb'
  switch (op) {
    case '->':
    case '->>': {
      const asText = op === '->>'
      if (r.id === 'int8') return scalar(op, [jt, INT8], asText ? TEXT : jt, (a, b) => jsonGet(a as string, Number(b as bigint), asText, isB))
      const key = r.id === 'int4' || r.id === 'int2' ? INT4 : TEXT
      return scalar(op, [jt, key], asText ? TEXT : jt, (a, b) => jsonGet(a as string, b as string | number, asText, isB))
    }
    case '#>':
    case '#>>': {
      const asText = op === '#>>'
      return scalar(op, [jt, arrayType(TEXT)], asText ? TEXT : jt, (a, b) => jsonGetPath(a as string, b as SqlValue[], asText, isB))
    }
  }
  if (!isB) return undefined
  switch (op) {
    case '@>':
      return r.id === 'jsonb' || r.id === 'unknown' ? scalar('@>', [JSONB, JSONB], BOOL, (a, b) => jsonContains(a as string, b as string)) : undefined
    case '<@':
      return r.id === 'jsonb' || r.id === 'unknown' ? scalar('<@', [JSONB, JSONB], BOOL, (a, b) => jsonContains(b as string, a as string)) : undefined
    case '?':
      return scalar('?', [JSONB, TEXT], BOOL, (a, b) => jsonExists(a as string, [b as string], 'any'))
    case '?|':
      return scalar('?|', [JSONB, arrayType(TEXT)], BOOL, (a, b) => jsonExists(a as string, b as SqlValue[], 'any'))
    case '?&':
      return scalar('?&', [JSONB, arrayType(TEXT)], BOOL, (a, b) => jsonExists(a as string, b as SqlValue[], 'all'))
    case '-':
      if (r.id === 'int4' || r.id === 'int2' || r.id === 'int8') return scalar('-', [JSONB, INT4], JSONB, (a, b) => jsonDelete(a as string, b as number))
      if (r.id === 'array') return scalar('-', [JSONB, arrayType(TEXT)], JSONB, (a, b) => jsonDelete(a as string, b as SqlValue[]))
      return scalar('-', [JSONB, TEXT], JSONB, (a, b) => jsonDelete(a as string, b as string))
    case '||':
      return r.id === 'jsonb' || r.id === 'unknown' ? scalar('||', [JSONB, JSONB], JSONB, (a, b) => jsonConcat(a as string, b as string)) : undefined
  }
  return undefined
}

function patternOp(op: string, l: SqlType): ScalarImpl | undefined {
  const t = l.id === 'bytea' ? BYTEA : TEXT
  switch (op) {
    case '~~':
      return scalar('~~', [t, t], BOOL, (a, b) => likeMatch(a as string, b as string, false))
    case '!~~':
      return scalar('!~~', [t, t], BOOL, (a, b) => !likeMatch(a as string, b as string, false))
    case '~~*':
      return scalar('~~*', [t, t], BOOL, (a, b) => likeMatch(a as string, b as string, true))
    case '!~~*':
      return scalar('!~~*', [t, t], BOOL, (a, b) => !likeMatch(a as string, b as string, true))
    case '~':
      return scalar('~', [TEXT, TEXT], BOOL, (a, b) => regexMatch(a as string, b as string, false))
    case '!~':
      return scalar('!~', [TEXT, TEXT], BOOL, (a, b) => !regexMatch(a as string, b as string, false))
    case '~*':
      return scalar('~*', [TEXT, TEXT], BOOL, (a, b) => regexMatch(a as string, b as string, true))
    case '!~*':
      return scalar('!~*', [TEXT, TEXT], BOOL, (a, b) => !regexMatch(a as string, b as string, true))
  }
  return undefined
}

const PATTERN_OPS = new Set(['~~', '!~~', '~~*', '!~~*', '~', '!~', '~*', '!~*'])
const JSON_OPS = new Set(['->', '->>', '#>', '#>>', '@>', '<@', '?', '?|', '?&'])

/**
 * Resolves operator `op` (`left` null for a prefix operator) as PostgreSQL does; undefined when no operator
 * matches (the binder raises 42883 `operator does not exist: integer + text`).
 *
 * @example
 * resolveOperator('+', typeOf('int4'), typeOf('int8'))!.impl.argTypes // [int8, int8]
 * resolveOperator('=', typeOf('int4'), typeOf('unknown'))!.impl.argTypes // [int4, int4]
 */
export function resolveOperator(op: string, left: SqlType | null, right: SqlType): OperatorMatch | undefined {
  const impl = resolveOperatorImpl(op === '!=' ? '<>' : op, left, right)
  return impl === undefined ? undefined : { impl }
}

function resolveOperatorImpl(op: string, left: SqlType | null, right: SqlType): ScalarImpl | undefined {
  let r = right.id === 'null' ? ({ id: 'unknown' } as SqlType) : right
  if (left === null) {
    if (r.id === 'unknown') r = FLOAT8 // PostgreSQL resolves -'1' as float8
    if (op === '-') return unaryMinus(bare(r))
    if (op === '+') return isNum(r) || r.id === 'interval' ? scalar('+', [bare(r)], bare(r), (a) => a) : undefined
    if (op === '~' && (r.id === 'int2' || r.id === 'int4' || r.id === 'int8')) {
      return r.id === 'int8' ? scalar('~', [INT8], INT8, (a) => ~(a as bigint)) : scalar('~', [r], r, (a) => (r.id === 'int2' ? (~(a as number) << 16) >> 16 : ~(a as number)))
    }
    return undefined
  }
  let l = left.id === 'null' ? ({ id: 'unknown' } as SqlType) : left

  if (COMPARISONS.has(op)) {
    const t = comparisonType(l, r)
    return t === undefined ? undefined : comparison(op, t)
  }
  if (PATTERN_OPS.has(op)) {
    if ((isStr(l) || l.id === 'unknown') && (isStr(r) || r.id === 'unknown')) return patternOp(op, TEXT)
    if (op.includes('~~') && l.id === 'bytea' && (r.id === 'bytea' || r.id === 'unknown')) return undefined
    return undefined
  }
  if ((op === '@>' || op === '<@' || op === '&&') && (l.id === 'array' || r.id === 'array')) return arrayContainment(op, l, r)
  if (JSON_OPS.has(op) || ((op === '-' || op === '||') && l.id === 'jsonb')) {
    if (l.id === 'json' || l.id === 'jsonb') return jsonOp(op, l, r)
    if (l.id === 'unknown' && (op === '->' || op === '->>')) return jsonOp(op, JSON_T, r)
    return undefined
  }
  if (op === '||') {
    if (l.id === 'array' || r.id === 'array') return arrayCat(l, r)
    if (l.id === 'bytea' && (r.id === 'bytea' || r.id === 'unknown')) {
      return scalar('||', [BYTEA, BYTEA], BYTEA, (a, b) => {
        const x = a as Uint8Array
        const y = b as Uint8Array
        const out = new Uint8Array(x.length + y.length)
        out.set(x)
        out.set(y, x.length)
        return out
      })
    }
    if (isStr(l) || l.id === 'unknown' || isStr(r) || r.id === 'unknown') return textCat(l, r)
    return undefined
  }
  if (op === '&' || op === '|' || op === '#') {
    if (l.id === 'unknown') l = r
    if (r.id === 'unknown') r = l
    if (!isIntType(l) || !isIntType(r)) return undefined
    return bitwise(op, promote(l, r))
  }
  if (op === '<<' || op === '>>') {
    if (l.id === 'unknown') l = INT4
    if (!isIntType(l) || !(isIntType(r) || r.id === 'unknown')) return undefined
    return shift(op, bare(l))
  }

  // Arithmetic
  const lDt = !isNum(l) && l.id !== 'unknown'
  const rDt = !isNum(r) && r.id !== 'unknown'
  if (lDt || rDt) {
    let lt = l
    let rt = r
    if (l.id === 'unknown') lt = rt.id === 'date' && op === '-' ? DATE : INTERVAL
    if (r.id === 'unknown') {
      if (l.id === 'date' && op === '-') rt = INT4
      else if (l.id === 'interval' && (op === '*' || op === '/')) rt = FLOAT8
      else rt = l.id === 'time' && op === '-' ? TIME : INTERVAL
      if ((l.id === 'date' || l.id === 'timestamp' || l.id === 'timestamptz') && op === '-') rt = l.id === 'date' ? INT4 : INTERVAL
      if (l.id === 'date' && op === '+') rt = INT4
    }
    return datetimeOp(op, lt, rt)
  }
  if (l.id === 'unknown' && r.id === 'unknown') {
    l = NUMERIC
    r = NUMERIC
  } else if (l.id === 'unknown') l = r
  else if (r.id === 'unknown') r = l
  let t = promote(bare(l), bare(r))
  if (op === '^') t = t.id === 'numeric' ? NUMERIC : t.id === 'int2' || t.id === 'int4' || t.id === 'int8' || t.id === 'float4' ? FLOAT8 : t
  if (op === '%' && (t.id === 'float4' || t.id === 'float8')) return undefined
  return arithmetic(op, t)
}

/** anyarray @> anyarray, <@, && (overlap): element equality as =, NULL elements never match. */
function arrayContainment(op: string, l: SqlType, r: SqlType): ScalarImpl | undefined {
  const lt = l.id === 'unknown' ? r : l
  const rt = r.id === 'unknown' ? l : r
  if (lt.id !== 'array' || rt.id !== 'array') return undefined
  const t = comparisonType(lt, rt)
  if (t === undefined) return undefined
  const el = t.element!
  const contains = (a: SqlValue[], b: SqlValue[]): boolean =>
    b.every((x) => x !== null && a.some((y) => y !== null && compareValues(x, y, el) === 0))
  if (op === '@>') return scalar('@>', [t, t], BOOL, (a, b) => contains(a as SqlValue[], b as SqlValue[]))
  if (op === '<@') return scalar('<@', [t, t], BOOL, (a, b) => contains(b as SqlValue[], a as SqlValue[]))
  return scalar('&&', [t, t], BOOL, (a, b) =>
    (a as SqlValue[]).some((x) => x !== null && (b as SqlValue[]).some((y) => y !== null && compareValues(x, y, el) === 0)),
  )
}

function isIntType(t: SqlType): boolean {
  return t.id === 'int2' || t.id === 'int4' || t.id === 'int8'
}

