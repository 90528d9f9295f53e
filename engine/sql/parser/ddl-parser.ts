/**
 * DdlParser: CREATE / ALTER / DROP of tables, indexes, views, sequences, schemas and triggers.
 * Owns: column definitions and constraints (column and table level), identity and generated
 * columns, sequence options, ALTER TABLE actions, DROP, TRUNCATE, REINDEX, COMMENT ON, and SQLite's CREATE
 * TRIGGER ... BEGIN ... END form.
 * Invariants:
 *   (1) Known PostgreSQL syntax that RustyDB does not implement (partitioning, inheritance,
 *       deferrable constraints, EXCLUDE, materialized views, ...) raises 0A000 naming the feature,
 *       never a silent no-op.
 *   (2) `CREATE TABLE t (a, b) AS SELECT ...` is told from a column list by bounded lookahead.
 * Not here: statement dispatch (statement-parser.ts).
 */
import type {
  AlterTableAction,
  ColumnConstraint,
  ColumnDef,
  CreateIndex,
  CreateSequence,
  CreateTable,
  CreateTableAs,
  CreateTrigger,
  CreateView,
  Drop,
  DropBehavior,
  DropTrigger,
  ForeignKeyConstraint,
  QualifiedName,
  ReferentialAction,
  Reindex,
  CommentOn,
  SequenceOption,
  Statement,
  TableConstraint,
  TriggerEvent,
  Truncate,
  AlterSequence,
  AlterTable,
  CreateSchema,
} from '../ast/index.js'
import type { RustyError } from '../../common/index.js'
import { TokenType, type Token } from '../lexer/index.js'
import { EMPTY, frozen } from './cursor.js'
import { syntaxErrorAt } from '../errors.js'
import { DmlParser } from './dml-parser.js'
import { P_IS } from './expression-parser.js'

/** CREATE <word> forms that PostgreSQL has and RustyDB does not. */
const UNSUPPORTED_CREATE = new Set([
  'function', 'procedure', 'type', 'domain', 'extension', 'role', 'user', 'group', 'database', 'policy',
  'rule', 'aggregate', 'collation', 'operator', 'cast', 'publication', 'subscription', 'server',
  'tablespace', 'event', 'foreign', 'language', 'statistics', 'transform', 'text', 'access',
  'conversion', 'materialized', 'unlogged', 'recursive', 'constraint', 'default',
])

/** Words that start a column constraint (so a column without a type can be recognised). */
const CONSTRAINT_START = new Set([
  'constraint', 'primary', 'unique', 'not', 'null', 'check', 'default', 'references', 'generated', 'collate',
])

/** Table options after the column list that RustyDB does not implement. */
const UNSUPPORTED_TABLE_OPTIONS = new Set(['inherits', 'partition', 'with', 'without', 'on', 'tablespace', 'using'])

export abstract class DdlParser extends DmlParser {
  // -------------------------------------------------------------------------------------------
  // CREATE

  protected parseCreate(): Statement {
    const start = this.tok.start
    this.expectWord('create')
    const orReplace = this.eatWords('or', 'replace')
    let temporary = false
    if (this.isWord('temp') || this.isWord('temporary')) {
      this.advance()
      temporary = true
    } else if ((this.isWord('local') || this.isWord('global')) && (this.isWordAt(1, 'temp') || this.isWordAt(1, 'temporary'))) {
      this.advance()
      this.advance()
      temporary = true
    }
    const t = this.tok
    const word = t.type === TokenType.IDENT ? t.text : ''
    if (orReplace && word !== 'view' && word !== 'trigger') {
      if (UNSUPPORTED_CREATE.has(word)) throw this.unsupported(`CREATE OR REPLACE ${word.toUpperCase()}`, t)
      throw this.error()
    }
    switch (word) {
      case 'table':
        return this.parseCreateTable(start, temporary)
      case 'unique':
      case 'index':
        if (temporary) throw this.error()
        return this.parseCreateIndex(start)
      case 'view':
        return this.parseCreateView(start, orReplace, temporary)
      case 'sequence':
        return this.parseCreateSequence(start, temporary)
      case 'trigger':
        return this.parseCreateTrigger(start, orReplace, temporary)
      case 'schema':
        if (temporary) throw this.error()
        return this.parseCreateSchema(start)
    }
    if (UNSUPPORTED_CREATE.has(word)) {
      const feature = word === 'materialized' ? 'MATERIALIZED VIEW' : word === 'recursive' ? 'RECURSIVE VIEW' : word === 'unlogged' ? 'UNLOGGED TABLE' : word.toUpperCase()
      throw this.unsupported(`CREATE ${feature}`, t)
    }
    throw this.error()
  }

