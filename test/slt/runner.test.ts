/**
 * The sqllogictest runner on small hand-written scripts: parser, value formatting, MD5 hashing, sorting,
 * labels, skipif/onlyif, halt and statement errors. The engine here is a TEST-ONLY fake that answers from a
 * table of canned results; the real engine runs in corpus.test.ts and own-tests.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { SltEngine, SltEngineFactory, SltQueryResult } from './runner/engine.js'
import { typeNameOf } from './runner/engine.js'
import { atoi64, formatReal, formatSltValue, sqliteRealText } from './runner/format.js'
import { hashLine, md5OfValues, parseHashLine } from './runner/hash.js'
import { parseSlt } from './runner/parser.js'
import { runSlt, sortValues } from './runner/runner.js'

/** TEST-ONLY fake engine: canned answers by exact SQL text; unknown SQL fails with 42601. */
function fakeEngine(answers: Record<string, SltQueryResult | { code: string; message: string }>, log: string[] = []): SltEngineFactory {
  const answer = (sql: string): SltQueryResult => {
    log.push(sql)
    const a = answers[sql] ?? { code: '42601', message: `fake engine has no answer for: ${sql}` }
    if ('code' in a) throw Object.assign(new Error(a.message), { code: a.code })
    return a
  }
  return async (): Promise<SltEngine> => ({
    name: 'postgresql',
    statement: async (sql) => {
      answer(sql)
    },
    query: async (sql) => answer(sql),
    close: async () => undefined,
  })
}

const ok: SltQueryResult = { columns: [], rows: [] }
const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n'

function result(types: string[], rows: unknown[][]): SltQueryResult {
  return { columns: types.map((type, i) => ({ name: `c${i}`, type })), rows }
}

describe('sqllogictest parser', () => {
  it('reads CRLF records, drops comment lines inside SQL and keeps the record line numbers', () => {
    const records = parseSlt(
      crlf(['# header', 'statement ok', 'CREATE TABLE t(a INTEGER)', '', 'query I rowsort label-xyz', 'SELECT a', '# inside', 'FROM t', '----', '1', '2', '', 'hash-threshold 8', '', 'halt']),
    )
    expect(records.map((r) => r.kind)).toEqual(['statement', 'query', 'hash-threshold', 'halt'])
    expect(records[0]).toMatchObject({ kind: 'statement', line: 2, expectError: false, sql: 'CREATE TABLE t(a INTEGER)' })
    expect(records[1]).toMatchObject({ kind: 'query', line: 5, types: 'I', sort: 'rowsort', label: 'label-xyz', sql: 'SELECT a\nFROM t', expected: ['1', '2'] })
    expect(records[2]).toMatchObject({ threshold: 8 })
  })

  it('reads skipif/onlyif prefixes and ignores a trailing comment on them', () => {
    const [r] = parseSlt(crlf(['skipif postgresql # PostgreSQL requires AS', 'onlyif mysql', 'query II nosort', 'SELECT 1, 2']))
    expect(r).toMatchObject({ kind: 'query', line: 3, types: 'II', sort: 'nosort', expected: [], hasResults: false })
    expect(r.kind !== 'hash-threshold' && r.conditions).toEqual([
      { kind: 'skipif', engine: 'postgresql' },
      { kind: 'onlyif', engine: 'mysql' },
    ])
  })

  it('keeps the pattern of our statement error extension and truncates labels to 20 characters', () => {
    const [a, b, c] = parseSlt('statement error 23505\nINSERT INTO t VALUES (1)\n\nstatement error\nX\n\nquery T valuesort label-0123456789abcdefXYZ\nSELECT 1\n')
    expect(a).toMatchObject({ expectError: true, expectedError: '23505' })
    expect(b).toMatchObject({ expectError: true })
    expect(b).not.toHaveProperty('expectedError')
    expect(c).toMatchObject({ label: 'label-0123456789abcd' })
  })

  it('treats a line of spaces as blank and reports unknown records', () => {
    const records = parseSlt('statement ok\nSELECT 1\n   \t\nfrobnicate\n')
    expect(records).toHaveLength(2)
    expect(records[1]).toMatchObject({ kind: 'invalid', line: 4 })
  })
})

