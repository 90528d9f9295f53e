/**
 * Pager: the database file and its WAL under the WASM core's buffer pool.
 * Owns: opening (header check, WAL recovery, `core.openDatabase()`) and creating a database, the core's
 * `PageHost` (where a page is read from, where a spilled page goes), writing and rolling back a commit, the
 * checkpoint.
 *
 * Where the current image of page n is (readPage), newest first:
 *   1. the pool's frame (the core never asks then);
 *   2. the spill buffer: pages the pool evicted while dirty, not yet appended to the WAL;
 *   3. the newest WAL frame of n not yet covered by a published commit: a spilled page flushed while a group
 *      was applied, or a frame of the commit whose sync is in flight (the pool marked it clean after the
 *      write);
 *   4. the newest WAL frame of n of a published commit;
 *   5. bytes [n * pageSize, (n + 1) * pageSize) of the database file.
 *
 * One commit (a group of batches, driven by kv-store.ts):
 *
 *     applied --writeCommit(seq)--> written --syncCommit()--> durable (published)
 *        \                             \--(write or sync failed) rollback()--> last durable commit
 *         \--(apply failed) rollback()-->/
 *
 * Invariants:
 *   (1) Every page the core dirtied reaches the WAL: either spilled (spillPage) or sealed by prepareCommit;
 *       the commit's frames follow its spilled frames, so one commit marker covers both.
 *   (1a) spillPage never calls back into the core: it runs inside a core export (the CRC would reuse the
 *       core's buffers under the running call), so it only copies the image into the spill buffer. The
 *       store calls flushSpills() between core calls, which appends the buffered pages in one write once
 *       they exceed `spillFlushBytes` (4 MiB); writeCommit() writes whatever is left together with the
 *       commit (still one write). One core call can spill many pages (a bulk load into a small pool): the
 *       buffer holds them until the call returns.
 *   (1b) Every frame of a group, spilled or sealed, carries the group's sequence number (beginGroup): WAL
 *       recovery tells a crashed group from corruption by it (wal.ts invariant 7).
 *   (1c) Every image handed to the WAL, spilled or sealed by prepareCommit, was sealed by the core (its
 *       trailer is its checksum), so the WAL takes the image's CRC from the trailer (crc-combine.ts (3))
 *       instead of reading the page a second time.
 *   (2) A commit is one WAL write call (plus, for a group larger than the spill buffer, the spill flushes
 *       before it); its sync completes before syncCommit() returns, before anything is acknowledged.
 *   (3) The pool is marked clean right after the commit's write: the frames are in the WAL file, so a page
 *       evicted meanwhile is read back from them (readPage step 3). Nothing is dirty between groups.
 *   (4) rollback() returns the pool, the WAL index and the WAL file to the last published commit: discardAll,
 *       truncate, sync.
 *   (5) Checkpoint order: copy the newest committed frame of every page into the database file (contiguous
 *       runs, one write per run), sync the database file, then reset the WAL (which syncs). A crash before
 *       the reset replays the same frames again (idempotent); after it, the database file has them.
 *   (6) The database file is only written by the checkpoint; its header's magic, version and page size never
 *       change after creation, so a torn checkpoint write cannot change what open() reads from them.
 * Not here: batches, snapshots, group commit, when to checkpoint (kv-store.ts); the log format (wal.ts);
 *   page layout, B+trees and the pool itself (assembly/, engine/wasm/).
 */
import { RustyError, SqlState, dataCorrupted, featureNotSupported, internalError, invalidParameter } from '../common/index.js'
import { type PageHost, WasmCore } from '../wasm/index.js'
import { sealedPageCrc } from './crc-combine.js'
import type { StorageAdapter, StorageFile } from './storage-adapter.js'
import { Wal, type WalRecovery, peekWalPageSize } from './wal.js'

