/**
 * WAL: the write-ahead log of page images (`<name>-wal`), SQLite's WAL as the model.
 * Owns: the WAL file format, appending frames (a whole commit in one write call), the recovery scan, the WAL
 * index (page -> newest frame), rolling back unacknowledged frames, and the reset after a checkpoint.
 *
 * WAL header (32 bytes, little-endian):
 *
 * | offset | size | meaning                                         |
 * |--------|------|-------------------------------------------------|
 * | 0      | 4    | magic 0x52574C31 ('RWL1')                        |
 * | 4      | 4    | format version (1)                               |
 * | 8      | 4    | page size                                        |
 * | 12     | 4    | checkpoint sequence (+1 at every reset)          |
 * | 16     | 4    | salt1 (+1 at every reset)                        |
 * | 20     | 4    | salt2 (random at every reset)                    |
 * | 24     | 4    | reserved, 0                                      |
 * | 28     | 4    | crc32c of bytes [0, 28)                          |
 *
 * Frame = 24-byte frame header + one page image (frame n starts at 32 + n * (24 + pageSize)):
 *
 * | offset | size | meaning                                                                   |
 * |--------|------|---------------------------------------------------------------------------|
 * | 0      | 4    | page number                                                               |
 * | 4      | 4    | commit marker: database page count after the commit, on its last frame; 0 |
 * | 8      | 4    | salt1 (copy of the header's)                                              |
 * | 12     | 4    | salt2 (copy of the header's)                                              |
 * | 16     | 4    | low 32 bits of the sequence number of the commit the frame belongs to     |
 * | 20     | 4    | cumulative crc32c: seeded with the previous frame's (the header's crc for |
 * |        |      | frame 0), over frame-header bytes [0, 20) then the page image             |
 *
 * Frame states (n = frame number), each edge labelled by the function that moves it:
 *
 *     (absent) --append()--> uncommitted --publish()--> committed --reset()--> (absent)
 *                                 \--rollback()--> (absent)
 *
 * Invariants:
 *   (1) A frame counts only if its salts equal the header's and its cumulative crc chains back to the
 *       header: a frame left over from before a reset (other salt1) or after a torn write never counts.
 *   (2) Recovery keeps the frames up to and including the last valid commit frame, and truncates the rest:
 *       it never stops inside a commit.
 *   (3) A whole commit (its frames, the commit frame last) is written with one `write` call.
 *   (4) Committed frames are only those of commits whose sync completed (`publish()` after the sync);
 *       the index serves uncommitted frames first (they are newer), then committed ones.
 *   (5) The file never holds bytes past the last frame the log knows of: recovery truncates a torn tail and
 *       `rollback()` truncates unacknowledged frames, each followed by a sync, so stale frames can never
 *       reappear behind newer ones after a later crash.
 *   (6) A reset truncates the file to 0 and syncs before it writes the new header (then syncs): a torn header
 *       is only ever seen on a file of at most 32 bytes, where it means "empty". A header that fails its
 *       checksum on a longer file is corruption (XX001), never silently an empty log.
 *   (7) Corruption versus a crash: a commit group may reach the log in several write calls (spilled pages
 *       flushed ahead of the commit write), and before the group's sync the disk may keep any of them, so
 *       after a crash the frames past the last valid commit are what is left of ONE group: all of them carry
 *       that group's sequence number, some may be missing or torn, and a later group never follows (it is
 *       written only after this one's sync). Recovery therefore collects the sequence numbers of the frames
 *       past the last valid commit that are intact on their own: those chaining from it, the bad frame
 *       itself when its salts match (a frame of zeros from a lost write does not), and every later frame
 *       that chains from its predecessor's stored crc with the right salts. Two different sequence numbers
 *       mean a later group was written after the bad frame's group was synced and acknowledged: that is
 *       corruption, and recovery fails with XX001 naming the bad frame's page instead of silently dropping
 *       acknowledged commits. Otherwise the bad frame cannot be told from a crash while its group was being
 *       written (this includes a corrupt frame in the last commit), and recovery ends at the previous
 *       commit.
 * Not here: when to checkpoint and copying frames into the database file (pager.ts); the page CRC trailer
 *   (the core verifies it on every read).
 */
