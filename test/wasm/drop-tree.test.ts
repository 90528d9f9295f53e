/**
 * dropTree: frees every page of a tree (interior, leaves, overflow chains, the root), leaves other trees
 * untouched, and the freed pages are reused.
 */
import { describe, expect, it } from 'vitest'
import { freshCore, u32Key, valueOf } from './helpers.js'

describe('dropTree', () => {
  it('frees interior, leaf and overflow pages and the root itself', async () => {
    const { core } = await freshCore(2048)
    const root = core.createTree()
    for (let i = 0; i < 2000; i++) core.put(root, u32Key(i, 64), valueOf(i, i % 50 === 0 ? 5000 : 40))
    const check = core.checkTree(root)
    expect(check.depth).toBeGreaterThanOrEqual(3)
    core.dropTree(root)
    const free = new Set(core.freelistPages())
    for (const p of check.pages) expect(free.has(p)).toBe(true)
    expect(free.size).toBe(check.pages.length)
  })

  it('drops an empty tree (its root leaf only)', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    core.dropTree(root)
    expect([...core.freelistPages()]).toEqual([root])
  })

  it('leaves the other trees intact', async () => {
    const { core } = await freshCore(2048)
    const keep = core.createTree()
    const drop = core.createTree()
    for (let i = 0; i < 1500; i++) {
      core.put(keep, u32Key(i), valueOf(i, 30))
      core.put(drop, u32Key(i), valueOf(i + 1, 30))
    }
    core.dropTree(drop)
    expect(core.checkTree(keep).entries).toBe(1500)
    for (let i = 0; i < 1500; i += 37) expect(core.get(keep, u32Key(i))).toEqual(valueOf(i, 30))
  })

  it('gives back pages that a new tree then reuses without growing the file', async () => {
    const { core } = await freshCore(2048)
    const a = core.createTree()
    for (let i = 0; i < 1500; i++) core.put(a, u32Key(i), valueOf(i, 3000))
    const count = core.header().pageCount
    core.dropTree(a)
    const b = core.createTree()
    for (let i = 0; i < 1500; i++) core.put(b, u32Key(i), valueOf(i, 3000))
    expect(core.header().pageCount).toBe(count)
    expect(core.checkTree(b).entries).toBe(1500)
  })
})
