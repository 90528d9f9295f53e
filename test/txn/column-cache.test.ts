/**
 * The column cache (engine/txn/column-cache.ts): whole-table scans reuse decoded columns while the table is
 * unchanged, and never show a reader anything its snapshot, its own writes or the table's current definition
 * would not show it. A differential property test runs random workloads on two databases, one with the cache
 * and one without, and compares every answer.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, type DatabaseSession } from '../../engine/node.js'
import { rustyError } from '../support/errors.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE t (id int PRIMARY KEY, a int, s text);
    INSERT INTO t SELECT g, g % 7, 'v' || g FROM generate_series(1, 3000) g;
  `)
})

afterEach(async () => {
  await db.close()
})

async function one(sql: string, session: Pick<DatabaseSession, 'query'> = db): Promise<unknown> {
  const r = await session.query(sql, [], { rowMode: 'array' })
  return r.rows[0]?.[0]
}

const SUM = 'SELECT sum(a) FROM t'

describe('column cache', () => {
  it('serves a repeated whole-table scan from the cache and sees every later commit', async () => {
    expect(await one(SUM)).toBe(8998n)
    const afterFirst = db.stats().columnCache
    expect(afterFirst.tables).toBe(1)
    expect(await one(SUM)).toBe(8998n)
    expect(db.stats().columnCache.hits).toBe(afterFirst.hits + 1)

    await db.exec('UPDATE t SET a = a + 1 WHERE id = 5')
    expect(await one(SUM)).toBe(8999n)
    await db.exec('DELETE FROM t WHERE id <= 10')
    expect(await one(SUM)).toBe(8971n)
    await db.exec(`INSERT INTO t VALUES (5000, 1000, 'x')`)
    expect(await one(SUM)).toBe(9971n)
    expect(await one(SUM)).toBe(9971n)
  })

  it("shows a transaction its own uncommitted writes, and drops nothing into the cache on ROLLBACK", async () => {
    expect(await one(SUM)).toBe(8998n)
    await db.exec('BEGIN')
    await db.exec('UPDATE t SET a = 0')
    expect(await one(SUM)).toBe(0n)
    await db.exec(`INSERT INTO t VALUES (9000, 5, 'y')`)
    expect(await one(SUM)).toBe(5n)
    await db.exec('ROLLBACK')
    expect(await one(SUM)).toBe(8998n)
    expect(await one('SELECT count(*) FROM t')).toBe(3000n)
  })

  it('keeps a REPEATABLE READ snapshot on the old rows while newer readers see the new ones', async () => {
    const old = db.session()
    const other = db.session()
    try {
      await old.exec('BEGIN ISOLATION LEVEL REPEATABLE READ')
      expect(await one(SUM, old)).toBe(8998n)
      await other.exec('UPDATE t SET a = a + 10 WHERE id <= 100')
      expect(await one(SUM, other)).toBe(9998n) // decoded and cached at the new version
      expect(await one(SUM, other)).toBe(9998n) // from the cache
      expect(await one(SUM, old)).toBe(8998n) // its snapshot predates the cached version
      expect(await one('SELECT max(s) FROM t', old)).toBe('v999')
      await old.exec('COMMIT')
      expect(await one(SUM, old)).toBe(9998n)
    } finally {
      await old.close()
      await other.close()
    }
  })

  it('stores nothing for a scan that stopped early (LIMIT), and caches a later full scan', async () => {
    const r = await db.query('SELECT s FROM t LIMIT 3', [], { rowMode: 'array' })
    expect(r.rows).toEqual([['v1'], ['v2'], ['v3']])
    expect(db.stats().columnCache.tables).toBe(0)
    expect(await one("SELECT count(*) FROM t WHERE s LIKE 'v1%'")).toBe(1111n)
    expect(db.stats().columnCache.tables).toBe(1)
    expect(await one("SELECT count(*) FROM t WHERE s LIKE 'v2%'")).toBe(1111n)
  })

  it('follows ALTER TABLE, DROP and re-CREATE of a table', async () => {
    expect(await one(SUM)).toBe(8998n)
    await db.exec('ALTER TABLE t ADD COLUMN b int DEFAULT 2')
    expect(await one('SELECT sum(b) FROM t')).toBe(6000n)
    expect(await one(SUM)).toBe(8998n)
    await db.exec('ALTER TABLE t DROP COLUMN a')
    await db.exec('ALTER TABLE t ADD COLUMN a int')
    expect(await one('SELECT count(a) FROM t')).toBe(0n)
    await db.exec('DROP TABLE t')
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, a int)')
    expect(await one('SELECT count(*) FROM t')).toBe(0n)
    expect(await one(SUM)).toBe(null)
    await db.exec('INSERT INTO t VALUES (1, 42)')
    expect(await one(SUM)).toBe(42n)
  })

  it('does not cache bytea or array columns, whose values a caller could change', async () => {
    await db.exec(`CREATE TABLE blobs (id int PRIMARY KEY, b bytea, xs int[])`)
    await db.exec(`INSERT INTO blobs VALUES (1, '\\x0102', ARRAY[1, 2])`)
    const first = await db.query<{ b: Uint8Array; xs: number[] }>('SELECT b, xs FROM blobs')
    first.rows[0].b[0] = 99
    first.rows[0].xs[0] = 99
    const again = await db.query<{ b: Uint8Array; xs: number[] }>('SELECT b, xs FROM blobs')
    expect([...again.rows[0].b]).toEqual([1, 2])
    expect(again.rows[0].xs).toEqual([1, 2])
  })

  it('evicts the least recently used table beyond its budget, and is off with columnCacheBytes: 0', async () => {
    const small = await Database.open({ storage: 'memory', columnCacheBytes: 60_000 })
    const off = await Database.open({ storage: 'memory', columnCacheBytes: 0 })
    try {
      for (const d of [small, off]) {
        await d.exec(`
          CREATE TABLE x (id int PRIMARY KEY, v int);
          CREATE TABLE y (id int PRIMARY KEY, v int);
          INSERT INTO x SELECT g, g FROM generate_series(1, 5000) g;
          INSERT INTO y SELECT g, 2 * g FROM generate_series(1, 5000) g;
        `)
      }
      // x.v: 5,000 values of about 8 bytes each fit; x and y together do not.
      expect(await one('SELECT sum(v) FROM x', small)).toBe(12502500n)
      expect(small.stats().columnCache.tables).toBe(1)
      expect(await one('SELECT sum(v) FROM y', small)).toBe(25005000n)
      expect(await one('SELECT sum(v) FROM y', small)).toBe(25005000n)
      const st = small.stats().columnCache
      expect(st.evictions).toBeGreaterThanOrEqual(1)
      expect(st.bytes).toBeLessThanOrEqual(60_000)
      expect(await one('SELECT sum(v) FROM x', small)).toBe(12502500n)

      expect(await one('SELECT sum(v) FROM x', off)).toBe(12502500n)
      expect(await one('SELECT sum(v) FROM x', off)).toBe(12502500n)
      expect(off.stats().columnCache).toMatchObject({ tables: 0, bytes: 0, hits: 0 })
    } finally {
      await small.close()
      await off.close()
    }
  })

  it('rejects an invalid budget with 22023', async () => {
    const err = await rustyError(Database.open({ storage: 'memory', columnCacheBytes: -1 }))
    expect(err.code).toBe('22023')
    expect(err.message).toMatch(/columnCacheBytes/)
  })

  it('survives a reopen of a file-backed database (a fresh cache, the same answers)', async () => {
    const { MemoryAdapter } = await import('../../engine/storage/index.js')
    const adapter = new MemoryAdapter()
    const a = await Database.open({ adapter, name: 'c.rdb' })
    await a.exec('CREATE TABLE k (id int PRIMARY KEY, v int); INSERT INTO k SELECT g, g FROM generate_series(1, 2000) g')
    expect(await one('SELECT sum(v) FROM k', a)).toBe(2001000n)
    await a.exec('UPDATE k SET v = 0 WHERE id = 2000')
    await a.close()
    const b = await Database.open({ adapter, name: 'c.rdb' })
    try {
      expect(await one('SELECT sum(v) FROM k', b)).toBe(1999000n)
      expect(await one('SELECT sum(v) FROM k', b)).toBe(1999000n)
      await b.exec('UPDATE k SET v = 1 WHERE id = 2000')
      expect(await one('SELECT sum(v) FROM k', b)).toBe(1999001n)
    } finally {
      await b.close()
    }
  })
})

describe('column cache: differential property test', () => {
  /** One step of a workload: which session runs it and what. */
  type Step = { session: number; sql: string }

  const value = fc.oneof(fc.constant('NULL'), fc.integer({ min: -50, max: 50 }).map(String))
  const id = fc.integer({ min: 1, max: 60 })
  const write = fc.oneof(
    fc.tuple(id, value, value).map(([k, a, b]) => `INSERT INTO w VALUES (${k}, ${a}, ${b}) ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a`),
    fc.tuple(id, value).map(([k, a]) => `UPDATE w SET a = ${a} WHERE id = ${k}`),
    fc.tuple(id, value).map(([k, b]) => `UPDATE w SET b = ${b} WHERE id >= ${k}`),
    id.map((k) => `DELETE FROM w WHERE id = ${k}`),
  )
  const read = fc.constantFrom(
    'SELECT count(*), sum(a), sum(b), min(a), max(b) FROM w',
    'SELECT a, count(*) FROM w GROUP BY a ORDER BY a NULLS FIRST',
    'SELECT w.id, v.a FROM w JOIN w AS v ON w.b = v.a ORDER BY 1, 2',
    'SELECT id FROM w WHERE a > 0 AND b < 10 ORDER BY id',
    'SELECT * FROM w ORDER BY id LIMIT 3',
    'SELECT * FROM w',
  )
  const control = fc.constantFrom(
    'BEGIN',
    'BEGIN ISOLATION LEVEL REPEATABLE READ',
    'BEGIN ISOLATION LEVEL REPEATABLE READ',
    'BEGIN ISOLATION LEVEL SERIALIZABLE',
    'COMMIT',
    'COMMIT',
    'ROLLBACK',
    'SAVEPOINT s',
    'ROLLBACK TO SAVEPOINT s',
  )
  const ddl = fc.constantFrom('ALTER TABLE w ADD COLUMN c int', 'TRUNCATE w')
  // Session 0 runs transactions; session 1 mostly autocommits, so its commits land inside session 0's
  // snapshots (the cases the cache must not serve).
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ session: fc.constant(0), sql: fc.oneof({ arbitrary: read, weight: 4 }, { arbitrary: write, weight: 2 }, { arbitrary: control, weight: 3 }) }),
    fc.record({ session: fc.constant(1), sql: fc.oneof({ arbitrary: read, weight: 3 }, { arbitrary: write, weight: 3 }, { arbitrary: ddl, weight: 1 }) }),
  )

  async function run(d: Database, steps: readonly Step[]): Promise<string[]> {
    const sessions = [d.session(), d.session()]
    const out: string[] = []
    try {
      // Statements run one after another, so a lock wait could never end: it fails at once instead, the same
      // way in both databases.
      for (const s of sessions) await s.exec('SET lock_timeout = 1')
      for (const s of steps) {
        try {
          const r = await sessions[s.session].query(s.sql, [], { rowMode: 'array' })
          out.push(JSON.stringify(r.rows, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
        } catch (e) {
          out.push(`error ${(e as { code?: string }).code}`)
        }
      }
    } finally {
      await Promise.all(sessions.map((s) => s.close()))
    }
    return out
  }

  it('gives the same answers with and without the cache', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30, size: 'max' }), async (steps) => {
        const results: string[][] = []
        for (const columnCacheBytes of [0, 1 << 20]) {
          const d = await Database.open({ storage: 'memory', columnCacheBytes })
          try {
            await d.exec('CREATE TABLE w (id int PRIMARY KEY, a int, b int)')
            await d.exec('INSERT INTO w SELECT g, g % 5, g % 3 FROM generate_series(1, 40) g')
            results.push(await run(d, steps))
          } finally {
            await d.close()
          }
        }
        expect(results[1]).toEqual(results[0])
      }),
      { numRuns: 150 },
    )
  })
})
