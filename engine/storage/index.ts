/**
 * engine/storage: the folder's public surface. Browser-safe: nothing here imports Node built-ins
 * (engine/storage/node.ts adds NodeFsAdapter on top of this).
 */
export {
  fileClosed,
  fileNotFound,
  type OpenFileOptions,
  type StorageAdapter,
  type StorageFile,
} from './storage-adapter.js'
export { MemoryAdapter } from './adapters/memory-adapter.js'
export {
  DEFAULT_CHECKPOINT_BYTES,
  KvStore,
  type CheckReport,
  type CommitInfo,
  type KvStats,
  type KvStoreOptions,
  type TreeReport,
} from './kv-store.js'
export { DEFAULT_CACHE_PAGES, DEFAULT_PAGE_SIZE, FORMAT_VERSION, type CheckpointResult } from './pager.js'
export { Snapshot } from './snapshot.js'
export { SpillFile, SpillNotReady, type SpillRun, type SpillStats } from './spill-file.js'
export type { WalRecovery } from './wal.js'
export { MAX_VALUE_BYTES, WriteBatch, type BatchOp } from './write-batch.js'
export type { EntryBatch, ScanRange } from '../wasm/index.js'
export { OpfsAdapter, type OpfsAdapterOptions } from './adapters/opfs-adapter.js'
export {
  KeyEncoder,
  KeyTag,
  compareKeys,
  decodeKey,
  encodeKey,
  prefixUpperBound,
  type KeyColumnType,
  type KeyDirection,
  type KeyType,
  type KeyValue,
} from './key-codec.js'
