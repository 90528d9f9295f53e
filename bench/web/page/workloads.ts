/**
 * The browser throughput workloads, over any engine behind a Runner: single-row commits and a bulk insert,
 * each checked afterwards. Runs on the page's main thread (rustydb/web, sql.js) or inside a worker (the
 * RustyDB engine called directly, engine-worker.ts); nothing here touches the DOM.
 * Invariants:
 *   (1) The timed part holds only the workload's statements, each awaited before the next is sent (no
 *       pipelining, no group commit across rows).
 *   (2) Single-row commits: `INSERT INTO t VALUES ($1, $2)` prepared, in autocommit, one row per commit, for
 *       `maxCommits` or `commitBudgetMs`, whichever ends first. On OPFS a commit returns once its WAL frames
 *       are flushed (the sync access handle's flush()); in memory nothing is durable.
 *   (3) Bulk insert: the Node SQL bench's prepared insert (bench/sql/workloads.ts, `insert`): the rows of t
 *       from makeSqlDataset, SQL.insertT prepared, all in one transaction, for `bulkRows` or `bulkBudgetMs`
 *       (then committed); the timed part ends when COMMIT has returned.
 *   (4) Every workload is checked: count(*) and the sum of a column against what was inserted. A durable
 *       engine is closed and opened again, and both checks run again on what it reads back from the file.
 *   (5) No call throws: a failure is the result's `error` (throughput-api.ts (2)).
 * Not here: opening the engines (main.ts, engine-worker.ts).
 */
import { SQL } from '../../sql/workloads.js'
import { makeSqlDataset, tRow, type SqlDataset } from '../../sql/dataset.js'
import type { ThroughputResult, ThroughputSpec, WorkloadOutcome } from '../throughput-api.js'

/** Invariant (2). */
export const COMMIT_SQL = {
  create: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)',
  insert: 'INSERT INTO t VALUES ($1, $2)',
  check: 'SELECT count(*), CAST(sum(v) AS BIGINT) FROM t',
} as const
const BULK_CHECK = 'SELECT count(*), CAST(sum(b) AS BIGINT) FROM t_ins'
/** The batched bulk insert: the same rows into a table of the same shape, BATCH_ROWS parameter sets per call. */
const BATCH = {
  create: SQL.createTIns.replace('t_ins', 't_batch'),
  insert: SQL.insertT.replace('t_ins', 't_batch'),
  check: BULK_CHECK.replace('t_ins', 't_batch'),
} as const
const BATCH_ROWS = 1000

/** A statement run with parameters; sql.js answers synchronously, RustyDB with a promise. */
export type Run = (params: readonly number[]) => void | Promise<unknown>

/** One open engine, as the workloads use it. */
export interface Runner {
  /** Where the data lives ('opfs', 'memory'). */
  readonly storage: string
  exec(sql: string): Promise<void>
  /** The first row as text (integers as decimal strings). */
  firstRow(sql: string): Promise<string[]>
  /** A prepared statement in autocommit: one commit per call. */
  autocommit(sql: string): Run
  /** BEGIN, then a prepared statement inside that transaction (one call per row, or per batch of rows), and its COMMIT. */
  begin(sql: string): Promise<{ run: Run; runBatch(paramSets: readonly (readonly number[])[]): void | Promise<unknown>; commit(): Promise<void> }>
  close(): Promise<void>
}

/** The part of RustyDB's API the workloads use: Database (engine/) and WebDatabase (web/) both have it. */
export interface RustyDbApi {
  exec(sql: string): Promise<void>
  query<R>(sql: string, params: readonly unknown[], options: { rowMode: 'array' }): Promise<{ rows: R[] }>
  prepare(sql: string): { exec(params: readonly unknown[]): Promise<void> }
  session(): {
    exec(sql: string): Promise<void>
    prepare(sql: string): { exec(params: readonly unknown[]): Promise<void>; batch(paramSets: readonly (readonly unknown[])[]): Promise<unknown> }
    close(): Promise<void>
  }
  close(): Promise<void>
}

/**
 * A Runner over RustyDB's API. The bulk insert prepares its statement on a session of its own after BEGIN;
 * db.transaction(fn) would do the same but hands out no prepare().
 */
export function rustyDbRunner(db: RustyDbApi, storage: string): Runner {
  return {
    storage,
    exec: (sql) => db.exec(sql),
    firstRow: async (sql) => (await db.query<unknown[]>(sql, [], { rowMode: 'array' })).rows[0].map(String),
    autocommit: (sql) => {
      const st = db.prepare(sql)
      return (params) => st.exec(params)
    },
    begin: async (sql) => {
      const session = db.session()
      await session.exec('BEGIN')
      const st = session.prepare(sql)
      return {
        run: (params) => st.exec(params),
        runBatch: (paramSets) => st.batch(paramSets),
        commit: async () => {
          await session.exec('COMMIT')
          await session.close()
        },
      }
    },
    close: () => db.close(),
  }
}

function outcome(done: number, ms: number, partial: boolean): WorkloadOutcome {
  return { done, ms, rate: done / (ms / 1000), partial }
}

