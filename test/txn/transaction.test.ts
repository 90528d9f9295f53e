/**
 * Transaction: rows through TableAccess, read-your-writes, isolation from uncommitted work, commit and
 * rollback, persistence, constraint errors, savepoints.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROW_KEY } from '../../engine/txn/index.js'
import { TestDb, ddl, expectError, keys, rows, table } from './helpers.js'

let db: TestDb

beforeEach(async () => {
  db = await TestDb.open()
})

afterEach(async () => {
  await db.close()
})

describe('rows without a primary key', () => {
  it('returns inserted rows in insertion order before commit (read-your-writes)', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t1(a INTEGER, b TEXT)')
    const t = table(txn, 't1')
    txn.insert(t, [1, 'x'])
    txn.insert(t, [2, null])
    expect(rows(txn, t)).toEqual([
      [1, 'x'],
      [2, null],
    ])
    txn.rollback()
  })

  it('hides uncommitted rows from another transaction', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    const writer = db.begin()
    writer.insert(table(writer, 't1'), [1])
    const reader = db.begin()
    expect(rows(reader, table(reader, 't1'))).toEqual([])
    await writer.commit()
    reader.rollback()
    const after = db.begin()
    expect(rows(after, table(after, 't1'))).toEqual([[1]])
    after.rollback()
  })

  it('keeps committed rows across close and reopen', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER, b TEXT)')
    const txn = db.begin()
    const t = table(txn, 't1')
    for (let i = 0; i < 10; i++) txn.insert(t, [i, `v${i}`])
    await txn.commit()
    await db.reopen()
    const check = db.begin()
    expect(rows(check, table(check, 't1'))).toEqual(Array.from({ length: 10 }, (_v, i) => [i, `v${i}`]))
    check.rollback()
  })

  it('stores rows of a table created in the same transaction (bulk-loaded trees) across reopen', async () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX t1_b ON t1(b)')
    const t = table(txn, 't1')
    for (let i = 2000; i > 0; i--) txn.insert(t, [i, `v${i % 7}`])
    await txn.commit()
    await db.reopen()
    const check = db.begin()
    const t2 = table(check, 't1')
    expect(rows(check, t2).map((r) => r[0])).toEqual(Array.from({ length: 2000 }, (_v, i) => i + 1))
    let n = 0
    for (const batch of check.indexScan(t2.indexes[0], { columns: [0], lower: { values: ['v3'], inclusive: true }, upper: { values: ['v3'], inclusive: true } })) n += batch.length
    expect(n).toBe(286)
    check.rollback()
  })

  it("replaces a truncated table's rows at commit", async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    let txn = db.begin()
    for (let i = 0; i < 5; i++) txn.insert(table(txn, 't1'), [i])
    await txn.commit()
    txn = db.begin()
    ddl(txn, 'TRUNCATE t1')
    txn.insert(table(txn, 't1'), [42])
    await txn.commit()
    await db.reopen()
    txn = db.begin()
    expect(rows(txn, table(txn, 't1'))).toEqual([[42]])
    txn.rollback()
  })

  it('continues row ids after reopen instead of reusing them', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    let txn = db.begin()
    txn.insert(table(txn, 't1'), [1])
    await txn.commit()
    await db.reopen()
    txn = db.begin()
    txn.insert(table(txn, 't1'), [2])
    await txn.commit()
    txn = db.begin()
    expect(rows(txn, table(txn, 't1'))).toEqual([[1], [2]])
    txn.rollback()
  })

  it('discards rows on rollback', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    const txn = db.begin()
    txn.insert(table(txn, 't1'), [1])
    txn.rollback()
    const check = db.begin()
    expect(rows(check, table(check, 't1'))).toEqual([])
    check.rollback()
  })

  it('updates and deletes rows by row key, merging over committed rows', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    let txn = db.begin()
    let t = table(txn, 't1')
    for (let i = 0; i < 5; i++) txn.insert(t, [i])
    await txn.commit()
    txn = db.begin()
    t = table(txn, 't1')
    const k = keys(txn, t)
    txn.update(t, k[1], [10])
    expect(txn.delete(t, k[3])).toEqual([3])
    txn.insert(t, [5])
    expect(rows(txn, t)).toEqual([[0], [10], [2], [4], [5]])
    await txn.commit()
    txn = db.begin()
    expect(rows(txn, table(txn, 't1'))).toEqual([[0], [10], [2], [4], [5]])
    txn.rollback()
  })

  it('scans in reverse', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER)')
    const txn = db.begin()
    const t = table(txn, 't1')
    for (let i = 0; i < 3; i++) txn.insert(t, [i])
    expect(rows(txn, t, true)).toEqual([[2], [1], [0]])
    txn.rollback()
  })

  it('returns batches of at most BATCH_SIZE rows with the requested columns and row keys', async () => {
    await db.ddl('CREATE TABLE t1(a INTEGER, b TEXT, c BIGINT)')
    let txn = db.begin()
    const t = table(txn, 't1')
    for (let i = 0; i < 3000; i++) txn.insert(t, [i, `s${i}`, BigInt(i)])
    await txn.commit()
    txn = db.begin()
    // Interleave overlay writes with committed rows.
    for (let i = 0; i < 200; i++) txn.insert(t, [3000 + i, 'new', null])
    let seen = 0
    for (const batch of txn.scan(t, { columns: [2, ROW_KEY, 0] })) {
      expect(batch.length).toBeLessThanOrEqual(1024)
      for (let r = 0; r < batch.length; r++) {
        expect(batch.columns[2][r]).toBe(seen)
        expect(batch.columns[0][r]).toBe(seen < 3000 ? BigInt(seen) : null)
        expect(batch.columns[1][r]).toBeInstanceOf(Uint8Array)
        seen++
      }
    }
    expect(seen).toBe(3200)
    txn.rollback()
  })
})

describe('primary keys', () => {
  it('keeps rows in primary key order and finds them by key', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)')
    const t = table(txn, 'p')
    for (const id of [5, 1, 3]) txn.insert(t, [id, `n${id}`])
    expect(rows(txn, t).map((r) => r[0])).toEqual([1, 3, 5])
    expect(txn.getByPrimaryKey(t, [3])).toEqual([3, 'n3'])
    expect(txn.getByPrimaryKey(t, [4])).toBeUndefined()
    txn.rollback()
  })

  it('rejects a duplicate primary key with 23505 and the key in the detail', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)')
    const t = table(txn, 'p')
    txn.insert(t, [1, 'a'])
    const e = expectError(() => txn.insert(t, [1, 'b']), '23505', /^duplicate key value violates unique constraint "p_pkey"$/)
    expect(e.detail).toBe('Key (id)=(1) already exists.')
    expect(e.constraint).toBe('p_pkey')
    txn.rollback()
  })

  it('moves a row when an update changes its primary key', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)')
    const t = table(txn, 'p')
    const k = txn.insert(t, [1, 'a'])
    txn.insert(t, [2, 'b'])
    const k2 = txn.update(t, k, [3, 'a'])
    expect(k2).not.toEqual(k)
    expect(rows(txn, t)).toEqual([
      [2, 'b'],
      [3, 'a'],
    ])
    expectError(() => txn.update(t, k2, [2, 'x']), '23505')
    txn.rollback()
  })

  it('scans a key range from bounds on a key prefix', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE p(a INTEGER, b INTEGER, PRIMARY KEY (a, b))')
    const t = table(txn, 'p')
    for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) txn.insert(t, [a, b])
    const got = (options: Parameters<typeof txn.scan>[1]): unknown[] => {
      const out: unknown[] = []
      for (const batch of txn.scan(t, options)) for (let r = 0; r < batch.length; r++) out.push([batch.columns[0][r], batch.columns[1][r]])
      return out
    }
    expect(got({ columns: [0, 1], lower: { values: [1], inclusive: true }, upper: { values: [1], inclusive: true } })).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ])
    expect(got({ columns: [0, 1], lower: { values: [2], inclusive: false } })).toEqual([
      [3, 0],
      [3, 1],
      [3, 2],
    ])
    expect(got({ columns: [0, 1], upper: { values: [1, 1], inclusive: false } })).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
    ])
    expect(got({ columns: [0, 1], lower: { values: [3, 1], inclusive: true }, reverse: true })).toEqual([
      [3, 2],
      [3, 1],
    ])
    txn.rollback()
  })
})

describe('constraints', () => {
  it('rejects NULL in a NOT NULL column with 23502', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(a INTEGER NOT NULL, b INTEGER)')
    const e = expectError(() => txn.insert(table(txn, 't'), [null, 1]), '23502', /^null value in column "a" of relation "t" violates not-null constraint$/)
    expect(e.column).toBe('a')
    txn.rollback()
  })

  it('rejects a duplicate in a unique column but allows several NULLs', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE u(a INTEGER UNIQUE, b TEXT)')
    const t = table(txn, 'u')
    txn.insert(t, [1, 'x'])
    txn.insert(t, [null, 'y'])
    txn.insert(t, [null, 'z'])
    const e = expectError(() => txn.insert(t, [1, 'w']), '23505', /unique constraint "u_a_key"/)
    expect(e.detail).toBe('Key (a)=(1) already exists.')
    txn.rollback()
  })

  it('allows a unique value again once the row holding it is deleted or changed', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE u(a INTEGER UNIQUE)')
    const t = table(txn, 'u')
    const k = txn.insert(t, [1])
    txn.update(t, k, [2])
    txn.insert(t, [1])
    txn.delete(t, k)
    txn.insert(t, [2])
    expect(rows(txn, t).map((r) => r[0]).sort()).toEqual([1, 2])
    txn.rollback()
  })

  it('refuses writes in a read-only transaction with 25006', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER)')
    const txn = db.begin(true)
    expectError(() => txn.insert(table(txn, 't'), [1]), '25006')
    txn.rollback()
  })

  it('refuses every call after commit with 25000', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER)')
    const txn = db.begin()
    const t = table(txn, 't')
    await txn.commit()
    expectError(() => txn.insert(t, [1]), '25000')
  })
})

describe('indexes', () => {
  it('scans an index in index order with bounds', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(a INTEGER, b TEXT); CREATE INDEX t_b ON t(b DESC)')
    const t = table(txn, 't')
    for (const [a, b] of [
      [1, 'b'],
      [2, 'a'],
      [3, 'c'],
      [4, null],
    ] as const)
      txn.insert(t, [a, b])
    const index = t.indexes[0]
    const scan = (o: { lower?: string; upper?: string }): unknown[] => {
      const out: unknown[] = []
      const options = {
        columns: [0],
        lower: o.lower === undefined ? undefined : { values: [o.lower], inclusive: true },
        upper: o.upper === undefined ? undefined : { values: [o.upper], inclusive: true },
      }
      for (const batch of txn.indexScan(index, options)) out.push(...batch.columns[0].slice(0, batch.length))
      return out
    }
    expect(scan({})).toEqual([4, 3, 1, 2])
    expect(scan({ lower: 'c', upper: 'b' })).toEqual([3, 1])
    txn.rollback()
  })

  it('keeps index entries in step with updates and deletes', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER, b INTEGER); CREATE INDEX t_b ON t(b)')
    let txn = db.begin()
    let t = table(txn, 't')
    const k1 = txn.insert(t, [1, 10])
    txn.insert(t, [2, 20])
    await txn.commit()
    txn = db.begin()
    t = table(txn, 't')
    txn.update(t, keys(txn, t)[0], [1, 30])
    txn.delete(t, keys(txn, t)[1])
    const out: unknown[] = []
    for (const batch of txn.indexScan(t.indexes[0], { columns: [0, 1] })) for (let r = 0; r < batch.length; r++) out.push([batch.columns[0][r], batch.columns[1][r]])
    expect(out).toEqual([[1, 30]])
    expect(k1).toBeInstanceOf(Uint8Array)
    txn.rollback()
  })

  it('finds the conflicting row for ON CONFLICT', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(id INTEGER PRIMARY KEY, e TEXT UNIQUE)')
    const t = table(txn, 't')
    txn.insert(t, [1, 'a'])
    expect(txn.findConflict(t, [1, 'z'], null)?.[1]).toEqual([1, 'a'])
    expect(txn.findConflict(t, [2, 'a'], null)?.[1]).toEqual([1, 'a'])
    expect(txn.findConflict(t, [2, 'a'], [0])).toBeUndefined()
    expect(txn.findConflict(t, [2, 'b'], null)).toBeUndefined()
    txn.rollback()
  })
})

describe('savepoints', () => {
  it('rolls back rows written after a savepoint and keeps earlier ones', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(a INTEGER PRIMARY KEY)')
    const t = table(txn, 't')
    txn.insert(t, [1])
    txn.savepoint('s1')
    txn.insert(t, [2])
    const k = txn.insert(t, [3])
    txn.delete(t, k)
    txn.update(t, keys(txn, t)[0], [10])
    txn.rollbackTo('s1')
    expect(rows(txn, t)).toEqual([[1]])
    txn.insert(t, [2])
    expect(rows(txn, t)).toEqual([[1], [2]])
    txn.rollback()
  })

  it('rolls back DDL done after a savepoint', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE a(x INTEGER)')
    txn.savepoint('s')
    ddl(txn, 'CREATE TABLE b(x INTEGER); DROP TABLE a')
    expect(txn.catalog.table('public', 'a')).toBeUndefined()
    txn.rollbackTo('s')
    expect(txn.catalog.table('public', 'b')).toBeUndefined()
    expect(txn.catalog.table('public', 'a')).toBeDefined()
    txn.rollback()
  })

  it('keeps changes when a savepoint is released and fails on an unknown name', () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(a INTEGER)')
    const t = table(txn, 't')
    txn.savepoint('s')
    txn.insert(t, [1])
    txn.release('s')
    expect(rows(txn, t)).toEqual([[1]])
    expectError(() => txn.rollbackTo('s'), '3B001', /savepoint "s" does not exist/)
    txn.rollback()
  })

  it('restores a truncated table on rollback to a savepoint', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER)')
    let txn = db.begin()
    txn.insert(table(txn, 't'), [1])
    await txn.commit()
    txn = db.begin()
    const t = table(txn, 't')
    txn.insert(t, [2])
    txn.savepoint('s')
    ddl(txn, 'TRUNCATE t')
    expect(rows(txn, t)).toEqual([])
    txn.rollbackTo('s')
    expect(rows(txn, t)).toEqual([[1], [2]])
    txn.rollback()
  })
})
