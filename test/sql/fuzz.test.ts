/**
 * Parser fuzzing: random token soups, random text, and mutations of valid statements. Every input
 * must end in an AST or a RustyError with a SQL syntax-class code and a position inside the input
 * (never another exception, never XX000, never a hang), and every AST must survive the printer
 * round trip.
 *
 * Seeded: FUZZ_SEED=<n> reproduces a run (the seed is printed when a property fails, and at the
 * start of the file); FUZZ_RUNS=<n> runs more cases per property.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { MAX_DEPTH, STATEMENT_TOO_COMPLEX, forEachChild, parse, printStatements, tokenize, type Node } from '../../engine/sql/index.js'
import { strip } from './helpers.js'
import { VALID_STATEMENTS } from './statements.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20240601)
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500)

/** Codes the front end may raise: syntax, unsupported feature, too deep, bad bytes in E''. */
const ALLOWED_CODES = new Set(['42601', '0A000', '54001', '22021'])

const VOCABULARY = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FIRST', 'ROWS', 'ONLY',
  'UNION', 'INTERSECT', 'EXCEPT', 'ALL', 'DISTINCT', 'ON', 'AS', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'INNER',
  'CROSS', 'NATURAL', 'LATERAL', 'USING', 'WITH', 'RECURSIVE', 'VALUES', 'TABLE', 'INSERT', 'INTO', 'UPDATE', 'SET',
  'DELETE', 'RETURNING', 'DEFAULT', 'CONFLICT', 'DO', 'NOTHING', 'CREATE', 'DROP', 'ALTER', 'ADD', 'COLUMN', 'INDEX',
  'UNIQUE', 'PRIMARY', 'KEY', 'REFERENCES', 'FOREIGN', 'CHECK', 'CONSTRAINT', 'NOT', 'NULL', 'AND', 'OR', 'IS',
  'IN', 'EXISTS', 'BETWEEN', 'SYMMETRIC', 'LIKE', 'ILIKE', 'SIMILAR', 'TO', 'ESCAPE', 'ANY', 'SOME', 'CASE', 'WHEN',
  'THEN', 'ELSE', 'END', 'CAST', 'ARRAY', 'ROW', 'INTERVAL', 'DAY', 'SECOND', 'TIMESTAMP', 'TIME', 'ZONE', 'AT',
  'DOUBLE', 'PRECISION', 'VARCHAR', 'NUMERIC', 'INT', 'TRUE', 'FALSE', 'UNKNOWN', 'OVER', 'PARTITION', 'WINDOW',
  'FILTER', 'WITHIN', 'PRECEDING', 'FOLLOWING', 'UNBOUNDED', 'CURRENT', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT',
  'EXPLAIN', 'ANALYZE', 'TRIGGER', 'COLLATE', 'EXTRACT', 'TRIM', 'SUBSTRING', 'POSITION', 'COALESCE', 'FOR', 'OF',
  'a', 'b', 't', 'x', '"Q"', '"a""b"', 'count', 'f', 's.t', 't.*',
  '(', ')', '(', ')', '[', ']', ',', ';', '.', ':', '::', '*', '+', '-', '/', '%', '^', '=', '<>', '!=', '<', '<=',
  '>', '>=', '||', '->', '->>', '#>', '@>', '<@', '?', '&', '|', '#', '~', '<<', '@',
  '0', '1', '42', '3.14', '.5', '1e9', '0x1F', "'s'", "''", "E'\\n'", '$$x$$', '$1', '$2', "B'01'", "X'ff'",
  "'", '"', '$', '/*', '*/', '--', '\n', 'é', '😀', '\\',
]

const token = fc.constantFrom(...VOCABULARY)
const separator = fc.constantFrom(' ', ' ', ' ', '', '\n', '\t', ' /* c */ ', ' -- c\n')

const tokenSoup = fc
  .array(fc.tuple(token, separator), { minLength: 0, maxLength: 40 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''))

/** The source text of the tokens of a statement, for token-level mutation. */
function tokenTexts(sql: string): string[] {
  return tokenize(sql)
    .slice(0, -1)
    .map((t) => sql.slice(t.start, t.end))
}

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; with: number }
  | { op: 'insert'; at: number; token: string }
  | { op: 'replace'; at: number; token: string }
  | { op: 'truncate'; at: number }
  | { op: 'char'; at: number; char: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), token }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), token }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('char' as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
)

