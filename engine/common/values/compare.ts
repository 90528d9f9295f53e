/**
 * Comparison and hashing of SQL values.
 * Owns: compareValues (PostgreSQL's btree order per type) and hashKey/rowHashKey (grouping keys).
 * Invariants:
 *   (1) compareValues(a, b, t) === 0 exactly when hashKey(a, t) and hashKey(b, t) are equal (=== / Map
 *       SameValueZero). Tested by property tests.
 *   (2) Floats: -0 = 0; NaN = NaN and NaN is greater than every other value (PostgreSQL's float order).
 *   (3) Text compares by code point (the "C" collation, as the key codec orders it); bpchar ignores trailing
 *       blanks; interval compares its 30-day-month span; numeric ignores the display scale.
 *   (4) json has no equality in PostgreSQL; we compare/hash its text so DISTINCT and GROUP BY still work.
 * Not here: SQL-level NULL handling (callers handle NULL: both arguments are non-NULL here).
 */
import type { SqlType, SqlValue } from '../types.js'
import type { Decimal } from './decimal.js'
import type { Interval } from './interval.js'

/** Code point order of two strings (UTF-16 order differs only between surrogates and U+E000..U+FFFF). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x < y ? -1 : 1
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

/** A bpchar value without its trailing blanks (they are insignificant for comparison). */
export function bpcharTrim(s: string): string {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--
  return end === s.length ? s : s.slice(0, end)
}

function compareFloat(a: number, b: number): number {
  if (a < b) return -1
  if (a > b) return 1
  if (a === b) return 0
  // At least one NaN.
  const an = a !== a
  const bn = b !== b
  return an === bn ? 0 : an ? 1 : -1
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

/** A comparison of two non-NULL values of one type: negative, 0 or positive. */
export type Comparator = (a: SqlValue, b: SqlValue) => number

const compareNumbers: Comparator = (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0)
const compareBigints: Comparator = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0)
const compareFloats: Comparator = (a, b) => compareFloat(a as number, b as number)
const compareStrings: Comparator = (a, b) => compareText(a as string, b as string)
const compareBools: Comparator = (a, b) => (a === b ? 0 : a ? 1 : -1)

/**
 * The comparator of a type, chosen once: hot loops (sort, window frames, merge steps) call it per pair
 * without a switch per call. Same order as compareValues.
 */
export function comparatorFor(type: SqlType): Comparator {
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return compareNumbers
    case 'int8':
      return compareBigints
    case 'float4':
    case 'float8':
      return compareFloats
    case 'text':
    case 'varchar':
    case 'unknown':
    case 'uuid':
    case 'json':
    case 'jsonb':
      return compareStrings
    case 'bool':
      return compareBools
    default:
      return (a, b) => compareValues(a, b, type)
  }
}

/**
 * Compares two non-NULL values of type `type`: negative, 0 or positive (PostgreSQL's btree order).
 * Arrays compare element by element (NULL elements greater than any value), then by length.
 */
export function compareValues(a: SqlValue, b: SqlValue, type: SqlType): number {
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return compareNumbers(a, b)
    case 'int8':
      return compareBigints(a, b)
    case 'float4':
    case 'float8':
      return compareFloat(a as number, b as number)
    case 'numeric':
      return (a as Decimal).compare(b as Decimal)
    case 'text':
    case 'varchar':
    case 'unknown':
    case 'uuid':
    case 'json':
    case 'jsonb':
      return compareText(a as string, b as string)
    case 'bpchar':
      return compareText(bpcharTrim(a as string), bpcharTrim(b as string))
    case 'bool':
      return compareBools(a, b)
    case 'bytea':
      return compareBytes(a as Uint8Array, b as Uint8Array)
    case 'interval':
      return (a as Interval).compare(b as Interval)
    case 'array':
      return compareArrays(a as readonly SqlValue[], b as readonly SqlValue[], type.element!)
    default:
      return a === b ? 0 : String(a) < String(b) ? -1 : 1
  }
}

function compareArrays(a: readonly SqlValue[], b: readonly SqlValue[], element: SqlType): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const x = a[i]
    const y = b[i]
    if (x === null || y === null) {
      if (x === y) continue
      return x === null ? 1 : -1
    }
    const c = compareValues(x, y, element)
    if (c !== 0) return c
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

function bytesKey(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i])
  return s
}

/**
 * A grouping key of a non-NULL value: values that compare equal give identical keys (invariant (1)).
 * Cheap for the common types: the value itself for integers, dates, timestamps, booleans and text.
 */
export function hashKey(value: SqlValue, type: SqlType): string | number | boolean | bigint {
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'int8':
    case 'bool':
    case 'text':
    case 'varchar':
    case 'unknown':
    case 'uuid':
    case 'json':
    case 'jsonb':
      return value as string | number | bigint | boolean
    case 'float4':
    case 'float8': {
      const x = value as number
      return x === 0 ? 0 : x !== x ? 'NaN' : x
    }
    case 'numeric':
      return (value as Decimal).key()
    case 'bpchar':
      return bpcharTrim(value as string)
    case 'bytea':
      return bytesKey(value as Uint8Array)
    case 'interval':
      return (value as Interval).span()
    case 'array':
      return arrayKey(value as readonly SqlValue[], type.element!)
    default:
      return String(value)
  }
}

/** One element key, made unambiguous inside a composite string key: length-prefixed text. */
function part(key: string | number | boolean | bigint | null): string {
  if (key === null) return 'N'
  const s = typeof key === 'string' ? key : String(key)
  return `${typeof key === 'string' ? 's' : typeof key === 'number' ? 'n' : typeof key === 'bigint' ? 'b' : 'B'}${s.length}:${s}`
}

function arrayKey(values: readonly SqlValue[], element: SqlType): string {
  let out = '['
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out += part(v === null ? null : hashKey(v, element))
  }
  return out
}

/**
 * The grouping key of several values (NULLs allowed: NULL groups with NULL, as GROUP BY and DISTINCT do).
 * One value: its hashKey (or null for NULL); several: one string.
 */
export function rowHashKey(values: readonly SqlValue[], types: readonly SqlType[]): string | number | boolean | bigint | null {
  if (values.length === 1) {
    const v = values[0]
    return v === null ? null : hashKey(v, types[0])
  }
  let out = ''
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out += part(v === null ? null : hashKey(v, types[i]))
  }
  return out
}

