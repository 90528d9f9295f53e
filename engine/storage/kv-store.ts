/**
 * KvStore: named B+trees of byte keys and values, atomic multi-tree commits, snapshots. The API the SQL
 * layer builds on: synchronous reads, asynchronous (durable) commits.
 *
 * One commit, from batch to disk (each step names its function):
 *   1. `kv.batch()` returns a WriteBatch; put/delete/createTree/dropTree/bulkLoad record operations
 *      (write-batch.ts).
 *   2. `kv.commit(batch)` seals the batch and queues it; `#kick()` schedules `#drive()` on a microtask, so
 *      every commit issued in the same synchronous run joins the same group.
 *   3. `#drive()` takes the whole queue as one group and calls `#runGroup()`; commits arriving while the group
 *      is written and synced wait in the queue for the next group (group commit: one write, one sync).
 *   4. `#runGroup()`: `#validate()` checks each batch against the directory as the batches before it leave it
 *      (a bad batch is rejected alone, before anything is applied) and gives it the next sequence number;
 *      `#applyFrees()` frees trees dropped earlier that no reader can see any more; `#applyBatch()` applies
 *      the operations through the core (runs of puts/deletes one packed segment per call with
 *      `putPacked`/`deletePacked` returning old values, `bulkLoadPacked`, `createTree`, directory
 *      updates), recording every old value in the version store (`VersionStore.record`), and lets the pager
 *      flush spilled pages between core calls (`Pager.flushSpills`).
 *   5. `Pager.writeCommit(seq)`: `core.setLastCommitSeq`, `core.prepareCommit` seals the dirty pages, one
 *      `Wal.append` writes spilled + sealed pages with the commit marker on the last frame, `core.markClean`.
 *   6. `Pager.syncCommit()`: await the WAL file's sync, then `Wal.publish` makes the frames committed.
 *   7. The acknowledged sequence number advances to the group's last; `#prune()` drops old values no reader
 *      needs; each commit's promise resolves with its `{ seq }`.
 *   8. Before the next group, `#drive()` checkpoints when the WAL passed `checkpointBytes` or `checkpoint()`
 *      was called (`Pager.checkpoint`: frames -> database file in contiguous runs, sync, `Wal.reset`).
 *   On a failed apply, write or sync: `#rollbackGroup()` -> `Pager.rollback` (core.discardAll, WAL truncated
 *   back to the last commit and synced), `VersionStore.discardAfter`, the directory is re-read; every commit
 *   of the group rejects with the error and the store stays usable. If the rollback itself fails, the store
 *   refuses further work (55000 naming the cause) until it is reopened.
 *
 * Reads: `get`/`getMany`/`scan`/`scanBatches` at snapshot s (default: the last acknowledged commit) read the
 * pages, which hold the newest APPLIED state, and overlay the version store's values for every batch after s
 * (`VersionStore.lookup` / `rangeAt`). Between steps 4 and 7 that overlay hides the in-flight group from
 * readers: nobody sees a commit before it is durable.
 *
 * The tree directory is a B+tree (root = header field 28): key = UTF-8 tree name, value = u32 LE root page.
 * A dropped tree's entry is replaced by key 0xFF + u32 BE root (0xFF never occurs in UTF-8, so it cannot
 * collide with a name), value = u32 LE root, until its pages are freed. So a crash before the free loses
 * no page: the next open frees them.
 *
 * Invariants:
 *   (1) ackSeq <= appliedSeq; they differ only while a group is written and synced (steps 5..7).
 *   (2) A reader at s sees exactly the commits <= s: pages minus the version store's overlay of batches > s.
 *   (3) The version store keeps every batch > min(ackSeq, oldest open snapshot) (`#minNeeded()`).
 *   (4) A dropped tree's pages are freed only in a group formed when no reader can see the tree any more
 *       (dropSeq <= #minNeeded()).
 *   (5) One group at a time: a group is applied only after the previous one is acknowledged or rolled back,
 *       and a checkpoint runs only between groups (nothing dirty, no uncommitted WAL frames).
 *   (6) Every page 1..pageCount-1 belongs to exactly one of: the directory, a tree (dropped ones included),
 *       the freelist (`check()`).
 * Paths not taken: we could apply the next group while the previous one syncs (pipelining), but a failed
 *   sync would then have to unwind two groups, and readers would need two overlays; one group in flight
 *   already gives one write and one sync per group. We could index old values as they are recorded, but
 *   most batches are never read at an older snapshot, so the version store indexes on the first such read.
 * Not here: SQL tables, rows and indexes (engine/catalog); transactions and conflicts (engine/txn), which
 *   build on batches and snapshots.
 */
import { RustyError, SqlState, dataCorrupted, internalError, invalidParameter, wrongState } from '../common/index.js'
import type { EntryBatch, PackedResults, PoolStats, ScanRange, WasmCore } from '../wasm/index.js'
import { ArrayEntryBatch } from './array-entry-batch.js'
import { compareKeys } from './key-codec.js'
import { type CheckpointResult, Pager, type PagerOptions } from './pager.js'
import { Snapshot, SnapshotRegistry } from './snapshot.js'
import { UNCHANGED, VersionStore, keyString, sortEntries } from './version-store.js'
import { WAL_HEADER_SIZE, type WalRecovery } from './wal.js'
import { type BatchStep, WriteBatch, treeNameKey } from './write-batch.js'