/** `RUSTYDB\0` */
const MAGIC = Uint8Array.of(0x52, 0x55, 0x53, 0x54, 0x59, 0x44, 0x42, 0x00)
/** The database format version this build writes and reads. */
export const FORMAT_VERSION = 1
/** Page 0 fields read before the core exists (the rest is the core's). */
const HDR_VERSION = 8
const HDR_PAGE_SIZE = 12
const HDR_BYTES = 16
/** Default page size of a new database. */
export const DEFAULT_PAGE_SIZE = 4096
/** Default number of buffer pool frames. */
export const DEFAULT_CACHE_PAGES = 1024
/** Minimum number of buffer pool frames (the core needs a path's worth of pins plus room to evict). */
export const MIN_CACHE_PAGES = 64
/** Largest checkpoint write: contiguous runs longer than this are split. */
const MAX_RUN_BYTES = 8 << 20
/** A checkpoint run bridges gaps of up to this many pages without frames (read from the database file). */
const MAX_GAP_PAGES = 8
/** Default `spillFlushBytes`: flushSpills() appends the spill buffer to the WAL once it holds this much. */
export const DEFAULT_SPILL_FLUSH_BYTES = 4 << 20

/** Options of {@link Pager.open}. */
export interface PagerOptions {
  adapter: StorageAdapter
  /** The database file's name; the WAL is `<name>-wal`. */
  name: string
  /** Create the database when the file is missing or empty. Default false. */
  create?: boolean
  /** Page size of a new database (power of two, 1024..65536). Default 4096. An existing database keeps its own. */
  pageSize?: number
  /** Buffer pool frames (>= 64). Default 1024. */
  cachePages?: number
  /** The compiled core; default: compiled once from build/rustydb.wasm. */
  module?: WebAssembly.Module
  /**
   * Bytes of pages the pool spilled that are buffered in memory before they are appended to the WAL in one
   * write (invariant 1a). Default 4 MiB. Smaller values write more often; tests use small values to crash
   * between such a write and the commit.
   */
  spillFlushBytes?: number
}

/** What a checkpoint did. */
export interface CheckpointResult {
  /** Pages copied into the database file. */
  pages: number
  /** Write calls (contiguous runs) it took. */
  runs: number
  /** Bytes the WAL held before its reset. */
  walBytes: number
}

/** The header fields open() reads directly, before the core exists. */
type HeaderProbe =
  | { kind: 'valid'; pageSize: number }
  | { kind: 'empty' }
  | { kind: 'foreign'; problem: string }

function validPageSize(size: number): boolean {
  return size >= 1024 && size <= 65536 && (size & (size - 1)) === 0
}

function notRustyDb(file: string, why?: string): RustyError {
  return new RustyError(SqlState.DATA_CORRUPTED, `file "${file}" is not a RustyDB database${why === undefined ? '' : ` (${why})`}`, {
    file,
    page: 0,
  })
}

/** Reads magic, version and page size of a page-0 image (or the start of one). 0A000 for a newer version. */
function probeHeader(file: string, bytes: Uint8Array, available: number): HeaderProbe {
  if (available === 0) return { kind: 'empty' }
  for (let i = 0; i < MAGIC.length; i++) {
    if (i >= available || bytes[i] !== MAGIC[i]) return { kind: 'foreign', problem: 'wrong magic' }
  }
  if (available < HDR_BYTES) return { kind: 'foreign', problem: 'header cut short' }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HDR_BYTES)
  const version = view.getUint32(HDR_VERSION, true)
  if (version > FORMAT_VERSION) {
    throw featureNotSupported(`file "${file}" uses format version ${version}; this build reads up to ${FORMAT_VERSION}`)
  }
  if (version === 0) return { kind: 'foreign', problem: 'format version 0' }
  const pageSize = view.getUint32(HDR_PAGE_SIZE, true)
  if (!validPageSize(pageSize)) return { kind: 'foreign', problem: `invalid page size ${pageSize}` }
  return { kind: 'valid', pageSize }
}

/**
 * The pager of one open database: its two files, the core, and the `PageHost` the core reads through.
 */
export class Pager implements PageHost {
  /** The database file's name. */
  readonly name: string
  readonly pageSize: number
  /** True when open() created (formatted) the database. */
  readonly created: boolean
  /** What WAL recovery found when the database was opened. */
  readonly recovery: WalRecovery
  #db: StorageFile
  #wal: Wal
  #core: WasmCore | undefined
  /** Commit sequence number that spilled frames are stamped with (the group being applied). */
  #groupSeq = 0
  /** Spill buffer (invariant 1a): page number -> copy of the image the pool evicted. */
  #spilled = new Map<number, Uint8Array>()
  #spillFlushBytes = DEFAULT_SPILL_FLUSH_BYTES
  #spillWrites = 0

