/**
 * Lock waits between sessions (issue #4): deadlock detection (40P01: the waiter that closes the cycle is the
 * victim and the message names the other transactions; the survivor goes on), lock_timeout (55P03),
 * statement_timeout while waiting (57014), and what a closed session leaves behind (its open transaction is
 * rolled back and its locks released). Each failed wait aborts the transaction, as in PostgreSQL: later
 * statements get 25P02 until ROLLBACK.
 * No timing assertions (STYLE.md): timeouts are checked by their SQLSTATE, never by how long they took.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, MemoryAdapter, type DatabaseSession } from '../../../engine/index.js'
import { blocked, expectSqlState, rowsOf, sleep, watch, within } from '../support-sessions.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec('CREATE TABLE test (id int PRIMARY KEY, value int); INSERT INTO test VALUES (1, 10), (2, 20), (3, 30)')
})

afterEach(async () => {
  await within(db.close(), 'closing the database')
})

async function begin(level = 'read committed'): Promise<DatabaseSession> {
  const s = db.session()
  await s.exec(`BEGIN ISOLATION LEVEL ${level}`)
  return s
}

async function table(): Promise<unknown[][]> {
  return rowsOf(db, 'SELECT id, value FROM test ORDER BY id')
}

describe('deadlocks', () => {
  for (const level of ['read committed', 'repeatable read', 'serializable']) {
    it(`${level}: the update that closes a cycle fails with 40P01 naming the other transaction, and the other proceeds`, async () => {
      const t1 = await begin(level)
      const t2 = await begin(level)
      await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
      await t2.exec('UPDATE test SET value = 22 WHERE id = 2')
      const waiting = watch(t1.query('UPDATE test SET value = 12 WHERE id = 2'))
      expect(await blocked(waiting), 'T1 waits for T2').toBe(true)
      const e = await expectSqlState(t2.query('UPDATE test SET value = 21 WHERE id = 1'), '40P01', 'T2 closing the cycle')
      expect(e.message).toMatch(/^deadlock detected/)
      expect(e.message).toContain(`transaction ${t1.transactionId}`)
      expect(t2.status, 'the victim is aborted').toBe('failed')
      await expectSqlState(t2.query('SELECT 1'), '25P02')
      expect(await blocked(waiting), 'T1 waits until the victim rolls back').toBe(true)
      await t2.exec('ROLLBACK')
      await within(waiting.promise, "T1's update")
      await t1.exec('COMMIT')
      expect(await table()).toEqual([
        [1, 11],
        [2, 12],
        [3, 30],
      ])
      await t1.close()
      await t2.close()
    })
  }

  it('a cycle of three: the third waiter is the victim, named with both others', async () => {
    const [t1, t2, t3] = [await begin(), await begin(), await begin()]
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    await t2.exec('UPDATE test SET value = 22 WHERE id = 2')
    await t3.exec('UPDATE test SET value = 33 WHERE id = 3')
    const w1 = watch(t1.query('UPDATE test SET value = 12 WHERE id = 2'))
    const w2 = watch(t2.query('UPDATE test SET value = 23 WHERE id = 3'))
    expect(await blocked(w1)).toBe(true)
    expect(await blocked(w2)).toBe(true)
    const e = await expectSqlState(t3.query('UPDATE test SET value = 31 WHERE id = 1'), '40P01', 'T3 closing the cycle')
    expect(e.message).toContain(`transaction ${t1.transactionId}`)
    expect(e.message).toContain(`transaction ${t2.transactionId}`)
    await t3.exec('ROLLBACK')
    await within(w2.promise, "T2's update")
    await t2.exec('COMMIT')
    await within(w1.promise, "T1's update")
    await t1.exec('COMMIT')
    expect(await table()).toEqual([
      [1, 11],
      [2, 12],
      [3, 23],
    ])
    for (const s of [t1, t2, t3]) await s.close()
  })

  it('two inserts of each other\'s keys deadlock on the unique keys', async () => {
    const t1 = await begin()
    const t2 = await begin()
    await t1.exec('INSERT INTO test VALUES (4, 40)')
    await t2.exec('INSERT INTO test VALUES (5, 50)')
    const waiting = watch(t1.query('INSERT INTO test VALUES (5, 51)'))
    expect(await blocked(waiting)).toBe(true)
    await expectSqlState(t2.query('INSERT INTO test VALUES (4, 41)'), '40P01')
    await t2.exec('ROLLBACK')
    await within(waiting.promise, "T1's insert")
    await t1.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT id, value FROM test WHERE id > 3 ORDER BY id')).toEqual([
      [4, 40],
      [5, 51],
    ])
    await t1.close()
    await t2.close()
  })

  it('a deadlock victim can retry its transaction and commit once the survivor is done', async () => {
    const t1 = await begin()
    const t2 = await begin()
    await t1.exec('UPDATE test SET value = value + 1 WHERE id = 1')
    await t2.exec('UPDATE test SET value = value + 1 WHERE id = 2')
    const waiting = watch(t1.query('UPDATE test SET value = value + 1 WHERE id = 2'))
    expect(await blocked(waiting)).toBe(true)
    await expectSqlState(t2.query('UPDATE test SET value = value + 1 WHERE id = 1'), '40P01')
    await t2.exec('ROLLBACK')
    await within(waiting.promise, "T1's update")
    await t2.exec('BEGIN')
    const retry = watch(t2.query('UPDATE test SET value = value + 1 WHERE id = 2'))
    expect(await blocked(retry), 'the retry waits for T1').toBe(true)
    await t1.exec('COMMIT')
    await within(retry.promise, "T2's retry")
    await t2.exec('UPDATE test SET value = value + 1 WHERE id = 1')
    await t2.exec('COMMIT')
    expect(await table()).toEqual([
      [1, 12],
      [2, 22],
      [3, 30],
    ])
    await t1.close()
    await t2.close()
  })
})

describe('savepoints', () => {
  it('ROLLBACK TO SAVEPOINT releases the row locks taken after the savepoint and keeps the earlier ones', async () => {
    // PostgreSQL 13.3: "if a lock is acquired after establishing a savepoint, the lock is released
    // immediately if the savepoint is rolled back to".
    const t1 = await begin()
    await t1.exec('UPDATE test SET value = 21 WHERE id = 2')
    await t1.exec('SAVEPOINT s')
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    await t1.exec('DELETE FROM test WHERE id = 3')
    await t1.exec('ROLLBACK TO SAVEPOINT s')
    const t2 = await begin()
    await within(t2.exec('UPDATE test SET value = 12 WHERE id = 1'), 'update of a row unlocked by the rollback to savepoint')
    await within(t2.exec('UPDATE test SET value = 32 WHERE id = 3'), 'update of a row unlocked by the rollback to savepoint')
    const kept = watch(t2.query('UPDATE test SET value = 22 WHERE id = 2'))
    expect(await blocked(kept), 'the lock taken before the savepoint is held').toBe(true)
    await t1.exec('COMMIT')
    await within(kept.promise, "T2's update of row 2")
    await t2.exec('COMMIT')
    expect(await table()).toEqual([
      [1, 12],
      [2, 22],
      [3, 32],
    ])
    await t1.close()
    await t2.close()
  })
})

describe('lock_timeout', () => {
  it('a wait longer than lock_timeout fails with 55P03 and aborts only the waiting transaction', async () => {
    const t1 = await begin()
    const t2 = db.session()
    await t2.exec('SET lock_timeout = 50')
    await t2.exec('BEGIN')
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    const e = await expectSqlState(t2.query('UPDATE test SET value = 12 WHERE id = 1'), '55P03')
    expect(e.message).toMatch(/lock timeout/)
    expect(t2.status).toBe('failed')
    await expectSqlState(t2.query('SELECT 1'), '25P02')
    await t2.exec('ROLLBACK')
    await t1.exec('UPDATE test SET value = 111 WHERE id = 1')
    await t1.exec('COMMIT')
    await t2.exec('UPDATE test SET value = value + 1 WHERE id = 1')
    expect(await table()).toEqual([
      [1, 112],
      [2, 20],
      [3, 30],
    ])
    await t1.close()
    await t2.close()
  })

  it("lock_timeout accepts units ('75ms') and applies to autocommit statements", async () => {
    const t1 = await begin()
    const t2 = db.session()
    await t2.exec("SET lock_timeout = '75ms'")
    await t1.exec('DELETE FROM test WHERE id = 3')
    await expectSqlState(t2.query('UPDATE test SET value = 0 WHERE id = 3'), '55P03')
    expect(t2.status, 'an autocommit statement leaves no transaction behind').toBe('idle')
    await t1.exec('ROLLBACK')
    await t2.exec('UPDATE test SET value = 0 WHERE id = 3')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[0]])
    await t1.close()
    await t2.close()
  })

  it('lock_timeout = 0 waits for as long as it takes', async () => {
    const t1 = await begin()
    const t2 = db.session()
    await t2.exec('SET lock_timeout = 0')
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    const waiting = watch(t2.query('UPDATE test SET value = 12 WHERE id = 1'))
    await sleep(150)
    expect(waiting.settled, 'still waiting').toBe(false)
    await t1.exec('COMMIT')
    await within(waiting.promise, "T2's update")
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 1')).toEqual([[12]])
    await t1.close()
    await t2.close()
  })
})

describe('statement_timeout', () => {
  it('a statement waiting for a lock past statement_timeout fails with 57014', async () => {
    const t1 = await begin()
    const t2 = db.session()
    await t2.exec('SET statement_timeout = 50')
    await t2.exec('BEGIN')
    await t1.exec('UPDATE test SET value = 11 WHERE id = 2')
    const e = await expectSqlState(t2.query('DELETE FROM test WHERE id = 2'), '57014')
    expect(e.message).toBe('canceling statement due to statement timeout')
    expect(t2.status).toBe('failed')
    await t2.exec('ROLLBACK')
    await t1.exec('COMMIT')
    expect(await table()).toEqual([
      [1, 10],
      [2, 11],
      [3, 30],
    ])
    await t1.close()
    await t2.close()
  })

  it('the shorter of lock_timeout and statement_timeout decides the error', async () => {
    const t1 = await begin()
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    const byStatement = db.session()
    await byStatement.exec("SET lock_timeout = '10s'; SET statement_timeout = 40")
    await expectSqlState(byStatement.query('UPDATE test SET value = 0 WHERE id = 1'), '57014')
    const byLock = db.session()
    await byLock.exec("SET lock_timeout = 40; SET statement_timeout = '10s'")
    await expectSqlState(byLock.query('UPDATE test SET value = 0 WHERE id = 1'), '55P03')
    await t1.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 1')).toEqual([[11]])
    for (const s of [t1, byStatement, byLock]) await s.close()
  })

  it('a wait that ends within statement_timeout lets the statement finish', async () => {
    const t1 = await begin()
    const t2 = db.session()
    await t2.exec("SET statement_timeout = '10s'")
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    const waiting = watch(t2.query('UPDATE test SET value = value + 1 WHERE id = 1'))
    expect(await blocked(waiting)).toBe(true)
    await t1.exec('COMMIT')
    await within(waiting.promise, "T2's update")
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 1')).toEqual([[12]])
    await t1.close()
    await t2.close()
  })
})

describe('closed sessions', () => {
  it("closing a session rolls back its open transaction and releases its locks to the waiter", async () => {
    const t1 = await begin()
    await t1.exec('UPDATE test SET value = 11 WHERE id = 1')
    await t1.exec('INSERT INTO test VALUES (4, 40)')
    const t2 = await begin()
    const waiting = watch(t2.query('UPDATE test SET value = value + 1 WHERE id = 1 RETURNING value', [], { rowMode: 'array' }))
    expect(await blocked(waiting)).toBe(true)
    await within(t1.close(), 'closing T1')
    const r = await within(waiting.promise, "T2's update")
    expect(r.rows, 'T2 updated the old value: T1 was rolled back').toEqual([[11]])
    await t2.exec('INSERT INTO test VALUES (4, 41)')
    await t2.exec('COMMIT')
    expect(await table()).toEqual([
      [1, 11],
      [2, 20],
      [3, 30],
      [4, 41],
    ])
    await t2.close()
  })

  it('after a session closes, its rows and keys can be locked at once', async () => {
    const t1 = await begin('serializable')
    await t1.exec('DELETE FROM test WHERE id = 2')
    await t1.exec('INSERT INTO test VALUES (9, 90)')
    await within(t1.close(), 'closing T1')
    const t2 = db.session()
    await t2.exec('SET lock_timeout = 1')
    await t2.exec('BEGIN')
    await t2.exec('UPDATE test SET value = 21 WHERE id = 2')
    await t2.exec('INSERT INTO test VALUES (9, 91)')
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT id, value FROM test WHERE id IN (2, 9) ORDER BY id')).toEqual([
      [2, 21],
      [9, 91],
    ])
    await t2.close()
  })

  it('a closed session refuses statements with 55000', async () => {
    const s = db.session()
    await s.close()
    await expect(s.query('SELECT 1')).rejects.toMatchObject({ code: '55000' })
  })

  it('closing the database finishes while a statement waits for a lock of the default session', async () => {
    const other = await Database.open({ storage: 'memory' })
    await other.exec('CREATE TABLE test (id int PRIMARY KEY, value int); INSERT INTO test VALUES (1, 10)')
    await other.exec('BEGIN')
    await other.exec('UPDATE test SET value = 11 WHERE id = 1')
    const s = other.session()
    const waiting = watch(s.query('UPDATE test SET value = 12 WHERE id = 1'))
    expect(await blocked(waiting)).toBe(true)
    await within(other.close(), 'closing the database', 2_000)
    expect(waiting.settled, 'the waiting statement ended (either way)').toBe(true)
  })

  it('closing the database rolls back every session\'s open transaction', async () => {
    const adapter = new MemoryAdapter()
    const file = await Database.open({ adapter, name: 'close.rdb' })
    await file.exec('CREATE TABLE test (id int PRIMARY KEY, value int); INSERT INTO test VALUES (1, 10), (2, 20), (3, 30)')
    const t1 = file.session()
    await t1.exec('BEGIN')
    await within(t1.exec('UPDATE test SET value = 0 WHERE id < 3'), 'T1 update')
    const t2 = file.session()
    await t2.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await within(t2.exec('DELETE FROM test WHERE id = 3'), 'T2 delete')
    await within(file.close(), 'closing the database')
    await expect(t1.query('SELECT 1')).rejects.toMatchObject({ code: '55000' })
    const reopened = await Database.open({ adapter, name: 'close.rdb' })
    expect(await rowsOf(reopened, 'SELECT id, value FROM test ORDER BY id')).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ])
    await reopened.close()
  })
})
