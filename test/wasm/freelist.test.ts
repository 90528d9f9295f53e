/**
 * Page allocation: freed pages go to the freelist (trunks of page numbers), are reused before the file
 * grows, survive close/reopen, and the page accounting stays exact.
 */
import { describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { flush, freshCore, reopen, u32Key, valueOf } from './helpers.js'

/** Every page 1..pageCount-1 is in exactly one of the given trees or on the freelist. */
function expectAccounting(core: WasmCore, roots: number[]): void {
  const seen = new Set<number>()
  const add = (pages: Iterable<number>): void => {
    for (const p of pages) {
      expect(seen.has(p)).toBe(false)
      seen.add(p)
    }
  }
  for (const root of roots) add(core.checkTree(root).pages)
  add(core.freelistPages())
  const { pageCount, freeCount } = core.header()
  expect(core.freelistPages().length).toBe(freeCount)
  expect(seen.size).toBe(pageCount - 1)
  for (let p = 1; p < pageCount; p++) expect(seen.has(p)).toBe(true)
}

describe('freelist', () => {
  it('starts empty after format', async () => {
    const { core } = await freshCore()
    expect(core.freelistPages()).toEqual(new Uint32Array(0))
    expect(core.header().freeCount).toBe(0)
  })

  it('puts every page of a dropped tree on the freelist', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, u32Key(i), valueOf(i, 100))
    const used = core.checkTree(root).pages
    core.dropTree(root)
    expect([...core.freelistPages()].sort((a, b) => a - b)).toEqual([...used])
    expectAccounting(core, [1])
  })

  it('reuses freed pages before growing the file', async () => {
    const { core } = await freshCore()
    const a = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(a, u32Key(i), valueOf(i, 100))
    const before = core.header().pageCount
    core.dropTree(a)
    const b = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(b, u32Key(i), valueOf(i, 100))
    expect(core.header().pageCount).toBe(before)
    expectAccounting(core, [1, b])
  })

  it('chains several trunk pages when more pages are freed than one trunk holds', async () => {
    const { core, host } = await freshCore(1024)
    const root = core.createTree()
    for (let i = 0; i < 8000; i++) core.put(root, u32Key(i), valueOf(i, 60))
    const pages = core.checkTree(root).pages.length
    expect(pages).toBeGreaterThan(2 * ((1024 - 24) / 4))
    core.dropTree(root)
    expect(core.header().freeCount).toBe(pages)
    flush(core, host)
    const trunks = [...core.freelistPages()].filter((p) => host.pages.get(p)?.[0] === 4)
    expect(trunks.length).toBeGreaterThanOrEqual(3)
    expectAccounting(core, [1])
  })

  it('keeps the freelist across close and reopen and keeps allocating from it', async () => {
    const { core, host } = await freshCore(1024)
    const a = core.createTree()
    for (let i = 0; i < 2000; i++) core.put(a, u32Key(i), valueOf(i, 60))
    core.dropTree(a)
    const free = core.header().freeCount
    flush(core, host)
    const again = await reopen(host, 1024)
    expect(again.header().freeCount).toBe(free)
    const count = again.header().pageCount
    const b = again.createTree()
    for (let i = 0; i < 1000; i++) again.put(b, u32Key(i), valueOf(i, 60))
    expect(again.header().pageCount).toBe(count)
    expect(again.header().freeCount).toBeLessThan(free)
    expectAccounting(again, [1, b])
  })

  it('returns the pages of merged nodes to the freelist as a tree shrinks', async () => {
    const { core } = await freshCore(1024)
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, u32Key(i), valueOf(i, 60))
    const big = core.checkTree(root).pages.length
    for (let i = 0; i < 3000; i++) if (i % 10 !== 0) core.delete(root, u32Key(i))
    const small = core.checkTree(root).pages.length
    expect(small).toBeLessThan(big / 4)
    expect(core.header().freeCount).toBe(big - small)
    expectAccounting(core, [1, root])
  })
})
