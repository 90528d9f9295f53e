/**
 * Storage engine benchmark: the KvStore over the WASM B+tree, 1,000,000 random 16-byte keys with 100-byte values.
 * Owns: the issue #2 workloads (bulk load, random inserts in one commit, random point lookups, full scan on the
 * memory adapter; durable commits on Node fs, one committer and 16 concurrent ones) and a plain JS Map doing the
 * same lookups in the same run as a reference point.
 * Invariants:
 *   (1) Every workload verifies what it did (entry counts, values found), so a fast wrong answer cannot pass.
 *   (2) Data is generated once per process from a fixed seed; every engine and reference sees the same keys.
 * Not here: SQL workloads and peers (sql.js, PGlite, DuckDB-WASM) come with the SQL engine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KvStore, MemoryAdapter, NodeFsAdapter } from '../engine/storage/node.js'
import { type Figure, measureRate } from './support/measure.js'

const KEY_BYTES = 16
const VALUE_BYTES = 100
const TREE = 'bench'

/** Deterministic bytes (mulberry32, 32 bits per step), so every run measures the same data. */
function randomBytes(count: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(count / 4))
  let state = seed >>> 0
  for (let i = 0; i < words.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    words[i] = (t ^ (t >>> 14)) >>> 0
  }
  return new Uint8Array(words.buffer, 0, count)
}

interface Dataset {
  keys: Uint8Array[]
  values: Uint8Array[]
  sortedOrder: number[]
  lookupOrder: number[]
}

function makeDataset(n: number): Dataset {
  const keyBytes = randomBytes(n * KEY_BYTES, 42)
  const valueBytes = randomBytes(n * VALUE_BYTES, 7)
  const keys: Uint8Array[] = []
  const values: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    keys.push(keyBytes.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES))
    values.push(valueBytes.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES))
  }
  const sortedOrder = keys.map((_, i) => i).sort((a, b) => Buffer.compare(keys[a], keys[b]))
  for (let i = 1; i < n; i++) {
    if (Buffer.compare(keys[sortedOrder[i - 1]], keys[sortedOrder[i]]) === 0) throw new Error('duplicate random key; change the seed')
  }
  const lookupOrder = keys.map((_, i) => i)
  const shuffle = randomBytes(n * 4, 99)
  const view = new DataView(shuffle.buffer)
  for (let i = n - 1; i > 0; i--) {
    const j = view.getUint32(i * 4, true) % (i + 1)
    ;[lookupOrder[i], lookupOrder[j]] = [lookupOrder[j], lookupOrder[i]]
  }
  return { keys, values, sortedOrder, lookupOrder }
}

async function memoryStore(n: number): Promise<KvStore> {
  // Enough frames for the whole data set (~45 k pages at 4 KiB), so the figures measure the tree, not eviction.
  const cachePages = Math.max(1024, Math.ceil((n * (KEY_BYTES + VALUE_BYTES + 16)) / 4096) * 2)
  return KvStore.open({ adapter: new MemoryAdapter(), name: 'bench.rdb', create: true, cachePages, checkpointBytes: 0 })
}

async function bulkLoaded(data: Dataset): Promise<KvStore> {
  const kv = await memoryStore(data.keys.length)
  const batch = kv.batch().createTree(TREE)
  batch.bulkLoad(
    TREE,
    data.sortedOrder.map((i) => [data.keys[i], data.values[i]] as const),
  )
  await kv.commit(batch)
  return kv
}

function expectEqual(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`benchmark check failed: ${what}: ${actual} !== ${expected}`)
}

