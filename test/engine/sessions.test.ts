/**
 * Sessions: several connections on one database. Locking reads (FOR UPDATE / SHARE, NOWAIT, SKIP LOCKED),
 * statement restarts after a lock wait, transaction settings, per-session state, commit notifications and
 * commit-time checks against concurrent DDL. The isolation anomaly suite lives in test/txn/isolation/.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, RustyError, type CommitEvent, type DatabaseSession } from '../../engine/node.js'
import { rustyError } from '../support/errors.js'

let db: Database
let s1: DatabaseSession
let s2: DatabaseSession

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL);
    INSERT INTO jobs SELECT g, 'new' FROM generate_series(1, 5) g;
  `)
  s1 = db.session()
  s2 = db.session()
})

afterEach(async () => {
  await db.close()
})

/** 'pending' while `p` has not settled after a short wait, else 'ok' or the RustyError's code. */
async function state(p: Promise<unknown>): Promise<string> {
  let s = 'pending'
  p.then(
    () => (s = 'ok'),
    (e: unknown) => (s = e instanceof RustyError ? e.code : `not a RustyError: ${String(e)}`),
  )
  await new Promise((r) => setTimeout(r, 15))
  return s
}

/** The SQLSTATE `p` fails with (the test fails when it succeeds). */
async function code(p: Promise<unknown>): Promise<string> {
  return (await rustyError(p)).code
}

describe('locking reads', () => {
  it('SKIP LOCKED hands each worker a different job; NOWAIT fails at once with 55P03', async () => {
    const pick = 'SELECT id FROM jobs WHERE state = $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED'
    await s1.exec('BEGIN')
    await s2.exec('BEGIN')
    expect((await s1.query(pick, ['new'])).rows).toEqual([{ id: 1 }])
    expect((await s2.query(pick, ['new'])).rows).toEqual([{ id: 2 }])
    expect(await code(s2.query('SELECT * FROM jobs WHERE id = 1 FOR UPDATE NOWAIT'))).toBe('55P03')
    await s2.exec('ROLLBACK')
    // Only the row LIMIT returned was locked: another worker still gets job 2.
    await s2.exec('BEGIN')
    expect((await s2.query(pick, ['new'])).rows).toEqual([{ id: 2 }])
    await s1.exec('COMMIT')
    await s2.exec('COMMIT')
  })

  it('FOR UPDATE waits for a writer and, at READ COMMITTED, re-checks its condition on the committed row', async () => {
    await s1.exec('BEGIN')
    await s1.exec(`UPDATE jobs SET state = 'done' WHERE id = 1`)
    await s2.exec('BEGIN')
    const locked = s2.query(`SELECT id, state FROM jobs WHERE state = 'new' AND id <= 2 ORDER BY id FOR UPDATE`)
    expect(await state(locked)).toBe('pending')
    await s1.exec('COMMIT')
    // Row 1 no longer qualifies; row 2 does.
    expect((await locked).rows).toEqual([{ id: 2, state: 'new' }])
    await s2.exec('COMMIT')
  })

  it('FOR UPDATE at REPEATABLE READ fails with 40001 on a row changed since the snapshot', async () => {
    await s2.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await s2.query('SELECT count(*) FROM jobs')
    await s1.exec(`UPDATE jobs SET state = 'done' WHERE id = 3`)
    expect(await code(s2.query('SELECT * FROM jobs WHERE id = 3 FOR UPDATE'))).toBe('40001')
    await s2.exec('ROLLBACK')
  })

  it('FOR SHARE lets readers share and blocks writers; FOR KEY SHARE does not block a non-key update', async () => {
    await s1.exec('BEGIN')
    await s2.exec('BEGIN')
    await s1.query('SELECT * FROM jobs WHERE id = 4 FOR SHARE')
    await s2.query('SELECT * FROM jobs WHERE id = 4 FOR SHARE')
    const s3 = db.session()
    const update = s3.exec(`UPDATE jobs SET state = 'x' WHERE id = 4`)
    expect(await state(update)).toBe('pending')
    await s1.exec('COMMIT')
    expect(await state(update)).toBe('pending')
    await s2.exec('COMMIT')
    expect(await state(update)).toBe('ok')
    await s1.exec('BEGIN')
    await s1.query('SELECT * FROM jobs WHERE id = 5 FOR KEY SHARE')
    expect(await state(s3.exec(`UPDATE jobs SET state = 'y' WHERE id = 5`))).toBe('ok')
    expect(await state(s3.exec(`DELETE FROM jobs WHERE id = 5`))).toBe('pending')
    await s1.exec('COMMIT')
    await s3.close()
    expect((await db.query('SELECT count(*)::int AS n FROM jobs')).rows).toEqual([{ n: 4 }])
  })

  it('refuses FOR UPDATE where PostgreSQL does', async () => {
    expect(await code(db.query('SELECT count(*) FROM jobs FOR UPDATE'))).toBe('0A000')
    expect(await code(db.query('SELECT DISTINCT state FROM jobs FOR UPDATE'))).toBe('0A000')
    expect(await code(db.query('SELECT id FROM jobs UNION SELECT id FROM jobs FOR UPDATE'))).toBe('0A000')
    expect(await code(db.query('SELECT * FROM jobs FOR UPDATE OF nope'))).toBe('42P01')
    await s1.exec('BEGIN READ ONLY')
    expect(await code(s1.query('SELECT * FROM jobs FOR UPDATE'))).toBe('25006')
    await s1.exec('ROLLBACK')
  })
})

