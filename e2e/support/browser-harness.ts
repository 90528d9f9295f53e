/**
 * The browser harness every e2e suite uses: a dev server, browsers, and test pages whose storage workers the
 * suites drive request by request.
 * Owns: the lifetime of the server, browser profiles and pages; moving requests and results between the test
 * process and the page (Playwright's serializer carries Uint8Array both ways); rebuilding RustyErrors.
 * Invariants:
 *   (1) Each TestPage runs in a browser of its own on a fresh profile directory, hence an empty OPFS stored on
 *       disk as users have it; sibling() opens another tab of it (same origin, same files), reload() keeps the
 *       files (a new page load, fresh workers), restartBrowser() closes the browser and launches it again on the
 *       same profile. `{ offTheRecord: true }` gives an incognito-like context instead (OPFS in memory).
 *   (2) A TestWorker belongs to one page load: using it after reload() or a restart throws instead of talking
 *       to nothing.
 *   (3) A worker's failure reaches the test as the RustyError the worker raised (code and fields intact).
 *   (4) Whatever a test leaves open (a failed test never reaches its close) is closed, and its profile
 *       directory removed, when the harness stops.
 * Not here: assertions (the suites) and the page's script (e2e/page/main.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { RequestOf, ResultOf, StorageOp, StorageRequest } from '../../demo/protocol.js'
import type {} from '../page/test-api.js'
import { launchChromium, launchChromiumProfile, requireChromium } from './chromium.js'
import { startDevServer, type DevServer } from './vite-server.js'

/** A browser and storage combination the suites run against. */
export interface BrowserTarget {
  /** Shown in test names, e.g. 'chromium-opfs'. */
  readonly name: string
  /** Fails early, with instructions, when the browser is not installed. */
  check(): void
  /** The browser on the profile in `userDataDir`. */
  launchProfile(userDataDir: string): Promise<BrowserContext>
  /** A browser context without a profile (off the record); closing it must close its browser. */
  launchOffTheRecord(): Promise<BrowserContext>
}

/** Chromium (Debian's, or CHROMIUM_PATH) with OPFS. */
export const chromiumOpfs: BrowserTarget = {
  name: 'chromium-opfs',
  check: () => void requireChromium(),
  launchProfile: launchChromiumProfile,
  async launchOffTheRecord() {
    const browser = await launchChromium()
    const context = await browser.newContext()
    context.on('close', () => void browser.close())
    return context
  },
}

const TEST_PAGE = '/e2e/page/'

/** Options of {@link BrowserHarness.newPage}. */
export interface NewPageOptions {
  /** An incognito-like context (OPFS in memory) instead of a profile on disk. Default false. */
  offTheRecord?: boolean
  /** Page path on the dev server. Default: the test page. */
  path?: string
}

/** A running dev server for one spec file, and the browsers its tests start. */
export class BrowserHarness {
  readonly #server: DevServer
  readonly #target: BrowserTarget
  readonly #open = new Set<TestPage>()

  private constructor(server: DevServer, target: BrowserTarget) {
    this.#server = server
    this.#target = target
  }

  /** Checks the browser is installed, then starts the dev server. */
  static async start(target: BrowserTarget): Promise<BrowserHarness> {
    target.check()
    return new BrowserHarness(await startDevServer(), target)
  }

  /** Base URL of the dev server. */
  get baseUrl(): string {
    return this.#server.baseUrl
  }

