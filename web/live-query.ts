/**
 * Live queries on the page: run a query, hand its result to a callback, and run it again after every commit
 * (from this tab or any other tab of the database) that changed a table it reads.
 * Owns: one live query's lifecycle and the coalescing of re-runs.
 * Invariants:
 *   (1) The tables are found once, by the worker (web/tables-read.ts: every table named in the query's syntax
 *       tree, or '*' for views); a commit event re-runs the query when its tables meet them, or when either
 *       side is '*' (a new leader took over and commits may have been missed).
 *   (2) At most one run is in flight; commits during a run make exactly one more run after it, so a burst of
 *       commits costs one or two runs, and the last result the callback sees is from after the last commit.
 *   (3) After stop() (the returned unsubscribe, or the AbortSignal) the callback is never called again.
 *   (4) A failed run is reported to onError (console.error without it) and the query keeps listening; a
 *       query that cannot be live (it writes, or is not one SELECT) stops after reporting its 0A000.
 * Not here: where commit events come from (coordinator.ts relays the leader's onCommit to every tab).
 */
import type { RustyError } from '../engine/common/index.js'
import type { QueryResultData, TablesRead } from './protocol.js'

/** Options of db.live(). */
export interface LiveOptions {
  /** Stops the live query when aborted (like the returned unsubscribe function). */
  signal?: AbortSignal
  /** Receives errors of runs (default: console.error); the live query keeps listening after them. */
  onError?: (error: RustyError) => void
  /** 'object' (default) or 'array' rows, as in query(). */
  rowMode?: 'object' | 'array'
}

/** What a live query needs from its database. */
export interface LiveHost {
  tables(sql: string): Promise<TablesRead>
  run(sql: string, params: readonly unknown[], rowMode: 'object' | 'array' | undefined): Promise<QueryResultData>
}

/** One live query. */
export class LiveQuery<R> {
  readonly #host: LiveHost
  readonly #sql: string
  readonly #params: readonly unknown[]
  readonly #callback: (result: QueryResultData<R>) => void
  readonly #options: LiveOptions
  #tables: TablesRead | undefined
  #running = false
  #again = false
  #stopped = false

  constructor(host: LiveHost, sql: string, params: readonly unknown[], callback: (result: QueryResultData<R>) => void, options: LiveOptions) {
    this.#host = host
    this.#sql = sql
    this.#params = [...params]
    this.#callback = callback
    this.#options = options
  }

  get stopped(): boolean {
    return this.#stopped
  }

  /** Finds the tables, then runs the query the first time. */
  async start(): Promise<void> {
    try {
      this.#tables = await this.#host.tables(this.#sql)
    } catch (e) {
      this.#report(e)
      this.stop()
      return
    }
    await this.#run()
  }

  /** A commit changed `tables` (invariant 1). */
  onCommit(tables: TablesRead): void {
    if (this.#stopped) return
    const mine = this.#tables
    if (mine === undefined) return // start() runs the query after the tables are known: it sees this commit.
    if (tables !== '*' && mine !== '*' && !tables.some((t) => mine.includes(t))) return
    if (this.#running) this.#again = true
    else void this.#run()
  }

  /** Invariant (3). */
  stop(): void {
    this.#stopped = true
  }

  /** Invariant (2): one run at a time, one more if commits came during it. */
  async #run(): Promise<void> {
    this.#running = true
    try {
      do {
        this.#again = false
        try {
          const result = await this.#host.run(this.#sql, this.#params, this.#options.rowMode)
          if (!this.#stopped) this.#callback(result as QueryResultData<R>)
        } catch (e) {
          if (!this.#stopped) this.#report(e)
        }
      } while (this.#again && !this.#stopped)
    } finally {
      this.#running = false
    }
  }

  #report(e: unknown): void {
    if (this.#options.onError !== undefined) this.#options.onError(e as RustyError)
    else console.error('rustydb live query failed:', e)
  }
}
