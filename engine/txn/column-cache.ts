/**
 * Column cache: the decoded columns of whole-table scans, kept between statements and shared by every
 * transaction of a database, so a table that did not change since it was last scanned is not decoded again.
 * Owns: ColumnCache (per table tree: the KvStore tree version the columns were decoded at, the chunks of each
 * column ordinal), which columns may be cached, the memory budget and least-recently-used eviction.
 *
 * A column is held as chunks of BATCH_SIZE values (the last one shorter), exactly the column arrays of the
 * batches the scan that decoded them produced, so serving a cached scan is handing the same arrays out again.
 *
 * Invariants:
 *   (1) An entry holds the rows of `tree` at KvStore tree version `version` (KvStore.treeVersion), decoded
 *       with the column types whose signature is `sig`. A reader uses it only when the tree's current version
 *       is still `version`, its own snapshot is at or after `version` (so the pages it would read are the
 *       ones the entry was decoded from) and it has no uncommitted writes in the tree (transaction.ts).
 *   (2) Cached arrays are never mutated: they are frozen when stored (batch.ts (3) makes consumers treat every
 *       batch as read-only; freezing turns a violation into an error instead of a wrong answer). Only columns
 *       whose values are immutable (JS primitives, Decimal, Interval) are cached: a bytea or array value
 *       could be changed by whoever receives it.
 *   (3) Columns are stored only from a scan that read the whole tree to its end at one tree version; a scan
 *       abandoned early (LIMIT) stores nothing.
 *   (4) The estimated size of all entries never exceeds `maxBytes`; storing past it evicts the least
 *       recently used entries first, and a set of columns larger than the budget is not stored.
 * Not here: deciding when a scan may use the cache (Transaction.scan), tree versions (KvStore).
 */
import { BATCH_SIZE, type Batch } from '../common/batch.js'
import type { SqlType, SqlValue } from '../common/types.js'
import { invalidParameter } from '../common/index.js'

/** Default budget: 64 MiB of estimated column data per database. */
export const DEFAULT_COLUMN_CACHE_BYTES = 64 << 20

/** Estimated bytes per cached value (a slot in a JS array); strings, bigints and objects add their own size. */
const SLOT_BYTES = 8

interface Entry {
  readonly version: number
  readonly sig: string
  readonly rows: number
  /** Column ordinal -> chunks (each frozen, BATCH_SIZE values except the last). */
  readonly columns: Map<number, readonly (readonly SqlValue[])[]>
  bytes: number
}

/** Columns of one table at one version, ready to serve a scan (ColumnCache.lookup). */
export interface CachedColumns {
  readonly rows: number
  readonly chunks: readonly (readonly (readonly SqlValue[])[])[]
}

/** The types whose values are immutable in their internal representation (invariant 2). */
const CACHEABLE = new Set([
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'text',
  'varchar',
  'bpchar',
  'json',
  'jsonb',
  'unknown',
])

/** True when columns of type `t` may be cached (invariant 2). */
export function cacheableType(t: SqlType): boolean {
  return CACHEABLE.has(t.id)
}

const signatures = new WeakMap<readonly SqlType[], string>()

/** A string that identifies a list of column types (typmods included), cached per list. */
export function typesSignature(types: readonly SqlType[]): string {
  let sig = signatures.get(types)
  if (sig === undefined) {
    sig = JSON.stringify(types)
    signatures.set(types, sig)
  }
  return sig
}

export interface ColumnCacheStats {
  readonly tables: number
  readonly bytes: number
  readonly maxBytes: number
  readonly hits: number
  readonly stores: number
  readonly evictions: number
}

export class ColumnCache {
  readonly maxBytes: number
  /** Tree name -> entry; Map order is recency (least recently used first). */
  #entries = new Map<string, Entry>()
  #bytes = 0
  #hits = 0
  #stores = 0
  #evictions = 0

