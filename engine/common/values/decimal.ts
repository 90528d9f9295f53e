/**
 * Decimal: the exact value of SQL `numeric` (PostgreSQL's NUMERIC semantics).
 * Owns: parsing, printing, arithmetic with PostgreSQL's result scales, rounding, comparison.
 * Representation: `unscaled * 10^-scale` with a bigint `unscaled` and an integer `scale >= 0` (the display
 * scale: 1.50 has unscaled 150, scale 2), or a special value NaN / +Infinity / -Infinity (PostgreSQL 14+).
 * Invariants:
 *   (1) Immutable; every operation returns a new Decimal (or one of the shared constants).
 *   (2) `scale` is PostgreSQL's dscale: it is kept as written (1.50 prints 1.50) and does not take part in
 *       equality: 1.5 = 1.50 (compare() is 0, key() is identical).
 *   (3) Rounding is half away from zero (PostgreSQL's round_var), also for division.
 *   (4) Order: -Infinity < finite values < +Infinity < NaN, and NaN = NaN (PostgreSQL's btree order).
 * Result scales (PostgreSQL numeric.c): add/sub max(s1, s2); mul s1 + s2; div select_div_scale (at least
 * 16 significant digits, at least both input scales); mod max(s1, s2).
 * Not here: sqrt, ln, exp, log and fractional powers (catalog/functions/math-functions.ts, decimal-math.ts).
 */
import { divisionByZero, invalidTextRepresentation, numericOutOfRange } from '../errors.js'

/** Special kinds: a finite value, NaN, +Infinity, -Infinity. */
const FINITE = 0
const NAN = 1
const POS_INF = 2
const NEG_INF = 3

const POW10: bigint[] = [1n]
/** 10^n as a bigint (cached). */
export function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n)
  return POW10[n]
}

/** NUMERIC_MAX_DISPLAY_SCALE */
const MAX_DISPLAY_SCALE = 1000
/** NUMERIC_MIN_SIG_DIGITS */
const MIN_SIG_DIGITS = 16

