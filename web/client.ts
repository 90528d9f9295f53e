/**
 * The page side of rustydb/web: openDatabase() and the WebDatabase, WebSession and WebPreparedStatement
 * objects, which mirror Database, DatabaseSession and PreparedStatement but run everything in a worker.
 * Owns: starting the worker, comlink calls, rebuilding RustyErrors, client session numbers, live queries,
 * and releasing the database when the page goes away (pagehide).
 * Invariants:
 *   (1) The main thread never runs SQL and never blocks: every call is one message to the worker.
 *   (2) A failure rejects with a RustyError rebuilt from the worker's data (code, position, detail, hint,
 *       table, column, constraint intact: RustyError (2)).
 *   (3) No call waits forever on a dead worker: when the worker fails to load or is terminated, every
 *       pending and later call rejects with 08006.
 *   (4) Session 0 is the database's own (db.query/db.exec); each db.session() and each transaction() gets a
 *       new number, pinned on the worker side to one engine session (coordinator.ts (4)).
 *   (5) On pagehide the worker releases its OPFS handles and Web Locks at once, and the database is closed
 *       for this page (calls reject with 08003): a reload never finds its own previous handle in the way.
 * Not here: the worker's logic (coordinator.ts, session-host.ts).
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink'
import { RustyError } from '../engine/common/index.js'
import { LiveQuery, type LiveOptions } from './live-query.js'
import type { ConnectInfo, DbRequest, QueryResultData, Role, SessionStatus, StorageKind, TablesRead, WorkerApi, WorkerEvent } from './protocol.js'

/** What a query returns (as Database.query): columns, rows, rowCount and the command tag. */
export type QueryResult<R = Record<string, unknown>> = QueryResultData<R>

/** Options of query(). */
export interface QueryOptions {
  /** 'object' (default): rows keyed by column name; 'array': arrays in column order. */
  readonly rowMode?: 'object' | 'array'
}

/** Options of transaction(). */
export interface TransactionOptions {
  /** Default: read committed. */
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable'
  readonly readOnly?: boolean
}

/** Statement runner handed to transaction() callbacks. */
export interface TransactionHandle {
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>
  /** `sql` once per parameter set, in one message to the worker. */
  batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options?: QueryOptions): Promise<QueryResult<R>[]>
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** The database's name: 1 to 128 letters, digits, '_', '-', '.'; the file is `NAME.rdb`. */
  readonly name: string
  /**
   * Where the database lives. Default: OPFS (sync access handles in the worker), or IndexedDB when OPFS is
   * missing or fails to open; an existing database is opened where it is. 'memory': this tab only.
   */
  readonly storage?: StorageKind
  /** Ask the browser to keep this origin's storage under pressure (navigator.storage.persist()). Default false. */
  readonly persist?: boolean
  /**
   * Starts the worker. Default: `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`.
   * Pass one when your bundler needs the worker spelled out in your own code.
   */
  readonly worker?: () => Worker
}

/** Runs requests on one client session. */
interface Channel {
  call(session: number, request: DbRequest): Promise<unknown>
  /** The session's transaction status after its last answered request. */
  status(session: number): SessionStatus
}

const DEAD = '08006'

/**
 * Opens (creating when missing) database `name` in a worker; other tabs of the same origin that open the
 * same name share it (one tab's worker leads, the others forward to it).
 *
 * @example
 * import { openDatabase } from 'rustydb/web'
 * const db = await openDatabase({ name: 'app' })
 * await db.exec('CREATE TABLE IF NOT EXISTS todos (id serial PRIMARY KEY, title text, done boolean DEFAULT false)')
 * const stop = db.live('SELECT * FROM todos WHERE NOT done', [], ({ rows }) => render(rows))
 * await db.query('INSERT INTO todos (title) VALUES ($1)', ['write the report'])   // render() runs again
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<WebDatabase> {
  if (typeof options !== 'object' || options === null || typeof options.name !== 'string') {
    throw new RustyError('22023', 'openDatabase needs { name }')
  }
  let persisted: boolean | undefined
  if (options.persist === true && typeof navigator !== 'undefined' && typeof navigator.storage?.persist === 'function') {
    persisted = await navigator.storage.persist().catch(() => false)
  }
  const worker = options.worker?.() ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `rustydb:${options.name}` })
  const db = new WebDatabase(options.name, worker, persisted)
  try {
    await db._connect(options.storage)
  } catch (e) {
    db._terminate()
    throw e
  }
  return db
}

/**
 * A database running in a worker. Same methods as Database (exec, query, prepare, transaction, session,
 * close), plus live() and storage.
 */
