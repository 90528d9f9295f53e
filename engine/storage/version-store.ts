/**
 * VersionStore: older values of keys, for readers at an older snapshot.
 * Owns: the previous values the core returned (`returnOld`) for every batch, keyed by the batch's commit
 * sequence number; point and range lookups "as of snapshot s"; dropping what no reader needs.
 *
 * Pages always hold the newest applied state. A reader at snapshot s (it saw the commits <= s) reads key k
 * of tree t as: the old value recorded by the FIRST batch c > s that changed (t, k), if there is one (that
 * is the value before c, and no batch in (s, c) changed k); otherwise the value on the pages.
 *
 * Memory layout, two stages:
 *
 *     record(seq, root, keys, olds)        raw arrays, appended per core call; O(1) per call
 *     recordPacked(seq, root, bytes, ...)   or the call's packed input and result records, as they are
 *        |
 *        v  #index(): only when a reader at an older snapshot actually asks
 *     roots: Map<root, Map<keyString, { key, versions: [{ seq, value }, ...] ascending seq }>>
 *            + per root a sorted key list, rebuilt lazily for range lookups
 *
 * Invariants:
 *   (1) Batches are recorded in ascending seq order; a chain's versions are in ascending seq order and hold
 *       at most one version per seq: the FIRST old value a batch recorded for the key (a batch that writes a
 *       key twice recorded its own first write as the second old value).
 *   (2) Every batch with seq > the oldest reader's snapshot is present (pruneThrough never drops one), so
 *       "the first batch after s" is never missing.
 *   (3) Indexed and unindexed batches agree: pruning and discarding remove a batch's versions from the
 *       chains exactly when the batch was indexed.
 *   (4) Old values are owned copies (the core returns copies), never views into WASM memory. Packed keys
 *       are views into a sealed WriteBatch's segments, which never change after commit().
 * Not here: which snapshots exist and when to prune (kv-store.ts, snapshot.ts); the current values (core).
 */
import { internalError } from '../common/index.js'
import { type PackedResults, packedKeys } from '../wasm/index.js'
import { compareKeys } from './key-codec.js'

/** Returned by lookups when no batch after the snapshot changed the key: read the pages. */
export const UNCHANGED: unique symbol = Symbol('unchanged')

/**
 * One core call's old values: `olds[i]` was the value of `keys[i]` in tree `root` before the call. Recorded
 * either as arrays, or packed as the core's input and output (a key segment and the result records it
 * returned), which costs no per-key work until a reader at an older snapshot needs the index.
 */
interface PackedChange {
  readonly bytes: Uint8Array
  readonly count: number
  readonly withValues: boolean
  readonly results: PackedResults
}

class Change {
  readonly root: number
  #keys: readonly Uint8Array[] | undefined
  #olds: readonly (Uint8Array | undefined)[] | undefined
  readonly #packed: PackedChange | undefined

  constructor(
    root: number,
    keys: readonly Uint8Array[] | undefined,
    olds: readonly (Uint8Array | undefined)[] | undefined,
    packed?: PackedChange,
  ) {
    this.root = root
    this.#keys = keys
    this.#olds = olds
    this.#packed = packed
  }

  get keys(): readonly Uint8Array[] {
    if (this.#keys === undefined) {
      const p = this.#packed as PackedChange
      this.#keys = packedKeys(p.bytes, p.count, p.withValues)
    }
    return this.#keys
  }

