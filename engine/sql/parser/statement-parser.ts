/**
 * StatementParser: statement dispatch, transaction control, session and utility statements, and
 * the entry points parse / parseOne / parseExpression.
 * Owns: BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT / SAVEPOINT / RELEASE,
 * SET / SET TRANSACTION / SHOW / RESET, EXPLAIN, ANALYZE, VACUUM; splitting a script into
 * statements at top-level semicolons.
 * Invariants:
 *   (1) parse() returns one node per non-empty statement, in order; a statement must end at `;`
 *       or at the end of the input.
 *   (2) Whatever the input, the entry points return or throw a RustyError; an exhausted
 *       JavaScript stack becomes 54001, and any other exception (a parser bug) becomes XX000.
 * Not here: the grammar of the statements themselves (ddl-, dml-, query-, expression-parser.ts).
 */
import { RustyError, internalError } from '../../common/index.js'
import type {
  Analyze,
  AnalyzeTarget,
  Begin,
  Explain,
  Expr,
  IsolationLevel,
  SetTransaction,
  SetVariable,
  Statement,
  TransactionModes,
  UtilityOption,
  Vacuum,
} from '../ast/index.js'
import { syntaxErrorAt, tooDeepAt } from '../errors.js'
import { Keyword, TokenType, tokenize } from '../lexer/index.js'
import { EMPTY, MAX_DEPTH, frozen } from './cursor.js'
import { DdlParser } from './ddl-parser.js'

/** First words of PostgreSQL statements that RustyDB does not implement. */
const UNSUPPORTED_STATEMENTS = new Map([
  ['grant', 'GRANT'],
  ['revoke', 'REVOKE'],
  ['copy', 'COPY'],
  ['prepare', 'PREPARE'],
  ['execute', 'EXECUTE'],
  ['deallocate', 'DEALLOCATE'],
  ['listen', 'LISTEN'],
  ['notify', 'NOTIFY'],
  ['unlisten', 'UNLISTEN'],
  ['do', 'DO'],
  ['call', 'CALL'],
  ['lock', 'LOCK'],
  ['cluster', 'CLUSTER'],
  ['discard', 'DISCARD'],
  ['checkpoint', 'CHECKPOINT'],
  ['declare', 'DECLARE'],
  ['fetch', 'FETCH'],
  ['move', 'MOVE'],
  ['close', 'CLOSE'],
  ['load', 'LOAD'],
  ['merge', 'MERGE'],
  ['refresh', 'REFRESH MATERIALIZED VIEW'],
  ['import', 'IMPORT FOREIGN SCHEMA'],
  ['security', 'SECURITY LABEL'],
  ['reassign', 'REASSIGN OWNED'],
  ['pragma', 'PRAGMA'],
  ['attach', 'ATTACH'],
  ['detach', 'DETACH'],
])

/** The statement kinds EXPLAIN accepts. */
const EXPLAINABLE = new Set(['Query', 'Insert', 'Update', 'Delete', 'CreateTableAs'])

export class StatementParser extends DdlParser {
  /** Every statement of the input. */
  parseStatements(): Statement[] {
    const statements: Statement[] = []
    for (;;) {
      while (this.eat(TokenType.SEMICOLON)) {
        // empty statements are skipped
      }
      if (this.is(TokenType.EOF)) break
      statements.push(this.parseStatement())
      if (!this.is(TokenType.SEMICOLON) && !this.is(TokenType.EOF)) throw this.error()
    }
    return statements
  }

  /** One expression and nothing else. */
  parseSingleExpression(): Expr {
    const expr = this.parseExpr(0)
    if (!this.is(TokenType.EOF)) throw this.error()
    return expr
  }

