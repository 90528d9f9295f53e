/**
 * The browser harness every e2e suite uses: a dev server, a browser, and test pages whose storage workers the
 * suites drive request by request.
 * Owns: the lifetime of the server, the browser, contexts and pages; moving requests and results between the
 * test process and the page (Playwright's serializer carries Uint8Array both ways); rebuilding RustyErrors.
 * Invariants:
 *   (1) Each TestPage gets a fresh browser context, hence its own empty OPFS; pages opened with sibling() share it
 *       (two tabs of one origin), and reload() keeps it (a new page load, fresh workers, same files).
 *   (2) A TestWorker belongs to one page load: using it after reload() throws instead of talking to nothing.
 *   (3) A worker's failure reaches the test as the RustyError the worker raised (code and fields intact).
 * Not here: assertions (the suites) and the page's script (e2e/page/main.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { RequestOf, ResultOf, StorageOp, StorageRequest } from '../../demo/protocol.js'
import type {} from '../page/test-api.js'
import { launchChromium } from './chromium.js'
import { startDevServer, type DevServer } from './vite-server.js'

/** A browser and storage combination the suites run against. */
export interface BrowserTarget {
  /** Shown in test names, e.g. 'chromium-opfs'. */
  readonly name: string
  launch(): Promise<Browser>
}

/** Chromium (Debian's, or CHROMIUM_PATH) with OPFS. */
export const chromiumOpfs: BrowserTarget = { name: 'chromium-opfs', launch: launchChromium }

const TEST_PAGE = '/e2e/page/'

/** A running dev server plus browser for one spec file. */
export class BrowserHarness {
  readonly #server: DevServer
  readonly #browser: Browser

  private constructor(server: DevServer, browser: Browser) {
    this.#server = server
    this.#browser = browser
  }

  /** Starts the dev server and the target's browser. */
  static async start(target: BrowserTarget): Promise<BrowserHarness> {
    const server = await startDevServer()
    try {
      return new BrowserHarness(server, await target.launch())
    } catch (e) {
      await server.close()
      throw e
    }
  }

  /** Base URL of the dev server. */
  get baseUrl(): string {
    return this.#server.baseUrl
  }

  /** A test page in a fresh context: an origin with empty storage (invariant 1). */
  async newPage(): Promise<TestPage> {
    const context = await this.#browser.newContext()
    return TestPage.open(context, this.#server.baseUrl)
  }

  /** Any page of the dev server (e.g. '/demo/') in a fresh context, with its uncaught errors collected. */
  async openPage(path: string): Promise<{ page: Page; errors: string[] }> {
    const context = await this.#browser.newContext()
    const page = await context.newPage()
    const errors = collectErrors(page)
    await page.goto(new URL(path, this.#server.baseUrl).href)
    return { page, errors }
  }

  async close(): Promise<void> {
    await this.#browser.close()
    await this.#server.close()
  }
}

/**
 * Registers beforeAll/afterAll that start and stop one harness for the enclosing describe block; the returned
 * function gives the harness inside tests.
 */
export function useBrowserHarness(target: BrowserTarget): () => BrowserHarness {
  let harness: BrowserHarness | undefined
  beforeAll(async () => {
    harness = await BrowserHarness.start(target)
  })
  afterAll(async () => {
    await harness?.close()
  })
  return () => {
    if (harness === undefined) throw new Error('browser harness is not running (beforeAll failed?)')
    return harness
  }
}

/** Collects a page's uncaught errors and console errors (its workers' included), for failure messages. */
function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  return errors
}

/** One tab showing the test page. */
export class TestPage {
  readonly page: Page
  readonly #baseUrl: string
  /** Incremented by every (re)load; workers remember the load they belong to (invariant 2). */
  #load = 0
  /** Uncaught errors of the page and its workers, for failure messages. */
  readonly errors: string[]

  private constructor(page: Page, baseUrl: string) {
    this.page = page
    this.#baseUrl = baseUrl
    this.errors = collectErrors(page)
  }

  static async open(context: BrowserContext, baseUrl: string): Promise<TestPage> {
    const testPage = new TestPage(await context.newPage(), baseUrl)
    await testPage.#goto()
    return testPage
  }

  /** Another tab of the same origin and browser context: same OPFS, separate workers. */
  async sibling(): Promise<TestPage> {
    return TestPage.open(this.page.context(), this.#baseUrl)
  }

  /** Starts a storage worker on this page load. */
  async spawnWorker(): Promise<TestWorker> {
    const id = await this.page.evaluate(() => window.rustyTest.spawn())
    return new TestWorker(this, id, this.#load)
  }

  /** Reloads the page: every worker of the previous load is gone (without closing anything), OPFS stays. */
  async reload(): Promise<void> {
    this.#load++
    await this.page.reload()
    await this.#waitReady()
  }

  /** Closes the tab (and with it its workers). */
  async close(): Promise<void> {
    this.#load++
    await this.page.close()
  }

  /** Closes the tab's whole context (all its tabs and its storage). */
  async closeContext(): Promise<void> {
    this.#load++
    await this.page.context().close()
  }

  /** @internal the current page load, for TestWorker's check. */
  get load(): number {
    return this.#load
  }

  async #goto(): Promise<void> {
    await this.page.goto(new URL(TEST_PAGE, this.#baseUrl).href)
    await this.#waitReady()
  }

  async #waitReady(): Promise<void> {
    try {
      await this.page.waitForFunction(() => window.rustyTest?.ready === true, undefined, { timeout: 60_000 })
    } catch (e) {
      throw new Error(`test page did not start: ${this.errors.join('; ') || (e instanceof Error ? e.message : e)}`, {
        cause: e,
      })
    }
  }
}

/**
 * The value with every Node Buffer replaced by a plain Uint8Array over the same bytes: Playwright serializes
 * typed arrays as typed arrays, but a Buffer as a plain object of numbered keys.
 */
function plainBytes(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(plainBytes)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]))
}

/** One storage worker of a TestPage. */
export class TestWorker {
  readonly #page: TestPage
  readonly #id: number
  readonly #load: number

  constructor(page: TestPage, id: number, load: number) {
    this.#page = page
    this.#id = id
    this.#load = load
  }

  /** Sends a request to the worker (Buffers may stand for Uint8Arrays); throws the worker's RustyError on failure (invariant 3). */
  async call<K extends StorageOp>(request: RequestOf<K>): Promise<ResultOf<K>> {
    if (this.#page.load !== this.#load) throw new Error(`storage worker ${this.#id} belonged to a page load that is gone`)
    const message = plainBytes(request) as StorageRequest
    const outcome = await this.#page.page.evaluate(([worker, req]) => window.rustyTest.call(worker, req), [this.#id, message] as const)
    if (outcome.ok) return outcome.result as ResultOf<K>
    throw RustyError.fromJSON(outcome.error)
  }

  /** Kills the worker without closing its store or files (the browser releases its OPFS handles). */
  async terminate(): Promise<void> {
    if (this.#page.load !== this.#load) return
    await this.#page.page.evaluate((worker) => window.rustyTest.terminate(worker), this.#id)
  }
}
