/**
 * Packed writes: PackedEntries segments applied with putPacked / deletePacked / bulkLoadPacked, including old
 * values that overflow the output buffer (the core stops early and the wrapper continues) and segments
 * larger than the input buffer.
 */
import { describe, expect, it } from 'vitest'
import { PackedEntries } from '../../engine/wasm/index.js'
import { freshCore, u32Key, valueOf } from './helpers.js'

const PAGE = 4096

describe('packed entries', () => {
  it('round-trips keys and values through forEach and keeps copies of the caller bytes', () => {
    const packed = new PackedEntries(true)
    const key = u32Key(7)
    const value = valueOf(7, 40)
    packed.add(key, value)
    key[0] ^= 0xff
    value[0] ^= 0xff
    packed.add(u32Key(8), valueOf(8, 100))
    const seen: [Uint8Array, Uint8Array | undefined][] = []
    packed.forEach((k, v) => seen.push([k.slice(), v?.slice()]))
    expect(seen).toEqual([
      [u32Key(7), valueOf(7, 40)],
      [u32Key(8), valueOf(8, 100)],
    ])
    expect(packed.count).toBe(2)
    expect(packed.maxKeyLength).toBe(4)
  })

  it('applies puts and returns old values even when they overflow the output buffer', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    const first = new PackedEntries(true)
    for (let i = 0; i < 60; i++) first.add(u32Key(i), valueOf(i, 20_000))
    for (let s = 0; s < first.segmentCount; s++) core.putPacked(root, first.segment(s), first.segmentEntries(s), false)
    const second = new PackedEntries(true)
    for (let i = 0; i < 100; i++) second.add(u32Key(i), valueOf(i + 1000, 3))
    expect(second.segmentCount).toBe(1)
    const olds = core.putPacked(root, second.segment(0), 100, true)
    const values = olds?.values() ?? []
    expect(values.length).toBe(100)
    for (let i = 0; i < 100; i++) expect(values[i]).toEqual(i < 60 ? valueOf(i, 20_000) : undefined)
    for (let i = 0; i < 100; i++) expect(core.get(root, u32Key(i))).toEqual(valueOf(i + 1000, 3))
    const gone = new PackedEntries(false)
    for (let i = 50; i < 150; i++) gone.add(u32Key(i))
    const deleted = core.deletePacked(root, gone.segment(0), gone.segmentEntries(0)).values()
    for (let i = 50; i < 150; i++) expect(deleted[i - 50]).toEqual(i < 100 ? valueOf(i + 1000, 3) : undefined)
    expect(core.checkTree(root).entries).toBe(50)
  })

  it('splits a segment larger than the input buffer and grows the buffer for one huge entry', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    const packed = new PackedEntries(true)
    packed.add(u32Key(1), valueOf(1, 600_000))
    packed.add(u32Key(2), valueOf(2, 10))
    for (let s = 0; s < packed.segmentCount; s++) core.putPacked(root, packed.segment(s), packed.segmentEntries(s), false)
    expect(core.get(root, u32Key(1))).toEqual(valueOf(1, 600_000))
    expect(core.get(root, u32Key(2))).toEqual(valueOf(2, 10))
  })

  it('bulk-loads a tree from several segments', async () => {
    const { core } = await freshCore(PAGE)
    const root = core.createTree()
    const packed = new PackedEntries(true)
    for (let i = 0; i < 5000; i++) packed.add(u32Key(i), valueOf(i, 30))
    expect(packed.segmentCount).toBeGreaterThan(1)
    for (let s = 0; s < packed.segmentCount; s++) {
      core.bulkLoadPacked(root, packed.segment(s), packed.segmentEntries(s), s === 0, s === packed.segmentCount - 1)
    }
    expect(core.checkTree(root).entries).toBe(5000)
    for (let i = 0; i < 5000; i += 97) expect(core.get(root, u32Key(i))).toEqual(valueOf(i, 30))
  })
})