  /** A page in a browser of its own with empty storage (invariant 1), showing the test page unless `path` says otherwise. */
  async newPage(options: NewPageOptions = {}): Promise<TestPage> {
    const page = new TestPage(this.#target, this.#server.baseUrl, options, () => this.#open.delete(page))
    this.#open.add(page)
    await page.start()
    return page
  }

  /** Closes whatever tests left open (invariant 4), then the server. */
  async close(): Promise<void> {
    for (const page of [...this.#open]) await page.closeBrowser().catch(() => undefined)
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
function collectErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
}

/** One tab (in a browser of its own, or a sibling tab of one). */
export class TestPage {
  readonly #target: BrowserTarget
  readonly #baseUrl: string
  readonly #options: NewPageOptions
  readonly #onClosed: () => void
  #profileDir: string | undefined
  #context: BrowserContext | undefined
  #page: Page | undefined
  /** Incremented by every (re)load; workers remember the load they belong to (invariant 2). */
  #load = 0
  /** Uncaught errors of the page and its workers, for failure messages. */
  readonly errors: string[] = []

  /** Use BrowserHarness.newPage() or sibling(). */
  constructor(target: BrowserTarget, baseUrl: string, options: NewPageOptions, onClosed: () => void, context?: BrowserContext) {
    this.#target = target
    this.#baseUrl = baseUrl
    this.#options = options
    this.#onClosed = onClosed
    this.#context = context
  }

  /** The Playwright page. */
  get page(): Page {
    if (this.#page === undefined) throw new Error('the test page is closed')
    return this.#page
  }

  /** @internal launches the browser (unless this is a sibling tab) and loads the page. */
  async start(): Promise<void> {
    if (this.#context === undefined) {
      if (this.#options.offTheRecord === true) this.#context = await this.#target.launchOffTheRecord()
      else {
        this.#profileDir ??= mkdtempSync(join(tmpdir(), 'rustydb-e2e-profile-'))
        this.#context = await this.#target.launchProfile(this.#profileDir)
      }
    }
    this.#page = await this.#context.newPage()
    collectErrors(this.#page, this.errors)
    await this.#page.goto(new URL(this.#options.path ?? TEST_PAGE, this.#baseUrl).href)
    await this.#waitReady()
  }

  /** Another tab of the same browser: same origin and OPFS, separate workers. Closed with this page's browser. */
  async sibling(): Promise<TestPage> {
    if (this.#context === undefined) throw new Error('the test page is closed')
    const tab = new TestPage(this.#target, this.#baseUrl, this.#options, () => undefined, this.#context)
    await tab.start()
    return tab
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

  /**
   * Closes the whole browser (its workers end without closing anything) and launches it again on the same
   * profile, showing the same page: what survives is what the browser keeps on disk.
   */
  async restartBrowser(): Promise<void> {
    if (this.#profileDir === undefined) throw new Error('restartBrowser() needs a page of its own on a profile (not off the record, not a sibling)')
    this.#load++
    await this.#context?.close()
    this.#context = undefined
    this.#page = undefined
    await this.start()
  }

  /** Closes the browser (and every tab of it) and removes its profile. */
  async closeBrowser(): Promise<void> {
    this.#load++
    const context = this.#context
    this.#context = undefined
    this.#page = undefined
    try {
      await context?.close()
    } finally {
      if (this.#profileDir !== undefined) rmSync(this.#profileDir, { recursive: true, force: true })
      this.#profileDir = undefined
      this.#onClosed()
    }
  }

  /** Origin of the page, e.g. `http://127.0.0.1:5173`. */
  get origin(): string {
    return new URL(this.#baseUrl).origin
  }

  /**
   * Sets this origin's storage quota in the browser's quota manager (Chromium's DevTools protocol
   * `Storage.overrideQuotaForOrigin`), so a test can run out of space for real. Chromium only. The override
   * lasts as long as the DevTools session, so the session stays attached until the browser closes.
   */
  async overrideQuota(bytes: number): Promise<void> {
    const session = await this.page.context().newCDPSession(this.page)
    await session.send('Storage.overrideQuotaForOrigin', { origin: this.origin, quotaSize: bytes })
  }

  /** @internal the current page load, for TestWorker's check. */
  get load(): number {
    return this.#load
  }

  async #waitReady(): Promise<void> {
    if (this.#options.path !== undefined) return
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
