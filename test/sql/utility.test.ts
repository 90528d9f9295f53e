import { describe, expect, it } from 'vitest'
import { parse } from '../../engine/sql/index.js'
import { parseError, strip, stmt } from './helpers.js'

describe('transaction control', () => {
  it('parses BEGIN and START TRANSACTION with modes', () => {
    expect(strip(stmt('BEGIN', 'Begin'))).toEqual({ kind: 'Begin', isolationLevel: null, readOnly: null, deferrable: null })
    expect(stmt('BEGIN WORK', 'Begin')).toMatchObject({ isolationLevel: null })
    expect(stmt('BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE', 'Begin')).toMatchObject({
      isolationLevel: 'SERIALIZABLE',
      readOnly: true,
      deferrable: true,
    })
    expect(stmt('START TRANSACTION READ WRITE ISOLATION LEVEL REPEATABLE READ', 'Begin')).toMatchObject({
      isolationLevel: 'REPEATABLE READ',
      readOnly: false,
    })
    expect(stmt('begin isolation level read committed not deferrable', 'Begin')).toMatchObject({
      isolationLevel: 'READ COMMITTED',
      deferrable: false,
    })
    expect(stmt('BEGIN ISOLATION LEVEL READ UNCOMMITTED', 'Begin')).toMatchObject({ isolationLevel: 'READ UNCOMMITTED' })
    expect(parseError('BEGIN ISOLATION LEVEL SNAPSHOT').message).toBe('syntax error at or near "SNAPSHOT"')
  })

  it('parses COMMIT / END and ROLLBACK / ABORT', () => {
    for (const sql of ['COMMIT', 'COMMIT WORK', 'COMMIT TRANSACTION', 'END', 'END TRANSACTION', 'COMMIT AND NO CHAIN']) {
      expect(stmt(sql, 'Commit')).toMatchObject({ kind: 'Commit' })
    }
    for (const sql of ['ROLLBACK', 'ROLLBACK WORK', 'ABORT', 'ABORT TRANSACTION']) {
      expect(stmt(sql, 'Rollback')).toMatchObject({ savepoint: null })
    }
    expect(parseError('COMMIT AND CHAIN').code).toBe('0A000')
    expect(parseError('COMMIT PREPARED \'x\'').code).toBe('0A000')
  })

  it('parses savepoints', () => {
    expect(stmt('SAVEPOINT sp1', 'Savepoint')).toMatchObject({ name: 'sp1' })
    expect(stmt('ROLLBACK TO SAVEPOINT sp1', 'Rollback')).toMatchObject({ savepoint: 'sp1' })
    expect(stmt('ROLLBACK WORK TO sp1', 'Rollback')).toMatchObject({ savepoint: 'sp1' })
    expect(stmt('RELEASE SAVEPOINT sp1', 'ReleaseSavepoint')).toMatchObject({ name: 'sp1' })
    expect(stmt('RELEASE sp1', 'ReleaseSavepoint')).toMatchObject({ name: 'sp1' })
  })

  it('parses SET TRANSACTION and SET SESSION CHARACTERISTICS', () => {
    expect(stmt('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'SetTransaction')).toMatchObject({
      session: false,
      isolationLevel: 'SERIALIZABLE',
    })
    expect(stmt('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY', 'SetTransaction')).toMatchObject({ session: true, readOnly: true })
    expect(parseError('SET TRANSACTION').message).toBe('syntax error at end of input')
  })
})

describe('SET, SHOW, RESET', () => {
  it('parses SET with = and TO, scopes, lists and DEFAULT', () => {
    expect(strip(stmt("SET search_path TO app, 'public'", 'SetVariable'))).toEqual({
      kind: 'SetVariable',
      scope: null,
      name: 'search_path',
      values: ['app', 'public'],
    })
    expect(stmt('SET SESSION statement_timeout = 5000', 'SetVariable')).toMatchObject({ scope: 'SESSION', values: ['5000'] })
    expect(stmt('SET LOCAL x.y = -1.5', 'SetVariable')).toMatchObject({ scope: 'LOCAL', name: 'x.y', values: ['-1.5'] })
    expect(stmt('SET enable_seqscan TO on', 'SetVariable')).toMatchObject({ values: ['on'] })
    expect(stmt('SET work_mem TO DEFAULT', 'SetVariable')).toMatchObject({ values: null })
    expect(stmt('SET session = 1', 'SetVariable')).toMatchObject({ scope: null, name: 'session' })
  })

  it('parses SET TIME ZONE and SET NAMES', () => {
    expect(stmt("SET TIME ZONE 'UTC'", 'SetVariable')).toMatchObject({ name: 'timezone', values: ['UTC'] })
    expect(stmt('SET TIME ZONE LOCAL', 'SetVariable')).toMatchObject({ name: 'timezone', values: null })
    expect(stmt("SET NAMES 'UTF8'", 'SetVariable')).toMatchObject({ name: 'client_encoding', values: ['UTF8'] })
  })

  it('parses SHOW and RESET', () => {
    expect(stmt('SHOW search_path', 'Show')).toMatchObject({ name: 'search_path' })
    expect(stmt('SHOW ALL', 'Show')).toMatchObject({ name: 'all' })
    expect(stmt('SHOW TIME ZONE', 'Show')).toMatchObject({ name: 'timezone' })
    expect(stmt('SHOW TRANSACTION ISOLATION LEVEL', 'Show')).toMatchObject({ name: 'transaction_isolation' })
    expect(stmt('RESET statement_timeout', 'Reset')).toMatchObject({ name: 'statement_timeout' })
    expect(stmt('RESET ALL', 'Reset')).toMatchObject({ name: 'all' })
  })

  it('takes variable names and values as PostgreSQL does', () => {
    expect(parseError('SET where TO 1').message).toBe('syntax error at or near "where"')
    expect(parseError('SET x TO null').message).toBe('syntax error at or near "null"')
    expect(stmt('SET x TO true, false, on, off', 'SetVariable')).toMatchObject({ values: ['true', 'false', 'on', 'off'] })
    expect(parseError('EXPLAIN (order) SELECT 1').message).toBe('syntax error at or near "order"')
  })

  it('rejects unsupported SET forms with 0A000', () => {
    expect(parseError('SET ROLE admin').code).toBe('0A000')
    expect(parseError('SET SESSION AUTHORIZATION bob').code).toBe('0A000')
  })
})

