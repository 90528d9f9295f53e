/**
 * Interval: the value of SQL `interval` (PostgreSQL's three-field representation).
 * Owns: the Interval shape, its comparison key, arithmetic helpers.
 * Invariants:
 *   (1) Immutable: months, days and micros are integers (numbers; micros within ±2^53).
 *   (2) Comparison and equality use the total span with 30-day months and 24-hour days, as PostgreSQL's
 *       interval_cmp does: '1 mon' = '30 days', '1 day' = '24:00:00'. span() is that total in microseconds.
 * Not here: text input/output (datetime.ts).
 */

export const MICROS_PER_SECOND = 1_000_000
export const MICROS_PER_MINUTE = 60_000_000
export const MICROS_PER_HOUR = 3_600_000_000
export const MICROS_PER_DAY = 86_400_000_000

export class Interval {
  readonly months: number
  readonly days: number
  readonly micros: number

  static readonly ZERO = new Interval(0, 0, 0)

  constructor(months: number, days: number, micros: number) {
    this.months = months
    this.days = days
    this.micros = micros
  }

  /** Total span in microseconds with 30-day months (invariant (2)); a bigint so it is exact. */
  span(): bigint {
    return BigInt(this.months * 30 + this.days) * 86_400_000_000n + BigInt(this.micros)
  }

  compare(other: Interval): number {
    const a = (this.months * 30 + this.days) * MICROS_PER_DAY + this.micros
    const b = (other.months * 30 + other.days) * MICROS_PER_DAY + other.micros
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a < b ? -1 : a > b ? 1 : 0
    const x = this.span()
    const y = other.span()
    return x < y ? -1 : x > y ? 1 : 0
  }

  add(other: Interval): Interval {
    return new Interval(this.months + other.months, this.days + other.days, this.micros + other.micros)
  }

  sub(other: Interval): Interval {
    return new Interval(this.months - other.months, this.days - other.days, this.micros - other.micros)
  }

  neg(): Interval {
    return new Interval(-this.months || 0, -this.days || 0, -this.micros || 0)
  }

  /** Multiplied by a factor, fractions cascading down as PostgreSQL's interval_mul does. */
  mul(factor: number): Interval {
    const m = this.months * factor
    const months = Math.trunc(m)
    const d = this.days * factor + (m - months) * 30
    const days = Math.trunc(d)
    const micros = Math.round(this.micros * factor + (d - days) * MICROS_PER_DAY)
    return new Interval(months || 0, days || 0, micros || 0)
  }

  /** Total seconds (extract(epoch from interval)): 365.25-day years, 30-day months. */
  epochSeconds(): number {
    const years = Math.trunc(this.months / 12)
    const months = this.months % 12
    return years * 365.25 * 86400 + months * 30 * 86400 + this.days * 86400 + this.micros / 1e6
  }
}
