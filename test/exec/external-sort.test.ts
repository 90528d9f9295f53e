/**
 * External sort: a sort past work_mem writes sorted runs to the database's spill file and merges them. Every
 * answer is compared with the same query sorted in memory; the runs are released when the sort ends.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database, RustyError } from '../../engine/node.js'
import type { StorageAdapter } from '../../engine/storage/index.js'
import { rustyError } from '../support/errors.js'

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE big (id int PRIMARY KEY, k int, s text, x numeric, t timestamptz, j jsonb, b bytea, arr int[], f float8, iv interval, u uuid);
    INSERT INTO big
      SELECT g,
             CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7919) % 500 END,
             'row ' || (g % 977) || repeat('x', g % 40),
             (g % 1000) / 7.0,
             timestamptz '2026-01-01 00:00:00+00' + g * interval '17 minutes',
             jsonb_build_object('g', g % 50),
             decode(lpad(to_hex(g % 256), 2, '0'), 'hex'),
             ARRAY[g % 3, NULL, g % 5],
             CASE WHEN g % 11 = 0 THEN 'NaN'::float8 WHEN g % 17 = 0 THEN -0.0 ELSE g / 3.0 END,
             (g % 30) * interval '1 day',
             md5(g::text)::uuid
      FROM generate_series(1, 6000) g;
  `)
})

afterEach(async () => {
  await db.close()
})

/** Rows of `sql` as comparable text. */
async function rows(sql: string): Promise<string> {
  const r = await db.query(sql, [], { rowMode: 'array' })
  return JSON.stringify(r.rows, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `\\x${Buffer.from(v).toString('hex')}` : typeof v === 'number' && Object.is(v, -0) ? '-0' : v,
  )
}

/** The query's rows sorted in memory (default work_mem), then with `work_mem` small enough to spill. */
async function bothWays(sql: string, workMem = '64kB'): Promise<{ memory: string; spilled: string; runs: number }> {
  await db.exec('RESET work_mem')
  const memory = await rows(sql)
  const before = db.stats().spill?.runsWritten ?? 0
  await db.exec(`SET work_mem = '${workMem}'`)
  const spilled = await rows(sql)
  await db.exec('RESET work_mem')
  return { memory, spilled, runs: (db.stats().spill?.runsWritten ?? 0) - before }
}

