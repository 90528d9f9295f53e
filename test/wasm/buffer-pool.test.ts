/**
 * Buffer pool behaviour through WasmCore: clock eviction, spilling dirty victims through the host, pins
 * returning to zero, checksum verification of every read (XX001 naming the page), sealing for commit,
 * markClean, discardAll, and host failures surfacing as RustyError.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { dataCorrupted } from '../../engine/common/index.js'
import { flush, freshCore, reopen, u32Key, valueOf } from './helpers.js'

const VALUE = 200

describe('buffer pool', () => {
  it('evicts and spills dirty pages through the host when the data outgrows 64 frames, and reads them back', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    for (let i = 0; i < 5000; i++) core.put(root, u32Key(i), valueOf(i, VALUE))
    const stats = core.stats()
    expect(stats.frames).toBe(64)
    expect(stats.evictions).toBeGreaterThan(0)
    expect(stats.spills).toBeGreaterThan(0)
    expect(host.spills).toBe(stats.spills)
    expect(stats.dirty).toBeLessThanOrEqual(64)
    for (let i = 0; i < 5000; i += 7) expect(core.get(root, u32Key(i))).toEqual(valueOf(i, VALUE))
    expect(core.stats().misses).toBeGreaterThan(0)
    expect(host.reads).toBe(core.stats().misses)
  })

  it('seals spilled pages with the provisional LSN (last commit sequence + 1) and a valid trailer', async () => {
    const { core, host } = await freshCore(4096, 64)
    core.setLastCommitSeq(10n)
    const root = core.createTree()
    for (let i = 0; i < 5000; i++) core.put(root, u32Key(i), valueOf(i, VALUE))
    expect(host.spills).toBeGreaterThan(0)
    const spilled = [...host.pages.keys()].filter((p) => p !== 0)
    for (const pageNo of spilled) {
      const image = host.pages.get(pageNo)!
      expect(new DataView(image.buffer, image.byteOffset).getBigUint64(8, true)).toBe(11n)
      const number = new Uint8Array(4)
      new DataView(number.buffer).setUint32(0, pageNo, true)
      const crc = core.crc32c(image.subarray(0, 4092), core.crc32c(number))
      expect(new DataView(image.buffer, image.byteOffset).getUint32(4092, true)).toBe(crc)
    }
  })

  it('seals every page with the CRC32C of its number and body at every page size (two-stream page checksum)', async () => {
    for (const pageSize of [1024, 2048, 4096, 8192, 16384, 32768, 65536]) {
      const { core, host } = await freshCore(pageSize, 64)
      const root = core.createTree()
      for (let i = 0; i < 400; i++) core.put(root, u32Key(i), valueOf(i, 150))
      flush(core, host)
      expect(host.pages.size).toBeGreaterThan(1)
      for (const [pageNo, image] of host.pages) {
        const number = new Uint8Array(4)
        new DataView(number.buffer).setUint32(0, pageNo, true)
        const crc = core.crc32c(image.subarray(0, pageSize - 4), core.crc32c(number))
        expect(new DataView(image.buffer, image.byteOffset).getUint32(pageSize - 4, true)).toBe(crc)
      }
    }
  })

  it('prefers clean victims: a read-only pass over spilled data does not spill again', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    for (let i = 0; i < 3000; i++) core.put(root, u32Key(i), valueOf(i, VALUE))
    flush(core, host)
    const spills = host.spills
    for (let i = 0; i < 3000; i++) core.get(root, u32Key(i))
    expect(host.spills).toBe(spills)
    expect(core.stats().evictions).toBeGreaterThan(0)
  })

  it('leaves no frame pinned after any call, successful or failed', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    for (let i = 0; i < 2000; i++) {
      core.put(root, u32Key(i), valueOf(i, i % 3 === 0 ? 3000 : 50))
      expect(core.diagnostics().pinnedFrames).toBe(0)
    }
    core.scanBatch(root, { lower: u32Key(100) }, 50)
    expect(core.diagnostics().pinnedFrames).toBe(0)
    flush(core, host)
    core.discardAll()
    host.failRead = (pageNo) => (pageNo === root ? new Error('disk on fire') : undefined)
    expect(() => core.get(root, u32Key(5))).toThrow(RustyError)
    expect(core.diagnostics().pinnedFrames).toBe(0)
  })

  it('verifies the checksum of every page it reads and reports XX001 naming the page and the file', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, 10))
    flush(core, host)
    host.pages.get(root)![100] ^= 0x01
    const fresh = await reopen(host)
    let error: unknown
    try {
      fresh.get(root, u32Key(1))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RustyError)
    const rusty = error as RustyError
    expect(rusty.code).toBe('XX001')
    expect(rusty.page).toBe(root)
    expect(rusty.file).toBe('test.rdb')
    expect(rusty.message).toBe(dataCorrupted('test.rdb', root, 'checksum mismatch').message)
  })

  it('detects a page image written to the wrong place (the trailer is seeded with the page number)', async () => {
    const { core, host } = await freshCore(4096, 64)
    const a = core.createTree()
    const b = core.createTree()
    core.put(a, u32Key(1), valueOf(1, 10))
    core.put(b, u32Key(2), valueOf(2, 10))
    flush(core, host)
    host.pages.set(b, host.pages.get(a)!.slice())
    const fresh = await reopen(host)
    expect(() => fresh.get(b, u32Key(1))).toThrow(/at page \d+: checksum mismatch/)
  })

  it('prepareCommit returns every dirty page with its frame offset, sealed with the commit LSN', async () => {
    const { core } = await freshCore(4096, 64)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, 10))
    const { pages, offsets } = core.prepareCommit(77n)
    expect([...pages].sort((x, y) => x - y)).toEqual([0, 1, root])
    const memory = new Uint8Array(core.memory.buffer)
    for (let i = 0; i < pages.length; i++) {
      const image = memory.subarray(offsets[i], offsets[i] + 4096)
      const lsnOffset = pages[i] === 0 ? 40 : 8
      expect(new DataView(image.buffer, image.byteOffset).getBigUint64(lsnOffset, true)).toBe(77n)
    }
    expect(core.stats().dirty).toBe(3)
    core.markClean()
    expect(core.stats().dirty).toBe(0)
  })

  it('keeps a page dirty when it changed between prepareCommit and markClean', async () => {
    const { core } = await freshCore(4096, 64)
    const root = core.createTree()
    core.prepareCommit(1n)
    core.put(root, u32Key(1), valueOf(1, 10))
    core.markClean()
    expect(core.stats().dirty).toBe(1)
    expect([...core.prepareCommit(2n).pages]).toEqual([root])
  })

  it('discardAll forgets dirty frames: reads go back to the host images', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, 10))
    flush(core, host)
    core.put(root, u32Key(2), valueOf(2, 10))
    core.setLastCommitSeq(5n)
    core.discardAll()
    expect(core.stats().dirty).toBe(0)
    expect(core.get(root, u32Key(1))).toEqual(valueOf(1, 10))
    expect(core.get(root, u32Key(2))).toBeUndefined()
    expect(core.header().lastCommitSeq).toBe(0n)
  })

  it('rethrows a RustyError thrown by the host as is', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    flush(core, host)
    core.discardAll()
    const own = dataCorrupted('test.rdb-wal', 3, 'frame checksum mismatch')
    host.failRead = () => own
    expect(() => core.get(root, u32Key(1))).toThrow(own)
  })

  it('wraps any other host read failure in a 58030 naming the page, keeping the exception as cause', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    flush(core, host)
    core.discardAll()
    const cause = new Error('EIO')
    host.failRead = () => cause
    let error: unknown
    try {
      core.get(root, u32Key(1))
    } catch (e) {
      error = e
    }
    expect((error as RustyError).code).toBe('58030')
    expect((error as RustyError).message).toMatch(/could not read page \d+ of file "test.rdb": EIO/)
    expect((error as RustyError).cause).toBe(cause)
  })

  it('reports a failed spill as a 58030 and keeps the victim dirty', async () => {
    const { core, host } = await freshCore(4096, 64)
    const root = core.createTree()
    host.failSpill = () => new Error('disk full')
    let error: unknown
    try {
      for (let i = 0; i < 5000; i++) core.put(root, u32Key(i), valueOf(i, VALUE))
    } catch (e) {
      error = e
    }
    expect((error as RustyError).code).toBe('58030')
    expect((error as RustyError).message).toMatch(/could not spill page \d+ of file "test.rdb": disk full/)
    expect(host.spills).toBe(0)
  })
})
