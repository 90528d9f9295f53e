/**
 * Database: the public SQL API over one database file.
 * Owns: opening storage (memory, a Node file, or any StorageAdapter), sessions (the implicit default one and
 * those db.session() opens), prepared statements, the transaction() helper and commit notifications.
 * Invariants:
 *   (1) db.query/db.exec run on one implicit default session, so those calls run in call order.
 *   (2) transaction(fn) runs on a session of its own (so it interleaves with other sessions like any
 *       connection), commits when fn resolves and rolls back when it throws; the error is rethrown.
 *   (3) After close() every call fails with 55000; close() waits for running statements, rolls back open
 *       transactions of every session and closes the file.
 *   (4) onCommit listeners run after a commit that changed rows or the catalog is durable, with the tables it
 *       wrote; a throwing listener does not affect the commit or other listeners.
 * Not here: isolation and locks (txn/), the browser worker (web/).
 */
import { RustyError, invalidParameter, wrongState } from './common/index.js'
import { KvStore, MemoryAdapter, type KvStats, type StorageAdapter } from './storage/index.js'
import { parse, type Statement } from './sql/index.js'
import { TxnManager } from './txn/index.js'
import { Session, type QueryOptions, type QueryResult } from './session.js'
import type { ColumnCacheStats } from './txn/column-cache.js'
import { SpillFile, type SpillStats } from './storage/spill-file.js'

/** Counters of an open database (tests, benchmarks, the dashboard). */
export interface DatabaseStats {
  /** The storage engine: commits, WAL groups (one write + one sync each), version store, buffer pool. */
  readonly storage: KvStats
  /** Open sessions, the implicit default one included. */
  readonly sessions: number
  /** Transactions begun and not yet ended. */
  readonly activeTransactions: number
  /** Rows and keys with an entry in the lock table (implicit locks of lone writers are not counted). */
  readonly lockedResources: number
  /** Commits remembered for conflict checks while an older snapshot is open. */
  readonly conflictLogCommits: number
  /** The column cache of whole-table scans (DatabaseOptions.columnCacheBytes). */
  readonly columnCache: ColumnCacheStats
  /** Sorts beyond work_mem: runs written to the spill file since open, runs alive now. */
  readonly spill: SpillStats | undefined
}

/** What onCommit listeners receive. */
export interface CommitEvent {
  /** Qualified names ("public.todos") of the tables whose rows or definitions the commit changed. */
  readonly tables: readonly string[]
}

export interface DatabaseOptions {
  /** A database file path (Node: through the fs adapter `rustydb` registers for Node). */
  readonly path?: string
  /** 'memory' (default when no path): a fresh in-memory database. */
  readonly storage?: 'memory'
  /** Any storage adapter, with `name` the file name inside it. */
  readonly adapter?: StorageAdapter
  readonly name?: string
  /** Page size for a new database (default 4096). */
  readonly pageSize?: number
  /** Buffer pool size in pages. */
  readonly cachePages?: number
  /** Checkpoint once the WAL holds this many bytes (default 16 MiB; 0: only at close). */
  readonly checkpointBytes?: number
  /**
   * Memory for decoded columns of whole-table scans, kept while the table does not change (estimated bytes;
   * default 64 MiB; 0 turns the column cache off).
   */
  readonly columnCacheBytes?: number
}

/** Turns a path into an adapter and a file name; `rustydb`'s Node entry registers one (engine/node.ts). */
export type PathResolver = (path: string) => { adapter: StorageAdapter; name: string }
let pathResolver: PathResolver | undefined

/** Registers how `{ path }` opens files (the Node entry point does this). */
export function setPathResolver(resolver: PathResolver): void {
  pathResolver = resolver
}

/**
 * A SQL database.
 *
 * @example
 * const db = await Database.open({ storage: 'memory' })
 * await db.exec('CREATE TABLE t (id int PRIMARY KEY, name text)')
 * await db.query('INSERT INTO t VALUES ($1, $2)', [1, 'a'])
 * const { rows } = await db.query('SELECT * FROM t')   // [{ id: 1, name: 'a' }]
 * await db.close()
 */