const NUMBER_RE = /^\s*([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?\s*$/

function bigAbs(x: bigint): bigint {
  return x < 0n ? -x : x
}

/** q = n / d rounded half away from zero (d != 0). */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d
  const r = n - q * d
  if (r === 0n) return q
  if (bigAbs(r) * 2n >= bigAbs(d)) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n
  return q
}

export class Decimal {
  /** The digits, as an integer: value = unscaled / 10^scale. 0n for special values. */
  readonly unscaled: bigint
  /** Digits after the decimal point (PostgreSQL's dscale), >= 0. */
  readonly scale: number
  /** 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity. */
  readonly special: number

  static readonly NaN = new Decimal(0n, 0, NAN)
  static readonly Infinity = new Decimal(0n, 0, POS_INF)
  static readonly NegativeInfinity = new Decimal(0n, 0, NEG_INF)
  static readonly ZERO = new Decimal(0n, 0, FINITE)
  static readonly ONE = new Decimal(1n, 0, FINITE)

  /** Prefer the static constructors; `scale` must be a non-negative integer. */
  constructor(unscaled: bigint, scale: number, special = FINITE) {
    this.unscaled = unscaled
    this.scale = scale
    this.special = special
  }

  /** An integer (number must be a safe integer). */
  static fromInt(value: number | bigint): Decimal {
    return new Decimal(typeof value === 'bigint' ? value : BigInt(value), 0)
  }

  /** unscaled * 10^-scale. */
  static of(unscaled: bigint, scale: number): Decimal {
    return new Decimal(unscaled, scale)
  }

  /**
   * A float converted as PostgreSQL does (float8_numeric: `%.15g`, float4_numeric: `%.6g`): at most
   * `digits` significant digits, trailing zeros dropped. NaN and ±Infinity map to the special values.
   */
  static fromFloat(value: number, digits = 15): Decimal {
    if (value !== value) return Decimal.NaN
    if (value === Infinity) return Decimal.Infinity
    if (value === -Infinity) return Decimal.NegativeInfinity
    if (value === 0) return Decimal.ZERO
    return Decimal.parse(value.toPrecision(digits)).normalize()
  }

  /** PostgreSQL numeric input: `[+-]digits[.digits][e[+-]n]`, NaN, [+-]Infinity/inf. 22P02 otherwise. */
  static parse(text: string): Decimal {
    const m = NUMBER_RE.exec(text)
    if (m === null) {
      const t = text.trim().toLowerCase()
      if (t === 'nan') return Decimal.NaN
      if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Decimal.Infinity
      if (t === '-infinity' || t === '-inf') return Decimal.NegativeInfinity
      throw invalidTextRepresentation('numeric', text)
    }
    const intPart = m[2] ?? ''
    const frac = m[3] ?? m[4] ?? ''
    const exp = m[5] === undefined ? 0 : Number(m[5])
    if (!Number.isFinite(exp) || Math.abs(exp) > 100000) throw invalidTextRepresentation('numeric', text)
    let unscaled = BigInt(intPart + frac || '0')
    let scale = frac.length - exp
    if (scale < 0) {
      unscaled *= pow10(-scale)
      scale = 0
    }
    if (m[1] === '-') unscaled = -unscaled
    return new Decimal(unscaled, scale)
  }

  get isNaN(): boolean {
    return this.special === NAN
  }

  get isFinite(): boolean {
    return this.special === FINITE
  }

  /** -1, 0 or 1 (NaN: 0 is not meaningful; PostgreSQL's sign(NaN) is NaN, callers check isNaN first). */
  sign(): number {
    if (this.special === POS_INF) return 1
    if (this.special === NEG_INF) return -1
    return this.unscaled < 0n ? -1 : this.unscaled > 0n ? 1 : 0
  }

  /** PostgreSQL text output: exact, with the display scale. */
  toString(): string {
    if (this.special !== FINITE) return this.special === NAN ? 'NaN' : this.special === POS_INF ? 'Infinity' : '-Infinity'
    const neg = this.unscaled < 0n
    let digits = (neg ? -this.unscaled : this.unscaled).toString()
    if (this.scale === 0) return neg ? '-' + digits : digits
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits
    const cut = digits.length - this.scale
    return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut)
  }

  /** The nearest double. */
  toNumber(): number {
    if (this.special !== FINITE) return this.special === NAN ? NaN : this.special === POS_INF ? Infinity : -Infinity
    if (this.scale === 0) return Number(this.unscaled)
    return Number(this.toString())
  }

  /** Same value with trailing fractional zeros removed (scale as small as possible, >= 0). */
  normalize(): Decimal {
    if (this.special !== FINITE || this.scale === 0) return this
    let u = this.unscaled
    let s = this.scale
    if (u === 0n) return Decimal.ZERO
    while (s > 0 && u % 10n === 0n) {
      u /= 10n
      s--
    }
    return s === this.scale ? this : new Decimal(u, s)
  }

  /**
   * A canonical string for hashing: equal values (compare() = 0) give the same key, whatever their scale.
   */
  key(): string {
    if (this.special !== FINITE) return this.toString()
    const n = this.normalize()
    return n.scale === 0 ? n.unscaled.toString() : `${n.unscaled}e-${n.scale}`
  }

  /** Unscaled digits at scale `s` (s >= this.scale). */
  #at(s: number): bigint {
    return s === this.scale ? this.unscaled : this.unscaled * pow10(s - this.scale)
  }

  /** Order per invariant (4): -1, 0, 1. */
  compare(other: Decimal): number {
    if (this.special !== FINITE || other.special !== FINITE) {
      const ra = specialRank(this)
      const rb = specialRank(other)
      return ra < rb ? -1 : ra > rb ? 1 : 0
    }
    if (this.scale === other.scale) return this.unscaled < other.unscaled ? -1 : this.unscaled > other.unscaled ? 1 : 0
    const s = this.scale > other.scale ? this.scale : other.scale
    const a = this.#at(s)
    const b = other.#at(s)
    return a < b ? -1 : a > b ? 1 : 0
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0
  }

  neg(): Decimal {
    if (this.special !== FINITE) return this.special === NAN ? this : this.special === POS_INF ? Decimal.NegativeInfinity : Decimal.Infinity
    return new Decimal(-this.unscaled, this.scale)
  }

  abs(): Decimal {
    if (this.special === NEG_INF) return Decimal.Infinity
    return this.unscaled < 0n ? new Decimal(-this.unscaled, this.scale) : this
  }

  add(other: Decimal): Decimal {
    if (this.special !== FINITE || other.special !== FINITE) return specialAdd(this, other)
    if (this.scale === other.scale) return new Decimal(this.unscaled + other.unscaled, this.scale)
    const s = this.scale > other.scale ? this.scale : other.scale
    return new Decimal(this.#at(s) + other.#at(s), s)
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg())
  }

  mul(other: Decimal): Decimal {
    if (this.special !== FINITE || other.special !== FINITE) {
      if (this.special === NAN || other.special === NAN) return Decimal.NaN
      const sa = this.sign()
      const sb = other.sign()
      if (sa === 0 || sb === 0) return Decimal.NaN
      return sa * sb > 0 ? Decimal.Infinity : Decimal.NegativeInfinity
    }
    return new Decimal(this.unscaled * other.unscaled, this.scale + other.scale)
  }

  /** Division with PostgreSQL's result scale (select_div_scale); 22012 for a zero divisor. */
  div(other: Decimal): Decimal {
    if (this.special !== FINITE || other.special !== FINITE) {
      if (this.special === NAN || other.special === NAN) return Decimal.NaN
      if (other.special === FINITE) {
        if (other.unscaled === 0n) throw divisionByZero()
        return this.sign() * other.sign() > 0 ? Decimal.Infinity : Decimal.NegativeInfinity
      }
      if (this.special !== FINITE) return Decimal.NaN
      return Decimal.ZERO
    }
    if (other.unscaled === 0n) throw divisionByZero()
    return this.divScale(other, selectDivScale(this, other))
  }

  /** this / other rounded (half away from zero) to `scale` digits; other must be finite and non-zero. */
  divScale(other: Decimal, scale: number): Decimal {
    // value = (a / 10^sa) / (b / 10^sb) = a * 10^(scale + sb - sa) / b / 10^scale
    const shift = scale + other.scale - this.scale
    const n = shift >= 0 ? this.unscaled * pow10(shift) : this.unscaled
    const d = shift >= 0 ? other.unscaled : other.unscaled * pow10(-shift)
    return new Decimal(divRound(n, d), scale)
  }

  /** Truncating integer division (PostgreSQL div(numeric, numeric)): scale 0. */
  divTrunc(other: Decimal): Decimal {
    if (this.special !== FINITE || other.special !== FINITE) {
      if (other.special === FINITE && other.unscaled === 0n && this.special !== NAN) throw divisionByZero()
      const q = this.div(other)
      return q.special === FINITE ? q.trunc(0) : q
    }
    if (other.unscaled === 0n) throw divisionByZero()
    const s = this.scale > other.scale ? this.scale : other.scale
    return new Decimal(this.#at(s) / other.#at(s), 0)
  }

  /** Remainder with the sign of the dividend, scale max(s1, s2); 22012 for a zero divisor. */
  mod(other: Decimal): Decimal {
    if (this.special !== FINITE || other.special !== FINITE) {
      if (this.special === NAN || other.special === NAN) return Decimal.NaN
      if (other.special === FINITE && other.unscaled === 0n) throw divisionByZero()
      if (this.special !== FINITE) return Decimal.NaN
      return this
    }
    if (other.unscaled === 0n) throw divisionByZero()
    const s = this.scale > other.scale ? this.scale : other.scale
    return new Decimal(this.#at(s) % other.#at(s), s)
  }

  /** Rounded half away from zero to `digits` after the point (negative: to tens, hundreds...). */
  round(digits: number): Decimal {
    if (this.special !== FINITE) return this
    if (digits >= this.scale) return digits === this.scale ? this : new Decimal(this.#at(digits), digits)
    const drop = this.scale - digits
    if (digits >= 0) return new Decimal(divRound(this.unscaled, pow10(drop)), digits)
    const r = divRound(this.unscaled, pow10(drop)) * pow10(-digits)
    return new Decimal(r, 0)
  }

  /** Truncated toward zero to `digits` after the point. */
  trunc(digits: number): Decimal {
    if (this.special !== FINITE) return this
    if (digits >= this.scale) return digits === this.scale ? this : new Decimal(this.#at(digits), digits)
    const drop = this.scale - digits
    if (digits >= 0) return new Decimal(this.unscaled / pow10(drop), digits)
    return new Decimal((this.unscaled / pow10(drop)) * pow10(-digits), 0)
  }

  /** Smallest integer >= this (scale 0). */
  ceil(): Decimal {
    if (this.special !== FINITE || this.scale === 0) return this.special !== FINITE ? this : this
    const p = pow10(this.scale)
    let q = this.unscaled / p
    if (this.unscaled > 0n && q * p !== this.unscaled) q += 1n
    return new Decimal(q, 0)
  }

  /** Largest integer <= this (scale 0). */
  floor(): Decimal {
    if (this.special !== FINITE || this.scale === 0) return this
    const p = pow10(this.scale)
    let q = this.unscaled / p
    if (this.unscaled < 0n && q * p !== this.unscaled) q -= 1n
    return new Decimal(q, 0)
  }

  /** Rounded (half away from zero) to an integer: for casts to int2/int4/int8. NaN/Infinity are 22003 by the caller. */
  toBigInt(): bigint {
    if (this.scale === 0) return this.unscaled
    return divRound(this.unscaled, pow10(this.scale))
  }

  /** Decimal digits before the point, ignoring sign (0 for |x| < 1). */
  integerDigits(): number {
    if (this.special !== FINITE) return 0
    const a = bigAbs(this.unscaled)
    const p = pow10(this.scale)
    if (a < p) return 0
    return (a / p).toString().length
  }

  /**
   * numeric(precision, scale) typmod: rounds to `scale`, then 22003 `numeric field overflow` when more than
   * precision - scale digits remain before the point (PostgreSQL's apply_typmod).
   */
  applyTypmod(precision: number, scale: number): Decimal {
    if (this.special !== FINITE) {
      if (this.special === NAN) return this
      throw numericOutOfRange(
        'numeric field overflow',
        `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      )
    }
    const r = this.round(scale)
    const maxDigits = precision - scale
    if (r.unscaled !== 0n && r.integerDigits() > maxDigits) {
      throw numericOutOfRange(
        'numeric field overflow',
        `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits > 0 ? `10^${maxDigits}` : '1'}.`,
      )
    }
    return r
  }

  /** Integer power with an integer exponent (exponent >= 0), exact. */
  powInt(exp: number): Decimal {
    if (exp === 0) return Decimal.ONE
    return new Decimal(this.unscaled ** BigInt(exp), this.scale * exp)
  }
}

function specialRank(d: Decimal): number {
  return d.special === FINITE ? 1 : d.special === NEG_INF ? 0 : d.special === POS_INF ? 2 : 3
}

function specialAdd(a: Decimal, b: Decimal): Decimal {
  if (a.special === NAN || b.special === NAN) return Decimal.NaN
  if (a.special === FINITE) return b
  if (b.special === FINITE) return a
  return a.special === b.special ? a : Decimal.NaN
}

/** NBASE (10^4) weight and first NBASE digit of a finite non-zero value, as PostgreSQL's NumericVar has them. */
function nbaseWeightAndFirst(d: Decimal): [number, number] {
  if (d.unscaled === 0n) return [0, 0]
  const s = bigAbs(d.unscaled).toString()
  const e = s.length - 1 - d.scale // decimal exponent of the leading digit
  const w = Math.floor(e / 4)
  const k = e - 4 * w + 1 // leading decimal digits in the first NBASE digit (1..4)
  const head = s.length >= k ? s.slice(0, k) : s + '0'.repeat(k - s.length)
  return [w, Number(head)]
}

/** PostgreSQL's select_div_scale: the result scale of numeric division. */
export function selectDivScale(a: Decimal, b: Decimal): number {
  const [w1, f1] = nbaseWeightAndFirst(a)
  const [w2, f2] = nbaseWeightAndFirst(b)
  let qweight = w1 - w2
  if (f1 <= f2) qweight--
  let rscale = MIN_SIG_DIGITS - qweight * 4
  if (rscale < a.scale) rscale = a.scale
  if (rscale < b.scale) rscale = b.scale
  if (rscale < 0) rscale = 0
  if (rscale > MAX_DISPLAY_SCALE) rscale = MAX_DISPLAY_SCALE
  return rscale
}