  get olds(): readonly (Uint8Array | undefined)[] {
    return (this.#olds ??= (this.#packed as PackedChange).results.values())
  }
}

/** The old values of one commit sequence number. */
interface BatchRecord {
  readonly seq: number
  readonly changes: Change[]
  /** Bytes held, for stats. */
  bytes: number
}

interface Version {
  readonly seq: number
  readonly value: Uint8Array | undefined
}

interface Chain {
  readonly key: Uint8Array
  readonly versions: Version[]
}

interface RootIndex {
  readonly chains: Map<string, Chain>
  /** Key strings in ascending byte order; undefined when it must be rebuilt. */
  sorted: string[] | undefined
}

/** Bounds of a range lookup (defaults as ScanRange: lower inclusive, upper exclusive). */
export interface KeyBounds {
  lower?: Uint8Array
  lowerInclusive?: boolean
  upper?: Uint8Array
  upperInclusive?: boolean
}

/**
 * A key's bytes as a string of char codes 0..255 ("latin1"). JS compares such strings code unit by code unit,
 * which is exactly memcmp order with shorter-prefix-first, so the strings sort like the keys.
 */
export function keyString(key: Uint8Array): string {
  if (key.length <= 4096) return String.fromCharCode.apply(null, key as unknown as number[])
  let out = ''
  for (let i = 0; i < key.length; i += 4096) out += String.fromCharCode.apply(null, key.subarray(i, i + 4096) as unknown as number[])
  return out
}

/** Old values by commit sequence number; see the file header. */
export class VersionStore {
  #batches: BatchRecord[] = []
  /** #batches[0, #indexed) are in #roots (invariant 3). */
  #indexed = 0
  #roots = new Map<number, RootIndex>()
  #bytes = 0

  /** Number of commit sequence numbers with recorded old values. */
  get batches(): number {
    return this.#batches.length
  }

  /** Approximate bytes of keys and old values held. */
  get bytes(): number {
    return this.#bytes
  }

  /** Sequence number of the newest recorded batch, or undefined. */
  get newestSeq(): number | undefined {
    return this.#batches.at(-1)?.seq
  }

  /** Records one core call's old values for batch `seq` (which is >= every seq recorded so far). */
  record(seq: number, root: number, keys: readonly Uint8Array[], olds: readonly (Uint8Array | undefined)[]): void {
    if (keys.length !== olds.length) throw internalError(`version store: ${keys.length} keys but ${olds.length} old values`)
    if (keys.length === 0) return
    let bytes = 0
    for (let i = 0; i < keys.length; i++) bytes += keys[i].length + (olds[i]?.length ?? 0) + 32
    this.#add(seq, new Change(root, keys, olds), bytes)
  }

  /**
   * Records the old values of one packed core call for batch `seq`: the `count` entries of `bytes` (the
   * packed input: keys, with values when `withValues`; the store keeps it unchanged) and the result records
   * the core returned for them (invariant 4: copies).
   */
  recordPacked(seq: number, root: number, bytes: Uint8Array, count: number, withValues: boolean, results: PackedResults): void {
    if (results.count !== count) throw internalError(`version store: ${count} keys but ${results.count} old values`)
    if (count === 0) return
    this.#add(seq, new Change(root, undefined, undefined, { bytes, count, withValues, results }), bytes.length + results.bytes + 24 * count)
  }

  #add(seq: number, change: Change, bytes: number): void {
    let last = this.#batches.at(-1)
    if (last === undefined || last.seq !== seq) {
      if (last !== undefined && last.seq > seq) throw internalError(`version store (1): batch ${seq} recorded after batch ${last.seq}`)
      last = { seq, changes: [], bytes: 0 }
      this.#batches.push(last)
    }
    last.changes.push(change)
    last.bytes += bytes
    this.#bytes += bytes
  }