describe('statements that wait', () => {
  it('undo what they wrote before waiting and run again: a multi-row INSERT inserts each row once', async () => {
    await s1.exec('BEGIN')
    await s1.exec(`INSERT INTO jobs VALUES (7, 'a')`)
    const insert = s2.query(`INSERT INTO jobs VALUES (6, 'b'), (7, 'b'), (8, 'b')`)
    expect(await state(insert)).toBe('pending')
    await s1.exec('ROLLBACK')
    expect((await insert).rowCount).toBe(3)
    expect((await db.query('SELECT id, state FROM jobs WHERE id >= 6 ORDER BY id')).rows).toEqual([
      { id: 6, state: 'b' },
      { id: 7, state: 'b' },
      { id: 8, state: 'b' },
    ])
  })

  it('keep earlier statements of the transaction when one waits, and the waiter sees the unique key taken', async () => {
    await s2.exec('BEGIN')
    await s2.exec(`UPDATE jobs SET state = 'mine' WHERE id = 1`)
    await s1.exec('BEGIN')
    await s1.exec(`INSERT INTO jobs VALUES (9, 'a')`)
    const insert = s2.exec(`INSERT INTO jobs VALUES (10, 'b'), (9, 'b')`)
    expect(await state(insert)).toBe('pending')
    await s1.exec('COMMIT')
    expect(await code(insert)).toBe('23505')
    await s2.exec('ROLLBACK TO SAVEPOINT nope').catch(() => undefined)
    await s2.exec('ROLLBACK')
    expect((await db.query('SELECT state FROM jobs WHERE id = 1')).rows).toEqual([{ state: 'new' }])
  })

  it('undo a DML statement that touched a new tree before its lock wait', async () => {
    await db.exec('CREATE TABLE side (id int PRIMARY KEY)')
    await s1.exec('BEGIN')
    await s1.exec(`UPDATE jobs SET state = 'held' WHERE id = 4`)
    await s2.exec('BEGIN')
    await s2.exec(`UPDATE jobs SET state = 'mine' WHERE id = 2`)
    // s2's transaction has writes (jobs) but has not touched side: its insert writes row 1 into a new overlay,
    // then waits for key 2, which s1 is inserting; the undo must drop that overlay.
    await s1.exec(`INSERT INTO side VALUES (2)`)
    const insert = s2.query(`INSERT INTO side VALUES (1), (2), (3)`)
    expect(await state(insert)).toBe('pending')
    await s1.exec('ROLLBACK')
    expect((await insert).rowCount).toBe(3)
    await s2.exec('COMMIT')
    expect((await db.query('SELECT id FROM side ORDER BY id', [], { rowMode: 'array' })).rows).toEqual([[1], [2], [3]])
  })

  it('honour lock_timeout (55P03) and statement_timeout (57014) while waiting', async () => {
    await s1.exec('BEGIN')
    await s1.exec(`UPDATE jobs SET state = 'a' WHERE id = 1`)
    await s2.exec(`SET lock_timeout = '30ms'`)
    expect((await s2.query('SHOW lock_timeout')).rows).toEqual([{ lock_timeout: '30ms' }])
    expect(await code(s2.exec(`UPDATE jobs SET state = 'b' WHERE id = 1`))).toBe('55P03')
    await s2.exec('SET lock_timeout = 0')
    await s2.exec(`SET statement_timeout = '2min'`)
    expect((await s2.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '2min' }])
    await s2.exec('SET statement_timeout = 30')
    expect(await code(s2.exec(`DELETE FROM jobs WHERE id = 1`))).toBe('57014')
    await s1.exec('COMMIT')
  })

  it('a closed session rolls back and releases its locks', async () => {
    await s1.exec('BEGIN')
    await s1.exec(`UPDATE jobs SET state = 'gone' WHERE id = 2`)
    const waiting = s2.exec(`UPDATE jobs SET state = 'kept' WHERE id = 2`)
    expect(await state(waiting)).toBe('pending')
    await s1.close()
    await waiting
    expect((await db.query('SELECT state FROM jobs WHERE id = 2')).rows).toEqual([{ state: 'kept' }])
    expect(await code(s1.query('SELECT 1'))).toBe('55000')
  })
})

