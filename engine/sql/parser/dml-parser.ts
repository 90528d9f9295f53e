/**
 * DmlParser: INSERT, UPDATE, DELETE.
 * Owns: column lists, DEFAULT VALUES, ON CONFLICT (inference columns/expressions with a predicate,
 * ON CONSTRAINT, DO NOTHING, DO UPDATE SET ... WHERE), RETURNING, SET lists with row assignments,
 * UPDATE ... FROM, DELETE ... USING, and SQLite's INSERT OR <action> / REPLACE INTO.
 * Invariants:
 *   (1) `INSERT INTO t (` starts a column list unless a query follows the parenthesis.
 *   (2) DO UPDATE without a conflict target is rejected here (42601), as PostgreSQL rejects it.
 *   (3) An UPDATE target alias may not be the word SET (PostgreSQL resolves the same ambiguity).
 * Not here: the rows themselves (queries), index elements shared with CREATE INDEX (defined here,
 * used by ddl-parser.ts).
 */
import type {
  ConflictTarget,
  Delete,
  Expr,
  IndexElement,
  Insert,
  OnConflict,
  Query,
  SelectItem,
  SetClause,
  Update,
  WithClause,
} from '../ast/index.js'
import { Keyword, TokenType } from '../lexer/index.js'
import { EMPTY, frozen } from './cursor.js'
import { QueryParser } from './query-parser.js'

const OR_ACTIONS = new Set(['replace', 'ignore', 'abort', 'fail', 'rollback'])

export abstract class DmlParser extends QueryParser {
  protected parseInsert(withClause: WithClause | null): Insert {
    const start = withClause?.start ?? this.tok.start
    let orAction: Insert['orAction'] = null
    if (this.isWord('replace')) {
      // SQLite: REPLACE INTO t ... is INSERT OR REPLACE INTO t ...
      this.advance()
      orAction = 'REPLACE'
    } else {
      this.expectWord('insert')
      if (this.eatWord('or')) {
        const t = this.tok
        if (t.type !== TokenType.IDENT || !OR_ACTIONS.has(t.text)) throw this.error()
        this.advance()
        orAction = t.text.toUpperCase() as Insert['orAction']
      }
    }
    this.expectWord('into')
    const table = this.qualifiedName()
    const alias = this.eatWord('as') ? this.colId() : null
    let columns: readonly string[] = EMPTY
    if (this.is(TokenType.LPAREN)) {
      const next = this.peek(1)
      const query = next.type === TokenType.LPAREN || (next.type === TokenType.IDENT && ['select', 'values', 'with', 'table'].includes(next.text))
      if (!query) columns = this.nameList()
    }
    let overriding: Insert['overriding'] = null
    if (this.eatWord('overriding')) {
      if (this.eatWord('system')) overriding = 'SYSTEM'
      else {
        this.expectWord('user')
        overriding = 'USER'
      }
      this.expectWord('value')
    }
    let source: Query | null = null
    if (this.isWord('default') && this.isWordAt(1, 'values')) {
      this.advance()
      this.advance()
    } else {
      source = this.parseQuery()
    }
    const onConflict = this.isWord('on') && this.isWordAt(1, 'conflict') ? this.parseOnConflict() : null
    const returning = this.parseReturning()
    return this.node({
      kind: 'Insert',
      start,
      with: withClause,
      table,
      alias,
      columns,
      overriding,
      source,
      onConflict,
      returning,
      orAction,
    })
  }

  private parseOnConflict(): OnConflict {
    const start = this.tok.start
    this.advance()
    this.advance()
    let target: ConflictTarget | null = null
    const targetStart = this.tok.start
    if (this.is(TokenType.LPAREN)) {
      const elements = this.parseIndexElements()
      const where = this.eatWord('where') ? this.parseExpr(0) : null
      target = this.node({ kind: 'ConflictTarget', start: targetStart, elements, where, constraint: null })
    } else if (this.isWord('on') && this.isWordAt(1, 'constraint')) {
      this.advance()
      this.advance()
      const constraint = this.colId()
      target = this.node({ kind: 'ConflictTarget', start: targetStart, elements: EMPTY, where: null, constraint })
    }
    const doToken = this.expectWord('do')
    if (this.eatWord('nothing')) {
      return this.node({ kind: 'OnConflict', start, target, action: 'NOTHING', assignments: EMPTY, where: null })
    }
    this.expectWord('update')
    if (target === null) {
      throw this.errorAt(
        doToken,
        'ON CONFLICT DO UPDATE requires inference specification or constraint name',
        'For example, ON CONFLICT (column_name).',
      )
    }
    this.expectWord('set')
    const assignments = this.parseSetList()
    const where = this.eatWord('where') ? this.parseExpr(0) : null
    return this.node({ kind: 'OnConflict', start, target, action: 'UPDATE', assignments, where })
  }