  protected parseStatement(): Statement {
    const t = this.tok
    if (t.type === TokenType.LPAREN) return this.parseQuery()
    if (t.type !== TokenType.IDENT) throw this.error()
    switch (t.text) {
      case 'select':
      case 'values':
      case 'table':
        return this.parseQuery()
      case 'with':
        return this.parseWithStatement()
      case 'insert':
        return this.parseInsert(null)
      case 'replace':
        if (!this.isWordAt(1, 'into')) throw this.error()
        return this.parseInsert(null)
      case 'update':
        return this.parseUpdate(null)
      case 'delete':
        return this.parseDelete(null)
      case 'create':
        return this.parseCreate()
      case 'drop':
        return this.parseDrop()
      case 'alter':
        return this.parseAlter()
      case 'truncate':
        return this.parseTruncate()
      case 'reindex':
        return this.parseReindex()
      case 'comment':
        return this.parseComment()
      case 'begin':
        return this.parseBegin()
      case 'start':
        return this.parseStartTransaction()
      case 'commit':
      case 'end':
        return this.parseCommit()
      case 'rollback':
      case 'abort':
        return this.parseRollback()
      case 'savepoint': {
        this.advance()
        return this.node({ kind: 'Savepoint', start: t.start, name: this.colId() })
      }
      case 'release': {
        this.advance()
        this.eatWord('savepoint')
        return this.node({ kind: 'ReleaseSavepoint', start: t.start, name: this.colId() })
      }
      case 'set':
        return this.parseSet()
      case 'show':
        return this.parseShow()
      case 'reset':
        return this.parseReset()
      case 'explain':
        return this.parseExplain()
      case 'analyze':
      case 'analyse':
        return this.parseAnalyze()
      case 'vacuum':
        return this.parseVacuum()
    }
    const unsupported = UNSUPPORTED_STATEMENTS.get(t.text)
    if (unsupported !== undefined) throw this.unsupported(unsupported, t)
    throw this.error()
  }

  /** WITH ... followed by a query or a data-modifying statement. */
  private parseWithStatement(): Statement {
    const start = this.tok.start
    const withClause = this.parseWith()
    if (this.isWord('insert')) return this.parseInsert(withClause)
    if (this.isWord('update')) return this.parseUpdate(withClause)
    if (this.isWord('delete')) return this.parseDelete(withClause)
    return this.parseQueryAfterWith(start, withClause)
  }

  // -------------------------------------------------------------------------------------------
  // transactions

  private parseBegin(): Begin {
    const start = this.tok.start
    this.expectWord('begin')
    if (!this.eatWord('work')) this.eatWord('transaction')
    return this.node({ kind: 'Begin', start, ...this.parseTransactionModes(false) })
  }

  private parseStartTransaction(): Begin {
    const start = this.tok.start
    this.expectWord('start')
    this.expectWord('transaction')
    return this.node({ kind: 'Begin', start, ...this.parseTransactionModes(false) })
  }

  /** `mode [[,] mode ...]`: ISOLATION LEVEL ..., READ ONLY|WRITE, [NOT] DEFERRABLE. */
  private parseTransactionModes(required: boolean): TransactionModes {
    let isolationLevel: IsolationLevel | null = null
    let readOnly: boolean | null = null
    let deferrable: boolean | null = null
    let first = true
    for (;;) {
      if (!first && this.is(TokenType.COMMA)) {
        this.advance()
        if (!this.isTransactionMode()) throw this.error()
      }
      if (!this.isTransactionMode()) break
      first = false
      if (this.eatWords('isolation', 'level')) {
        if (this.eatWord('serializable')) isolationLevel = 'SERIALIZABLE'
        else if (this.eatWords('repeatable', 'read')) isolationLevel = 'REPEATABLE READ'
        else if (this.eatWords('read', 'committed')) isolationLevel = 'READ COMMITTED'
        else if (this.eatWords('read', 'uncommitted')) isolationLevel = 'READ UNCOMMITTED'
        else throw this.error()
      } else if (this.eatWords('read', 'only')) {
        readOnly = true
      } else if (this.eatWords('read', 'write')) {
        readOnly = false
      } else if (this.eatWord('deferrable')) {
        deferrable = true
      } else if (this.eatWords('not', 'deferrable')) {
        deferrable = false
      } else {
        throw this.error()
      }
    }
    if (required && first) throw this.error()
    return { isolationLevel, readOnly, deferrable }
  }