import { RustyError, SqlState, dataCorrupted, featureNotSupported, internalError, wrongState } from '../common/index.js'
import { crc32cCombine, crc32cSmall } from './crc-combine.js'
import type { StorageFile } from './storage-adapter.js'

/** CRC32C as the WASM core computes it: `crc32c(bytes, seed)` continues a CRC whose value so far is `seed`
 *  (default 0, a fresh CRC), so crc32c(b, crc32c(a)) === crc32c(a ++ b). */
export type Crc32c = (bytes: Uint8Array, seed?: number) => number

/** 'RWL1' */
export const WAL_MAGIC = 0x52574c31
/** The WAL format version this build writes and reads. */
export const WAL_VERSION = 1
/** Bytes of the WAL header. */
export const WAL_HEADER_SIZE = 32
/** Bytes of a frame header. */
export const FRAME_HEADER_SIZE = 24

const H_MAGIC = 0
const H_VERSION = 4
const H_PAGE_SIZE = 8
const H_CHECKPOINT_SEQ = 12
const H_SALT1 = 16
const H_SALT2 = 20
const H_RESERVED = 24
const H_CRC = 28

const F_PAGE = 0
const F_COMMIT = 4
const F_SALT1 = 8
const F_SALT2 = 12
const F_SEQ = 16
const F_CRC = 20

/** Largest append buffer kept for reuse (bigger appends, i.e. spill flushes, allocate their own). */
const MAX_REUSED_BYTES = 1 << 20

/** Frames read per call during recovery and checkpoint (about 1 MiB). */
const SCAN_BYTES = 1 << 20

/** What recovery found. */
export interface WalRecovery {
  /** Frames kept (all of them belong to complete commits). */
  frames: number
  /** Commits kept. */
  commits: number
  /** Bytes of torn or unacknowledged frames that were cut off the end of the file. */
  truncatedBytes: number
  /** True when the file had no valid header and was initialised as an empty log. */
  initialized: boolean
}

/** A commit that was written and awaits its sync (between `append(..., commit)` and `publish()`). */
interface WrittenCommit {
  end: number
  crc: number
  pageCount: number
  seq: number
}

/** Options of {@link Wal.open}. */
export interface WalOptions {
  /** The database's page size; a WAL header with another page size is XX001. */
  pageSize: number
  crc32c: Crc32c
}

/** XX001 about the log as a whole (no page to name): its header, or frames that cannot be read back. */
function walCorrupted(file: string, problem: string): RustyError {
  return new RustyError(SqlState.DATA_CORRUPTED, `data corrupted in "${file}": ${problem}`, { file })
}

function randomU32(): number {
  const out = new Uint32Array(1)
  crypto.getRandomValues(out)
  return out[0]
}

/**
 * Reads the page size field of a WAL file's header without verifying its checksum (the CRC needs the WASM
 * core, which needs a page size). Undefined when the file has no WAL magic.
 */
export function peekWalPageSize(file: StorageFile): number | undefined {
  const header = new Uint8Array(WAL_HEADER_SIZE)
  if (file.read(0, header) < WAL_HEADER_SIZE) return undefined
  const view = new DataView(header.buffer)
  if (view.getUint32(H_MAGIC, true) !== WAL_MAGIC) return undefined
  return view.getUint32(H_PAGE_SIZE, true)
}

/**
 * The write-ahead log of one database.
 *
 * @example
 * const { wal } = await Wal.open(file, { pageSize: 4096, crc32c: (b, s) => core.crc32c(b, s) })
 * wal.append([0, 7], (i) => images[i], 12, pageCount)   // one write: a commit of pages 0 and 7
 * await wal.sync(); wal.publish()
 */
export class Wal {
  /** The WAL file. */
  readonly file: StorageFile
  readonly pageSize: number
  readonly frameSize: number
  #crc32c: Crc32c
  #checkpointSeq = 0
  #salt1 = 0
  #salt2 = 0
  #headerCrc = 0
  /** End of the last published commit, and the cumulative crc there. */
  #committedEnd = WAL_HEADER_SIZE
  #committedCrc = 0
  #committedPageCount = 0
  #committedSeqLow = 0
  /** End of the last frame written (committed or not), and the cumulative crc there. */
  #end = WAL_HEADER_SIZE
  #crc = 0
  #committed = new Map<number, number>()
  #uncommitted = new Map<number, number>()
  #written: WrittenCommit | undefined
  /** Set when a reset failed half-way: the file's layout is unknown until it is reopened. */
  #broken = false
  /** The frames of the last append (reused: a commit of a few pages allocates nothing). */
  #buffer = new Uint8Array(0)

