/**
 * CatalogState: every schema, table, index, view and sequence definition of one database, in memory, with
 * name lookups; and its stored form in the `__catalog` tree.
 * Owns: the relation namespace (tables, views, sequences and indexes share one namespace per schema, as
 * PostgreSQL's pg_class does), object ids, the record format of the catalog tree.
 * Invariants:
 *   (1) `#names` maps `schema \0 name` of every table, view, sequence and index to its kind and id; a name is
 *       used by at most one relation per schema.
 *   (2) Definitions are frozen; changing an object replaces its definition (so a TableDef can key caches).
 *   (3) Ids come from `nextId`, which only grows; an id is never reused, even after a rollback.
 *   (4) Stored form: one entry per object, key = UTF-8 `<kind>:<id or name>`, value = UTF-8 JSON of the
 *       definition (bigints as {"$bigint": "digits"}). Kinds: `schema:<name>`, `table:<id>`, `view:<id>`,
 *       `sequence:<id>`; `meta:next_id` holds nextId. Sequence positions live in `__sequences` (they are not
 *       transactional: txn-manager.ts writes them).
 * Not here: transactions over the catalog (engine/txn), DDL semantics (engine/plan/ddl).
 */
import { RustyError, SqlState } from '../common/index.js'
import type { IndexDef, SequenceDef, TableDef, ViewDef } from './schema.js'

/** A schema (namespace). */
export interface SchemaDef {
  readonly name: string
  /** public, information_schema, pg_catalog: created with the database. */
  readonly builtin: boolean
}

/** The kinds of relations in the shared namespace. */
export type RelationKind = 'table' | 'view' | 'sequence' | 'index'

/** The built-in schemas, in search order for unqualified names of system objects. */
export const BUILTIN_SCHEMAS = ['public', 'information_schema', 'pg_catalog'] as const

/**
 * The schema of temporary tables, views and sequences (PostgreSQL's pg_temp): searched first for unqualified
 * names, emptied when the TxnManager opens and closes (one session per database for now).
 */
export const TEMP_SCHEMA = 'pg_temp'

/** The catalog tree's name. */
export const CATALOG_TREE = '__catalog'
/** The tree of sequence positions. */
export const SEQUENCE_TREE = '__sequences'

/** Tree holding a table's rows. */
export function tableTree(id: number): string {
  return `t${id}`
}

