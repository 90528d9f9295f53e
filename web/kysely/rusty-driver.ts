/**
 * RustyDriver: Kysely's Driver over RustyDB sessions.
 * Owns: connections (one RustyDB session each), transaction control statements, the mapping of RustyDB
 * results to Kysely's QueryResult, insertId, and streaming in chunks.
 * Invariants:
 *   (1) A session serves at most one Kysely connection at a time, so a Kysely transaction runs on a session
 *       of its own: its statements are isolated from concurrent queries and never interleave with another
 *       connection's transaction (engine/database.ts: sessions have their own transaction state).
 *   (2) A released session goes back to the idle list only when it is idle (no transaction open) and the list
 *       holds fewer than `maxIdleSessions`; otherwise it is closed, which rolls back anything left open.
 *   (3) numAffectedRows is a bigint for INSERT, UPDATE, DELETE and MERGE and undefined for everything else,
 *       as Kysely's PostgreSQL driver reports it.
 *   (4) insertId: for an INSERT built by Kysely's insertInto() without RETURNING into a table with a
 *       serial/identity column, the driver runs it with `returning *` and reports that column's value in the
 *       last inserted row as a bigint (the rows are not passed on: the query asked for none). Every other
 *       statement leaves insertId undefined (PostgreSQL has no last-insert id; use RETURNING).
 *   (5) COMMIT that the engine answers with ROLLBACK (the transaction had failed) throws Kysely's
 *       AbortedTransactionError, as Kysely's PostgreSQL driver does.
 *   (6) A table's insertId column is looked up in the catalog once per table name, then cached by the driver;
 *       any statement through the driver that may change the catalog (a command other than DML, SET/SHOW
 *       and transaction control) or ROLLBACK empties the cache. `returning *` keeps a stale entry (DDL
 *       through another handle) harmless for the statement: a column no longer there gives no insertId.
 *
 * Streaming: RustyDB has no server-side cursor yet, so streamQuery runs the statement to completion and
 * yields its rows in chunks of `chunkSize`. The chunks are real (a consumer that stops early stops the
 * iteration) but memory holds the whole result while they are yielded.
 * Not here: the migration lock (rusty-adapter.ts), SQL generation (Kysely's PostgresQueryCompiler).
 */
import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type InsertQueryNode,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { RustyError } from '../../engine/common/index.js'
import type { RustyDatabaseLike, RustyDialectConfig, RustyQueryResult, RustySessionLike } from './rusty-dialect-config.js'

/** Default of RustyDialectConfig.maxIdleSessions. */
export const DEFAULT_MAX_IDLE_SESSIONS = 4

const AFFECTS_ROWS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/** Command tags after which the catalog is as it was (invariant 6); anything else empties the cache. */
const KEEPS_CATALOG: ReadonlySet<string> = new Set([...AFFECTS_ROWS, 'SELECT', 'BEGIN', 'COMMIT', 'SAVEPOINT', 'RELEASE', 'SET', 'SHOW', 'RESET', 'EXPLAIN', 'EMPTY'])

/** Table name (`schema.table`, or `.table` for the search path) -> its serial column, or null for none. */
type SerialColumns = Map<string, string | null>

/** Double-quotes an identifier (savepoint names come from the application). */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/**
 * The Driver of RustyDialect.
 *
 * @example
 * const driver = new RustyDriver({ database: await Database.open() })
 * const conn = await driver.acquireConnection()
 * await conn.executeQuery(CompiledQuery.raw('select 1 as one'))   // { rows: [{ one: 1 }] }
 * await driver.releaseConnection(conn)
 */
export class RustyDriver implements Driver {
  readonly #database: RustyDatabaseLike
  readonly #maxIdle: number
  readonly #idle: RustySessionLike[] = []
  readonly #busy = new Set<RustyConnection>()
  readonly #serialColumns: SerialColumns = new Map()
  #destroyed = false

  constructor(config: RustyDialectConfig) {
    if (config === null || typeof config !== 'object' || config.database === null || typeof config.database?.session !== 'function') {
      throw new RustyError('22023', 'RustyDialect needs { database }: a Database from rustydb or an object with its session() method')
    }
    const max = config.maxIdleSessions ?? DEFAULT_MAX_IDLE_SESSIONS
    if (!Number.isInteger(max) || max < 0) throw new RustyError('22023', `maxIdleSessions must be a non-negative integer, got ${String(max)}`)
    this.#database = config.database
    this.#maxIdle = max
  }

  async init(): Promise<void> {}

