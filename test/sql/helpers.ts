/**
 * Test helpers for engine/sql: span-free AST views and a compact S-expression form for
 * precedence assertions.
 */
import { expect } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { parse, parseExpression, parseOne, type Expr, type Node, type Query, type Select, type Statement } from '../../engine/sql/index.js'

/** JSON of a node without source spans. */
export function strip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'start' || key === 'end' ? undefined : v)))
}

/** The single statement of `sql`, checked to be of `kind`. */
export function stmt<K extends Statement['kind']>(sql: string, kind: K): Extract<Statement, { kind: K }> {
  const s = parseOne(sql)
  expect(s.kind).toBe(kind)
  return s as Extract<Statement, { kind: K }>
}

/** The Select body of a one-statement query. */
export function select(sql: string): Select {
  const q = stmt(sql, 'Query')
  expect(q.body.kind).toBe('Select')
  return q.body as Select
}

/** The query of `sql` (one statement). */
export function query(sql: string): Query {
  return stmt(sql, 'Query')
}

/**
 * Compact prefix form of an expression: `(+ 1 (* 2 3))`, `(and a b c)`, `(is-null x)`.
 * Only the kinds the precedence tests need; anything else prints its kind.
 */
export function sx(e: Expr): string {
  switch (e.kind) {
    case 'ColumnRef':
      return [e.schema, e.table, e.column].filter((p) => p !== null).join('.')
    case 'NumberLiteral':
      return e.text
    case 'StringLiteral':
      return `'${e.value}'`
    case 'BooleanLiteral':
      return String(e.value)
    case 'NullLiteral':
      return 'null'
    case 'Param':
      return `$${e.index}`
    case 'UnaryOp':
      return `(${e.op.toLowerCase()} ${sx(e.operand)})`
    case 'BinaryOp':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`
    case 'BoolExpr':
      return `(${e.op.toLowerCase()} ${e.args.map(sx).join(' ')})`
    case 'IsTest':
      return `(is${e.negated ? '-not' : ''}-${e.test.toLowerCase()} ${sx(e.expr)})`
    case 'IsDistinctFrom':
      return `(is${e.negated ? '-not' : ''}-distinct ${sx(e.left)} ${sx(e.right)})`
    case 'Between':
      return `(${e.negated ? 'not-' : ''}between${e.symmetric ? '-symmetric' : ''} ${sx(e.expr)} ${sx(e.low)} ${sx(e.high)})`
    case 'Like':
      return `(${e.negated ? 'not-' : ''}${e.op.toLowerCase().replace(' ', '-')} ${sx(e.expr)} ${sx(e.pattern)}${e.escape ? ' ' + sx(e.escape) : ''})`
    case 'InList':
      return `(${e.negated ? 'not-' : ''}in ${sx(e.expr)} [${e.list.map(sx).join(' ')}])`
    case 'InSubquery':
      return `(${e.negated ? 'not-' : ''}in ${sx(e.expr)} <query>)`
    case 'Cast':
      return `(cast ${sx(e.expr)} ${e.type.name}${e.type.arrayBounds.map(() => '[]').join('')})`
    case 'FunctionCall':
      return `${e.name.name}(${e.star ? '*' : e.args.map(sx).join(' ')})`
    case 'Subscript':
      return `(sub ${sx(e.expr)} ${e.index ? sx(e.index) : '_'}${e.slice ? ':' + (e.upper ? sx(e.upper) : '_') : ''})`
    case 'RowConstructor':
      return `(row ${e.fields.map(sx).join(' ')})`
    case 'AtTimeZone':
      return `(at-time-zone ${sx(e.expr)} ${sx(e.zone)})`
    case 'Collate':
      return `(collate ${sx(e.expr)} ${e.collation.name})`
    case 'QuantifiedArray':
      return `(${e.op} ${e.quantifier.toLowerCase()} ${sx(e.left)} ${sx(e.array)})`
    case 'QuantifiedSubquery':
      return `(${e.op} ${e.quantifier.toLowerCase()} ${sx(e.left)} <query>)`
    case 'TypedLiteral':
      return `${e.type.name}'${e.value}'`
    case 'Subquery':
      return '<subquery>'
    case 'Exists':
      return '(exists <query>)'
    default:
      return `<${e.kind}>`
  }
}

/** `sx` of a standalone expression. */
export function sxOf(sql: string): string {
  return sx(parseExpression(sql))
}

/** Runs `fn`, expecting a RustyError; returns it. */
export function rustyError(fn: () => unknown): RustyError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(RustyError)
    return e as RustyError
  }
  throw new Error('expected a RustyError, but nothing was thrown')
}

/** The error parse(sql) raises. */
export function parseError(sql: string): RustyError {
  return rustyError(() => parse(sql))
}

/** Every node of a tree (pre-order), for structural checks. */
export function nodesOf(root: Node, forEachChild: (n: Node, fn: (c: Node) => void) => void): Node[] {
  const out: Node[] = []
  const visit = (n: Node): void => {
    out.push(n)
    forEachChild(n, visit)
  }
  visit(root)
  return out
}
