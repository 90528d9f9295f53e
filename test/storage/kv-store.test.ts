/**
 * KvStore behaviour (engine/storage/kv-store.ts): atomic multi-tree commits, order of operations, scans,
 * snapshots (including while a commit's sync is in flight), dropped trees, group commit (counted adapter
 * calls), automatic checkpoints, reopening, check(), failed writes and syncs.
 * Not here: the model test (kv-model.test.ts), crashes (kv-store-fault.test.ts), corruption
 * (kv-store-corruption.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { ioError } from '../../engine/common/index.js'
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import { KvStore, type KvStoreOptions } from '../../engine/storage/kv-store.js'
import type { StorageAdapter } from '../../engine/storage/storage-adapter.js'
import { Gate, HookedAdapter } from './hooked-adapter.js'
import { expectRustyError, expectRustyThrow, expectSameBytes, hex, patternBytes, utf8 } from './helpers.js'

const NAME = 'kv.rdb'
const WAL = `${NAME}-wal`

function open(adapter: StorageAdapter, options: Partial<KvStoreOptions> = {}): Promise<KvStore> {
  return KvStore.open({ adapter, name: NAME, create: true, pageSize: 1024, cachePages: 64, ...options })
}

function k(n: number): Uint8Array {
  return utf8(`key-${String(n).padStart(5, '0')}`)
}

function v(n: number, length = 12): Uint8Array {
  return patternBytes(length, n + 1)
}

/** The entries of a tree as [hex key, hex value] pairs. */
function dump(kv: KvStore, tree: string, snapshot?: Parameters<KvStore['get']>[2]): [string, string][] {
  return [...kv.scan(tree, {}, snapshot)].map(([key, value]) => [hex(key), hex(value)])
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
}

