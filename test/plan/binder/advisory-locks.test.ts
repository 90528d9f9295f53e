/**
 * Advisory locks (engine/plan/binder/catalog-functions.ts invariants 1-3): transaction-scoped, real locks
 * between sessions, released at COMMIT/ROLLBACK; the session-level functions are 0A000 (issue #5).
 * No timing: a blocked statement is shown to be blocked by running other statements while it waits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, RustyError, type DatabaseSession } from '../../../engine/index.js'
import { rustyError as error } from '../../support/errors.js'

let db: Database
let s1: DatabaseSession
let s2: DatabaseSession

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  s1 = db.session()
  s2 = db.session()
})

afterEach(async () => {
  await db.close()
})


/** Tracks whether a promise has settled. */
function track<T>(p: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise: p }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

const one = async (s: DatabaseSession, sql: string): Promise<unknown> => Object.values((await s.query(sql)).rows[0] as object)[0]

describe('transaction-scoped advisory locks', () => {
  it('makes a second transaction wait for the key until the holder commits', async () => {
    await s1.exec('BEGIN')
    expect(await one(s1, 'SELECT pg_advisory_xact_lock(42)')).toBe('')
    await s2.exec('BEGIN')
    const waiting = track(s2.query('SELECT pg_advisory_xact_lock(42) AS v'))
    for (let i = 0; i < 5; i++) await s1.query('SELECT 1')
    expect(waiting.settled).toBe(false)
    await s1.exec('COMMIT')
    expect((await waiting.promise).rows).toEqual([{ v: '' }])
    expect(await one(s1, 'SELECT pg_try_advisory_xact_lock(42)')).toBe(false)
    await s2.exec('ROLLBACK')
    expect(await one(s1, 'SELECT pg_try_advisory_xact_lock(42)')).toBe(true)
  })

  it('releases the lock at ROLLBACK and at the end of an autocommit statement', async () => {
    await s1.exec('BEGIN')
    await s1.query('SELECT pg_advisory_xact_lock(7)')
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(7)')).toBe(false)
    await s1.exec('ROLLBACK')
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(7)')).toBe(true)
    // s2's autocommit statement took and released it
    expect(await one(s1, 'SELECT pg_try_advisory_xact_lock(7)')).toBe(true)
  })

  it('lets shared holders coexist and keeps an exclusive request out', async () => {
    await s1.exec('BEGIN')
    await s2.exec('BEGIN')
    await s1.query('SELECT pg_advisory_xact_lock_shared(5)')
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock_shared(5)')).toBe(true)
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(5)')).toBe(false)
    await s1.exec('COMMIT')
    await s2.exec('COMMIT')
    expect(await one(s1, 'SELECT pg_try_advisory_xact_lock(5)')).toBe(true)
  })

  it('keeps the bigint and the two-integer key spaces apart', async () => {
    await s1.exec('BEGIN')
    await s1.query('SELECT pg_advisory_xact_lock(1)')
    await s1.query('SELECT pg_advisory_xact_lock(-1, -2)')
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(0, 1)')).toBe(true)
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(-1, -2)')).toBe(false)
    expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(1)')).toBe(false)
    await s1.exec('COMMIT')
  })

  it('takes a fresh lock in every transaction, never through a plan cached from an earlier one', async () => {
    for (let i = 0; i < 3; i++) {
      await s1.exec('BEGIN')
      await s1.query('SELECT pg_advisory_xact_lock($1)', [9n])
      expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(9)')).toBe(false)
      await s1.exec('COMMIT')
      expect(await one(s2, 'SELECT pg_try_advisory_xact_lock(9)')).toBe(true)
    }
  })

  it('gives up after lock_timeout with 55P03', async () => {
    await s1.exec('BEGIN')
    await s1.query('SELECT pg_advisory_xact_lock(3)')
    await s2.exec("SET lock_timeout = '20ms'")
    expect((await error(s2.query('SELECT pg_advisory_xact_lock(3)'))).code).toBe('55P03')
    await s1.exec('COMMIT')
  })

  it('detects a deadlock between two advisory locks (40P01)', async () => {
    await s1.exec('BEGIN')
    await s2.exec('BEGIN')
    await s1.query('SELECT pg_advisory_xact_lock(1)')
    await s2.query('SELECT pg_advisory_xact_lock(2)')
    const first = s1.query('SELECT pg_advisory_xact_lock(2)').then(
      () => 'granted',
      (e: RustyError) => e.code,
    )
    const second = await error(s2.query('SELECT pg_advisory_xact_lock(1)'))
    expect(second.code).toBe('40P01')
    await s2.exec('ROLLBACK')
    expect(await first).toBe('granted')
    await s1.exec('COMMIT')
  })
})

describe('what is refused', () => {
  it('answers session-level advisory locks and set_config with 0A000 and a hint', async () => {
    for (const sql of ['SELECT pg_advisory_lock(1)', 'SELECT pg_try_advisory_lock(1)', 'SELECT pg_advisory_unlock(1)', 'SELECT pg_advisory_unlock_all()']) {
      const e = await error(db.query(sql))
      expect(e.code).toBe('0A000')
      expect(e.hint).toMatch(/pg_advisory_xact_lock/)
    }
    expect((await error(db.query("SELECT set_config('lock_timeout', '10', true)"))).code).toBe('0A000')
  })

  it('refuses an exclusive advisory lock in a read-only transaction with 0A000 and takes a shared one', async () => {
    await s1.exec('BEGIN READ ONLY')
    expect(await one(s1, 'SELECT pg_advisory_xact_lock_shared(4)')).toBe('')
    const e = await error(s1.query('SELECT pg_advisory_xact_lock(4)'))
    expect(e.code).toBe('0A000')
    expect(e.hint).toMatch(/_shared/)
    await s1.exec('ROLLBACK')
  })

  it('reports a missing signature as 42883', async () => {
    expect((await error(db.query("SELECT pg_advisory_xact_lock('x', 'y', 'z')"))).code).toBe('42883')
  })
})
