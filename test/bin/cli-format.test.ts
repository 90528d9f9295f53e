/**
 * The CLI's pieces without a database: statement splitting (bin/split-sql.ts), psql's aligned table and command
 * tags (bin/psql-format.ts), PostgreSQL text of JS values (bin/pg-text.ts) and error reports (bin/shell.ts).
 */
import { describe, expect, it } from 'vitest'
import { pgText } from '../../bin/pg-text.js'
import { commandTag, formatTable } from '../../bin/psql-format.js'
import { errorReport } from '../../bin/shell.js'
import { StatementSplitter, splitSql } from '../../bin/split-sql.js'

describe('CLI statement splitter', () => {
  it('ends statements at top-level semicolons only', () => {
    expect(splitSql(`SELECT ';' AS a; SELECT "x;y" FROM t;SELECT $$;$$, $f$ ; $f$; SELECT E'\\';' ;`)).toEqual([
      `SELECT ';' AS a`,
      'SELECT "x;y" FROM t',
      'SELECT $$;$$, $f$ ; $f$',
      `SELECT E'\\';'`,
    ])
  })

  it('ignores semicolons in comments, drops comment-only lines and statements, keeps an unterminated last one', () => {
    expect(splitSql('-- a; b\nSELECT 1 /* ; /* nested ; */ still */ + 1;\n-- only a comment\n;\nSELECT 2')).toEqual([
      'SELECT 1 /* ; /* nested ; */ still */ + 1',
      'SELECT 2',
    ])
  })

  it('carries a statement across lines and reports the continuation state for the prompt', () => {
    const s = new StatementSplitter()
    expect(s.push('SELECT')).toEqual([])
    expect(s.empty).toBe(false)
    expect(s.continuation).toBe('-')
    expect(s.push("  'it''s")).toEqual([])
    expect(s.continuation).toBe("'")
    expect(s.push("'; SELECT 3; SELECT")).toEqual(["SELECT\n  'it''s\n'", 'SELECT 3'])
    expect(s.flush()).toBe('SELECT')
    expect(s.empty).toBe(true)
  })
})

describe('CLI output', () => {
  it('prints an aligned table like psql: centered header, numbers right, text left, row count', () => {
    const table = formatTable(
      [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
        { name: 'ok', type: 'boolean' },
      ],
      [
        [1, 'alice', true],
        [22, null, false],
      ],
    )
    expect(table.split('\n')).toEqual([' id | name  | ok ', '----+-------+----', '  1 | alice | t', ' 22 |       | f', '(2 rows)'])
    expect(formatTable([{ name: 'n', type: 'bigint' }], [[5n]]).endsWith('(1 row)')).toBe(true)
  })

  it('prints command tags as psql does', () => {
    expect(commandTag('INSERT', 3)).toBe('INSERT 0 3')
    expect(commandTag('UPDATE', 2)).toBe('UPDATE 2')
    expect(commandTag('CREATE TABLE', 0)).toBe('CREATE TABLE')
  })

  it('renders JS values as PostgreSQL text', () => {
    expect(pgText(new Uint8Array([0, 255]), 'bytea')).toBe('\\x00ff')
    expect(pgText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 600)), 'timestamptz')).toBe('2024-01-02 03:04:05.6+00')
    expect(pgText({ a: [1, 'x'] }, 'jsonb')).toBe('{"a": [1, "x"]}')
    expect(pgText([1, null, 'a b'], 'text[]')).toBe('{1,NULL,"a b"}')
    expect(pgText(Infinity, 'double precision')).toBe('Infinity')
  })

  it('reports errors with SQLSTATE, a LINE/caret for positions, DETAIL and HINT', () => {
    const e = Object.assign(new Error('relation "nope" does not exist'), { code: '42P01', position: 15 })
    expect(errorReport(e, 'SELECT * FROM nope').split('\n')).toEqual([
      'ERROR:  42P01: relation "nope" does not exist',
      'LINE 1: SELECT * FROM nope',
      '                      ^',
    ])
    const d = Object.assign(new Error('duplicate key value violates unique constraint "t_pkey"'), { code: '23505', detail: 'Key (id)=(1) already exists.' })
    expect(errorReport(d, 'INSERT ...')).toBe('ERROR:  23505: duplicate key value violates unique constraint "t_pkey"\nDETAIL:  Key (id)=(1) already exists.')
  })
})
