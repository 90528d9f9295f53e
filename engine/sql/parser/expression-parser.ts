/**
 * ExpressionParser: value expressions by Pratt parsing, with PostgreSQL 16's precedence table.
 * Owns: operators, literals, column references, function calls (DISTINCT, ORDER BY, WITHIN GROUP,
 * FILTER, OVER), CASE, CAST and `::`, subqueries in expressions, ARRAY, rows, subscripts,
 * special-syntax functions (EXTRACT, POSITION, SUBSTRING, TRIM, OVERLAY), window specifications.
 *
 * Binding power, loosest first (gram.y's %left/%right/%nonassoc lines):
 *
 *   LEVEL       OPERATORS                                          ASSOCIATIVITY
 *   1 P_OR      OR                                                 left (flattened)
 *   2 P_AND     AND                                                left (flattened)
 *   3 P_NOT     NOT (prefix)                                       right
 *   4 P_IS      IS [NOT] NULL/TRUE/..., IS [NOT] DISTINCT FROM, ISNULL, NOTNULL
 *   5 P_CMP     <  >  =  <=  >=  <>                                 non-associative
 *   6 P_LIKE    [NOT] BETWEEN / IN / LIKE / ILIKE / SIMILAR TO     non-associative
 *   7 P_OP      every other operator (|| -> ->> @> ? & | # << ~ ...), prefix ~ @ |/ ...
 *   8 P_ADD     +  -                                               left
 *   9 P_MUL     *  /  %                                            left
 *  10 P_EXP     ^                                                  left
 *  11 P_AT      AT TIME ZONE                                       left
 *  12 P_COLLATE COLLATE                                            left
 *  13 P_UNARY   unary +  -                                         right
 *  14 P_POSTFIX [subscript]  ::type                                left
 *
 * Invariants:
 *   (1) parseExpr(min) consumes exactly the operators that bind tighter than `min`; a
 *       non-associative operator followed by one of its level is a syntax error (`a = b = c`,
 *       `a LIKE b LIKE c`), as in PostgreSQL; IN (...) and ANY (...) end in a parenthesis and chain.
 *   (2) A parenthesis is resolved without backtracking: parseParenContent decides between a
 *       subquery and an expression list by recursing into nested parentheses first.
 *   (3) Every recursive entry and every link of a left-deep chain counts against MAX_DEPTH.
 * Not here: query syntax (query-parser.ts), type names (type-parser.ts).
 */
import type {
  ArrayConstructor,
  Case,
  CaseWhen,
  Expr,
  FrameBound,
  FunctionCall,
  QualifiedName,
  Query,
  SortItem,
  SqlValueFunction,
  StringLiteral,
  TypedLiteral,
  TypeName,
  WindowFrame,
  WindowRef,
  WindowSpec,
} from '../ast/index.js'
import { tooDeepAt } from '../errors.js'
import { Keyword, TokenType, type Token } from '../lexer/index.js'
import { EMPTY, MAX_DEPTH, frozen } from './cursor.js'
import { KEYWORD_TYPES, TypeParser } from './type-parser.js'

export const P_OR = 1
export const P_AND = 2
export const P_NOT = 3
export const P_IS = 4
export const P_CMP = 5
export const P_LIKE = 6
export const P_OP = 7
export const P_ADD = 8
export const P_MUL = 9
export const P_EXP = 10
export const P_AT = 11
export const P_COLLATE = 12
export const P_UNARY = 13
export const P_POSTFIX = 14

/** Binding power of a binary operator spelling. */
export function operatorPrecedence(op: string): number {
  switch (op) {
    case '+':
    case '-':
      return P_ADD
    case '*':
    case '/':
    case '%':
      return P_MUL
    case '^':
      return P_EXP
    case '=':
    case '<':
    case '>':
    case '<=':
    case '>=':
    case '<>':
      return P_CMP
    default:
      return P_OP
  }
}

/**
 * The level at which `node` forbids another operator of the same level to follow it: a comparison,
 * LIKE or BETWEEN ends in an open expression, so `a = b = c` is ambiguous and rejected; IN (...) and
 * op ANY (...) end in a parenthesis, so PostgreSQL's grammar accepts `a IN (1) IN (true)`.
 */
function nonassociativeLevel(node: Expr): number {
  switch (node.kind) {
    case 'BinaryOp':
      return P_CMP
    case 'Like':
    case 'Between':
      return P_LIKE
    default:
      return 0
  }
}

/** Words that end an expression in every context they can follow one in. */
const EXPRESSION_END_WORDS = new Set([
  'from', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect',
  'except', 'into', 'returning', 'on', 'then', 'else', 'end', 'when', 'as',
])

/** True when `t` cannot continue an expression: a comma, a closing parenthesis, the end, a clause word. */
function isExpressionEnd(t: Token): boolean {
  switch (t.type) {
    case TokenType.COMMA:
    case TokenType.RPAREN:
    case TokenType.RBRACKET:
    case TokenType.SEMICOLON:
    case TokenType.EOF:
      return true
    case TokenType.IDENT:
      return EXPRESSION_END_WORDS.has(t.text)
    default:
      return false
  }
}

/** What a parenthesis held: a query, or one or more expressions. */
export type ParenContent =
  | { readonly query: Query; readonly exprs: null; readonly start: number; readonly end: number }
  | { readonly query: null; readonly exprs: readonly Expr[]; readonly start: number; readonly end: number }