  private constructor(file: StorageFile, options: WalOptions) {
    this.file = file
    this.pageSize = options.pageSize
    this.frameSize = FRAME_HEADER_SIZE + options.pageSize
    this.#crc32c = options.crc32c
  }

  /**
   * Opens a WAL file: initialises an empty or torn-header file (invariant 6), otherwise recovers it
   * (invariants 1, 2, 5, 7) and builds the index of committed frames.
   */
  static async open(file: StorageFile, options: WalOptions): Promise<{ wal: Wal; recovery: WalRecovery }> {
    const wal = new Wal(file, options)
    const recovery = await wal.#recover()
    return { wal, recovery }
  }

  /** Bytes of the log in use (header and every frame written). */
  get size(): number {
    return this.#end
  }

  /** Bytes of the log up to the last published commit. */
  get committedSize(): number {
    return this.#committedEnd
  }

  /** Database page count recorded by the last published commit; 0 when the log holds no commit. */
  get committedPageCount(): number {
    return this.#committedPageCount
  }

  /** Low 32 bits of the sequence number of the last published commit (0 when there is none). */
  get committedSeqLow(): number {
    return this.#committedSeqLow
  }

  /** Number of pages with a committed frame. */
  get committedPages(): number {
    return this.#committed.size
  }

  /** True when frames exist that no published commit covers (spilled pages, or a commit awaiting sync). */
  get hasUncommitted(): boolean {
    return this.#end !== this.#committedEnd
  }

  /** The checkpoint sequence of the header (how many resets this log has been through, mod 2^32). */
  get checkpointSeq(): number {
    return this.#checkpointSeq
  }

  /** Frame number of the newest frame of `pageNo` (uncommitted first, invariant 4), or -1. */
  frameOf(pageNo: number): number {
    return this.#uncommitted.get(pageNo) ?? this.#committed.get(pageNo) ?? -1
  }

