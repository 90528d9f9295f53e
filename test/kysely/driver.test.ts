/**
 * RustyDriver itself (web/kysely/rusty-driver.ts invariants 1-4): sessions per connection and their reuse,
 * destroy, configuration errors, results, insertId, and streaming in chunks.
 */
import { CompiledQuery, Kysely, type Generated } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../engine/index.js'
import { RustyDialect, RustyDriver, type RustyDatabaseLike, type RustySessionLike } from '../../web/kysely/index.js'
import { rustyError } from './helpers.js'

interface Tables {
  t: { id: Generated<number>; v: string | null }
  'Other S.Items': { k: string; n: Generated<bigint> }
}

/** A database that counts the sessions the driver opens and closes. */
function counting(database: Database): { db: RustyDatabaseLike; opened: () => number; closed: () => number } {
  let opened = 0
  let closed = 0
  const db: RustyDatabaseLike = {
    session: (): RustySessionLike => {
      opened++
      const s = database.session()
      return {
        query: (sql, params) => s.query(sql, params) as never,
        close: () => {
          closed++
          return s.close()
        },
        get status() {
          return s.status
        },
      }
    },
    close: () => database.close(),
  }
  return { db, opened: () => opened, closed: () => closed }
}

let database: Database

beforeEach(async () => {
  database = await Database.open()
  await database.exec('CREATE TABLE t (id serial PRIMARY KEY, v text)')
})

afterEach(async () => {
  await database.close()
})

describe('connections', () => {
  it('gives each concurrent connection its own session and reuses idle ones', async () => {
    const c = counting(database)
    const db = new Kysely<Tables>({ dialect: new RustyDialect({ database: c.db, maxIdleSessions: 2 }) })
    await db.selectFrom('t').selectAll().execute()
    await db.selectFrom('t').selectAll().execute()
    expect(c.opened()).toBe(1)
    await Promise.all([1, 2, 3].map((i) => db.transaction().execute((trx) => trx.insertInto('t').values({ v: `x${i}` }).execute())))
    expect(c.opened()).toBe(3)
    // three sessions came back idle; two are kept, one is closed
    expect(c.closed()).toBe(1)
    await db.destroy()
    expect(c.closed()).toBe(3)
    expect((await rustyError(database.query('SELECT 1'))).code).toBe('55000')
  })

  it('closes a session that comes back with a transaction open instead of reusing it', async () => {
    const c = counting(database)
    const db = new Kysely<Tables>({ dialect: new RustyDialect({ database: c.db }) })
    await db.connection().execute(async (conn) => {
      await conn.executeQuery(CompiledQuery.raw('begin'))
      await conn.insertInto('t').values({ v: 'left open' }).execute()
    })
    expect(c.closed()).toBe(1)
    expect((await database.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 0n }])
    await db.destroy()
  })

  it('refuses to work after destroy with 55000', async () => {
    const driver = new RustyDriver({ database })
    await driver.destroy()
    expect((await rustyError(driver.acquireConnection())).code).toBe('55000')
  })

  it('refuses a released connection with 55000', async () => {
    const driver = new RustyDriver({ database })
    const conn = await driver.acquireConnection()
    await driver.releaseConnection(conn)
    expect((await rustyError(conn.executeQuery(CompiledQuery.raw('select 1')))).code).toBe('55000')
  })

  it('rejects a configuration without a database, or a bad pool size, with 22023', () => {
    const bad = (config: unknown): string => {
      try {
        new RustyDriver(config as never)
      } catch (err) {
        return (err as { code: string }).code
      }
      return 'no error'
    }
    expect(bad({})).toBe('22023')
    expect(bad(null)).toBe('22023')
    expect(bad({ database: { query: () => undefined } })).toBe('22023')
    expect(bad({ database, maxIdleSessions: -1 })).toBe('22023')
    expect(bad({ database, maxIdleSessions: 1.5 })).toBe('22023')
  })
})

