/**
 * Built-in aggregate functions (PostgreSQL "Aggregate Functions").
 * Owns: resolveAggregate, isAggregateName and the aggregate implementations: count, sum, avg, min, max,
 * bool_and/bool_or/every, bit_and/bit_or/bit_xor, string_agg, array_agg, json(b)_agg, json(b)_object_agg,
 * stddev/stddev_samp/stddev_pop/variance/var_samp/var_pop, any_value.
 * Invariants:
 *   (1) Result types are PostgreSQL's: count -> int8; sum(int2/int4) -> int8, sum(int8) -> numeric,
 *       sum(numeric) -> numeric, sum(float4) -> float4, sum(float8) -> float8, sum(interval) -> interval;
 *       avg(ints/numeric) -> numeric (division scale as numeric /), avg(float) -> float8; variance/stddev of
 *       ints/numeric -> numeric (PostgreSQL's numeric_stddev_internal), of floats -> float8 (Youngs-Cramer).
 *   (2) States are mutable objects created by init() and updated in place by step() (no allocation per row
 *       for the numeric aggregates over ints and floats); an aggregate over no rows returns NULL except count (0).
 *   (3) `inverse` exists where removing a row is exact (count, int/numeric sum and avg), for moving frames.
 */
import {
  Decimal,
  Interval,
  RustyError,
  arrayType,
  compareValues,
  pow10,
  selectDivScale,
  stringifyJson,
  toJsonb,
  type JsonNode,
  type SqlType,
  type SqlValue,
} from '../../common/index.js'
import type { AggregateImpl } from './function-types.js'
import { BOOL, BYTEA, FLOAT8, INT2, INT4, INT8, INTERVAL, JSONB, JSON_T, NUMERIC, TEXT, bare } from './impl-util.js'
import { jsonArrayText, valueToJson } from './json-functions.js'
import { decimalSqrt } from './math-functions.js'

const NAMES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'bool_and',
  'bool_or',
  'every',
  'bit_and',
  'bit_or',
  'bit_xor',
  'string_agg',
  'array_agg',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'stddev',
  'stddev_samp',
  'stddev_pop',
  'variance',
  'var_samp',
  'var_pop',
  'any_value',
  'covar_pop',
  'covar_samp',
  'corr',
  'regr_count',
  'regr_slope',
  'regr_intercept',
  'regr_r2',
  'regr_avgx',
  'regr_avgy',
])

/** True for the names of built-in aggregates (the binder uses it to spot aggregate calls). */
export function isAggregateName(name: string): boolean {
  return NAMES.has(name)
}

function agg<S>(name: string, argTypes: readonly SqlType[], returnType: SqlType, parts: Omit<AggregateImpl<S>, 'name' | 'argTypes' | 'returnType' | 'strict'> & { strict?: boolean }): AggregateImpl<S> {
  return Object.freeze({ name, argTypes: Object.freeze([...argTypes]), returnType, strict: parts.strict ?? true, ...parts }) as AggregateImpl<S>
}

const cache = new Map<string, AggregateImpl | undefined>()

/**
 * Resolves an aggregate by name and argument types (`star` for count(*)); undefined when none matches.
 * The binder casts arguments to impl.argTypes. Unknown-typed arguments are treated as text.
 *
 * @example
 * const sum = resolveAggregate('sum', [typeOf('int4')], false)!   // returnType int8
 * let s = sum.init(); s = sum.step(s, [1]); s = sum.step(s, [2]); sum.final(s) // 3n
 */
export function resolveAggregate(name: string, argTypes: readonly SqlType[], star: boolean): AggregateImpl | undefined {
  const types = argTypes.map((t) => (t.id === 'unknown' || t.id === 'null' ? TEXT : bare(t)))
  const key = `${name}(${star ? '*' : types.map(sigOf).join(',')})`
  if (cache.has(key)) return cache.get(key)
  const impl = build(name, types, star)
  cache.set(key, impl)
  return impl
}

