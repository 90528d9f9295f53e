/**
 * SyncTimingAdapter: a StorageAdapter that forwards every call to another one and times the WAL syncs that
 * make commit groups durable, so the txn suite can print how long the disk took per group beside the rates.
 * Owns: the timer, and telling a commit group's WAL sync from the other syncs.
 * Invariants:
 *   (1) Bytes, results and errors pass through untouched; the wrapper only measures.
 *   (2) A WAL sync is a commit group's when the last call on the WAL file before it was a write past the WAL
 *       header: a group appends its frames (`Pager.writeCommit` -> `Wal.append`) and then syncs once
 *       (`Pager.syncCommit`). The other WAL syncs follow a truncate (`Wal.reset` at a checkpoint,
 *       `Pager.rollback`) or the header write at offset 0 (`Wal.reset`). The suite checks the count against
 *       `db.stats().storage.groups` (workloads.ts), so a change in the pager cannot skew the timing silently.
 *   (3) A group's time runs from the call of `sync()` to the moment its promise resolves on the main thread,
 *       so it includes the wait for the event loop to deliver the completion, as a commit experiences it.
 * Not here: counting groups and checkpoints (`db.stats().storage`).
 */
import type { OpenFileOptions, StorageAdapter, StorageFile } from '../../engine/node.js'

/** Totals since the adapter was created; take differences around a measured window. */
export interface GroupSyncTotals {
  /** WAL syncs of commit groups (invariant 2). */
  groups: number
  /** Their durations summed, in ms (invariant 3). */
  ms: number
}

/** Wraps `inner` and times group syncs on every file it opens. */
export class SyncTimingAdapter implements StorageAdapter {
  readonly #inner: StorageAdapter
  readonly #totals: GroupSyncTotals = { groups: 0, ms: 0 }

  constructor(inner: StorageAdapter) {
    this.#inner = inner
  }

  get kind(): string {
    return this.#inner.kind
  }

  /** A copy of the totals now. */
  totals(): GroupSyncTotals {
    return { ...this.#totals }
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    const file = await this.#inner.open(name, options)
    const totals = this.#totals
    const wal = name.endsWith('-wal')
    let appended = false
    return {
      name: file.name,
      read: (offset, dst) => file.read(offset, dst),
      write: (offset, src) => {
        appended = offset > 0
        file.write(offset, src)
      },
      size: () => file.size(),
      truncate: (size) => {
        appended = false
        file.truncate(size)
      },
      sync: () => {
        const group = wal && appended
        appended = false
        if (!group) return file.sync()
        totals.groups++
        const start = performance.now()
        return Promise.resolve(file.sync()).then(() => {
          totals.ms += performance.now() - start
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
