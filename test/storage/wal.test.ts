/**
 * WAL unit tests (engine/storage/wal.ts): append, the index, recovery to the last commit, torn tails,
 * corruption in the middle, stale frames after a reset, rollback, headers. The CRC is the WASM core's
 * (the only CRC32C of the project).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import type { StorageFile } from '../../engine/storage/storage-adapter.js'
import { type Crc32c, FRAME_HEADER_SIZE, WAL_HEADER_SIZE, Wal } from '../../engine/storage/wal.js'
import { CountingFile, coreCrc32c } from './core-helpers.js'
import { expectRustyError, expectSameBytes, patternBytes } from './helpers.js'

const PAGE = 1024
const FRAME = FRAME_HEADER_SIZE + PAGE
let crc32c: Crc32c

beforeAll(async () => {
  crc32c = await coreCrc32c()
})

function page(seed: number): Uint8Array {
  return patternBytes(PAGE, seed)
}

async function openWal(adapter: MemoryAdapter, name = 'db-wal'): Promise<Awaited<ReturnType<typeof Wal.open>>> {
  const file = await adapter.open(name, { create: true })
  return Wal.open(file, { pageSize: PAGE, crc32c })
}

/** Appends a commit of the given pages (page number -> image seed), syncs and publishes it. */
async function commit(wal: Wal, pages: [number, number][], seq: number, pageCount = 100): Promise<void> {
  wal.append(
    pages.map(([p]) => p),
    (i) => page(pages[i][1]),
    seq,
    pageCount,
  )
  await wal.sync()
  wal.publish()
}

function readPage(wal: Wal, pageNo: number): Uint8Array | undefined {
  const frame = wal.frameOf(pageNo)
  if (frame < 0) return undefined
  const out = new Uint8Array(PAGE)
  wal.readImage(frame, pageNo, out)
  return out
}

function fileBytes(adapter: MemoryAdapter, name = 'db-wal'): Uint8Array {
  return adapter.snapshotFiles().get(name) as Uint8Array
}

function adapterWith(bytes: Uint8Array, name = 'db-wal'): MemoryAdapter {
  return MemoryAdapter.fromFiles(new Map([[name, bytes]]))
}

