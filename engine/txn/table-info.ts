/**
 * TableInfo: what the row paths need from a TableDef, computed once per definition.
 * Owns: tree names, column types, NOT NULL ordinals, primary-key and index key encoding (row key, index
 * entry keys), and the format of index entries.
 * Invariants:
 *   (1) Row key: the primary key's columns, ascending, encoded by appendKeyValue; without a primary key, the
 *       hidden row id as one int8 key component (KeyEncoder.int).
 *   (2) Index entry: key = the index columns (each in its direction) followed by the row key's bytes, value =
 *       the row key. A UNIQUE index whose columns are all non-NULL leaves the row key out of the entry key, so
 *       a duplicate is found by one point lookup; with a NULL (never a duplicate, as in PostgreSQL) the row
 *       key is appended as for a plain index. Either way the entry keys of one value prefix are contiguous,
 *       so a prefix range finds them all.
 *   (3) Infos are cached per TableDef object: definitions are frozen and replaced on change (catalog (2)).
 * Not here: the merge of writes over the snapshot (transaction.ts).
 */
import { sameType, type SqlType, type SqlValue } from '../common/types.js'
import type { ForeignKeyDef, IndexDef, TableDef } from '../catalog/schema.js'
import { indexTree, tableTree } from '../catalog/catalog-state.js'
import { appendKeyValue } from '../catalog/value-key.js'
import { resolveCast } from '../catalog/functions/index.js'
import type { CastFn } from '../catalog/functions/function-types.js'
import { KeyEncoder } from '../storage/index.js'

/** Key layout of one index. */
export interface IndexInfo {
  readonly def: IndexDef
  readonly tree: string
  readonly ordinals: readonly number[]
  readonly types: readonly SqlType[]
  readonly descending: readonly boolean[]
  readonly nullsFirst: readonly boolean[]
  readonly unique: boolean
}

/** Derived facts about one table definition. */
export interface TableInfo {
  readonly def: TableDef
  readonly tree: string
  readonly types: readonly SqlType[]
  readonly notNull: readonly number[]
  readonly pk: readonly number[] | null
  readonly pkTypes: readonly SqlType[]
  readonly indexes: readonly IndexInfo[]
  readonly foreignKeys: readonly ForeignKeyDef[]
}

const cache = new WeakMap<TableDef, TableInfo>()

/** The info of `def` (invariant 3). */
export function tableInfo(def: TableDef): TableInfo {
  let info = cache.get(def)
  if (info === undefined) {
    const types = def.columns.map((c) => c.type)
    const notNull: number[] = []
    def.columns.forEach((c, i) => {
      if (c.notNull) notNull.push(i)
    })
    info = {
      def,
      tree: tableTree(def.id),
      types,
      notNull,
      pk: def.primaryKey,
      pkTypes: (def.primaryKey ?? []).map((i) => types[i]),
      indexes: def.indexes.map((index) => indexInfo(index, types)),
      foreignKeys: def.foreignKeys,
    }
    cache.set(def, info)
  }
  return info
}

function indexInfo(def: IndexDef, types: readonly SqlType[]): IndexInfo {
  return {
    def,
    tree: indexTree(def.id),
    ordinals: def.columns.map((c) => c.ordinal),
    types: def.columns.map((c) => types[c.ordinal]),
    descending: def.columns.map((c) => c.descending),
    nullsFirst: def.columns.map((c) => c.nullsFirst),
    unique: def.unique,
  }
}

const encoder = new KeyEncoder(256)

/**
 * Keys are copied out of the encoder into shared 64 KiB chunks (subarray views): one small object per key
 * instead of a Uint8Array with its own ArrayBuffer, which matters for bulk inserts (GC pressure).
 */
const CHUNK = 1 << 16
let chunk = new Uint8Array(CHUNK)
let chunkAt = 0

/** The encoder's bytes (then `suffix`, if given) as a key of their own. */
function take(suffix?: Uint8Array): Uint8Array {
  const v = encoder.view()
  const n = v.length + (suffix?.length ?? 0)
  if (chunkAt + n > chunk.length) {
    chunk = new Uint8Array(Math.max(CHUNK, n))
    chunkAt = 0
  }
  const out = chunk.subarray(chunkAt, chunkAt + n)
  out.set(v)
  if (suffix !== undefined) out.set(suffix, v.length)
  chunkAt += n
  return out
}