function sigOf(t: SqlType): string {
  return t.id === 'array' ? `${sigOf(t.element!)}[]` : t.id
}

interface CountState {
  n: number
}
interface SumState {
  n: number
  s: number
  big: bigint | null
}
interface FloatState {
  n: number
  s: number
}
interface VarState {
  n: number
  sx: number
  sxx: number
}
interface DecVarState {
  n: number
  sx: Decimal
  sxx: Decimal
}
interface ValueState {
  v: SqlValue
}

const SAFE = Number.MAX_SAFE_INTEGER

interface BigSumState {
  n: number
  s: bigint
}

/** Adds `v` to a small-integer sum, moving the running total into `big` before it leaves the safe range. */
function addSmall(st: SumState, v: number): SumState {
  const r = st.s + v
  if (r > SAFE || r < -SAFE) {
    st.big = (st.big ?? 0n) + BigInt(st.s) + BigInt(v)
    st.s = 0
  } else st.s = r
  return st
}

/** Transitions shared by sum and avg over int2/int4: exact past 2^53 (inverse for moving window frames). */
const SMALL_INT_SUM = {
  init: (): SumState => ({ n: 0, s: 0, big: null }),
  step: (st: SumState, a: readonly SqlValue[]): SumState => {
    st.n++
    return addSmall(st, a[0] as number)
  },
  inverse: (st: SumState, a: readonly SqlValue[]): SumState => {
    st.n--
    return addSmall(st, -(a[0] as number))
  },
}

/** Transitions shared by sum and avg over int8. */
const BIGINT_SUM = {
  init: (): BigSumState => ({ n: 0, s: 0n }),
  step: (st: BigSumState, a: readonly SqlValue[]): BigSumState => {
    st.n++
    st.s += a[0] as bigint
    return st
  },
  inverse: (st: BigSumState, a: readonly SqlValue[]): BigSumState => {
    st.n--
    st.s -= a[0] as bigint
    return st
  },
}

/** Transitions shared by sum and avg over floats (no inverse: float subtraction is not exact). */
const FLOAT_SUM = {
  init: (): FloatState => ({ n: 0, s: 0 }),
  step: (st: FloatState, a: readonly SqlValue[]): FloatState => {
    st.n++
    st.s += a[0] as number
    return st
  },
}

function build(name: string, types: readonly SqlType[], star: boolean): AggregateImpl | undefined {
  if (name === 'count') {
    if (star || types.length === 0) {
      return agg<CountState>('count', [], INT8, {
        strict: false,
        init: () => ({ n: 0 }),
        step: (s) => {
          s.n++
          return s
        },
        inverse: (s) => {
          s.n--
          return s
        },
        final: (s) => BigInt(s.n),
      })
    }
    if (types.length !== 1) return undefined
    return agg<CountState>('count', types, INT8, {
      init: () => ({ n: 0 }),
      step: (s) => {
        s.n++
        return s
      },
      inverse: (s) => {
        s.n--
        return s
      },
      final: (s) => BigInt(s.n),
    })
  }
  if (star) return undefined
  if (name === 'string_agg') return stringAgg(types)
  if (name === 'json_object_agg' || name === 'jsonb_object_agg') return objectAgg(name, types)
  if (name === 'covar_pop' || name === 'covar_samp' || name === 'corr' || name.startsWith('regr_')) return regression(name, types)
  if (types.length !== 1) return undefined
  const t = types[0]
  switch (name) {
    case 'sum':
      return sum(t)
    case 'avg':
      return avg(t)
    case 'min':
    case 'max':
      return minMax(name, t)
    case 'any_value':
      return agg<ValueState>('any_value', [t], t, {
        init: () => ({ v: null }),
        step: (s, a) => {
          if (s.v === null) s.v = a[0]
          return s
        },
        final: (s) => s.v,
      })
    case 'bool_and':
    case 'every':
    case 'bool_or': {
      if (t.id !== 'bool' && t.id !== 'text') return undefined
      const isAnd = name !== 'bool_or'
      return agg<{ v: boolean | null }>(name, [BOOL], BOOL, {
        init: () => ({ v: null }),
        step: (s, a) => {
          const x = a[0] as boolean
          s.v = s.v === null ? x : isAnd ? s.v && x : s.v || x
          return s
        },
        final: (s) => s.v,
      })
    }
    case 'bit_and':
    case 'bit_or':
    case 'bit_xor':
      return bitAgg(name, t)
    case 'array_agg':
      return agg<{ v: SqlValue[] | null }>('array_agg', [t], t.id === 'array' ? t : arrayType(t), {
        strict: false,
        init: () => ({ v: null }),
        step: (s, a) => {
          ;(s.v ??= []).push(a[0])
          return s
        },
        final: (s) => (s.v === null ? null : s.v.slice()),
      })
    case 'json_agg':
    case 'jsonb_agg': {
      const isB = name === 'jsonb_agg'
      return agg<{ v: JsonNode[] | null }>(name, [t], isB ? JSONB : JSON_T, {
        strict: false,
        init: () => ({ v: null }),
        step: (s, a) => {
          ;(s.v ??= []).push(valueToJson(a[0], t))
          return s
        },
        final: (s) => {
          if (s.v === null) return null
          const node: JsonNode = { t: 'arr', v: s.v }
          return isB ? stringifyJson(toJsonb(node)) : jsonArrayText(node.v)
        },
      })
    }
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop':
      return variance(name, t)
  }
  return undefined
}

