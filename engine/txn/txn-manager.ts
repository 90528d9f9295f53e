/**
 * TxnManager: the transactions of one database over one KvStore.
 * Owns: loading the catalog at open (creating it in a new database), the committed catalog, hidden row id
 * counters, sequence positions (not transactional, as in PostgreSQL), and publishing a commit's catalog.
 *
 * Temporary objects (schema pg_temp) belong to the one session: close() drops them, and open() drops any a
 * crashed session left behind.
 *
 * Stored state (besides the table and index trees `t<id>` / `i<id>`):
 *   `__catalog`   catalog records (catalog-state.ts (4)), written by the commit that changed them.
 *   `__sequences` key = sequence id (one int component), value = 9 bytes:
 *
 *   | offset | size | meaning                                   |
 *   |--------|------|-------------------------------------------|
 *   | 0      | 8    | last value (int64, big-endian)            |
 *   | 8      | 1    | 1 when nextval returned it (is_called)    |
 *
 *   Positions are written with the next commit of any transaction (and at close), so a crash can forget
 *   the last nextval() calls of uncommitted work; committed rows never see a reused value because the
 *   commit that stored them also stored the position.
 *   `__stats`     table statistics (catalog/table-stats.ts): row counts and ANALYZE's column statistics.
 *
 * Row counts: a transaction counts its inserted minus deleted rows per table (TRUNCATE, CREATE TABLE and
 * ANALYZE set an absolute count); its commit folds the new counts into the same WriteBatch as its rows
 * (appendStats), and publish() applies them to the in-memory copy. So a stored count is exactly as durable
 * as the rows it counts, at the price of one small put per changed table per commit. A table whose count
 * was never stored (a database from before `__stats`) stays uncounted until ANALYZE.
 * Invariants:
 *   (1) The committed catalog changes only in publish(), after the KvStore commit that stored it resolved.
 *   (2) Hidden row ids only grow while the manager is open; at first use a table's counter starts after the
 *       largest stored row id.
 *   (3) Object ids are unique across every transaction of the manager, rolled-back ones included (claimId), so
 *       row id counters and sequence positions keyed by id never leak into a new object.
 *   (4) Commits are numbered by a counter in validation order (the order they reach the KvStore, which keeps
 *       it). `#counter` is the last validated commit, `#ackCounter` the last acknowledged one; a transaction's
 *       snapshot sees exactly the commits <= the `ackCounter` it read when it took the snapshot, because the
 *       KvStore calls `acknowledge` synchronously at the moment the commit becomes visible (kv-store.ts
 *       commit's onAck). The committed catalog is published there too, so a snapshot and the catalog read
 *       with it always match.
 *   (5) `#latestCatalog` is the catalog of the last validated commit (in flight included): a commit that
 *       changes the catalog, or writes a table, validates against it (transaction.ts commit).
 *   (6) Row counts are folded into `#stats` when a commit's batch is built (validation order), so concurrent
 *       commits add their deltas instead of overwriting each other.
 *
 * Concurrency (issue #4): the LockManager holds row locks; the ConflictLog keeps what each commit wrote for
 * as long as an open snapshot predates it (prune() after every transaction end and RC statement start).
 * Not here: what a transaction sees and does (transaction.ts).
 */
import { RustyError, featureNotSupported } from '../common/index.js'
import type { SqlValue } from '../common/types.js'
import type { SequenceDef, TableDef } from '../catalog/schema.js'
import { CATALOG_TREE, CatalogState, SEQUENCE_TREE, TEMP_SCHEMA, tableTree } from '../catalog/catalog-state.js'
import {
  type AnalyzedStats,
  STATS_TREE,
  decodeAnalyzed,
  decodeRowCount,
  encodeAnalyzed,
  encodeRowCount,
  statsKey,
} from '../catalog/table-stats.js'
import { KeyEncoder, type KvStore, type Snapshot, type WriteBatch, decodeKey } from '../storage/index.js'
import { Transaction, rowIdOf, type IsolationLevel, type StatsChanges, type StoredStats, type TxnHost } from './transaction.js'
import { ConflictLog, type TreeChange } from './conflict-log.js'
import { LockManager, LockMode } from './lock-manager.js'
import { ColumnCache } from './column-cache.js'
import type { SpillFile } from '../storage/spill-file.js'