/** Niladic SQL functions written without parentheses. */
export const NIL_FUNCTIONS = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'current_role',
  'current_user',
  'session_user',
  'system_user',
  'user',
  'current_catalog',
])

const PATTERN_WORDS = new Set(['in', 'like', 'ilike', 'between', 'similar'])

/** Operators that cannot be prefix operators (gram.y has them as separate tokens, not Op). */
const NOT_PREFIX = new Set(['*', '/', '%', '^', '<', '>', '=', '<=', '>=', '<>', '=>'])

export abstract class ExpressionParser extends TypeParser {
  /** A complete query (WITH, set operations, ORDER BY, LIMIT, ...). */
  protected abstract parseQuery(): Query

  /** Continues a query whose first operand `first` was parenthesised: set operations and tail. */
  protected abstract continueQuery(first: Query, start: number): Query

  /** True when the current token starts a query: SELECT, VALUES, WITH, TABLE. */
  protected isQueryStart(): boolean {
    const t = this.tok
    if (t.type !== TokenType.IDENT) return false
    return t.text === 'select' || t.text === 'values' || t.text === 'with' || t.text === 'table'
  }

  /** True when the current token continues a query after its first operand. */
  protected isQueryContinuation(): boolean {
    const t = this.tok
    if (t.type !== TokenType.IDENT) return false
    switch (t.text) {
      case 'union':
      case 'intersect':
      case 'except':
      case 'order':
      case 'limit':
      case 'offset':
      case 'fetch':
      case 'for':
        return true
      default:
        return false
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pratt core

  /** An expression whose operators all bind tighter than `minPrec` (0: a whole expression). */
  protected parseExpr(minPrec = 0): Expr {
    this.enter()
    const left = this.parsePrefix()
    const result = this.parseInfixLoop(left, minPrec)
    this.leave()
    return result
  }

  /** Applies infix and postfix operators tighter than `minPrec` to `left`. */
  protected parseInfixLoop(left: Expr, minPrec: number): Expr {
    const saved = this.depth
    let nonassoc = 0
    for (;;) {
      const prec = this.infixPrecedence()
      if (prec <= minPrec) break
      if (prec === nonassoc) throw this.error()
      // AND / OR chains are flattened and do not grow the tree; every other link does
      if (prec !== P_AND && prec !== P_OR && ++this.depth > MAX_DEPTH) throw tooDeepAt(this.sql, this.tok.start, MAX_DEPTH)
      left = this.parseInfix(left, prec)
      nonassoc = prec === P_CMP || prec === P_LIKE ? nonassociativeLevel(left) : 0
    }
    this.depth = saved
    return left
  }

  /** Binding power of the current token as an infix/postfix operator; 0 when it is not one. */
  private infixPrecedence(): number {
    const t = this.tok
    switch (t.type) {
      case TokenType.OPERATOR:
        // `=>` is named-argument notation, not an operator (gram.y's EQUALS_GREATER)
        return t.text === '=>' ? 0 : operatorPrecedence(t.text)
      case TokenType.TYPECAST:
      case TokenType.LBRACKET:
        return P_POSTFIX
      case TokenType.IDENT:
        // a keyword operator followed by the end of an expression is a bare column label
        // (`SELECT a AND, b`), as PostgreSQL's grammar reads it
        if (t.keyword !== Keyword.NONE && t.text !== 'isnull' && t.text !== 'notnull' && isExpressionEnd(this.peek(1))) return 0
        switch (t.text) {
          case 'or':
            return P_OR
          case 'and':
            return P_AND
          case 'is':
          case 'isnull':
          case 'notnull':
            return P_IS
          case 'in':
          case 'like':
          case 'ilike':
          case 'between':
          case 'similar':
            return P_LIKE
          case 'not': {
            const next = this.peek(1)
            return next.type === TokenType.IDENT && PATTERN_WORDS.has(next.text) ? P_LIKE : 0
          }
          case 'at':
            return this.isWordAt(1, 'time') && this.isWordAt(2, 'zone') ? P_AT : 0
          case 'collate':
            return P_COLLATE
          default:
            return 0
        }
      default:
        return 0
    }
  }

  private parseInfix(left: Expr, prec: number): Expr {
    const t = this.tok
    const start = left.start
    switch (t.type) {
      case TokenType.OPERATOR: {
        this.advance()
        if (this.isQuantifier()) return this.parseQuantified(left, t.text)
        const right = this.parseExpr(prec)
        return this.node({ kind: 'BinaryOp', start, op: t.text, left, right })
      }
      case TokenType.TYPECAST: {
        this.advance()
        const type = this.parseTypeName()
        return this.node({ kind: 'Cast', start, expr: left, type })
      }
      case TokenType.LBRACKET:
        return this.parseSubscript(left)
    }
    switch (t.text) {
      case 'and':
      case 'or': {
        const op = t.text === 'and' ? 'AND' : 'OR'
        const args: Expr[] = left.kind === 'BoolExpr' && left.op === op ? left.args.slice() : [left]
        do {
          this.advance()
          args.push(this.parseExpr(prec))
        } while (this.isWord(t.text))
        return this.node({ kind: 'BoolExpr', start, op, args: frozen(args) })
      }
      case 'is':
        return this.parseIs(left)
      case 'isnull':
      case 'notnull':
        this.advance()
        return this.node({ kind: 'IsTest', start, expr: left, test: 'NULL', negated: t.text === 'notnull' })
      case 'not':
        this.advance()
        return this.parsePatternOrRange(left, true)
      case 'at': {
        this.advance()
        this.advance()
        this.advance()
        const zone = this.parseExpr(P_AT)
        return this.node({ kind: 'AtTimeZone', start, expr: left, zone })
      }
      case 'collate': {
        this.advance()
        const collation = this.anyQualifiedName()
        return this.node({ kind: 'Collate', start, expr: left, collation })
      }
      default:
        return this.parsePatternOrRange(left, false)
    }
  }

  /** A dotted name (collation names): a ColId, then any words. */
  private anyQualifiedName(): QualifiedName {
    const start = this.tok.start
    const parts = [this.colId()]
    while (this.is(TokenType.DOT) && parts.length < 4) {
      this.advance()
      parts.push(this.colLabel())
    }
    return this.qualified(start, parts)
  }

  /** IN / LIKE / ILIKE / SIMILAR TO / BETWEEN, after an optional NOT. */
  private parsePatternOrRange(left: Expr, negated: boolean): Expr {
    const start = left.start
    const t = this.tok
    switch (t.type === TokenType.IDENT ? t.text : '') {
      case 'in': {
        this.advance()
        if (!this.is(TokenType.LPAREN)) throw this.error()
        if (this.peek(1).type === TokenType.RPAREN) {
          // `x IN ()`: an empty list (SQLite-flavoured; always false)
          this.advance()
          this.advance()
          return this.node({ kind: 'InList', start, expr: left, list: EMPTY, negated })
        }
        const content = this.parseParenContent()
        if (content.query !== null) return this.node({ kind: 'InSubquery', start, expr: left, query: content.query, negated })
        return this.node({ kind: 'InList', start, expr: left, list: content.exprs, negated })
      }
      case 'like':
      case 'ilike':
      case 'similar': {
        this.advance()
        if (t.text === 'similar') this.expectWord('to')
        const op = t.text === 'like' ? 'LIKE' : t.text === 'ilike' ? 'ILIKE' : 'SIMILAR TO'
        if (op !== 'SIMILAR TO' && this.isQuantifier()) return this.parseQuantified(left, negated ? `NOT ${op}` : op)
        const pattern = this.parseExpr(P_LIKE)
        const escape = this.eatWord('escape') ? this.parseExpr(P_LIKE) : null
        return this.node({ kind: 'Like', start, op, expr: left, pattern, escape, negated })
      }
      case 'between': {
        this.advance()
        const symmetric = this.eatWord('symmetric')
        if (!symmetric) this.eatWord('asymmetric')
        const low = this.parseExpr(P_LIKE)
        this.expectWord('and')
        const high = this.parseExpr(P_LIKE)
        return this.node({ kind: 'Between', start, expr: left, low, high, negated, symmetric })
      }
      default:
        throw this.error()
    }
  }

  private parseIs(left: Expr): Expr {
    const start = left.start
    this.advance()
    const negated = this.eatWord('not')
    const t = this.tok
    if (t.type === TokenType.IDENT) {
      switch (t.text) {
        case 'null':
        case 'true':
        case 'false':
        case 'unknown':
          this.advance()
          return this.node({
            kind: 'IsTest',
            start,
            expr: left,
            test: t.text.toUpperCase() as 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN',
            negated,
          })
        case 'distinct': {
          this.advance()
          this.expectWord('from')
          const right = this.parseExpr(P_IS)
          return this.node({ kind: 'IsDistinctFrom', start, left, right, negated })
        }
      }
    }
    throw this.error()
  }

  /** `ANY (` / `ALL (` / `SOME (` at the current token. */
  private isQuantifier(): boolean {
    const t = this.tok
    return (
      t.type === TokenType.IDENT &&
      (t.text === 'any' || t.text === 'all' || t.text === 'some') &&
      this.peek(1).type === TokenType.LPAREN
    )
  }

  private parseQuantified(left: Expr, op: string): Expr {
    const start = left.start
    const quantifier = this.advance().text === 'all' ? 'ALL' : 'ANY'
    const content = this.parseParenContent()
    if (content.query !== null) return this.node({ kind: 'QuantifiedSubquery', start, op, quantifier, left, query: content.query })
    if (content.exprs.length !== 1) throw this.errorAtOffset(content.exprs[1].start)
    return this.node({ kind: 'QuantifiedArray', start, op, quantifier, left, array: content.exprs[0] })
  }

  private parseSubscript(left: Expr): Expr {
    const start = left.start
    this.advance()
    let index: Expr | null = null
    let upper: Expr | null = null
    let slice = false
    if (!this.is(TokenType.COLON)) index = this.parseExpr(0)
    if (this.eat(TokenType.COLON)) {
      slice = true
      if (!this.is(TokenType.RBRACKET)) upper = this.parseExpr(0)
    }
    if (!slice && index === null) throw this.error()
    this.expect(TokenType.RBRACKET)
    return this.node({ kind: 'Subscript', start, expr: left, index, upper, slice })
  }

  // -------------------------------------------------------------------------------------------
  // primaries

  /** A primary expression with its prefix operators (no infix operator after it). */
  protected parsePrefix(): Expr {
    const t = this.tok
    const start = t.start
    switch (t.type) {
      case TokenType.INTEGER:
      case TokenType.DECIMAL:
        this.advance()
        return this.node({ kind: 'NumberLiteral', start, text: t.text, isInteger: t.type === TokenType.INTEGER })
      case TokenType.STRING:
        this.advance()
        return this.node({ kind: 'StringLiteral', start, value: t.text })
      case TokenType.BIT_STRING:
      case TokenType.HEX_STRING:
        this.advance()
        return this.node({
          kind: 'BitStringLiteral',
          start,
          radix: t.type === TokenType.BIT_STRING ? 'binary' : 'hex',
          digits: t.text,
        })
      case TokenType.PARAM: {
        this.advance()
        const index = Number(t.text)
        if (!Number.isSafeInteger(index) || index > 65535) throw this.errorAt(t, `parameter number too large: $${t.text}`)
        return this.node({ kind: 'Param', start, index })
      }
      case TokenType.OPERATOR: {
        // PostgreSQL's grammar has no prefix form of the one-character and comparison operators
        if (NOT_PREFIX.has(t.text)) throw this.error()
        this.advance()
        const operand = this.parseExpr(t.text === '-' || t.text === '+' ? P_UNARY : P_OP)
        return this.node({ kind: 'UnaryOp', start, op: t.text, operand })
      }
      case TokenType.LPAREN:
        return this.parseParenExpr()
      case TokenType.IDENT:
      case TokenType.QUOTED_IDENT:
        return this.parseNameExpr()
      default:
        throw this.error()
    }
  }

  /** `(expr)`, `(a, b)` (a row), or `(query)` (a scalar subquery), then `.field`. */
  private parseParenExpr(): Expr {
    const start = this.tok.start
    const content = this.parseParenContent()
    let expr: Expr
    if (content.query !== null) expr = this.node({ kind: 'Subquery', start, query: content.query })
    else if (content.exprs.length === 1) expr = content.exprs[0]
    else expr = this.node({ kind: 'RowConstructor', start, fields: content.exprs, explicit: false })
    return this.fieldSelection(expr, start)
  }

  /** `(expr).field` / `(expr).*` after a parenthesised expression. */
  private fieldSelection(expr: Expr, start: number): Expr {
    while (this.is(TokenType.DOT)) {
      this.advance()
      const field = this.eatOp('*') ? '*' : this.colLabel()
      expr = this.node({ kind: 'FieldSelect', start, expr, field })
    }
    return expr
  }

  /**
   * The content of a parenthesis: a query, or a comma-separated list of expressions. Nested
   * parentheses are resolved inside out, so `((SELECT 1) UNION (SELECT 2))`, `((SELECT 1) + 1)`
   * and `((1, 2))` each parse in one pass.
   */
  protected parseParenContent(): ParenContent {
    const start = this.tok.start
    this.enter()
    this.expect(TokenType.LPAREN)
    let result: ParenContent
    if (this.isQueryStart()) {
      const query = this.parseQuery()
      this.expect(TokenType.RPAREN)
      result = { query, exprs: null, start, end: this.prevEnd }
    } else {
      let first: Expr | null = null
      if (this.is(TokenType.LPAREN)) {
        const inner = this.parseParenContent()
        if (inner.query !== null) {
          if (this.isQueryContinuation()) {
            const query = this.continueQuery(inner.query, inner.start)
            this.expect(TokenType.RPAREN)
            this.leave()
            return { query, exprs: null, start, end: this.prevEnd }
          }
          if (this.is(TokenType.RPAREN)) {
            this.advance()
            this.leave()
            return { query: inner.query, exprs: null, start, end: this.prevEnd }
          }
          first = this.nodeTo({ kind: 'Subquery', start: inner.start, query: inner.query }, inner.end)
        } else if (inner.exprs.length === 1) {
          first = inner.exprs[0]
        } else {
          first = this.nodeTo({ kind: 'RowConstructor', start: inner.start, fields: inner.exprs, explicit: false }, inner.end)
        }
        first = this.parseInfixLoop(this.fieldSelection(first, inner.start), 0)
      } else {
        first = this.parseExpr(0)
      }
      const exprs = [first]
      while (this.eat(TokenType.COMMA)) exprs.push(this.parseExpr(0))
      this.expect(TokenType.RPAREN)
      result = { query: null, exprs: frozen(exprs), start, end: this.prevEnd }
    }
    this.leave()
    return result
  }

  /** The query of `EXISTS (...)`, `ARRAY(...)`: a parenthesis that must hold a query. */
  private parenQuery(): Query {
    const content = this.parseParenContent()
    if (content.query === null) throw this.errorAtOffset(content.exprs[0].start)
    return content.query
  }

  /** Words and quoted identifiers in expression position. */
  private parseNameExpr(): Expr {
    const t = this.tok
    const start = t.start
    if (t.type === TokenType.IDENT) {
      const next = this.peek(1)
      const call = next.type === TokenType.LPAREN
      switch (t.text) {
        case 'null':
          this.advance()
          return this.node({ kind: 'NullLiteral', start })
        case 'true':
        case 'false':
          this.advance()
          return this.node({ kind: 'BooleanLiteral', start, value: t.text === 'true' })
        case 'not': {
          this.advance()
          const operand = this.parseExpr(P_NOT)
          return this.node({ kind: 'UnaryOp', start, op: 'NOT', operand })
        }
        case 'case':
          return this.parseCase()
        case 'cast': {
          this.advance()
          this.expect(TokenType.LPAREN)
          const expr = this.parseExpr(0)
          this.expectWord('as')
          const type = this.parseTypeName()
          this.expect(TokenType.RPAREN)
          return this.node({ kind: 'Cast', start, expr, type })
        }
        case 'exists':
          if (!call) break
          this.advance()
          return this.node({ kind: 'Exists', start, query: this.parenQuery() })
        case 'array':
          this.advance()
          if (this.is(TokenType.LBRACKET)) return this.parseArrayLiteral(start)
          if (this.is(TokenType.LPAREN)) return this.node({ kind: 'ArraySubquery', start, query: this.parenQuery() })
          throw this.error()
        case 'row':
          if (!call) break
          this.advance()
          return this.node({ kind: 'RowConstructor', start, fields: this.optionalExprList(), explicit: true })
        case 'interval': {
          const literal = this.parseIntervalLiteral()
          if (literal !== null) return literal
          break
        }
        case 'coalesce':
        case 'nullif':
        case 'greatest':
        case 'least':
          if (!call) break
          this.advance()
          return this.simpleCall(t.text, start, t.end, this.exprList())
        case 'extract':
          if (call) return this.parseExtract()
          break
        case 'position':
          if (call) return this.parsePosition()
          break
        case 'substring':
          if (call) return this.parseSubstring()
          break
        case 'trim':
          if (call) return this.parseTrim()
          break
        case 'overlay':
          if (call) return this.parseOverlay()
          break
        case 'current_schema':
          if (call) break
          this.advance()
          return this.node({ kind: 'SqlValueFunction', start, name: 'CURRENT_SCHEMA', precision: null })
        default:
          if (NIL_FUNCTIONS.has(t.text)) return this.parseSqlValueFunction()
      }
      if (KEYWORD_TYPES.has(t.text)) {
        const literal = this.tryTypedLiteral()
        if (literal !== null) return literal
      }
      if (t.keyword === Keyword.RESERVED) throw this.error()
      if (t.keyword === Keyword.TYPE_FUNC_NAME) {
        // a function or type name, never a column: `left(s, 2)`, `"is" 'x'` typed literals
        if (!call && next.type !== TokenType.STRING) throw this.error()
        if (call) {
          this.advance()
          return this.parseFunctionCall(this.nodeTo({ kind: 'QualifiedName', start, catalog: null, schema: null, name: t.text }, t.end))
        }
      }
    }
    // a ColId: column reference, qualified star, function call, or `type 'literal'`
    this.advance()
    const parts = [t.text]
    while (this.is(TokenType.DOT)) {
      if (this.peek(1).type === TokenType.OPERATOR && this.peek(1).text === '*') {
        const qualifier = this.qualified(start, parts)
        this.advance()
        this.advance()
        return this.node({ kind: 'Star', start, table: qualifier })
      }
      this.advance()
      parts.push(this.colLabel())
    }
    if (this.is(TokenType.LPAREN)) {
      if (parts.length === 1 && t.type === TokenType.IDENT && t.keyword === Keyword.COL_NAME) throw this.error()
      const call = this.parseFunctionCall(this.qualified(start, parts))
      if (this.is(TokenType.STRING) && parts.length <= 2) return this.typedLiteralFromCall(call)
      return call
    }
    // `type 'literal'`: a column-name keyword is no type name (PostgreSQL's func_name)
    const typeName = parts.length === 2 || !(t.type === TokenType.IDENT && t.keyword === Keyword.COL_NAME)
    if (this.is(TokenType.STRING) && parts.length <= 2 && typeName) {
      const type: TypeName = this.node({
        kind: 'TypeName',
        start,
        schema: parts.length === 2 ? parts[0] : null,
        name: parts[parts.length - 1],
        modifiers: EMPTY,
        arrayBounds: EMPTY,
        intervalFields: null,
      })
      const value = this.advance().text
      return this.node({ kind: 'TypedLiteral', start, type, value })
    }
    if (parts.length > 4) throw this.errorAt(t, `improper qualified name (too many dotted names): ${parts.join('.')}`)
    const n = parts.length
    return this.node({
      kind: 'ColumnRef',
      start,
      catalog: n === 4 ? parts[0] : null,
      schema: n >= 3 ? parts[n - 3] : null,
      table: n >= 2 ? parts[n - 2] : null,
      column: parts[n - 1],
    })
  }

  /** `name(n, ...) 'string'`: a generic type with modifiers typing a literal (bpchar(3) 'ab'). */
  private typedLiteralFromCall(call: FunctionCall): TypedLiteral {
    const modifiers: number[] = []
    const plain = !call.star && !call.distinct && call.orderBy.length === 0 && call.withinGroup === null && call.filter === null && call.over === null
    for (const arg of call.args) {
      if (!plain || arg.kind !== 'NumberLiteral' || !arg.isInteger || !Number.isSafeInteger(Number(arg.text))) throw this.error()
      modifiers.push(Number(arg.text))
    }
    const type: TypeName = this.node({
      kind: 'TypeName',
      start: call.start,
      schema: call.name.schema,
      name: call.name.name,
      modifiers: frozen(modifiers),
      arrayBounds: EMPTY,
      intervalFields: null,
    })
    const value = this.advance().text
    return this.node({ kind: 'TypedLiteral', start: call.start, type, value })
  }

  /** `type 'string'` for keyword types (DOUBLE PRECISION '1', TIMESTAMP WITH TIME ZONE '...'). */
  private tryTypedLiteral(): TypedLiteral | null {
    const saved = this.i
    const start = this.tok.start
    const type = this.tryTypeName()
    if (type !== null && this.is(TokenType.STRING)) {
      const value = this.advance().text
      return this.node({ kind: 'TypedLiteral', start, type, value })
    }
    this.rewind(saved)
    return null
  }

  /** `INTERVAL 'str' [fields]` or `INTERVAL (p) 'str'`; null when INTERVAL is a column name here. */
  private parseIntervalLiteral(): TypedLiteral | null {
    const start = this.tok.start
    const next = this.peek(1)
    if (next.type === TokenType.STRING) {
      this.advance()
      const value = this.advance().text
      const fields = this.intervalFields()
      const modifiers = fields !== null && fields.endsWith('SECOND') ? this.typeModifiers() : EMPTY
      const type: TypeName = this.node({
        kind: 'TypeName',
        start,
        schema: null,
        name: 'interval',
        modifiers,
        arrayBounds: EMPTY,
        intervalFields: fields,
      })
      return this.node({ kind: 'TypedLiteral', start, type, value })
    }
    if (next.type === TokenType.LPAREN) {
      this.advance()
      const modifiers = this.typeModifiers()
      const type: TypeName = this.node({
        kind: 'TypeName',
        start,
        schema: null,
        name: 'interval',
        modifiers,
        arrayBounds: EMPTY,
        intervalFields: null,
      })
      if (!this.is(TokenType.STRING)) throw this.error()
      const value = this.advance().text
      return this.node({ kind: 'TypedLiteral', start, type, value })
    }
    return null
  }

  private parseSqlValueFunction(): Expr {
    const t = this.advance()
    const name = t.text.toUpperCase() as SqlValueFunction['name']
    let precision: number | null = null
    const timed = name === 'CURRENT_TIME' || name === 'CURRENT_TIMESTAMP' || name === 'LOCALTIME' || name === 'LOCALTIMESTAMP'
    if (timed && this.is(TokenType.LPAREN)) {
      this.advance()
      const p = this.expect(TokenType.INTEGER)
      precision = Number(p.text)
      this.expect(TokenType.RPAREN)
    }
    return this.node({ kind: 'SqlValueFunction', start: t.start, name, precision })
  }

  private parseCase(): Case {
    const start = this.tok.start
    this.advance()
    const operand = this.isWord('when') ? null : this.parseExpr(0)
    const whens: CaseWhen[] = []
    while (this.isWord('when')) {
      const whenStart = this.advance().start
      const condition = this.parseExpr(0)
      this.expectWord('then')
      const result = this.parseExpr(0)
      whens.push(this.node({ kind: 'CaseWhen', start: whenStart, condition, result }))
    }
    if (whens.length === 0) throw this.error()
    const elseExpr = this.eatWord('else') ? this.parseExpr(0) : null
    this.expectWord('end')
    return this.node({ kind: 'Case', start, operand, whens: frozen(whens), else: elseExpr })
  }

  /** `[a, b, [c, d]]` after ARRAY (inner brackets are nested constructors). */
  private parseArrayLiteral(start: number): ArrayConstructor {
    this.enter()
    this.expect(TokenType.LBRACKET)
    const elements: Expr[] = []
    if (!this.is(TokenType.RBRACKET)) {
      do {
        elements.push(this.is(TokenType.LBRACKET) ? this.parseArrayLiteral(this.tok.start) : this.parseExpr(0))
      } while (this.eat(TokenType.COMMA))
    }
    this.expect(TokenType.RBRACKET)
    this.leave()
    return this.node({ kind: 'ArrayConstructor', start, elements: frozen(elements) })
  }

  /** `(e, ...)` with at least one expression. */
  protected exprList(): readonly Expr[] {
    this.expect(TokenType.LPAREN)
    const list = [this.parseExpr(0)]
    while (this.eat(TokenType.COMMA)) list.push(this.parseExpr(0))
    this.expect(TokenType.RPAREN)
    return frozen(list)
  }

  /** `(e, ...)` or `()`. */
  private optionalExprList(): readonly Expr[] {
    if (this.peek(1).type === TokenType.RPAREN) {
      this.advance()
      this.advance()
      return EMPTY
    }
    return this.exprList()
  }

  /** A call with plain arguments, named by a keyword (coalesce, extract, btrim, ...). */
  private simpleCall(name: string, start: number, nameEnd: number, args: readonly Expr[]): FunctionCall {
    const qualified: QualifiedName = this.nodeTo({ kind: 'QualifiedName', start, catalog: null, schema: null, name }, nameEnd)
    return this.node({
      kind: 'FunctionCall',
      start,
      name: qualified,
      args,
      star: false,
      distinct: false,
      orderBy: EMPTY,
      withinGroup: null,
      filter: null,
      over: null,
    })
  }

  /** EXTRACT(field FROM source) -> extract('field', source). */
  private parseExtract(): FunctionCall {
    const t = this.advance()
    this.expect(TokenType.LPAREN)
    const f = this.tok
    // extract_arg: an identifier (not a keyword) or a string
    const field = f.type === TokenType.STRING || f.type === TokenType.QUOTED_IDENT || (f.type === TokenType.IDENT && f.keyword === Keyword.NONE)
    if (!field) throw this.error()
    this.advance()
    const fieldName: StringLiteral = this.node({ kind: 'StringLiteral', start: f.start, value: f.text })
    this.expectWord('from')
    const source = this.parseExpr(0)
    this.expect(TokenType.RPAREN)
    return this.simpleCall('extract', t.start, t.end, frozen([fieldName, source]))
  }

  /** POSITION(needle IN haystack) -> position(haystack, needle). */
  private parsePosition(): FunctionCall {
    const t = this.advance()
    this.expect(TokenType.LPAREN)
    const needle = this.parseExpr(P_LIKE)
    this.expectWord('in')
    const haystack = this.parseExpr(P_LIKE)
    this.expect(TokenType.RPAREN)
    return this.simpleCall('position', t.start, t.end, frozen([haystack, needle]))
  }

  /** SUBSTRING(x FROM a FOR b) / (x FOR b) / (x, a, b). */
  private parseSubstring(): FunctionCall {
    const t = this.advance()
    this.expect(TokenType.LPAREN)
    const args: Expr[] = []
    if (!this.is(TokenType.RPAREN)) {
      args.push(this.parseExpr(0))
      if (this.isWord('from')) {
        this.advance()
        args.push(this.parseExpr(0))
        if (this.eatWord('for')) args.push(this.parseExpr(0))
      } else if (this.isWord('for')) {
        const forToken = this.advance()
        const count = this.parseExpr(0)
        if (this.eatWord('from')) {
          args.push(this.parseExpr(0))
        } else {
          args.push(this.nodeTo({ kind: 'NumberLiteral', start: forToken.start, text: '1', isInteger: true }, forToken.end))
        }
        args.push(count)
      } else if (this.isWord('similar')) {
        throw this.unsupported('SUBSTRING ... SIMILAR')
      } else {
        while (this.eat(TokenType.COMMA)) args.push(this.parseExpr(0))
      }
    }
    this.expect(TokenType.RPAREN)
    return this.simpleCall('substring', t.start, t.end, frozen(args))
  }

  /** TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) -> btrim/ltrim/rtrim(x[, chars]). */
  private parseTrim(): FunctionCall {
    const t = this.advance()
    this.expect(TokenType.LPAREN)
    let name = 'btrim'
    if (this.eatWord('leading')) name = 'ltrim'
    else if (this.eatWord('trailing')) name = 'rtrim'
    else this.eatWord('both')
    const args: Expr[] = []
    if (this.eatWord('from')) {
      do args.push(this.parseExpr(0))
      while (this.eat(TokenType.COMMA))
    } else {
      const first = this.parseExpr(0)
      if (this.eatWord('from')) {
        do args.push(this.parseExpr(0))
        while (this.eat(TokenType.COMMA))
        args.push(first)
      } else {
        args.push(first)
        while (this.eat(TokenType.COMMA)) args.push(this.parseExpr(0))
      }
    }
    this.expect(TokenType.RPAREN)
    return this.simpleCall(name, t.start, t.end, frozen(args))
  }

  /** OVERLAY(x PLACING y FROM a [FOR b]) -> overlay(x, y, a[, b]). */
  private parseOverlay(): FunctionCall {
    const t = this.advance()
    this.expect(TokenType.LPAREN)
    const args: Expr[] = [this.parseExpr(0)]
    if (this.eatWord('placing')) {
      args.push(this.parseExpr(0))
      this.expectWord('from')
      args.push(this.parseExpr(0))
      if (this.eatWord('for')) args.push(this.parseExpr(0))
    } else {
      while (this.eat(TokenType.COMMA)) args.push(this.parseExpr(0))
    }
    this.expect(TokenType.RPAREN)
    return this.simpleCall('overlay', t.start, t.end, frozen(args))
  }

  /** `name(...)` with its aggregate and window decorations; the current token is `(`. */
  protected parseFunctionCall(name: QualifiedName): FunctionCall {
    const start = name.start
    this.enter()
    this.expect(TokenType.LPAREN)
    let star = false
    let distinct = false
    const args: Expr[] = []
    let orderBy: readonly SortItem[] = EMPTY
    if (this.isOp('*') && this.peek(1).type === TokenType.RPAREN) {
      this.advance()
      star = true
    } else if (!this.is(TokenType.RPAREN)) {
      if (this.eatWord('distinct')) distinct = true
      else this.eatWord('all')
      if (this.isWord('variadic')) throw this.unsupported('VARIADIC arguments')
      do {
        const next = this.peek(1)
        if ((this.tok.type === TokenType.IDENT || this.tok.type === TokenType.QUOTED_IDENT) && ((next.type === TokenType.OPERATOR && next.text === '=>') || next.type === TokenType.COLON)) {
          throw this.unsupported('named function arguments')
        }
        args.push(this.parseExpr(0))
      } while (this.eat(TokenType.COMMA))
      if (this.isWord('order')) orderBy = this.parseOrderBy()
    }
    this.expect(TokenType.RPAREN)
    let withinGroup: readonly SortItem[] | null = null
    if (this.isWord('within') && this.isWordAt(1, 'group') && this.peek(2).type === TokenType.LPAREN) {
      this.advance()
      this.advance()
      this.advance()
      withinGroup = this.parseOrderBy()
      this.expect(TokenType.RPAREN)
    }
    let filter: Expr | null = null
    if (this.isWord('filter') && this.peek(1).type === TokenType.LPAREN) {
      this.advance()
      this.advance()
      this.expectWord('where')
      filter = this.parseExpr(0)
      this.expect(TokenType.RPAREN)
    }
    let over: WindowSpec | WindowRef | null = null
    if (this.isWord('over')) {
      const overStart = this.advance().start
      if (this.is(TokenType.LPAREN)) {
        over = this.parseWindowSpec()
      } else {
        const windowName = this.colId()
        over = this.node({ kind: 'WindowRef', start: overStart, name: windowName })
      }
    }
    this.leave()
    return this.node({
      kind: 'FunctionCall',
      start,
      name,
      args: frozen(args),
      star,
      distinct,
      orderBy,
      withinGroup,
      filter,
      over,
    })
  }

  // -------------------------------------------------------------------------------------------
  // ORDER BY and windows

  /** `ORDER BY item, ...` (the current token is ORDER). */
  protected parseOrderBy(): readonly SortItem[] {
    this.expectWord('order')
    this.expectWord('by')
    const items = [this.parseSortItem()]
    while (this.eat(TokenType.COMMA)) items.push(this.parseSortItem())
    return frozen(items)
  }

  protected parseSortItem(): SortItem {
    const start = this.tok.start
    const expr = this.parseExpr(0)
    let direction: 'ASC' | 'DESC' | null = null
    if (this.eatWord('asc')) direction = 'ASC'
    else if (this.eatWord('desc')) direction = 'DESC'
    else if (this.isWord('using')) throw this.unsupported('ORDER BY ... USING')
    let nulls: 'FIRST' | 'LAST' | null = null
    if (this.isWord('nulls')) {
      this.advance()
      if (this.eatWord('first')) nulls = 'FIRST'
      else if (this.eatWord('last')) nulls = 'LAST'
      else throw this.error()
    }
    return this.node({ kind: 'SortItem', start, expr, direction, nulls })
  }

  /** `( [existing] [PARTITION BY ...] [ORDER BY ...] [frame] )`. */
  protected parseWindowSpec(): WindowSpec {
    const start = this.tok.start
    this.expect(TokenType.LPAREN)
    let existing: string | null = null
    if (
      this.isColId() &&
      !this.isWord('partition') &&
      !this.isWord('rows') &&
      !this.isWord('range') &&
      !this.isWord('groups')
    ) {
      existing = this.colId()
    }
    let partitionBy: readonly Expr[] = EMPTY
    if (this.eatWords('partition', 'by')) {
      const list = [this.parseExpr(0)]
      while (this.eat(TokenType.COMMA)) list.push(this.parseExpr(0))
      partitionBy = frozen(list)
    }
    const orderBy = this.isWord('order') ? this.parseOrderBy() : EMPTY
    let frame: WindowFrame | null = null
    if (this.isWord('rows') || this.isWord('range') || this.isWord('groups')) frame = this.parseFrame()
    this.expect(TokenType.RPAREN)
    return this.node({ kind: 'WindowSpec', start, existing, partitionBy, orderBy, frame })
  }

  private parseFrame(): WindowFrame {
    const start = this.tok.start
    const mode = this.advance().text.toUpperCase() as 'ROWS' | 'RANGE' | 'GROUPS'
    let frameStart: FrameBound
    let frameEnd: FrameBound | null = null
    if (this.eatWord('between')) {
      frameStart = this.parseFrameBound()
      this.expectWord('and')
      frameEnd = this.parseFrameBound()
    } else {
      frameStart = this.parseFrameBound()
    }
    let exclusion: WindowFrame['exclusion'] = null
    if (this.eatWord('exclude')) {
      if (this.eatWords('current', 'row')) exclusion = 'CURRENT ROW'
      else if (this.eatWord('group')) exclusion = 'GROUP'
      else if (this.eatWord('ties')) exclusion = 'TIES'
      else if (this.eatWords('no', 'others')) exclusion = 'NO OTHERS'
      else throw this.error()
    }
    return this.node({ kind: 'WindowFrame', start, mode, frameStart, frameEnd, exclusion })
  }

  private parseFrameBound(): FrameBound {
    const start = this.tok.start
    if (this.eatWords('unbounded', 'preceding')) return this.node({ kind: 'FrameBound', start, type: 'UNBOUNDED PRECEDING', offset: null })
    if (this.eatWords('unbounded', 'following')) return this.node({ kind: 'FrameBound', start, type: 'UNBOUNDED FOLLOWING', offset: null })
    if (this.eatWords('current', 'row')) return this.node({ kind: 'FrameBound', start, type: 'CURRENT ROW', offset: null })
    const offset = this.parseExpr(0)
    if (this.eatWord('preceding')) return this.node({ kind: 'FrameBound', start, type: 'PRECEDING', offset })
    if (this.eatWord('following')) return this.node({ kind: 'FrameBound', start, type: 'FOLLOWING', offset })
    throw this.error()
  }
}
