/**
 * The SQL workloads, run against one engine at one size (one child process; see index.ts).
 * Owns: the SQL text, the order of the workloads, time budgets, and checking every answer.
 * Invariants:
 *   (1) Every workload checks what it did: analytical answers against the JS reference (dataset.ts (3)),
 *       point selects against the generated values, row counts after inserts, sum(b) after the updates.
 *       A wrong answer is reported as a mismatch next to the figure, never dropped silently.
 *   (2) A workload that throws is reported with its error and the next one runs.
 *   (3) Per-row workloads (prepared insert, point select, point update) stop at their row/operation count or
 *       their time budget, whichever comes first; the rate counts only what was done, and a partial run says so.
 *   (4) Updates run last: the analytical answers are computed on the data as loaded.
 * Not here: engines (engines.ts), printing and ratios (index.ts).
 */
import { FILTER_A, FILTER_C, type SqlDataset, tRow } from './dataset.js'
import type { EngineName, Prepared, Row, SqlEngine } from './engines.js'
import { collectGarbage } from '../support/measure.js'

export const WORKLOADS = ['load', 'insert', 'select', 'update', 'scan', 'groupBy', 'join', 'orderBy'] as const
export type WorkloadId = (typeof WORKLOADS)[number]

/** One workload's outcome in one engine. */
export interface WorkloadResult {
  readonly id: WorkloadId
  /** Rates (per second) of the timed runs. */
  readonly rates: number[]
  /** Analytical queries: the rate of the first, untimed run (cold JIT and caches). */
  readonly first?: number
  readonly error?: string
  readonly mismatch?: string
  readonly note?: string
}

/** Prefix of the stdout line that carries a child's JSON `ChildResult` (child.ts (1)). */
export const RESULT_MARKER = '@@sql-bench-result '

/** What a child process reports for one engine at one size. */
export interface ChildResult {
  readonly engine: EngineName
  readonly n: number
  readonly openMs: number
  readonly results: WorkloadResult[]
  readonly error?: string
}

/** The SQL, exactly as every engine runs it. */
export const SQL = {
  createT: 'CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, g INTEGER, k INTEGER)',
  createTIns: 'CREATE TABLE t_ins (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, g INTEGER, k INTEGER)',
  createU: 'CREATE TABLE u (k INTEGER, w INTEGER)',
  insertT: 'INSERT INTO t_ins VALUES ($1, $2, $3, $4, $5, $6)',
  pointSelect: 'SELECT b FROM t WHERE id = $1',
  pointUpdate: 'UPDATE t SET b = b + 1 WHERE id = $1',
  scan: `SELECT count(*), CAST(sum(b) AS BIGINT) FROM t WHERE a > ${FILTER_A} AND c < ${FILTER_C}`,
  groupBy: 'SELECT g, count(*), CAST(sum(b) AS BIGINT) FROM t GROUP BY g ORDER BY g',
  join: 'SELECT count(*), CAST(sum(u.w) AS BIGINT) FROM t JOIN u ON t.k = u.k',
  orderBy: 'SELECT id, a FROM t ORDER BY a DESC, id LIMIT 10',
} as const

/** Budgets and counts; the 1,000,000-row tier runs the prepared insert once (index.ts prints this). */
export const LIMITS = {
  loadBatchRows: 1000,
  insertBudgetMs: 8_000,
  pointBudgetMs: 2_000,
  maxSelects: 50_000,
  maxUpdates: 10_000,
  /** Above this many rows: one prepared-insert run. */
  bigTier: 200_000,
  /** Analytical queries run untimed (answers checked) until this much time passed, at least once ... */
  warmupMs: 1_000,
  /** ... and at most this many times. */
  warmupMaxRuns: 20,
} as const

const now = (): number => performance.now()

async function maybeAwait<T>(value: T | Promise<T>): Promise<T> {
  return value instanceof Promise ? await value : value
}

function message(err: unknown): string {
  const e = err as { code?: string; message?: string }
  const text = `${e?.code ? `${e.code} ` : ''}${e?.message ?? String(err)}`
  return text.replace(/\s+/g, ' ').slice(0, 160)
}

