/**
 * QueryParser: SELECT, VALUES, TABLE, set operations, WITH, FROM items and joins.
 * Owns: the query grammar (PostgreSQL's select_no_parens / select_clause / simple_select).
 * Invariants:
 *   (1) ORDER BY / LIMIT / OFFSET / FETCH / FOR UPDATE attach to the Query being parsed, never to
 *       an operand of a set operation: an operand that has them must be parenthesised.
 *   (2) INTERSECT binds tighter than UNION and EXCEPT; equal levels associate to the left.
 *   (3) A parenthesised FROM item is resolved inside out like expression parentheses, so
 *       `((SELECT 1) UNION (SELECT 2)) AS t` and `((a JOIN b ON x) JOIN c ON y)` both parse in one pass.
 *   (4) `a JOIN b JOIN c ON x ON y` nests to the right, as in PostgreSQL.
 * Not here: expressions (expression-parser.ts), DML statements (dml-parser.ts).
 */
import type {
  Alias,
  CommonTableExpr,
  Delete,
  Expr,
  FromItem,
  GroupByItem,
  GroupingSet,
  Insert,
  JoinRef,
  LockingClause,
  NamedWindow,
  QualifiedName,
  Query,
  QueryBody,
  Select,
  SelectItem,
  SortItem,
  Update,
  Values,
  WithClause,
} from '../ast/index.js'
import { tooDeepAt } from '../errors.js'
import { Keyword, TokenType } from '../lexer/index.js'
import { EMPTY, MAX_DEPTH, frozen } from './cursor.js'
import { ExpressionParser, NIL_FUNCTIONS } from './expression-parser.js'

/** A parenthesised FROM item: a query (to become a subquery) or a FROM item (a join). */
type ParenFrom = { readonly query: Query; readonly item: null } | { readonly query: null; readonly item: FromItem }

/** Words after which a SELECT list is empty (`SELECT FROM t`, `SELECT;`). */
const TARGET_LIST_END = new Set([
  'from',
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
  'into',
])

/** Column-name keywords with call syntax that may stand in FROM (current_schema() is an ordinary call). */
const KEYWORD_FUNCTIONS = new Set(['coalesce', 'nullif', 'greatest', 'least', 'extract', 'position', 'substring', 'trim', 'overlay', 'cast'])

/**
 * Keywords that may name an output column only after AS (PostgreSQL 16+ kwlist.h AS_LABEL): the
 * words that start a clause after a select list, and those with special meaning after an expression.
 */
const AS_LABEL_ONLY = new Set([
  'array', 'as', 'char', 'character', 'create', 'day', 'except', 'fetch', 'filter', 'for', 'from', 'grant',
  'group', 'having', 'hour', 'ignore', 'intersect', 'into', 'isnull', 'limit', 'minute', 'month', 'notnull',
  'offset', 'on', 'order', 'over', 'overlaps', 'precision', 'respect', 'returning', 'second', 'to', 'union',
  'varying', 'where', 'window', 'with', 'within', 'without', 'year',
])

export abstract class QueryParser extends ExpressionParser {
  protected abstract parseInsert(withClause: WithClause | null): Insert
  protected abstract parseUpdate(withClause: WithClause | null): Update
  protected abstract parseDelete(withClause: WithClause | null): Delete

  protected parseQuery(): Query {
    const start = this.tok.start
    this.enter()
    const withClause = this.isWord('with') ? this.parseWith() : null
    const body = this.parseSetExpr(0, null)
    const query = this.parseQueryTail(start, withClause, body)
    this.leave()
    return query
  }

  /** A query whose WITH clause has already been parsed (WITH at the start of a statement). */
  protected parseQueryAfterWith(start: number, withClause: WithClause): Query {
    const body = this.parseSetExpr(0, null)
    return this.parseQueryTail(start, withClause, body)
  }

  protected continueQuery(first: Query, start: number): Query {
    const body = this.parseSetExpr(0, this.unwrap(first))
    return this.parseQueryTail(start, null, body)
  }

