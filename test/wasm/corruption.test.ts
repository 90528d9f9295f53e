/**
 * Corruption: a flipped byte anywhere in a stored page is reported as XX001 naming that page and the file,
 * and no read ever returns wrong data instead. Also page 0 problems at open (not a database, newer format,
 * different page size).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { flush, freshCore, MapHost, openCore, reopen, reseal, rng, sameBytes, scanAll, u32Key, valueOf } from './helpers.js'

const N = 3000

async function database(): Promise<{ host: MapHost; root: number }> {
  const { core, host } = await freshCore(4096, 64)
  const root = core.createTree()
  for (let i = 0; i < N; i++) core.put(root, u32Key(i), valueOf(i, i % 100 === 0 ? 10_000 : 80))
  flush(core, host)
  return { host, root }
}

function expectCorrupt(error: unknown, page: number): void {
  expect(error).toBeInstanceOf(RustyError)
  const e = error as RustyError
  expect(e.code).toBe('XX001')
  expect(e.page).toBe(page)
  expect(e.file).toBe('test.rdb')
  expect(e.message).toContain(`"test.rdb" at page ${page}`)
}

describe('corruption', () => {
  it('reports XX001 with the page number for a flipped byte in a leaf, interior or overflow page', async () => {
    const { host, root } = await database()
    const probe = await reopen(host)
    const pages = probe.checkTree(root).pages
    const random = rng(42)
    const types = new Set<number>()
    for (let trial = 0; trial < 24; trial++) {
      const page = pages[Math.floor(random() * pages.length)]
      const image = host.pages.get(page)!
      const offset = Math.floor(random() * image.length)
      const bit = 1 << Math.floor(random() * 8)
      image[offset] ^= bit
      types.add(image[0] ^ (offset === 0 ? bit : 0))
      const core = await reopen(host)
      let error: unknown
      try {
        core.checkTree(root)
      } catch (e) {
        error = e
      }
      expectCorrupt(error, page)
      image[offset] ^= bit
    }
    expect(types.size).toBe(3)
  })

  it('never returns wrong data: every get either returns the stored value or throws XX001', async () => {
    const { host, root } = await database()
    const pages = (await reopen(host)).checkTree(root).pages
    const random = rng(7)
    for (let trial = 0; trial < 6; trial++) {
      const page = pages[Math.floor(random() * pages.length)]
      const image = host.pages.get(page)!
      const offset = Math.floor(random() * (image.length - 4))
      image[offset] ^= 0x40
      const core = await reopen(host, 4096, 64)
      let failures = 0
      for (let i = 0; i < N; i++) {
        try {
          const value = core.get(root, u32Key(i))
          expect(sameBytes(value, valueOf(i, i % 100 === 0 ? 10_000 : 80))).toBe(true)
        } catch (e) {
          expectCorrupt(e, page)
          failures++
        }
      }
      expect(failures).toBeGreaterThan(0)
      image[offset] ^= 0x40
    }
  })

  it('makes scans fail with XX001 instead of skipping or inventing entries', async () => {
    const { host, root } = await database()
    const core = await reopen(host)
    const leaves = [...core.checkTree(root).pages].filter((p) => host.pages.get(p)![0] === 1)
    const victim = leaves[Math.floor(leaves.length / 2)]
    host.pages.get(victim)![200] ^= 0xff
    const fresh = await reopen(host)
    let error: unknown
    try {
      scanAll(fresh, root, {}, 100)
    } catch (e) {
      error = e
    }
    expectCorrupt(error, victim)
  })

  it('refuses page 0 with a bad checksum at open', async () => {
    const { host } = await database()
    host.pages.get(0)![20] ^= 0x01
    const core = await openCore(host)
    let error: unknown
    try {
      core.openDatabase()
    } catch (e) {
      error = e
    }
    expectCorrupt(error, 0)
  })

  it('reports a file that is not a RustyDB database', async () => {
    const host = new MapHost(new Map([[0, new Uint8Array(4096).fill(0x20)]]))
    const core = await openCore(host)
    expect(() => core.openDatabase()).toThrow('file "test.rdb" is not a RustyDB database')
  })

  it('reports a newer format version as 0A000', async () => {
    const { host } = await database()
    const probe = await reopen(host)
    new DataView(host.pages.get(0)!.buffer).setUint32(8, 2, true)
    reseal(probe, host, 0)
    const core = await openCore(host)
    let error: unknown
    try {
      core.openDatabase()
    } catch (e) {
      error = e
    }
    expect((error as RustyError).code).toBe('0A000')
    expect((error as RustyError).message).toBe('file "test.rdb" uses format version 2; this build reads up to 1')
  })

  it('reports a page size that differs from the one the core was created with', async () => {
    const { host } = await database()
    const core = await openCore(new MapHost(new Map([[0, host.pages.get(0)!.subarray(0, 2048)]])), 2048)
    let error: unknown
    try {
      core.openDatabase()
    } catch (e) {
      error = e
    }
    expectCorrupt(error, 0)
    expect((error as RustyError).message).toContain('header records page size 4096, which differs from the page size in use')
  })

  it('reports a page of the wrong type where a B+tree node is expected', async () => {
    const { host, root } = await database()
    const probe = await reopen(host)
    const overflow = [...probe.checkTree(root).pages].find((p) => host.pages.get(p)![0] === 3)!
    let error: unknown
    try {
      probe.get(overflow, u32Key(1))
    } catch (e) {
      error = e
    }
    expectCorrupt(error, overflow)
    expect((error as RustyError).message).toContain('unexpected page type 3')
  })
})
