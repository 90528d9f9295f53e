import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { MAX_DEPTH, parse, parseExpression, parseOne, positionOf, printSql } from '../../engine/sql/index.js'
import { parseError, rustyError } from './helpers.js'

describe('syntax error messages and positions', () => {
  const cases: [string, string, number][] = [
    ['SELECT * FROM', 'syntax error at end of input', 14],
    ['SELECT * FORM t', 'syntax error at or near "FORM"', 10],
    ['SELECT a, FROM t', 'syntax error at or near "FROM"', 11],
    ['SELEC 1', 'syntax error at or near "SELEC"', 1],
    ['SELECT 1 +', 'syntax error at end of input', 11],
    ['SELECT (1', 'syntax error at end of input', 10],
    ['SELECT 1)', 'syntax error at or near ")"', 9],
    ['SELECT * FROM t WHERE', 'syntax error at end of input', 22],
    ['SELECT * FROM t WHERE a = = 1', 'syntax error at or near "="', 27],
    ["INSERT INTO t VALUES (1, 'a'", 'syntax error at end of input', 29],
    ['INSERT INTO t VALUES (1 2)', 'syntax error at or near "2"', 25],
    ['UPDATE t SET WHERE a = 1', 'syntax error at or near "WHERE"', 14],
    ['DELETE t', 'syntax error at or near "t"', 8],
    ['CREATE TABLE (a int)', 'syntax error at or near "("', 14],
    ['CREATE TABLE t (a int,)', 'syntax error at or near ")"', 23],
    ['DROP TABLE', 'syntax error at end of input', 11],
    ['SELECT CAST(1 AS)', 'syntax error at or near ")"', 17],
    ['SELECT a FROM t ORDER a', 'syntax error at or near "a"', 23],
    ['SELECT a FROM t GROUP a', 'syntax error at or near "a"', 23],
    ['SELECT 1; SELECT * FROM t WHERE', 'syntax error at end of input', 32],
    ['SELECT 1;\nSELECT 2 +;', 'syntax error at or near ";"', 21],
    ['SELECT "Ab" "Cd" "Ef"', 'syntax error at or near ""Ef""', 18],
    ['SELECT select', 'syntax error at or near "select"', 8],
    ['SELECT * FROM select', 'syntax error at or near "select"', 15],
  ]
  for (const [sql, message, position] of cases) {
    it(`reports ${JSON.stringify(sql)} as ${message} at ${position}`, () => {
      const e = parseError(sql)
      expect(e).toBeInstanceOf(RustyError)
      expect([e.code, e.message, e.position]).toEqual(['42601', message, position])
    })
  }

  it('counts the position in characters of the whole script', () => {
    const sql = "SELECT 'é😀';\nSELECT FROM FROM"
    const e = parseError(sql)
    expect(e.position).toBe(positionOf(sql, sql.lastIndexOf('FROM')))
    expect(e.position).toBe(26)
  })

  it('serialises errors with their position across a worker boundary', () => {
    const e = parseError('SELECT 1 +')
    expect(RustyError.fromJSON(JSON.parse(JSON.stringify(e)))).toMatchObject({ code: '42601', position: 11, message: 'syntax error at end of input' })
  })
})

describe('parseOne and parseExpression', () => {
  it('parses exactly one statement, allowing a trailing semicolon', () => {
    expect(parseOne('SELECT 1;').kind).toBe('Query')
  })

  it('rejects empty input and several statements', () => {
    expect(rustyError(() => parseOne('  ')).message).toBe('syntax error at end of input')
    const e = rustyError(() => parseOne('SELECT 1; SELECT 2'))
    expect([e.code, e.message, e.position]).toEqual(['42601', 'cannot insert multiple commands into a prepared statement', 11])
  })

  it('parses a lone expression and nothing after it', () => {
    expect(printSql(parseExpression("coalesce(a, 'x') || b"))).toBe("coalesce(a, 'x') || b")
    expect(rustyError(() => parseExpression('a b')).message).toBe('syntax error at or near "b"')
  })
})

