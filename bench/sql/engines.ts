/**
 * The four engines of the SQL benchmark behind one small interface: RustyDB, sql.js (SQLite), PGlite
 * (PostgreSQL) and DuckDB-WASM, each in memory, each through its own natural fast path.
 * Owns: opening each engine, prepared statements, transactions, and turning result rows into canonical text.
 * Invariants:
 *   (1) Every engine gets the same SQL; only `$n` placeholders become `?` where the engine wants that.
 *   (2) Prepared statements are the engine's own: RustyDB `db.prepare`, sql.js `db.prepare` (bind/step/reset),
 *       DuckDB `conn.prepare`. PGlite has no client-side prepared statement: `pg.query(sql, params)` (the
 *       extended protocol, parse + bind + execute per call) is its documented fast path. PGlite is opened with
 *       `relaxedDurability: true` (it does not wait for its file system after each query; in memory nothing is
 *       lost), which made its autocommit point queries about 3x faster here.
 *   (3) Engines are imported only when opened, so a child process loads one engine and nothing else.
 * Not here: workloads and timing (workloads.ts), processes (index.ts).
 */
import { createRequire } from 'node:module'

/** A result row as canonical text: integers and bigints as decimal strings, NULL as null. */
export type Row = (string | null)[]

/** A prepared statement; `run` may return synchronously (sql.js, DuckDB), callers await only promises. */
export interface Prepared {
  run(params: readonly number[]): Row[] | Promise<Row[]>
  close(): void
}

/** One engine, open on an in-memory database. */
export interface SqlEngine {
  readonly name: string
  exec(sql: string): Promise<void>
  query(sql: string): Promise<Row[]>
  prepare(sql: string): Prepared
  /**
   * The engine's own bulk path for loading the analytical tables, when plain multi-row INSERTs are far from it
   * (DuckDB: a registered CSV file read by read_csv). Absent: multi-row INSERTs in one transaction.
   */
  bulkLoad?(table: string, columns: readonly string[], csv: string): Promise<void>
  /** BEGIN; fn; COMMIT (ROLLBACK when fn throws). */
  transaction(fn: () => Promise<void>): Promise<void>
  close(): Promise<void>
}

export const ENGINE_NAMES = ['rustydb', 'sqljs', 'pglite', 'duckdb'] as const
export type EngineName = (typeof ENGINE_NAMES)[number]
export const ENGINE_LABELS: Record<EngineName, string> = {
  rustydb: 'RustyDB',
  sqljs: 'sql.js',
  pglite: 'PGlite',
  duckdb: 'DuckDB-WASM',
}

/** Canonical text of one value (all benchmark results are integers or NULL). */
export function canonical(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint' || typeof value === 'number') return String(value)
  return String(value)
}

function questionMarks(sql: string): string {
  return sql.replace(/\$\d+/g, '?')
}

/** Opens `name` in memory. */
export async function openEngine(name: EngineName): Promise<SqlEngine> {
  switch (name) {
    case 'rustydb':
      return openRustyDb()
    case 'sqljs':
      return openSqlJs()
    case 'pglite':
      return openPglite()
    case 'duckdb':
      return openDuckDb()
  }
}

async function openRustyDb(): Promise<SqlEngine> {
  // The built package (dist/, `npm run build`), as applications run it; the specifier is computed so the
  // type-checker does not need dist/ to exist.
  const built = '../../dist/engine/node.js'
  const { Database } = (await import(built)) as typeof import('../../engine/node.js')
  const db = await Database.open({ storage: 'memory' })
  const rows = (r: { rows: unknown[] }): Row[] => (r.rows as unknown[][]).map((row) => row.map(canonical))
  return {
    name: 'rustydb',
    exec: (sql) => db.exec(sql),
    query: async (sql) => rows(await db.query(sql, [], { rowMode: 'array' })),
    prepare: (sql) => {
      const st = db.prepare(sql)
      return { run: async (params) => rows(await st.query(params, { rowMode: 'array' })), close: () => st.close() }
    },
    // BEGIN/COMMIT on the default session, where the prepared statements run: db.transaction() would run the
    // callback on a session of its own, and statements issued on db inside it would autocommit one by one.
    transaction: async (fn) => {
      await db.exec('BEGIN')
      try {
        await fn()
      } catch (e) {
        await db.exec('ROLLBACK')
        throw e
      }
      await db.exec('COMMIT')
    },
    close: () => db.close(),
  }
}

