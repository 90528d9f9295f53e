/**
 * Snapshots: read views fixed at a commit sequence number.
 * Owns: the Snapshot handle, the set of open snapshots and the oldest sequence number any of them reads at.
 * Invariants:
 *   (1) A snapshot taken when the last acknowledged commit is s sees exactly the commits <= s, for as long
 *       as it is open (the version store keeps what it needs: kv-store.ts prunes only through
 *       `oldest()`).
 *   (2) Snapshots are registered in ascending seq order (the acknowledged seq never decreases), so the
 *       registry's first key is the oldest open snapshot.
 *   (3) release() is idempotent; a released snapshot refuses reads (55000).
 * Not here: reading at a snapshot (kv-store.ts with version-store.ts).
 */
import { wrongState } from '../common/index.js'

/** A read view at a fixed commit. Release it when done: older values are kept for as long as it is open. */
export class Snapshot {
  /** Sequence number of the last commit this snapshot sees. */
  readonly seq: number
  #registry: SnapshotRegistry | undefined

  /** Use `kv.snapshot()`. */
  constructor(seq: number, registry: SnapshotRegistry) {
    this.seq = seq
    this.#registry = registry
    registry.add(seq)
  }

  /** True once released (or once its store closed). */
  get released(): boolean {
    return this.#registry === undefined
  }

  /** Lets the store drop the older values this snapshot kept alive (invariant 3: idempotent). */
  release(): void {
    const registry = this.#registry
    if (registry === undefined) return
    this.#registry = undefined
    registry.remove(this.seq)
  }

  /** Throws 55000 if the snapshot was released. */
  assertOpen(): void {
    if (this.#registry === undefined) throw wrongState(`snapshot at commit ${this.seq} was released`)
  }

  /** Called by the store at close: the snapshot stops pinning anything. */
  detach(): void {
    this.#registry = undefined
  }
}

/** The open snapshots of one store, as a multiset of sequence numbers (invariant 2). */
export class SnapshotRegistry {
  #counts = new Map<number, number>()
  #onRelease: () => void

  /** `onRelease` runs after a release that may have changed the oldest snapshot. */
  constructor(onRelease: () => void) {
    this.#onRelease = onRelease
  }

  /** Number of open snapshots. */
  get size(): number {
    let n = 0
    for (const c of this.#counts.values()) n += c
    return n
  }

  add(seq: number): void {
    this.#counts.set(seq, (this.#counts.get(seq) ?? 0) + 1)
  }

  remove(seq: number): void {
    const count = this.#counts.get(seq)
    if (count === undefined) return
    if (count > 1) {
      this.#counts.set(seq, count - 1)
      return
    }
    this.#counts.delete(seq)
    this.#onRelease()
  }

  /** Sequence number of the oldest open snapshot, or undefined when none is open. */
  oldest(): number | undefined {
    let min: number | undefined
    for (const seq of this.#counts.keys()) if (min === undefined || seq < min) min = seq
    return min
  }
}
