/**
 * ALTER TABLE: ADD/DROP/RENAME COLUMN, RENAME TO, ADD/DROP/RENAME CONSTRAINT, ALTER COLUMN SET/DROP DEFAULT,
 * SET/DROP NOT NULL, ALTER COLUMN TYPE.
 * Owns: turning each action into a new TableDef and the row work it needs (rewrite, re-key, index builds,
 * validation of existing rows).
 * Invariants:
 *   (1) Actions apply in order, each on the definition the previous one left.
 *   (2) Existing rows always satisfy the table's constraints afterwards: new NOT NULL, UNIQUE, PRIMARY KEY and
 *       FOREIGN KEY constraints are validated against them (CHECK through ctx.validateCheck).
 *   (3) Column ordinals stay dense: DROP COLUMN rewrites the rows and renumbers every ordinal that refers to
 *       the table (its keys, indexes, constraints, and other tables' foreign keys).
 *   (4) Expressions stored as text (defaults, checks) follow column renames.
 * Not here: views that name a renamed or dropped column (their SQL text is kept as written; the planner
 *   reports the error when the view is used).
 */
import { RustyError, SqlState, featureNotSupported, parseValue } from '../../common/index.js'
import { isNumeric, sameType, type SqlType, type SqlValue } from '../../common/types.js'
import type { ForeignKeyDef, TableDef } from '../../catalog/index.js'
import { resolveCast } from '../../catalog/functions/index.js'
import type { Transaction } from '../../txn/index.js'
import { parseExpression, printSql, quoteIdentifier, walk, type AlterTable, type AlterTableAction, type Expr } from '../../sql/index.js'
import {
  type DdlContext,
  type DdlResult,
  columnOrdinal,
  constraintNames,
  dependentObjects,
  duplicateColumn,
  duplicateRelation,
  findRelation,
  resolveType,
  undefinedColumn,
  undefinedTable,
  wrongObjectType,
} from './ddl-common.js'
import { TableBuilder } from './table-builder.js'

/** Executes ALTER TABLE (every action, in order). */
export function executeAlterTable(stmt: AlterTable, txn: Transaction, ctx: DdlContext): DdlResult {
  const r = findRelation(txn, stmt.name, ctx)
  if (r === undefined) {
    if (stmt.ifExists) return { command: 'ALTER TABLE', notices: [`relation "${stmt.name.name}" does not exist, skipping`] }
    throw undefinedTable(stmt.name.name)
  }
  if (r.kind !== 'table') throw wrongObjectType(stmt.name.name, 'a table')
  const notices: string[] = []
  for (const action of stmt.actions) {
    const table = txn.catalog.tableById(r.id) as TableDef
    const notice = alter(action, table, txn, ctx)
    if (notice !== undefined) notices.push(notice)
  }
  return { command: 'ALTER TABLE', notices }
}

