/**
 * rustydb/web across tabs and crashes: two pages of one browser context (same origin, same OPFS), real
 * workers, real Web Locks, real tab closes and worker terminations.
 * Behaviours: two tabs insert 1,000 rows each concurrently in transactions, both see all 2,000 and each tab's
 * live query saw the other's rows; the leader tab closes mid-workload and the other tab takes over, carries
 * on, and loses no acknowledged commit (statements in flight fail with 08007, never hang); db.close() in the leader tab hands over without a failed statement; a follower tab closed mid-transaction leaves no row lock behind; a follower's
 * transaction lost with its leader is refused and its COMMIT fails, committing nothing; a worker killed in the
 * middle of commits reopens to a database with every acknowledged commit; ten quick reloads never meet a held
 * file handle or lock.
 * Invariants checked: web/coordinator.ts (1)..(4), web/client.ts (5), ARCHITECTURE.md "a committed transaction
 * survives any crash".
 * Not here: single-tab behaviour (web-persistence-suite.ts).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { BrowserHarness } from '../support/browser-harness.js'
import { WebTab } from '../support/web-tab.js'

const TABLE = 'CREATE TABLE IF NOT EXISTS t (tab text, i int, v text, PRIMARY KEY (tab, i))'

/** The keys of `tab` in table t, in order. */
async function keysOf(tab: WebTab, db: number, name: string): Promise<number[]> {
  const { rows } = await tab.query(db, 'SELECT i FROM t WHERE tab = $1 ORDER BY i', [name], 'array')
  return (rows as [number][]).map((r) => r[0])
}

/** Every row's value matches its key (no torn or mixed-up rows). */
async function expectConsistentRows(tab: WebTab, db: number): Promise<void> {
  const { rows } = await tab.query(db, "SELECT count(*)::int AS n FROM t WHERE v <> 'v' || i")
  expect(rows).toEqual([{ n: 0 }])
}

