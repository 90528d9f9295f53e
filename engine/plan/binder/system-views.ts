/**
 * System views: information_schema and the pg_catalog relations that tools (Kysely's PostgreSQL
 * introspector, psql-like shells) read, computed from the transaction's catalog when a query names them.
 * Owns: the columns and rows of each system relation.
 * Invariants:
 *   (1) The rows reflect the catalog as the querying transaction sees it (its own DDL included).
 *   (2) Object ids are stable for the life of an object: a table's oid is derived from its catalog id.
 *   (3) Schemas are the catalog's schemas (an empty one too) when the catalog lists them (schemaNames).
 *   (4) pg_attribute lists views' columns too, with the types their query binds to now (a view whose query
 *       no longer binds, or is being bound already, contributes no columns).
 * Not here: privileges (every object is visible), statistics views, the functions over these oids
 * (col_description, obj_description: catalog-functions.ts).
 */
import { RustyError, type SqlType, type SqlValue, typeName, typeOf } from '../../common/index.js'
import { sessionInfo } from '../../catalog/functions/index.js'
import { parseOne } from '../../sql/index.js'
import { PlanContext } from './context.js'
// A cycle (query-binder.ts binds system relations): QueryBinder is only used when a query names pg_attribute.
import { QueryBinder } from './query-binder.js'
import type { TableDef, ViewDef } from '../../catalog/schema.js'
import type { CatalogReader } from '../../txn/table-access.js'
import type { CatalogWriter } from '../../txn/index.js'

export interface SystemRelation {
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[]
  readonly rows: readonly (readonly SqlValue[])[]
}

const T = typeOf('text')
const I4 = typeOf('int4')
const I2 = typeOf('int2')
const B = typeOf('bool')
const OID = typeOf('int8')

/** PostgreSQL's type oids, so pg tools recognise the types. */
export const TYPE_OIDS: Record<string, number> = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, json: 114, float4: 700, float8: 701,
  bpchar: 1042, varchar: 1043, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186,
  numeric: 1700, uuid: 2950, jsonb: 3802, array: 2277, unknown: 705,
}

const FIXED_SCHEMAS: Record<string, number> = { pg_catalog: 11, public: 2200, information_schema: 13000 }
const OID_BASE = 16384

/**
 * Every schema's name (invariant 3). A transaction's catalog lists its schemas (CatalogWriter.schemas);
 * a reader that cannot contributes the schemas its relations live in.
 */
export function schemaNames(catalog: CatalogReader): string[] {
  const lister = (catalog as Partial<Pick<CatalogWriter, 'schemas'>>).schemas
  const names = new Set<string>(Object.keys(FIXED_SCHEMAS))
  if (typeof lister === 'function') for (const s of lister.call(catalog)) names.add(s.name)
  for (const r of [...catalog.tables(), ...catalog.views(), ...catalog.sequences()]) names.add(r.schema)
  return [...names]
}

function schemaOids(catalog: CatalogReader): Map<string, number> {
  const m = new Map<string, number>(Object.entries(FIXED_SCHEMAS))
  const extra = schemaNames(catalog).filter((n) => !m.has(n)).sort()
  extra.forEach((n, i) => m.set(n, OID_BASE + i))
  return m
}

const REL_OID_BASE = OID_BASE + 1000
const relOid = (id: number): bigint => BigInt(REL_OID_BASE + id)

/** The table or view whose pg_class oid is `oid`, with its comment (COMMENT ON), or undefined. */
export function relationByOid(
  catalog: CatalogReader,
  oid: bigint,
): { kind: 'table'; table: TableDef; comment: string | null } | { kind: 'view'; view: ViewDef; comment: string | null } | undefined {
  const id = Number(oid) - REL_OID_BASE
  if (!Number.isSafeInteger(id) || id < 0) return undefined
  const table = catalog.tableById(id)
  if (table !== undefined) return { kind: 'table', table, comment: table.comment ?? null }
  const view = catalog.views().find((v) => v.id === id)
  return view === undefined ? undefined : { kind: 'view', view, comment: view.comment ?? null }
}

/** Views whose columns are being computed (a view over pg_attribute would recurse): invariant (4). */
const bindingViews = new Set<number>()