  private ifNotExists(): boolean {
    return this.eatWords('if', 'not', 'exists')
  }

  private ifExists(): boolean {
    return this.eatWords('if', 'exists')
  }

  private parseCreateTable(start: number, temporary: boolean): CreateTable | CreateTableAs {
    this.expectWord('table')
    const ifNotExists = this.ifNotExists()
    const name = this.qualifiedName()
    if (this.isWord('as') || this.isCtasColumnList()) {
      const columns = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
      this.expectWord('as')
      const query = this.parseQuery()
      let withData = true
      if (this.eatWords('with', 'no', 'data')) withData = false
      else this.eatWords('with', 'data')
      return this.node({ kind: 'CreateTableAs', start, name, ifNotExists, temporary, columns, query, withData })
    }
    this.expect(TokenType.LPAREN)
    const columns: ColumnDef[] = []
    const constraints: TableConstraint[] = []
    if (!this.is(TokenType.RPAREN)) {
      do {
        if (this.isWord('like')) throw this.unsupported('CREATE TABLE ... LIKE')
        if (this.isWord('exclude')) throw this.unsupported('EXCLUDE constraints')
        if (this.isTableConstraintStart()) constraints.push(this.parseTableConstraint())
        else columns.push(this.parseColumnDef())
      } while (this.eat(TokenType.COMMA))
    }
    this.expect(TokenType.RPAREN)
    const t = this.tok
    if (t.type === TokenType.IDENT && UNSUPPORTED_TABLE_OPTIONS.has(t.text)) {
      throw this.unsupported(`CREATE TABLE ... ${t.text.toUpperCase()}`, t)
    }
    return this.node({
      kind: 'CreateTable',
      start,
      name,
      ifNotExists,
      temporary,
      columns: frozen(columns),
      constraints: frozen(constraints),
    })
  }

  /** `(a, b) AS` after CREATE TABLE name: a CREATE TABLE AS column list. */
  private isCtasColumnList(): boolean {
    if (!this.is(TokenType.LPAREN)) return false
    let k = 1
    for (;;) {
      if (!this.isColId(this.peek(k))) return false
      const next = this.peek(k + 1)
      if (next.type === TokenType.RPAREN) return this.isWordAt(k + 2, 'as')
      if (next.type !== TokenType.COMMA) return false
      k += 2
    }
  }

  private isTableConstraintStart(): boolean {
    const t = this.tok
    if (t.type !== TokenType.IDENT) return false
    switch (t.text) {
      case 'constraint':
      case 'primary':
      case 'check':
      case 'foreign':
        return true
      case 'unique':
        return true
      default:
        return false
    }
  }

  protected parseColumnDef(): ColumnDef {
    const start = this.tok.start
    const name = this.colId()
    const t = this.tok
    const untyped =
      t.type === TokenType.COMMA ||
      t.type === TokenType.RPAREN ||
      t.type === TokenType.EOF ||
      t.type === TokenType.SEMICOLON ||
      (t.type === TokenType.IDENT && CONSTRAINT_START.has(t.text))
    const type = untyped ? null : this.parseTypeName()
    let collation: QualifiedName | null = null
    const constraints: ColumnConstraint[] = []
    for (;;) {
      if (this.isWord('collate')) {
        if (collation !== null) throw this.error()
        this.advance()
        collation = this.qualifiedName()
        continue
      }
      let constraint = this.parseColumnConstraint()
      if (constraint === null) break
      if (constraint.kind === 'DefaultConstraint' && constraint.expr.kind === 'Collate') {
        // DEFAULT takes a b_expr, which has no COLLATE: `DEFAULT 'x' COLLATE "C"` collates the column
        if (collation !== null) throw this.error()
        collation = constraint.expr.collation
        constraint = this.nodeTo({ ...constraint, expr: constraint.expr.expr }, constraint.expr.expr.end)
      }
      constraints.push(constraint)
    }
    return this.node({ kind: 'ColumnDef', start, name, type, collation, constraints: frozen(constraints) })
  }

