/**
 * IdbAdapter: StorageAdapter over IndexedDB, for browsers (or contexts) without OPFS sync access handles.
 * Owns: the IndexedDB layout of RustyDB files, each open file's bytes in memory, and writing the chunks a
 * file changed back to IndexedDB in sync().
 * Layout: one IndexedDB database (default "rustydb") with one object store "files"; a file is a set of
 * records keyed by [file name, n]:
 *
 *   | key            | value                    | meaning                                             |
 *   |----------------|--------------------------|-----------------------------------------------------|
 *   | [name, -1]     | { size: number }         | the file exists; its size in bytes                  |
 *   | [name, n >= 0] | Uint8Array(CHUNK_BYTES)  | bytes n*CHUNK_BYTES .. (n+1)*CHUNK_BYTES; absent: 0s |
 *
 * Invariants (storage-adapter.ts numbers them for every adapter):
 *   (1) read/write/size/truncate are synchronous: they touch only the in-memory copy loaded by open().
 *   (2) sync() writes every chunk changed since the last successful sync, the deletions of chunks a truncate
 *       dropped, and the size record in ONE IndexedDB transaction with durability "strict", and resolves only
 *       once it completed: a sync is all or nothing, so after a crash the file is exactly as of some sync
 *       (storage-adapter (3)). A failed sync keeps the changes pending, so the next sync writes them again.
 *   (3) A failure surfaces as a RustyError naming the file: QuotaExceededError -> 53100 (nothing of that sync
 *       was stored, the database above rolls the commit back), a missing file opened without `create` ->
 *       58P01, anything else -> 58030, with the DOMException as `cause`.
 *   (4) Bytes past the end of the file read as zeros after it grows again: truncate zeroes the tail of the
 *       last chunk it keeps and forgets the chunks after it (storage-adapter (2)).
 *   (5) sync() writes only chunks whose bytes differ from the stored ones (each changed chunk's stored bytes
 *       are saved when it is first changed), and nothing at all when nothing differs. So after a commit
 *       failed for lack of quota, the rollback (truncate back, sync) writes nothing and cannot fail for quota
 *       again: the database stays usable.
 * Not here: cross-tab locking. IndexedDB lets every tab write; web/coordinator.ts makes sure only the leader
 * worker of a database opens its files. Paths not taken: we could store one record per page, but the WAL
 * is appended in frames that straddle pages; fixed chunks serve both files. We could use idb-keyval's
 * createStore, but its transactions cannot ask for durability "strict", which a commit needs; we open the
 * database ourselves and use idb-keyval's promisifyRequest for the requests.
 */
import { promisifyRequest } from 'idb-keyval'
import { RustyError, SqlState, ioError } from '../engine/common/index.js'
import {
  fileClosed,
  fileNotFound,
  type OpenFileOptions,
  type StorageAdapter,
  type StorageFile,
} from '../engine/index.js'

/** Bytes per stored chunk: a commit of a few pages rewrites one or two chunks of the WAL. */
export const CHUNK_BYTES = 16 * 1024
const STORE = 'files'
const META = -1

/** Options of {@link IdbAdapter}. */
export interface IdbAdapterOptions {
  /** Name of the IndexedDB database that holds the files. Default 'rustydb'. */
  database?: string
}

/**
 * RustyDB files in IndexedDB, each kept in memory while open and written back on sync().
 *
 * @example
 * // in a worker or a page
 * const db = await Database.open({ adapter: new IdbAdapter(), name: 'app.rdb' })
 */
export class IdbAdapter implements StorageAdapter {
  /** Always `'idb'`. */
  readonly kind = 'idb'
  readonly #database: string
  #connection: Promise<IDBDatabase> | undefined

  constructor(options: IdbAdapterOptions = {}) {
    this.#database = options.database ?? 'rustydb'
  }

