/**
 * Catalog object definitions: what a table, column, index, view and sequence are.
 * Owns: the frozen definition records that the catalog stores and the planner reads.
 * Invariants:
 *   (1) Column ordinals are positions in TableDef.columns; a stored row has one value per column, in that order.
 *   (2) Expressions (defaults, checks, views) are kept as SQL text and bound by the planner when used.
 *   (3) Names are stored folded as PostgreSQL folds them (unquoted identifiers lower-cased by the parser).
 * Not here: persistence (catalog.ts), row and key encoding (row-codec.ts, value-key.ts).
 */
import type { SqlType } from '../common/types.js'

/** Referential actions of a foreign key. */
export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT'

export interface ColumnDef {
  readonly name: string
  readonly type: SqlType
  readonly notNull: boolean
  /** SQL text of the DEFAULT expression, or null (a serial column's default is `nextval('seq')`). */
  readonly default: string | null
  /** GENERATED ALWAYS / BY DEFAULT AS IDENTITY, or null. */
  readonly identity: 'ALWAYS' | 'BY DEFAULT' | null
  /** COMMENT ON COLUMN text; absent when there is none (catalogs written before comments have none). */
  readonly comment?: string
}

export interface IndexColumn {
  /** Ordinal of the indexed column in the table. */
  readonly ordinal: number
  readonly descending: boolean
  readonly nullsFirst: boolean
}

export interface IndexDef {
  readonly id: number
  readonly name: string
  readonly schema: string
  readonly tableId: number
  readonly columns: readonly IndexColumn[]
  readonly unique: boolean
  /** The index that backs a PRIMARY KEY or UNIQUE constraint, if any (its name). */
  readonly constraint: string | null
}

export interface UniqueDef {
  readonly name: string
  readonly columns: readonly number[]
  /** The index that enforces it. */
  readonly indexId: number
}

export interface CheckDef {
  readonly name: string
  /** SQL text of the boolean expression over the table's columns. */
  readonly expr: string
}

export interface ForeignKeyDef {
  readonly name: string
  readonly columns: readonly number[]
  readonly refTableId: number
  readonly refColumns: readonly number[]
  readonly onDelete: ReferentialAction
  readonly onUpdate: ReferentialAction
}

export interface TableDef {
  readonly id: number
  readonly schema: string
  readonly name: string
  readonly columns: readonly ColumnDef[]
  /** Ordinals of the primary key, or null when the table has none (rows are then keyed by a hidden row id). */
  readonly primaryKey: readonly number[] | null
  readonly primaryKeyName: string | null
  readonly uniques: readonly UniqueDef[]
  readonly checks: readonly CheckDef[]
  readonly foreignKeys: readonly ForeignKeyDef[]
  /** Every secondary index, including the ones that enforce UNIQUE constraints. */
  readonly indexes: readonly IndexDef[]
  /** COMMENT ON TABLE text; absent when there is none. */
  readonly comment?: string
}

export interface ViewDef {
  readonly id: number
  readonly schema: string
  readonly name: string
  /** The SELECT's SQL text. */
  readonly sql: string
  /** Column names given in CREATE VIEW v(a, b), or empty to use the query's. */
  readonly columns: readonly string[]
  /** COMMENT ON VIEW text; absent when there is none. */
  readonly comment?: string
}

export interface SequenceDef {
  readonly id: number
  readonly schema: string
  readonly name: string
  readonly type: SqlType
  readonly start: bigint
  readonly increment: bigint
  readonly min: bigint
  readonly max: bigint
  readonly cycle: boolean
  /** "table.column" that owns it (SERIAL / identity), or null. */
  readonly ownedBy: string | null
}
