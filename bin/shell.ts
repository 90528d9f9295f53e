/**
 * The shell proper: runs statements and backslash commands on one open database and prints what psql would.
 * Owns: result and error printing, \timing, \d / \dt / \dv / \di / \d NAME (over information_schema and
 * pg_catalog.pg_indexes), and running a script's text.
 * Invariants:
 *   (1) Errors print as `ERROR:  SQLSTATE: message` (psql's verbose form) plus a LINE/caret when the error has
 *       a position, and DETAIL / HINT; `failures` counts them and the shell goes on.
 *   (2) Backslash commands are recognised only at the start of a line with no statement pending (as psql).
 * Not here: the command line and the interactive loop (rustydb.ts).
 */
import type { Database } from '../engine/node.js'
import { commandTag, formatTable } from './psql-format.js'
import { StatementSplitter, splitSql } from './split-sql.js'

const META_HELP = `General
  \\q                 quit
  \\timing [on|off]   toggle timing of statements
  \\?                 this help
Informational
  \\d                 list tables and views
  \\d NAME            describe table or view NAME (columns, indexes, constraints)
  \\dt                list tables
  \\dv                list views
  \\di                list indexes
Statements end with ';' and may span lines.`

/** Where the shell prints: results to `out`, errors to `err` (one call per block, no trailing newline). */
export interface Output {
  out(text: string): void
  err(text: string): void
}


/** The error fields the shell prints (RustyError's, PostgreSQL's names). */
interface ErrorLike {
  code?: unknown
  message?: unknown
  detail?: unknown
  hint?: unknown
  position?: unknown
}

/** psql's error report (invariant 3). */
export function errorReport(e: unknown, sql: string): string {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as ErrorLike
  const code = typeof err.code === 'string' ? `${err.code}: ` : ''
  const lines = [`ERROR:  ${code}${String(err.message ?? e)}`]
  if (typeof err.position === 'number' && err.position > 0 && err.position <= sql.length + 1) {
    const before = sql.slice(0, err.position - 1)
    const lineNo = before.split('\n').length
    const lineStart = before.lastIndexOf('\n') + 1
    const lineEnd = sql.indexOf('\n', lineStart)
    const text = sql.slice(lineStart, lineEnd < 0 ? sql.length : lineEnd)
    const prefix = `LINE ${lineNo}: `
    lines.push(prefix + text, ' '.repeat(prefix.length + (err.position - 1 - lineStart)) + '^')
  }
  if (typeof err.detail === 'string') lines.push(`DETAIL:  ${err.detail}`)
  if (typeof err.hint === 'string') lines.push(`HINT:  ${err.hint}`)
  return lines.join('\n')
}

/** Quotes a string as a SQL literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

/** The shell over one open database. */
export class Shell {
  timing = false
  failures = 0

  constructor(
    readonly db: Database,
    readonly io: Output,
  ) {}

  /** Runs one statement and prints its result or error. */
  async run(sql: string): Promise<void> {
    const start = performance.now()
    try {
      const r = await this.db.query<unknown[]>(sql, [], { rowMode: 'array' })
      if (r.columns.length > 0) this.io.out(`${formatTable(r.columns, r.rows)}\n`)
      else this.io.out(commandTag(r.command, r.rowCount))
    } catch (e) {
      this.failures++
      this.io.err(errorReport(e, sql))
    }
    if (this.timing) this.io.out(`Time: ${(performance.now() - start).toFixed(3)} ms`)
  }

