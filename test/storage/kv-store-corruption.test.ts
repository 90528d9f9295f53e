/**
 * Corruption: a flipped byte in a database page or in a WAL frame, a file cut short, a file that is not a
 * RustyDB database, a newer format version. Opening or reading reports it (XX001 with the page and the
 * file, or 0A000 for a newer version) and never returns wrong data.
 *
 * WAL frames (wal.ts invariant 7): a corrupt frame followed by intact frames of a LATER commit is corruption
 * inside acknowledged data (a commit group is written only after the previous group's sync), so opening fails
 * with XX001 naming the frame's page rather than silently dropping acknowledged commits. A corrupt frame of
 * the LAST commit cannot be told from a crash while that commit was being written: its group may reach the
 * log in several writes (spilled pages, then the commit), any of which the disk may have lost before the sync,
 * leaving exactly such a hole. Recovery then ends at the previous commit: the last commit is lost, as after a
 * crash before its sync. We chose this over failing: failing would make a database that merely crashed at the
 * wrong moment unopenable.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import { KvStore } from '../../engine/storage/kv-store.js'
import { FRAME_HEADER_SIZE, WAL_HEADER_SIZE } from '../../engine/storage/wal.js'
import { storeState } from './crash-workload.js'
import { Rng, expectRustyError, patternBytes, utf8 } from './helpers.js'

const NAME = 'bad.rdb'
const WAL = `${NAME}-wal`
const PAGE = 1024
const OPTIONS = { name: NAME, pageSize: PAGE, cachePages: 64, checkpointBytes: 0 }

function k(n: number): Uint8Array {
  return utf8(`key-${String(n).padStart(5, '0')}`)
}

/** A store with three trees, small and overflow values, and some freed pages. */
async function populated(adapter: MemoryAdapter): Promise<KvStore> {
  const kv = await KvStore.open({ adapter, create: true, ...OPTIONS })
  const batch = kv.batch().createTree('a').createTree('b').createTree('c')
  for (let i = 0; i < 300; i++) batch.put('a', k(i), patternBytes(30, i + 1))
  for (let i = 0; i < 20; i++) batch.put('b', k(i), patternBytes(i % 3 === 0 ? 2500 : 40, i + 7))
  await kv.commit(batch)
  const second = kv.batch().put('c', k(1), patternBytes(10, 3))
  for (let i = 0; i < 300; i += 3) second.delete('a', k(i))
  await kv.commit(second)
  return kv
}

function withFiles(files: Map<string, Uint8Array>): MemoryAdapter {
  return MemoryAdapter.fromFiles(files)
}

/** Opens and reads everything (all trees, check()); returns the state, or the error it failed with. */
async function readAll(adapter: MemoryAdapter): Promise<string | RustyError> {
  let kv: KvStore | undefined
  try {
    kv = await KvStore.open({ adapter, create: false, ...OPTIONS })
    const state = storeState(kv)
    kv.check()
    return state
  } catch (error) {
    if (error instanceof RustyError) return error
    throw error
  } finally {
    // Closing checkpoints (nothing to copy: the WAL is empty); a failure to close is not what is tested.
    await kv?.close().catch(() => undefined)
  }
}