function sum(t: SqlType): AggregateImpl | undefined {
  switch (t.id) {
    case 'int2':
    case 'int4':
      return agg<SumState>('sum', [t], INT8, {
        ...SMALL_INT_SUM,
        final: (st) => (st.n === 0 ? null : (st.big ?? 0n) + BigInt(st.s)),
      })
    case 'int8':
      return agg<BigSumState>('sum', [INT8], NUMERIC, {
        ...BIGINT_SUM,
        final: (st) => (st.n === 0 ? null : Decimal.fromInt(st.s)),
      })
    case 'numeric':
      return agg<NumSumState>('sum', [NUMERIC], NUMERIC, {
        init: newNumSum,
        step: (st, a) => numAdd(st, a[0] as Decimal, 1),
        inverse: (st, a) => numAdd(st, a[0] as Decimal, -1),
        final: (st) => (st.n === 0 ? null : numTotal(st)),
      })
    case 'float4':
    case 'float8': {
      const f4 = t.id === 'float4'
      return agg<FloatState>('sum', [t], t, {
        ...FLOAT_SUM,
        final: (st) => (st.n === 0 ? null : f4 ? Math.fround(st.s) : st.s),
      })
    }
    case 'interval':
      return agg<{ n: number; s: Interval }>('sum', [INTERVAL], INTERVAL, {
        init: () => ({ n: 0, s: Interval.ZERO }),
        step: (st, a) => {
          st.n++
          st.s = st.s.add(a[0] as Interval)
          return st
        },
        inverse: (st, a) => {
          st.n--
          st.s = st.s.sub(a[0] as Interval)
          return st
        },
        final: (st) => (st.n === 0 ? null : st.s),
      })
  }
  return undefined
}

/**
 * numeric sum state: the finite values' total as one bigint at the largest scale seen (no Decimal per row),
 * plus counts of NaN / +Infinity / -Infinity inputs (so inverse transitions stay exact).
 */
interface NumSumState {
  n: number
  u: bigint
  scale: number
  nan: number
  pinf: number
  ninf: number
}

function newNumSum(): NumSumState {
  return { n: 0, u: 0n, scale: 0, nan: 0, pinf: 0, ninf: 0 }
}

function numAdd(st: NumSumState, d: Decimal, sign: 1 | -1): NumSumState {
  st.n += sign
  if (!d.isFinite) {
    if (d.isNaN) st.nan += sign
    else if (d.sign() > 0) st.pinf += sign
    else st.ninf += sign
    return st
  }
  let u = d.unscaled
  if (d.scale > st.scale) {
    st.u *= pow10(d.scale - st.scale)
    st.scale = d.scale
  } else if (d.scale < st.scale) u *= pow10(st.scale - d.scale)
  st.u += sign > 0 ? u : -u
  return st
}

