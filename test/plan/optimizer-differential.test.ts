/**
 * Differential test of the optimizer: random queries over random small tables give the same rows through the
 * optimized plan (pushdown, key ranges, index scans, hash joins, join order) as through the naive plan
 * (SET rustydb.optimizer = off: nested loops in FROM order, one filter on top, no access paths).
 * Failures print the seed and the query.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rng } from '../support/rng.js'
import { Database } from '../../engine/node.js'

const SEED = Number(process.env.DIFF_SEED ?? 20261123)
const QUERIES = Number(process.env.DIFF_QUERIES ?? 300)

let db: Database


beforeAll(async () => {
  db = await Database.open({ storage: 'memory' })
  const r = rng(SEED)
  const val = (nullPct = 0.15): string => (r() < nullPct ? 'NULL' : String(Math.floor(r() * 10) - 2))
  const txt = (): string => (r() < 0.1 ? 'NULL' : `'${'abcde'[Math.floor(r() * 5)]}${Math.floor(r() * 3)}'`)
  await db.exec(`
    CREATE TABLE t1 (id int PRIMARY KEY, a int, b int, s text);
    CREATE TABLE t2 (id int PRIMARY KEY, a int, b int, s text);
    CREATE TABLE t3 (a int, b int, s text);
    CREATE TABLE t4 (k1 int, k2 int, v int, PRIMARY KEY (k1, k2));
    CREATE INDEX t2_a ON t2 (a);
    CREATE INDEX t3_ab ON t3 (a, b DESC);
  `)
  for (const t of ['t1', 't2']) {
    const n = 20 + Math.floor(r() * 30)
    const rows = Array.from({ length: n }, (_, i) => `(${i}, ${val()}, ${val()}, ${txt()})`)
    await db.exec(`INSERT INTO ${t} VALUES ${rows.join(', ')}`)
  }
  await db.exec(`INSERT INTO t3 VALUES ${Array.from({ length: 40 }, () => `(${val()}, ${val()}, ${txt()})`).join(', ')}`)
  const t4: string[] = []
  for (let k1 = 0; k1 < 6; k1++) for (let k2 = 0; k2 < 6; k2++) if (r() < 0.7) t4.push(`(${k1}, ${k2}, ${val()})`)
  await db.exec(`INSERT INTO t4 VALUES ${t4.join(', ')}`)
})

afterAll(async () => {
  await db.close()
})

const TABLES: Record<string, string[]> = { t1: ['id', 'a', 'b'], t2: ['id', 'a', 'b'], t3: ['a', 'b'], t4: ['k1', 'k2', 'v'] }

/** A random query: 1-3 tables (inner/left joins or a comma list), predicates, optional grouping. */
const query = fc
  .record({
    tables: fc.array(fc.constantFrom('t1', 't2', 't3', 't4'), { minLength: 1, maxLength: 3 }),
    joinKinds: fc.array(fc.constantFrom('comma', 'inner', 'left'), { minLength: 2, maxLength: 2 }),
    preds: fc.array(fc.record({ kind: fc.nat(9), l: fc.nat(20), r: fc.nat(20), c: fc.integer({ min: -3, max: 9 }), c2: fc.integer({ min: -3, max: 9 }) }), { maxLength: 4 }),
    or: fc.boolean(),
    group: fc.nat(3),
    limit: fc.boolean(),
  })
  .map((q) => {
    const aliases = q.tables.map((t, i) => ({ t, alias: `x${i}` }))
    const cols = aliases.flatMap(({ t, alias }) => TABLES[t].map((c) => `${alias}.${c}`))
    const pick = (n: number): string => cols[n % cols.length]
    const pred = (p: (typeof q.preds)[number]): string => {
      switch (p.kind) {
        case 0: return `${pick(p.l)} = ${p.c}`
        case 1: return `${pick(p.l)} < ${p.c}`
        case 2: return `${pick(p.l)} >= ${p.c}`
        case 3: return `${pick(p.l)} = ${pick(p.r)}`
        case 4: return `${pick(p.l)} BETWEEN ${Math.min(p.c, p.c2)} AND ${Math.max(p.c, p.c2)}`
        case 5: return `${pick(p.l)} IS NULL`
        case 6: return `${pick(p.l)} IN (${p.c}, ${p.c2}, NULL)`
        case 7: return `NOT (${pick(p.l)} <> ${pick(p.r)})`
        case 8: return `${pick(p.l)} > ${pick(p.r)} + ${p.c}`
        default: return `EXISTS (SELECT 1 FROM t3 WHERE t3.a = ${pick(p.l)})`
      }
    }
    let from = `${aliases[0].t} ${aliases[0].alias}`
    const onPreds: string[] = []
    for (let i = 1; i < aliases.length; i++) {
      const kind = q.joinKinds[i - 1]
      const on = `${aliases[i].alias}.${TABLES[aliases[i].t][1]} = ${aliases[i - 1].alias}.${TABLES[aliases[i - 1].t][0]}`
      if (kind === 'comma') {
        from += `, ${aliases[i].t} ${aliases[i].alias}`
        onPreds.push(on)
      } else from += ` ${kind === 'inner' ? 'JOIN' : 'LEFT JOIN'} ${aliases[i].t} ${aliases[i].alias} ON ${on}`
    }
    const where = [...onPreds, ...q.preds.map(pred)]
    const whereSql = where.length === 0 ? '' : ` WHERE ${where.join(q.or && where.length > 1 ? ' OR ' : ' AND ')}`
    if (q.group === 1) return `SELECT ${pick(0)} AS g, count(*), sum(${pick(1)}), max(${pick(2)}) FROM ${from}${whereSql} GROUP BY ${pick(0)}`
    if (q.group === 2) return `SELECT count(*), min(${pick(3)}) FROM ${from}${whereSql}`
    const order = cols.join(', ')
    return `SELECT ${cols.join(', ')} FROM ${from}${whereSql}${q.limit ? ` ORDER BY ${order} LIMIT 7` : ''}`
  })

function canonical(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort()
}

describe('optimizer', () => {
  it('returns the same rows as the naive plan for random queries', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (sql) => {
        await db.exec('SET rustydb.optimizer = on')
        const fast = await db.query<unknown[]>(sql, [], { rowMode: 'array' })
        await db.exec('SET rustydb.optimizer = off')
        const slow = await db.query<unknown[]>(sql, [], { rowMode: 'array' })
        await db.exec('SET rustydb.optimizer = on')
        expect(canonical(fast.rows), sql).toEqual(canonical(slow.rows))
      }),
      { seed: SEED, numRuns: QUERIES },
    )
  }, 120_000)

  it('uses key ranges and index scans in the optimized plan and none in the naive one', async () => {
    const plan = async (sql: string): Promise<string> => (await db.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n')
    const sql = 'SELECT * FROM t1 JOIN t2 ON t2.a = t1.id WHERE t1.id = 3 AND t2.b > 0'
    expect(await plan(sql)).toMatch(/Primary Key Range Scan on t1/)
    expect(await plan(sql)).toMatch(/Hash Join|Index/)
    await db.exec('SET rustydb.optimizer = off')
    expect(await plan(sql)).not.toMatch(/Range Scan|Index Scan|Hash Join/)
    await db.exec('SET rustydb.optimizer = on')
  })
})
