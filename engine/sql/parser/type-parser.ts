/**
 * TypeParser: type names (CAST targets, column types, typed literals).
 * Owns: PostgreSQL's SQL-standard multi-word types (DOUBLE PRECISION, CHARACTER VARYING,
 * TIMESTAMP WITH TIME ZONE, INTERVAL DAY TO SECOND, BIT VARYING), generic (possibly
 * schema-qualified) names with integer modifiers, and array bounds (`[]`, `[n]`, `ARRAY[n]`).
 * Invariants:
 *   (1) Keyword types get one canonical spelling (see TypeName in ast/node.ts); other names are
 *       kept as written (folded).
 *   (2) Parsing a type never recurses, so `tryTypeName` may rewind cheaply.
 * Not here: what a type means (the binder maps names to RustyDB types and rejects unknown ones).
 */
import type { TypeName } from '../ast/index.js'
import { Keyword, TokenType } from '../lexer/index.js'
import { EMPTY, TokenCursor, frozen } from './cursor.js'

/** INTERVAL field words, upper case. */
const INTERVAL_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second'])

/** Valid `<from> TO <to>` interval ranges. */
const INTERVAL_RANGES = new Set([
  'YEAR TO MONTH',
  'DAY TO HOUR',
  'DAY TO MINUTE',
  'DAY TO SECOND',
  'HOUR TO MINUTE',
  'HOUR TO SECOND',
  'MINUTE TO SECOND',
])

/** Words that start a keyword type; used to decide whether `word 'string'` is a typed literal. */
export const KEYWORD_TYPES = new Set([
  'int',
  'integer',
  'smallint',
  'bigint',
  'real',
  'float',
  'double',
  'decimal',
  'dec',
  'numeric',
  'boolean',
  'char',
  'character',
  'varchar',
  'bit',
  'time',
  'timestamp',
  'interval',
])

export abstract class TypeParser extends TokenCursor {
  /** A type name; throws a syntax error when the tokens do not form one. */
  protected parseTypeName(): TypeName {
    const start = this.tok.start
    let name: string
    let modifiers: readonly number[] = EMPTY
    let intervalFields: string | null = null
    const t = this.tok
    const word = t.type === TokenType.IDENT ? t.text : ''
    switch (word) {
      case 'double':
        if (!this.isWordAt(1, 'precision')) return this.genericType(start)
        this.advance()
        this.advance()
        name = 'double precision'
        break
      case 'int':
      case 'integer':
        this.advance()
        name = 'integer'
        break
      case 'smallint':
      case 'bigint':
      case 'real':
      case 'boolean':
        this.advance()
        name = word
        break
      case 'float':
        this.advance()
        name = 'float'
        modifiers = this.typeModifiers()
        break
      case 'dec':
      case 'decimal':
      case 'numeric':
        this.advance()
        name = 'numeric'
        modifiers = this.typeModifiers()
        break
      case 'char':
      case 'character':
        this.advance()
        name = this.eatWord('varying') ? 'varchar' : 'char'
        modifiers = this.typeModifiers()
        break
      case 'varchar':
        this.advance()
        name = 'varchar'
        modifiers = this.typeModifiers()
        break
      case 'bit':
        this.advance()
        name = this.eatWord('varying') ? 'varbit' : 'bit'
        modifiers = this.typeModifiers()
        break
      case 'time':
      case 'timestamp': {
        this.advance()
        modifiers = this.typeModifiers()
        let withZone = false
        if (this.isWord('with') && this.isWordAt(1, 'time') && this.isWordAt(2, 'zone')) {
          this.advance()
          this.advance()
          this.advance()
          withZone = true
        } else if (this.isWord('without') && this.isWordAt(1, 'time') && this.isWordAt(2, 'zone')) {
          this.advance()
          this.advance()
          this.advance()
        }
        name = withZone ? (word === 'time' ? 'timetz' : 'timestamptz') : word
        break
      }
      case 'interval':
        this.advance()
        name = 'interval'
        if (this.is(TokenType.LPAREN)) {
          modifiers = this.typeModifiers()
        } else {
          intervalFields = this.intervalFields()
          if (intervalFields !== null && intervalFields.endsWith('SECOND')) modifiers = this.typeModifiers()
        }
        break
      default:
        return this.genericType(start)
    }
    return this.finishType(start, null, name, modifiers, intervalFields)
  }

  /** A type name when one starts here, else null (and nothing is consumed). */
  protected tryTypeName(): TypeName | null {
    const saved = this.i
    try {
      return this.parseTypeName()
    } catch {
      this.rewind(saved)
      return null
    }
  }

  /** `[YEAR | MONTH | ... | DAY TO SECOND | ...]` after INTERVAL; null when absent. */
  protected intervalFields(): string | null {
    const t = this.tok
    if (t.type !== TokenType.IDENT || !INTERVAL_FIELDS.has(t.text)) return null
    this.advance()
    const from = t.text.toUpperCase()
    if (this.isWord('to')) {
      const to = this.peek(1)
      const range = `${from} TO ${to.type === TokenType.IDENT ? to.text.toUpperCase() : ''}`
      if (!INTERVAL_RANGES.has(range)) throw this.error(to)
      this.advance()
      this.advance()
      return range
    }
    return from
  }

  /** A generic type: `name`, `schema.name`, with optional integer modifiers. */
  private genericType(start: number): TypeName {
    const t = this.tok
    if (!this.isTypeFuncName(t) && !(t.type === TokenType.IDENT && t.keyword === Keyword.COL_NAME)) throw this.error()
    this.advance()
    let schema: string | null = null
    let name = t.text
    if (this.is(TokenType.DOT)) {
      this.advance()
      schema = name
      name = this.colLabel()
    }
    const modifiers = this.typeModifiers()
    return this.finishType(start, schema, name, modifiers, null)
  }

  /** `(n [, m ...])` of signed integers; empty when there is no parenthesis. */
  protected typeModifiers(): readonly number[] {
    if (!this.is(TokenType.LPAREN)) return EMPTY
    this.advance()
    const values: number[] = []
    do {
      const negative = this.eatOp('-')
      if (!negative) this.eatOp('+')
      const t = this.tok
      if (t.type !== TokenType.INTEGER) throw this.error()
      this.advance()
      const value = Number(t.text)
      if (!Number.isSafeInteger(value)) throw this.errorAt(t, `type modifier is out of range: ${t.text}`)
      values.push(negative ? -value : value)
    } while (this.eat(TokenType.COMMA))
    this.expect(TokenType.RPAREN)
    return frozen(values)
  }

  /** Array bounds after the base type, then the node. */
  private finishType(
    start: number,
    schema: string | null,
    name: string,
    modifiers: readonly number[],
    intervalFields: string | null,
  ): TypeName {
    const bounds: number[] = []
    for (;;) {
      if (this.is(TokenType.LBRACKET)) {
        this.advance()
        const t = this.tok
        if (t.type === TokenType.INTEGER) {
          this.advance()
          bounds.push(Number(t.text))
        } else {
          bounds.push(-1)
        }
        this.expect(TokenType.RBRACKET)
      } else if (this.isWord('array')) {
        this.advance()
        if (this.is(TokenType.LBRACKET) && this.peek(1).type === TokenType.INTEGER && this.peek(2).type === TokenType.RBRACKET) {
          this.advance()
          bounds.push(Number(this.advance().text))
          this.advance()
        } else {
          bounds.push(-1)
        }
        break
      } else {
        break
      }
    }
    return this.node({
      kind: 'TypeName',
      start,
      schema,
      name,
      modifiers,
      arrayBounds: frozen(bounds),
      intervalFields,
    })
  }
}
