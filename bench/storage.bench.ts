/**
 * Storage engine benchmark: the KvStore over the WASM B+tree, 1,000,000 random 16-byte keys with 100-byte values.
 * Owns: the issue #2 workloads (bulk load, random inserts in one commit, random point lookups, full scan on the
 * memory adapter; durable commits on Node fs, one committer and 16 concurrent ones), the same lookups batched
 * through `kv.getMany` (what an executor's index lookups call; a separate row, the target row stays `kv.get`),
 * and a plain JS Map doing the same lookups in the same run as a reference point.
 * Invariants:
 *   (1) Every workload verifies what it did (entry counts, values found), so a fast wrong answer cannot pass.
 *   (2) Data is generated once per process from a fixed seed; every engine and reference sees the same keys.
 * Not here: SQL workloads and peers (sql.js, PGlite, DuckDB-WASM) come with the SQL engine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KvStore, MemoryAdapter, NodeFsAdapter } from '../engine/storage/node.js'
import { type Dataset, KEY_BYTES, VALUE_BYTES, expectEqual, makeDataset } from './support/dataset.js'
import { type Figure, measureRate } from './support/measure.js'

const TREE = 'bench'
/** Keys per `kv.getMany` call in the batched lookup row (an executor's batch size). */
const GET_MANY_BATCH = 1024

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
      name: `random point lookups, one key per call (\`kv.get\`, memory, ${n} keys)`,
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
  const lookupKeys = data.lookupOrder.map((i) => data.keys[i])
  figures.push(
    await measureRate({
      group,
      name: `random lookups in batches of ${GET_MANY_BATCH} keys (\`kv.getMany\`, memory, ${n} keys)`,
      unit: 'lookups/s',
      runs,
      operations: n,
      setup: () => loaded,
      body: (kv) => {
        let found = 0
        for (let i = 0; i < n; i += GET_MANY_BATCH) {
          const values = kv.getMany(TREE, lookupKeys.slice(i, i + GET_MANY_BATCH))
          for (const value of values) if (value !== undefined && value.length === VALUE_BYTES) found++
        }
        expectEqual(found, n, 'getMany lookups found')
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