  /** Runs a query for a backslash command and prints it under `title`, or `none` when it has no rows. */
  async #list(sql: string, title: string, none: string): Promise<void> {
    try {
      const r = await this.db.query<unknown[]>(sql, [], { rowMode: 'array' })
      if (r.rows.length === 0) this.io.out(none)
      else this.io.out(`${' '.repeat(Math.max(0, Math.floor((formatTable(r.columns, r.rows).split('\n')[0].length - title.length) / 2)))}${title}\n${formatTable(r.columns, r.rows)}\n`)
    } catch (e) {
      this.failures++
      this.io.err(errorReport(e, sql))
    }
  }

  /** Runs a backslash command; returns false for \q. */
  async meta(line: string): Promise<boolean> {
    const [cmd, ...args] = line.trim().split(/\s+/)
    const arg = args.join(' ')
    const userSchemas = `table_schema NOT IN ('pg_catalog', 'information_schema')`
    switch (cmd) {
      case '\\q':
      case '\\quit':
        return false
      case '\\?':
        this.io.out(META_HELP)
        return true
      case '\\timing': {
        const v = arg.toLowerCase()
        this.timing = v === 'on' ? true : v === 'off' ? false : !this.timing
        this.io.out(`Timing is ${this.timing ? 'on' : 'off'}.`)
        return true
      }
      case '\\dt':
      case '\\dv':
      case '\\d':
        if (cmd === '\\d' && arg !== '') {
          await this.describe(arg)
          return true
        }
        {
          const kinds = cmd === '\\dt' ? `'BASE TABLE'` : cmd === '\\dv' ? `'VIEW'` : `'BASE TABLE', 'VIEW'`
          const pattern = arg === '' ? '' : ` AND table_name LIKE ${literal(arg.replace(/\*/g, '%'))}`
          await this.#list(
            `SELECT table_schema AS "Schema", table_name AS "Name", CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS "Type"
               FROM information_schema.tables WHERE ${userSchemas} AND table_type IN (${kinds})${pattern} ORDER BY 1, 2`,
            'List of relations',
            arg === '' ? 'Did not find any relations.' : `Did not find any relation named "${arg}".`,
          )
        }
        return true
      case '\\di':
        await this.#list(
          `SELECT schemaname AS "Schema", indexname AS "Name", tablename AS "Table" FROM pg_catalog.pg_indexes
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
          'List of indexes',
          'Did not find any indexes.',
        )
        return true
      default:
        this.io.err(`invalid command ${cmd}\nTry \\? for help.`)
        return true
    }
  }

  /** \d NAME: columns, then constraints and indexes, as psql's "Table ..." block. */
  async describe(name: string): Promise<void> {
    const dot = name.indexOf('.')
    const schema = dot < 0 ? undefined : name.slice(0, dot)
    const table = dot < 0 ? name : name.slice(dot + 1)
    const where = `table_name = ${literal(table)}${schema === undefined ? '' : ` AND table_schema = ${literal(schema)}`}`
    const sql = `SELECT table_schema, table_type FROM information_schema.tables WHERE ${where} ORDER BY 1`
    let kind: { schema: string; type: string } | undefined
    try {
      const r = await this.db.query<unknown[]>(sql, [], { rowMode: 'array' })
      if (r.rows.length > 0) kind = { schema: String(r.rows[0][0]), type: String(r.rows[0][1]) }
    } catch (e) {
      this.failures++
      this.io.err(errorReport(e, sql))
      return
    }
    if (kind === undefined) {
      this.io.err(`Did not find any relation named "${name}".`)
      return
    }
    const inTable = `table_name = ${literal(table)} AND table_schema = ${literal(kind.schema)}`
    const columnsSql = `SELECT column_name AS "Column",
         CASE WHEN character_maximum_length IS NOT NULL THEN data_type || '(' || character_maximum_length || ')'
              WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL THEN 'numeric(' || numeric_precision || ',' || coalesce(numeric_scale, 0) || ')'
              ELSE data_type END AS "Type",
         CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE '' END AS "Nullable",
         coalesce(column_default, '') AS "Default"
       FROM information_schema.columns WHERE ${inTable} ORDER BY ordinal_position`
    await this.#list(columnsSql, `${kind.type === 'VIEW' ? 'View' : 'Table'} "${kind.schema}.${table}"`, '(no columns)')
    if (kind.type === 'VIEW') return
    try {
      const idx = await this.db.query<unknown[]>(
        `SELECT indexname, indexdef FROM pg_catalog.pg_indexes WHERE tablename = ${literal(table)} AND schemaname = ${literal(kind.schema)} ORDER BY 1`,
        [],
        { rowMode: 'array' },
      )
      if (idx.rows.length > 0) this.io.out(['Indexes:', ...idx.rows.map((r) => `    "${String(r[0])}" ${String(r[1]).replace(/^.*? USING /, '')}`)].join('\n'))
      const cons = await this.db.query<unknown[]>(
        `SELECT tc.constraint_name, tc.constraint_type, string_agg(k.column_name, ', ' ORDER BY k.ordinal_position)
           FROM information_schema.table_constraints tc
           LEFT JOIN information_schema.key_column_usage k
             ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name AND k.table_schema = tc.table_schema
          WHERE tc.${inTable} GROUP BY tc.constraint_name, tc.constraint_type ORDER BY 2, 1`,
        [],
        { rowMode: 'array' },
      )
      if (cons.rows.length > 0) {
        this.io.out(
          ['Constraints:', ...cons.rows.map((r) => `    "${String(r[0])}" ${String(r[1])}${r[2] === null || r[2] === '' ? '' : ` (${String(r[2])})`}`)].join('\n'),
        )
      }
      this.io.out('')
    } catch (e) {
      this.failures++
      this.io.err(errorReport(e, 'describe'))
    }
  }

  /** Runs a script's text: backslash lines and SQL statements in order; false when \q stopped it. */
  async script(text: string): Promise<boolean> {
    const splitter = new StatementSplitter()
    for (const line of text.split(/\r?\n/)) {
      if (splitter.empty && line.trimStart().startsWith('\\')) {
        if (!(await this.meta(line))) return false
        continue
      }
      for (const stmt of splitter.push(line)) await this.run(stmt)
    }
    const rest = splitter.flush()
    if (rest !== '') for (const stmt of splitSql(rest)) await this.run(stmt)
    return true
  }
}