/** Options of {@link KvStore.open}. */
export interface KvStoreOptions extends PagerOptions {
  /** Checkpoint automatically once the WAL holds this many bytes; 0 turns it off. Default 16 MiB. */
  checkpointBytes?: number
}

/** What a commit resolves with. */
export interface CommitInfo {
  /** The commit's sequence number (ascending in commit order; gaps are internal commits). */
  readonly seq: number
}

/** One tree in a {@link CheckReport}. */
export interface TreeReport {
  /** The tree's name; for a dropped tree awaiting its free, `(dropped tree at page N)`. */
  name: string
  root: number
  entries: number
  /** Pages the tree uses (interior, leaf, overflow). */
  pages: number
  depth: number
  dropped: boolean
}

/** What `check()` verified. */
export interface CheckReport {
  pageCount: number
  freePages: number
  directoryPages: number
  trees: TreeReport[]
}

/** Counters of an open store. */
export interface KvStats {
  /** Sequence number of the last acknowledged commit. */
  lastCommitSeq: number
  walBytes: number
  pool: PoolStats
  /** Commits whose old values the version store still holds, and their approximate bytes. */
  versionBatches: number
  versionBytes: number
  openSnapshots: number
  /** Dropped trees whose pages are not freed yet. */
  pendingFrees: number
  /** Groups written (each one WAL write and one sync) and checkpoints run since open. */
  groups: number
  checkpoints: number
  /** WAL writes of spilled pages ahead of their commit (a group larger than the spill buffer), since open. */
  spillWrites: number
}

type State = 'open' | 'closing' | 'closed' | 'failed'

interface PendingCommit {
  readonly batch: WriteBatch
  readonly onAck: ((info: CommitInfo) => void) | undefined
  readonly resolve: (info: CommitInfo) => void
  readonly reject: (error: unknown) => void
}

interface PendingCheckpoint {
  readonly resolve: (result: CheckpointResult) => void
  readonly reject: (error: unknown) => void
}

interface PendingFree {
  readonly root: number
  /** Sequence number of the commit that dropped the tree (0 when found at open). */
  readonly dropSeq: number
}

/** Default `checkpointBytes`. */
export const DEFAULT_CHECKPOINT_BYTES = 16 << 20
/**
 * Entries per core scan call (the core's maximum): fewer calls and seeks per scanned entry. Scans run in the
 * core's views mode: a batch's keys and values are views into the leaf frames, not copies.
 */
const SCAN_BATCH_ENTRIES = 8192
/** First byte of a dropped tree's directory key. */
const DROPPED = 0xff

const decoder = new TextDecoder('utf-8', { fatal: true })

function u32le(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n, true)
  return out
}

function droppedKey(root: number): Uint8Array {
  const out = new Uint8Array(5)
  out[0] = DROPPED
  new DataView(out.buffer).setUint32(1, root, false)
  return out
}

function undefinedTree(name: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_OBJECT, `tree "${name}" does not exist`)
}

function duplicateTree(name: string): RustyError {
  return new RustyError(SqlState.DUPLICATE_OBJECT, `tree "${name}" already exists`)
}

/** Copies `length` bytes of `src` at `from` into `dst` at `at` (a loop for short runs: no temporary view). */
function copyRange(dst: Uint8Array, at: number, src: Uint8Array, from: number, length: number): void {
  if (length <= 32) for (let i = 0; i < length; i++) dst[at + i] = src[from + i]
  else dst.set(src.subarray(from, from + length), at)
}

/**
 * The entries of scan batches as [key, value] copies. Each batch is gathered into one new buffer before the
 * first yield, and every key and value is a view into it: two small views per entry instead of two
 * ArrayBuffers (so `key.buffer` holds the rest of the batch too: copy before transferring it).
 */
function* entriesOf(batches: Generator<EntryBatch, void, undefined>): Generator<[Uint8Array, Uint8Array], void, undefined> {
  for (const batch of batches) {
    const n = batch.count
    const { data, keyOffsets, keyLengths, valueOffsets, valueLengths } = batch
    let total = 0
    for (let i = 0; i < n; i++) total += keyLengths[i] + valueLengths[i]
    const copy = new Uint8Array(total)
    const entries: [Uint8Array, Uint8Array][] = new Array(n)
    let at = 0
    for (let i = 0; i < n; i++) {
      const kl = keyLengths[i]
      const vl = valueLengths[i]
      copyRange(copy, at, data, keyOffsets[i], kl)
      copyRange(copy, at + kl, data, valueOffsets[i], vl)
      entries[i] = [copy.subarray(at, at + kl), copy.subarray(at + kl, at + kl + vl)]
      at += kl + vl
    }
    yield* entries
  }
}

