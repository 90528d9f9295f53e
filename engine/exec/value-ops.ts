/**
 * Value operations the operators need per row: ordering, hash keys, composite keys, gathering columns.
 * Owns: type-specialised comparators and key functions (fast paths for types whose internal values JS can
 * compare or use as Map keys directly) over helper V's compareValues / hashKey for everything else.
 * Invariants:
 *   (1) keyFor(t)(a) === keyFor(t)(b) (Map-equal) exactly when compareValues(a, b, t) = 0, for non-NULL values.
 *   (2) compositeKey is injective: different key tuples give different strings (length-prefixed parts).
 *   (3) Text compares by code point (compareText: the C collation, as the key codec orders text).
 * Not here: SQL NULL handling (callers test null first), value formatting.
 */
import type { SqlType, SqlValue } from '../common/types.js'
import { hashKey } from '../common/index.js'

export { comparatorFor, type Comparator } from '../common/index.js'
export type KeyFn = (v: SqlValue) => unknown

const numberLike = new Set(['int2', 'int4', 'date', 'time', 'timestamp', 'timestamptz'])
const directKey = new Set([
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'text',
  'varchar',
  'uuid',
  'unknown',
])

/** True when JS `===` on internal values is SQL equality for this type (and values are Map keys as is). */
export function hasDirectKey(t: SqlType): boolean {
  return directKey.has(t.id)
}

/** True when JS `<`/`>` on internal values is SQL order for this type (no NaN handling needed). */
export function hasDirectOrder(t: SqlType): boolean {
  return numberLike.has(t.id) || t.id === 'int8'
}

const identity: KeyFn = (v) => v

/** Map key of a non-NULL value of type t (invariant (1)). */
export function keyFor(t: SqlType): KeyFn {
  if (directKey.has(t.id)) return identity
  return (v) => hashKey(v, t)
}

/** Injective string for a tuple of keys (invariant (2)); NULL is its own part. */
export function compositeKey(parts: readonly unknown[]): string {
  let s = ''
  for (let i = 0; i < parts.length; i++) s += partKey(parts[i])
  return s
}

function partKey(k: unknown): string {
  switch (typeof k) {
    case 'number':
      return `n${k === 0 ? 0 : k}|`
    case 'bigint':
      return `b${k}|`
    case 'boolean':
      return k ? 't|' : 'f|'
    case 'string':
      return `s${k.length}:${k}`
    default:
      if (k === null) return 'N|'
      // A key function returned an object: fall back to its JSON form (hashKey never does this).
      return `o${JSON.stringify(k)}|`
  }
}

/** Builds a key function over several columns: one direct column stays direct, more compose. */
export function rowKeyFn(types: readonly SqlType[]): (values: readonly SqlValue[]) => unknown {
  const fns = types.map(keyFor)
  if (fns.length === 1) {
    const f = fns[0]
    return (values) => (values[0] === null ? null : f(values[0]))
  }
  const parts = new Array<unknown>(fns.length)
  return (values) => {
    for (let i = 0; i < fns.length; i++) parts[i] = values[i] === null ? null : fns[i](values[i])
    return compositeKey(parts)
  }
}

/** A string that identifies a byte string (row keys in Sets/Maps). */
export function bytesKey(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
  return s
}

/** column[sel[i]] for each i (a new array). */
export function gather(column: readonly SqlValue[], sel: ArrayLike<number>, n = sel.length): SqlValue[] {
  const out = new Array<SqlValue>(n)
  for (let i = 0; i < n; i++) out[i] = column[sel[i]]
  return out
}

/** column[sel[i]] or NULL where sel[i] < 0. */
export function gatherOrNull(column: readonly SqlValue[], sel: ArrayLike<number>, n = sel.length): SqlValue[] {
  const out = new Array<SqlValue>(n)
  for (let i = 0; i < n; i++) {
    const j = sel[i]
    out[i] = j < 0 ? null : column[j]
  }
  return out
}

/** n copies of v. */
export function filled(n: number, v: SqlValue): SqlValue[] {
  return new Array<SqlValue>(n).fill(v)
}
