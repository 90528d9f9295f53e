/**
 * sqllogictest value formatting: a result value (a JS value from `Database.query`) to the text one result line
 * holds, as the reference program's SQLite driver (slt_sqlite.c `sqliteQuery`) renders it. The corpus results
 * were produced that way, so a value whose type does not match its column's type character is converted the
 * way SQLite converts it:
 *
 * TYPE CHAR | REFERENCE CALL               | HERE
 * (any)     | column type NULL             | null / undefined -> 'NULL'
 * 'I'       | sqlite3_column_int, "%d"     | integer as is; float truncated toward zero (clamped to int64);
 *           |                              | text: the leading integer prefix ('12.5' -> 12, 'abc' -> 0);
 *           |                              | boolean 1 / 0
 * 'R'       | sqlite3_column_double,"%.3f" | number / bigint as %.3f; text: the leading float prefix (else 0);
 *           |                              | boolean 1 / 0; infinities 'Inf' / '-Inf', NaN 'NaN' (SQLite printf)
 * 'T'       | sqlite3_column_text          | strings as is; integers in decimal; a float column's number as
 *           |                              | SQLite's "%!.15g" (2 -> '2.0', 0.1 -> '0.1', 1e20 -> '1.0e+20');
 *           |                              | boolean '1' / '0' (SQLite has no boolean); other values as
 *           |                              | PostgreSQL text (pg-text.ts). Then '' -> '(empty)' and every byte
 *           |                              | of the UTF-8 text outside ' '..'~' -> '@'.
 *
 * Deliberate difference: 'I' prints the full 64-bit value, where slt_sqlite.c's `sqlite3_column_int` keeps only
 * the low 32 bits; no visible result in the shared corpus is outside the 32-bit range, and our own tests want
 * exact bigints.
 * Not here: sorting and hashing (runner.ts, hash.ts).
 */
import { pgText } from '../../../bin/pg-text.js'

const MAX_I64 = (1n << 63n) - 1n
const MIN_I64 = -(1n << 63n)

/** True for column type names of binary floating point (SqlType ids and PostgreSQL names). */
export function isFloatType(type: string | undefined): boolean {
  return type === 'float8' || type === 'float4' || type === 'double precision' || type === 'real'
}

/**
 * One result value as its sqllogictest line.
 * @param value a JS value as `Database.query(..., { rowMode: 'array' })` returns it
 * @param typeChar the query record's type character for this column: 'I', 'R' or 'T'
 * @param columnType the engine's type name of the column (used to tell a float column's 2 from an integer 2)
 */
export function formatSltValue(value: unknown, typeChar: string, columnType?: string): string {
  if (value === null || value === undefined) return 'NULL'
  switch (typeChar) {
    case 'I':
      return formatInteger(value)
    case 'R':
      return formatReal(toReal(value))
    default:
      return printable(toText(value, columnType))
  }
}

function formatInteger(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return doubleToInt64(value).toString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  return atoi64(toText(value, undefined)).toString()
}

/** SQLite's doubleToInt64: truncation toward zero, clamped to the int64 range (NaN -> 0). */
function doubleToInt64(r: number): bigint {
  if (Number.isNaN(r)) return 0n
  if (r <= -9223372036854775808) return MIN_I64
  if (r >= 9223372036854775807) return MAX_I64
  return BigInt(Math.trunc(r))
}

/** SQLite's sqlite3Atoi64: optional white space and sign, then the leading digits; clamped on overflow. */
export function atoi64(text: string): bigint {
  const m = /^[ \t\n\f\r\v]*([+-]?)0*(\d*)/.exec(text)
  if (m === null || m[2] === '') return 0n
  let v = BigInt(m[2])
  if (m[1] === '-') v = -v
  if (v > MAX_I64) return MAX_I64
  if (v < MIN_I64) return MIN_I64
  return v
}

function toReal(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  return atof(toText(value, undefined))
}

/** SQLite's text-to-real conversion: the longest leading decimal literal, else 0. */
export function atof(text: string): number {
  const m = /^[ \t\n\f\r\v]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text)
  return m === null ? 0 : Number(m[1])
}

/**
 * printf("%.3f") as SQLite's printf does it: halves round away from zero, no '-' on an exact -0, and at most
 * 16 significant digits, the rest printed as zeros (-9223372036854775808 -> '-9223372036854776000.000', as
 * the corpus expects in evidence/slt_lang_aggfunc.test).
 */
export function formatReal(r: number): string {
  if (Number.isNaN(r)) return 'NaN'
  if (r === Infinity) return 'Inf'
  if (r === -Infinity) return '-Inf'
  if (Math.abs(r) < 1e13) return r.toFixed(3)
  const [mantissa, expText] = Math.abs(r).toExponential(15).split('e')
  const digits = mantissa.replace('.', '')
  const intDigits = Number(expText) + 1
  const int = intDigits >= 16 ? digits + '0'.repeat(intDigits - 16) : digits.slice(0, intDigits)
  const frac = intDigits >= 16 ? '000' : `${digits.slice(intDigits)}000`.slice(0, 3)
  return `${r < 0 ? '-' : ''}${int}.${frac}`
}

/**
 * SQLite's "%!.15g" (how SQLite turns a REAL into text): 15 significant digits, trailing zeros dropped but at
 * least one digit after the point, exponent form outside 1e-4 <= |r| < 1e15 with a two-digit exponent.
 */
export function sqliteRealText(r: number): string {
  if (Number.isNaN(r)) return 'NaN'
  if (!Number.isFinite(r)) return r > 0 ? 'Inf' : '-Inf'
  if (r === 0) return Object.is(r, -0) ? '-0.0' : '0.0'
  const [mantissa, expText] = r.toExponential(14).split('e')
  const exp = Number(expText)
  if (exp < -4 || exp > 14) {
    const e = Math.abs(exp)
    return `${trimZeros(mantissa)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
  }
  return trimZeros(r.toFixed(14 - exp))
}

function trimZeros(fixed: string): string {
  if (!fixed.includes('.')) return `${fixed}.0`
  const t = fixed.replace(/0+$/, '')
  return t.endsWith('.') ? `${t}0` : t
}

function toText(value: unknown, columnType: string | undefined): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return isFloatType(columnType) || !Number.isInteger(value) ? sqliteRealText(value) : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  return pgText(value, columnType)
}

const encoder = new TextEncoder()

/** '' -> '(empty)'; every UTF-8 byte outside ' '..'~' -> '@' (slt_sqlite.c: signed char compare). */
function printable(text: string): string {
  if (text === '') return '(empty)'
  // Fast path: pure printable ASCII.
  if (/^[ -~]*$/.test(text)) return text
  let out = ''
  for (const byte of encoder.encode(text)) out += byte < 0x20 || byte > 0x7e ? '@' : String.fromCharCode(byte)
  return out
}
