/**
 * SQL types: the descriptors every layer above storage passes around.
 * Owns: TypeId, SqlType, SqlValue (the engine's internal value representation) and the type constructors.
 * Invariants:
 *   (1) A value of type T is always in T's internal representation (table below); NULL is `null` for every type.
 *   (2) SqlType objects are frozen and compared by `sameType`, never by identity.
 * Not here: casts, operators, formatting and JS conversion (values/), functions (catalog/functions/).
 *
 * TYPE ID        | INTERNAL REPRESENTATION (SqlValue)
 * bool           | boolean
 * int2, int4     | number (an integer in range)
 * int8           | bigint (exact 64-bit)
 * float4, float8 | number
 * numeric        | Decimal (exact; values/decimal.ts)
 * text, varchar, bpchar | string (bpchar is stored blank-padded to its length)
 * bytea          | Uint8Array
 * date           | number: days since 1970-01-01 (±Infinity for ±infinity)
 * time           | number: microseconds since midnight
 * timestamp, timestamptz | number: microseconds since 1970-01-01 00:00 UTC (an integer-valued double; ±Infinity)
 * interval       | Interval (values/interval.ts): months, days, microseconds
 * uuid           | string (lower-case canonical 8-4-4-4-12)
 * json, jsonb    | string (json: the text as given; jsonb: normalized text)
 * array          | readonly SqlValue[] of the element type
 * unknown        | string (an untyped literal, resolved by context as in PostgreSQL)
 * null           | null (the type of a bare NULL before coercion)
 */

/** Every type id, with PostgreSQL's internal names. */
export const TypeId = {
  Bool: 'bool',
  Int2: 'int2',
  Int4: 'int4',
  Int8: 'int8',
  Float4: 'float4',
  Float8: 'float8',
  Numeric: 'numeric',
  Text: 'text',
  Varchar: 'varchar',
  Char: 'bpchar',
  Bytea: 'bytea',
  Date: 'date',
  Time: 'time',
  Timestamp: 'timestamp',
  TimestampTz: 'timestamptz',
  Interval: 'interval',
  Uuid: 'uuid',
  Json: 'json',
  Jsonb: 'jsonb',
  Array: 'array',
  Unknown: 'unknown',
  Null: 'null',
} as const

export type TypeId = (typeof TypeId)[keyof typeof TypeId]

/**
 * A SQL type. `length` for varchar(n)/bpchar(n); `precision`/`scale` for numeric(p,s); `element` for arrays.
 * Construct through the helpers below (they freeze).
 */
export interface SqlType {
  readonly id: TypeId
  readonly length?: number
  readonly precision?: number
  readonly scale?: number
  readonly element?: SqlType
}

/** The internal value of any SQL type (see the table above); `null` is SQL NULL. */
export type SqlValue = null | boolean | number | bigint | string | Uint8Array | object

const plain = new Map<TypeId, SqlType>()

/** The shared descriptor of a type without modifiers. */
export function typeOf(id: TypeId): SqlType {
  let t = plain.get(id)
  if (t === undefined) {
    t = Object.freeze({ id })
    plain.set(id, t)
  }
  return t
}

/** varchar(n) / bpchar(n); without n: unbounded varchar, bpchar(1). */
export function charType(id: 'varchar' | 'bpchar', length?: number): SqlType {
  return length === undefined ? typeOf(id) : Object.freeze({ id, length })
}

/** numeric(p, s); numeric without modifiers keeps any scale. */
export function numericType(precision?: number, scale?: number): SqlType {
  return precision === undefined ? typeOf('numeric') : Object.freeze({ id: 'numeric', precision, scale: scale ?? 0 })
}

/** element[] */
export function arrayType(element: SqlType): SqlType {
  return Object.freeze({ id: 'array', element })
}

/** True when both describe the same type, modifiers included. */
export function sameType(a: SqlType, b: SqlType): boolean {
  if (a === b) return true
  if (a.id !== b.id || a.length !== b.length || a.precision !== b.precision || a.scale !== b.scale) return false
  if (a.element === undefined || b.element === undefined) return a.element === b.element
  return sameType(a.element, b.element)
}

/** PostgreSQL's name of a type, as printed in messages and information_schema (e.g. `character varying(10)`). */
export function typeName(t: SqlType): string {
  switch (t.id) {
    case 'bool': return 'boolean'
    case 'int2': return 'smallint'
    case 'int4': return 'integer'
    case 'int8': return 'bigint'
    case 'float4': return 'real'
    case 'float8': return 'double precision'
    case 'numeric': return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`
    case 'varchar': return t.length === undefined ? 'character varying' : `character varying(${t.length})`
    case 'bpchar': return t.length === undefined ? 'character' : `character(${t.length})`
    case 'timestamp': return 'timestamp without time zone'
    case 'timestamptz': return 'timestamp with time zone'
    case 'time': return 'time without time zone'
    case 'array': return `${typeName(t.element ?? typeOf('unknown'))}[]`
    default: return t.id
  }
}

/** Numeric category test used by coercion rules. */
export function isNumeric(t: SqlType): boolean {
  return t.id === 'int2' || t.id === 'int4' || t.id === 'int8' || t.id === 'float4' || t.id === 'float8' || t.id === 'numeric'
}

/** String category (text, varchar, bpchar, unknown literals). */
export function isString(t: SqlType): boolean {
  return t.id === 'text' || t.id === 'varchar' || t.id === 'bpchar' || t.id === 'unknown'
}
