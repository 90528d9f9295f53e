/**
 * ALTER TABLE: columns, constraints, renames, defaults, NOT NULL, types; existing rows follow each change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Transaction } from '../../../engine/txn/index.js'
import { parse } from '../../../engine/sql/index.js'
import { executeDdl } from '../../../engine/plan/ddl/index.js'
import { TestDb, ddl, expectError, keys, rows, table } from '../../txn/helpers.js'

let db: TestDb
let txn: Transaction

beforeEach(async () => {
  db = await TestDb.open()
  txn = db.begin()
  ddl(txn, 'CREATE TABLE t(a INT PRIMARY KEY, b TEXT)')
  const t = table(txn, 't')
  txn.insert(t, [1, 'x'])
  txn.insert(t, [2, null])
})

afterEach(async () => {
  txn.rollback()
  await db.close()
})

describe('columns', () => {
  it('adds a nullable column that reads as NULL in existing rows', () => {
    ddl(txn, 'ALTER TABLE t ADD COLUMN c INT')
    expect(rows(txn, table(txn, 't'))).toEqual([
      [1, 'x', null],
      [2, null, null],
    ])
  })

  it('fills a new column with its default through the evaluator', () => {
    executeDdl(parse("ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'd'")[0], txn, { defaultSchema: 'public', evaluate: (sql) => (sql === "'d'" ? 'd' : null) })
    expect(rows(txn, table(txn, 't')).map((r) => r[2])).toEqual(['d', 'd'])
  })

  it('fills a new column with a literal default without an evaluator', () => {
    ddl(txn, "ALTER TABLE t ADD COLUMN c NUMERIC(5,1) DEFAULT -1.25, ADD COLUMN d TEXT DEFAULT 'z', ADD COLUMN e BOOLEAN DEFAULT true")
    const got = rows(txn, table(txn, 't'))
    expect(got.map((r) => [String(r[2]), r[3], r[4]])).toEqual([
      ['-1.3', 'z', true],
      ['-1.3', 'z', true],
    ])
  })

  it('refuses a non-constant default on a table with rows when no evaluator is installed (0A000)', () => {
    expectError(() => ddl(txn, 'ALTER TABLE t ADD COLUMN c INT DEFAULT 1 + 1'), '0A000')
  })

  it('numbers existing rows of a new SERIAL column', () => {
    ddl(txn, 'ALTER TABLE t ADD COLUMN id SERIAL')
    expect(rows(txn, table(txn, 't')).map((r) => r[2])).toEqual([1, 2])
  })

  it('rejects a NOT NULL column without default on a table with rows', () => {
    expectError(() => ddl(txn, 'ALTER TABLE t ADD COLUMN c INT NOT NULL'), '23502', /column "c" of relation "t" contains null values/)
  })

  it('rejects an existing column name with 42701 unless IF NOT EXISTS', () => {
    expectError(() => ddl(txn, 'ALTER TABLE t ADD COLUMN b INT'), '42701', /column "b" of relation "t" already exists/)
    expect(ddl(txn, 'ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT')[0].notices.length).toBe(1)
  })

  it('drops a column, rewriting rows and renumbering indexes', () => {
    ddl(txn, 'ALTER TABLE t ADD COLUMN c INT; CREATE INDEX t_c ON t(c)')
    const t0 = table(txn, 't')
    txn.update(t0, keys(txn, t0)[0], [1, 'x', 5])
    ddl(txn, 'ALTER TABLE t DROP COLUMN b')
    const t = table(txn, 't')
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'c'])
    expect(t.indexes[0].columns[0].ordinal).toBe(1)
    expect(rows(txn, t)).toEqual([
      [1, 5],
      [2, null],
    ])
    const out: unknown[] = []
    for (const batch of txn.indexScan(t.indexes[0], { columns: [0], lower: { values: [5], inclusive: true } })) out.push(...batch.columns[0].slice(0, batch.length))
    expect(out).toEqual([1, 2])
  })

  it('drops the primary key with its column and re-keys the rows by row id', () => {
    ddl(txn, 'ALTER TABLE t DROP COLUMN a')
    const t = table(txn, 't')
    expect(t.primaryKey).toBeNull()
    expect(rows(txn, t)).toEqual([['x'], [null]])
    txn.insert(t, ['y'])
    expect(rows(txn, t).length).toBe(3)
  })

  it('renames a column and the expressions that use it', () => {
    const checked: string[] = []
    executeDdl(parse('ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0 AND t.a < 100)')[0], txn, {
      defaultSchema: 'public',
      validateCheck: (_t, check) => void checked.push(check.name),
    })
    expect(checked).toEqual(['pos'])
    ddl(txn, 'ALTER TABLE t RENAME COLUMN a TO id')
    const t = table(txn, 't')
    expect(t.columns[0].name).toBe('id')
    expect(t.checks[0].expr).toBe('id > 0 AND t.id < 100')
    expectError(() => ddl(txn, 'ALTER TABLE t RENAME COLUMN zz TO y'), '42703')
    expectError(() => ddl(txn, 'ALTER TABLE t RENAME COLUMN id TO b'), '42701')
  })

  it('changes a column type, converting the stored values', () => {
    ddl(txn, 'ALTER TABLE t ALTER COLUMN a TYPE BIGINT')
    const t = table(txn, 't')
    expect(t.columns[0].type.id).toBe('int8')
    expect(rows(txn, t).map((r) => r[0])).toEqual([1n, 2n])
  })
})

describe('constraints', () => {
  it('adds a unique constraint, validating existing rows', () => {
    ddl(txn, 'ALTER TABLE t ADD CONSTRAINT b_u UNIQUE (b)')
    expectError(() => txn.insert(table(txn, 't'), [3, 'x']), '23505', /"b_u"/)
    txn.insert(table(txn, 't'), [4, null])
    ddl(txn, 'CREATE TABLE d(v INT)')
    txn.insert(table(txn, 'd'), [1])
    txn.insert(table(txn, 'd'), [1])
    expectError(() => ddl(txn, 'ALTER TABLE d ADD UNIQUE (v)'), '23505')
  })

  it('adds a foreign key, validating existing rows', () => {
    ddl(txn, 'CREATE TABLE c(x INT)')
    txn.insert(table(txn, 'c'), [3])
    expectError(() => ddl(txn, 'ALTER TABLE c ADD FOREIGN KEY (x) REFERENCES t'), '23503')
    txn.update(table(txn, 'c'), keys(txn, table(txn, 'c'))[0], [1])
    ddl(txn, 'ALTER TABLE c ADD FOREIGN KEY (x) REFERENCES t')
    expect(table(txn, 'c').foreignKeys[0].name).toBe('c_x_fkey')
  })

  it('adds a primary key to a table without one, re-keying rows', () => {
    ddl(txn, 'CREATE TABLE n(v INT)')
    const n = table(txn, 'n')
    txn.insert(n, [2])
    txn.insert(n, [1])
    ddl(txn, 'ALTER TABLE n ADD PRIMARY KEY (v)')
    expect(rows(txn, table(txn, 'n'))).toEqual([[1], [2]])
    expectError(() => txn.insert(table(txn, 'n'), [1]), '23505', /"n_pkey"/)
  })

  it('refuses to add a CHECK to a table with rows when no validator is installed (0A000)', () => {
    expectError(() => ddl(txn, 'ALTER TABLE t ADD CHECK (a > 0)'), '0A000')
  })

  it('drops constraints by name, and says when one does not exist', () => {
    ddl(txn, 'ALTER TABLE t ADD CONSTRAINT b_u UNIQUE (b); ALTER TABLE t DROP CONSTRAINT b_u')
    expect(table(txn, 't').indexes).toEqual([])
    txn.insert(table(txn, 't'), [3, 'x'])
    expectError(() => ddl(txn, 'ALTER TABLE t DROP CONSTRAINT nope'), '42704', /constraint "nope" of relation "t" does not exist/)
    expect(ddl(txn, 'ALTER TABLE t DROP CONSTRAINT IF EXISTS nope')[0].notices.length).toBe(1)
  })

  it('refuses to drop a primary key that a foreign key uses, unless CASCADE', () => {
    ddl(txn, 'CREATE TABLE c(x INT REFERENCES t)')
    expectError(() => ddl(txn, 'ALTER TABLE t DROP CONSTRAINT t_pkey'), '2BP01')
    ddl(txn, 'ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE')
    expect(table(txn, 'c').foreignKeys).toEqual([])
    expect(table(txn, 't').primaryKey).toBeNull()
    expect(rows(txn, table(txn, 't')).length).toBe(2)
  })

  it('renames a constraint and the index behind it', () => {
    ddl(txn, 'ALTER TABLE t ADD CONSTRAINT b_u UNIQUE (b); ALTER TABLE t RENAME CONSTRAINT b_u TO b_unique')
    const t = table(txn, 't')
    expect(t.uniques[0].name).toBe('b_unique')
    expect(t.indexes[0].name).toBe('b_unique')
  })
})

describe('defaults, NOT NULL, renames', () => {
  it('sets and drops a default', () => {
    ddl(txn, "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'z'")
    expect(table(txn, 't').columns[1].default).toBe("'z'")
    ddl(txn, 'ALTER TABLE t ALTER COLUMN b DROP DEFAULT')
    expect(table(txn, 't').columns[1].default).toBeNull()
  })

  it('sets NOT NULL only when no row holds NULL', () => {
    expectError(() => ddl(txn, 'ALTER TABLE t ALTER COLUMN b SET NOT NULL'), '23502', /column "b" of relation "t" contains null values/)
    txn.update(table(txn, 't'), keys(txn, table(txn, 't'))[1], [2, 'y'])
    ddl(txn, 'ALTER TABLE t ALTER COLUMN b SET NOT NULL')
    expectError(() => txn.insert(table(txn, 't'), [3, null]), '23502')
    ddl(txn, 'ALTER TABLE t ALTER COLUMN b DROP NOT NULL')
    txn.insert(table(txn, 't'), [3, null])
    expectError(() => ddl(txn, 'ALTER TABLE t ALTER COLUMN a DROP NOT NULL'), '42P16')
  })

  it('renames a table and keeps its rows', () => {
    ddl(txn, 'ALTER TABLE t RENAME TO u')
    expect(txn.catalog.table(null, 't')).toBeUndefined()
    expect(rows(txn, table(txn, 'u')).length).toBe(2)
    ddl(txn, 'CREATE TABLE t(q INT)')
    expectError(() => ddl(txn, 'ALTER TABLE u RENAME TO t'), '42P07')
  })

  it('reports a missing table with 42P01 and skips it with IF EXISTS', () => {
    expectError(() => ddl(txn, 'ALTER TABLE nope ADD COLUMN c INT'), '42P01')
    expect(ddl(txn, 'ALTER TABLE IF EXISTS nope ADD COLUMN c INT')[0].notices).toEqual(['relation "nope" does not exist, skipping'])
  })

  it('survives commit and reopen after a column drop', async () => {
    ddl(txn, 'ALTER TABLE t DROP COLUMN b')
    await txn.commit()
    await db.reopen()
    txn = db.begin()
    expect(rows(txn, table(txn, 't'))).toEqual([[1], [2]])
  })
})
