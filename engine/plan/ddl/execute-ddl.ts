/**
 * executeDdl: runs a DDL statement inside a transaction (DDL is transactional: rollback undoes it).
 * Owns: CREATE/DROP TABLE, CREATE/DROP INDEX, CREATE [OR REPLACE]/DROP VIEW, CREATE/ALTER/DROP SEQUENCE,
 * CREATE/DROP SCHEMA, TRUNCATE, COMMENT ON; ALTER TABLE is in alter-table.ts, ANALYZE in analyze.ts.
 * Invariants:
 *   (1) A statement either completes or throws before changing the catalog in a way later statements would
 *       see inconsistently; a failed statement leaves the transaction to be rolled back (PostgreSQL aborts
 *       the transaction too), so partial changes of a failed statement are never committed by the session.
 *   (2) Dropping an object that others depend on (a table referenced by a foreign key, an index backing a
 *       constraint, a sequence used by a default, a non-empty schema) raises 2BP01 unless CASCADE, which drops
 *       or detaches the dependents.
 * Not here: CREATE TABLE AS and views' query binding (the planner: ctx.validateView).
 */
import { RustyError, SqlState, featureNotSupported } from '../../common/index.js'
import { typeOf } from '../../common/types.js'
import type { SequenceDef, TableDef, ViewDef } from '../../catalog/index.js'
import type { Transaction } from '../../txn/index.js'
import {
  parseOne,
  printSql,
  quoteIdentifier,
  quoteString,
  walk,
  type CreateIndex,
  type CreateSequence,
  type CreateTable,
  type CreateView,
  type Drop,
  type Statement,
  type Truncate,
  type CreateTableAs,
  type Reindex,
  type CommentOn,
  type AlterSequence,
} from '../../sql/index.js'
import { executeAlterTable } from './alter-table.js'
import { analyze } from './analyze.js'
import {
  type DdlContext,
  type DdlResult,
  chooseName,
  columnOrdinal,
  dependentObjects,
  duplicateRelation,
  findRelation,
  requireTable,
  targetSchema,
  undefinedTable,
  wrongObjectType,
} from './ddl-common.js'
import { applySequenceOptions } from './sequences.js'
import { TableBuilder } from './table-builder.js'

/** Statement kinds executeDdl handles. */
export const DDL_KINDS: ReadonlySet<Statement['kind']> = new Set([
  'CreateTable',
  'CreateIndex',
  'CreateView',
  'CreateSequence',
  'AlterSequence',
  'AlterTable',
  'Drop',
  'CreateSchema',
  'Truncate',
  'CreateTableAs',
  'Reindex',
  'CommentOn',
  'Analyze',
])

/** True for statements executeDdl handles. */
export function isDdl(stmt: Statement): boolean {
  return DDL_KINDS.has(stmt.kind)
}

/**
 * Executes one DDL statement in `txn`.
 *
 * @example
 * const txn = manager.begin()
 * executeDdl(parseOne('CREATE TABLE t1(a INTEGER, b INTEGER)'), txn, { defaultSchema: 'public' })
 * await txn.commit()
 */
export function executeDdl(stmt: Statement, txn: Transaction, ctx: DdlContext): DdlResult {
  switch (stmt.kind) {
    case 'CreateTable':
      return createTable(stmt, txn, ctx)
    case 'CreateIndex':
      return createIndex(stmt, txn, ctx)
    case 'CreateView':
      return createView(stmt, txn, ctx)
    case 'CreateSequence':
      return createSequence(stmt, txn, ctx)
    case 'AlterSequence':
      return alterSequence(stmt, txn, ctx)
    case 'AlterTable':
      return executeAlterTable(stmt, txn, ctx)
    case 'Drop':
      return drop(stmt, txn, ctx)
    case 'CreateSchema': {
      if (txn.catalog.schema(stmt.name) !== undefined) {
        if (stmt.ifNotExists) return { command: 'CREATE SCHEMA', notices: [`schema "${stmt.name}" already exists, skipping`] }
        throw new RustyError('42P06', `schema "${stmt.name}" already exists`)
      }
      txn.catalog.createSchema(stmt.name)
      return { command: 'CREATE SCHEMA', notices: [] }
    }
    case 'Truncate':
      return truncate(stmt, txn, ctx)
    case 'CreateTableAs':
      return createTableAs(stmt, txn, ctx)
    case 'Reindex':
      return reindex(stmt, txn, ctx)
    case 'CommentOn':
      return commentOn(stmt, txn, ctx)
    case 'Analyze':
      return analyze(stmt, txn, ctx)
    default:
      throw featureNotSupported(`${stmt.kind} as DDL`)
  }
}

