/**
 * WriteSet: a transaction's private, uncommitted changes to the trees of one KvStore.
 * Owns: per-tree sorted overlays (key -> new value or tombstone), the tree-level changes (created, dropped,
 * truncated), the undo log that savepoints roll back, and the merge of an overlay over a snapshot scan.
 * Invariants:
 *   (1) A tree's overlay answers every key it holds: a value (put) or null (a tombstone, delete). Keys it does
 *       not hold read through to the snapshot, unless the tree's base is 'empty' (created or truncated in
 *       this transaction), in which case they are absent.
 *   (2) `sorted()` returns the live entries in ascending key order (compareKeys); appends in ascending order
 *       (bulk inserts by row id) go straight to the sorted array, any other insertion waits in `pending` and is
 *       merged in on the next read (amortised O(n log n) for any order).
 *   (3) Undo records are kept only while a savepoint is open; rolling back to a savepoint replays them in
 *       reverse, so the overlay is exactly what it was when the savepoint was taken.
 *   (4) A key greater than every key in the overlay (the bulk-insert case: new row ids, ascending keys) is
 *       appended to the sorted array without a Map entry; lookups that miss the Map binary-search the sorted
 *       array while such entries exist. Other keys get a Map entry (id = keyId) and wait in `pending`.
 * Not here: what the keys and values mean (transaction.ts), applying to storage (txn-manager.ts commit).
 */
import { compareKeys } from '../storage/index.js'

/** One overlay entry; `value` null is a tombstone. `live` false once undone (it is then skipped). */
export interface WriteEntry {
  readonly key: Uint8Array
  value: Uint8Array | null
  live: boolean
}

/** A string that identifies a key's bytes (Map key); one char per byte. */
export function keyId(key: Uint8Array): string {
  const n = key.length
  if (n <= 24) {
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCharCode(key[i])
    return s
  }
  let s = ''
  for (let i = 0; i < n; i += 4096) s += String.fromCharCode.apply(null, key.subarray(i, i + 4096) as unknown as number[])
  return s
}

/** An undo record: restore `tree`'s entry for `key` to `previous` (undefined: the key was not in the overlay). */
interface UndoRecord {
  readonly tree: TreeWrites
  readonly key: Uint8Array
  readonly previous: Uint8Array | null | undefined
}

/** The overlay of one tree. */
export class TreeWrites {
  readonly name: string
  /** True when the tree exists in the transaction's snapshot. */
  readonly existedAtStart: boolean
  /** 'snapshot': committed entries show through; 'empty': created or truncated here, nothing shows through. */
  base: 'snapshot' | 'empty'
  /** True when the tree does not exist any more at the end of the transaction (dropped). */
  dropped = false
  #map = new Map<string, WriteEntry>()
  #sorted: WriteEntry[] = []
  #pending: WriteEntry[] = []
  #dead = 0
  /** Entries appended to the sorted array without a Map entry (invariant 4). */
  #unmapped = 0

  constructor(name: string, existedAtStart: boolean, base: 'snapshot' | 'empty') {
    this.name = name
    this.existedAtStart = existedAtStart
    this.base = base
  }

  /** Number of keys in the overlay (puts and tombstones). */
  get size(): number {
    return this.#map.size + this.#unmapped
  }

  /** The overlay's entry for `key`, or undefined (then the snapshot answers, unless base is 'empty'). */
  get(key: Uint8Array): WriteEntry | undefined {
    if (this.#map.size > 0) {
      const e = this.#map.get(keyId(key))
      if (e !== undefined) return e
    }
    return this.#unmapped > 0 ? this.#search(key) : undefined
  }