  /** A parenthesised query without clauses of its own is just its body. */
  private unwrap(query: Query): QueryBody {
    if (
      query.with === null &&
      query.orderBy.length === 0 &&
      query.limit === null &&
      query.offset === null &&
      query.locking.length === 0
    ) {
      return query.body
    }
    return query
  }

  // -------------------------------------------------------------------------------------------
  // WITH

  protected parseWith(): WithClause {
    const start = this.tok.start
    this.expectWord('with')
    const recursive = this.eatWord('recursive')
    const ctes = [this.parseCte()]
    while (this.eat(TokenType.COMMA)) ctes.push(this.parseCte())
    return this.node({ kind: 'WithClause', start, recursive, ctes: frozen(ctes) })
  }

  private parseCte(): CommonTableExpr {
    const start = this.tok.start
    const name = this.colId()
    const columns = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
    this.expectWord('as')
    let materialized: boolean | null = null
    if (this.eatWord('materialized')) materialized = true
    else if (this.eatWords('not', 'materialized')) materialized = false
    if (this.isWord('search') || this.isWord('cycle')) throw this.unsupported('SEARCH and CYCLE clauses')
    this.expect(TokenType.LPAREN)
    let statement: Query | Insert | Update | Delete
    if (this.isWord('insert')) statement = this.parseInsert(null)
    else if (this.isWord('update')) statement = this.parseUpdate(null)
    else if (this.isWord('delete')) statement = this.parseDelete(null)
    else statement = this.parseQuery()
    this.expect(TokenType.RPAREN)
    if (this.isWord('search') || this.isWord('cycle')) throw this.unsupported('SEARCH and CYCLE clauses')
    return this.node({ kind: 'CommonTableExpr', start, name, columns, materialized, statement })
  }

  // -------------------------------------------------------------------------------------------
  // set operations

  /** Operands and set operators binding tighter than `minPrec`; `left` is an already parsed operand. */
  private parseSetExpr(minPrec: number, left: QueryBody | null): QueryBody {
    let result = left ?? this.parseSetOperand()
    const saved = this.depth
    for (;;) {
      const t = this.tok
      if (t.type !== TokenType.IDENT) break
      const prec = t.text === 'union' || t.text === 'except' ? 1 : t.text === 'intersect' ? 2 : 0
      if (prec <= minPrec) break
      if (++this.depth > MAX_DEPTH) throw tooDeepAt(this.sql, t.start, MAX_DEPTH)
      this.advance()
      const all = this.eatWord('all')
      if (!all) this.eatWord('distinct')
      const right = this.parseSetExpr(prec, null)
      const op = t.text === 'union' ? 'UNION' : t.text === 'except' ? 'EXCEPT' : 'INTERSECT'
      result = this.node({ kind: 'SetOperation', start: result.start, op, all, left: result, right })
    }
    this.depth = saved
    return result
  }

  private parseSetOperand(): QueryBody {
    const t = this.tok
    if (t.type === TokenType.LPAREN) {
      this.enter()
      this.advance()
      const query = this.parseQuery()
      this.expect(TokenType.RPAREN)
      this.leave()
      return this.unwrap(query)
    }
    if (t.type === TokenType.IDENT) {
      switch (t.text) {
        case 'select':
          return this.parseSelect()
        case 'values':
          return this.parseValues()
        case 'table':
          return this.parseTableQuery()
      }
    }
    throw this.error()
  }

  // -------------------------------------------------------------------------------------------
  // ORDER BY, LIMIT, OFFSET, FETCH, FOR UPDATE