describe('transaction settings and session state', () => {
  it('sets the isolation level with BEGIN, SET TRANSACTION and the session default', async () => {
    await s1.exec('BEGIN ISOLATION LEVEL SERIALIZABLE')
    expect((await s1.query('SHOW transaction_isolation')).rows).toEqual([{ transaction_isolation: 'serializable' }])
    await s1.exec('COMMIT')
    await s1.exec('BEGIN')
    await s1.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
    expect((await s1.query('SHOW transaction_isolation')).rows).toEqual([{ transaction_isolation: 'repeatable read' }])
    await s1.query('SELECT 1')
    expect(await code(s1.exec('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'))).toBe('25001')
    await s1.exec('ROLLBACK')
    await s1.exec(`SET default_transaction_isolation = 'read uncommitted'`)
    // Shown as asked for; it runs as READ COMMITTED (test/txn/isolation).
    expect((await s1.query('SHOW transaction_isolation')).rows).toEqual([{ transaction_isolation: 'read uncommitted' }])
    expect(await code(s1.exec(`SET default_transaction_isolation = 'sometimes'`))).toBe('22023')
    expect((await s2.query('SHOW default_transaction_isolation')).rows).toEqual([{ default_transaction_isolation: 'read committed' }])
  })

  it('takes the REPEATABLE READ snapshot at the first statement, not at BEGIN', async () => {
    await s1.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await s2.exec(`UPDATE jobs SET state = 'before first statement' WHERE id = 1`)
    expect((await s1.query('SELECT state FROM jobs WHERE id = 1')).rows).toEqual([{ state: 'before first statement' }])
    await s2.exec(`UPDATE jobs SET state = 'after' WHERE id = 1`)
    expect((await s1.query('SELECT state FROM jobs WHERE id = 1')).rows).toEqual([{ state: 'before first statement' }])
    await s1.exec('COMMIT')
  })

  it('keeps settings and currval per session', async () => {
    await db.exec('CREATE SEQUENCE seq')
    await s1.exec(`SET TIME ZONE 'Asia/Tokyo'`)
    expect((await s1.query(`SELECT '2024-01-01 00:00:00+00'::timestamptz::text AS t`)).rows).toEqual([{ t: '2024-01-01 09:00:00+09' }])
    expect((await s2.query(`SELECT '2024-01-01 00:00:00+00'::timestamptz::text AS t`)).rows).toEqual([{ t: '2024-01-01 00:00:00+00' }])
    expect((await s1.query(`SELECT nextval('seq') AS v`)).rows).toEqual([{ v: 1n }])
    expect((await s2.query(`SELECT nextval('seq') AS v`)).rows).toEqual([{ v: 2n }])
    expect((await s1.query(`SELECT currval('seq') AS v`)).rows).toEqual([{ v: 1n }])
    expect(await code(db.query(`SELECT currval('seq')`))).toBe('55000')
  })

  it('db.transaction runs on its own session with the isolation level asked for', async () => {
    await db.transaction(
      async (tx) => {
        expect((await tx.query('SHOW transaction_isolation')).rows).toEqual([{ transaction_isolation: 'repeatable read' }])
        await tx.exec(`UPDATE jobs SET state = 'tx' WHERE id = 1`)
        // Another session does not see the uncommitted change.
        expect((await s1.query('SELECT state FROM jobs WHERE id = 1')).rows).toEqual([{ state: 'new' }])
      },
      { isolation: 'repeatable read' },
    )
    expect((await s1.query('SELECT state FROM jobs WHERE id = 1')).rows).toEqual([{ state: 'tx' }])
  })
})