  private parseColumnConstraint(): ColumnConstraint | null {
    const start = this.tok.start
    let name: string | null = null
    if (this.eatWord('constraint')) name = this.colId()
    const t = this.tok
    const word = t.type === TokenType.IDENT ? t.text : ''
    switch (word) {
      case 'not':
        if (this.isWordAt(1, 'deferrable')) throw this.unsupported('deferrable constraints')
        this.advance()
        this.expectWord('null')
        return this.node({ kind: 'NotNullConstraint', start, name })
      case 'null':
        this.advance()
        return this.node({ kind: 'NullConstraint', start, name })
      case 'default': {
        this.advance()
        const expr = this.parseExpr(P_IS)
        return this.node({ kind: 'DefaultConstraint', start, name, expr })
      }
      case 'check':
        return this.parseCheck(start, name)
      case 'primary': {
        this.advance()
        this.expectWord('key')
        let direction: 'ASC' | 'DESC' | null = null
        if (this.eatWord('asc')) direction = 'ASC'
        else if (this.eatWord('desc')) direction = 'DESC'
        const autoincrement = this.eatWord('autoincrement')
        return this.node({ kind: 'PrimaryKeyConstraint', start, name, columns: EMPTY, include: EMPTY, direction, autoincrement })
      }
      case 'unique': {
        this.advance()
        const nullsNotDistinct = this.parseNullsDistinct()
        return this.node({ kind: 'UniqueConstraint', start, name, columns: EMPTY, include: EMPTY, nullsNotDistinct })
      }
      case 'references':
        return this.parseReferences(start, name, EMPTY)
      case 'generated':
        return this.parseGenerated(start, name)
      case 'deferrable':
      case 'initially':
        throw this.unsupported('deferrable constraints')
    }
    if (name !== null) throw this.error()
    return null
  }

  /** `NULLS [NOT] DISTINCT` after UNIQUE; true for NOT DISTINCT. */
  private parseNullsDistinct(): boolean {
    if (this.eatWords('nulls', 'not', 'distinct')) return true
    this.eatWords('nulls', 'distinct')
    return false
  }

  private parseCheck(start: number, name: string | null): TableConstraint {
    this.expectWord('check')
    this.expect(TokenType.LPAREN)
    const expr = this.parseExpr(0)
    this.expect(TokenType.RPAREN)
    const noInherit = this.eatWords('no', 'inherit')
    return this.node({ kind: 'CheckConstraint', start, name, expr, noInherit })
  }

  private parseGenerated(start: number, name: string | null): ColumnConstraint {
    this.expectWord('generated')
    let always = true
    if (!this.eatWord('always')) {
      this.expectWord('by')
      this.expectWord('default')
      always = false
    }
    this.expectWord('as')
    if (this.eatWord('identity')) {
      let options: readonly SequenceOption[] = EMPTY
      if (this.eat(TokenType.LPAREN)) {
        options = this.parseSequenceOptions()
        this.expect(TokenType.RPAREN)
      }
      return this.node({ kind: 'IdentityConstraint', start, name, always, options })
    }
    if (!always) throw this.error()
    this.expect(TokenType.LPAREN)
    const expr = this.parseExpr(0)
    this.expect(TokenType.RPAREN)
    if (this.isWord('virtual')) throw this.unsupported('virtual generated columns')
    this.expectWord('stored')
    return this.node({ kind: 'GeneratedConstraint', start, name, expr })
  }

  private parseReferences(start: number, name: string | null, columns: readonly string[]): ForeignKeyConstraint {
    this.expectWord('references')
    const table = this.qualifiedName()
    const refColumns = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
    let match: ForeignKeyConstraint['match'] = null
    let onDelete: ReferentialAction | null = null
    let onUpdate: ReferentialAction | null = null
    for (;;) {
      if (this.eatWord('match')) {
        if (match !== null) throw this.error()
        if (this.eatWord('full')) match = 'FULL'
        else if (this.eatWord('partial')) match = 'PARTIAL'
        else {
          this.expectWord('simple')
          match = 'SIMPLE'
        }
      } else if (this.isWord('on') && this.isWordAt(1, 'delete') && onDelete === null) {
        this.advance()
        this.advance()
        onDelete = this.parseReferentialAction()
      } else if (this.isWord('on') && this.isWordAt(1, 'update') && onUpdate === null) {
        this.advance()
        this.advance()
        onUpdate = this.parseReferentialAction()
      } else {
        break
      }
    }
    if (this.isWord('deferrable') || this.isWord('initially') || (this.isWord('not') && this.isWordAt(1, 'deferrable'))) {
      throw this.unsupported('deferrable constraints')
    }
    return this.node({ kind: 'ForeignKeyConstraint', start, name, columns, table, refColumns, match, onDelete, onUpdate })
  }

