/**
 * Table statistics: ANALYZE stores exact row counts and sensible column statistics in `__stats`; commits
 * keep row counts current without ANALYZE; everything survives close/reopen (issue #3, "join order from
 * statistics").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Decimal } from '../../engine/common/values/decimal.js'
import { type ColumnStats, STATS_TREE, columnStats, computeColumnStats, decodeAnalyzed, encodeAnalyzed } from '../../engine/catalog/index.js'
import { typeOf } from '../../engine/common/types.js'
import { TestDb, ddl, table } from '../txn/helpers.js'

let db: TestDb

beforeEach(async () => {
  db = await TestDb.open()
})

afterEach(async () => {
  await db.close()
})

async function insertRows(name: string, rows: unknown[][]): Promise<void> {
  const txn = db.begin()
  const t = table(txn, name)
  for (const r of rows) txn.insert(t, r as never)
  await txn.commit()
}

function statsOf(name: string): { rowCount: number; col: (c: string) => ColumnStats | undefined } {
  const txn = db.begin()
  const t = table(txn, name)
  const s = txn.catalog.stats(t)
  txn.rollback()
  expect(s).toBeDefined()
  return { rowCount: s!.rowCount, col: (c) => columnStats(s, t.columns.find((x) => x.name === c)!) }
}

describe('ANALYZE', () => {
  it('stores the exact row count, distinct counts, null fractions, min/max and an equi-depth histogram', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, s TEXT, n NUMERIC)')
    await insertRows(
      't',
      Array.from({ length: 1000 }, (_, i) => [i, i % 10, i % 4 === 0 ? null : `s${i % 50}`, Decimal.fromInt(i)]),
    )
    await db.ddl('ANALYZE t')
    const s = statsOf('t')
    expect(s.rowCount).toBe(1000)
    const id = s.col('id')!
    expect(id.distinct).toBe(1000)
    expect(id.nullFraction).toBe(0)
    expect([id.min, id.max]).toEqual([0, 999])
    expect(id.histogram.length).toBe(32)
    expect(id.histogram[0]).toBe(0)
    expect(id.histogram[31]).toBe(999)
    for (let i = 1; i < id.histogram.length; i++) expect(id.histogram[i] as number).toBeGreaterThan(id.histogram[i - 1] as number)
    const g = s.col('g')!
    expect(g.distinct).toBe(10)
    expect(g.mostCommon.length).toBe(10)
    expect(g.mostCommonFreqs[0]).toBeCloseTo(0.1)
    const str = s.col('s')!
    expect(str.nullFraction).toBeCloseTo(0.25)
    expect(str.distinct).toBeLessThanOrEqual(50)
    expect(str.min).toBe('s0')
    const n = s.col('n')!
    expect((n.max as Decimal).toString()).toBe('999')
  })

  it('samples a large table but counts every row, and extrapolates the distinct count', () => {
    // 60,000 rows, sampled 30,000: a unique column stays unique, a 100-value column stays at 100.
    const sample = Array.from({ length: 30_000 }, (_, i) => i * 2)
    const unique = computeColumnStats('a', typeOf('int4'), sample, 60_000)
    expect(unique.distinct).toBe(60_000)
    const few = computeColumnStats('b', typeOf('int4'), sample.map((_v, i) => i % 100), 60_000)
    expect(few.distinct).toBe(100)
  })

  it('analyzes only the named columns and keeps the others', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER, b INTEGER)')
    await insertRows('t', [[1, 1], [2, 1], [3, 1]])
    await db.ddl('ANALYZE t')
    await insertRows('t', [[4, 2], [5, 3]])
    await db.ddl('ANALYZE t (b)')
    const s = statsOf('t')
    expect(s.rowCount).toBe(5)
    expect(s.col('a')!.distinct).toBe(3)
    expect(s.col('b')!.distinct).toBe(3)
  })

  it('analyzes every table without a target, and raises 42P01 / 42703 for unknown names', async () => {
    await db.ddl('CREATE TABLE a(x INTEGER); CREATE TABLE b(y TEXT)')
    await insertRows('a', [[1], [2]])
    await db.ddl('ANALYZE')
    expect(statsOf('a').col('x')!.max).toBe(2)
    expect(statsOf('b').col('y')!.distinct).toBe(0)
    await expect(db.ddl('ANALYZE nope')).rejects.toMatchObject({ code: '42P01' })
    await expect(db.ddl('ANALYZE a (nope)')).rejects.toMatchObject({ code: '42703' })
  })

  it('encodes every value through the row codec', () => {
    const c = computeColumnStats('d', typeOf('numeric'), [Decimal.fromInt(5), null, Decimal.fromInt(7), Decimal.fromInt(7)], 4)
    const back = decodeAnalyzed(encodeAnalyzed({ analyzedRows: 4, columns: [c] }))
    expect(back.columns[0].nullFraction).toBe(0.25)
    expect((back.columns[0].min as Decimal).toString()).toBe('5')
    expect((back.columns[0].mostCommon[0] as Decimal).toString()).toBe('7')
    expect(back.columns[0].histogram.map((v) => (v as Decimal).toString())).toEqual(['5', '7', '7'])
  })
})

describe('row counts without ANALYZE', () => {
  it('undo with the statement that counted them, keeping the counts of earlier statements', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER PRIMARY KEY)')
    await db.ddl('CREATE TABLE u(id INTEGER PRIMARY KEY)')
    await insertRows('t', [[1]])
    const txn = db.begin()
    const t = table(txn, 't')
    const u = table(txn, 'u')
    txn.beginStatement(false, false)
    txn.insert(t, [2])
    txn.endStatement()
    txn.beginStatement(false, false)
    txn.insert(t, [3])
    txn.insert(u, [1])
    txn.insert(t, [4])
    expect(txn.catalog.stats(t)?.rowCount).toBe(4)
    expect(txn.catalog.stats(u)?.rowCount).toBe(1)
    txn.undoStatement()
    txn.endStatement(false)
    expect(txn.catalog.stats(t)?.rowCount).toBe(2)
    expect(txn.catalog.stats(u)?.rowCount).toBe(0)
    await txn.commit()
    expect(statsOf('t').rowCount).toBe(2)
    expect(statsOf('u').rowCount).toBe(0)
  })

  it('follow inserts, deletes and TRUNCATE commit by commit', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER PRIMARY KEY)')
    expect(statsOf('t').rowCount).toBe(0)
    await insertRows('t', [[1], [2], [3]])
    expect(statsOf('t').rowCount).toBe(3)
    const txn = db.begin()
    const t = table(txn, 't')
    const [[key]] = [...txn.scan(t, { columns: [-1] })].map((b) => [b.columns[0][0] as Uint8Array])
    txn.delete(t, key)
    expect(txn.catalog.stats(t)?.rowCount).toBe(2)
    await txn.commit()
    expect(statsOf('t').rowCount).toBe(2)
    expect(statsOf('t').col('id')).toBeUndefined()
    await db.ddl('TRUNCATE t')
    expect(statsOf('t').rowCount).toBe(0)
  })

  it('ignore rolled-back work and work undone by ROLLBACK TO SAVEPOINT', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER)')
    await insertRows('t', [[1]])
    const rolled = db.begin()
    rolled.insert(table(rolled, 't'), [2])
    rolled.rollback()
    const txn = db.begin()
    const t = table(txn, 't')
    txn.insert(t, [2])
    txn.savepoint('s')
    txn.insert(t, [3])
    txn.insert(t, [4])
    txn.rollbackTo('s')
    await txn.commit()
    expect(statsOf('t').rowCount).toBe(2)
  })

  it('survive close and reopen, with the column statistics', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT)')
    await insertRows('t', Array.from({ length: 100 }, (_, i) => [i, `v${i % 7}`]))
    await db.ddl('ANALYZE t')
    await insertRows('t', [[100, 'x'], [101, 'y']])
    await db.reopen()
    expect(db.kv.hasTree(STATS_TREE)).toBe(true)
    const s = statsOf('t')
    expect(s.rowCount).toBe(102)
    expect(s.col('s')!.distinct).toBe(7)
    expect(s.col('id')!.max).toBe(99)
  })

  it('are dropped with their table', async () => {
    await db.ddl('CREATE TABLE t(id INTEGER)')
    await insertRows('t', [[1]])
    await db.ddl('ANALYZE t')
    const txn = db.begin()
    const id = table(txn, 't').id
    txn.rollback()
    await db.ddl('DROP TABLE t')
    await db.reopen()
    expect([...db.kv.scan(STATS_TREE)].length).toBe(0)
    const after = db.begin()
    ddl(after, 'CREATE TABLE t(id INTEGER)')
    expect(table(after, 't').id).not.toBe(id)
    after.rollback()
  })
})