/**
 * Named B+trees over one database file and its WAL.
 *
 * @example
 * const kv = await KvStore.open({ adapter: new MemoryAdapter(), name: 'app.rdb', create: true })
 * await kv.commit(kv.batch().createTree('users').put('users', key, value))
 * kv.get('users', key)                      // the value, at the latest acknowledged commit
 * const snap = kv.snapshot()
 * for (const [k, v] of kv.scan('users', { lower: key }, snap)) ...
 * snap.release()
 * await kv.close()
 */
export class KvStore {
  /** The database file's name. */
  readonly name: string
  readonly pageSize: number
  /** Largest key, in bytes: (pageSize - 64) / 4. */
  readonly maxKeyBytes: number
  /** What WAL recovery found at open. */
  readonly recovery: WalRecovery
  /** True when open() created the database. */
  readonly created: boolean
  #pager: Pager
  #core: WasmCore
  #state: State = 'open'
  #failure: RustyError | undefined
  #closing: Promise<void> | undefined
  /** Set by close() once the queue is drained: no reader (snapshot or scan) can read any more. */
  #readersGone = false
  #ackSeq: number
  #appliedSeq: number
  #dirRoot: number
  /** Applied directory: tree name -> root page (user trees only). */
  #dir = new Map<string, number>()
  /** The last tree name `get` resolved through #dir, and its root; cleared whenever #dir changes. */
  #cachedTree: string | undefined
  #cachedRoot = 0
  #versions = new VersionStore()
  /** Tree name -> sequence number of the last applied batch that changed it (treeVersion). */
  #treeSeqs = new Map<string, number>()
  /** The acknowledged sequence number at open: the version of every tree no batch changed since. */
  #openSeq: number
  #snapshots: SnapshotRegistry
  #pendingFrees: PendingFree[] = []
  #queue: PendingCommit[] = []
  #checkpointWaiters: PendingCheckpoint[] = []
  #driving = false
  #idleWaiters: (() => void)[] = []
  #checkpointBytes: number
  #groups = 0
  #checkpoints = 0
  /** Releases the implicit snapshot of a scan iterator that was dropped without finishing. */
  #scanFinalizer = new FinalizationRegistry<Snapshot>((snapshot) => snapshot.release())

  private constructor(pager: Pager, checkpointBytes: number) {
    this.#pager = pager
    this.#core = pager.core
    this.name = pager.name
    this.pageSize = pager.pageSize
    this.maxKeyBytes = Math.floor((pager.pageSize - 64) / 4)
    this.recovery = pager.recovery
    this.created = pager.created
    this.#checkpointBytes = checkpointBytes
    const header = this.#core.header()
    this.#ackSeq = Number(header.lastCommitSeq)
    this.#appliedSeq = this.#ackSeq
    this.#openSeq = this.#ackSeq
    this.#dirRoot = header.directoryRoot
    this.#snapshots = new SnapshotRegistry(() => this.#prune())
  }

  /**
   * Opens a store (creating the database with `create: true` when the file is missing or empty): recovers
   * the WAL and loads the tree directory. Dropped trees whose pages were not freed before a crash are freed
   * by the next commit.
   */
  static async open(options: KvStoreOptions): Promise<KvStore> {
    const checkpointBytes = options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES
    if (!Number.isSafeInteger(checkpointBytes) || checkpointBytes < 0) {
      throw invalidParameter(`invalid checkpointBytes ${checkpointBytes}`, 'use a byte count >= 0 (0 turns automatic checkpoints off)')
    }
    const pager = await Pager.open(options)
    try {
      const store = new KvStore(pager, checkpointBytes)
      store.#loadDirectory()
      return store
    } catch (error) {
      await pager.close()
      throw error
    }
  }

  /** Sequence number of the last acknowledged commit. */
  get lastCommitSeq(): number {
    return this.#ackSeq
  }

  /**
   * The version of tree `name`: the sequence number of the last applied batch that created, dropped or
   * changed it (or the last commit before open). A reader at snapshot s sees exactly the tree's applied pages
   * when treeVersion(name) <= s, so anything derived from the tree at one version stays valid for every
   * reader at or after it until the version moves (the SQL layer's column cache builds on this). A batch of
   * a failed group leaves a version no snapshot reaches until a later commit, which only makes readers skip
   * what they derived.
   */
  treeVersion(name: string): number {
    return this.#treeSeqs.get(name) ?? this.#openSeq
  }

  /** True until close() starts. */
  get isOpen(): boolean {
    return this.#state === 'open'
  }

  // --- writes -------------------------------------------------------------------------------------------

  /** A new, empty write batch for this store. */
  batch(): WriteBatch {
    this.#assertUsable()
    return new WriteBatch(this.maxKeyBytes)
  }