  private parseReferentialAction(): ReferentialAction {
    if (this.eatWord('cascade')) return 'CASCADE'
    if (this.eatWord('restrict')) return 'RESTRICT'
    if (this.eatWords('no', 'action')) return 'NO ACTION'
    this.expectWord('set')
    const action: ReferentialAction = this.eatWord('null') ? 'SET NULL' : (this.expectWord('default'), 'SET DEFAULT')
    if (this.is(TokenType.LPAREN)) throw this.unsupported(`${action} with a column list`)
    return action
  }

  /** A table-level constraint (CREATE TABLE element or ALTER TABLE ADD). */
  protected parseTableConstraint(): TableConstraint {
    const start = this.tok.start
    let name: string | null = null
    if (this.eatWord('constraint')) name = this.colId()
    let constraint: TableConstraint
    if (this.isWord('check')) {
      constraint = this.parseCheck(start, name)
    } else if (this.eatWord('primary')) {
      this.expectWord('key')
      const columns = this.nameList()
      const include = this.eatWord('include') ? this.nameList() : EMPTY
      constraint = this.node({ kind: 'PrimaryKeyConstraint', start, name, columns, include, direction: null, autoincrement: false })
    } else if (this.eatWord('unique')) {
      const nullsNotDistinct = this.parseNullsDistinct()
      const columns = this.nameList()
      const include = this.eatWord('include') ? this.nameList() : EMPTY
      constraint = this.node({ kind: 'UniqueConstraint', start, name, columns, include, nullsNotDistinct })
    } else if (this.eatWord('foreign')) {
      this.expectWord('key')
      const columns = this.nameList()
      constraint = this.parseReferences(start, name, columns)
    } else if (this.isWord('exclude')) {
      throw this.unsupported('EXCLUDE constraints')
    } else {
      throw this.error()
    }
    if (this.isWord('deferrable') || this.isWord('initially') || (this.isWord('not') && this.isWordAt(1, 'deferrable'))) {
      throw this.unsupported('deferrable constraints')
    }
    return constraint
  }

  private parseCreateIndex(start: number): CreateIndex {
    const unique = this.eatWord('unique')
    this.expectWord('index')
    const concurrently = this.eatWord('concurrently')
    const ifNotExists = this.ifNotExists()
    let name: string | null = null
    if (!this.isWord('on')) name = this.colId()
    else if (ifNotExists) throw this.error()
    this.expectWord('on')
    if (this.eatWord('only')) throw this.unsupported('CREATE INDEX ON ONLY')
    const table = this.qualifiedName()
    let method: string | null = null
    if (this.eatWord('using')) method = this.colId()
    const elements = this.parseIndexElements()
    const include = this.eatWord('include') ? this.nameList() : EMPTY
    const nullsNotDistinct = this.parseNullsDistinct()
    if (this.isWord('with') || this.isWord('tablespace')) throw this.unsupported(`CREATE INDEX ... ${this.tok.text.toUpperCase()}`)
    const where = this.eatWord('where') ? this.parseExpr(0) : null
    return this.node({
      kind: 'CreateIndex',
      start,
      unique,
      concurrently,
      ifNotExists,
      name,
      table,
      method,
      elements,
      include,
      nullsNotDistinct,
      where,
    })
  }

  private parseCreateView(start: number, orReplace: boolean, temporary: boolean): CreateView {
    this.expectWord('view')
    const ifNotExists = this.ifNotExists()
    const name = this.qualifiedName()
    const columns = this.is(TokenType.LPAREN) ? this.nameList() : EMPTY
    if (this.isWord('with')) throw this.unsupported('CREATE VIEW ... WITH (options)')
    this.expectWord('as')
    const query = this.parseQuery()
    if (this.isWord('with')) throw this.unsupported('WITH CHECK OPTION')
    return this.node({ kind: 'CreateView', start, orReplace, temporary, ifNotExists, name, columns, query })
  }

  private parseCreateSequence(start: number, temporary: boolean): CreateSequence {
    this.expectWord('sequence')
    const ifNotExists = this.ifNotExists()
    const name = this.qualifiedName()
    const options = this.parseSequenceOptions()
    return this.node({ kind: 'CreateSequence', start, name, ifNotExists, temporary, options })
  }

