/**
 * Choosing an isolation level and access mode (issue #4): BEGIN / START TRANSACTION ISOLATION LEVEL, SET
 * TRANSACTION before the first query, SET default_transaction_isolation, SET SESSION CHARACTERISTICS, SHOW
 * transaction_isolation, READ ONLY; each level checked by what SHOW reports AND by how the transaction then
 * behaves (`observedLevel`), as PostgreSQL does them (SQL commands BEGIN, SET TRANSACTION; chapter 13.2).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, type DatabaseSession } from '../../../engine/index.js'
import { expectSqlState, rowsOf, within } from '../support-sessions.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec('create table test (id int primary key, value int); insert into test (id, value) values (1, 10), (2, 20)')
})

afterEach(async () => {
  await within(db.close(), 'closing the database')
})

async function show(s: DatabaseSession, name = 'transaction_isolation'): Promise<unknown> {
  return (await rowsOf(s, `show ${name}`))[0]?.[0]
}

/**
 * Runs the rest of an open transaction of `s` as a probe and returns the level it behaved as:
 *   - its second read of row 2 sees a concurrent commit: read committed;
 *   - otherwise its write after that read commits (write skew allowed): repeatable read;
 *   - or its COMMIT fails with 40001 (its read of row 2 went stale): serializable.
 * The probe's first query is `select * from test` unless the caller already ran one.
 */
async function observedLevel(s: DatabaseSession, firstQueryDone = false): Promise<string> {
  if (!firstQueryDone) await rowsOf(s, 'select * from test')
  const before = await rowsOf(s, 'select value from test where id = 2')
  const other = db.session()
  await within(other.exec('update test set value = value + 1 where id = 2'), 'concurrent update')
  await other.close()
  const again = await rowsOf(s, 'select value from test where id = 2')
  if (JSON.stringify(again) !== JSON.stringify(before)) {
    await s.exec('commit')
    return 'read committed'
  }
  await within(s.exec('update test set value = value + 100 where id = 1'), 'probe update')
  try {
    await within(s.exec('commit'), 'probe commit')
    return 'repeatable read'
  } catch (error) {
    expect((error as { code?: string }).code).toBe('40001')
    return 'serializable'
  }
}

describe('BEGIN and START TRANSACTION with ISOLATION LEVEL', () => {
  for (const level of ['read committed', 'repeatable read', 'serializable']) {
    it(`BEGIN ISOLATION LEVEL ${level.toUpperCase()} shows and behaves as ${level}`, async () => {
      const s = db.session()
      await s.exec(`BEGIN ISOLATION LEVEL ${level.toUpperCase()}`)
      expect(await show(s)).toBe(level)
      expect(await observedLevel(s)).toBe(level)
      await s.close()
    })
  }

  it('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE shows and behaves as repeatable read', async () => {
    const s = db.session()
    await s.exec('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE')
    expect(await show(s)).toBe('repeatable read')
    expect(await observedLevel(s)).toBe('repeatable read')
    await s.close()
  })

  it('BEGIN without a level uses default_transaction_isolation (read committed)', async () => {
    const s = db.session()
    expect(await show(s)).toBe('read committed')
    await s.exec('BEGIN')
    expect(await show(s)).toBe('read committed')
    expect(await observedLevel(s)).toBe('read committed')
    await s.close()
  })

  it('READ UNCOMMITTED is reported as read uncommitted (it behaves as read committed: hermitage.test.ts)', async () => {
    // PostgreSQL keeps the level as written: SHOW transaction_isolation says "read uncommitted".
    const s = db.session()
    await s.exec('BEGIN ISOLATION LEVEL READ UNCOMMITTED')
    expect(await show(s)).toBe('read uncommitted')
    expect(await observedLevel(s)).toBe('read committed')
    await s.close()
  })
})