function alter(action: AlterTableAction, table: TableDef, txn: Transaction, ctx: DdlContext): string | undefined {
  switch (action.kind) {
    case 'AddColumn':
      return addColumn(action, table, txn, ctx)
    case 'DropColumn':
      return dropColumn(action, table, txn, ctx)
    case 'RenameColumn':
      renameColumn(action.from, action.to, table, txn)
      return undefined
    case 'RenameTable': {
      if (txn.catalog.relation(table.schema, action.to) !== undefined) throw duplicateRelation(action.to)
      txn.catalog.alterTable({ ...table, name: action.to })
      for (const seq of txn.catalog.sequences()) {
        if (seq.schema === table.schema && seq.ownedBy?.startsWith(`${table.name}.`)) {
          txn.catalog.putSequence({ ...seq, ownedBy: `${action.to}.${seq.ownedBy.slice(table.name.length + 1)}` })
        }
      }
      return undefined
    }
    case 'RenameConstraint':
      renameConstraint(action.from, action.to, table, txn)
      return undefined
    case 'AddConstraint': {
      const builder = new TableBuilder(txn, ctx, table)
      builder.addConstraint(action.constraint)
      apply(txn, ctx, table, builder.build(), null)
      return undefined
    }
    case 'DropConstraint':
      return dropConstraint(action.name, action.ifExists, action.behavior === 'CASCADE', table, txn, ctx)
    case 'AlterColumnDefault': {
      const i = columnOrdinal(table, action.column)
      const printed = action.default === null ? null : printSql(action.default)
      txn.catalog.alterTable(withColumn(table, i, { default: printed }))
      return undefined
    }
    case 'AlterColumnNotNull': {
      const i = columnOrdinal(table, action.column)
      if (action.notNull) {
        txn.validateNotNull(table, i)
      } else {
        if (table.primaryKey?.includes(i)) throw new RustyError('42P16', `column "${action.column}" is in a primary key`)
        if (table.columns[i].identity !== null) {
          throw new RustyError('42P16', `column "${action.column}" of relation "${table.name}" is an identity column`)
        }
      }
      txn.catalog.alterTable(withColumn(table, i, { notNull: action.notNull }))
      return undefined
    }
    case 'AlterColumnType':
      alterColumnType(action.column, action.type, action.using, table, txn, ctx)
      return undefined
  }
}

function withColumn(table: TableDef, ordinal: number, change: Partial<TableDef['columns'][number]>): TableDef {
  return { ...table, columns: table.columns.map((c, i) => (i === ordinal ? { ...c, ...change } : c)) }
}

/**
 * Stores `built` as the new definition of `old`'s table (invariant 2): drops indexes it no longer has, builds
 * new ones, re-keys/rewrites rows when `map` is given or the primary key changed, validates new foreign keys
 * and checks.
 */
function apply(txn: Transaction, ctx: DdlContext, old: TableDef, built: TableDef, map: ((row: SqlValue[]) => SqlValue[]) | null): void {
  const keep = new Set(built.indexes.map((i) => i.id))
  for (const index of old.indexes) if (!keep.has(index.id)) txn.catalog.dropIndex(index.id)
  const before = new Set(old.indexes.map((i) => i.id))
  const pkChanged = JSON.stringify(old.primaryKey) !== JSON.stringify(built.primaryKey)
  const hasRows = txn.hasRows(old)
  if (hasRows && (map !== null || pkChanged)) {
    txn.catalog.alterTable(built)
    txn.rewriteRows(old, built, map ?? ((row) => row))
  } else {
    txn.catalog.alterTable({ ...built, indexes: built.indexes.filter((i) => before.has(i.id)) })
    for (const index of built.indexes) if (!before.has(index.id)) txn.catalog.createIndex(index)
  }
  if (!hasRows) return
  const current = txn.catalog.tableById(built.id) as TableDef
  const oldFks = new Set(old.foreignKeys.map((f) => f.name))
  for (const fk of current.foreignKeys) if (!oldFks.has(fk.name)) txn.validateForeignKey(current, fk)
  const oldChecks = new Set(old.checks.map((c) => c.name))
  for (const check of current.checks) {
    if (oldChecks.has(check.name)) continue
    if (ctx.validateCheck === undefined) throw featureNotSupported('adding a CHECK constraint to a table with rows (no validator is installed)')
    ctx.validateCheck(current, check)
  }
}