  private parseQueryTail(start: number, withClause: WithClause | null, body: QueryBody): Query {
    const orderBy: readonly SortItem[] = this.isWord('order') ? this.parseOrderBy() : EMPTY
    let limit: Expr | null = null
    let offset: Expr | null = null
    let limitSeen = false
    let offsetSeen = false
    let withTies = false
    const locking: LockingClause[] = []
    for (;;) {
      const t = this.tok
      if (t.type !== TokenType.IDENT) break
      if (t.text === 'limit' && !limitSeen) {
        this.advance()
        limitSeen = true
        if (!this.eatWord('all')) limit = this.parseExpr(0)
        if (this.is(TokenType.COMMA)) {
          throw this.errorAt(this.tok, 'LIMIT #,# syntax is not supported', 'Use separate LIMIT and OFFSET clauses.')
        }
      } else if (t.text === 'offset' && !offsetSeen) {
        this.advance()
        offsetSeen = true
        offset = this.parseExpr(0)
        if (!this.eatWord('rows')) this.eatWord('row')
      } else if (t.text === 'fetch' && !limitSeen) {
        this.advance()
        limitSeen = true
        if (!this.eatWord('first')) this.expectWord('next')
        if (this.isWord('row') || this.isWord('rows')) {
          limit = this.nodeTo({ kind: 'NumberLiteral', start: t.start, text: '1', isInteger: true }, t.end)
        } else {
          limit = this.parseExpr(0)
        }
        if (!this.eatWord('rows')) this.expectWord('row')
        if (this.eatWords('with', 'ties')) withTies = true
        else this.expectWord('only')
      } else if (t.text === 'for') {
        locking.push(this.parseLockingClause())
      } else {
        break
      }
    }
    if (withTies && orderBy.length === 0) {
      throw this.errorAt(this.tok, 'WITH TIES cannot be specified without ORDER BY clause')
    }
    if (orderBy.length === 0 && !limitSeen && !offsetSeen && locking.length === 0 && body.kind === 'Query') {
      // `(query)` alone is that query; `WITH ... (query)` gives the query the WITH (as PostgreSQL does)
      if (withClause === null) return body
      if (body.with === null) return this.node({ ...body, start, with: withClause })
    }
    return this.node({
      kind: 'Query',
      start,
      with: withClause,
      body,
      orderBy,
      limit,
      offset,
      withTies,
      locking: frozen(locking),
    })
  }

  private parseLockingClause(): LockingClause {
    const start = this.tok.start
    this.expectWord('for')
    let strength: LockingClause['strength']
    if (this.eatWord('update')) strength = 'UPDATE'
    else if (this.eatWord('share')) strength = 'SHARE'
    else if (this.eatWords('no', 'key', 'update')) strength = 'NO KEY UPDATE'
    else if (this.eatWords('key', 'share')) strength = 'KEY SHARE'
    else throw this.error()
    const of: QualifiedName[] = []
    if (this.eatWord('of')) {
      do of.push(this.qualifiedName())
      while (this.eat(TokenType.COMMA))
    }
    let wait: LockingClause['wait'] = null
    if (this.eatWord('nowait')) wait = 'NOWAIT'
    else if (this.eatWords('skip', 'locked')) wait = 'SKIP LOCKED'
    return this.node({ kind: 'LockingClause', start, strength, of: frozen(of), wait })
  }

  // -------------------------------------------------------------------------------------------
  // SELECT

  private parseSelect(): Select {
    const start = this.tok.start
    this.expectWord('select')
    let distinct = false
    let distinctOn: readonly Expr[] | null = null
    if (this.eatWord('distinct')) {
      distinct = true
      if (this.eatWord('on')) distinctOn = this.exprList()
    } else {
      this.eatWord('all')
    }
    const targets = this.isTargetListEnd() ? EMPTY : this.parseTargetList()
    if (this.isWord('into')) throw this.unsupported('SELECT INTO', this.tok, 'Use CREATE TABLE ... AS SELECT.')
    const from = this.eatWord('from') ? this.parseFromList() : EMPTY
    const where = this.eatWord('where') ? this.parseExpr(0) : null
    let groupBy: readonly GroupByItem[] = EMPTY
    if (this.isWord('group')) {
      this.advance()
      this.expectWord('by')
      if (this.isWord('distinct')) throw this.unsupported('GROUP BY DISTINCT')
      this.eatWord('all')
      const items = [this.parseGroupByItem()]
      while (this.eat(TokenType.COMMA)) items.push(this.parseGroupByItem())
      groupBy = frozen(items)
    }
    const having = this.eatWord('having') ? this.parseExpr(0) : null
    let windows: readonly NamedWindow[] = EMPTY
    if (this.eatWord('window')) {
      const list: NamedWindow[] = []
      do {
        const windowStart = this.tok.start
        const name = this.colId()
        this.expectWord('as')
        const spec = this.parseWindowSpec()
        list.push(this.node({ kind: 'NamedWindow', start: windowStart, name, spec }))
      } while (this.eat(TokenType.COMMA))
      windows = frozen(list)
    }
    return this.node({ kind: 'Select', start, distinct, distinctOn, targets, from, where, groupBy, having, windows })
  }