  private isTransactionMode(): boolean {
    return (
      this.isWord('isolation') ||
      this.isWord('read') ||
      this.isWord('deferrable') ||
      (this.isWord('not') && this.isWordAt(1, 'deferrable'))
    )
  }

  private parseCommit(): Statement {
    const start = this.tok.start
    this.advance()
    if (this.isWord('prepared')) throw this.unsupported('COMMIT PREPARED')
    if (!this.eatWord('work')) this.eatWord('transaction')
    this.parseChain()
    return this.node({ kind: 'Commit', start })
  }

  private parseRollback(): Statement {
    const start = this.tok.start
    this.advance()
    if (this.isWord('prepared')) throw this.unsupported('ROLLBACK PREPARED')
    if (!this.eatWord('work')) this.eatWord('transaction')
    if (this.eatWord('to')) {
      this.eatWord('savepoint')
      return this.node({ kind: 'Rollback', start, savepoint: this.colId() })
    }
    this.parseChain()
    return this.node({ kind: 'Rollback', start, savepoint: null })
  }

  /** `AND NO CHAIN` is the default; `AND CHAIN` is not supported. */
  private parseChain(): void {
    if (this.eatWords('and', 'no', 'chain')) return
    if (this.isWord('and') && this.isWordAt(1, 'chain')) throw this.unsupported('AND CHAIN')
  }

  // -------------------------------------------------------------------------------------------
  // SET, SHOW, RESET

  private parseSet(): SetTransaction | SetVariable {
    const start = this.tok.start
    this.expectWord('set')
    if (this.eatWord('transaction')) {
      return this.node({ kind: 'SetTransaction', start, session: false, ...this.parseTransactionModes(true) })
    }
    if (this.eatWords('session', 'characteristics', 'as', 'transaction')) {
      return this.node({ kind: 'SetTransaction', start, session: true, ...this.parseTransactionModes(true) })
    }
    if (this.isWord('session') && this.isWordAt(1, 'authorization')) throw this.unsupported('SET SESSION AUTHORIZATION')
    let scope: SetVariable['scope'] = null
    if (this.isWord('session') && !this.isSetAssignmentAt(1)) {
      this.advance()
      scope = 'SESSION'
    } else if (this.isWord('local') && !this.isSetAssignmentAt(1)) {
      this.advance()
      scope = 'LOCAL'
    }
    if (this.isWord('role') && !this.isSetAssignmentAt(1)) throw this.unsupported('SET ROLE')
    if (this.eatWords('time', 'zone')) {
      if (this.eatWord('local') || this.eatWord('default')) {
        return this.node({ kind: 'SetVariable', start, scope, name: 'timezone', values: null })
      }
      if (this.isWord('interval')) throw this.unsupported('SET TIME ZONE INTERVAL')
      return this.node({ kind: 'SetVariable', start, scope, name: 'timezone', values: frozen([this.parseSetValue()]) })
    }
    if (this.eatWord('names')) {
      const values = this.is(TokenType.EOF) || this.is(TokenType.SEMICOLON) ? null : frozen([this.parseSetValue()])
      return this.node({ kind: 'SetVariable', start, scope, name: 'client_encoding', values })
    }
    if (this.eatWord('schema')) {
      return this.node({ kind: 'SetVariable', start, scope, name: 'search_path', values: frozen([this.parseSetValue()]) })
    }
    const name = this.parseVariableName()
    if (!this.eatWord('to') && !this.eatOp('=')) {
      if (this.isWord('from') && this.isWordAt(1, 'current')) throw this.unsupported('SET ... FROM CURRENT')
      throw this.error()
    }
    if (this.isWord('default')) {
      this.advance()
      return this.node({ kind: 'SetVariable', start, scope, name, values: null })
    }
    const values = [this.parseSetValue()]
    while (this.eat(TokenType.COMMA)) values.push(this.parseSetValue())
    return this.node({ kind: 'SetVariable', start, scope, name, values: frozen(values) })
  }

