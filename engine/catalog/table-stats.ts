/**
 * Table statistics: what the planner knows about a table's contents, and their stored form in `__stats`.
 * Owns: TableStats / ColumnStats, computing column statistics from a sample (ANALYZE), the reservoir
 * sampler, and the record format of the `__stats` tree.
 *
 * Two kinds of facts with two lifetimes:
 *   - the row count, maintained by every commit (each commit adds its inserted minus deleted rows of each
 *     table, txn-manager.ts), so a table that was never analyzed still has a current row count;
 *   - column statistics (null fraction, distinct count, min/max, most common values, equi-depth histogram),
 *     computed by ANALYZE from a sample and then left alone until the next ANALYZE.
 *
 * Stored form (tree `__stats`; keys are KeyEncoder tuples):
 *
 *   | key                 | value                                                                     |
 *   |---------------------|---------------------------------------------------------------------------|
 *   | (table id, 0)       | 8 bytes: row count (float64, big-endian)                                  |
 *   | (table id, 1)       | column statistics: UTF-8 JSON (see encodeAnalyzed), values in row-codec   |
 *
 *   Column statistics JSON: `{ analyzedRows, columns: [{ name, type, nullFraction, distinct, histogram: n,
 *   mostCommonFreqs: [f...], hasMinMax, values: hex }] }` where `values` is encodeRow([min, max, ...histogram,
 *   ...mostCommon]) with the column's type repeated (the catalog's row codec: every SqlType round-trips).
 *
 * Invariants:
 *   (1) Column statistics are matched to columns by name and type id (columnStats()): ALTER TABLE can rename,
 *       drop or retype columns, and stale statistics of a changed column are then simply not found.
 *   (2) `distinct` counts non-NULL values; `nullFraction` + sum(mostCommonFreqs) <= 1.
 *   (3) `histogram` is ascending (compareValues), holds up to HISTOGRAM_BOUNDS values with equal numbers of
 *       sampled non-NULL values between neighbours (equi-depth); empty for types without a useful order.
 * Not here: when statistics are gathered (engine/plan/ddl/analyze.ts), how the planner uses them
 * (engine/plan/binder/from-binder.ts), maintaining row counts (engine/txn).
 */
import { RustyError, SqlState, compareValues, hashKey } from '../common/index.js'
import type { SqlType, SqlValue } from '../common/types.js'
import { KeyEncoder } from '../storage/index.js'
import { decodeFullRow, encodeRow } from './row-codec.js'
import type { ColumnDef } from './schema.js'
import { deepFreeze } from './catalog-state.js'

/** The statistics tree's name. */
export const STATS_TREE = '__stats'

/** Most bounds an equi-depth histogram keeps (PostgreSQL's default_statistics_target is 100; we keep 32). */
export const HISTOGRAM_BOUNDS = 32

/** Most common values kept per column. */
export const MOST_COMMON_VALUES = 10

/** Rows ANALYZE samples from a larger table (reservoir sampling; the row count stays exact). */
export const SAMPLE_ROWS = 30_000

/** Statistics of one column, from ANALYZE. */
export interface ColumnStats {
  readonly name: string
  readonly type: SqlType
  /** Fraction of rows where the column is NULL. */
  readonly nullFraction: number
  /** Estimated number of distinct non-NULL values at ANALYZE time. */
  readonly distinct: number
  /** Smallest and largest non-NULL value (null when there is none or the type has no useful order). */
  readonly min: SqlValue
  readonly max: SqlValue
  /** Equi-depth histogram bounds, ascending (invariant 3). */
  readonly histogram: readonly SqlValue[]
  /** Most common non-NULL values and their fractions of all rows, most common first. */
  readonly mostCommon: readonly SqlValue[]
  readonly mostCommonFreqs: readonly number[]
}

/** What ANALYZE stored about a table. */
export interface AnalyzedStats {
  /** The table's exact row count when ANALYZE ran. */
  readonly analyzedRows: number
  readonly columns: readonly ColumnStats[]
}

/** What the planner sees of a table. */
export interface TableStats {
  /** Current row count (maintained by commits; exact after ANALYZE). */
  readonly rowCount: number
  /** Column statistics, or null when the table was never analyzed. */
  readonly analyzed: AnalyzedStats | null
}

