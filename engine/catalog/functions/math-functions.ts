/**
 * Mathematical functions (PostgreSQL "Mathematical Functions and Operators").
 * Owns: abs, ceil/ceiling, floor, round, trunc, sign, sqrt, cbrt, power/pow, exp, ln, log, log10, mod, div,
 * pi, random, degrees, radians, trigonometry, gcd, lcm, scale, min_scale, trim_scale, width_bucket,
 * greatest/least, nullif.
 * Invariants:
 *   (1) float8 functions follow C's libm; round(float8) is rint (half to even), as in PostgreSQL.
 *   (2) numeric functions compute exactly (abs, ceil, floor, round, trunc, mod, div, sign, sqrt) or with
 *       arbitrary precision (ln, exp, log: decimal-math.ts) at PostgreSQL's result scales.
 */
import { Decimal, RustyError, compareValues, divisionByZero, numericOutOfRange, type SqlValue } from '../../common/index.js'
import { resolveCast, rint } from './casts.js'
import { commonType } from './common-type.js'
import { decimalExp, decimalLn, decimalLog } from './decimal-math.js'
import {
  FLOAT8,
  INT2,
  INT4,
  INT8,
  FLOAT4,
  NUMERIC,
  bare,
  checkI2,
  checkI4,
  checkI8,
  scalar,
} from './impl-util.js'
import { overloads, register, sig } from './registry.js'
import { comparisonType, numericPow } from './operators.js'

const NUM = (v: SqlValue): Decimal => v as Decimal
const F = (v: SqlValue): number => v as number

overloads('abs', [
  sig([INT2], INT2, (a) => checkI2(Math.abs(F(a)))),
  sig([INT4], INT4, (a) => checkI4(Math.abs(F(a)))),
  sig([INT8], INT8, (a) => checkI8((a as bigint) < 0n ? -(a as bigint) : (a as bigint))),
  sig([FLOAT4], FLOAT4, (a) => Math.abs(F(a))),
  sig([FLOAT8], FLOAT8, (a) => Math.abs(F(a))),
  sig([NUMERIC], NUMERIC, (a) => NUM(a).abs()),
])
overloads(['ceil', 'ceiling'], [sig([FLOAT8], FLOAT8, (a) => Math.ceil(F(a)) || (Object.is(F(a), -0) ? -0 : Math.ceil(F(a)))), sig([NUMERIC], NUMERIC, (a) => NUM(a).ceil())])
overloads('floor', [sig([FLOAT8], FLOAT8, (a) => Math.floor(F(a))), sig([NUMERIC], NUMERIC, (a) => NUM(a).floor())])
overloads('round', [
  sig([FLOAT8], FLOAT8, (a) => rint(F(a))),
  sig([NUMERIC], NUMERIC, (a) => NUM(a).round(0)),
  sig([NUMERIC, INT4], NUMERIC, (a, n) => NUM(a).round(clampScale(F(n)))),
])
overloads('trunc', [
  sig([FLOAT8], FLOAT8, (a) => Math.trunc(F(a))),
  sig([NUMERIC], NUMERIC, (a) => NUM(a).trunc(0)),
  sig([NUMERIC, INT4], NUMERIC, (a, n) => NUM(a).trunc(clampScale(F(n)))),
])
overloads('sign', [
  sig([FLOAT8], FLOAT8, (a) => (F(a) > 0 ? 1 : F(a) < 0 ? -1 : F(a) === 0 ? 0 : NaN)),
  sig([NUMERIC], NUMERIC, (a) => (NUM(a).isNaN ? Decimal.NaN : Decimal.fromInt(NUM(a).sign()))),
])

function clampScale(n: number): number {
  return n > 1000 ? 1000 : n < -1000 ? -1000 : n
}

function sqrtFloat(x: number): number {
  if (x < 0) throw new RustyError('2201F', 'cannot take square root of a negative number')
  return Math.sqrt(x)
}

/** NBASE weight of a decimal (PostgreSQL NumericVar.weight). */
function nbaseWeight(d: Decimal): number {
  if (!d.isFinite || d.unscaled === 0n) return 0
  const digits = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().length
  return Math.floor((digits - 1 - d.scale) / 4)
}