describe('commits', () => {
  it('notify listeners with the tables they changed, after they are durable', async () => {
    const events: CommitEvent[] = []
    const stop = db.onCommit((e) => events.push(e))
    await db.exec(`UPDATE jobs SET state = 'x' WHERE id = 1`)
    await db.exec('CREATE TABLE other (a int)')
    await db.query('SELECT * FROM jobs')
    await s1.exec('BEGIN')
    await s1.exec(`INSERT INTO other VALUES (1)`)
    await s1.exec(`DELETE FROM jobs WHERE id = 5`)
    expect(events.length).toBe(2)
    await s1.exec('COMMIT')
    stop()
    await db.exec(`UPDATE jobs SET state = 'y' WHERE id = 1`)
    expect(events.map((e) => [...e.tables].sort())).toEqual([['public.jobs'], ['public.other'], ['public.jobs', 'public.other']])
  })

  it('fail with 40001 when a concurrent commit changed a table they wrote or replaced', async () => {
    await s1.exec('BEGIN')
    await s1.exec(`INSERT INTO jobs VALUES (20, 'a')`)
    await s2.exec('ALTER TABLE jobs ADD COLUMN note text')
    expect(await code(s1.exec('COMMIT'))).toBe('40001')
    await s1.exec('BEGIN')
    await s1.exec('TRUNCATE jobs')
    await s2.exec(`INSERT INTO jobs VALUES (21, 'b')`)
    expect(await code(s1.exec('COMMIT'))).toBe('40001')
    expect((await db.query('SELECT count(*)::int AS n FROM jobs')).rows).toEqual([{ n: 6 }])
    await s1.exec('BEGIN')
    await s1.exec('CREATE TABLE t1 (a int)')
    await s2.exec('CREATE TABLE t2 (a int)')
    expect(await code(s1.exec('COMMIT'))).toBe('40001')
  })
})

describe('statement order', () => {
  it('fails a statement of an idle session through its promise, never by throwing at the call', async () => {
    let p: Promise<unknown> | undefined
    expect(() => (p = db.query('SELEC 1'))).not.toThrow()
    expect(await code(p as Promise<unknown>)).toBe('42601')
    expect(() => (p = db.query('INSERT INTO jobs VALUES (1, $1)', ['dup']))).not.toThrow()
    expect(await code(p as Promise<unknown>)).toBe('23505')
  })

  it('runs statements issued without awaiting in call order, also those a commit listener issues', async () => {
    const order: string[] = []
    const stop = db.onCommit(() => {
      order.push('listener')
      void db.query('SELECT count(*) AS n FROM jobs').then((r) => order.push(`count ${String(r.rows[0].n)}`))
    })
    const first = db.exec(`INSERT INTO jobs VALUES (6, 'new')`).then(() => order.push('insert'))
    const second = db.query(`SELECT state FROM jobs WHERE id = 6`).then((r) => order.push(`select ${String(r.rows[0]?.state)}`))
    await Promise.all([first, second])
    stop()
    await db.query('SELECT 1')
    expect(order).toEqual(['listener', 'insert', 'select new', 'count 6'])
  })
})

