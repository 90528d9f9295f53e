/**
 * The child-frame cache (assembly/child-cache.ts) and interpolation search of large nodes (assembly/btree.ts
 * hintLowerBound): gets and scans through cached child frames must answer exactly as the tree holds, after
 * splits and merges of the cached nodes, evictions that reuse cached frames, rollbacks and dropped trees.
 * A stale cache would send a lookup to the wrong page, so every case compares against a plain Map.
 */
import { describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { flush, freshCore, MapHost, reopen, rng, scanAll, u32Key, valueOf, sameBytes } from './helpers.js'

const KEY_WIDTH = 12

function key(i: number): Uint8Array {
  return u32Key(i, KEY_WIDTH)
}

/** Checks that every key of `model` (and some absent keys) reads back through get as the model says. */
function expectTree(core: WasmCore, root: number, model: Map<number, Uint8Array>, absent: number[] = []): void {
  for (const [i, value] of model) {
    if (!sameBytes(core.get(root, key(i)), value)) throw new Error(`key ${i}: wrong value`)
  }
  for (const i of absent) if (!model.has(i) && core.get(root, key(i)) !== undefined) throw new Error(`key ${i} should be absent`)
}

function hits(core: WasmCore): number {
  return core.diagnostics().events.childCacheHits
}

describe('child-frame cache', () => {
  it('serves lookups after a commit and follows every later split, merge and commit of the cached nodes', async () => {
    const { core, host } = await freshCore(1024, 4096)
    const root = core.createTree()
    const model = new Map<number, Uint8Array>()
    for (let i = 0; i < 6000; i += 3) {
      model.set(i, valueOf(i, 30))
      core.put(root, key(i), model.get(i)!)
    }
    expect(core.checkTree(root).depth).toBeGreaterThanOrEqual(3)
    flush(core, host)
    expectTree(core, root, model)
    const afterFirstPass = hits(core)
    expect(afterFirstPass).toBeGreaterThan(0)
    expectTree(core, root, model)
    // The second pass finds every child in the cache: two interior levels per lookup at least.
    expect(hits(core) - afterFirstPass).toBeGreaterThanOrEqual(2 * model.size)

    // Uncommitted inserts split leaves and interior nodes whose caches hold the old children.
    const random = rng(11)
    for (let n = 0; n < 4000; n++) {
      const i = Math.floor(random() * 6000)
      model.set(i, valueOf(i + n, 10 + (n % 40)))
      core.put(root, key(i), model.get(i)!)
      if (n % 97 === 0) expectTree(core, root, model, [i + 1, i + 2])
    }
    expectTree(core, root, model, [6001, 6002, 7])
    flush(core, host, 2n)
    expectTree(core, root, model)

    // Deletes merge nodes and collapse levels of the tree the caches describe.
    for (const i of [...model.keys()]) {
      if (i % 10 !== 0) {
        model.delete(i)
        expect(core.delete(root, key(i))).toBe(true)
      }
    }
    expectTree(core, root, model, [1, 2, 3, 5999])
    flush(core, host, 3n)
    expectTree(core, root, model, [1, 2, 3])
    expect(core.checkTree(root).entries).toBe(model.size)
    expect(core.diagnostics().pinnedFrames).toBe(0)
  })

  it('follows evictions: a pool much smaller than the tree reuses the frames cached entries name', async () => {
    const { core, host } = await freshCore(1024, 64)
    const root = core.createTree()
    const model = new Map<number, Uint8Array>()
    for (let i = 0; i < 5000; i++) {
      model.set(i, valueOf(i, 40))
      core.put(root, key(i * 7), model.get(i)!)
    }
    flush(core, host)
    const small = await reopen(host, 1024, 64)
    const random = rng(5)
    for (let n = 0; n < 20_000; n++) {
      const i = Math.floor(random() * 5000)
      if (!sameBytes(small.get(root, key(i * 7)), model.get(i))) throw new Error(`lookup ${n} of key ${i}: wrong value`)
      if (n % 1000 === 0) expect(small.get(root, key(i * 7 + 1))).toBeUndefined()
    }
    expect(small.stats().evictions).toBeGreaterThan(1000)
    expect(hits(small)).toBeGreaterThan(0)
  })

  it('returns the committed tree after a rollback (discardAll) of changes made below cached nodes', async () => {
    const { core, host } = await freshCore(1024, 1024)
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, key(i), valueOf(i, 20))
    flush(core, host)
    for (let i = 0; i < 3000; i++) expect(sameBytes(core.get(root, key(i)), valueOf(i, 20))).toBe(true)
    for (let i = 0; i < 3000; i += 2) core.delete(root, key(i))
    for (let i = 3000; i < 6000; i++) core.put(root, key(i), valueOf(i, 60))
    expect(core.get(root, key(4000))).toEqual(valueOf(4000, 60))
    expect(host.spills).toBe(0) // the host map holds only committed pages
    core.discardAll()
    for (let i = 0; i < 3000; i++) expect(sameBytes(core.get(root, key(i)), valueOf(i, 20))).toBe(true)
    expect(core.get(root, key(4000))).toBeUndefined()
  })

  it('does not follow cached frames of a dropped tree into pages reused by a new one', async () => {
    const { core, host } = await freshCore(1024, 1024)
    const first = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(first, key(i), valueOf(i, 30))
    flush(core, host)
    for (let i = 0; i < 3000; i += 7) expect(sameBytes(core.get(first, key(i)), valueOf(i, 30))).toBe(true)
    core.dropTree(first)
    const second = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(second, key(i + 100_000), valueOf(i + 1, 30))
    flush(core, host, 2n)
    for (let i = 0; i < 3000; i += 7) {
      expect(core.get(second, key(i))).toBeUndefined()
      expect(sameBytes(core.get(second, key(i + 100_000)), valueOf(i + 1, 30))).toBe(true)
    }
    expect(core.checkTree(second).entries).toBe(3000)
  })

  it('scans from cached descents see the same entries as the tree holds', async () => {
    const { core, host } = await freshCore(1024, 1024)
    const root = core.createTree()
    for (let i = 0; i < 4000; i++) core.put(root, key(i * 2), valueOf(i, 25))
    flush(core, host)
    for (let i = 0; i < 4000; i += 3) core.get(root, key(i * 2))
    const before = hits(core)
    const range = scanAll(core, root, { lower: key(1001), upper: key(3001) }, 100)
    expect(range.map(([k]) => new DataView(k.buffer).getUint32(KEY_WIDTH - 4))).toEqual(
      Array.from({ length: 1000 }, (_, j) => 1002 + 2 * j),
    )
    const reverse = scanAll(core, root, { upper: key(200), reverse: true }, 7)
    expect(reverse.length).toBe(100)
    expect(hits(core)).toBeGreaterThan(before)
  })
})

