/**
 * PostgreSQL text output for JS result values: what psql would print for a value `Database.query` returned.
 * Owns: the JS-value-to-text rules of the CLI (and of the sqllogictest runner's 'T' columns for values that are
 * neither strings nor numbers).
 * Invariants:
 *   (1) NULL is the caller's business (psql prints nothing, sqllogictest prints 'NULL'); never called with null.
 *   (2) Column type names are SqlType ids ('int4', 'timestamptz', ...) or PostgreSQL names; unknown names fall
 *       back to rules by JS type.
 * Not here: the engine's own formatValue (engine/common/values) works on internal values; results reach the CLI
 * as JS values (toJs), so this file maps those back. Float text is JS's shortest round trip, which is
 * PostgreSQL 12+'s except for exponent thresholds (JS prints 1e20 in full, PostgreSQL as 1e+20).
 */

/** Hex digits of a byte array, PostgreSQL's bytea output: `\x0102ff`. */
function byteaText(bytes: Uint8Array): string {
  let out = '\\x'
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** A Date as PostgreSQL prints a timestamp (UTC), with '+00' for timestamptz and fractional seconds if any. */
function timestampText(d: Date, withZone: boolean): string {
  if (Number.isNaN(d.getTime())) return 'invalid'
  const y = d.getUTCFullYear()
  const year = y <= 0 ? `${pad(1 - y, 4)}` : pad(y, 4)
  let text = `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const ms = d.getUTCMilliseconds()
  if (ms !== 0) text += `.${pad(ms, 3).replace(/0+$/, '')}`
  if (withZone) text += '+00'
  if (y <= 0) text += ' BC'
  return text
}

/** One array element inside `{...}`: quoted when PostgreSQL would quote it. */
function arrayElementText(value: unknown, elementType: string | undefined): string {
  if (value === null || value === undefined) return 'NULL'
  if (Array.isArray(value)) return arrayText(value, elementType)
  const text = pgText(value, elementType)
  if (text === '' || /[{},"\\\s]/.test(text) || text.toUpperCase() === 'NULL') {
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  }
  return text
}

function arrayText(values: readonly unknown[], elementType: string | undefined): string {
  return `{${values.map((v) => arrayElementText(v, elementType)).join(',')}}`
}

/**
 * PostgreSQL text of a non-NULL JS result value.
 * @param value as toJs returns it: number, bigint, string, boolean, Date, Uint8Array, array, parsed JSON
 * @param type the column's type id or name, if known (e.g. 'timestamptz', 'jsonb', 'int4[]')
 *
 * @example
 * pgText(true, 'bool') // 't'
 * pgText(new Uint8Array([1, 255]), 'bytea') // '\x01ff'
 */
export function pgText(value: unknown, type?: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (value === Infinity) return 'Infinity'
    if (value === -Infinity) return '-Infinity'
    return Object.is(value, -0) ? '-0' : String(value)
  }
  if (value instanceof Date) return timestampText(value, type === 'timestamptz' || type === 'timestamp with time zone')
  if (value instanceof Uint8Array) return byteaText(value)
  if (type === 'json' || type === 'jsonb') return jsonText(value)
  if (Array.isArray(value)) {
    const element = type?.endsWith('[]') ? type.slice(0, -2) : undefined
    return arrayText(value, element)
  }
  if (typeof value === 'object') return jsonText(value)
  return String(value)
}

/** JSON as PostgreSQL prints jsonb: `{"a": 1, "b": [1, 2]}` (a space after ':' and ','). */
export function jsonText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${jsonText(v)}`).join(', ')}}`
}