export class Database {
  readonly #kv: KvStore
  readonly #manager: TxnManager
  /** The implicit default session db.exec/query/prepare run on (invariant 1). */
  readonly #default: DatabaseSession
  readonly #sessions = new Set<DatabaseSession>()
  #closed = false

  private constructor(kv: KvStore, manager: TxnManager) {
    this.#kv = kv
    this.#manager = manager
    this.#default = new DatabaseSession(new Session(manager), () => undefined)
  }

  /**
   * Opens a session: a connection with its own transaction state, settings and prepared statements.
   * Statements of different sessions interleave; close() rolls back its open transaction.
   *
   * @example
   * const s1 = db.session()
   * await s1.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
   * await s1.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [10, 1])
   * await s1.exec('COMMIT')
   * s1.close()
   */
  session(): DatabaseSession {
    this.#check()
    const s = new DatabaseSession(new Session(this.#manager), () => this.#sessions.delete(s))
    this.#sessions.add(s)
    return s
  }

  /** Counters of the storage engine and the transaction layer. */
  stats(): DatabaseStats {
    this.#check()
    return {
      storage: this.#kv.stats(),
      sessions: this.#sessions.size + 1,
      activeTransactions: this.#manager.activeCount,
      lockedResources: this.#manager.locks.lockedCount,
      conflictLogCommits: this.#manager.conflictLogSize,
      columnCache: this.#manager.columns.stats(),
      spill: this.#manager.spill?.stats(),
    }
  }

  /** Calls `listener` after every durable commit that changed tables (invariant 4); returns the unsubscribe. */
  onCommit(listener: (event: CommitEvent) => void): () => void {
    return this.#manager.onCommit((tables) => listener({ tables }))
  }

  /** Opens (creating when missing) a database. Default: in memory. */
  static async open(options: DatabaseOptions = {}): Promise<Database> {
    let adapter: StorageAdapter
    let name: string
    if (options.adapter !== undefined) {
      adapter = options.adapter
      name = options.name ?? options.path ?? 'main.rdb'
    } else if (options.path !== undefined && options.storage !== 'memory') {
      if (pathResolver === undefined) {
        throw invalidParameter(`cannot open "${options.path}": file paths need the Node entry point of rustydb`, 'pass { adapter } or { storage: "memory" }')
      }
      ;({ adapter, name } = pathResolver(options.path))
    } else {
      adapter = new MemoryAdapter()
      name = options.name ?? 'memory.rdb'
    }
    const kv = await KvStore.open({ adapter, name, create: true, pageSize: options.pageSize, cachePages: options.cachePages, checkpointBytes: options.checkpointBytes })
    try {
      const manager = await TxnManager.open(kv, { columnCacheBytes: options.columnCacheBytes, spill: new SpillFile(adapter, `${name}.spill`) })
      return new Database(kv, manager)
    } catch (err) {
      await kv.close().catch(() => undefined)
      throw err
    }
  }

  #check(): void {
    if (this.#closed) throw wrongState('the database is closed')
  }

  /** Runs one or more statements; returns nothing. */
  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.#check()
    await this.#default.exec(sql, params)
  }

  /** Runs SQL and returns the last statement's rows. Parameters are $1..$n. */
  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.#check()
    return this.#default.query<R>(sql, params, options)
  }

  /** Parses once; each run plans and executes with its parameters. */
  prepare(sql: string): PreparedStatement {
    this.#check()
    return this.#default.prepare(sql)
  }

  /** Runs `sql` once per parameter set in one call (see DatabaseSession.batch). */
  async batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    this.#check()
    return this.#default.batch<R>(sql, paramSets, options)
  }

  /**
   * Runs `fn` inside BEGIN ... COMMIT; rolls back and rethrows when it throws (invariant (2)).
   * The callback's `tx` runs statements inside that transaction.
   */
  async transaction<T>(fn: (tx: TransactionHandle) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const s = this.session()
    try {
      return await s.transaction(fn, options)
    } finally {
      await s.close()
    }
  }

  /** Closes the database (invariant (3)). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // All at once: a session's statement may wait for a lock another session's open transaction holds,
    // and that transaction ends only when its own session closes.
    await Promise.all([...this.#sessions, this.#default].map((s) => s.close()))
    await this.#manager.close()
    await this.#kv.close()
  }
}

/** Options of transaction(). */
export interface TransactionOptions {
  /** Default: the session's default_transaction_isolation (read committed). */
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable'
  readonly readOnly?: boolean
}