function done(command: string, notices: string[] = []): DdlResult {
  return { command, notices }
}

function createTable(stmt: CreateTable, txn: Transaction, ctx: DdlContext): DdlResult {
  const schema = targetSchema(txn, stmt.name, ctx, stmt.temporary)
  const name = stmt.name.name
  if (txn.catalog.relation(schema, name) !== undefined) {
    if (stmt.ifNotExists) return done('CREATE TABLE', [`relation "${name}" already exists, skipping`])
    throw duplicateRelation(name)
  }
  const builder = new TableBuilder(txn, ctx, TableBuilder.empty(txn.catalog.allocateId(), schema, name))
  const later = stmt.columns.flatMap((c) => builder.addColumn(c))
  for (const c of later) builder.addConstraint(c)
  for (const c of stmt.constraints) builder.addConstraint(c)
  for (const seq of builder.sequences) txn.catalog.putSequence(seq)
  txn.catalog.createTable(builder.build())
  return done('CREATE TABLE')
}

function createIndex(stmt: CreateIndex, txn: Transaction, ctx: DdlContext): DdlResult {
  const table = requireTable(txn, stmt.table, ctx)
  if (stmt.where !== null) throw featureNotSupported('partial indexes (CREATE INDEX ... WHERE)')
  if (stmt.nullsNotDistinct) throw featureNotSupported('NULLS NOT DISTINCT indexes')
  const columns = stmt.elements.map((e) => {
    if (e.expr.kind !== 'ColumnRef') throw featureNotSupported('indexes on expressions', `index columns by name: ${printSql(e.expr)}`)
    const ordinal = columnOrdinal(table, e.expr.column)
    const descending = e.direction === 'DESC'
    return { ordinal, descending, nullsFirst: e.nulls === null ? descending : e.nulls === 'FIRST' }
  })
  let name = stmt.name
  if (name !== null && txn.catalog.relation(table.schema, name) !== undefined) {
    if (stmt.ifNotExists) return done('CREATE INDEX', [`relation "${name}" already exists, skipping`])
    throw duplicateRelation(name)
  }
  if (name === null) {
    const taken = new Set(table.indexes.map((i) => i.name))
    name = chooseName(txn, table.schema, table.name, columns.map((c) => table.columns[c.ordinal].name), 'idx', taken)
  }
  txn.catalog.createIndex({ id: txn.catalog.allocateId(), name, schema: table.schema, tableId: table.id, columns, unique: stmt.unique, constraint: null })
  return done('CREATE INDEX')
}

function createView(stmt: CreateView, txn: Transaction, ctx: DdlContext): DdlResult {
  const schema = targetSchema(txn, stmt.name, ctx, stmt.temporary)
  const name = stmt.name.name
  const sql = printSql(stmt.query)
  const existing = txn.catalog.relation(schema, name)
  let id: number
  if (existing !== undefined) {
    if (stmt.ifNotExists) return done('CREATE VIEW', [`relation "${name}" already exists, skipping`])
    if (!stmt.orReplace) throw duplicateRelation(name)
    if (existing.kind !== 'view') throw wrongObjectType(name, 'a view')
    id = existing.id
  } else {
    id = txn.catalog.allocateId()
  }
  const outputs = ctx.validateView?.(sql)
  if (outputs !== undefined && stmt.columns.length > outputs.length) {
    throw new RustyError(SqlState.SYNTAX_ERROR, 'CREATE VIEW specifies more column names than columns')
  }
  // CREATE OR REPLACE keeps the view's comment, as PostgreSQL does.
  const comment = existing === undefined ? undefined : txn.catalog.viewById(existing.id)?.comment
  txn.catalog.putView({ id, schema, name, sql, columns: [...stmt.columns], ...(comment === undefined ? {} : { comment }) })
  return done('CREATE VIEW')
}