  /** Zero or more sequence options. */
  protected parseSequenceOptions(): readonly SequenceOption[] {
    const options: SequenceOption[] = []
    for (;;) {
      const start = this.tok.start
      const t = this.tok
      if (t.type !== TokenType.IDENT) break
      let option: SequenceOption
      switch (t.text) {
        case 'as':
          this.advance()
          option = this.node({ kind: 'SequenceOption', start, option: 'as', type: this.parseTypeName() })
          break
        case 'increment':
          this.advance()
          this.eatWord('by')
          option = this.node({ kind: 'SequenceOption', start, option: 'increment', value: this.signedNumber() })
          break
        case 'start':
          this.advance()
          this.eatWord('with')
          option = this.node({ kind: 'SequenceOption', start, option: 'start', value: this.signedNumber() })
          break
        case 'restart': {
          this.advance()
          const hasValue = this.eatWord('with') || this.is(TokenType.INTEGER) || this.is(TokenType.DECIMAL) || this.isOp('-') || this.isOp('+')
          option = this.node({ kind: 'SequenceOption', start, option: 'restart', value: hasValue ? this.signedNumber() : null })
          break
        }
        case 'cache':
          this.advance()
          option = this.node({ kind: 'SequenceOption', start, option: 'cache', value: this.signedNumber() })
          break
        case 'minvalue':
        case 'maxvalue':
          this.advance()
          option = this.node({ kind: 'SequenceOption', start, option: t.text, value: this.signedNumber() })
          break
        case 'cycle':
          this.advance()
          option = this.node({ kind: 'SequenceOption', start, option: 'cycle', value: true })
          break
        case 'no': {
          const next = this.peek(1)
          if (next.type !== TokenType.IDENT) throw this.error(next)
          if (next.text === 'minvalue' || next.text === 'maxvalue') {
            this.advance()
            this.advance()
            option = this.node({ kind: 'SequenceOption', start, option: next.text, value: null })
          } else if (next.text === 'cycle') {
            this.advance()
            this.advance()
            option = this.node({ kind: 'SequenceOption', start, option: 'cycle', value: false })
          } else {
            throw this.error(next)
          }
          break
        }
        case 'owned': {
          this.advance()
          this.expectWord('by')
          let column: readonly string[] | null = null
          if (!this.eatWord('none')) {
            const parts = [this.colId()]
            while (this.eat(TokenType.DOT)) parts.push(this.colLabel())
            if (parts.length < 2 || parts.length > 3) throw this.errorAt(t, 'invalid OWNED BY option', 'Specify OWNED BY table.column or OWNED BY NONE.')
            column = frozen(parts)
          }
          option = this.node({ kind: 'SequenceOption', start, option: 'owned_by', column })
          break
        }
        case 'sequence':
          if (this.isWordAt(1, 'name')) throw this.unsupported('SEQUENCE NAME option')
          return frozen(options)
        default:
          return frozen(options)
      }
      options.push(option)
    }
    return frozen(options)
  }

  /** An optionally signed numeric constant, as text with its sign. */
  private signedNumber(): string {
    let sign = ''
    if (this.eatOp('-')) sign = '-'
    else this.eatOp('+')
    const t = this.tok
    if (t.type !== TokenType.INTEGER && t.type !== TokenType.DECIMAL) throw this.error()
    this.advance()
    return sign + t.text
  }

  private parseCreateSchema(start: number): CreateSchema {
    this.expectWord('schema')
    const ifNotExists = this.ifNotExists()
    if (this.isWord('authorization')) throw this.unsupported('CREATE SCHEMA ... AUTHORIZATION')
    const name = this.colId()
    if (this.isWord('authorization')) throw this.unsupported('CREATE SCHEMA ... AUTHORIZATION')
    return this.node({ kind: 'CreateSchema', start, name, ifNotExists })
  }

  private parseCreateTrigger(start: number, orReplace: boolean, temporary: boolean): CreateTrigger {
    this.expectWord('trigger')
    const ifNotExists = this.ifNotExists()
    const name = this.qualifiedName()
    let timing: CreateTrigger['timing'] = null
    if (this.eatWord('before')) timing = 'BEFORE'
    else if (this.eatWord('after')) timing = 'AFTER'
    else if (this.eatWords('instead', 'of')) timing = 'INSTEAD OF'
    const events = [this.parseTriggerEvent()]
    while (this.eatWord('or')) events.push(this.parseTriggerEvent())
    this.expectWord('on')
    const table = this.qualifiedName()
    if (this.isWord('referencing') || this.isWord('from') || this.isWord('deferrable') || this.isWord('not') || this.isWord('initially')) {
      throw this.unsupported(`CREATE TRIGGER ... ${this.tok.text.toUpperCase()}`)
    }
    let forEach: CreateTrigger['forEach'] = null
    if (this.eatWord('for')) {
      this.eatWord('each')
      if (this.eatWord('row')) forEach = 'ROW'
      else {
        this.expectWord('statement')
        forEach = 'STATEMENT'
      }
    }
    const when = this.eatWord('when') ? this.parseExpr(0) : null
    let body: readonly Statement[] = EMPTY
    let fn: QualifiedName | null = null
    let functionArgs: readonly string[] = EMPTY
    if (this.eatWord('execute')) {
      if (!this.eatWord('function')) this.expectWord('procedure')
      fn = this.qualifiedName()
      this.expect(TokenType.LPAREN)
      const args: string[] = []
      if (!this.is(TokenType.RPAREN)) {
        do {
          const a = this.tok
          if (a.type !== TokenType.STRING && a.type !== TokenType.INTEGER && a.type !== TokenType.DECIMAL && a.type !== TokenType.IDENT) throw this.error()
          args.push(this.advance().text)
        } while (this.eat(TokenType.COMMA))
      }
      this.expect(TokenType.RPAREN)
      functionArgs = frozen(args)
    } else {
      this.expectWord('begin')
      const statements: Statement[] = []
      this.enter()
      do {
        statements.push(this.parseTriggerStatement())
        this.expect(TokenType.SEMICOLON)
      } while (!this.isWord('end'))
      this.leave()
      this.advance()
      body = frozen(statements)
    }
    return this.node({
      kind: 'CreateTrigger',
      start,
      name,
      orReplace,
      temporary,
      ifNotExists,
      timing,
      events: frozen(events),
      table,
      forEach,
      when,
      body,
      function: fn,
      functionArgs,
    })
  }

