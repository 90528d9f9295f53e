/**
 * Page layout as written to the host: page 0 header fields, the CRC trailer, leaf and interior nodes
 * (slot directory with hints, cells), levels and sibling links (assembly/page-layout.ts tables).
 */
import { describe, expect, it } from 'vitest'
import { bytes, flush, freshCore, reopen, u32Key } from './helpers.js'

function view(image: Uint8Array): DataView {
  return new DataView(image.buffer, image.byteOffset, image.byteLength)
}

describe('page layout', () => {
  it('formats page 0 with the magic, version, page size, counts, directory root and a valid trailer', async () => {
    const { core, host } = await freshCore(4096)
    flush(core, host, 5n)
    const page0 = host.pages.get(0)!
    expect([...page0.subarray(0, 8)]).toEqual([0x52, 0x55, 0x53, 0x54, 0x59, 0x44, 0x42, 0x00])
    const v = view(page0)
    expect(v.getUint32(8, true)).toBe(1)
    expect(v.getUint32(12, true)).toBe(4096)
    expect(v.getUint32(16, true)).toBe(2)
    expect(v.getUint32(20, true)).toBe(0)
    expect(v.getUint32(24, true)).toBe(0)
    expect(v.getUint32(28, true)).toBe(1)
    expect(v.getBigUint64(32, true)).toBe(0n)
    expect(v.getBigUint64(40, true)).toBe(5n)
    expect(page0.subarray(48, 4092).every((b) => b === 0)).toBe(true)
    const seeded = core.crc32c(page0.subarray(0, 4092), core.crc32c(new Uint8Array(4)))
    expect(v.getUint32(4092, true)).toBe(seeded)
  })

  it('reports the header fields through header()', async () => {
    const { core } = await freshCore(2048)
    core.setLastCommitSeq(41n)
    expect(core.header()).toEqual({
      pageSize: 2048,
      formatVersion: 1,
      pageCount: 2,
      freelistHead: 0,
      freeCount: 0,
      directoryRoot: 1,
      lastCommitSeq: 41n,
    })
  })

  it('seals every page with its LSN at offset 8 and a trailer seeded with its own page number', async () => {
    const { core, host } = await freshCore(4096)
    const root = core.createTree()
    core.put(root, bytes('k'), bytes('v'))
    flush(core, host, 9n)
    const image = host.pages.get(root)!
    expect(view(image).getBigUint64(8, true)).toBe(9n)
    const number = new Uint8Array(4)
    new DataView(number.buffer).setUint32(0, root, true)
    expect(view(image).getUint32(4092, true)).toBe(core.crc32c(image.subarray(0, 4092), core.crc32c(number)))
  })

  it('writes a leaf as header, slot directory of [offset, hint] and cells [valueLength, keyLength, key, value]', async () => {
    const { core, host } = await freshCore(4096)
    const root = core.createTree()
    core.put(root, bytes('pear'), bytes('green'))
    core.put(root, bytes('apple'), bytes('red'))
    core.put(root, bytes('apricot'), bytes('orange'))
    flush(core, host)
    const leaf = host.pages.get(root)!
    const v = view(leaf)
    expect(leaf[0]).toBe(1)
    expect(v.getUint16(2, true)).toBe(3)
    expect(v.getUint32(16, true)).toBe(0)
    expect(v.getUint32(20, true)).toBe(0)
    expect(v.getUint16(24, true)).toBe(0)
    const prefix = v.getUint16(30, true)
    expect(prefix).toBe(0)
    const cells = [0, 1, 2].map((i) => {
      const offset = v.getUint16(32 + 4 * i, true)
      const hint = v.getUint16(32 + 4 * i + 2, true)
      const valueLength = v.getUint32(offset, true)
      const keyLength = v.getUint16(offset + 4, true)
      const key = new TextDecoder().decode(leaf.subarray(offset + 6, offset + 6 + keyLength))
      const value = new TextDecoder().decode(leaf.subarray(offset + 6 + keyLength, offset + 6 + keyLength + valueLength))
      return { offset, hint, key, value }
    })
    expect(cells.map((c) => [c.key, c.value])).toEqual([
      ['apple', 'red'],
      ['apricot', 'orange'],
      ['pear', 'green'],
    ])
    expect(cells.map((c) => c.hint)).toEqual([0x6170, 0x6170, 0x7065])
    const content = v.getUint16(26, true)
    expect(Math.min(...cells.map((c) => c.offset))).toBe(content)
    expect(v.getUint16(28, true)).toBe(0)
  })

  it('keeps the shared prefix length of a node in its header and takes hints after it', async () => {
    const { core, host } = await freshCore(4096)
    const root = core.createTree()
    for (const k of ['user:0001', 'user:0002', 'user:0107']) core.put(root, bytes(k), bytes('x'))
    flush(core, host)
    const v = view(host.pages.get(root)!)
    expect(v.getUint16(30, true)).toBe(6)
    expect([0, 1, 2].map((i) => v.getUint16(32 + 4 * i + 2, true))).toEqual([0x3030, 0x3030, 0x3130])
  })

  it('keeps the root page number when the root splits and links the leaves both ways at level 0', async () => {
    const { core, host } = await freshCore(1024)
    const root = core.createTree()
    for (let i = 0; i < 400; i++) core.put(root, u32Key(i), new Uint8Array(20).fill(i & 0xff))
    const check = core.checkTree(root)
    expect(check.depth).toBeGreaterThanOrEqual(2)
    flush(core, host)
    const top = host.pages.get(root)!
    expect(top[0]).toBe(2)
    expect(view(top).getUint16(24, true)).toBe(check.depth - 1)
    const leaves = [...check.pages].filter((p) => host.pages.get(p)![0] === 1)
    for (const leaf of leaves) {
      const v = view(host.pages.get(leaf)!)
      const right = v.getUint32(16, true)
      const left = v.getUint32(20, true)
      if (right !== 0) expect(view(host.pages.get(right)!).getUint32(20, true)).toBe(leaf)
      if (left !== 0) expect(view(host.pages.get(left)!).getUint32(16, true)).toBe(leaf)
    }
    expect(leaves.filter((p) => view(host.pages.get(p)!).getUint32(20, true) === 0)).toHaveLength(1)
    expect(leaves.filter((p) => view(host.pages.get(p)!).getUint32(16, true) === 0)).toHaveLength(1)
  })

  it('reads back a database written by another core over the same pages', async () => {
    const { core, host } = await freshCore(4096)
    const root = core.createTree()
    for (let i = 0; i < 1000; i++) core.put(root, u32Key(i), u32Key(i * 3))
    flush(core, host)
    const again = await reopen(host, 4096)
    expect(again.get(root, u32Key(777))).toEqual(u32Key(2331))
    expect(again.checkTree(root).entries).toBe(1000)
  })
})
