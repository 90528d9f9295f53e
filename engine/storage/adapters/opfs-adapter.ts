/**
 * OpfsAdapter: StorageAdapter over the browser's Origin Private File System, for a dedicated Web Worker.
 * Owns: mapping file names to OPFS file handles (optionally under a sub-directory), one
 *   FileSystemSyncAccessHandle per open file, and turning DOMExceptions into RustyErrors.
 * Invariants:
 *   (1) An open StorageFile holds exactly one sync access handle in "readwrite" mode, which is an exclusive
 *       lock on the file across every tab and worker of the origin; close() releases it, and nothing touches
 *       the handle after close() (operations on a closed file raise 55000, they never reach OPFS).
 *   (2) read() and write() move bytes straight between the caller's view (a WASM memory frame) and the file
 *       with `{ at }`; a write either writes every byte or throws, a read is short only at end of file.
 *   (3) Every failure surfaces as a RustyError naming the file, with the DOMException kept as `cause`:
 *       a lock held elsewhere (NoModificationAllowedError) -> 58030 saying another tab or worker holds the file,
 *       QuotaExceededError -> 53100, a missing file opened without `create` -> 58P01, anything else -> 58030.
 *       A byte count larger than the request is a failure too (see checkedCount), never a success.
 *   (4) exists() and remove() never create the directory they look in.
 * Not here: choosing OPFS over IndexedDB, multi-tab leader election (web/), the WAL and the pager (they only see
 * StorageFile). We could open handles in Chrome's "readwrite-unsafe" mode so that tabs share a file, but the
 * pager's WAL index lives in one worker's memory, so a second writer would corrupt the database: one worker owns
 * a database, and other tabs reach it through that worker.
 *
 * Chrome's sync access handle (since 108): read/write/getSize/truncate/flush/close are synchronous; creating
 * one takes the file's lock and fails with NoModificationAllowedError while another handle (or a writable
 * stream) is open. When a page reloads, the old worker's handles are released asynchronously by the browser,
 * so open() retries a held lock for `lockTimeoutMs` before giving up.
 */
import { RustyError, SqlState, featureNotSupported, invalidParameter, ioError } from '../../common/index.js'
import {
  checkOffset,
  fileClosed,
  fileNameSegments,
  fileNotFound,
  type OpenFileOptions,
  type StorageAdapter,
  type StorageFile,
} from '../storage-adapter.js'

/** The subset of FileSystemSyncAccessHandle RustyDB uses (TypeScript's DOM lib leaves it to the WebWorker lib). */
interface SyncAccessHandle {
  read(buffer: ArrayBufferView, options?: { at?: number }): number
  write(buffer: ArrayBufferView, options?: { at?: number }): number
  getSize(): number
  truncate(newSize: number): void
  flush(): void
  close(): void
}

/** A FileSystemFileHandle as a dedicated worker sees it. */
interface SyncCapableFileHandle {
  createSyncAccessHandle?(options?: { mode?: 'readwrite' | 'read-only' | 'readwrite-unsafe' }): Promise<SyncAccessHandle>
}

/** Options of {@link OpfsAdapter}. */
export interface OpfsAdapterOptions {
  /**
   * Sub-directory of the origin's OPFS root that holds the files, `/`-separated (`'rustydb'`, `'apps/crm'`);
   * created on the first open with `create`. Default: the OPFS root itself.
   */
  directory?: string
  /**
   * How long open() keeps retrying while another handle holds the file's lock, in milliseconds. Covers a
   * reloaded page whose previous worker has not released its handles yet. Default 2000; 0 fails at once.
   */
  lockTimeoutMs?: number
  /** The root directory to use instead of `navigator.storage.getDirectory()` (tests, or a caller that has it). */
  root?: FileSystemDirectoryHandle
}

const DEFAULT_LOCK_TIMEOUT_MS = 2000

/**
 * Storage on the Origin Private File System through synchronous access handles. Works only in a dedicated
 * Web Worker (the only place browsers offer `createSyncAccessHandle`).
 *
 * @example
 * // inside a dedicated worker
 * const adapter = new OpfsAdapter({ directory: 'rustydb' })
 * const kv = await KvStore.open({ adapter, name: 'app.rdb', create: true })
 */
export class OpfsAdapter implements StorageAdapter {
  /** Always `'opfs'`. */
  readonly kind = 'opfs'
  readonly #directory: readonly string[]
  readonly #lockTimeoutMs: number
  readonly #root: FileSystemDirectoryHandle | undefined