describe('KvStore commits', () => {
  it('rejects a key that is not a Uint8Array with 22023 instead of reporting it absent', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    const notBytes = { type: 'Buffer', data: [1, 2, 3] } as unknown as Uint8Array
    expectRustyThrow(() => kv.get('t', notBytes), '22023', /a key must be a Uint8Array/)
    expect(hex(kv.get('t', k(1)) ?? new Uint8Array())).toBe(hex(v(1)))
    await kv.close()
  })

  it('creates a database and reads back a multi-tree commit after reopening', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter)
    expect(kv.created).toBe(true)
    const batch = kv.batch().createTree('users').createTree('orders')
    for (let i = 0; i < 50; i++) batch.put('users', k(i), v(i)).put('orders', k(i), v(1000 + i))
    const { seq } = await kv.commit(batch)
    expect(seq).toBe(1)
    expect(kv.treeNames()).toEqual(['orders', 'users'])
    expectSameBytes(kv.get('users', k(7)) as Uint8Array, v(7))
    await kv.close()

    const again = await open(adapter, { create: false })
    expect(again.created).toBe(false)
    expect(again.lastCommitSeq).toBe(1)
    expect(dump(again, 'users').length).toBe(50)
    expectSameBytes(again.get('orders', k(49)) as Uint8Array, v(1049))
    again.check()
    await again.close()
  })

  it('rejects a batch naming a missing tree without applying any of it, while the rest of its group commits', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t'))
    const good1 = kv.commit(kv.batch().put('t', k(1), v(1)))
    const bad = kv.commit(kv.batch().put('t', k(2), v(2)).put('missing', k(3), v(3)))
    const good2 = kv.commit(kv.batch().put('t', k(4), v(4)))
    await expectRustyError(bad, '42704', /tree "missing" does not exist/)
    expect((await good1).seq).toBe(2)
    expect((await good2).seq).toBe(3)
    expect(kv.get('t', k(2))).toBeUndefined()
    expect(kv.get('t', k(1))).toBeDefined()
    expect(kv.get('t', k(4))).toBeDefined()
    kv.check()
    await kv.close()
  })

  it('validates each batch against the trees the batches before it in the group create and drop', async () => {
    const kv = await open(new MemoryAdapter())
    const create = kv.commit(kv.batch().createTree('a'))
    const use = kv.commit(kv.batch().put('a', k(1), v(1)))
    const dup = kv.commit(kv.batch().createTree('a'))
    const drop = kv.commit(kv.batch().dropTree('a'))
    const late = kv.commit(kv.batch().put('a', k(2), v(2)))
    await create
    await use
    await expectRustyError(dup, '42710', /tree "a" already exists/)
    await drop
    await expectRustyError(late, '42704', /tree "a" does not exist/)
    expect(kv.hasTree('a')).toBe(false)
    kv.check()
    await kv.close()
  })

  it('applies the operations of a batch in order: repeated puts, put then delete, delete then put', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('t')
    batch.put('t', k(1), v(1)).put('t', k(1), v(2)).put('t', k(1), v(3))
    batch.put('t', k(2), v(1)).delete('t', k(2))
    batch.delete('t', k(3)).put('t', k(3), v(9))
    batch.put('t', k(4), v(4)).dropTree('t').createTree('t').put('t', k(5), v(5))
    await kv.commit(batch)
    expect(dump(kv, 't')).toEqual([[hex(k(5)), hex(v(5))]])
    const second = kv.batch().put('t', k(1), v(1)).put('t', k(1), v(2)).put('t', k(2), v(1)).delete('t', k(2))
    second.delete('t', k(3)).put('t', k(3), v(9))
    await kv.commit(second)
    expect(dump(kv, 't')).toEqual([
      [hex(k(1)), hex(v(2))],
      [hex(k(3)), hex(v(9))],
      [hex(k(5)), hex(v(5))],
    ])
    kv.check()
    await kv.close()
  })

  it('copies keys and values when they are added, so later changes to the arrays do not leak into the commit', async () => {
    const kv = await open(new MemoryAdapter())
    const key = utf8('abc')
    const value = utf8('value')
    const batch = kv.batch().createTree('t').put('t', key, value)
    key[0] = 0x7a
    value[0] = 0x7a
    await kv.commit(batch)
    expect(text(kv.get('t', utf8('abc')))).toBe('value')
    expect(kv.get('t', utf8('zbc'))).toBeUndefined()
    await kv.close()
  })

  it('keeps values of every size, from empty to many pages (overflow)', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter)
    const sizes = [0, 1, 100, 255, 256, 257, 1000, 1024, 5000, 70_000]
    const batch = kv.batch().createTree('blobs')
    sizes.forEach((size, i) => batch.put('blobs', k(i), v(i, size)))
    await kv.commit(batch)
    sizes.forEach((size, i) => expectSameBytes(kv.get('blobs', k(i)) as Uint8Array, v(i, size), `value of ${size} bytes`))
    // Replacing and deleting overflow values frees their pages (check() accounts for every page).
    await kv.commit(kv.batch().put('blobs', k(9), v(99, 10)).delete('blobs', k(8)))
    kv.check()
    await kv.close()
    const again = await open(adapter, { create: false })
    expectSameBytes(again.get('blobs', k(7)) as Uint8Array, v(7, 1024))
    expectSameBytes(again.get('blobs', k(9)) as Uint8Array, v(99, 10))
    expect(again.get('blobs', k(8))).toBeUndefined()
    again.check()
    await again.close()
  })

  it('commits a batch far larger than the buffer pool whole (dirty pages spill to the WAL)', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter, { cachePages: 64 })
    const batch = kv.batch().createTree('big')
    for (let i = 0; i < 3000; i++) batch.put('big', k(i), v(i, 200))
    await kv.commit(batch)
    expect(kv.stats().pool.spills).toBeGreaterThan(0)
    expect(dump(kv, 'big').length).toBe(3000)
    expectSameBytes(kv.get('big', k(2999)) as Uint8Array, v(2999, 200))
    kv.check()
    await kv.close()
    const again = await open(adapter, { create: false, cachePages: 64 })
    expect(dump(again, 'big').length).toBe(3000)
    again.check()
    await again.close()
  })

  it('scans ranges forward and backward with inclusive and exclusive bounds', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('t')
    for (let i = 0; i < 300; i++) batch.put('t', k(i), v(i))
    await kv.commit(batch)
    const keysOf = (range: Parameters<KvStore['scan']>[1]): string[] => [...kv.scan('t', range)].map(([key]) => text(key) as string)
    expect(keysOf({ lower: k(10), upper: k(13) })).toEqual(['key-00010', 'key-00011', 'key-00012'])
    expect(keysOf({ lower: k(10), lowerInclusive: false, upper: k(13), upperInclusive: true })).toEqual(['key-00011', 'key-00012', 'key-00013'])
    expect(keysOf({ lower: k(10), upper: k(13), reverse: true })).toEqual(['key-00012', 'key-00011', 'key-00010'])
    expect(keysOf({ upper: k(2), reverse: true })).toEqual(['key-00001', 'key-00000'])
    expect(keysOf({ lower: k(298) })).toEqual(['key-00298', 'key-00299'])
    expect(keysOf({}).length).toBe(300)
    expect(keysOf({ reverse: true })[0]).toBe('key-00299')
    expect(keysOf({ lower: k(5), upper: k(5) })).toEqual([])
    let batches = 0
    let entries = 0
    for (const b of kv.scanBatches('t')) {
      batches++
      entries += b.count
    }
    expect(entries).toBe(300)
    expect(batches).toBeGreaterThan(0)
    await kv.close()
  })

  it('bulk-loads a tree created earlier in the same batch, and the tree takes puts afterwards', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter)
    const entries = Array.from({ length: 5000 }, (_, i) => [k(i), v(i, i % 500 === 0 ? 3000 : 20)] as const)
    await kv.commit(kv.batch().createTree('bulk').bulkLoad('bulk', entries).put('bulk', k(5000), v(5000)))
    expect(dump(kv, 'bulk').length).toBe(5001)
    expectSameBytes(kv.get('bulk', k(1000)) as Uint8Array, v(1000, 3000))
    expect(kv.check().trees[0].entries).toBe(5001)
    await kv.close()
    const again = await open(adapter, { create: false })
    expectSameBytes(again.get('bulk', k(4999)) as Uint8Array, v(4999, 20))
    again.check()
    await again.close()
  })

  it('refuses a bulk load into a tree not created in the same batch (55000) and entries out of order (22023)', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('old'))
    await expectRustyError(
      kv.commit(kv.batch().bulkLoad('old', [[k(1), v(1)]])),
      '55000',
      /bulkLoad into tree "old" needs the tree to be created earlier in the same batch/,
    )
    await expectRustyError(
      kv.commit(kv.batch().createTree('new').put('new', k(1), v(1)).bulkLoad('new', [[k(2), v(2)]])),
      '55000',
      /bulkLoad into tree "new" needs the tree to be created earlier in the same batch, with nothing written to it yet/,
    )
    expect(kv.hasTree('new')).toBe(false)
    expectRustyThrow(
      () =>
        kv.batch().createTree('x').bulkLoad('x', [
          [k(2), v(2)],
          [k(1), v(1)],
        ]),
      '22023',
      /needs strictly ascending keys \(entry 1 is not greater than the one before\)/,
    )
    kv.check()
    await kv.close()
  })

  it('reads many keys with one call, absent ones as undefined', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)).put('t', k(3), v(3)))
    const values = kv.getMany('t', [k(1), k(2), k(3)])
    expectSameBytes(values[0] as Uint8Array, v(1))
    expect(values[1]).toBeUndefined()
    expectSameBytes(values[2] as Uint8Array, v(3))
    await kv.close()
  })
})

