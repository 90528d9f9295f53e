/**
 * Helpers of the concurrent-session tests (test/txn/isolation/): watching a statement's promise without
 * awaiting it (is it waiting for a lock?), bounded waits so that no test can hang, SQLSTATE expectations,
 * and the retry loop applications wrap around transactions.
 * Invariants:
 *   (1) With in-memory storage (MemoryAdapter, FaultAdapter) the engine settles every statement that is not
 *       waiting for a lock on microtasks alone (no I/O, no timers), so after `turn()` (two macrotask turns,
 *       which drain every microtask queued before them) an unsettled statement IS waiting: `blocked` needs no
 *       wall-clock guess.
 *   (2) Every wait is bounded (`within`): a hang becomes a failing assertion that names what was awaited.
 *   (3) `Engine` is the stack under Database (KvStore, TxnManager, sessions) built by hand from exported parts,
 *       for storage options Database.open does not take (checkpointBytes) and for the parts db.stats() does
 *       not show. It runs statements exactly as Database does: each session is a DatabaseSession over an
 *       engine Session.
 * Not here: the Hermitage step language (isolation/hermitage-script.ts).
 */
import { expect } from 'vitest'
import { DatabaseSession, KvStore, RustyError, type KvStoreOptions, type QueryOptions, type QueryResult } from '../../engine/index.js'
import { Session } from '../../engine/session.js'
import { TxnManager } from '../../engine/txn/index.js'

/** How long a bounded wait lasts before it fails the test (ms). Generous: only a hang should reach it. */
export const SETTLE_MS = 5_000

/** Lets the event loop turn twice: every microtask queued before (and the chains they start) has run. */
export async function turn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Waits `ms` of wall-clock time (lock_timeout / statement_timeout tests only). */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms))
}

/** A promise whose state can be read without awaiting it. */
export class Watched<T> {
  state: 'pending' | 'fulfilled' | 'rejected' = 'pending'
  value: T | undefined
  error: unknown
  readonly promise: Promise<T>

  constructor(promise: Promise<T>) {
    this.promise = promise
    promise.then(
      (value) => {
        this.state = 'fulfilled'
        this.value = value
      },
      (error: unknown) => {
        this.state = 'rejected'
        this.error = error
      },
    )
  }

  get settled(): boolean {
    return this.state !== 'pending'
  }

  /** A short description for assertion messages. */
  describe(): string {
    if (this.state === 'pending') return 'still waiting'
    if (this.state === 'fulfilled') return `succeeded with ${JSON.stringify(this.value, jsonSafe)}`
    return `failed with ${describeError(this.error)}`
  }
}

/** Starts watching `promise` (see Watched). */
export function watch<T>(promise: Promise<T>): Watched<T> {
  return new Watched(promise)
}

/** JSON.stringify replacer that prints bigints. */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value
}

/** "40001 could not serialize ..." for RustyErrors, the message otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof RustyError) return `${error.code} ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** True when the statement behind `w` is waiting for a lock (invariant 1). */
export async function blocked(w: Watched<unknown>): Promise<boolean> {
  await turn()
  return !w.settled
}

/** Resolves like `promise`, or rejects after `ms` naming `what` (invariant 2). */
export function within<T>(promise: Promise<T>, what: string, ms = SETTLE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Awaits `promise` (bounded), expects it to fail with a RustyError of `code`, and returns the error. */
export async function expectSqlState(promise: Promise<unknown>, code: string, what = 'statement'): Promise<RustyError> {
  const settled = await within(promise, what).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (settled.ok) return expect.fail(`${what}: expected SQLSTATE ${code}, but it succeeded with ${JSON.stringify(settled.value, jsonSafe)}`)
  const error = settled.error
  expect(error instanceof RustyError ? `${error.code}` : describeError(error), `${what}: ${describeError(error)}`).toBe(code)
  return error as RustyError
}

/** SQLSTATEs after which a transaction may simply be run again. */
export const RETRYABLE = new Set(['40001', '40P01'])

/** True for a serialization failure or a deadlock (the transaction can be retried). */
export function retryable(error: unknown): boolean {
  return error instanceof RustyError && RETRYABLE.has(error.code)
}

/** Rows of a query as arrays, bounded in time. */
export async function rowsOf(session: Pick<DatabaseSession, 'query'>, sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
  const result = await within(session.query<unknown[]>(sql, params, { rowMode: 'array' }), sql)
  return result.rows
}

/** What the workloads need of a database: Database and Engine both have it. */
export interface SessionHost {
  session(): DatabaseSession
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>
}

/**
 * The engine under Database, built by hand (invariant 3).
 *
 * @example
 * const engine = await Engine.open({ adapter: new MemoryAdapter(), name: 'x.rdb', create: true })
 * const s = engine.session()
 * await s.exec('BEGIN')
 * engine.manager.conflictLogSize, engine.manager.locks.lockedCount, engine.kv.stats().versionBatches
 */
export class Engine implements SessionHost {
  readonly #sessions = new Set<DatabaseSession>()
  readonly #default: DatabaseSession

  private constructor(
    readonly kv: KvStore,
    readonly manager: TxnManager,
  ) {
    this.#default = this.session()
  }

  static async open(options: KvStoreOptions): Promise<Engine> {
    const kv = await KvStore.open({ create: true, ...options })
    return new Engine(kv, await TxnManager.open(kv))
  }

  session(): DatabaseSession {
    const s: DatabaseSession = new DatabaseSession(new Session(this.manager), () => this.#sessions.delete(s))
    this.#sessions.add(s)
    return s
  }

  exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    return this.#default.exec(sql, params)
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    return this.#default.query<R>(sql, params, options)
  }

  /** Sessions opened and not closed (the default one included). */
  get openSessions(): number {
    return this.#sessions.size
  }

  /** Closes every session (rolling back), then the manager and the store, as Database.close does. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.close()))
    await this.manager.close()
    await this.kv.close()
  }
}