describe('sqllogictest value formatting', () => {
  it('renders NULL, empty strings and unprintable characters as the reference does', () => {
    expect(formatSltValue(null, 'T')).toBe('NULL')
    expect(formatSltValue(null, 'I')).toBe('NULL')
    expect(formatSltValue('', 'T')).toBe('(empty)')
    expect(formatSltValue('a\tb', 'T')).toBe('a@b')
    expect(formatSltValue('é', 'T')).toBe('@@') // two UTF-8 bytes
  })

  it('renders integers from numbers and bigints, truncating reals and reading text prefixes for I', () => {
    expect(formatSltValue(42, 'I')).toBe('42')
    expect(formatSltValue(-9007199254740993n, 'I')).toBe('-9007199254740993')
    expect(formatSltValue(2.9, 'I')).toBe('2')
    expect(formatSltValue(-2.9, 'I')).toBe('-2')
    expect(formatSltValue('12.5000', 'I')).toBe('12')
    expect(formatSltValue('abc', 'I')).toBe('0')
    expect(formatSltValue(true, 'I')).toBe('1')
    expect(atoi64('  -0042x')).toBe(-42n)
  })

  it('renders R as %.3f with halves away from zero, from numbers, bigints and numeric text', () => {
    expect(formatSltValue(1, 'R')).toBe('1.000')
    expect(formatSltValue(0.0625, 'R')).toBe('0.063')
    expect(formatSltValue(-0.0625, 'R')).toBe('-0.063')
    expect(formatSltValue(10n, 'R')).toBe('10.000')
    expect(formatSltValue('-3.14159', 'R')).toBe('-3.142')
    expect(formatSltValue('x', 'R')).toBe('0.000')
    expect(formatReal(1e22)).toBe('10000000000000000000000.000')
    expect(formatReal(-9223372036854775808)).toBe('-9223372036854776000.000')
    expect(formatReal(12345678901234.567)).toBe('12345678901234.570')
    expect(formatReal(1234567890123.4567)).toBe('1234567890123.457')
    expect(formatReal(-0)).toBe('0.000')
  })

  it('renders T of a float column as SQLite prints a REAL, and integers plainly', () => {
    expect(formatSltValue(2, 'T', 'float8')).toBe('2.0')
    expect(formatSltValue(2, 'T', 'int4')).toBe('2')
    expect(formatSltValue(0.1, 'T', 'float8')).toBe('0.1')
    expect(sqliteRealText(1e20)).toBe('1.0e+20')
    expect(sqliteRealText(1.5e-7)).toBe('1.5e-07')
    expect(sqliteRealText(123456.789)).toBe('123456.789')
    expect(sqliteRealText(1 / 3)).toBe('0.333333333333333')
    expect(formatSltValue(12345678901234567890n, 'T')).toBe('12345678901234567890')
    expect(formatSltValue(false, 'T')).toBe('0')
  })

  it('reads column type names from SqlType objects and strings', () => {
    expect(typeNameOf({ id: 'float8' })).toBe('float8')
    expect(typeNameOf('text')).toBe('text')
    expect(typeNameOf({ id: 'array', element: { id: 'int4' } })).toBe('int4[]')
  })
})

describe('sqllogictest hashing and sorting', () => {
  it('hashes every value followed by a newline with MD5', () => {
    expect(md5OfValues([])).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(md5OfValues(['1', '2', '3'])).toBe('c0710d6b4f15dfa88f600b0e6b624077')
    expect(hashLine(['NULL', '(empty)', '1.500'])).toBe('3 values hashing to bf0ba1d6b3310124636860f31e0169da')
    expect(parseHashLine('30 values hashing to 3c13dee48d9356ae19af2515e05e6b54')).toEqual({ count: 30, md5: '3c13dee48d9356ae19af2515e05e6b54' })
    expect(parseHashLine('30')).toBeUndefined()
  })

  it('sorts rows with strcmp on the rendered text, and values independently for valuesort', () => {
    const values = ['9', 'b', '10', 'a', '9', 'a']
    expect(sortValues(values, 2, 'rowsort')).toEqual(['10', 'a', '9', 'a', '9', 'b'])
    expect(sortValues(values, 2, 'valuesort')).toEqual(['10', '9', '9', 'a', 'a', 'b'])
    expect(sortValues(values, 2, 'nosort')).toEqual(values)
  })
})