  constructor(maxBytes: number = DEFAULT_COLUMN_CACHE_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw invalidParameter(`invalid columnCacheBytes ${maxBytes}`, 'use a byte count >= 0 (0 turns the column cache off)')
    }
    this.maxBytes = maxBytes
  }

  get enabled(): boolean {
    return this.maxBytes > 0
  }

  /** The requested columns of `tree` at `version`, when every one of them is cached (invariant 1). */
  lookup(tree: string, version: number, sig: string, columns: readonly number[]): CachedColumns | undefined {
    const e = this.#entries.get(tree)
    if (e === undefined) return undefined
    if (e.version !== version || e.sig !== sig) {
      this.#drop(tree, e)
      return undefined
    }
    const chunks: (readonly (readonly SqlValue[])[])[] = []
    for (const c of columns) {
      const col = e.columns.get(c)
      if (col === undefined) return undefined
      chunks.push(col)
    }
    this.#entries.delete(tree)
    this.#entries.set(tree, e)
    this.#hits++
    return { rows: e.rows, chunks }
  }

  /**
   * Stores the columns `ordinals` of `tree` at `version` from the column arrays of a complete scan
   * (`chunks[k]` = the chunks of ordinals[k]); columns of other versions or types are replaced.
   */
  store(tree: string, version: number, sig: string, rows: number, ordinals: readonly number[], chunks: readonly SqlValue[][][]): void {
    if (!this.enabled) return
    let e = this.#entries.get(tree)
    if (e !== undefined && (e.version !== version || e.sig !== sig)) {
      this.#drop(tree, e)
      e = undefined
    }
    let added = 0
    const fresh: [number, SqlValue[][]][] = []
    for (let k = 0; k < ordinals.length; k++) {
      if (e?.columns.has(ordinals[k]) === true || fresh.some(([o]) => o === ordinals[k])) continue
      fresh.push([ordinals[k], chunks[k]])
      added += estimate(chunks[k])
    }
    if (fresh.length === 0) return
    if (added + (e?.bytes ?? 0) > this.maxBytes) return
    this.#evictFor(added, tree)
    if (e === undefined) {
      e = { version, sig, rows, columns: new Map(), bytes: 0 }
      this.#entries.set(tree, e)
    }
    for (const [ordinal, list] of fresh) {
      for (const chunk of list) Object.freeze(chunk)
      e.columns.set(ordinal, Object.freeze(list))
    }
    e.bytes += added
    this.#bytes += added
    this.#stores++
  }

  /** Forgets everything (the database closes). */
  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }

  stats(): ColumnCacheStats {
    return { tables: this.#entries.size, bytes: this.#bytes, maxBytes: this.maxBytes, hits: this.#hits, stores: this.#stores, evictions: this.#evictions }
  }

  #drop(tree: string, e: Entry): void {
    this.#entries.delete(tree)
    this.#bytes -= e.bytes
  }

  /** Evicts least recently used entries (not `keep`) until `bytes` more fit (invariant 4). */
  #evictFor(bytes: number, keep: string): void {
    for (const [tree, e] of this.#entries) {
      if (this.#bytes + bytes <= this.maxBytes) return
      if (tree === keep) continue
      this.#drop(tree, e)
      this.#evictions++
    }
  }
}

/** Batches of cached columns (the chunks are shared; batch.ts (3)). */
export function* cachedBatches(cached: CachedColumns): Generator<Batch, void, undefined> {
  const { rows, chunks } = cached
  const width = chunks.length
  for (let k = 0, start = 0; start < rows; k++, start += BATCH_SIZE) {
    const columns: (readonly SqlValue[])[] = new Array(width)
    for (let c = 0; c < width; c++) columns[c] = chunks[c][k]
    yield { length: Math.min(BATCH_SIZE, rows - start), columns }
  }
}

function estimate(chunks: readonly SqlValue[][]): number {
  let bytes = 0
  for (const chunk of chunks) {
    bytes += chunk.length * SLOT_BYTES
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i]
      if (typeof v === 'string') bytes += 16 + v.length * 2
      else if (typeof v === 'object' || typeof v === 'bigint') bytes += v === null ? 0 : 32
    }
  }
  return bytes
}
