/**
 * Overflow chains: values larger than a quarter page live in overflow pages; boundaries, very large values,
 * replacing and deleting them (chains freed), chain length as seen by checkTree.
 */
import { describe, expect, it } from 'vitest'
import { flush, freshCore, reopen, sameBytes, u32Key, valueOf } from './helpers.js'

const PAGE = 4096
const CAPACITY = PAGE - 28

describe('overflow values', () => {
  it('keeps a value of exactly a quarter page inline and moves one byte more to an overflow page', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, PAGE / 4))
    expect(core.checkTree(root).pages.length).toBe(1)
    core.put(root, u32Key(2), valueOf(2, PAGE / 4 + 1))
    expect(core.checkTree(root).pages.length).toBe(2)
    expect(core.get(root, u32Key(1))).toEqual(valueOf(1, PAGE / 4))
    expect(core.get(root, u32Key(2))).toEqual(valueOf(2, PAGE / 4 + 1))
  })

  it('stores empty values and reads them back as empty arrays', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    core.put(root, u32Key(1), new Uint8Array(0))
    expect(core.get(root, u32Key(1))).toEqual(new Uint8Array(0))
  })

  it('uses ceil(length / (pageSize - 28)) pages per value, including exact multiples', async () => {
    const { core } = await freshCore(PAGE)
    for (const length of [CAPACITY - 1, CAPACITY, CAPACITY + 1, 3 * CAPACITY, 3 * CAPACITY + 1]) {
      const root = core.createTree()
      core.put(root, u32Key(length), valueOf(length, length))
      expect(core.checkTree(root).pages.length).toBe(1 + Math.ceil(length / CAPACITY))
      expect(core.get(root, u32Key(length))).toEqual(valueOf(length, length))
    }
  })

  it('round-trips a 5 MiB value through close and reopen with a small pool', async () => {
    const { core, host } = await freshCore(PAGE, 64)
    const root = core.createTree()
    const big = valueOf(9, 5 << 20)
    core.put(root, u32Key(1), big)
    core.put(root, u32Key(2), valueOf(2, 10))
    flush(core, host)
    const again = await reopen(host, PAGE, 64)
    expect(sameBytes(again.get(root, u32Key(1)), big)).toBe(true)
    expect(again.checkTree(root).pages.length).toBe(1 + Math.ceil((5 << 20) / CAPACITY))
  })

  it('frees the old chain when a large value is replaced by a small one, and reuses it', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, 3 * PAGE))
    const count = core.header().pageCount
    core.put(root, u32Key(1), valueOf(2, 8))
    expect(core.checkTree(root).pages.length).toBe(1)
    expect(core.header().freeCount).toBe(count - 3)
    core.put(root, u32Key(3), valueOf(3, 2 * PAGE))
    expect(core.header().pageCount).toBe(count)
    expect(core.get(root, u32Key(1))).toEqual(valueOf(2, 8))
  })

  it('frees the chain when the key is deleted and returns the old value with returnOld', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    const value = valueOf(4, 2 * PAGE + 5)
    core.put(root, u32Key(4), value)
    const old = core.deleteBatch(root, [u32Key(4)], true)
    expect(old).toEqual([value])
    expect(core.checkTree(root).pages.length).toBe(1)
    expect(core.header().freeCount).toBe(3)
  })

  it('returns old overflow values from putBatch, growing the output buffer as needed', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    const values = [0, 1, 2].map((i) => valueOf(i, 700_000 + i))
    core.putBatch(root, [u32Key(0), u32Key(1), u32Key(2)], values, false)
    const old = core.putBatch(root, [u32Key(0), u32Key(1), u32Key(2)], [valueOf(7, 1), valueOf(8, 2), valueOf(9, 3)], true)
    expect(old!.every((v, i) => sameBytes(v, values[i]))).toBe(true)
    expect(core.getBatch(root, [u32Key(0), u32Key(1), u32Key(2)])).toEqual([valueOf(7, 1), valueOf(8, 2), valueOf(9, 3)])
  })
})