describe('sqllogictest runner', () => {
  it('passes matching statements and queries and counts skipped records', async () => {
    const log: string[] = []
    const script = crlf([
      'statement ok',
      'CREATE TABLE t(a INTEGER, b VARCHAR(30))',
      '',
      'query IT rowsort',
      'SELECT a, b FROM t',
      '----',
      '1',
      'x',
      '2',
      'NULL',
      '',
      'skipif postgresql',
      'query I nosort',
      'SELECT a x FROM t',
      '----',
      '7',
      '',
      'onlyif mysql',
      'statement ok',
      'SELECT 1 DIV 2',
    ])
    const engine = fakeEngine(
      {
        'CREATE TABLE t(a INTEGER, b VARCHAR(30))': ok,
        'SELECT a, b FROM t': result(['int4', 'varchar'], [[2, null], [1, 'x']]),
      },
      log,
    )
    const r = await runSlt('t.test', script, engine)
    expect(r).toMatchObject({ records: 4, passed: 2, failed: 0, skipped: 2 })
    expect(log).toEqual(['CREATE TABLE t(a INTEGER, b VARCHAR(30))', 'SELECT a, b FROM t'])
  })

  it('hashes results above the threshold and reports a wrong hash with expected and actual', async () => {
    const rows = [[1], [2], [3]]
    const good = hashLine(['1', '2', '3'])
    const script = `hash-threshold 2\n\nquery I nosort\nSELECT a\n----\n${good}\n\nquery I nosort\nSELECT b\n----\n${good}\n`
    const r = await runSlt('h.test', script, fakeEngine({ 'SELECT a': result(['int4'], rows), 'SELECT b': result(['int4'], [[1], [2], [4]]) }))
    expect(r).toMatchObject({ passed: 1, failed: 1, failedLines: [8] })
    expect(r.failures[0]).toMatchObject({ message: 'wrong result hash', sql: 'SELECT b', expected: [good] })
    expect(r.failures[0].actual?.[0]).toBe(hashLine(['1', '2', '4']))
  })

  it('uses hash-threshold 8 by default and 0 to never hash, and compares values written out as values', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => [i])
    const values = rows.map((r) => String(r[0]))
    const engine = fakeEngine({ 'SELECT a': result(['int4'], rows) })
    const hashed = await runSlt('d.test', `query I nosort\nSELECT a\n----\n${hashLine(values)}\n`, engine)
    expect(hashed).toMatchObject({ passed: 1 })
    const plain = await runSlt('z.test', `hash-threshold 0\n\nquery I nosort\nSELECT a\n----\n${values.join('\n')}\n`, engine)
    expect(plain).toMatchObject({ passed: 1 })
    const written = await runSlt('w.test', `query I nosort\nSELECT a\n----\n${values.join('\n')}\n`, engine)
    expect(written).toMatchObject({ passed: 1 })
    const missing = await runSlt('m.test', `query I nosort\nSELECT a\n`, engine)
    expect(missing.failures[0]).toMatchObject({ message: 'wrong result hash', expected: [] })
  })

  it('is strict about the number of values and of columns', async () => {
    const engine = fakeEngine({ 'SELECT a': result(['int4'], [[1]]), 'SELECT a, b': result(['int4', 'int4'], [[1, 2]]) })
    const r = await runSlt('n.test', 'query I nosort\nSELECT a\n\nquery I nosort\nSELECT a, b\n----\n1\n2\n', engine)
    expect(r.failed).toBe(2)
    expect(r.failures[0].message).toBe('wrong result')
    expect(r.failures[1].message).toMatch(/wrong number of result columns: expected 1 but got 2/)
  })

  it('checks labels across records, including the expected hash of a skipped one', async () => {
    const script = [
      'onlyif mysql',
      'query I rowsort label-1',
      'SELECT 1 DIV 1',
      '----',
      '1',
      '',
      'query I rowsort label-1',
      'SELECT 1',
      '----',
      '1',
      '',
      'query I rowsort label-1',
      'SELECT 2',
      '----',
      '2',
    ].join('\n')
    const r = await runSlt('l.test', script, fakeEngine({ 'SELECT 1': result(['int4'], [[1]]), 'SELECT 2': result(['int4'], [[2]]) }))
    expect(r).toMatchObject({ passed: 1, failed: 1, skipped: 1, failedLines: [12] })
    expect(r.failures[0].message).toMatch(/labeled result \[label-1\] does not agree/)
  })

  it('checks statement errors, by SQLSTATE or message pattern when given', async () => {
    const engine = fakeEngine({
      'INSERT dup': { code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"' },
      'SELECT 1/0': { code: '22012', message: 'division by zero' },
      'SELECT 1': ok,
    })
    const script = [
      'statement error 23505',
      'INSERT dup',
      '',
      'statement error 23514',
      'INSERT dup',
      '',
      'statement error division by z',
      'SELECT 1/0',
      '',
      'statement error',
      'SELECT 1',
      '',
      'statement ok',
      'SELECT 1/0',
    ].join('\n')
    const r = await runSlt('e.test', script, engine)
    expect(r).toMatchObject({ passed: 2, failed: 3, failedLines: [4, 10, 13] })
    expect(r.failures.map((f) => f.message)).toEqual(['statement failed with another error', 'statement should have failed', 'statement failed'])
    expect(r.failures[2].actual).toEqual(['22012: division by zero'])
  })

  it('stops at a halt that applies and ignores one that is skipped', async () => {
    const engine = fakeEngine({ 'SELECT 1': ok })
    const script = 'skipif postgresql\nhalt\n\nstatement ok\nSELECT 1\n\nhalt\n\nstatement ok\nSELECT 2\n'
    const r = await runSlt('x.test', script, engine)
    expect(r).toMatchObject({ records: 1, passed: 1, haltedAt: 7 })
  })

  it('reports a file error when the engine cannot open', async () => {
    const r = await runSlt('o.test', 'statement ok\nSELECT 1\n', async () => {
      throw new Error('no engine')
    })
    expect(r.error).toMatch(/cannot open the engine: no engine/)
  })
})