describe('results', () => {
  it('maps rows and numAffectedRows, and leaves numAffectedRows off for other commands', async () => {
    const driver = new RustyDriver({ database })
    const conn = await driver.acquireConnection()
    expect(await conn.executeQuery(CompiledQuery.raw("insert into t (v) values ('a'), ('b') returning id"))).toEqual({ rows: [{ id: 1 }, { id: 2 }], numAffectedRows: 2n })
    expect(await conn.executeQuery(CompiledQuery.raw("update t set v = 'c' where id = $1", [2]))).toEqual({ rows: [], numAffectedRows: 1n })
    expect(await conn.executeQuery(CompiledQuery.raw('delete from t where id > $1', [5]))).toEqual({ rows: [], numAffectedRows: 0n })
    expect(await conn.executeQuery(CompiledQuery.raw('select v from t order by id'))).toEqual({ rows: [{ v: 'a' }, { v: 'c' }] })
    expect(await conn.executeQuery(CompiledQuery.raw('create table u (x int)'))).toEqual({ rows: [] })
    await driver.releaseConnection(conn)
    await driver.destroy()
  })

  it('reports insertId only for a Kysely insert without returning into a table with a serial or identity column', async () => {
    await database.exec('CREATE SCHEMA "Other S"; CREATE TABLE "Other S"."Items" (k text, n bigint GENERATED BY DEFAULT AS IDENTITY)')
    const db = new Kysely<Tables>({ dialect: new RustyDialect({ database }) })
    expect(await db.insertInto('t').values({ v: 'a' }).executeTakeFirstOrThrow()).toEqual({ insertId: 1n, numInsertedOrUpdatedRows: 1n })
    // an explicit value is the row's value
    expect((await db.insertInto('t').values({ id: 10, v: 'b' }).executeTakeFirstOrThrow()).insertId).toBe(10n)
    expect(await db.insertInto('Other S.Items').values({ k: 'x' }).executeTakeFirstOrThrow()).toEqual({ insertId: 1n, numInsertedOrUpdatedRows: 1n })
    // with returning the rows are the answer
    expect(await db.insertInto('t').values({ v: 'c' }).returning('v').execute()).toEqual([{ v: 'c' }])
    // a raw INSERT is not Kysely's insert node
    expect(await db.executeQuery(CompiledQuery.raw("insert into t (v) values ('d')"))).toEqual({ rows: [], numAffectedRows: 1n })
    await db.destroy()
  })
})

describe('the insertId column cache', () => {
  it('forgets what it knows after DDL through the driver, and survives DDL it did not see', async () => {
    await database.exec('CREATE TABLE plain (k text)')
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = new Kysely<any>({ dialect: new RustyDialect({ database }) })
    expect((await db.insertInto('plain').values({ k: 'a' }).executeTakeFirstOrThrow()).insertId).toBeUndefined()
    expect((await db.insertInto('t').values({ v: 'a' }).executeTakeFirstOrThrow()).insertId).toBe(1n)
    // through the driver: the cache is emptied, the new serial column is found
    await db.schema.alterTable('plain').addColumn('id', 'serial').execute()
    expect(await db.insertInto('plain').values({ k: 'b' }).executeTakeFirstOrThrow()).toEqual({ insertId: 2n, numInsertedOrUpdatedRows: 1n })
    // behind the driver's back: the cached column is gone; the insert still works, without an insertId
    await database.exec('ALTER TABLE t DROP COLUMN id')
    expect(await db.insertInto('t').values({ v: 'b' }).executeTakeFirstOrThrow()).toEqual({ insertId: undefined, numInsertedOrUpdatedRows: 1n })
    expect((await database.query('SELECT v FROM t')).rows).toEqual([{ v: 'a' }, { v: 'b' }])
    await db.destroy()
  })
})

describe('streamQuery', () => {
  it('yields the rows in chunks of chunkSize', async () => {
    await database.exec("INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('d'), ('e')")
    const driver = new RustyDriver({ database })
    const conn = await driver.acquireConnection()
    const chunks: unknown[][] = []
    for await (const r of conn.streamQuery(CompiledQuery.raw('select v from t order by id'), 2)) chunks.push(r.rows)
    expect(chunks).toEqual([[{ v: 'a' }, { v: 'b' }], [{ v: 'c' }, { v: 'd' }], [{ v: 'e' }]])
    await driver.releaseConnection(conn)
    await driver.destroy()
  })

  it('rejects a chunk size that is not a positive integer with 22023', async () => {
    const driver = new RustyDriver({ database })
    const conn = await driver.acquireConnection()
    for (const size of [0, -1, 1.5, Number.NaN]) {
      expect((await rustyError(conn.streamQuery(CompiledQuery.raw('select 1'), size).next())).code).toBe('22023')
    }
    await driver.releaseConnection(conn)
    await driver.destroy()
  })
})
