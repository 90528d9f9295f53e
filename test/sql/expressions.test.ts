import { describe, expect, it } from 'vitest'
import { parseExpression } from '../../engine/sql/index.js'
import { parseError, strip, sxOf } from './helpers.js'

/** The span-free AST of an expression. */
function ast(sql: string): unknown {
  return strip(parseExpression(sql))
}

describe('precedence (PostgreSQL 16 table)', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['2 ^ 3 ^ 2', '(^ (^ 2 3) 2)'],
    ['-2 ^ 2', '(^ (- 2) 2)'],
    ['- a * b', '(* (- a) b)'],
    ['a * b % c / d', '(/ (% (* a b) c) d)'],
    ['2 * 3 ^ 2', '(* 2 (^ 3 2))'],
    ["a || b || 'c'", "(|| (|| a b) 'c')"],
    ['a || b + c', '(|| a (+ b c))'],
    ['a + b || c', '(|| (+ a b) c)'],
    ['a = b || c', '(= a (|| b c))'],
    ['x -> 1 ->> 2', '(->> (-> x 1) 2)'],
    ["j @> '{}' AND k <@ j", "(and (@> j '{}') (<@ k j))"],
    ['a & b | c # d', '(# (| (& a b) c) d)'],
    ['a << 1 + 2', '(<< a (+ 1 2))'],
    ['~ a + b', '(~ (+ a b))'],
    ['~ a || b', '(|| (~ a) b)'],
    ['a < b AND c > d OR e', '(or (and (< a b) (> c d)) e)'],
    ['a OR b AND c', '(or a (and b c))'],
    ['a AND b AND c AND d', '(and a b c d)'],
    ['a OR b OR c', '(or a b c)'],
    ['(a OR b) OR c', '(or a b c)'],
    ['a OR (b OR c)', '(or a (or b c))'],
    ['NOT a AND b', '(and (not a) b)'],
    ['NOT a = b', '(not (= a b))'],
    ['NOT NOT a', '(not (not a))'],
    ['a = NOT b', '(= a (not b))'],
    ['a IS NULL = b', '(= (is-null a) b)'],
    ['a = b IS NULL', '(is-null (= a b))'],
    ['a IS NOT NULL AND b ISNULL', '(and (is-not-null a) (is-null b))'],
    ['a NOTNULL', '(is-not-null a)'],
    ['a + 1 IS DISTINCT FROM b', '(is-distinct (+ a 1) b)'],
    ['a IS NOT DISTINCT FROM b + 1', '(is-not-distinct a (+ b 1))'],
    ['x BETWEEN 1 AND 2 AND y', '(and (between x 1 2) y)'],
    ['x NOT BETWEEN a + 1 AND b * 2', '(not-between x (+ a 1) (* b 2))'],
    ['x BETWEEN SYMMETRIC 2 AND 1', '(between-symmetric x 2 1)'],
    ['NOT x BETWEEN 1 AND 2', '(not (between x 1 2))'],
    ['a BETWEEN 1 AND 2 = true', '(= (between a 1 2) true)'],
    ["a || 'x' LIKE 'y%'", "(like (|| a 'x') 'y%')"],
    ["a LIKE 'x' = b LIKE 'y'", "(= (like a 'x') (like b 'y'))"],
    ["a NOT ILIKE 'x!%' ESCAPE '!'", "(not-ilike a 'x!%' '!')"],
    ["a SIMILAR TO 'x|y'", "(similar-to a 'x|y')"],
    ['a + 1 IN (1, 2) = b', '(= (in (+ a 1) [1 2]) b)'],
    ['a NOT IN (1) OR b', '(or (not-in a [1]) b)'],
    ['x::int + 1', '(+ (cast x integer) 1)'],
    ['-x::int', '(- (cast x integer))'],
    ['a[1]::text', '(cast (sub a 1) text)'],
    ['-a[1]', '(- (sub a 1))'],
    ["ts AT TIME ZONE 'UTC' + i", "(+ (at-time-zone ts 'UTC') i)"],
    ['a COLLATE "C" < b', '(< (collate a C) b)'],
    ['- a COLLATE "C"', '(collate (- a) C)'],
    ['a = ANY(b) AND c', '(and (= any a b) c)'],
    ['a + 1 < ALL(b)', '(< all (+ a 1) b)'],
    ['1 = 1 IS TRUE', '(is-true (= 1 1))'],
    ['a IS NULL IS NOT NULL', '(is-not-null (is-null a))'],
  ]
  for (const [sql, expected] of cases) {
    it(`parses ${sql} as ${expected}`, () => {
      expect(sxOf(sql)).toBe(expected)
    })
  }

  it('rejects chained non-associative comparisons, as PostgreSQL does', () => {
    expect(parseError('SELECT a = b = c').message).toBe('syntax error at or near "="')
    expect(parseError('SELECT a < b < c').position).toBe(14)
    expect(parseError("SELECT a LIKE 'x' LIKE 'y'").message).toBe('syntax error at or near "LIKE"')
    expect(parseError('SELECT a BETWEEN 1 AND 2 BETWEEN 3 AND 4').message).toBe('syntax error at or near "BETWEEN"')
  })

  it('chains IN and ANY, which end in a parenthesis (PostgreSQL accepts them)', () => {
    expect(sxOf('a IN (1) IN (true)')).toBe('(in (in a [1]) [true])')
    expect(sxOf('a = ANY (b) = c')).toBe('(= (= any a b) c)')
  })
})

