/**
 * HookedAdapter: wraps any StorageAdapter, counts calls per file and lets a test intercept writes and syncs
 * (fail one, hold one until the test releases it).
 * Invariants:
 *   (1) Without hooks it behaves exactly like the wrapped adapter.
 *   (2) Counters count calls as they are made (a write that a hook fails still counts).
 * Not here: crash images (fault-adapter.ts).
 */
import type { OpenFileOptions, StorageAdapter, StorageFile } from '../../engine/storage/storage-adapter.js'

/** Per-file call counters. */
export interface FileCounters {
  reads: number
  writes: number
  syncs: number
  truncates: number
  bytesWritten: number
}

/** Hooks called before the wrapped call; a hook may throw to fail the call. */
export interface Hooks {
  /** Before a write; throw to fail it (nothing is written). */
  write?(file: string, offset: number, bytes: Uint8Array): void
  /** Before a sync; return a promise to delay it, throw (or reject) to fail it. */
  sync?(file: string): void | Promise<void>
}

class HookedFile implements StorageFile {
  readonly name: string
  #inner: StorageFile
  #adapter: HookedAdapter

  constructor(adapter: HookedAdapter, inner: StorageFile) {
    this.name = inner.name
    this.#inner = inner
    this.#adapter = adapter
  }

  read(offset: number, dst: Uint8Array): number {
    this.#adapter.counters(this.name).reads++
    return this.#inner.read(offset, dst)
  }

  write(offset: number, src: Uint8Array): void {
    const c = this.#adapter.counters(this.name)
    c.writes++
    c.bytesWritten += src.length
    this.#adapter.hooks.write?.(this.name, offset, src)
    this.#inner.write(offset, src)
  }

  size(): number {
    return this.#inner.size()
  }

  truncate(size: number): void {
    this.#adapter.counters(this.name).truncates++
    this.#inner.truncate(size)
  }

  async sync(): Promise<void> {
    this.#adapter.counters(this.name).syncs++
    await this.#adapter.hooks.sync?.(this.name)
    await this.#inner.sync()
  }

  close(): void | Promise<void> {
    return this.#inner.close()
  }
}

/** A StorageAdapter wrapper with counters and hooks. */
export class HookedAdapter implements StorageAdapter {
  readonly kind: string
  readonly inner: StorageAdapter
  hooks: Hooks = {}
  #counters = new Map<string, FileCounters>()

  constructor(inner: StorageAdapter) {
    this.inner = inner
    this.kind = inner.kind
  }

  /** The counters of a file (created at zero on first use). */
  counters(name: string): FileCounters {
    let c = this.#counters.get(name)
    if (c === undefined) {
      c = { reads: 0, writes: 0, syncs: 0, truncates: 0, bytesWritten: 0 }
      this.#counters.set(name, c)
    }
    return c
  }

  /** Zeroes every counter. */
  resetCounters(): void {
    this.#counters.clear()
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    return new HookedFile(this, await this.inner.open(name, options))
  }

  exists(name: string): Promise<boolean> {
    return this.inner.exists(name)
  }

  remove(name: string): Promise<void> {
    return this.inner.remove(name)
  }
}

/** A gate a hook can wait on: `wait()` resolves once `open()` is called. */
export class Gate {
  #resolve: (() => void) | undefined
  #promise: Promise<void>
  /** Number of waiters that arrived. */
  arrived = 0

  constructor() {
    this.#promise = new Promise((resolve) => (this.#resolve = resolve))
  }

  wait(): Promise<void> {
    this.arrived++
    return this.#promise
  }

  open(): void {
    this.#resolve?.()
  }
}
