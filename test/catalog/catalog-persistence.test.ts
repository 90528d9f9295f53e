/**
 * The catalog lives in the database: definitions, ids and sequence positions survive close/reopen;
 * uncommitted and rolled-back DDL never reaches storage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CATALOG_TREE, CatalogState } from '../../engine/catalog/index.js'
import { TestDb, ddl, rows, table } from '../txn/helpers.js'

let db: TestDb

beforeEach(async () => {
  db = await TestDb.open()
})

afterEach(async () => {
  await db.close()
})

describe('catalog persistence', () => {
  it('creates the built-in schemas in a new database', () => {
    const txn = db.begin()
    expect(txn.catalog.schemas().map((s) => s.name).sort()).toEqual(['information_schema', 'pg_catalog', 'public'])
    txn.rollback()
  })

  it('keeps tables, indexes, views and sequences across reopen', async () => {
    await db.ddl(`CREATE TABLE t(id SERIAL PRIMARY KEY, a TEXT NOT NULL DEFAULT 'x', b NUMERIC(10,2) UNIQUE, CHECK (id > 0));
      CREATE INDEX t_a ON t(a DESC); CREATE VIEW v AS SELECT id FROM t; CREATE SEQUENCE s START 5; CREATE SCHEMA other`)
    const before = db.begin()
    const defBefore = table(before, 't')
    before.rollback()
    await db.reopen()
    const txn = db.begin()
    const t = table(txn, 't')
    expect(t).toEqual(defBefore)
    expect(t.indexes.map((i) => i.name).sort()).toEqual(['t_a', 't_b_key'])
    expect(txn.catalog.view('public', 'v')?.sql).toBe('SELECT id FROM t')
    expect(txn.catalog.sequence('public', 's')?.start).toBe(5n)
    expect(txn.catalog.sequence('public', 't_id_seq')?.ownedBy).toBe('t.id')
    expect(txn.catalog.schema('other')).toBeDefined()
    expect(Object.isFrozen(t.columns[0])).toBe(true)
    txn.rollback()
  })

  it('never reuses an object id after reopen', async () => {
    await db.ddl('CREATE TABLE a(x INTEGER)')
    const txn1 = db.begin()
    const idA = table(txn1, 'a').id
    txn1.rollback()
    await db.reopen()
    await db.ddl('CREATE TABLE b(x INTEGER)')
    const txn = db.begin()
    expect(table(txn, 'b').id).toBeGreaterThan(idA)
    txn.rollback()
  })

  it('undoes CREATE TABLE and its rows on rollback', async () => {
    const txn = db.begin()
    ddl(txn, 'CREATE TABLE t(a INTEGER)')
    txn.insert(table(txn, 't'), [1])
    txn.rollback()
    const check = db.begin()
    expect(check.catalog.table('public', 't')).toBeUndefined()
    check.rollback()
    expect(db.kv.treeNames().filter((n) => !n.startsWith('__'))).toEqual([])
  })

  it('undoes DROP TABLE on rollback, rows included', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER)')
    let txn = db.begin()
    txn.insert(table(txn, 't'), [1])
    await txn.commit()
    txn = db.begin()
    ddl(txn, 'DROP TABLE t')
    expect(txn.catalog.table('public', 't')).toBeUndefined()
    txn.rollback()
    txn = db.begin()
    expect(rows(txn, table(txn, 't'))).toEqual([[1]])
    txn.rollback()
  })

  it('drops the trees of a dropped table at commit', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER UNIQUE)')
    expect(db.kv.treeNames().filter((n) => !n.startsWith('__')).length).toBe(2)
    await db.ddl('DROP TABLE t')
    expect(db.kv.treeNames().filter((n) => !n.startsWith('__'))).toEqual([])
  })

  it('shows a transaction its own uncommitted DDL only', async () => {
    const writer = db.begin()
    ddl(writer, 'CREATE TABLE t(a INTEGER)')
    const reader = db.begin()
    expect(reader.catalog.table('public', 't')).toBeUndefined()
    expect(writer.catalog.table(null, 't')).toBeDefined()
    await writer.commit()
    reader.rollback()
  })

  it('stores catalog records that rebuild the same state', async () => {
    await db.ddl('CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER REFERENCES t(a))')
    const state = CatalogState.fromRecords(db.kv.scan(CATALOG_TREE))
    expect([...state.tables.values()]).toEqual([...db.manager.catalog.tables.values()])
    expect(state.nextId).toBe(db.manager.catalog.nextId)
  })

  it('keeps sequence positions across reopen', async () => {
    await db.ddl('CREATE SEQUENCE s')
    let txn = db.begin()
    const s = txn.catalog.sequence('public', 's')
    expect(s).toBeDefined()
    if (s === undefined) return
    expect(txn.nextval(s)).toBe(1n)
    expect(txn.nextval(s)).toBe(2n)
    txn.rollback()
    await db.reopen()
    txn = db.begin()
    expect(txn.nextval(txn.catalog.sequence('public', 's') ?? s)).toBe(3n)
    txn.rollback()
  })
})

describe('concurrent DDL', () => {
  it('refuses to commit DDL over a catalog another transaction changed since it began (40001)', async () => {
    const first = db.begin()
    const second = db.begin()
    ddl(first, 'CREATE TABLE a(x INT)')
    ddl(second, 'CREATE TABLE b(x INT)')
    await first.commit()
    const error = await second.commit().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((error as { code?: string }).code).toBe('40001')
    const check = db.begin()
    expect(check.catalog.table('public', 'a')).toBeDefined()
    expect(check.catalog.table('public', 'b')).toBeUndefined()
    check.rollback()
  })
})

describe('object ids', () => {
  it('never gives a rolled-back object id to a new object (its sequence position does not leak)', async () => {
    const first = db.begin()
    ddl(first, 'CREATE SEQUENCE s')
    const s = first.catalog.sequence(null, 's')
    if (s === undefined) throw new Error('missing sequence')
    first.nextval(s)
    first.nextval(s)
    first.rollback()
    const second = db.begin()
    ddl(second, 'CREATE SEQUENCE t')
    const t = second.catalog.sequence(null, 't')
    if (t === undefined) throw new Error('missing sequence')
    expect(t.id).not.toBe(s.id)
    expect(second.nextval(t)).toBe(1n)
    second.rollback()
  })

  it('gives new ids after a rollback to a savepoint', () => {
    const txn = db.begin()
    txn.savepoint('a')
    ddl(txn, 'CREATE TABLE x(a INT)')
    const id = table(txn, 'x').id
    txn.rollbackTo('a')
    ddl(txn, 'CREATE TABLE y(a INT)')
    expect(table(txn, 'y').id).not.toBe(id)
    txn.rollback()
  })
})

describe('temporary objects', () => {
  it('drops temporary tables, views and sequences when the session ends', async () => {
    await db.ddl('CREATE TEMP TABLE tt(a SERIAL); CREATE TEMP VIEW tv AS SELECT 1; CREATE TEMP SEQUENCE ts; CREATE TABLE keep(a INT)')
    let txn = db.begin()
    txn.insert(table(txn, 'keep'), [1])
    expect(txn.catalog.table(null, 'tt')).toBeDefined()
    await txn.commit()
    await db.reopen()
    txn = db.begin()
    expect(txn.catalog.table(null, 'tt')).toBeUndefined()
    expect(txn.catalog.view(null, 'tv')).toBeUndefined()
    expect(txn.catalog.sequences()).toEqual([])
    expect(txn.catalog.schema('pg_temp')).toBeUndefined()
    expect(rows(txn, table(txn, 'keep'))).toEqual([[1]])
    expect(db.kv.treeNames().filter((n) => !n.startsWith('__')).length).toBe(1)
    txn.rollback()
  })
})
