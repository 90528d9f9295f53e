/**
 * Database: the public SQL API over one database file.
 * Owns: opening storage (memory, a Node file, or any StorageAdapter), the default session, prepared
 * statements and the transaction() helper.
 * Invariants:
 *   (1) db.query/db.exec run on one implicit default session, so calls run in call order.
 *   (2) transaction(fn) commits when fn resolves and rolls back when it throws; the error is rethrown.
 *   (3) After close() every call fails with 55000; close() waits for running statements, rolls back an open
 *       transaction and closes the file.
 * Not here: concurrent sessions (issue #4), the browser worker (web/).
 */
import { RustyError, invalidParameter, wrongState } from './common/index.js'
import { KvStore, MemoryAdapter, type StorageAdapter } from './storage/index.js'
import { parse, type Statement } from './sql/index.js'
import { TxnManager } from './txn/index.js'
import { Session, type QueryOptions, type QueryResult } from './session.js'

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
  readonly #session: Session
  #closed = false

  private constructor(kv: KvStore, manager: TxnManager) {
    this.#kv = kv
    this.#manager = manager
    this.#session = new Session(manager)
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
    const kv = await KvStore.open({ adapter, name, create: true, pageSize: options.pageSize, cachePages: options.cachePages })
    try {
      const manager = await TxnManager.open(kv)
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
    await this.#session.run(sql, params, {})
  }

  /** Runs SQL and returns the last statement's rows. Parameters are $1..$n. */
  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.#check()
    return (await this.#session.run(sql, params, options)) as QueryResult<R>
  }

  /** Parses once; each run plans and executes with its parameters. */
  prepare(sql: string): PreparedStatement {
    this.#check()
    return new PreparedStatement(this.#session, sql, parse(sql))
  }

  /**
   * Runs `fn` inside BEGIN ... COMMIT; rolls back and rethrows when it throws (invariant (2)).
   * The callback's `tx` runs statements inside that transaction.
   */
  async transaction<T>(fn: (tx: TransactionHandle) => Promise<T>): Promise<T> {
    this.#check()
    await this.#session.run('BEGIN', [], {})
    const tx: TransactionHandle = {
      exec: async (sql, params = []) => {
        await this.#session.run(sql, params, {})
      },
      query: async (sql, params = [], options = {}) => this.#session.run(sql, params, options) as Promise<QueryResult<never>>,
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

  /** Closes the database (invariant (3)). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#session.close()
    await this.#manager.close()
    await this.#kv.close()
  }
}

/** Statement runner handed to transaction() callbacks. */
export interface TransactionHandle {
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>
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

  close(): void {
    this.#closed = true
  }
}