  /** `(elem, ...)`: columns or expressions with COLLATE, ASC/DESC and NULLS FIRST/LAST. */
  protected parseIndexElements(): readonly IndexElement[] {
    this.expect(TokenType.LPAREN)
    const elements = [this.parseIndexElement()]
    while (this.eat(TokenType.COMMA)) elements.push(this.parseIndexElement())
    this.expect(TokenType.RPAREN)
    return frozen(elements)
  }

  private parseIndexElement(): IndexElement {
    const start = this.tok.start
    let expr = this.parseExpr(0)
    let collation = null
    if (expr.kind === 'Collate') {
      collation = expr.collation
      expr = expr.expr
    }
    const t = this.tok
    if (t.type === TokenType.QUOTED_IDENT || (t.type === TokenType.IDENT && t.keyword !== Keyword.RESERVED && t.text !== 'nulls')) {
      throw this.unsupported('operator classes in index definitions')
    }
    let direction: IndexElement['direction'] = null
    if (this.eatWord('asc')) direction = 'ASC'
    else if (this.eatWord('desc')) direction = 'DESC'
    let nulls: IndexElement['nulls'] = null
    if (this.eatWord('nulls')) {
      if (this.eatWord('first')) nulls = 'FIRST'
      else {
        this.expectWord('last')
        nulls = 'LAST'
      }
    }
    return this.node({ kind: 'IndexElement', start, expr, collation, direction, nulls })
  }

  /** `RETURNING target, ...` or nothing. */
  protected parseReturning(): readonly SelectItem[] {
    return this.eatWord('returning') ? this.parseTargetList() : EMPTY
  }

  /** `col = value | (a, b) = row, ...` after SET. */
  protected parseSetList(): readonly SetClause[] {
    const clauses = [this.parseSetClause()]
    while (this.eat(TokenType.COMMA)) clauses.push(this.parseSetClause())
    return frozen(clauses)
  }

  private parseSetClause(): SetClause {
    const start = this.tok.start
    if (this.is(TokenType.LPAREN)) {
      const columns = this.nameList()
      this.expectOp('=')
      return this.node({ kind: 'MultiAssignment', start, columns, value: this.parseRowSource() })
    }
    const column = this.colId()
    if (this.is(TokenType.DOT) || this.is(TokenType.LBRACKET)) {
      throw this.unsupported('assignment to a field or an array element')
    }
    this.expectOp('=')
    return this.node({ kind: 'Assignment', start, column, value: this.parseValueOrDefault() })
  }

  /** The right side of `(a, b) = ...`: ROW(...), (...) with DEFAULTs, (subquery), or an expression. */
  private parseRowSource(): Expr {
    const start = this.tok.start
    if (this.isWord('row') && this.peek(1).type === TokenType.LPAREN) {
      this.advance()
      return this.node({ kind: 'RowConstructor', start, fields: this.parseValuesRow(), explicit: true })
    }
    if (this.is(TokenType.LPAREN)) {
      const next = this.peek(1)
      if (next.type === TokenType.IDENT && (next.text === 'select' || next.text === 'with' || next.text === 'values')) {
        const content = this.parseParenContent()
        if (content.query !== null) return this.node({ kind: 'Subquery', start, query: content.query })
        throw this.errorAtOffset(content.exprs[0].start)
      }
      return this.node({ kind: 'RowConstructor', start, fields: this.parseValuesRow(), explicit: false })
    }
    return this.parseExpr(0)
  }

  protected parseUpdate(withClause: WithClause | null): Update {
    const start = withClause?.start ?? this.tok.start
    this.expectWord('update')
    const only = this.eatWord('only')
    const table = this.qualifiedName()
    let alias: string | null = null
    if (this.eatWord('as')) alias = this.colId()
    else if (this.isColId() && !this.isWord('set')) alias = this.colId()
    this.expectWord('set')
    const assignments = this.parseSetList()
    const from = this.eatWord('from') ? this.parseFromList() : EMPTY
    const where = this.parseDmlWhere()
    const returning = this.parseReturning()
    return this.node({ kind: 'Update', start, with: withClause, table, only, alias, assignments, from, where, returning })
  }

  protected parseDelete(withClause: WithClause | null): Delete {
    const start = withClause?.start ?? this.tok.start
    this.expectWord('delete')
    this.expectWord('from')
    const only = this.eatWord('only')
    const table = this.qualifiedName()
    let alias: string | null = null
    if (this.eatWord('as')) alias = this.colId()
    else if (this.isColId()) alias = this.colId()
    const using = this.eatWord('using') ? this.parseFromList() : EMPTY
    const where = this.parseDmlWhere()
    const returning = this.parseReturning()
    return this.node({ kind: 'Delete', start, with: withClause, table, only, alias, using, where, returning })
  }

  private parseDmlWhere(): Expr | null {
    if (!this.eatWord('where')) return null
    if (this.isWord('current') && this.isWordAt(1, 'of')) throw this.unsupported('WHERE CURRENT OF')
    return this.parseExpr(0)
  }
}
