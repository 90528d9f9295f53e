/**
 * Session: one connection's statement loop: transaction state, settings, and running statements.
 * Owns: the transaction state machine, statement dispatch (transaction control, DDL, queries, DML, SET/SHOW,
 * EXPLAIN) and the conversion of parameters and results between JS and SQL values.
 * Invariants:
 *   (1) Statements of one session run one at a time, in call order (a promise queue).
 *   (2) Outside BEGIN each statement runs in its own transaction, committed before its promise resolves, or
 *       rolled back when it fails (autocommit).
 *   (3) Inside BEGIN a failed statement puts the transaction in the FAILED state: every statement but
 *       ROLLBACK (or ROLLBACK TO SAVEPOINT) is refused with 25P02 until then, as in PostgreSQL.
 *
 * State machine (each edge names the statement):
 *   IDLE --BEGIN--> IN_TRANSACTION --COMMIT/ROLLBACK--> IDLE
 *   IN_TRANSACTION --error--> FAILED --ROLLBACK--> IDLE;  FAILED --ROLLBACK TO s--> IN_TRANSACTION
 *   FAILED --COMMIT--> IDLE (rolls back, as PostgreSQL does)
 *   (4) Many sessions share one TxnManager. The engine-wide statement context (time zone, clock, schema for
 *       current_schema, the DEFAULT evaluator) is installed at the start of every statement run, which is
 *       synchronous, so sessions interleave only between statements and at lock waits.
 *   (5) A statement that meets a row lock (a LockWait from the transaction) is undone, waits for the lock
 *       (lock_timeout: 55P03, statement_timeout: 57014, deadlock: 40P01) and runs again with the same
 *       snapshot and deadline (transaction.ts (10)); a failed wait fails the statement like any error.
 * Not here: isolation semantics (txn/transaction.ts), locks (txn/lock-manager.ts).
 */
import { RustyError, type SqlType, type SqlValue, type TypeId, featureNotSupported, internalError, fromJs, inferType, toJs, typeName, typeOf, wrongState } from './common/index.js'
import { parse, quoteIdentifier, type Statement } from './sql/index.js'
import type * as ast from './sql/index.js'
import { PlanContext, explainPlan, planStatement, type PlanNode, type PlannedStatement } from './plan/index.js'
import { executeDdl, type DdlContext } from './plan/ddl/index.js'
import { sessionInfo, setStatementTimestamp } from './catalog/functions/index.js'
import { sessionTimeZone, setSessionTimeZone } from './common/values/timezone.js'
import type { CheckDef, TableDef } from './catalog/schema.js'
import type { TableStats } from './catalog/table-stats.js'
import { executePlan, type ExecContext } from './exec/index.js'
import { LockWait, type IsolationLevel, type Transaction, type TxnManager } from './txn/index.js'
import { SpillNotReady } from './storage/spill-file.js'
import type { CatalogReader } from './txn/table-access.js'

/** A result column: its name and PostgreSQL type name. */
export interface ResultColumn {
  readonly name: string
  readonly type: string
}

/** What a query returns. `rowCount` counts rows returned, or rows affected by INSERT/UPDATE/DELETE. */
export interface QueryResult<R = unknown> {
  readonly columns: readonly ResultColumn[]
  readonly rows: R[]
  readonly rowCount: number
  /** The statement's command tag word: SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, ... */
  readonly command: string
}

export interface QueryOptions {
  /** 'object' (default): rows are objects keyed by column name; 'array': arrays in column order. */
  readonly rowMode?: 'object' | 'array'
}

export const TxnStatus = { IDLE: 'idle', IN_TRANSACTION: 'in-transaction', FAILED: 'failed' } as const
export type TxnStatus = (typeof TxnStatus)[keyof typeof TxnStatus]

const DEFAULT_SETTINGS: Record<string, string> = {
  search_path: 'public',
  statement_timeout: '0',
  lock_timeout: '0',
  work_mem: '64MB',
  default_transaction_isolation: 'read committed',
  default_transaction_read_only: 'off',
  timezone: 'UTC',
  datestyle: 'ISO, MDY',
  client_encoding: 'UTF8',
  server_version: '16.0',
  standard_conforming_strings: 'on',
  application_name: '',
  'rustydb.optimizer': 'on',
}

type Dml = ast.Query | ast.Insert | ast.Update | ast.Delete

export class Session {
  #queue: Promise<unknown> = Promise.resolve()
  #txn: Transaction | null = null
  #status: TxnStatus = TxnStatus.IDLE
  #closed = false
  readonly #settings = new Map(Object.entries(DEFAULT_SETTINGS))
  /** search_path parsed, and the settings part of plan-cache keys; both reset by every SET/RESET. */
  #pathCache: string[] | null = null
  /** search_path plus pg_catalog, as transactions resolve names (reset with #pathCache). */
  #txnPath: string[] | null = null
  #settingsKey: string | null = null

  /** default_transaction_isolation as a level (the setting keeps the spelling, e.g. read uncommitted). */
  #defaultIsolation: IsolationLevel = 'read committed'
  /** The isolation level the open transaction was asked for, as SHOW transaction_isolation prints it. */
  #txnIsolationName = 'read committed'