  private constructor(name: string, db: StorageFile, wal: Wal, pageSize: number, created: boolean, recovery: WalRecovery) {
    this.name = name
    this.#db = db
    this.#wal = wal
    this.pageSize = pageSize
    this.created = created
    this.recovery = recovery
  }

  /** The WASM core (buffer pool and B+trees) over this pager. */
  get core(): WasmCore {
    if (this.#core === undefined) throw internalError('pager: the core is not attached yet')
    return this.#core
  }

  /** Bytes the WAL holds (its header and every frame). */
  get walBytes(): number {
    return this.#wal.size
  }

  /** WAL writes of spilled pages made before their commit (flushSpills), since open. */
  get spillWrites(): number {
    return this.#spillWrites
  }

  /** The WAL file's name. */
  get walName(): string {
    return this.#wal.file.name
  }

  /**
   * Opens (or, with `create`, creates) a database: reads the header bytes directly (magic, version, page
   * size), recovers the WAL, then lets the core read and verify page 0. Errors name the file: XX001 "file
   * "x" is not a RustyDB database", 0A000 "file "x" uses format version N; this build reads up to 1".
   */
  static async open(options: PagerOptions): Promise<Pager> {
    const { adapter, name } = options
    const create = options.create ?? false
    const cachePages = options.cachePages ?? DEFAULT_CACHE_PAGES
    if (!Number.isInteger(cachePages) || cachePages < MIN_CACHE_PAGES) {
      throw invalidParameter(`invalid cachePages ${cachePages}`, `use an integer >= ${MIN_CACHE_PAGES}`)
    }
    const newPageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
    if (!validPageSize(newPageSize)) throw invalidParameter(`invalid page size ${newPageSize}`, 'use a power of two from 1024 to 65536')
    const spillFlushBytes = options.spillFlushBytes ?? DEFAULT_SPILL_FLUSH_BYTES
    if (!Number.isSafeInteger(spillFlushBytes) || spillFlushBytes < 0) throw invalidParameter(`invalid spillFlushBytes ${spillFlushBytes}`)

    const db = await adapter.open(name, { create })
    let walFile: StorageFile | undefined
    try {
      const start = new Uint8Array(HDR_BYTES)
      const probe = probeHeader(name, start, db.read(0, start))
      // A file that is not a database, and has no WAL that could hold one, gets no WAL file beside it.
      if (probe.kind !== 'valid' && !(probe.kind === 'empty' && create) && !(await adapter.exists(`${name}-wal`))) {
        throw notRustyDb(name, probe.kind === 'empty' ? 'the file is empty' : probe.problem)
      }
      walFile = await adapter.open(`${name}-wal`, { create: true })
      const pager = await Pager.#openFiles(name, db, walFile, probe, create, newPageSize, cachePages, options.module)
      pager.#spillFlushBytes = spillFlushBytes
      return pager
    } catch (error) {
      await db.close()
      await walFile?.close()
      throw error
    }
  }

  static async #openFiles(
    name: string,
    db: StorageFile,
    walFile: StorageFile,
    probe: HeaderProbe,
    create: boolean,
    newPageSize: number,
    cachePages: number,
    module: WebAssembly.Module | undefined,
  ): Promise<Pager> {

    // The page size: the database's, else the WAL's (a database whose first checkpoint never completed
    // lives in its WAL, invariant 6), else the one asked for.
    let pageSize = newPageSize
    if (probe.kind === 'valid') pageSize = probe.pageSize
    else {
      const walPageSize = peekWalPageSize(walFile)
      if (walPageSize !== undefined && validPageSize(walPageSize)) pageSize = walPageSize
    }

    const host = new HostProxy()
    let core = await WasmCore.create({ host, pageSize, cachePages, fileName: name, module })
    const crc32c = (bytes: Uint8Array, seed?: number): number => core.crc32c(bytes, seed)
    let { wal, recovery } = await Wal.open(walFile, { pageSize, crc32c })

    let created = false
    if (probe.kind !== 'valid') {
      const walPage0 = wal.frameOf(0)
      if (wal.committedPageCount > 0 && walPage0 >= 0) {
        // The database lives in the WAL: check page 0 there.
        const image = new Uint8Array(pageSize)
        wal.readImage(walPage0, 0, image)
        const inWal = probeHeader(name, image, image.length)
        if (inWal.kind !== 'valid' || inWal.pageSize !== pageSize) {
          throw notRustyDb(name, inWal.kind === 'foreign' ? inWal.problem : 'page 0 in its WAL is not a header')
        }
      } else if (probe.kind === 'empty' && create) {
        created = true
        if (pageSize !== newPageSize) {
          pageSize = newPageSize
          core = await WasmCore.create({ host, pageSize, cachePages, fileName: name, module })
        }
        walFile.truncate(0)
        ;({ wal, recovery } = await Wal.open(walFile, { pageSize, crc32c }))
      } else if (probe.kind === 'empty') {
        throw notRustyDb(name, 'the file is empty')
      } else {
        throw notRustyDb(name, probe.problem)
      }
    }

    const pager = new Pager(name, db, wal, pageSize, created, recovery)
    pager.#core = core
    host.target = pager
    if (created) {
      core.formatDatabase()
      pager.writeCommit(0)
      await pager.syncCommit()
    } else {
      core.openDatabase()
      const header = core.header()
      if (header.pageSize !== pageSize) {
        throw dataCorrupted(name, 0, `the header's page size ${header.pageSize} differs from the page size ${pageSize} read at open`)
      }
      if (wal.committedPageCount > 0 && header.pageCount !== wal.committedPageCount) {
        throw dataCorrupted(
          name,
          0,
          `the header counts ${header.pageCount} pages but the last commit in "${wal.file.name}" counts ${wal.committedPageCount}`,
        )
      }
    }
    return pager
  }