describe('KvStore snapshots', () => {
  it('a snapshot sees exactly the commits acknowledged before it', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)).put('t', k(2), v(2)))
    const before = kv.snapshot()
    await kv.commit(kv.batch().put('t', k(1), v(10)).delete('t', k(2)).put('t', k(3), v(3)).createTree('u'))
    const middle = kv.snapshot()
    await kv.commit(kv.batch().put('t', k(1), v(20)).put('t', k(2), v(22)).dropTree('u'))

    expectSameBytes(kv.get('t', k(1), before) as Uint8Array, v(1))
    expectSameBytes(kv.get('t', k(2), before) as Uint8Array, v(2))
    expect(kv.get('t', k(3), before)).toBeUndefined()
    expect(kv.treeNames(before)).toEqual(['t'])
    expect(dump(kv, 't', before)).toEqual([
      [hex(k(1)), hex(v(1))],
      [hex(k(2)), hex(v(2))],
    ])

    expectSameBytes(kv.get('t', k(1), middle) as Uint8Array, v(10))
    expect(kv.get('t', k(2), middle)).toBeUndefined()
    expect(kv.treeNames(middle)).toEqual(['t', 'u'])
    expect(dump(kv, 't', middle)).toEqual([
      [hex(k(1)), hex(v(10))],
      [hex(k(3)), hex(v(3))],
    ])
    expect(dump(kv, 't')).toEqual([
      [hex(k(1)), hex(v(20))],
      [hex(k(2)), hex(v(22))],
      [hex(k(3)), hex(v(3))],
    ])
    expect(kv.getMany('t', [k(1), k(2)], before).map((x) => hex(x as Uint8Array))).toEqual([hex(v(1)), hex(v(2))])
    before.release()
    middle.release()
    expect(kv.stats().versionBatches).toBe(0)
    await kv.close()
  })

  it('hides a commit whose sync is still in flight from every reader, and shows it once it resolves', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)).put('t', k(2), v(2)))
    const gate = new Gate()
    adapter.hooks.sync = (file) => (file === WAL ? gate.wait() : undefined)
    let acknowledged = false
    const pending = kv.commit(kv.batch().put('t', k(1), v(10)).delete('t', k(2)).put('t', k(3), v(3)).createTree('new'))
    void pending.then(() => (acknowledged = true))
    // Let the group apply and write; its sync now waits at the gate.
    while (gate.arrived === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    expect(acknowledged).toBe(false)
    expectSameBytes(kv.get('t', k(1)) as Uint8Array, v(1))
    expectSameBytes(kv.get('t', k(2)) as Uint8Array, v(2))
    expect(kv.get('t', k(3))).toBeUndefined()
    expect(kv.hasTree('new')).toBe(false)
    expect(kv.treeNames()).toEqual(['t'])
    expect(dump(kv, 't')).toEqual([
      [hex(k(1)), hex(v(1))],
      [hex(k(2)), hex(v(2))],
    ])
    const during = kv.snapshot()
    expect(during.seq).toBe(1)
    gate.open()
    expect((await pending).seq).toBe(2)
    expectSameBytes(kv.get('t', k(1)) as Uint8Array, v(10))
    expect(kv.get('t', k(2))).toBeUndefined()
    expect(kv.hasTree('new')).toBe(true)
    expectSameBytes(kv.get('t', k(1), during) as Uint8Array, v(1))
    during.release()
    kv.check()
    await kv.close()
  })

  it('keeps the view a scan started with while commits land between its batches', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('t')
    for (let i = 0; i < 2000; i += 2) batch.put('t', k(i), v(i))
    await kv.commit(batch)
    const iterator = kv.scan('t')
    const seen: string[] = []
    let step = 0
    for (const [key] of iterator) {
      seen.push(text(key) as string)
      if (++step === 10) {
        // Odd keys inserted and even keys deleted after the scan started: the scan must not see either.
        const change = kv.batch()
        for (let i = 1; i < 2000; i += 2) change.put('t', k(i), v(i))
        for (let i = 100; i < 2000; i += 4) change.delete('t', k(i))
        await kv.commit(change)
      }
    }
    expect(seen.length).toBe(1000)
    expect(seen.every((key) => Number(key.slice(4)) % 2 === 0)).toBe(true)
    expect(kv.stats().versionBatches).toBe(0)
    await kv.close()
  })

  it('keeps a dropped tree readable by an older snapshot and frees its pages once nobody can read it', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('old').createTree('other')
    for (let i = 0; i < 500; i++) batch.put('old', k(i), v(i, 100))
    await kv.commit(batch)
    const snap = kv.snapshot()
    await kv.commit(kv.batch().dropTree('old'))
    expect(kv.hasTree('old')).toBe(false)
    expect(kv.hasTree('old', snap)).toBe(true)
    expect(kv.stats().pendingFrees).toBe(1)
    // Later commits do not reuse its pages while the snapshot is open.
    const more = kv.batch()
    for (let i = 0; i < 500; i++) more.put('other', k(i), v(i + 7, 100))
    await kv.commit(more)
    expect(dump(kv, 'old', snap).length).toBe(500)
    expectSameBytes(kv.get('old', k(250), snap) as Uint8Array, v(250, 100))
    const report = kv.check()
    expect(report.trees.filter((t) => t.dropped).length).toBe(1)
    const freeBefore = report.freePages
    snap.release()
    await kv.commit(kv.batch().put('other', k(1), v(1)))
    expect(kv.stats().pendingFrees).toBe(0)
    const after = kv.check()
    expect(after.trees.some((t) => t.dropped)).toBe(false)
    expect(after.freePages).toBeGreaterThan(freeBefore)
    await kv.close()
  })

  it('refuses reads through a released snapshot (55000)', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t'))
    const snap = kv.snapshot()
    snap.release()
    snap.release()
    expectRustyThrow(() => kv.get('t', k(1), snap), '55000', /snapshot at commit 1 was released/)
    await kv.close()
  })

  it('drops older values as soon as the last snapshot that needs them is released', async () => {
    const kv = await open(new MemoryAdapter())
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    const a = kv.snapshot()
    await kv.commit(kv.batch().put('t', k(1), v(2)))
    const b = kv.snapshot()
    await kv.commit(kv.batch().put('t', k(1), v(3)))
    expect(kv.stats().versionBatches).toBe(2)
    a.release()
    expect(kv.stats().versionBatches).toBe(1)
    expectSameBytes(kv.get('t', k(1), b) as Uint8Array, v(2))
    b.release()
    expect(kv.stats().versionBatches).toBe(0)
    await kv.close()
  })
})