  /**
   * The value of (root, key) as of snapshot `seq`: the old value recorded by the first batch after `seq` that
   * changed it (undefined when the key was absent then), or UNCHANGED when no batch after `seq` changed it.
   */
  lookup(root: number, key: Uint8Array, seq: number): Uint8Array | undefined | typeof UNCHANGED {
    if (this.#batches.length === 0 || (this.#batches.at(-1) as BatchRecord).seq <= seq) return UNCHANGED
    this.#index()
    const chain = this.#roots.get(root)?.chains.get(keyString(key))
    if (chain === undefined) return UNCHANGED
    return versionAfter(chain, seq)
  }

  /**
   * Every key of `root` within `bounds` that some batch after `seq` changed, with its value as of `seq`
   * (undefined: absent then), in ascending key order.
   */
  rangeAt(root: number, seq: number, bounds: KeyBounds): [Uint8Array, Uint8Array | undefined][] {
    const out: [Uint8Array, Uint8Array | undefined][] = []
    if (this.#batches.length === 0 || (this.#batches.at(-1) as BatchRecord).seq <= seq) return out
    this.#index()
    const index = this.#roots.get(root)
    if (index === undefined) return out
    const sorted = (index.sorted ??= [...index.chains.keys()].sort())
    let i = 0
    if (bounds.lower !== undefined) {
      const lower = keyString(bounds.lower)
      const inclusive = bounds.lowerInclusive ?? true
      i = lowerBound(sorted, lower)
      if (!inclusive && i < sorted.length && sorted[i] === lower) i++
    }
    const upper = bounds.upper === undefined ? undefined : keyString(bounds.upper)
    const upperInclusive = bounds.upperInclusive ?? false
    for (; i < sorted.length; i++) {
      const k = sorted[i]
      if (upper !== undefined && (k > upper || (k === upper && !upperInclusive))) break
      const chain = index.chains.get(k) as Chain
      const value = versionAfter(chain, seq)
      if (value !== UNCHANGED) out.push([chain.key, value])
    }
    return out
  }

  /** Drops every batch with seq <= `seq`: no reader is older than `seq` any more (invariant 2). */
  pruneThrough(seq: number): void {
    let n = 0
    while (n < this.#batches.length && this.#batches[n].seq <= seq) n++
    if (n === 0) return
    for (let b = 0; b < n; b++) {
      const batch = this.#batches[b]
      this.#bytes -= batch.bytes
      if (b < this.#indexed) this.#unindex(batch, 'front')
    }
    this.#batches.splice(0, n)
    this.#indexed = Math.max(0, this.#indexed - n)
  }

  /** Drops every batch with seq > `seq` (a failed commit group is rolled back). */
  discardAfter(seq: number): void {
    while (this.#batches.length > 0 && (this.#batches.at(-1) as BatchRecord).seq > seq) {
      const batch = this.#batches.pop() as BatchRecord
      this.#bytes -= batch.bytes
      if (this.#indexed > this.#batches.length) {
        this.#unindex(batch, 'back')
        this.#indexed = this.#batches.length
      }
    }
  }

  /** Indexes the batches recorded since the last index (invariant 1: the first old value per seq wins). */
  #index(): void {
    for (; this.#indexed < this.#batches.length; this.#indexed++) {
      const batch = this.#batches[this.#indexed]
      for (const change of batch.changes) {
        const keys = change.keys
        const olds = change.olds
        let index = this.#roots.get(change.root)
        if (index === undefined) {
          index = { chains: new Map(), sorted: undefined }
          this.#roots.set(change.root, index)
        }
        for (let i = 0; i < keys.length; i++) {
          const k = keyString(keys[i])
          let chain = index.chains.get(k)
          if (chain === undefined) {
            chain = { key: keys[i], versions: [] }
            index.chains.set(k, chain)
            index.sorted = undefined
          }
          const last = chain.versions.at(-1)
          if (last !== undefined && last.seq === batch.seq) continue
          chain.versions.push({ seq: batch.seq, value: olds[i] })
        }
      }
    }
  }

  /** Removes an indexed batch's versions from the chains, at the front (prune) or back (discard). */
  #unindex(batch: BatchRecord, end: 'front' | 'back'): void {
    for (const change of batch.changes) {
      const index = this.#roots.get(change.root)
      if (index === undefined) continue
      for (const key of change.keys) {
        const k = keyString(key)
        const chain = index.chains.get(k)
        if (chain === undefined) continue
        const version = end === 'front' ? chain.versions[0] : chain.versions.at(-1)
        if (version === undefined || version.seq !== batch.seq) continue
        if (end === 'front') chain.versions.shift()
        else chain.versions.pop()
        if (chain.versions.length === 0) {
          index.chains.delete(k)
          index.sorted = undefined
        }
      }
      if (index.chains.size === 0) this.#roots.delete(change.root)
    }
  }
}

function versionAfter(chain: Chain, seq: number): Uint8Array | undefined | typeof UNCHANGED {
  const versions = chain.versions
  // Chains are short (one version per commit that changed the key while an old reader was open).
  for (let i = 0; i < versions.length; i++) if (versions[i].seq > seq) return versions[i].value
  return UNCHANGED
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Sorts [key, value] pairs in key order (ascending, or descending when `reverse`). */
export function sortEntries<T>(entries: [Uint8Array, T][], reverse: boolean): [Uint8Array, T][] {
  entries.sort((a, b) => (reverse ? compareKeys(b[0], a[0]) : compareKeys(a[0], b[0])))
  return entries
}