function createSequence(stmt: CreateSequence, txn: Transaction, ctx: DdlContext): DdlResult {
  const schema = targetSchema(txn, stmt.name, ctx, stmt.temporary)
  const name = stmt.name.name
  if (txn.catalog.relation(schema, name) !== undefined) {
    if (stmt.ifNotExists) return done('CREATE SEQUENCE', [`relation "${name}" already exists, skipping`])
    throw duplicateRelation(name)
  }
  const { def } = applySequenceOptions(null, txn.catalog.allocateId(), schema, name, stmt.options, typeOf('int8'))
  txn.catalog.putSequence(def)
  return done('CREATE SEQUENCE')
}

function alterSequence(stmt: AlterSequence, txn: Transaction, ctx: DdlContext): DdlResult {
  const r = findRelation(txn, stmt.name, ctx)
  if (r === undefined || r.kind !== 'sequence') {
    if (r === undefined && stmt.ifExists) return done('ALTER SEQUENCE', [`relation "${stmt.name.name}" does not exist, skipping`])
    if (r === undefined) throw undefinedTable(stmt.name.name)
    throw wrongObjectType(stmt.name.name, 'a sequence')
  }
  const base = txn.catalog.sequenceById(r.id) as SequenceDef
  const { def, restart } = applySequenceOptions(base, base.id, base.schema, base.name, stmt.options, base.type)
  txn.catalog.putSequence(def, restart)
  return done('ALTER SEQUENCE')
}

// --- DROP -------------------------------------------------------------------------------------------------

const DROP_NOUN: Record<Drop['objectType'], string> = {
  TABLE: 'table',
  VIEW: 'view',
  INDEX: 'index',
  SEQUENCE: 'sequence',
  SCHEMA: 'schema',
}

const KIND_OF: Record<Exclude<Drop['objectType'], 'SCHEMA'>, 'table' | 'view' | 'index' | 'sequence'> = {
  TABLE: 'table',
  VIEW: 'view',
  INDEX: 'index',
  SEQUENCE: 'sequence',
}

function drop(stmt: Drop, txn: Transaction, ctx: DdlContext): DdlResult {
  const noun = DROP_NOUN[stmt.objectType]
  const command = `DROP ${stmt.objectType}`
  const notices: string[] = []
  const cascade = stmt.behavior === 'CASCADE'
  if (stmt.objectType === 'SCHEMA') {
    for (const qn of stmt.names) {
      const name = qn.name
      if (txn.catalog.schema(name) === undefined) {
        if (stmt.ifExists) {
          notices.push(`schema "${name}" does not exist, skipping`)
          continue
        }
        throw new RustyError('3F000', `schema "${name}" does not exist`)
      }
      dropSchema(txn, name, cascade)
    }
    return done(command, notices)
  }
  const kind = KIND_OF[stmt.objectType]
  const targets: { schema: string; id: number; name: string }[] = []
  for (const qn of stmt.names) {
    const r = findRelation(txn, qn, ctx)
    if (r === undefined) {
      if (stmt.ifExists) {
        notices.push(`${noun} "${qn.name}" does not exist, skipping`)
        continue
      }
      throw new RustyError(SqlState.UNDEFINED_TABLE, `${noun} "${qn.name}" does not exist`)
    }
    if (r.kind !== kind) {
      throw new RustyError('42809', `"${qn.name}" is not ${kind === 'index' ? 'an index' : `a ${kind}`}`, {
        hint: `Use DROP ${r.kind.toUpperCase()} to remove ${r.kind === 'index' ? 'an index' : `a ${r.kind}`}.`,
      })
    }
    targets.push({ schema: r.schema, id: r.id, name: qn.name })
  }
  const ids = new Set(targets.map((t) => t.id))
  for (const t of targets) {
    if (kind === 'table') dropTable(txn, t.id, cascade, ids)
    else if (kind === 'view') {
      dropDependentViews(txn, t.schema, t.name, cascade)
      txn.catalog.dropView(t.id)
    }
    else if (kind === 'sequence') dropSequence(txn, t.id, cascade)
    else dropIndex(txn, t.id, cascade)
  }
  return done(command, notices)
}

