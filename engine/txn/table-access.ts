/**
 * TableAccess and CatalogReader: what the planner and the executor see of a transaction.
 * Owns: the interfaces only. The implementation (transaction.ts, table-store.ts) merges the transaction's
 * private write set over its snapshot (ARCHITECTURE.md "Transactions": read-your-writes, no uncommitted
 * change ever reaches a page).
 * Invariants:
 *   (1) Rows are arrays with one internal value per table column, in column order (catalog/schema.ts (1)).
 *   (2) A row key is the order-preserving encoding of the primary key (or the hidden row id); it identifies
 *       the row for update and delete.
 *   (3) Every write checks NOT NULL (23502), PRIMARY KEY / UNIQUE (23505) and FOREIGN KEY (23503) and keeps
 *       every index in step; CHECK constraints are evaluated by the executor before it calls insert/update.
 *   (4) lockRow locks a row for UPDATE/DELETE/SELECT ... FOR; with another transaction holding it, it throws
 *       the transaction layer's LockWait (the session waits and re-runs the statement), fails with 55P03
 *       (NOWAIT) or returns 'skipped' (SKIP LOCKED). At READ COMMITTED a row a concurrent commit changed comes
 *       back 'changed' with its newest version, which the caller re-checks under withOverride.
 * Not here: the isolation rules themselves (transaction.ts).
 */
import type { Batch } from '../common/batch.js'
import type { SqlValue } from '../common/types.js'
import type { IndexDef, SequenceDef, TableDef, ViewDef } from '../catalog/schema.js'
import type { TableStats } from '../catalog/table-stats.js'
import type { LockMode } from './lock-manager.js'

/** How a row lock request that finds the row locked behaves (SELECT ... FOR UPDATE [NOWAIT | SKIP LOCKED]). */
export type LockPolicy = 'wait' | 'nowait' | 'skip'

/** What lockRow found: the row is as the snapshot saw it, it was skipped, or (READ COMMITTED) its newest version. */
export type LockResult = { readonly kind: 'current' } | { readonly kind: 'skipped' } | { readonly kind: 'changed'; readonly row: SqlValue[] | null }

/** A bound on a key prefix: the first `values.length` key columns compared with `values`. */
export interface KeyBound {
  readonly values: readonly SqlValue[]
  readonly inclusive: boolean
}

export interface ScanOptions {
  /** Table column ordinals to return, in this order; ROW_KEY (-1) returns the row key (Uint8Array). */
  readonly columns: readonly number[]
  readonly lower?: KeyBound
  readonly upper?: KeyBound
  readonly reverse?: boolean
}

/** Ordinal that asks a scan for the row key instead of a column. */
export const ROW_KEY = -1

/** Read and write rows of tables inside one transaction. */
export interface TableAccess {
  /** Rows in primary-key order (row-id order without a primary key), as batches of the requested columns. */
  scan(table: TableDef, options: ScanOptions): Generator<Batch, void, undefined>
  /** Rows in index order; bounds are on the index columns. Returns table columns like scan(). */
  indexScan(index: IndexDef, options: ScanOptions): Generator<Batch, void, undefined>
  /** The row with this primary key (values in primary-key column order), or undefined. */
  getByPrimaryKey(table: TableDef, key: readonly SqlValue[]): SqlValue[] | undefined
  /** Inserts a full row (defaults already applied) and returns its row key. Checks invariant (3). */
  insert(table: TableDef, row: readonly SqlValue[]): Uint8Array
  /**
   * The row that a new row would conflict with on the primary key or a unique constraint (`arbiter`: only
   * that constraint's columns; null: any), as [rowKey, row], or undefined. For INSERT ... ON CONFLICT.
   */
  findConflict(table: TableDef, row: readonly SqlValue[], arbiter: readonly number[] | null): [Uint8Array, SqlValue[]] | undefined
  /** Replaces the row stored under `key`; returns the new row key (it changes when the primary key does). */
  update(table: TableDef, key: Uint8Array, row: readonly SqlValue[]): Uint8Array
  /** Deletes the row stored under `key`; returns the deleted row. Applies ON DELETE actions of referencing keys. */
  delete(table: TableDef, key: Uint8Array): SqlValue[]
  /** Locks the row stored under `key` (invariant 4). */
  lockRow(table: TableDef, key: Uint8Array, mode: LockMode, policy?: LockPolicy, forWrite?: boolean): LockResult
  /** Runs `fn` while `table` reads as holding only `row` under `key` (null: nothing): EPQ re-checks. */
  withOverride<T>(table: TableDef, key: Uint8Array, row: readonly SqlValue[] | null, fn: () => T): T
  /** nextval(): sequences are not transactional, as in PostgreSQL. */
  nextval(sequence: SequenceDef): bigint
  currval(sequence: SequenceDef): bigint
  setval(sequence: SequenceDef, value: bigint, isCalled: boolean): bigint
}

/** Catalog lookups as this transaction sees them (its own uncommitted DDL included). Names are folded. */
export interface CatalogReader {
  table(schema: string | null, name: string): TableDef | undefined
  view(schema: string | null, name: string): ViewDef | undefined
  sequence(schema: string | null, name: string): SequenceDef | undefined
  tableById(id: number): TableDef | undefined
  tables(): readonly TableDef[]
  views(): readonly ViewDef[]
  sequences(): readonly SequenceDef[]
  indexes(): readonly IndexDef[]
  /**
   * Statistics of `table` as this transaction sees them: the row count maintained by commits (plus this
   * transaction's own inserts and deletes) and ANALYZE's column statistics (null until analyzed). Undefined
   * only for a table whose row count was never recorded (created before statistics existed, not analyzed).
   */
  stats(table: TableDef): TableStats | undefined
}
