/**
 * The storage worker's message protocol: what the page asks (one typed union) and what the worker answers.
 * Owns: the shape of every message between demo/storage-client.ts and demo/storage-worker.ts.
 * Invariants:
 *   (1) Every request carries an `id`; the worker answers each exactly once with the same `id`.
 *   (2) Errors cross as RustyErrorData (plain data); the client rebuilds a RustyError from it.
 *   (3) Bytes cross as Uint8Array (structured clone copies them; nothing aliases WASM memory).
 * Not here: the SQL protocol of the future `web/` worker; this one speaks the storage layer (KvStore and the
 * OPFS adapter's files) for the storage smoke page and the browser tests.
 */
import type { RustyErrorData } from '../engine/common/index.js'

/** One operation of a write batch, applied in order. */
export type BatchOp =
  | { readonly kind: 'createTree'; readonly tree: string }
  | { readonly kind: 'dropTree'; readonly tree: string }
  | { readonly kind: 'put'; readonly tree: string; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly tree: string; readonly key: Uint8Array }

/** Buffer pool counters, as WasmCore reports them. */
export interface PoolStatsData {
  frames: number
  dirty: number
  hits: number
  misses: number
  evictions: number
  spills: number
}

/** What KvStore.check() verified (plain data). */
export interface CheckReportData {
  pageCount: number
  freePages: number
  directoryPages: number
  trees: { name: string; root: number; entries: number; pages: number; depth: number; dropped: boolean }[]
}

/** What the smoke page shows about an open store. */
export interface StoreInfo {
  /** The adapter's kind (`'opfs'`). */
  storage: string
  name: string
  /** OPFS sub-directory the files live in ('' for the root). */
  directory: string
  /** Sequence number of the last acknowledged commit, as a decimal string (u64). */
  commitSeq: string
  trees: { name: string; entries: number }[]
  /** Bytes in the WAL (0 right after a checkpoint). */
  walBytes: number
  pool: PoolStatsData
}

/** Request payloads by operation; {@link StorageRequest} is the union of them. */
export interface StorageOps {
  /** Opens (or creates) the worker's KvStore on OPFS. One store per worker. */
  'kv.open': {
    request: {
      name: string
      directory?: string
      create: boolean
      pageSize?: number
      cachePages?: number
      /** OpfsAdapter's lockTimeoutMs (default 2000). */
      lockTimeoutMs?: number
    }
    result: StoreInfo
  }
  'kv.close': { request: object; result: null }
  /** Applies the ops as one atomic batch; resolves once durable. */
  'kv.commit': { request: { ops: BatchOp[] }; result: { seq: string } }
  'kv.get': { request: { tree: string; key: Uint8Array }; result: Uint8Array | null }
  /** Entries of a range in key order (reverse when asked), at most `limit` (default: all). */
  'kv.scan': {
    request: { tree: string; lower?: Uint8Array; upper?: Uint8Array; reverse?: boolean; limit?: number }
    result: [Uint8Array, Uint8Array][]
  }
  /** Runs KvStore.check(): every tree and the freelist; each page used exactly once. */
  'kv.check': { request: object; result: CheckReportData }
  'kv.checkpoint': { request: object; result: null }
  'kv.info': { request: object; result: StoreInfo }
  /** Opens a raw file through OpfsAdapter; the result is a handle number for the other file ops. */
  'file.open': {
    request: { name: string; directory?: string; create: boolean; lockTimeoutMs?: number }
    result: { handle: number }
  }
  'file.read': { request: { handle: number; offset: number; length: number }; result: Uint8Array }
  'file.write': { request: { handle: number; offset: number; data: Uint8Array }; result: null }
  'file.size': { request: { handle: number }; result: number }
  'file.truncate': { request: { handle: number; size: number }; result: null }
  'file.sync': { request: { handle: number }; result: null }
  'file.close': { request: { handle: number }; result: null }
  'file.exists': { request: { name: string; directory?: string }; result: boolean }
  'file.remove': { request: { name: string; directory?: string }; result: null }
  /** Whole-file copy in or out of OPFS (through OpfsAdapter), to move databases between platforms. */
  'file.export': { request: { name: string; directory?: string }; result: Uint8Array }
  'file.import': { request: { name: string; directory?: string; data: Uint8Array }; result: null }
}

/** Operation names. */
export type StorageOp = keyof StorageOps

/** Every request the worker understands: one union, discriminated by `op`. */
export type StorageRequest = { [K in StorageOp]: { op: K } & StorageOps[K]['request'] }[StorageOp]

/** The request type of one operation. */
export type RequestOf<K extends StorageOp> = { op: K } & StorageOps[K]['request']

/** The result type of one operation. */
export type ResultOf<K extends StorageOp> = StorageOps[K]['result']

/** Page -> worker. */
export interface RequestMessage {
  id: number
  request: StorageRequest
}

/** Worker -> page: exactly one per request (invariant 1). */
export type ResponseMessage =
  | { id: number; ok: true; result: ResultOf<StorageOp> }
  | { id: number; ok: false; error: RustyErrorData }
