/**
 * Transaction: rows and catalog as one transaction sees them, and its changes until commit.
 * Owns: TableAccess over a KvStore snapshot merged with the private write set (read-your-writes), constraint
 * checks (NOT NULL, PRIMARY KEY / UNIQUE, FOREIGN KEY with referential actions), index maintenance, the
 * transaction's catalog (copy-on-write), savepoints, commit and rollback.
 *
 * A statement's path through here, e.g. INSERT: `insert()` checks NOT NULL, encodes the row key (primary key
 * or a new hidden row id, table-info.ts (1)), checks the key and every unique index entry against the merged
 * view (`#get`), checks each foreign key against its referenced table, then records the row and its index
 * entries in the write set (write-set.ts). A scan (`scan()`) walks the snapshot's batches for the key range
 * and merges the tree's overlay entries into them (`#entries`), decoding the values straight into the column
 * arrays of the output batch. `commit()` turns the write set into one WriteBatch (bulkLoad for trees created
 * in this transaction) plus the changed catalog records and commits it (txn-manager.ts).
 *
 * Invariants:
 *   (1) Nothing reaches the KvStore before commit (ARCHITECTURE.md "Transactions").
 *   (2) A tree untouched by the transaction is read straight from the snapshot: an empty write set costs a
 *       plain scan nothing but one Map lookup per scan.
 *   (3) The catalog the transaction reads is the committed one until its first DDL, then its own copy.
 *   (4) After commit() or rollback() every method throws 25000 (the snapshot is released).
 *   (5) A savepoint restores the write set (undo log), the catalog copy and the tree-level changes.
 *   (6) update()/delete() of a row that is gone (deleted earlier in the same statement, e.g. by ON DELETE
 *       CASCADE of a self-referencing key) do nothing: delete returns [] and update returns the key, as
 *       PostgreSQL skips such rows.
 *   (7) A transaction that changed the catalog commits only if no other catalog change was published since it
 *       began (40001 otherwise), so the in-memory catalog never loses a committed change.
 *   (8) `#rowCounts` holds, per table, the rows inserted minus the rows deleted by this transaction (absolute
 *       after CREATE TABLE, TRUNCATE or ANALYZE); savepoints restore it with the write set; commit folds it
 *       into the stored row counts (txn-manager.ts).
 *
 * Concurrency (ARCHITECTURE.md "Transactions"; issue #4):
 *   (9)  Reads see the snapshot (per statement at READ COMMITTED, per transaction from its first statement
 *        at REPEATABLE READ and SERIALIZABLE) merged with the write set. Writes see the LATEST committed
 *        state instead: before a write reads a row's old value or checks a unique key, it locks the row key
 *        (and every unique key it claims or gives up) in the LockManager, so what it reads cannot change
 *        until it ends. Uniqueness and "is the parent there" are thus decided on the newest data, never on a
 *        stale snapshot; "which children reference this parent" too (#latestReads).
 *   (10) A lock held by another transaction throws a LockWait (not an error): the session undoes the
 *        statement (undoStatement), waits for the lock (LockManager.wait: 40P01, 55P03, 57014) and runs the
 *        statement again with the same snapshot, finding the lock held.
 *   (11) A row changed by a commit the snapshot does not see: REPEATABLE READ and SERIALIZABLE fail with
 *        40001 when they update, delete or lock it; READ COMMITTED re-reads the newest version (lockRow
 *        returns it and the executor re-evaluates the statement's conditions on it, PostgreSQL's
 *        EvalPlanQual; withOverride makes the re-run see only that version).
 *   (12) SERIALIZABLE records every key and key range it reads (ReadSet); a commit that wrote anything fails
 *        with 40001 when a commit it could not see wrote something in that set (conflict-log.ts), so the
 *        committed SERIALIZABLE transactions are equivalent to running them one by one in commit order.
 *   (13) Commit validates against the newest catalog: DDL fails with 40001 after a concurrent catalog change,
 *        writes to a table fail with 40001 when a concurrent commit changed its definition, and replacing a
 *        whole tree (TRUNCATE, ALTER TABLE rewrites) fails when a concurrent commit wrote into it.
 *   (14) A scan whose bounds pin the whole primary key reads that one key (#get) instead of a range: the
 *        same rows (row keys are prefix-free), and a point read in SERIALIZABLE's read set.
 * Not here: CHECK constraints and defaults (the executor evaluates them), DDL statements (engine/plan/ddl).
 */
import { RustyError, SqlState, internalError } from '../common/index.js'
import { BATCH_SIZE, type Batch } from '../common/batch.js'
import type { SqlType, SqlValue } from '../common/types.js'
import type { ForeignKeyDef, IndexDef, SequenceDef, TableDef, ViewDef } from '../catalog/schema.js'
import { CATALOG_TREE, CatalogState, TEMP_SCHEMA, type RelationKind, type SchemaDef, indexTree, tableTree } from '../catalog/catalog-state.js'
import { decodeFullRow, decodeRow, decodeRowsAt, encodeRow } from '../catalog/row-codec.js'
import type { AnalyzedStats, TableStats } from '../catalog/table-stats.js'
import { type EntryBatch, type KvStore, type Snapshot, type WriteBatch, decodeKey, prefixUpperBound } from '../storage/index.js'
import { ROW_KEY, type CatalogReader, type KeyBound, type LockPolicy, type LockResult, type ScanOptions, type TableAccess } from './table-access.js'
import {
  type IndexInfo,
  type TableInfo,
  castAll,
  foreignKeyCasts,
  encodePrefix,
  indexEntryKey,
  primaryKeyFromValues,
  primaryKeyOf,
  rowIdKey,
  sameBytes,
  tableInfo,
} from './table-info.js'
import { TreeWrites, type WriteEntry, WriteSet, keyId, lowerIndex, upperIndex } from './write-set.js'
import { type ConflictLog, ReadSet, type TreeChange } from './conflict-log.js'
import { type LockManager, LockMode } from './lock-manager.js'
import { type ColumnCache, cacheableType, cachedBatches, typesSignature } from './column-cache.js'
import {
  foreignKeyMissing,
  foreignKeyReferenced,
  keyDetail,
  noSuchSavepoint,
  notNullViolation,
  readOnlyTransaction,
  transactionOver,
  uniqueViolation,
} from './txn-errors.js'

/** Catalog changes a transaction can make (DDL goes through these; engine/plan/ddl decides what to do). */
export interface CatalogWriter {
  /** The relation named `name` in `schema`, of any kind. */
  relation(schema: string, name: string): { kind: RelationKind; id: number } | undefined
  schema(name: string): SchemaDef | undefined
  schemas(): readonly SchemaDef[]
  indexById(id: number): IndexDef | undefined
  viewById(id: number): ViewDef | undefined
  sequenceById(id: number): SequenceDef | undefined
  /** A new object id (not transactional: never reused). */
  allocateId(): number
  createSchema(name: string): void
  dropSchema(name: string): void
  /** Adds a table with an empty row tree; its indexes (if any) get empty trees. */
  createTable(def: TableDef): void
  /** Replaces a table's definition (same id); rows and index trees are untouched (see Transaction.rewriteRows). */
  alterTable(def: TableDef): void
  /** Drops a table, its rows and its index trees. */
  dropTable(id: number): void
  /** Adds `index` to its table and builds it from the table's rows (23505 if they violate a unique one). */
  createIndex(index: IndexDef): void
  /** Drops an index (and its tree); the caller updates uniques that used it. */
  dropIndex(id: number): void
  putView(def: ViewDef): void
  dropView(id: number): void
  /** Adds or replaces a sequence; `restart` sets its position (next nextval returns it). */
  putSequence(def: SequenceDef, restart?: bigint): void
  dropSequence(id: number): void
}

/** Committed statistics of one table (catalog/table-stats.ts). */
export interface StoredStats {
  rowCount?: number
  analyzed?: AnalyzedStats
}

/** A transaction's change of a table's row count: `reset` makes `delta` absolute (CREATE, TRUNCATE, ANALYZE). */
export interface RowCountChange {
  reset: boolean
  delta: number
}

/** The statistics a commit stores (txn-manager.ts appendStats). */
export interface StatsChanges {
  readonly rowCounts: ReadonlyMap<number, RowCountChange>
  readonly analyzed: ReadonlyMap<number, AnalyzedStats>
}

/** The isolation levels (READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL). */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable'


/**
 * Thrown (not an error) when a statement needs a lock another transaction holds: the session undoes the
 * statement, waits (LockManager.wait) and runs it again (invariant 10).
 */
export class LockWait {
  constructor(
    readonly resource: string,
    readonly mode: LockMode,
    readonly blockers: readonly number[],
  ) {}
}

const CURRENT: LockResult = { kind: 'current' }
const SKIPPED: LockResult = { kind: 'skipped' }

/** Services of the TxnManager a transaction uses (txn-manager.ts implements it). */
export interface TxnHost {
  readonly kv: KvStore
  /** The committed catalog (matches the newest snapshot). */
  readonly catalog: CatalogState
  /** The catalog of the last validated commit, in flight included (txn-manager.ts (5)). */
  readonly latestCatalog: CatalogState
  /** Counter of the last commit new snapshots see (txn-manager.ts (4)). */
  readonly ackCounter: number
  readonly locks: LockManager
  readonly log: ConflictLog
  /** Decoded columns of whole-table scans, shared by the manager's transactions (column-cache.ts). */
  readonly columns: ColumnCache
  nextRowId(table: TableDef, snapshot: Snapshot): number
  nextval(sequence: SequenceDef): bigint
  setval(sequence: SequenceDef, value: bigint, isCalled: boolean): bigint
  restartSequence(sequence: SequenceDef, value: bigint): void
  /** Evaluates a column's DEFAULT (for ON DELETE/UPDATE SET DEFAULT); set by the planner. */
  evaluateDefault(table: TableDef, ordinal: number): SqlValue
  /** Numbers a validated commit, logs its writes and makes its catalog the latest; returns the counter. */
  logCommit(trees: ReadonlyMap<string, TreeChange>, catalog: CatalogState | undefined): number
  /** The commit is visible to new snapshots (called synchronously by the KvStore): publish its catalog. */
  acknowledge(counter: number, catalog: CatalogState | undefined): void
  /** The KvStore rejected a logged commit. */
  commitFailed(): void
  /** An open snapshot moved forward (READ COMMITTED statement): the conflict log may shrink. */
  snapshotsMoved(): void
  /** Other open transactions whose write sets hold `key` of `tree` (implicit locks) and in which mode, or null. */
  implicitHolders(self: Transaction, tree: string, key: Uint8Array): { id: number; mode: LockMode }[] | null
  /** True when someone listens for commits (otherwise `committed` need not be called). */
  readonly hasCommitListeners: boolean
  /** A commit is durable; `tables` are the qualified names of the tables it changed (commit listeners). */
  committed(tables: readonly string[]): void
  /** Builds the WriteBatch of a commit's non-transactional parts (sequence positions). */
  appendSequenceState(batch: WriteBatch, catalog: CatalogState): void
  /** The smallest id >= `min` that no transaction of this manager has taken; marks it taken. */
  claimId(min: number): number
  /** True when nextval/setval moved a sequence since its position was last stored. */
  readonly sequencesDirty: boolean
  /** Committed statistics of table `id`. */
  tableStats(id: number): StoredStats | undefined
  /** Adds a commit's statistics (row counts, ANALYZE results, dropped tables) to its WriteBatch. */
  appendStats(batch: WriteBatch, changes: StatsChanges, catalog: CatalogState): void
  finished(txn: Transaction): void
}

