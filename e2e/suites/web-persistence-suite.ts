/**
 * rustydb/web in one tab: openDatabase() in a real worker, on real OPFS and real IndexedDB.
 * Behaviours: a database created and filled survives a page reload (the page never closed it: pagehide
 * releases it) on OPFS, the default, and on IndexedDB when asked; errors cross the worker as RustyErrors with
 * code and position; transactions roll back when their callback throws; a live query re-runs after commits
 * to the tables it reads and not after others.
 * Invariants checked: ARCHITECTURE.md "a committed transaction survives any crash"; web/client.ts (2).
 * Not here: several tabs (web-tabs-suite.ts), crashes (web-crash-suite.ts).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { BrowserHarness } from '../support/browser-harness.js'
import { WebTab } from '../support/web-tab.js'

/** Registers the suite against the harness `harness()` returns. */
export function webPersistenceSuite(harness: () => BrowserHarness): void {
  describe('rustydb/web persistence', () => {
    for (const storage of [undefined, 'idb'] as const) {
      const label = storage ?? 'default (opfs)'
      it(`keeps committed rows across a reload on ${label} storage`, async () => {
        const tab = await WebTab.start(harness())
        let { db, storage: chosen } = await tab.open('notes', { storage, persist: true })
        expect(chosen).toBe(storage ?? 'opfs')
        await tab.query(db, 'CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)')
        for (let i = 1; i <= 20; i++) await tab.query(db, 'INSERT INTO notes VALUES ($1, $2)', [i, `note ${i}`])
        await tab.query(db, "UPDATE notes SET body = 'changed' WHERE id = 7")
        await tab.query(db, 'DELETE FROM notes WHERE id > 15')

        await tab.reload()
        ;({ db, storage: chosen } = await tab.open('notes', {}))
        // Opened where it is, even without asking (storage-choice (1)).
        expect(chosen).toBe(storage ?? 'opfs')
        const { rows } = await tab.query(db, 'SELECT id, body FROM notes ORDER BY id')
        expect(rows).toEqual(Array.from({ length: 15 }, (_, k) => ({ id: k + 1, body: k + 1 === 7 ? 'changed' : `note ${k + 1}` })))
        expect(tab.test.errors).toEqual([])
        await tab.test.closeBrowser()
      })
    }

    for (const storage of ['opfs', 'idb'] as const) {
      it(`fails a commit past the storage quota with 53100 on ${storage}, losing nothing committed`, async () => {
        const tab = await WebTab.start(harness())
        await tab.test.overrideQuota(6 << 20)
        let { db } = await tab.open('quota', { storage })
        await tab.query(db, 'CREATE TABLE small (id int PRIMARY KEY, body text)')
        await tab.query(db, 'CREATE TABLE big (id int PRIMARY KEY, body text)')
        for (let i = 1; i <= 5; i++) await tab.query(db, 'INSERT INTO small VALUES ($1, $2)', [i, `row ${i}`])
        // About 12.8 MB of hex text in one commit: more than the whole quota.
        const error = await tab.attempt(db, 'INSERT INTO big SELECT g, repeat(md5(g::text), 2000) FROM generate_series(1, 200) g')
        expect(error).toBeInstanceOf(RustyError)
        expect((error as RustyError).code).toBe('53100')
        expect((error as RustyError).message).toMatch(/storage quota is exhausted/)
        expect((await tab.query(db, 'SELECT count(*)::int AS n FROM big')).rows).toEqual([{ n: 0 }])
        // On OPFS the truncated WAL frees its space at once: the next small commit succeeds. On IndexedDB,
        // Chromium may count the aborted write against the quota until its LevelDB compacts (usage stays above
        // the quota): small commits may keep failing, but only with 53100 and losing nothing; the database
        // stays consistent and reopens with everything committed.
        const after = await tab.attempt(db, "INSERT INTO small VALUES (6, 'after the failure')")
        if (storage === 'opfs' || !(after instanceof RustyError)) expect(after).not.toBeInstanceOf(RustyError)
        else expect(after.code).toBe('53100')
        const expected = after instanceof RustyError ? [[1], [2], [3], [4], [5]] : [[1], [2], [3], [4], [5], [6]]
        expect((await tab.query(db, 'SELECT id FROM small ORDER BY id', [], 'array')).rows).toEqual(expected)

        await tab.reload()
        ;({ db } = await tab.open('quota', { storage }))
        expect((await tab.query(db, 'SELECT id FROM small ORDER BY id', [], 'array')).rows).toEqual(expected)
        expect((await tab.query(db, 'SELECT count(*)::int AS n FROM big')).rows).toEqual([{ n: 0 }])
        await tab.test.closeBrowser()
      })
    }

    it('runs a statement for many parameter sets in one message: a 5,000-row batch in a transaction, an autocommit batch that stops at its first error, both kept across a reload', async () => {
      const tab = await WebTab.start(harness())
      let { db } = await tab.open('batch')
      await tab.query(db, 'CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)')
      const rows = Array.from({ length: 5000 }, (_, i) => [i, `item ${i}`])
      const counts = await tab.batch(db, 'INSERT INTO items VALUES ($1, $2)', rows, true)
      expect(counts.length).toBe(5000)
      expect(counts.every((n) => n === 1)).toBe(true)
      let failure: unknown
      try {
        await tab.batch(db, 'INSERT INTO items VALUES ($1, $2)', [[9000, 'a'], [9001, 'b'], [0, 'duplicate'], [9002, 'c']])
      } catch (e) {
        failure = e
      }
      expect(failure).toBeInstanceOf(RustyError)
      expect((failure as RustyError).code).toBe('23505')
      await tab.reload()
      ;({ db } = await tab.open('batch'))
      const { rows: got } = await tab.query(db, 'SELECT count(*)::int AS n, max(id) AS top FROM items')
      // The runs before the error committed (autocommit); the one after it never ran.
      expect(got).toEqual([{ n: 5002, top: 9001 }])
      expect(tab.test.errors).toEqual([])
      await tab.test.closeBrowser()
    })

    it('rebuilds engine errors on the page with their SQLSTATE and position, and rolls back failed transactions', async () => {
      const tab = await WebTab.start(harness())
      const { db } = await tab.open('errors', { storage: 'memory' })
      const syntax = await tab.attempt(db, 'SELECT * FROM')
      expect(syntax).toBeInstanceOf(RustyError)
      expect((syntax as RustyError).code).toBe('42601')
      expect((syntax as RustyError).position).toBeGreaterThan(0)
      const missing = await tab.attempt(db, 'SELECT * FROM nowhere')
      expect((missing as RustyError).code).toBe('42P01')
      expect((missing as RustyError).message).toMatch(/relation "nowhere" does not exist/)

      await tab.query(db, 'CREATE TABLE t (id int PRIMARY KEY)')
      const duplicate = await tab.test.page.evaluate(async (d) => {
        const t = window.rustyWeb
        await t.query(d, 'INSERT INTO t VALUES (1)')
        return t.query(d, 'INSERT INTO t VALUES (1)')
      }, db)
      expect(duplicate.ok).toBe(false)
      if (!duplicate.ok) expect(duplicate.error.code).toBe('23505')
      // A transaction whose third INSERT fails commits none of its rows.
      await tab.query(db, 'CREATE TABLE w (tab text, i int, v text, PRIMARY KEY (tab, i))')
      await tab.query(db, "INSERT INTO w VALUES ('x', 2, 'first')")
      const work = await tab.startWorkload(db, { table: 'w', tab: 'x', from: 0, count: 3, batch: 3 })
      const report = await tab.awaitWorkload(work)
      expect(report.failed.map((f) => f.code)).toEqual(['23505', '23505', '23505'])
      expect((await tab.query(db, 'SELECT i, v FROM w ORDER BY i')).rows).toEqual([{ i: 2, v: 'first' }])
      expect((await tab.query(db, 'SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1 }])
      await tab.test.closeBrowser()
    })

    it('re-runs a live query after commits to the tables it reads, not after others, and stops when unsubscribed', async () => {
      const tab = await WebTab.start(harness())
      const { db } = await tab.open('live', { storage: 'memory' })
      await tab.query(db, 'CREATE TABLE items (id int PRIMARY KEY, qty int); CREATE TABLE other (id int PRIMARY KEY)')
      const live = await tab.live(db, 'SELECT count(*)::int AS n, coalesce(sum(qty), 0)::int AS total FROM items WHERE id IN (SELECT id FROM items)')
      await expect.poll(async () => (await tab.liveReport(live)).calls).toBe(1)
      await tab.query(db, 'INSERT INTO items VALUES (1, 5), (2, 7)')
      await expect.poll(async () => (await tab.liveReport(live)).last?.rows).toEqual([{ n: 2, total: 12 }])
      const calls = (await tab.liveReport(live)).calls
      await tab.query(db, 'INSERT INTO other VALUES (1)')
      // A commit to an unrelated table: a later commit to items is the next run, nothing in between.
      await tab.query(db, 'UPDATE items SET qty = 1 WHERE id = 1')
      await expect.poll(async () => (await tab.liveReport(live)).last?.rows).toEqual([{ n: 2, total: 8 }])
      expect((await tab.liveReport(live)).calls).toBe(calls + 1)
      await tab.test.page.evaluate((l) => window.rustyWeb.stopLive(l), live)
      await tab.query(db, 'DELETE FROM items')
      await tab.query(db, 'SELECT 1')
      expect((await tab.liveReport(live)).last?.rows).toEqual([{ n: 2, total: 8 }])
      expect((await tab.liveReport(live)).errors).toEqual([])
      await tab.test.closeBrowser()
    })
  })
}