describe('Wal', () => {
  it('initialises an empty file with a 32-byte header and no frames', async () => {
    const adapter = new MemoryAdapter()
    const { wal, recovery } = await openWal(adapter)
    expect(recovery).toEqual({ frames: 0, commits: 0, truncatedBytes: 0, initialized: true })
    expect(wal.size).toBe(WAL_HEADER_SIZE)
    expect(fileBytes(adapter).length).toBe(WAL_HEADER_SIZE)
    expect(wal.frameOf(0)).toBe(-1)
  })

  it('appends a whole commit with one write call and recovers it after reopening', async () => {
    const adapter = new MemoryAdapter()
    const raw = await adapter.open('db-wal', { create: true })
    const file = new CountingFile(raw)
    const { wal } = await Wal.open(file, { pageSize: PAGE, crc32c })
    const writesBefore = file.writes
    await commit(wal, [[0, 1], [5, 2], [9, 3]], 7, 10)
    expect(file.writes - writesBefore).toBe(1)
    expect(wal.size).toBe(WAL_HEADER_SIZE + 3 * FRAME)

    const reopened = await openWal(adapter)
    expect(reopened.recovery).toEqual({ frames: 3, commits: 1, truncatedBytes: 0, initialized: false })
    expect(reopened.wal.committedPageCount).toBe(10)
    expect(reopened.wal.committedSeqLow).toBe(7)
    expectSameBytes(readPage(reopened.wal, 5) as Uint8Array, page(2))
    expectSameBytes(readPage(reopened.wal, 9) as Uint8Array, page(3))
    expect(readPage(reopened.wal, 1)).toBeUndefined()
  })

  it('serves the newest frame of a page, uncommitted frames before committed ones', async () => {
    const { wal } = await openWal(new MemoryAdapter())
    await commit(wal, [[3, 1], [4, 2]], 1)
    await commit(wal, [[3, 5]], 2)
    expectSameBytes(readPage(wal, 3) as Uint8Array, page(5))
    expectSameBytes(readPage(wal, 4) as Uint8Array, page(2))
    wal.append([4], () => page(9), 3, 0)
    expect(wal.hasUncommitted).toBe(true)
    expectSameBytes(readPage(wal, 4) as Uint8Array, page(9))
    expect(wal.committedFrames()).toEqual({ pages: Uint32Array.of(3, 4), frames: Uint32Array.of(2, 1) })
  })

  it('lists committed frames in ascending page order for the checkpoint', async () => {
    const { wal } = await openWal(new MemoryAdapter())
    await commit(wal, [[40, 1], [2, 2], [17, 3]], 1)
    await commit(wal, [[2, 4]], 2)
    expect(wal.committedFrames()).toEqual({ pages: Uint32Array.of(2, 17, 40), frames: Uint32Array.of(3, 2, 0) })
  })

  it('drops frames after the last commit marker at recovery and truncates them away', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    wal.append([2], () => page(2), 2, 0)
    wal.append([3], () => page(3), 2, 0)
    const { wal: reopened, recovery } = await openWal(adapter)
    expect(recovery).toEqual({ frames: 1, commits: 1, truncatedBytes: 2 * FRAME, initialized: false })
    expect(reopened.frameOf(2)).toBe(-1)
    expect(reopened.frameOf(3)).toBe(-1)
    expect(fileBytes(adapter).length).toBe(WAL_HEADER_SIZE + FRAME)
  })

  it('treats a commit whose spilled frames precede it as one commit', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    wal.append([8], () => page(8), 1, 0)
    wal.append([0, 1], (i) => page(i), 1, 9)
    await wal.sync()
    wal.publish()
    const { wal: reopened, recovery } = await openWal(adapter)
    expect(recovery.commits).toBe(1)
    expect(recovery.frames).toBe(3)
    expectSameBytes(readPage(reopened, 8) as Uint8Array, page(8))
  })

  it('ends recovery at the previous commit for every torn prefix of the last commit write', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1], [2, 2]], 1)
    const before = fileBytes(adapter)
    await commit(wal, [[1, 11], [3, 13], [4, 14]], 2)
    const after = fileBytes(adapter)
    // Every cut point inside the second commit's write, on a stride that hits both frame headers and images.
    for (let cut = before.length; cut < after.length; cut += 97) {
      const torn = after.slice(0, cut)
      const { wal: reopened, recovery } = await openWal(adapterWith(torn))
      expect(recovery.commits, `cut at byte ${cut}`).toBe(1)
      expect(recovery.truncatedBytes).toBe(cut - before.length)
      expectSameBytes(readPage(reopened, 1) as Uint8Array, page(1), `page 1 with the cut at ${cut}`)
      expect(reopened.frameOf(3)).toBe(-1)
    }
    // The whole write landed: both commits count.
    const whole = await openWal(adapterWith(after))
    expect(whole.recovery.commits).toBe(2)
    expectSameBytes(readPage(whole.wal, 1) as Uint8Array, page(11))
  })

  it('ends recovery at the previous commit when only the last frame is corrupt (indistinguishable from a torn write)', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    await commit(wal, [[1, 2], [2, 3]], 2)
    const bytes = fileBytes(adapter)
    bytes[WAL_HEADER_SIZE + 2 * FRAME + FRAME_HEADER_SIZE + 100] ^= 0x40
    const { wal: reopened, recovery } = await openWal(adapterWith(bytes))
    expect(recovery.commits).toBe(1)
    expectSameBytes(readPage(reopened, 1) as Uint8Array, page(1))
    expect(reopened.frameOf(2)).toBe(-1)
  })

  it('fails with XX001 naming the page when a frame before intact later frames is corrupt (image, header or crc byte)', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1], [6, 2]], 1)
    await commit(wal, [[7, 3], [8, 4]], 2)
    await commit(wal, [[9, 5]], 3)
    const clean = fileBytes(adapter)
    // Frame 1 holds page 6; frame 2 holds page 7.
    for (const [frame, offset, pageNo] of [
      [1, FRAME_HEADER_SIZE + 500, 6],
      [2, 4, 7],
      [2, 20, 7],
      [1, 9, 6],
    ] as const) {
      const bytes = clean.slice()
      bytes[WAL_HEADER_SIZE + frame * FRAME + offset] ^= 0x01
      const error = await expectRustyError(openWal(adapterWith(bytes)), 'XX001', new RegExp(`WAL frame ${frame} fails its checksum but frame \\d+ after it belongs to a later commit`))
      expect(error.page).toBe(pageNo)
      expect(error.file).toBe('db-wal')
    }
  })

  it('ends recovery at the previous commit when a group written in several writes lost an earlier one (a crash, not corruption)', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    // Group 2: spilled pages flushed ahead of the commit, then the commit write; the disk kept only the second.
    wal.append([2, 3], (i) => page(2 + i), 2, 0)
    wal.append([1, 4], (i) => page(10 + i), 2, 50)
    const bytes = fileBytes(adapter)
    bytes.fill(0, WAL_HEADER_SIZE + FRAME, WAL_HEADER_SIZE + 3 * FRAME)
    const { wal: reopened, recovery } = await openWal(adapterWith(bytes))
    expect(recovery.commits).toBe(1)
    expectSameBytes(readPage(reopened, 1) as Uint8Array, page(1))
    expect(reopened.frameOf(4)).toBe(-1)
  })

  it('never counts frames left over from before a reset, even when they sit right after the new header', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1], [2, 2]], 1)
    const old = fileBytes(adapter)
    await wal.reset()
    expect(wal.checkpointSeq).toBe(1)
    // A crash model where the truncation was lost but the new header landed: old frames follow the new header.
    const mixed = old.slice()
    mixed.set(fileBytes(adapter).subarray(0, WAL_HEADER_SIZE), 0)
    const { wal: reopened, recovery } = await openWal(adapterWith(mixed))
    expect(recovery.commits).toBe(0)
    expect(recovery.truncatedBytes).toBe(2 * FRAME)
    expect(reopened.frameOf(1)).toBe(-1)
  })

  it('resets to an empty log with a new checkpoint sequence and salts, and appends after it', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    const header = fileBytes(adapter).slice(0, WAL_HEADER_SIZE)
    await wal.reset()
    const fresh = fileBytes(adapter)
    expect(fresh.length).toBe(WAL_HEADER_SIZE)
    const oldView = new DataView(header.buffer)
    const newView = new DataView(fresh.buffer)
    expect(newView.getUint32(12, true)).toBe(oldView.getUint32(12, true) + 1)
    expect(newView.getUint32(16, true)).toBe((oldView.getUint32(16, true) + 1) >>> 0)
    expect(wal.frameOf(1)).toBe(-1)
    await commit(wal, [[2, 2]], 2)
    const { wal: reopened, recovery } = await openWal(adapter)
    expect(recovery.commits).toBe(1)
    expect(reopened.checkpointSeq).toBe(1)
    expectSameBytes(readPage(reopened, 2) as Uint8Array, page(2))
    expect(reopened.frameOf(1)).toBe(-1)
  })

  it('rolls back unacknowledged frames: truncates them, and later commits chain from the last commit', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    wal.append([2], () => page(2), 2, 0)
    wal.append([1, 3], (i) => page(20 + i), 2, 50)
    wal.rollback()
    await wal.sync()
    expect(wal.size).toBe(WAL_HEADER_SIZE + FRAME)
    expect(fileBytes(adapter).length).toBe(WAL_HEADER_SIZE + FRAME)
    expect(wal.frameOf(2)).toBe(-1)
    expectSameBytes(readPage(wal, 1) as Uint8Array, page(1))
    await commit(wal, [[4, 4]], 2)
    const { wal: reopened, recovery } = await openWal(adapter)
    expect(recovery.commits).toBe(2)
    expectSameBytes(readPage(reopened, 4) as Uint8Array, page(4))
    expect(reopened.frameOf(3)).toBe(-1)
  })

  it('starts an empty log when a torn header is alone in the file', async () => {
    const adapter = new MemoryAdapter()
    await openWal(adapter)
    const bytes = fileBytes(adapter)
    bytes[17] ^= 0xff
    const { wal, recovery } = await openWal(adapterWith(bytes))
    expect(recovery.initialized).toBe(true)
    expect(wal.size).toBe(WAL_HEADER_SIZE)
    const short = await openWal(adapterWith(bytes.slice(0, 11)))
    expect(short.recovery.initialized).toBe(true)
  })

  it('fails with XX001 when the header fails its checksum but frames follow it', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[1, 1]], 1)
    const bytes = fileBytes(adapter)
    bytes[13] ^= 0x01
    const error = await expectRustyError(openWal(adapterWith(bytes)), 'XX001', /data corrupted in "db-wal": the WAL header fails its checksum/)
    expect(error.file).toBe('db-wal')
  })

  it('refuses a WAL of a newer format version with 0A000 naming the file', async () => {
    const adapter = new MemoryAdapter()
    await openWal(adapter)
    const bytes = fileBytes(adapter)
    const view = new DataView(bytes.buffer)
    view.setUint32(4, 2, true)
    view.setUint32(28, crc32c(bytes.subarray(0, 28)), true)
    await expectRustyError(openWal(adapterWith(bytes)), '0A000', /file "db-wal" uses WAL format version 2; this build reads up to 1/)
  })

  it('refuses a WAL whose page size differs from the database with XX001', async () => {
    const adapter = new MemoryAdapter()
    await openWal(adapter)
    const file = await adapter.open('db-wal', { create: false })
    await expectRustyError(Wal.open(file, { pageSize: 2048, crc32c }), 'XX001', /the WAL has page size 1024 but the database has 2048/)
  })

  it('reports a frame cut short on read as XX001 naming the page', async () => {
    const adapter = new MemoryAdapter()
    const { wal } = await openWal(adapter)
    await commit(wal, [[3, 1]], 1)
    const file: StorageFile = await adapter.open('db-wal', { create: false })
    file.truncate(WAL_HEADER_SIZE + 100)
    const error = await expectRustyError(Promise.resolve().then(() => readPage(wal, 3)), 'XX001', /WAL frame 0 is cut short/)
    expect(error.page).toBe(3)
  })
})
