import { describe, expect, it } from 'vitest'
import {
  NODE_KINDS,
  forEachChild,
  parse,
  parseOne,
  visitExpr,
  visitStatement,
  walk,
  type Expr,
  type ExprVisitor,
  type Node,
  type StatementVisitor,
} from '../../engine/sql/index.js'
import { VALID_STATEMENTS } from './statements.js'

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
}

/** Child nodes found by scanning the properties of `node` (nodes, arrays of nodes, arrays of arrays). */
function scannedChildren(node: Node): Node[] {
  const out: Node[] = []
  const scan = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(scan)
    else if (isNode(value)) out.push(value)
  }
  for (const value of Object.values(node)) scan(value)
  return out
}

function allNodes(): { sql: string; node: Node; parent: Node | null }[] {
  const out: { sql: string; node: Node; parent: Node | null }[] = []
  for (const sql of VALID_STATEMENTS) {
    for (const statement of parse(sql)) walk(statement, (node, parent) => void out.push({ sql, node, parent }))
  }
  return out
}

describe('AST structure', () => {
  it('covers every node kind with the sample statements', () => {
    const seen = new Set(allNodes().map((n) => n.node.kind))
    expect(NODE_KINDS.filter((k) => !seen.has(k))).toEqual([])
    expect(NODE_KINDS.length).toBeGreaterThan(100)
  })

  it('freezes every node and every list in it', () => {
    for (const { node } of allNodes()) {
      expect(Object.isFrozen(node)).toBe(true)
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) {
          expect(Object.isFrozen(value)).toBe(true)
          for (const inner of value) if (Array.isArray(inner)) expect(Object.isFrozen(inner)).toBe(true)
        }
      }
    }
  })

  it('gives every node a kind, a start and an end inside its parent and the text', () => {
    for (const { sql, node, parent } of allNodes()) {
      expect(typeof node.kind).toBe('string')
      expect(Number.isInteger(node.start) && Number.isInteger(node.end)).toBe(true)
      expect(0 <= node.start && node.start <= node.end && node.end <= sql.length).toBe(true)
      if (parent !== null) expect([node.kind, node.start >= parent.start && node.end <= parent.end]).toEqual([node.kind, true])
    }
  })

  it('lets forEachChild reach exactly the child nodes stored in each node', () => {
    for (const { node } of allNodes()) {
      const visited: Node[] = []
      forEachChild(node, (child) => visited.push(child))
      expect([node.kind, visited.length]).toEqual([node.kind, scannedChildren(node).length])
      expect(new Set(visited)).toEqual(new Set(scannedChildren(node)))
    }
  })

  it('spans the source text of expressions and statements', () => {
    const sql = "  SELECT a + b * 2 AS x FROM t WHERE name LIKE 'a%'  ;"
    const statement = parseOne(sql)
    expect(sql.slice(statement.start, statement.end)).toBe("SELECT a + b * 2 AS x FROM t WHERE name LIKE 'a%'")
    const texts: string[] = []
    walk(statement, (n) => {
      if (n.kind === 'BinaryOp' || n.kind === 'Like' || n.kind === 'SelectItem' || n.kind === 'TableRef') texts.push(sql.slice(n.start, n.end))
    })
    expect(texts).toEqual(['a + b * 2 AS x', 'a + b * 2', 'b * 2', 't', "name LIKE 'a%'"])
  })
})

describe('visitors', () => {
  it('dispatch on kind through a complete table', () => {
    const depth: ExprVisitor<number> = {
      ColumnRef: () => 1,
      Star: () => 1,
      Param: () => 1,
      NumberLiteral: () => 1,
      StringLiteral: () => 1,
      BitStringLiteral: () => 1,
      BooleanLiteral: () => 1,
      NullLiteral: () => 1,
      TypedLiteral: () => 1,
      UnaryOp: (n) => 1 + d(n.operand),
      BinaryOp: (n) => 1 + Math.max(d(n.left), d(n.right)),
      BoolExpr: (n) => 1 + Math.max(...n.args.map(d)),
      IsTest: (n) => 1 + d(n.expr),
      IsDistinctFrom: (n) => 1 + Math.max(d(n.left), d(n.right)),
      Between: (n) => 1 + Math.max(d(n.expr), d(n.low), d(n.high)),
      Like: (n) => 1 + Math.max(d(n.expr), d(n.pattern)),
      InList: (n) => 1 + Math.max(d(n.expr), ...n.list.map(d)),
      InSubquery: (n) => 1 + d(n.expr),
      Exists: () => 1,
      Subquery: () => 1,
      QuantifiedSubquery: (n) => 1 + d(n.left),
      QuantifiedArray: (n) => 1 + Math.max(d(n.left), d(n.array)),
      Case: () => 1,
      Cast: (n) => 1 + d(n.expr),
      FunctionCall: (n) => 1 + Math.max(0, ...n.args.map(d)),
      SqlValueFunction: () => 1,
      ArrayConstructor: (n) => 1 + Math.max(0, ...n.elements.map(d)),
      ArraySubquery: () => 1,
      Subscript: (n) => 1 + d(n.expr),
      RowConstructor: (n) => 1 + Math.max(0, ...n.fields.map(d)),
      FieldSelect: (n) => 1 + d(n.expr),
      Collate: (n) => 1 + d(n.expr),
      AtTimeZone: (n) => 1 + d(n.expr),
      DefaultValue: () => 1,
    }
    const d = (e: Expr): number => visitExpr(e, depth, undefined)
    const q = parseOne('SELECT 1 + f(2 * (3 - x))')
    const target = q.kind === 'Query' && q.body.kind === 'Select' ? q.body.targets[0].expr : null
    expect(d(target!)).toBe(5)
  })

  it('name each statement kind', () => {
    const names = new Proxy({} as StatementVisitor<string>, { get: (_, kind) => () => String(kind) })
    expect(parse('BEGIN; SELECT 1; COMMIT').map((s) => visitStatement(s, names, undefined))).toEqual(['Begin', 'Query', 'Commit'])
  })

  it('walk can skip subtrees', () => {
    const seen: string[] = []
    walk(parseOne('SELECT a FROM t WHERE b IN (SELECT c FROM u)'), (n) => {
      if (n.kind === 'ColumnRef') seen.push(n.column)
      return n.kind !== 'InSubquery'
    })
    expect(seen).toEqual(['a'])
  })
})