describe('grouped lookups through frames (getBatch)', () => {
  it('answer like get, also when reading overflow values evicts the frames of later keys in the group', async () => {
    const { core, host } = await freshCore(1024, 64)
    const root = core.createTree()
    const model = new Map<number, Uint8Array>()
    for (let i = 0; i < 4000; i++) {
      // Every 10th value spans 40 overflow pages: reading one cycles most of the 64-frame pool while a group
      // is answered, evicting the leaves of the group's later keys.
      model.set(i, valueOf(i, i % 10 === 0 ? 40_000 : 24))
      core.put(root, key(i * 3), model.get(i)!)
    }
    flush(core, host)
    const small = await reopen(host, 1024, 64)
    const random = rng(9)
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 100 }, () => Math.floor(random() * 4100))
      const values = small.getBatch(root, ids.map((i) => key(i * 3)))
      ids.forEach((i, j) => {
        if (!sameBytes(values[j], model.get(i))) throw new Error(`round ${round}, key ${i}: wrong value`)
      })
    }
    const warm = await reopen(host, 1024, 4096)
    const ids = Array.from({ length: 4000 }, (_, i) => i).filter((i) => i % 10 !== 0)
    for (let pass = 0; pass < 2; pass++) {
      const values = warm.getBatch(root, ids.map((i) => key(i * 3)))
      ids.forEach((i, j) => expect(sameBytes(values[j], model.get(i))).toBe(true))
    }
    expect(hits(warm)).toBeGreaterThan(3600)
    expect(small.diagnostics().pinnedFrames).toBe(0)
  })
})

describe('interpolation search of large nodes', () => {
  /** Keys whose bytes after a shared prefix are spread unevenly: most crowd one end of the node's range. */
  function skewedKey(i: number): Uint8Array {
    const k = new Uint8Array(8)
    const v = i < 15_000 ? i : 15_000 + (i - 15_000) * 50_000
    new DataView(k.buffer).setUint32(0, 0xabcd0000)
    new DataView(k.buffer).setUint32(4, v)
    return k
  }

  it('finds every key and every gap in nodes of many small entries, evenly spread or skewed', async () => {
    for (const makeKey of [(i: number) => u32Key(i * 3, 8), skewedKey]) {
      const { core, host } = await freshCore(4096, 512)
      const root = core.createTree()
      const n = 20_000
      // 8-byte keys with empty values: ~225 entries per leaf, ~90 leaves under one interior root.
      const present = new Set<string>()
      for (let i = 0; i < n; i++) {
        core.put(root, makeKey(i), new Uint8Array(0))
        present.add(Buffer.from(makeKey(i)).toString('latin1'))
      }
      flush(core, host)
      for (let i = 0; i < n; i++) expect(core.get(root, makeKey(i))).toEqual(new Uint8Array(0))
      let absent = 0
      for (let i = 0; i < n; i++) {
        const probe = makeKey(i)
        probe[7] ^= 1
        if (present.has(Buffer.from(probe).toString('latin1'))) continue
        absent++
        if (core.get(root, probe) !== undefined) throw new Error(`probe ${i} should be absent`)
      }
      expect(absent).toBeGreaterThanOrEqual(n / 4)
      expect(core.get(root, new Uint8Array(7))).toBeUndefined()
      expect(core.get(root, new Uint8Array(9).fill(0xff))).toBeUndefined()
    }
  })

  it('agrees with binary search on random sets of 2-byte-distinct keys, including long runs of tied hints', async () => {
    const random = rng(3)
    const { core, host } = await freshCore(4096, 2048)
    const root = core.createTree()
    const present = new Set<number>()
    // Many keys share their first two bytes (tied hints), others are spread over the whole range.
    for (let n = 0; n < 30_000; n++) {
      const v = random() < 0.3 ? 0x4242_0000 + Math.floor(random() * 4000) : Math.floor(random() * 0xffff_ffff)
      present.add(v >>> 0)
    }
    for (const v of present) core.put(root, u32Key(v, 4), u32Key(v, 4))
    flush(core, host)
    for (const v of present) expect(core.get(root, u32Key(v, 4))).toEqual(u32Key(v, 4))
    let absent = 0
    for (let n = 0; n < 20_000; n++) {
      const v = (random() < 0.5 ? 0x4242_0000 + Math.floor(random() * 5000) : Math.floor(random() * 0xffff_ffff)) >>> 0
      if (present.has(v)) continue
      absent++
      if (core.get(root, u32Key(v, 4)) !== undefined) throw new Error(`key ${v.toString(16)} should be absent`)
    }
    expect(absent).toBeGreaterThan(10_000)
  })
})
