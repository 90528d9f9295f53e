/**
 * Tokens: what the lexer hands the parser.
 * Owns: the token kinds and the token shape.
 * Invariants:
 *   (1) `start`/`end` are 0-based UTF-16 offsets into the source, `end` exclusive; the source text
 *       of a token is `sql.slice(start, end)`.
 *   (2) An unquoted word is one IDENT token whose `text` is folded to lower case (ASCII letters
 *       only, as PostgreSQL folds); keywords are IDENT tokens too, told apart by `keyword`.
 *       A double-quoted identifier is QUOTED_IDENT with its exact text and never matches a keyword.
 *   (3) The token list always ends with one EOF token whose start and end are the source length.
 * Not here: which words are keywords (keywords.ts), scanning (lexer.ts).
 */
import type { KeywordCategory } from './keywords.js'

/** Token kinds (an `as const` object, so the values are plain numbers). */
export const TokenType = {
  EOF: 0,
  /** A word: identifier or keyword. `text` is folded to lower case. */
  IDENT: 1,
  /** A double-quoted identifier; `text` keeps its case, `""` is unescaped. */
  QUOTED_IDENT: 2,
  /** A string constant ('', E'', N'', $$ $$); `text` is the value with escapes processed. */
  STRING: 3,
  /** B'0101'; `text` holds the digits. */
  BIT_STRING: 4,
  /** X'1F'; `text` holds the hex digits. */
  HEX_STRING: 5,
  /** An integer constant; `text` is its decimal digits (underscores removed, 0x/0o/0b converted). */
  INTEGER: 6,
  /** A numeric constant with a point or an exponent; `text` as written, underscores removed. */
  DECIMAL: 7,
  /** $n; `text` is the number's digits. */
  PARAM: 8,
  /** An operator (`+`, `<>`, `->>`, `@>`, ...); `text` is its spelling (`!=` becomes `<>`). */
  OPERATOR: 9,
  LPAREN: 10,
  RPAREN: 11,
  LBRACKET: 12,
  RBRACKET: 13,
  COMMA: 14,
  SEMICOLON: 15,
  DOT: 16,
  /** `:` (array slices). */
  COLON: 17,
  /** `::` */
  TYPECAST: 18,
} as const

export type TokenTypeCode = (typeof TokenType)[keyof typeof TokenType]

/** One token. Plain objects, created once per token; the parser never mutates them. */
export interface Token {
  readonly type: TokenTypeCode
  readonly start: number
  readonly end: number
  /** See TokenType for what `text` holds per kind. */
  readonly text: string
  /** For IDENT: the keyword category of the word (0 when it is not a keyword, or unreserved). */
  readonly keyword: KeywordCategory
}