function numTotal(st: NumSumState): Decimal {
  if (st.nan > 0 || (st.pinf > 0 && st.ninf > 0)) return Decimal.NaN
  if (st.pinf > 0) return Decimal.Infinity
  if (st.ninf > 0) return Decimal.NegativeInfinity
  return Decimal.of(st.u, st.scale)
}

/** numeric division with PostgreSQL's scale (select_div_scale). */
function decDiv(a: Decimal, b: Decimal): Decimal {
  return a.div(b)
}

function avg(t: SqlType): AggregateImpl | undefined {
  switch (t.id) {
    case 'int2':
    case 'int4':
      return agg<SumState>('avg', [t], NUMERIC, {
        ...SMALL_INT_SUM,
        final: (st) => (st.n === 0 ? null : decDiv(Decimal.fromInt((st.big ?? 0n) + BigInt(st.s)), Decimal.fromInt(st.n))),
      })
    case 'int8':
      return agg<BigSumState>('avg', [INT8], NUMERIC, {
        ...BIGINT_SUM,
        final: (st) => (st.n === 0 ? null : decDiv(Decimal.fromInt(st.s), Decimal.fromInt(st.n))),
      })
    case 'numeric':
      return agg<NumSumState>('avg', [NUMERIC], NUMERIC, {
        init: newNumSum,
        step: (st, a) => numAdd(st, a[0] as Decimal, 1),
        inverse: (st, a) => numAdd(st, a[0] as Decimal, -1),
        final: (st) => (st.n === 0 ? null : decDiv(numTotal(st), Decimal.fromInt(st.n))),
      })
    case 'float4':
    case 'float8':
      return agg<FloatState>('avg', [FLOAT8], FLOAT8, {
        ...FLOAT_SUM,
        final: (st) => (st.n === 0 ? null : st.s / st.n),
      })
    case 'interval':
      return agg<{ n: number; s: Interval }>('avg', [INTERVAL], INTERVAL, {
        init: () => ({ n: 0, s: Interval.ZERO }),
        step: (st, a) => {
          st.n++
          st.s = st.s.add(a[0] as Interval)
          return st
        },
        final: (st) => (st.n === 0 ? null : st.s.mul(1 / st.n)),
      })
  }
  return undefined
}

const UNORDERED = new Set(['json', 'null'])

function minMax(name: 'min' | 'max', t: SqlType): AggregateImpl | undefined {
  if (UNORDERED.has(t.id)) return undefined
  const sign = name === 'max' ? 1 : -1
  const ret = t.id === 'varchar' ? TEXT : t
  if (t.id === 'int2' || t.id === 'int4' || t.id === 'float8' || t.id === 'date' || t.id === 'timestamp' || t.id === 'timestamptz' || t.id === 'time' || t.id === 'int8') {
    const isFloat = t.id === 'float8'
    return agg<ValueState>(name, [t], ret, {
      init: () => ({ v: null }),
      step: (s, a) => {
        const x = a[0] as number
        const cur = s.v as number | null
        if (cur === null) s.v = x
        else if (isFloat) {
          if (compareValues(x, cur, t) * sign > 0) s.v = x
        } else if (sign > 0 ? x > cur : x < cur) s.v = x
        return s
      },
      final: (s) => s.v,
    })
  }
  return agg<ValueState>(name, [t], ret, {
    init: () => ({ v: null }),
    step: (s, a) => {
      const x = a[0]
      if (s.v === null || compareValues(x, s.v, t) * sign > 0) s.v = x
      return s
    },
    final: (s) => s.v,
  })
}

