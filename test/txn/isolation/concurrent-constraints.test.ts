/**
 * Unique and foreign keys between concurrent sessions (issue #4), decided on the newest committed data under
 * row locks (transaction.ts (9)), with PostgreSQL's outcomes:
 *   - two inserts of one key: the second waits for the first; 23505 when it commits, success when it rolls
 *     back (a plain INSERT raises 23505 at every level);
 *   - INSERT ... ON CONFLICT is PostgreSQL's atomic upsert: at READ COMMITTED it never raises 23505 for its
 *     arbiter (after the wait it updates, or does nothing); at REPEATABLE READ and SERIALIZABLE a conflicting
 *     row its snapshot cannot see is a serialization failure (40001), not a unique violation;
 *   - a child insert racing a delete of its parent: one of them wins and there is never an orphan. At
 *     REPEATABLE READ a child insert whose parent row (visible in its snapshot) was deleted by a concurrent
 *     commit fails with 40001, because the foreign-key check locks that row version FOR KEY SHARE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, RustyError, type DatabaseSession } from '../../../engine/index.js'
import { rng } from '../../support/rng.js'
import { blocked, describeError, expectSqlState, retryable, rowsOf, watch, within } from '../support-sessions.js'

const LEVELS = ['read committed', 'repeatable read', 'serializable'] as const

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE test (id int PRIMARY KEY, value int);
    INSERT INTO test VALUES (1, 10), (2, 20);
    CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
    CREATE TABLE cparent (id int PRIMARY KEY);
    CREATE TABLE cchild (id int PRIMARY KEY, parent_id int REFERENCES cparent (id) ON DELETE CASCADE);
    INSERT INTO parent VALUES (1), (2), (3);
    INSERT INTO cparent VALUES (1), (2);
  `)
})

afterEach(async () => {
  await within(db.close(), 'closing the database')
})

/** A session inside BEGIN at `level` that has taken its snapshot (it ran a query). */
async function begin(level: string): Promise<DatabaseSession> {
  const s = db.session()
  await s.exec(`BEGIN ISOLATION LEVEL ${level}`)
  await rowsOf(s, 'SELECT count(*) FROM test')
  return s
}

const ORPHANS = 'SELECT count(*) FROM child c WHERE NOT EXISTS (SELECT 1 FROM parent p WHERE p.id = c.parent_id)'

async function expectNoOrphans(): Promise<void> {
  expect(await rowsOf(db, ORPHANS), 'children without a parent').toEqual([[0n]])
  expect(await rowsOf(db, 'SELECT count(*) FROM cchild c WHERE NOT EXISTS (SELECT 1 FROM cparent p WHERE p.id = c.parent_id)')).toEqual([[0n]])
}

describe('two sessions insert the same key', () => {
  for (const level of LEVELS) {
    it(`${level}: the second insert waits, then fails with 23505 when the first commits`, async () => {
      const t1 = await begin(level)
      const t2 = await begin(level)
      await t1.exec('INSERT INTO test VALUES (3, 31)')
      const second = watch(t2.query('INSERT INTO test VALUES (3, 32)'))
      expect(await blocked(second), 'the second insert waits for the first').toBe(true)
      await t1.exec('COMMIT')
      const e = await expectSqlState(second.promise, '23505')
      expect(e.message).toBe('duplicate key value violates unique constraint "test_pkey"')
      expect(e.detail).toBe('Key (id)=(3) already exists.')
      await t2.exec('ROLLBACK')
      expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[31]])
      await t1.close()
      await t2.close()
    })

    it(`${level}: the second insert waits, then succeeds when the first rolls back`, async () => {
      const t1 = await begin(level)
      const t2 = await begin(level)
      await t1.exec('INSERT INTO test VALUES (3, 31)')
      const second = watch(t2.query('INSERT INTO test VALUES (3, 32)'))
      expect(await blocked(second)).toBe(true)
      await t1.exec('ROLLBACK')
      expect((await within(second.promise, 'the second insert')).rowCount).toBe(1)
      await t2.exec('COMMIT')
      expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[32]])
      await t1.close()
      await t2.close()
    })
  }

  it('an insert of a key another session is deleting waits, then succeeds when the delete commits', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('DELETE FROM test WHERE id = 2')
    const insert = watch(t2.query('INSERT INTO test VALUES (2, 22)'))
    expect(await blocked(insert), 'the insert waits for the delete').toBe(true)
    await t1.exec('COMMIT')
    expect((await within(insert.promise, 'the insert')).rowCount).toBe(1)
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 2')).toEqual([[22]])
    await t1.close()
    await t2.close()
  })

  it('an insert of a key another session is deleting fails with 23505 when the delete rolls back', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('DELETE FROM test WHERE id = 2')
    const insert = watch(t2.query('INSERT INTO test VALUES (2, 22)'))
    expect(await blocked(insert)).toBe(true)
    await t1.exec('ROLLBACK')
    await expectSqlState(insert.promise, '23505')
    await t2.exec('ROLLBACK')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 2')).toEqual([[20]])
    await t1.close()
    await t2.close()
  })

  it('a unique column other than the primary key races the same way', async () => {
    await db.exec('CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE)')
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec("INSERT INTO users VALUES (1, 'a@x')")
    const second = watch(t2.query("INSERT INTO users VALUES (2, 'a@x')"))
    expect(await blocked(second)).toBe(true)
    await t1.exec('COMMIT')
    const e = await expectSqlState(second.promise, '23505')
    expect(e.constraint).toBe('users_email_key')
    await t2.exec('ROLLBACK')
    await t1.close()
    await t2.close()
  })

  it('an update that takes a key another session is inserting waits, then fails with 23505', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('INSERT INTO test VALUES (3, 31)')
    const moving = watch(t2.query('UPDATE test SET id = 3 WHERE id = 2'))
    expect(await blocked(moving)).toBe(true)
    await t1.exec('COMMIT')
    await expectSqlState(moving.promise, '23505')
    await t2.exec('ROLLBACK')
    expect(await rowsOf(db, 'SELECT id, value FROM test ORDER BY id')).toEqual([
      [1, 10],
      [2, 20],
      [3, 31],
    ])
    await t1.close()
    await t2.close()
  })
})