/** The row key of `row` (a full row) when the table has a primary key (invariant 1). */
export function primaryKeyOf(info: TableInfo, row: readonly SqlValue[]): Uint8Array {
  const pk = info.pk as readonly number[]
  encoder.reset()
  for (let i = 0; i < pk.length; i++) appendKeyValue(encoder, row[pk[i]], info.pkTypes[i], false, false)
  return take()
}

/** The row key of primary-key values given in key order. */
export function primaryKeyFromValues(info: TableInfo, values: readonly SqlValue[]): Uint8Array {
  encoder.reset()
  for (let i = 0; i < values.length; i++) appendKeyValue(encoder, values[i], info.pkTypes[i], false, false)
  return take()
}

/** The row key of hidden row id `id` (invariant 1). */
export function rowIdKey(id: number): Uint8Array {
  encoder.reset().int(id)
  return take()
}

/** Encodes a key prefix of `values` over the first `values.length` columns of a key layout. */
export function encodePrefix(
  values: readonly SqlValue[],
  types: readonly SqlType[],
  descending: readonly boolean[] | null,
  nullsFirst: readonly boolean[] | null,
): Uint8Array {
  encoder.reset()
  for (let i = 0; i < values.length; i++) {
    const desc = descending?.[i] ?? false
    appendKeyValue(encoder, values[i], types[i], desc, nullsFirst?.[i] ?? desc)
  }
  return encoder.finish()
}

/**
 * The entry key of `row` in an index (invariant 2), and whether it is subject to the unique check (a
 * UNIQUE index and no NULL among the index values).
 */
export function indexEntryKey(index: IndexInfo, row: readonly SqlValue[], rowKey: Uint8Array): { key: Uint8Array; checked: boolean } {
  encoder.reset()
  let hasNull = false
  const ordinals = index.ordinals
  for (let i = 0; i < ordinals.length; i++) {
    const v = row[ordinals[i]]
    if (v === null) hasNull = true
    appendKeyValue(encoder, v, index.types[i], index.descending[i], index.nullsFirst[i])
  }
  const checked = index.unique && !hasNull
  return { key: checked ? take() : take(rowKey), checked }
}

/** True when both byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Conversions between a foreign key's columns and the referenced columns (types may differ: int4 -> int8). */
export interface ForeignKeyCasts {
  readonly parent: TableDef
  /** Child value -> the referenced column's type (identity when the types are the same). */
  readonly toParent: readonly (CastFn | null)[]
  /** Referenced value -> the child column's type. */
  readonly toChild: readonly (CastFn | null)[]
}

const fkCache = new WeakMap<ForeignKeyDef, ForeignKeyCasts>()

function castBetween(from: SqlType, to: SqlType): CastFn | null {
  if (sameType(from, to)) return null
  return resolveCast(from, to, 'implicit') ?? resolveCast(from, to, 'assignment') ?? resolveCast(from, to, 'explicit') ?? null
}

/** The casts of `fk` (of table `child`) against the current definition of its referenced table. */
export function foreignKeyCasts(fk: ForeignKeyDef, child: TableInfo, parent: TableDef): ForeignKeyCasts {
  let casts = fkCache.get(fk)
  if (casts === undefined || casts.parent !== parent) {
    const childTypes = fk.columns.map((c) => child.types[c])
    const parentTypes = fk.refColumns.map((c) => parent.columns[c].type)
    casts = {
      parent,
      toParent: childTypes.map((t, i) => castBetween(t, parentTypes[i])),
      toChild: parentTypes.map((t, i) => castBetween(t, childTypes[i])),
    }
    fkCache.set(fk, casts)
  }
  return casts
}

/** Applies per-value casts (null: keep) to non-NULL values. */
export function castAll(values: readonly SqlValue[], casts: readonly (CastFn | null)[]): SqlValue[] {
  const out = values.slice()
  for (let i = 0; i < out.length; i++) {
    const cast = casts[i]
    if (cast !== null && out[i] !== null) out[i] = cast(out[i])
  }
  return out
}