/** Registers the suite against the harness `harness()` returns. */
export function webTabsSuite(harness: () => BrowserHarness): void {
  describe('rustydb/web tabs', () => {
    it('two tabs insert 1,000 rows each concurrently in transactions; both see all 2,000 and each live query saw the other tab', async () => {
      const a = await WebTab.start(harness())
      const b = await a.sibling()
      const dbA = await a.open('shared')
      const dbB = await b.open('shared')
      expect([dbA.role, dbB.role]).toEqual(['leader', 'follower'])
      expect([dbA.storage, dbB.storage]).toEqual(['opfs', 'opfs'])
      await a.query(dbA.db, TABLE)
      const liveSql = 'SELECT tab, count(*)::int AS n FROM t GROUP BY tab ORDER BY tab'
      const liveA = await a.live(dbA.db, liveSql)
      const liveB = await b.live(dbB.db, liveSql)

      const spec = { table: 't', from: 0, count: 1000, batch: 10 }
      const [workA, workB] = [await a.startWorkload(dbA.db, { ...spec, tab: 'a' }), await b.startWorkload(dbB.db, { ...spec, tab: 'b' })]
      const [reportA, reportB] = await Promise.all([a.awaitWorkload(workA), b.awaitWorkload(workB)])
      expect(reportA.failed).toEqual([])
      expect(reportB.failed).toEqual([])
      console.log(`two tabs: 100 transactions of 10 rows each per tab, leader ${reportA.ms.toFixed(0)} ms, follower ${reportB.ms.toFixed(0)} ms`)

      const all = Array.from({ length: 1000 }, (_, i) => i)
      for (const [tab, db] of [[a, dbA.db], [b, dbB.db]] as const) {
        expect(await keysOf(tab, db, 'a')).toEqual(all)
        expect(await keysOf(tab, db, 'b')).toEqual(all)
        await expectConsistentRows(tab, db)
      }
      const both = [{ tab: 'a', n: 1000 }, { tab: 'b', n: 1000 }]
      await expect.poll(async () => (await a.liveReport(liveA)).last?.rows, { timeout: 10_000 }).toEqual(both)
      await expect.poll(async () => (await b.liveReport(liveB)).last?.rows, { timeout: 10_000 }).toEqual(both)
      for (const [tab, live] of [[a, liveA], [b, liveB]] as const) {
        const report = await tab.liveReport(live)
        expect(report.errors).toEqual([])
        // Re-runs are coalesced (live-query (2)) but there was more than the first run and the last one.
        expect(report.calls).toBeGreaterThan(2)
      }
      expect([...a.test.errors, ...b.test.errors]).toEqual([])
      await a.test.closeBrowser()
    })

    it('the leader tab closes mid-workload: the other tab takes over and carries on, losing no acknowledged commit', async () => {
      const a = await WebTab.start(harness())
      const b = await a.sibling()
      const dbA = await a.open('handover')
      const dbB = await b.open('handover')
      expect(dbA.role).toBe('leader')
      await a.query(dbA.db, TABLE)
      const liveB = await b.live(dbB.db, "SELECT count(*)::int AS n FROM t WHERE tab = 'b'")
      const workB = await b.startWorkload(dbB.db, { table: 't', tab: 'b', from: 0, count: 1500, batch: 1, autocommit: true, concurrency: 4 })
      const workA = await a.startWorkload(dbA.db, { table: 't', tab: 'a', from: 0, count: 100_000, batch: 5 })
      await expect.poll(async () => (await b.workload(workB)).acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(300)
      const ackedByA = (await a.workload(workA)).acknowledged
      const closedAt = Date.now()
      await a.test.page.close()

      const report = await b.awaitWorkload(workB)
      expect(report.done).toBe(true)
      expect(await b.info(dbB.db)).toEqual({ role: 'leader', storage: 'opfs' })
      // In flight when the leader went: 08007 (outcome unknown), nothing else, and only a few of them.
      for (const failed of report.failed) expect(failed.code, failed.message).toBe('08007')
      expect(report.failed.length).toBeLessThanOrEqual(4)
      expect(report.acknowledged.length + report.failed.length).toBe(1500)
      const keys = new Set(await keysOf(b, dbB.db, 'b'))
      for (const key of report.acknowledged) expect(keys.has(key), `acknowledged key b/${key}`).toBe(true)
      const keysA = new Set(await keysOf(b, dbB.db, 'a'))
      for (const key of ackedByA) expect(keysA.has(key), `acknowledged key a/${key}`).toBe(true)
      await expectConsistentRows(b, dbB.db)
      // The takeover was quick: the workload went on (new leader open and first statements) within a second or two.
      console.log(`leader closed: follower finished ${Date.now() - closedAt} ms later, ${report.failed.length} statements in flight failed with 08007`)
      await expect.poll(async () => (await b.liveReport(liveB)).last?.rows).toEqual([{ n: keys.size }])
      expect(b.test.errors.filter((e) => /NoModificationAllowed/.test(e))).toEqual([])
      await b.test.closeBrowser()
    })

    it('db.close() in the leader tab hands the database over: the other tab carries on without a failed statement', async () => {
      const a = await WebTab.start(harness())
      const b = await a.sibling()
      const dbA = await a.open('graceful')
      const dbB = await b.open('graceful')
      await a.query(dbA.db, TABLE)
      const work = await b.startWorkload(dbB.db, { table: 't', tab: 'b', from: 0, count: 600, batch: 1, autocommit: true, concurrency: 4 })
      await expect.poll(async () => (await b.workload(work)).acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(150)
      await a.close(dbA.db)
      const report = await b.awaitWorkload(work)
      // A closing leader finishes what it runs and redirects the rest (protocol (4)): nothing fails.
      expect(report.failed).toEqual([])
      expect(await b.info(dbB.db)).toEqual({ role: 'leader', storage: 'opfs' })
      expect(await keysOf(b, dbB.db, 'b')).toEqual(Array.from({ length: 600 }, (_, i) => i))
      // The closed tab can open it again, now as a follower.
      const again = await a.open('graceful')
      expect(again.role).toBe('follower')
      expect((await a.query(again.db, 'SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 600 }])
      await a.test.closeBrowser()
    })

    it("a follower's transaction lost with its leader is refused (08006), its COMMIT fails, and nothing of it is committed", async () => {
      const a = await WebTab.start(harness())
      const b = await a.sibling()
      const dbA = await a.open('lost')
      const dbB = await b.open('lost')
      await a.query(dbA.db, TABLE)
      const session = await b.openTransaction(dbB.db, 't', 'b', 1)
      await a.test.page.close()
      await expect.poll(async () => (await b.info(dbB.db)).role, { timeout: 10_000 }).toBe('leader')
      const refused = await b.sessionQuery(session, "INSERT INTO t VALUES ('b', 2, 'v2')")
      expect(refused).toBeInstanceOf(RustyError)
      expect((refused as RustyError).code).toBe('08006')
      const commit = await b.sessionQuery(session, 'COMMIT')
      expect((commit as RustyError).code).toBe('08006')
      // The block ended with that COMMIT; the session goes on with the new leader.
      expect(await b.sessionQuery(session, 'SELECT count(*)::int AS n FROM t')).toMatchObject({ rows: [{ n: 0 }] })
      expect(await keysOf(b, dbB.db, 'b')).toEqual([])
      await b.test.closeBrowser()
    })

    it('a follower tab that closes in the middle of a transaction releases its row locks: the leader tab is not blocked', async () => {
      const a = await WebTab.start(harness())
      const b = await a.sibling()
      const dbA = await a.open('orphan')
      const dbB = await b.open('orphan')
      await a.query(dbA.db, TABLE)
      await b.openTransaction(dbB.db, 't', 'x', 1)
      await b.test.page.close()
      // The same key: it waits for B's row lock until the leader sees B's worker gone and rolls B back.
      await a.query(dbA.db, "INSERT INTO t VALUES ('x', 1, 'from a')")
      expect((await a.query(dbA.db, "SELECT v FROM t WHERE tab = 'x'")).rows).toEqual([{ v: 'from a' }])
      await a.test.closeBrowser()
    })

    it('a worker killed in the middle of commits reopens with every acknowledged commit', async () => {
      const tab = await WebTab.start(harness())
      let { db } = await tab.open('crash')
      await tab.query(db, TABLE)
      const work = await tab.startWorkload(db, { table: 't', tab: 'c', from: 0, count: 5000, batch: 1, autocommit: true, concurrency: 8 })
      await expect.poll(async () => (await tab.workload(work)).acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(200)
      await tab.terminate(db)
      const report = await tab.awaitWorkload(work)
      expect(report.acknowledged.length).toBeLessThan(5000)
      for (const failed of report.failed) expect(failed.code, failed.message).toBe('08006')

      ;({ db } = await tab.open('crash'))
      const keys = await keysOf(tab, db, 'c')
      const present = new Set(keys)
      for (const key of report.acknowledged) expect(present.has(key), `acknowledged key c/${key}`).toBe(true)
      // Nothing that was never sent, and at most the statements that were in flight besides the acknowledged.
      expect(keys.length).toBeLessThanOrEqual(report.acknowledged.length + 8)
      await expectConsistentRows(tab, db)
      await tab.query(db, "INSERT INTO t VALUES ('c', 100000, 'v100000')")
      expect((await tab.query(db, "SELECT count(*)::int AS n FROM t WHERE tab = 'c'")).rows).toEqual([{ n: keys.length + 1 }])
      await tab.test.closeBrowser()
    })

    it('ten quick reloads in a row: every open succeeds, no NoModificationAllowedError, no stuck lock', async () => {
      const tab = await WebTab.start(harness())
      const opens: number[] = []
      for (let round = 0; round < 10; round++) {
        const { db, role, ms } = await tab.open('reloads')
        opens.push(Math.round(ms))
        expect(role).toBe('leader')
        await tab.query(db, TABLE)
        await tab.query(db, 'INSERT INTO t VALUES ($1, $2, $3)', ['r', round, `v${round}`])
        expect(await keysOf(tab, db, 'r')).toEqual(Array.from({ length: round + 1 }, (_, i) => i))
        await tab.reload()
      }
      const { db, ms } = await tab.open('reloads')
      opens.push(Math.round(ms))
      console.log(`openDatabase after each reload (ms): ${opens.join(', ')}`)
      expect(await keysOf(tab, db, 'r')).toEqual(Array.from({ length: 10 }, (_, i) => i))
      expect(tab.test.errors.filter((e) => /NoModificationAllowed|lock/i.test(e))).toEqual([])
      await tab.test.closeBrowser()
    })
  })
}
