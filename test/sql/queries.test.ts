import { describe, expect, it } from 'vitest'
import { parse } from '../../engine/sql/index.js'
import { parseError, query, select, strip, sx } from './helpers.js'

describe('SELECT lists', () => {
  it('parses targets with AS and bare aliases', () => {
    const s = select('SELECT a, b AS "B", c d, 1 + 2 AS from, * FROM t')
    expect(s.targets.map((t) => [t.expr.kind, t.alias])).toEqual([
      ['ColumnRef', null],
      ['ColumnRef', 'B'],
      ['ColumnRef', 'd'],
      ['BinaryOp', 'from'],
      ['Star', null],
    ])
  })

  it('parses DISTINCT, DISTINCT ON and ALL', () => {
    expect(select('SELECT DISTINCT a FROM t')).toMatchObject({ distinct: true, distinctOn: null })
    expect(select('SELECT DISTINCT ON (a, b) a, c FROM t')).toMatchObject({ distinct: true, distinctOn: [{ column: 'a' }, { column: 'b' }] })
    expect(select('SELECT ALL a FROM t')).toMatchObject({ distinct: false })
  })

  it('accepts an empty target list', () => {
    expect(select('SELECT FROM t').targets).toEqual([])
    expect(select('SELECT').targets).toEqual([])
  })

  it('parses a query without FROM', () => {
    expect(select('SELECT 1').from).toEqual([])
  })

  it('rejects SELECT INTO with 0A000', () => {
    expect(parseError('SELECT a INTO b FROM t').code).toBe('0A000')
  })

  it('takes keywords as bare aliases, as PostgreSQL 16 does', () => {
    expect(select('SELECT current_user current_schema, a left, b select, c value FROM t').targets.map((t) => t.alias)).toEqual([
      'current_schema',
      'left',
      'select',
      'value',
    ])
  })

  it('reads an operator keyword before the end of the expression as a label, as PostgreSQL does', () => {
    expect(select('SELECT a and, b is FROM t').targets.map((t) => [t.expr.kind, t.alias])).toEqual([
      ['ColumnRef', 'and'],
      ['ColumnRef', 'is'],
    ])
  })

  it('does not take AS-only labels as bare aliases', () => {
    expect(parseError('SELECT a year FROM t').message).toBe('syntax error at or near "year"')
    expect(parseError('SELECT a over FROM t').message).toBe('syntax error at or near "over"')
    expect(select('SELECT a AS year, b AS over').targets.map((t) => t.alias)).toEqual(['year', 'over'])
  })
})