describe('depth limit (54001, never a RangeError)', () => {
  const deep: [string, (n: number) => string][] = [
    ['parentheses', (n) => 'SELECT ' + '('.repeat(n) + '1' + ')'.repeat(n)],
    ['unclosed parentheses', (n) => 'SELECT ' + '('.repeat(n)],
    ['scalar subqueries', (n) => 'SELECT ' + '(SELECT '.repeat(n) + '1' + ')'.repeat(n)],
    ['IN subqueries', (n) => 'SELECT 1 WHERE ' + 'a IN (SELECT '.repeat(n) + '1' + ')'.repeat(n)],
    ['unary minus', (n) => 'SELECT ' + '- '.repeat(n) + '1'],
    ['NOT', (n) => 'SELECT ' + 'NOT '.repeat(n) + 'true'],
    ['function calls', (n) => 'SELECT ' + 'f('.repeat(n) + '1' + ')'.repeat(n)],
    ['CASE', (n) => 'SELECT ' + 'CASE WHEN a THEN '.repeat(n) + '1' + ' END'.repeat(n)],
    ['ARRAY brackets', (n) => 'SELECT ARRAY' + '['.repeat(n) + '1' + ']'.repeat(n)],
    ['FROM parentheses', (n) => 'SELECT * FROM ' + '('.repeat(n) + 't' + ')'.repeat(n)],
    ['derived tables', (n) => 'SELECT * FROM ' + '(SELECT * FROM '.repeat(n) + 't' + ') s'.repeat(n)],
    ['set operation operands', (n) => '('.repeat(n) + 'SELECT 1' + ')'.repeat(n)],
    ['operator chains', (n) => 'SELECT 1' + ' + 1'.repeat(n)],
    ['UNION chains', (n) => 'SELECT 1' + ' UNION SELECT 1'.repeat(n)],
    ['JOIN chains', (n) => 'SELECT * FROM a' + ' JOIN b ON true'.repeat(n)],
    ['IS NULL chains', (n) => 'SELECT a' + ' IS NULL'.repeat(n)],
    ['casts', (n) => 'SELECT a' + '::int'.repeat(n)],
    ['CTE nesting', (n) => 'WITH a AS ('.repeat(n) + 'SELECT 1' + ') SELECT 1'.repeat(n)],
  ]
  for (const [name, make] of deep) {
    it(`stops ${name} at the limit with 54001`, () => {
      for (const n of [MAX_DEPTH + 1, 100_000]) {
        const e = parseError(make(n))
        expect([e.code, e.message]).toEqual(['54001', 'stack depth limit exceeded'])
        expect(e.position).toBeGreaterThan(0)
      }
    })
  }

  it('parses nesting well below the limit', () => {
    expect(() => parse('SELECT ' + '('.repeat(400) + '1' + ')'.repeat(400))).not.toThrow()
    expect(() => parse('SELECT ' + '(SELECT '.repeat(100) + '1' + ')'.repeat(100))).not.toThrow()
    expect(() => parse('SELECT 1' + ' + 1'.repeat(500))).not.toThrow()
  })

  it('does not count flattened AND / OR chains against the limit', () => {
    const q = parseOne('SELECT 1 WHERE ' + Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(' OR '))
    expect(q.kind === 'Query' && q.body.kind === 'Select' && q.body.where?.kind === 'BoolExpr' && q.body.where.args.length).toBe(20_000)
  })

  it('handles long flat lists without recursion', () => {
    const values = 'INSERT INTO t VALUES ' + Array.from({ length: 20_000 }, (_, i) => `(${i}, 'x')`).join(', ')
    expect(parse(values)).toHaveLength(1)
    const inList = 'SELECT 1 WHERE a IN (' + Array.from({ length: 50_000 }, (_, i) => i).join(', ') + ')'
    expect(parse(inList)).toHaveLength(1)
  })
})
