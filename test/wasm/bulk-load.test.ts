/**
 * Bulk load (sorted input streamed into an empty tree, leaves filled left to right) and the append fast
 * path (ascending inserts split off only the new entry, so pages end up nearly full).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { WasmCore } from '../../engine/wasm/index.js'
import { bytes, freshCore, scanAll, u32Key, valueOf } from './helpers.js'

const USABLE_4K = 4096 - 36

/** Pages of a tree, and the fewest leaves its entries fit in (cells + 4-byte slots per usable page). */
function shape(core: WasmCore, root: number, entries: [Uint8Array, Uint8Array][]): { pages: number; minimumLeaves: number } {
  const pages = core.checkTree(root).pages.length
  const bytesNeeded = entries.reduce((t, [k, v]) => t + 6 + k.length + v.length + 4, 0)
  return { pages, minimumLeaves: Math.ceil(bytesNeeded / USABLE_4K) }
}

function entriesOf(n: number, valueLength: (i: number) => number): [Uint8Array, Uint8Array][] {
  return Array.from({ length: n }, (_, i) => [u32Key(i, 12), valueOf(i, valueLength(i))] as [Uint8Array, Uint8Array])
}

describe('bulk load', () => {
  it('builds a valid tree holding exactly the input, in order', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    const input = entriesOf(50_000, (i) => (i % 997 === 0 ? 9000 : i % 50))
    core.bulkLoad(root, input)
    const check = core.checkTree(root)
    expect(check.entries).toBe(input.length)
    const all = scanAll(core, root, {})
    expect(all.length).toBe(input.length)
    for (let i = 0; i < input.length; i += 101) {
      expect(all[i][0]).toEqual(input[i][0])
      expect(all[i][1]).toEqual(input[i][1])
    }
    expect(core.get(root, input[997][0])).toEqual(input[997][1])
  })

  it('fills leaves nearly full (within 3% of the minimum page count)', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    const input = entriesOf(40_000, () => 100)
    core.bulkLoad(root, input)
    const { pages, minimumLeaves } = shape(core, root, input)
    expect(pages).toBeLessThanOrEqual(Math.ceil(minimumLeaves * 1.03) + 3)
  })

  it('streams through several input buffers and keeps the root page number', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    function* generate() {
      for (let i = 0; i < 120_000; i++) yield [u32Key(i, 16), valueOf(i, 40)] as const
    }
    core.bulkLoad(root, generate())
    expect(core.checkTree(root).entries).toBe(120_000)
    expect(core.get(root, u32Key(119_999, 16))).toEqual(valueOf(119_999, 40))
  })

  it('loads nothing from an empty input and leaves an empty tree', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    core.bulkLoad(root, [])
    expect(core.checkTree(root)).toEqual({ entries: 0, depth: 1, pages: new Uint32Array([root]) })
  })

  it('loads a single entry into the root leaf', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    core.bulkLoad(root, [[bytes('only'), bytes('one')]])
    expect(core.checkTree(root).pages).toEqual(new Uint32Array([root]))
    expect(core.get(root, bytes('only'))).toEqual(bytes('one'))
  })

  it('accepts inserts, deletes and scans afterwards like any other tree', async () => {
    const { core } = await freshCore(1024)
    const root = core.createTree()
    core.bulkLoad(root, entriesOf(5000, () => 30))
    for (let i = 0; i < 5000; i += 3) core.delete(root, u32Key(i, 12))
    for (let i = 5000; i < 6000; i++) core.put(root, u32Key(i, 12), valueOf(i, 30))
    for (let i = 1; i < 5000; i += 9) core.put(root, u32Key(i, 12), valueOf(i, 200))
    expect(core.checkTree(root).entries).toBe(5000 - Math.ceil(5000 / 3) + 1000)
  })

  it('rebalances the right edge so the last nodes are not left nearly empty', async () => {
    const { core } = await freshCore(1024)
    for (const n of [1, 2, 17, 18, 19, 300, 301, 5000, 5001]) {
      const root = core.createTree()
      core.bulkLoad(root, entriesOf(n, () => 40))
      expect(core.checkTree(root).entries).toBe(n)
    }
  })

  it('refuses a tree that is not empty (XX000)', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    core.put(root, bytes('a'), bytes('b'))
    let error: unknown
    try {
      core.bulkLoad(root, [[bytes('c'), bytes('d')]])
    } catch (e) {
      error = e
    }
    expect((error as RustyError).code).toBe('XX000')
    expect((error as RustyError).message).toMatch(/bulk load into a non-empty tree/)
  })

  it('refuses keys that are not strictly ascending, naming the entry (XX000)', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    expect(() => core.bulkLoad(root, [[bytes('a'), bytes('1')], [bytes('b'), bytes('2')], [bytes('b'), bytes('3')]])).toThrow(
      /not strictly ascending \(entry 2 of the batch\)/,
    )
  })
})

describe('append fast path', () => {
  it('fills pages nearly full when keys arrive in ascending order', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    const input = entriesOf(40_000, () => 100)
    for (const [k, v] of input) core.put(root, k, v)
    const { pages, minimumLeaves } = shape(core, root, input)
    expect(pages).toBeLessThanOrEqual(Math.ceil(minimumLeaves * 1.03) + 3)
  })

  it('fills pages only about two thirds full for random order (the fast path is what makes the difference)', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    const input = entriesOf(40_000, () => 100)
    const order = input.map((_, i) => (i * 7919) % input.length)
    for (const i of order) core.put(root, input[i][0], input[i][1])
    const { pages, minimumLeaves } = shape(core, root, input)
    expect(pages).toBeGreaterThan(minimumLeaves * 1.2)
  })
})
