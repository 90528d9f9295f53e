/**
 * One suite, every adapter available in Node: the StorageAdapter / StorageFile contract
 * (engine/storage/storage-adapter.ts invariants (1)..(4)) against MemoryAdapter and NodeFsAdapter (in a temp
 * directory). The OPFS adapter runs the same behaviours in a real browser (e2e/suites/opfs-adapter-suite.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import { NodeFsAdapter } from '../../engine/storage/node.js'
import type { StorageAdapter, StorageFile } from '../../engine/storage/storage-adapter.js'
import { expectRustyError, expectSameBytes, patternBytes } from './helpers.js'

interface AdapterTarget {
  name: string
  /** A fresh, empty adapter. */
  make(): StorageAdapter
}

const tempDirs: string[] = []
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

const targets: AdapterTarget[] = [
  { name: 'MemoryAdapter', make: () => new MemoryAdapter() },
  {
    name: 'NodeFsAdapter',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'rustydb-adapter-'))
      tempDirs.push(dir)
      return new NodeFsAdapter({ root: dir })
    },
  },
]

function readAll(file: StorageFile): Uint8Array {
  const out = new Uint8Array(file.size())
  expect(file.read(0, out)).toBe(out.length)
  return out
}

describe.each(targets)('$name', (target) => {
  it('writes and reads bytes at any offset, zero-fills gaps and reads short only at end of file', async () => {
    const adapter = target.make()
    const file = await adapter.open('rw.bin', { create: true })
    expect(file.size()).toBe(0)
    const a = patternBytes(4096, 1)
    const b = patternBytes(1000, 2)
    file.write(0, a)
    file.write(8192, b)
    expect(file.size()).toBe(8192 + 1000)

    const first = new Uint8Array(4096)
    expect(file.read(0, first)).toBe(4096)
    expect(first).toEqual(a)
    const gap = new Uint8Array(4096).fill(7)
    expect(file.read(4096, gap)).toBe(4096)
    expect(gap).toEqual(new Uint8Array(4096))
    const tail = new Uint8Array(4096)
    expect(file.read(8192, tail)).toBe(1000)
    expect(tail.subarray(0, 1000)).toEqual(b)
    expect(file.read(20_000, new Uint8Array(16))).toBe(0)

    const c = patternBytes(512, 3)
    file.write(4096 - 256, c)
    const expected = new Uint8Array(9192)
    expected.set(a, 0)
    expected.set(c, 4096 - 256)
    expected.set(b, 8192)
    expect(readAll(file)).toEqual(expected)
    await file.close()
  })

  it('reads and writes through views into a larger buffer without touching the bytes around them', async () => {
    const adapter = target.make()
    const file = await adapter.open('views.bin', { create: true })
    const backing = patternBytes(300, 4)
    file.write(10, backing.subarray(100, 200))
    const into = new Uint8Array(300).fill(0xee)
    expect(file.read(10, into.subarray(50, 150))).toBe(100)
    expect(into.subarray(50, 150)).toEqual(backing.subarray(100, 200))
    expect(into.subarray(0, 50)).toEqual(new Uint8Array(50).fill(0xee))
    expect(into.subarray(150)).toEqual(new Uint8Array(150).fill(0xee))
    await file.close()
  })

  it('truncates a file shorter and longer, zero-filling the extension', async () => {
    const adapter = target.make()
    const file = await adapter.open('trunc.bin', { create: true })
    const data = patternBytes(10_000, 5)
    file.write(0, data)
    file.truncate(3000)
    expect(file.size()).toBe(3000)
    expect(readAll(file)).toEqual(data.subarray(0, 3000))
    file.truncate(5000)
    const grown = new Uint8Array(5000)
    grown.set(data.subarray(0, 3000))
    expect(readAll(file)).toEqual(grown)
    file.truncate(0)
    expect(file.size()).toBe(0)
    // A write past the end of a shrunk file zero-fills the gap (no old bytes reappear).
    file.write(0, data)
    file.truncate(1000)
    file.write(4000, Uint8Array.of(1, 2))
    const gap = new Uint8Array(4002)
    gap.set(data.subarray(0, 1000))
    gap.set([1, 2], 4000)
    expect(readAll(file)).toEqual(gap)
    await file.close()
  })

  it('keeps synced bytes across close and reopen, and shares them between handles of one name', async () => {
    const adapter = target.make()
    const file = await adapter.open('persist.bin', { create: true })
    const data = patternBytes(1 << 18, 6)
    file.write(0, data)
    await file.sync()
    const second = await adapter.open('persist.bin', { create: false })
    expectSameBytes(readAll(second), data)
    await file.close()
    await second.close()
    const reopened = await adapter.open('persist.bin', { create: false })
    expect(reopened.size()).toBe(data.length)
    expectSameBytes(readAll(reopened), data)
    await reopened.close()
  })

  it('lets concurrent syncs of one file all resolve', async () => {
    const adapter = target.make()
    const file = await adapter.open('syncs.bin', { create: true })
    const syncs: (void | Promise<void>)[] = []
    for (let i = 0; i < 8; i++) {
      file.write(i * 100, patternBytes(100, 10 + i))
      syncs.push(file.sync())
    }
    await Promise.all(syncs)
    expect(file.size()).toBe(800)
    await file.close()
  })

  it('refuses to open a missing file without create (58P01) and reports it as absent', async () => {
    const adapter = target.make()
    expect(await adapter.exists('missing.rdb')).toBe(false)
    const error = await expectRustyError(adapter.open('missing.rdb', { create: false }), '58P01', /could not open file "missing\.rdb": it does not exist/)
    expect(error.file).toBe('missing.rdb')
    expect(await adapter.exists('missing.rdb')).toBe(false)
  })

  it('creates a file on open with create, and opening it again keeps its bytes', async () => {
    const adapter = target.make()
    const file = await adapter.open('made.bin', { create: true })
    file.write(0, patternBytes(10, 7))
    await file.sync()
    await file.close()
    expect(await adapter.exists('made.bin')).toBe(true)
    const again = await adapter.open('made.bin', { create: true })
    expect(readAll(again)).toEqual(patternBytes(10, 7))
    await again.close()
  })

  it('removes a closed file, and removing a missing file is a no-op', async () => {
    const adapter = target.make()
    const file = await adapter.open('gone.bin', { create: true })
    file.write(0, patternBytes(100, 8))
    await file.close()
    expect(await adapter.exists('gone.bin')).toBe(true)
    await adapter.remove('gone.bin')
    expect(await adapter.exists('gone.bin')).toBe(false)
    await adapter.remove('gone.bin')
    await expectRustyError(adapter.open('gone.bin', { create: false }), '58P01', /does not exist/)
  })

  it('rejects every operation on a closed file with 55000, and closing twice is a no-op', async () => {
    const adapter = target.make()
    const file = await adapter.open('closed.bin', { create: true })
    await file.close()
    const calls: [string, () => unknown][] = [
      ['get the size of', () => file.size()],
      ['read', () => file.read(0, new Uint8Array(1))],
      ['write', () => file.write(0, new Uint8Array(1))],
      ['truncate', () => file.truncate(0)],
      ['sync', () => file.sync()],
    ]
    for (const [operation, call] of calls) {
      await expectRustyError(
        Promise.resolve().then(call),
        '55000',
        new RegExp(`cannot ${operation} file "closed\\.bin": it is closed`),
      )
    }
    await file.close()
  })

  it('rejects a negative or fractional offset with 22023', async () => {
    const adapter = target.make()
    const file = await adapter.open('offsets.bin', { create: true })
    await expectRustyError(Promise.resolve().then(() => file.write(-1, new Uint8Array(1))), '22023', /invalid write offset -1/)
    await expectRustyError(Promise.resolve().then(() => file.read(1.5, new Uint8Array(1))), '22023', /invalid read offset 1\.5/)
    await expectRustyError(Promise.resolve().then(() => file.truncate(-4)), '22023', /invalid size -4/)
    await file.close()
  })
})

