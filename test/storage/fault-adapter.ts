/**
 * FaultAdapter: a StorageAdapter over MemoryAdapter that crashes at a chosen I/O call and models what a real
 * disk keeps of unsynced bytes.
 * Owns: counting writes, syncs and truncates across all files; the crash (that call and every later call of
 * any kind fail with CrashError; a write at the crash point may land as a prefix, torn at a chosen byte);
 * the disk image after the crash.
 * Invariants:
 *   (1) Every file has a durable image (its bytes as of its last sync) and the list of its writes and
 *       truncates since then. Reads see the current bytes (durable + every later op), as a page cache does.
 *   (2) The image after a crash is, per file, the durable image plus a subset of its unsynced ops applied in
 *       order: all of them ('kept'), none ('lost'), or each with probability 1/2 ('random', seeded). A write
 *       torn at the crash point is an unsynced op holding only its prefix.
 *   (3) File creation is durable at once (NodeFsAdapter syncs the directory on create).
 * Not here: what the bytes mean; the assertions (kv-store-fault.test.ts).
 */
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import type { OpenFileOptions, StorageAdapter, StorageFile } from '../../engine/storage/storage-adapter.js'
import { Rng } from './helpers.js'

/** What happens to bytes written since a file's last sync, at the crash. */
export type UnsyncedFate = 'kept' | 'lost' | 'random'

/** Thrown by every call at and after the crash point. */
export class CrashError extends Error {
  override readonly name = 'CrashError'
}

/** The kinds of counted calls. */
export type IoKind = 'write' | 'sync' | 'truncate'

/** One counted call, for diagnostics. */
export interface IoEvent {
  index: number
  kind: IoKind
  file: string
  offset?: number
  bytes?: number
}

/** Where to crash. */
export interface CrashPlan {
  /** Index of the counted call (write, sync or truncate, over all files) that crashes. */
  at: number
  /** For a write at the crash point: how many of its bytes land (a prefix); default 0. */
  tear?: (length: number) => number
}

type UnsyncedOp = { kind: 'write'; offset: number; bytes: Uint8Array } | { kind: 'truncate'; size: number }

/** A growable byte array (a file image). */
class Image {
  data = new Uint8Array(0)
  size = 0

  constructor(bytes?: Uint8Array) {
    if (bytes !== undefined) {
      this.data = bytes.slice()
      this.size = bytes.length
    }
  }

  apply(op: UnsyncedOp): void {
    if (op.kind === 'truncate') {
      this.#reserve(op.size)
      if (op.size < this.size) this.data.fill(0, op.size, this.size)
      this.size = op.size
      return
    }
    const end = op.offset + op.bytes.length
    this.#reserve(end)
    this.data.set(op.bytes, op.offset)
    if (end > this.size) this.size = end
  }

  bytes(): Uint8Array {
    return this.data.slice(0, this.size)
  }

  #reserve(size: number): void {
    if (size <= this.data.length) return
    const grown = new Uint8Array(Math.max(size, this.data.length * 2))
    grown.set(this.data.subarray(0, this.size))
    this.data = grown
  }
}

interface FileState {
  durable: Image
  unsynced: UnsyncedOp[]
}

class FaultFile implements StorageFile {
  readonly name: string
  #adapter: FaultAdapter
  #inner: StorageFile

  constructor(adapter: FaultAdapter, inner: StorageFile) {
    this.name = inner.name
    this.#adapter = adapter
    this.#inner = inner
  }

  read(offset: number, dst: Uint8Array): number {
    this.#adapter.assertAlive()
    return this.#inner.read(offset, dst)
  }

  write(offset: number, src: Uint8Array): void {
    this.#adapter.assertAlive()
    const tear = this.#adapter.count('write', this.name, offset, src.length)
    if (tear !== undefined) {
      if (tear > 0) {
        const prefix = src.slice(0, tear)
        this.#inner.write(offset, prefix)
        this.#adapter.unsynced(this.name, { kind: 'write', offset, bytes: prefix })
      }
      throw new CrashError(`crash at a write of ${src.length} bytes to "${this.name}" (${tear} landed)`)
    }
    this.#inner.write(offset, src)
    this.#adapter.unsynced(this.name, { kind: 'write', offset, bytes: src.slice() })
  }

  size(): number {
    this.#adapter.assertAlive()
    return this.#inner.size()
  }