function mutate(sql: string, mutations: Mutation[]): string {
  let tokens = tokenTexts(sql)
  let text = tokens.join(' ')
  for (const m of mutations) {
    const n = Math.max(tokens.length, 1)
    switch (m.op) {
      case 'delete':
        tokens.splice(m.at % n, 1)
        break
      case 'duplicate':
        tokens.splice(m.at % n, 0, tokens[m.at % n] ?? '')
        break
      case 'swap': {
        const i = m.at % n
        const j = m.with % n
        ;[tokens[i], tokens[j]] = [tokens[j], tokens[i]]
        break
      }
      case 'insert':
        tokens.splice(m.at % (n + 1), 0, m.token)
        break
      case 'replace':
        tokens[m.at % n] = m.token
        break
      case 'truncate':
        tokens = tokens.slice(0, m.at % (n + 1))
        break
      case 'char': {
        text = tokens.join(' ')
        const at = m.at % (text.length + 1)
        tokens = [text.slice(0, at) + m.char + text.slice(at)]
        break
      }
    }
    text = tokens.join(' ')
  }
  return text
}

const SEEDS = [
  ...VALID_STATEMENTS,
  "SELECT a, sum(b) FILTER (WHERE c) OVER (PARTITION BY d ORDER BY e) FROM t JOIN u USING (k) WHERE x IN (SELECT y FROM v) GROUP BY a ORDER BY 2 DESC LIMIT 5",
  "INSERT INTO t (a, b) SELECT x, y FROM u ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING *",
  'WITH RECURSIVE r (n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r) SELECT * FROM r',
]

const mutatedStatement = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([sql, mutations]) => mutate(sql, mutations))

/** Code points in `s` (positions are counted in characters). */
function characters(s: string): number {
  return Array.from(s).length
}

/** Height of an AST (a single node has height 1). */
function height(node: Node): number {
  let max = 0
  forEachChild(node, (child) => {
    max = Math.max(max, height(child))
  })
  return max + 1
}

/** The property: an AST that round-trips through the printer, or a well-formed RustyError. */
function checkInput(sql: string): void {
  let statements
  try {
    statements = parse(sql)
  } catch (e) {
    if (!(e instanceof RustyError)) throw new Error(`non-RustyError for ${JSON.stringify(sql)}: ${String(e)}`)
    if (!ALLOWED_CODES.has(e.code)) throw new Error(`unexpected code ${e.code} (${e.message}) for ${JSON.stringify(sql)}`)
    if (e.position === undefined || e.position < 1 || e.position > characters(sql) + 1) {
      throw new Error(`position ${e.position} out of range for ${JSON.stringify(sql)}: ${e.message}`)
    }
    return
  }
  const printed = printStatements(statements)
  let again
  try {
    again = parse(printed)
  } catch (e) {
    // parentheses the printer must add can take a statement near the depth limit over it
    if (e instanceof RustyError && e.code === STATEMENT_TOO_COMPLEX && Math.max(...statements.map(height)) > MAX_DEPTH / 4) return
    throw new Error(`printed SQL does not parse:\n  in:  ${JSON.stringify(sql)}\n  out: ${JSON.stringify(printed)}\n  ${(e as Error).message}`)
  }
  expect(strip(again), `round trip of ${JSON.stringify(sql)} via ${JSON.stringify(printed)}`).toEqual(strip(statements))
}

describe(`parser fuzzing (seed ${SEED}, ${RUNS} runs per property)`, () => {
  const params = { seed: SEED, numRuns: RUNS, verbose: 1 } as const

  it('ends every token soup in an AST or a RustyError', () => {
    fc.assert(fc.property(tokenSoup, checkInput), params)
  })

  it('ends every mutation of a valid statement in an AST or a RustyError', () => {
    fc.assert(fc.property(mutatedStatement, checkInput), { ...params, seed: SEED + 1 })
  })

  it('ends arbitrary text in an AST or a RustyError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), checkInput), { ...params, seed: SEED + 2 })
  })

  it('ends deeply nested random structures in an AST or a RustyError', () => {
    const nested = fc
      .tuple(fc.constantFrom('(', '(SELECT ', 'ARRAY[', 'f(', '- ', 'NOT ', 'CASE WHEN a THEN '), fc.integer({ min: 1, max: 3000 }), token)
      .map(([open, depth, inner]) => 'SELECT ' + open.repeat(depth) + inner)
    fc.assert(fc.property(nested, checkInput), { ...params, seed: SEED + 3, numRuns: Math.min(RUNS, 200) })
  })
})