  /** True when the token `k` ahead is `=` or TO (so the word before it is the variable name). */
  private isSetAssignmentAt(k: number): boolean {
    const t = this.peek(k)
    return (t.type === TokenType.OPERATOR && t.text === '=') || (t.type === TokenType.IDENT && t.text === 'to')
  }

  /** A configuration parameter name (PostgreSQL's var_name): `name` or `a.b`, ColIds. */
  private parseVariableName(): string {
    let name = this.colId()
    while (this.eat(TokenType.DOT)) name += '.' + this.colId()
    return name
  }

  /** A SET value: a string, a signed number, TRUE / FALSE / ON, or a non-reserved word (kept as text). */
  private parseSetValue(): string {
    const t = this.tok
    switch (t.type) {
      case TokenType.STRING:
        this.advance()
        return t.text
      case TokenType.INTEGER:
      case TokenType.DECIMAL:
        this.advance()
        return t.text
      case TokenType.OPERATOR:
        if (t.text === '-' || t.text === '+') {
          this.advance()
          const n = this.tok
          if (n.type !== TokenType.INTEGER && n.type !== TokenType.DECIMAL) throw this.error()
          this.advance()
          return (t.text === '-' ? '-' : '') + n.text
        }
        throw this.error()
      case TokenType.IDENT:
        if (t.keyword === Keyword.RESERVED && t.text !== 'true' && t.text !== 'false' && t.text !== 'on') throw this.error()
        this.advance()
        return t.text
      case TokenType.QUOTED_IDENT:
        this.advance()
        return t.text
      default:
        throw this.error()
    }
  }

  private parseShow(): Statement {
    const start = this.tok.start
    this.expectWord('show')
    let name: string
    if (this.eatWords('time', 'zone')) name = 'timezone'
    else if (this.eatWords('transaction', 'isolation', 'level')) name = 'transaction_isolation'
    else if (this.eatWords('session', 'authorization')) name = 'session_authorization'
    else if (this.eatWord('all')) name = 'all'
    else name = this.parseVariableName()
    return this.node({ kind: 'Show', start, name })
  }

  private parseReset(): Statement {
    const start = this.tok.start
    this.expectWord('reset')
    let name: string
    if (this.eatWords('time', 'zone')) name = 'timezone'
    else if (this.eatWords('transaction', 'isolation', 'level')) name = 'transaction_isolation'
    else if (this.isWord('session') && this.isWordAt(1, 'authorization')) throw this.unsupported('RESET SESSION AUTHORIZATION')
    else if (this.isWord('role')) throw this.unsupported('RESET ROLE')
    else if (this.eatWord('all')) name = 'all'
    else name = this.parseVariableName()
    return this.node({ kind: 'Reset', start, name })
  }

  // -------------------------------------------------------------------------------------------
  // EXPLAIN, ANALYZE, VACUUM

  private parseExplain(): Explain {
    const start = this.tok.start
    this.expectWord('explain')
    let options: readonly UtilityOption[]
    if (this.is(TokenType.LPAREN)) {
      options = this.parseUtilityOptions()
    } else {
      const list: UtilityOption[] = []
      const t = this.tok
      if (this.isWord('analyze') || this.isWord('analyse')) {
        this.advance()
        list.push(this.node({ kind: 'UtilityOption', start: t.start, name: 'analyze', value: null }))
      }
      const v = this.tok
      if (this.eatWord('verbose')) list.push(this.node({ kind: 'UtilityOption', start: v.start, name: 'verbose', value: null }))
      options = frozen(list)
    }
    const first = this.tok
    const statement = this.parseStatement()
    if (!EXPLAINABLE.has(statement.kind)) throw this.error(first)
    return this.node({ kind: 'Explain', start, options, statement })
  }