  truncate(size: number): void {
    this.#adapter.assertAlive()
    if (this.#adapter.count('truncate', this.name, size) !== undefined) throw new CrashError(`crash at a truncate of "${this.name}"`)
    this.#inner.truncate(size)
    this.#adapter.unsynced(this.name, { kind: 'truncate', size })
  }

  async sync(): Promise<void> {
    this.#adapter.assertAlive()
    if (this.#adapter.count('sync', this.name) !== undefined) throw new CrashError(`crash at a sync of "${this.name}"`)
    // A sync covers what was written before it was called; it takes a while, so let other work interleave.
    const covered = this.#adapter.unsyncedOps(this.name)
    await Promise.resolve()
    this.#adapter.assertAlive()
    this.#adapter.synced(this.name, covered)
  }

  close(): void {
    // Closing after the crash is harmless (the process is gone; nothing more reaches the disk).
    if (!this.#adapter.crashed) this.#inner.close()
  }
}

/**
 * A MemoryAdapter that counts I/O calls, crashes at a planned one, and produces the disk image after the
 * crash under a fate for unsynced bytes.
 */
export class FaultAdapter implements StorageAdapter {
  readonly kind = 'fault'
  readonly inner: MemoryAdapter
  /** Counted calls so far (writes + syncs + truncates). */
  calls = 0
  writes = 0
  syncs = 0
  truncates = 0
  crashed = false
  /** Every counted call, when `record` is set. */
  readonly events: IoEvent[] = []
  record = false
  #plan: CrashPlan | undefined
  #files = new Map<string, FileState>()

  constructor(inner: MemoryAdapter = new MemoryAdapter()) {
    this.inner = inner
    for (const [name, bytes] of inner.snapshotFiles()) this.#files.set(name, { durable: new Image(bytes), unsynced: [] })
  }

  /** Crash at counted call `plan.at` (an absolute index: compare with `calls`). */
  arm(plan: CrashPlan): void {
    this.#plan = plan
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    this.assertAlive()
    const inner = await this.inner.open(name, options)
    if (!this.#files.has(name)) this.#files.set(name, { durable: new Image(), unsynced: [] })
    return new FaultFile(this, inner)
  }

  async exists(name: string): Promise<boolean> {
    this.assertAlive()
    return this.inner.exists(name)
  }

  async remove(name: string): Promise<void> {
    this.assertAlive()
    await this.inner.remove(name)
    this.#files.delete(name)
  }

  /** The files as a disk would hold them after the crash (invariant 2), in a fresh MemoryAdapter. */
  imageAfterCrash(fate: UnsyncedFate, seed = 1): MemoryAdapter {
    const rng = new Rng(seed)
    const files = new Map<string, Uint8Array>()
    for (const [name, state] of this.#files) {
      const image = new Image(state.durable.bytes())
      for (const op of state.unsynced) {
        if (fate === 'kept' || (fate === 'random' && rng.chance(0.5))) image.apply(op)
      }
      files.set(name, image.bytes())
    }
    return MemoryAdapter.fromFiles(files)
  }

  /** Bytes written since the last sync, over all files. */
  unsyncedBytes(): number {
    let n = 0
    for (const state of this.#files.values()) for (const op of state.unsynced) if (op.kind === 'write') n += op.bytes.length
    return n
  }

  // --- called by FaultFile ---

  /** @internal */
  assertAlive(): void {
    if (this.crashed) throw new CrashError('the process crashed earlier')
  }

  /** Counts a call; returns undefined normally, or (at the crash point) how many bytes of a write land. @internal */
  count(kind: IoKind, file: string, offset?: number, bytes?: number): number | undefined {
    const index = this.calls++
    if (kind === 'write') this.writes++
    else if (kind === 'sync') this.syncs++
    else this.truncates++
    if (this.record) this.events.push({ index, kind, file, offset, bytes })
    if (this.#plan === undefined || index !== this.#plan.at) return undefined
    this.crashed = true
    return kind === 'write' && bytes !== undefined ? Math.min(bytes, Math.max(0, this.#plan.tear?.(bytes) ?? 0)) : 0
  }

  /** @internal */
  unsynced(file: string, op: UnsyncedOp): void {
    ;(this.#files.get(file) as FileState).unsynced.push(op)
  }

  /** Number of unsynced ops of a file. @internal */
  unsyncedOps(file: string): number {
    return (this.#files.get(file) as FileState).unsynced.length
  }

  /** The first `covered` unsynced ops of a file became durable. @internal */
  synced(file: string, covered: number): void {
    const state = this.#files.get(file) as FileState
    for (const op of state.unsynced.slice(0, covered)) state.durable.apply(op)
    state.unsynced = state.unsynced.slice(covered)
  }
}