  #setDefaultIsolation(text: string): void {
    this.#defaultIsolation = isolationOf(text)
    this.#settings.set('default_transaction_isolation', text.trim().toLowerCase().replace(/^'|'$/g, ''))
  }

  /** Values nextval() returned in this session (currval). */
  readonly #currvals = new Map<number, bigint>()
  /** Date.now() deadline of the running statement (statement_timeout), kept across lock-wait restarts. */
  #deadline = Infinity

  constructor(readonly manager: TxnManager) {}

  /** The open transaction's id, or null outside a transaction (for pg_stat_activity-like views and tests). */
  get transactionId(): number | null {
    return this.#txn?.id ?? null
  }

  get status(): TxnStatus {
    return this.#status
  }

  readonly #parsed = new Map<string, readonly Statement[]>()
  readonly #plans = new WeakMap<Statement, CachedPlan[]>()

  /** Parses with a small cache: applications repeat their statements. */
  #parse(sql: string): readonly Statement[] {
    let statements = this.#parsed.get(sql)
    if (statements === undefined) {
      statements = parse(sql)
      if (this.#parsed.size >= PARSE_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value as string)
      this.#parsed.set(sql, statements)
    }
    return statements
  }

  /**
   * Runs `sql` (one or many statements) and returns the last statement's result. Invariant (1): when the
   * session is idle (no job running or queued) the statement starts at once, in this call, and a statement
   * that finishes without waiting (no lock wait, no commit to write) finishes here too; otherwise it joins
   * the queue. Either way it runs after every earlier call of this session and before every later one.
   */
  run(sql: string | readonly Statement[], params: readonly unknown[], options: QueryOptions, text = typeof sql === 'string' ? sql : ''): Promise<QueryResult> {
    if (this.#jobs === 0) {
      this.#jobs++
      let result: QueryResult | Promise<QueryResult>
      try {
        result = this.#run(sql, params, options, text)
      } catch (err) {
        this.#jobs--
        return Promise.reject(err)
      }
      if (!(result instanceof Promise)) {
        this.#jobs--
        return Promise.resolve(result)
      }
      const job = this.#settle(result)
      this.#queue = job.catch(() => undefined)
      return job
    }
    this.#jobs++
    const job = this.#queue.then(() => {
      let result: QueryResult | Promise<QueryResult>
      try {
        result = this.#run(sql, params, options, text)
      } catch (err) {
        this.#jobs--
        throw err
      }
      return this.#settle(result)
    })
    this.#queue = job.catch(() => undefined)
    return job
  }

  /** Jobs of this session started or queued and not finished yet (0: idle, run() may start at once). */
  #jobs = 0

  /** Awaits a job's result and counts the job finished. */
  async #settle<T>(result: T | Promise<T>): Promise<T> {
    try {
      return await result
    } finally {
      this.#jobs--
    }
  }

  /**
   * Runs `sql` once per parameter set, in order, as one job of the queue (nothing of another call of this
   * session runs in between); stops at the first error, which it throws (the runs before it stay done, as
   * separate statements would). One call instead of one per row: what a client across a worker boundary
   * needs for bulk work.
   */
  runBatch(sql: string | readonly Statement[], paramSets: readonly (readonly unknown[])[], options: QueryOptions, text = typeof sql === 'string' ? sql : ''): Promise<QueryResult[]> {
    this.#jobs++
    const job = this.#queue.then(() =>
      this.#settle(
        (async () => {
          const out: QueryResult[] = []
          for (const params of paramSets) out.push(await this.#run(sql, params, options, text))
          return out
        })(),
      ),
    )
    this.#queue = job.catch(() => undefined)
    return job
  }

  /** Rolls back an open transaction and refuses further statements. */
  async close(): Promise<void> {
    await this.#queue
    if (this.#txn !== null) this.#txn.rollback()
    this.#txn = null
    this.#status = TxnStatus.IDLE
    this.#closed = true
  }

  /**
   * Runs the statements of one call: synchronously as long as none of them waits (a lock wait, a commit to
   * write), then asynchronously for the rest. Throws (or rejects with) RustyErrors only.
   */
  #run(sql: string | readonly Statement[], params: readonly unknown[], options: QueryOptions, text: string): QueryResult | Promise<QueryResult> {
    if (this.#closed) throw wrongState('the session is closed')
    try {
      const statements = typeof sql === 'string' ? this.#parse(sql) : sql
      let last: QueryResult = { columns: [], rows: [], rowCount: 0, command: 'EMPTY' }
      for (let i = 0; i < statements.length; i++) {
        const result = this.#statement(statements[i], text, params, options)
        if (result instanceof Promise) return this.#runRest(result, statements, i + 1, text, params, options)
        last = result
      }
      return last
    } catch (err) {
      throw engineError(err)
    }
  }

  /** #run's asynchronous part: awaits `pending` (statement `from - 1`), then runs statements `from..`. */
  async #runRest(pending: Promise<QueryResult>, statements: readonly Statement[], from: number, text: string, params: readonly unknown[], options: QueryOptions): Promise<QueryResult> {
    try {
      let last = await pending
      for (let i = from; i < statements.length; i++) last = await this.#statement(statements[i], text, params, options)
      return last
    } catch (err) {
      throw engineError(err)
    }
  }

  #statement(stmt: Statement, sql: string, params: readonly unknown[], options: QueryOptions): QueryResult | Promise<QueryResult> {
    const control = this.#control(stmt)
    if (control !== undefined) return control
    if (this.#status === TxnStatus.FAILED) {
      throw new RustyError('25P02', 'current transaction is aborted, commands ignored until end of transaction block')
    }
    const implicit = this.#txn === null
    const now = Date.now() * 1000
    if (implicit) this.#txnStart = now
    const txn = this.#txn ?? this.#begin(this.#defaultReadOnly(), null)
    let result: QueryResult | Promise<QueryResult>
    try {
      result = UTILITY.has(stmt.kind) ? this.#execute(stmt, sql, params, options, txn) : this.#runStatement(stmt, sql, params, options, txn, now)
    } catch (err) {
      this.#failed(txn, implicit)
      throw err
    }
    if (result instanceof Promise) return this.#finishStatement(result, txn, implicit)
    if (!implicit) return result
    // Autocommit (invariant 2): a transaction that wrote nothing ends here; one that did awaits its commit.
    let committing: Promise<void> | undefined
    try {
      committing = txn.commitNow()
    } catch (err) {
      this.#failed(txn, implicit)
      throw err
    }
    if (committing === undefined) return result
    return committing.then(
      () => result,
      (err: unknown) => {
        this.#failed(txn, implicit)
        throw err
      },
    )
  }

  /** #statement after a statement that waited (for a lock): its commit when implicit, or the failure. */
  async #finishStatement(pending: Promise<QueryResult>, txn: Transaction, implicit: boolean): Promise<QueryResult> {
    try {
      const result = await pending
      if (implicit) await txn.commit()
      return result
    } catch (err) {
      this.#failed(txn, implicit)
      throw err
    }
  }

  /** A statement failed: an implicit transaction rolls back, an explicit one enters FAILED (invariants 2, 3). */
  #failed(txn: Transaction, implicit: boolean): void {
    if (implicit) txn.rollback()
    else this.#status = TxnStatus.FAILED
  }

  /** default_transaction_read_only as a boolean. */
  #defaultReadOnly(): boolean {
    return this.#settings.get('default_transaction_read_only') === 'on'
  }

  /**
   * Runs a statement that reads or writes data inside `txn`: takes its snapshot and undo mark, and on a lock
   * wait undoes it, waits and runs it again (invariant 5). SET / SHOW / RESET / SET TRANSACTION skip this:
   * they read no data, take no snapshot, and a later SET TRANSACTION stays legal. Synchronous unless the
   * statement meets a lock.
   */
  #runStatement(stmt: Statement, sql: string, params: readonly unknown[], options: QueryOptions, txn: Transaction, now: number): QueryResult | Promise<QueryResult> {
    const timeout = this.#statementTimeout()
    this.#deadline = timeout > 0 ? Date.now() + timeout : Infinity
    const first = this.#attempt(stmt, sql, params, options, txn, now, false)
    return first instanceof LockWait || first instanceof SpillNotReady ? this.#waitAndRetry(first, stmt, sql, params, options, txn, now) : first
  }

  /**
   * One run of a statement; a LockWait, or a SpillNotReady (a sort outgrew work_mem before the spill file was
   * open), comes back (not thrown) after the statement was undone.
   */
  #attempt(stmt: Statement, sql: string, params: readonly unknown[], options: QueryOptions, txn: Transaction, now: number, restart: boolean): QueryResult | LockWait | SpillNotReady {
    this.#install(txn, now)
    txn.beginStatement(restart, !DML.has(stmt.kind))
    try {
      const result = this.#execute(stmt, sql, params, options, txn)
      txn.endStatement()
      return result
    } catch (err) {
      if (!(err instanceof LockWait) && !(err instanceof SpillNotReady)) {
        txn.endStatement()
        throw err
      }
      // Undo; the caller waits (for the lock, or the spill file) and runs the statement again with the same snapshot.
      txn.undoStatement()
      txn.endStatement(false)
      return err
    }
  }

  async #waitAndRetry(
    wait: LockWait | SpillNotReady,
    stmt: Statement,
    sql: string,
    params: readonly unknown[],
    options: QueryOptions,
    txn: Transaction,
    now: number,
  ): Promise<QueryResult> {
    for (;;) {
      if (wait instanceof SpillNotReady) await wait.ready
      else {
        await this.manager.locks.wait(txn.id, wait.resource, wait.mode, {
          lockTimeoutMs: Number(this.#settings.get('lock_timeout') ?? '0'),
          deadline: this.#deadline,
        })
      }
      const result = this.#attempt(stmt, sql, params, options, txn, now, true)
      if (!(result instanceof LockWait) && !(result instanceof SpillNotReady)) return result
      wait = result
    }
  }

  /** statement_timeout in ms (the setting is stored in ms: #set), parsed once per value. */
  #statementTimeout(): number {
    const text = this.#settings.get('statement_timeout') ?? '0'
    if (text !== this.#timeoutText) {
      this.#timeoutText = text
      this.#timeoutMs = Number(text)
    }
    return this.#timeoutMs
  }

  #timeoutText = '0'
  #timeoutMs = 0

  /** Installs the engine-wide statement context for this session (invariant 4). */
  #install(txn: Transaction, now: number): void {
    // now() is the transaction's start, statement_timestamp() the statement's (PostgreSQL).
    setStatementTimestamp(now, this.#txnStart)
    sessionInfo.schema = this.#schema()
    const zone = this.#settings.get('timezone') ?? 'UTC'
    if (sessionTimeZone() !== zone) setSessionTimeZone(zone)
    this.#statementTxn = txn
    this.manager.evaluateDefault = this.#evaluateDefault
  }

  /** The transaction of the running statement (for the DEFAULT evaluator the transaction layer calls). */
  #statementTxn: Transaction | null = null
  readonly #evaluateDefault = (table: TableDef, ordinal: number): SqlValue => {
    const col = table.columns[ordinal]
    const txn = this.#statementTxn
    if (col.default === null || txn === null) return null
    return this.#scalar(`SELECT CAST((${col.default}) AS ${typeName(col.type)})`, txn)
  }

  /** Starts a transaction that resolves names through the session's search_path. */
  #begin(readOnly: boolean, isolation: ast.IsolationLevel | null): Transaction {
    const level = isolation !== null ? isolationOf(isolation) : this.#defaultIsolation
    this.#txnIsolationName = isolation !== null ? isolation.toLowerCase() : (this.#settings.get('default_transaction_isolation') ?? 'read committed')
    const txn = this.manager.begin({ readOnly, isolation: level, currvals: this.#currvals })
    txn.searchPath = (this.#txnPath ??= [...this.#searchPath(), 'pg_catalog'])
    return txn
  }

  /** Runs a one-row query inside `txn` and returns its first value (internal representation). */
  #scalar(sql: string, txn: Transaction): SqlValue {
    const stmt = parse(sql)[0]
    if (stmt === undefined || stmt.kind !== 'Query') throw internalError(`not a query: ${sql}`)
    const planned = this.plan(stmt, sql, [], txn)
    for (const batch of executePlan(planned.plan, this.#context(txn, [], []))) {
      if (batch.length > 0) return batch.columns[0][0]
    }
    return null
  }

  /** The DDL hooks: view validation, expressions, CHECK validation and CREATE TABLE AS. */
  #ddlContext(txn: Transaction): DdlContext {
    return {
      defaultSchema: this.#schema(),
      validateView: (viewSql: string) => this.#validateView(viewSql, txn),
      evaluate: (exprSql: string, type: SqlType) => this.#scalar(`SELECT CAST((${exprSql}) AS ${typeName(type)})`, txn),
      validateCheck: (table: TableDef, check: CheckDef) => {
        const name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`
        const sql = `SELECT 1 FROM ${name} WHERE NOT (${check.expr}) LIMIT 1`
        const stmt = parse(sql)[0] as ast.Query
        const planned = this.plan(stmt, sql, [], txn)
        for (const batch of executePlan(planned.plan, this.#context(txn, [], []))) {
          if (batch.length > 0) {
            throw new RustyError('23514', `check constraint "${check.name}" of relation "${table.name}" is violated by some row`, {
              table: table.name,
              constraint: check.name,
            })
          }
        }
      },
      query: (query: ast.Query) => {
        const planned = this.plan(query, '', [], txn)
        const rows: SqlValue[][] = []
        for (const batch of executePlan(planned.plan, this.#context(txn, planned.paramTypes, []))) {
          for (let r = 0; r < batch.length; r++) rows.push(batch.columns.map((c) => c[r]))
        }
        return { columns: planned.columns.map((c) => ({ name: c.name, type: c.type })), rows }
      },
    }
  }

  /** Transaction control statements; undefined for everything else. State machine above. */
  #control(stmt: Statement): QueryResult | Promise<QueryResult> | undefined {
    const done = (command: string): QueryResult => ({ columns: [], rows: [], rowCount: 0, command })
    switch (stmt.kind) {
      case 'Begin':
        if (this.#txn !== null) return done('BEGIN') // PostgreSQL warns "there is already a transaction in progress"
        this.#txn = this.#begin(stmt.readOnly ?? this.#defaultReadOnly(), stmt.isolationLevel)
        this.#txnStart = Date.now() * 1000
        this.#status = TxnStatus.IN_TRANSACTION
        return done('BEGIN')
      case 'Commit':
        return this.#finish(true)
      case 'Rollback':
        if (stmt.savepoint !== null && stmt.savepoint !== undefined) {
          if (this.#txn === null) throw new RustyError('25P01', 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks')
          this.#txn.rollbackTo(stmt.savepoint)
          this.#status = TxnStatus.IN_TRANSACTION
          return done('ROLLBACK')
        }
        return this.#finish(false)
      case 'Savepoint':
        if (this.#txn === null) throw new RustyError('25P01', 'SAVEPOINT can only be used in transaction blocks')
        if (this.#status === TxnStatus.FAILED) return undefined
        this.#txn.savepoint(stmt.name)
        return done('SAVEPOINT')
      case 'ReleaseSavepoint':
        if (this.#txn === null) throw new RustyError('25P01', 'RELEASE SAVEPOINT can only be used in transaction blocks')
        if (this.#status === TxnStatus.FAILED) return undefined
        this.#txn.release(stmt.name)
        return done('RELEASE')
      default:
        return undefined
    }
  }

  async #finish(commit: boolean): Promise<QueryResult> {
    const txn = this.#txn
    const failed = this.#status === TxnStatus.FAILED
    this.#txn = null
    this.#status = TxnStatus.IDLE
    if (txn === null) return { columns: [], rows: [], rowCount: 0, command: commit ? 'COMMIT' : 'ROLLBACK' }
    if (commit && !failed) {
      await txn.commit()
      return { columns: [], rows: [], rowCount: 0, command: 'COMMIT' }
    }
    txn.rollback()
    return { columns: [], rows: [], rowCount: 0, command: 'ROLLBACK' }
  }

  #txnStart = 0

  #execute(stmt: Statement, sql: string, params: readonly unknown[], options: QueryOptions, txn: Transaction): QueryResult {
    switch (stmt.kind) {
      case 'Query':
      case 'Insert':
      case 'Update':
      case 'Delete':
        return this.#dml(stmt, sql, params, options, txn)
      case 'Explain':
        return this.#explain(stmt, sql, params, txn)
      case 'SetVariable':
        return this.#set(stmt)
      case 'Show':
        return this.#show(stmt, options)
      case 'Reset':
        this.#settings.set(stmt.name.toLowerCase(), DEFAULT_SETTINGS[stmt.name.toLowerCase()] ?? '')
        this.#pathCache = null
        this.#txnPath = null
        this.#settingsKey = null
        return { columns: [], rows: [], rowCount: 0, command: 'RESET' }
      case 'SetTransaction':
        if (stmt.session) {
          if (stmt.isolationLevel !== null) this.#setDefaultIsolation(stmt.isolationLevel)
          if (stmt.readOnly !== null) this.#settings.set('default_transaction_read_only', stmt.readOnly ? 'on' : 'off')
        } else {
          if (stmt.isolationLevel !== null) {
            txn.setIsolation(isolationOf(stmt.isolationLevel))
            this.#txnIsolationName = stmt.isolationLevel.toLowerCase()
          }
          if (stmt.readOnly !== null) txn.setReadOnly(stmt.readOnly)
        }
        return { columns: [], rows: [], rowCount: 0, command: 'SET' }
      default: {
        const result = executeDdl(stmt, txn, this.#ddlContext(txn))
        return { columns: [], rows: [], rowCount: result.rowCount ?? 0, command: result.command }
      }
    }
  }

  /** The schemas of search_path, in order ("$user" has no schema of its own here). */
  #searchPath(): string[] {
    if (this.#pathCache !== null) return this.#pathCache
    const path = (this.#settings.get('search_path') ?? 'public')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '' && p !== '"$user"' && p !== '$user')
      .map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()))
    this.#pathCache = path.length === 0 ? ['public'] : path
    return this.#pathCache
  }

  #schema(): string {
    return this.#searchPath()[0]
  }

  #validateView(viewSql: string, txn: Transaction): string[] {
    const stmts = parse(viewSql)
    const stmt = stmts[0]
    if (stmts.length !== 1 || stmt.kind !== 'Query') throw new RustyError('42601', 'a view must be defined by one query')
    const planned = planStatement(stmt, new PlanContext(viewSql, txn.catalog, { defaultSchema: this.#schema(), paramTypes: [] }, txn))
    return planned.columns.map((c) => c.name)
  }

  /**
   * Plans a statement with the parameters' types, reusing a cached plan when the parameter types and the
   * settings match and every catalog object the plan was built from is still the same object (catalog
   * definitions are immutable records, so identity means unchanged).
   */
  plan(stmt: Dml, sql: string, params: readonly unknown[], txn: Transaction): PlannedStatement {
    const optimizer = (this.#settings.get('rustydb.optimizer') ?? 'on').toLowerCase()
    const settingsKey = (this.#settingsKey ??= `${optimizer}|${this.#settings.get('search_path')}|${this.#settings.get('timezone')}`)
    const cached = this.#plans.get(stmt)
    if (cached !== undefined) {
      // A hit allocates nothing: the key is compared part by part.
      for (const c of cached) if (c.settingsKey === settingsKey && sameParamTypes(c.paramTypeIds, params) && stillValid(c, txn)) return c.planned
    }
    const paramTypes = params.map((p) => typeOf(paramTypeId(p)))
    const naive = optimizer === 'off' || optimizer === 'false' || optimizer === '0'
    const recorder = new CatalogRecorder(txn.catalog)
    const planned = planStatement(stmt, new PlanContext(sql, recorder.reader, { defaultSchema: this.#schema(), paramTypes, naive }, txn))
    if (!planned.usesTransaction && !recorder.listed) {
      const list = cached ?? []
      if (list.length >= 4) list.shift()
      const lookups = recorder.lookups
      list.push({
        settingsKey,
        paramTypeIds: paramTypes.map((t) => t.id),
        planned,
        lookups,
        statsLookups: lookups.filter((l) => l.stats),
        checkedAt: txn.catalogVersion,
      })
      this.#plans.set(stmt, list)
    }
    return planned
  }

  #context(txn: Transaction, paramTypes: readonly SqlType[], params: readonly unknown[], stats?: ExecContext['stats']): ExecContext {
    if (params.length < paramTypes.length) {
      throw new RustyError('08P01', `bind message supplies ${params.length} parameters, but the statement requires ${paramTypes.length}`)
    }
    const values: SqlValue[] = new Array<SqlValue>(paramTypes.length)
    for (let i = 0; i < paramTypes.length; i++) {
      const v = params[i]
      values[i] = v === null || v === undefined ? null : paramValue(v, paramTypes[i], i)
    }
    return {
      access: txn,
      params: values,
      deadline: this.#deadline,
      now: Date.now() * 1000,
      affectedRows: 0,
      stats,
      spill: this.manager.spill,
      workMem: this.#workMemBytes,
    }
  }

  /** work_mem in bytes (kept in step with the setting). */
  #workMemBytes = memoryKb(DEFAULT_SETTINGS.work_mem, 'work_mem') * 1024

  #dml(stmt: Dml, sql: string, params: readonly unknown[], options: QueryOptions, txn: Transaction): QueryResult {
    const planned = this.plan(stmt, sql, params, txn)
    const ctx = this.#context(txn, planned.paramTypes, params)
    return collect(planned.plan, ctx, options, commandOf(stmt))
  }

  #explain(stmt: ast.Explain, sql: string, params: readonly unknown[], txn: Transaction): QueryResult {
    const inner = stmt.statement
    if (inner.kind !== 'Query' && inner.kind !== 'Insert' && inner.kind !== 'Update' && inner.kind !== 'Delete') {
      throw featureNotSupported(`EXPLAIN of ${inner.kind}`)
    }
    const analyze = stmt.options.some((o) => o.name.toLowerCase() === 'analyze' && o.value !== 'false' && o.value !== 'off' && o.value !== '0')
    const planned = this.plan(inner, sql, params, txn)
    let lines: string[]
    if (analyze) {
      const stats: NonNullable<ExecContext['stats']> = new Map()
      const ctx = this.#context(txn, planned.paramTypes, params, stats)
      const started = performance.now()
      for (const _ of executePlan(planned.plan, ctx)) void _
      const total = performance.now() - started
      lines = [...explainPlan(planned.plan, stats), `Execution Time: ${total.toFixed(3)} ms`]
    } else {
      lines = explainPlan(planned.plan)
    }
    return { columns: [{ name: 'QUERY PLAN', type: 'text' }], rows: lines.map((l) => ({ 'QUERY PLAN': l })), rowCount: lines.length, command: 'EXPLAIN' }
  }

  #set(stmt: ast.SetVariable): QueryResult {
    this.#pathCache = null
    this.#txnPath = null
    this.#settingsKey = null
    const name = stmt.name.toLowerCase()
    const value = stmt.values === null ? DEFAULT_SETTINGS[name] ?? '' : stmt.values.join(', ')
    if (name === 'timezone' || name === 'time zone') {
      setSessionTimeZone(value)
      this.#settings.set('timezone', value)
      return { columns: [], rows: [], rowCount: 0, command: 'SET' }
    }
    if (name === 'transaction_isolation') {
      const txn = this.#txn
      if (txn === null) throw new RustyError('25001', 'SET TRANSACTION ISOLATION LEVEL can only be used in transaction blocks')
      txn.setIsolation(isolationOf(value))
      this.#txnIsolationName = value.trim().toLowerCase().replace(/^'|'$/g, '')
    } else if (name === 'default_transaction_isolation') {
      this.#setDefaultIsolation(value)
    } else if (name === 'transaction_read_only') {
      const txn = this.#txn
      if (txn === null) throw new RustyError('25001', 'SET TRANSACTION READ ONLY can only be used in transaction blocks')
      txn.setReadOnly(onOff(value, name))
    } else if (name === 'default_transaction_read_only') {
      this.#settings.set(name, onOff(value, name) ? 'on' : 'off')
    } else if (name === 'statement_timeout' || name === 'lock_timeout') {
      this.#settings.set(name, String(durationMs(value, name)))
    } else if (name === 'work_mem') {
      const kb = memoryKb(value, name)
      this.#settings.set(name, showMemory(kb))
      this.#workMemBytes = kb * 1024
    } else this.#settings.set(name, value)
    return { columns: [], rows: [], rowCount: 0, command: 'SET' }
  }

  #show(stmt: ast.Show, options: QueryOptions): QueryResult {
    const name = stmt.name.toLowerCase()
    if (name === 'all') {
      const rows = [...this.#settings].map(([n, v]) => (options.rowMode === 'array' ? [n, v] : { name: n, setting: v }))
      return { columns: [{ name: 'name', type: 'text' }, { name: 'setting', type: 'text' }], rows, rowCount: rows.length, command: 'SHOW' }
    }
    let value =
      name === 'transaction_isolation'
        ? this.#txn !== null
          ? this.#txnIsolationName
          : this.#settings.get('default_transaction_isolation')
        : name === 'transaction_read_only'
          ? (this.#txn?.readOnly ?? this.#settings.get('default_transaction_read_only') === 'on')
            ? 'on'
            : 'off'
          : this.#settings.get(name)
    if (value !== undefined && (name === 'statement_timeout' || name === 'lock_timeout')) value = showDuration(Number(value))
    if (value === undefined) throw new RustyError('42704', `unrecognized configuration parameter "${stmt.name}"`)
    const rows = [options.rowMode === 'array' ? [value] : { [name]: value }]
    return { columns: [{ name, type: 'text' }], rows, rowCount: 1, command: 'SHOW' }
  }
}

const PARSE_CACHE_SIZE = 256


/** Only RustyErrors leave the engine; anything else is a bug, reported as XX000 with the original as cause. */
function engineError(err: unknown): RustyError {
  if (err instanceof RustyError) return err
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new RustyError('54001', 'statement too complex: stack depth limit exceeded', { cause: err })
  }
  return internalError(err instanceof Error ? err.message : String(err), err)
}

/** Statements that never change the catalog. */
const DML = new Set<string>(['Query', 'Insert', 'Update', 'Delete', 'Explain'])

/** Statements that read no data and so take no snapshot. */
const UTILITY = new Set<string>(['SetVariable', 'Show', 'Reset', 'SetTransaction'])

/** The isolation level an SQL spelling names (READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL). */
function isolationOf(text: string): IsolationLevel {
  const t = text.trim().toLowerCase().replace(/[\s_-]+/g, ' ').replace(/^'|'$/g, '')
  if (t === 'serializable') return 'serializable'
  if (t === 'repeatable read') return 'repeatable read'
  if (t === 'read committed' || t === 'read uncommitted') return 'read committed'
  throw new RustyError('22023', `invalid value for parameter "transaction_isolation": "${text}"`, {
    hint: 'Available values: serializable, repeatable read, read committed, read uncommitted.',
  })
}

/** A boolean setting's value (on/off, true/false, yes/no, 1/0). */
function onOff(text: string, name: string): boolean {
  const t = text.trim().toLowerCase().replace(/^'|'$/g, '')
  if (['on', 'true', 'yes', '1'].includes(t)) return true
  if (['off', 'false', 'no', '0'].includes(t)) return false
  throw new RustyError('22023', `parameter "${name}" requires a Boolean value`)
}

/** A duration in ms as PostgreSQL shows it: the largest unit that divides it ('0', '250ms', '2s', '1min', '1h'). */
/** A memory setting in kB: a number (kB) or a number with a unit (kB, MB, GB, TB), at least 64kB (PostgreSQL). */
function memoryKb(text: string, name: string): number {
  const m = /^\s*'?\s*(\d+)\s*(kB|MB|GB|TB)?\s*'?\s*$/.exec(text)
  const kb = m === null ? NaN : Number(m[1]) * { kB: 1, MB: 1024, GB: 1024 ** 2, TB: 1024 ** 3 }[(m[2] ?? 'kB') as 'kB']
  if (!Number.isSafeInteger(kb) || kb < 64 || kb > 2 ** 31 - 1) {
    throw new RustyError('22023', `invalid value for parameter "${name}": "${text}"`, { hint: 'Give kilobytes (at least 64), or a number with a unit: 4096kB, 64MB, 1GB.' })
  }
  return kb
}

/** A memory setting as PostgreSQL shows it: the largest unit that divides it. */
function showMemory(kb: number): string {
  for (const [unit, size] of [['TB', 1024 ** 3], ['GB', 1024 ** 2], ['MB', 1024]] as const) if (kb % size === 0) return `${kb / size}${unit}`
  return `${kb}kB`
}

function showDuration(ms: number): string {
  if (ms === 0) return '0'
  for (const [unit, size] of [['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

/** A timeout setting in ms: a number (ms) or a number with a unit (ms, s, min, h), as PostgreSQL accepts. */
function durationMs(text: string, name: string): number {
  const m = /^\s*'?\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*'?\s*$/i.exec(text)
  if (m === null) throw new RustyError('22023', `invalid value for parameter "${name}": "${text}"`, { hint: 'Give milliseconds, or a number with a unit: 500ms, 2s, 1min.' })
  const unit = (m[2] ?? 'ms').toLowerCase()
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'min' ? 60_000 : 3_600_000
  return Math.round(Number(m[1]) * factor)
}

interface CachedPlan {
  /** The plan key: the settings that change plans (optimizer, search_path, timezone) and the parameters' types. */
  readonly settingsKey: string
  readonly paramTypeIds: readonly TypeId[]
  readonly planned: PlannedStatement
  readonly lookups: readonly CatalogLookup[]
  /** The statistics lookups among `lookups` (they depend on more than the catalog). */
  readonly statsLookups: readonly CatalogLookup[]
  /**
   * The catalog version (Transaction.catalogVersion) at which every lookup but the statistics ones was last
   * found unchanged; undefined when none was. A catalog version never changes, and the plan key fixes the
   * search path, so those lookups need not run again while transactions read that version.
   */
  checkedAt: object | undefined
}

/** One catalog lookup a plan depends on: `still` re-runs it and checks that it finds the same object. */
interface CatalogLookup {
  /** True for a statistics lookup (rechecked on every use: row counts change without DDL). */
  readonly stats: boolean
  still(catalog: CatalogReader): boolean
}

/** Parameter `$i+1`'s JS value as an SQL value of `type`; errors name the parameter. */
function paramValue(v: unknown, type: SqlType, i: number): SqlValue {
  try {
    return fromJs(v, type)
  } catch (err) {
    if (err instanceof RustyError) throw new RustyError(err.code, `parameter $${i + 1}: ${err.message}`, { cause: err })
    throw err
  }
}

/** The type a parameter's JS value is planned with: strings (and NULL) are 'unknown', typed by their context. */
function paramTypeId(p: unknown): TypeId {
  return p === null || p === undefined || typeof p === 'string' ? 'unknown' : inferType(p).id
}

function sameParamTypes(ids: readonly TypeId[], params: readonly unknown[]): boolean {
  if (ids.length !== params.length) return false
  for (let i = 0; i < ids.length; i++) if (ids[i] !== paramTypeId(params[i])) return false
  return true
}

/** True when the cached plan's lookups still find what it was planned with, as `txn` sees the catalog. */
function stillValid(cached: CachedPlan, txn: Transaction): boolean {
  const version = txn.catalogVersion
  const catalog = txn.catalog
  if (version !== undefined && cached.checkedAt === version) {
    for (const l of cached.statsLookups) if (!l.still(catalog)) return false
    return true
  }
  for (const l of cached.lookups) if (!l.still(catalog)) return false
  if (version !== undefined) cached.checkedAt = version
  return true
}

/** Wraps a CatalogReader and records every lookup, so a cached plan can be validated against a later catalog. */
class CatalogRecorder {
  readonly lookups: CatalogLookup[] = []
  /** A listing (tables(), views() ...) was read: system views; such plans are not cached. */
  listed = false
  readonly reader: CatalogReader

  constructor(inner: CatalogReader) {
    const lookups = this.lookups
    const single = new Set(['table', 'view', 'sequence', 'tableById'])
    const ignored = new Set<string>()
    this.reader = new Proxy(inner, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof value !== 'function') return value
        const name = String(prop)
        if (ignored.has(name)) return (value as (...a: unknown[]) => unknown).bind(target)
        if (name === 'stats') {
          // A plan stays valid while ANALYZE has not run again and the row count is within a factor of 2 of
          // the one it was planned with (statistics steer estimates only; an older plan is still correct).
          return (table: TableDef) => {
            const found = (value as (t: TableDef) => TableStats | undefined).call(target, table)
            lookups.push({
              stats: true,
              still: (c) => {
                const now = c.stats(table)
                if (now === undefined || found === undefined) return now === found
                const ratio = (now.rowCount + 1) / (found.rowCount + 1)
                return now.analyzed === found.analyzed && ratio < 2 && ratio > 0.5
              },
            })
            return found
          }
        }
        if (single.has(name)) {
          return (...args: unknown[]) => {
            const found = (value as (...a: unknown[]) => unknown).apply(target, args)
            lookups.push({ stats: false, still: (c) => (c as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args) === found })
            return found
          }
        }
        this.listed = true
        return (value as (...a: unknown[]) => unknown).bind(target)
      },
    })
  }
}

const COMMANDS: Record<Dml['kind'], string> = { Query: 'SELECT', Insert: 'INSERT', Update: 'UPDATE', Delete: 'DELETE' }

function commandOf(stmt: Dml): string {
  return COMMANDS[stmt.kind]
}

/** Runs a plan to completion and converts its batches to JS rows. */
export function collect(plan: PlanNode, ctx: ExecContext, options: QueryOptions, command: string): QueryResult {
  const columns = plan.output
  const types = columns.map((c) => c.type)
  const rows: unknown[] = []
  const asArray = options.rowMode === 'array'
  for (const batch of executePlan(plan, ctx)) {
    for (let r = 0; r < batch.length; r++) {
      if (asArray) {
        const row = new Array<unknown>(columns.length)
        for (let c = 0; c < columns.length; c++) {
          const v = batch.columns[c][r]
          row[c] = v === null ? null : toJs(v, types[c])
        }
        rows.push(row)
      } else {
        const row: Record<string, unknown> = {}
        for (let c = 0; c < columns.length; c++) {
          const v = batch.columns[c][r]
          row[columns[c].name] = v === null ? null : toJs(v, types[c])
        }
        rows.push(row)
      }
    }
  }
  const isDml = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE'
  return {
    columns: columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    rows,
    rowCount: isDml ? ctx.affectedRows : rows.length,
    command,
  }
}