  constructor(options: OpfsAdapterOptions = {}) {
    this.#directory = options.directory === undefined ? [] : directorySegments(options.directory)
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
    if (!(this.#lockTimeoutMs >= 0)) throw invalidParameter(`lockTimeoutMs must be >= 0, got ${options.lockTimeoutMs}`)
    this.#root = options.root
  }

  /** Opens `name` (`/` separates sub-directories) with an exclusive sync access handle; 58P01 when it is missing and !create. */
  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    const path = fileNameSegments(name, 'OPFS')
    const dir = await this.#directoryOf(name, path, options.create)
    const leaf = path[path.length - 1]
    if (dir === undefined) throw fileNotFound(name)
    let fileHandle: FileSystemFileHandle
    try {
      fileHandle = await dir.getFileHandle(leaf, { create: options.create })
    } catch (e) {
      if (domName(e) === 'NotFoundError') throw fileNotFound(name)
      throw opfsError(name, 'open', e)
    }
    const syncHandle = await this.#lock(name, fileHandle as unknown as SyncCapableFileHandle)
    return new OpfsFile(name, syncHandle)
  }

  /** True when `name` exists as a file (never creates the directory). */
  async exists(name: string): Promise<boolean> {
    const path = fileNameSegments(name, 'OPFS')
    const dir = await this.#directoryOf(name, path, false)
    if (dir === undefined) return false
    try {
      await dir.getFileHandle(path[path.length - 1])
      return true
    } catch (e) {
      const kind = domName(e)
      if (kind === 'NotFoundError' || kind === 'TypeMismatchError') return false
      throw opfsError(name, 'look up', e)
    }
  }

  /** Deletes `name`; a missing file is not an error. Fails (58030) while a handle on it is open anywhere. */
  async remove(name: string): Promise<void> {
    const path = fileNameSegments(name, 'OPFS')
    const dir = await this.#directoryOf(name, path, false)
    if (dir === undefined) return
    try {
      await dir.removeEntry(path[path.length - 1])
    } catch (e) {
      if (domName(e) === 'NotFoundError') return
      throw opfsError(name, 'remove', e)
    }
  }

  /** The directory holding `path`'s last segment; undefined when it does not exist and !create. */
  async #directoryOf(name: string, path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
    let dir = await this.#rootDirectory()
    for (const segment of [...this.#directory, ...path.slice(0, -1)]) {
      try {
        dir = await dir.getDirectoryHandle(segment, { create })
      } catch (e) {
        const kind = domName(e)
        if (!create && (kind === 'NotFoundError' || kind === 'TypeMismatchError')) return undefined
        throw opfsError(name, `open directory "${segment}" for`, e)
      }
    }
    return dir
  }

  async #rootDirectory(): Promise<FileSystemDirectoryHandle> {
    if (this.#root !== undefined) return this.#root
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage
    if (storage === undefined || typeof storage.getDirectory !== 'function') {
      throw featureNotSupported('the origin private file system (OPFS) in this environment', OPFS_HINT)
    }
    try {
      return await storage.getDirectory()
    } catch (e) {
      // Chrome refuses OPFS in some contexts (opaque origins, storage blocked by the user) with SecurityError.
      throw opfsError('/', 'open the OPFS root for', e)
    }
  }

  /** Creates the file's sync access handle, retrying while another handle holds the lock (invariant 1). */
  async #lock(name: string, fileHandle: SyncCapableFileHandle): Promise<SyncAccessHandle> {
    if (typeof fileHandle.createSyncAccessHandle !== 'function') {
      throw featureNotSupported('OPFS synchronous access outside a dedicated worker', OPFS_HINT)
    }
    const deadline = Date.now() + this.#lockTimeoutMs
    for (let attempt = 0; ; attempt++) {
      try {
        return await fileHandle.createSyncAccessHandle({ mode: 'readwrite' })
      } catch (e) {
        const now = Date.now()
        if (domName(e) !== 'NoModificationAllowedError' || now >= deadline) throw opfsError(name, 'open', e)
        await sleep(Math.min(20 * 2 ** attempt, 250, deadline - now))
      }
    }
  }
}

/** One open OPFS file: a thin, synchronous wrapper over its sync access handle. */
class OpfsFile implements StorageFile {
  readonly name: string
  #handle: SyncAccessHandle | undefined

  constructor(name: string, handle: SyncAccessHandle) {
    this.name = name
    this.#handle = handle
  }

  read(offset: number, dst: Uint8Array): number {
    const handle = this.#open('read')
    checkOffset(this.name, 'read offset', offset)
    let done = 0
    try {
      while (done < dst.length) {
        const want = dst.length - done
        const n = checkedCount(handle.read(dst.subarray(done), { at: offset + done }), want, 'read')
        if (n === 0) break
        done += n
      }
    } catch (e) {
      throw opfsError(this.name, 'read', e)
    }
    return done
  }