  /**
   * Applies the batch atomically and resolves once it is durable (synced). Commits issued together, or while
   * another group is being written, share one WAL write and one sync (group commit). Rejects with 42704 /
   * 42710 when a tree it names does not exist / already exists at that point (nothing of the batch applies),
   * with the storage error when the group's write or sync fails (nothing of the group applies).
   */
  /**
   * Queues `batch` for the next commit group; resolves once it is durable. `onAck` runs synchronously at the
   * moment the commit becomes visible to new snapshots (before any other code can take one), so a layer
   * above can publish state that must match the snapshot (the SQL catalog) atomically with it.
   */
  commit(batch: WriteBatch, onAck?: (info: CommitInfo) => void): Promise<CommitInfo> {
    try {
      this.#assertWritable()
      if (!(batch instanceof WriteBatch)) throw invalidParameter('commit() takes a WriteBatch from kv.batch()')
      batch.seal()
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<CommitInfo>((resolve, reject) => {
      this.#queue.push({ batch, onAck, resolve, reject })
      this.#kick()
    })
  }

  /**
   * Copies the committed WAL frames into the database file and empties the WAL. It runs between groups: as
   * soon as the group being written (if any) is acknowledged, before the next one. Runs automatically once
   * the WAL passes `checkpointBytes`.
   */
  checkpoint(): Promise<CheckpointResult> {
    try {
      this.#assertWritable()
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<CheckpointResult>((resolve, reject) => {
      this.#checkpointWaiters.push({ resolve, reject })
      this.#kick()
    })
  }

  // --- reads --------------------------------------------------------------------------------------------

  /** A read view at the last acknowledged commit; release() it when done. */
  snapshot(): Snapshot {
    this.#assertReadable()
    return new Snapshot(this.#ackSeq, this.#snapshots)
  }

  /** The value of `key` in `tree` (a copy), or undefined; at `snapshot`, default the last acknowledged commit. */
  get(tree: string, key: Uint8Array, snapshot?: Snapshot): Uint8Array | undefined {
    if (snapshot === undefined && this.#state === 'open' && this.#ackSeq === this.#appliedSeq) {
      // The common case: the pages hold exactly the last acknowledged commit, no overlay (invariant 2).
      return this.#core.get(tree === this.#cachedTree ? this.#cachedRoot : this.#currentRoot(tree), key)
    }
    this.#assertReadable(snapshot)
    const seq = snapshot?.seq ?? this.#ackSeq
    const root = this.#rootAt(tree, seq)
    if (seq < this.#appliedSeq) {
      const old = this.#versions.lookup(root, key, seq)
      if (old !== UNCHANGED) return old?.slice()
    }
    return this.#core.get(root, key)
  }

  /** The values of `keys` in `tree` (copies; undefined for absent keys), with one core call. */
  getMany(tree: string, keys: readonly Uint8Array[], snapshot?: Snapshot): (Uint8Array | undefined)[] {
    if (snapshot === undefined && this.#state === 'open' && this.#ackSeq === this.#appliedSeq) {
      return this.#core.getBatch(tree === this.#cachedTree ? this.#cachedRoot : this.#currentRoot(tree), keys)
    }
    this.#assertReadable(snapshot)
    const seq = snapshot?.seq ?? this.#ackSeq
    const root = this.#rootAt(tree, seq)
    const values = this.#core.getBatch(root, keys)
    if (seq < this.#appliedSeq) {
      for (let i = 0; i < keys.length; i++) {
        const old = this.#versions.lookup(root, keys[i], seq)
        if (old !== UNCHANGED) values[i] = old?.slice()
      }
    }
    return values
  }

  /**
   * The entries of `tree` within `range` (lower inclusive, upper exclusive by default; `reverse` for
   * descending), as [key, value] copies, at `snapshot` (default: the last acknowledged commit when the scan
   * starts; the scan keeps that view to its end even when commits happen while it is iterated).
   */
  scan(tree: string, range: ScanRange = {}, snapshot?: Snapshot): Generator<[Uint8Array, Uint8Array], void, undefined> {
    return entriesOf(this.scanBatches(tree, range, snapshot))
  }

  /**
   * Like scan(), but batch by batch. A batch straight from the core holds views into WASM memory: read it
   * before the next call on this store (or copy what you keep). An iterator dropped before its end releases
   * its view when it is garbage-collected; `return()` (a `break` out of for-of) releases it at once.
   */
  scanBatches(tree: string, range: ScanRange = {}, snapshot?: Snapshot): Generator<EntryBatch, void, undefined> {
    this.#assertReadable(snapshot)
    const own = snapshot === undefined ? new Snapshot(this.#ackSeq, this.#snapshots) : undefined
    const view = (snapshot ?? own) as Snapshot
    let root: number
    try {
      root = this.#rootAt(tree, view.seq)
    } catch (error) {
      own?.release()
      throw error
    }
    const iterator = this.#batchesAt(root, range, view, own)
    if (own !== undefined) this.#scanFinalizer.register(iterator, own, own)
    return iterator
  }

  /** True when `name` is a tree at `snapshot` (default: the last acknowledged commit). */
  hasTree(name: string, snapshot?: Snapshot): boolean {
    this.#assertReadable(snapshot)
    return this.#rootOrUndefined(name, snapshot?.seq ?? this.#ackSeq) !== undefined
  }

  /** The tree names at `snapshot` (default: the last acknowledged commit), in UTF-8 byte order. */
  treeNames(snapshot?: Snapshot): string[] {
    this.#assertReadable(snapshot)
    const seq = snapshot?.seq ?? this.#ackSeq
    const names = new Set(this.#dir.keys())
    if (seq < this.#appliedSeq) {
      for (const [key] of this.#versions.rangeAt(this.#dirRoot, seq, {})) {
        if (key[0] !== DROPPED) names.add(decoder.decode(key))
      }
    }
    const encoder = new TextEncoder()
    return [...names]
      .filter((name) => this.#rootOrUndefined(name, seq) !== undefined)
      .map((name) => [name, encoder.encode(name)] as const)
      .sort((a, b) => compareKeys(a[1], b[1]))
      .map(([name]) => name)
  }

  // --- maintenance --------------------------------------------------------------------------------------

  /**
   * Verifies every tree (the core's checkTree: order, fill, links, overflow chains), the directory and the
   * page accounting: every page 1..pageCount-1 is used by exactly one tree or the freelist (invariant 6).
   * Throws XX001 naming the page on the first problem; returns what it counted.
   */
  check(): CheckReport {
    this.#assertReadable()
    const core = this.#core
    const header = core.header()
    const pageCount = header.pageCount
    const owner: (string | undefined)[] = new Array(pageCount)
    owner[0] = 'the header'
    const claim = (pages: ArrayLike<number>, who: string): void => {
      for (let i = 0; i < pages.length; i++) {
        const page = pages[i]
        if (page === 0 || page >= pageCount) {
          throw dataCorrupted(this.name, page, `${who} uses page ${page}, outside 1..${pageCount - 1}`)
        }
        const other = owner[page]
        if (other !== undefined) throw dataCorrupted(this.name, page, `the page is used by both ${other} and ${who}`)
        owner[page] = who
      }
    }
    const directory = core.checkTree(this.#dirRoot)
    claim(directory.pages, 'the tree directory')
    const entries: [Uint8Array, number][] = []
    this.#scanAll(this.#dirRoot, (key, value) => entries.push([key, this.#decodeRoot(value)]))
    const trees: TreeReport[] = []
    const seen = new Map<string, number>()
    for (const [key, root] of entries) {
      const dropped = key[0] === DROPPED
      const name = dropped ? `(dropped tree at page ${root})` : decoder.decode(key)
      const result = core.checkTree(root)
      claim(result.pages, dropped ? `dropped tree at page ${root}` : `tree "${name}"`)
      trees.push({ name, root, entries: result.entries, pages: result.pages.length, depth: result.depth, dropped })
      if (!dropped) seen.set(name, root)
    }
    const free = core.freelistPages()
    claim(free, 'the freelist')
    if (free.length !== header.freeCount) {
      throw dataCorrupted(this.name, 0, `the header counts ${header.freeCount} free pages but the freelist holds ${free.length}`)
    }
    for (let page = 1; page < pageCount; page++) {
      if (owner[page] === undefined) throw dataCorrupted(this.name, page, 'the page is used by no tree and is not on the freelist')
    }
    if (seen.size !== this.#dir.size || [...seen].some(([name, root]) => this.#dir.get(name) !== root)) {
      throw internalError(`check: the cached tree directory of "${this.name}" differs from the directory tree`)
    }
    return { pageCount, freePages: free.length, directoryPages: directory.pages.length, trees }
  }

  /** Counters for tests, benchmarks and the dashboard. */
  stats(): KvStats {
    this.#assertReadable()
    return {
      lastCommitSeq: this.#ackSeq,
      walBytes: this.#pager.walBytes,
      pool: this.#core.stats(),
      versionBatches: this.#versions.batches,
      versionBytes: this.#versions.bytes,
      openSnapshots: this.#snapshots.size,
      pendingFrees: this.#pendingFrees.length,
      groups: this.#groups,
      checkpoints: this.#checkpoints,
      spillWrites: this.#pager.spillWrites,
    }
  }

  /**
   * Waits for the queued commits, frees dropped trees, checkpoints (the database file then holds
   * everything and the WAL is empty) and closes the files. Open snapshots stop working. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    const failed = this.#state === 'failed'
    if (!failed) this.#state = 'closing'
    this.#closing = (async () => {
      await this.#whenIdle()
      let error: unknown
      if (this.#state === 'closing') {
        this.#readersGone = true
        try {
          if (this.#pendingFrees.length > 0) await this.#runGroup([])
          if (this.#state === 'closing') {
            await this.#pager.checkpoint()
            this.#checkpoints++
          } else error = this.#failure
        } catch (e) {
          error = e
        }
      }
      this.#state = 'closed'
      await this.#pager.close()
      if (error !== undefined) throw error
    })()
    return this.#closing
  }

  // --- the commit pipeline ------------------------------------------------------------------------------

  #kick(): void {
    if (this.#driving) return
    this.#driving = true
    queueMicrotask(() => void this.#drive())
  }

  async #drive(): Promise<void> {
    try {
      for (;;) {
        if (this.#state === 'failed') {
          this.#rejectQueued(this.#failure as RustyError)
          break
        }
        // A checkpoint that is due runs before the next group, so a steady stream of commits cannot starve it.
        const waiters = this.#checkpointWaiters.splice(0)
        const walBytes = this.#pager.walBytes
        if (waiters.length > 0 || (this.#checkpointBytes > 0 && walBytes > WAL_HEADER_SIZE && walBytes >= this.#checkpointBytes)) {
          await this.#runCheckpoint(waiters)
          continue
        }
        if (this.#queue.length > 0) {
          await this.#runGroup(this.#queue.splice(0))
          continue
        }
        break
      }
    } catch (error) {
      this.#fail('commit', internalError('the commit pipeline failed', error))
      this.#rejectQueued(this.#failure as RustyError)
    } finally {
      this.#driving = false
      for (const wake of this.#idleWaiters.splice(0)) wake()
    }
  }

  #whenIdle(): Promise<void> {
    if (!this.#driving) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  async #runGroup(entries: PendingCommit[]): Promise<void> {
    const pager = this.#pager
    const minNeeded = this.#minNeeded()
    const frees = this.#pendingFrees.filter((f) => f.dropSeq <= minNeeded)
    let seq = this.#ackSeq
    const freeSeq = frees.length > 0 ? ++seq : 0
    const accepted: { entry: PendingCommit; seq: number }[] = []
    const sim = new Map<string, boolean>()
    for (const entry of entries) {
      const error = this.#validate(entry.batch.steps, sim)
      if (error !== undefined) entry.reject(error)
      else accepted.push({ entry, seq: ++seq })
    }
    if (accepted.length === 0 && frees.length === 0) return
    const lastSeq = seq
    pager.beginGroup(lastSeq)
    try {
      if (frees.length > 0) this.#applyFrees(frees, freeSeq)
      for (const { entry, seq: batchSeq } of accepted) this.#applyBatch(entry.batch.steps, batchSeq)
      this.#appliedSeq = lastSeq
      pager.writeCommit(lastSeq)
      await pager.syncCommit()
    } catch (error) {
      await this.#rollbackGroup(error, frees)
      for (const { entry } of accepted) entry.reject(error)
      return
    }
    this.#groups++
    this.#ackSeq = lastSeq
    this.#prune()
    for (const { entry, seq: batchSeq } of accepted) {
      const info = { seq: batchSeq }
      try {
        entry.onAck?.(info)
      } catch (error) {
        // A failing hook must not strand the other commits of the group: report it on this commit only.
        entry.reject(internalError('a commit acknowledgement hook failed', error))
        continue
      }
      entry.resolve(info)
    }
  }

  async #rollbackGroup(error: unknown, frees: PendingFree[]): Promise<void> {
    let synced: Promise<void> | undefined
    try {
      // Pager.rollback discards the pool and truncates the WAL before its first await, so everything readers
      // depend on is back at the last acknowledged commit before anything else can run.
      synced = this.#pager.rollback()
      this.#versions.discardAfter(this.#ackSeq)
      this.#appliedSeq = this.#ackSeq
      const kept = this.#pendingFrees.filter((f) => f.dropSeq <= this.#ackSeq && !frees.includes(f))
      this.#pendingFrees = [...frees, ...kept]
      this.#loadDirectory()
      await synced
    } catch (rollbackError) {
      synced?.catch(() => undefined)
      this.#fail(`rollback of a failed commit (${error instanceof Error ? error.message : String(error)})`, rollbackError)
    }
  }

  async #runCheckpoint(waiters: PendingCheckpoint[]): Promise<void> {
    let result: CheckpointResult
    try {
      result = await this.#pager.checkpoint()
    } catch (error) {
      this.#fail('checkpoint', error)
      for (const w of waiters) w.reject(error)
      return
    }
    this.#checkpoints++
    for (const w of waiters) w.resolve(result)
  }

  /**
   * Checks a batch against the directory as the batches before it in the group leave it (`sim` records their
   * creates and drops: name -> exists). Returns the error, or undefined after recording this batch's changes.
   */
  #validate(ops: readonly BatchStep[], sim: Map<string, boolean>): RustyError | undefined {
    const local = new Map<string, boolean>()
    const exists = (name: string): boolean => local.get(name) ?? sim.get(name) ?? this.#dir.has(name)
    /** Trees created in this batch and not written since: the only ones bulkLoad may fill. */
    const fresh = new Set<string>()
    for (const op of ops) {
      if (op.kind === 'createTree') {
        if (exists(op.tree)) return duplicateTree(op.tree)
        local.set(op.tree, true)
        fresh.add(op.tree)
      } else if (op.kind === 'dropTree') {
        if (!exists(op.tree)) return undefinedTree(op.tree)
        local.set(op.tree, false)
        fresh.delete(op.tree)
      } else if (op.kind === 'bulkLoad') {
        if (!exists(op.tree)) return undefinedTree(op.tree)
        if (!fresh.has(op.tree)) {
          return wrongState(`bulkLoad into tree "${op.tree}" needs the tree to be created earlier in the same batch, with nothing written to it yet`)
        }
        fresh.delete(op.tree)
      } else {
        fresh.delete(op.tree)
        if (!exists(op.tree)) return undefinedTree(op.tree)
        if (op.entries.maxKeyLength > this.maxKeyBytes) {
          return new RustyError(
            SqlState.PROGRAM_LIMIT_EXCEEDED,
            `a key of ${op.entries.maxKeyLength} bytes for tree "${op.tree}" exceeds the limit of ${this.maxKeyBytes} bytes`,
          )
        }
      }
    }
    for (const [name, value] of local) sim.set(name, value)
    return undefined
  }

  /** Applies one validated batch with sequence number `seq`, recording old values (step 4). */
  #applyBatch(steps: readonly BatchStep[], seq: number): void {
    const core = this.#core
    const pager = this.#pager
    for (const step of steps) {
      this.#treeSeqs.set(step.tree, seq)
      if (step.kind === 'createTree') {
        const root = core.createTree()
        this.#dirPut(treeNameKey(step.tree, this.maxKeyBytes), root, seq)
        this.#dir.set(step.tree, root)
        this.#cachedTree = undefined
        continue
      }
      if (step.kind === 'dropTree') {
        const root = this.#dir.get(step.tree) as number
        const key = treeNameKey(step.tree, this.maxKeyBytes)
        this.#versions.record(seq, this.#dirRoot, [key], core.deleteBatch(this.#dirRoot, [key], true) as (Uint8Array | undefined)[])
        this.#dir.delete(step.tree)
        this.#cachedTree = undefined
        this.#dirPut(droppedKey(root), root, seq)
        this.#pendingFrees.push({ root, dropSeq: seq })
        continue
      }
      const root = this.#dir.get(step.tree) as number
      const entries = step.entries
      const segments = entries.segmentCount
      if (step.kind === 'bulkLoad') {
        // The tree was created in this batch (#validate): no older reader can see it, no version to keep.
        if (segments === 0) core.bulkLoadPacked(root, new Uint8Array(0), 0, true, true)
        for (let s = 0; s < segments; s++) {
          core.bulkLoadPacked(root, entries.segment(s), entries.segmentEntries(s), s === 0, s === segments - 1)
          pager.flushSpills()
        }
        continue
      }
      // A run of puts (or deletes) on one tree goes to the core one packed segment per call; the core applies
      // them in order, so a key repeated in the run returns its own earlier value as "old" (the version store
      // keeps the first).
      const put = step.kind === 'put'
      for (let s = 0; s < segments; s++) {
        const bytes = entries.segment(s)
        const count = entries.segmentEntries(s)
        const olds = put ? (core.putPacked(root, bytes, count, true) as PackedResults) : core.deletePacked(root, bytes, count)
        this.#versions.recordPacked(seq, root, bytes, count, put, olds)
        pager.flushSpills()
      }
    }
  }

  /** Frees the pages of dropped trees no reader can see (invariant 4) and removes their directory entries. */
  #applyFrees(frees: PendingFree[], seq: number): void {
    for (const free of frees) {
      this.#core.dropTree(free.root)
      this.#pager.flushSpills()
      const key = droppedKey(free.root)
      this.#versions.record(seq, this.#dirRoot, [key], this.#core.deleteBatch(this.#dirRoot, [key], true) as (Uint8Array | undefined)[])
    }
    this.#pendingFrees = this.#pendingFrees.filter((f) => !frees.includes(f))
  }

  #dirPut(key: Uint8Array, root: number, seq: number): void {
    const olds = this.#core.putBatch(this.#dirRoot, [key], [u32le(root)], true) as (Uint8Array | undefined)[]
    this.#versions.record(seq, this.#dirRoot, [key], olds)
  }

  // --- snapshots and versions ---------------------------------------------------------------------------

  /** The oldest commit any reader reads at (invariant 3); once close() drained the queue, nobody reads. */
  #minNeeded(): number {
    if (this.#readersGone) return this.#ackSeq
    const oldest = this.#snapshots.oldest()
    return oldest === undefined || oldest > this.#ackSeq ? this.#ackSeq : oldest
  }

  #prune(): void {
    this.#versions.pruneThrough(this.#minNeeded())
  }

  #rootOrUndefined(name: string, seq: number): number | undefined {
    if (seq < this.#appliedSeq) {
      const old = this.#versions.lookup(this.#dirRoot, treeNameKey(name, this.maxKeyBytes), seq)
      if (old !== UNCHANGED) return old === undefined ? undefined : this.#decodeRoot(old)
    }
    return this.#dir.get(name)
  }

  /** The applied root of `name` (= the acknowledged one when no group is in flight), cached for `get`. */
  #currentRoot(name: string): number {
    const root = this.#dir.get(name)
    if (root === undefined) throw undefinedTree(name)
    this.#cachedTree = name
    this.#cachedRoot = root
    return root
  }

