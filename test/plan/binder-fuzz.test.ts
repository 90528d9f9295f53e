/**
 * Fuzzing the parser, binder, planner and executor: mutated and random SQL must end in a result or a
 * RustyError with a SQLSTATE that is not XX000 (an internal error is a bug), never another exception or a
 * hang, and the database must be intact afterwards. Seeded; a failure prints the seed and the statement.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rng } from '../support/rng.js'
import { Database, RustyError } from '../../engine/node.js'
import { tokenize } from '../../engine/sql/index.js'

const SEED = Number(process.env.FUZZ_SEED ?? 4242)
const CASES = Number(process.env.FUZZ_CASES ?? 3000)


const SEEDS = [
  'SELECT a, b FROM t1 WHERE a > 3 AND b IS NOT NULL ORDER BY a DESC LIMIT 5',
  'SELECT count(*), sum(b), avg(c) FROM t1 GROUP BY a HAVING count(*) > 1',
  'SELECT t1.a, t2.s FROM t1 JOIN t2 ON t1.a = t2.id LEFT JOIN t3 ON t3.x = t1.b',
  'SELECT CASE WHEN a < b THEN a ELSE b END, coalesce(c, 0) FROM t1 WHERE c IN (1, 2, 3)',
  'SELECT (SELECT max(b) FROM t1 x WHERE x.a < t1.a), EXISTS (SELECT 1 FROM t2 WHERE t2.id = t1.a) FROM t1',
  'SELECT a FROM t1 UNION ALL SELECT id FROM t2 EXCEPT SELECT x FROM t3 ORDER BY 1',
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r',
  "SELECT s || 'x', length(s), upper(s), substr(s, 2) FROM t2 WHERE s LIKE 'a%'",
  'SELECT row_number() OVER (PARTITION BY a ORDER BY b), sum(c) OVER (ORDER BY a ROWS 1 PRECEDING) FROM t1',
  "SELECT CAST(a AS text), b::numeric(10,2), '2020-01-01'::date + 3, now() FROM t1",
  'SELECT DISTINCT ON (a) a, b FROM t1 ORDER BY a, b DESC',
  'SELECT * FROM t1 WHERE a BETWEEN 1 AND 5 OR NOT (b = 3) AND c IS DISTINCT FROM 2',
  "SELECT json_build_object('a', a), '{\"k\": [1, 2]}'::jsonb -> 'k' FROM t1",
  'SELECT a / b, a % b, -a, abs(b), round(c * 1.5, 1) FROM t1',
  'SELECT * FROM generate_series(1, 5) g JOIN t1 ON t1.a = g',
]

const WORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'JOIN', 'LEFT', 'ON', 'AND', 'OR',
  'NOT', 'NULL', 'IS', 'IN', 'EXISTS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'DISTINCT', 'UNION', 'ALL',
  'WITH', 'RECURSIVE', 'OVER', 'PARTITION', 'CAST', '::', '(', ')', ',', '*', '+', '-', '/', '%', '=', '<', '>',
  '<=', '<>', '||', 'a', 'b', 'c', 's', 't1', 't2', 't3', 'x', 'id', '0', '1', '-1', '2147483647', '9223372036854775807',
  "'x'", "''", '1.5', '1e308', 'true', 'count', 'sum', 'avg', 'max', 'abs', 'coalesce', 'int', 'text', 'numeric',
  'date', 'bigint', 'interval', "'1 day'", '$1', 'ANY', 'BETWEEN', 'LIKE', 'ILIKE', 'FILTER', 'ROWS', 'PRECEDING',
]

let db: Database

beforeAll(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE t1 (a int, b int, c int);
    CREATE TABLE t2 (id int PRIMARY KEY, s text);
    CREATE TABLE t3 (x int, y numeric);
    INSERT INTO t1 VALUES (1, 2, 3), (4, 0, NULL), (NULL, 5, 6), (7, 7, 7), (2147483647, -1, 0);
    INSERT INTO t2 VALUES (1, 'abc'), (2, NULL), (4, 'a%b'), (7, '');
    INSERT INTO t3 VALUES (1, 1.5), (2, NULL), (NULL, 0);
    SET statement_timeout = 3000;
  `)
})

afterAll(async () => {
  await db.close()
})

function mutate(sql: string, r: () => number): string {
  const tokens = tokenize(sql).map((t) => sql.slice(t.start, t.end)).filter((t) => t.length > 0)
  const n = r() < 0.7 ? 1 : 2
  for (let i = 0; i < n && tokens.length > 0; i++) {
    const at = Math.floor(r() * tokens.length)
    const word = WORDS[Math.floor(r() * WORDS.length)]
    switch (Math.floor(r() * 4)) {
      case 0: tokens.splice(at, 1); break
      case 1: tokens.splice(at, 0, word); break
      case 2: tokens[at] = word; break
      default: tokens.splice(at, 0, tokens[Math.floor(r() * tokens.length)])
    }
  }
  return tokens.join(' ')
}

function soup(r: () => number): string {
  const n = 2 + Math.floor(r() * 14)
  const out = ['SELECT']
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(r() * WORDS.length)])
  return out.join(' ')
}

async function expectCleanOutcome(sql: string): Promise<'ok' | 'error'> {
  try {
    await db.query(sql)
    return 'ok'
  } catch (err) {
    if (!(err instanceof RustyError)) throw new Error(`seed ${SEED}: not a RustyError for ${JSON.stringify(sql)}: ${String(err)}`)
    if (err.code === 'XX000' || !/^[0-9A-Z]{5}$/.test(err.code)) {
      throw new Error(`seed ${SEED}: ${err.code} for ${JSON.stringify(sql)}: ${err.message}`)
    }
    if (db !== undefined) await db.exec('ROLLBACK').catch(() => undefined)
    return 'error'
  }
}

describe('fuzzing parser, binder and executor', () => {
  it('ends every mutated or random statement in a result or a RustyError that is not internal', async () => {
    const r = rng(SEED)
    const corpus = readFileSync(join(process.cwd(), 'test/slt/basic/queries.test'), 'utf8')
    const fromFiles = corpus.split(/\r?\n/).filter((l) => /^SELECT /i.test(l))
    const seeds = [...SEEDS, ...fromFiles]
    const outcomes = { ok: 0, error: 0 }
    for (let i = 0; i < CASES; i++) {
      const pick = r()
      const base = seeds[Math.floor(r() * seeds.length)]
      const sql = pick < 0.15 ? base : pick < 0.9 ? mutate(base, r) : soup(r)
      outcomes[await expectCleanOutcome(sql)]++
    }
    // Both outcomes occur, so the fuzzer exercises execution as well as error paths.
    expect(outcomes.ok).toBeGreaterThan(CASES / 20)
    expect(outcomes.error).toBeGreaterThan(CASES / 20)
  }, 120_000)

  it('leaves the database intact and usable', async () => {
    const r = await db.query('SELECT count(*) AS n, sum(a) AS s FROM t1', [], { rowMode: 'array' })
    expect(r.rows).toEqual([[5n, 2147483659n]])
    expect((await db.query('SELECT count(*) FROM t2', [], { rowMode: 'array' })).rows).toEqual([[4n]])
  })
})