type TxnState = 'active' | 'committed' | 'rolled back' | 'failed'

interface SavepointState {
  readonly name: string
  readonly undo: number
  readonly trees: Map<string, TreeWrites>
  readonly treeMeta: Map<TreeWrites, { base: 'snapshot' | 'empty'; dropped: boolean }>
  readonly catalog: CatalogState | undefined
  /** False for a statement savepoint of DML, which cannot change the catalog: nothing to restore. */
  readonly restoresCatalog: boolean
  readonly rowCounts: Map<number, RowCountChange>
  readonly analyzed: Map<number, AnalyzedStats>
}

/** Minimal read interface over a run of entries (a core EntryBatch or our merged list). */
interface Entries {
  readonly count: number
  key(i: number): Uint8Array
  value(i: number): Uint8Array
}

/** Entries held in JS arrays (merged runs, detached copies). */
class ListEntries implements Entries {
  constructor(
    readonly keys: Uint8Array[],
    readonly values: Uint8Array[],
  ) {}
  get count(): number {
    return this.keys.length
  }
  key(i: number): Uint8Array {
    return this.keys[i]
  }
  value(i: number): Uint8Array {
    return this.values[i]
  }
}

/** A key range of a tree. */
interface Range {
  lower?: Uint8Array
  lowerInclusive: boolean
  upper?: Uint8Array
  upperInclusive: boolean
  reverse: boolean
  /** True when the range is provably empty. */
  empty?: boolean
}

/** A referential action to run once the parent's change is written. */
interface PendingAction {
  readonly child: TableInfo
  readonly fk: ForeignKeyDef
  readonly action: 'CASCADE' | 'SET NULL' | 'SET DEFAULT'
  readonly matches: [Uint8Array, SqlValue[]][]
  readonly newValues: readonly SqlValue[] | null
}

/** A row that references a parent row through a foreign key. */
interface ChildRef {
  readonly child: TableDef
  readonly fk: ForeignKeyDef
}

/** Transaction.catalog's class (defined in Transaction's static block, where it may use private members). */
// eslint-disable-next-line prefer-const
let TxnCatalog: new (t: Transaction) => CatalogReader & CatalogWriter

/**
 * One transaction. Get it from `TxnManager.begin()`.
 *
 * @example
 * const txn = manager.begin()
 * const key = txn.insert(table, [1, 'a'])
 * for (const batch of txn.scan(table, { columns: [0, 1] })) ...
 * await txn.commit()
 */
export class Transaction implements TableAccess {
  #readOnly: boolean

  /** Writes fail with 25006 (BEGIN READ ONLY, SET TRANSACTION READ ONLY). */
  get readOnly(): boolean {
    return this.#readOnly
  }

  /** SET TRANSACTION READ ONLY / READ WRITE: READ WRITE only before the first statement, as in PostgreSQL. */
  setReadOnly(readOnly: boolean): void {
    if (!readOnly && this.#readOnly && this.#started) {
      throw new RustyError('25001', 'transaction read-write mode must be set before any query')
    }
    this.#readOnly = readOnly
  }
  /** Catalog lookups and changes as this transaction sees them (invariant 3). */
  #catalogView: (CatalogReader & CatalogWriter) | undefined

  /**
   * Identifies the catalog this transaction reads while it has made no DDL of its own: the committed catalog
   * it reads (an immutable object; the same object means the same catalog). Undefined once it changed the
   * catalog (its own copy changes in place). Plan caches key their validation on it.
   */
  get catalogVersion(): object | undefined {
    return this.#own === undefined ? this.#base : undefined
  }