describe('literals and references', () => {
  it('keeps numeric text exact and flags integers', () => {
    expect(ast('9223372036854775808')).toEqual({ kind: 'NumberLiteral', text: '9223372036854775808', isInteger: true })
    expect(ast('1.50')).toEqual({ kind: 'NumberLiteral', text: '1.50', isInteger: false })
  })

  it('parses strings, booleans, NULL, bit strings and parameters', () => {
    expect(ast("E'a\\nb'")).toEqual({ kind: 'StringLiteral', value: 'a\nb' })
    expect(ast('$$x$$')).toEqual({ kind: 'StringLiteral', value: 'x' })
    expect(ast('TRUE')).toEqual({ kind: 'BooleanLiteral', value: true })
    expect(ast('null')).toEqual({ kind: 'NullLiteral' })
    expect(ast("B'101'")).toEqual({ kind: 'BitStringLiteral', radix: 'binary', digits: '101' })
    expect(ast("x'1F'")).toEqual({ kind: 'BitStringLiteral', radix: 'hex', digits: '1F' })
    expect(ast('$12')).toEqual({ kind: 'Param', index: 12 })
  })

  it('parses typed literals', () => {
    expect(ast("DATE '2020-01-01'")).toMatchObject({ kind: 'TypedLiteral', type: { name: 'date' }, value: '2020-01-01' })
    expect(ast("TIMESTAMP WITH TIME ZONE '2020-01-01 00:00+00'")).toMatchObject({
      kind: 'TypedLiteral',
      type: { name: 'timestamptz' },
    })
    expect(ast("timestamp '2020-01-01'")).toMatchObject({ type: { name: 'timestamp' } })
    expect(ast("DOUBLE PRECISION '1.5'")).toMatchObject({ type: { name: 'double precision' }, value: '1.5' })
    expect(ast("pg_catalog.int4 '1'")).toMatchObject({ type: { schema: 'pg_catalog', name: 'int4' } })
    expect(ast("uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'")).toMatchObject({ type: { name: 'uuid' } })
    expect(ast("bpchar(3) 'ab'")).toMatchObject({ kind: 'TypedLiteral', type: { name: 'bpchar', modifiers: [3] }, value: 'ab' })
    expect(parseError("SELECT f(x) 'ab'").message).toBe('syntax error at or near "\'ab\'"')
  })

  it('parses INTERVAL literals with fields and precision', () => {
    expect(ast("INTERVAL '1 day'")).toMatchObject({ kind: 'TypedLiteral', type: { name: 'interval', intervalFields: null }, value: '1 day' })
    expect(ast("INTERVAL '1' DAY")).toMatchObject({ type: { intervalFields: 'DAY' }, value: '1' })
    expect(ast("INTERVAL '1-2' YEAR TO MONTH")).toMatchObject({ type: { intervalFields: 'YEAR TO MONTH' } })
    expect(ast("INTERVAL '1.5' SECOND(3)")).toMatchObject({ type: { intervalFields: 'SECOND', modifiers: [3] } })
    expect(ast("INTERVAL(2) '1 sec'")).toMatchObject({ type: { modifiers: [2] }, value: '1 sec' })
  })

  it('takes function-name keywords but not column-name keywords as literal types', () => {
    expect(ast("left 'x'")).toMatchObject({ kind: 'TypedLiteral', type: { name: 'left' }, value: 'x' })
    expect(ast("\"between\" 'x'")).toMatchObject({ kind: 'TypedLiteral', type: { name: 'between' } })
    expect(parseError("SELECT between 'x'").message).toBe('syntax error at or near "\'x\'"')
    expect(parseError('SELECT f => a').message).toBe('syntax error at or near "=>"')
  })

  it('treats type keywords without a string as column names', () => {
    expect(ast('timestamp')).toEqual({ kind: 'ColumnRef', catalog: null, schema: null, table: null, column: 'timestamp' })
    expect(ast('interval + 1')).toMatchObject({ kind: 'BinaryOp', left: { kind: 'ColumnRef', column: 'interval' } })
  })

  it('qualifies column references up to catalog.schema.table.column', () => {
    expect(ast('c')).toEqual({ kind: 'ColumnRef', catalog: null, schema: null, table: null, column: 'c' })
    expect(ast('t.c')).toMatchObject({ table: 't', column: 'c', schema: null })
    expect(ast('s.t.c')).toMatchObject({ schema: 's', table: 't', column: 'c' })
    expect(ast('db.s.t.c')).toMatchObject({ catalog: 'db', schema: 's', table: 't', column: 'c' })
    expect(ast('"T"."Col"')).toMatchObject({ table: 'T', column: 'Col' })
    expect(parseError('SELECT a.b.c.d.e').message).toBe('improper qualified name (too many dotted names): a.b.c.d.e')
  })

  it('parses qualified stars', () => {
    expect(ast('t.*')).toEqual({ kind: 'Star', table: { kind: 'QualifiedName', catalog: null, schema: null, name: 't' } })
    expect(ast('s.t.*')).toMatchObject({ kind: 'Star', table: { schema: 's', name: 't' } })
  })

  it('allows keywords after a dot', () => {
    expect(ast('t.select')).toMatchObject({ table: 't', column: 'select' })
  })

  it('parses niladic SQL functions', () => {
    expect(ast('CURRENT_TIMESTAMP')).toEqual({ kind: 'SqlValueFunction', name: 'CURRENT_TIMESTAMP', precision: null })
    expect(ast('current_time(3)')).toEqual({ kind: 'SqlValueFunction', name: 'CURRENT_TIME', precision: 3 })
    expect(ast('current_schema')).toMatchObject({ name: 'CURRENT_SCHEMA' })
    expect(ast('current_schema()')).toMatchObject({ kind: 'FunctionCall', name: { name: 'current_schema' } })
    expect(ast('user')).toMatchObject({ name: 'USER' })
  })
})

