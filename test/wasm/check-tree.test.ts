/**
 * checkTree finds broken invariants in pages whose checksums are valid (edited and resealed), names them
 * (XX000), and lists the pages a healthy tree uses.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { flush, freshCore, MapHost, reopen, reseal, u32Key, valueOf } from './helpers.js'

function view(image: Uint8Array): DataView {
  return new DataView(image.buffer, image.byteOffset, image.byteLength)
}

/** Key bytes of cell i of a node image. */
function cellKey(image: Uint8Array, i: number): Uint8Array {
  const offset = view(image).getUint16(32 + 4 * i, true)
  return image.subarray(offset + 6, offset + 6 + view(image).getUint16(offset + 4, true))
}

/** Recomputes the prefix length and slot hints of a node image (node.ts (6)), as the core does. */
function rehint(image: Uint8Array): void {
  const v = view(image)
  const n = v.getUint16(2, true)
  const first = cellKey(image, 0)
  const last = cellKey(image, n - 1)
  let prefix = 0
  while (prefix < first.length && prefix < last.length && first[prefix] === last[prefix]) prefix++
  v.setUint16(30, prefix, true)
  for (let i = 0; i < n; i++) {
    const key = cellKey(image, i)
    v.setUint16(32 + 4 * i + 2, ((key[prefix] ?? 0) << 8) | (key[prefix + 1] ?? 0), true)
  }
}

/** Offset (in the page) of the overflow page number of the first overflow cell of a leaf image, if any. */
function overflowCell(image: Uint8Array): number | undefined {
  const v = view(image)
  for (let i = 0; i < v.getUint16(2, true); i++) {
    const offset = v.getUint16(32 + 4 * i, true)
    if (v.getUint32(offset, true) >>> 31) return offset + 6 + v.getUint16(offset + 4, true)
  }
  return undefined
}

/** Leaves only the first cell in a leaf image, with consistent space accounting, prefix and hint. */
function keepFirstCell(image: Uint8Array): void {
  const v = view(image)
  const offset = v.getUint16(32, true)
  const word = v.getUint32(offset, true)
  const size = 6 + v.getUint16(offset + 4, true) + (word >>> 31 ? 4 : word)
  v.setUint16(2, 1, true)
  v.setUint16(28, image.length - 4 - v.getUint16(26, true) - size, true)
  rehint(image)
}

async function tree(): Promise<{ host: MapHost; root: number; leaves: number[]; interiors: number[] }> {
  const { core, host } = await freshCore(1024, 64)
  const root = core.createTree()
  for (let i = 0; i < 2000; i++) core.put(root, u32Key(i), valueOf(i, i % 200 === 0 ? 3000 : 30))
  flush(core, host)
  const pages = [...core.checkTree(root).pages]
  return {
    host,
    root,
    leaves: pages.filter((p) => host.pages.get(p)![0] === 1),
    interiors: pages.filter((p) => host.pages.get(p)![0] === 2),
  }
}

async function brokenBy(host: MapHost, page: number, edit: (image: Uint8Array, view: DataView) => void, root: number): Promise<RustyError> {
  const probe = await reopen(host, 1024)
  const image = host.pages.get(page)!
  edit(image, new DataView(image.buffer, image.byteOffset, image.byteLength))
  reseal(probe, host, page)
  const core = await reopen(host, 1024)
  try {
    core.checkTree(root)
  } catch (e) {
    return e as RustyError
  }
  throw new Error('checkTree accepted a broken tree')
}