/** The statistics of `column` in `stats` (invariant 1), or undefined. */
export function columnStats(stats: TableStats | undefined, column: ColumnDef): ColumnStats | undefined {
  const cols = stats?.analyzed?.columns
  if (cols === undefined) return undefined
  for (const c of cols) if (c.name === column.name && c.type.id === column.type.id) return c
  return undefined
}

/** Types whose order makes min/max and histograms meaningful. */
export function isOrderedType(type: SqlType): boolean {
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric':
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
    case 'uuid':
    case 'bytea':
    case 'bool':
      return true
    default:
      return false
  }
}

/**
 * A number that orders like `value` and spaces values roughly evenly, for interpolating inside a histogram
 * bucket; undefined for types where that means nothing (text, uuid, bytea, ...).
 */
export function statsScalar(value: SqlValue, type: SqlType): number | undefined {
  if (value === null) return undefined
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return Number.isFinite(value as number) ? (value as number) : undefined
    case 'int8':
      return Number(value as bigint)
    case 'numeric': {
      const n = (value as { toNumber(): number }).toNumber()
      return Number.isFinite(n) ? n : undefined
    }
    case 'interval':
      return Number((value as { span(): bigint }).span())
    default:
      return undefined
  }
}

/**
 * Column statistics from a sample of a column's values (NULLs included). `totalRows` is the table's exact
 * row count; when it is larger than the sample the distinct count is extrapolated with the Haas-Stokes
 * Duj1 estimator, as PostgreSQL's analyze.c does: n*d / (n - f1 + f1*n/N), where n is the sample size,
 * d the distinct values in the sample and f1 the values seen exactly once.
 */
export function computeColumnStats(name: string, type: SqlType, sample: readonly SqlValue[], totalRows: number): ColumnStats {
  const n = sample.length
  const values: SqlValue[] = []
  for (const v of sample) if (v !== null) values.push(v)
  const nonNull = values.length
  const nullFraction = n === 0 ? 0 : (n - nonNull) / n
  const counts = new Map<unknown, { value: SqlValue; count: number }>()
  for (const v of values) {
    const k = hashKey(v, type)
    const e = counts.get(k)
    if (e === undefined) counts.set(k, { value: v, count: 1 })
    else e.count++
  }
  const d = counts.size
  let distinct = d
  if (n < totalRows && nonNull > 0) {
    let f1 = 0
    for (const e of counts.values()) if (e.count === 1) f1++
    if (f1 === nonNull) {
      // Every sampled value was unique: assume a unique column.
      distinct = totalRows * (1 - nullFraction)
    } else {
      distinct = (nonNull * d) / (nonNull - f1 + (f1 * nonNull) / totalRows)
      distinct = Math.min(Math.max(distinct, d), totalRows * (1 - nullFraction))
    }
  }
  // Most common values: seen more than once and clearly above the average frequency (analyze.c's rule).
  const mostCommon: SqlValue[] = []
  const mostCommonFreqs: number[] = []
  if (d > 0 && n > 0) {
    const avg = nonNull / d
    const sorted = [...counts.values()].sort((a, b) => b.count - a.count)
    for (const e of sorted) {
      if (mostCommon.length >= MOST_COMMON_VALUES || e.count < 2 || (d > MOST_COMMON_VALUES && e.count <= avg * 1.25)) break
      mostCommon.push(e.value)
      mostCommonFreqs.push(e.count / n)
    }
  }
  let min: SqlValue = null
  let max: SqlValue = null
  const histogram: SqlValue[] = []
  if (isOrderedType(type) && nonNull > 0) {
    values.sort((a, b) => compareValues(a, b, type))
    min = values[0]
    max = values[nonNull - 1]
    const bounds = Math.min(HISTOGRAM_BOUNDS, nonNull)
    if (bounds >= 2) {
      for (let i = 0; i < bounds; i++) histogram.push(values[Math.round((i * (nonNull - 1)) / (bounds - 1))])
    }
  }
  return Object.freeze({
    name,
    type,
    nullFraction,
    distinct: Math.max(d === 0 ? 0 : 1, Math.round(distinct)),
    min,
    max,
    histogram: Object.freeze(histogram),
    mostCommon: Object.freeze(mostCommon),
    mostCommonFreqs: Object.freeze(mostCommonFreqs),
  })
}