export interface TxnManagerOptions {
  /** Scratch file for sorts beyond work_mem (closed and removed with the manager). */
  readonly spill?: SpillFile
  /** Budget of the column cache in estimated bytes (column-cache.ts; default 64 MiB, 0 turns it off). */
  readonly columnCacheBytes?: number
}

interface SequencePosition {
  value: bigint
  called: boolean
}

/** Options of {@link TxnManager.begin}. */
export interface BeginOptions {
  /** Writes fail with 25006. Default false. */
  readOnly?: boolean
  /** Default 'read committed'. Can change until the first statement (Transaction.setIsolation). */
  isolation?: IsolationLevel
  /** The session's currval() values (nextval records into it); default: the transaction's own map. */
  currvals?: Map<number, bigint>
}

const keyEncoder = new KeyEncoder(16)
const NO_IDS: readonly number[] = Object.freeze([])

function sequenceKey(id: number): Uint8Array {
  return keyEncoder.reset().int(id).finish()
}

/**
 * The transactions of one database.
 *
 * @example
 * const kv = await KvStore.open({ adapter: new MemoryAdapter(), name: 'app.rdb', create: true })
 * const manager = await TxnManager.open(kv)
 * const txn = manager.begin()
 * executeDdl(parseOne('CREATE TABLE t (a int)'), txn, { defaultSchema: 'public' })
 * txn.insert(txn.catalog.table('public', 't')!, [1])
 * await txn.commit()
 */
export class TxnManager {
  readonly kv: KvStore
  #catalog: CatalogState
  #positions = new Map<number, SequencePosition>()
  #dirtySequences = new Set<number>()
  #rowIds = new Map<number, number>()
  /** Committed statistics by table id (row counts, ANALYZE results). */
  #stats = new Map<number, StoredStats>()
  /** Highest object id any transaction took (ids are never reused, even after a rollback). */
  #highestId = 0
  #active = new Set<Transaction>()
  #host: TxnHost
  /** Row locks of every transaction (lock-manager.ts). */
  readonly locks: LockManager
  /** Decoded columns of whole-table scans (column-cache.ts). */
  readonly columns: ColumnCache
  /** Scratch file for sorts beyond work_mem, when the database has one. */
  readonly spill: SpillFile | undefined
  readonly #log = new ConflictLog()
  /** Last validated commit and last acknowledged commit (invariant 4). */
  #counter = 0
  #ackCounter = 0
  /** Invariant 5. */
  #latestCatalog: CatalogState
  #nextXid = 1
  readonly #listeners = new Set<(tables: readonly string[]) => void>()
  /**
   * Evaluates a column's DEFAULT for ON DELETE / ON UPDATE SET DEFAULT. The planner sets it; without it a
   * non-NULL default raises 0A000.
   */
  evaluateDefault: ((table: TableDef, ordinal: number) => SqlValue) | undefined