/** Tree holding an index's entries. */
export function indexTree(id: number): string {
  return `i${id}`
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function nameKey(schema: string, name: string): string {
  return `${schema}\0${name}`
}

/** Deep-freezes a plain JSON-shaped value. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value as object)) deepFreeze(v)
  }
  return value
}

/** The catalog of one database (or of one transaction's view of it: see clone()). */
export class CatalogState {
  readonly tables = new Map<number, TableDef>()
  readonly views = new Map<number, ViewDef>()
  readonly sequences = new Map<number, SequenceDef>()
  readonly schemas = new Map<string, SchemaDef>()
  readonly indexes = new Map<number, IndexDef>()
  nextId = 1
  /** Invariant (1). */
  #names = new Map<string, { kind: RelationKind; id: number }>()
  /** Catalog keys changed since the last takeDirty() (only tracked when `trackChanges`). */
  #dirty: Set<string> | undefined

  /** A fresh catalog with the built-in schemas. */
  static initial(): CatalogState {
    const state = new CatalogState()
    for (const name of BUILTIN_SCHEMAS) state.schemas.set(name, Object.freeze({ name, builtin: true }))
    return state
  }

  /** A copy that changes independently (definitions are shared: they are frozen), tracking its changes. */
  clone(): CatalogState {
    const copy = new CatalogState()
    for (const [k, v] of this.tables) copy.tables.set(k, v)
    for (const [k, v] of this.views) copy.views.set(k, v)
    for (const [k, v] of this.sequences) copy.sequences.set(k, v)
    for (const [k, v] of this.schemas) copy.schemas.set(k, v)
    for (const [k, v] of this.indexes) copy.indexes.set(k, v)
    for (const [k, v] of this.#names) copy.#names.set(k, v)
    copy.nextId = this.nextId
    copy.#dirty = new Set(this.#dirty ?? [])
    return copy
  }

  /** The catalog keys changed in this copy since clone() (invariant 4 names). */
  dirtyKeys(): ReadonlySet<string> {
    return this.#dirty ?? new Set()
  }

  #touch(key: string): void {
    this.#dirty?.add(key)
  }

  /** The relation called `name` in `schema`. */
  relation(schema: string, name: string): { kind: RelationKind; id: number } | undefined {
    return this.#names.get(nameKey(schema, name))
  }

  /** Throws 42P07 if `name` is taken in `schema` by any relation. */
  assertNameFree(schema: string, name: string): void {
    if (this.#names.has(nameKey(schema, name))) {
      throw new RustyError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`)
    }
  }

  /** Takes the next object id (invariant 3). */
  allocateId(): number {
    this.#touch('meta:next_id')
    return this.nextId++
  }

  putSchema(def: SchemaDef): void {
    this.schemas.set(def.name, Object.freeze(def))
    this.#touch(`schema:${def.name}`)
  }

  removeSchema(name: string): void {
    this.schemas.delete(name)
    this.#touch(`schema:${name}`)
  }

  /** Adds or replaces a table (and its indexes) under its id; names are re-indexed. */
  putTable(def: TableDef): void {
    const old = this.tables.get(def.id)
    if (old !== undefined) this.#unindexTable(old)
    deepFreeze(def)
    this.tables.set(def.id, def)
    this.#names.set(nameKey(def.schema, def.name), { kind: 'table', id: def.id })
    for (const index of def.indexes) {
      this.indexes.set(index.id, index)
      this.#names.set(nameKey(index.schema, index.name), { kind: 'index', id: index.id })
    }
    this.#touch(`table:${def.id}`)
  }

  removeTable(id: number): void {
    const old = this.tables.get(id)
    if (old === undefined) return
    this.#unindexTable(old)
    this.tables.delete(id)
    this.#touch(`table:${id}`)
  }

  #unindexTable(def: TableDef): void {
    this.#names.delete(nameKey(def.schema, def.name))
    for (const index of def.indexes) {
      this.indexes.delete(index.id)
      this.#names.delete(nameKey(index.schema, index.name))
    }
  }

  putView(def: ViewDef): void {
    const old = this.views.get(def.id)
    if (old !== undefined) this.#names.delete(nameKey(old.schema, old.name))
    deepFreeze(def)
    this.views.set(def.id, def)
    this.#names.set(nameKey(def.schema, def.name), { kind: 'view', id: def.id })
    this.#touch(`view:${def.id}`)
  }

  removeView(id: number): void {
    const old = this.views.get(id)
    if (old === undefined) return
    this.#names.delete(nameKey(old.schema, old.name))
    this.views.delete(id)
    this.#touch(`view:${id}`)
  }

  putSequence(def: SequenceDef): void {
    const old = this.sequences.get(def.id)
    if (old !== undefined) this.#names.delete(nameKey(old.schema, old.name))
    deepFreeze(def)
    this.sequences.set(def.id, def)
    this.#names.set(nameKey(def.schema, def.name), { kind: 'sequence', id: def.id })
    this.#touch(`sequence:${def.id}`)
  }

  removeSequence(id: number): void {
    const old = this.sequences.get(id)
    if (old === undefined) return
    this.#names.delete(nameKey(old.schema, old.name))
    this.sequences.delete(id)
    this.#touch(`sequence:${id}`)
  }

  // --- stored form (invariant 4) -------------------------------------------------------------------------

  /** The stored value of catalog key `key` in this state, or undefined when the object does not exist. */
  recordOf(key: string): Uint8Array | undefined {
    const colon = key.indexOf(':')
    const kind = key.slice(0, colon)
    const rest = key.slice(colon + 1)
    let value: unknown
    if (kind === 'meta') value = this.nextId
    else if (kind === 'schema') value = this.schemas.get(rest)
    else if (kind === 'table') value = this.tables.get(Number(rest))
    else if (kind === 'view') value = this.views.get(Number(rest))
    else if (kind === 'sequence') value = this.sequences.get(Number(rest))
    if (value === undefined) return undefined
    return encoder.encode(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)))
  }

  /** Every record of this state, for a new database's first commit. */
  allRecords(): [string, Uint8Array][] {
    const keys = ['meta:next_id']
    for (const name of this.schemas.keys()) keys.push(`schema:${name}`)
    for (const id of this.tables.keys()) keys.push(`table:${id}`)
    for (const id of this.views.keys()) keys.push(`view:${id}`)
    for (const id of this.sequences.keys()) keys.push(`sequence:${id}`)
    return keys.map((k) => [k, this.recordOf(k) as Uint8Array])
  }

  /** Rebuilds a state from stored records (key bytes, value bytes). Throws XX001-style errors on garbage. */
  static fromRecords(records: Iterable<readonly [Uint8Array, Uint8Array]>): CatalogState {
    const state = new CatalogState()
    for (const [k, v] of records) {
      const key = decoder.decode(k)
      const kind = key.slice(0, key.indexOf(':'))
      let value: unknown
      try {
        value = JSON.parse(decoder.decode(v), (_k, x: unknown) =>
          x !== null && typeof x === 'object' && typeof (x as { $bigint?: unknown }).$bigint === 'string'
            ? BigInt((x as { $bigint: string }).$bigint)
            : x,
        )
      } catch (error) {
        throw new RustyError(SqlState.DATA_CORRUPTED, `catalog record "${key}" is not valid JSON`, { cause: error })
      }
      if (kind === 'meta') state.nextId = value as number
      else if (kind === 'schema') state.schemas.set((value as SchemaDef).name, deepFreeze(value as SchemaDef))
      else if (kind === 'table') state.putTable(value as TableDef)
      else if (kind === 'view') state.putView(value as ViewDef)
      else if (kind === 'sequence') state.putSequence(value as SequenceDef)
    }
    state.#dirty = undefined
    return state
  }

  /** Stops tracking changes (the committed state). */
  settle(): void {
    this.#dirty = undefined
  }

  /** Key bytes of catalog key `key`. */
  static keyBytes(key: string): Uint8Array {
    return encoder.encode(key)
  }
}
