import { describe, expect, it } from 'vitest'
import { parse, parseExpression, parseOne, printSql, printStatements, quoteIdentifier } from '../../engine/sql/index.js'
import { strip } from './helpers.js'
import { corpusAvailable, readCorpus } from './slt-corpus.js'
import { VALID_STATEMENTS } from './statements.js'

/** parse(print(parse(sql))) equals parse(sql), spans aside. */
function expectRoundTrip(sql: string): void {
  const first = parse(sql)
  const printed = printStatements(first)
  let second: unknown
  try {
    second = parse(printed)
  } catch (e) {
    throw new Error(`printed SQL does not parse:\n  in:  ${sql}\n  out: ${printed}\n  ${(e as Error).message}`)
  }
  expect(strip(second), `round trip of:\n  in:  ${sql}\n  out: ${printed}`).toEqual(strip(first))
}

describe('printer output', () => {
  const cases: [string, string][] = [
    ['select a+b*2 from t where x in (1,2)', 'SELECT a + b * 2 FROM t WHERE x IN (1, 2)'],
    ['SELECT (a + b) * c, a - (b - c), (a - b) - c, -(-a), - -a', 'SELECT (a + b) * c, a - (b - c), a - b - c, - -a, - -a'],
    ['SELECT NOT (a AND b), NOT a AND b, (a OR b) AND c', 'SELECT NOT (a AND b), NOT a AND b, (a OR b) AND c'],
    ['SELECT x::int, CAST(y AS VARCHAR(3)), z::timestamptz', 'SELECT CAST(x AS integer), CAST(y AS varchar(3)), CAST(z AS timestamp with time zone)'],
    ['SELECT "Mixed", "select", "a""b", plain, "über"', 'SELECT "Mixed", "select", "a""b", plain, "über"'],
    ["SELECT 'it''s', E'a\\nb'", "SELECT 'it''s', 'a\nb'"],
    ['SELECT count(*) FILTER (WHERE a) OVER (PARTITION BY b ORDER BY c)', 'SELECT count(*) FILTER (WHERE a) OVER (PARTITION BY b ORDER BY c)'],
    ["SELECT extract(year from d), position('a' in s), trim(both 'x' from s)", "SELECT extract('year' FROM d), position('a' IN s), btrim(s, 'x')"],
    ['SELECT * FROM a JOIN (b JOIN c ON p) ON q', 'SELECT * FROM a JOIN (b JOIN c ON p) ON q'],
    ['(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3', '(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3'],
    ['SELECT 1 UNION (SELECT 2 UNION SELECT 3)', 'SELECT 1 UNION (SELECT 2 UNION SELECT 3)'],
    ["INSERT INTO t VALUES (1, DEFAULT) ON CONFLICT (a) DO NOTHING", 'INSERT INTO t VALUES (1, DEFAULT) ON CONFLICT (a) DO NOTHING'],
    ['create table t (id serial primary key, v text not null default \'x\')', "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL DEFAULT 'x')"],
    ["SET TIME ZONE 'UTC'", "SET timezone TO 'UTC'"],
    ['begin isolation level serializable', 'BEGIN ISOLATION LEVEL SERIALIZABLE'],
  ]
  for (const [sql, expected] of cases) {
    it(`prints ${sql}`, () => {
      expect(printStatements(parse(sql))).toBe(expected)
    })
  }

  it('quotes identifiers only when needed', () => {
    expect(['abc', 'a_b$1', 'Abc', 'select', 'left', 'int', 'a b', '1a', 'user'].map(quoteIdentifier)).toEqual([
      'abc',
      'a_b$1',
      '"Abc"',
      '"select"',
      '"left"',
      '"int"',
      '"a b"',
      '"1a"',
      '"user"',
    ])
  })

  it('prints expressions on their own', () => {
    expect(printSql(parseExpression('a BETWEEN 1 AND 2 = true'))).toBe('a BETWEEN 1 AND 2 = TRUE')
    expect(printSql(parseExpression('(a = b) = c'))).toBe('(a = b) = c')
    expect(printSql(parseExpression("interval '1' day + interval(2) '3 sec'"))).toBe("interval '1' day + interval(2) '3 sec'")
  })
})

