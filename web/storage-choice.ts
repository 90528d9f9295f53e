/**
 * Storage selection: which adapter a leader worker opens a database on, and the handle bookkeeping that lets
 * a dying page release its files at once.
 * Owns: the rule "OPFS by default, IndexedDB when OPFS is missing or fails to open", file names
 * (`NAME.rdb` and its `-wal`, under the OPFS directory `rustydb/` or in the IndexedDB database `rustydb`),
 * and TrackedAdapter.
 * Invariants:
 *   (1) A database that exists somewhere is opened where it is: with `storage` unset, an existing OPFS file
 *       wins, else an existing IndexedDB file, else a new OPFS file; so falling back once (say, a browser
 *       without OPFS) never hides the data from a later open.
 *   (2) Falling back happens only for "OPFS is not there" failures (0A000 unsupported, 58030 other than a
 *       held lock). A held file lock (another worker has it) and corruption (XX001) are reported, never
 *       answered by opening an empty database elsewhere.
 *   (3) An explicit `storage` is used as asked, or fails; it never falls back.
 *   (4) TrackedAdapter.abandon() closes every file opened through it synchronously (OPFS sync access handles
 *       release their lock on close), so a page that goes away leaves no handle behind.
 * Not here: leader election (coordinator.ts): only the leader calls openStorage.
 */
import { Database, MemoryAdapter, OpfsAdapter, RustyError, SqlState, invalidParameter, type StorageAdapter, type StorageFile } from '../engine/index.js'
import { IdbAdapter, idbAvailable } from './idb-adapter.js'
import type { StorageKind } from './protocol.js'

/** IndexedDB database holding RustyDB's files (IdbAdapter's default). */
const IDB_DATABASE = 'rustydb'
/** OPFS sub-directory holding RustyDB's files. */
export const OPFS_DIRECTORY = 'rustydb'
/**
 * How long a new leader keeps retrying an OPFS file whose handle the previous leader's worker still holds
 * (its tab is closing and the browser releases handles asynchronously). Longer than OpfsAdapter's default:
 * the election already guarantees nobody else is using the file.
 */
export const OPFS_LOCK_TIMEOUT_MS = 10_000

/** The file name of database `name`; 22023 for names that are not one plain file name. */
export function databaseFile(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(name)) {
    throw invalidParameter(`invalid database name "${String(name)}"`, 'use 1 to 128 letters, digits, "_", "-" or "." (not starting with "." or "-")')
  }
  return `${name}.rdb`
}

/** An open database and the storage it lives on. */
export interface OpenedStorage {
  readonly db: Database
  readonly storage: StorageKind
  readonly adapter: TrackedAdapter
}

/** True when this context can open OPFS files synchronously (a dedicated worker of a browser with OPFS). */
export function opfsAvailable(): boolean {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage
  const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle
  return typeof storage?.getDirectory === 'function' && handle !== undefined && 'createSyncAccessHandle' in handle.prototype
}

/**
 * Opens database `name` on `requested` storage, or chooses one (invariants 1..3).
 *
 * @example
 * const { db, storage } = await openStorage('app', undefined)   // storage: 'opfs' (or 'idb' without OPFS)
 */
export async function openStorage(name: string, requested: StorageKind | undefined): Promise<OpenedStorage> {
  const file = databaseFile(name)
  if (requested !== undefined) return openOn(requested, file)
  if (opfsAvailable()) {
    const opfs = adapterFor('opfs')
    if (await opfs.exists(file).catch(() => false)) return openOn('opfs', file)
    if (!(await existsInIdb(file))) {
      try {
        return await openOn('opfs', file)
      } catch (e) {
        if (!opfsMissing(e)) throw e
        // Invariant (2): OPFS is there in name only (e.g. storage blocked); do not leave a half-made file.
        await opfs.remove(file).catch(() => undefined)
        await opfs.remove(`${file}-wal`).catch(() => undefined)
      }
    }
  }
  return openOn('idb', file)
}

/** True when IndexedDB holds the file. Asks indexedDB.databases() first: opening would create the database. */
async function existsInIdb(file: string): Promise<boolean> {
  if (!idbAvailable()) return false
  if (typeof indexedDB.databases === 'function') {
    const databases = await indexedDB.databases().catch(() => undefined)
    if (databases !== undefined && !databases.some((d) => d.name === IDB_DATABASE)) return false
  }
  return new IdbAdapter({ database: IDB_DATABASE }).exists(file).catch(() => false)
}

async function openOn(storage: StorageKind, file: string): Promise<OpenedStorage> {
  const adapter = adapterFor(storage)
  const db = await Database.open({ adapter, name: file })
  return { db, storage, adapter }
}

function adapterFor(storage: StorageKind): TrackedAdapter {
  switch (storage) {
    case 'opfs':
      return new TrackedAdapter(new OpfsAdapter({ directory: OPFS_DIRECTORY, lockTimeoutMs: OPFS_LOCK_TIMEOUT_MS }))
    case 'idb':
      return new TrackedAdapter(new IdbAdapter({ database: IDB_DATABASE }))
    case 'memory':
      return new TrackedAdapter(new MemoryAdapter())
    default:
      throw invalidParameter(`unknown storage "${String(storage)}"`, "use 'opfs', 'idb' or 'memory'")
  }
}

/** Invariant (2): failures that mean "no usable OPFS here", as opposed to a held lock or a damaged file. */
function opfsMissing(e: unknown): boolean {
  if (!(e instanceof RustyError)) return false
  if (e.code === SqlState.FEATURE_NOT_SUPPORTED) return true
  if (e.code !== SqlState.IO_ERROR) return false
  const cause = e.cause as { name?: unknown } | undefined
  return cause?.name !== 'NoModificationAllowedError'
}

/** A StorageAdapter that remembers its open files, so they can all be closed at once (invariant 4). */
export class TrackedAdapter implements StorageAdapter {
  readonly #inner: StorageAdapter
  readonly #open = new Set<StorageFile>()

  constructor(inner: StorageAdapter) {
    this.#inner = inner
  }

  get kind(): string {
    return this.#inner.kind
  }

  async open(name: string, options: { create: boolean }): Promise<StorageFile> {
    const file = await this.#inner.open(name, options)
    this.#open.add(file)
    const close = file.close.bind(file)
    file.close = () => {
      this.#open.delete(file)
      return close()
    }
    return file
  }

  exists(name: string): Promise<boolean> {
    return this.#inner.exists(name)
  }

  remove(name: string): Promise<void> {
    return this.#inner.remove(name)
  }

  /** Closes every open file now; the database above fails its next I/O with 55000. */
  abandon(): void {
    for (const file of [...this.#open]) {
      try {
        void file.close()
      } catch {
        // Closing is best effort here: the page is going away.
      }
    }
    this.#open.clear()
  }
}