  private isTargetListEnd(): boolean {
    const t = this.tok
    if (t.type === TokenType.EOF || t.type === TokenType.RPAREN || t.type === TokenType.SEMICOLON) return true
    return t.type === TokenType.IDENT && TARGET_LIST_END.has(t.text)
  }

  /** A SELECT or RETURNING list. */
  protected parseTargetList(): readonly SelectItem[] {
    const items = [this.parseTarget()]
    while (this.eat(TokenType.COMMA)) items.push(this.parseTarget())
    return frozen(items)
  }

  private parseTarget(): SelectItem {
    const start = this.tok.start
    if (this.isOp('*')) {
      this.advance()
      const star = this.node({ kind: 'Star', start, table: null })
      return this.node({ kind: 'SelectItem', start, expr: star, alias: null })
    }
    const expr = this.parseExpr(0)
    let alias: string | null = null
    if (this.eatWord('as')) {
      alias = this.colLabel()
    } else {
      const t = this.tok
      // a bare label (PostgreSQL's BareColLabel): any word but those marked AS_LABEL in kwlist.h;
      // operator words such as IS or LIKE have already been taken by the expression
      if (t.type === TokenType.QUOTED_IDENT || (t.type === TokenType.IDENT && !AS_LABEL_ONLY.has(t.text))) {
        alias = this.advance().text
      }
    }
    return this.node({ kind: 'SelectItem', start, expr, alias })
  }

  private parseGroupByItem(): GroupByItem {
    const t = this.tok
    const start = t.start
    if (t.type === TokenType.LPAREN && this.peek(1).type === TokenType.RPAREN) {
      this.advance()
      this.advance()
      return this.node({ kind: 'GroupingSet', start, type: 'EMPTY', items: EMPTY })
    }
    if ((this.isWord('rollup') || this.isWord('cube')) && this.peek(1).type === TokenType.LPAREN) {
      this.advance()
      const items = this.exprList()
      return this.node({ kind: 'GroupingSet', start, type: t.text === 'rollup' ? 'ROLLUP' : 'CUBE', items })
    }
    if (this.isWord('grouping') && this.isWordAt(1, 'sets')) {
      this.advance()
      this.advance()
      this.enter()
      this.expect(TokenType.LPAREN)
      const items: (Expr | GroupingSet)[] = [this.parseGroupByItem()]
      while (this.eat(TokenType.COMMA)) items.push(this.parseGroupByItem())
      this.expect(TokenType.RPAREN)
      this.leave()
      return this.node({ kind: 'GroupingSet', start, type: 'SETS', items: frozen(items) })
    }
    return this.parseExpr(0)
  }

  /** `VALUES (row), (row), ...`; rows may hold DEFAULT. */
  private parseValues(): Values {
    const start = this.tok.start
    this.expectWord('values')
    const rows = [this.parseValuesRow()]
    while (this.eat(TokenType.COMMA)) rows.push(this.parseValuesRow())
    return this.node({ kind: 'Values', start, rows: frozen(rows) })
  }

  /** `(expr | DEFAULT, ...)`. */
  protected parseValuesRow(): readonly Expr[] {
    this.expect(TokenType.LPAREN)
    const row = [this.parseValueOrDefault()]
    while (this.eat(TokenType.COMMA)) row.push(this.parseValueOrDefault())
    this.expect(TokenType.RPAREN)
    return frozen(row)
  }

