/**
 * ORDER BY served by the scan: a primary-key or index scan that already delivers the order replaces the Sort
 * (read backwards for the opposite order when no two rows can tie), and under LIMIT an index with the order is
 * chosen over sorting the table. Every query's rows are compared, in order, with the naive plan's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Database } from '../../engine/node.js'
import { explain, sameAsNaive } from '../support/plans.js'

let db: Database

beforeAll(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE t (id int PRIMARY KEY, g int, u int NOT NULL UNIQUE, s text);
    CREATE INDEX t_g ON t (g);
    CREATE INDEX t_s_desc ON t (s DESC);
    INSERT INTO t SELECT i, CASE WHEN i % 9 = 0 THEN NULL ELSE i % 20 END, 10000 - i, 'v' || (i % 50) FROM generate_series(1, 2000) i;
    CREATE TABLE pair (a int, b int, v text, PRIMARY KEY (a, b));
    INSERT INTO pair SELECT i % 30, i, 'p' || i FROM generate_series(1, 900) i;
    ANALYZE;
  `)
})

afterAll(async () => {
  await db.close()
})

const plan = (sql: string): Promise<string> => explain(db, sql)
const same = async (sql: string): Promise<void> => void (await sameAsNaive(db, sql, true))

describe('ORDER BY served by the scan', () => {
  it('drops the Sort for primary-key order, forwards and (when nothing ties) backwards', async () => {
    for (const sql of [
      'SELECT * FROM t ORDER BY id LIMIT 5',
      'SELECT id, s FROM t ORDER BY id DESC LIMIT 7',
      'SELECT id FROM t WHERE id BETWEEN 100 AND 140 ORDER BY id DESC',
      'SELECT * FROM pair ORDER BY a, b LIMIT 10',
      'SELECT * FROM pair ORDER BY a DESC, b DESC LIMIT 10',
      'SELECT a, v FROM pair WHERE a = 3 ORDER BY a',
      'SELECT * FROM pair ORDER BY a LIMIT 12',
    ]) {
      expect(await plan(sql), sql).not.toMatch(/Sort/)
      await same(sql)
    }
  })

  it('says in EXPLAIN which scans run backwards', async () => {
    expect(await plan('SELECT id FROM t ORDER BY id DESC LIMIT 3')).toMatch(/Seq Scan Backward on t/)
    expect(await plan('SELECT id, u FROM t ORDER BY u DESC LIMIT 3')).toMatch(/Index Scan Backward using \S+ on t/)
    expect(await plan('SELECT id FROM t ORDER BY id LIMIT 3')).not.toMatch(/Backward/)
  })

  it('keeps the Sort when the scan cannot deliver the order or ties would come out reversed', async () => {
    for (const sql of [
      'SELECT * FROM pair ORDER BY a DESC LIMIT 12', // a prefix backwards: ties on a would be reversed
      'SELECT * FROM pair ORDER BY a, b DESC LIMIT 5', // mixed directions
      'SELECT * FROM t ORDER BY g NULLS FIRST LIMIT 5', // the index keeps NULLs last
      'SELECT * FROM t ORDER BY g DESC LIMIT 5', // non-unique index backwards
      'SELECT * FROM t ORDER BY id + 0 LIMIT 5', // not a plain column
      'SELECT * FROM t ORDER BY s, id', // no LIMIT: sorting beats fetching every row through the index
      'SELECT id, g FROM t WHERE id > 1500 ORDER BY g LIMIT 6', // a key range already narrows the scan: sort those rows
    ]) {
      expect(await plan(sql), sql).toMatch(/Sort/)
      await same(sql)
    }
  })

  it('reads an index with the order under LIMIT, including a unique NOT NULL one backwards', async () => {
    for (const sql of [
      'SELECT id, g FROM t ORDER BY g LIMIT 30',
      'SELECT * FROM t ORDER BY s DESC LIMIT 8',
      'SELECT id, u FROM t ORDER BY u LIMIT 4',
      'SELECT id, u FROM t ORDER BY u DESC LIMIT 4',
      'SELECT id, g FROM t WHERE g > 15 ORDER BY g',
    ]) {
      const p = await plan(sql)
      expect(p, sql).not.toMatch(/Sort/)
      expect(p, sql).toMatch(/Index Scan/)
      await same(sql)
    }
  })

  it('returns the same rows as the naive plan for many ORDER BY forms', async () => {
    const orders = ['id', 'id DESC', 'g, id', 'g DESC NULLS LAST, id', 'u DESC', 's DESC, id', 'u']
    const wheres = ['', 'WHERE g > 10', 'WHERE id < 300', 'WHERE u > 9000']
    for (const o of orders) for (const w of wheres) for (const l of ['', 'LIMIT 17', 'LIMIT 5 OFFSET 3']) await same(`SELECT id, g, u, s FROM t ${w} ORDER BY ${o} ${l}`)
  })
})

describe('GROUP BY over input in group order', () => {
  it('streams groups from a key or index scan (GroupAggregate) with the hash path\'s results', async () => {
    for (const sql of [
      'SELECT a, count(*), sum(b), min(v) FROM pair GROUP BY a',
      'SELECT a, b, count(*) FROM pair GROUP BY a, b',
      'SELECT id, count(*), max(s) FROM t GROUP BY id', // 2,000 groups: finished groups leave in several batches
      "SELECT a, count(DISTINCT b % 7), string_agg(v, ',' ORDER BY b DESC) FROM pair GROUP BY a HAVING count(*) > 2",
      'SELECT g, count(*), sum(id) FROM t WHERE g > 3 GROUP BY g ORDER BY g',
      'SELECT a, count(*) FROM pair WHERE a = 7 GROUP BY a',
    ]) {
      expect(await plan(sql), sql).toMatch(/GroupAggregate/)
      await same(sql)
    }
  })

  it('keeps hashing when the input is not in group order', async () => {
    for (const sql of ['SELECT g, count(*) FROM t GROUP BY g ORDER BY g', 'SELECT g, count(*) FROM t WHERE g IS NULL OR g > 15 GROUP BY g ORDER BY g NULLS FIRST', 'SELECT b, count(*) FROM pair GROUP BY b ORDER BY b', 'SELECT a + 1, count(*) FROM pair GROUP BY a + 1 ORDER BY 1']) {
      expect(await plan(sql), sql).toMatch(/HashAggregate/)
      await same(sql)
    }
  })
})
