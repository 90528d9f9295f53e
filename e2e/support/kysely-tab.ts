/**
 * KyselyTab: one tab showing the Kysely test page (e2e/page/web-kysely.html), driven from the test process.
 * Owns: waiting for the page, turning Outcomes back into values or RustyErrors (code intact).
 * Invariants:
 *   (1) A failure in the page reaches the test as the RustyError the page saw (RustyError (2)).
 *   (2) After reload() the tab's Kysely instances are gone (the page never destroyed them: pagehide released
 *       their databases); the test opens them again.
 * Not here: assertions (e2e/suites/web-kysely-suite.ts).
 */
import { RustyError } from '../../engine/common/index.js'
import type {
  AuthorRow,
  BookRow,
  CompiledRows,
  MigrationReport,
  MigrationState,
  NewBook,
  Outcome,
  TransactionReport,
  TransactionSpec,
} from '../page/web-kysely-test-api.js'
import type { BrowserHarness, TestPage } from './browser-harness.js'

/** Path of the Kysely test page on the dev server. */
export const KYSELY_PAGE = '/e2e/page/web-kysely.html'

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.result
  throw RustyError.fromJSON(outcome.error)
}

/** One tab of the Kysely test page. */
export class KyselyTab {
  readonly test: TestPage

  private constructor(test: TestPage) {
    this.test = test
  }

  /** A tab in a browser of its own (fresh profile, OPFS on disk). */
  static async start(harness: BrowserHarness): Promise<KyselyTab> {
    const tab = new KyselyTab(await harness.newPage({ path: KYSELY_PAGE }))
    await tab.#ready()
    return tab
  }

  async reload(): Promise<void> {
    await this.test.reload()
    await this.#ready()
  }

  /** openDatabase() and a Kysely instance over it; the instance's number and the storage it landed on. */
  async open(name: string, options: { storage?: 'opfs' | 'idb' | 'memory' } = {}): Promise<{ kysely: number; storage: string }> {
    return unwrap(await this.test.page.evaluate((o) => window.rustyKysely.open(o), { name, ...options }))
  }

  async migrate(kysely: number): Promise<MigrationReport> {
    return unwrap(await this.test.page.evaluate((k) => window.rustyKysely.migrate(k), kysely))
  }

  async migrations(kysely: number): Promise<MigrationState[]> {
    return unwrap(await this.test.page.evaluate((k) => window.rustyKysely.migrations(k), kysely))
  }

  async addAuthors(kysely: number, names: string[]): Promise<AuthorRow[]> {
    return unwrap(await this.test.page.evaluate(([k, n]) => window.rustyKysely.addAuthors(k, n), [kysely, names] as const))
  }

  async addBooks(kysely: number, books: NewBook[]): Promise<BookRow[]> {
    return unwrap(await this.test.page.evaluate(([k, b]) => window.rustyKysely.addBooks(k, b), [kysely, books] as const))
  }

  async booksSince(kysely: number, since: number): Promise<CompiledRows<{ title: string; author: string; year: number; stock: number }>> {
    return unwrap(await this.test.page.evaluate(([k, s]) => window.rustyKysely.booksSince(k, s), [kysely, since] as const))
  }

  async transaction(kysely: number, spec: TransactionSpec): Promise<TransactionReport> {
    return unwrap(await this.test.page.evaluate(([k, s]) => window.rustyKysely.transaction(k, s), [kysely, spec] as const))
  }

  async query(kysely: number, sql: string, params: unknown[] = []): Promise<unknown[]> {
    return unwrap(await this.test.page.evaluate(([k, s, p]) => window.rustyKysely.query(k, s, p), [kysely, sql, params] as const))
  }

  /** The call's RustyError (fails the test when it succeeds). */
  async error(call: Promise<unknown>): Promise<RustyError> {
    try {
      await call
    } catch (e) {
      if (e instanceof RustyError) return e
      throw e
    }
    throw new Error('expected the call to fail with a RustyError')
  }

  async destroy(kysely: number): Promise<void> {
    unwrap(await this.test.page.evaluate((k) => window.rustyKysely.destroy(k), kysely))
  }

  async #ready(): Promise<void> {
    try {
      await this.test.page.waitForFunction(() => window.rustyKysely?.ready === true, undefined, { timeout: 60_000 })
    } catch (e) {
      throw new Error(`Kysely test page did not start: ${this.test.errors.join('; ') || (e instanceof Error ? e.message : e)}`, { cause: e })
    }
  }
}
