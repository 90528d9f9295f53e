/**
 * engine/wasm: loads the WASM core (assembly/ -> build/rustydb.wasm) and wraps its exports in typed calls.
 * Owns: the public surface engine/storage builds on (the storage spec's "WASM core ABI" section).
 * Invariants:
 *   (1) Each WasmCore is its own WebAssembly instance: own memory, own buffer pool, own buffers.
 *   (2) Every failure surfaces as a RustyError (XX001 corruption naming page and file, 58030 host I/O with the
 *       host's exception as cause, 54000 limits, 53200 out of memory, XX000 internal).
 * Not here: pages on disk, the WAL and commits (engine/storage).
 *
 * @example
 * import { WasmCore } from '../wasm/index.js'
 * const core = await WasmCore.create({ host: pager, pageSize: 4096, cachePages: 4096, fileName: 'app.rdb' })
 * core.openDatabase()
 * const batch = core.scanBatch(root, { lower: from, upper: to })
 * for (let i = 0; i < batch.count; i++) use(batch.key(i), batch.value(i))
 */
export { compileCore } from './loader.js'
export { WasmCore } from './wasm-core.js'
export { PackedEntries, PackedResults, SEGMENT_BYTES, forEachPacked, packedKeys } from './packed-entries.js'
export type {
  CoreDiagnostics,
  CoreOptions,
  EntryBatch,
  HeaderFields,
  PageHost,
  PoolStats,
  ScanRange,
  TreeCheck,
  TreeEvents,
} from './types.js'
