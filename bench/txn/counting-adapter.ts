/**
 * CountingAdapter: a StorageAdapter that forwards every call to another one and counts syncs, so the txn suite
 * can show group commit (concurrent commits sharing one WAL write and one sync) from outside the Database.
 * Owns: the counters, the time spent in group syncs, and telling a commit group's WAL sync from the other syncs.
 * Invariants:
 *   (1) Bytes, results and errors pass through untouched; the wrapper only counts.
 *   (2) A WAL sync counts as a commit group when the last call on the WAL file before it was a write past the
 *       WAL header: a group appends its frames (`Pager.writeCommit` -> `Wal.append`) and then syncs once
 *       (`Pager.syncCommit`). The other WAL syncs follow a truncate (`Wal.reset` at a checkpoint,
 *       `Pager.rollback`) or the header write at offset 0 (`Wal.reset`), and are counted apart.
 *   (3) A sync of the database file is a checkpoint (`Pager.checkpoint` is the only caller while the database
 *       is open).
 * Path not taken: `KvStore.stats().groups` counts groups exactly, but `Database` keeps its KvStore private
 *   (`#kv`) and has no stats accessor; a `db.stats()` exposing `KvStats` would replace this file.
 * Not here: what the counts mean per commit (workloads.ts).
 */
import type { OpenFileOptions, StorageAdapter, StorageFile } from '../../engine/node.js'

/** Counters since the adapter was created; take differences around a measured window. */
export interface SyncCounts {
  /** WAL syncs that made a commit group durable (invariant 2). */
  groups: number
  /** Milliseconds from the start of those syncs until they resolved, summed (the disk's share of a commit). */
  groupSyncMs: number
  /** Every other WAL sync (checkpoint resets, rollbacks). */
  otherWalSyncs: number
  /** Syncs of the database file: checkpoints (invariant 3). */
  checkpoints: number
}

type LastCall = 'none' | 'append' | 'header' | 'truncate'

/** Wraps `inner`; `counts` is live (read it, or copy it with `snapshot()`). */
export class CountingAdapter implements StorageAdapter {
  readonly #inner: StorageAdapter
  readonly counts: SyncCounts = { groups: 0, groupSyncMs: 0, otherWalSyncs: 0, checkpoints: 0 }

  constructor(inner: StorageAdapter) {
    this.#inner = inner
  }

  get kind(): string {
    return this.#inner.kind
  }

  /** A copy of the counters now. */
  snapshot(): SyncCounts {
    return { ...this.counts }
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    const file = await this.#inner.open(name, options)
    const counts = this.counts
    const wal = name.endsWith('-wal')
    let last: LastCall = 'none'
    return {
      name: file.name,
      read: (offset, dst) => file.read(offset, dst),
      write: (offset, src) => {
        last = offset === 0 ? 'header' : 'append'
        file.write(offset, src)
      },
      size: () => file.size(),
      truncate: (size) => {
        last = 'truncate'
        file.truncate(size)
      },
      sync: () => {
        const group = wal && last === 'append'
        last = 'none'
        if (!wal) counts.checkpoints++
        else if (!group) counts.otherWalSyncs++
        if (!group) return file.sync()
        counts.groups++
        const start = performance.now()
        return Promise.resolve(file.sync()).then(() => {
          counts.groupSyncMs += performance.now() - start
        })
      },
      close: () => file.close(),
    }
  }

  exists(name: string): Promise<boolean> {
    return this.#inner.exists(name)
  }

  remove(name: string): Promise<void> {
    return this.#inner.remove(name)
  }
}