describe('FROM and joins', () => {
  it('parses tables with aliases and column aliases', () => {
    const s = select('SELECT 1 FROM s.t AS x (a, b), u y, ONLY v')
    expect(strip(s.from)).toEqual([
      {
        kind: 'TableRef',
        name: { kind: 'QualifiedName', catalog: null, schema: 's', name: 't' },
        alias: { kind: 'Alias', name: 'x', columns: ['a', 'b'] },
        only: false,
      },
      {
        kind: 'TableRef',
        name: { kind: 'QualifiedName', catalog: null, schema: null, name: 'u' },
        alias: { kind: 'Alias', name: 'y', columns: [] },
        only: false,
      },
      { kind: 'TableRef', name: { kind: 'QualifiedName', catalog: null, schema: null, name: 'v' }, alias: null, only: true },
    ])
  })

  it('parses every join kind', () => {
    const kinds = (sql: string) => {
      const j = select(`SELECT * FROM a ${sql}`).from[0]
      expect(j.kind).toBe('JoinRef')
      return j.kind === 'JoinRef' ? [j.joinType, j.natural, j.on !== null, j.using] : null
    }
    expect(kinds('JOIN b ON a.x = b.x')).toEqual(['INNER', false, true, null])
    expect(kinds('INNER JOIN b ON true')).toEqual(['INNER', false, true, null])
    expect(kinds('LEFT JOIN b USING (x, y)')).toEqual(['LEFT', false, false, ['x', 'y']])
    expect(kinds('LEFT OUTER JOIN b ON true')).toEqual(['LEFT', false, true, null])
    expect(kinds('RIGHT JOIN b ON true')).toEqual(['RIGHT', false, true, null])
    expect(kinds('FULL OUTER JOIN b ON true')).toEqual(['FULL', false, true, null])
    expect(kinds('CROSS JOIN b')).toEqual(['CROSS', false, false, null])
    expect(kinds('NATURAL JOIN b')).toEqual(['INNER', true, false, null])
    expect(kinds('NATURAL LEFT JOIN b')).toEqual(['LEFT', true, false, null])
  })

  it('builds left-deep join trees', () => {
    const j = select('SELECT * FROM a JOIN b ON p CROSS JOIN c LEFT JOIN d ON q').from[0]
    expect(j).toMatchObject({
      joinType: 'LEFT',
      left: { joinType: 'CROSS', left: { joinType: 'INNER', left: { name: { name: 'a' } }, right: { name: { name: 'b' } } }, right: { name: { name: 'c' } } },
      right: { name: { name: 'd' } },
    })
  })

  it('nests a JOIN B JOIN C ON x ON y to the right, as PostgreSQL does', () => {
    const j = select('SELECT * FROM a JOIN b JOIN c ON x ON y').from[0]
    expect(j).toMatchObject({
      on: { column: 'y' },
      left: { name: { name: 'a' } },
      right: { kind: 'JoinRef', on: { column: 'x' }, left: { name: { name: 'b' } }, right: { name: { name: 'c' } } },
    })
  })

  it('parses parenthesised joins with aliases', () => {
    const j = select('SELECT * FROM (a JOIN b ON p) AS j JOIN ((c)) ON q').from[0]
    expect(j).toMatchObject({ left: { kind: 'JoinRef', alias: { name: 'j' } }, right: { kind: 'TableRef', name: { name: 'c' } } })
    const k = select('SELECT * FROM ((a JOIN b ON p) JOIN c ON q)').from[0]
    expect(k).toMatchObject({ kind: 'JoinRef', left: { kind: 'JoinRef' }, right: { name: { name: 'c' } } })
  })

  it('parses subqueries, VALUES lists and functions in FROM', () => {
    const [sub, values, fn] = select(
      'SELECT * FROM (SELECT 1) AS s (x), (VALUES (1, 2), (3, 4)) v(a, b), generate_series(1, 3) WITH ORDINALITY AS g(n, i)',
    ).from
    expect(sub).toMatchObject({ kind: 'SubqueryRef', lateral: false, alias: { name: 's', columns: ['x'] }, query: { body: { kind: 'Select' } } })
    expect(values).toMatchObject({ kind: 'SubqueryRef', alias: { name: 'v', columns: ['a', 'b'] }, query: { body: { kind: 'Values' } } })
    expect(fn).toMatchObject({ kind: 'FunctionRef', withOrdinality: true, call: { name: { name: 'generate_series' } }, alias: { columns: ['n', 'i'] } })
  })

  it('parses LATERAL subqueries and functions', () => {
    const [, lat, latFn] = select('SELECT * FROM t, LATERAL (SELECT t.x) s, LATERAL unnest(t.arr) u').from
    expect(lat).toMatchObject({ kind: 'SubqueryRef', lateral: true, alias: { name: 's' } })
    expect(latFn).toMatchObject({ kind: 'FunctionRef', lateral: true })
    expect(select('SELECT * FROM a JOIN LATERAL (SELECT 1) s ON true').from[0]).toMatchObject({ right: { lateral: true } })
  })

  it('parses subqueries without aliases and with nested set operations', () => {
    expect(select('SELECT * FROM (SELECT 1)').from[0]).toMatchObject({ kind: 'SubqueryRef', alias: null })
    expect(select('SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u').from[0]).toMatchObject({
      kind: 'SubqueryRef',
      alias: { name: 'u' },
      query: { body: { kind: 'SetOperation', op: 'UNION' } },
    })
    expect(select('SELECT * FROM ((SELECT 1) AS a JOIN b ON true)').from[0]).toMatchObject({ left: { kind: 'SubqueryRef' } })
  })

  it('accepts the old `t *` spelling of a table', () => {
    expect(select('SELECT * FROM t * AS x').from).toMatchObject([{ kind: 'TableRef', name: { name: 't' }, alias: { name: 'x' } }])
  })

  it('parses keyword functions in FROM', () => {
    expect(select('SELECT * FROM current_date, coalesce(1, 2) AS c (x), user').from).toMatchObject([
      { kind: 'FunctionRef', call: { kind: 'SqlValueFunction', name: 'CURRENT_DATE' }, alias: null },
      { kind: 'FunctionRef', call: { kind: 'FunctionCall', name: { name: 'coalesce' } }, alias: { name: 'c', columns: ['x'] } },
      { kind: 'FunctionRef', call: { kind: 'SqlValueFunction', name: 'USER' } },
    ])
  })

  it('does not take join keywords as table aliases', () => {
    expect(select('SELECT * FROM a left JOIN b ON true').from[0]).toMatchObject({ joinType: 'LEFT', left: { alias: null } })
  })

  it('requires ON or USING on qualified joins', () => {
    expect(parseError('SELECT * FROM a JOIN b').message).toBe('syntax error at end of input')
    expect(parseError('SELECT * FROM a JOIN b WHERE x').message).toBe('syntax error at or near "WHERE"')
  })
})