  // --- PageHost -------------------------------------------------------------------------------------------

  /** Fills `dst` (a view into WASM memory) with the current image of `pageNo` (see the header's list). */
  readPage(pageNo: number, dst: Uint8Array): void {
    const spilled = this.#spilled.get(pageNo)
    if (spilled !== undefined) {
      dst.set(spilled)
      return
    }
    const frame = this.#wal.frameOf(pageNo)
    if (frame >= 0) {
      this.#wal.readImage(frame, pageNo, dst)
      return
    }
    const n = this.#db.read(pageNo * this.pageSize, dst)
    if (n !== this.pageSize) {
      throw dataCorrupted(
        this.name,
        pageNo,
        n === 0 ? `the page is past the end of the file (${this.#db.size()} bytes)` : `the page is cut short (${n} of ${this.pageSize} bytes)`,
      )
    }
  }

  /** Keeps a dirty page the pool evicts in the spill buffer, bound for the WAL (invariants 1, 1a). */
  spillPage(pageNo: number, src: Uint8Array): void {
    this.#spilled.set(pageNo, src.slice())
  }

  /**
   * Appends the spill buffer to the WAL as uncommitted frames (one write) once it holds `spillFlushBytes`, or
   * whenever it is non-empty with `force`. Call between core calls only (invariant 1a).
   */
  flushSpills(force = false): void {
    const spilled = this.#spilled
    if (spilled.size === 0 || (!force && spilled.size * this.pageSize < this.#spillFlushBytes)) return
    const pages = [...spilled.keys()]
    this.#wal.append(pages, (i) => spilled.get(pages[i]) as Uint8Array, this.#groupSeq, 0, sealedPageCrc)
    spilled.clear()
    this.#spillWrites++
  }

  // --- commits --------------------------------------------------------------------------------------------

  /** Stamps the frames spilled from now on with `seq` (the sequence number the group will commit as). */
  beginGroup(seq: number): void {
    this.#groupSeq = seq
  }

  /**
   * Seals every dirty page with LSN `seq` and appends them to the WAL in one write, the last frame carrying
   * the commit marker; then marks the pool clean (invariant 3). Not durable until syncCommit() returns.
   */
  writeCommit(seq: number): void {
    const core = this.core
    core.setLastCommitSeq(BigInt(seq))
    const pageCount = core.header().pageCount
    const { pages, offsets } = core.prepareCommit(BigInt(seq))
    if (pages.length === 0) throw internalError('pager (1): a commit with no dirty page (page 0 is always dirty)')
    const memory = new Uint8Array(core.memory.buffer)
    const size = this.pageSize
    // Spilled pages first (unless the pool dirtied them again: then its sealed image is newer), then the
    // sealed pages; all in one write (invariant 2).
    const sealed = new Set(pages)
    const spilledPages = [...this.#spilled.keys()].filter((p) => !sealed.has(p))
    const frames = spilledPages.length
    const pageNos = frames === 0 ? pages : [...spilledPages, ...pages]
    this.#wal.append(
      pageNos,
      (i) => (i < frames ? (this.#spilled.get(pageNos[i]) as Uint8Array) : memory.subarray(offsets[i - frames], offsets[i - frames] + size)),
      seq,
      pageCount,
      sealedPageCrc,
    )
    this.#spilled.clear()
    core.markClean()
  }

  /** Waits for the WAL sync of the written commit, then publishes it (invariant 2). */
  async syncCommit(): Promise<void> {
    await this.#wal.sync()
    this.#wal.publish()
  }

  /**
   * Returns to the last durable commit after a failed apply, write or sync (invariant 4). The pool and the
   * WAL are back before the first await (the caller relies on it); the promise resolves after the sync.
   */
  async rollback(): Promise<void> {
    this.#spilled.clear()
    this.core.discardAll()
    this.#wal.rollback()
    await this.#wal.sync()
  }

  // --- checkpoint -----------------------------------------------------------------------------------------

  /**
   * Copies the newest committed frame of every page into the database file in contiguous runs (one write
   * per run, at most 8 MiB each), syncs it, then resets the WAL (invariant 5). Requires that no commit is
   * being applied or written.
   */
  async checkpoint(): Promise<CheckpointResult> {
    const wal = this.#wal
    if (wal.hasUncommitted) throw internalError('pager (5): checkpoint while a commit is in progress')
    const walBytes = wal.size
    const { pages, frames } = wal.committedFrames()
    const size = this.pageSize
    const maxRun = Math.max(1, Math.floor(MAX_RUN_BYTES / size))
    const dbPages = Math.floor(this.#db.size() / size)
    let runs = 0
    for (let i = 0; i < pages.length; ) {
      // Extend the run over pages with frames, and over short gaps of pages the database file already holds
      // (rewritten with their own bytes, so a torn write there changes nothing): fewer, larger writes.
      const first = pages[i]
      let j = i + 1
      while (j < pages.length) {
        const gap = pages[j] - pages[j - 1] - 1
        if (pages[j] - first + 1 > maxRun || gap > MAX_GAP_PAGES || (gap > 0 && pages[j] - 1 >= dbPages)) break
        j++
      }
      const count = pages[j - 1] - first + 1
      const run = new Uint8Array(count * size)
      // Gap pages lie inside the file (checked above); pages past its end all have frames.
      if (count > j - i) this.#db.read(first * size, run)
      for (let k = i; k < j; k++) {
        const at = (pages[k] - first) * size
        wal.readImage(frames[k], pages[k], run.subarray(at, at + size))
      }
      this.#db.write(first * size, run)
      runs++
      i = j
    }
    if (pages.length === 0) return { pages: 0, runs: 0, walBytes }
    await this.#db.sync()
    await wal.reset()
    return { pages: pages.length, runs, walBytes }
  }

  /** Closes both files (the caller checkpoints first if it wants the WAL emptied). */
  async close(): Promise<void> {
    try {
      await this.#db.close()
    } finally {
      await this.#wal.file.close()
    }
  }
}

/**
 * The PageHost handed to the core before the Pager exists (the core is created first: the WAL's CRC needs
 * it). Forwards to the pager once attached.
 */
class HostProxy implements PageHost {
  target: PageHost | undefined

  readPage(pageNo: number, dst: Uint8Array): void {
    if (this.target === undefined) throw internalError(`pager: the core read page ${pageNo} before the pager was attached`)
    this.target.readPage(pageNo, dst)
  }

  spillPage(pageNo: number, src: Uint8Array): void {
    if (this.target === undefined) throw internalError(`pager: the core spilled page ${pageNo} before the pager was attached`)
    this.target.spillPage(pageNo, src)
  }
}