describe('KvStore group commit', () => {
  it('gives commits issued together one WAL write and one sync', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t'))
    adapter.resetCounters()
    const commits = []
    for (let i = 0; i < 20; i++) commits.push(kv.commit(kv.batch().put('t', k(i), v(i))))
    const seqs = (await Promise.all(commits)).map((c) => c.seq)
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 2))
    expect(adapter.counters(WAL).writes).toBe(1)
    expect(adapter.counters(WAL).syncs).toBe(1)
    expect(adapter.counters(NAME).writes).toBe(0)
    expect(kv.stats().groups).toBe(2)
    await kv.close()
  })

  it('queues commits that arrive while a group syncs and writes them together in the next group', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t'))
    const gate = new Gate()
    adapter.hooks.sync = (file) => (file === WAL && gate.arrived === 0 ? gate.wait() : undefined)
    adapter.resetCounters()
    const first = kv.commit(kv.batch().put('t', k(0), v(0)))
    while (gate.arrived === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    const later = []
    for (let i = 1; i <= 10; i++) later.push(kv.commit(kv.batch().put('t', k(i), v(i))))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(adapter.counters(WAL).writes).toBe(1)
    gate.open()
    await first
    await Promise.all(later)
    expect(adapter.counters(WAL).writes).toBe(2)
    expect(adapter.counters(WAL).syncs).toBe(2)
    expect(dump(kv, 't').length).toBe(11)
    await kv.close()
  })
})

