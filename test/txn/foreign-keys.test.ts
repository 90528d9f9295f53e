/**
 * Foreign keys through TableAccess: the referencing side (23503 on a missing parent) and the referenced
 * side's actions (NO ACTION / RESTRICT errors, CASCADE, SET NULL, SET DEFAULT).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Transaction } from '../../engine/txn/index.js'
import { TestDb, ddl, expectError, keys, rows, table } from './helpers.js'

let db: TestDb
let txn: Transaction

beforeEach(async () => {
  db = await TestDb.open()
  txn = db.begin()
})

afterEach(async () => {
  txn.rollback()
  await db.close()
})

function setup(action: string): void {
  ddl(txn, `CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE c(id INTEGER PRIMARY KEY, pid INTEGER DEFAULT NULL REFERENCES p ${action})`)
  const p = table(txn, 'p')
  txn.insert(p, [1, 'one'])
  txn.insert(p, [2, 'two'])
  const c = table(txn, 'c')
  txn.insert(c, [10, 1])
  txn.insert(c, [11, 1])
  txn.insert(c, [12, 2])
}

describe('the referencing side', () => {
  it('rejects a row whose key is not in the referenced table with 23503', () => {
    setup('')
    const e = expectError(() => txn.insert(table(txn, 'c'), [13, 3]), '23503', /^insert or update on table "c" violates foreign key constraint "c_pid_fkey"$/)
    expect(e.detail).toBe('Key (pid)=(3) is not present in table "p".')
  })

  it('accepts NULL foreign key values', () => {
    setup('')
    txn.insert(table(txn, 'c'), [13, null])
    expect(rows(txn, table(txn, 'c'))).toContainEqual([13, null])
  })

  it('checks an update that changes the foreign key', () => {
    setup('')
    const c = table(txn, 'c')
    expectError(() => txn.update(c, keys(txn, c)[0], [10, 5]), '23503')
  })

  it('matches keys of different integer types (INT referencing BIGINT) both ways', () => {
    ddl(txn, 'CREATE TABLE p(id BIGINT PRIMARY KEY); CREATE TABLE c(x INT REFERENCES p ON DELETE CASCADE)')
    txn.insert(table(txn, 'p'), [5n])
    txn.insert(table(txn, 'c'), [5])
    expectError(() => txn.insert(table(txn, 'c'), [6]), '23503')
    txn.delete(table(txn, 'p'), keys(txn, table(txn, 'p'))[0])
    expect(rows(txn, table(txn, 'c'))).toEqual([])
  })

  it('references a unique constraint', () => {
    ddl(txn, 'CREATE TABLE p(a INTEGER UNIQUE); CREATE TABLE c(x INTEGER REFERENCES p(a))')
    txn.insert(table(txn, 'p'), [7])
    txn.insert(table(txn, 'c'), [7])
    expectError(() => txn.insert(table(txn, 'c'), [8]), '23503')
  })
})

describe('the referenced side', () => {
  it('refuses to delete a referenced row under NO ACTION with 23503', () => {
    setup('')
    const p = table(txn, 'p')
    const e = expectError(() => txn.delete(p, keys(txn, p)[0]), '23503', /^update or delete on table "p" violates foreign key constraint "c_pid_fkey" on table "c"$/)
    expect(e.detail).toBe('Key (id)=(1) is still referenced from table "c".')
  })

  it('deletes referencing rows under ON DELETE CASCADE', () => {
    setup('ON DELETE CASCADE')
    const p = table(txn, 'p')
    txn.delete(p, keys(txn, p)[0])
    expect(rows(txn, table(txn, 'c'))).toEqual([[12, 2]])
  })

  it('cascades through several levels', () => {
    ddl(
      txn,
      'CREATE TABLE a(id INTEGER PRIMARY KEY); CREATE TABLE b(id INTEGER PRIMARY KEY, a INTEGER REFERENCES a ON DELETE CASCADE); CREATE TABLE c(id INTEGER PRIMARY KEY, b INTEGER REFERENCES b ON DELETE CASCADE)',
    )
    txn.insert(table(txn, 'a'), [1])
    txn.insert(table(txn, 'b'), [1, 1])
    txn.insert(table(txn, 'c'), [1, 1])
    txn.delete(table(txn, 'a'), keys(txn, table(txn, 'a'))[0])
    expect(rows(txn, table(txn, 'c'))).toEqual([])
  })

  it('sets referencing columns to NULL under ON DELETE SET NULL', () => {
    setup('ON DELETE SET NULL')
    const p = table(txn, 'p')
    txn.delete(p, keys(txn, p)[0])
    expect(rows(txn, table(txn, 'c'))).toEqual([
      [10, null],
      [11, null],
      [12, 2],
    ])
  })

  it('sets referencing columns to their NULL default under ON DELETE SET DEFAULT', () => {
    setup('ON DELETE SET DEFAULT')
    const p = table(txn, 'p')
    txn.delete(p, keys(txn, p)[1])
    expect(rows(txn, table(txn, 'c'))).toContainEqual([12, null])
  })

  it('updates referencing rows under ON UPDATE CASCADE', () => {
    setup('ON UPDATE CASCADE')
    const p = table(txn, 'p')
    txn.update(p, keys(txn, p)[0], [5, 'one'])
    expect(rows(txn, table(txn, 'c'))).toEqual([
      [10, 5],
      [11, 5],
      [12, 2],
    ])
  })

  it('refuses to change a referenced key under ON UPDATE RESTRICT', () => {
    setup('ON UPDATE RESTRICT')
    const p = table(txn, 'p')
    expectError(() => txn.update(p, keys(txn, p)[0], [5, 'one']), '23503')
    txn.update(p, keys(txn, p)[0], [1, 'renamed'])
  })

  it('allows deleting a parent once its children are gone', () => {
    setup('')
    const c = table(txn, 'c')
    for (const k of keys(txn, c).slice(0, 2)) txn.delete(c, k)
    const p = table(txn, 'p')
    txn.delete(p, keys(txn, p)[0])
    expect(rows(txn, p)).toEqual([[2, 'two']])
  })
})

describe('self-referencing keys', () => {
  it('skips rows a cascade already deleted in the same statement', () => {
    ddl(txn, 'CREATE TABLE tree(id INT PRIMARY KEY, parent INT REFERENCES tree ON DELETE CASCADE)')
    const t = table(txn, 'tree')
    txn.insert(t, [1, null])
    txn.insert(t, [2, 1])
    txn.insert(t, [3, 2])
    const all = keys(txn, t)
    for (const k of all) txn.delete(t, k)
    expect(rows(txn, t)).toEqual([])
    expect(txn.delete(t, all[0])).toEqual([])
  })
})