describe('checkTree', () => {
  it('lists every page of a healthy tree, ascending, with its entry count and depth', async () => {
    const { core } = await freshCore(1024)
    const root = core.createTree()
    for (let i = 0; i < 500; i++) core.put(root, u32Key(i), valueOf(i, 20))
    const check = core.checkTree(root)
    expect(check.entries).toBe(500)
    expect(check.depth).toBeGreaterThanOrEqual(2)
    expect([...check.pages]).toEqual([...check.pages].sort((a, b) => a - b))
    expect(check.pages[0]).toBe(root)
  })

  it('finds keys out of order inside a leaf', async () => {
    const { host, root, leaves } = await tree()
    const error = await brokenBy(host, leaves[3], (_, v) => {
      const a = v.getUint32(32, true)
      v.setUint32(32, v.getUint32(36, true), true)
      v.setUint32(36, a, true)
    }, root)
    expect(error.code).toBe('XX000')
    expect(error.message).toContain(`page ${leaves[3]}: keys not strictly ascending`)
  })

  it('finds a broken left sibling link', async () => {
    const { host, root, leaves } = await tree()
    const leaf = leaves.find((p) => view(host.pages.get(p)!).getUint32(20, true) !== 0)!
    const error = await brokenBy(host, leaf, (_, v) => v.setUint32(20, 0, true), root)
    expect(error.message).toBe(`internal error: page ${leaf}: left sibling link does not match the previous leaf`)
  })

  it('finds a broken right sibling link', async () => {
    const { host, root, leaves } = await tree()
    const leaf = leaves.find((p) => view(host.pages.get(p)!).getUint32(16, true) !== 0)!
    const error = await brokenBy(host, leaf, (_, v) => v.setUint32(16, root, true), root)
    expect(error.message).toBe(`internal error: page ${leaf}: right sibling link does not match the next leaf`)
  })

  it('finds a key outside its parent separator bounds', async () => {
    const { host, root, leaves } = await tree()
    const leaf = leaves.find((p) => {
      const right = view(host.pages.get(p)!).getUint32(16, true)
      return right !== 0 && cellKey(host.pages.get(right)!, 0)[2] === cellKey(host.pages.get(p)!, 0)[2]
    })!
    const next = host.pages.get(view(host.pages.get(leaf)!).getUint32(16, true))!
    const error = await brokenBy(host, leaf, (image, v) => {
      const last = v.getUint16(2, true) - 1
      image.set(cellKey(next, 0), v.getUint16(32 + 4 * last, true) + 6)
      rehint(image)
    }, root)
    expect(error.message).toBe(`internal error: page ${leaf}: key outside its parent's separator bounds`)
  })

  it('finds a slot hint that does not match its key', async () => {
    const { host, root, leaves } = await tree()
    const error = await brokenBy(host, leaves[1], (_, v) => v.setUint16(34, v.getUint16(34, true) ^ 1, true), root)
    expect(error.message).toContain(`page ${leaves[1]}: slot hint does not match its key`)
  })

  it('finds a page reached twice (two values sharing one overflow chain)', async () => {
    const { host, root, leaves } = await tree()
    const withChain = leaves
      .map((p) => ({ p, cell: overflowCell(host.pages.get(p)!) }))
      .filter((x) => x.cell !== undefined)
    expect(withChain.length).toBeGreaterThanOrEqual(2)
    const [a, b] = withChain
    const shared = view(host.pages.get(b.p)!).getUint32(b.cell!, true)
    const error = await brokenBy(host, a.p, (_, v) => v.setUint32(a.cell!, shared, true), root)
    expect(error.message).toBe(`internal error: page ${shared}: page reached twice`)
  })

  it('finds an overflow chain shorter than its value', async () => {
    const { host, root } = await tree()
    const probe = await reopen(host, 1024)
    const overflow = [...probe.checkTree(root).pages].filter((p) => host.pages.get(p)![0] === 3)
    const head = overflow.find((p) => new DataView(host.pages.get(p)!.buffer).getUint32(16, true) !== 0)!
    const image = host.pages.get(head)!
    new DataView(image.buffer).setUint32(16, 0, true)
    reseal(probe, host, head)
    const core = await reopen(host, 1024)
    expect(() => core.checkTree(root)).toThrow(/overflow chain length does not match its value/)
  })

  it('finds two adjacent siblings below minimum fill that would fit in one node', async () => {
    const { host, root, interiors } = await tree()
    const parent = host.pages.get(interiors.find((p) => host.pages.get(p)![24] === 1)!)!
    const left = view(parent).getUint32(view(parent).getUint16(32, true), true)
    const right = view(parent).getUint32(view(parent).getUint16(36, true), true)
    const probe = await reopen(host, 1024)
    for (const page of [left, right]) keepFirstCell(host.pages.get(page)!)
    reseal(probe, host, left)
    const error = await brokenBy(host, right, keepFirstCell, root)
    expect(error.message).toBe(`internal error: page ${right}: below minimum fill while a merge with its left sibling fits`)
  })
})
