/**
 * The rustydb CLI as a user runs it: spawned with `node --import tsx bin/rustydb.ts`, fed -c, stdin scripts,
 * an interactive session (-i) and a database file that keeps its data between runs.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'rustydb-cli-'))

afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }))

function cli(args: string[], input = ''): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/rustydb.ts', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, RUSTYDB_HISTORY: '' },
    timeout: 60_000,
  })
  return { stdout: r.stdout, stderr: r.stderr, status: r.status }
}

describe('rustydb CLI', () => {
  it('runs -c statements and prints an aligned table and command tags', () => {
    const r = cli(['-c', "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'a'), (2, 'bb'); SELECT * FROM t ORDER BY id;"])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')).toEqual(['CREATE TABLE', 'INSERT 0 2', ' id | name ', '----+------', '  1 | a', '  2 | bb', '(2 rows)', '', ''])
  })

  it('runs a script from stdin with multi-line statements and reports errors with SQLSTATE, exit code 1', () => {
    const r = cli([], 'SELECT\n  1 AS x\n;\nSELECT * FROM nope;\nSELECT 2 AS y')
    expect(r.stdout).toContain(' x \n---\n 1\n(1 row)')
    expect(r.stdout).toContain(' y \n---\n 2\n(1 row)')
    expect(r.stderr).toContain('ERROR:  42P01: relation "nope" does not exist')
    expect(r.status).toBe(1)
  })

  it('says it is in memory, answers backslash commands and quits on \\q in an interactive session', () => {
    const r = cli(['-i'], 'CREATE TABLE items (id int PRIMARY KEY, label varchar(10) NOT NULL);\n\\dt\n\\d items\n\\timing\nSELECT 1;\n\\q\nSELECT 99;\n')
    expect(r.stdout).toContain('connected to an in-memory database')
    expect(r.stdout).toMatch(/public\s+\|\s+items\s+\|\s+table/)
    expect(r.stdout).toMatch(/label\s+\|\s+character varying\(10\)\s+\|\s+not null/)
    expect(r.stdout).toContain('Timing is on.')
    expect(r.stdout).toMatch(/Time: \d+\.\d{3} ms/)
    expect(r.stdout).not.toContain('99')
  })

  it('keeps data in a database file between runs', () => {
    const file = path.join(TMP, 'app.rdb')
    expect(cli([file, '-c', 'CREATE TABLE k (v int); INSERT INTO k VALUES (42);']).status).toBe(0)
    const r = cli([file, '-c', 'SELECT v FROM k'])
    expect(r.stdout).toContain(' v  \n----\n 42\n(1 row)')
  })
})
