/**
 * ConflictLog and ReadSet: what recent commits wrote, for write-write conflicts and SERIALIZABLE validation.
 * Owns: per commit (numbered by the manager's commit counter, in commit order) the keys it wrote per tree,
 * as the sorted write-set entries the commit already built (no copy, no per-key index), or "the whole tree"
 * for trees it created, truncated or dropped; a SERIALIZABLE transaction's reads (keys and key ranges).
 *
 * Questions it answers, for a transaction whose snapshot saw the commits <= `since`:
 *   - changedSince(tree, key, since): did a commit it cannot see write this key? (REPEATABLE READ raises
 *     40001 on writing such a row; READ COMMITTED re-reads it.) A binary search per newer commit.
 *   - firstConflict(reads, since): did a commit it cannot see write something it read? (SERIALIZABLE's
 *     commit-time validation: then its reads were stale at commit and no serial order explains it.)
 *
 * Invariants:
 *   (1) Entries are appended in ascending counter order, one per commit that wrote anything, at the moment
 *       the commit is validated (before its storage write), so a later validation sees every earlier one.
 *   (2) prune(min) drops only entries with counter <= min, where min is at most the counter of every open
 *       snapshot: no transaction can ask about them any more. Memory is bounded by the commits that happened
 *       during the oldest open transaction.
 *   (3) The entry arrays are never mutated after append (the committed transaction is over).
 * Not here: locks (lock-manager.ts), deciding the isolation outcome (transaction.ts).
 */
import { compareKeys } from '../storage/index.js'
import type { WriteEntry } from './write-set.js'

/** What one commit wrote to one tree: its sorted entries, or 'all' (tree created, truncated or dropped). */
export type TreeChange = readonly WriteEntry[] | 'all'

interface LogEntry {
  readonly counter: number
  readonly trees: ReadonlyMap<string, TreeChange>
}

/** A key range read by a scan (bounds as byte keys; undefined = open). */
export interface ReadRange {
  readonly lower: Uint8Array | undefined
  readonly lowerInclusive: boolean
  readonly upper: Uint8Array | undefined
  readonly upperInclusive: boolean
}

/** The keys and key ranges one SERIALIZABLE transaction read, per tree. */
export class ReadSet {
  readonly points = new Map<string, Uint8Array[]>()
  readonly ranges = new Map<string, ReadRange[]>()

  addPoint(tree: string, key: Uint8Array): void {
    let list = this.points.get(tree)
    if (list === undefined) this.points.set(tree, (list = []))
    list.push(key)
  }

  addRange(tree: string, range: ReadRange): void {
    let list = this.ranges.get(tree)
    if (list === undefined) this.ranges.set(tree, (list = []))
    // A full-tree read subsumes everything else on the tree.
    if (list.length === 1 && list[0].lower === undefined && list[0].upper === undefined) return
    if (range.lower === undefined && range.upper === undefined) list.length = 0
    list.push(range)
  }

  get empty(): boolean {
    return this.points.size === 0 && this.ranges.size === 0
  }
}

/** Index of the first entry with key >= `key` (or > when `exclusive`). */
function lowerBound(entries: readonly WriteEntry[], key: Uint8Array, exclusive: boolean): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareKeys(entries[mid].key, key)
    if (c < 0 || (exclusive && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

function contains(entries: readonly WriteEntry[], key: Uint8Array): boolean {
  const i = lowerBound(entries, key, false)
  return i < entries.length && compareKeys(entries[i].key, key) === 0
}

/** True when some entry's key lies in `range`. */
function anyInRange(entries: readonly WriteEntry[], range: ReadRange): boolean {
  const i = range.lower === undefined ? 0 : lowerBound(entries, range.lower, !range.lowerInclusive)
  if (i >= entries.length) return false
  if (range.upper === undefined) return true
  const c = compareKeys(entries[i].key, range.upper)
  return c < 0 || (c === 0 && range.upperInclusive)
}

/**
 * The recent commits' write sets.
 *
 * @example
 * log.append(7, new Map([['t3', sortedEntries]]))
 * log.changedSince('t3', key, 6)          // true
 * log.firstConflict(readSet, 6)           // 't3' when the reader read a key commit 7 wrote
 * log.prune(7)
 */
export class ConflictLog {
  #entries: LogEntry[] = []

  get size(): number {
    return this.#entries.length
  }

  append(counter: number, trees: ReadonlyMap<string, TreeChange>): void {
    if (trees.size > 0) this.#entries.push({ counter, trees })
  }

  /** Entries with counter > since, newest last. */
  *#after(since: number): Generator<LogEntry, void, undefined> {
    const list = this.#entries
    let i = list.length
    while (i > 0 && list[i - 1].counter > since) i--
    for (; i < list.length; i++) yield list[i]
  }

  /** True when a commit numbered above `since` wrote `key` in `tree` (or replaced the whole tree). */
  changedSince(tree: string, key: Uint8Array, since: number): boolean {
    const list = this.#entries
    if (list.length === 0 || list[list.length - 1].counter <= since) return false
    for (const e of this.#after(since)) {
      const change = e.trees.get(tree)
      if (change === undefined) continue
      if (change === 'all' || contains(change, key)) return true
    }
    return false
  }

  /** True when a commit numbered above `since` wrote anything in `tree`. */
  treeChangedSince(tree: string, since: number): boolean {
    for (const e of this.#after(since)) if (e.trees.has(tree)) return true
    return false
  }

  /** The first tree where a commit numbered above `since` wrote something `reads` covers, or null. */
  firstConflict(reads: ReadSet, since: number): string | null {
    for (const e of this.#after(since)) {
      for (const [tree, change] of e.trees) {
        const points = reads.points.get(tree)
        const ranges = reads.ranges.get(tree)
        if (points === undefined && ranges === undefined) continue
        if (change === 'all') return tree
        if (points !== undefined) for (const p of points) if (contains(change, p)) return tree
        if (ranges !== undefined) for (const r of ranges) if (anyInRange(change, r)) return tree
      }
    }
    return null
  }

  /** Drops entries with counter <= `min` (invariant 2). */
  prune(min: number): void {
    const list = this.#entries
    let n = 0
    while (n < list.length && list[n].counter <= min) n++
    if (n > 0) this.#entries = list.slice(n)
  }
}