async function guarded(id: WorkloadId, log: (line: string) => void, body: () => Promise<WorkloadResult>): Promise<WorkloadResult> {
  const start = now()
  try {
    const result = await body()
    log(`${id}: ${result.rates.map((r) => Math.round(r)).join(', ')}/s${result.mismatch ? ` MISMATCH ${result.mismatch}` : ''}${result.note ? ` (${result.note})` : ''} [${((now() - start) / 1000).toFixed(1)} s]`)
    return result
  } catch (err) {
    log(`${id}: ERROR ${message(err)}`)
    return { id, rates: [], error: message(err) }
  }
}

function valuesList(rows: number, first: number, row: (i: number) => number[]): string {
  const parts: string[] = []
  for (let i = first; i < first + rows; i++) parts.push(`(${row(i).join(',')})`)
  return parts.join(',')
}

function csvText(rows: number, row: (i: number) => number[]): string {
  const lines: string[] = []
  for (let i = 0; i < rows; i++) lines.push(row(i).join(','))
  return `${lines.join('\n')}\n`
}

/** Runs every workload on `engine` over `d`; `runs` timed repetitions each (see LIMITS for the big tier). */
export async function runWorkloads(engine: SqlEngine, d: SqlDataset, runs: number, log: (line: string) => void): Promise<WorkloadResult[]> {
  const n = d.n
  const big = n > LIMITS.bigTier
  const results: WorkloadResult[] = []

  // Load t and u: multi-row INSERTs in one transaction, or the engine's own bulk path (engines.ts); timed once.
  results.push(
    await guarded('load', log, async () => {
      await engine.exec(SQL.createT)
      await engine.exec(SQL.createU)
      const start = now()
      const bulkLoad = engine.bulkLoad
      if (bulkLoad !== undefined) {
        await bulkLoad('t', ['id', 'a', 'b', 'c', 'g', 'k'], csvText(n, (j) => tRow(d, j)))
        await bulkLoad('u', ['k', 'w'], csvText(d.uk.length, (j) => [d.uk[j], d.uw[j]]))
      } else {
        await engine.transaction(async () => {
          for (let i = 0; i < n; i += LIMITS.loadBatchRows) {
            const rows = Math.min(LIMITS.loadBatchRows, n - i)
            await engine.exec(`INSERT INTO t VALUES ${valuesList(rows, i, (j) => tRow(d, j))}`)
          }
          for (let i = 0; i < d.uk.length; i += LIMITS.loadBatchRows) {
            const rows = Math.min(LIMITS.loadBatchRows, d.uk.length - i)
            await engine.exec(`INSERT INTO u VALUES ${valuesList(rows, i, (j) => [d.uk[j], d.uw[j]])}`)
          }
        })
      }
      const seconds = (now() - start) / 1000
      const count = await engine.query('SELECT count(*) FROM t')
      const mismatch = count[0]?.[0] === String(n) ? undefined : `t has ${count[0]?.[0]} rows, expected ${n}`
      try {
        await engine.exec('ANALYZE')
      } catch (err) {
        log(`ANALYZE failed (ignored): ${message(err)}`)
      }
      return { id: 'load', rates: [(n + d.uk.length) / seconds], mismatch }
    }),
  )

  // Prepared INSERT of t's rows into an empty t_ins, one transaction per run.
  results.push(
    await guarded('insert', log, async () => {
      const rates: number[] = []
      let partial = ''
      // Run -1 is the warm-up (untimed, LIMITS.warmupMs), as for every workload (README "Warm-up").
      for (let run = -1; run < (big ? 1 : runs); run++) {
        await engine.exec(SQL.createTIns)
        const st = engine.prepare(SQL.insertT)
        if (run < 0) collectGarbage()
        let done = 0
        const start = now()
        const deadline = start + (run < 0 ? LIMITS.warmupMs : LIMITS.insertBudgetMs)
        await engine.transaction(async () => {
          while (done < n) {
            await maybeAwait(st.run(tRow(d, done)))
            done++
            if ((done & 255) === 0 && now() > deadline) break
          }
        })
        if (run >= 0) rates.push(done / ((now() - start) / 1000))
        st.close()
        if (done < n && run >= 0) partial = `${done} of ${n} rows in the ${LIMITS.insertBudgetMs / 1000} s budget`
        const count = await engine.query('SELECT count(*) FROM t_ins')
        if (count[0]?.[0] !== String(done)) throw new Error(`t_ins has ${count[0]?.[0]} rows after ${done} inserts`)
        await engine.exec('DROP TABLE t_ins')
      }
      return { id: 'insert', rates, note: partial || undefined }
    }),
  )

  // Prepared point selects by primary key, random ids.
  results.push(
    await guarded('select', log, async () => {
      const st = engine.prepare(SQL.pointSelect)
      const rates: number[] = []
      let mismatch: string | undefined
      let done = 0
      for (let run = -1; run < runs; run++) {
        if (run < 0) collectGarbage()
        let ops = 0
        let sum = 0
        let expected = 0
        const start = now()
        const deadline = start + (run < 0 ? LIMITS.warmupMs : LIMITS.pointBudgetMs)
        while (ops < LIMITS.maxSelects) {
          const id = d.probeIds[(done + ops) % d.probeIds.length]
          const rows: Row[] = await maybeAwait(st.run([id]))
          sum += Number(rows[0]?.[0] ?? NaN)
          expected += d.b[id]
          ops++
          if ((ops & 63) === 0 && now() > deadline) break
        }
        if (run >= 0) rates.push(ops / ((now() - start) / 1000))
        done += ops
        if (sum !== expected) mismatch ??= `sum of selected b ${sum}, expected ${expected}`
      }
      st.close()
      return { id: 'select', rates, mismatch }
    }),
  )

  // Analytical queries: answers checked against the JS reference.
  const analytical: [WorkloadId, string, string][] = [
    ['scan', SQL.scan, d.expected.scan],
    ['groupBy', SQL.groupBy, d.expected.groupBy],
    ['join', SQL.join, d.expected.join],
    ['orderBy', SQL.orderBy, d.expected.orderBy],
  ]
  for (const [id, sql, expected] of analytical) {
    results.push(
      await guarded(id, log, async () => {
        let mismatch: string | undefined
        const check = (rows: Row[]): void => {
          const got = JSON.stringify(rows)
          if (got !== expected && mismatch === undefined) mismatch = `got ${got.slice(0, 120)}, expected ${expected.slice(0, 120)}`
        }
        // Warm-up, untimed, answers checked too: the same for every engine (JIT tiers, caches); the first run's
        // rate is kept as the cold figure.
        // One full GC before the warm-up, none before the timed runs: a forced GC shrinks V8's young generation,
        // and the run right after it pays for growing it back (a JS engine's artifact applications never see).
        collectGarbage()
        const warmStart = now()
        let first: number | undefined
        for (let run = 0; run < LIMITS.warmupMaxRuns && (run === 0 || now() - warmStart < LIMITS.warmupMs); run++) {
          const start = now()
          check(await engine.query(sql))
          first ??= n / ((now() - start) / 1000)
        }
        const rates: number[] = []
        for (let run = 0; run < runs; run++) {
          const start = now()
          const rows = await engine.query(sql)
          rates.push(n / ((now() - start) / 1000))
          check(rows)
        }
        return { id, rates, first, mismatch }
      }),
    )
  }

  // Autocommit point updates by primary key (prepared where the engine has it); sum(b) checked afterwards.
  results.push(
    await guarded('update', log, async () => {
      const st: Prepared = engine.prepare(SQL.pointUpdate)
      const rates: number[] = []
      let total = 0
      for (let run = -1; run < runs; run++) {
        if (run < 0) collectGarbage()
        let ops = 0
        const start = now()
        const deadline = start + (run < 0 ? LIMITS.warmupMs : LIMITS.pointBudgetMs)
        while (ops < LIMITS.maxUpdates) {
          await maybeAwait(st.run([d.probeIds[(total + ops) % d.probeIds.length]]))
          ops++
          if ((ops & 63) === 0 && now() > deadline) break
        }
        if (run >= 0) rates.push(ops / ((now() - start) / 1000))
        total += ops
      }
      st.close()
      const sum = (await engine.query('SELECT CAST(sum(b) AS BIGINT) FROM t'))[0]?.[0]
      const mismatch = sum === String(d.expected.sumB + total) ? undefined : `sum(b) ${sum} after ${total} updates, expected ${d.expected.sumB + total}`
      return { id: 'update', rates, mismatch }
    }),
  )
  return results
}
