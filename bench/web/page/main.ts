/**
 * The throughput page's script: `window.webBench` (../throughput-api.ts) runs one engine per call, on this
 * page's main thread (rustydb/web, sql.js) or in a dedicated worker of its own (the RustyDB engine called
 * directly, engine-worker.ts), and times empty page <-> worker round trips.
 * Owns: opening rustydb/web and sql.js as an application does, starting the reference workers.
 * Invariants:
 *   (1) rustydb/web: every statement is one message to its worker and one reply, as an application's is.
 *       sql.js: SQLite in WASM, synchronous calls on the main thread, in memory only (it has no OPFS
 *       persistence), so its commits are not durable.
 *   (2) rustydb/web and the engine come from dist/ in the build (throughput.ts aliases `../../../web/index.js`
 *       and `../../../engine/index.js` to dist/), as an application gets them; the source paths are for the
 *       type-checker only. Each engine is imported only when a run opens it, so a page loads one engine.
 * Not here: the workloads and their checks (workloads.ts).
 */
import { wrap } from 'comlink'
import { SQL } from '../../sql/workloads.js'
import { DURABLE_ENGINES, type PageEngine, type RoundTrips, type ThroughputResult, type ThroughputSpec, type WebBenchApi } from '../throughput-api.js'
import type { EchoApi } from './comlink-echo-worker.js'
import { runWorkloads, rustyDbRunner, type Runner } from './workloads.js'

async function openRustyDbWeb(name: string, storage: 'opfs' | 'memory'): Promise<Runner> {
  const { openDatabase } = await import('../../../web/index.js')
  const db = await openDatabase({ name, storage })
  return rustyDbRunner(db, db.storage)
}

async function openSqlJs(): Promise<Runner> {
  const initSqlJs = (await import('sql.js')).default
  // throughput.ts copies the wasm next to the page; the application passes its URL.
  const SQL = await initSqlJs({ locateFile: (file) => new URL(file, location.href).href })
  const db = new SQL.Database()
  const questionMarks = (sql: string): string => sql.replace(/\$\d+/g, '?')
  return {
    storage: 'memory',
    exec: async (sql) => {
      db.exec(sql)
    },
    firstRow: async (sql) => (db.exec(sql)[0]?.values[0] ?? []).map(String),
    autocommit: (sql) => {
      const st = db.prepare(questionMarks(sql))
      return (params) => st.run(params as number[])
    },
    begin: async (sql) => {
      db.exec('BEGIN')
      const st = db.prepare(questionMarks(sql))
      return {
        run: (params) => st.run(params as number[]),
        // sql.js runs in this thread: a batch is the same loop, with no message to save.
        runBatch: (paramSets) => {
          for (const params of paramSets) st.run(params as number[])
        },
        commit: async () => {
          st.free()
          db.exec('COMMIT')
        },
      }
    },
    close: async () => db.close(),
  }
}

/** The RustyDB engine in a dedicated worker of this page: the worker runs the workloads itself. */
function runInWorker(spec: ThroughputSpec): Promise<ThroughputResult> {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'rustydb-bench-engine' })
  return new Promise<ThroughputResult>((resolve) => {
    worker.addEventListener('message', (event: MessageEvent<ThroughputResult>) => resolve(event.data))
    worker.addEventListener('error', (event) => {
      event.preventDefault()
      resolve({ engine: spec.engine, storage: '', openMs: NaN, error: `engine worker failed: ${event.message || 'its script did not load'}` })
    })
    worker.postMessage(spec)
  }).finally(() => worker.terminate())
}

function run(spec: ThroughputSpec): Promise<ThroughputResult> {
  const durable = DURABLE_ENGINES.includes(spec.engine)
  const engine: PageEngine = spec.engine
  switch (engine) {
    case 'rustydb-opfs':
      return runWorkloads(spec, () => openRustyDbWeb(spec.database, 'opfs'), durable)
    case 'rustydb-memory':
      return runWorkloads(spec, () => openRustyDbWeb(spec.database, 'memory'), durable)
    case 'sqljs':
      return runWorkloads(spec, openSqlJs, durable)
    case 'engine-opfs':
    case 'engine-memory':
      return runInWorker(spec)
  }
}

/** Rate of `count` awaited calls of `call`, after 200 untimed ones. */
async function rate(count: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await call()
  const start = performance.now()
  for (let i = 0; i < count; i++) await call()
  return count / ((performance.now() - start) / 1000)
}

async function roundTrips(count: number): Promise<RoundTrips> {
  const request = { op: 'run', sql: SQL.insertT, params: [1, 2, 3, 4, 5, 6] }
  const workers: Worker[] = []
  try {
    const echo = new Worker(new URL('./echo-worker.ts', import.meta.url), { type: 'module', name: 'rustydb-bench-echo' })
    workers.push(echo)
    const postMessage = await rate(
      count,
      () =>
        new Promise<void>((resolve) => {
          echo.onmessage = () => resolve()
          echo.postMessage(request)
        }),
    )
    const comlinkWorker = new Worker(new URL('./comlink-echo-worker.ts', import.meta.url), { type: 'module', name: 'rustydb-bench-comlink' })
    workers.push(comlinkWorker)
    const remote = wrap<EchoApi>(comlinkWorker)
    const comlink = await rate(count, () => remote.call(0, request))
    const { openDatabase } = await import('../../../web/index.js')
    const db = await openDatabase({ name: 'round-trips', storage: 'memory' })
    try {
      const st = db.prepare('SELECT 1')
      const rustydbSelect = await rate(count, () => st.query())
      return { postMessage, comlink, rustydbSelect }
    } finally {
      await db.close()
    }
  } catch (e) {
    return { postMessage: NaN, comlink: NaN, rustydbSelect: NaN, error: e instanceof Error ? e.message : String(e) }
  } finally {
    for (const w of workers) w.terminate()
  }
}

const api: WebBenchApi = { run, roundTrips }
;(window as unknown as { webBench: WebBenchApi }).webBench = api
