/**
 * Fault test: a crash at every I/O call of a commit that creates a table with rows and an index and changes
 * another table leaves, after recovery, either everything of that transaction or nothing of it, catalog and
 * rows together (ARCHITECTURE.md: "a committed transaction survives any crash; an uncommitted one is never
 * visible").
 */
import { describe, expect, it } from 'vitest'
import { KvStore, MemoryAdapter } from '../../engine/storage/index.js'
import { TxnManager } from '../../engine/txn/index.js'
import { FaultAdapter } from '../storage/fault-adapter.js'
import { ddl, keys, rows, table } from './helpers.js'

const NAME = 'fault.rdb'

async function setup(adapter: FaultAdapter | MemoryAdapter): Promise<{ kv: KvStore; manager: TxnManager }> {
  const kv = await KvStore.open({ adapter, name: NAME, create: true, pageSize: 1024, cachePages: 64, checkpointBytes: 0 })
  const manager = await TxnManager.open(kv)
  const txn = manager.begin()
  ddl(txn, 'CREATE TABLE t(a INT PRIMARY KEY, b TEXT)')
  const t = table(txn, 't')
  for (let i = 0; i < 50; i++) txn.insert(t, [i, `row ${i}`])
  await txn.commit()
  return { kv, manager }
}

/** The transaction under test. */
async function change(manager: TxnManager): Promise<void> {
  const txn = manager.begin()
  ddl(txn, 'CREATE TABLE u(x INT UNIQUE, pad TEXT)')
  const u = table(txn, 'u')
  for (let i = 0; i < 200; i++) txn.insert(u, [i, 'x'.repeat(40)])
  const t = table(txn, 't')
  for (const k of keys(txn, t).slice(0, 10)) txn.delete(t, k)
  for (let i = 100; i < 120; i++) txn.insert(t, [i, `new ${i}`])
  await txn.commit()
}

async function verify(adapter: MemoryAdapter): Promise<'before' | 'after'> {
  const kv = await KvStore.open({ adapter, name: NAME, create: false })
  const manager = await TxnManager.open(kv)
  const txn = manager.begin()
  const t = table(txn, 't')
  const tRows = rows(txn, t)
  const u = txn.catalog.table('public', 'u')
  let state: 'before' | 'after'
  if (u === undefined) {
    expect(tRows.length).toBe(50)
    state = 'before'
  } else {
    expect(tRows.map((r) => r[0])).toEqual([...Array.from({ length: 40 }, (_v, i) => i + 10), ...Array.from({ length: 20 }, (_v, i) => i + 100)])
    expect(rows(txn, u).length).toBe(200)
    let indexed = 0
    for (const batch of txn.indexScan(u.indexes[0], { columns: [0] })) indexed += batch.length
    expect(indexed).toBe(200)
    state = 'after'
  }
  txn.rollback()
  await manager.close()
  await kv.close()
  return state
}

describe('commit under crashes', () => {
  it('recovers all or nothing of a transaction at every crash point', async () => {
    // Dry run: how many counted I/O calls the commit makes.
    const dry = new FaultAdapter()
    const d = await setup(dry)
    const base = dry.calls
    await change(d.manager)
    const calls = dry.calls - base
    expect(calls).toBeGreaterThan(1)
    const seen = new Set<string>()
    for (let at = 0; at < calls; at++) {
      for (const fate of ['lost', 'kept'] as const) {
        const adapter = new FaultAdapter()
        const s = await setup(adapter)
        adapter.arm({ at: adapter.calls + at, tear: (length) => length >> 1 })
        let committed = true
        await change(s.manager).catch(() => {
          committed = false
        })
        const state = await verify(adapter.imageAfterCrash(fate, at))
        seen.add(state)
        // A commit that was acknowledged must survive.
        if (committed) expect(state).toBe('after')
      }
    }
    expect(seen.has('before')).toBe(true)
  })
})
