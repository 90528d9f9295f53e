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
