/**
 * Database: the public SQL API end to end (parse -> plan -> execute -> storage), in memory and on Node fs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../engine/node.js'
import { rustyError as error } from '../support/errors.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, age int, team text);
    INSERT INTO users VALUES (1, 'ann', 31, 'red'), (2, 'bob', 25, 'blue'), (3, 'cy', NULL, 'red'), (4, 'di', 40, NULL);
  `)
})

afterEach(async () => {
  await db.close()
})


describe('Database', () => {
  it('returns rows as objects by default and as arrays on request', async () => {
    const r = await db.query('SELECT id, name FROM users WHERE id <= 2 ORDER BY id')
    expect(r.rows).toEqual([{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }])
    expect(r.columns).toEqual([{ name: 'id', type: 'integer' }, { name: 'name', type: 'text' }])
    const a = await db.query('SELECT id, name FROM users WHERE id = $1', [3], { rowMode: 'array' })
    expect(a.rows).toEqual([[3, 'cy']])
  })

  it('counts affected rows for INSERT, UPDATE and DELETE and returns RETURNING rows', async () => {
    const ins = await db.query("INSERT INTO users VALUES (5, 'ed', 50, 'blue') RETURNING id, upper(name) AS n")
    expect(ins.rows).toEqual([{ id: 5, n: 'ED' }])
    const up = await db.query("UPDATE users SET age = age + 1 WHERE team = 'red'")
    expect(up.rowCount).toBe(2)
    const del = await db.query('DELETE FROM users WHERE age IS NULL')
    expect(del.rowCount).toBe(1)
    expect((await db.query('SELECT count(*) AS n FROM users')).rows).toEqual([{ n: 4n }])
  })

  it('groups, aggregates, joins and orders', async () => {
    await db.exec("CREATE TABLE teams (name text PRIMARY KEY, floor int); INSERT INTO teams VALUES ('red', 1), ('blue', 2)")
    const r = await db.query(`
      SELECT t.floor, count(*) AS n, sum(u.age) AS total
      FROM users u JOIN teams t ON t.name = u.team
      GROUP BY t.floor HAVING count(*) > 0 ORDER BY t.floor DESC`)
    expect(r.rows).toEqual([{ floor: 2, n: 1n, total: 25n }, { floor: 1, n: 2n, total: 31n }])
    const left = await db.query('SELECT u.name, t.floor FROM users u LEFT JOIN teams t ON t.name = u.team ORDER BY u.name')
    expect(left.rows.map((x) => x.floor)).toEqual([1, 2, 1, null])
  })

  it('runs correlated subqueries, EXISTS, IN and window functions', async () => {
    const r = await db.query(`
      SELECT name, (SELECT count(*) FROM users o WHERE o.age < u.age) AS younger
      FROM users u WHERE EXISTS (SELECT 1 FROM users x WHERE x.team = u.team AND x.id <> u.id) ORDER BY name`)
    expect(r.rows).toEqual([{ name: 'ann', younger: 1n }, { name: 'cy', younger: 0n }])
    const w = await db.query('SELECT name, row_number() OVER (ORDER BY age DESC NULLS LAST) AS rn FROM users WHERE id IN (1, 2, 4) ORDER BY rn')
    expect(w.rows).toEqual([{ name: 'di', rn: 1n }, { name: 'ann', rn: 2n }, { name: 'bob', rn: 3n }])
  })

  it('keeps BIGINT and NUMERIC exact', async () => {
    const r = await db.query("SELECT 9223372036854775807::bigint AS big, 0.1::numeric + 0.2::numeric AS sum, $1::bigint AS p", [9007199254740993n])
    expect(r.rows).toEqual([{ big: 9223372036854775807n, sum: '0.3', p: 9007199254740993n }])
  })

  it('reports errors with SQLSTATE and position', async () => {
    const e1 = await error(db.query('SELECT * FROM nope'))
    expect(e1.code).toBe('42P01')
    expect(e1.position).toBe(15)
    const e2 = await error(db.query('SELECT nme FROM users'))
    expect(e2.code).toBe('42703')
    expect((await error(db.query('SELECT 1/0'))).code).toBe('22012')
    expect((await error(db.query("INSERT INTO users VALUES (1, 'dup', 1, 'x')"))).code).toBe('23505')
    expect((await error(db.query('INSERT INTO users (id) VALUES (9)'))).code).toBe('23502')
    expect((await error(db.query('SELECT name, count(*) FROM users'))).code).toBe('42803')
    expect((await error(db.query('SELEC 1'))).code).toBe('42601')
  })

  it('commits and rolls back transactions, and refuses statements after an error until ROLLBACK', async () => {
    await db.transaction(async (tx) => {
      await tx.exec("INSERT INTO users VALUES (10, 'tx', 1, 'red')")
    })
    await expect(
      db.transaction(async (tx) => {
        await tx.exec("INSERT INTO users VALUES (11, 'gone', 1, 'red')")
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const ids = (await db.query('SELECT id FROM users WHERE id >= 10 ORDER BY id')).rows
    expect(ids).toEqual([{ id: 10 }])
    await db.exec('BEGIN')
    await error(db.query('SELECT * FROM nope'))
    expect((await error(db.query('SELECT 1'))).code).toBe('25P02')
    await db.exec('ROLLBACK')
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })

  it('runs prepared statements many times with different parameters', async () => {
    const st = db.prepare('SELECT name FROM users WHERE id = $1')
    expect((await st.query([1])).rows).toEqual([{ name: 'ann' }])
    expect((await st.query([2])).rows).toEqual([{ name: 'bob' }])
    st.close()
  })

  it('explains a plan with estimated rows, and EXPLAIN ANALYZE adds actual rows', async () => {
    const r = await db.query('EXPLAIN SELECT name FROM users WHERE id = 2')
    const text = r.rows.map((x) => x['QUERY PLAN']).join('\n')
    expect(text).toMatch(/Primary Key Range Scan on users/)
    const a = await db.query('EXPLAIN ANALYZE SELECT name FROM users WHERE id = 2')
    expect(a.rows.map((x) => x['QUERY PLAN']).join('\n')).toMatch(/actual time=[\d.]+ rows=1 loops=1/)
  })
})

describe('Database statements', () => {
  it('runs WITH RECURSIVE', async () => {
    const r = await db.query('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) AS s FROM r')
    expect(r.rows).toEqual([{ s: 15n }])
  })

  it('fills defaults and serials, rounds numerics on assignment and enforces CHECK with the constraint name', async () => {
    await db.exec("CREATE TABLE a (id serial PRIMARY KEY, v text DEFAULT 'x', n numeric(10,2) CHECK (n > 0))")
    const r = await db.query('INSERT INTO a (n) VALUES (1.234), (5) RETURNING *')
    expect(r.rows).toEqual([{ id: 1, v: 'x', n: '1.23' }, { id: 2, v: 'x', n: '5.00' }])
    const e = await error(db.query('INSERT INTO a (n) VALUES (-1)'))
    expect(e.code).toBe('23514')
    expect(e.message).toBe('new row for relation "a" violates check constraint "a_n_check"')
  })

  it('upserts with ON CONFLICT DO UPDATE and DO NOTHING', async () => {
    await db.query("INSERT INTO users VALUES (1, 'ann2', 32, 'red') ON CONFLICT (id) DO UPDATE SET name = excluded.name, age = users.age + 1")
    await db.query("INSERT INTO users VALUES (2, 'nobody', 1, 'x') ON CONFLICT DO NOTHING")
    const r = await db.query('SELECT id, name, age FROM users WHERE id IN (1, 2) ORDER BY id')
    expect(r.rows).toEqual([{ id: 1, name: 'ann2', age: 32 }, { id: 2, name: 'bob', age: 25 }])
  })

  it('re-plans a cached statement after DDL changes the objects it reads', async () => {
    const st = db.prepare('SELECT * FROM users WHERE id = $1')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team'])
    await db.exec('ALTER TABLE users ADD COLUMN email text')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team', 'email'])
    await db.exec('DROP TABLE users')
    expect((await error(st.query([1]))).code).toBe('42P01')
  })

  it('re-plans a cached statement after DDL of its own transaction, and again after that is rolled back', async () => {
    const st = db.prepare('SELECT * FROM users WHERE id = $1')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team'])
    await db.exec('BEGIN')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team'])
    await db.exec('ALTER TABLE users ADD COLUMN email text')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team', 'email'])
    await db.exec('ALTER TABLE users DROP COLUMN age')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'team', 'email'])
    await db.exec('ROLLBACK')
    expect(Object.keys((await st.query([1])).rows[0])).toEqual(['id', 'name', 'age', 'team'])
  })

  it('updates and deletes by primary key through the transaction\'s own writes', async () => {
    const update = db.prepare('UPDATE users SET age = age + 1 WHERE id = $1 RETURNING id, age')
    await db.exec('BEGIN')
    await db.exec(`INSERT INTO users VALUES (5, 'ed', 50, NULL)`)
    expect((await update.query([5])).rows).toEqual([{ id: 5, age: 51 }])
    expect((await update.query([5])).rows).toEqual([{ id: 5, age: 52 }])
    await db.exec('DELETE FROM users WHERE id = 2')
    expect((await update.query([2])).rowCount).toBe(0)
    expect((await update.query([99])).rowCount).toBe(0)
    expect((await update.query([null])).rowCount).toBe(0)
    await db.exec('COMMIT')
    expect((await db.query('SELECT id, age FROM users ORDER BY id', [], { rowMode: 'array' })).rows).toEqual([
      [1, 31],
      [3, null],
      [4, 40],
      [5, 52],
    ])
  })

  it('gives now() the transaction start time, not the time the statement was first planned', async () => {
    const first = (await db.query('SELECT now() AS t')).rows[0].t as Date
    await new Promise((resolve) => setTimeout(resolve, 5))
    const second = (await db.query('SELECT now() AS t')).rows[0].t as Date
    expect(second.getTime()).toBeGreaterThan(first.getTime())
    const inTx = await db.transaction(async (tx) => {
      const a = (await tx.query('SELECT now() AS t')).rows[0].t as Date
      await new Promise((resolve) => setTimeout(resolve, 5))
      const b = (await tx.query('SELECT now() AS t')).rows[0].t as Date
      return [a.getTime(), b.getTime()]
    })
    expect(inTx[0]).toBe(inTx[1])
  })

  it('runs LATERAL subqueries that read earlier FROM items, inner and LEFT JOIN', async () => {
    await db.exec('CREATE TABLE o (id int PRIMARY KEY, uid int, amt int); INSERT INTO o VALUES (1, 1, 10), (2, 1, 20), (3, 2, 5), (4, 1, 7)')
    const top2 = await db.query(
      'SELECT u.name, x.amt FROM users u, LATERAL (SELECT amt FROM o WHERE o.uid = u.id ORDER BY amt DESC LIMIT 2) x ORDER BY 1, 2',
      [],
      { rowMode: 'array' },
    )
    expect(top2.rows).toEqual([['ann', 10], ['ann', 20], ['bob', 5]])
    const left = await db.query(
      'SELECT u.name, x.amt FROM users u LEFT JOIN LATERAL (SELECT amt FROM o WHERE o.uid = u.id ORDER BY amt DESC LIMIT 1) x ON true ORDER BY 1',
      [],
      { rowMode: 'array' },
    )
    expect(left.rows).toEqual([['ann', 20], ['bob', 5], ['cy', null], ['di', null]])
  })

  it('rejects an empty IN list with a syntax error instead of crashing', async () => {
    expect((await error(db.query('SELECT 1 IN ()'))).code).toBe('42601')
  })

  it('lists tables and columns through information_schema and pg_catalog', async () => {
    const t = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    expect(t.rows).toEqual([{ table_name: 'users' }])
    const c = await db.query(`
      SELECT a.attname, a.attnotnull FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON a.attrelid = c.oid WHERE c.relname = 'users' ORDER BY a.attnum`)
    expect(c.rows.map((x) => x.attname)).toEqual(['id', 'name', 'age', 'team'])
  })
})

describe('Database on Node fs', () => {
  it('keeps committed rows across close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rustydb-db-'))
    try {
      const path = join(dir, 'app.rdb')
      const a = await Database.open({ path })
      await a.exec("CREATE TABLE kv (k text PRIMARY KEY, v int); INSERT INTO kv VALUES ('a', 1), ('b', 2)")
      await a.close()
      const b = await Database.open({ path })
      expect((await b.query('SELECT k, v FROM kv ORDER BY k')).rows).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 2 }])
      await b.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