/** Integer square root of a non-negative bigint (floor). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = BigInt(Math.floor(Math.sqrt(Number(n))))
  // Newton steps to fix the double estimate.
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) {
      if (x * x > n) x--
      else if ((x + 1n) * (x + 1n) <= n) x++
      else return x
      continue
    }
    x = y
  }
}

/** Exact decimal square root rounded (half up) to `rscale` digits. */
export function decimalSqrt(d: Decimal, rscale: number): Decimal {
  if (d.isNaN) return d
  if (d.sign() < 0) throw new RustyError('2201F', 'cannot take square root of a negative number')
  if (!d.isFinite) return d
  // sqrt(u / 10^s) at scale r+1 = isqrt(u * 10^(2(r+1) - s)) / 10^(r+1)
  const r1 = rscale + 1
  const shift = 2 * r1 - d.scale
  const n = shift >= 0 ? d.unscaled * 10n ** BigInt(shift) : d.unscaled / 10n ** BigInt(-shift)
  const root = isqrt(n)
  return Decimal.of(root, r1).round(rscale)
}

function numericSqrt(d: Decimal): Decimal {
  const sweight = Math.trunc(((nbaseWeight(d) + 1) * 4) / 2) - 1
  let rscale = 16 - sweight
  if (rscale < d.scale) rscale = d.scale
  if (rscale < 0) rscale = 0
  if (rscale > 1000) rscale = 1000
  return decimalSqrt(d, rscale)
}

/** PostgreSQL's estimate_ln_dweight: the decimal weight of ln(x) (x > 0). */
function lnDweight(x: Decimal): number {
  const v = x.toNumber()
  if (v >= 0.9 && v <= 1.1) {
    const d = x.sub(Decimal.ONE)
    if (d.sign() === 0) return 0
    return Math.floor(Math.log10(Math.abs(d.toNumber())))
  }
  return Math.trunc(Math.log10(Math.abs(Math.log(v))))
}

/** ln(numeric) with PostgreSQL's result scale: 16 significant digits from the estimated weight. */
function numericLn(x: Decimal): Decimal {
  if (x.isNaN) return x
  lnCheck(x.toNumber())
  if (!x.isFinite) return x
  return decimalLn(x, clampScale0(Math.max(16 - lnDweight(x), x.scale)))
}

/** log(base, x) with PostgreSQL's numeric_log scale. */
function numericLog(base: Decimal, x: Decimal): Decimal {
  const b = lnCheck(base.toNumber())
  lnCheck(x.toNumber())
  if (b === 1) throw divisionByZero()
  const rscale = Math.max(16 - (lnDweight(x) - lnDweight(base)), base.scale, x.scale)
  return decimalLog(base, x, clampScale0(rscale))
}

/** exp(numeric) with PostgreSQL's scale (16 - the decimal weight of the result). */
function numericExp(x: Decimal): Decimal {
  if (!x.isFinite) return x.isNaN ? x : x.sign() < 0 ? Decimal.ZERO : x
  const v = x.toNumber()
  const weight = Math.trunc(Math.max(Math.min(v * 0.434294481903252, 2000), -2000))
  if (v > 6000) throw numericOutOfRange('value overflows numeric format')
  return decimalExp(x, clampScale0(Math.max(16 - weight, x.scale)))
}

const TEN = Decimal.fromInt(10)

function clampScale0(n: number): number {
  return n < 0 ? 0 : n > 1000 ? 1000 : n
}

function lnCheck(x: number): number {
  if (x === 0) throw new RustyError('2201E', 'cannot take logarithm of zero')
  if (x < 0) throw new RustyError('2201E', 'cannot take logarithm of a negative number')
  return x
}