  write(offset: number, src: Uint8Array): void {
    const handle = this.#open('write')
    checkOffset(this.name, 'write offset', offset)
    let done = 0
    try {
      while (done < src.length) {
        const want = src.length - done
        const n = checkedCount(handle.write(src.subarray(done), { at: offset + done }), want, 'write')
        if (n === 0) throw new Error(`the browser wrote ${done} of ${src.length} bytes at offset ${offset}`)
        done += n
      }
    } catch (e) {
      throw opfsError(this.name, 'write', e)
    }
  }

  size(): number {
    const handle = this.#open('get the size of')
    try {
      return handle.getSize()
    } catch (e) {
      throw opfsError(this.name, 'get the size of', e)
    }
  }

  truncate(size: number): void {
    const handle = this.#open('truncate')
    checkOffset(this.name, 'size', size)
    try {
      handle.truncate(size)
    } catch (e) {
      throw opfsError(this.name, 'truncate', e)
    }
  }

  /** flush(): OPFS persists everything written through the handle. */
  sync(): void {
    const handle = this.#open('sync')
    try {
      handle.flush()
    } catch (e) {
      throw opfsError(this.name, 'sync', e)
    }
  }

  /** Releases the handle and with it the file's lock; closing twice is a no-op. */
  close(): void {
    const handle = this.#handle
    if (handle === undefined) return
    this.#handle = undefined
    try {
      handle.close()
    } catch (e) {
      throw opfsError(this.name, 'close', e)
    }
  }

  #open(operation: string): SyncAccessHandle {
    if (this.#handle === undefined) throw fileClosed(this.name, operation)
    return this.#handle
  }
}

const OPFS_HINT =
  'OpfsAdapter needs a dedicated Web Worker in a secure context (https or localhost) of a browser with OPFS ' +
  '(Chrome 108+, Firefox 111+, Safari 16.4+); elsewhere use MemoryAdapter or NodeFsAdapter'

/** The segments of the `directory` option (the same rules as file names); 22023 naming the option otherwise. */
function directorySegments(directory: string): string[] {
  try {
    return fileNameSegments(directory, 'OPFS')
  } catch {
    throw invalidParameter(`invalid OPFS directory "${directory}"`, 'use non-empty names separated by "/", without "." or ".." segments')
  }
}

/** base::File::Error FILE_ERROR_NO_SPACE, as Chromium's in-memory OPFS leaks it through a byte count. */
const FILE_ERROR_NO_SPACE = -8

/**
 * The byte count a sync access handle returned, checked against what was asked (invariant 2). Chromium's
 * in-memory OPFS (incognito and other off-the-record profiles) reports a failed write, e.g. one past the
 * quota, by returning a negative base::File::Error as an unsigned 32-bit count (2^32 - 8 for "no space")
 * instead of throwing; taking that at face value would lose the write silently. Any count above the request
 * is such an error code.
 */
function checkedCount(n: number, requested: number, operation: 'read' | 'write'): number {
  if (Number.isInteger(n) && n >= 0 && n <= requested) return n
  const code = Number.isInteger(n) && n >= 2 ** 31 && n < 2 ** 32 ? n - 2 ** 32 : undefined
  const failure = new Error(
    `the browser reported ${n} bytes for a ${requested}-byte ${operation}` +
      (code === undefined ? '' : ` (file error ${code}${code === FILE_ERROR_NO_SPACE ? ', no space' : ''})`),
  )
  if (code === FILE_ERROR_NO_SPACE) failure.name = 'QuotaExceededError'
  throw failure
}

/** The DOMException name of a failure (also for the QuotaExceededError class that newer browsers throw). */
function domName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string'
    ? (e as { name: string }).name
    : undefined
}

/** Maps a failed OPFS call to a RustyError (invariant 3). */
function opfsError(file: string, operation: string, cause: unknown): RustyError {
  if (cause instanceof RustyError) return cause
  switch (domName(cause)) {
    case 'NoModificationAllowedError':
      return new RustyError(SqlState.IO_ERROR, `could not ${operation} file "${file}": another tab or worker holds it open`, {
        file,
        cause,
        hint: 'OPFS lets one worker at a time open a file for writing; close the database in the other tab or worker',
      })
    case 'QuotaExceededError':
      return new RustyError(SqlState.DISK_FULL, `could not ${operation} file "${file}": the origin's storage quota is exhausted`, {
        file,
        cause,
        hint: 'free space in this origin (navigator.storage.estimate() shows usage and quota) or delete unused databases',
      })
    default:
      return ioError(file, operation, cause)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