  /** DEFAULT (when followed by `,` or `)`), else an expression. */
  protected parseValueOrDefault(): Expr {
    if (this.isWord('default')) {
      const next = this.peek(1).type
      if (next === TokenType.COMMA || next === TokenType.RPAREN || next === TokenType.EOF || next === TokenType.SEMICOLON || (next === TokenType.IDENT && this.peek(1).keyword === Keyword.RESERVED)) {
        const t = this.advance()
        return this.node({ kind: 'DefaultValue', start: t.start })
      }
    }
    return this.parseExpr(0)
  }

  /** `TABLE name`: SELECT * FROM name. */
  private parseTableQuery(): Select {
    const start = this.tok.start
    this.expectWord('table')
    const only = this.eatWord('only')
    const name = this.qualifiedName()
    const star = this.nodeTo({ kind: 'Star', start, table: null }, start + 5)
    const target = this.nodeTo({ kind: 'SelectItem', start, expr: star, alias: null }, start + 5)
    const table = this.node({ kind: 'TableRef', start: name.start, name, alias: null, only })
    return this.node({
      kind: 'Select',
      start,
      distinct: false,
      distinctOn: null,
      targets: frozen([target]),
      from: frozen<FromItem>([table]),
      where: null,
      groupBy: EMPTY,
      having: null,
      windows: EMPTY,
    })
  }

  // -------------------------------------------------------------------------------------------
  // FROM

  /** `item [JOIN ...], item ...` */
  protected parseFromList(): readonly FromItem[] {
    const items = [this.parseJoins(this.parseFromPrimary())]
    while (this.eat(TokenType.COMMA)) items.push(this.parseJoins(this.parseFromPrimary()))
    return frozen(items)
  }

  /** Joins that follow `left`. */
  private parseJoins(left: FromItem): FromItem {
    const saved = this.depth
    for (;;) {
      const t = this.tok
      if (t.type !== TokenType.IDENT) break
      let joinType: JoinRef['joinType']
      let natural = false
      const save = this.i
      if (this.eatWords('cross', 'join')) {
        joinType = 'CROSS'
      } else {
        natural = this.eatWord('natural')
        if (this.eatWord('join')) joinType = 'INNER'
        else if (this.eatWords('inner', 'join')) joinType = 'INNER'
        else if (this.isWord('left') || this.isWord('right') || this.isWord('full')) {
          const word = this.advance().text
          this.eatWord('outer')
          this.expectWord('join')
          joinType = word === 'left' ? 'LEFT' : word === 'right' ? 'RIGHT' : 'FULL'
        } else {
          if (natural) throw this.error()
          this.rewind(save)
          break
        }
      }
      if (++this.depth > MAX_DEPTH) throw tooDeepAt(this.sql, t.start, MAX_DEPTH)
      let right = this.parseFromPrimary()
      const qualified = joinType !== 'CROSS' && !natural
      // `a JOIN b JOIN c ON x ON y`: the inner join binds first
      if (qualified && this.isJoinStart()) right = this.parseJoins(right)
      let on: Expr | null = null
      let using: readonly string[] | null = null
      if (qualified) {
        if (this.eatWord('on')) on = this.parseExpr(0)
        else if (this.isWord('using')) {
          this.advance()
          using = this.nameList()
          if (this.isWord('as')) throw this.unsupported('JOIN USING aliases')
        } else throw this.error()
      }
      left = this.node({ kind: 'JoinRef', start: left.start, joinType, natural, left, right, on, using, alias: null })
    }
    this.depth = saved
    return left
  }

  private isJoinStart(): boolean {
    const t = this.tok
    if (t.type !== TokenType.IDENT) return false
    switch (t.text) {
      case 'join':
      case 'inner':
      case 'left':
      case 'right':
      case 'full':
      case 'cross':
      case 'natural':
        return true
      default:
        return false
    }
  }

