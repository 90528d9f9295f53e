/**
 * Persistence on the Node file system: tables, rows, indexes and sequence positions written by committed
 * transactions are there after the files are closed and opened again; rolled-back work is not.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KvStore, NodeFsAdapter } from '../../engine/storage/node.js'
import { TxnManager } from '../../engine/txn/index.js'
import { ddl, rows, table } from './helpers.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rustydb-txn-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function open(): Promise<{ kv: KvStore; manager: TxnManager; close: () => Promise<void> }> {
  const kv = await KvStore.open({ adapter: new NodeFsAdapter({ root: dir }), name: 'db.rdb', create: true })
  const manager = await TxnManager.open(kv)
  return {
    kv,
    manager,
    close: async () => {
      await manager.close()
      await kv.close()
    },
  }
}

describe('persistence on the Node file system', () => {
  it('reopens committed tables, rows, indexes and sequences and forgets rolled-back work', async () => {
    let db = await open()
    let txn = db.manager.begin()
    ddl(txn, 'CREATE TABLE t(id SERIAL PRIMARY KEY, name TEXT UNIQUE)')
    const t = table(txn, 't')
    const seq = txn.catalog.sequence(null, 't_id_seq')
    if (seq === undefined) throw new Error('missing sequence')
    for (const name of ['a', 'b', 'c']) txn.insert(t, [Number(txn.nextval(seq)), name])
    await txn.commit()
    txn = db.manager.begin()
    txn.insert(table(txn, 't'), [99, 'rolled back'])
    ddl(txn, 'CREATE TABLE gone(x INT)')
    txn.rollback()
    await db.close()

    db = await open()
    txn = db.manager.begin()
    expect(txn.catalog.table(null, 'gone')).toBeUndefined()
    const t2 = table(txn, 't')
    expect(rows(txn, t2)).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ])
    const out: unknown[] = []
    for (const batch of txn.indexScan(t2.indexes[0], { columns: [1], lower: { values: ['b'], inclusive: true } })) out.push(...batch.columns[0].slice(0, batch.length))
    expect(out).toEqual(['b', 'c'])
    expect(txn.nextval(txn.catalog.sequence(null, 't_id_seq') ?? seq)).toBe(4n)
    txn.rollback()
    await db.close()
  })
})