/**
 * A session (connection) from db.session(): exec, query, prepare and transaction like Database, on its own
 * transaction state and settings.
 */
export class DatabaseSession {
  readonly #session: Session
  readonly #onClose: () => void
  #closed = false

  /** Use db.session(). */
  constructor(session: Session, onClose: () => void) {
    this.#session = session
    this.#onClose = onClose
  }

  #check(): void {
    if (this.#closed) throw wrongState('the session is closed')
  }

  /** 'idle', 'in-transaction' or 'failed' (an error inside BEGIN: only ROLLBACK is accepted). */
  get status(): string {
    return this.#session.status
  }

  /** The open transaction's id (as deadlock messages name it), or null. */
  get transactionId(): number | null {
    return this.#session.transactionId
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.#check()
    await this.#session.run(sql, params, {})
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.#check()
    return (await this.#session.run(sql, params, options)) as QueryResult<R>
  }

  prepare(sql: string): PreparedStatement {
    this.#check()
    return new PreparedStatement(this.#session, sql, parse(sql))
  }

  /**
   * Runs `sql` once per parameter set, in order, in one call: each run is a statement of its own (autocommit
   * outside a transaction, part of it inside). Stops at the first error and throws it; the runs before it
   * stay done. Returns every run's result.
   *
   * @example
   * await db.transaction((tx) => tx.batch('INSERT INTO t VALUES ($1, $2)', rows))
   */
  async batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    this.#check()
    return (await this.#session.runBatch(sql, paramSets, options)) as QueryResult<R>[]
  }

  /** BEGIN ... COMMIT around `fn` on this session; ROLLBACK and rethrow when it throws. */
  async transaction<T>(fn: (tx: TransactionHandle) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#check()
    const modes = [options.isolation === undefined ? '' : `ISOLATION LEVEL ${options.isolation.toUpperCase()}`, options.readOnly === true ? 'READ ONLY' : '']
    await this.#session.run(`BEGIN ${modes.filter((m) => m !== '').join(', ')}`, [], {})
    const tx: TransactionHandle = {
      exec: async (sql, params = []) => {
        await this.#session.run(sql, params, {})
      },
      query: async (sql, params = [], options = {}) => this.#session.run(sql, params, options) as Promise<QueryResult<never>>,
      batch: async (sql, paramSets, options = {}) => this.#session.runBatch(sql, paramSets, options) as Promise<QueryResult<never>[]>,
    }
    try {
      const result = await fn(tx)
      await this.#session.run('COMMIT', [], {})
      return result
    } catch (err) {
      await this.#session.run('ROLLBACK', [], {}).catch(() => undefined)
      throw err
    }
  }

  /** Rolls back an open transaction and ends the session (waits for its running statement). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#onClose()
    await this.#session.close()
  }
}

/** Statement runner handed to transaction() callbacks. */
export interface TransactionHandle {
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>
  /** `sql` once per parameter set, in one call (DatabaseSession.batch). */
  batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options?: QueryOptions): Promise<QueryResult<R>[]>
}

/** A parsed statement, run many times with different parameters. */
export class PreparedStatement {
  #closed = false
  constructor(
    readonly session: Session,
    readonly sql: string,
    readonly statements: readonly Statement[],
  ) {}

  async query<R = Record<string, unknown>>(params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    if (this.#closed) throw new RustyError('26000', 'prepared statement is closed')
    return (await this.session.run(this.statements, params, options, this.sql)) as QueryResult<R>
  }

  async exec(params: readonly unknown[] = []): Promise<void> {
    await this.query(params)
  }

  /** Runs the statement once per parameter set, in one call (DatabaseSession.batch). */
  async batch<R = Record<string, unknown>>(paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    if (this.#closed) throw new RustyError('26000', 'prepared statement is closed')
    return (await this.session.runBatch(this.statements, paramSets, options, this.sql)) as QueryResult<R>[]
  }

  close(): void {
    this.#closed = true
  }
}