describe('EXPLAIN, ANALYZE, VACUUM', () => {
  it('normalises EXPLAIN keywords to options', () => {
    expect(stmt('EXPLAIN SELECT 1', 'Explain')).toMatchObject({ options: [], statement: { kind: 'Query' } })
    expect(stmt('EXPLAIN ANALYZE VERBOSE SELECT 1', 'Explain').options.map((o) => [o.name, o.value])).toEqual([
      ['analyze', null],
      ['verbose', null],
    ])
    expect(stmt("EXPLAIN (ANALYZE, COSTS OFF, FORMAT json, BUFFERS true, ANALYSE) UPDATE t SET a = 1", 'Explain')).toMatchObject({
      options: [
        { name: 'analyze', value: null },
        { name: 'costs', value: 'off' },
        { name: 'format', value: 'json' },
        { name: 'buffers', value: 'true' },
        { name: 'analyze', value: null },
      ],
      statement: { kind: 'Update' },
    })
    expect(stmt('EXPLAIN INSERT INTO t VALUES (1)', 'Explain').statement.kind).toBe('Insert')
    expect(stmt('EXPLAIN CREATE TABLE t AS SELECT 1', 'Explain').statement.kind).toBe('CreateTableAs')
  })

  it('rejects EXPLAIN of statements that have no plan', () => {
    const e = parseError('EXPLAIN CREATE TABLE t (a int)')
    expect([e.code, e.message, e.position]).toEqual(['42601', 'syntax error at or near "CREATE"', 9])
  })

  it('parses ANALYZE and VACUUM', () => {
    expect(stmt('ANALYZE', 'Analyze')).toMatchObject({ options: [], targets: [] })
    expect(stmt('ANALYSE VERBOSE t (a, b), s.u', 'Analyze')).toMatchObject({
      options: [{ name: 'verbose' }],
      targets: [
        { kind: 'AnalyzeTarget', table: { name: 't' }, columns: ['a', 'b'] },
        { table: { schema: 's', name: 'u' }, columns: [] },
      ],
    })
    expect(stmt('VACUUM', 'Vacuum')).toMatchObject({ options: [], targets: [] })
    expect(stmt('VACUUM FULL ANALYZE t', 'Vacuum').options.map((o) => o.name)).toEqual(['full', 'analyze'])
    expect(stmt('VACUUM (VERBOSE, ANALYZE) t', 'Vacuum')).toMatchObject({ options: [{ name: 'verbose' }, { name: 'analyze' }], targets: [{}] })
  })
})

describe('unsupported statements', () => {
  it('answers 0A000 naming the statement', () => {
    const cases: [string, string, number][] = [
      ['GRANT SELECT ON t TO bob', 'GRANT is not supported', 1],
      ['COPY t FROM stdin', 'COPY is not supported', 1],
      ['PREPARE p AS SELECT 1', 'PREPARE is not supported', 1],
      ['CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', 'CREATE FUNCTION is not supported', 8],
      ['CREATE EXTENSION pgcrypto', 'CREATE EXTENSION is not supported', 8],
      ['LISTEN ch', 'LISTEN is not supported', 1],
      ['PRAGMA foreign_keys = ON', 'PRAGMA is not supported', 1],
    ]
    for (const [sql, message, position] of cases) {
      const e = parseError(sql)
      expect([sql, e.code, e.message, e.position]).toEqual([sql, '0A000', message, position])
    }
  })

  it('answers 42601 for words that start no statement', () => {
    expect(parseError('FROB t').message).toBe('syntax error at or near "FROB"')
    expect(parseError('42').message).toBe('syntax error at or near "42"')
  })

  it('parses scripts that mix statement kinds', () => {
    const kinds = parse(`
      BEGIN;
      CREATE TABLE t (id serial PRIMARY KEY, v text);
      INSERT INTO t (v) VALUES ('a') RETURNING id;
      SAVEPOINT s; UPDATE t SET v = 'b'; ROLLBACK TO s;
      SELECT * FROM t;
      COMMIT;
    `).map((s) => s.kind)
    expect(kinds).toEqual(['Begin', 'CreateTable', 'Insert', 'Savepoint', 'Update', 'Rollback', 'Query', 'Commit'])
  })
})