  private parseTriggerEvent(): TriggerEvent {
    const start = this.tok.start
    const t = this.tok
    if (this.eatWord('insert')) return this.node({ kind: 'TriggerEvent', start, event: 'INSERT', columns: EMPTY })
    if (this.eatWord('delete')) return this.node({ kind: 'TriggerEvent', start, event: 'DELETE', columns: EMPTY })
    if (this.eatWord('truncate')) return this.node({ kind: 'TriggerEvent', start, event: 'TRUNCATE', columns: EMPTY })
    if (this.eatWord('update')) {
      let columns: readonly string[] = EMPTY
      if (this.eatWord('of')) {
        const list = [this.colId()]
        while (this.eat(TokenType.COMMA)) list.push(this.colId())
        columns = frozen(list)
      }
      return this.node({ kind: 'TriggerEvent', start, event: 'UPDATE', columns })
    }
    throw this.error(t)
  }

  /** One statement of a SQLite trigger body. */
  private parseTriggerStatement(): Statement {
    const t = this.tok
    if (t.type === TokenType.IDENT) {
      switch (t.text) {
        case 'insert':
        case 'replace':
          return this.parseInsert(null)
        case 'update':
          return this.parseUpdate(null)
        case 'delete':
          return this.parseDelete(null)
        case 'select':
        case 'values':
        case 'with':
          return this.parseQuery()
      }
    }
    if (t.type === TokenType.LPAREN) return this.parseQuery()
    throw this.error()
  }

  // -------------------------------------------------------------------------------------------
  // DROP, TRUNCATE, REINDEX

  protected parseDrop(): Drop | DropTrigger {
    const start = this.tok.start
    this.expectWord('drop')
    const t = this.tok
    const word = t.type === TokenType.IDENT ? t.text : ''
    let objectType: Drop['objectType']
    switch (word) {
      case 'table':
      case 'view':
      case 'index':
      case 'sequence':
      case 'schema':
        objectType = word.toUpperCase() as Drop['objectType']
        break
      case 'trigger':
        return this.parseDropTrigger(start)
      default:
        if (UNSUPPORTED_CREATE.has(word) || word === 'owned') {
          const feature = word === 'materialized' ? 'MATERIALIZED VIEW' : word.toUpperCase()
          throw this.unsupported(`DROP ${feature}`, t)
        }
        throw this.error()
    }
    this.advance()
    const concurrently = objectType === 'INDEX' && this.eatWord('concurrently')
    const ifExists = this.ifExists()
    const names = [this.qualifiedName()]
    while (this.eat(TokenType.COMMA)) names.push(this.qualifiedName())
    const behavior = this.parseDropBehavior()
    return this.node({ kind: 'Drop', start, objectType, ifExists, names: frozen(names), behavior, concurrently })
  }

  private parseDropTrigger(start: number): DropTrigger {
    this.expectWord('trigger')
    const ifExists = this.ifExists()
    const name = this.qualifiedName()
    const table = this.eatWord('on') ? this.qualifiedName() : null
    const behavior = this.parseDropBehavior()
    return this.node({ kind: 'DropTrigger', start, name, ifExists, table, behavior })
  }

  protected parseDropBehavior(): DropBehavior | null {
    if (this.eatWord('cascade')) return 'CASCADE'
    if (this.eatWord('restrict')) return 'RESTRICT'
    return null
  }

