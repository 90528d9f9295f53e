/**
 * The SQL benchmark's data set: tables t (n rows) and u (n / 10 rows) from fixed seeds, and the answers every
 * analytical query must return, computed in plain JS from the same numbers.
 * Invariants:
 *   (1) The same n gives the same rows in every process and for every engine (mulberry32, fixed seeds).
 *   (2) t.id is 0..n-1; every t.k matches exactly one u.k, so the join returns n rows.
 *   (3) `expected` is computed here, not by any engine: each engine's answer is checked against it.
 * Not here: the SQL text and the timing (workloads.ts).
 */

/** mulberry32: a seeded stream of 32-bit unsigned integers. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** Constants of the filtered scan: `WHERE a > FILTER_A AND c < FILTER_C` (about 56% of the rows). */
export const FILTER_A = 250_000
export const FILTER_C = 750_000

/** Column vectors of t(id, a, b, c, g, k) and u(k, w). */
export interface SqlDataset {
  readonly n: number
  readonly a: Int32Array
  readonly b: Int32Array
  readonly c: Int32Array
  readonly g: Int32Array
  readonly k: Int32Array
  readonly uk: Int32Array
  readonly uw: Int32Array
  /** Random ids for point selects and updates (seeded, with repeats). */
  readonly probeIds: Int32Array
  readonly expected: Expected
}

/** Answers in canonical text form (see `canonical` in engines.ts): one string per query. */
export interface Expected {
  readonly scan: string
  readonly groupBy: string
  readonly join: string
  readonly orderBy: string
  readonly sumB: number
}

/** Row i of t as parameters for `INSERT INTO t VALUES ($1..$6)`. */
export function tRow(d: SqlDataset, i: number): number[] {
  return [i, d.a[i], d.b[i], d.c[i], d.g[i], d.k[i]]
}

/** Builds the data set of n rows in t and max(1, n / 10) rows in u. */
export function makeSqlDataset(n: number): SqlDataset {
  const m = Math.max(1, Math.floor(n / 10))
  const next = mulberry32(2026)
  const a = new Int32Array(n)
  const b = new Int32Array(n)
  const c = new Int32Array(n)
  const g = new Int32Array(n)
  const k = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    a[i] = next() % 1_000_000
    b[i] = next() % 1000
    c[i] = next() % 1_000_000
    g[i] = next() % 1000
    k[i] = next() % m
  }
  const nextU = mulberry32(7)
  const uk = new Int32Array(m)
  const uw = new Int32Array(m)
  for (let i = 0; i < m; i++) uk[i] = i
  for (let i = m - 1; i > 0; i--) {
    const j = nextU() % (i + 1)
    const t = uk[i]
    uk[i] = uk[j]
    uk[j] = t
  }
  for (let i = 0; i < m; i++) uw[i] = nextU() % 1000
  const nextP = mulberry32(99)
  const probeIds = new Int32Array(Math.min(200_000, Math.max(n, 1)))
  for (let i = 0; i < probeIds.length; i++) probeIds[i] = nextP() % n
  return { n, a, b, c, g, k, uk, uw, probeIds, expected: answers(n, a, b, c, g, k, uk, uw) }
}

function answers(
  n: number,
  a: Int32Array,
  b: Int32Array,
  c: Int32Array,
  g: Int32Array,
  k: Int32Array,
  uk: Int32Array,
  uw: Int32Array,
): Expected {
  let scanCount = 0
  let scanSum = 0
  let sumB = 0
  const groupCount = new Float64Array(1000)
  const groupSum = new Float64Array(1000)
  for (let i = 0; i < n; i++) {
    sumB += b[i]
    if (a[i] > FILTER_A && c[i] < FILTER_C) {
      scanCount++
      scanSum += b[i]
    }
    groupCount[g[i]]++
    groupSum[g[i]] += b[i]
  }
  const groups: string[][] = []
  for (let x = 0; x < 1000; x++) if (groupCount[x] > 0) groups.push([String(x), String(groupCount[x]), String(groupSum[x])])
  const wOf = new Int32Array(uk.length)
  for (let i = 0; i < uk.length; i++) wOf[uk[i]] = uw[i]
  let joinSum = 0
  for (let i = 0; i < n; i++) joinSum += wOf[k[i]]
  const top = Array.from({ length: n }, (_, i) => i)
    .sort((x, y) => a[y] - a[x] || x - y)
    .slice(0, 10)
    .map((i) => [String(i), String(a[i])])
  return {
    scan: JSON.stringify([[String(scanCount), String(scanSum)]]),
    groupBy: JSON.stringify(groups),
    join: JSON.stringify([[String(n), String(joinSum)]]),
    orderBy: JSON.stringify(top),
    sumB,
  }
}