  /** Reads the page image of frame `frame` (of page `pageNo`) into `dst` (pageSize bytes). */
  readImage(frame: number, pageNo: number, dst: Uint8Array): void {
    const n = this.file.read(this.#frameOffset(frame) + FRAME_HEADER_SIZE, dst)
    if (n !== this.pageSize) {
      throw dataCorrupted(this.file.name, pageNo, `WAL frame ${frame} is cut short (${n} of ${this.pageSize} bytes)`)
    }
  }

  /** Committed frames: for every page its newest committed frame, in ascending page order. */
  committedFrames(): { pages: Uint32Array; frames: Uint32Array } {
    const pages = Uint32Array.from(this.#committed.keys()).sort()
    const frames = new Uint32Array(pages.length)
    for (let i = 0; i < pages.length; i++) frames[i] = this.#committed.get(pages[i]) as number
    return { pages, frames }
  }

  /**
   * Appends `pageNos.length` frames with ONE write call (invariant 3): frame i holds page `pageNos[i]` with
   * the image `image(i)` (pageSize bytes; it may be a view into WASM memory: every image is copied before
   * any CRC is computed, so a CRC call that grows WASM memory cannot detach it). `seq` is the sequence
   * number of the commit the frames belong to. With `commitPageCount > 0` the last frame carries the commit
   * marker; the commit counts once `publish()` is called after a successful sync.
   * On a failed write nothing changes in memory; the caller rolls back (the file may hold a torn prefix).
   * `imageCrc(pageNo, image)`, when given, returns crc32c of an image (the pager derives it from a sealed page's trailer,
   * crc-combine.ts (3)), so the frame's chained crc is combined instead of computed over the page again.
   */
  append(pageNos: ArrayLike<number>, image: (i: number) => Uint8Array, seq: number, commitPageCount: number, imageCrc?: (pageNo: number, image: Uint8Array) => number): void {
    const count = pageNos.length
    if (this.#broken) throw wrongState(`the WAL "${this.file.name}" must be reopened after a failed reset`)
    if (count === 0) throw internalError('wal (3): a WAL append needs at least one frame')
    if (this.#written !== undefined) throw internalError('wal (4): a commit is already awaiting its sync')
    const fs = this.frameSize
    const bytes = count * fs
    // Every byte of the frames is written below, so a reused buffer needs no clearing (storage-adapter.ts:
    // write() keeps nothing of `src`). Large appends (spill flushes) get their own.
    let buf = this.#buffer
    if (buf.length < bytes) {
      buf = new Uint8Array(bytes)
      if (bytes <= MAX_REUSED_BYTES) this.#buffer = buf
    }
    const view = new DataView(buf.buffer, buf.byteOffset, bytes)
    const seqLow = seq >>> 0
    // The chained CRC reads each image where the caller has it (a page image in WASM memory is checksummed
    // in place, without a copy into the core's buffer), then the image is copied into the frame. With
    // `imageCrc` the image's CRC is known: the chain over header and image is combined from it.
    let crc = this.#crc
    for (let i = 0; i < count; i++) {
      const at = i * fs
      const src = image(i)
      if (src.length !== this.pageSize) throw internalError(`wal: page image of ${src.length} bytes, expected ${this.pageSize}`)
      view.setUint32(at + F_PAGE, pageNos[i], true)
      view.setUint32(at + F_COMMIT, i === count - 1 ? commitPageCount : 0, true)
      view.setUint32(at + F_SALT1, this.#salt1, true)
      view.setUint32(at + F_SALT2, this.#salt2, true)
      view.setUint32(at + F_SEQ, seqLow, true)
      const headerCrc = crc32cSmall(buf, crc, at, at + F_CRC)
      crc = imageCrc === undefined ? this.#crc32c(src, headerCrc) : crc32cCombine(headerCrc, imageCrc(pageNos[i], src), this.pageSize)
      view.setUint32(at + F_CRC, crc, true)
      buf.set(src, at + FRAME_HEADER_SIZE)
    }
    const firstFrame = (this.#end - WAL_HEADER_SIZE) / fs
    this.file.write(this.#end, bytes === buf.length ? buf : buf.subarray(0, bytes))
    this.#end += bytes
    this.#crc = crc
    for (let i = 0; i < count; i++) this.#uncommitted.set(pageNos[i], firstFrame + i)
    if (commitPageCount > 0) this.#written = { end: this.#end, crc, pageCount: commitPageCount, seq: seqLow }
  }

  /** Makes everything written durable (the file's sync). */
  sync(): void | Promise<void> {
    return this.file.sync()
  }

  /**
   * After the sync of a commit written by `append(..., commitPageCount > 0)`: its frames (and the spilled
   * frames before it) become committed (invariant 4).
   */
  publish(): void {
    const written = this.#written
    if (written === undefined) throw internalError('wal (4): publish without a written commit')
    if (written.end !== this.#end) throw internalError('wal (4): frames were appended after the commit awaiting its sync')
    for (const [page, frame] of this.#uncommitted) this.#committed.set(page, frame)
    this.#uncommitted.clear()
    this.#committedEnd = written.end
    this.#committedCrc = written.crc
    this.#committedPageCount = written.pageCount
    this.#committedSeqLow = written.seq
    this.#written = undefined
  }

  /**
   * Forgets every frame after the last published commit and truncates the file there (invariant 5). The
   * caller syncs afterwards (`await wal.sync()`) before it writes anything new.
   */
  rollback(): void {
    if (this.#broken) throw wrongState(`the WAL "${this.file.name}" must be reopened after a failed reset`)
    this.#uncommitted.clear()
    this.#written = undefined
    this.#end = this.#committedEnd
    this.#crc = this.#committedCrc
    this.file.truncate(this.#committedEnd)
  }

  /**
   * Empties the log after a checkpoint copied every committed frame into the database file and synced it:
   * truncate to 0, sync, write a header with the next checkpoint sequence and new salts, sync (invariant 6).
   * A crash anywhere in it leaves either the old log (replayed again: the checkpoint is idempotent) or an
   * empty one.
   */
  async reset(): Promise<void> {
    if (this.hasUncommitted) throw internalError('wal: reset with frames that no published commit covers')
    this.#committed.clear()
    this.#committedPageCount = 0
    this.#committedSeqLow = 0
    this.#broken = true
    this.file.truncate(0)
    await this.file.sync()
    await this.#writeHeader(this.#checkpointSeq + 1, this.#salt1 + 1)
    this.#broken = false
  }

  #frameOffset(frame: number): number {
    return WAL_HEADER_SIZE + frame * this.frameSize
  }

  async #writeHeader(checkpointSeq: number, salt1: number): Promise<void> {
    const header = new Uint8Array(WAL_HEADER_SIZE)
    const view = new DataView(header.buffer)
    let salt2 = randomU32()
    while (salt2 === 0) salt2 = randomU32()
    salt1 >>>= 0
    if (salt1 === 0) salt1 = 1
    view.setUint32(H_MAGIC, WAL_MAGIC, true)
    view.setUint32(H_VERSION, WAL_VERSION, true)
    view.setUint32(H_PAGE_SIZE, this.pageSize, true)
    view.setUint32(H_CHECKPOINT_SEQ, checkpointSeq >>> 0, true)
    view.setUint32(H_SALT1, salt1, true)
    view.setUint32(H_SALT2, salt2, true)
    view.setUint32(H_RESERVED, 0, true)
    const crc = this.#crc32c(header.subarray(0, H_CRC))
    view.setUint32(H_CRC, crc, true)
    this.file.write(0, header)
    await this.file.sync()
    this.#checkpointSeq = checkpointSeq >>> 0
    this.#salt1 = salt1
    this.#salt2 = salt2
    this.#headerCrc = crc
    this.#end = WAL_HEADER_SIZE
    this.#crc = crc
    this.#committedEnd = WAL_HEADER_SIZE
    this.#committedCrc = crc
  }

  /** Truncates to 0 and writes a fresh header: the log of a new database, or one whose header was torn. */
  async #initialize(): Promise<WalRecovery> {
    const truncatedBytes = this.file.size()
    this.file.truncate(0)
    await this.#writeHeader(0, randomU32())
    return { frames: 0, commits: 0, truncatedBytes, initialized: true }
  }

  async #recover(): Promise<WalRecovery> {
    const name = this.file.name
    const size = this.file.size()
    if (size < WAL_HEADER_SIZE) return this.#initialize()
    const header = new Uint8Array(WAL_HEADER_SIZE)
    this.file.read(0, header)
    const hv = new DataView(header.buffer)
    const valid = hv.getUint32(H_MAGIC, true) === WAL_MAGIC && this.#crc32c(header.subarray(0, H_CRC)) === hv.getUint32(H_CRC, true)
    if (!valid) {
      // Invariant 6: a torn header only ever sits alone in the file.
      if (size === WAL_HEADER_SIZE) return this.#initialize()
      throw walCorrupted(name, `the WAL header fails its checksum (the log holds ${size - WAL_HEADER_SIZE} bytes of frames)`)
    }
    const version = hv.getUint32(H_VERSION, true)
    if (version > WAL_VERSION) {
      throw featureNotSupported(`file "${name}" uses WAL format version ${version}; this build reads up to ${WAL_VERSION}`)
    }
    const pageSize = hv.getUint32(H_PAGE_SIZE, true)
    if (pageSize !== this.pageSize) {
      throw walCorrupted(name, `the WAL has page size ${pageSize} but the database has ${this.pageSize}`)
    }
    this.#checkpointSeq = hv.getUint32(H_CHECKPOINT_SEQ, true)
    this.#salt1 = hv.getUint32(H_SALT1, true)
    this.#salt2 = hv.getUint32(H_SALT2, true)
    this.#headerCrc = hv.getUint32(H_CRC, true)

    // Scan: keep frames up to the last valid commit frame (invariants 1, 2).
    const fs = this.frameSize
    const total = Math.floor((size - WAL_HEADER_SIZE) / fs)
    const perChunk = Math.max(1, Math.floor(SCAN_BYTES / fs))
    const chunk = new Uint8Array(perChunk * fs)
    const cv = new DataView(chunk.buffer)
    const tentative = new Map<number, number>()
    let crc = this.#headerCrc
    let commits = 0
    let lastCommit = -1
    let bad = -1
    let commitCrc = crc
    /** Sequence numbers of the valid frames past the last commit (invariant 7). */
    let tailSeqs = new Set<number>()
    scan: for (let first = 0; first < total; first += perChunk) {
      const n = Math.min(perChunk, total - first)
      this.#readFrames(first, n, chunk)
      for (let i = 0; i < n; i++) {
        const at = i * fs
        if (!this.#frameChains(chunk, cv, at, crc)) {
          bad = first + i
          break scan
        }
        crc = cv.getUint32(at + F_CRC, true)
        tentative.set(cv.getUint32(at + F_PAGE, true), first + i)
        tailSeqs.add(cv.getUint32(at + F_SEQ, true))
        const commit = cv.getUint32(at + F_COMMIT, true)
        if (commit !== 0) {
          for (const [page, frame] of tentative) this.#committed.set(page, frame)
          tentative.clear()
          tailSeqs = new Set()
          lastCommit = first + i
          commitCrc = crc
          commits++
          this.#committedPageCount = commit
          this.#committedSeqLow = cv.getUint32(at + F_SEQ, true)
        }
      }
    }
    if (bad >= 0) this.#checkTail(bad, total, chunk, cv, perChunk, tailSeqs)

    const end = WAL_HEADER_SIZE + (lastCommit + 1) * fs
    this.#committedEnd = end
    this.#committedCrc = commitCrc
    this.#end = end
    this.#crc = commitCrc
    let truncatedBytes = 0
    if (size > end) {
      truncatedBytes = size - end
      this.file.truncate(end)
      await this.file.sync()
    }
    return { frames: lastCommit + 1, commits, truncatedBytes, initialized: false }
  }

  /** Reads frames [first, first + n) into `into`. */
  #readFrames(first: number, n: number, into: Uint8Array): void {
    const bytes = n * this.frameSize
    const got = this.file.read(this.#frameOffset(first), into.subarray(0, bytes))
    if (got !== bytes) throw walCorrupted(this.file.name, `WAL frames ${first}..${first + n - 1} could not be read back (${got} of ${bytes} bytes)`)
  }

  /** True when the frame at `at` of `buf` has the header's salts and its crc chains from `seed` (invariant 1). */
  #frameChains(buf: Uint8Array, view: DataView, at: number, seed: number): boolean {
    if (view.getUint32(at + F_SALT1, true) !== this.#salt1 || view.getUint32(at + F_SALT2, true) !== this.#salt2) return false
    const crc = this.#crc32c(buf.subarray(at + FRAME_HEADER_SIZE, at + this.frameSize), this.#crc32c(buf.subarray(at, at + F_CRC), seed))
    return crc === view.getUint32(at + F_CRC, true)
  }

  /**
   * Invariant 7: frame `bad` is invalid; `tailSeqs` holds the sequence numbers of the valid frames between
   * the last commit and it. Adds the bad frame's own (when its salts match) and those of every later frame
   * that chains from its predecessor; two different ones mean acknowledged commits follow: XX001.
   */
  #checkTail(bad: number, total: number, chunk: Uint8Array, cv: DataView, perChunk: number, tailSeqs: Set<number>): void {
    const fs = this.frameSize
    let badPage = -1
    let prevCrc = 0
    for (let first = bad; first < total; first += perChunk) {
      const n = Math.min(perChunk, total - first)
      this.#readFrames(first, n, chunk)
      for (let i = 0; i < n; i++) {
        const frame = first + i
        const at = i * fs
        const saltsMatch = cv.getUint32(at + F_SALT1, true) === this.#salt1 && cv.getUint32(at + F_SALT2, true) === this.#salt2
        if (frame === bad) {
          badPage = cv.getUint32(at + F_PAGE, true)
          const seq = cv.getUint32(at + F_SEQ, true)
          if (saltsMatch && seq !== 0) tailSeqs.add(seq)
        } else if (this.#frameChains(chunk, cv, at, prevCrc)) tailSeqs.add(cv.getUint32(at + F_SEQ, true))
        if (tailSeqs.size > 1) {
          throw dataCorrupted(
            this.file.name,
            badPage,
            `WAL frame ${bad} fails its checksum but frame ${frame} after it belongs to a later commit, so acknowledged commits would be lost`,
            { hint: 'restore the database from a backup, or remove the WAL file to keep only what was checkpointed' },
          )
        }
        prevCrc = cv.getUint32(at + F_CRC, true)
      }
    }
  }
}