function compare(what: string, got: string[], expected: string[]): string | undefined {
  return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`
}

/** Invariant (2); returns the outcome and the row COMMIT_SQL.check must return. */
async function singleRowCommits(r: Runner, spec: ThroughputSpec): Promise<{ outcome: WorkloadOutcome; expected: string[] }> {
  await r.exec(COMMIT_SQL.create)
  const insert = r.autocommit(COMMIT_SQL.insert)
  let done = 0
  let sum = 0
  const start = performance.now()
  const deadline = start + spec.commitBudgetMs
  while (done < spec.maxCommits) {
    const v = (done * 7919) % 1000
    const pending = insert([done, v])
    if (pending instanceof Promise) await pending
    sum += v
    done++
    if ((done & 15) === 0 && performance.now() > deadline) break
  }
  const ms = performance.now() - start
  // A time or a count by design: stopping at the budget is not a partial run.
  return { outcome: outcome(done, ms, false), expected: [String(done), String(sum)] }
}

/** Invariant (3); returns the outcome and the row BULK_CHECK must return. */
async function bulkInsert(r: Runner, spec: ThroughputSpec, d: SqlDataset): Promise<{ outcome: WorkloadOutcome; expected: string[] }> {
  await r.exec(SQL.createTIns)
  let done = 0
  let sum = 0
  const start = performance.now()
  const deadline = start + spec.bulkBudgetMs
  const tx = await r.begin(SQL.insertT)
  while (done < spec.bulkRows) {
    const pending = tx.run(tRow(d, done))
    if (pending instanceof Promise) await pending
    sum += d.b[done]
    done++
    if ((done & 255) === 0 && performance.now() > deadline) break
  }
  await tx.commit()
  const ms = performance.now() - start
  return { outcome: outcome(done, ms, done < spec.bulkRows), expected: [String(done), String(sum)] }
}

/** The bulk insert's rows sent BATCH_ROWS per call (RustyDB: one message to its worker per batch). */
async function batchedBulkInsert(r: Runner, spec: ThroughputSpec, d: SqlDataset): Promise<{ outcome: WorkloadOutcome; expected: string[] }> {
  await r.exec(BATCH.create)
  let done = 0
  let sum = 0
  const start = performance.now()
  const deadline = start + spec.bulkBudgetMs
  const tx = await r.begin(BATCH.insert)
  while (done < spec.bulkRows && performance.now() <= deadline) {
    const rows: number[][] = []
    for (let i = done; i < Math.min(spec.bulkRows, done + BATCH_ROWS); i++) {
      rows.push(tRow(d, i))
      sum += d.b[i]
    }
    const pending = tx.runBatch(rows)
    if (pending instanceof Promise) await pending
    done += rows.length
  }
  await tx.commit()
  const ms = performance.now() - start
  return { outcome: outcome(done, ms, done < spec.bulkRows), expected: [String(done), String(sum)] }
}

function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string }
  return `${err?.code ? `${err.code} ` : ''}${err?.message ?? String(e)}`
}

/**
 * Opens the engine with `open`, runs both workloads and their checks, and closes it (invariants 1-5).
 * `durable`: reopen and check again (invariant 4).
 */
export async function runWorkloads(spec: ThroughputSpec, open: () => Promise<Runner>, durable: boolean): Promise<ThroughputResult> {
  const d = makeSqlDataset(spec.bulkRows)
  let result: ThroughputResult = { engine: spec.engine, storage: '', openMs: NaN }
  let r: Runner | undefined
  try {
    const opened = performance.now()
    r = await open()
    result = { ...result, storage: r.storage, openMs: performance.now() - opened }
    const commits = await singleRowCommits(r, spec)
    result = { ...result, commits: { ...commits.outcome, mismatch: compare('count(*), sum(v) of t', await r.firstRow(COMMIT_SQL.check), commits.expected) } }
    const bulk = await bulkInsert(r, spec, d)
    result = { ...result, bulk: { ...bulk.outcome, mismatch: compare('count(*), sum(b) of t_ins', await r.firstRow(BULK_CHECK), bulk.expected) } }
    const batched = await batchedBulkInsert(r, spec, d)
    result = { ...result, batched: { ...batched.outcome, mismatch: compare('count(*), sum(b) of t_batch', await r.firstRow(BATCH.check), batched.expected) } }
    if (durable) {
      const storage = r.storage
      await r.close()
      r = undefined
      r = await open()
      const again = [
        compare('after reopening, count(*), sum(v) of t', await r.firstRow(COMMIT_SQL.check), commits.expected),
        compare('after reopening, count(*), sum(b) of t_ins', await r.firstRow(BULK_CHECK), bulk.expected),
        compare('after reopening, count(*), sum(b) of t_batch', await r.firstRow(BATCH.check), batched.expected),
        r.storage === storage ? undefined : `reopened on ${r.storage}, not ${storage}`,
      ].filter((m) => m !== undefined)
      result = { ...result, reopened: again.length === 0 }
      if (again.length > 0) result = { ...result, error: again.join('; ') }
    }
  } catch (e) {
    result = { ...result, error: errorText(e) }
  } finally {
    await r?.close().catch(() => undefined)
  }
  return result
}
