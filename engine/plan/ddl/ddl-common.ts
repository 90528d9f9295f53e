/**
 * Shared pieces of DDL execution: the context, the result, name resolution, generated names, errors.
 * Invariants:
 *   (1) Generated constraint, index and sequence names follow PostgreSQL (`t_pkey`, `t_a_key`, `t_a_fkey`,
 *       `t_a_check`, `t_a_idx`, `t_a_seq`), with a numeric suffix when the name is taken (ChooseRelationName).
 * Not here: the statements themselves (create-table.ts, alter-table.ts, execute-ddl.ts).
 */
import { RustyError, SqlState, typeFromName } from '../../common/index.js'
import { typeOf, type SqlType, type SqlValue } from '../../common/types.js'
import { TEMP_SCHEMA, type CheckDef, type TableDef } from '../../catalog/index.js'
import type { Transaction } from '../../txn/index.js'
import type { QualifiedName, Query, TypeName } from '../../sql/index.js'

/** What executeDdl needs from the session and the planner. */
export interface DdlContext {
  /** Schema of unqualified names in CREATE statements (the first schema of the search path). */
  readonly defaultSchema: string
  /** Binds a view's SELECT text; returns its output column names (errors propagate). Optional. */
  readonly validateView?: (sql: string) => readonly string[]
  /**
   * Evaluates a constant expression (SQL text) as `type`, for ALTER TABLE ADD COLUMN ... DEFAULT on a table
   * with rows. Without it such an ADD COLUMN raises 0A000.
   */
  readonly evaluate?: (sql: string, type: SqlType) => SqlValue
  /**
   * Checks every row of `table` against a new CHECK constraint (ALTER TABLE ADD CONSTRAINT ... CHECK on a
   * table with rows); throws 23514 on the first violating row. Without it such an ADD raises 0A000.
   */
  readonly validateCheck?: (table: TableDef, check: CheckDef) => void
  /**
   * Plans and runs a query in the same transaction (CREATE TABLE ... AS): its output columns and rows
   * (internal values). Without it CREATE TABLE AS raises 0A000.
   */
  readonly query?: (query: Query) => { readonly columns: readonly { readonly name: string; readonly type: SqlType }[]; readonly rows: Iterable<readonly SqlValue[]> }
}

/** What a DDL statement reports. */
export interface DdlResult {
  /** PostgreSQL's command tag: `CREATE TABLE`, `DROP INDEX`, `ALTER TABLE`, `TRUNCATE TABLE`, ... */
  readonly command: string
  /** NOTICE messages (e.g. `relation "t" already exists, skipping`). */
  readonly notices: readonly string[]
  /** Rows written, for CREATE TABLE AS (PostgreSQL's tag is then `SELECT n`). */
  readonly rowCount?: number
}

/**
 * The schema a CREATE puts `name` in; 3F000 when it does not exist. Temporary objects go to pg_temp (created
 * on first use); naming another schema for them is 42P16, as in PostgreSQL.
 */
export function targetSchema(txn: Transaction, name: QualifiedName, ctx: DdlContext, temporary = false): string {
  if (temporary) {
    if (name.schema !== null && name.schema !== TEMP_SCHEMA) {
      throw new RustyError('42P16', 'cannot create temporary relation in non-temporary schema')
    }
    if (txn.catalog.schema(TEMP_SCHEMA) === undefined) txn.catalog.createSchema(TEMP_SCHEMA)
    return TEMP_SCHEMA
  }
  const schema = name.schema ?? ctx.defaultSchema
  if (txn.catalog.schema(schema) === undefined) throw new RustyError('3F000', `schema "${schema}" does not exist`)
  return schema
}

/** Finds a relation by a possibly qualified name along the search path. */
export function findRelation(
  txn: Transaction,
  name: QualifiedName,
  ctx: DdlContext,
): { schema: string; kind: 'table' | 'view' | 'sequence' | 'index'; id: number } | undefined {
  const schemas = name.schema !== null ? [name.schema] : [TEMP_SCHEMA, ctx.defaultSchema, ...txn.searchPath.filter((s) => s !== ctx.defaultSchema)]
  for (const schema of schemas) {
    const r = txn.catalog.relation(schema, name.name)
    if (r !== undefined) return { schema, ...r }
  }
  return undefined
}

/** The table called `name`; 42P01 when missing, 42809 when it is another kind of relation. */
export function requireTable(txn: Transaction, name: QualifiedName, ctx: DdlContext): TableDef {
  const r = findRelation(txn, name, ctx)
  if (r === undefined) throw undefinedTable(name.name)
  if (r.kind !== 'table') throw wrongObjectType(name.name, 'a table')
  return txn.catalog.tableById(r.id) as TableDef
}

/** 42P01 */
export function undefinedTable(name: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_TABLE, `relation "${name}" does not exist`)
}

/** 42809 */
export function wrongObjectType(name: string, what: string): RustyError {
  return new RustyError('42809', `"${name}" is not ${what}`)
}

/** 42703 */
export function undefinedColumn(column: string, table: string): RustyError {
  return new RustyError(SqlState.UNDEFINED_COLUMN, `column "${column}" of relation "${table}" does not exist`, { table, column })
}

/** 42701 */
export function duplicateColumn(column: string, table?: string): RustyError {
  return new RustyError(
    '42701',
    table === undefined ? `column "${column}" specified more than once` : `column "${column}" of relation "${table}" already exists`,
    { column },
  )
}

/** 42P07 */
export function duplicateRelation(name: string): RustyError {
  return new RustyError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`)
}

/** 42710 for constraints */
export function duplicateConstraint(name: string, table: string): RustyError {
  return new RustyError(SqlState.DUPLICATE_OBJECT, `constraint "${name}" for relation "${table}" already exists`)
}

/** 2BP01 */
export function dependentObjects(what: string, detail: string): RustyError {
  return new RustyError('2BP01', `cannot drop ${what} because other objects depend on it`, {
    detail,
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  })
}

/** Ordinal of `column` in `table`; 42703 when missing. */
export function columnOrdinal(table: { name: string; columns: readonly { name: string }[] }, column: string): number {
  const i = table.columns.findIndex((c) => c.name === column)
  if (i < 0) throw new RustyError(SqlState.UNDEFINED_COLUMN, `column "${column}" does not exist`, { table: table.name, column })
  return i
}

/** Every constraint name a table uses (pkey, uniques, checks, foreign keys). */
export function constraintNames(table: TableDef): string[] {
  const names: string[] = []
  if (table.primaryKeyName !== null) names.push(table.primaryKeyName)
  for (const u of table.uniques) names.push(u.name)
  for (const c of table.checks) names.push(c.name)
  for (const f of table.foreignKeys) names.push(f.name)
  return names
}

/**
 * A free name `<table>_<columns>_<suffix>` (invariant 1): free in the schema's relation namespace (for index
 * and sequence names) and not in `taken`.
 */
export function chooseName(txn: Transaction, schema: string, table: string, columns: readonly string[], suffix: string, taken: Set<string>): string {
  const base = [table, ...columns, suffix].filter((s) => s.length > 0).join('_')
  let name = base
  for (let n = 1; txn.catalog.relation(schema, name) !== undefined || taken.has(name); n++) name = `${base}${n}`
  taken.add(name)
  return name
}

/** The SqlType of a type name as written (SERIAL names are handled by the table builder). */
export function resolveType(type: TypeName | null): SqlType {
  if (type === null) return typeOf('text')
  const name = type.schema === 'pg_catalog' || type.schema === null ? type.name : `${type.schema}.${type.name}`
  return typeFromName(name, type.modifiers, type.arrayBounds.length)
}
