/**
 * Targeted rebalancing scenarios, each checked through the structural event counters and checkTree:
 * merges, redistribution, a redistributed separator too long for its full parent (the parent splits),
 * root collapse, root split, interior splits and the append fast path.
 */
import { describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { freshCore, scanAll, u32Key, valueOf } from './helpers.js'

/**
 * Key j (0..3) of group g: [g >> 8, g & 255, 200 x 'x', j]. Keys of one group share 203 bytes, neighbouring
 * groups differ at byte 1, so a separator between groups is 2 bytes and one inside a group is 203 bytes.
 */
function groupKey(g: number, j: number): Uint8Array {
  const k = new Uint8Array(203).fill(0x78)
  k[0] = g >> 8
  k[1] = g & 255
  k[202] = j
  return k
}

const VALUE = 30

/** A bulk-loaded 1 KiB-page tree of `groups` groups of four keys: full leaves, one group each. */
async function groupedTree(groups: number): Promise<{ core: WasmCore; root: number }> {
  const { core } = await freshCore(1024, 128)
  const root = core.createTree()
  const entries: [Uint8Array, Uint8Array][] = []
  for (let g = 0; g < groups; g++) for (let j = 0; j < 4; j++) entries.push([groupKey(g, j), valueOf(g * 4 + j, VALUE)])
  core.bulkLoad(root, entries)
  expect(core.checkTree(root).entries).toBe(groups * 4)
  return { core, root }
}

describe('rebalancing', () => {
  it('splits a full parent when a redistribution needs a longer separator than the one it replaces', async () => {
    const { core, root } = await groupedTree(500)
    const before = core.diagnostics().events
    for (const j of [1, 2, 3]) expect(core.delete(root, groupKey(40, j))).toBe(true)
    const after = core.diagnostics().events
    expect(after.redistributions).toBe(before.redistributions + 1)
    expect(after.separatorSplits).toBe(before.separatorSplits + 1)
    expect(after.interiorSplits).toBe(before.interiorSplits + 1)
    const check = core.checkTree(root)
    expect(check.entries).toBe(500 * 4 - 3)
    expect(core.get(root, groupKey(40, 0))).toEqual(valueOf(160, VALUE))
    expect(core.get(root, groupKey(39, 3))).toEqual(valueOf(159, VALUE))
    expect(core.get(root, groupKey(40, 2))).toBeUndefined()
  })

  it('merges a leaf that fell below minimum fill into a sibling when both fit in one page', async () => {
    const { core } = await freshCore(1024, 64)
    const root = core.createTree()
    for (let i = 0; i < 400; i++) core.put(root, u32Key(i), valueOf(i, 40))
    const before = core.diagnostics().events
    for (let i = 100; i < 200; i++) core.delete(root, u32Key(i))
    expect(core.diagnostics().events.merges).toBeGreaterThan(before.merges)
    expect(core.checkTree(root).entries).toBe(300)
  })

  it('redistributes with a sibling when a merge would not fit, leaving both at least at minimum fill', async () => {
    const { core, root } = await groupedTree(100)
    const before = core.diagnostics().events
    for (const j of [0, 1, 2]) core.delete(root, groupKey(50, j))
    const after = core.diagnostics().events
    expect(after.redistributions).toBe(before.redistributions + 1)
    expect(after.merges).toBe(before.merges)
    expect(core.checkTree(root).entries).toBe(397)
  })

  it('collapses the root into its only child and back down to a single leaf as a tree empties', async () => {
    const { core } = await freshCore(1024, 64)
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, u32Key(i), valueOf(i, 40))
    expect(core.checkTree(root).depth).toBeGreaterThanOrEqual(3)
    const before = core.diagnostics().events
    for (let i = 0; i < 3000; i++) if (i !== 1234) core.delete(root, u32Key(i))
    expect(core.diagnostics().events.rootCollapses).toBeGreaterThanOrEqual(before.rootCollapses + 2)
    expect(core.checkTree(root)).toEqual({ entries: 1, depth: 1, pages: new Uint32Array([root]) })
    expect(core.header().freeCount).toBe(core.header().pageCount - 3)
  })

  it('splits the root by moving its content down, keeping the root page, and splits interior nodes', async () => {
    const { core } = await freshCore(1024, 64)
    const root = core.createTree()
    for (let i = 0; i < 6000; i++) core.put(root, u32Key((i * 7919) % 6000, 40), valueOf(i, 10))
    const events = core.diagnostics().events
    expect(events.rootSplits).toBeGreaterThanOrEqual(2)
    expect(events.interiorSplits).toBeGreaterThan(0)
    const check = core.checkTree(root)
    expect(check.pages[0]).toBe(root)
    expect(check.depth).toBeGreaterThanOrEqual(3)
  })

  it('takes the append fast path for every split of an ascending insert run', async () => {
    const { core } = await freshCore(1024, 64)
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, u32Key(i, 40), valueOf(i, 10))
    const events = core.diagnostics().events
    expect(events.appendSplits).toBe(events.leafSplits + events.interiorSplits)
    expect(scanAll(core, root, {}).length).toBe(3000)
  })
})
