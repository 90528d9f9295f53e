/**
 * Storage adapters: the platform's files, as the pager sees them.
 * Owns: the `StorageAdapter` / `StorageFile` contract every platform implements (memory, Node fs, OPFS, and
 * later IndexedDB, Durable Object storage and Deno), and the errors adapters share.
 * Invariants:
 *   (1) I/O is synchronous (`read`, `write`, `size`, `truncate`): the WASM core calls the pager from inside
 *       an export and cannot await. Only `sync`, `close` and the adapter's name-level calls may be async.
 *   (2) `read` is short only at end of file; bytes between the end of the last write and a later write read
 *       as zeros (files are sparse or zero-filled).
 *   (3) After `sync()` resolves, every byte written and every truncation before the call survive a crash of
 *       the process or the machine. Before it, any subset of them may be lost (the pager never relies on
 *       unsynced bytes, and the fault tests model exactly this).
 *   (4) A file, once closed, refuses every call with 55000; closing twice is a no-op.
 * How an asynchronous backend fits (IndexedDB, Durable Object storage with its async API, a remote store):
 *   keep the file's bytes in memory (or a write-back cache of pages), serve `read`/`write`/`size`/`truncate`
 *   from it synchronously, load the file in `open` (which is async), and persist the changes made since the
 *   last sync inside `sync()` before resolving, so a commit is acknowledged only once its bytes are stored.
 *   Deno's `Deno.FsFile` has `readSync`/`writeSync`/`syncDataSync` (or the async `syncData` for grouping).
 * Not here: what the bytes mean (wal.ts, pager.ts); locking between processes (OPFS gets it from its sync
 *   access handles; Node is single-process by convention).
 */
import { RustyError, SqlState, invalidParameter, wrongState } from '../common/index.js'

/** A named file on the platform's storage. Synchronous I/O: the core is synchronous (invariant 1). */
export interface StorageFile {
  /** The name the file was opened with (used in error messages). */
  readonly name: string
  /** Reads into `dst` at byte `offset`; returns the number of bytes read, short only at end of file. */
  read(offset: number, dst: Uint8Array): number
  /**
   * Writes all of `src` at byte `offset`, extending the file (zero-filled gap) when needed. Keeps nothing of
   * `src` once it returns: the caller reuses the buffer (the WAL does).
   */
  write(offset: number, src: Uint8Array): void
  /** Current size in bytes, including unsynced writes. */
  size(): number
  /** Shrinks or grows (zero-filled) the file to `size` bytes. */
  truncate(size: number): void
  /**
   * Makes everything written and truncated so far durable (invariant 3). Asynchronous backends keep the file
   * in memory and persist it here, before a commit is acknowledged.
   */
  sync(): void | Promise<void>
  /** Releases the file (and its lock, where the platform has one). Unsynced bytes are not synced. */
  close(): void | Promise<void>
}

/** Options of {@link StorageAdapter.open}. */
export interface OpenFileOptions {
  /** Create the file (empty) when it does not exist. Without it, a missing file is 58P01. */
  create: boolean
}

/** A platform's storage: a flat namespace of files. */
export interface StorageAdapter {
  /** `'memory' | 'node-fs' | 'opfs'`, later `'idb' | 'durable-object' | 'deno'`. */
  readonly kind: string
  /** Opens a file; 58P01 when it is missing and `create` is false. */
  open(name: string, options: OpenFileOptions): Promise<StorageFile>
  /** True when a file of that name exists. */
  exists(name: string): Promise<boolean>
  /** Deletes the file; removing a missing file is a no-op. */
  remove(name: string): Promise<void>
}

/** 58P01: `could not open file "x": it does not exist` (the message every adapter uses). */
export function fileNotFound(name: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_FILE, `could not open file "${name}": it does not exist`, { file: name })
}

/** 55000: a call on a closed file, e.g. `cannot read file "x": it is closed` (invariant 4). */
export function fileClosed(name: string, operation: string): RustyError {
  const error = wrongState(`cannot ${operation} file "${name}": it is closed`)
  return new RustyError(error.code, error.message, { file: name })
}

/**
 * Checks a file name for adapters whose names are paths relative to a root: non-empty segments separated by
 * '/', none of them '.' or '..'. Returns the segments; throws 22023 naming the platform otherwise.
 */
export function fileNameSegments(name: string, platform: string): string[] {
  const segments = name.split('/')
  if (name.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
    throw invalidParameter(`invalid ${platform} file name "${name}"`, 'use non-empty names separated by "/", without "." or ".." segments')
  }
  return segments
}

/** Throws 22023 unless `offset` is a non-negative safe integer (a byte offset or size). */
export function checkOffset(name: string, what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidParameter(`invalid ${what} ${value} for file "${name}"`)
  }
}