/** Runs the storage workloads and returns their figures. `n` defaults to 1,000,000. */
export async function runStorageBench(n: number, runs: number): Promise<Figure[]> {
  const group = 'storage'
  const data = makeDataset(n)
  const figures: Figure[] = []

  figures.push(
    await measureRate({
      group,
      name: `bulk load ${n} sorted entries (memory, one commit)`,
      unit: 'entries/s',
      runs,
      operations: n,
      setup: () => memoryStore(n),
      body: async (kv) => {
        const batch = kv.batch().createTree(TREE)
        batch.bulkLoad(
          TREE,
          data.sortedOrder.map((i) => [data.keys[i], data.values[i]] as const),
        )
        await kv.commit(batch)
      },
      teardown: async (kv) => {
        expectEqual(kv.check().trees.find((t) => t.name === TREE)?.entries ?? -1, n, 'bulk-loaded entries')
        await kv.close()
      },
    }),
  )

  figures.push(
    await measureRate({
      group,
      name: `random inserts, ${n} in one commit (memory)`,
      unit: 'inserts/s',
      runs,
      operations: n,
      setup: async () => {
        const kv = await memoryStore(n)
        await kv.commit(kv.batch().createTree(TREE))
        return kv
      },
      body: async (kv) => {
        const batch = kv.batch()
        for (let i = 0; i < n; i++) batch.put(TREE, data.keys[i], data.values[i])
        await kv.commit(batch)
      },
      teardown: async (kv) => {
        expectEqual(kv.check().trees.find((t) => t.name === TREE)?.entries ?? -1, n, 'inserted entries')
        await kv.close()
      },
    }),
  )

  const loaded = await bulkLoaded(data)
  figures.push(
    await measureRate({
      group,
      name: `random point lookups (memory, ${n} keys)`,
      unit: 'lookups/s',
      runs,
      operations: n,
      setup: () => loaded,
      body: (kv) => {
        let found = 0
        for (const i of data.lookupOrder) {
          const value = kv.get(TREE, data.keys[i])
          if (value !== undefined && value.length === VALUE_BYTES) found++
        }
        expectEqual(found, n, 'lookups found')
      },
    }),
  )
  figures.push(
    await measureRate({
      group,
      name: `full scan (memory, ${n} entries)`,
      unit: 'entries/s',
      runs,
      operations: n,
      setup: () => loaded,
      body: (kv) => {
        let count = 0
        let bytes = 0
        for (const batch of kv.scanBatches(TREE)) {
          count += batch.count
          for (let i = 0; i < batch.count; i++) bytes += batch.keyLengths[i] + batch.valueLengths[i]
        }
        expectEqual(count, n, 'scanned entries')
        expectEqual(bytes, n * (KEY_BYTES + VALUE_BYTES), 'scanned bytes')
      },
    }),
  )
  await loaded.close()

  // Reference: a plain JS Map keyed by the key bytes as a latin1 string, the same lookups in the same order.
  const latin1 = data.keys.map((k) => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1'))
  const map = new Map<string, Uint8Array>()
  for (let i = 0; i < n; i++) map.set(latin1[i], data.values[i])
  figures.push(
    await measureRate({
      group,
      name: `reference: JS Map lookups, string keys precomputed (${n} keys)`,
      unit: 'lookups/s',
      runs,
      operations: n,
      setup: () => map,
      body: (m) => {
        let found = 0
        for (const i of data.lookupOrder) if (m.get(latin1[i]) !== undefined) found++
        expectEqual(found, n, 'map lookups found')
      },
    }),
  )
  figures.push(
    await measureRate({
      group,
      name: `reference: JS Map lookups, converting each Uint8Array key (${n} keys)`,
      unit: 'lookups/s',
      runs,
      operations: n,
      setup: () => map,
      body: (m) => {
        let found = 0
        for (const i of data.lookupOrder) {
          const k = data.keys[i]
          if (m.get(Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1')) !== undefined) found++
        }
        expectEqual(found, n, 'map lookups found')
      },
    }),
  )

  // Durable commits on Node fs: each commit is one WAL write and one fdatasync before it is acknowledged.
  const commits = 300
  for (const committers of [1, 16]) {
    figures.push(
      await measureRate({
        group,
        name: `durable single-put commits, ${committers} concurrent committer(s) (node fs)`,
        unit: 'commits/s',
        runs,
        operations: commits,
        setup: async () => {
          const dir = mkdtempSync(join(tmpdir(), 'rustydb-bench-'))
          const kv = await KvStore.open({ adapter: new NodeFsAdapter({ root: dir }), name: 'bench.rdb', create: true })
          await kv.commit(kv.batch().createTree(TREE))
          return { kv, dir }
        },
        body: async ({ kv }) => {
          let next = 0
          const worker = async (): Promise<void> => {
            while (next < commits) {
              const i = next++
              await kv.commit(kv.batch().put(TREE, data.keys[i], data.values[i]))
            }
          }
          await Promise.all(Array.from({ length: committers }, worker))
        },
        teardown: async ({ kv, dir }) => {
          let found = 0
          for (let i = 0; i < commits; i++) if (kv.get(TREE, data.keys[i]) !== undefined) found++
          expectEqual(found, commits, 'durable commits present')
          await kv.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }),
    )
  }
  return figures
}
