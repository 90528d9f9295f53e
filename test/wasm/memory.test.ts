/**
 * WASM memory stays at its baseline across batches: once the buffers reached the size a workload needs,
 * repeating the workload grows neither linear memory nor the core's regions, and no frame stays pinned
 * (the as-pect RTrace idea, through WasmCore.diagnostics()).
 */
import { describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { flush, freshCore, type MapHost, sameBytes, u32Key, valueOf } from './helpers.js'

function memoryUse(core: WasmCore): { heapTop: number; memoryBytes: number; pinnedFrames: number } {
  const { heapTop, memoryBytes, pinnedFrames } = core.diagnostics()
  return { heapTop, memoryBytes, pinnedFrames }
}

function workload(core: WasmCore, host: MapHost, root: number, round: number): void {
  const keys = Array.from({ length: 500 }, (_, i) => u32Key(round * 500 + i, 16))
  const values = keys.map((_, i) => valueOf(i, i % 50 === 0 ? 9000 : 64))
  core.putBatch(root, keys, values, true)
  core.getBatch(root, keys)
  for (let i = 0; i < 50; i++) core.get(root, keys[i])
  let range = {}
  for (let b = 0; b < 3; b++) {
    const batch = core.scanBatch(root, range, 200)
    if (batch.done) break
    range = { lower: batch.key(batch.count - 1).slice(), lowerInclusive: false }
  }
  core.deleteBatch(root, keys.slice(0, 250), true)
  core.checkTree(root)
  core.freelistPages()
  flush(core, host, BigInt(round))
}

describe('memory baseline', () => {
  it('returns to the same memory size and region top after every batch once warmed up', async () => {
    const { core, host } = await freshCore(4096, 128)
    const root = core.createTree()
    workload(core, host, root, 0)
    workload(core, host, root, 1)
    const baseline = memoryUse(core)
    expect(baseline.pinnedFrames).toBe(0)
    for (let round = 2; round < 40; round++) {
      workload(core, host, root, round)
      expect(memoryUse(core)).toEqual(baseline)
    }
  })

  it('grows its buffers once for a large value and then stays there', async () => {
    const { core } = await freshCore(4096, 64)
    const root = core.createTree()
    const big = valueOf(1, 4 << 20)
    core.put(root, u32Key(1), big)
    expect(sameBytes(core.get(root, u32Key(1)), big)).toBe(true)
    const after = memoryUse(core)
    for (let i = 0; i < 5; i++) {
      core.put(root, u32Key(1), big)
      expect(sameBytes(core.get(root, u32Key(1)), big)).toBe(true)
      expect(memoryUse(core)).toEqual(after)
    }
  })

  it('keeps values returned by get valid after later calls (they are copies, not views)', async () => {
    const { core } = await freshCore(4096, 64)
    const root = core.createTree()
    core.put(root, u32Key(1), valueOf(1, 100))
    const first = core.get(root, u32Key(1))!
    for (let i = 0; i < 2000; i++) core.put(root, u32Key(i + 2), valueOf(i, 100))
    core.put(root, u32Key(1), valueOf(2, 100))
    expect(first).toEqual(valueOf(1, 100))
    expect(first.buffer).not.toBe(core.memory.buffer)
  })
})
