/**
 * TableBuilder: turns column definitions and constraints of CREATE TABLE / ALTER TABLE into a TableDef.
 * Owns: type resolution (typeFromName; SERIAL types; identity columns), default and check text (printSql),
 * PRIMARY KEY / UNIQUE (a unique index each) / FOREIGN KEY resolution and their generated names.
 * Invariants:
 *   (1) A PRIMARY KEY makes its columns NOT NULL; the table's rows are keyed by it (no index of its own).
 *   (2) Every UNIQUE constraint is enforced by a unique IndexDef named like the constraint.
 *   (3) SERIAL and identity columns own a sequence `<table>_<column>_seq` and default to `nextval('<seq>')`
 *       (identity columns too, so INSERT needs one code path; `identity` says whether ALWAYS forbids values);
 *       `<seq>` is schema-qualified outside public, each part quoted where needed.
 *   (4) A foreign key references the referenced table's primary key or one of its UNIQUE constraints with
 *       exactly those columns (42830 otherwise), as PostgreSQL requires.
 * Not here: storing the table (Transaction.catalog), ALTER TABLE's row rewrites (alter-table.ts).
 */
import { RustyError, SqlState, featureNotSupported } from '../../common/index.js'
import { typeOf } from '../../common/types.js'
import {
  TEMP_SCHEMA,
  type CheckDef,
  type ColumnDef,
  type ForeignKeyDef,
  type IndexDef,
  type ReferentialAction,
  type SequenceDef,
  type TableDef,
  type UniqueDef,
} from '../../catalog/index.js'
import type { Transaction } from '../../txn/index.js'
import {
  printSql,
  quoteIdentifier,
  quoteString,
  walk,
  type ColumnConstraint,
  type ColumnDef as ColumnDefNode,
  type Expr,
  type QualifiedName,
  type SequenceOption,
  type TableConstraint,
} from '../../sql/index.js'
import { type DdlContext, chooseName, resolveType, columnOrdinal, constraintNames, duplicateColumn, duplicateConstraint, findRelation, undefinedTable } from './ddl-common.js'
import { sequenceFromOptions } from './sequences.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const SERIAL_TYPES: Record<string, 'int2' | 'int4' | 'int8'> = {
  smallserial: 'int2',
  serial2: 'int2',
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
}

/** A table definition under construction. */
export class TableBuilder {
  readonly id: number
  readonly schema: string
  name: string
  columns: Mutable<ColumnDef>[]
  primaryKey: number[] | null
  primaryKeyName: string | null
  uniques: UniqueDef[]
  checks: CheckDef[]
  foreignKeys: ForeignKeyDef[]
  indexes: IndexDef[]
  /** Sequences to create with the table (SERIAL, identity). */
  readonly sequences: SequenceDef[] = []
  /** Names used by constraints, indexes and sequences of this table (generated names avoid them). */
  readonly taken = new Set<string>()
  readonly #txn: Transaction
  readonly #ctx: DdlContext

  constructor(txn: Transaction, ctx: DdlContext, base: TableDef) {
    this.#txn = txn
    this.#ctx = ctx
    this.id = base.id
    this.schema = base.schema
    this.name = base.name
    this.columns = base.columns.map((c) => ({ ...c }))
    this.primaryKey = base.primaryKey === null ? null : [...base.primaryKey]
    this.primaryKeyName = base.primaryKeyName
    this.uniques = [...base.uniques]
    this.checks = [...base.checks]
    this.foreignKeys = [...base.foreignKeys]
    this.indexes = [...base.indexes]
    for (const n of constraintNames(base)) this.taken.add(n)
    for (const i of base.indexes) this.taken.add(i.name)
  }

  /** An empty table definition to build on. */
  static empty(id: number, schema: string, name: string): TableDef {
    return { id, schema, name, columns: [], primaryKey: null, primaryKeyName: null, uniques: [], checks: [], foreignKeys: [], indexes: [] }
  }

  /** The finished definition. */
  build(): TableDef {
    return {
      id: this.id,
      schema: this.schema,
      name: this.name,
      columns: this.columns.map((c) => ({ ...c })),
      primaryKey: this.primaryKey,
      primaryKeyName: this.primaryKeyName,
      uniques: this.uniques,
      checks: this.checks,
      foreignKeys: this.foreignKeys,
      indexes: this.indexes,
    }
  }