  protected parseTruncate(): Truncate {
    const start = this.tok.start
    this.expectWord('truncate')
    this.eatWord('table')
    const tables: QualifiedName[] = []
    do {
      this.eatWord('only')
      tables.push(this.qualifiedName())
    } while (this.eat(TokenType.COMMA))
    let restartIdentity = false
    if (this.eatWords('restart', 'identity')) restartIdentity = true
    else this.eatWords('continue', 'identity')
    const behavior = this.parseDropBehavior()
    return this.node({ kind: 'Truncate', start, tables: frozen(tables), restartIdentity, behavior })
  }

  /** COMMENT ON { TABLE | VIEW | COLUMN } name IS 'text' | NULL; other object kinds are 0A000. */
  protected parseComment(): CommentOn {
    const start = this.tok.start
    this.expectWord('comment')
    this.expectWord('on')
    const t = this.tok
    if (t.type !== TokenType.IDENT) throw this.error()
    if (t.text !== 'table' && t.text !== 'view' && t.text !== 'column') {
      const kind = t.text === 'materialized' || t.text === 'foreign' || t.text === 'access' || t.text === 'event' ? `${t.text} ${this.peek(1).text}` : t.text
      throw this.unsupported(`COMMENT ON ${kind.toUpperCase()}`, t)
    }
    this.advance()
    const target = t.text.toUpperCase() as CommentOn['target']
    let name: QualifiedName
    let column: string | null = null
    if (target === 'COLUMN') {
      const nameStart = this.tok.start
      const parts = [this.colId()]
      while (this.eat(TokenType.DOT)) parts.push(this.colLabel())
      if (parts.length < 2) throw syntaxErrorAt(this.sql, nameStart, 'column name must be qualified')
      column = parts.pop() as string
      name = this.qualified(nameStart, parts)
    } else {
      name = this.qualifiedName()
    }
    this.expectWord('is')
    let comment: string | null
    if (this.is(TokenType.STRING)) comment = this.advance().text
    else if (this.eatWord('null')) comment = null
    else throw this.error()
    return this.node({ kind: 'CommentOn', start, target, name, column, comment })
  }

  protected parseReindex(): Reindex {
    const start = this.tok.start
    this.expectWord('reindex')
    if (this.is(TokenType.LPAREN)) throw this.unsupported('REINDEX options')
    let target: Reindex['target'] = null
    const t = this.tok
    if (t.type === TokenType.IDENT) {
      switch (t.text) {
        case 'index':
        case 'table':
        case 'schema':
        case 'database':
        case 'system':
          // a word followed by a name (or by CONCURRENTLY) is the object type
          if (this.isColId(this.peek(1)) || this.isWordAt(1, 'concurrently') || t.text === 'table') {
            this.advance()
            target = t.text.toUpperCase() as Reindex['target']
          }
          break
      }
    }
    const concurrently = target !== null && this.eatWord('concurrently')
    let name: QualifiedName | null = null
    if (this.isColId()) name = this.qualifiedName()
    else if (target !== null && target !== 'DATABASE' && target !== 'SYSTEM') throw this.error()
    return this.node({ kind: 'Reindex', start, target, name, concurrently })
  }

  // -------------------------------------------------------------------------------------------
  // ALTER

  protected parseAlter(): AlterTable | AlterSequence {
    const start = this.tok.start
    this.expectWord('alter')
    if (this.eatWord('sequence')) {
      const ifExists = this.ifExists()
      const name = this.qualifiedName()
      const options = this.parseSequenceOptions()
      if (options.length === 0) throw this.error()
      return this.node({ kind: 'AlterSequence', start, name, ifExists, options })
    }
    const t = this.tok
    if (!this.eatWord('table')) {
      if (t.type === TokenType.IDENT && (UNSUPPORTED_CREATE.has(t.text) || ['index', 'view', 'schema', 'trigger', 'system'].includes(t.text))) {
        throw this.unsupported(`ALTER ${t.text.toUpperCase()}`, t)
      }
      throw this.error()
    }
    const ifExists = this.ifExists()
    const only = this.eatWord('only')
    const name = this.qualifiedName()
    const actions: AlterTableAction[] = []
    if (this.isWord('rename')) {
      actions.push(this.parseRename())
    } else {
      do actions.push(this.parseAlterAction())
      while (this.eat(TokenType.COMMA))
    }
    return this.node({ kind: 'AlterTable', start, name, ifExists, only, actions: frozen(actions) })
  }

