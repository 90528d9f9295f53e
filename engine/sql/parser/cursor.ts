/**
 * TokenCursor: the parser's position in the token list, and the helpers every grammar part uses.
 * Owns: lookahead and matching, identifier rules (PostgreSQL's ColId / ColLabel /
 * type_function_name), node construction (frozen, with spans), syntax errors, the depth limit.
 * Invariants:
 *   (1) `tok` is always `tokens[i]`; the list ends with EOF, so lookahead never runs off the end.
 *   (2) `prevEnd` is the end offset of the last consumed token: a node built after its last token
 *       was consumed spans [start, prevEnd).
 *   (3) `depth` counts open recursive constructs plus left-deep chain links; it never exceeds
 *       MAX_DEPTH, so the parser's own recursion and the height of every AST it returns stay
 *       bounded (54001 instead of a JavaScript RangeError).
 * Not here: the grammar (the parser classes that extend this one).
 */
import type { RustyError } from '../../common/index.js'
import type { Node, NodeOfKind, QualifiedName } from '../ast/index.js'
import { syntaxErrorAt, tooDeepAt, unsupportedAt } from '../errors.js'
import { Keyword, TokenType, type Token, type TokenTypeCode } from '../lexer/index.js'

/** How deep statements may nest (parentheses, subqueries, operator chains). */
export const MAX_DEPTH = 1000

/** The one shared empty list. */
export const EMPTY: readonly never[] = Object.freeze([] as never[])

/** Freezes a list built by the parser (the empty list is shared). */
export function frozen<T>(list: T[]): readonly T[] {
  return list.length === 0 ? EMPTY : Object.freeze(list)
}

/** The fields of a node before its end is known: Omit<N, 'end'> for each member N of Node. */
export type NodeFields = Node extends infer N ? (N extends Node ? Omit<N, 'end'> : never) : never

export abstract class TokenCursor {
  protected readonly sql: string
  protected readonly tokens: readonly Token[]
  protected i = 0
  protected tok: Token
  protected prevEnd = 0
  protected depth = 0

  constructor(sql: string, tokens: readonly Token[]) {
    this.sql = sql
    this.tokens = tokens
    this.tok = tokens[0]
  }

  // -------------------------------------------------------------------------------------------
  // lookahead

  /** The token `k` places ahead (0 = current); EOF past the end. */
  protected peek(k: number): Token {
    const index = this.i + k
    return index < this.tokens.length ? this.tokens[index] : this.tokens[this.tokens.length - 1]
  }

  protected advance(): Token {
    const t = this.tok
    this.prevEnd = t.end
    if (this.i < this.tokens.length - 1) this.i++
    this.tok = this.tokens[this.i]
    return t
  }

  /** Rewinds to token index `index` (bounded lookahead only). */
  protected rewind(index: number): void {
    this.i = index
    this.tok = this.tokens[index]
    this.prevEnd = index > 0 ? this.tokens[index - 1].end : 0
  }

  protected is(type: TokenTypeCode): boolean {
    return this.tok.type === type
  }

  protected eat(type: TokenTypeCode): boolean {
    if (this.tok.type !== type) return false
    this.advance()
    return true
  }

  protected expect(type: TokenTypeCode): Token {
    if (this.tok.type !== type) throw this.error()
    return this.advance()
  }

  /** True when the current token is the unquoted word `word` (lower case). */
  protected isWord(word: string): boolean {
    return this.tok.type === TokenType.IDENT && this.tok.text === word
  }

  /** True when the token `k` ahead is the unquoted word `word`. */
  protected isWordAt(k: number, word: string): boolean {
    const t = this.peek(k)
    return t.type === TokenType.IDENT && t.text === word
  }

  protected eatWord(word: string): boolean {
    if (!this.isWord(word)) return false
    this.advance()
    return true
  }