function addColumn(action: Extract<AlterTableAction, { kind: 'AddColumn' }>, table: TableDef, txn: Transaction, ctx: DdlContext): string | undefined {
  const name = action.column.name
  if (table.columns.some((c) => c.name === name)) {
    if (action.ifNotExists) return `column "${name}" of relation "${table.name}" already exists, skipping`
    throw duplicateColumn(name, table.name)
  }
  const builder = new TableBuilder(txn, ctx, table)
  const later = builder.addColumn(action.column)
  for (const seq of builder.sequences) txn.catalog.putSequence(seq)
  for (const c of later) builder.addConstraint(c)
  const built = builder.build()
  const column = built.columns[built.columns.length - 1]
  let map: ((row: SqlValue[]) => SqlValue[]) | null = null
  if (column.default !== null && txn.hasRows(table)) {
    const seq = builder.sequences[0]
    if (seq !== undefined) {
      const def = txn.catalog.sequenceById(seq.id) ?? seq
      map = (row) => [...row, normalizeInt(txn.nextval(def), column.type.id)]
    } else {
      const literal = literalValue(column.default, column.type)
      if (literal === undefined && ctx.evaluate === undefined) {
        throw featureNotSupported('ADD COLUMN with a non-constant DEFAULT on a table with rows (no evaluator is installed)')
      }
      const value = literal !== undefined ? literal.value : (ctx.evaluate as NonNullable<DdlContext['evaluate']>)(column.default, column.type)
      map = (row) => [...row, value]
    }
  } else if (column.notNull && txn.hasRows(table)) {
    throw new RustyError(SqlState.NOT_NULL_VIOLATION, `column "${name}" of relation "${table.name}" contains null values`, { table: table.name, column: name })
  }
  apply(txn, ctx, table, built, map)
  return undefined
}

/**
 * The value of a DEFAULT that is a plain literal (NULL, a number, a string, a boolean, a negative number, or a
 * typed literal of the column's own type), converted to `type` through its text input; undefined for anything
 * else (then ctx.evaluate decides).
 */
export function literalValue(sql: string, type: SqlType): { value: SqlValue } | undefined {
  const expr = parseExpression(sql)
  const numeric = isNumeric(type)
  switch (expr.kind) {
    case 'NullLiteral':
      return { value: null }
    case 'StringLiteral':
      return { value: parseValue(expr.value, type) }
    case 'BooleanLiteral':
      return type.id === 'bool' ? { value: expr.value } : undefined
    case 'NumberLiteral':
      return numeric && (expr.isInteger || !isIntegerType(type)) ? { value: parseValue(expr.text, type) } : undefined
    case 'UnaryOp':
      if (expr.op === '-' && expr.operand.kind === 'NumberLiteral' && numeric && (expr.operand.isInteger || !isIntegerType(type))) {
        return { value: parseValue(`-${expr.operand.text}`, type) }
      }
      return undefined
    case 'TypedLiteral':
      return sameType(resolveType(expr.type), type) ? { value: parseValue(expr.value, type) } : undefined
    default:
      return undefined
  }
}

function isIntegerType(type: SqlType): boolean {
  return type.id === 'int2' || type.id === 'int4' || type.id === 'int8'
}

function normalizeInt(v: bigint, id: string): SqlValue {
  return id === 'int8' ? v : Number(v)
}

/** Renumbers ordinals after removing ordinal `k`. */
function shift(o: number, k: number): number {
  return o > k ? o - 1 : o
}