describe('external sort', () => {
  it('spills past work_mem and returns exactly the in-memory order, ties in input order', async () => {
    for (const order of ['k NULLS FIRST', 'k DESC NULLS LAST', 's, id DESC', 'x DESC, t', 'f', 'j::text, u', 'b, arr', 'iv DESC, k']) {
      const { memory, spilled, runs } = await bothWays(`SELECT * FROM big ORDER BY ${order}`)
      expect(runs, order).toBeGreaterThan(1)
      expect(spilled, order).toBe(memory)
    }
    // Stability: only k decides, so equal k keep the scan's (id) order in both.
    const { memory, spilled } = await bothWays('SELECT id, k FROM big ORDER BY k')
    expect(spilled).toBe(memory)
    expect(db.stats().spill).toMatchObject({ liveRuns: 0, fileBytes: 0 })
  })

  it('keeps everything in memory while the rows fit', async () => {
    await db.exec(`SET work_mem = '64MB'`)
    await rows('SELECT * FROM big ORDER BY s')
    expect(db.stats().spill?.runsWritten ?? 0).toBe(0)
  })

  it('releases its runs when the statement fails halfway or stops early', async () => {
    await db.exec(`SET work_mem = '64kB'`)
    const err = await rustyError(db.query('SELECT 1 / (k - 250) + length(s) FROM (SELECT k, s FROM big ORDER BY k NULLS LAST OFFSET 0) q'))
    expect(err.code).toBe('22012')
    expect(db.stats().spill).toMatchObject({ liveRuns: 0, fileBytes: 0 })
    expect(db.stats().spill?.runsWritten).toBeGreaterThan(0)
    const r = await db.query('SELECT EXISTS (SELECT 1 FROM (SELECT s FROM big ORDER BY s OFFSET 0) q) AS e')
    expect(r.rows).toEqual([{ e: true }])
    expect(db.stats().spill).toMatchObject({ liveRuns: 0, fileBytes: 0 })
  })

  it('runs INSERT ... SELECT ... ORDER BY once, when its first spill waits for the file to open', async () => {
    await db.exec(`CREATE TABLE copy (n serial, id int, s text); SET work_mem = '64kB'`)
    await db.exec('INSERT INTO copy (id, s) SELECT id, s FROM big ORDER BY s DESC, id')
    const r = await db.query('SELECT count(*) AS c, count(DISTINCT id) AS d, min(n) AS lo, max(n) AS hi FROM copy')
    expect(r.rows).toEqual([{ c: 6000n, d: 6000n, lo: 1, hi: 6000 }])
    await db.exec('RESET work_mem')
    const again = await db.query('SELECT id FROM copy ORDER BY n LIMIT 3')
    const expected = await db.query('SELECT id FROM big ORDER BY s DESC, id LIMIT 3')
    expect(again.rows).toEqual(expected.rows)
  })

  it('sets and shows work_mem as PostgreSQL does, and rejects bad values with 22023', async () => {
    const show = async (): Promise<unknown> => (await db.query('SHOW work_mem', [], { rowMode: 'array' })).rows[0][0]
    expect(await show()).toBe('64MB')
    await db.exec(`SET work_mem = '1GB'`)
    expect(await show()).toBe('1GB')
    await db.exec('SET work_mem = 2048')
    expect(await show()).toBe('2MB')
    await db.exec(`SET work_mem = '100kB'`)
    expect(await show()).toBe('100kB')
    for (const bad of [`'10kB'`, `'lots'`, `'1.5MB'`]) {
      const err = await rustyError(db.exec(`SET work_mem = ${bad}`))
      expect(err.code).toBe('22023')
      expect(err.message).toContain('work_mem')
    }
  })

  it('fails the statement when the spill file cannot be opened, and opens it on a later try', async () => {
    const { MemoryAdapter } = await import('../../engine/storage/index.js')
    const inner = new MemoryAdapter()
    let refuse = true
    const adapter: StorageAdapter = {
      kind: inner.kind,
      exists: (name) => inner.exists(name),
      remove: (name) => inner.remove(name),
      open: (name, options) => {
        if (name.endsWith('.spill') && refuse) return Promise.reject(new RustyError('53100', `could not create file "${name}": disk full`))
        return inner.open(name, options)
      },
    }
    const sdb = await Database.open({ adapter, name: 's.rdb' })
    try {
      await sdb.exec(`CREATE TABLE t (id int PRIMARY KEY, s text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000) g; SET work_mem = '64kB'`)
      const err = await rustyError(sdb.query('SELECT s FROM t ORDER BY s'))
      expect(err.code).toBe('53100')
      refuse = false
      const r = await sdb.query('SELECT s FROM t ORDER BY s', [], { rowMode: 'array' })
      expect(r.rows.length).toBe(3000)
      expect(sdb.stats().spill?.runsWritten).toBeGreaterThan(1)
    } finally {
      await sdb.close()
    }
  })

  it('puts the spill file next to a file-backed database and removes it at close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rustydb-spill-'))
    try {
      const path = join(dir, 'sorted.rdb')
      const fdb = await Database.open({ path })
      await fdb.exec(`CREATE TABLE t (id int PRIMARY KEY, s text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g; SET work_mem = '64kB'`)
      const r = await fdb.query('SELECT s FROM t ORDER BY s', [], { rowMode: 'array' })
      const sorted = r.rows.map((row) => row[0] as string)
      expect(sorted).toEqual([...sorted].sort())
      expect(fdb.stats().spill?.runsWritten).toBeGreaterThan(1)
      expect(readdirSync(dir)).toContain('sorted.rdb.spill')
      await fdb.close()
      expect(readdirSync(dir)).not.toContain('sorted.rdb.spill')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
