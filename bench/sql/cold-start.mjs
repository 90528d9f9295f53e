// @ts-check
/**
 * Cold start, one sample: `node bench/sql/cold-start.mjs <engine> <rustydb-node-bundle>` in a fresh process.
 * Owns: import + open an in-memory database + the first query's result, timed from this script's first line.
 * Invariants:
 *   (1) Plain JavaScript run by plain `node` (no tsx loader): RustyDB is imported from its minified Node bundle
 *       (bundles.ts), the peers from their published packages, so no engine pays for a TypeScript transform.
 *   (2) Prints one JSON line: `ms` (script start to first result; closing is not timed) and `sinceProcessStart`
 *       (the same moment on Node's clock, which starts with the process: Node's own boot included).
 * Not here: repetitions and medians (index.ts).
 */
import { createRequire } from 'node:module'

const start = performance.now()
const [engine, rustyBundle] = process.argv.slice(2)
let answer
let ms = NaN
/** Marks the first result (the timed span ends here; closing the database is not timed). */
const first = (value) => {
  ms = performance.now() - start
  answer = value
}

if (engine === 'rustydb') {
  const { Database } = await import(rustyBundle)
  const db = await Database.open({ storage: 'memory' })
  first((await db.query('SELECT 1 + 1 AS x', [], { rowMode: 'array' })).rows[0][0])
  await db.close()
} else if (engine === 'sqljs') {
  const initSqlJs = (await import('sql.js')).default
  const SQL = await initSqlJs()
  const db = new SQL.Database()
  first(db.exec('SELECT 1 + 1 AS x')[0].values[0][0])
  db.close()
} else if (engine === 'pglite') {
  const { PGlite } = await import('@electric-sql/pglite')
  const pg = await PGlite.create({ relaxedDurability: true })
  first((await pg.query('SELECT 1 + 1 AS x', [], { rowMode: 'array' })).rows[0][0])
  await pg.close()
} else if (engine === 'duckdb') {
  const duck = await import('@duckdb/duckdb-wasm/blocking')
  const require = createRequire(import.meta.url)
  const dist = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm').replace(/duckdb-eh\.wasm$/, '')
  const bindings = await duck.createDuckDB(
    {
      mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
      eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` },
    },
    new duck.VoidLogger(),
    duck.NODE_RUNTIME,
  )
  await bindings.instantiate()
  bindings.open({})
  const conn = bindings.connect()
  first(conn.query('SELECT 1 + 1 AS x').toArray()[0].toArray()[0])
  conn.close()
} else {
  throw new Error(`unknown engine ${engine}`)
}
if (String(answer) !== '2') throw new Error(`${engine}: first query returned ${String(answer)}, expected 2`)
process.stdout.write(`${JSON.stringify({ ms, sinceProcessStart: performance.now() })}\n`)
