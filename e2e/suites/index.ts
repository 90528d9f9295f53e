/**
 * The browser suites, registered against one target (one browser + storage combination). Each e2e spec file is
 * a one-liner calling browserSuites with its target; the harness (dev server + browser) is shared by the suites.
 */
import { describe } from 'vitest'
import { useBrowserHarness, type BrowserTarget } from '../support/browser-harness.js'
import { demoSuite } from './demo-suite.js'
import { kvStoreSuite } from './kv-store-suite.js'
import { opfsAdapterSuite } from './opfs-adapter-suite.js'
import { webKyselySuite } from './web-kysely-suite.js'
import { webPersistenceSuite } from './web-persistence-suite.js'
import { webTabsSuite } from './web-tabs-suite.js'

/** Registers every browser suite against `target`. */
export function browserSuites(target: BrowserTarget): void {
  describe(target.name, () => {
    const harness = useBrowserHarness(target)
    opfsAdapterSuite(harness)
    kvStoreSuite(harness)
    demoSuite(harness)
  })
}

/** Registers the rustydb/web suites (web/: the worker, storage choice, tabs, live queries) against `target`. */
export function webSuites(target: BrowserTarget): void {
  describe(`${target.name} rustydb/web`, () => {
    const harness = useBrowserHarness(target)
    webPersistenceSuite(harness)
    webTabsSuite(harness)
  })
}

/** Registers the Kysely-in-the-browser suite (web/kysely/ over rustydb/web) against `target`. */
export function webKyselySuites(target: BrowserTarget): void {
  describe(`${target.name} rustydb/kysely on rustydb/web`, () => {
    const harness = useBrowserHarness(target)
    webKyselySuite(harness)
  })
}