  /** Loads the file's bytes (creating it when `create`); 58P01 when missing and !create. */
  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    const db = await this.#db(name)
    try {
      const tx = db.transaction(STORE, 'readonly')
      const store = tx.objectStore(STORE)
      const range = IDBKeyRange.bound([name, 0], [name, Infinity])
      const [meta, keys, values] = await Promise.all([
        promisifyRequest(store.get([name, META]) as IDBRequest<{ size: number } | undefined>),
        promisifyRequest(store.getAllKeys(range)),
        promisifyRequest(store.getAll(range) as IDBRequest<Uint8Array[]>),
      ])
      if (meta === undefined) {
        if (!options.create) throw fileNotFound(name)
        const file = new IdbFile(name, db, 0, [])
        file.markCreated()
        await file.sync()
        return file
      }
      const chunks: (Uint8Array | undefined)[] = []
      keys.forEach((key, i) => {
        chunks[(key as [string, number])[1]] = values[i]
      })
      return new IdbFile(name, db, meta.size, chunks)
    } catch (e) {
      throw idbError(name, 'open', e)
    }
  }

  /** True when the file's size record exists. */
  async exists(name: string): Promise<boolean> {
    const db = await this.#db(name)
    try {
      return (await promisifyRequest(db.transaction(STORE, 'readonly').objectStore(STORE).count([name, META]))) > 0
    } catch (e) {
      throw idbError(name, 'look up', e)
    }
  }

  /** Deletes every record of the file; a missing file is a no-op. */
  async remove(name: string): Promise<void> {
    const db = await this.#db(name)
    try {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
      tx.objectStore(STORE).delete(IDBKeyRange.bound([name, META], [name, Infinity]))
      await committed(tx)
    } catch (e) {
      throw idbError(name, 'remove', e)
    }
  }

  /** The IndexedDB connection, opened (and the store created) on first use. */
  #db(file: string): Promise<IDBDatabase> {
    if (this.#connection === undefined) {
      const pending = openIdb(this.#database).catch((e: unknown) => {
        this.#connection = undefined
        throw idbError(file, `open IndexedDB database "${this.#database}" for`, e)
      })
      this.#connection = pending
    }
    return this.#connection
  }
}

/** True when this context has IndexedDB. */
export function idbAvailable(): boolean {
  return typeof indexedDB !== 'undefined'
}

function openIdb(name: string): Promise<IDBDatabase> {
  if (!idbAvailable()) {
    return Promise.reject(new RustyError(SqlState.FEATURE_NOT_SUPPORTED, 'IndexedDB is not available in this context'))
  }
  const request = indexedDB.open(name)
  request.onupgradeneeded = () => request.result.createObjectStore(STORE)
  return promisifyRequest(request).then((db) => {
    // Another tab deleting or upgrading the database: let it proceed; our next call fails with 58030.
    db.onversionchange = () => db.close()
    return db
  })
}

/** One open file: bytes in memory (chunks), changed chunks written back by sync(). */
class IdbFile implements StorageFile {
  readonly name: string
  readonly #db: IDBDatabase
  #chunks: (Uint8Array | undefined)[]
  #size: number
  #closed = false
  /** Chunks changed since the last successful sync (invariant 2). */
  #dirty = new Set<number>()
  /**
   * Invariant (5): the stored bytes of chunks changed since they were last synced, saved when first changed
   * (null: the chunk is not stored, it reads as zeros). No entry: unknown, the chunk is written.
   */
  readonly #before = new Map<number, Uint8Array | null>()
  /** The size record as stored by the last successful sync (-1: none stored yet). */
  #storedSize: number
  /** Chunk count stored by the last successful sync; the next sync deletes the ones past the size. */
  #storedChunks: number
  /** Syncs run one after another; each writes what changed before it started. */
  #syncing: Promise<void> = Promise.resolve()

  constructor(name: string, db: IDBDatabase, size: number, chunks: (Uint8Array | undefined)[]) {
    this.name = name
    this.#db = db
    this.#size = size
    this.#chunks = chunks
    this.#storedChunks = chunks.length
    this.#storedSize = size
  }

  /** @internal a new file: its size record is written by the first sync. */
  markCreated(): void {
    this.#storedSize = -1
  }