describe('SET TRANSACTION', () => {
  it('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE right after BEGIN sets the level', async () => {
    // Hermitage's own spelling: `begin; set transaction isolation level serializable`.
    const s = db.session()
    await s.exec('BEGIN')
    await within(s.exec('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'), 'set transaction')
    expect(await show(s)).toBe('serializable')
    expect(await observedLevel(s)).toBe('serializable')
    await s.close()
  })

  it("SET transaction_isolation = 'repeatable read' right after BEGIN sets the level", async () => {
    const s = db.session()
    await s.exec('BEGIN')
    await within(s.exec("SET transaction_isolation = 'repeatable read'"), 'set transaction_isolation')
    expect(await show(s)).toBe('repeatable read')
    expect(await observedLevel(s)).toBe('repeatable read')
    await s.close()
  })

  it('SET TRANSACTION ISOLATION LEVEL after the first query fails with 25001 and aborts the transaction', async () => {
    const s = db.session()
    await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await rowsOf(s, 'select * from test')
    const e = await expectSqlState(s.exec('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'), '25001')
    expect(e.message).toBe('SET TRANSACTION ISOLATION LEVEL must be called before any query')
    await expectSqlState(s.query('select * from test'), '25P02')
    await s.exec('ROLLBACK')
    expect(s.status).toBe('idle')
    await s.close()
  })

  it('SET TRANSACTION outside a transaction block changes nothing (PostgreSQL only warns)', async () => {
    const s = db.session()
    await within(s.exec('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'), 'set transaction outside a block')
    await s.exec('BEGIN')
    expect(await show(s)).toBe('read committed')
    await s.exec('COMMIT')
    await s.close()
  })

  it('REPEATABLE READ takes its snapshot at the first query: SET and SHOW before it take none', async () => {
    const s = db.session()
    await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await s.exec('SET lock_timeout = 1000')
    expect(await show(s)).toBe('repeatable read')
    await db.exec('update test set value = 11 where id = 1')
    expect(await rowsOf(s, 'select value from test where id = 1')).toEqual([[11]])
    await s.exec('COMMIT')
    await s.close()
  })
})

describe('READ ONLY transactions', () => {
  it('BEGIN READ ONLY refuses writes with 25006 and still reads', async () => {
    const s = db.session()
    await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    expect(await rowsOf(s, 'SELECT value FROM test WHERE id = 1')).toEqual([[10]])
    await expectSqlState(s.exec('UPDATE test SET value = 0'), '25006')
    await s.exec('ROLLBACK')
    await s.close()
  })

  it('SET TRANSACTION READ ONLY right after BEGIN makes writes fail with 25006', async () => {
    const s = db.session()
    await s.exec('BEGIN')
    await s.exec('SET TRANSACTION READ ONLY')
    await expectSqlState(s.exec('UPDATE test SET value = 0'), '25006')
    await s.exec('ROLLBACK')
    expect(await rowsOf(db, 'SELECT value FROM test ORDER BY id')).toEqual([[10], [20]])
    await s.close()
  })

  it('SHOW transaction_read_only reports the access mode', async () => {
    const s = db.session()
    await s.exec('BEGIN READ ONLY')
    expect(await show(s, 'transaction_read_only')).toBe('on')
    await s.exec('COMMIT')
    expect(await show(s, 'transaction_read_only')).toBe('off')
    await s.close()
  })
})

describe('default_transaction_isolation', () => {
  it("SET default_transaction_isolation = 'repeatable read' applies to every later BEGIN of the session", async () => {
    const s = db.session()
    await s.exec("SET default_transaction_isolation = 'repeatable read'")
    expect(await show(s, 'default_transaction_isolation')).toBe('repeatable read')
    expect(await show(s)).toBe('repeatable read')
    for (let i = 0; i < 2; i++) {
      await s.exec('BEGIN')
      expect(await show(s)).toBe('repeatable read')
      expect(await observedLevel(s)).toBe('repeatable read')
    }
    await s.close()
  })

  it('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE sets the default', async () => {
    const s = db.session()
    await s.exec('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE')
    expect(await show(s, 'default_transaction_isolation')).toBe('serializable')
    await s.exec('BEGIN')
    expect(await observedLevel(s)).toBe('serializable')
    await s.close()
  })

  it('an explicit level in BEGIN overrides the default, and the default is per session', async () => {
    const s = db.session()
    const other = db.session()
    await s.exec("SET default_transaction_isolation = 'serializable'")
    await s.exec('BEGIN ISOLATION LEVEL READ COMMITTED')
    expect(await show(s)).toBe('read committed')
    expect(await observedLevel(s)).toBe('read committed')
    expect(await show(other)).toBe('read committed')
    await other.exec('BEGIN')
    expect(await observedLevel(other)).toBe('read committed')
    await s.close()
    await other.close()
  })

  it('RESET default_transaction_isolation goes back to read committed', async () => {
    const s = db.session()
    await s.exec("SET default_transaction_isolation = 'serializable'")
    await s.exec('RESET default_transaction_isolation')
    expect(await show(s)).toBe('read committed')
    await s.close()
  })

  it('an unknown level is refused with 22023 and leaves the default unchanged', async () => {
    const s = db.session()
    await expectSqlState(s.exec("SET default_transaction_isolation = 'snapshot'"), '22023')
    expect(await show(s, 'default_transaction_isolation')).toBe('read committed')
    await s.close()
  })
})