describe('WHERE, GROUP BY, HAVING, WINDOW, ORDER BY, LIMIT', () => {
  it('parses the clauses in order', () => {
    const q = query(
      'SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2 WINDOW w AS (PARTITION BY a) ORDER BY 2 DESC, a NULLS FIRST LIMIT 10 OFFSET 5',
    )
    const s = q.body
    expect(s).toMatchObject({
      kind: 'Select',
      where: { op: '>' },
      groupBy: [{ column: 'a' }],
      having: { op: '>' },
      windows: [{ kind: 'NamedWindow', name: 'w', spec: { partitionBy: [{ column: 'a' }] } }],
    })
    expect(q.orderBy.map((o) => [sx(o.expr), o.direction, o.nulls])).toEqual([
      ['2', 'DESC', null],
      ['a', null, 'FIRST'],
    ])
    expect([q.limit && sx(q.limit), q.offset && sx(q.offset), q.withTies]).toEqual(['10', '5', false])
  })

  it('accepts OFFSET before LIMIT, LIMIT ALL, and OFFSET n ROWS', () => {
    const q = query('SELECT 1 OFFSET 2 ROWS LIMIT ALL')
    expect([q.limit, q.offset && sx(q.offset)]).toEqual([null, '2'])
  })

  it('parses FETCH FIRST n ROWS ONLY / WITH TIES', () => {
    expect(query('SELECT 1 FROM t FETCH FIRST 3 ROWS ONLY')).toMatchObject({ limit: { text: '3' }, withTies: false })
    expect(query('SELECT 1 FROM t FETCH NEXT ROW ONLY')).toMatchObject({ limit: { text: '1' } })
    expect(query('SELECT 1 FROM t ORDER BY 1 OFFSET 1 ROW FETCH FIRST $1 ROWS WITH TIES')).toMatchObject({
      limit: { kind: 'Param' },
      offset: { text: '1' },
      withTies: true,
    })
    expect(parseError('SELECT 1 FETCH FIRST 1 ROWS WITH TIES').message).toBe('WITH TIES cannot be specified without ORDER BY clause')
  })

  it('rejects LIMIT a, b with PostgreSQL hint', () => {
    const e = parseError('SELECT 1 LIMIT 1, 2')
    expect([e.code, e.message, e.hint, e.position]).toEqual(['42601', 'LIMIT #,# syntax is not supported', 'Use separate LIMIT and OFFSET clauses.', 17])
  })

  it('parses grouping sets', () => {
    const s = select('SELECT 1 FROM t GROUP BY ROLLUP (a, (b, c)), CUBE (d), GROUPING SETS ((a), (), b), ()')
    expect(s.groupBy).toMatchObject([
      { kind: 'GroupingSet', type: 'ROLLUP', items: [{ column: 'a' }, { kind: 'RowConstructor' }] },
      { type: 'CUBE' },
      { type: 'SETS', items: [{ column: 'a' }, { type: 'EMPTY' }, { column: 'b' }] },
      { type: 'EMPTY', items: [] },
    ])
  })

  it('parses locking clauses', () => {
    const q = query('SELECT * FROM t, u FOR UPDATE OF t NOWAIT FOR SHARE SKIP LOCKED FOR NO KEY UPDATE FOR KEY SHARE OF u, t')
    expect(q.locking.map((l) => [l.strength, l.of.map((n) => n.name), l.wait])).toEqual([
      ['UPDATE', ['t'], 'NOWAIT'],
      ['SHARE', [], 'SKIP LOCKED'],
      ['NO KEY UPDATE', [], null],
      ['KEY SHARE', ['u', 't'], null],
    ])
    expect(query('SELECT * FROM t FOR UPDATE LIMIT 1')).toMatchObject({ limit: { text: '1' }, locking: [{ strength: 'UPDATE' }] })
  })
})