  /** `(name [value], ...)`. */
  private parseUtilityOptions(): readonly UtilityOption[] {
    this.expect(TokenType.LPAREN)
    const options: UtilityOption[] = []
    do {
      const start = this.tok.start
      const t = this.tok
      // utility_option_name: a non-reserved word, or ANALYZE
      const named = t.type === TokenType.IDENT && (t.keyword !== Keyword.RESERVED || t.text === 'analyze' || t.text === 'analyse')
      if (!named) throw this.error()
      this.advance()
      const name = t.text === 'analyse' ? 'analyze' : t.text
      let value: string | null = null
      if (!this.is(TokenType.COMMA) && !this.is(TokenType.RPAREN)) value = this.parseSetValue()
      options.push(this.node({ kind: 'UtilityOption', start, name, value }))
    } while (this.eat(TokenType.COMMA))
    this.expect(TokenType.RPAREN)
    return frozen(options)
  }

  private parseAnalyze(): Analyze {
    const start = this.tok.start
    this.advance()
    let options: readonly UtilityOption[] = EMPTY
    if (this.is(TokenType.LPAREN)) {
      options = this.parseUtilityOptions()
    } else if (this.isWord('verbose')) {
      const v = this.advance()
      options = frozen([this.node({ kind: 'UtilityOption', start: v.start, name: 'verbose', value: null })])
    }
    return this.node({ kind: 'Analyze', start, options, targets: this.parseAnalyzeTargets() })
  }

  private parseVacuum(): Vacuum {
    const start = this.tok.start
    this.expectWord('vacuum')
    let options: readonly UtilityOption[]
    if (this.is(TokenType.LPAREN)) {
      options = this.parseUtilityOptions()
    } else {
      const list: UtilityOption[] = []
      for (const word of ['full', 'freeze', 'verbose', 'analyze']) {
        const t = this.tok
        if (this.eatWord(word) || (word === 'analyze' && this.eatWord('analyse'))) {
          list.push(this.node({ kind: 'UtilityOption', start: t.start, name: word, value: null }))
        }
      }
      options = frozen(list)
    }
    return this.node({ kind: 'Vacuum', start, options, targets: this.parseAnalyzeTargets() })
  }

  private parseAnalyzeTargets(): readonly AnalyzeTarget[] {
    if (!this.isColId()) return EMPTY
    const targets: AnalyzeTarget[] = []
    do {
      const start = this.tok.start
      const table = this.qualifiedName()
      const columns = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
      targets.push(this.node({ kind: 'AnalyzeTarget', start, table, columns }))
    } while (this.eat(TokenType.COMMA))
    return frozen(targets)
  }
}

/** Runs `body` and turns every failure into a RustyError (invariant 2). */
function guarded<T>(sql: string, body: () => T): T {
  try {
    return body()
  } catch (e) {
    if (e instanceof RustyError) throw e
    if (e instanceof RangeError) throw tooDeepAt(sql, 0, MAX_DEPTH)
    throw internalError(`parser failed: ${e instanceof Error ? e.message : String(e)}`, e)
  }
}

/**
 * Parses a script of zero or more statements separated by semicolons.
 *
 * @example
 * parse('BEGIN; INSERT INTO t VALUES (1); COMMIT')  // [Begin, Insert, Commit]
 * parse('')                                          // []
 */
export function parse(sql: string): Statement[] {
  return guarded(sql, () => new StatementParser(sql, tokenize(sql)).parseStatements())
}

/**
 * Parses exactly one statement (a trailing semicolon is allowed). Zero or several statements are
 * a 42601 error, as for a PostgreSQL prepared statement.
 *
 * @example
 * parseOne('SELECT $1::int + 1')  // Query
 */
export function parseOne(sql: string): Statement {
  const statements = parse(sql)
  if (statements.length === 1) return statements[0]
  if (statements.length === 0) throw syntaxErrorAt(sql, sql.length, 'syntax error at end of input', 'The input holds no statement.')
  throw syntaxErrorAt(sql, statements[1].start, 'cannot insert multiple commands into a prepared statement')
}

/**
 * Parses one expression (column defaults and CHECK constraints stored in the catalog as text).
 *
 * @example
 * parseExpression("coalesce(a, 'x') || b")  // BinaryOp '||'
 */
export function parseExpression(sql: string): Expr {
  return guarded(sql, () => new StatementParser(sql, tokenize(sql)).parseSingleExpression())
}