/** A view's output columns as its query binds now, or undefined (invariant 4). */
function viewColumns(view: ViewDef, catalog: CatalogReader): { name: string; type: SqlType }[] | undefined {
  if (bindingViews.has(view.id)) return undefined
  bindingViews.add(view.id)
  try {
    const stmt = parseOne(view.sql)
    if (stmt.kind !== 'Query') return undefined
    const ctx = new PlanContext(view.sql, catalog, { defaultSchema: sessionInfo.schema, paramTypes: [] })
    const planned = new QueryBinder(ctx).planQuery(stmt, null)
    return planned.plan.output.map((c, i) => ({ name: view.columns[i] ?? c.name, type: c.type }))
  } catch (err) {
    if (err instanceof RustyError) return undefined
    throw err
  } finally {
    bindingViews.delete(view.id)
  }
}

/** pg_class's oid of the pg_class catalog itself (pg_description.classoid of relation comments). */
const PG_CLASS_OID = 1259n

function cols(spec: string): { name: string; type: SqlType }[] {
  return spec.split(',').map((s) => {
    const [name, t] = s.trim().split(':')
    return { name, type: t === 'i' ? I4 : t === 's' ? I2 : t === 'b' ? B : t === 'o' ? OID : T }
  })
}

/** The data_type column of information_schema.columns. */
function dataType(t: SqlType): string {
  if (t.id === 'array') return 'ARRAY'
  return typeName({ ...t, length: undefined, precision: undefined, scale: undefined })
}

function constraintsOf(t: TableDef): { name: string; type: string; columns: readonly number[] }[] {
  const out: { name: string; type: string; columns: readonly number[] }[] = []
  if (t.primaryKey !== null) out.push({ name: t.primaryKeyName ?? `${t.name}_pkey`, type: 'PRIMARY KEY', columns: t.primaryKey })
  for (const u of t.uniques) out.push({ name: u.name, type: 'UNIQUE', columns: u.columns })
  for (const f of t.foreignKeys) out.push({ name: f.name, type: 'FOREIGN KEY', columns: f.columns })
  for (const c of t.checks) out.push({ name: c.name, type: 'CHECK', columns: [] })
  return out
}

/** A system relation by schema and name, or undefined. Unqualified pg_catalog names resolve too (as in PG). */
export function systemRelation(schema: string | null, name: string, catalog: CatalogReader): SystemRelation | undefined {
  if (schema === 'information_schema') return informationSchema(name, catalog)
  if (schema === 'pg_catalog' || schema === null) return pgCatalog(name, catalog)
  return undefined
}

function informationSchema(name: string, catalog: CatalogReader): SystemRelation | undefined {
  const tables = catalog.tables()
  switch (name) {
    case 'schemata':
      return {
        columns: cols('catalog_name,schema_name,schema_owner'),
        rows: [...schemaOids(catalog).keys()].map((s) => ['rustydb', s, 'rustydb']),
      }
    case 'tables':
      return {
        columns: cols('table_catalog,table_schema,table_name,table_type'),
        rows: [
          ...tables.map((t) => ['rustydb', t.schema, t.name, 'BASE TABLE']),
          ...catalog.views().map((v) => ['rustydb', v.schema, v.name, 'VIEW']),
        ],
      }
    case 'columns':
      return {
        columns: cols('table_catalog,table_schema,table_name,column_name,ordinal_position:i,column_default,is_nullable,data_type,character_maximum_length:i,numeric_precision:i,numeric_scale:i,is_identity,identity_generation'),
        rows: tables.flatMap((t) =>
          t.columns.map((c, i) => [
            'rustydb', t.schema, t.name, c.name, i + 1, c.default, c.notNull ? 'NO' : 'YES', dataType(c.type),
            c.type.length ?? null, c.type.precision ?? null, c.type.scale ?? null,
            c.identity === null ? 'NO' : 'YES', c.identity,
          ]),
        ),
      }
    case 'table_constraints':
      return {
        columns: cols('constraint_catalog,constraint_schema,constraint_name,table_catalog,table_schema,table_name,constraint_type'),
        rows: tables.flatMap((t) => constraintsOf(t).map((c) => ['rustydb', t.schema, c.name, 'rustydb', t.schema, t.name, c.type])),
      }
    case 'key_column_usage':
      return {
        columns: cols('constraint_catalog,constraint_schema,constraint_name,table_catalog,table_schema,table_name,column_name,ordinal_position:i'),
        rows: tables.flatMap((t) =>
          constraintsOf(t).flatMap((c) => c.columns.map((ord, i) => ['rustydb', t.schema, c.name, 'rustydb', t.schema, t.name, t.columns[ord].name, i + 1])),
        ),
      }
    case 'views':
      return {
        columns: cols('table_catalog,table_schema,table_name,view_definition'),
        rows: catalog.views().map((v) => ['rustydb', v.schema, v.name, v.sql]),
      }
    default:
      return undefined
  }
}