  /** The unmapped entry with `key` in the sorted array (invariant 4), by binary search. */
  #search(key: Uint8Array): WriteEntry | undefined {
    const sorted = this.#sorted
    const n = sorted.length
    if (n === 0 || compareKeys(key, sorted[n - 1].key) > 0) return undefined
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareKeys(sorted[mid].key, key) < 0) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < n && compareKeys(sorted[i].key, key) === 0; i++) if (sorted[i].live) return sorted[i]
    return undefined
  }

  /** Sets `key` to `value` (null: tombstone). Returns what the overlay held before (undefined: nothing). */
  set(key: Uint8Array, value: Uint8Array | null): Uint8Array | null | undefined {
    const sorted = this.#sorted
    // Fast path (invariant 4): a key above every key of the overlay is new; no Map entry needed.
    if (this.#pending.length === 0 && (sorted.length === 0 || compareKeys(sorted[sorted.length - 1].key, key) < 0)) {
      sorted.push({ key, value, live: true })
      this.#unmapped++
      return undefined
    }
    const old = this.get(key)
    if (old !== undefined) {
      const previous = old.value
      old.value = value
      return previous
    }
    const entry: WriteEntry = { key, value, live: true }
    this.#map.set(keyId(key), entry)
    this.#pending.push(entry)
    return undefined
  }

  /** Removes `key` from the overlay (undo of an insertion into it). */
  remove(key: Uint8Array): void {
    const id = this.#map.size > 0 ? keyId(key) : ''
    const old = this.#map.get(id)
    if (old !== undefined) {
      this.#map.delete(id)
      old.live = false
      this.#dead++
      return
    }
    const e = this.#search(key)
    if (e === undefined) return
    // Unmapped entries leave the sorted array at once (undo is rare), so #search never meets them dead.
    this.#sorted.splice(this.#sorted.indexOf(e), 1)
    this.#unmapped--
  }

  /** Forgets every entry (TRUNCATE / DROP of the tree). */
  clear(): void {
    this.#map.clear()
    this.#sorted = []
    this.#pending = []
    this.#dead = 0
    this.#unmapped = 0
  }

  /** The live entries in ascending key order (invariant 2). The array is shared: do not modify it. */
  sorted(): WriteEntry[] {
    if (this.#pending.length > 0 && this.#pending.length <= 8) {
      // A few new keys (statements interleaved with scans): insert in place, no new array.
      const sorted = this.#sorted
      for (const e of this.#pending) sorted.splice(lowerIndex(sorted, e.key, true), 0, e)
      this.#pending = []
    } else if (this.#pending.length > 0) {
      const pending = this.#pending
      pending.sort((a, b) => compareKeys(a.key, b.key))
      const a = this.#sorted
      const out: WriteEntry[] = new Array(a.length + pending.length)
      let i = 0
      let j = 0
      let k = 0
      while (i < a.length && j < pending.length) out[k++] = compareKeys(a[i].key, pending[j].key) < 0 ? a[i++] : pending[j++]
      while (i < a.length) out[k++] = a[i++]
      while (j < pending.length) out[k++] = pending[j++]
      this.#sorted = out
      this.#pending = []
    }
    if (this.#dead > 0) {
      this.#sorted = this.#sorted.filter((e) => e.live)
      this.#dead = 0
    }
    return this.#sorted
  }
}

/** Index of the first entry with key >= bound (inclusive) or > bound (exclusive). */
export function lowerIndex(entries: readonly WriteEntry[], bound: Uint8Array | undefined, inclusive: boolean): number {
  if (bound === undefined) return 0
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareKeys(entries[mid].key, bound)
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index just past the last entry with key <= bound (inclusive) or < bound (exclusive). */
export function upperIndex(entries: readonly WriteEntry[], bound: Uint8Array | undefined, inclusive: boolean): number {
  if (bound === undefined) return entries.length
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareKeys(entries[mid].key, bound)
    if (c < 0 || (c === 0 && inclusive)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Every overlay of a transaction, by tree name, with the undo log of invariant (3). */
export class WriteSet {
  readonly trees = new Map<string, TreeWrites>()
  #undo: UndoRecord[] = []
  /** Open savepoints: while > 0, changes are logged for undo. */
  logging = 0

  /** The overlay of `name`, or undefined when the transaction has not touched it. */
  tree(name: string): TreeWrites | undefined {
    return this.trees.get(name)
  }

  /** The overlay of `name`, created on first use (`existed`: whether the tree is in the snapshot). */
  touch(name: string, existed: boolean): TreeWrites {
    let t = this.trees.get(name)
    if (t === undefined) {
      t = new TreeWrites(name, existed, existed ? 'snapshot' : 'empty')
      this.trees.set(name, t)
    }
    return t
  }

  /** Puts or deletes (value null) a key, logging the change while a savepoint is open. */
  set(tree: TreeWrites, key: Uint8Array, value: Uint8Array | null): void {
    const previous = tree.set(key, value)
    if (this.logging > 0) this.#undo.push({ tree, key, previous })
  }

  /** Position in the undo log (a savepoint remembers it). */
  get undoLength(): number {
    return this.#undo.length
  }

  /** Undoes the changes logged after `position` (newest first) and drops them from the log. */
  undoTo(position: number): void {
    const log = this.#undo
    for (let i = log.length - 1; i >= position; i--) {
      const { tree, key, previous } = log[i]
      if (previous === undefined) tree.remove(key)
      else tree.set(key, previous)
    }
    log.length = position
  }

  /** Drops the undo log once no savepoint needs it. */
  trimUndo(): void {
    if (this.logging === 0 && this.#undo.length > 0) this.#undo.length = 0
  }
}