function dropColumn(action: Extract<AlterTableAction, { kind: 'DropColumn' }>, table: TableDef, txn: Transaction, ctx: DdlContext): string | undefined {
  const k = table.columns.findIndex((c) => c.name === action.name)
  if (k < 0) {
    if (action.ifExists) return `column "${action.name}" of relation "${table.name}" does not exist, skipping`
    throw undefinedColumn(action.name, table.name)
  }
  const cascade = action.behavior === 'CASCADE'
  // Other tables' foreign keys that reference the column (or a key it is part of).
  for (const other of txn.catalog.tables()) {
    const fks = other.foreignKeys.filter((fk) => fk.refTableId === table.id && (other.id !== table.id || !fk.columns.includes(k)))
    const hit = fks.filter((fk) => fk.refColumns.includes(k))
    if (hit.length > 0 && !cascade) {
      throw dependentObjects(`column ${action.name} of table ${table.name}`, `constraint ${hit[0].name} on table ${other.name} depends on column ${action.name} of table ${table.name}`)
    }
    if (other.id === table.id || fks.length === 0) continue
    const foreignKeys: ForeignKeyDef[] = other.foreignKeys
      .filter((fk) => !(fk.refTableId === table.id && fk.refColumns.includes(k)))
      .map((fk) => (fk.refTableId === table.id ? { ...fk, refColumns: fk.refColumns.map((o) => shift(o, k)) } : fk))
    txn.catalog.alterTable({ ...other, foreignKeys })
  }
  const current = txn.catalog.tableById(table.id) as TableDef
  const pk = current.primaryKey?.includes(k) ? null : (current.primaryKey?.map((o) => shift(o, k)) ?? null)
  const indexes = current.indexes.filter((i) => !i.columns.some((c) => c.ordinal === k)).map((i) => ({ ...i, columns: i.columns.map((c) => ({ ...c, ordinal: shift(c.ordinal, k) })) }))
  const kept = new Set(indexes.map((i) => i.id))
  const built: TableDef = {
    ...current,
    columns: current.columns.filter((_c, i) => i !== k),
    primaryKey: pk,
    primaryKeyName: pk === null ? null : current.primaryKeyName,
    uniques: current.uniques.filter((u) => kept.has(u.indexId)).map((u) => ({ ...u, columns: u.columns.map((o) => shift(o, k)) })),
    checks: current.checks.filter((c) => !columnsOf(c.expr).has(action.name)),
    foreignKeys: current.foreignKeys
      .filter((fk) => !fk.columns.includes(k) && !(fk.refTableId === table.id && fk.refColumns.includes(k)))
      .map((fk) => ({
        ...fk,
        columns: fk.columns.map((o) => shift(o, k)),
        refColumns: fk.refTableId === table.id ? fk.refColumns.map((o) => shift(o, k)) : fk.refColumns,
      })),
    indexes,
  }
  const oldKeep = { ...current, indexes: current.indexes }
  apply(txn, ctx, oldKeep, built, (row) => row.filter((_v, i) => i !== k))
  for (const seq of txn.catalog.sequences()) {
    if (seq.schema === table.schema && seq.ownedBy === `${table.name}.${action.name}`) txn.catalog.dropSequence(seq.id)
  }
  return undefined
}

/** Column names an expression (SQL text) refers to. */
function columnsOf(sql: string): Set<string> {
  const out = new Set<string>()
  walk(parseExpression(sql), (n) => {
    if (n.kind === 'ColumnRef') out.add(n.column)
  })
  return out
}

/** `sql` with every reference to column `from` renamed to `to` (invariant 4). */
export function renameColumnInSql(sql: string, from: string, to: string): string {
  const refs: { start: number; end: number; text: string }[] = []
  walk(parseExpression(sql), (n) => {
    if (n.kind === 'ColumnRef' && n.column === from) {
      const parts = [n.catalog, n.schema, n.table].filter((p): p is string => p !== null).map(quoteIdentifier)
      refs.push({ start: n.start, end: n.end, text: [...parts, quoteIdentifier(to)].join('.') })
    }
  })
  let out = sql
  for (const r of refs.sort((a, b) => b.start - a.start)) out = out.slice(0, r.start) + r.text + out.slice(r.end)
  return out
}

function renameColumn(from: string, to: string, table: TableDef, txn: Transaction): void {
  const i = columnOrdinal(table, from)
  if (table.columns.some((c) => c.name === to)) throw duplicateColumn(to, table.name)
  txn.catalog.alterTable({
    ...table,
    columns: table.columns.map((c, j) => (j === i ? { ...c, name: to } : c.default === null ? c : { ...c, default: renameColumnInSql(c.default, from, to) })),
    checks: table.checks.map((c) => ({ ...c, expr: renameColumnInSql(c.expr, from, to) })),
  })
  for (const seq of txn.catalog.sequences()) {
    if (seq.schema === table.schema && seq.ownedBy === `${table.name}.${from}`) txn.catalog.putSequence({ ...seq, ownedBy: `${table.name}.${to}` })
  }
}

function undefinedConstraint(name: string, table: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_OBJECT, `constraint "${name}" of relation "${table}" does not exist`)
}