overloads('sqrt', [sig([FLOAT8], FLOAT8, (a) => sqrtFloat(F(a))), sig([NUMERIC], NUMERIC, (a) => numericSqrt(NUM(a)))])
overloads('cbrt', [sig([FLOAT8], FLOAT8, (a) => Math.cbrt(F(a)))])
overloads(['power', 'pow'], [
  sig([FLOAT8, FLOAT8], FLOAT8, (a, b) => {
    const x = F(a)
    const y = F(b)
    if (x === 0 && y < 0) throw new RustyError('2201F', 'zero raised to a negative power is undefined')
    if (x < 0 && !Number.isInteger(y)) throw new RustyError('2201F', 'a negative number raised to a non-integer power yields a complex result')
    if (x === 1 || y === 0) return 1
    return Math.pow(x, y)
  }),
  sig([NUMERIC, NUMERIC], NUMERIC, (a, b) => numericPow(NUM(a), NUM(b))),
])

overloads('exp', [
  sig([FLOAT8], FLOAT8, (a) => {
    const r = Math.exp(F(a))
    if (!Number.isFinite(r) && Number.isFinite(F(a))) throw numericOutOfRange('value out of range: overflow')
    return r
  }),
  sig([NUMERIC], NUMERIC, (a) => numericExp(NUM(a))),
])
overloads('ln', [
  sig([FLOAT8], FLOAT8, (a) => Math.log(lnCheck(F(a)))),
  sig([NUMERIC], NUMERIC, (a) => numericLn(NUM(a))),
])
overloads('log', [
  sig([FLOAT8], FLOAT8, (a) => Math.log10(lnCheck(F(a)))),
  sig([NUMERIC], NUMERIC, (a) => numericLog(TEN, NUM(a))),
  sig([NUMERIC, NUMERIC], NUMERIC, (b, x) => numericLog(NUM(b), NUM(x))),
])
overloads('log10', [
  sig([FLOAT8], FLOAT8, (a) => Math.log10(lnCheck(F(a)))),
  sig([NUMERIC], NUMERIC, (a) => numericLog(TEN, NUM(a))),
])
overloads('mod', [
  sig([INT2, INT2], INT2, (a, b) => {
    if (b === 0) throw divisionByZero()
    return F(a) % F(b) || 0
  }),
  sig([INT4, INT4], INT4, (a, b) => {
    if (b === 0) throw divisionByZero()
    return F(a) % F(b) || 0
  }),
  sig([INT8, INT8], INT8, (a, b) => {
    if (b === 0n) throw divisionByZero()
    return b === -1n ? 0n : (a as bigint) % (b as bigint)
  }),
  sig([NUMERIC, NUMERIC], NUMERIC, (a, b) => NUM(a).mod(NUM(b))),
])
overloads('div', [sig([NUMERIC, NUMERIC], NUMERIC, (a, b) => NUM(a).divTrunc(NUM(b)))])
overloads('pi', [sig([], FLOAT8, () => Math.PI)])
overloads('random', [sig([], FLOAT8, () => Math.random(), { volatile: true })])
overloads('degrees', [sig([FLOAT8], FLOAT8, (a) => (F(a) * 180) / Math.PI)])
overloads('radians', [sig([FLOAT8], FLOAT8, (a) => (F(a) * Math.PI) / 180)])
for (const [name, f] of [
  ['sin', Math.sin],
  ['cos', Math.cos],
  ['tan', Math.tan],
  ['asin', Math.asin],
  ['acos', Math.acos],
  ['atan', Math.atan],
  ['sinh', Math.sinh],
  ['cosh', Math.cosh],
  ['tanh', Math.tanh],
  ['asinh', Math.asinh],
  ['acosh', Math.acosh],
  ['atanh', Math.atanh],
] as const) {
  overloads(name, [
    sig([FLOAT8], FLOAT8, (a) => {
      const r = f(F(a))
      if (r !== r && F(a) === F(a)) throw new RustyError('22003', 'input is out of range')
      return r
    }),
  ])
}
overloads('cot', [sig([FLOAT8], FLOAT8, (a) => 1 / Math.tan(F(a)))])
overloads('atan2', [sig([FLOAT8, FLOAT8], FLOAT8, (a, b) => Math.atan2(F(a), F(b)))])
for (const [name, f] of [
  ['sind', (x: number) => Math.sin((x * Math.PI) / 180)],
  ['cosd', (x: number) => Math.cos((x * Math.PI) / 180)],
  ['tand', (x: number) => Math.tan((x * Math.PI) / 180)],
] as const) {
  overloads(name, [sig([FLOAT8], FLOAT8, (a) => f(F(a)))])
}