describe('operators on sets, subqueries and arrays', () => {
  it('parses IN lists, including empty ones and rows', () => {
    expect(sxOf('a IN ()')).toBe('(in a [])')
    expect(sxOf('(a, b) IN ((1, 2), (3, 4))')).toBe('(in (row a b) [(row 1 2) (row 3 4)])')
    expect(sxOf('a IN ((1), 2)')).toBe('(in a [1 2])')
  })

  it('parses IN subqueries, also with nested parentheses', () => {
    expect(sxOf('a IN (SELECT 1)')).toBe('(in a <query>)')
    expect(sxOf('a NOT IN ((SELECT 1))')).toBe('(not-in a <query>)')
    expect(sxOf('a IN ((SELECT 1) UNION (SELECT 2))')).toBe('(in a <query>)')
    expect(sxOf('a IN ((SELECT 1), 2)')).toBe('(in a [<subquery> 2])')
    expect(sxOf('a IN ((SELECT 1) + 1)')).toBe('(in a [(+ <subquery> 1)])')
  })

  it('parses EXISTS, scalar subqueries and ARRAY subqueries', () => {
    expect(ast('EXISTS (SELECT 1)')).toMatchObject({ kind: 'Exists', query: { kind: 'Query' } })
    expect(sxOf('(SELECT 1) + 1')).toBe('(+ <subquery> 1)')
    expect(ast('ARRAY(SELECT 1)')).toMatchObject({ kind: 'ArraySubquery' })
    expect(parseError('SELECT EXISTS (1)').message).toBe('syntax error at or near "1"')
  })

  it('parses ANY / ALL / SOME with subqueries and arrays', () => {
    expect(ast('a = ANY (SELECT 1)')).toMatchObject({ kind: 'QuantifiedSubquery', op: '=', quantifier: 'ANY' })
    expect(ast('a <> SOME (SELECT 1)')).toMatchObject({ kind: 'QuantifiedSubquery', quantifier: 'ANY' })
    expect(ast('a > ALL (ARRAY[1, 2])')).toMatchObject({ kind: 'QuantifiedArray', op: '>', quantifier: 'ALL', array: { kind: 'ArrayConstructor' } })
    expect(ast('a = ANY ($1)')).toMatchObject({ kind: 'QuantifiedArray', array: { kind: 'Param', index: 1 } })
    expect(ast("a LIKE ANY (ARRAY['x%'])")).toMatchObject({ kind: 'QuantifiedArray', op: 'LIKE' })
    expect(ast("a NOT ILIKE ALL ($1)")).toMatchObject({ kind: 'QuantifiedArray', op: 'NOT ILIKE', quantifier: 'ALL' })
  })

  it('parses array constructors and subscripts', () => {
    expect(ast('ARRAY[1, 2]')).toMatchObject({ kind: 'ArrayConstructor', elements: [{ text: '1' }, { text: '2' }] })
    expect(ast('ARRAY[[1, 2], [3]]')).toMatchObject({ elements: [{ kind: 'ArrayConstructor' }, { kind: 'ArrayConstructor' }] })
    expect(ast('ARRAY[]')).toMatchObject({ elements: [] })
    expect(sxOf('a[1][2]')).toBe('(sub (sub a 1) 2)')
    expect(sxOf('a[1:2]')).toBe('(sub a 1:2)')
    expect(sxOf('a[:2]')).toBe('(sub a _:2)')
    expect(sxOf('a[2:]')).toBe('(sub a 2:_)')
    expect(sxOf('$1[1]')).toBe('(sub $1 1)')
  })

  it('parses row constructors and field selection', () => {
    expect(ast('ROW(1, 2)')).toMatchObject({ kind: 'RowConstructor', explicit: true, fields: [{}, {}] })
    expect(ast('ROW()')).toMatchObject({ kind: 'RowConstructor', explicit: true, fields: [] })
    expect(ast('(1, 2)')).toMatchObject({ kind: 'RowConstructor', explicit: false })
    expect(ast('(c).f')).toMatchObject({ kind: 'FieldSelect', field: 'f', expr: { kind: 'ColumnRef', column: 'c' } })
    expect(ast('(c).*')).toMatchObject({ kind: 'FieldSelect', field: '*' })
  })

  it('parses JSON operators', () => {
    expect(sxOf("doc -> 'a' ->> 'b'")).toBe("(->> (-> doc 'a') 'b')")
    expect(sxOf("doc #> '{a,b}'")).toBe("(#> doc '{a,b}')")
    expect(sxOf("doc #>> '{a}'")).toBe("(#>> doc '{a}')")
    expect(sxOf("doc ? 'k'")).toBe("(? doc 'k')")
    expect(sxOf("doc ?| array['a']")).toBe('(?| doc <ArrayConstructor>)')
  })
})