function renameConstraint(from: string, to: string, table: TableDef, txn: Transaction): void {
  if (!constraintNames(table).includes(from)) throw undefinedConstraint(from, table.name)
  if (constraintNames(table).includes(to)) throw new RustyError(SqlState.DUPLICATE_OBJECT, `constraint "${to}" for relation "${table.name}" already exists`)
  const unique = table.uniques.find((u) => u.name === from)
  if (unique !== undefined && txn.catalog.relation(table.schema, to) !== undefined) throw duplicateRelation(to)
  txn.catalog.alterTable({
    ...table,
    primaryKeyName: table.primaryKeyName === from ? to : table.primaryKeyName,
    uniques: table.uniques.map((u) => (u.name === from ? { ...u, name: to } : u)),
    checks: table.checks.map((c) => (c.name === from ? { ...c, name: to } : c)),
    foreignKeys: table.foreignKeys.map((f) => (f.name === from ? { ...f, name: to } : f)),
    indexes: table.indexes.map((i) => (i.constraint === from ? { ...i, name: to, constraint: to } : i)),
  })
}

function dropConstraint(name: string, ifExists: boolean, cascade: boolean, table: TableDef, txn: Transaction, ctx: DdlContext): string | undefined {
  if (!constraintNames(table).includes(name)) {
    if (ifExists) return `constraint "${name}" of relation "${table.name}" does not exist, skipping`
    throw undefinedConstraint(name, table.name)
  }
  const unique = table.uniques.find((u) => u.name === name)
  const keyColumns = table.primaryKeyName === name ? table.primaryKey : (unique?.columns ?? null)
  if (keyColumns !== null) {
    // Foreign keys that rely on this key.
    for (const other of txn.catalog.tables()) {
      const hit = other.foreignKeys.filter((fk) => fk.refTableId === table.id && sameSet(fk.refColumns, keyColumns))
      if (hit.length === 0) continue
      if (!cascade) throw dependentObjects(`constraint ${name} on table ${table.name}`, `constraint ${hit[0].name} on table ${other.name} depends on index ${name}`)
      const current = txn.catalog.tableById(other.id) as TableDef
      txn.catalog.alterTable({ ...current, foreignKeys: current.foreignKeys.filter((fk) => !hit.includes(fk)) })
    }
  }
  const current = txn.catalog.tableById(table.id) as TableDef
  const built: TableDef = {
    ...current,
    primaryKey: current.primaryKeyName === name ? null : current.primaryKey,
    primaryKeyName: current.primaryKeyName === name ? null : current.primaryKeyName,
    uniques: current.uniques.filter((u) => u.name !== name),
    checks: current.checks.filter((c) => c.name !== name),
    foreignKeys: current.foreignKeys.filter((f) => f.name !== name),
    indexes: current.indexes.filter((i) => i.constraint !== name),
  }
  apply(txn, ctx, current, built, null)
  return undefined
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

function alterColumnType(
  column: string,
  typeName: Extract<AlterTableAction, { kind: 'AlterColumnType' }>['type'],
  using: Expr | null,
  table: TableDef,
  txn: Transaction,
  ctx: DdlContext,
): void {
  const i = columnOrdinal(table, column)
  const type = resolveType(typeName)
  const from = table.columns[i].type
  if (sameType(from, type)) return
  if (using !== null) throw featureNotSupported('ALTER COLUMN TYPE ... USING')
  const cast = resolveCast(from, type, 'assignment')
  if (cast === undefined) {
    throw new RustyError(SqlState.DATATYPE_MISMATCH, `column "${column}" cannot be cast automatically to type ${typeName.name}`, {
      hint: `You might need to specify "USING ${column}::${typeName.name}".`,
    })
  }
  const built: TableDef = withColumn(table, i, { type })
  apply(txn, ctx, table, built, (row) => {
    const next = row.slice()
    if (next[i] !== null) next[i] = cast(next[i])
    return next
  })
}