async function openSqlJs(): Promise<SqlEngine> {
  const initSqlJs = (await import('sql.js')).default
  const SQL = await initSqlJs()
  const db = new SQL.Database()
  const tx = async (fn: () => Promise<void>): Promise<void> => {
    db.exec('BEGIN')
    try {
      await fn()
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  }
  return {
    name: 'sqljs',
    exec: async (sql) => {
      db.exec(sql)
    },
    query: async (sql) => (db.exec(sql)[0]?.values ?? []).map((row) => row.map(canonical)),
    prepare: (sql) => {
      const st = db.prepare(questionMarks(sql))
      return {
        run: (params) => {
          st.bind(params as number[])
          const out: Row[] = []
          while (st.step()) out.push(st.get().map(canonical))
          st.reset()
          return out
        },
        close: () => st.free(),
      }
    },
    transaction: tx,
    close: async () => db.close(),
  }
}

async function openPglite(): Promise<SqlEngine> {
  const { PGlite } = await import('@electric-sql/pglite')
  const pg = await PGlite.create({ relaxedDurability: true })
  const query = async (sql: string, params: readonly number[] = []): Promise<Row[]> =>
    (await pg.query<unknown[]>(sql, params as number[], { rowMode: 'array' })).rows.map((row) => row.map(canonical))
  return {
    name: 'pglite',
    exec: async (sql) => {
      await pg.exec(sql)
    },
    query: (sql) => query(sql),
    prepare: (sql) => ({ run: (params) => query(sql, params), close: () => undefined }),
    // BEGIN/COMMIT as statements: pg.transaction() would hand out its own tx object, and pg.query inside it waits.
    transaction: async (fn) => {
      await pg.exec('BEGIN')
      try {
        await fn()
        await pg.exec('COMMIT')
      } catch (err) {
        await pg.exec('ROLLBACK')
        throw err
      }
    },
    close: () => pg.close(),
  }
}

/** Row arrays of an Apache Arrow table (DuckDB's result type), without importing apache-arrow's types. */
function arrowRows(table: { toArray(): { toArray(): unknown[] }[] }): Row[] {
  return table.toArray().map((row) => row.toArray().map(canonical))
}

async function openDuckDb(): Promise<SqlEngine> {
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
  const tx = async (fn: () => Promise<void>): Promise<void> => {
    conn.query('BEGIN TRANSACTION')
    try {
      await fn()
      conn.query('COMMIT')
    } catch (err) {
      conn.query('ROLLBACK')
      throw err
    }
  }
  return {
    name: 'duckdb',
    exec: async (sql) => {
      conn.query(sql)
    },
    query: async (sql) => arrowRows(conn.query(sql)),
    prepare: (sql) => {
      const st = conn.prepare(questionMarks(sql))
      return { run: (params) => arrowRows(st.query(...params)), close: () => st.close() }
    },
    bulkLoad: async (table, columns, csv) => {
      await bindings.registerFileText(`${table}.csv`, csv)
      const types = columns.map((c) => `'${c}': 'INTEGER'`).join(', ')
      conn.query(`INSERT INTO ${table} SELECT * FROM read_csv('${table}.csv', header = false, columns = {${types}})`)
      await bindings.dropFile(`${table}.csv`)
    },
    transaction: tx,
    close: async () => {
      conn.close()
      bindings.reset()
    },
  }
}