describe('CASE, CAST and types', () => {
  it('parses searched and simple CASE', () => {
    expect(ast("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END")).toMatchObject({
      kind: 'Case',
      operand: null,
      whens: [
        { kind: 'CaseWhen', condition: { column: 'a' }, result: { text: '1' } },
        { kind: 'CaseWhen', condition: { column: 'b' }, result: { text: '2' } },
      ],
      else: { text: '3' },
    })
    expect(ast('CASE x WHEN 1 THEN 2 END')).toMatchObject({ operand: { column: 'x' }, else: null })
    expect(parseError('SELECT CASE END').message).toBe('syntax error at or near "END"')
  })

  it('parses CAST and :: to the same node', () => {
    expect(ast('CAST(x AS int)')).toEqual(ast('x::int'))
  })

  it('canonicalises keyword type names', () => {
    const type = (sql: string) => (parseExpression(`x::${sql}`) as { type: unknown }).type
    expect(type('int')).toMatchObject({ name: 'integer' })
    expect(type('INTEGER')).toMatchObject({ name: 'integer' })
    expect(type('int4')).toMatchObject({ name: 'int4' })
    expect(type('VARCHAR(30)')).toMatchObject({ name: 'varchar', modifiers: [30] })
    expect(type('character varying(5)')).toMatchObject({ name: 'varchar', modifiers: [5] })
    expect(type('char(3)')).toMatchObject({ name: 'char', modifiers: [3] })
    expect(type('NUMERIC(10, 2)')).toMatchObject({ name: 'numeric', modifiers: [10, 2] })
    expect(type('decimal')).toMatchObject({ name: 'numeric', modifiers: [] })
    expect(type('double precision')).toMatchObject({ name: 'double precision' })
    expect(type('float(24)')).toMatchObject({ name: 'float', modifiers: [24] })
    expect(type('timestamp(3) with time zone')).toMatchObject({ name: 'timestamptz', modifiers: [3] })
    expect(type('timestamp without time zone')).toMatchObject({ name: 'timestamp' })
    expect(type('time with time zone')).toMatchObject({ name: 'timetz' })
    expect(type('bit varying(8)')).toMatchObject({ name: 'varbit', modifiers: [8] })
    expect(type('interval day to second(2)')).toMatchObject({ name: 'interval', intervalFields: 'DAY TO SECOND', modifiers: [2] })
    expect(type('INT[]')).toMatchObject({ name: 'integer', arrayBounds: [-1] })
    expect(type('text[3][]')).toMatchObject({ name: 'text', arrayBounds: [3, -1] })
    expect(type('int array')).toMatchObject({ arrayBounds: [-1] })
    expect(type('pg_catalog.text')).toMatchObject({ schema: 'pg_catalog', name: 'text' })
    expect(type('"MyType"')).toMatchObject({ name: 'MyType' })
  })

  it('rejects bad interval ranges', () => {
    expect(parseError('SELECT x::interval day to year').message).toBe('syntax error at or near "year"')
  })
})

