/**
 * Range scans: every combination of lower/upper bound (absent, inclusive, exclusive), bound values (a key
 * present, a key absent between two keys, below all, above all), both directions, batch sizes with the
 * documented continuation, exact `done`, and the zero-copy EntryBatch arrays.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { compareBytes, freshCore, scanAll, u32Key, valueOf } from './helpers.js'

type Bound = { key: Uint8Array; inclusive: boolean } | undefined

const KEYS = Array.from({ length: 600 }, (_, i) => u32Key(10 + 2 * i, 40))
let core: WasmCore
let root: number

function expected(lower: Bound, upper: Bound, reverse: boolean): Uint8Array[] {
  const inside = KEYS.filter((k) => {
    if (lower !== undefined) {
      const c = compareBytes(k, lower.key)
      if (c < 0 || (c === 0 && !lower.inclusive)) return false
    }
    if (upper !== undefined) {
      const c = compareBytes(k, upper.key)
      if (c > 0 || (c === 0 && !upper.inclusive)) return false
    }
    return true
  })
  return reverse ? inside.reverse() : inside
}

beforeAll(async () => {
  ;({ core } = await freshCore(1024))
  root = core.createTree()
  for (const [i, k] of KEYS.entries()) core.put(root, k, valueOf(i, i % 40 === 0 ? 900 : 16))
  expect(core.checkTree(root).depth).toBeGreaterThanOrEqual(3)
})

const boundValues: [string, Uint8Array][] = [
  ['a present key', u32Key(10 + 2 * 250, 40)],
  ['an absent key between two keys', u32Key(10 + 2 * 250 + 1, 40)],
  ['a key below every key', u32Key(3, 40)],
  ['a key above every key', u32Key(5000, 40)],
  ['the first key', u32Key(10, 40)],
  ['the last key', u32Key(10 + 2 * 599, 40)],
]
const kinds = ['absent', 'inclusive', 'exclusive'] as const

describe('scanBatch bounds', () => {
  for (const reverse of [false, true]) {
    for (const lowerKind of kinds) {
      for (const upperKind of kinds) {
        it(`returns exactly the model's entries with lower ${lowerKind}, upper ${upperKind}${reverse ? ', reversed' : ''}, for every bound value`, () => {
          const lowers: [string, Bound][] =
            lowerKind === 'absent' ? [['none', undefined]] : boundValues.map(([n, k]) => [n, { key: k, inclusive: lowerKind === 'inclusive' }])
          const uppers: [string, Bound][] =
            upperKind === 'absent' ? [['none', undefined]] : boundValues.map(([n, k]) => [n, { key: k, inclusive: upperKind === 'inclusive' }])
          for (const [, lower] of lowers) {
            for (const [, upper] of uppers) {
              const want = expected(lower, upper, reverse)
              for (const batch of [1, 7, 4096]) {
                const got = scanAll(
                  core,
                  root,
                  {
                    lower: lower?.key,
                    lowerInclusive: lower?.inclusive,
                    upper: upper?.key,
                    upperInclusive: upper?.inclusive,
                    reverse,
                  },
                  batch,
                )
                expect(got.length).toBe(want.length)
                got.forEach(([k, v], i) => {
                  expect(compareBytes(k, want[i])).toBe(0)
                  const index = KEYS.findIndex((x) => compareBytes(x, k) === 0)
                  expect(compareBytes(v, valueOf(index, index % 40 === 0 ? 900 : 16))).toBe(0)
                })
              }
            }
          }
        })
      }
    }
  }
})

describe('scanBatch batches', () => {
  it('defaults to an inclusive lower bound and an exclusive upper bound', () => {
    const b = core.scanBatch(root, { lower: u32Key(10, 40), upper: u32Key(14, 40) })
    expect(b.count).toBe(2)
    expect([...b.key(0)]).toEqual([...u32Key(10, 40)])
    expect([...b.key(1)]).toEqual([...u32Key(12, 40)])
    expect(b.done).toBe(true)
  })

  it('sets done exactly when the batch ends the range, also when the last batch is full', () => {
    const exact = core.scanBatch(root, { lower: u32Key(10, 40), upper: u32Key(20, 40) }, 5)
    expect(exact.count).toBe(5)
    expect(exact.done).toBe(true)
    const more = core.scanBatch(root, { lower: u32Key(10, 40), upper: u32Key(22, 40) }, 5)
    expect(more.count).toBe(5)
    expect(more.done).toBe(false)
  })

  it('returns an empty, done batch for an empty range and for an empty tree', () => {
    const empty = core.scanBatch(root, { lower: u32Key(11, 40), upper: u32Key(12, 40) })
    expect(empty.count).toBe(0)
    expect(empty.done).toBe(true)
    const other = core.createTree()
    const none = core.scanBatch(other, {}, 10)
    expect(none.count).toBe(0)
    expect(none.done).toBe(true)
    expect(core.scanBatch(other, { reverse: true }).done).toBe(true)
  })

  it('exposes packed data with offset and length arrays that key() and value() agree with', () => {
    const b = core.scanBatch(root, { lower: u32Key(100, 40) }, 50)
    expect(b.count).toBe(50)
    let end = 0
    for (let i = 0; i < b.count; i++) {
      expect(b.keyOffsets[i]).toBe(end)
      expect(b.valueOffsets[i]).toBe(end + b.keyLengths[i])
      end = b.valueOffsets[i] + b.valueLengths[i]
      expect(b.key(i)).toEqual(b.data.subarray(b.keyOffsets[i], b.keyOffsets[i] + b.keyLengths[i]))
      expect(b.value(i)).toEqual(b.data.subarray(b.valueOffsets[i], b.valueOffsets[i] + b.valueLengths[i]))
    }
    expect(b.data.length).toBe(end)
    expect(b.data.buffer).toBe(core.memory.buffer)
  })

  it('caps a batch at 8192 entries and at what the output buffer holds, but always returns at least one entry', async () => {
    const { core: c } = await freshCore(4096)
    const t = c.createTree()
    for (let i = 0; i < 10000; i++) c.put(t, u32Key(i), valueOf(i, 8))
    expect(c.scanBatch(t, {}, 100_000).count).toBe(8192)
    const big = c.createTree()
    for (let i = 0; i < 4; i++) c.put(big, u32Key(i), valueOf(i, 3 << 20))
    const first = c.scanBatch(big, {}, 4)
    expect(first.count).toBeGreaterThanOrEqual(1)
    expect(first.value(0)).toEqual(valueOf(0, 3 << 20))
    expect(scanAll(c, big, {}, 4).length).toBe(4)
  })
})

describe('scanBatch views mode', () => {
  /** Like scanAll, with views: keys and values point into the leaf frames (assembly/btree-scan.ts (6)). */
  function scanViews(range: Parameters<typeof scanAll>[2], batch = 4096): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = []
    let current = { ...range }
    for (;;) {
      const b = core.scanBatch(root, current, batch, true)
      for (let i = 0; i < b.count; i++) out.push([b.key(i).slice(), b.value(i).slice()])
      if (b.done) return out
      expect(b.count).toBeGreaterThan(0)
      const last = out[out.length - 1][0]
      current = range.reverse === true ? { ...current, upper: last, upperInclusive: false } : { ...current, lower: last, lowerInclusive: false }
    }
  }

  it('returns what the copy mode returns, for every bound and both directions, across the leaf limit of a 64-frame pool', () => {
    for (const reverse of [false, true]) {
      for (const [, lowerKey] of boundValues) {
        for (const [, upperKey] of boundValues) {
          for (const inclusive of [true, false]) {
            const range = { lower: lowerKey, lowerInclusive: inclusive, upper: upperKey, upperInclusive: !inclusive, reverse }
            expect(scanViews(range)).toEqual(scanAll(core, root, range))
          }
        }
      }
      expect(scanViews({ reverse })).toEqual(scanAll(core, root, { reverse }))
      expect(scanViews({ reverse }, 7)).toEqual(scanAll(core, root, { reverse }))
    }
    expect(core.diagnostics().pinnedFrames).toBe(0)
  })

  it('ends a views batch after a bounded number of leaves and continues from there', () => {
    const b = core.scanBatch(root, {}, 8192, true)
    expect(b.done).toBe(false)
    expect(b.count).toBeLessThan(KEYS.length)
    expect(b.data.buffer).toBe(core.memory.buffer)
    expect(b.data.length).toBe(core.memory.buffer.byteLength)
  })
})