  /** Marks chunk `index` changed, saving its stored bytes the first time (invariant 5). */
  #touch(index: number): void {
    if (!this.#dirty.has(index) && !this.#before.has(index)) {
      const chunk = this.#chunks[index]
      this.#before.set(index, chunk === undefined ? null : chunk.slice())
    }
    this.#dirty.add(index)
  }

  read(offset: number, dst: Uint8Array): number {
    this.#check('read')
    checkNumber(this.name, 'read offset', offset)
    const n = Math.max(0, Math.min(dst.length, this.#size - offset))
    let done = 0
    while (done < n) {
      const at = offset + done
      const index = Math.floor(at / CHUNK_BYTES)
      const within = at - index * CHUNK_BYTES
      const take = Math.min(CHUNK_BYTES - within, n - done)
      const chunk = this.#chunks[index]
      if (chunk === undefined) dst.fill(0, done, done + take)
      else dst.set(chunk.subarray(within, within + take), done)
      done += take
    }
    return n
  }

  write(offset: number, src: Uint8Array): void {
    this.#check('write')
    checkNumber(this.name, 'write offset', offset)
    let done = 0
    while (done < src.length) {
      const at = offset + done
      const index = Math.floor(at / CHUNK_BYTES)
      const within = at - index * CHUNK_BYTES
      const take = Math.min(CHUNK_BYTES - within, src.length - done)
      this.#touch(index)
      let chunk = this.#chunks[index]
      if (chunk === undefined) chunk = this.#chunks[index] = new Uint8Array(CHUNK_BYTES)
      chunk.set(src.subarray(done, done + take), within)
      done += take
    }
    if (offset + src.length > this.#size) this.#size = offset + src.length
  }

  size(): number {
    this.#check('get the size of')
    return this.#size
  }

  /** Invariant (4): the kept tail of the last chunk is zeroed, later chunks are forgotten. */
  truncate(size: number): void {
    this.#check('truncate')
    checkNumber(this.name, 'size', size)
    if (size < this.#size) {
      const keep = Math.ceil(size / CHUNK_BYTES)
      this.#chunks.length = Math.min(this.#chunks.length, keep)
      for (const index of this.#dirty) if (index >= keep) this.#dirty.delete(index)
      // Dropped chunks: what is stored for them changes with the next sync; unknown from now on (invariant 5).
      for (const index of this.#before.keys()) if (index >= keep) this.#before.delete(index)
      const last = this.#chunks[keep - 1]
      const within = size - (keep - 1) * CHUNK_BYTES
      if (last !== undefined && within < CHUNK_BYTES) {
        this.#touch(keep - 1)
        last.fill(0, within)
      }
    }
    this.#size = size
  }

  /** Writes what changed since the last sync in one strict transaction (invariant 2). */
  sync(): Promise<void> {
    this.#check('sync')
    const run = this.#syncing.then(() => this.#flush())
    this.#syncing = run.catch(() => undefined)
    return run
  }

  async #flush(): Promise<void> {
    if (this.#closed) throw fileClosed(this.name, 'sync')
    const keep = Math.ceil(this.#size / CHUNK_BYTES)
    // Invariant (5): only chunks whose bytes differ from what is stored are written.
    const dirty = this.#dirty
    this.#dirty = new Set()
    const changed = [...dirty].filter((index) => index < keep && !sameBytes(this.#chunks[index], this.#before.get(index)))
    const drop = this.#storedChunks > keep
    const size = this.#size
    if (changed.length === 0 && !drop && size === this.#storedSize) {
      for (const index of dirty) this.#before.delete(index)
      return
    }
    try {
      const tx = this.#db.transaction(STORE, 'readwrite', { durability: 'strict' })
      const store = tx.objectStore(STORE)
      // put() clones the chunk now, so writes after this line belong to the next sync.
      for (const index of changed) store.put(this.#chunks[index], [this.name, index])
      if (drop) store.delete(IDBKeyRange.bound([this.name, keep], [this.name, Infinity]))
      store.put({ size }, [this.name, META])
      await committed(tx)
      this.#storedChunks = keep
      this.#storedSize = size
      // Chunks changed again while this sync ran have no saved bytes now: the next sync writes them.
      for (const index of dirty) this.#before.delete(index)
    } catch (e) {
      for (const index of dirty) this.#dirty.add(index)
      throw idbError(this.name, 'sync', e)
    }
  }

  /** Forgets the in-memory copy; unsynced changes are not written (storage-adapter contract). */
  close(): void {
    this.#closed = true
    this.#chunks = []
    this.#dirty.clear()
    this.#before.clear()
  }

  #check(operation: string): void {
    if (this.#closed) throw fileClosed(this.name, operation)
  }
}

/** Resolves when `tx` commits; rejects with the transaction's error (QuotaExceededError, ...) when it aborts. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new DOMException('the IndexedDB transaction was aborted', 'AbortError'))
  })
}

/** True when `chunk` holds exactly the stored bytes `before` (null: not stored, zeros); false when unknown. */
function sameBytes(chunk: Uint8Array | undefined, before: Uint8Array | null | undefined): boolean {
  if (before === undefined) return false
  if (chunk === undefined) return before === null
  if (before === null) return chunk.every((b) => b === 0)
  if (chunk.length !== before.length) return false
  for (let i = 0; i < chunk.length; i++) if (chunk[i] !== before[i]) return false
  return true
}

function checkNumber(name: string, what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RustyError(SqlState.INVALID_PARAMETER_VALUE, `invalid ${what} ${value} for file "${name}"`)
  }
}

/** The DOMException name of a failure (a request's or a transaction's error). */
function domName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : undefined
}

/** Maps a failed IndexedDB call to a RustyError (invariant 3). */
function idbError(file: string, operation: string, cause: unknown): RustyError {
  if (cause instanceof RustyError) return cause
  if (domName(cause) === 'QuotaExceededError') {
    return new RustyError(SqlState.DISK_FULL, `could not ${operation} file "${file}": the origin's storage quota is exhausted`, {
      file,
      cause,
      hint: 'free space in this origin (navigator.storage.estimate() shows usage and quota) or delete unused databases',
    })
  }
  return ioError(file, operation, cause)
}