/** Relations (schema-less names resolve to `defaultSchema`) a view's query reads. */
function viewReads(view: ViewDef, defaultSchema: string): { schema: string; name: string }[] {
  const out: { schema: string; name: string }[] = []
  walk(parseOne(view.sql), (n) => {
    if (n.kind === 'TableRef') out.push({ schema: n.name.schema ?? defaultSchema, name: n.name.name })
  })
  return out
}

/**
 * With CASCADE, drops the views that read `schema.name` (and views on them, in turn). Without CASCADE views
 * are not treated as dependents: the drop goes ahead and such a view fails when it is next used. PostgreSQL
 * would refuse (2BP01), but the sqllogictest corpus drops views and tables in any order (SQLite does not
 * track view dependencies), and view SQL is kept as text, so a name it reads may also resolve differently
 * later. CTE names that shadow a table count as reads: a harmless over-approximation.
 */
function dropDependentViews(txn: Transaction, schema: string, name: string, cascade: boolean): void {
  if (!cascade) return
  for (const view of txn.catalog.views()) {
    if (txn.catalog.viewById(view.id) === undefined) continue
    if (!viewReads(view, view.schema).some((r) => r.schema === schema && r.name === name)) continue
    dropDependentViews(txn, view.schema, view.name, true)
    txn.catalog.dropView(view.id)
  }
}

/** Drops a table: 2BP01 when other tables' foreign keys reference it (CASCADE drops those constraints). */
export function dropTable(txn: Transaction, id: number, cascade: boolean, droppingToo: ReadonlySet<number>): void {
  const table = txn.catalog.tableById(id)
  if (table === undefined) return
  for (const other of txn.catalog.tables()) {
    if (other.id === id || droppingToo.has(other.id)) continue
    const fks = other.foreignKeys.filter((fk) => fk.refTableId === id)
    if (fks.length === 0) continue
    if (!cascade) throw dependentObjects(`table ${table.name}`, `constraint ${fks[0].name} on table ${other.name} depends on table ${table.name}`)
    txn.catalog.alterTable({ ...other, foreignKeys: other.foreignKeys.filter((fk) => fk.refTableId !== id) })
  }
  dropDependentViews(txn, table.schema, table.name, cascade)
  txn.catalog.dropTable(id)
  for (const seq of txn.catalog.sequences()) {
    if (seq.schema === table.schema && seq.ownedBy !== null && seq.ownedBy.startsWith(`${table.name}.`)) txn.catalog.dropSequence(seq.id)
  }
}

function dropIndex(txn: Transaction, id: number, cascade: boolean): void {
  const index = txn.catalog.indexById(id)
  if (index === undefined) return
  const table = txn.catalog.tableById(index.tableId) as TableDef
  if (index.constraint !== null) {
    if (!cascade) {
      throw new RustyError('2BP01', `cannot drop index ${index.name} because constraint ${index.constraint} on table ${table.name} requires it`, {
        hint: `You can drop constraint ${index.constraint} on table ${table.name} instead.`,
      })
    }
    txn.catalog.alterTable({ ...table, uniques: table.uniques.filter((u) => u.indexId !== id) })
  }
  txn.catalog.dropIndex(id)
}

/** Columns whose DEFAULT calls nextval on `seq`. */
function sequenceUsers(txn: Transaction, seq: SequenceDef): { table: TableDef; ordinal: number }[] {
  const spellings = [seq.name, `${seq.schema}.${seq.name}`, quoteIdentifier(seq.name), `${quoteIdentifier(seq.schema)}.${quoteIdentifier(seq.name)}`]
  const names = [...new Set(spellings)].map((n) => `nextval(${quoteString(n)}`)
  const out: { table: TableDef; ordinal: number }[] = []
  for (const table of txn.catalog.tables()) {
    table.columns.forEach((c, ordinal) => {
      if (c.default !== null && names.some((n) => c.default?.includes(n))) out.push({ table, ordinal })
    })
  }
  return out
}