  private parseRename(): AlterTableAction {
    const start = this.tok.start
    this.expectWord('rename')
    if (this.eatWord('to')) return this.node({ kind: 'RenameTable', start, to: this.colId() })
    if (this.eatWord('constraint')) {
      const from = this.colId()
      this.expectWord('to')
      return this.node({ kind: 'RenameConstraint', start, from, to: this.colId() })
    }
    this.eatWord('column')
    const from = this.colId()
    this.expectWord('to')
    return this.node({ kind: 'RenameColumn', start, from, to: this.colId() })
  }

  /**
   * 0A000 for ALTER COLUMN forms PostgreSQL has and RustyDB lacks, a syntax error otherwise. `verb`
   * is the SET / DROP / ADD / ... token; the current token is the one after it (or the verb itself).
   */
  private alterColumnUnsupported(verb: Token): RustyError {
    const word = verb.type === TokenType.IDENT ? verb.text : ''
    const t = this.tok
    const next = t === verb ? this.peek(1) : t
    const nextWord = next.type === TokenType.IDENT ? next.text : ''
    const known =
      (word === 'set' && (['statistics', 'storage', 'compression', 'generated', 'expression'].includes(nextWord) || next.type === TokenType.LPAREN)) ||
      (word === 'reset' && next.type === TokenType.LPAREN) ||
      (word === 'add' && nextWord === 'generated') ||
      (word === 'drop' && (nextWord === 'identity' || nextWord === 'expression')) ||
      word === 'restart' ||
      (word === 'set' && ['increment', 'start', 'cache', 'minvalue', 'maxvalue', 'cycle', 'no'].includes(nextWord))
    if (!known) return this.error(t === verb ? verb : next)
    return this.unsupported(`ALTER TABLE ... ALTER COLUMN ${word.toUpperCase()}${nextWord === '' ? '' : ' ' + nextWord.toUpperCase()}`, verb)
  }

  private parseAlterColumnType(start: number, column: string): AlterTableAction {
    const type = this.parseTypeName()
    if (this.isWord('collate')) throw this.unsupported('ALTER COLUMN ... TYPE ... COLLATE')
    const using = this.eatWord('using') ? this.parseExpr(0) : null
    return this.node({ kind: 'AlterColumnType', start, column, type, using })
  }

  private parseAlterAction(): AlterTableAction {
    const start = this.tok.start
    const t = this.tok
    if (this.eatWord('add')) {
      if (this.isTableConstraintStart() && !this.isWord('column')) {
        return this.node({ kind: 'AddConstraint', start, constraint: this.parseTableConstraint() })
      }
      this.eatWord('column')
      const ifNotExists = this.ifNotExists()
      const column = this.parseColumnDef()
      return this.node({ kind: 'AddColumn', start, column, ifNotExists })
    }
    if (this.eatWord('drop')) {
      if (this.eatWord('constraint')) {
        const ifExists = this.ifExists()
        const name = this.colId()
        return this.node({ kind: 'DropConstraint', start, name, ifExists, behavior: this.parseDropBehavior() })
      }
      this.eatWord('column')
      const ifExists = this.ifExists()
      const name = this.colId()
      return this.node({ kind: 'DropColumn', start, name, ifExists, behavior: this.parseDropBehavior() })
    }
    if (this.eatWord('alter')) {
      this.eatWord('column')
      const column = this.colId()
      const verb = this.tok
      if (this.eatWord('set')) {
        if (this.eatWord('default')) return this.node({ kind: 'AlterColumnDefault', start, column, default: this.parseExpr(0) })
        if (this.eatWord('not')) {
          this.expectWord('null')
          return this.node({ kind: 'AlterColumnNotNull', start, column, notNull: true })
        }
        if (this.eatWord('data')) {
          this.expectWord('type')
          return this.parseAlterColumnType(start, column)
        }
        throw this.alterColumnUnsupported(verb)
      }
      if (this.eatWord('drop')) {
        if (this.eatWord('default')) return this.node({ kind: 'AlterColumnDefault', start, column, default: null })
        if (this.eatWord('not')) {
          this.expectWord('null')
          return this.node({ kind: 'AlterColumnNotNull', start, column, notNull: false })
        }
        throw this.alterColumnUnsupported(verb)
      }
      if (this.eatWord('type')) return this.parseAlterColumnType(start, column)
      throw this.alterColumnUnsupported(verb)
    }
    if (t.type === TokenType.IDENT && t.keyword === 0) throw this.unsupported(`ALTER TABLE ... ${t.text.toUpperCase()}`, t)
    throw this.error()
  }
}