  /**
   * Adds a column and returns its column-level constraints as table constraints (PRIMARY KEY, UNIQUE,
   * REFERENCES, CHECK), to be added with addConstraint once every column exists.
   */
  addColumn(node: ColumnDefNode): TableConstraint[] {
    if (this.columns.some((c) => c.name === node.name)) throw duplicateColumn(node.name)
    const serial = node.type !== null && node.type.schema === null && node.type.arrayBounds.length === 0 ? SERIAL_TYPES[node.type.name] : undefined
    const type = serial !== undefined ? typeOf(serial) : resolveType(node.type)
    const column: Mutable<ColumnDef> = { name: node.name, type, notNull: false, default: null, identity: null }
    const later: TableConstraint[] = []
    let identityOptions: readonly SequenceOption[] | null = null
    for (const c of node.constraints) {
      switch (c.kind) {
        case 'NotNullConstraint':
          column.notNull = true
          break
        case 'NullConstraint':
          break
        case 'DefaultConstraint':
          column.default = c.expr.kind === 'NullLiteral' ? null : printSql(c.expr)
          break
        case 'IdentityConstraint':
          column.identity = c.always ? 'ALWAYS' : 'BY DEFAULT'
          column.notNull = true
          identityOptions = c.options
          break
        case 'GeneratedConstraint':
          throw featureNotSupported('generated columns')
        case 'PrimaryKeyConstraint':
          later.push({ ...c, columns: [node.name] })
          break
        case 'UniqueConstraint':
          later.push({ ...c, columns: [node.name] })
          break
        case 'ForeignKeyConstraint':
          later.push({ ...c, columns: [node.name] })
          break
        case 'CheckConstraint':
          later.push(c)
          this.#checkColumn.set(c, node.name)
          break
        default:
          throw featureNotSupported(`column constraint ${(c as ColumnConstraint).kind}`)
      }
    }
    if (serial !== undefined || identityOptions !== null) {
      if (identityOptions !== null && !['int2', 'int4', 'int8'].includes(type.id)) {
        throw new RustyError(SqlState.DATATYPE_MISMATCH, `identity column type must be smallint, integer, or bigint`)
      }
      if (identityOptions !== null && column.default !== null) {
        throw new RustyError(SqlState.SYNTAX_ERROR, `both default and identity specified for column "${node.name}" of table "${this.name}"`)
      }
      const seqName = chooseName(this.#txn, this.schema, this.name, [node.name], 'seq', this.taken)
      const seq = sequenceFromOptions(this.#txn.catalog.allocateId(), this.schema, seqName, identityOptions ?? [], typeOf(type.id as 'int4'), `${this.name}.${node.name}`)
      this.sequences.push(seq)
      // Quoted where needed, so a mixed-case schema or table still names its sequence (as PostgreSQL's regclass text).
      const qualified = this.schema === 'public' ? quoteIdentifier(seqName) : `${quoteIdentifier(this.schema)}.${quoteIdentifier(seqName)}`
      column.default = `nextval(${quoteString(qualified)})`
      column.notNull = true
    }
    this.columns.push(column)
    return later
  }

  /** Adds a table constraint (column-level ones come here via addColumn's result). */
  addConstraint(c: TableConstraint): void {
    switch (c.kind) {
      case 'PrimaryKeyConstraint': {
        if (this.primaryKey !== null) {
          throw new RustyError('42P16', `multiple primary keys for table "${this.name}" are not allowed`)
        }
        const ordinals = this.#ordinals(c.columns)
        const name = c.name ?? chooseName(this.#txn, this.schema, this.name, [], 'pkey', this.taken)
        if (c.name !== null) this.#claim(name)
        this.primaryKey = ordinals
        this.primaryKeyName = name
        for (const o of ordinals) this.columns[o].notNull = true
        return
      }
      case 'UniqueConstraint': {
        if (c.nullsNotDistinct) throw featureNotSupported('UNIQUE NULLS NOT DISTINCT')
        const ordinals = this.#ordinals(c.columns)
        const name = c.name ?? chooseName(this.#txn, this.schema, this.name, c.columns, 'key', this.taken)
        if (c.name !== null) this.#claim(name)
        const index: IndexDef = {
          id: this.#txn.catalog.allocateId(),
          name,
          schema: this.schema,
          tableId: this.id,
          columns: ordinals.map((ordinal) => ({ ordinal, descending: false, nullsFirst: false })),
          unique: true,
          constraint: name,
        }
        this.indexes.push(index)
        this.uniques.push({ name, columns: ordinals, indexId: index.id })
        return
      }
      case 'CheckConstraint': {
        const name = c.name ?? this.#checkName(c.expr, this.#checkColumn.get(c) ?? null)
        if (c.name !== null) this.#claim(name)
        this.checks.push({ name, expr: printSql(c.expr) })
        return
      }
      case 'ForeignKeyConstraint': {
        const columns = this.#ordinals(c.columns)
        const ref = this.#referenced(c.table)
        if (ref.schema === TEMP_SCHEMA && this.schema !== TEMP_SCHEMA) {
          throw new RustyError('42P16', 'constraints on permanent tables may reference only permanent tables')
        }
        let refColumns: number[]
        if (c.refColumns.length === 0) {
          if (ref.primaryKey === null) throw new RustyError('42830', `there is no primary key for referenced table "${ref.name}"`)
          refColumns = [...ref.primaryKey]
        } else {
          refColumns = c.refColumns.map((n) => columnOrdinal(ref, n))
        }
        if (refColumns.length !== columns.length) {
          throw new RustyError('42830', 'number of referencing and referenced columns for foreign key disagree')
        }
        const keyed =
          (ref.primaryKey !== null && sameSet(ref.primaryKey, refColumns)) || ref.uniques.some((u) => sameSet(u.columns, refColumns))
        if (!keyed) throw new RustyError('42830', `there is no unique constraint matching given keys for referenced table "${ref.name}"`)
        // Referenced columns in the key's order, so the parent lookup is one key.
        const name =
          c.name ?? chooseName(this.#txn, this.schema, this.name, c.columns.length > 0 ? c.columns : [], 'fkey', this.taken)
        if (c.name !== null) this.#claim(name)
        if (c.match === 'PARTIAL') throw featureNotSupported('MATCH PARTIAL')
        const onDelete: ReferentialAction = c.onDelete ?? 'NO ACTION'
        const onUpdate: ReferentialAction = c.onUpdate ?? 'NO ACTION'
        this.foreignKeys.push({ name, columns, refTableId: ref.id, refColumns, onDelete, onUpdate })
        return
      }
    }
  }

  /** Takes an explicitly given constraint name: 42710 when the table uses it, 42P07 when a relation does. */
  #claim(name: string): void {
    if (this.taken.has(name)) throw duplicateConstraint(name, this.name)
    if (this.#txn.catalog.relation(this.schema, name) !== undefined) throw new RustyError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`)
    this.taken.add(name)
  }

  /** Column of a column-level CHECK (it names the constraint). */
  #checkColumn = new WeakMap<object, string>()

  #checkName(expr: Expr, column: string | null): string {
    let first = column
    if (first === null) {
      walk(expr, (n) => {
        if (first === null && n.kind === 'ColumnRef') first = n.column
      })
    }
    return chooseName(this.#txn, this.schema, this.name, first === null ? [] : [first], 'check', this.taken)
  }

  #ordinals(names: readonly string[]): number[] {
    const seen = new Set<string>()
    return names.map((n) => {
      if (seen.has(n)) throw duplicateColumn(n)
      seen.add(n)
      return columnOrdinal(this, n)
    })
  }

  /** The referenced table of a foreign key; the table being built when it references itself. */
  #referenced(name: QualifiedName): TableDef {
    if ((name.schema === null || name.schema === this.schema) && name.name === this.name) return this.build()
    const r = findRelation(this.#txn, name, this.#ctx)
    if (r === undefined) throw undefinedTable(name.name)
    if (r.kind !== 'table') throw new RustyError('42809', `referenced relation "${name.name}" is not a table`)
    return this.#txn.catalog.tableById(r.id) as TableDef
  }
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}