function dropSequence(txn: Transaction, id: number, cascade: boolean): void {
  const seq = txn.catalog.sequenceById(id) as SequenceDef
  const users = sequenceUsers(txn, seq)
  if (users.length > 0) {
    const { table, ordinal } = users[0]
    if (!cascade) {
      throw dependentObjects(`sequence ${seq.name}`, `default value for column ${table.columns[ordinal].name} of table ${table.name} depends on sequence ${seq.name}`)
    }
    for (const u of users) {
      const current = txn.catalog.tableById(u.table.id) as TableDef
      txn.catalog.alterTable({
        ...current,
        columns: current.columns.map((c, i) => (i === u.ordinal ? { ...c, default: null, identity: null } : c)),
      })
    }
  }
  txn.catalog.dropSequence(id)
}

function dropSchema(txn: Transaction, name: string, cascade: boolean): void {
  const tables = txn.catalog.tables().filter((t) => t.schema === name)
  const views = txn.catalog.views().filter((v) => v.schema === name)
  const sequences = txn.catalog.sequences().filter((s) => s.schema === name)
  if (!cascade && tables.length + views.length + sequences.length > 0) {
    const first = tables[0]?.name ?? views[0]?.name ?? sequences[0]?.name
    const what = tables.length > 0 ? 'table' : views.length > 0 ? 'view' : 'sequence'
    throw dependentObjects(`schema ${name}`, `${what} ${first} depends on schema ${name}`)
  }
  const ids = new Set(tables.map((t) => t.id))
  for (const v of views) txn.catalog.dropView(v.id)
  for (const t of tables) dropTable(txn, t.id, true, ids)
  for (const s of txn.catalog.sequences().filter((x) => x.schema === name)) txn.catalog.dropSequence(s.id)
  txn.catalog.dropSchema(name)
}

// --- TRUNCATE ---------------------------------------------------------------------------------------------

function truncate(stmt: Truncate, txn: Transaction, ctx: DdlContext): DdlResult {
  const tables = new Map<number, TableDef>()
  for (const qn of stmt.tables) {
    const t = requireTable(txn, qn, ctx)
    tables.set(t.id, t)
  }
  // Tables referencing a truncated one must be truncated too (CASCADE adds them).
  for (let changed = true; changed; ) {
    changed = false
    for (const other of txn.catalog.tables()) {
      if (tables.has(other.id)) continue
      const ref = other.foreignKeys.find((fk) => tables.has(fk.refTableId))
      if (ref === undefined) continue
      if (stmt.behavior !== 'CASCADE') {
        const parent = tables.get(ref.refTableId) as TableDef
        throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, 'cannot truncate a table referenced in a foreign key constraint', {
          detail: `Table "${other.name}" references "${parent.name}".`,
          hint: `Truncate table "${other.name}" at the same time, or use TRUNCATE ... CASCADE.`,
        })
      }
      tables.set(other.id, other)
      changed = true
    }
  }
  for (const t of tables.values()) {
    txn.truncate(t)
    if (stmt.restartIdentity) {
      for (const seq of txn.catalog.sequences()) {
        if (seq.schema === t.schema && seq.ownedBy !== null && seq.ownedBy.startsWith(`${t.name}.`)) txn.catalog.putSequence(seq, seq.start)
      }
    }
  }
  return done('TRUNCATE TABLE')
}

// --- CREATE TABLE AS, REINDEX --------------------------------------------------------------------------------