  protected expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.error()
    return this.advance()
  }

  /** Eats `a b ...` only when all the words follow. */
  protected eatWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWordAt(k, words[k])) return false
    for (let k = 0; k < words.length; k++) this.advance()
    return true
  }

  protected isOp(op: string): boolean {
    return this.tok.type === TokenType.OPERATOR && this.tok.text === op
  }

  protected eatOp(op: string): boolean {
    if (!this.isOp(op)) return false
    this.advance()
    return true
  }

  protected expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.error()
    return this.advance()
  }

  // -------------------------------------------------------------------------------------------
  // identifiers

  /** ColId: an identifier, an unreserved or a column-name keyword, or a quoted identifier. */
  protected isColId(t: Token = this.tok): boolean {
    return (
      t.type === TokenType.QUOTED_IDENT ||
      (t.type === TokenType.IDENT && (t.keyword === Keyword.NONE || t.keyword === Keyword.COL_NAME))
    )
  }

  protected colId(): string {
    if (!this.isColId()) throw this.error()
    return this.advance().text
  }

  /** ColLabel: any word, reserved or not (after AS, after a dot). */
  protected colLabel(): string {
    const t = this.tok
    if (t.type !== TokenType.IDENT && t.type !== TokenType.QUOTED_IDENT) throw this.error()
    return this.advance().text
  }

  /** type_function_name: an identifier, an unreserved or a type/function-name keyword. */
  protected isTypeFuncName(t: Token = this.tok): boolean {
    return (
      t.type === TokenType.QUOTED_IDENT ||
      (t.type === TokenType.IDENT && (t.keyword === Keyword.NONE || t.keyword === Keyword.TYPE_FUNC_NAME))
    )
  }

  /** `name`, `schema.name` or `catalog.schema.name`. */
  protected qualifiedName(): QualifiedName {
    const start = this.tok.start
    const parts = [this.colId()]
    while (this.is(TokenType.DOT) && parts.length < 4) {
      this.advance()
      parts.push(this.colLabel())
    }
    return this.qualified(start, parts)
  }

  /** Builds a QualifiedName from 1-3 parts (more is an error at the name). */
  protected qualified(start: number, parts: readonly string[]): QualifiedName {
    if (parts.length > 3) {
      throw syntaxErrorAt(this.sql, start, `improper qualified name (too many dotted names): ${parts.join('.')}`)
    }
    const n = parts.length
    return this.node({
      kind: 'QualifiedName',
      start,
      catalog: n === 3 ? parts[0] : null,
      schema: n >= 2 ? parts[n - 2] : null,
      name: parts[n - 1],
    })
  }

  /** `(a, b, ...)` of ColIds. */
  protected nameList(): readonly string[] {
    this.expect(TokenType.LPAREN)
    const names = [this.colId()]
    while (this.eat(TokenType.COMMA)) names.push(this.colId())
    this.expect(TokenType.RPAREN)
    return frozen(names)
  }

  // -------------------------------------------------------------------------------------------
  // nodes

  /** Freezes a node whose last token has just been consumed; `end` is set to `prevEnd`. */
  protected node<F extends NodeFields>(fields: F): NodeOfKind<F['kind']> {
    ;(fields as { end?: number }).end = this.prevEnd
    return Object.freeze(fields) as unknown as NodeOfKind<F['kind']>
  }

  /** Freezes a node that ends at `end` (its last token was consumed earlier). */
  protected nodeTo<F extends NodeFields>(fields: F, end: number): NodeOfKind<F['kind']> {
    ;(fields as { end?: number }).end = end
    return Object.freeze(fields) as unknown as NodeOfKind<F['kind']>
  }

  // -------------------------------------------------------------------------------------------
  // depth

  protected enter(): void {
    if (++this.depth > MAX_DEPTH) throw tooDeepAt(this.sql, this.tok.start, MAX_DEPTH)
  }

  protected leave(): void {
    this.depth--
  }

  // -------------------------------------------------------------------------------------------
  // errors

  /** `syntax error at or near "<token>"` (or `at end of input`) at the token. */
  protected error(t: Token = this.tok): RustyError {
    if (t.type === TokenType.EOF) return syntaxErrorAt(this.sql, this.sql.length, 'syntax error at end of input')
    return syntaxErrorAt(this.sql, t.start, `syntax error at or near "${this.sql.slice(t.start, t.end)}"`)
  }

  /** `syntax error at or near "<token>"` for the token that starts at `offset`. */
  protected errorAtOffset(offset: number): RustyError {
    let lo = 0
    let hi = this.tokens.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.tokens[mid].start < offset) lo = mid + 1
      else hi = mid
    }
    return this.error(this.tokens[lo])
  }

  /** 42601 with a specific message at the token. */
  protected errorAt(t: Token, message: string, hint?: string): RustyError {
    return syntaxErrorAt(this.sql, t.start, message, hint)
  }

  /** 0A000 at the token. */
  protected unsupported(feature: string, t: Token = this.tok, hint?: string): RustyError {
    return unsupportedAt(this.sql, t.start, feature, hint)
  }
}
