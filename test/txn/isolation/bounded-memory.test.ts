/**
 * Memory stays bounded under a long mixed workload (issue #4): what the engine keeps for concurrency (the
 * conflict log of recent commits, the KvStore's version store of old row versions, the lock table, the
 * active transactions) is held only while a snapshot needs it, and is empty once every session is idle.
 *
 * The workload: 8 writer sessions at mixed levels commit 5,000 small transactions (updates, inserts,
 * deletes; some roll back, some sessions are closed in the middle of a transaction and replaced, some hit
 * 40001/40P01/23505), while long-running REPEATABLE READ / SERIALIZABLE readers open, hold their snapshot over
 * hundreds of commits, and end by COMMIT or by closing their session.
 * Invariants checked:
 *   (1) While a long reader is open the conflict log and the version store grow (they keep what its snapshot
 *       needs), and the reader's reads repeat.
 *   (2) Some commits after the last long reader ended, both are back to a size bounded by the short
 *       transactions in flight, far below the commits of the run.
 *   (3) With every session idle: no conflict-log entry, no lock, no active transaction, no open snapshot, no
 *       old version.
 *   (4) A READ COMMITTED transaction idle between statements holds nothing back (as in PostgreSQL).
 * The counters come from db.stats().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, RustyError, type DatabaseSession } from '../../../engine/index.js'
import { rng } from '../../support/rng.js'
import { describeError, retryable, rowsOf, within } from '../support-sessions.js'

const COMMITS = 5_000
const WRITERS = 8
const ROWS = 300
/** A long reader holds its snapshot over this many commits. */
const HOLD = 400
/** Bound of invariant (2): far below COMMITS, far above what short transactions keep. */
const SMALL = 50

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec('CREATE TABLE kv (id int PRIMARY KEY, value int NOT NULL, pad text)')
  await db.exec(`INSERT INTO kv SELECT g, g, repeat('x', 40) FROM generate_series(1, ${ROWS}) AS g`)
})

afterEach(async () => {
  await within(db.close(), 'closing the database')
})

interface Counters {
  conflictLog: number
  versionBatches: number
  versionBytes: number
  locks: number
  active: number
  snapshots: number
}

function counters(): Counters {
  const stats = db.stats()
  return {
    conflictLog: stats.conflictLogCommits,
    versionBatches: stats.storage.versionBatches,
    versionBytes: stats.storage.versionBytes,
    locks: stats.lockedResources,
    active: stats.activeTransactions,
    snapshots: stats.storage.openSnapshots,
  }
}