function bitAgg(name: string, t: SqlType): AggregateImpl | undefined {
  if (t.id !== 'int2' && t.id !== 'int4' && t.id !== 'int8') return undefined
  const big = t.id === 'int8'
  return agg<ValueState>(name, [t], t, {
    init: () => ({ v: null }),
    step: (s, a) => {
      const x = a[0]
      if (s.v === null) s.v = x
      else if (big) {
        const p = s.v as bigint
        const q = x as bigint
        s.v = name === 'bit_and' ? p & q : name === 'bit_or' ? p | q : p ^ q
      } else {
        const p = s.v as number
        const q = x as number
        s.v = name === 'bit_and' ? p & q : name === 'bit_or' ? p | q : p ^ q
      }
      return s
    },
    final: (s) => s.v,
  })
}

function stringAgg(types: readonly SqlType[]): AggregateImpl | undefined {
  if (types.length !== 2) return undefined
  if (types[0].id === 'bytea') {
    return agg<{ parts: Uint8Array[] | null }>('string_agg', [BYTEA, BYTEA], BYTEA, {
      strict: false,
      init: () => ({ parts: null }),
      step: (s, a) => {
        if (a[0] === null) return s
        if (s.parts === null) s.parts = []
        else if (a[1] !== null) s.parts.push(a[1] as Uint8Array)
        s.parts.push(a[0] as Uint8Array)
        return s
      },
      final: (s) => {
        if (s.parts === null) return null
        const n = s.parts.reduce((k, p) => k + p.length, 0)
        const out = new Uint8Array(n)
        let o = 0
        for (const p of s.parts) {
          out.set(p, o)
          o += p.length
        }
        return out
      },
    })
  }
  const ok = (t: SqlType): boolean => t.id === 'text' || t.id === 'varchar' || t.id === 'bpchar'
  if (!ok(types[0]) || !ok(types[1])) return undefined
  return agg<{ v: string | null }>('string_agg', [TEXT, TEXT], TEXT, {
    strict: false,
    init: () => ({ v: null }),
    step: (s, a) => {
      if (a[0] === null) return s
      s.v = s.v === null ? (a[0] as string) : s.v + ((a[1] as string | null) ?? '') + (a[0] as string)
      return s
    },
    final: (s) => s.v,
  })
}

function objectAgg(name: string, types: readonly SqlType[]): AggregateImpl | undefined {
  if (types.length !== 2) return undefined
  const isB = name === 'jsonb_object_agg'
  const [kt, vt] = types
  return agg<{ v: [string, JsonNode][] | null }>(name, [kt, vt], isB ? JSONB : JSON_T, {
    strict: false,
    init: () => ({ v: null }),
    step: (s, a) => {
      if (a[0] === null) throw new RustyError('22004', 'field name must not be null')
      const k = valueToJson(a[0], kt)
      ;(s.v ??= []).push([k.t === 'str' ? k.v : stringifyJson(k), valueToJson(a[1], vt)])
      return s
    },
    final: (s) => {
      if (s.v === null) return null
      if (isB) return stringifyJson(toJsonb({ t: 'obj', v: s.v }))
      // PostgreSQL's json_object_agg prints `{ "a" : 1, "b" : 2 }`.
      return '{ ' + s.v.map(([k, v]) => stringifyJson({ t: 'str', v: k }) + ' : ' + stringifyJson(v, false)).join(', ') + ' }'
    },
  })
}