describe('INSERT ... ON CONFLICT against a concurrent insert', () => {
  it('read committed: ON CONFLICT DO UPDATE waits for the first insert, then updates its row', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('INSERT INTO test VALUES (3, 31)')
    const upsert = watch(t2.query('INSERT INTO test VALUES (3, 32) ON CONFLICT (id) DO UPDATE SET value = test.value + excluded.value'))
    expect(await blocked(upsert)).toBe(true)
    await t1.exec('COMMIT')
    expect((await within(upsert.promise, 'the upsert').catch((e: unknown) => expect.fail(describeError(e)))).rowCount).toBe(1)
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[63]])
    await t1.close()
    await t2.close()
  })
  it('read committed: ON CONFLICT DO NOTHING waits for the first insert, then does nothing', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('INSERT INTO test VALUES (3, 31)')
    const upsert = watch(t2.query('INSERT INTO test VALUES (3, 32) ON CONFLICT DO NOTHING'))
    expect(await blocked(upsert)).toBe(true)
    await t1.exec('COMMIT')
    expect((await within(upsert.promise, 'the insert').catch((e: unknown) => expect.fail(describeError(e)))).rowCount).toBe(0)
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[31]])
    await t1.close()
    await t2.close()
  })

  it('read committed: ON CONFLICT DO UPDATE inserts when the first insert rolls back', async () => {
    const t1 = await begin('read committed')
    const t2 = await begin('read committed')
    await t1.exec('INSERT INTO test VALUES (3, 31)')
    const upsert = watch(t2.query('INSERT INTO test VALUES (3, 32) ON CONFLICT (id) DO UPDATE SET value = excluded.value'))
    expect(await blocked(upsert)).toBe(true)
    await t1.exec('ROLLBACK')
    expect((await within(upsert.promise, 'the upsert')).rowCount).toBe(1)
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[32]])
    await t1.close()
    await t2.close()
  })

  it('read committed: a conflicting row committed before the statement is updated', async () => {
    const t2 = await begin('read committed')
    await db.exec('INSERT INTO test VALUES (3, 31)')
    await t2.exec('INSERT INTO test VALUES (3, 32) ON CONFLICT (id) DO UPDATE SET value = excluded.value')
    await t2.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[32]])
    await t2.close()
  })

  for (const level of ['repeatable read', 'serializable'] as const) {
    for (const action of ['DO UPDATE SET value = excluded.value', 'DO NOTHING']) {
      it(`${level}: ON CONFLICT ${action.split(' SET')[0]} on a row committed after the snapshot fails with 40001`, async () => {
        const t2 = await begin(level)
        await db.exec('INSERT INTO test VALUES (3, 31)')
        await expectSqlState(t2.query(`INSERT INTO test VALUES (3, 32) ON CONFLICT (id) ${action}`), '40001')
        await t2.exec('ROLLBACK')
        expect(await rowsOf(db, 'SELECT value FROM test WHERE id = 3')).toEqual([[31]])
        await t2.close()
      })
    }
    it(`${level}: ON CONFLICT DO UPDATE waiting for a concurrent insert fails with 40001 when that insert commits`, async () => {
      const t1 = await begin(level)
      const t2 = await begin(level)
      await t1.exec('INSERT INTO test VALUES (3, 31)')
      const upsert = watch(t2.query('INSERT INTO test VALUES (3, 32) ON CONFLICT (id) DO UPDATE SET value = excluded.value'))
      expect(await blocked(upsert)).toBe(true)
      await t1.exec('COMMIT')
      await expectSqlState(upsert.promise, '40001')
      await t2.exec('ROLLBACK')
      await t1.close()
      await t2.close()
    })
  }
})