export class WebDatabase {
  /** The database's name. */
  readonly name: string
  /** navigator.storage.persist()'s answer when opened with `persist: true`, else undefined. */
  readonly persisted: boolean | undefined
  readonly #worker: Worker
  readonly #remote: Remote<WorkerApi>
  readonly #live = new Set<LiveQuery<unknown>>()
  readonly #commitListeners = new Set<(tables: TablesRead) => void>()
  #info: ConnectInfo | undefined
  #nextSession = 1
  #liveSession: number | undefined
  #closed: RustyError | undefined
  #dead: Promise<never>
  #die: (error: RustyError) => void = () => undefined
  readonly #onPageHide = (): void => this._abandon()
  readonly #statuses = new Map<number, SessionStatus>()
  readonly #channel: Channel = {
    call: (session, request) => this.#call(session, request),
    status: (session) => this.#statuses.get(session) ?? 'idle',
  }

  /** Use openDatabase(). */
  constructor(name: string, worker: Worker, persisted: boolean | undefined) {
    this.name = name
    this.persisted = persisted
    this.#worker = worker
    this.#dead = new Promise<never>((_, reject) => {
      this.#die = (error) => reject(error)
    })
    this.#dead.catch(() => undefined)
    worker.addEventListener('error', (event) => {
      event.preventDefault()
      this.#fail(new RustyError(DEAD, `the database worker failed: ${event.message || 'its script did not load'}`))
    })
    this.#remote = wrap<WorkerApi>(worker)
  }

  /** Where the database lives: 'opfs', 'idb' or 'memory' (the leader tab's choice). */
  get storage(): StorageKind {
    return this.#connected().storage
  }

  /** 'leader' when this tab's worker has the file open, 'follower' when it forwards to another tab's. */
  get role(): Role {
    return this.#connected().role
  }

  /** @internal connects the worker (openDatabase calls it once). */
  async _connect(storage: StorageKind | undefined): Promise<void> {
    const onEvent = proxy((event: WorkerEvent) => this.#onEvent(event))
    const outcome = await Promise.race([this.#remote.connect({ name: this.name, storage }, onEvent), this.#dead])
    if (!outcome.ok) throw RustyError.fromJSON(outcome.error)
    this.#info = outcome.value
    if (typeof addEventListener === 'function' && typeof window !== 'undefined') addEventListener('pagehide', this.#onPageHide)
  }

  /** Runs one or more statements; returns nothing. */
  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    await this.#call(0, { op: 'run', sql, params })
  }

  /** Runs SQL ($1..$n parameters) and returns the last statement's result. */
  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    return (await this.#call(0, { op: 'run', sql, params, rowMode: options.rowMode })) as QueryResult<R>
  }

  /** A statement to run many times with different parameters (syntax errors surface on its first run). */
  prepare(sql: string): WebPreparedStatement {
    this.#check()
    return new WebPreparedStatement(this.#channel, 0, sql)
  }

  /** Runs `sql` once per parameter set in one message to the worker (Database.batch). */
  async batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    return (await this.#call(0, { op: 'batch', sql, paramSets, rowMode: options.rowMode })) as QueryResult<R>[]
  }

  /** A session: a connection with its own transaction state and settings, pinned to one engine session. */
  session(): WebSession {
    this.#check()
    return new WebSession(this.#channel, this.#nextSession++)
  }

  /** Runs `fn` inside BEGIN ... COMMIT on a session of its own; ROLLBACK and rethrow when it throws. */
  async transaction<T>(fn: (tx: TransactionHandle) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const s = this.session()
    try {
      return await s.transaction(fn, options)
    } finally {
      await s.close().catch(() => undefined)
    }
  }

  /**
   * Runs `sql` now and after every commit (from any tab) that changes a table it reads, calling `callback`
   * with each result. Returns the unsubscribe function; `options.signal` stops it too. The query must be one
   * SELECT; tables are found from its syntax tree (views: after every commit).
   *
   * @example
   * const stop = db.live('SELECT count(*) AS n FROM todos', [], ({ rows }) => (badge.textContent = rows[0].n))
   */
  live<R = Record<string, unknown>>(sql: string, params: readonly unknown[], callback: (result: QueryResult<R>) => void, options: LiveOptions = {}): () => void {
    this.#check()
    this.#liveSession ??= this.#nextSession++
    const session = this.#liveSession
    const live = new LiveQuery<R>(
      {
        tables: async (text) => (await this.#call(session, { op: 'tables', sql: text })) as TablesRead,
        run: async (text, values, rowMode) => (await this.#call(session, { op: 'run', sql: text, params: values, rowMode })) as QueryResultData,
      },
      sql,
      params,
      callback,
      options,
    )
    const stop = (): void => {
      live.stop()
      this.#live.delete(live as LiveQuery<unknown>)
      options.signal?.removeEventListener('abort', stop)
    }
    if (options.signal?.aborted === true) return stop
    options.signal?.addEventListener('abort', stop)
    this.#live.add(live as LiveQuery<unknown>)
    void live.start()
    return stop
  }

  /** Calls `listener` with the tables of every commit of the database (any tab); '*' means "unknown which". */
  onCommit(listener: (tables: TablesRead) => void): () => void {
    this.#commitListeners.add(listener)
    return () => void this.#commitListeners.delete(listener)
  }

  /** Closes the database for this page: waits for running statements, hands over to another tab, ends the worker. */
  async close(): Promise<void> {
    if (this.#closed !== undefined) return
    this.#closed = new RustyError('08003', 'the database is closed')
    for (const live of this.#live) live.stop()
    this.#live.clear()
    this.#removePageHide()
    try {
      await Promise.race([this.#remote.close(), this.#dead])
    } catch {
      // A dead worker has nothing left to close.
    }
    this._terminate()
  }

  /** @internal the page is going away (invariant 5). */
  _abandon(): void {
    if (this.#closed !== undefined) return
    this.#closed = new RustyError('08003', 'the database was released when the page was hidden (pagehide)', { hint: 'open it again with openDatabase()' })
    for (const live of this.#live) live.stop()
    this.#removePageHide()
    void this.#remote.abandon().catch(() => undefined)
  }

  /** @internal ends the worker at once: pending calls reject (invariant 3). */
  _terminate(): void {
    this.#removePageHide()
    this.#worker.terminate()
    this.#remote[releaseProxy]()
    this.#fail(new RustyError(DEAD, 'the database worker was terminated'))
  }

  async #call(session: number, request: DbRequest): Promise<unknown> {
    this.#check()
    const reply = await Promise.race([this.#remote.call(session, request), this.#dead])
    if (request.op === 'close') this.#statuses.delete(session)
    else this.#statuses.set(session, reply.status)
    if (!reply.ok) throw RustyError.fromJSON(reply.error)
    return reply.value
  }

  #onEvent(event: WorkerEvent): void {
    if (event.type === 'role') {
      if (this.#info !== undefined) this.#info = { ...this.#info, role: event.role }
      return
    }
    for (const live of this.#live) live.onCommit(event.tables)
    for (const listener of this.#commitListeners) {
      try {
        listener(event.tables)
      } catch (e) {
        console.error('rustydb commit listener failed:', e)
      }
    }
  }

  #fail(error: RustyError): void {
    this.#closed ??= error
    this.#die(error)
  }

  #check(): void {
    if (this.#closed !== undefined) throw this.#closed
  }

  #connected(): ConnectInfo {
    if (this.#info === undefined) throw new RustyError('55000', 'the database is not open yet')
    return this.#info
  }

  #removePageHide(): void {
    if (typeof removeEventListener === 'function' && typeof window !== 'undefined') removeEventListener('pagehide', this.#onPageHide)
  }
}

/** A session of a WebDatabase (as DatabaseSession): its own transaction state, settings and prepared statements. */
export class WebSession {
  readonly #channel: Channel
  readonly #id: number
  #closed = false

  /** Use db.session(). */
  constructor(channel: Channel, id: number) {
    this.#channel = channel
    this.#id = id
  }

  /** 'idle', 'in-transaction' or 'failed' (an error inside BEGIN: only ROLLBACK is accepted), as of the last answer. */
  get status(): SessionStatus {
    return this.#channel.status(this.#id)
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.#check()
    await this.#channel.call(this.#id, { op: 'run', sql, params })
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.#check()
    return (await this.#channel.call(this.#id, { op: 'run', sql, params, rowMode: options.rowMode })) as QueryResult<R>
  }

  prepare(sql: string): WebPreparedStatement {
    this.#check()
    return new WebPreparedStatement(this.#channel, this.#id, sql)
  }

  /** Runs `sql` once per parameter set in one message to the worker (DatabaseSession.batch). */
  async batch<R = Record<string, unknown>>(sql: string, paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    this.#check()
    return (await this.#channel.call(this.#id, { op: 'batch', sql, paramSets, rowMode: options.rowMode })) as QueryResult<R>[]
  }

  /** BEGIN ... COMMIT around `fn` on this session; ROLLBACK and rethrow when it throws. */
  async transaction<T>(fn: (tx: TransactionHandle) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#check()
    const modes = [options.isolation === undefined ? '' : `ISOLATION LEVEL ${options.isolation.toUpperCase()}`, options.readOnly === true ? 'READ ONLY' : '']
    await this.exec(`BEGIN ${modes.filter((m) => m !== '').join(', ')}`)
    const tx: TransactionHandle = {
      exec: (sql, params = []) => this.exec(sql, params),
      query: (sql, params = [], queryOptions = {}) => this.query(sql, params, queryOptions),
      batch: (sql, paramSets, queryOptions = {}) => this.batch(sql, paramSets, queryOptions),
    }
    try {
      const result = await fn(tx)
      await this.exec('COMMIT')
      return result
    } catch (err) {
      await this.exec('ROLLBACK').catch(() => undefined)
      throw err
    }
  }

  /** Rolls back an open transaction and ends the session. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#channel.call(this.#id, { op: 'close' })
  }

  #check(): void {
    if (this.#closed) throw new RustyError('55000', 'the session is closed')
  }
}

/** A statement run many times with different parameters (the worker's session caches its parse). */
export class WebPreparedStatement {
  readonly sql: string
  readonly #channel: Channel
  readonly #session: number
  #closed = false

  /** Use db.prepare() or session.prepare(). */
  constructor(channel: Channel, session: number, sql: string) {
    this.#channel = channel
    this.#session = session
    this.sql = sql
  }

  async query<R = Record<string, unknown>>(params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    if (this.#closed) throw new RustyError('26000', 'prepared statement is closed')
    return (await this.#channel.call(this.#session, { op: 'run', sql: this.sql, params, rowMode: options.rowMode })) as QueryResult<R>
  }

  async exec(params: readonly unknown[] = []): Promise<void> {
    await this.query(params)
  }

  /** Runs the statement once per parameter set in one message to the worker (PreparedStatement.batch). */
  async batch<R = Record<string, unknown>>(paramSets: readonly (readonly unknown[])[], options: QueryOptions = {}): Promise<QueryResult<R>[]> {
    if (this.#closed) throw new RustyError('26000', 'prepared statement is closed')
    return (await this.#channel.call(this.#session, { op: 'batch', sql: this.sql, paramSets, rowMode: options.rowMode })) as QueryResult<R>[]
  }

  close(): void {
    this.#closed = true
  }
}
