/**
 * The web client test page's script: rustydb/web (web/index.ts) exposed to the e2e web suites as
 * `window.rustyWeb` (e2e/page/web-test-api.ts).
 * Not here: assertions (the suites make them in Node).
 */
import { RustyError, openDatabase, type WebDatabase, type WebSession } from '../../web/index.js'
import type { LiveReport, Outcome, RustyWebTestApi, WorkloadReport, WorkloadSpec } from './web-test-api.js'

const databases = new Map<number, WebDatabase>()
const workloads = new Map<number, { report: WorkloadReport; finished: Promise<void> }>()
const lives = new Map<number, { report: LiveReport; stop: () => void }>()
const sessions = new Map<number, WebSession>()
let nextId = 1

function dbOf(id: number): WebDatabase {
  const db = databases.get(id)
  if (db === undefined) throw new Error(`no database ${id} on this page`)
  return db
}

function errorData(e: unknown): Outcome<never> {
  const error = e instanceof RustyError ? e : new RustyError('XX000', `test page: ${e instanceof Error ? e.message : String(e)}`)
  return { ok: false, error: error.toJSON() }
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, result: await run() }
  } catch (e) {
    return errorData(e)
  }
}

function codeOf(e: unknown): { code: string; message: string } {
  return e instanceof RustyError ? { code: e.code, message: e.message } : { code: 'not-a-RustyError', message: String(e) }
}

async function runWorkload(db: WebDatabase, spec: WorkloadSpec, report: WorkloadReport): Promise<void> {
  const start = performance.now()
  const insert = `INSERT INTO ${spec.table} (tab, i, v) VALUES ($1, $2, $3)`
  if (spec.autocommit === true) {
    let next = spec.from
    const end = spec.from + spec.count
    const lane = async (): Promise<void> => {
      while (next < end) {
        const key = next++
        try {
          await db.query(insert, [spec.tab, key, `v${key}`])
          report.acknowledged.push(key)
        } catch (e) {
          report.failed.push({ key, ...codeOf(e) })
        }
      }
    }
    await Promise.all(Array.from({ length: spec.concurrency ?? 1 }, lane))
  } else {
    for (let first = spec.from; first < spec.from + spec.count; first += spec.batch) {
      const keys = Array.from({ length: Math.min(spec.batch, spec.from + spec.count - first) }, (_, k) => first + k)
      try {
        await db.transaction(async (tx) => {
          for (const key of keys) await tx.query(insert, [spec.tab, key, `v${key}`])
        })
        report.acknowledged.push(...keys)
      } catch (e) {
        for (const key of keys) report.failed.push({ key, ...codeOf(e) })
      }
    }
  }
  report.ms = performance.now() - start
  report.done = true
}

const api: RustyWebTestApi = {
  open: (options) =>
    outcome(async () => {
      const start = performance.now()
      const db = await openDatabase(options)
      const ms = performance.now() - start
      const id = nextId++
      databases.set(id, db)
      return { db: id, storage: db.storage, role: db.role, ms }
    }),
  query: (db, sql, params = [], rowMode) => outcome(() => dbOf(db).query(sql, params, { rowMode })),
  batch: (db, sql, paramSets, transaction) =>
    outcome(async () => {
      const results = transaction ? await dbOf(db).transaction((tx) => tx.batch(sql, paramSets)) : await dbOf(db).batch(sql, paramSets)
      return results.map((r) => r.rowCount)
    }),
  info: (db) => ({ role: dbOf(db).role, storage: dbOf(db).storage }),
  startWorkload(db, spec) {
    const id = nextId++
    const report: WorkloadReport = { acknowledged: [], failed: [], done: false, ms: 0 }
    workloads.set(id, { report, finished: runWorkload(dbOf(db), spec, report) })
    return id
  },
  workload: (id) => structuredClone(workloads.get(id)!.report),
  async awaitWorkload(id) {
    await workloads.get(id)!.finished
    return structuredClone(workloads.get(id)!.report)
  },
  live(db, sql, params = []) {
    const id = nextId++
    const report: LiveReport = { calls: 0, last: undefined, errors: [] }
    const stop = dbOf(db).live(
      sql,
      params,
      (result) => {
        report.calls++
        report.last = result
      },
      { onError: (e) => report.errors.push(`${e.code}: ${e.message}`) },
    )
    lives.set(id, { report, stop })
    return id
  },
  liveReport: (id) => structuredClone(lives.get(id)!.report),
  stopLive: (id) => lives.get(id)!.stop(),
  openTransaction: (db, table, tab, key) =>
    outcome(async () => {
      const s = dbOf(db).session()
      await s.exec('BEGIN')
      await s.query(`INSERT INTO ${table} (tab, i, v) VALUES ($1, $2, $3)`, [tab, key, `v${key}`])
      if (s.status !== 'in-transaction') throw new Error(`session status after BEGIN is ${s.status}`)
      const id = nextId++
      sessions.set(id, s)
      return id
    }),
  sessionQuery: (session, sql) => outcome(() => sessions.get(session)!.query(sql)),
  terminate: (db) => dbOf(db)._terminate(),
  close: (db) =>
    outcome(async () => {
      await dbOf(db).close()
      databases.delete(db)
      return null
    }),
  ready: true,
}

window.rustyWeb = api
