/**
 * WASM core benchmark: the B+tree through WasmCore directly (no KvStore), 1,000,000 random 16-byte keys with
 * 100-byte values over an in-memory PageHost.
 * Owns: the hot-path figures of engine/wasm: random inserts (putBatch, 1,000 per call), random point lookups
 * (get, one call each) and a full scan (scanBatch) of the committed tree, bulk load, and the same lookups with a
 * pool smaller than the data (eviction and spills through the host).
 * Invariants:
 *   (1) Every workload verifies what it did (entry counts, value lengths, scanned bytes), as
 *       bench/storage.bench.ts does, so a fast wrong answer cannot pass.
 *   (2) Data is generated once per process from a fixed seed.
 * Run alone: `npm run build:wasm && node --expose-gc --import tsx bench/wasm-core.bench.ts` (BENCH_N, BENCH_RUNS).
 */
import { WasmCore, type PageHost } from '../engine/wasm/index.js'
import { type Dataset, KEY_BYTES, VALUE_BYTES, expectEqual, makeDataset } from './support/dataset.js'
import { type Figure, measureRate, printTable } from './support/measure.js'

const PAGE_SIZE = 4096

class MemoryHost implements PageHost {
  readonly pages = new Map<number, Uint8Array>()
  readPage(pageNo: number, dst: Uint8Array): void {
    const image = this.pages.get(pageNo)
    if (image === undefined) throw new Error(`page ${pageNo} does not exist`)
    dst.set(image)
  }
  spillPage(pageNo: number, src: Uint8Array): void {
    this.pages.set(pageNo, src.slice())
  }
}

async function newCore(cachePages: number): Promise<{ core: WasmCore; root: number }> {
  const core = await WasmCore.create({ host: new MemoryHost(), pageSize: PAGE_SIZE, cachePages, fileName: 'bench.rdb' })
  core.formatDatabase()
  return { core, root: core.createTree() }
}

function insertAll(core: WasmCore, root: number, data: Dataset, batch: number): void {
  const n = data.keys.length
  for (let i = 0; i < n; i += batch) {
    const end = Math.min(n, i + batch)
    core.putBatch(root, data.keys.slice(i, end), data.values.slice(i, end), false)
  }
}

/**
 * Seals the dirty pages and marks them clean, as a commit does after its WAL write: the lookups and the scan
 * run on committed pages, as a KvStore's reads do (the child-frame cache describes only clean nodes).
 */
function commit(core: WasmCore): void {
  core.prepareCommit(1n)
  core.markClean()
}

/** Runs the WASM core workloads (BENCH_N entries, BENCH_RUNS runs each); returns the figures. */
export async function runWasmCoreBench(n: number, runs: number): Promise<Figure[]> {
  const data = makeDataset(n)
  const group = `WasmCore, ${n.toLocaleString('en-US')} x (16 B key, 100 B value), ${PAGE_SIZE} B pages`
  const bigCache = 1 << 16
  const figures: Figure[] = []

  figures.push(
    await measureRate({
      group,
      name: 'random inserts (putBatch, 1000 per call)',
      runs,
      operations: n,
      setup: () => newCore(bigCache),
      body: ({ core, root }) => insertAll(core, root, data, 1000),
      teardown: ({ core, root }) => expectEqual(core.checkTree(root).entries, n, 'entries after inserts'),
    }),
  )

  const loaded = await newCore(bigCache)
  insertAll(loaded.core, loaded.root, data, 1000)
  commit(loaded.core)

  figures.push(
    await measureRate({
      group,
      name: 'random point lookups (get)',
      runs,
      operations: n,
      setup: () => loaded,
      body: ({ core, root }) => {
        let found = 0
        for (const i of data.lookupOrder) {
          const v = core.get(root, data.keys[i])
          if (v !== undefined && v.length === VALUE_BYTES) found++
        }
        expectEqual(found, n, 'lookups found')
      },
    }),
  )

  figures.push(
    await measureRate({
      group,
      name: 'full scan (scanBatch)',
      runs,
      operations: n,
      setup: () => loaded,
      body: ({ core, root }) => {
        let count = 0
        let bytes = 0
        let range: { lower?: Uint8Array; lowerInclusive?: boolean } = {}
        for (;;) {
          const batch = core.scanBatch(root, range, 8192)
          count += batch.count
          for (let i = 0; i < batch.count; i++) bytes += batch.keyLengths[i] + batch.valueLengths[i]
          if (batch.done) break
          range = { lower: batch.key(batch.count - 1).slice(), lowerInclusive: false }
        }
        expectEqual(count, n, 'entries scanned')
        expectEqual(bytes, n * (KEY_BYTES + VALUE_BYTES), 'bytes scanned')
      },
    }),
  )

  figures.push(
    await measureRate({
      group,
      name: 'bulk load (sorted input)',
      runs,
      operations: n,
      setup: () => newCore(bigCache),
      body: ({ core, root }) => {
        core.bulkLoad(
          root,
          (function* () {
            for (const i of data.sortedOrder) yield [data.keys[i], data.values[i]] as const
          })(),
        )
      },
      teardown: ({ core, root }) => expectEqual(core.checkTree(root).entries, n, 'entries after bulk load'),
    }),
  )

  // A pool of a quarter of the data: lookups miss, verify checksums and evict.
  const small = await newCore(bigCache)
  insertAll(small.core, small.root, data, 1000)
  const host = new MemoryHost()
  const { pages, offsets } = small.core.prepareCommit(1n)
  const memory = new Uint8Array(small.core.memory.buffer)
  for (let i = 0; i < pages.length; i++) host.pages.set(pages[i], memory.slice(offsets[i], offsets[i] + PAGE_SIZE))
  const quarter = Math.max(64, Math.floor(host.pages.size / 4))
  const cold = await WasmCore.create({ host, pageSize: PAGE_SIZE, cachePages: quarter, fileName: 'bench.rdb' })
  cold.openDatabase()
  figures.push(
    await measureRate({
      group,
      name: `random point lookups, pool = 1/4 of the pages (${quarter} frames)`,
      runs,
      operations: n,
      setup: () => cold,
      body: (core) => {
        let found = 0
        for (const i of data.lookupOrder) if (core.get(small.root, data.keys[i]) !== undefined) found++
        expectEqual(found, n, 'cold lookups found')
      },
    }),
  )
  return figures
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')
if (invokedDirectly) {
  const n = Number(process.env.BENCH_N ?? 1_000_000)
  const runs = Number(process.env.BENCH_RUNS ?? 3)
  printTable('WASM core (B+tree through WasmCore)', await runWasmCoreBench(n, runs))
}