  #rootAt(name: string, seq: number): number {
    const root = this.#rootOrUndefined(name, seq)
    if (root === undefined) throw undefinedTree(name)
    return root
  }

  /** Batches of a range at a snapshot, merging the version store's overlay when commits happened after it. */
  *#batchesAt(root: number, range: ScanRange, view: Snapshot, own: Snapshot | undefined): Generator<EntryBatch, void, undefined> {
    try {
      const reverse = range.reverse ?? false
      let lower = range.lower
      let lowerInclusive = range.lowerInclusive ?? true
      let upper = range.upper
      let upperInclusive = range.upperInclusive ?? false
      for (;;) {
        this.#assertReadable(view)
        const batch = this.#core.scanBatch(root, { lower, lowerInclusive, upper, upperInclusive, reverse }, SCAN_BATCH_ENTRIES, true)
        const done = batch.done
        if (batch.count === 0 && !done) throw internalError('scanBatch returned an empty batch before the end of the range')
        const last = batch.count > 0 ? batch.key(batch.count - 1).slice() : undefined
        if (view.seq >= this.#appliedSeq) {
          if (batch.count > 0) yield batch
        } else {
          // Entries on the pages, then the keys changed after the snapshot in the same stretch of the range.
          const stretch = reverse
            ? { lower: done ? lower : last, lowerInclusive: done ? lowerInclusive : true, upper, upperInclusive }
            : { lower, lowerInclusive, upper: done ? upper : last, upperInclusive: done ? upperInclusive : true }
          const overlay = this.#versions.rangeAt(root, view.seq, stretch)
          if (overlay.length === 0) {
            // Nothing in this stretch changed after the snapshot: the pages' batch is the snapshot's, uncopied.
            if (batch.count > 0) yield batch
          } else {
            const changed = new Set(overlay.map(([k]) => keyString(k)))
            const merged: [Uint8Array, Uint8Array][] = []
            for (let i = 0; i < batch.count; i++) {
              const k = batch.key(i)
              if (!changed.has(keyString(k))) merged.push([k.slice(), batch.value(i).slice()])
            }
            for (const [k, v] of overlay) if (v !== undefined) merged.push([k, v])
            sortEntries(merged, reverse)
            if (merged.length > 0) yield new ArrayEntryBatch(merged, done)
          }
        }
        if (done) return
        if (reverse) {
          upper = last
          upperInclusive = false
        } else {
          lower = last
          lowerInclusive = false
        }
      }
    } finally {
      if (own !== undefined) {
        this.#scanFinalizer.unregister(own)
        own.release()
      }
    }
  }

  // --- directory ----------------------------------------------------------------------------------------

  #decodeRoot(value: Uint8Array): number {
    if (value.length !== 4) throw dataCorrupted(this.name, this.#dirRoot, `a tree directory value has ${value.length} bytes instead of 4`)
    return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true)
  }

  /** Every entry of a tree, in key order, as copies. */
  #scanAll(root: number, each: (key: Uint8Array, value: Uint8Array) => void): void {
    let lower: Uint8Array | undefined
    for (;;) {
      const batch = this.#core.scanBatch(root, { lower, lowerInclusive: lower === undefined })
      for (let i = 0; i < batch.count; i++) each(batch.key(i).slice(), batch.value(i).slice())
      if (batch.done || batch.count === 0) return
      lower = batch.key(batch.count - 1).slice()
    }
  }

  /** (Re)reads the directory tree into the cache; dropped trees found there await their free. */
  #loadDirectory(): void {
    const dir = new Map<string, number>()
    const dropped: number[] = []
    this.#scanAll(this.#dirRoot, (key, value) => {
      const root = this.#decodeRoot(value)
      if (key[0] === DROPPED) {
        dropped.push(root)
        return
      }
      let name: string
      try {
        name = decoder.decode(key)
      } catch (error) {
        throw dataCorrupted(this.name, this.#dirRoot, 'a tree directory key is not UTF-8', { cause: error })
      }
      dir.set(name, root)
    })
    this.#dir = dir
    this.#cachedTree = undefined
    for (const root of dropped) {
      if (!this.#pendingFrees.some((f) => f.root === root)) this.#pendingFrees.push({ root, dropSeq: 0 })
    }
  }

  // --- states -------------------------------------------------------------------------------------------

  #fail(what: string, cause: unknown): void {
    if (this.#state === 'failed' || this.#state === 'closed') return
    const reason = cause instanceof Error ? cause.message : String(cause)
    const error = wrongState(`kv store "${this.name}" stopped after a failed ${what} (${reason}); reopen it to recover`)
    this.#failure = new RustyError(error.code, error.message, { cause, file: this.name })
    this.#state = 'failed'
  }

  #rejectQueued(error: RustyError): void {
    for (const entry of this.#queue.splice(0)) entry.reject(error)
    for (const waiter of this.#checkpointWaiters.splice(0)) waiter.reject(error)
  }

  #assertUsable(): void {
    if (this.#state === 'failed') throw this.#failure as RustyError
    if (this.#state === 'closed' || this.#readersGone) throw wrongState(`kv store "${this.name}" is closed`)
  }

  #assertWritable(): void {
    this.#assertUsable()
    if (this.#state === 'closing') throw wrongState(`kv store "${this.name}" is closing`)
  }

  #assertReadable(snapshot?: Snapshot): void {
    this.#assertUsable()
    snapshot?.assertOpen()
  }
}