describe('a child insert racing a delete of its parent', () => {
  for (const level of LEVELS) {
    it(`${level}: the delete first: the child insert waits, then fails when the delete commits`, async () => {
      const deleter = await begin(level)
      const inserter = await begin(level)
      await deleter.exec('DELETE FROM parent WHERE id = 1')
      const insert = watch(inserter.query('INSERT INTO child VALUES (10, 1)'))
      expect(await blocked(insert), 'the insert waits for the delete').toBe(true)
      await deleter.exec('COMMIT')
      // PostgreSQL: READ COMMITTED finds no parent (23503); a snapshot level locks the parent row its snapshot
      // sees FOR KEY SHARE, finds it deleted by a concurrent commit and fails with 40001.
      await expectSqlState(insert.promise, level === 'read committed' ? '23503' : '40001')
      await inserter.exec('ROLLBACK')
      await expectNoOrphans()
      await deleter.close()
      await inserter.close()
    })

    it(`${level}: the delete first: the child insert succeeds when the delete rolls back`, async () => {
      const deleter = await begin(level)
      const inserter = await begin(level)
      await deleter.exec('DELETE FROM parent WHERE id = 1')
      const insert = watch(inserter.query('INSERT INTO child VALUES (10, 1)'))
      expect(await blocked(insert)).toBe(true)
      await deleter.exec('ROLLBACK')
      await within(insert.promise, 'the child insert')
      await inserter.exec('COMMIT')
      expect(await rowsOf(db, 'SELECT id, parent_id FROM child')).toEqual([[10, 1]])
      await deleter.close()
      await inserter.close()
    })

    it(`${level}: the insert first: the delete waits, then fails with 23503 when the insert commits`, async () => {
      const inserter = await begin(level)
      const deleter = await begin(level)
      await inserter.exec('INSERT INTO child VALUES (10, 1)')
      const del = watch(deleter.query('DELETE FROM parent WHERE id = 1'))
      expect(await blocked(del), 'the delete waits for the insert (FOR KEY SHARE on the parent)').toBe(true)
      await inserter.exec('COMMIT')
      const e = await expectSqlState(del.promise, '23503')
      expect(e.message).toBe('update or delete on table "parent" violates foreign key constraint "child_parent_id_fkey" on table "child"')
      await deleter.exec('ROLLBACK')
      await expectNoOrphans()
      await inserter.close()
      await deleter.close()
    })

    it(`${level}: the insert first: the delete succeeds when the insert rolls back`, async () => {
      const inserter = await begin(level)
      const deleter = await begin(level)
      await inserter.exec('INSERT INTO child VALUES (10, 1)')
      const del = watch(deleter.query('DELETE FROM parent WHERE id = 1'))
      expect(await blocked(del)).toBe(true)
      await inserter.exec('ROLLBACK')
      expect((await within(del.promise, 'the delete')).rowCount).toBe(1)
      await deleter.exec('COMMIT')
      expect(await rowsOf(db, 'SELECT id FROM parent ORDER BY id')).toEqual([[2], [3]])
      await inserter.close()
      await deleter.close()
    })
  }

  it('read committed, ON DELETE CASCADE: a child committed while the delete waited is deleted with its parent', async () => {
    const inserter = await begin('read committed')
    const deleter = await begin('read committed')
    await inserter.exec('INSERT INTO cchild VALUES (10, 1)')
    const del = watch(deleter.query('DELETE FROM cparent WHERE id = 1'))
    expect(await blocked(del)).toBe(true)
    await inserter.exec('COMMIT')
    expect((await within(del.promise, 'the cascading delete')).rowCount).toBe(1)
    await deleter.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT count(*) FROM cchild')).toEqual([[0n]])
    await expectNoOrphans()
    await inserter.close()
    await deleter.close()
  })

  it('read committed, ON DELETE SET NULL: a child committed while the delete waited loses its reference', async () => {
    await db.exec('CREATE TABLE nchild (id int PRIMARY KEY, parent_id int REFERENCES cparent (id) ON DELETE SET NULL)')
    const inserter = await begin('read committed')
    const deleter = await begin('read committed')
    await inserter.exec('INSERT INTO nchild VALUES (10, 2)')
    const del = watch(deleter.query('DELETE FROM cparent WHERE id = 2'))
    expect(await blocked(del)).toBe(true)
    await inserter.exec('COMMIT')
    expect((await within(del.promise, 'the delete')).rowCount).toBe(1)
    await deleter.exec('COMMIT')
    expect(await rowsOf(db, 'SELECT id, parent_id FROM nchild')).toEqual([[10, null]])
    await inserter.close()
    await deleter.close()
  })

  it('repeatable read, ON DELETE CASCADE: a child committed while the delete waited makes the delete fail with 40001', async () => {
    const inserter = await begin('repeatable read')
    const deleter = await begin('repeatable read')
    await inserter.exec('INSERT INTO cchild VALUES (10, 1)')
    const del = watch(deleter.query('DELETE FROM cparent WHERE id = 1'))
    expect(await blocked(del)).toBe(true)
    await inserter.exec('COMMIT')
    await expectSqlState(del.promise, '40001')
    await deleter.exec('ROLLBACK')
    await expectNoOrphans()
    await inserter.close()
    await deleter.close()
  })

  it('read committed: an update of a parent key races a child insert without leaving an orphan', async () => {
    const inserter = await begin('read committed')
    const updater = await begin('read committed')
    await updater.exec('UPDATE parent SET id = 100 WHERE id = 2')
    const insert = watch(inserter.query('INSERT INTO child VALUES (10, 2)'))
    expect(await blocked(insert)).toBe(true)
    await updater.exec('COMMIT')
    await expectSqlState(insert.promise, '23503')
    await inserter.exec('ROLLBACK')
    await expectNoOrphans()
    await inserter.close()
    await updater.close()
  })

  for (const level of ['read committed', 'repeatable read'] as const) {
    it(`${level}: sessions inserting children and deleting parents at random never leave an orphan`, async () => {
      const r = rng(level === 'read committed' ? 7 : 8)
      const outcomes: Record<string, number> = {}
      let orphanChecks = 0
      const worker = async (w: number): Promise<void> => {
        const s = db.session()
        try {
          for (let i = 0; i < 150; i++) {
            const parent = 1 + Math.floor(r() * 6)
            const sql =
              r() < 0.6
                ? `INSERT INTO child VALUES (${w * 1000 + i}, ${parent})`
                : r() < 0.5
                  ? `DELETE FROM parent WHERE id = ${parent}`
                  : `INSERT INTO parent VALUES (${parent})`
            try {
              await s.exec(`BEGIN ISOLATION LEVEL ${level}`)
              await s.exec(sql)
              if (r() < 0.3) await s.exec('DELETE FROM child WHERE parent_id = ' + parent)
              await s.exec('COMMIT')
              outcomes.ok = (outcomes.ok ?? 0) + 1
            } catch (error) {
              if (s.status !== 'idle') await s.exec('ROLLBACK')
              const code = error instanceof RustyError ? error.code : describeError(error)
              const expected = ['23503', '23505'].includes(code) || retryable(error)
              if (!expected) throw new Error(`${sql}: ${describeError(error)}`, { cause: error })
              outcomes[code] = (outcomes[code] ?? 0) + 1
            }
            if (i % 10 === 0) {
              expect(await rowsOf(s, ORPHANS), `orphans seen by session ${w}`).toEqual([[0n]])
              orphanChecks++
            }
          }
        } finally {
          await s.close()
        }
      }
      await within(Promise.all([0, 1, 2, 3, 4, 5].map(worker)), 'the foreign-key workload', 60_000)
      await expectNoOrphans()
      expect(orphanChecks).toBeGreaterThan(50)
      expect(outcomes.ok ?? 0, 'transactions committed').toBeGreaterThan(100)
      expect(outcomes['23503'] ?? 0, 'foreign-key violations met').toBeGreaterThan(0)
    })
  }
})