describe('INSERT ... ON CONFLICT under concurrency', () => {
  it('waits for a concurrent insert of the key, then updates the committed row (READ COMMITTED)', async () => {
    await db.exec('CREATE TABLE counters (k text PRIMARY KEY, n int NOT NULL)')
    const upsert = `INSERT INTO counters VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1`
    await s1.exec('BEGIN')
    await s1.exec(upsert)
    const second = s2.exec(upsert)
    expect(await state(second)).toBe('pending')
    await s1.exec('COMMIT')
    await second
    expect((await db.query('SELECT n FROM counters')).rows).toEqual([{ n: 2 }])
  })

  it('DO NOTHING proceeds after the other rolls back, and fails with 40001 at REPEATABLE READ on an invisible row', async () => {
    await db.exec('CREATE TABLE u (k int PRIMARY KEY, v text)')
    await s1.exec('BEGIN')
    await s1.exec(`INSERT INTO u VALUES (1, 'first')`)
    const second = s2.query(`INSERT INTO u VALUES (1, 'second') ON CONFLICT DO NOTHING`)
    expect(await state(second)).toBe('pending')
    await s1.exec('ROLLBACK')
    expect((await second).rowCount).toBe(1)
    await s2.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await s2.query('SELECT 1 FROM u')
    await s1.exec(`INSERT INTO u VALUES (2, 'committed later')`)
    expect(await code(s2.exec(`INSERT INTO u VALUES (2, 'x') ON CONFLICT DO NOTHING`))).toBe('40001')
    await s2.exec('ROLLBACK')
  })
})

describe('group commit', () => {
  it('concurrent commits of many sessions share WAL groups, and nothing is left locked or logged afterwards', async () => {
    const sessions = Array.from({ length: 8 }, () => db.session())
    const before = db.stats().storage
    await Promise.all(sessions.map((s, i) => s.exec(`UPDATE jobs SET state = 's${i}' WHERE id = ${(i % 5) + 1}`)))
    const after = db.stats()
    expect(after.storage.lastCommitSeq - before.lastCommitSeq).toBeGreaterThanOrEqual(8)
    expect(after.storage.groups - before.groups).toBeLessThan(8)
    expect(after.lockedResources).toBe(0)
    expect(after.conflictLogCommits).toBe(0)
    expect(after.activeTransactions).toBe(0)
  })
})

describe('batch', () => {
  it('runs a statement once per parameter set in one call, in a transaction or autocommit, stopping at the first error', async () => {
    await db.exec('CREATE TABLE b (id int PRIMARY KEY, v text)')
    const rows = Array.from({ length: 500 }, (_, i) => [i, `v${i}`])
    const results = await db.transaction((tx) => tx.batch('INSERT INTO b VALUES ($1, $2)', rows))
    expect(results.length).toBe(500)
    expect(results.every((r) => r.rowCount === 1)).toBe(true)
    expect((await db.query('SELECT count(*)::int AS n FROM b')).rows).toEqual([{ n: 500 }])
    const st = s1.prepare('SELECT v FROM b WHERE id = $1')
    expect((await st.batch([[3], [499], [1000]])).map((r) => r.rows)).toEqual([[{ v: 'v3' }], [{ v: 'v499' }], []])
    // Autocommit: the runs before the failing one stay committed.
    expect(await code(db.batch('INSERT INTO b VALUES ($1, $2)', [[600, 'a'], [601, 'b'], [600, 'dup'], [602, 'c']]))).toBe('23505')
    expect((await db.query('SELECT id FROM b WHERE id >= 600 ORDER BY id', [], { rowMode: 'array' })).rows).toEqual([[600], [601]])
  })
})