function variance(name: string, t: SqlType): AggregateImpl | undefined {
  const sample = name === 'stddev' || name === 'stddev_samp' || name === 'variance' || name === 'var_samp'
  const isStd = name.startsWith('stddev')
  if (t.id === 'float4' || t.id === 'float8') {
    // Youngs-Cramer, as PostgreSQL's float8_accum.
    return agg<VarState>(name, [FLOAT8], FLOAT8, {
      init: () => ({ n: 0, sx: 0, sxx: 0 }),
      step: (s, a) => {
        const x = a[0] as number
        s.n++
        s.sx += x
        if (s.n > 1) {
          const tmp = x * s.n - s.sx
          s.sxx += (tmp * tmp) / (s.n * (s.n - 1))
        } else if (!Number.isFinite(x)) s.sxx = NaN
        return s
      },
      final: (s) => {
        if (s.n === 0 || (sample && s.n === 1)) return null
        const v = s.sxx / (sample ? s.n - 1 : s.n)
        return isStd ? Math.sqrt(v) : v
      },
    })
  }
  if (t.id !== 'int2' && t.id !== 'int4' && t.id !== 'int8' && t.id !== 'numeric') return undefined
  const toDec = t.id === 'numeric' ? (v: SqlValue) => v as Decimal : t.id === 'int8' ? (v: SqlValue) => Decimal.fromInt(v as bigint) : (v: SqlValue) => Decimal.fromInt(v as number)
  const argType = t.id === 'numeric' ? NUMERIC : t.id === 'int8' ? INT8 : t.id === 'int2' ? INT2 : INT4
  return agg<DecVarState>(name, [argType], NUMERIC, {
    init: () => ({ n: 0, sx: Decimal.ZERO, sxx: Decimal.ZERO }),
    step: (s, a) => {
      const x = toDec(a[0])
      s.n++
      s.sx = s.sx.add(x)
      s.sxx = s.sxx.add(x.mul(x))
      return s
    },
    final: (s) => {
      if (s.n === 0 || (sample && s.n === 1)) return null
      if (s.sx.isNaN || s.sxx.isNaN) return Decimal.NaN
      // PostgreSQL numeric_stddev_internal.
      const n = Decimal.fromInt(s.n)
      const num = n.mul(s.sxx).sub(s.sx.mul(s.sx))
      if (num.sign() <= 0) return Decimal.ZERO
      const den = sample ? n.mul(Decimal.fromInt(s.n - 1)) : n.mul(n)
      const rscale = selectDivScale(num, den)
      const v = num.divScale(den, rscale)
      return isStd ? decimalSqrt(v, rscale) : v
    },
  })
}


interface RegrState {
  n: number
  mx: number
  my: number
  sxx: number
  syy: number
  sxy: number
}

/** Two-variable statistics over (Y, X) pairs in float8, with Welford-style co-moments. */
function regression(name: string, types: readonly SqlType[]): AggregateImpl | undefined {
  if (types.length !== 2) return undefined
  const num = (t: SqlType): boolean => ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(t.id)
  if (!num(types[0]) || !num(types[1])) return undefined
  return agg<RegrState>(name, [FLOAT8, FLOAT8], name === 'regr_count' ? INT8 : FLOAT8, {
    init: () => ({ n: 0, mx: 0, my: 0, sxx: 0, syy: 0, sxy: 0 }),
    step: (s, a) => {
      const y = a[0] as number
      const x = a[1] as number
      s.n++
      const dx = x - s.mx
      const dy = y - s.my
      s.mx += dx / s.n
      s.my += dy / s.n
      s.sxx += dx * (x - s.mx)
      s.syy += dy * (y - s.my)
      s.sxy += dx * (y - s.my)
      return s
    },
    final: (s) => {
      const n = s.n
      switch (name) {
        case 'regr_count':
          return BigInt(n)
        case 'covar_pop':
          return n === 0 ? null : s.sxy / n
        case 'covar_samp':
          return n < 2 ? null : s.sxy / (n - 1)
        case 'corr':
          return n === 0 || s.sxx === 0 || s.syy === 0 ? null : s.sxy / Math.sqrt(s.sxx * s.syy)
        case 'regr_slope':
          return n === 0 || s.sxx === 0 ? null : s.sxy / s.sxx
        case 'regr_intercept':
          return n === 0 || s.sxx === 0 ? null : s.my - (s.sxy / s.sxx) * s.mx
        case 'regr_r2':
          if (n === 0 || s.sxx === 0) return null
          return s.syy === 0 ? 1 : (s.sxy * s.sxy) / (s.sxx * s.syy)
        case 'regr_avgx':
          return n === 0 ? null : s.mx
        case 'regr_avgy':
          return n === 0 ? null : s.my
      }
      return null
    },
  })
}
