/**
 * MemoryAdapter: files as growable byte arrays in the JS heap.
 * Owns: in-memory files for tests, ephemeral databases and the fault-injecting test adapter it backs.
 * Invariants:
 *   (1) A file's bytes live in the adapter, not in the handle: they survive `close()`, and every handle of
 *       the same name sees the same bytes (like a file system), so a test can close and reopen a database.
 *   (2) Bytes [size, capacity) of the backing array are NOT kept zero (shrinking a large file, e.g. the WAL
 *       at every checkpoint, would otherwise clear megabytes): whatever grows the file (a write past the
 *       end, truncate to a larger size) zero-fills the gap between the old size and the new bytes first.
 *   (3) `sync()` does nothing: memory is as durable as it gets. (The fault adapter in test/storage models
 *       what a real disk loses without a sync.)
 * Not here: persistence of any kind; locking (handles of one name share the bytes freely).
 */
import { checkOffset, fileClosed, fileNotFound, type OpenFileOptions, type StorageAdapter, type StorageFile } from '../storage-adapter.js'

/** The bytes of one in-memory file: `data[0, size)` is the file, the rest of `data` is garbage (invariant 2). */
class MemoryBlob {
  data: Uint8Array
  size: number

  constructor(initial?: Uint8Array) {
    this.data = new Uint8Array(Math.max(initial?.length ?? 0, 256))
    this.size = initial?.length ?? 0
    if (initial !== undefined) this.data.set(initial)
  }

  /** Makes room for `size` bytes, doubling the capacity so appends stay amortized O(1). */
  reserve(size: number): void {
    if (size <= this.data.length) return
    let capacity = this.data.length
    while (capacity < size) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.data.subarray(0, this.size))
    this.data = grown
  }

  bytes(): Uint8Array {
    return this.data.slice(0, this.size)
  }
}

/** One open handle on a {@link MemoryBlob}. */
class MemoryFile implements StorageFile {
  readonly name: string
  #blob: MemoryBlob
  #closed = false

  constructor(name: string, blob: MemoryBlob) {
    this.name = name
    this.#blob = blob
  }

  #open(operation: string): MemoryBlob {
    if (this.#closed) throw fileClosed(this.name, operation)
    return this.#blob
  }

  read(offset: number, dst: Uint8Array): number {
    const blob = this.#open('read')
    checkOffset(this.name, 'read offset', offset)
    if (offset >= blob.size) return 0
    const n = Math.min(dst.length, blob.size - offset)
    dst.set(blob.data.subarray(offset, offset + n))
    return n
  }

  write(offset: number, src: Uint8Array): void {
    const blob = this.#open('write')
    checkOffset(this.name, 'write offset', offset)
    const end = offset + src.length
    blob.reserve(end)
    if (offset > blob.size) blob.data.fill(0, blob.size, offset)
    blob.data.set(src, offset)
    if (end > blob.size) blob.size = end
  }

  size(): number {
    return this.#open('get the size of').size
  }

  truncate(size: number): void {
    const blob = this.#open('truncate')
    checkOffset(this.name, 'size', size)
    if (size > blob.size) {
      blob.reserve(size)
      blob.data.fill(0, blob.size, size)
    }
    blob.size = size
  }

  sync(): void {
    this.#open('sync')
  }

  close(): void {
    this.#closed = true
  }
}

/**
 * Files in memory. Closing a file keeps its bytes (invariant 1); `snapshotFiles()` and `fromFiles()` copy
 * whole file sets, e.g. to reopen a database from the bytes it had at some point of a test.
 *
 * @example
 * const adapter = new MemoryAdapter()
 * const kv = await KvStore.open({ adapter, name: 'app.rdb', create: true })
 */
export class MemoryAdapter implements StorageAdapter {
  readonly kind = 'memory'
  #blobs = new Map<string, MemoryBlob>()

  /** A new adapter, optionally holding copies of `files` (name -> bytes). */
  constructor(files?: ReadonlyMap<string, Uint8Array>) {
    if (files !== undefined) for (const [name, bytes] of files) this.#blobs.set(name, new MemoryBlob(bytes))
  }

  /** An adapter holding copies of `files`. */
  static fromFiles(files: ReadonlyMap<string, Uint8Array>): MemoryAdapter {
    return new MemoryAdapter(files)
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    let blob = this.#blobs.get(name)
    if (blob === undefined) {
      if (!options.create) throw fileNotFound(name)
      blob = new MemoryBlob()
      this.#blobs.set(name, blob)
    }
    return new MemoryFile(name, blob)
  }

  async exists(name: string): Promise<boolean> {
    return this.#blobs.has(name)
  }

  async remove(name: string): Promise<void> {
    this.#blobs.delete(name)
  }

  /** Copies of every file's current bytes, by name. */
  snapshotFiles(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>()
    for (const [name, blob] of this.#blobs) out.set(name, blob.bytes())
    return out
  }

  /** A new adapter with copies of every file (later changes to either do not affect the other). */
  clone(): MemoryAdapter {
    return new MemoryAdapter(this.snapshotFiles())
  }

  /** The names of the files, in creation order. */
  fileNames(): string[] {
    return [...this.#blobs.keys()]
  }
}
