/**
 * The storage smoke page (demo/, what `npm start` serves), used the way a person uses it: it says what it is,
 * opens its store on OPFS, and a key put through the form is there after a reload.
 * Not here: the storage behaviours themselves (kv-store-suite.ts).
 */
import { describe, expect, it } from 'vitest'
import type { BrowserHarness } from '../support/browser-harness.js'

/** Registers the smoke page suite against the harness `harness()` returns. */
export function demoSuite(harness: () => BrowserHarness): void {
  describe('storage smoke page', () => {
    it('opens its store on OPFS, puts and gets a key, and still has it after a reload', async () => {
      const demo = await harness().newPage({ path: '/demo/' })
      const { page, errors } = demo
      await expect.poll(() => page.locator('.banner').textContent()).toMatch(/storage smoke page.*SQL console and the\s+dashboard are not built yet/s)
      await page.waitForFunction(() => document.getElementById('state')?.textContent?.startsWith('store open') === true, undefined, {
        timeout: 60_000,
      }).catch((e: unknown) => {
        throw new Error(`the smoke page did not open its store: ${errors.join('; ')}`, { cause: e })
      })
      expect(await page.locator('#stat-storage').textContent()).toBe('opfs')

      await page.fill('#key', 'greeting')
      await page.fill('#value', 'hello from the e2e suite')
      await page.click('#put')
      await expect.poll(() => page.locator('#output').textContent()).toMatch(/^put "greeting" \(commit \d+\)$/)
      await page.click('#get')
      await expect.poll(() => page.locator('#output').textContent()).toBe('"greeting" = "hello from the e2e suite"')
      await expect.poll(() => page.locator('#stat-entries').textContent()).toMatch(/^1 in "smoke"/)

      await demo.reload()
      await page.waitForFunction(() => document.getElementById('state')?.textContent?.startsWith('store open') === true, undefined, {
        timeout: 60_000,
      })
      await page.fill('#key', 'greeting')
      await page.click('#get')
      await expect.poll(() => page.locator('#output').textContent()).toBe('"greeting" = "hello from the e2e suite"')
      await page.click('#check')
      await expect.poll(() => page.locator('#output').textContent()).toMatch(/^integrity check passed/)
      expect(errors).toEqual([])
      await demo.closeBrowser()
    })
  })
}
