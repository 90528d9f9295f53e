/**
 * OpfsAdapter in a real browser: a real dedicated worker, real OPFS, real sync access handles.
 * Behaviours: positional read/write, size, truncate, sync, close; persistence across a page reload (closed
 * cleanly, and abandoned by a worker that was killed); missing files; sub-directories; the lock one handle
 * holds against every other tab and worker.
 * Not here: the database on top (kv-store-suite.ts).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { BrowserHarness, TestWorker } from '../support/browser-harness.js'
import { expectSameBytes, patternBytes } from '../support/data.js'

async function expectRustyError(promise: Promise<unknown>, code: string, message: RegExp): Promise<RustyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RustyError)
  expect((error as RustyError).code).toBe(code)
  expect((error as RustyError).message).toMatch(message)
  return error as RustyError
}

async function readAll(worker: TestWorker, handle: number): Promise<Uint8Array> {
  const size = await worker.call({ op: 'file.size', handle })
  return worker.call({ op: 'file.read', handle, offset: 0, length: size })
}

/** Registers the adapter suite against the harness `harness()` returns. */
export function opfsAdapterSuite(harness: () => BrowserHarness): void {
  describe('OpfsAdapter', () => {
    it('writes and reads bytes at any offset, reports the size and reads short only at end of file', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'rw.bin', create: true })
      expect(await worker.call({ op: 'file.size', handle })).toBe(0)

      const a = patternBytes(4096, 1)
      const b = patternBytes(1000, 2)
      await worker.call({ op: 'file.write', handle, offset: 0, data: a })
      await worker.call({ op: 'file.write', handle, offset: 8192, data: b })
      expect(await worker.call({ op: 'file.size', handle })).toBe(8192 + 1000)

      expect(await worker.call({ op: 'file.read', handle, offset: 0, length: 4096 })).toEqual(a)
      // The gap between the two writes reads as zeros.
      expect(await worker.call({ op: 'file.read', handle, offset: 4096, length: 4096 })).toEqual(new Uint8Array(4096))
      // A read across the end of the file is short; a read past it returns nothing.
      expect(await worker.call({ op: 'file.read', handle, offset: 8192, length: 4096 })).toEqual(b)
      expect(await worker.call({ op: 'file.read', handle, offset: 20_000, length: 16 })).toEqual(new Uint8Array(0))

      // Overwrite in place across the boundary of the first write.
      const c = patternBytes(512, 3)
      await worker.call({ op: 'file.write', handle, offset: 4096 - 256, data: c })
      const expected = new Uint8Array(9192)
      expected.set(a, 0)
      expected.set(c, 4096 - 256)
      expected.set(b, 8192)
      expect(await readAll(worker, handle)).toEqual(expected)
      await worker.call({ op: 'file.close', handle })
      await page.closeBrowser()
    })

    it('truncates a file shorter and longer, zero-filling the extension', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'trunc.bin', create: true })
      const data = patternBytes(10_000, 4)
      await worker.call({ op: 'file.write', handle, offset: 0, data })
      await worker.call({ op: 'file.truncate', handle, size: 3000 })
      expect(await worker.call({ op: 'file.size', handle })).toBe(3000)
      expect(await readAll(worker, handle)).toEqual(data.subarray(0, 3000))
      await worker.call({ op: 'file.truncate', handle, size: 5000 })
      const grown = new Uint8Array(5000)
      grown.set(data.subarray(0, 3000))
      expect(await readAll(worker, handle)).toEqual(grown)
      await worker.call({ op: 'file.truncate', handle, size: 0 })
      expect(await worker.call({ op: 'file.size', handle })).toBe(0)
      await worker.call({ op: 'file.close', handle })
      await page.closeBrowser()
    })

    it('keeps synced bytes across a page reload after a clean close', async () => {
      const page = await harness().newPage()
      let worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'persist.bin', create: true })
      const data = patternBytes(1 << 20, 5)
      for (let offset = 0; offset < data.length; offset += 64 << 10) {
        await worker.call({ op: 'file.write', handle, offset, data: data.subarray(offset, offset + (64 << 10)) })
      }
      await worker.call({ op: 'file.sync', handle })
      await worker.call({ op: 'file.close', handle })

      await page.reload()
      worker = await page.spawnWorker()
      expect(await worker.call({ op: 'file.exists', name: 'persist.bin' })).toBe(true)
      const reopened = await worker.call({ op: 'file.open', name: 'persist.bin', create: false })
      expect(await worker.call({ op: 'file.size', handle: reopened.handle })).toBe(data.length)
      expectSameBytes(await readAll(worker, reopened.handle), data)
      await worker.call({ op: 'file.close', handle: reopened.handle })
      await page.closeBrowser()
    })

    it('reopens a synced file whose worker was killed while it held the handle', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'abandoned.bin', create: true })
      const data = patternBytes(100_000, 6)
      await worker.call({ op: 'file.write', handle, offset: 0, data })
      await worker.call({ op: 'file.sync', handle })

      // The reload kills the worker with its handle open; the adapter waits for the browser to release the lock.
      await page.reload()
      const next = await page.spawnWorker()
      const reopened = await next.call({ op: 'file.open', name: 'abandoned.bin', create: false })
      expectSameBytes(await readAll(next, reopened.handle), data)
      await next.call({ op: 'file.close', handle: reopened.handle })
      await page.closeBrowser()
    })

    it('refuses to open a missing file without create (58P01) and reports it as absent', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      expect(await worker.call({ op: 'file.exists', name: 'missing.rdb' })).toBe(false)
      await expectRustyError(
        worker.call({ op: 'file.open', name: 'missing.rdb', create: false }),
        '58P01',
        /could not open file "missing\.rdb": it does not exist/,
      )
      // The failed open created nothing.
      expect(await worker.call({ op: 'file.exists', name: 'missing.rdb' })).toBe(false)
      await page.closeBrowser()
    })

    it('removes a closed file, and removing a missing file is a no-op', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'gone.bin', create: true })
      await worker.call({ op: 'file.write', handle, offset: 0, data: patternBytes(100, 7) })
      await worker.call({ op: 'file.close', handle })
      expect(await worker.call({ op: 'file.exists', name: 'gone.bin' })).toBe(true)
      await worker.call({ op: 'file.remove', name: 'gone.bin' })
      expect(await worker.call({ op: 'file.exists', name: 'gone.bin' })).toBe(false)
      await worker.call({ op: 'file.remove', name: 'gone.bin' })
      await worker.call({ op: 'file.remove', name: 'never-there.bin', directory: 'no/such/dir' })
      await page.closeBrowser()
    })

    it('refuses to remove a file while a handle on it is open (58030), and removes it once closed', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'busy.rdb', create: true })
      await expectRustyError(worker.call({ op: 'file.remove', name: 'busy.rdb' }), '58030', /could not remove file "busy\.rdb": another tab or worker holds it open/)
      expect(await worker.call({ op: 'file.exists', name: 'busy.rdb' })).toBe(true)
      await worker.call({ op: 'file.close', handle })
      await worker.call({ op: 'file.remove', name: 'busy.rdb' })
      expect(await worker.call({ op: 'file.exists', name: 'busy.rdb' })).toBe(false)
      await page.closeBrowser()
    })

    it('keeps files of a sub-directory apart from the root and other directories', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const inDir = await worker.call({ op: 'file.open', name: 'db.rdb', directory: 'apps/crm', create: true })
      await worker.call({ op: 'file.write', handle: inDir.handle, offset: 0, data: patternBytes(64, 8) })
      await worker.call({ op: 'file.close', handle: inDir.handle })
      expect(await worker.call({ op: 'file.exists', name: 'db.rdb', directory: 'apps/crm' })).toBe(true)
      expect(await worker.call({ op: 'file.exists', name: 'crm/db.rdb', directory: 'apps' })).toBe(true)
      expect(await worker.call({ op: 'file.exists', name: 'db.rdb' })).toBe(false)
      expect(await worker.call({ op: 'file.exists', name: 'db.rdb', directory: 'apps/other' })).toBe(false)
      const back = await worker.call({ op: 'file.export', name: 'db.rdb', directory: 'apps/crm' })
      expect(back).toEqual(patternBytes(64, 8))
      await page.closeBrowser()
    })

    it('refuses a file that another tab holds open (58030 naming the lock) and opens it once released', async () => {
      const first = await harness().newPage()
      const second = await first.sibling()
      const owner = await first.spawnWorker()
      const other = await second.spawnWorker()
      const { handle } = await owner.call({ op: 'file.open', name: 'locked.rdb', create: true })
      const error = await expectRustyError(
        other.call({ op: 'file.open', name: 'locked.rdb', create: true, lockTimeoutMs: 0 }),
        '58030',
        /could not open file "locked\.rdb": another tab or worker holds it open/,
      )
      expect(error.file).toBe('locked.rdb')
      // The browser's DOMException is kept as the cause (its message, once it has crossed the worker boundary).
      expect(error.cause).toBeTruthy()

      await owner.call({ op: 'file.close', handle })
      const reopened = await other.call({ op: 'file.open', name: 'locked.rdb', create: false, lockTimeoutMs: 0 })
      await other.call({ op: 'file.close', handle: reopened.handle })
      await first.closeBrowser()
    })

    it('refuses a second handle on a file within the same worker', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'twice.rdb', create: true })
      await expectRustyError(
        worker.call({ op: 'file.open', name: 'twice.rdb', create: false, lockTimeoutMs: 0 }),
        '58030',
        /holds it open/,
      )
      await worker.call({ op: 'file.close', handle })
      await page.closeBrowser()
    })

    it('rejects every operation on a closed file with 55000, and closing twice is a no-op', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      const { handle } = await worker.call({ op: 'file.open', name: 'closed.bin', create: true })
      await worker.call({ op: 'file.close', handle })
      await expectRustyError(worker.call({ op: 'file.size', handle }), '55000', /cannot get the size of file "closed\.bin": it is closed/)
      await expectRustyError(worker.call({ op: 'file.read', handle, offset: 0, length: 1 }), '55000', /it is closed/)
      await expectRustyError(worker.call({ op: 'file.write', handle, offset: 0, data: new Uint8Array(1) }), '55000', /it is closed/)
      await expectRustyError(worker.call({ op: 'file.truncate', handle, size: 0 }), '55000', /it is closed/)
      await expectRustyError(worker.call({ op: 'file.sync', handle }), '55000', /it is closed/)
      await worker.call({ op: 'file.close', handle })
      // The closed handle released the lock: the file opens again.
      const again = await worker.call({ op: 'file.open', name: 'closed.bin', create: false, lockTimeoutMs: 0 })
      await worker.call({ op: 'file.close', handle: again.handle })
      await page.closeBrowser()
    })

    it('reports a write beyond the storage quota of the origin as 53100, keeping what was written before', async () => {
      for (const offTheRecord of [false, true]) {
        // On a profile OPFS throws QuotaExceededError; off the record (in memory) Chromium returns an error
        // code as the byte count instead, which the adapter must not take for success.
        const page = await harness().newPage({ offTheRecord })
        await page.overrideQuota(2 << 20)
        const worker = await page.spawnWorker()
        const { handle } = await worker.call({ op: 'file.open', name: 'full.bin', create: true })
        const first = patternBytes(256 << 10, 9)
        await worker.call({ op: 'file.write', handle, offset: 0, data: first })
        await worker.call({ op: 'file.sync', handle })
        const error = await expectRustyError(
          worker.call({ op: 'file.write', handle, offset: first.length, data: patternBytes(4 << 20, 10) }),
          '53100',
          /could not write file "full\.bin": the origin's storage quota is exhausted/,
        )
        expect(error.file).toBe('full.bin')
        expectSameBytes(await worker.call({ op: 'file.read', handle, offset: 0, length: first.length }), first, `offTheRecord=${offTheRecord}`)
        await worker.call({ op: 'file.close', handle })
        await page.closeBrowser()
      }
    })

    it('rejects file names with empty, "." or ".." segments (22023)', async () => {
      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      for (const name of ['', 'a//b', '../escape.rdb', './x.rdb']) {
        await expectRustyError(worker.call({ op: 'file.open', name, create: true }), '22023', /invalid OPFS file name/)
      }
      await page.closeBrowser()
    })
  })
}