describe('memory under a long mixed workload', () => {
  it('the conflict log, version store, lock table and active transactions empty out once sessions are idle', async () => {
    const r = rng(2024)
    let commits = 0
    let nextId = ROWS + 1
    let stop = false
    const outcomes: Record<string, number> = {}
    /** Resolvers waiting for the commit count to reach a value (microtask-only, like the engine). */
    const waiters: { at: number; resolve: () => void }[] = []
    const committed = (): void => {
      commits++
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (commits >= waiters[i].at) {
          waiters[i].resolve()
          waiters.splice(i, 1)
        }
      }
    }
    const untilCommits = (at: number): Promise<void> => (commits >= at || stop ? Promise.resolve() : new Promise((resolve) => waiters.push({ at, resolve })))

    const writer = async (): Promise<void> => {
      let s: DatabaseSession = db.session()
      try {
        while (!stop) {
          const level = ['read committed', 'repeatable read', 'serializable'][Math.floor(r() * 3)]
          try {
            await s.exec(`BEGIN ISOLATION LEVEL ${level}`)
            const n = 1 + Math.floor(r() * 3)
            for (let i = 0; i < n; i++) {
              const roll = r()
              const id = 1 + Math.floor(r() * (nextId - 1))
              if (roll < 0.6) await s.query('UPDATE kv SET value = value + 1 WHERE id = $1', [id])
              else if (roll < 0.8) await s.query("INSERT INTO kv VALUES ($1, 0, 'y')", [r() < 0.9 ? nextId++ : id])
              else await s.query('DELETE FROM kv WHERE id = $1', [id])
            }
            const end = r()
            if (end < 0.02) {
              // Abandoned: the session goes away in the middle of its transaction.
              await s.close()
              s = db.session()
              outcomes.abandoned = (outcomes.abandoned ?? 0) + 1
            } else if (end < 0.07) {
              await s.exec('ROLLBACK')
              outcomes.rollback = (outcomes.rollback ?? 0) + 1
            } else {
              await s.exec('COMMIT')
              committed()
            }
          } catch (error) {
            const code = error instanceof RustyError ? error.code : ''
            if (!retryable(error) && code !== '23505') throw new Error(describeError(error), { cause: error })
            outcomes[code] = (outcomes[code] ?? 0) + 1
            if (s.status !== 'idle') await s.exec('ROLLBACK')
          }
          if (commits >= COMMITS) stop = true
        }
      } finally {
        await s.close()
      }
    }

    const peaks = { whileHeld: { conflictLog: 0, versionBatches: 0 }, afterReaders: [] as Counters[] }
    const reader = async (start: number, level: string, endByClose: boolean, sampleAfter: boolean): Promise<void> => {
      await untilCommits(start)
      if (stop) return
      const s = db.session()
      await s.exec(`BEGIN ISOLATION LEVEL ${level}`)
      const first = await rowsOf(s, 'SELECT count(*), sum(value) FROM kv')
      await untilCommits(start + HOLD)
      const c = counters()
      peaks.whileHeld.conflictLog = Math.max(peaks.whileHeld.conflictLog, c.conflictLog)
      peaks.whileHeld.versionBatches = Math.max(peaks.whileHeld.versionBatches, c.versionBatches)
      expect(await rowsOf(s, 'SELECT count(*), sum(value) FROM kv'), 'a long reader reads the same table').toEqual(first)
      if (endByClose) await s.close()
      else {
        await s.exec('COMMIT')
        await s.close()
      }
      // Invariant (2): the second reader of a pair ends last; 100 commits later no long reader is open.
      if (!sampleAfter) return
      await untilCommits(start + HOLD + 100)
      if (!stop) peaks.afterReaders.push(counters())
    }

    const readers: Promise<void>[] = []
    for (let k = 0; k < 8; k++) {
      // Pairs: the second reader starts 150 commits after the first (they overlap), and the next pair starts
      // 300 commits after the second ended.
      const base = 200 + Math.floor(k / 2) * (HOLD + 450) + (k % 2) * 150
      readers.push(reader(base, k % 3 === 0 ? 'serializable' : 'repeatable read', k % 4 === 1, k % 2 === 1))
    }
    const writers = Array.from({ length: WRITERS }, () => writer())
    const all = Promise.all([...writers, ...readers]).finally(() => {
      stop = true
      for (const w of waiters.splice(0)) w.resolve()
    })
    await within(all, 'the workload', 90_000)

    expect(commits).toBeGreaterThanOrEqual(COMMITS)
    expect(outcomes.abandoned ?? 0, 'sessions closed inside a transaction').toBeGreaterThan(10)
    expect((outcomes['40001'] ?? 0) + (outcomes['40P01'] ?? 0), 'conflicts met').toBeGreaterThan(10)

    // (1) Retention is real: a reader's snapshot kept hundreds of commits.
    expect(peaks.whileHeld.conflictLog, 'conflict log while a long reader was open').toBeGreaterThan(HOLD / 2)
    expect(peaks.whileHeld.versionBatches, 'old versions while a long reader was open').toBeGreaterThan(HOLD / 2)
    // (2) And it goes again.
    expect(peaks.afterReaders.length).toBeGreaterThan(0)
    for (const c of peaks.afterReaders) {
      expect(c.conflictLog, 'conflict log once long readers ended').toBeLessThan(SMALL)
      expect(c.versionBatches, 'old versions once long readers ended').toBeLessThan(SMALL)
    }
    // (3) Idle: nothing left.
    expect(db.stats().sessions, 'only the default session is open').toBe(1)
    expect(counters()).toEqual({ conflictLog: 0, versionBatches: 0, versionBytes: 0, locks: 0, active: 0, snapshots: 0 })
  })

  it('an idle READ COMMITTED reader between statements keeps no old versions or conflict-log entries', async () => {
    const idle = db.session()
    await idle.exec('BEGIN ISOLATION LEVEL READ COMMITTED')
    await rowsOf(idle, 'SELECT count(*) FROM kv')
    for (let i = 0; i < 500; i++) await db.exec('UPDATE kv SET value = value + 1 WHERE id = $1', [1 + (i % ROWS)])
    const c = counters()
    expect(c.versionBatches, 'old versions kept for an idle read committed transaction').toBeLessThan(SMALL)
    expect(c.conflictLog, 'conflict-log entries kept for an idle read committed transaction').toBeLessThan(SMALL)
    await idle.exec('COMMIT')
    await idle.close()
  })
})
