/**
 * Hash joins on one int32-valued key build a typed-array table (join.ts IntJoinTable); a date key that meets
 * infinity falls back to the general table. Every join kind is compared with the naive plan (nested loops).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Database } from '../../engine/node.js'
import { explain, sameAsNaive } from '../support/plans.js'

let db: Database

beforeAll(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE l (id int PRIMARY KEY, k int, s smallint, d date);
    CREATE TABLE r (id int PRIMARY KEY, k int, s smallint, d date);
    INSERT INTO l SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE (g * 37) % 1001 - 500 END, (g % 300)::smallint,
                         date '2026-01-01' + (g % 400) FROM generate_series(1, 1500) g;
    INSERT INTO r SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 600 - 300 END, (g % 250)::smallint,
                         CASE WHEN g = 5 THEN 'infinity'::date WHEN g = 6 THEN '-infinity'::date ELSE date '2026-01-01' + (g % 500) END
    FROM generate_series(1, 1200) g;
    INSERT INTO l VALUES (7001, 0, 0, 'infinity'), (7002, -2147483648, -32768, '-infinity'), (7003, 2147483647, 32767, NULL);
    INSERT INTO r VALUES (9001, -2147483648, -32768, '-infinity'), (9002, 2147483647, 32767, 'infinity');
    ANALYZE;
  `)
})

afterAll(async () => {
  await db.close()
})

const plan = (sql: string): Promise<string> => explain(db, sql)
const same = async (sql: string): Promise<void> => void (await sameAsNaive(db, sql, true))

describe('hash joins on int32 keys', () => {
  it('match the naive plan for every join kind and key type, NULLs, duplicates and extreme values included', async () => {
    for (const key of ['k', 's', 'd']) {
      for (const sql of [
        `SELECT l.id, r.id FROM l JOIN r ON l.${key} = r.${key}`,
        `SELECT l.id, r.id FROM l LEFT JOIN r ON l.${key} = r.${key}`,
        `SELECT l.id, r.id FROM l RIGHT JOIN r ON l.${key} = r.${key}`,
        `SELECT l.id, r.id FROM l FULL JOIN r ON l.${key} = r.${key}`,
        `SELECT l.id FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.${key} = l.${key})`,
        `SELECT l.id FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.${key} = l.${key})`,
        `SELECT l.id, r.id FROM l JOIN r ON l.${key} = r.${key} AND r.id % 3 <> 0`,
      ]) {
        const ordered = `SELECT * FROM (${sql}) q ORDER BY 1${sql.includes('r.id FROM') ? ', 2' : ''}`
        if (sql.startsWith('SELECT l.id, r.id FROM l JOIN')) expect(await plan(ordered), ordered).toMatch(/Hash/)
        await same(ordered)
      }
    }
  })

  it('keeps each key\'s build rows in input order (pairs come out as the general table gives them)', async () => {
    // l.id 14 has k = 18, which r rows 318 and 918 have; the build side reads r in id order.
    const r = await db.query('SELECT l.id, r.id AS rid FROM l JOIN r ON l.k = r.k WHERE l.id = 14', [], { rowMode: 'array' })
    expect(r.rows).toEqual([
      [14, 318],
      [14, 918],
    ])
  })
})