  /** A connection on an idle session, or on a new one (invariant 1). */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) throw new RustyError('55000', 'the Kysely instance has been destroyed')
    const connection = new RustyConnection(this.#idle.pop() ?? this.#database.session(), this.#serialColumns)
    this.#busy.add(connection)
    return connection
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const modes: string[] = []
    if (settings.isolationLevel !== undefined) modes.push(`isolation level ${settings.isolationLevel}`)
    if (settings.accessMode !== undefined) modes.push(settings.accessMode)
    await (connection as RustyConnection).run(modes.length === 0 ? 'begin' : `start transaction ${modes.join(', ')}`)
  }

  /** COMMIT; AbortedTransactionError when the engine rolled back instead (invariant 5). */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const result = await (connection as RustyConnection).run('commit')
    if (result.command === 'ROLLBACK') throw new AbortedTransactionError()
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as RustyConnection).run('rollback')
  }

  async savepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await (connection as RustyConnection).run(`savepoint ${quoteIdent(savepointName)}`)
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await (connection as RustyConnection).run(`rollback to savepoint ${quoteIdent(savepointName)}`)
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await (connection as RustyConnection).run(`release savepoint ${quoteIdent(savepointName)}`)
  }

  /** Returns the session to the idle list or closes it (invariant 2). */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RustyConnection
    if (!this.#busy.delete(conn)) return
    const session = conn.detach()
    if (!this.#destroyed && session.status === 'idle' && this.#idle.length < this.#maxIdle) this.#idle.push(session)
    else await session.close()
  }

  /** Closes every session this driver opened, then the database (Kysely's destroy() ends the pool it was given). */
  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    const sessions = [...this.#idle.splice(0), ...[...this.#busy].map((c) => c.detach())]
    this.#busy.clear()
    await Promise.all(sessions.map((s) => s.close()))
    await this.#database.close()
  }
}

/** One Kysely connection: a RustyDB session while the driver lends it out. */
export class RustyConnection implements DatabaseConnection {
  #session: RustySessionLike | null
  readonly #serialColumns: SerialColumns

  /** `serialColumns`: the driver's cache (invariant 6); a connection of its own by default. */
  constructor(session: RustySessionLike, serialColumns: SerialColumns = new Map()) {
    this.#session = session
    this.#serialColumns = serialColumns
  }

  #live(): RustySessionLike {
    if (this.#session === null) throw new RustyError('55000', 'this Kysely connection has been released')
    return this.#session
  }

  /** Takes the session away from this connection (release, destroy). */
  detach(): RustySessionLike {
    const session = this.#live()
    this.#session = null
    return session
  }

  /** Runs SQL on the session and returns RustyDB's own result (transaction control uses the command tag). */
  async run<R>(sql: string, params: readonly unknown[] = []): Promise<RustyQueryResult<R>> {
    // A failed statement changes nothing for good; the ROLLBACK that ends its transaction empties the cache.
    const result = await this.#live().query<R>(sql, params)
    if (!KEEPS_CATALOG.has(result.command)) this.#serialColumns.clear()
    return result
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const serial = await this.#insertIdColumn(compiledQuery)
    if (serial === null) {
      const result = await this.run<R>(compiledQuery.sql, compiledQuery.parameters)
      return AFFECTS_ROWS.has(result.command) ? { rows: result.rows, numAffectedRows: BigInt(result.rowCount) } : { rows: result.rows }
    }
    // Invariant (4): the inserted rows come back; the caller asked for none, so only insertId leaves here.
    const result = await this.run<Record<string, unknown>>(`${compiledQuery.sql} returning *`, compiledQuery.parameters)
    const last = result.rows[result.rows.length - 1]?.[serial]
    const insertId = typeof last === 'bigint' ? last : typeof last === 'number' && Number.isSafeInteger(last) ? BigInt(last) : undefined
    return insertId === undefined ? { rows: [], numAffectedRows: BigInt(result.rowCount) } : { rows: [], numAffectedRows: BigInt(result.rowCount), insertId }
  }

  /** Streams in chunks of `chunkSize` rows (see the header: the result is computed first). */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RustyError('22023', `chunkSize must be a positive integer, got ${String(chunkSize)}`)
    }
    const result = await this.run<R>(compiledQuery.sql, compiledQuery.parameters)
    for (let i = 0; i < result.rows.length; i += chunkSize) yield { rows: result.rows.slice(i, i + chunkSize) }
  }

  /**
   * The serial/identity column whose value becomes insertId (invariant 4), or null when the statement is not
   * a plain Kysely INSERT or its table has none. Looked up in the catalog as this session's transaction sees
   * it, then cached (invariant 6).
   */
  async #insertIdColumn(compiledQuery: CompiledQuery): Promise<string | null> {
    const node = compiledQuery.query as { kind?: string } | undefined
    if (node?.kind !== 'InsertQueryNode') return null
    const insert = compiledQuery.query as InsertQueryNode
    if (insert.returning !== undefined || insert.output !== undefined || insert.explain !== undefined) return null
    if ((insert.endModifiers?.length ?? 0) > 0 || insert.into === undefined) return null
    const table = insert.into.table
    const key = `${table.schema?.name ?? ''}.${table.identifier.name}`
    let column = this.#serialColumns.get(key)
    if (column === undefined) {
      const { rows } = await this.run<{ attname: string }>(SERIAL_COLUMN_SQL, [table.identifier.name, table.schema?.name ?? null])
      column = rows[0]?.attname ?? null
      this.#serialColumns.set(key, column)
    }
    return column
  }
}

/**
 * The first serial or identity column of a table ($1 name, $2 schema or null for the current schema).
 * information_schema.columns lists table columns only, so this never binds the catalog's views.
 */
const SERIAL_COLUMN_SQL = `select column_name as attname
  from information_schema.columns
 where table_name = $1 and table_schema = coalesce($2, current_schema())
   and pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), column_name) is not null
 order by ordinal_position
 limit 1`
