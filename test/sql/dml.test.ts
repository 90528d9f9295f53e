import { describe, expect, it } from 'vitest'
import { parseError, strip, stmt } from './helpers.js'

describe('INSERT', () => {
  it('parses a column list and multi-row VALUES with DEFAULT', () => {
    const i = stmt("INSERT INTO s.t (a, b) VALUES (1, DEFAULT), ($1, 'x')", 'Insert')
    expect(strip(i)).toMatchObject({
      kind: 'Insert',
      with: null,
      table: { schema: 's', name: 't' },
      alias: null,
      columns: ['a', 'b'],
      overriding: null,
      source: {
        kind: 'Query',
        body: {
          kind: 'Values',
          rows: [
            [{ kind: 'NumberLiteral', text: '1' }, { kind: 'DefaultValue' }],
            [{ kind: 'Param', index: 1 }, { kind: 'StringLiteral', value: 'x' }],
          ],
        },
      },
      onConflict: null,
      returning: [],
      orAction: null,
    })
  })

  it('parses DEFAULT VALUES', () => {
    expect(stmt('INSERT INTO t DEFAULT VALUES', 'Insert')).toMatchObject({ source: null, columns: [] })
  })

  it('parses INSERT ... SELECT, with and without parentheses', () => {
    expect(stmt('INSERT INTO t SELECT * FROM u', 'Insert').source).toMatchObject({ body: { kind: 'Select' } })
    expect(stmt('INSERT INTO t (SELECT * FROM u)', 'Insert')).toMatchObject({ columns: [], source: { body: { kind: 'Select' } } })
    expect(stmt('INSERT INTO t (a) (SELECT 1) UNION (SELECT 2)', 'Insert')).toMatchObject({ columns: ['a'], source: { body: { kind: 'SetOperation' } } })
  })

  it('parses an alias and OVERRIDING', () => {
    expect(stmt('INSERT INTO t AS x OVERRIDING SYSTEM VALUE VALUES (1)', 'Insert')).toMatchObject({ alias: 'x', overriding: 'SYSTEM' })
    expect(stmt('INSERT INTO t OVERRIDING USER VALUE VALUES (1)', 'Insert')).toMatchObject({ overriding: 'USER' })
  })

  it('parses ON CONFLICT DO NOTHING with and without a target', () => {
    expect(stmt('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', 'Insert').onConflict).toMatchObject({
      kind: 'OnConflict',
      target: null,
      action: 'NOTHING',
    })
    expect(stmt('INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING', 'Insert').onConflict).toMatchObject({
      target: { kind: 'ConflictTarget', constraint: 't_pkey', elements: [] },
    })
  })

  it('parses ON CONFLICT (cols) WHERE ... DO UPDATE SET ... WHERE ...', () => {
    const i = stmt(
      'INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a, lower(b)) WHERE b IS NOT NULL DO UPDATE SET b = excluded.b, (c, d) = (1, DEFAULT) WHERE t.b <> excluded.b RETURNING a, b AS bee',
      'Insert',
    )
    expect(i.onConflict).toMatchObject({
      target: {
        elements: [{ kind: 'IndexElement', expr: { column: 'a' } }, { expr: { kind: 'FunctionCall' } }],
        where: { kind: 'IsTest' },
        constraint: null,
      },
      action: 'UPDATE',
      assignments: [
        { kind: 'Assignment', column: 'b', value: { table: 'excluded', column: 'b' } },
        { kind: 'MultiAssignment', columns: ['c', 'd'], value: { kind: 'RowConstructor', fields: [{}, { kind: 'DefaultValue' }] } },
      ],
      where: { op: '<>' },
    })
    expect(i.returning.map((r) => r.alias)).toEqual([null, 'bee'])
  })

  it('requires a conflict target for DO UPDATE', () => {
    const e = parseError('INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1')
    expect([e.code, e.message, e.position]).toEqual(['42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', 38])
  })

  it('parses SQLite INSERT OR REPLACE and REPLACE INTO', () => {
    expect(stmt('INSERT OR REPLACE INTO t VALUES (1)', 'Insert')).toMatchObject({ orAction: 'REPLACE' })
    expect(stmt('INSERT OR IGNORE INTO t VALUES (1)', 'Insert')).toMatchObject({ orAction: 'IGNORE' })
    expect(stmt('REPLACE INTO t VALUES (1)', 'Insert')).toMatchObject({ orAction: 'REPLACE', table: { name: 't' } })
  })

  it('rejects DEFAULT outside a value position', () => {
    expect(parseError('INSERT INTO t VALUES (DEFAULT + 1)').message).toBe('syntax error at or near "DEFAULT"')
  })
})

describe('UPDATE', () => {
  it('parses SET, FROM, WHERE and RETURNING', () => {
    const u = stmt('UPDATE ONLY t AS x SET a = a + 1, b = DEFAULT FROM u, v WHERE x.id = u.id RETURNING *', 'Update')
    expect(strip(u)).toMatchObject({
      kind: 'Update',
      table: { name: 't' },
      only: true,
      alias: 'x',
      assignments: [
        { kind: 'Assignment', column: 'a', value: { kind: 'BinaryOp', op: '+' } },
        { kind: 'Assignment', column: 'b', value: { kind: 'DefaultValue' } },
      ],
      from: [{ name: { name: 'u' } }, { name: { name: 'v' } }],
      where: { op: '=' },
      returning: [{ expr: { kind: 'Star' } }],
    })
  })

  it('parses row assignments from rows, ROW() and subqueries', () => {
    const u = stmt('UPDATE t SET (a, b) = (1, 2), (c) = ROW(3), (d, e) = (SELECT 4, 5)', 'Update')
    expect(u.assignments).toMatchObject([
      { kind: 'MultiAssignment', columns: ['a', 'b'], value: { kind: 'RowConstructor', explicit: false, fields: [{}, {}] } },
      { columns: ['c'], value: { kind: 'RowConstructor', explicit: true } },
      { columns: ['d', 'e'], value: { kind: 'Subquery' } },
    ])
  })

  it('takes a bare alias but never the word SET', () => {
    expect(stmt('UPDATE t x SET a = 1', 'Update')).toMatchObject({ alias: 'x' })
    expect(stmt('UPDATE t SET a = 1', 'Update')).toMatchObject({ alias: null })
  })

  it('rejects WHERE CURRENT OF and field assignments with 0A000', () => {
    expect(parseError('UPDATE t SET a = 1 WHERE CURRENT OF c').code).toBe('0A000')
    expect(parseError('UPDATE t SET a.b = 1').code).toBe('0A000')
  })
})

describe('DELETE', () => {
  it('parses USING, WHERE and RETURNING', () => {
    const d = stmt('DELETE FROM t AS x USING u JOIN v ON true WHERE x.id = u.id RETURNING x.id', 'Delete')
    expect(d).toMatchObject({
      kind: 'Delete',
      alias: 'x',
      only: false,
      using: [{ kind: 'JoinRef' }],
      where: { op: '=' },
      returning: [{ expr: { table: 'x', column: 'id' } }],
    })
  })

  it('parses a bare DELETE', () => {
    expect(stmt('DELETE FROM t', 'Delete')).toMatchObject({ alias: null, using: [], where: null, returning: [] })
  })
})