describe('KvStore checkpoints and reopening', () => {
  it('checkpoints automatically once the WAL passes checkpointBytes', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter, { checkpointBytes: 32 << 10 })
    await kv.commit(kv.batch().createTree('t'))
    for (let round = 0; round < 40; round++) {
      const batch = kv.batch()
      for (let i = 0; i < 20; i++) batch.put('t', k(round * 20 + i), v(i, 60))
      await kv.commit(batch)
      expect(kv.stats().walBytes).toBeLessThan((32 << 10) + 40 * 1048)
    }
    expect(kv.stats().checkpoints).toBeGreaterThan(0)
    expect(adapter.counters(NAME).writes).toBeGreaterThan(0)
    expect(dump(kv, 't').length).toBe(800)
    kv.check()
    await kv.close()
  })

  it('an explicit checkpoint copies every page into the database file in contiguous runs and empties the WAL', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter, { checkpointBytes: 0 })
    const batch = kv.batch().createTree('t')
    for (let i = 0; i < 400; i++) batch.put('t', k(i), v(i, 50))
    await kv.commit(batch)
    const pages = kv.check().pageCount
    adapter.resetCounters()
    const result = await kv.checkpoint()
    expect(result.pages).toBe(pages)
    expect(result.runs).toBe(1)
    expect(adapter.counters(NAME).writes).toBe(1)
    expect(kv.stats().walBytes).toBe(32)
    const memory = adapter.inner as MemoryAdapter
    expect((memory.snapshotFiles().get(NAME) as Uint8Array).length).toBe(pages * 1024)
    expect((memory.snapshotFiles().get(WAL) as Uint8Array).length).toBe(32)
    expect(dump(kv, 't').length).toBe(400)
    await kv.close()
  })

  it('a checkpoint bridges short gaps between changed pages, so scattered changes take few writes', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter, { checkpointBytes: 0 })
    const batch = kv.batch().createTree('t')
    for (let i = 0; i < 600; i++) batch.put('t', k(i), v(i, 60))
    await kv.commit(batch)
    await kv.checkpoint()
    const scattered = kv.batch()
    for (let i = 0; i < 600; i += 45) scattered.put('t', k(i), v(i + 1, 60))
    await kv.commit(scattered)
    adapter.resetCounters()
    const result = await kv.checkpoint()
    expect(result.pages).toBeGreaterThan(8)
    expect(result.runs).toBeLessThanOrEqual(3)
    expect(adapter.counters(NAME).writes).toBe(result.runs)
    await kv.close()
    const again = await open(adapter.inner, { create: false })
    for (let i = 0; i < 600; i++) expectSameBytes(again.get('t', k(i)) as Uint8Array, v(i % 45 === 0 ? i + 1 : i, 60))
    again.check()
    await again.close()
  })

  it('closes with a checkpoint, and a reopened store finds every commit and continues the sequence', async () => {
    const adapter = new MemoryAdapter()
    let kv = await open(adapter, { checkpointBytes: 0 })
    for (let i = 0; i < 5; i++) await kv.commit(kv.batch().createTree(`t${i}`).put(`t${i}`, k(i), v(i)))
    await kv.close()
    expect((adapter.snapshotFiles().get(WAL) as Uint8Array).length).toBe(32)
    kv = await open(adapter, { create: false })
    expect(kv.treeNames()).toEqual(['t0', 't1', 't2', 't3', 't4'])
    expect((await kv.commit(kv.batch().put('t0', k(9), v(9)))).seq).toBe(6)
    kv.check()
    await kv.close()
  })

  it('close() writes the commits issued before it, refuses new ones, and they are all there after reopening', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t'))
    const commits = Array.from({ length: 10 }, (_, i) => kv.commit(kv.batch().put('t', k(i), v(i))))
    const closed = kv.close()
    await expectRustyError(kv.commit(kv.batch()), '55000', /kv store "kv\.rdb" is closing/)
    await Promise.all(commits)
    await closed
    expectRustyThrow(() => kv.get('t', k(1)), '55000', /is closed/)
    const again = await open(adapter, { create: false })
    expect(dump(again, 't').length).toBe(10)
    await again.close()
  })

  it('opens a database whose first checkpoint never happened (it lives in its WAL)', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter, { checkpointBytes: 0 })
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    const files = adapter.snapshotFiles()
    expect((files.get(NAME) as Uint8Array).length).toBe(0)
    const reopened = await open(MemoryAdapter.fromFiles(files), { create: false })
    expectSameBytes(reopened.get('t', k(1)) as Uint8Array, v(1))
    reopened.check()
    await reopened.close()
    await kv.close()
  })

  it('frees the pages of a tree dropped before a crash at the next commit after reopening', async () => {
    const adapter = new MemoryAdapter()
    const kv = await open(adapter, { checkpointBytes: 0 })
    const batch = kv.batch().createTree('gone').createTree('kept')
    for (let i = 0; i < 200; i++) batch.put('gone', k(i), v(i, 80))
    await kv.commit(batch)
    const snap = kv.snapshot()
    await kv.commit(kv.batch().dropTree('gone'))
    // "Crash": take the files as they are, with the free still pending.
    const reopened = await open(MemoryAdapter.fromFiles(adapter.snapshotFiles()), { create: false })
    expect(reopened.stats().pendingFrees).toBe(1)
    expect(reopened.treeNames()).toEqual(['kept'])
    reopened.check()
    await reopened.commit(reopened.batch().put('kept', k(1), v(1)))
    expect(reopened.stats().pendingFrees).toBe(0)
    expect(reopened.check().trees.map((t) => t.name)).toEqual(['kept'])
    await reopened.close()
    snap.release()
    await kv.close()
  })

  it('check() reports every tree and accounts for every page', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('a').createTree('b')
    for (let i = 0; i < 300; i++) batch.put('a', k(i), v(i, 40))
    batch.put('b', k(1), v(1, 3000))
    await kv.commit(batch)
    await kv.commit(kv.batch().delete('b', k(1)))
    const report = kv.check()
    expect(report.trees.map((t) => [t.name, t.entries])).toEqual([
      ['a', 300],
      ['b', 0],
    ])
    const used = report.trees.reduce((n, t) => n + t.pages, 0) + report.directoryPages + report.freePages + 1
    expect(used).toBe(report.pageCount)
    expect(report.freePages).toBeGreaterThan(0)
    await kv.close()
  })
})

