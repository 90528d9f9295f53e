/**
 * The throughput page's surface (`window.webBench`), as bench/web/throughput.ts sees it through page.evaluate.
 * Owns: the engines the page can run, the workload settings, and the shape of the page's answer.
 * Invariants:
 *   (1) One call runs one engine's whole run (open, both workloads, checks, close) inside the page: one
 *       Playwright round trip per run, never one per statement, so Playwright is not in what is timed.
 *   (2) The answer is plain data; a failure is an `error` string, never a thrown exception across Playwright.
 *   (3) `window.webBench` is set last, when the page is ready.
 * Not here: the workloads (page/main.ts), printing (throughput.ts).
 */

/**
 * What the page runs: rustydb/web (its worker, on OPFS or in memory), sql.js (in memory on the page's main
 * thread), and for reference the RustyDB engine called directly inside a dedicated worker of the page (no
 * message per statement), on OPFS or in memory.
 */
export const PAGE_ENGINES = ['rustydb-opfs', 'rustydb-memory', 'sqljs', 'engine-opfs', 'engine-memory'] as const
export type PageEngine = (typeof PAGE_ENGINES)[number]

/** The engines whose commits are durable: their runs reopen the database and check again. */
export const DURABLE_ENGINES: readonly PageEngine[] = ['rustydb-opfs', 'engine-opfs']

/** One run's settings. */
export interface ThroughputSpec {
  readonly engine: PageEngine
  /** The database's name (rustydb/web): fresh per run, so a run never reopens the previous run's file. */
  readonly database: string
  /** Single-row commits: stop after this many, or after `commitBudgetMs`, whichever comes first. */
  readonly maxCommits: number
  readonly commitBudgetMs: number
  /** Bulk insert: this many rows in one transaction, or what fits in `bulkBudgetMs` (then committed). */
  readonly bulkRows: number
  readonly bulkBudgetMs: number
}

/** One workload's outcome in one run. */
export interface WorkloadOutcome {
  /** Commits or rows done in the timed part. */
  readonly done: number
  readonly ms: number
  /** done / seconds. */
  readonly rate: number
  /** The bulk insert stopped at its time budget before its row count (single-row commits: always false). */
  readonly partial: boolean
  /** What the check after the workload found wrong; undefined when every check passed. */
  readonly mismatch?: string
}

/** One engine's run (invariant 2). */
export interface ThroughputResult {
  readonly engine: PageEngine
  /** Where the data lived: rustydb/web's `db.storage`, or 'memory' for sql.js. */
  readonly storage: string
  /** Import + open (for rustydb/web: starting the worker, loading the WASM core, opening the file). */
  readonly openMs: number
  readonly commits?: WorkloadOutcome
  readonly bulk?: WorkloadOutcome
  /** The same rows as `bulk`, 1,000 parameter sets per call (`batch` on a prepared statement). */
  readonly batched?: WorkloadOutcome
  /** OPFS only: the counts checked again after close() and a new openDatabase() in the same page. */
  readonly reopened?: boolean
  readonly error?: string
}

/** Empty round trips between the page and a worker, per second, each awaited before the next. */
export interface RoundTrips {
  /** postMessage to a worker that posts the message back (a statement-sized request object). */
  readonly postMessage: number
  /** The same through comlink, as rustydb/web calls its worker. */
  readonly comlink: number
  /** rustydb/web: a prepared `SELECT 1` on a memory database. */
  readonly rustydbSelect: number
  readonly error?: string
}

/** `window.webBench` (invariant 3). */
export interface WebBenchApi {
  run(spec: ThroughputSpec): Promise<ThroughputResult>
  roundTrips(count: number): Promise<RoundTrips>
}
