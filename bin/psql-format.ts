/**
 * psql's aligned output for the CLI: a result as a table with a centered header, a dashed rule, numbers
 * right-aligned and text left-aligned, and a `(N rows)` footer; command tags for statements without rows.
 * Owns: layout only; value text comes from pg-text.ts.
 * Invariants:
 *   (1) NULL prints as an empty cell (psql's default \pset null '').
 *   (2) Widths count characters (code points); wide characters are not measured specially.
 *   (3) Data lines carry no trailing white space; the header keeps psql's padding.
 */
import { pgText } from './pg-text.js'

/** A result column as `Database.query` returns it. */
export interface Column {
  readonly name: string
  readonly type: string
}

const NUMERIC_TYPES = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'int2', 'int4', 'int8', 'float4', 'float8', 'oid'])

/** True for types psql right-aligns. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(type) || type.startsWith('numeric(')
}

function width(text: string): number {
  return [...text].length
}

function padEnd(text: string, w: number): string {
  return text + ' '.repeat(Math.max(0, w - width(text)))
}

function padStart(text: string, w: number): string {
  return ' '.repeat(Math.max(0, w - width(text))) + text
}

/**
 * Rows as psql's aligned table, ending with the `(N rows)` footer line.
 *
 * @example
 * formatTable([{ name: 'id', type: 'integer' }], [[1]])
 * // ' id \n----\n  1\n(1 row)'
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => columns.map((c, i) => (row[i] === null || row[i] === undefined ? '' : pgText(row[i], c.type))))
  const widths = columns.map((c, i) => Math.max(width(c.name), ...cells.map((r) => Math.max(...r[i].split('\n').map(width)))))
  const header = columns
    .map((c, i) => {
      const left = Math.floor((widths[i] - width(c.name)) / 2)
      return ` ${' '.repeat(left)}${padEnd(c.name, widths[i] - left)} `
    })
    .join('|')
  const rule = widths.map((w) => '-'.repeat(w + 2)).join('+')
  const lines = [header, rule]
  for (const row of cells) {
    const line = row.map((cell, i) => ` ${isNumericType(columns[i].type) ? padStart(cell, widths[i]) : padEnd(cell, widths[i])} `).join('|')
    lines.push(line.trimEnd())
  }
  lines.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`)
  return lines.join('\n')
}

/** psql's command tag for a statement without a result table: `INSERT 0 3`, `UPDATE 2`, `CREATE TABLE`. */
export function commandTag(command: string, rowCount: number): string {
  switch (command) {
    case 'INSERT':
      return `INSERT 0 ${rowCount}`
    case 'UPDATE':
    case 'DELETE':
    case 'SELECT':
    case 'MERGE':
    case 'FETCH':
    case 'MOVE':
    case 'COPY':
      return `${command} ${rowCount}`
    default:
      return command
  }
}