  /** Catalog lookups and changes as this transaction sees them (invariant 3). */
  get catalog(): CatalogReader & CatalogWriter {
    return (this.#catalogView ??= new TxnCatalog(this))
  }
  /**
   * Schemas searched for unqualified names, in order (the session's search_path). pg_temp is searched
   * before them, as in PostgreSQL, when it exists.
   */
  searchPath: readonly string[] = ['public', 'pg_catalog']
  #host: TxnHost
  #kv: KvStore
  #snapshot: Snapshot
  #ws = new WriteSet()
  #state: TxnState = 'active'
  #base: CatalogState
  #own: CatalogState | undefined
  #savepoints: SavepointState[] = []
  /** Tree name -> exists in the snapshot. */
  #existsAtStart = new Map<string, boolean>()
  /** Referencing foreign keys by referenced table id, for the current catalog (rebuilt after DDL). */
  #children: Map<number, ChildRef[]> | undefined
  /** Row count changes by table id (invariant 8). */
  #rowCounts = new Map<number, RowCountChange>()
  /** ANALYZE results by table id, stored at commit. */
  #analyzed = new Map<number, AnalyzedStats>()
  /** Transaction id: names it in lock waits and deadlock reports. */
  readonly id: number
  #isolation: IsolationLevel
  /** Counter of the last commit the snapshot sees (txn-manager.ts (4)). */
  #snapCounter: number
  /** False until the first statement took the transaction's snapshot (RR/SER: PostgreSQL takes it there). */
  #started = false
  /** Counter of the first statement's snapshot (commit checks whole-tree replacements from there). */
  #startCounter = 0
  /** READ COMMITTED between statements: no snapshot held (PostgreSQL holds none either). */
  #idle = false
  /** SERIALIZABLE: what it read (invariant 12). */
  #reads: ReadSet | null = null
  /** Read the latest committed state instead of the snapshot (write-side checks, invariant 9). */
  #latestReads = false
  /** EPQ re-run: trees whose only entries are these (invariant 11). */
  #override: Map<string, [Uint8Array, Uint8Array][]> | null = null
  /**
   * How the running statement is undone: 'clean' (no writes before it), 'mark' (DML: the undo log position,
   * the number of trees touched and the row counts), a hidden savepoint (DDL), or none.
   */
  #statement: 'none' | 'clean' | 'mark' | 'savepoint' = 'none'
  #mark: { readonly undo: number; readonly trees: number } | null = null
  /** The running DML statement's undo of `#rowCounts`: each table's count before its first change (undefined: none). */
  readonly #markCounts = new Map<number, RowCountChange | undefined>()
  readonly #currvals: Map<number, bigint>

  /** Use TxnManager.begin(). */
  constructor(host: TxnHost, id: number, options: { readOnly?: boolean; isolation?: IsolationLevel; currvals?: Map<number, bigint> } = {}) {
    this.#host = host
    this.#kv = host.kv
    this.id = id
    this.#snapshot = host.kv.snapshot()
    this.#snapCounter = host.ackCounter
    this.#startCounter = this.#snapCounter
    this.#base = host.catalog
    this.#readOnly = options.readOnly ?? false
    this.#isolation = options.isolation ?? 'read committed'
    this.#currvals = options.currvals ?? new Map()
  }

  /** 'active' until commit() or rollback(). */
  get state(): TxnState {
    return this.#state
  }

  get isolation(): IsolationLevel {
    return this.#isolation
  }

  /**
   * Counter of the oldest commit this transaction may still ask the conflict log about: its snapshot's, or
   * between READ COMMITTED statements (no snapshot held) none, unless it replaced a whole tree, which commit
   * checks from the first statement on.
   */
  get snapshotCounter(): number {
    if (!this.#idle) return this.#snapCounter
    for (const tw of this.#ws.trees.values()) if (tw.base === 'empty' || tw.dropped) return this.#startCounter
    return Number.POSITIVE_INFINITY
  }

  /** True once a statement ran (SET TRANSACTION ISOLATION LEVEL is refused then: 25001). */
  get started(): boolean {
    return this.#started
  }

  /** Changes the isolation level before the first statement (SET TRANSACTION). */
  setIsolation(level: IsolationLevel): void {
    if (this.#started) {
      throw new RustyError('25001', 'SET TRANSACTION ISOLATION LEVEL must be called before any query')
    }
    this.#isolation = level
  }

  // --- statements ----------------------------------------------------------------------------------------

  /**
   * Called before each statement (`restart`: the same statement again after a lock wait). Takes the
   * statement's snapshot (READ COMMITTED: every statement; otherwise the first) and marks how to undo it
   * (`changesCatalog` false for DML: the undo mark then need not copy the transaction's catalog).
   */
  beginStatement(restart = false, changesCatalog = true): void {
    this.#assertActive()
    if (!restart && (!this.#started || this.#isolation === 'read committed')) {
      if (this.#snapCounter !== this.#host.ackCounter || this.#snapshot.released) {
        this.#snapshot.release()
        this.#snapshot = this.#kv.snapshot()
        this.#snapCounter = this.#host.ackCounter
        this.#existsAtStart.clear()
        if (this.#own === undefined && this.#base !== this.#host.catalog) {
          this.#base = this.#host.catalog
          this.#children = undefined
        }
        this.#host.snapshotsMoved()
      }
      if (!this.#started) this.#startCounter = this.#snapCounter
      this.#idle = false
      this.#started = true
      if (this.#isolation === 'serializable' && this.#reads === null) this.#reads = new ReadSet()
    }
    if (!this.hasWrites && this.#savepoints.length === 0) this.#statement = 'clean'
    else if (!changesCatalog) {
      // DML only adds entries and trees to the write set (never replaces a tree): the undo log and the
      // number of trees are enough to go back.
      this.#ws.logging++
      this.#mark = { undo: this.#ws.undoLength, trees: this.#ws.trees.size }
      this.#markCounts.clear()
      this.#statement = 'mark'
    } else {
      this.savepoint(STATEMENT_SAVEPOINT, changesCatalog)
      this.#statement = 'savepoint'
    }
  }

  /**
   * The statement finished (successfully or not; `finished` false: it waits for a lock and runs again):
   * forget its undo mark. At READ COMMITTED the transaction is then idle: its snapshot goes at the next
   * commit (releaseIdleSnapshot), so an idle transaction does not keep old versions alive.
   */
  endStatement(finished = true): void {
    if (this.#statement === 'savepoint' && this.#state === 'active') this.release(STATEMENT_SAVEPOINT)
    if (this.#statement === 'mark') {
      this.#ws.logging--
      this.#ws.trimUndo()
      this.#mark = null
    }
    this.#statement = 'none'
    if (finished && this.#isolation === 'read committed' && this.#state === 'active') {
      // The snapshot stays registered until a commit makes it old (releaseIdleSnapshot): the next statement
      // reuses it when nothing committed in between, and an idle transaction still pins nothing new.
      this.#idle = true
      this.#host.snapshotsMoved()
    }
  }

  /** Between READ COMMITTED statements: lets the store drop versions (called after every commit). */
  releaseIdleSnapshot(): void {
    if (this.#idle && this.#snapCounter !== this.#host.ackCounter) this.#snapshot.release()
  }

  /** Undoes everything the running statement wrote (before a lock wait and restart); its locks stay. */
  undoStatement(): void {
    const mark = this.#mark
    if (this.#statement === 'mark' && mark !== null) {
      this.#ws.undoTo(mark.undo)
      let i = 0
      for (const name of [...this.#ws.trees.keys()]) if (i++ >= mark.trees) this.#ws.trees.delete(name)
      for (const [id, saved] of this.#markCounts) {
        if (saved === undefined) this.#rowCounts.delete(id)
        else this.#rowCounts.set(id, saved)
      }
      this.#markCounts.clear()
    } else if (this.#statement === 'savepoint') this.rollbackTo(STATEMENT_SAVEPOINT)
    else if (this.#statement === 'clean') {
      this.#ws = new WriteSet()
      this.#own = undefined
      this.#children = undefined
      this.#rowCounts = new Map()
      this.#analyzed = new Map()
    }
  }

  // --- locks ---------------------------------------------------------------------------------------------

  /** True when this transaction's write set holds `key` of `tree`: an implicit lock (lock-manager.ts). */
  wrote(tree: string, key: Uint8Array): boolean {
    return this.#ws.tree(tree)?.get(key) !== undefined
  }

  /**
   * The strength of the implicit lock its write of `key` in `tree` stands for: FOR NO KEY UPDATE for an
   * update of an existing row that kept every unique key, FOR UPDATE for anything else (insert, delete,
   * key change, index keys). Asked only when another transaction wants the key (rare path).
   */
  implicitMode(tree: string, key: Uint8Array): LockMode {
    const entry = this.#ws.tree(tree)?.get(key)
    if (entry === undefined || entry.value === null || !tree.startsWith('t')) return LockMode.UPDATE
    const def = this.#current().tables.get(Number(tree.slice(1)))
    const oldBytes = def === undefined || !this.#kv.hasTree(tree) ? undefined : this.#kv.get(tree, key)
    if (def === undefined || oldBytes === undefined) return LockMode.UPDATE
    const info = tableInfo(def)
    const old = decodeFullRow(oldBytes, info.types)
    const row = decodeFullRow(entry.value, info.types)
    for (const ii of info.indexes) {
      if (ii.unique && !sameBytes(indexEntryKey(ii, old, key).key, indexEntryKey(ii, row, key).key)) return LockMode.UPDATE
    }
    return LockMode.NO_KEY_UPDATE
  }

  /**
   * Takes `mode` on `key` of `tree` or throws LockWait (policy 'wait'); false when not granted (nowait/skip).
   * `forWrite`: a write-set entry for the key follows in this statement, which holds the lock implicitly, so
   * no lock-table entry is made unless someone else holds or waits for the key (the common case costs two
   * size checks). Another transaction's write-set entry is its implicit lock: it becomes explicit here, so
   * the wait, its wake-up and deadlock detection see it.
   */
  #lock(tree: string, key: Uint8Array, mode: LockMode, policy: LockPolicy = 'wait', forWrite = true): boolean {
    const locks = this.#host.locks
    const others = this.#host.implicitHolders(this, tree, key)
    if (forWrite && others === null && locks.lockedCount === 0) return true
    const resource = resourceOf(tree, key)
    if (others !== null) for (const holder of others) locks.adopt(holder.id, resource, holder.mode)
    if (forWrite && others === null && !locks.isLocked(resource)) return true
    const blockers = locks.acquire(this.id, resource, mode)
    if (blockers === null) return true
    if (policy === 'wait') throw new LockWait(resource, mode, blockers)
    if (policy === 'nowait') {
      throw new RustyError(SqlState.LOCK_NOT_AVAILABLE, `could not obtain lock on ${resourceDescription(this.#current(), resource)}`, {
        detail: `Transaction ${blockers.join(', ')} holds it.`,
      })
    }
    return false
  }

  /** 40001 for a row a commit after the snapshot changed (REPEATABLE READ, SERIALIZABLE: invariant 11). */
  #assertUnchanged(tree: string, key: Uint8Array): void {
    if (this.#isolation === 'read committed') return
    if (this.#host.log.changedSince(tree, key, this.#snapCounter)) {
      throw new RustyError(SqlState.SERIALIZATION_FAILURE, 'could not serialize access due to concurrent update', {
        hint: 'Retry the transaction.',
      })
    }
  }

  /**
   * Locks the row `key` of `table` for an UPDATE, DELETE or SELECT ... FOR `mode` (invariant 11): 'current'
   * (the snapshot's version is the newest), 'skipped' (SKIP LOCKED and it is locked), or at READ COMMITTED
   * 'changed' with the newest committed version (null: deleted) for the caller to re-check.
   */
  lockRow(table: TableDef, key: Uint8Array, mode: LockMode, policy: LockPolicy = 'wait', forWrite = false): LockResult {
    this.#assertActive()
    if (this.readOnly && mode > LockMode.SHARE) throw readOnlyTransaction(`SELECT ${LOCK_NAMES[mode]}`)
    const info = tableInfo(table)
    if (!this.#lock(info.tree, key, mode, policy, forWrite)) return SKIPPED
    // Our own write is the newest version by definition.
    if (this.#ws.tree(info.tree)?.get(key) !== undefined) return CURRENT
    if (!this.#host.log.changedSince(info.tree, key, this.#snapCounter)) return CURRENT
    this.#assertUnchanged(info.tree, key)
    const bytes = this.#kv.get(info.tree, key)
    return { kind: 'changed', row: bytes === undefined ? null : decodeFullRow(bytes, info.types) }
  }

  /**
   * Runs `fn` while `table` holds only `row` under `key` (null: no row) and its indexes only that row's
   * entries: the EvalPlanQual re-run of a statement's conditions on a row's newest version (invariant 11).
   */
  withOverride<T>(table: TableDef, key: Uint8Array, row: readonly SqlValue[] | null, fn: () => T): T {
    const info = tableInfo(table)
    // Nested calls add up: a join re-checked over the newest versions of several tables' rows.
    const override = new Map<string, [Uint8Array, Uint8Array][]>(this.#override ?? [])
    override.set(info.tree, row === null ? [] : [[key, encodeRow(row, info.types)]])
    for (const ii of info.indexes) override.set(ii.tree, row === null ? [] : [[indexEntryKey(ii, row, key).key, key]])
    const saved = this.#override
    this.#override = override
    try {
      return fn()
    } finally {
      this.#override = saved
    }
  }

  /** True when the transaction changed anything (rows or catalog). */
  get hasWrites(): boolean {
    return this.#ws.trees.size > 0 || this.#own !== undefined || this.#analyzed.size > 0
  }

  // --- statistics ----------------------------------------------------------------------------------------

  /** CatalogReader.stats: the committed statistics with this transaction's changes (invariant 8). */
  stats(table: TableDef): TableStats | undefined {
    const base = this.#host.tableStats(table.id)
    const change = this.#rowCounts.get(table.id)
    let rowCount: number | undefined
    if (change?.reset === true) rowCount = change.delta
    else if (base?.rowCount !== undefined) rowCount = base.rowCount + (change?.delta ?? 0)
    const analyzed = this.#analyzed.get(table.id) ?? base?.analyzed ?? null
    if (rowCount === undefined) {
      if (analyzed === null) return undefined
      rowCount = analyzed.analyzedRows
    }
    return { rowCount: Math.max(0, rowCount), analyzed }
  }

  /** Records ANALYZE's results for `table`: its exact row count now and its column statistics (stored at commit). */
  putAnalyzedStats(table: TableDef, stats: AnalyzedStats): void {
    this.#assertWritable('ANALYZE')
    this.#analyzed.set(table.id, stats)
    this.#countsToChange(table.id).set(table.id, { reset: true, delta: stats.analyzedRows })
  }

  /**
   * `#rowCounts`, about to change table `tableId`'s entry: the running DML statement's undo mark keeps that
   * entry as it was before the statement's first change of it (most statements change one table's count).
   */
  #countsToChange(tableId: number): Map<number, RowCountChange> {
    if (this.#mark !== null && !this.#markCounts.has(tableId)) {
      const c = this.#rowCounts.get(tableId)
      this.#markCounts.set(tableId, c === undefined ? undefined : { reset: c.reset, delta: c.delta })
    }
    return this.#rowCounts
  }

  #countRows(tableId: number, delta: number): void {
    const counts = this.#countsToChange(tableId)
    const c = counts.get(tableId)
    if (c === undefined) counts.set(tableId, { reset: false, delta })
    else c.delta += delta
  }

  // --- TableAccess: reads --------------------------------------------------------------------------------

  *scan(table: TableDef, options: ScanOptions): Generator<Batch, void, undefined> {
    this.#assertActive()
    const info = tableInfo(table)
    if (info.pk === null && ((options.lower?.values.length ?? 0) > 0 || (options.upper?.values.length ?? 0) > 0)) {
      throw internalError(`key bounds on table "${table.name}", which has no primary key`)
    }
    if (info.pk !== null) {
      const point = pointKey(options, info.pkTypes)
      if (point !== undefined) {
        yield* this.#pointBatch(info, point, options.columns)
        return
      }
    }
    const range = info.pk === null ? this.#fullRange(options.reverse) : this.#boundRange(options, info.pkTypes, null, null)
    if (range.empty) return
    yield* this.#cachedScan(info, range, options.columns) ?? this.#decodeBatches(info, this.#entries(info.tree, range), options.columns, false)
  }

  /**
   * A scan whose bounds pin the whole primary key (invariant 14): one lookup of the row key (a point read,
   * also for SERIALIZABLE's read set) and a batch of at most one row, instead of a range scan.
   */
  *#pointBatch(info: TableInfo, key: Uint8Array, columns: readonly number[]): Generator<Batch, void, undefined> {
    const bytes = this.#get(info.tree, key)
    if (bytes === undefined) return
    const { decodeCols, decodeAt, keyAt } = decodePlan(columns)
    const out = newColumns(columns.length)
    if (decodeCols.length > 0) decodeRow(bytes, info.types, decodeCols, decodeAt.map((c) => out[c]), 0)
    if (keyAt >= 0) out[keyAt][0] = key
    yield { length: 1, columns: out }
  }

  *indexScan(index: IndexDef, options: ScanOptions): Generator<Batch, void, undefined> {
    this.#assertActive()
    const table = this.#current().tables.get(index.tableId)
    if (table === undefined) throw internalError(`index "${index.name}" has no table`)
    const info = tableInfo(table)
    const ii = info.indexes.find((x) => x.def.id === index.id)
    if (ii === undefined) throw internalError(`index "${index.name}" is not in its table's definition`)
    const range = this.#boundRange(options, ii.types, ii.descending, ii.nullsFirst)
    if (range.empty) return
    yield* this.#decodeBatches(info, this.#rowsOfIndex(info, this.#entries(ii.tree, range)), options.columns, true)
  }

  getByPrimaryKey(table: TableDef, key: readonly SqlValue[]): SqlValue[] | undefined {
    this.#assertActive()
    const info = tableInfo(table)
    if (info.pk === null) throw internalError(`table "${table.name}" has no primary key`)
    const bytes = this.#get(info.tree, primaryKeyFromValues(info, key))
    return bytes === undefined ? undefined : decodeFullRow(bytes, info.types)
  }

  /** The full row stored under a row key, or undefined. */
  getByRowKey(table: TableDef, key: Uint8Array): SqlValue[] | undefined {
    this.#assertActive()
    const info = tableInfo(table)
    const bytes = this.#get(info.tree, key)
    return bytes === undefined ? undefined : decodeFullRow(bytes, info.types)
  }

  /**
   * ON CONFLICT: like the insert's own checks, on the latest commit under the key's lock (invariant 9), so a
   * concurrent insert of the same key is waited for and then seen. At REPEATABLE READ and SERIALIZABLE a
   * conflicting row the snapshot cannot see fails with 40001, as in PostgreSQL.
   */
  findConflict(table: TableDef, row: readonly SqlValue[], arbiter: readonly number[] | null): [Uint8Array, SqlValue[]] | undefined {
    this.#assertActive()
    const info = tableInfo(table)
    const found = (rowKey: Uint8Array): [Uint8Array, SqlValue[]] | undefined => {
      const bytes = this.#latestGet(info.tree, rowKey)
      if (bytes === undefined) return undefined
      this.#assertUnchanged(info.tree, rowKey)
      return [rowKey, decodeFullRow(bytes, info.types)]
    }
    if (info.pk !== null && (arbiter === null || sameSet(arbiter, info.pk))) {
      if (info.pk.every((i) => row[i] !== null)) {
        const key = primaryKeyOf(info, row)
        this.#lock(info.tree, key, LockMode.UPDATE)
        const hit = found(key)
        if (hit !== undefined) return hit
      }
    }
    for (const ii of info.indexes) {
      if (!ii.unique || (arbiter !== null && !sameSet(arbiter, ii.ordinals))) continue
      const { key, checked } = indexEntryKey(ii, row, EMPTY)
      if (!checked) continue
      this.#lock(ii.tree, key, LockMode.UPDATE)
      const rowKey = this.#latestGet(ii.tree, key)
      if (rowKey !== undefined) {
        const hit = found(rowKey)
        if (hit !== undefined) return hit
      }
    }
    return undefined
  }

  // --- TableAccess: writes -------------------------------------------------------------------------------

  insert(table: TableDef, row: readonly SqlValue[]): Uint8Array {
    this.#assertWritable('INSERT')
    const info = tableInfo(table)
    this.#checkNotNull(info, row)
    let key: Uint8Array
    const rows = this.#touch(info.tree)
    if (info.pk !== null) {
      key = primaryKeyOf(info, row)
      this.#lock(info.tree, key, LockMode.UPDATE)
      if (this.#latestIn(rows, key) !== undefined) throw this.#pkViolation(info, row)
    } else {
      key = rowIdKey(this.#host.nextRowId(table, this.#snapshot))
    }
    for (let i = 0; i < info.indexes.length; i++) this.#checkUnique(info, info.indexes[i], row, key)
    for (let i = 0; i < info.foreignKeys.length; i++) this.#checkParent(info, info.foreignKeys[i], row)
    this.#ws.set(rows, key, encodeRow(row, info.types))
    for (let i = 0; i < info.indexes.length; i++) {
      const ii = info.indexes[i]
      this.#ws.set(this.#touch(ii.tree), indexEntryKey(ii, row, key).key, key)
    }
    this.#countRows(table.id, 1)
    return key
  }

  update(table: TableDef, key: Uint8Array, row: readonly SqlValue[]): Uint8Array {
    this.#assertWritable('UPDATE')
    const info = tableInfo(table)
    const rows = this.#touch(info.tree)
    this.#lock(info.tree, key, LockMode.NO_KEY_UPDATE)
    this.#assertUnchanged(info.tree, key)
    const oldBytes = this.#latestIn(rows, key)
    // Gone already (deleted earlier in the same statement by a cascade, or by a concurrent commit at READ
    // COMMITTED): skipped, as PostgreSQL does.
    if (oldBytes === undefined) return key
    const old = decodeFullRow(oldBytes, info.types)
    this.#checkNotNull(info, row)
    let newKey = key
    if (info.pk !== null) {
      newKey = primaryKeyOf(info, row)
      if (!sameBytes(newKey, key)) {
        this.#lock(info.tree, key, LockMode.UPDATE)
        this.#lock(info.tree, newKey, LockMode.UPDATE)
        if (this.#latestIn(rows, newKey) !== undefined) throw this.#pkViolation(info, row)
      }
    }
    const entries: { ii: IndexInfo; oldKey: Uint8Array; newKey: Uint8Array }[] = []
    for (const ii of info.indexes) {
      const oldEntry = indexEntryKey(ii, old, key).key
      const newEntry = indexEntryKey(ii, row, newKey)
      if (sameBytes(oldEntry, newEntry.key) && sameBytes(key, newKey)) continue
      if (ii.unique && !sameBytes(oldEntry, newEntry.key)) {
        // A key column changes: the row's lock becomes FOR UPDATE and the old unique key is given up.
        this.#lock(info.tree, key, LockMode.UPDATE)
        this.#lock(ii.tree, oldEntry, LockMode.UPDATE)
        if (newEntry.checked) this.#checkUnique(info, ii, row, newKey)
      }
      entries.push({ ii, oldKey: oldEntry, newKey: newEntry.key })
    }
    for (const fk of info.foreignKeys) {
      if (fk.columns.some((c) => !sameValue(old[c], row[c], info, c))) this.#checkParent(info, fk, row)
    }
    const actions = this.#referencing(info, old, row)
    const changedKey = !sameBytes(key, newKey)
    if (changedKey) this.#ws.set(rows, key, null)
    this.#ws.set(rows, newKey, encodeRow(row, info.types))
    for (const { ii, oldKey, newKey: entryKey } of entries) {
      const tw = this.#touch(ii.tree)
      this.#ws.set(tw, oldKey, null)
      this.#ws.set(tw, entryKey, newKey)
    }
    this.#applyActions(actions)
    return newKey
  }

  delete(table: TableDef, key: Uint8Array): SqlValue[] {
    this.#assertWritable('DELETE')
    const info = tableInfo(table)
    const rows = this.#touch(info.tree)
    this.#lock(info.tree, key, LockMode.UPDATE)
    this.#assertUnchanged(info.tree, key)
    const oldBytes = this.#latestIn(rows, key)
    // Gone already (deleted earlier in the same statement by a cascade, or concurrently at READ COMMITTED):
    // nothing to do, as in PostgreSQL.
    if (oldBytes === undefined) return []
    const old = decodeFullRow(oldBytes, info.types)
    for (const ii of info.indexes) {
      if (!ii.unique) continue
      const entry = indexEntryKey(ii, old, key)
      if (entry.checked) this.#lock(ii.tree, entry.key, LockMode.UPDATE)
    }
    const actions = this.#referencing(info, old, null)
    this.#ws.set(rows, key, null)
    for (const ii of info.indexes) this.#ws.set(this.#touch(ii.tree), indexEntryKey(ii, old, key).key, null)
    this.#countRows(table.id, -1)
    this.#applyActions(actions)
    return old
  }

  nextval(sequence: SequenceDef): bigint {
    this.#assertActive()
    if (this.readOnly) throw readOnlyTransaction('nextval()')
    const value = this.#host.nextval(sequence)
    this.#currvals.set(sequence.id, value)
    return value
  }

  currval(sequence: SequenceDef): bigint {
    this.#assertActive()
    const v = this.#currvals.get(sequence.id)
    if (v === undefined) throw new RustyError('55000', `currval of sequence "${sequence.name}" is not yet defined in this session`)
    return v
  }

  setval(sequence: SequenceDef, value: bigint, isCalled: boolean): bigint {
    this.#assertActive()
    if (this.readOnly) throw readOnlyTransaction('setval()')
    return this.#host.setval(sequence, value, isCalled)
  }

  // --- bulk row operations for DDL -----------------------------------------------------------------------

  /** Deletes every row of `table` and its index entries, without foreign-key actions (TRUNCATE). */
  truncate(table: TableDef): void {
    this.#assertWritable('TRUNCATE')
    const info = tableInfo(table)
    this.#resetTree(info.tree, false)
    for (const ii of info.indexes) this.#resetTree(ii.tree, false)
    this.#countsToChange(table.id).set(table.id, { reset: true, delta: 0 })
  }

  /**
   * Rewrites every row of `from` as a row of `to` (same table id: ADD/DROP COLUMN, ADD/DROP PRIMARY KEY):
   * `map` turns an old full row into a new one. Rows are re-keyed when the key changes (new primary key:
   * 23505 on duplicates; no primary key any more: new hidden row ids), and every index of `to` is rebuilt.
   * `to` must already be the table's definition in the catalog.
   */
  rewriteRows(from: TableDef, to: TableDef, map: (row: SqlValue[]) => SqlValue[]): void {
    this.#assertWritable('ALTER TABLE')
    const oldInfo = tableInfo(from)
    const newInfo = tableInfo(to)
    const rows: [Uint8Array, SqlValue[]][] = []
    for (const [key, value] of this.#allEntries(oldInfo.tree)) rows.push([key, map(decodeFullRow(value, oldInfo.types))])
    const tw = this.#resetTree(newInfo.tree, false)
    for (const [oldKey, row] of rows) {
      this.#checkNotNull(newInfo, row)
      let key = oldKey
      if (newInfo.pk !== null) {
        key = primaryKeyOf(newInfo, row)
        if (tw.get(key)?.value != null) {
          const e = this.#pkViolation(newInfo, row)
          throw new RustyError(e.code, `could not create unique index "${to.primaryKeyName ?? `${to.name}_pkey`}"`, {
            detail: e.detail?.replace('already exists', 'is duplicated'),
            table: to.name,
            constraint: e.constraint,
          })
        }
      } else if (oldInfo.pk !== null) {
        key = rowIdKey(this.#host.nextRowId(to, this.#snapshot))
      }
      this.#ws.set(tw, key, encodeRow(row, newInfo.types))
    }
    for (const ii of newInfo.indexes) this.#buildIndex(newInfo, ii)
  }

  /** Rebuilds the indexes of `table` (or only index `indexId`) from its rows (REINDEX). */
  reindex(table: TableDef, indexId?: number): void {
    this.#assertWritable('REINDEX')
    const info = tableInfo(table)
    for (const ii of info.indexes) if (indexId === undefined || ii.def.id === indexId) this.#buildIndex(info, ii)
  }

  /** Checks every row of `table` against its foreign key `fk` (ALTER TABLE ADD FOREIGN KEY). */
  validateForeignKey(table: TableDef, fk: ForeignKeyDef): void {
    const info = tableInfo(table)
    for (const [, value] of this.#allEntries(info.tree)) this.#checkParent(info, fk, decodeFullRow(value, info.types))
  }

  /** Checks that no row of `table` has NULL in column `ordinal` (SET NOT NULL). */
  validateNotNull(table: TableDef, ordinal: number): void {
    const info = tableInfo(table)
    for (const [, value] of this.#allEntries(info.tree)) {
      if (decodeFullRow(value, info.types)[ordinal] === null) {
        throw new RustyError(SqlState.NOT_NULL_VIOLATION, `column "${table.columns[ordinal].name}" of relation "${table.name}" contains null values`, {
          table: table.name,
          column: table.columns[ordinal].name,
        })
      }
    }
  }

  /** True when `table` has at least one row. */
  hasRows(table: TableDef): boolean {
    for (const batch of this.scan(table, { columns: [] })) if (batch.length > 0) return true
    return false
  }

  /** Drops every object of the temporary schema and the schema itself (session end); false if there is none. */
  dropTemporaryObjects(): boolean {
    const state = this.#current()
    if (!state.schemas.has(TEMP_SCHEMA)) return false
    for (const view of [...state.views.values()]) if (view.schema === TEMP_SCHEMA) this.catalog.dropView(view.id)
    for (const table of [...this.#current().tables.values()]) {
      if (table.schema === TEMP_SCHEMA) this.catalog.dropTable(table.id)
      else if (table.foreignKeys.some((fk) => this.#current().tables.get(fk.refTableId)?.schema === TEMP_SCHEMA)) {
        this.catalog.alterTable({ ...table, foreignKeys: table.foreignKeys.filter((fk) => this.#current().tables.get(fk.refTableId)?.schema !== TEMP_SCHEMA) })
      }
    }
    for (const seq of [...this.#current().sequences.values()]) if (seq.schema === TEMP_SCHEMA) this.catalog.dropSequence(seq.id)
    this.catalog.dropSchema(TEMP_SCHEMA)
    return true
  }

  // --- savepoints, commit, rollback ----------------------------------------------------------------------

  /** SAVEPOINT name (a repeated name shadows the older one, as in PostgreSQL). */
  savepoint(name: string, restoresCatalog = true): void {
    this.#assertActive()
    const treeMeta = new Map<TreeWrites, { base: 'snapshot' | 'empty'; dropped: boolean }>()
    for (const tw of this.#ws.trees.values()) treeMeta.set(tw, { base: tw.base, dropped: tw.dropped })
    this.#savepoints.push({
      name,
      undo: this.#ws.undoLength,
      trees: new Map(this.#ws.trees),
      treeMeta,
      catalog: restoresCatalog ? this.#own?.clone() : undefined,
      restoresCatalog,
      rowCounts: cloneCounts(this.#rowCounts),
      analyzed: new Map(this.#analyzed),
    })
    this.#ws.logging++
  }

  /** ROLLBACK TO SAVEPOINT name: undoes everything after it; the savepoint stays. */
  rollbackTo(name: string): void {
    this.#assertActive()
    const at = this.#findSavepoint(name)
    const sp = this.#savepoints[at]
    this.#ws.logging -= this.#savepoints.length - at - 1
    this.#savepoints.length = at + 1
    this.#ws.trees.clear()
    for (const [k, v] of sp.trees) this.#ws.trees.set(k, v)
    for (const [tw, meta] of sp.treeMeta) {
      tw.base = meta.base
      tw.dropped = meta.dropped
    }
    this.#ws.undoTo(sp.undo)
    if (sp.restoresCatalog) {
      this.#own = sp.catalog?.clone()
      this.#children = undefined
    }
    this.#rowCounts = cloneCounts(sp.rowCounts)
    this.#analyzed = new Map(sp.analyzed)
  }

  /** RELEASE SAVEPOINT name: forgets it and every later one; keeps the changes. */
  release(name: string): void {
    this.#assertActive()
    const at = this.#findSavepoint(name)
    this.#ws.logging -= this.#savepoints.length - at
    this.#savepoints.length = at
    this.#ws.trimUndo()
  }

  /** Applies the write set and catalog changes atomically and durably; the transaction is then over. */
  async commit(): Promise<void> {
    await this.commitNow()
  }

  /**
   * commit(), finished synchronously when there is nothing to write (a read-only transaction): then it
   * returns undefined; otherwise the promise of the durable commit. Throws 25000 when the transaction is over.
   */
  commitNow(): Promise<void> | undefined {
    this.#assertActive()
    // (A transaction made READ ONLY after it wrote still commits what it wrote.)
    if (this.hasWrites || (!this.readOnly && this.#host.sequencesDirty)) return this.#commitWrites()
    this.#state = 'committed'
    this.#snapshot.release()
    this.#host.finished(this)
    return undefined
  }

  async #commitWrites(): Promise<void> {
    this.#state = 'committed'
    let logged = false
    try {
      if (this.hasWrites) this.#validate()
      const batch = this.#kv.batch()
      const trees = this.#fillBatch(batch)
      this.#host.appendSequenceState(batch, this.#own ?? this.#base)
      if (this.#rowCounts.size > 0 || this.#analyzed.size > 0 || this.#own !== undefined) {
        this.#host.appendStats(batch, { rowCounts: this.#rowCounts, analyzed: this.#analyzed }, this.#own ?? this.#base)
      }
      const own = this.#own
      const counter = this.#host.logCommit(trees, own)
      logged = true
      await this.#kv.commit(batch, () => this.#host.acknowledge(counter, own))
      if ((trees.size > 0 || own !== undefined) && this.#host.hasCommitListeners) this.#host.committed(this.#changedTables(trees, own))
    } catch (error) {
      if (logged) this.#host.commitFailed()
      this.#state = 'failed'
      throw error
    } finally {
      this.#snapshot.release()
      this.#host.finished(this)
    }
  }

  /** Discards every change (sequences and row ids keep advancing, as in PostgreSQL). */
  rollback(): void {
    if (this.#state !== 'active') return
    this.#state = 'rolled back'
    this.#snapshot.release()
    this.#host.finished(this)
  }

  /** Qualified names of the tables a commit changed: rows (table or index trees) or definitions. */
  #changedTables(trees: ReadonlyMap<string, TreeChange>, own: CatalogState | undefined): string[] {
    const base = this.#base
    const ids = new Set<number>()
    for (const tree of trees.keys()) {
      const id = Number(tree.slice(1))
      if (tree.startsWith('t')) ids.add(id)
      else {
        const tableId = (own ?? base).indexes.get(id)?.tableId ?? base.indexes.get(id)?.tableId
        if (tableId !== undefined) ids.add(tableId)
      }
    }
    if (own !== undefined) {
      for (const [id, def] of own.tables) if (base.tables.get(id) !== def) ids.add(id)
      for (const id of base.tables.keys()) if (!own.tables.has(id)) ids.add(id)
    }
    const names: string[] = []
    for (const id of ids) {
      const def = own?.tables.get(id) ?? base.tables.get(id)
      if (def !== undefined) names.push(`${def.schema}.${def.name}`)
    }
    return names
  }

  /** Commit-time checks against concurrent commits (invariants 12 and 13); 40001 when one fails. */
  #validate(): void {
    const latest = this.#host.latestCatalog
    const log = this.#host.log
    const fail = (message: string, detail?: string): RustyError =>
      new RustyError(SqlState.SERIALIZATION_FAILURE, message, { detail, hint: 'Retry the transaction.' })
    if (this.#own !== undefined && latest !== this.#base) {
      // Another transaction changed the catalog since this one read it: publishing ours would lose its change.
      throw fail('could not serialize access due to a concurrent change of the catalog')
    }
    for (const tw of this.#ws.trees.values()) {
      if (this.#own === undefined && latest !== this.#base) {
        const id = Number(tw.name.slice(1))
        const tableId = tw.name.startsWith('t') ? id : this.#base.indexes.get(id)?.tableId
        if (tableId !== undefined && latest.tables.get(tableId) !== this.#base.tables.get(tableId)) {
          throw fail(`could not serialize access: relation "${this.#base.tables.get(tableId)?.name ?? tableId}" was changed by a concurrent transaction`)
        }
      }
      if ((tw.base === 'empty' || tw.dropped) && tw.existedAtStart && log.treeChangedSince(tw.name, Math.min(this.#startCounter, this.#snapCounter))) {
        throw fail('could not serialize access due to concurrent update', `A concurrent transaction wrote to ${treeDescription(this.#current(), tw.name)}, which this transaction replaces.`)
      }
    }
    if (this.#reads !== null && !this.#reads.empty) {
      const tree = log.firstConflict(this.#reads, this.#snapCounter)
      if (tree !== null) {
        throw fail(
          'could not serialize access due to read/write dependencies among transactions',
          `A concurrent transaction committed a change to ${treeDescription(this.#current(), tree)} that this transaction read.`,
        )
      }
    }
  }

  // --- internals: the write batch ------------------------------------------------------------------------

  /** Fills the commit's WriteBatch; returns what it writes per tree for the conflict log. */
  #fillBatch(batch: WriteBatch): Map<string, TreeChange> {
    const changes = new Map<string, TreeChange>()
    for (const tw of this.#ws.trees.values()) {
      const name = tw.name
      if (tw.dropped) {
        if (tw.existedAtStart) {
          batch.dropTree(name)
          changes.set(name, 'all')
        }
        continue
      }
      const entries = tw.sorted()
      changes.set(name, tw.base === 'empty' ? 'all' : entries)
      if (tw.base === 'empty') {
        if (tw.existedAtStart) batch.dropTree(name)
        batch.createTree(name)
        const live: [Uint8Array, Uint8Array][] = []
        for (const e of entries) if (e.value !== null) live.push([e.key, e.value])
        if (live.length > 0) batch.bulkLoad(name, live)
        continue
      }
      for (const e of entries) {
        if (e.value === null) batch.delete(name, e.key)
        else batch.put(name, e.key, e.value)
      }
    }
    const own = this.#own
    if (own !== undefined) {
      for (const key of own.dirtyKeys()) {
        const value = own.recordOf(key)
        const keyBytes = CatalogState.keyBytes(key)
        if (value === undefined) batch.delete(CATALOG_TREE, keyBytes)
        else batch.put(CATALOG_TREE, keyBytes, value)
      }
    }
    return changes
  }

  // --- internals: merged reads ---------------------------------------------------------------------------

  #existed(tree: string): boolean {
    if (this.#latestReads) return this.#kv.hasTree(tree)
    let e = this.#existsAtStart.get(tree)
    if (e === undefined) {
      e = this.#kv.hasTree(tree, this.#snapshot)
      this.#existsAtStart.set(tree, e)
    }
    return e
  }

  /** The overlay of `tree`, created on first write. */
  #touch(tree: string): TreeWrites {
    return this.#ws.tree(tree) ?? this.#ws.touch(tree, this.#existed(tree))
  }

  /** Replaces a tree's overlay by an empty one (TRUNCATE, CREATE, DROP), keeping the old for savepoints. */
  #resetTree(tree: string, dropped: boolean): TreeWrites {
    const tw = new TreeWrites(tree, this.#existed(tree), 'empty')
    tw.dropped = dropped
    this.#ws.trees.set(tree, tw)
    return tw
  }

  /** The snapshot reads use: none (the latest commit) for write-side checks (invariant 9). */
  #readSnapshot(): Snapshot | undefined {
    return this.#latestReads ? undefined : this.#snapshot
  }

  /** The value of `key` in `tree` as this transaction sees it. */
  #get(tree: string, key: Uint8Array): Uint8Array | undefined {
    if (this.#override !== null) {
      const entries = this.#override.get(tree)
      if (entries !== undefined) return entries.find((e) => sameBytes(e[0], key))?.[1]
    }
    if (this.#reads !== null && !this.#latestReads) this.#reads.addPoint(tree, key)
    const tw = this.#ws.tree(tree)
    if (tw !== undefined) return this.#getIn(tw, key)
    if (!this.#existed(tree)) return undefined
    const snapshot = this.#readSnapshot()
    const value = this.#kv.get(tree, key, snapshot)
    if (snapshot !== undefined) {
      this.#lastReadTree = tree
      this.#lastReadKey = key
      this.#lastReadValue = value
      this.#lastReadSeq = snapshot.seq
    }
    return value
  }

  /**
   * The last point read at the snapshot (#get): an UPDATE or DELETE reads its row at the snapshot, then
   * again in the latest commit under the row's lock (invariant 9); while no commit came after the snapshot
   * (same sequence number) both reads see the same state, so the second one reuses the first.
   */
  #lastReadTree: string | undefined
  #lastReadKey: Uint8Array | undefined
  #lastReadValue: Uint8Array | undefined
  #lastReadSeq = -1

  /** `key` of `tree` in the latest commit (the store's last acknowledged commit). */
  #latestStored(tree: string, key: Uint8Array): Uint8Array | undefined {
    if (this.#lastReadTree === tree && this.#lastReadSeq === this.#kv.lastCommitSeq && sameBytes(this.#lastReadKey as Uint8Array, key)) {
      return this.#lastReadValue
    }
    return this.#kv.get(tree, key)
  }

  #getIn(tw: TreeWrites, key: Uint8Array): Uint8Array | undefined {
    const e = tw.get(key)
    if (e !== undefined) return e.value ?? undefined
    if (tw.base === 'empty' || tw.dropped) return undefined
    return this.#kv.get(tw.name, key, this.#readSnapshot())
  }

  /** `key` in the overlay `tw`, else in the latest commit (writes, under the key's lock: invariant 9). */
  #latestIn(tw: TreeWrites, key: Uint8Array): Uint8Array | undefined {
    const e = tw.get(key)
    if (e !== undefined) return e.value ?? undefined
    if (tw.base === 'empty' || tw.dropped || !tw.existedAtStart) return undefined
    return this.#latestStored(tw.name, key)
  }

  /** `key` of `tree` in the overlay, else in the latest commit. */
  #latestGet(tree: string, key: Uint8Array): Uint8Array | undefined {
    const tw = this.#ws.tree(tree)
    if (tw !== undefined) return this.#latestIn(tw, key)
    return this.#kv.hasTree(tree) ? this.#kv.get(tree, key) : undefined
  }

  #fullRange(reverse = false): Range {
    return { lowerInclusive: true, upperInclusive: false, reverse }
  }

  /** The key range of scan bounds over a key layout (bounds are prefixes of the key columns). */
  #boundRange(options: ScanOptions, types: readonly SqlType[], desc: readonly boolean[] | null, nullsFirst: readonly boolean[] | null): Range {
    const range: Range = this.#fullRange(options.reverse)
    const lower = options.lower
    const upper = options.upper
    if (lower !== undefined && lower.values.length > 0) {
      const prefix = encodePrefix(lower.values, types, desc, nullsFirst)
      if (lower.inclusive) range.lower = prefix
      else {
        const next = prefixUpperBound(prefix)
        if (next === undefined) range.empty = true
        else range.lower = next
      }
    }
    if (upper !== undefined && upper.values.length > 0) {
      const prefix = encodePrefix(upper.values, types, desc, nullsFirst)
      if (upper.inclusive) {
        range.upper = prefixUpperBound(prefix)
      } else range.upper = prefix
    }
    return range
  }

  /** Entries of `tree` in `range` as this transaction sees them, in runs (invariant 2 for untouched trees). */
  *#entries(tree: string, range: Range): Generator<Entries, void, undefined> {
    if (this.#override !== null) {
      const entries = this.#override.get(tree)
      if (entries !== undefined) {
        const inRange = entries.filter(([key]) => keyInRange(key, range))
        if (inRange.length > 0) yield new ListEntries(inRange.map((e) => e[0]), inRange.map((e) => e[1]))
        return
      }
    }
    const tw = this.#ws.tree(tree)
    const kvRange = { lower: range.lower, lowerInclusive: range.lowerInclusive, upper: range.upper, upperInclusive: range.upperInclusive, reverse: range.reverse }
    if (this.#reads !== null && !this.#latestReads) this.#reads.addRange(tree, kvRange)
    const snapshot = this.#readSnapshot()
    if (tw === undefined) {
      if (this.#existed(tree)) yield* this.#kv.scanBatches(tree, kvRange, snapshot)
      return
    }
    if (tw.dropped) return
    const all = tw.sorted()
    const lo = lowerIndex(all, range.lower, range.lowerInclusive)
    const hi = upperIndex(all, range.upper, range.upperInclusive)
    if (tw.base === 'empty' || !tw.existedAtStart) {
      yield* overlayRuns(all, lo, hi, range.reverse)
      return
    }
    if (lo >= hi) {
      yield* this.#kv.scanBatches(tree, kvRange, snapshot)
      return
    }
    // Merge: for each snapshot batch, the overlay entries up to the batch's last key (its "stretch").
    let i = range.reverse ? hi - 1 : lo
    const more = (): boolean => (range.reverse ? i >= lo : i < hi)
    const step = range.reverse ? -1 : 1
    for (const batch of this.#kv.scanBatches(tree, kvRange, snapshot)) {
      const n = batch.count
      // No overlay entry up to this batch's last key: the batch passes through untouched.
      if (!more() || n === 0 || (range.reverse ? compareBytes(all[i].key, batch.key(n - 1)) < 0 : compareBytes(all[i].key, batch.key(n - 1)) > 0)) {
        if (n > 0) yield batch
        continue
      }
      const keys: Uint8Array[] = []
      const values: Uint8Array[] = []
      for (let j = 0; j < n; j++) {
        const k = batch.key(j)
        // Overlay entries before k (in scan order) come first; one with key k shadows the snapshot's entry.
        let shadowed = false
        while (more()) {
          const e = all[i]
          const c = compareBytes(e.key, k)
          if (c !== 0 && (range.reverse ? c < 0 : c > 0)) break
          if (e.value !== null) {
            keys.push(e.key)
            values.push(e.value)
          }
          i += step
          if (c === 0) {
            shadowed = true
            break
          }
        }
        if (shadowed) continue
        keys.push(k)
        values.push(batch.value(j))
      }
      if (keys.length > 0) yield new ListEntries(keys, values)
    }
    if (more()) yield* overlayRuns(all, range.reverse ? lo : i, range.reverse ? i + 1 : hi, range.reverse)
  }

  /** Every [key, value] of a tree as copies (for DDL rewrites and validations). */
  #allEntries(tree: string): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = []
    for (const run of this.#entries(tree, this.#fullRange())) {
      for (let i = 0; i < run.count; i++) out.push([run.key(i).slice(), run.value(i).slice()])
    }
    return out
  }

  /** Table rows for index entries (the entry value is the row key), fetched with one getMany per run. */
  *#rowsOfIndex(info: TableInfo, runs: Generator<Entries, void, undefined>): Generator<Entries, void, undefined> {
    const tree = info.tree
    for (const run of runs) {
      const n = run.count
      const rowKeys: Uint8Array[] = new Array(n)
      for (let i = 0; i < n; i++) rowKeys[i] = run.value(i).slice()
      const override = this.#override?.get(tree)
      if (override !== undefined) {
        const found = override.filter(([key]) => rowKeys.some((k) => sameBytes(k, key)))
        if (found.length > 0) yield new ListEntries(found.map((e) => e[0]), found.map((e) => e[1]))
        continue
      }
      if (this.#reads !== null && !this.#latestReads) for (const k of rowKeys) this.#reads.addPoint(tree, k)
      // Overlay first; the rest from the snapshot in one call.
      const tw = this.#ws.tree(tree)
      const values: (Uint8Array | undefined)[] = new Array(n)
      const missing: number[] = []
      for (let i = 0; i < n; i++) {
        const e = tw?.get(rowKeys[i])
        if (e !== undefined) values[i] = e.value ?? undefined
        else if (tw === undefined || (tw.base === 'snapshot' && !tw.dropped)) missing.push(i)
      }
      if (missing.length > 0 && this.#existed(tree)) {
        const got = this.#kv.getMany(
          tree,
          missing.map((i) => rowKeys[i]),
          this.#readSnapshot(),
        )
        for (let j = 0; j < missing.length; j++) values[missing[j]] = got[j]
      }
      const keys: Uint8Array[] = []
      const rows: Uint8Array[] = []
      for (let i = 0; i < n; i++) {
        const v = values[i]
        if (v === undefined) continue
        keys.push(rowKeys[i])
        rows.push(v)
      }
      if (keys.length > 0) yield new ListEntries(keys, rows)
    }
  }

  /**
   * A whole-table scan served from the column cache, or recorded into it as it decodes (column-cache.ts (1));
   * undefined when the cache cannot serve this read: key bounds, reverse order, row keys, a column type that is
   * not cached, this transaction's own writes in the tree, an EvalPlanQual override, or a snapshot older than
   * the tree's version.
   */
  #cachedScan(info: TableInfo, range: Range, columns: readonly number[]): Iterable<Batch> | undefined {
    const cache = this.#host.columns
    if (!cache.enabled || this.#override !== null || range.lower !== undefined || range.upper !== undefined || range.reverse === true) return undefined
    const tree = info.tree
    if (this.#ws.tree(tree) !== undefined) return undefined
    const types = info.types
    for (const c of columns) if (c === ROW_KEY || !cacheableType(types[c])) return undefined
    const snapshot = this.#readSnapshot()
    const version = this.#kv.treeVersion(tree)
    if (version > (snapshot === undefined ? this.#kv.lastCommitSeq : snapshot.seq) || !this.#existed(tree)) return undefined
    const sig = typesSignature(types)
    const hit = cache.lookup(tree, version, sig, columns)
    if (hit === undefined) return this.#recordedScan(info, range, columns, version, sig)
    // The same read #entries records for SERIALIZABLE validation.
    if (this.#reads !== null && !this.#latestReads) this.#reads.addRange(tree, { lower: undefined, lowerInclusive: true, upper: undefined, upperInclusive: false })
    return cachedBatches(hit)
  }

  /** Decodes a whole-table scan and stores its columns in the cache once it reached the end (column-cache.ts (3)). */
  *#recordedScan(info: TableInfo, range: Range, columns: readonly number[], version: number, sig: string): Generator<Batch, void, undefined> {
    const cache = this.#host.columns
    let chunks: SqlValue[][][] | undefined = columns.map(() => [])
    // Stop recording once the columns could not fit the budget anyway (8 bytes per value at least).
    const maxRows = cache.maxBytes / (8 * Math.max(1, columns.length))
    let rows = 0
    for (const b of this.#decodeBatches(info, this.#entries(info.tree, range), columns, false)) {
      rows += b.length
      if (chunks !== undefined) {
        if (rows > maxRows) chunks = undefined
        else for (let c = 0; c < columns.length; c++) chunks[c].push(b.columns[c] as SqlValue[])
      }
      yield b
    }
    if (chunks !== undefined) cache.store(info.tree, version, sig, rows, columns, chunks)
  }

  /** Decodes runs of entries into batches of the requested columns (ROW_KEY: the key). */
  *#decodeBatches(info: TableInfo, runs: Generator<Entries, void, undefined>, columns: readonly number[], owned: boolean): Generator<Batch, void, undefined> {
    const types = info.types
    const { decodeCols, decodeAt, keyAt } = decodePlan(columns)
    const width = columns.length
    let out: SqlValue[][] = newColumns(width)
    let decodeOut: SqlValue[][] = decodeAt.map((c) => out[c])
    let n = 0
    // A run may hold views into the core's memory (valid until the next core call): decode it whole before
    // handing any batch out, so no view outlives a yield and nothing is copied.
    const ready: Batch[] = []
    for (const run of runs) {
      const count = run.count
      // Storage batches expose their packed buffer: decode in place instead of making a view per row.
      const packed = 'valueOffsets' in run ? (run as unknown as EntryBatch) : undefined
      for (let i = 0; i < count; ) {
        const take = Math.min(count - i, BATCH_SIZE - n)
        if (decodeCols.length > 0) {
          if (packed !== undefined) decodeRowsAt(packed.data, packed.valueOffsets, i, take, types, decodeCols, decodeOut, n)
          else for (let j = 0; j < take; j++) decodeRow(run.value(i + j), types, decodeCols, decodeOut, n + j)
        }
        if (keyAt >= 0) {
          const keys = out[keyAt]
          for (let j = 0; j < take; j++) keys[n + j] = owned ? run.key(i + j) : run.key(i + j).slice()
        }
        i += take
        n += take
        if (n === BATCH_SIZE) {
          ready.push({ length: n, columns: out })
          out = newColumns(width)
          decodeOut = decodeAt.map((c) => out[c])
          n = 0
        }
      }
      if (ready.length > 0) {
        yield* ready
        ready.length = 0
      }
    }
    if (n > 0) {
      for (const col of out) col.length = n
      yield { length: n, columns: out }
    }
  }

  // --- internals: constraints ----------------------------------------------------------------------------

  #checkNotNull(info: TableInfo, row: readonly SqlValue[]): void {
    const nn = info.notNull
    for (let i = 0; i < nn.length; i++) {
      if (row[nn[i]] === null) throw notNullViolation(info.def.name, info.def.columns[nn[i]].name)
    }
  }

  #pkViolation(info: TableInfo, row: readonly SqlValue[]): RustyError {
    const pk = info.pk as readonly number[]
    const detail = keyDetail(
      pk.map((i) => info.def.columns[i].name),
      pk.map((i) => row[i]),
      info.pkTypes,
    )
    return uniqueViolation(info.def.name, info.def.primaryKeyName ?? `${info.def.name}_pkey`, detail)
  }

  /** 23505 when a unique index already holds the row's values for another row. */
  #checkUnique(info: TableInfo, ii: IndexInfo, row: readonly SqlValue[], rowKey: Uint8Array): void {
    if (!ii.unique) return
    const { key, checked } = indexEntryKey(ii, row, rowKey)
    if (!checked) return
    this.#lock(ii.tree, key, LockMode.UPDATE)
    const existing = this.#latestGet(ii.tree, key)
    if (existing === undefined || sameBytes(existing, rowKey)) return
    const detail = keyDetail(
      ii.ordinals.map((i) => info.def.columns[i].name),
      ii.ordinals.map((i) => row[i]),
      ii.types,
    )
    throw uniqueViolation(info.def.name, ii.def.constraint ?? ii.def.name, detail)
  }

  /** 23503 when the row's foreign key values (all non-NULL) have no referenced row. */
  #checkParent(info: TableInfo, fk: ForeignKeyDef, row: readonly SqlValue[]): void {
    const values = fk.columns.map((c) => row[c])
    if (values.some((v) => v === null)) return
    const parent = this.#current().tables.get(fk.refTableId)
    if (parent === undefined) throw internalError(`foreign key "${fk.name}" references a missing table`)
    const pinfo = tableInfo(parent)
    if (this.#findParent(pinfo, fk.refColumns, castAll(values, foreignKeyCasts(fk, info, parent).toParent))) return
    const detail = keyDetail(
      fk.columns.map((c) => info.def.columns[c].name),
      values,
      fk.columns.map((c) => info.types[c]),
    )
    throw foreignKeyMissing(info.def.name, fk.name, detail, parent.name)
  }

  /** True when `parent` has a row whose `columns` equal `values`. */
  #findParent(pinfo: TableInfo, columns: readonly number[], values: readonly SqlValue[]): boolean {
    // The parent's key is locked FOR KEY SHARE and looked up in the latest commit (invariant 9), so a
    // concurrent DELETE of the parent either commits first (then it is gone here) or waits for us.
    if (pinfo.pk !== null && sameOrdinals(columns, pinfo.pk)) {
      const ordered = pinfo.pk.map((o) => values[columns.indexOf(o)])
      const key = primaryKeyFromValues(pinfo, ordered)
      this.#lock(pinfo.tree, key, LockMode.KEY_SHARE, 'wait', false)
      return this.#parentThere(pinfo.tree, key)
    }
    for (const ii of pinfo.indexes) {
      if (!ii.unique || !sameOrdinals(columns, ii.ordinals)) continue
      const row: SqlValue[] = new Array(pinfo.types.length).fill(null)
      columns.forEach((c, i) => (row[c] = values[i]))
      const key = indexEntryKey(ii, row, EMPTY).key
      this.#lock(ii.tree, key, LockMode.KEY_SHARE, 'wait', false)
      return this.#parentThere(ii.tree, key)
    }
    // No key on those columns (only possible for hand-made definitions): scan.
    return this.#latest(() => this.#matchingRows(pinfo, columns, values).length > 0)
  }

  /**
   * True when the parent key is in the latest commit. At REPEATABLE READ and SERIALIZABLE a parent a commit
   * after the snapshot removed is 40001, not 23503, as in PostgreSQL (its check locks the row it can see).
   */
  #parentThere(tree: string, key: Uint8Array): boolean {
    if (this.#latestGet(tree, key) !== undefined) return true
    this.#assertUnchanged(tree, key)
    return false
  }

  /** Runs `fn` reading the latest commit instead of the snapshot (write-side checks, invariant 9). */
  #latest<T>(fn: () => T): T {
    const saved = this.#latestReads
    this.#latestReads = true
    try {
      return fn()
    } finally {
      this.#latestReads = saved
    }
  }

  /** Foreign keys that reference each table, for the current catalog. */
  #childrenOf(tableId: number): ChildRef[] {
    if (this.#children === undefined) {
      // A committed catalog never changes: its map is built once for every transaction that reads it.
      const base = this.#own === undefined ? this.#base : undefined
      let map = base === undefined ? undefined : committedChildren.get(base)
      if (map === undefined) {
        map = new Map<number, ChildRef[]>()
        for (const child of this.#current().tables.values()) {
          for (const fk of child.foreignKeys) {
            let list = map.get(fk.refTableId)
            if (list === undefined) map.set(fk.refTableId, (list = []))
            list.push({ child, fk })
          }
        }
        if (base !== undefined) committedChildren.set(base, map)
      }
      this.#children = map
    }
    return this.#children.get(tableId) ?? NO_CHILDREN
  }

  /** [rowKey, row] of every row of `info` whose `columns` equal `values` (an index prefix scan when one fits). */
  #matchingRows(info: TableInfo, columns: readonly number[], values: readonly SqlValue[]): [Uint8Array, SqlValue[]][] {
    const out: [Uint8Array, SqlValue[]][] = []
    const all = info.types.map((_t, i) => i)
    const ii = info.indexes.find((x) => x.ordinals.length >= columns.length && columns.every((c, i) => x.ordinals[i] === c))
    let batches: Generator<Batch, void, undefined>
    if (ii !== undefined) {
      const bound: KeyBound = { values, inclusive: true }
      batches = this.indexScan(ii.def, { columns: [ROW_KEY, ...all], lower: bound, upper: bound })
    } else if (info.pk !== null && columns.length <= info.pk.length && columns.every((c, i) => info.pk?.[i] === c)) {
      const bound: KeyBound = { values, inclusive: true }
      batches = this.scan(info.def, { columns: [ROW_KEY, ...all], lower: bound, upper: bound })
    } else {
      batches = this.scan(info.def, { columns: [ROW_KEY, ...all] })
    }
    const want = encodePrefix(values, columns.map((c) => info.types[c]), null, null)
    for (const batch of batches) {
      for (let r = 0; r < batch.length; r++) {
        const row = all.map((c) => batch.columns[c + 1][r])
        const got = columns.map((c) => row[c])
        if (got.some((v) => v === null)) continue
        if (!sameBytes(encodePrefix(got, columns.map((c) => info.types[c]), null, null), want)) continue
        out.push([batch.columns[0][r] as Uint8Array, row])
      }
    }
    return out
  }

  /**
   * The referential actions a delete (`row` null) or an update of `old` needs on referencing rows. NO ACTION
   * and RESTRICT throw 23503 here, before anything is written; the rest run after the write (#applyActions).
   */
  #referencing(info: TableInfo, old: readonly SqlValue[], row: readonly SqlValue[] | null): PendingAction[] {
    const out: PendingAction[] = []
    for (const { child, fk } of this.#childrenOf(info.def.id)) {
      if (row !== null && fk.refColumns.every((c) => sameValue(old[c], row[c], info, c))) continue
      const values = fk.refColumns.map((c) => old[c])
      if (values.some((v) => v === null)) continue
      const cinfo = tableInfo(this.#current().tables.get(child.id) ?? child)
      // Children a concurrent transaction committed count too: read the latest commit (invariant 9).
      const matches = this.#latest(() => this.#matchingRows(cinfo, fk.columns, castAll(values, foreignKeyCasts(fk, cinfo, info.def).toChild)))
      if (matches.length === 0) continue
      const action = row === null ? fk.onDelete : fk.onUpdate
      if (action === 'NO ACTION' || action === 'RESTRICT') {
        const detail = keyDetail(
          fk.refColumns.map((c) => info.def.columns[c].name),
          values,
          fk.refColumns.map((c) => info.types[c]),
        )
        throw foreignKeyReferenced(info.def.name, fk.name, cinfo.def.name, detail)
      }
      const newValues = row === null ? null : castAll(fk.refColumns.map((c) => row[c]), foreignKeyCasts(fk, cinfo, info.def).toChild)
      out.push({ child: cinfo, fk, action, matches, newValues })
    }
    return out
  }

  /** Runs CASCADE / SET NULL / SET DEFAULT actions found by #referencing. */
  #applyActions(actions: readonly PendingAction[]): void {
    for (const { child, fk, action, matches, newValues } of actions) {
      for (const [key, row] of matches) {
        // An earlier action of the same statement may have removed or changed the row already. The latest
        // commit decides (a child committed after the snapshot is a child too: invariant 9).
        if (this.#latestIn(this.#touch(child.tree), key) === undefined) continue
        if (action === 'CASCADE' && newValues === null) {
          this.delete(child.def, key)
          continue
        }
        const next = row.slice()
        fk.columns.forEach((c, i) => {
          next[c] = action === 'CASCADE' ? (newValues as readonly SqlValue[])[i] : action === 'SET NULL' ? null : this.#host.evaluateDefault(child.def, c)
        })
        this.update(child.def, key, next)
      }
    }
  }

  /** Fills a (new or reset) index tree from the table's rows; 23505 on duplicates of a unique index. */
  #buildIndex(info: TableInfo, ii: IndexInfo): void {
    const tw = this.#resetTree(ii.tree, false)
    for (const [key, value] of this.#allEntries(info.tree)) {
      const row = decodeFullRow(value, info.types)
      const entry = indexEntryKey(ii, row, key)
      if (entry.checked && tw.get(entry.key)?.value != null) {
        const detail = keyDetail(
          ii.ordinals.map((i) => info.def.columns[i].name),
          ii.ordinals.map((i) => row[i]),
          ii.types,
        )
        throw new RustyError(SqlState.UNIQUE_VIOLATION, `could not create unique index "${ii.def.name}"`, {
          detail: `Key ${detail} is duplicated.`,
          table: info.def.name,
          constraint: ii.def.constraint ?? ii.def.name,
        })
      }
      this.#ws.set(tw, entry.key, key)
    }
  }

  // --- internals: catalog --------------------------------------------------------------------------------

  #current(): CatalogState {
    return this.#own ?? this.#base
  }

  #writableCatalog(what: string): CatalogState {
    this.#assertWritable(what)
    if (this.#own === undefined) this.#own = this.#base.clone()
    this.#children = undefined
    return this.#own
  }

  #lookup(schema: string | null, name: string, kind: RelationKind): number | undefined {
    const state = this.#current()
    if (schema !== null) {
      const r = state.relation(schema, name)
      return r?.kind === kind ? r.id : undefined
    }
    if (state.schemas.has(TEMP_SCHEMA)) {
      const r = state.relation(TEMP_SCHEMA, name)
      if (r !== undefined) return r.kind === kind ? r.id : undefined
    }
    for (const s of this.searchPath) {
      const r = state.relation(s, name)
      if (r !== undefined) return r.kind === kind ? r.id : undefined
    }
    return undefined
  }

  static {
    // The catalog as this transaction sees it: one object per transaction, methods on the prototype (a
    // nested class may use the transaction's private members).
    TxnCatalog = class implements CatalogReader, CatalogWriter {
      constructor(readonly t: Transaction) {}
      table(schema: string | null, name: string): TableDef | undefined {
        const id = this.t.#lookup(schema, name, 'table')
        return id === undefined ? undefined : this.t.#current().tables.get(id)
      }
      view(schema: string | null, name: string): ViewDef | undefined {
        const id = this.t.#lookup(schema, name, 'view')
        return id === undefined ? undefined : this.t.#current().views.get(id)
      }
      sequence(schema: string | null, name: string): SequenceDef | undefined {
        const id = this.t.#lookup(schema, name, 'sequence')
        return id === undefined ? undefined : this.t.#current().sequences.get(id)
      }
      tableById(id: number): TableDef | undefined {
        return this.t.#current().tables.get(id)
      }
      tables(): TableDef[] {
        return [...this.t.#current().tables.values()]
      }
      views(): ViewDef[] {
        return [...this.t.#current().views.values()]
      }
      sequences(): SequenceDef[] {
        return [...this.t.#current().sequences.values()]
      }
      indexes(): IndexDef[] {
        return [...this.t.#current().indexes.values()]
      }
      stats(table: TableDef): TableStats | undefined {
        return this.t.stats(table)
      }
      relation(schema: string, name: string): { kind: RelationKind; id: number } | undefined {
        return this.t.#current().relation(schema, name)
      }
      schema(name: string): SchemaDef | undefined {
        return this.t.#current().schemas.get(name)
      }
      schemas(): SchemaDef[] {
        return [...this.t.#current().schemas.values()]
      }
      indexById(id: number): IndexDef | undefined {
        return this.t.#current().indexes.get(id)
      }
      viewById(id: number): ViewDef | undefined {
        return this.t.#current().views.get(id)
      }
      sequenceById(id: number): SequenceDef | undefined {
        return this.t.#current().sequences.get(id)
      }
      allocateId(): number {
        // Ids are unique across transactions, rolled-back ones included (catalog-state.ts (3)): row id
        // counters and sequence positions are keyed by id and outlive a rollback.
        const state = this.t.#writableCatalog('CREATE')
        state.nextId = this.t.#host.claimId(state.nextId)
        return state.allocateId()
      }
      createSchema(name: string): void {
        return this.t.#writableCatalog('CREATE SCHEMA').putSchema({ name, builtin: false })
      }
      dropSchema(name: string): void {
        return this.t.#writableCatalog('DROP SCHEMA').removeSchema(name)
      }
      createTable(def: TableDef): void {
        const state = this.t.#writableCatalog('CREATE TABLE')
        state.putTable(def)
        this.t.#resetTree(tableTree(def.id), false)
        for (const index of def.indexes) this.t.#resetTree(indexTree(index.id), false)
        this.t.#countsToChange(def.id).set(def.id, { reset: true, delta: 0 })
      }
      alterTable(def: TableDef): void {
        return this.t.#writableCatalog('ALTER TABLE').putTable(def)
      }
      dropTable(id: number): void {
        const state = this.t.#writableCatalog('DROP TABLE')
        const def = state.tables.get(id)
        if (def === undefined) return
        state.removeTable(id)
        this.t.#resetTree(tableTree(id), true)
        for (const index of def.indexes) this.t.#resetTree(indexTree(index.id), true)
      }
      createIndex(index: IndexDef): void {
        const state = this.t.#writableCatalog('CREATE INDEX')
        const table = state.tables.get(index.tableId)
        if (table === undefined) throw internalError(`index "${index.name}" on a missing table`)
        const def: TableDef = { ...table, indexes: [...table.indexes, index] }
        state.putTable(def)
        const info = tableInfo(state.tables.get(def.id) as TableDef)
        this.t.#buildIndex(info, info.indexes[info.indexes.length - 1])
      }
      dropIndex(id: number): void {
        const state = this.t.#writableCatalog('DROP INDEX')
        const index = state.indexes.get(id)
        if (index === undefined) return
        const table = state.tables.get(index.tableId) as TableDef
        state.putTable({ ...table, indexes: table.indexes.filter((x) => x.id !== id) })
        this.t.#resetTree(indexTree(id), true)
      }
      putView(def: ViewDef): void {
        return this.t.#writableCatalog('CREATE VIEW').putView(def)
      }
      dropView(id: number): void {
        return this.t.#writableCatalog('DROP VIEW').removeView(id)
      }
      putSequence(def: SequenceDef, restart?: bigint): void {
        const state = this.t.#writableCatalog('CREATE SEQUENCE')
        state.putSequence(def)
        if (restart !== undefined) this.t.#host.restartSequence(def, restart)
      }
      dropSequence(id: number): void {
        return this.t.#writableCatalog('DROP SEQUENCE').removeSequence(id)
      }
    }
  }

  // --- internals: state ----------------------------------------------------------------------------------

  #assertActive(): void {
    if (this.#state !== 'active') throw transactionOver(this.#state)
  }

  #assertWritable(what: string): void {
    this.#assertActive()
    if (this.readOnly) throw readOnlyTransaction(what)
  }

  #findSavepoint(name: string): number {
    for (let i = this.#savepoints.length - 1; i >= 0; i--) if (this.#savepoints[i].name === name) return i
    throw noSuchSavepoint(name)
  }
}

const EMPTY = new Uint8Array(0)

/** #childrenOf's map per committed catalog (immutable, so shared by every transaction reading it). */
const committedChildren = new WeakMap<CatalogState, Map<number, ChildRef[]>>()
const NO_CHILDREN: ChildRef[] = []

function cloneCounts(counts: ReadonlyMap<number, RowCountChange>): Map<number, RowCountChange> {
  const out = new Map<number, RowCountChange>()
  for (const [id, c] of counts) out.set(id, { reset: c.reset, delta: c.delta })
  return out
}

/**
 * The row key that scan bounds pin when both are inclusive, cover every primary-key column and encode the
 * same values (`WHERE id = $1`): the range [key, key's prefix upper bound) holds that key alone, since a
 * full row key is never a proper prefix of another (invariant 14). Undefined for any other bounds.
 */
function pointKey(options: ScanOptions, pkTypes: readonly SqlType[]): Uint8Array | undefined {
  const { lower, upper } = options
  const n = pkTypes.length
  if (lower === undefined || upper === undefined || !lower.inclusive || !upper.inclusive) return undefined
  if (lower.values.length !== n || upper.values.length !== n) return undefined
  const key = encodePrefix(lower.values, pkTypes, null, null)
  if (upper.values !== lower.values && !sameBytes(key, encodePrefix(upper.values, pkTypes, null, null))) return undefined
  return key
}

/** Column arrays for one batch; they grow as rows arrive (a point lookup allocates one slot, not BATCH_SIZE). */
function newColumns(width: number): SqlValue[][] {
  const out: SqlValue[][] = new Array(width)
  for (let c = 0; c < width; c++) out[c] = []
  return out
}

interface DecodePlan {
  readonly decodeCols: readonly number[]
  readonly decodeAt: readonly number[]
  readonly keyAt: number
}

/** Which requested columns are decoded from the row and where the row key goes, cached per columns list. */
const decodePlans = new WeakMap<readonly number[], DecodePlan>()

function decodePlan(columns: readonly number[]): DecodePlan {
  let plan = decodePlans.get(columns)
  if (plan !== undefined) return plan
  const decodeCols: number[] = []
  const decodeAt: number[] = []
  let keyAt = -1
  for (let c = 0; c < columns.length; c++) {
    if (columns[c] === ROW_KEY) keyAt = c
    else {
      decodeCols.push(columns[c])
      decodeAt.push(c)
    }
  }
  plan = { decodeCols, decodeAt, keyAt }
  decodePlans.set(columns, plan)
  return plan
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

function sameOrdinals(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** SQL-equal (for change detection): both NULL, or the same key encoding. */
function sameValue(a: SqlValue, b: SqlValue, info: TableInfo, ordinal: number): boolean {
  if (a === null || b === null) return a === b
  if (a === b) return true
  const t = [info.types[ordinal]]
  return sameBytes(encodePrefix([a], t, null, null), encodePrefix([b], t, null, null))
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return a.length - b.length
}

/** Overlay entries [lo, hi) (non-tombstones) as runs of up to BATCH_SIZE. */
function* overlayRuns(all: readonly WriteEntry[], lo: number, hi: number, reverse: boolean): Generator<Entries, void, undefined> {
  let keys: Uint8Array[] = []
  let values: Uint8Array[] = []
  const step = reverse ? -1 : 1
  for (let i = reverse ? hi - 1 : lo; reverse ? i >= lo : i < hi; i += step) {
    const e = all[i]
    if (e.value === null) continue
    keys.push(e.key)
    values.push(e.value)
    if (keys.length === BATCH_SIZE) {
      yield new ListEntries(keys, values)
      keys = []
      values = []
    }
  }
  if (keys.length > 0) yield new ListEntries(keys, values)
}

/** Decodes a hidden row id key (table-info.ts (1)). */
const LOCK_NAMES = ['FOR KEY SHARE', 'FOR SHARE', 'FOR NO KEY UPDATE', 'FOR UPDATE']

/** Name of the hidden savepoint that undoes a statement before a lock-wait restart. */
const STATEMENT_SAVEPOINT = '\u0000statement'

/** Lock resource of `key` in `tree` (lock-manager.ts). */
export function resourceOf(tree: string, key: Uint8Array): string {
  return `${tree}\u0000${keyId(key)}`
}

/** "table \"accounts\"" or "index \"accounts_email_key\"" for a tree name. */
function treeDescription(catalog: CatalogState, tree: string): string {
  const id = Number(tree.slice(1))
  if (tree.startsWith('t')) return `table "${catalog.tables.get(id)?.name ?? tree}"`
  return `index "${catalog.indexes.get(id)?.name ?? tree}"`
}

function resourceDescription(catalog: CatalogState, resource: string): string {
  const tree = resource.slice(0, resource.indexOf('\u0000'))
  return tree.startsWith('t') ? `a row of ${treeDescription(catalog, tree)}` : `a key of ${treeDescription(catalog, tree)}`
}

/** True when `key` lies in `range` (EPQ overrides). */
function keyInRange(key: Uint8Array, range: Range): boolean {
  if (range.empty === true) return false
  if (range.lower !== undefined) {
    const c = compareBytes(key, range.lower)
    if (c < 0 || (c === 0 && !range.lowerInclusive)) return false
  }
  if (range.upper !== undefined) {
    const c = compareBytes(key, range.upper)
    if (c > 0 || (c === 0 && !range.upperInclusive)) return false
  }
  return true
}

export function rowIdOf(key: Uint8Array): number {
  const [v] = decodeKey(key)
  if (v === undefined || (v.type !== 'int64' && v.type !== 'uint64')) throw internalError('a hidden row id key is not an integer')
  return Number(v.value)
}