describe('KvStore failures', () => {
  it('rejects every commit of a group whose WAL sync fails, keeps none of it, and keeps working', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    let fail = true
    adapter.hooks.sync = (file) => {
      if (file === WAL && fail) {
        fail = false
        throw ioError(file, 'sync', new Error('disk on fire'))
      }
    }
    const a = kv.commit(kv.batch().put('t', k(1), v(100)).put('t', k(2), v(2)))
    const b = kv.commit(kv.batch().createTree('u'))
    await expectRustyError(a, '58030', /could not sync file "kv\.rdb-wal": disk on fire/)
    await expectRustyError(b, '58030', /could not sync file "kv\.rdb-wal": disk on fire/)
    expectSameBytes(kv.get('t', k(1)) as Uint8Array, v(1))
    expect(kv.get('t', k(2))).toBeUndefined()
    expect(kv.hasTree('u')).toBe(false)
    kv.check()
    expect((await kv.commit(kv.batch().put('t', k(3), v(3)))).seq).toBe(2)
    await kv.close()
    const again = await open(adapter.inner, { create: false })
    expect(dump(again, 't').map(([key]) => key)).toEqual([hex(k(1)), hex(k(3))])
    again.check()
    await again.close()
  })

  it('rejects a group whose WAL write fails and leaves the WAL as it was before the group', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter, { checkpointBytes: 0 })
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    const walBefore = kv.stats().walBytes
    adapter.hooks.write = (file) => {
      if (file === WAL) throw ioError(file, 'write', new Error('no space left'))
    }
    const big = kv.batch()
    for (let i = 0; i < 2000; i++) big.put('t', k(i), v(i, 100))
    await expectRustyError(kv.commit(big), '58030', /could not write file "kv\.rdb-wal": no space left/)
    adapter.hooks = {}
    expect(kv.stats().walBytes).toBe(walBefore)
    expect(dump(kv, 't').length).toBe(1)
    kv.check()
    await kv.commit(kv.batch().put('t', k(5), v(5)))
    expect(dump(kv, 't').length).toBe(2)
    await kv.close()
  })

  it('serves the last acknowledged commit to readers while a failed group is being rolled back', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter)
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    const gate = new Gate()
    let walSyncs = 0
    adapter.hooks.sync = (file) => {
      if (file !== WAL) return undefined
      walSyncs++
      if (walSyncs === 1) throw ioError(file, 'sync', new Error('flaky disk'))
      return walSyncs === 2 ? gate.wait() : undefined
    }
    const failed = kv.commit(kv.batch().put('t', k(1), v(100)).put('t', k(2), v(2)).createTree('u'))
    // The group's sync failed; the rollback's own sync now waits at the gate.
    while (gate.arrived === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    expectSameBytes(kv.get('t', k(1)) as Uint8Array, v(1))
    expect(kv.get('t', k(2))).toBeUndefined()
    expect(kv.treeNames()).toEqual(['t'])
    expect(dump(kv, 't')).toEqual([[hex(k(1)), hex(v(1))]])
    gate.open()
    await expectRustyError(failed, '58030', /flaky disk/)
    kv.check()
    await kv.close()
  })

  it('stops the store with 55000 naming the cause when a checkpoint fails, and reopening loses nothing', async () => {
    const adapter = new HookedAdapter(new MemoryAdapter())
    const kv = await open(adapter, { checkpointBytes: 0 })
    await kv.commit(kv.batch().createTree('t').put('t', k(1), v(1)))
    adapter.hooks.sync = (file) => {
      if (file === NAME) throw ioError(file, 'sync', new Error('device gone'))
    }
    await expectRustyError(kv.checkpoint(), '58030', /could not sync file "kv\.rdb": device gone/)
    const error = expectRustyThrow(() => kv.get('t', k(1)), '55000', /kv store "kv\.rdb" stopped after a failed checkpoint \(could not sync file "kv\.rdb": device gone\); reopen it/)
    expect(error.cause).toBeInstanceOf(Error)
    expectRustyThrow(() => kv.batch(), '55000', /stopped after a failed checkpoint/)
    await kv.close()
    adapter.hooks = {}
    const again = await open(adapter, { create: false })
    expectSameBytes(again.get('t', k(1)) as Uint8Array, v(1))
    again.check()
    await again.close()
  })

  it('refuses calls on a closed store with 55000, and a committed batch cannot be committed again', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch().createTree('t')
    await kv.commit(batch)
    expectRustyThrow(() => batch.put('t', k(1), v(1)), '55000', /already committed/)
    await expectRustyError(kv.commit(batch), '55000', /already committed/)
    await kv.close()
    await kv.close()
    expectRustyThrow(() => kv.get('t', k(1)), '55000', /kv store "kv\.rdb" is closed/)
    expectRustyThrow(() => kv.batch(), '55000', /is closed/)
    await expectRustyError(kv.checkpoint(), '55000', /is closed/)
  })

  it('checks names, keys and values when they are added to a batch', async () => {
    const kv = await open(new MemoryAdapter())
    const batch = kv.batch()
    expectRustyThrow(() => batch.createTree(''), '22023', /invalid tree name/)
    expectRustyThrow(() => batch.createTree('bad\uD800'), '22023', /unpaired surrogate/)
    expectRustyThrow(() => batch.put('t', new Uint8Array(kv.maxKeyBytes + 1), v(1)), '54000', /exceeds the limit of 240 bytes/)
    expectRustyThrow(() => kv.get('nope', k(1)), '42704', /tree "nope" does not exist/)
    expect(batch.size).toBe(0)
    await kv.close()
  })
})
