/**
 * The web client test page's surface (`window.rustyWeb`), as the e2e web suites see it through page.evaluate.
 * Owns: the shape of the calls; e2e/page/web-main.ts implements them with rustydb/web (web/index.ts).
 * Invariants:
 *   (1) Every call answers an Outcome (plain data): a RustyError crosses as RustyErrorData with its code.
 *   (2) Workloads run inside the page (one Playwright round trip per workload, not per statement) and record
 *       every acknowledged key, so a suite can check that no acknowledged commit was lost.
 *   (3) `ready` is set last.
 */
import type { RustyErrorData } from '../../engine/common/index.js'

/** A call's outcome as plain data. */
export type Outcome<T> = { ok: true; result: T } | { ok: false; error: RustyErrorData }

/** A query result as it crosses Playwright's serializer. */
export interface WebQueryResult {
  columns: readonly { name: string; type: string }[]
  rows: unknown[]
  rowCount: number
  command: string
}

/** Inserts `count` rows (tab, i) for i in [from, from + count) into `table`, `batch` rows per transaction. */
export interface WorkloadSpec {
  table: string
  tab: string
  from: number
  count: number
  /** Rows per transaction; 1 with `autocommit` runs single INSERTs without BEGIN. */
  batch: number
  autocommit?: boolean
  /** Statements in flight at once (autocommit only). Default 1. */
  concurrency?: number
}

/** What a workload did. */
export interface WorkloadReport {
  /** Keys (i) whose commit was acknowledged. */
  acknowledged: number[]
  /** Keys whose commit failed, with the error code (their outcome may be unknown: 08007). */
  failed: { key: number; code: string; message: string }[]
  done: boolean
  ms: number
}

/** A live query's results so far. */
export interface LiveReport {
  calls: number
  last: WebQueryResult | undefined
  errors: string[]
}

/** What e2e/page/web-main.ts installs on `window`. */
export interface RustyWebTestApi {
  /** openDatabase(); `killable` starts the worker through the page so terminate() can kill it. */
  open(options: { name: string; storage?: 'opfs' | 'idb' | 'memory'; persist?: boolean }): Promise<Outcome<{ db: number; storage: string; role: string; ms: number }>>
  query(db: number, sql: string, params?: unknown[], rowMode?: 'object' | 'array'): Promise<Outcome<WebQueryResult>>
  /** db.batch(sql, paramSets), or inside db.transaction() when `transaction`; the rowCount of each run. */
  batch(db: number, sql: string, paramSets: unknown[][], transaction: boolean): Promise<Outcome<number[]>>
  /** db.role and db.storage now. */
  info(db: number): { role: string; storage: string }
  /** Starts a workload (invariant 2); returns its id at once. */
  startWorkload(db: number, spec: WorkloadSpec): number
  /** The workload's report so far (done when finished). */
  workload(id: number): WorkloadReport
  /** Resolves when the workload has finished. */
  awaitWorkload(id: number): Promise<WorkloadReport>
  /** Starts a live query; returns its id. */
  live(db: number, sql: string, params?: unknown[]): number
  liveReport(id: number): LiveReport
  stopLive(id: number): void
  /** A session that runs BEGIN and one INSERT, then waits (for the leader-closes-mid-transaction test). */
  openTransaction(db: number, table: string, tab: string, key: number): Promise<Outcome<number>>
  /** Runs `sql` on a session opened by openTransaction. */
  sessionQuery(session: number, sql: string): Promise<Outcome<WebQueryResult>>
  /** Kills the database's worker at once, as a crash would (no close, no pagehide). */
  terminate(db: number): void
  close(db: number): Promise<Outcome<null>>
  readonly ready: true
}

declare global {
  interface Window {
    rustyWeb: RustyWebTestApi
  }
}