describe('NodeFsAdapter paths', () => {
  it('keeps files of a sub-directory apart from the root and creates the directory on demand', async () => {
    const adapter = targets[1].make()
    const file = await adapter.open('apps/crm/db.rdb', { create: true })
    file.write(0, patternBytes(64, 9))
    await file.sync()
    await file.close()
    expect(await adapter.exists('apps/crm/db.rdb')).toBe(true)
    expect(await adapter.exists('db.rdb')).toBe(false)
    expect(await adapter.exists('apps/other/db.rdb')).toBe(false)
  })

  it('rejects file names with empty, "." or ".." segments (22023)', async () => {
    const adapter = targets[1].make()
    for (const name of ['', 'a//b', '../escape.rdb', './x.rdb', 'a/../../b']) {
      await expectRustyError(adapter.open(name, { create: true }), '22023', /invalid node-fs file name/)
    }
  })
})

describe('MemoryAdapter file sets', () => {
  it('copies every file with snapshotFiles, and an adapter built from the copy is independent', async () => {
    const adapter = new MemoryAdapter()
    const file = await adapter.open('a.bin', { create: true })
    file.write(0, patternBytes(50, 11))
    const copy = MemoryAdapter.fromFiles(adapter.snapshotFiles())
    file.write(0, patternBytes(50, 12))
    const fromCopy = await copy.open('a.bin', { create: false })
    expect(readAll(fromCopy)).toEqual(patternBytes(50, 11))
    const clone = adapter.clone()
    file.truncate(0)
    expect(readAll(await clone.open('a.bin', { create: false }))).toEqual(patternBytes(50, 12))
    expect(clone.fileNames()).toEqual(['a.bin'])
  })
})