describe('set operations', () => {
  const shape = (sql: string): string => {
    const walk = (b: unknown): string => {
      const n = b as { kind: string; op?: string; all?: boolean; left?: unknown; right?: unknown; targets?: { expr: { text: string } }[] }
      if (n.kind === 'SetOperation') return `(${n.op}${n.all ? '-ALL' : ''} ${walk(n.left)} ${walk(n.right)})`
      if (n.kind === 'Select') return n.targets![0].expr.text
      if (n.kind === 'Values') return 'V'
      return `Q[${walk((n as unknown as { body: unknown }).body)}]`
    }
    return walk(query(sql).body)
  }

  it('gives INTERSECT precedence over UNION and EXCEPT', () => {
    expect(shape('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3')).toBe('(UNION 1 (INTERSECT 2 3))')
    expect(shape('SELECT 1 INTERSECT SELECT 2 UNION SELECT 3')).toBe('(UNION (INTERSECT 1 2) 3)')
    expect(shape('SELECT 1 EXCEPT SELECT 2 UNION ALL SELECT 3')).toBe('(UNION-ALL (EXCEPT 1 2) 3)')
    expect(shape('SELECT 1 UNION SELECT 2 EXCEPT DISTINCT SELECT 3')).toBe('(EXCEPT (UNION 1 2) 3)')
  })

  it('respects parenthesised operands', () => {
    expect(shape('SELECT 1 UNION (SELECT 2 UNION SELECT 3)')).toBe('(UNION 1 (UNION 2 3))')
    expect(shape('(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3')).toBe('(INTERSECT (UNION 1 2) 3)')
    expect(shape('((SELECT 1)) UNION VALUES (2)')).toBe('(UNION 1 V)')
  })

  it('keeps ORDER BY and LIMIT on the whole query, or on a parenthesised operand', () => {
    const q = query('SELECT 1 UNION SELECT 2 ORDER BY 1 LIMIT 1')
    expect(q).toMatchObject({ body: { kind: 'SetOperation' }, orderBy: [{}], limit: { text: '1' } })
    expect(shape('(SELECT 1 ORDER BY 1 LIMIT 1) UNION SELECT 2')).toBe('(UNION Q[1] 2)')
    expect(parseError('SELECT 1 ORDER BY 1 UNION SELECT 2').message).toBe('syntax error at or near "UNION"')
  })

  it('parses TABLE t as SELECT * FROM t', () => {
    expect(query('TABLE t').body).toMatchObject({ kind: 'Select', targets: [{ expr: { kind: 'Star' } }], from: [{ name: { name: 't' } }] })
  })

  it('parses VALUES as a query with ORDER BY', () => {
    expect(query('VALUES (1, 2), (3, 4) ORDER BY 1')).toMatchObject({ body: { kind: 'Values', rows: [[{}, {}], [{}, {}]] }, orderBy: [{}] })
  })
})

describe('WITH', () => {
  it('parses CTEs with column lists and materialization', () => {
    const q = query('WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r), s AS NOT MATERIALIZED (SELECT 2) SELECT * FROM r, s')
    expect(q.with).toMatchObject({
      kind: 'WithClause',
      recursive: true,
      ctes: [
        { kind: 'CommonTableExpr', name: 'r', columns: ['n'], materialized: null, statement: { body: { kind: 'SetOperation', all: true } } },
        { name: 's', columns: [], materialized: false },
      ],
    })
  })

  it('parses data-modifying CTEs and WITH before DML', () => {
    const q = query('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d')
    expect(q.with!.ctes[0].statement).toMatchObject({ kind: 'Delete', returning: [{ expr: { kind: 'Star' } }] })
    expect(parse('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')[0]).toMatchObject({ kind: 'Insert', with: { ctes: [{ name: 'x' }] } })
    expect(parse('WITH x AS (SELECT 1) UPDATE t SET a = 1')[0]).toMatchObject({ kind: 'Update', with: {} })
    expect(parse('WITH x AS (SELECT 1) DELETE FROM t')[0]).toMatchObject({ kind: 'Delete', with: {} })
  })

  it('gives a parenthesised query the WITH clause in front of it', () => {
    expect(query('WITH x AS (SELECT 1) (SELECT * FROM x ORDER BY 1 LIMIT 2)')).toMatchObject({
      with: { ctes: [{ name: 'x' }] },
      body: { kind: 'Select' },
      orderBy: [{}],
      limit: { text: '2' },
    })
  })

  it('parses WITH inside subqueries', () => {
    expect(select('SELECT (WITH x AS (SELECT 1) SELECT * FROM x)').targets[0].expr).toMatchObject({ kind: 'Subquery', query: { with: {} } })
  })
})

describe('statement lists', () => {
  it('splits statements at semicolons and skips empty ones', () => {
    expect(parse(';;SELECT 1;; SELECT 2;').map((s) => s.kind)).toEqual(['Query', 'Query'])
    expect(parse('')).toEqual([])
    expect(parse(' -- only a comment\n')).toEqual([])
  })

  it('records statement spans', () => {
    const sql = 'SELECT 1;  SELECT  2 ;'
    const [a, b] = parse(sql)
    expect(sql.slice(a.start, a.end)).toBe('SELECT 1')
    expect(sql.slice(b.start, b.end)).toBe('SELECT  2')
  })

  it('requires a semicolon between statements', () => {
    // SELECT is a bare label in PostgreSQL 16, so the error is at the 2 (as PostgreSQL reports it)
    expect(parseError('SELECT 1 SELECT 2')).toMatchObject({ message: 'syntax error at or near "2"', position: 17 })
    expect(parseError('SELECT 1 FROM t SELECT 2').message).toBe('syntax error at or near "SELECT"')
  })
})
