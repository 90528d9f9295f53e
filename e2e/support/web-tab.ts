/**
 * WebTab: one tab showing the web client test page (e2e/page/web.html), driven from the test process.
 * Owns: waiting for the page, turning Outcomes back into values or RustyErrors (code intact).
 * Invariants:
 *   (1) A failure in the page reaches the test as the RustyError the page saw (RustyError (2)).
 *   (2) After reload() the tab's database handles are gone; the test opens them again.
 * Not here: assertions (the web suites).
 */
import { RustyError } from '../../engine/common/index.js'
import type {} from '../page/web-test-api.js'
import type { LiveReport, Outcome, WebQueryResult, WorkloadReport, WorkloadSpec } from '../page/web-test-api.js'
import type { BrowserHarness, NewPageOptions, TestPage } from './browser-harness.js'

/** Path of the web client test page on the dev server. */
export const WEB_PAGE = '/e2e/page/web.html'

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.result
  throw RustyError.fromJSON(outcome.error)
}

/** An open database in a WebTab. */
export interface OpenedDb {
  db: number
  storage: string
  role: string
  /** openDatabase() time in the page, ms. */
  ms: number
}

/** One tab of the web client test page. */
export class WebTab {
  readonly test: TestPage

  private constructor(test: TestPage) {
    this.test = test
  }

  /** A tab in a browser of its own (fresh profile). */
  static async start(harness: BrowserHarness, options: Omit<NewPageOptions, 'path'> = {}): Promise<WebTab> {
    const tab = new WebTab(await harness.newPage({ ...options, path: WEB_PAGE }))
    await tab.#ready()
    return tab
  }

  /** Another tab of the same browser (same origin, same OPFS and IndexedDB). */
  async sibling(): Promise<WebTab> {
    const tab = new WebTab(await this.test.sibling())
    await tab.#ready()
    return tab
  }

  async reload(): Promise<void> {
    await this.test.reload()
    await this.#ready()
  }

  async open(name: string, options: { storage?: 'opfs' | 'idb' | 'memory'; persist?: boolean } = {}): Promise<OpenedDb> {
    return unwrap(await this.test.page.evaluate((o) => window.rustyWeb.open(o), { name, ...options }))
  }

  async query(db: number, sql: string, params: unknown[] = [], rowMode?: 'object' | 'array'): Promise<WebQueryResult> {
    return unwrap(await this.test.page.evaluate(([d, s, p, m]) => window.rustyWeb.query(d, s, p, m), [db, sql, params, rowMode] as const))
  }

  /** db.batch (or tx.batch inside db.transaction when `transaction`): each run's rowCount. */
  async batch(db: number, sql: string, paramSets: unknown[][], transaction = false): Promise<number[]> {
    return unwrap(await this.test.page.evaluate(([d, s, p, t]) => window.rustyWeb.batch(d, s, p, t), [db, sql, paramSets, transaction] as const))
  }

  /** The query's outcome without throwing: the error as a RustyError, or the result. */
  async attempt(db: number, sql: string, params: unknown[] = []): Promise<WebQueryResult | RustyError> {
    try {
      return await this.query(db, sql, params)
    } catch (e) {
      if (e instanceof RustyError) return e
      throw e
    }
  }

  async info(db: number): Promise<{ role: string; storage: string }> {
    return this.test.page.evaluate((d) => window.rustyWeb.info(d), db)
  }

  async startWorkload(db: number, spec: WorkloadSpec): Promise<number> {
    return this.test.page.evaluate(([d, s]) => window.rustyWeb.startWorkload(d, s), [db, spec] as const)
  }

  async workload(id: number): Promise<WorkloadReport> {
    return this.test.page.evaluate((w) => window.rustyWeb.workload(w), id)
  }

  async awaitWorkload(id: number): Promise<WorkloadReport> {
    return this.test.page.evaluate((w) => window.rustyWeb.awaitWorkload(w), id)
  }

  async live(db: number, sql: string, params: unknown[] = []): Promise<number> {
    return this.test.page.evaluate(([d, s, p]) => window.rustyWeb.live(d, s, p), [db, sql, params] as const)
  }

  async liveReport(id: number): Promise<LiveReport> {
    return this.test.page.evaluate((l) => window.rustyWeb.liveReport(l), id)
  }

  async openTransaction(db: number, table: string, tab: string, key: number): Promise<number> {
    return unwrap(await this.test.page.evaluate(([d, t, n, k]) => window.rustyWeb.openTransaction(d, t, n, k), [db, table, tab, key] as const))
  }

  async sessionQuery(session: number, sql: string): Promise<WebQueryResult | RustyError> {
    const outcome = await this.test.page.evaluate(([s, q]) => window.rustyWeb.sessionQuery(s, q), [session, sql] as const)
    return outcome.ok ? outcome.result : RustyError.fromJSON(outcome.error)
  }

  /** Kills the database's worker (a crash: no close, no pagehide). */
  async terminate(db: number): Promise<void> {
    await this.test.page.evaluate((d) => window.rustyWeb.terminate(d), db)
  }

  async close(db: number): Promise<void> {
    unwrap(await this.test.page.evaluate((d) => window.rustyWeb.close(d), db))
  }

  async #ready(): Promise<void> {
    try {
      await this.test.page.waitForFunction(() => window.rustyWeb?.ready === true, undefined, { timeout: 60_000 })
    } catch (e) {
      throw new Error(`web test page did not start: ${this.test.errors.join('; ') || (e instanceof Error ? e.message : e)}`, { cause: e })
    }
  }
}