  /** One FROM item without the joins that follow it. */
  private parseFromPrimary(): FromItem {
    const start = this.tok.start
    const lateral = this.eatWord('lateral')
    if (this.is(TokenType.LPAREN)) {
      const paren = this.parseParenFrom()
      if (paren.query !== null) {
        const alias = this.parseOptAlias()
        return this.node({ kind: 'SubqueryRef', start, query: paren.query, alias, lateral })
      }
      if (lateral) throw this.error()
      return this.aliasJoin(paren.item)
    }
    if (this.isWord('rows') && this.isWordAt(1, 'from')) throw this.unsupported('ROWS FROM')
    if (this.isFunctionPrimary()) {
      // SQL functions with their own syntax in FROM: `FROM current_date`, `FROM coalesce(a, b)`
      const call = this.parsePrefix()
      const withOrdinality = this.eatWords('with', 'ordinality')
      const alias = this.parseOptAlias()
      return this.node({ kind: 'FunctionRef', start, call, alias, lateral, withOrdinality })
    }
    const only = !lateral && this.eatWord('only')
    const name = this.qualifiedName()
    if (this.is(TokenType.LPAREN) && !only) {
      const call = this.parseFunctionCall(name)
      const withOrdinality = this.eatWords('with', 'ordinality')
      const alias = this.parseOptAlias()
      return this.node({ kind: 'FunctionRef', start, call, alias, lateral, withOrdinality })
    }
    if (lateral) throw this.error()
    // `t *`: PostgreSQL's old spelling of "t and its descendants", which is what `t` means anyway
    if (!only && this.isOp('*')) this.advance()
    if (this.isWord('tablesample')) throw this.unsupported('TABLESAMPLE')
    const alias = this.parseOptAlias()
    return this.node({ kind: 'TableRef', start, name, alias, only })
  }

  /** A keyword function at the current token (PostgreSQL's func_expr_common_subexpr). */
  private isFunctionPrimary(): boolean {
    const t = this.tok
    if (t.type !== TokenType.IDENT) return false
    if (NIL_FUNCTIONS.has(t.text)) return true
    return this.peek(1).type === TokenType.LPAREN && KEYWORD_FUNCTIONS.has(t.text)
  }

  /** An alias after a parenthesised join: `(a JOIN b ON x) AS j [(cols)]`. */
  private aliasJoin(item: FromItem): FromItem {
    if (item.kind !== 'JoinRef' || item.alias !== null) return item
    const alias = this.parseOptAlias()
    if (alias === null) return item
    return this.node({ ...item, alias } as Omit<JoinRef, 'end'>)
  }

  /** `[AS] name [(col, ...)]`; a bare name must be a ColId (not JOIN, LEFT, ... or reserved). */
  protected parseOptAlias(): Alias | null {
    const start = this.tok.start
    let name: string
    if (this.eatWord('as')) {
      name = this.colId()
    } else if (this.isColId()) {
      name = this.colId()
    } else {
      return null
    }
    const cols = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
    return this.node({ kind: 'Alias', start, name, columns: cols })
  }

  /** The inside of a parenthesised FROM item. */
  private parseParenFrom(): ParenFrom {
    this.enter()
    this.expect(TokenType.LPAREN)
    let result: ParenFrom
    if (this.isQueryStart()) {
      const query = this.parseQuery()
      this.expect(TokenType.RPAREN)
      result = { query, item: null }
    } else if (this.is(TokenType.LPAREN)) {
      const innerStart = this.tok.start
      const inner = this.parseParenFrom()
      if (inner.query !== null) {
        if (this.isQueryContinuation()) {
          const query = this.continueQuery(inner.query, innerStart)
          this.expect(TokenType.RPAREN)
          result = { query, item: null }
        } else if (this.eat(TokenType.RPAREN)) {
          result = inner
        } else {
          const alias = this.parseOptAlias()
          const sub = this.node({ kind: 'SubqueryRef', start: innerStart, query: inner.query, alias, lateral: false })
          const item = this.parseJoins(sub)
          this.expect(TokenType.RPAREN)
          result = { query: null, item }
        }
      } else {
        const item = this.parseJoins(this.aliasJoin(inner.item))
        this.expect(TokenType.RPAREN)
        result = { query: null, item }
      }
    } else {
      const item = this.parseJoins(this.parseFromPrimary())
      this.expect(TokenType.RPAREN)
      result = { query: null, item }
    }
    this.leave()
    return result
  }
}
