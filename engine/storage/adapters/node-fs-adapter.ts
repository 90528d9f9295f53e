/**
 * NodeFsAdapter: files in a directory of the local file system (Node only; exported from
 * engine/storage/node.ts so browser bundles never import node:fs).
 * Owns: positional synchronous I/O on file descriptors, durable sync, creation of files and their parent
 * directories under the adapter's root.
 * Invariants:
 *   (1) `read`/`write` move bytes straight between the caller's view (often a view into WASM memory) and the
 *       file, with `readSync`/`writeSync` at an explicit position: no intermediate copy, no file cursor.
 *   (2) `sync()` is `fdatasync` through the callback API: the event loop keeps running while the disk
 *       flushes, so commits that arrive meanwhile queue up and share the next flush (group commit).
 *   (3) A newly created file's directory entry is made durable (fsync of the parent directory, where the
 *       platform allows it) before `open` resolves, so a synced file cannot vanish after a crash.
 *   (4) Names are '/'-separated paths below `root`; '', '.', '..' segments are refused (22023), so a name
 *       never escapes the root.
 *   (5) `close()` waits for the file's in-flight syncs before closing the descriptor.
 * Not here: locking against other processes (one process owns a database by convention).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ioError } from '../../common/index.js'
import {
  checkOffset,
  fileClosed,
  fileNameSegments,
  fileNotFound,
  type OpenFileOptions,
  type StorageAdapter,
  type StorageFile,
} from '../storage-adapter.js'

/** Options of {@link NodeFsAdapter}. */
export interface NodeFsAdapterOptions {
  /** Directory the file names are relative to; created on first use. Default: the current directory. */
  root?: string
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined
}

/** fsync of a directory, so a newly created entry in it is durable (invariant 3). Some platforms refuse it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch (error) {
    // Windows cannot open or fsync a directory; there the entry is durable once the file is flushed.
    const code = errnoCode(error)
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL') throw error
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** One open file descriptor. */
class NodeFsFile implements StorageFile {
  readonly name: string
  #fd: number
  #closed = false
  #syncs = new Set<Promise<void>>()

  constructor(name: string, fd: number) {
    this.name = name
    this.#fd = fd
  }

  #check(operation: string): number {
    if (this.#closed) throw fileClosed(this.name, operation)
    return this.#fd
  }

  read(offset: number, dst: Uint8Array): number {
    const fd = this.#check('read')
    checkOffset(this.name, 'read offset', offset)
    let done = 0
    try {
      while (done < dst.length) {
        const n = fs.readSync(fd, dst, done, dst.length - done, offset + done)
        if (n === 0) break
        done += n
      }
    } catch (error) {
      throw ioError(this.name, 'read', error)
    }
    return done
  }

  write(offset: number, src: Uint8Array): void {
    const fd = this.#check('write')
    checkOffset(this.name, 'write offset', offset)
    let done = 0
    try {
      while (done < src.length) done += fs.writeSync(fd, src, done, src.length - done, offset + done)
    } catch (error) {
      throw ioError(this.name, 'write', error)
    }
  }

  size(): number {
    const fd = this.#check('get the size of')
    try {
      return fs.fstatSync(fd).size
    } catch (error) {
      throw ioError(this.name, 'get the size of', error)
    }
  }

  truncate(size: number): void {
    const fd = this.#check('truncate')
    checkOffset(this.name, 'size', size)
    try {
      fs.ftruncateSync(fd, size)
    } catch (error) {
      throw ioError(this.name, 'truncate', error)
    }
  }

  sync(): Promise<void> {
    const fd = this.#check('sync')
    const done = new Promise<void>((resolve, reject) => {
      fs.fdatasync(fd, (error) => (error === null ? resolve() : reject(ioError(this.name, 'sync', error))))
    })
    const tracked = done.then(
      () => undefined,
      () => undefined,
    )
    this.#syncs.add(tracked)
    void tracked.then(() => this.#syncs.delete(tracked))
    return done
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(this.#syncs)
    try {
      fs.closeSync(this.#fd)
    } catch (error) {
      throw ioError(this.name, 'close', error)
    }
  }
}

/**
 * Files under a directory of the local file system (Node only).
 *
 * @example
 * import { NodeFsAdapter } from 'rustydb/storage/node'
 * const kv = await KvStore.open({ adapter: new NodeFsAdapter({ root: './data' }), name: 'app.rdb', create: true })
 */
export class NodeFsAdapter implements StorageAdapter {
  readonly kind = 'node-fs'
  /** Absolute directory the names are relative to. */
  readonly root: string

  constructor(options: NodeFsAdapterOptions = {}) {
    this.root = path.resolve(options.root ?? '.')
  }

  #path(name: string): string {
    return path.join(this.root, ...fileNameSegments(name, 'node-fs'))
  }

  async open(name: string, options: OpenFileOptions): Promise<StorageFile> {
    const file = this.#path(name)
    try {
      return new NodeFsFile(name, fs.openSync(file, fs.constants.O_RDWR))
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw ioError(name, 'open', error)
      if (!options.create) throw fileNotFound(name)
    }
    try {
      const dir = path.dirname(file)
      fs.mkdirSync(dir, { recursive: true })
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT)
      syncDirectory(dir)
      return new NodeFsFile(name, fd)
    } catch (error) {
      throw ioError(name, 'create', error)
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      return fs.statSync(this.#path(name)).isFile()
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false
      throw ioError(name, 'stat', error)
    }
  }

  async remove(name: string): Promise<void> {
    const file = this.#path(name)
    try {
      fs.rmSync(file, { force: true })
      syncDirectory(path.dirname(file))
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return
      throw ioError(name, 'remove', error)
    }
  }
}