  private constructor(kv: KvStore, catalog: CatalogState, options: TxnManagerOptions) {
    this.kv = kv
    this.columns = new ColumnCache(options.columnCacheBytes)
    this.spill = options.spill
    this.#catalog = catalog
    this.#latestCatalog = catalog
    this.locks = new LockManager((resource) => this.#describe(resource))
    this.#host = this.#makeHost()
  }

  /** Loads the catalog of `kv`, creating an empty one (with the built-in schemas) in a new database. */
  static async open(kv: KvStore, options: TxnManagerOptions = {}): Promise<TxnManager> {
    if (!kv.hasTree(CATALOG_TREE)) {
      const initial = CatalogState.initial()
      const batch = kv.batch().createTree(CATALOG_TREE)
      if (!kv.hasTree(SEQUENCE_TREE)) batch.createTree(SEQUENCE_TREE)
      for (const [key, value] of initial.allRecords()) batch.put(CATALOG_TREE, CatalogState.keyBytes(key), value)
      await kv.commit(batch)
      return new TxnManager(kv, initial, options)
    }
    const catalog = CatalogState.fromRecords(kv.scan(CATALOG_TREE))
    const manager = new TxnManager(kv, catalog, options)
    if (kv.hasTree(SEQUENCE_TREE)) {
      for (const [key, value] of kv.scan(SEQUENCE_TREE)) {
        const view = new DataView(value.buffer, value.byteOffset, value.length)
        manager.#positions.set(rowIdOf(key), { value: view.getBigInt64(0), called: value[8] === 1 })
      }
    }
    if (kv.hasTree(STATS_TREE)) {
      for (const [key, value] of kv.scan(STATS_TREE)) {
        const [id, part] = decodeKey(key).map((v) => ('value' in v ? Number(v.value) : -1))
        const entry = manager.#stats.get(id) ?? {}
        if (part === 0) entry.rowCount = decodeRowCount(value)
        else entry.analyzed = decodeAnalyzed(value)
        manager.#stats.set(id, entry)
      }
    }
    // Temporary objects of a session that ended without close() (a crash) go now.
    await manager.#dropTemporaryObjects()
    return manager
  }

  /** The committed catalog (read-only use). */
  get catalog(): CatalogState {
    return this.#catalog
  }

  /** Transactions begun and not yet committed or rolled back. */
  get activeCount(): number {
    return this.#active.size
  }

  /** Calls `listener` with the changed tables' qualified names after each durable commit; returns the unsubscribe. */
  onCommit(listener: (tables: readonly string[]) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Commits remembered for conflict checks (tests: the log stays bounded). */
  get conflictLogSize(): number {
    return this.#log.size
  }

  /** Starts a transaction at the last acknowledged commit. */
  begin(options: BeginOptions = {}): Transaction {
    const txn = new Transaction(this.#host, this.#nextXid++, options)
    this.#active.add(txn)
    return txn
  }

  /** "a row of accounts" for a lock resource (tree name, NUL, key bytes). */
  #describe(resource: string): string {
    const tree = resource.slice(0, resource.indexOf('\0'))
    const id = Number(tree.slice(1))
    if (tree.startsWith('t')) {
      const t = this.#latestCatalog.tables.get(id)
      return t === undefined ? 'a row' : `a row of "${t.name}"`
    }
    const index = this.#latestCatalog.indexes.get(id)
    return index === undefined ? 'an index key' : `a key of index "${index.name}"`
  }

  /** Drops conflict-log entries no open snapshot can need (conflict-log.ts (2)). */
  #prune(): void {
    let min = this.#ackCounter
    for (const txn of this.#active) if (txn.snapshotCounter < min) min = txn.snapshotCounter
    this.#log.prune(min)
  }

  /** Rolls back open transactions and stores sequence positions. Does not close the KvStore (its owner does). */
  async close(): Promise<void> {
    for (const txn of [...this.#active]) txn.rollback()
    this.columns.clear()
    await this.spill?.close()
    if (this.kv.isOpen) await this.#dropTemporaryObjects()
    if (this.#dirtySequences.size > 0 && this.kv.isOpen) {
      const batch = this.kv.batch()
      const written = this.#appendSequences(batch, this.#catalog)
      await this.kv.commit(batch)
      for (const id of written) this.#dirtySequences.delete(id)
    }
  }

  /** Ends the session's temporary objects (pg_temp) in one commit. */
  async #dropTemporaryObjects(): Promise<void> {
    if (!this.#catalog.schemas.has(TEMP_SCHEMA)) return
    const txn = this.begin()
    try {
      txn.dropTemporaryObjects()
      await txn.commit()
    } finally {
      txn.rollback()
    }
  }

  // --- sequences -----------------------------------------------------------------------------------------

  #position(seq: SequenceDef): SequencePosition {
    let p = this.#positions.get(seq.id)
    if (p === undefined) {
      p = { value: seq.start, called: false }
      this.#positions.set(seq.id, p)
    }
    return p
  }

  #nextval(seq: SequenceDef): bigint {
    const p = this.#position(seq)
    if (!p.called) {
      p.called = true
    } else {
      let next = p.value + seq.increment
      if (next > seq.max || next < seq.min) {
        if (!seq.cycle) {
          const up = seq.increment > 0n
          throw new RustyError(
            '2200H',
            `nextval: reached ${up ? 'maximum' : 'minimum'} value of sequence "${seq.name}" (${up ? seq.max : seq.min})`,
          )
        }
        next = seq.increment > 0n ? seq.min : seq.max
      }
      p.value = next
    }
    this.#dirtySequences.add(seq.id)
    return p.value
  }

  #setval(seq: SequenceDef, value: bigint, isCalled: boolean): bigint {
    if (value < seq.min || value > seq.max) {
      throw new RustyError('22003', `setval: value ${value} is out of bounds for sequence "${seq.name}" (${seq.min}..${seq.max})`)
    }
    this.#positions.set(seq.id, { value, called: isCalled })
    this.#dirtySequences.add(seq.id)
    return value
  }

  /** Puts (or deletes, for sequences gone from `catalog`) the dirty positions; returns the ids written. */
  #appendSequences(batch: WriteBatch, catalog: CatalogState): readonly number[] {
    // The common commit: no nextval/setval since the last one, and the committed catalog's sequences.
    if (this.#dirtySequences.size === 0 && catalog === this.#catalog) return NO_IDS
    const ids = new Set(this.#dirtySequences)
    for (const id of this.#catalog.sequences.keys()) if (!catalog.sequences.has(id)) ids.add(id)
    for (const id of ids) {
      const key = sequenceKey(id)
      const p = this.#positions.get(id)
      if (!catalog.sequences.has(id) || p === undefined) {
        batch.delete(SEQUENCE_TREE, key)
        continue
      }
      const value = new Uint8Array(9)
      new DataView(value.buffer).setBigInt64(0, p.value)
      value[8] = p.called ? 1 : 0
      batch.put(SEQUENCE_TREE, key, value)
    }
    return [...ids]
  }

  // --- statistics ----------------------------------------------------------------------------------------

  /**
   * Puts a commit's new row counts and ANALYZE results into `batch` and deletes the statistics of tables gone
   * from `catalog`; returns the entries publish() applies (null: deleted).
   */
  #appendStats(batch: WriteBatch, changes: StatsChanges, catalog: CatalogState): void {
    const out = new Map<number, StoredStats | null>()
    let treeReady = this.kv.hasTree(STATS_TREE)
    const ready = (): void => {
      if (!treeReady) batch.createTree(STATS_TREE)
      treeReady = true
    }
    for (const [id, d] of changes.rowCounts) {
      if (!catalog.tables.has(id)) continue
      const old = this.#stats.get(id)
      const base = d.reset ? 0 : old?.rowCount
      if (base === undefined || (!d.reset && d.delta === 0)) continue
      const rowCount = Math.max(0, base + d.delta)
      const analyzed: AnalyzedStats | undefined = changes.analyzed.get(id) ?? old?.analyzed
      ready()
      batch.put(STATS_TREE, statsKey(id, 0), encodeRowCount(rowCount))
      out.set(id, { rowCount, analyzed })
    }
    for (const [id, analyzed] of changes.analyzed) {
      if (!catalog.tables.has(id)) continue
      ready()
      batch.put(STATS_TREE, statsKey(id, 1), encodeAnalyzed(analyzed))
      if (!out.has(id)) out.set(id, { ...this.#stats.get(id), analyzed })
    }
    // Only a commit that changed the catalog can have dropped tables.
    for (const [id, entry] of catalog === this.#catalog ? [] : this.#stats) {
      if (catalog.tables.has(id)) continue
      if (entry.rowCount !== undefined) batch.delete(STATS_TREE, statsKey(id, 0))
      if (entry.analyzed !== undefined) batch.delete(STATS_TREE, statsKey(id, 1))
      out.set(id, null)
    }
    // Invariant 6: the next commit's batch builds on these counts.
    for (const [id, entry] of out) {
      if (entry === null) this.#stats.delete(id)
      else this.#stats.set(id, entry)
    }
  }

  // --- row ids -------------------------------------------------------------------------------------------

  #nextRowId(table: TableDef, snapshot: Snapshot): number {
    let next = this.#rowIds.get(table.id)
    if (next === undefined) {
      next = 1
      const tree = tableTree(table.id)
      if (this.kv.hasTree(tree, snapshot)) {
        for (const [key] of this.kv.scan(tree, { reverse: true }, snapshot)) {
          // A table that had a primary key until this transaction holds other keys: then start at 1.
          try {
            next = rowIdOf(key) + 1
          } catch {
            next = 1
          }
          break
        }
      }
    }
    this.#rowIds.set(table.id, next + 1)
    return next
  }

  #makeHost(): TxnHost {
    const self = this
    let pendingSequences: readonly number[] = []
    return {
      get kv() {
        return self.kv
      },
      get columns() {
        return self.columns
      },
      get catalog() {
        return self.#catalog
      },
      get latestCatalog() {
        return self.#latestCatalog
      },
      get ackCounter() {
        return self.#ackCounter
      },
      get locks() {
        return self.locks
      },
      get log() {
        return self.#log
      },
      get sequencesDirty() {
        return self.#dirtySequences.size > 0
      },
      get hasCommitListeners() {
        return self.#listeners.size > 0
      },
      nextRowId: (table, snapshot) => self.#nextRowId(table, snapshot),
      claimId: (min) => {
        const id = Math.max(min, self.#highestId + 1)
        self.#highestId = id
        return id
      },
      nextval: (seq) => self.#nextval(seq),
      setval: (seq, value, isCalled) => self.#setval(seq, value, isCalled),
      restartSequence: (seq, value) => {
        self.#positions.set(seq.id, { value, called: false })
        self.#dirtySequences.add(seq.id)
      },
      evaluateDefault: (table, ordinal) => {
        if (self.evaluateDefault !== undefined) return self.evaluateDefault(table, ordinal)
        if (table.columns[ordinal].default === null) return null
        throw featureNotSupported('SET DEFAULT referential actions with a non-NULL default (no expression evaluator is installed)')
      },
      appendSequenceState: (batch, catalog) => {
        pendingSequences = self.#appendSequences(batch, catalog)
      },
      tableStats: (id) => self.#stats.get(id),
      appendStats: (batch, changes, catalog) => self.#appendStats(batch, changes, catalog),
      logCommit: (trees: ReadonlyMap<string, TreeChange>, catalog) => {
        const counter = ++self.#counter
        self.#log.append(counter, trees)
        if (catalog !== undefined) self.#latestCatalog = catalog
        for (const id of pendingSequences) self.#dirtySequences.delete(id)
        pendingSequences = []
        return counter
      },
      acknowledge: (counter, catalog) => {
        self.#ackCounter = counter
        if (catalog !== undefined) {
          catalog.settle()
          self.#catalog = catalog
        }
      },
      commitFailed: () => {
        // The store rolled the group back: the validated-but-lost catalog must not be validated against.
        self.#latestCatalog = self.#catalog
      },
      snapshotsMoved: () => self.#prune(),
      implicitHolders: (me, tree, key) => {
        let out: { id: number; mode: LockMode }[] | null = null
        for (const txn of self.#active) {
          if (txn !== me && txn.wrote(tree, key)) (out ??= []).push({ id: txn.id, mode: txn.implicitMode(tree, key) })
        }
        return out
      },
      committed: (tables) => {
        for (const listener of [...self.#listeners]) {
          try {
            listener(tables)
          } catch {
            // A listener's failure is its own (database.ts (4)).
          }
        }
      },
      finished: (txn) => {
        self.#active.delete(txn)
        self.locks.releaseAll(txn.id)
        self.#prune()
        // A commit just made older snapshots old: idle READ COMMITTED transactions let theirs go.
        for (const other of self.#active) other.releaseIdleSnapshot()
      },
    }
  }
}