describe('KvStore corruption', () => {
  it('reports XX001 naming the page for a flipped bit in any page of the database file, and never returns wrong data', async () => {
    const adapter = new MemoryAdapter()
    const kv = await populated(adapter)
    await kv.close()
    const clean = adapter.snapshotFiles()
    const expected = await readAll(withFiles(clean))
    expect(typeof expected).toBe('string')
    const db = clean.get(NAME) as Uint8Array
    const pages = db.length / PAGE
    expect(pages).toBeGreaterThan(20)
    const rng = new Rng(97)
    let detected = 0
    for (let page = 0; page < pages; page++) {
      const files = new Map(clean)
      const bytes = db.slice()
      // Page 0's format version field (bytes 8..11) is left alone: a flip there may read as a newer version (0A000).
      let offset = rng.int(PAGE)
      while (page === 0 && offset >= 8 && offset < 12) offset = rng.int(PAGE)
      bytes[page * PAGE + offset] ^= 1 << rng.int(8)
      files.set(NAME, bytes)
      const result = await readAll(withFiles(files))
      if (typeof result === 'string') {
        // Undetected only if the page was never read (a free page): then the data must be exactly right.
        expect(result, `flip in page ${page} at ${offset} returned wrong data`).toBe(expected)
      } else {
        expect(result.code, `page ${page}: ${result.message}`).toBe('XX001')
        expect(result.page, result.message).toBe(page)
        expect(result.message).toContain(`"${NAME}"`)
        detected++
      }
    }
    // Every page but the free ones is read by a full scan and check(); free leaves are never read.
    expect(detected).toBeGreaterThan(pages - 10)
  })

  it('fails with XX001 naming the page when a WAL frame before intact frames is corrupt', async () => {
    const adapter = new MemoryAdapter()
    const kv = await populated(adapter)
    const files = adapter.snapshotFiles()
    await kv.close()
    const wal = (files.get(WAL) as Uint8Array).slice()
    const frameSize = FRAME_HEADER_SIZE + PAGE
    const frames = (wal.length - WAL_HEADER_SIZE) / frameSize
    expect(frames).toBeGreaterThan(4)
    const frame = 2
    const at = WAL_HEADER_SIZE + frame * frameSize
    const pageNo = new DataView(wal.buffer).getUint32(at, true)
    wal[at + FRAME_HEADER_SIZE + 300] ^= 0x10
    files.set(WAL, wal)
    const error = await expectRustyError(
      KvStore.open({ adapter: withFiles(files), create: false, ...OPTIONS }),
      'XX001',
      new RegExp(`data corrupted in "${WAL}" at page ${pageNo}: WAL frame ${frame} fails its checksum`),
    )
    expect(error.page).toBe(pageNo)
  })

  it('ends recovery at the previous commit when a frame of the last commit is corrupt, as after a crash during its write', async () => {
    const adapter = new MemoryAdapter()
    const kv = await KvStore.open({ adapter, create: true, ...OPTIONS })
    await kv.commit(kv.batch().createTree('t').put('t', k(1), utf8('one')))
    const before = (adapter.snapshotFiles().get(WAL) as Uint8Array).length
    const last = kv.batch().put('t', k(2), utf8('two'))
    for (let i = 3; i < 60; i++) last.put('t', k(i), patternBytes(200, i))
    await kv.commit(last)
    const files = adapter.snapshotFiles()
    await kv.close()
    const wal = (files.get(WAL) as Uint8Array).slice()
    const frameSize = FRAME_HEADER_SIZE + PAGE
    expect((wal.length - before) / frameSize).toBeGreaterThan(3)
    // The first frame of the last commit: intact frames of the same commit follow it.
    wal[before + FRAME_HEADER_SIZE + 10] ^= 0x01
    files.set(WAL, wal)
    const reopened = await KvStore.open({ adapter: withFiles(files), create: false, ...OPTIONS })
    expect(reopened.lastCommitSeq).toBe(1)
    expect(new TextDecoder().decode(reopened.get('t', k(1)))).toBe('one')
    expect(reopened.get('t', k(2))).toBeUndefined()
    expect(reopened.recovery.truncatedBytes).toBeGreaterThan(0)
    reopened.check()
    await reopened.close()
  })

  it('reports XX001 naming the page when the database file is cut short', async () => {
    const adapter = new MemoryAdapter()
    const kv = await populated(adapter)
    await kv.close()
    const files = adapter.snapshotFiles()
    const db = files.get(NAME) as Uint8Array
    files.set(NAME, db.slice(0, db.length - 3 * PAGE - 100))
    const result = await readAll(withFiles(files))
    expect(result).toBeInstanceOf(RustyError)
    const error = result as RustyError
    expect(error.code).toBe('XX001')
    expect(error.message).toMatch(/cut short|past the end of the file/)
    expect(error.page).toBeGreaterThanOrEqual(db.length / PAGE - 4)
  })

  it('refuses a file that is not a RustyDB database with XX001 naming the file', async () => {
    const adapter = new MemoryAdapter()
    const file = await adapter.open('notes.txt', { create: true })
    file.write(0, utf8('Dear diary, today I wrote a database.'.repeat(200)))
    await expectRustyError(
      KvStore.open({ adapter, name: 'notes.txt', create: true }),
      'XX001',
      /file "notes\.txt" is not a RustyDB database \(wrong magic\)/,
    )
    // Nothing was written to it.
    expect(new TextDecoder().decode((adapter.snapshotFiles().get('notes.txt') as Uint8Array).subarray(0, 10))).toBe('Dear diary')
  })

  it('refuses an empty file without create, and a missing one with 58P01', async () => {
    const adapter = new MemoryAdapter()
    await adapter.open('empty.rdb', { create: true })
    await expectRustyError(KvStore.open({ adapter, name: 'empty.rdb', create: false }), 'XX001', /file "empty\.rdb" is not a RustyDB database \(the file is empty\)/)
    await expectRustyError(KvStore.open({ adapter, name: 'missing.rdb', create: false }), '58P01', /could not open file "missing\.rdb": it does not exist/)
  })

  it('refuses a database of a newer format version with 0A000 naming the file and the versions', async () => {
    const adapter = new MemoryAdapter()
    const kv = await populated(adapter)
    await kv.close()
    const files = adapter.snapshotFiles()
    const db = (files.get(NAME) as Uint8Array).slice()
    new DataView(db.buffer).setUint32(8, 2, true)
    files.set(NAME, db)
    await expectRustyError(
      KvStore.open({ adapter: withFiles(files), create: false, ...OPTIONS }),
      '0A000',
      /file "bad\.rdb" uses format version 2; this build reads up to 1/,
    )
  })
})