/**
 * Reservoir sampling (Vitter's algorithm R) of up to `capacity` items with a seeded generator, so one
 * table's sample is the same on every run (deterministic plans and tests).
 */
export class Reservoir<T> {
  readonly items: T[] = []
  #seen = 0
  #state: number

  constructor(
    readonly capacity: number,
    seed = 1,
  ) {
    this.#state = seed >>> 0 || 1
  }

  /** Items offered so far. */
  get seen(): number {
    return this.#seen
  }

  /** Counts one more item and returns the slot to put() it in, or -1 when the sample skips it. */
  wants(): number {
    const i = this.#seen++
    if (i < this.capacity) return i
    const j = Math.floor(this.#random() * (i + 1))
    return j < this.capacity ? j : -1
  }

  /** Stores `item` at slot `at` (from wants()). */
  put(at: number, item: T): void {
    this.items[at] = item
  }

  /** xorshift32: fast and good enough for sampling. */
  #random(): number {
    let x = this.#state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#state = x >>> 0
    return this.#state / 4294967296
  }
}

// --- stored form ---------------------------------------------------------------------------------------------

const keyEncoder = new KeyEncoder(24)
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Key of a table's row count (part 0) or column statistics (part 1). */
export function statsKey(tableId: number, part: 0 | 1): Uint8Array {
  return keyEncoder.reset().int(tableId).int(part).finish()
}

/** Stored row count. */
export function encodeRowCount(rows: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, rows)
  return out
}

export function decodeRowCount(bytes: Uint8Array): number {
  if (bytes.length !== 8) throw new RustyError(SqlState.DATA_CORRUPTED, `row count record of ${STATS_TREE} has ${bytes.length} bytes`)
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0)
}

function hex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0')
  return s
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16)
  return out
}

interface StoredColumn {
  name: string
  type: SqlType
  nullFraction: number
  distinct: number
  histogram: number
  mostCommonFreqs: number[]
  hasMinMax: boolean
  values: string
}

/** Stored column statistics (see the header). */
export function encodeAnalyzed(stats: AnalyzedStats): Uint8Array {
  const columns: StoredColumn[] = stats.columns.map((c) => {
    const hasMinMax = c.min !== null
    const row: SqlValue[] = [...(hasMinMax ? [c.min, c.max] : []), ...c.histogram, ...c.mostCommon]
    return {
      name: c.name,
      type: c.type,
      nullFraction: c.nullFraction,
      distinct: c.distinct,
      histogram: c.histogram.length,
      mostCommonFreqs: [...c.mostCommonFreqs],
      hasMinMax,
      values: hex(encodeRow(row, row.map(() => c.type))),
    }
  })
  return encoder.encode(JSON.stringify({ analyzedRows: stats.analyzedRows, columns }))
}

export function decodeAnalyzed(bytes: Uint8Array): AnalyzedStats {
  let parsed: { analyzedRows: number; columns: StoredColumn[] }
  try {
    parsed = JSON.parse(decoder.decode(bytes)) as typeof parsed
  } catch (error) {
    throw new RustyError(SqlState.DATA_CORRUPTED, `column statistics record of ${STATS_TREE} is not valid JSON`, { cause: error })
  }
  const columns = parsed.columns.map((c) => {
    const extra = c.hasMinMax ? 2 : 0
    const count = extra + c.histogram + c.mostCommonFreqs.length
    const row = decodeFullRow(unhex(c.values), new Array<SqlType>(count).fill(c.type))
    return Object.freeze({
      name: c.name,
      type: deepFreeze(c.type),
      nullFraction: c.nullFraction,
      distinct: c.distinct,
      min: c.hasMinMax ? row[0] : null,
      max: c.hasMinMax ? row[1] : null,
      histogram: Object.freeze(row.slice(extra, extra + c.histogram)),
      mostCommon: Object.freeze(row.slice(extra + c.histogram)),
      mostCommonFreqs: Object.freeze(c.mostCommonFreqs),
    })
  })
  return Object.freeze({ analyzedRows: parsed.analyzedRows, columns: Object.freeze(columns) })
}
