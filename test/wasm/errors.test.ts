/**
 * Argument limits and error mapping of WasmCore: key and value limits (54000 naming the limit), bad options,
 * putBatch arity, and the core's state after an error.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { WasmCore } from '../../engine/wasm/index.js'
import { bytes, freshCore, MapHost, u32Key, valueOf } from './helpers.js'

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return e instanceof RustyError ? e.code : `not a RustyError: ${String(e)}`
  }
  return undefined
}

describe('WasmCore limits and errors', () => {
  it('accepts keys up to (pageSize - 64) / 4 bytes and refuses longer ones with 54000', async () => {
    const { core } = await freshCore(4096)
    const root = core.createTree()
    const max = new Uint8Array(1008).fill(7)
    core.put(root, max, bytes('v'))
    expect(core.get(root, max)).toEqual(bytes('v'))
    const tooLong = new Uint8Array(1009)
    expect(() => core.put(root, tooLong, bytes('v'))).toThrow('key of 1009 bytes exceeds the limit of 1008 bytes for 4096-byte pages')
    expect(codeOf(() => core.get(root, tooLong))).toBe('54000')
    expect(codeOf(() => core.delete(root, tooLong))).toBe('54000')
    expect(codeOf(() => core.scanBatch(root, { lower: tooLong }))).toBe('54000')
    expect(codeOf(() => core.bulkLoad(core.createTree(), [[tooLong, bytes('v')]]))).toBe('54000')
  })

  it('accepts an empty key, which sorts before every other key', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    core.put(root, bytes('a'), bytes('1'))
    core.put(root, new Uint8Array(0), bytes('0'))
    const batch = core.scanBatch(root, {})
    expect(batch.count).toBe(2)
    expect(batch.key(0).length).toBe(0)
    expect(core.get(root, new Uint8Array(0))).toEqual(bytes('0'))
  })

  it('refuses page sizes that are not powers of two in 1024..65536 and pools under 64 frames (22023)', async () => {
    const host = new MapHost()
    for (const pageSize of [512, 3000, 131072]) {
      await expect(WasmCore.create({ host, pageSize, cachePages: 64, fileName: 'x' })).rejects.toMatchObject({ code: '22023' })
    }
    await expect(WasmCore.create({ host, pageSize: 4096, cachePages: 63, fileName: 'x' })).rejects.toMatchObject({ code: '22023' })
  })

  it('works with the smallest and largest page sizes', async () => {
    for (const pageSize of [1024, 65536]) {
      const { core } = await freshCore(pageSize, 64)
      const root = core.createTree()
      for (let i = 0; i < 3000; i++) core.put(root, u32Key(i), valueOf(i, 100))
      expect(core.checkTree(root).entries).toBe(3000)
      expect(core.get(root, u32Key(2999))).toEqual(valueOf(2999, 100))
    }
  })

  it('refuses putBatch with different numbers of keys and values (22023)', async () => {
    const { core } = await freshCore()
    expect(codeOf(() => core.putBatch(core.createTree(), [bytes('a')], [], false))).toBe('22023')
  })

  it('gives each core its own memory and pool', async () => {
    const a = await freshCore()
    const b = await freshCore()
    expect(a.core.memory).not.toBe(b.core.memory)
    const ra = a.core.createTree()
    const rb = b.core.createTree()
    expect(ra).toBe(rb)
    a.core.put(ra, bytes('k'), bytes('a'))
    expect(b.core.get(rb, bytes('k'))).toBeUndefined()
  })

  it('reports a root page 0 as an internal error without touching the pool', async () => {
    const { core } = await freshCore()
    expect(codeOf(() => core.get(0, bytes('k')))).toBe('XX000')
    expect(codeOf(() => core.put(0, bytes('k'), bytes('v')))).toBe('XX000')
    expect(core.diagnostics().pinnedFrames).toBe(0)
  })
})

describe('WasmCore argument types', () => {
  it('refuses keys and values that are not Uint8Arrays (22023) instead of storing garbage', async () => {
    const { core } = await freshCore()
    const root = core.createTree()
    const notBytes = 'key' as unknown as Uint8Array
    expect(codeOf(() => core.get(root, notBytes))).toBe('22023')
    expect(codeOf(() => core.put(root, notBytes, bytes('v')))).toBe('22023')
    expect(codeOf(() => core.put(root, bytes('k'), notBytes))).toBe('22023')
    expect(codeOf(() => core.putBatch(root, [bytes('k')], [null as unknown as Uint8Array], false))).toBe('22023')
    expect(core.checkTree(root).entries).toBe(0)
  })
})