describe('round trip: parse(print(parse(x))) == parse(x)', () => {
  for (const sql of VALID_STATEMENTS) {
    it(`holds for ${sql.length > 80 ? sql.slice(0, 77) + '...' : sql}`, () => expectRoundTrip(sql))
  }

  const tricky = [
    'SELECT - -1, -(1), +-1, ~~a, - a::int, (-a)::int, (a + b)::int, -a[1], (a::int[])[1]',
    'SELECT a = b IS NULL, (a IS NULL) = b, a IS NULL IS NULL, NOT NOT a, NOT (a = b) = c',
    "SELECT a || b LIKE c, a LIKE b || c, (a LIKE b) = c, a NOT IN (1) = b, a = ANY (b) = c",
    'SELECT a OR (b OR c), (a OR b) OR c, a AND (b AND c), a OR b AND c, (a OR b) AND c',
    'SELECT ~ a + b, (~ a) + b, ~ (a || b), (~ a) || b, @ a, |/ a',
    "SELECT ts AT TIME ZONE 'a' AT TIME ZONE 'b', (a + b) AT TIME ZONE c, a COLLATE \"C\" COLLATE \"POSIX\"",
    'SELECT a IN (1) IN (TRUE), a = ANY (b) = c, (a BETWEEN b AND c) BETWEEN d AND e',
    'SELECT x IN ((SELECT 1), 2), x IN ((SELECT 1) UNION (SELECT 2)), ((SELECT 1)) + 1',
    'SELECT * FROM ((SELECT 1) UNION (SELECT 2)) u, ((a JOIN b ON true) JOIN c ON true), (a CROSS JOIN b) AS j',
    'SELECT * FROM a JOIN b JOIN c ON x ON y',
    '((SELECT 1 LIMIT 1)) UNION ALL ((SELECT 2) ORDER BY 1)',
    'WITH x AS (SELECT 1) (SELECT * FROM x ORDER BY 1 LIMIT 1)',
    "SELECT \"table\".\"column\", s.\"T\".c, db.s.t.c FROM \"table\"",
    'SELECT f(DISTINCT a ORDER BY b), "coalesce"(DISTINCT a), coalesce(a), "extract"(a, b), "position"(a), substring(a), overlay(a, b, c)',
    "SELECT left('abc', 2), right('abc', 1), current_schema(), current_time(2), localtimestamp",
    "SELECT 'x'\n'y', $q$a'b$q$, E'\\x41'",
    'SELECT ARRAY[ARRAY[1], [2]], ARRAY[]::int[], a[1:], a[:], (a).b.c',
    "UPDATE t SET (a) = (1), (b, c) = ROW(2, 3), d = $1",
    'CREATE TABLE t (a int DEFAULT 1 + 2, b text DEFAULT (a IS NULL), c int DEFAULT -1, d text COLLATE "C" DEFAULT \'x\')',
    'CREATE TABLE t (a timestamp(3) with time zone, b time with time zone, c bit varying(3), d interval day to second(2), e double precision[], f "MyType", g pg_catalog.int4)',
    "SELECT timestamp(3) '2020-01-01', time with time zone '10:00', bit varying(4) '1', int '1', double precision '2', pg_catalog.date '2020-01-01', bpchar(3) 'ab', s.t(1, 2) 'x'",
    'SELECT 1 FROM t ORDER BY 1 OFFSET 2 FETCH FIRST (1 + 1) ROWS WITH TIES',
    "SET x.y TO -1, 'a b', on; SHOW \"X\"; RESET x.y",
    'REINDEX "index"; REINDEX INDEX CONCURRENTLY i',
    "SELECT a FROM t GROUP BY GROUPING SETS (ROLLUP (a), CUBE (b, (c, d)), ())",
    'SELECT rank() OVER ("partition" ORDER BY x), sum(x) OVER w FROM t WINDOW w AS (), "rows" AS ("w" ROWS 1 PRECEDING)',
  ]
  for (const sql of tricky) {
    it(`holds for the tricky case ${sql.length > 70 ? sql.slice(0, 67) + '...' : sql}`, () => expectRoundTrip(sql))
  }

  it.skipIf(!corpusAvailable())('holds over a sample of the sqllogictest corpus', () => {
    const seen = new Set<string>()
    let checked = 0
    const records = readCorpus()
    const spanless = (v: unknown): string => JSON.stringify(v, (k, x) => (k === 'start' || k === 'end' ? undefined : x))
    for (let i = 0; i < records.length; i += 11) {
      const sql = records[i].sql
      if (seen.has(sql)) continue
      seen.add(sql)
      const first = parse(sql)
      const printed = printStatements(first)
      const second = parse(printed)
      if (spanless(second) !== spanless(first)) {
        expect(strip(second), `${records[i].file}:${records[i].line}\n  in:  ${sql}\n  out: ${printed}`).toEqual(strip(first))
      }
      checked++
    }
    expect(checked).toBeGreaterThan(30_000)
  })
})

describe('printer stability', () => {
  it('prints what it parses back to the same text', () => {
    for (const sql of VALID_STATEMENTS) {
      const once = printSql(parseOne(sql))
      expect(printSql(parseOne(once))).toBe(once)
    }
  })
})