function gcdBig(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a
  b = b < 0n ? -b : b
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}
overloads('gcd', [
  sig([INT4, INT4], INT4, (a, b) => checkI4(Number(gcdBig(BigInt(F(a)), BigInt(F(b)))))),
  sig([INT8, INT8], INT8, (a, b) => checkI8(gcdBig(a as bigint, b as bigint))),
])
overloads('lcm', [
  sig([INT4, INT4], INT4, (a, b) => {
    const x = BigInt(F(a))
    const y = BigInt(F(b))
    if (x === 0n || y === 0n) return 0
    const r = (x / gcdBig(x, y)) * y
    return checkI4(Number(r < 0n ? -r : r))
  }),
  sig([INT8, INT8], INT8, (a, b) => {
    const x = a as bigint
    const y = b as bigint
    if (x === 0n || y === 0n) return 0n
    const r = (x / gcdBig(x, y)) * y
    return checkI8(r < 0n ? -r : r)
  }),
])
overloads('scale', [sig([NUMERIC], INT4, (a) => NUM(a).scale)])
overloads('min_scale', [sig([NUMERIC], INT4, (a) => NUM(a).normalize().scale)])
overloads('trim_scale', [sig([NUMERIC], NUMERIC, (a) => NUM(a).normalize())])
overloads('factorial', [
  sig([INT8], NUMERIC, (a) => {
    const n = a as bigint
    if (n < 0n) throw new RustyError('2201F', 'factorial of a negative number is undefined')
    let r = 1n
    for (let i = 2n; i <= n; i++) r *= i
    return Decimal.fromInt(r)
  }),
])
overloads('width_bucket', [
  sig([FLOAT8, FLOAT8, FLOAT8, INT4], INT4, (x, lo, hi, n) => {
    const v = F(x)
    const a = F(lo)
    const b = F(hi)
    const c = F(n)
    if (c <= 0) throw new RustyError('2201G', 'count must be greater than zero')
    if (a === b) throw new RustyError('2201G', 'lower bound cannot equal upper bound')
    if (a < b) {
      if (v < a) return 0
      if (v >= b) return c + 1
      return Math.floor(((v - a) / (b - a)) * c) + 1
    }
    if (v > a) return 0
    if (v <= b) return c + 1
    return Math.floor(((a - v) / (a - b)) * c) + 1
  }),
])

// greatest / least: the common type of the arguments; NULLs ignored; NULL only when all are NULL.
for (const [name, sign] of [
  ['greatest', 1],
  ['least', -1],
] as const) {
  register(name, (argTypes) => {
    if (argTypes.length === 0) return undefined
    const t = bare(commonType(argTypes, name.toUpperCase()))
    return scalar(
      name,
      argTypes.map(() => t),
      t,
      (...args) => {
        let best: SqlValue = null
        for (const v of args) {
          if (v === null) continue
          if (best === null || compareValues(v, best, t) * sign > 0) best = v
        }
        return best
      },
      { strict: false },
    )
  })
}

// nullif(a, b): NULL when a = b (resolved like the = operator), else a.
register('nullif', (argTypes) => {
  if (argTypes.length !== 2) return undefined
  const t = comparisonType(argTypes[0], argTypes[1])
  if (t === undefined) return undefined
  const ret = argTypes[0].id === 'unknown' ? t : bare(argTypes[0])
  const toRet = ret.id === t.id ? undefined : resolveCast(t, ret, 'assignment')
  return scalar(
    'nullif',
    [t, t],
    ret,
    (a, b) => {
      if (a === null) return null
      if (b !== null && compareValues(a, b, t) === 0) return null
      return toRet === undefined ? a : toRet(a)
    },
    { strict: false },
  )
})
