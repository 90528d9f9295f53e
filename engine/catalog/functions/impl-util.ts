/**
 * Helpers shared by the operator, function and aggregate tables.
 * Owns: ScalarImpl construction (frozen, cached), shared type constants, integer overflow checks.
 * Invariants:
 *   (1) Impl objects are frozen and created once per signature (resolution returns the cached object).
 */
import { RustyError, numericOutOfRange, typeOf, type SqlType, type SqlValue } from '../../common/index.js'
import type { ScalarImpl } from './function-types.js'

export const BOOL = typeOf('bool')
export const INT2 = typeOf('int2')
export const INT4 = typeOf('int4')
export const INT8 = typeOf('int8')
export const FLOAT4 = typeOf('float4')
export const FLOAT8 = typeOf('float8')
export const NUMERIC = typeOf('numeric')
export const TEXT = typeOf('text')
export const BYTEA = typeOf('bytea')
export const DATE = typeOf('date')
export const TIME = typeOf('time')
export const TIMESTAMP = typeOf('timestamp')
export const TIMESTAMPTZ = typeOf('timestamptz')
export const INTERVAL = typeOf('interval')
export const UUID = typeOf('uuid')
export const JSON_T = typeOf('json')
export const JSONB = typeOf('jsonb')
export const UNKNOWN = typeOf('unknown')
export const CHAR = typeOf('bpchar')

const cache = new Map<string, ScalarImpl>()

function sig(t: SqlType): string {
  if (t.id === 'array') return `${sig(t.element!)}[]`
  return t.length !== undefined ? `${t.id}(${t.length})` : t.precision !== undefined ? `${t.id}(${t.precision},${t.scale})` : t.id
}

/** A frozen ScalarImpl; `strict` defaults to true, `volatile` to false. Cached by name and signature. */
export function scalar(
  name: string,
  argTypes: readonly SqlType[],
  returnType: SqlType,
  fn: (...args: SqlValue[]) => SqlValue,
  options: { strict?: boolean; volatile?: boolean; key?: string } = {},
): ScalarImpl {
  const key = `${name}(${argTypes.map(sig).join(',')})${sig(returnType)}${options.key ?? ''}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const impl: ScalarImpl = Object.freeze({
    name,
    argTypes: Object.freeze([...argTypes]),
    returnType,
    strict: options.strict ?? true,
    volatile: options.volatile ?? false,
    fn,
  })
  cache.set(key, impl)
  return impl
}

export const INT4_MIN = -2147483648
export const INT4_MAX = 2147483647
export const INT8_MIN = -(1n << 63n)
export const INT8_MAX = (1n << 63n) - 1n

export function int2Range(): RustyError {
  return numericOutOfRange('smallint out of range')
}
export function int4Range(): RustyError {
  return numericOutOfRange('integer out of range')
}
export function int8Range(): RustyError {
  return numericOutOfRange('bigint out of range')
}

export function checkI2(r: number): number {
  if (r < -32768 || r > 32767) throw int2Range()
  return r === 0 ? 0 : r
}

export function checkI4(r: number): number {
  if (r < INT4_MIN || r > INT4_MAX) throw int4Range()
  return r === 0 ? 0 : r
}

export function checkI8(r: bigint): bigint {
  if (r < INT8_MIN || r > INT8_MAX) throw int8Range()
  return r
}

/** float result check: an infinite result from finite inputs is 22003 overflow (PostgreSQL's float_overflow_error). */
export function checkFloat(r: number, a: number, b: number): number {
  if (r === Infinity || r === -Infinity) {
    if (Number.isFinite(a) && Number.isFinite(b)) throw numericOutOfRange('value out of range: overflow')
  }
  return r
}

export function checkFloat4(r: number, a: number, b: number): number {
  const f = Math.fround(r)
  if ((f === Infinity || f === -Infinity) && Number.isFinite(a) && Number.isFinite(b)) throw numericOutOfRange('value out of range: overflow')
  if (f === 0 && r !== 0) throw numericOutOfRange('value out of range: underflow')
  return f
}

/** Numeric category rank for promotion: int2 < int4 < int8 < numeric < float4 < float8. */
export const NUM_RANK: Record<string, number> = { int2: 0, int4: 1, int8: 2, numeric: 3, float4: 4, float8: 5 }

export function isNum(t: SqlType): boolean {
  return NUM_RANK[t.id] !== undefined
}

export function isStr(t: SqlType): boolean {
  return t.id === 'text' || t.id === 'varchar' || t.id === 'bpchar'
}

/** The promoted numeric type of two numeric types (PostgreSQL: float4 mixed with a non-float4 gives float8). */
export function promote(a: SqlType, b: SqlType): SqlType {
  const ra = NUM_RANK[a.id]
  const rb = NUM_RANK[b.id]
  const r = ra > rb ? ra : rb
  if (r === 4 && ra !== rb) return FLOAT8
  return r === 0 ? INT2 : r === 1 ? INT4 : r === 2 ? INT8 : r === 3 ? NUMERIC : r === 4 ? FLOAT4 : FLOAT8
}

/** A type without modifiers (numeric(10,2) -> numeric, varchar(5) -> varchar). */
export function bare(t: SqlType): SqlType {
  if (t.id === 'array') return t.element !== undefined && (t.element.length !== undefined || t.element.precision !== undefined) ? { id: 'array', element: bare(t.element) } : t
  return t.length !== undefined || t.precision !== undefined ? typeOf(t.id) : t
}