describe('function calls', () => {
  it('parses plain, qualified and star calls', () => {
    expect(ast('f()')).toMatchObject({ kind: 'FunctionCall', name: { name: 'f' }, args: [], star: false })
    expect(ast('count(*)')).toMatchObject({ name: { name: 'count' }, star: true, args: [] })
    expect(ast('pg_catalog.lower(x)')).toMatchObject({ name: { schema: 'pg_catalog', name: 'lower' }, args: [{ column: 'x' }] })
    expect(ast('left(s, 2)')).toMatchObject({ name: { name: 'left' }, args: [{}, {}] })
    expect(ast('"Quoted"(1)')).toMatchObject({ name: { name: 'Quoted' } })
  })

  it('parses aggregate decorations', () => {
    expect(ast('count(DISTINCT x)')).toMatchObject({ distinct: true })
    expect(ast('sum(ALL x)')).toMatchObject({ distinct: false })
    expect(ast("string_agg(x, ',' ORDER BY y DESC NULLS FIRST, z)")).toMatchObject({
      args: [{ column: 'x' }, { value: ',' }],
      orderBy: [
        { kind: 'SortItem', expr: { column: 'y' }, direction: 'DESC', nulls: 'FIRST' },
        { kind: 'SortItem', expr: { column: 'z' }, direction: null, nulls: null },
      ],
    })
    expect(ast('count(*) FILTER (WHERE x > 0)')).toMatchObject({ star: true, filter: { kind: 'BinaryOp', op: '>' } })
    expect(ast('percentile_cont(0.5) WITHIN GROUP (ORDER BY x)')).toMatchObject({ withinGroup: [{ expr: { column: 'x' } }] })
  })

  it('parses window calls', () => {
    expect(ast('row_number() OVER w')).toMatchObject({ over: { kind: 'WindowRef', name: 'w' } })
    expect(ast('rank() OVER ()')).toMatchObject({ over: { kind: 'WindowSpec', existing: null, partitionBy: [], orderBy: [], frame: null } })
    expect(
      ast('sum(x) OVER (PARTITION BY a, b ORDER BY c ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES)'),
    ).toMatchObject({
      over: {
        partitionBy: [{ column: 'a' }, { column: 'b' }],
        orderBy: [{ expr: { column: 'c' } }],
        frame: {
          kind: 'WindowFrame',
          mode: 'ROWS',
          frameStart: { kind: 'FrameBound', type: 'PRECEDING', offset: { text: '2' } },
          frameEnd: { type: 'UNBOUNDED FOLLOWING', offset: null },
          exclusion: 'TIES',
        },
      },
    })
    expect(ast('avg(x) OVER (w RANGE CURRENT ROW)')).toMatchObject({
      over: { existing: 'w', frame: { mode: 'RANGE', frameStart: { type: 'CURRENT ROW' }, frameEnd: null } },
    })
    expect(ast("sum(x) OVER (ORDER BY d GROUPS BETWEEN CURRENT ROW AND INTERVAL '1' DAY FOLLOWING)")).toMatchObject({
      over: { frame: { mode: 'GROUPS', frameEnd: { type: 'FOLLOWING', offset: { kind: 'TypedLiteral' } } } },
    })
    expect(ast('lag(x, 1) FILTER (WHERE y) OVER (ORDER BY z)')).toMatchObject({ filter: { column: 'y' }, over: { kind: 'WindowSpec' } })
  })

  it('parses COALESCE, NULLIF, GREATEST, LEAST as calls', () => {
    expect(ast('COALESCE(a, b, 0)')).toMatchObject({ kind: 'FunctionCall', name: { name: 'coalesce' }, args: [{}, {}, {}] })
    expect(ast('NULLIF(a, 0)')).toMatchObject({ name: { name: 'nullif' } })
    expect(ast('GREATEST(a, b)')).toMatchObject({ name: { name: 'greatest' } })
    expect(ast('least(a)')).toMatchObject({ name: { name: 'least' } })
    expect(parseError('SELECT coalesce()').message).toBe('syntax error at or near ")"')
  })

  it('rewrites special-syntax functions to calls in PostgreSQL argument order', () => {
    expect(sxOf('EXTRACT(YEAR FROM d)')).toBe("extract('year' d)")
    expect(sxOf("extract('epoch' FROM d)")).toBe("extract('epoch' d)")
    expect(sxOf("POSITION('b' IN s)")).toBe("position(s 'b')")
    expect(sxOf('SUBSTRING(s FROM 2 FOR 3)')).toBe('substring(s 2 3)')
    expect(sxOf('SUBSTRING(s FROM 2)')).toBe('substring(s 2)')
    expect(sxOf('SUBSTRING(s FOR 3)')).toBe('substring(s 1 3)')
    expect(sxOf('substring(s, 2, 3)')).toBe('substring(s 2 3)')
    expect(sxOf("TRIM(BOTH 'x' FROM s)")).toBe("btrim(s 'x')")
    expect(sxOf('TRIM(LEADING FROM s)')).toBe('ltrim(s)')
    expect(sxOf("trim(trailing 'x' from s)")).toBe("rtrim(s 'x')")
    expect(sxOf('trim(s)')).toBe('btrim(s)')
    expect(sxOf("OVERLAY(s PLACING 'ab' FROM 2 FOR 3)")).toBe("overlay(s 'ab' 2 3)")
  })

  it('takes only identifiers and strings as EXTRACT fields, as PostgreSQL does', () => {
    expect(sxOf('EXTRACT("epoch" FROM d)')).toBe("extract('epoch' d)")
    expect(parseError('SELECT EXTRACT(BOTH FROM d)').message).toBe('syntax error at or near "BOTH"')
  })

  it('refuses column-name keywords as function names and named arguments', () => {
    expect(parseError('SELECT int(1)').message).toBe('syntax error at or near "("')
    expect(parseError('SELECT f(a => 1)').code).toBe('0A000')
    expect(parseError('SELECT f(VARIADIC a)').code).toBe('0A000')
  })
})
