/**
 * The planner uses table statistics (issue #3, "join order from statistics"): scan estimates follow the
 * maintained row counts, filters use ANALYZE's histograms and distinct counts, and the greedy join order
 * starts from the table that statistics say is small after its filter.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../engine/node.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`CREATE TABLE a (id int PRIMARY KEY, name text);
    CREATE TABLE b (id int PRIMARY KEY, a_id int, c_id int);
    CREATE TABLE c (id int PRIMARY KEY, v int)`)
  await db.exec("INSERT INTO a SELECT g, 'n' || g FROM generate_series(1, 200) g")
  await db.exec('INSERT INTO b SELECT g, g % 200 + 1, g % 3000 + 1 FROM generate_series(1, 5000) g')
  await db.exec('INSERT INTO c SELECT g, g - 1 FROM generate_series(1, 3000) g')
})

afterEach(async () => {
  await db.close()
})

async function explain(d: Database, sql: string): Promise<string[]> {
  return (await d.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string)
}

/** Rows estimated for the first plan line naming `what`. */
function rowsOf(lines: string[], what: string): number {
  const line = lines.find((l) => l.includes(what))
  expect(line, what).toBeDefined()
  return Number(/rows=(\d+)/.exec(line as string)?.[1])
}

/** The tables scanned directly under (or probed by) the innermost (first built) join, and the outermost one. */
function joinTables(lines: string[]): { first: string[]; last: string[] } {
  const depth = (l: string): number => l.search(/\S/) + (l.trimStart().startsWith('->') ? 0 : -1)
  const joins = lines.map((l, i) => ({ l, i })).filter((x) => /Join/.test(x.l))
  const childrenOf = (at: number): string[] => {
    const d = depth(lines[at])
    // An index nested-loop join names the table it probes on its own line.
    const probed = /Index Nested Loop (?:\w+ )?Join on (\w+)/.exec(lines[at])
    const out: string[] = probed === null ? [] : [probed[1]]
    for (let i = at + 1; i < lines.length && (depth(lines[i]) > d || !lines[i].trimStart().startsWith('->')); i++) {
      const m = /->\s+Seq Scan on (\w+)/.exec(lines[i])
      if (m !== null && depth(lines[i]) === d + 6) out.push(m[1])
    }
    return out
  }
  return { first: childrenOf(joins[joins.length - 1].i), last: childrenOf(joins[0].i) }
}

const JOIN = 'SELECT a.name, c.v FROM a JOIN b ON b.a_id = a.id JOIN c ON b.c_id = c.id WHERE c.v < 10'

describe('estimates from statistics', () => {
  it('takes scan rows from the row counts that commits maintain, without ANALYZE', async () => {
    expect(rowsOf(await explain(db, 'SELECT * FROM c'), 'Seq Scan on c')).toBe(3000)
    await db.exec('DELETE FROM c WHERE v >= 1000')
    expect(rowsOf(await explain(db, 'SELECT id FROM c'), 'Seq Scan on c')).toBe(1000)
    await db.exec('INSERT INTO c VALUES (5001, 1), (5002, 2)')
    expect(rowsOf(await explain(db, 'SELECT v FROM c'), 'Seq Scan on c')).toBe(1002)
  })

  it('estimates equalities, ranges and IS NULL from ANALYZE', async () => {
    await db.exec("INSERT INTO a VALUES (201, NULL), (202, NULL)")
    await db.exec('ANALYZE')
    expect(rowsOf(await explain(db, 'SELECT * FROM c WHERE v = 5'), 'Seq Scan on c')).toBe(1)
    expect(rowsOf(await explain(db, 'SELECT * FROM c WHERE v BETWEEN 100 AND 199'), 'Seq Scan on c')).toBeGreaterThanOrEqual(90)
    expect(rowsOf(await explain(db, 'SELECT * FROM c WHERE v BETWEEN 100 AND 199'), 'Seq Scan on c')).toBeLessThanOrEqual(110)
    expect(rowsOf(await explain(db, 'SELECT * FROM c WHERE v < 300'), 'Seq Scan on c')).toBeLessThanOrEqual(330)
    expect(rowsOf(await explain(db, 'SELECT * FROM c WHERE v > 99999'), 'Seq Scan on c')).toBe(1)
    expect(rowsOf(await explain(db, 'SELECT * FROM b WHERE a_id = 7'), 'Seq Scan on b')).toBe(25)
    expect(rowsOf(await explain(db, 'SELECT * FROM a WHERE name IS NULL'), 'Seq Scan on a')).toBe(2)
    // A join on a key: 1 / max(ndv(b.a_id), ndv(a.id)) keeps every row of b.
    expect(rowsOf(await explain(db, 'SELECT * FROM b JOIN a ON a.id = b.a_id'), 'Hash Join')).toBe(5000)
  })

  it('starts a 3-table join from the small filtered table when statistics say so', async () => {
    // Without column statistics the range filter on c is a guess (30% of 3000 rows): a (200 rows) goes first.
    const before = joinTables(await explain(db, JOIN))
    expect(before.first).toContain('a')
    expect(before.last).toEqual(['c'])
    await db.exec('ANALYZE')
    // The histogram says c.v < 10 keeps 10 rows: c and b join first, a comes last.
    const lines = await explain(db, `${JOIN} `)
    const after = joinTables(lines)
    expect(after.first).toContain('c')
    expect(after.last).toEqual(['a'])
    expect(rowsOf(lines, 'Seq Scan on c')).toBeLessThanOrEqual(12)
    // b.c_id is g % 3000 + 1: c ids 1..10 are referenced by g = 1..9 and 3000..3009.
    const r = await db.query(JOIN, [], { rowMode: 'array' })
    expect(r.rows.length).toBe(19)
  })
})

describe('statistics on disk', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rustydb-stats-'))
  })

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps row counts and column statistics across close and reopen', async () => {
    const path = join(dir, 'stats.rdb')
    let d = await Database.open({ path })
    await d.exec('CREATE TABLE c (id int PRIMARY KEY, v int)')
    await d.exec('INSERT INTO c SELECT g, g % 100 FROM generate_series(1, 3000) g')
    await d.exec('ANALYZE c')
    await d.exec('INSERT INTO c VALUES (3001, 1)')
    await d.close()
    d = await Database.open({ path })
    try {
      expect(rowsOf(await explain(d, 'SELECT * FROM c'), 'Seq Scan on c')).toBe(3001)
      expect(rowsOf(await explain(d, 'SELECT * FROM c WHERE v = 5'), 'Seq Scan on c')).toBe(30)
    } finally {
      await d.close()
    }
  })
})
