/**
 * rustydb: the public API.
 * Owns: what applications import. Today that is the storage engine: the key-value store over the WASM B+tree
 * (`KvStore`), its storage adapters, the order-preserving key codec, and `RustyError`.
 * The SQL `Database` API (parse -> bind -> plan -> execute -> KvStore) lands with the SQL engine issue and
 * will be walked through here, one statement from parse to storage.
 * Browser-safe: nothing here imports Node built-ins; `engine/node.ts` adds the Node fs adapter.
 *
 * @example
 * import { KvStore, MemoryAdapter } from 'rustydb'
 * const kv = await KvStore.open({ adapter: new MemoryAdapter(), name: 'app.rdb', create: true })
 * await kv.commit(kv.batch().createTree('t').put('t', new Uint8Array([1]), new Uint8Array([2])))
 */
export * from './common/index.js'
export * from './storage/index.js'
