/**
 * getBatch: keys descended in groups of 8 in lockstep (assembly/btree.ts descendGroup) must answer exactly like
 * one get per key: present and absent keys, repeats, a pool smaller than the tree (misses during a group's
 * descent evict pages other keys of the group passed through), and results that overflow the output buffer.
 */
import { describe, expect, it } from 'vitest'
import { freshCore, rng, u32Key, valueOf } from './helpers.js'

describe('getBatch', () => {
  it('answers like get for every key, in order, over a tree larger than the pool', async () => {
    const { core } = await freshCore(1024, 64)
    const root = core.createTree()
    for (let i = 0; i < 3000; i += 2) core.put(root, u32Key(i, 12), valueOf(i, 20 + (i % 50)))
    expect(core.checkTree(root).depth).toBeGreaterThanOrEqual(3)
    const random = rng(2)
    const keys = Array.from({ length: 2000 }, () => u32Key(Math.floor(random() * 3100), 12))
    keys.push(keys[0], keys[0], u32Key(1, 12))
    const values = core.getBatch(root, keys)
    expect(values.length).toBe(keys.length)
    keys.forEach((key, i) => expect(values[i]).toEqual(core.get(root, key)))
    expect(core.diagnostics().pinnedFrames).toBe(0)
  })

  it('continues after the output buffer fills in the middle of a group', async () => {
    const { core } = await freshCore(4096, 256)
    const root = core.createTree()
    for (let i = 0; i < 40; i++) core.put(root, u32Key(i), valueOf(i, 100_000))
    const keys = Array.from({ length: 40 }, (_, i) => u32Key(39 - i))
    const values = core.getBatch(root, keys)
    keys.forEach((_, i) => expect(values[i]).toEqual(valueOf(39 - i, 100_000)))
  })
})