function createTableAs(stmt: CreateTableAs, txn: Transaction, ctx: DdlContext): DdlResult {
  const schema = targetSchema(txn, stmt.name, ctx, stmt.temporary)
  const name = stmt.name.name
  if (txn.catalog.relation(schema, name) !== undefined) {
    if (stmt.ifNotExists) return done('CREATE TABLE AS', [`relation "${name}" already exists, skipping`])
    throw duplicateRelation(name)
  }
  if (ctx.query === undefined) throw featureNotSupported('CREATE TABLE AS (no query runner is installed)')
  const result = ctx.query(stmt.query)
  if (stmt.columns.length > result.columns.length) {
    throw new RustyError(SqlState.SYNTAX_ERROR, 'too many column names were specified')
  }
  const seen = new Set<string>()
  const columns = result.columns.map((c, i) => {
    const colName = stmt.columns[i] ?? c.name
    if (seen.has(colName)) throw new RustyError('42701', `column "${colName}" specified more than once`)
    seen.add(colName)
    // Untyped literals become text, as in PostgreSQL.
    const type = c.type.id === 'unknown' || c.type.id === 'null' ? typeOf('text') : c.type
    return { name: colName, type, notNull: false, default: null, identity: null }
  })
  const def: TableDef = { ...TableBuilder.empty(txn.catalog.allocateId(), schema, name), columns }
  txn.catalog.createTable(def)
  const table = txn.catalog.tableById(def.id) as TableDef
  let count = 0
  if (stmt.withData) {
    for (const row of result.rows) {
      txn.insert(table, row)
      count++
    }
  }
  return { command: 'SELECT', notices: [], rowCount: count }
}

/** `def` with `comment` set, or without one for null or '' (PostgreSQL: an empty comment removes it). */
function withComment<T extends { readonly comment?: string }>(def: T, comment: string | null): T {
  const { comment: _old, ...rest } = def
  return (comment === null || comment === '' ? rest : { ...rest, comment }) as T
}

/** COMMENT ON TABLE / VIEW / COLUMN: the comment lives in the definition (catalog/schema.ts). */
function commentOn(stmt: CommentOn, txn: Transaction, ctx: DdlContext): DdlResult {
  const r = findRelation(txn, stmt.name, ctx)
  if (r === undefined) throw undefinedTable(stmt.name.name)
  if (stmt.target === 'VIEW') {
    if (r.kind !== 'view') throw wrongObjectType(stmt.name.name, 'a view')
    txn.catalog.putView(withComment(txn.catalog.viewById(r.id) as ViewDef, stmt.comment))
    return done('COMMENT')
  }
  if (r.kind === 'view' && stmt.target === 'COLUMN') throw featureNotSupported('COMMENT ON COLUMN of a view')
  if (r.kind !== 'table') throw wrongObjectType(stmt.name.name, 'a table')
  const table = txn.catalog.tableById(r.id) as TableDef
  if (stmt.target === 'TABLE') {
    txn.catalog.alterTable(withComment(table, stmt.comment))
    return done('COMMENT')
  }
  const ordinal = table.columns.findIndex((c) => c.name === stmt.column)
  if (ordinal < 0) throw new RustyError(SqlState.UNDEFINED_COLUMN, `column "${stmt.column}" of relation "${table.name}" does not exist`, { table: table.name, column: stmt.column ?? undefined })
  txn.catalog.alterTable({ ...table, columns: table.columns.map((c, i) => (i === ordinal ? withComment(c, stmt.comment) : c)) })
  return done('COMMENT')
}

function reindex(stmt: Reindex, txn: Transaction, ctx: DdlContext): DdlResult {
  const target = stmt.target
  if (target === 'SCHEMA' || target === 'DATABASE' || target === 'SYSTEM' || stmt.name === null) {
    const schema = target === 'SCHEMA' ? stmt.name?.name : undefined
    for (const t of txn.catalog.tables()) if (schema === undefined || t.schema === schema) txn.reindex(t)
    return done('REINDEX')
  }
  const r = findRelation(txn, stmt.name, ctx)
  if (r === undefined) throw undefinedTable(stmt.name.name)
  if (r.kind === 'index' && target !== 'TABLE') {
    const index = txn.catalog.indexById(r.id)
    if (index !== undefined) txn.reindex(txn.catalog.tableById(index.tableId) as TableDef, index.id)
  } else if (r.kind === 'table' && target !== 'INDEX') {
    txn.reindex(txn.catalog.tableById(r.id) as TableDef)
  } else {
    throw wrongObjectType(stmt.name.name, target === 'INDEX' ? 'an index' : 'a table')
  }
  return done('REINDEX')
}