function pgCatalog(name: string, catalog: CatalogReader): SystemRelation | undefined {
  const schemas = schemaOids(catalog)
  const tables = catalog.tables()
  switch (name) {
    case 'pg_namespace':
      return { columns: cols('oid:o,nspname,nspowner:o'), rows: [...schemas].map(([n, oid]) => [BigInt(oid), n, 10n]) }
    case 'pg_class':
      return {
        columns: cols('oid:o,relname,relnamespace:o,relkind,reltuples:i,relhasindex:b'),
        rows: [
          ...tables.map((t) => [relOid(t.id), t.name, BigInt(schemas.get(t.schema) ?? 2200), 'r', -1, t.indexes.length > 0 || t.primaryKey !== null]),
          ...catalog.views().map((v) => [relOid(v.id), v.name, BigInt(schemas.get(v.schema) ?? 2200), 'v', -1, false]),
          ...catalog.sequences().map((s) => [relOid(s.id), s.name, BigInt(schemas.get(s.schema) ?? 2200), 'S', -1, false]),
          ...catalog.indexes().map((x) => [relOid(x.id), x.name, BigInt(schemas.get(x.schema) ?? 2200), 'i', -1, false]),
        ],
      }
    case 'pg_attribute':
      return {
        columns: cols('attrelid:o,attname,atttypid:o,attnum:s,attnotnull:b,atthasdef:b,attisdropped:b,attidentity'),
        rows: [
          ...tables.flatMap((t) =>
            t.columns.map((c, i) => [
              relOid(t.id), c.name, BigInt(TYPE_OIDS[c.type.id] ?? 25), i + 1, c.notNull, c.default !== null, false,
              c.identity === 'ALWAYS' ? 'a' : c.identity === 'BY DEFAULT' ? 'd' : '',
            ]),
          ),
          ...catalog.views().flatMap((v) =>
            (viewColumns(v, catalog) ?? []).map((c, i) => [relOid(v.id), c.name, BigInt(TYPE_OIDS[c.type.id] ?? 25), i + 1, false, false, false, '']),
          ),
        ],
      }
    case 'pg_type':
      return {
        columns: cols('oid:o,typname,typnamespace:o'),
        rows: Object.entries(TYPE_OIDS).map(([n, oid]) => [BigInt(oid), n === 'array' ? 'anyarray' : n, 11n]),
      }
    case 'pg_description':
      return {
        columns: cols('objoid:o,classoid:o,objsubid:i,description'),
        rows: [
          ...tables.flatMap((t) => [
            ...(t.comment === undefined ? [] : [[relOid(t.id), PG_CLASS_OID, 0, t.comment]]),
            ...t.columns.flatMap((c, i) => (c.comment === undefined ? [] : [[relOid(t.id), PG_CLASS_OID, i + 1, c.comment]])),
          ]),
          ...catalog.views().flatMap((v) => (v.comment === undefined ? [] : [[relOid(v.id), PG_CLASS_OID, 0, v.comment]])),
        ],
      }
    case 'pg_tables':
      return {
        columns: cols('schemaname,tablename,tableowner,hasindexes:b'),
        rows: tables.map((t) => [t.schema, t.name, 'rustydb', t.indexes.length > 0 || t.primaryKey !== null]),
      }
    case 'pg_views':
      return { columns: cols('schemaname,viewname,viewowner,definition'), rows: catalog.views().map((v) => [v.schema, v.name, 'rustydb', v.sql]) }
    case 'pg_indexes':
      return {
        columns: cols('schemaname,tablename,indexname,indexdef'),
        rows: catalog.indexes().map((x) => {
          const t = catalog.tableById(x.tableId)
          const colsText = x.columns.map((c) => `${t?.columns[c.ordinal]?.name ?? '?'}${c.descending ? ' DESC' : ''}`).join(', ')
          return [x.schema, t?.name ?? '?', x.name, `CREATE ${x.unique ? 'UNIQUE ' : ''}INDEX ${x.name} ON ${x.schema}.${t?.name ?? '?'} (${colsText})`]
        }),
      }
    default:
      return undefined
  }
}
