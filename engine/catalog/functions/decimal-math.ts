/**
 * Arbitrary-precision ln / exp for numeric, so ln(numeric), exp(numeric), log(numeric) and numeric ^ numeric
 * (fractional exponent) print the same digits as PostgreSQL at PostgreSQL's result scales.
 * Owns: fixed-point (bigint scaled by 10^P) exp and ln.
 * Algorithms (as PostgreSQL's numeric.c, simplified):
 *   exp(x): x / 2^m with |x / 2^m| < 1/64, Taylor series, then m squarings.
 *   ln(x):  x = a * 10^k with 1 <= a < 10; a brought near 1 by repeated square roots (f of them);
 *           ln(a) = 2^(f+1) * atanh((a - 1) / (a + 1)) by its series; ln(x) = ln(a) + k * ln(10).
 * Invariants:
 *   (1) Results are computed with at least 12 guard digits beyond the requested scale and then rounded
 *       half away from zero, so the printed digits are correct except in pathological near-ties.
 */
import { Decimal, pow10 } from '../../common/index.js'

function abs(x: bigint): bigint {
  return x < 0n ? -x : x
}

/** Integer square root (floor) of n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = BigInt(Math.floor(Math.sqrt(Number(n))))
  if (x === 0n) x = 1n
  for (;;) {
    const y = (x + n / x) >> 1n
    if (abs(y - x) <= 1n) {
      let r = y < x ? y : x
      while (r * r > n) r--
      while ((r + 1n) * (r + 1n) <= n) r++
      return r
    }
    x = y
  }
}

/** A decimal as a fixed-point bigint at P digits (truncated). */
function toFixed(d: Decimal, p: number): bigint {
  return d.scale <= p ? d.unscaled * pow10(p - d.scale) : d.unscaled / pow10(d.scale - p)
}

/** exp of a fixed-point value (scale 10^P), as fixed-point at 10^P. */
function expFixed(x: bigint, p: number): bigint {
  const one = pow10(p)
  let m = 0
  const approx = Math.abs(Number(x / (one / 1000000n || 1n)) / 1e6)
  while (approx / 2 ** m > 1 / 64) m++
  const r = x / 2n ** BigInt(m)
  let sum = one
  let term = one
  for (let n = 1n; ; n++) {
    term = (term * r) / one / n
    if (term === 0n) break
    sum += term
  }
  for (let i = 0; i < m; i++) sum = (sum * sum) / one
  return sum
}

const lnTenCache = new Map<number, bigint>()

/** ln(a) for 1 <= a < 10 (fixed-point at 10^P). */
function lnSmall(a: bigint, p: number): bigint {
  const one = pow10(p)
  let f = 0
  const near = one / 100n
  while (abs(a - one) > near) {
    a = isqrt(a * one)
    f++
  }
  const z = ((a - one) * one) / (a + one)
  const z2 = (z * z) / one
  let sum = z
  let term = z
  for (let n = 3n; ; n += 2n) {
    term = (term * z2) / one
    const t = term / n
    if (t === 0n) break
    sum += t
  }
  return sum * 2n ** BigInt(f + 1)
}

function lnTen(p: number): bigint {
  let v = lnTenCache.get(p)
  if (v === undefined) {
    v = lnSmall(10n * pow10(p), p)
    lnTenCache.set(p, v)
  }
  return v
}

/** ln(d) for d > 0 as a Decimal at scale `p` (not rounded). */
function lnDecimal(d: Decimal, p: number): Decimal {
  const digits = d.unscaled.toString().length
  const k = digits - 1 - d.scale // d = a * 10^k, 1 <= a < 10
  const guard = 12 + String(Math.abs(k)).length
  const q = p + guard
  // a = unscaled / 10^(digits - 1), at fixed-point q
  const a = toFixed(Decimal.of(d.unscaled, digits - 1), q)
  const r = lnSmall(a, q) + BigInt(k) * lnTen(q)
  return Decimal.of(r / pow10(guard), p)
}

/** ln(d), d > 0 finite, rounded to `rscale`. */
export function decimalLn(d: Decimal, rscale: number): Decimal {
  return lnDecimal(d, rscale + 4).round(rscale)
}

/** exp(d), d finite, rounded to `rscale`. */
export function decimalExp(d: Decimal, rscale: number): Decimal {
  const v = d.toNumber()
  const weight = Math.max(0, Math.ceil(v * 0.4343)) // integer digits of the result
  const guard = 12 + weight + String(Math.ceil(Math.abs(v))).length
  const q = rscale + guard
  const r = expFixed(toFixed(d, q), q)
  return Decimal.of(r, q).round(rscale)
}

/** log_b(x) (both > 0, b != 1), rounded to `rscale`. */
export function decimalLog(b: Decimal, x: Decimal, rscale: number): Decimal {
  const p = rscale + 12 + Math.max(0, Math.ceil(Math.log10(Math.abs(Math.log(x.toNumber()) / Math.log(b.toNumber())) + 1)))
  const lx = lnDecimal(x, p)
  const lb = lnDecimal(b, p)
  return lx.divScale(lb, rscale)
}

/** a ^ b for a > 0 (fractional b), rounded to `rscale`. */
export function decimalPow(a: Decimal, b: Decimal, rscale: number): Decimal {
  const est = b.toNumber() * Math.log(a.toNumber())
  const weight = Math.max(0, Math.ceil(est * 0.4343))
  const bDigits = Math.max(0, Math.ceil(Math.log10(Math.abs(b.toNumber()) + 1)))
  const p = rscale + weight + bDigits + 12
  const l = lnDecimal(a, p)
  const prod = l.mul(b).round(p)
  return decimalExp(prod, rscale)
}
