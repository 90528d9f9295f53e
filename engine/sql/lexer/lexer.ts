/**
 * Lexer: SQL text to tokens, PostgreSQL's lexical rules (scan.l).
 * Owns: comments, identifiers and case folding, string constants (standard, E'' escapes, N'',
 * dollar quoting, continuation across newlines), bit and hex strings, numbers (including 0x/0o/0b
 * and digit underscores), $n parameters, and the operator rule.
 * Invariants:
 *   (1) One pass over the text, dispatching on char codes through a 128-entry class table;
 *       no regular expression runs per character.
 *   (2) Operators follow PostgreSQL: the longest run of operator characters, cut before `--` or
 *       `/*`, and a run longer than one character loses trailing `+`/`-` unless it contains one of
 *       ~ ! @ # % ^ & | ` ? (so `a<-1` is `a < -1`, and `@-` stays one operator).
 *   (3) Strings follow standard_conforming_strings = on: backslashes are literal except in E''.
 *   (4) Every failure is a RustyError 42601 with the position of the offending token.
 * Not here: keyword categories (keywords.ts), grammar (parser/). U&'' strings and U&"" identifiers
 * are rejected with 0A000.
 */
import { RustyError } from '../../common/index.js'
import { nearText, positionOf, syntaxErrorAt, unsupportedAt } from '../errors.js'
import { keywordCategory, Keyword } from './keywords.js'
import { TokenType, type Token, type TokenTypeCode } from './token.js'

const IDENT_START = 1
const IDENT_CONT = 2
const DIGIT = 4
const OP_CHAR = 8
const SPACE = 16
const HEX = 32

/** Character classes of ASCII codes; codes >= 128 are identifier characters (as in PostgreSQL). */
const CLASS = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_') CLASS[c] |= IDENT_START | IDENT_CONT
  if (ch >= '0' && ch <= '9') CLASS[c] |= DIGIT | IDENT_CONT | HEX
  if ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')) CLASS[c] |= HEX
  if (ch === '$') CLASS[c] |= IDENT_CONT
  if ('+-*/<>=~!@#%^&|`?'.includes(ch)) CLASS[c] |= OP_CHAR
  if (' \t\n\r\f\v'.includes(ch)) CLASS[c] |= SPACE
}

const CH_TAB = 9
const CH_NL = 10
const CH_CR = 13
const CH_SPACE = 32
const CH_DQUOTE = 34
const CH_DOLLAR = 36
const CH_AMP = 38
const CH_QUOTE = 39
const CH_LPAREN = 40
const CH_RPAREN = 41
const CH_STAR = 42
const CH_PLUS = 43
const CH_COMMA = 44
const CH_MINUS = 45
const CH_DOT = 46
const CH_SLASH = 47
const CH_0 = 48
const CH_COLON = 58
const CH_SEMI = 59
const CH_LBRACKET = 91
const CH_BACKSLASH = 92
const CH_RBRACKET = 93
const CH_UNDERSCORE = 95

function isIdentStart(c: number): boolean {
  return c >= 128 ? true : (CLASS[c] & IDENT_START) !== 0
}

function isIdentCont(c: number): boolean {
  return c >= 128 ? true : (CLASS[c] & IDENT_CONT) !== 0
}

function isDigit(c: number): boolean {
  return c < 128 && (CLASS[c] & DIGIT) !== 0
}

function isOpChar(c: number): boolean {
  return c < 128 && (CLASS[c] & OP_CHAR) !== 0
}

/** Characters that keep a trailing + or - on a multi-character operator (scan.l). */
function isSpecialOpChar(c: number): boolean {
  // ~ ! @ # % ^ & | ` ?
  return c === 126 || c === 33 || c === 64 || c === 35 || c === 37 || c === 94 || c === 38 || c === 124 || c === 96 || c === 63
}

/** Folds ASCII upper-case letters only, as PostgreSQL's downcase_identifier does for UTF-8. */
function foldIdentifier(word: string): string {
  let ascii = true
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) {
      ascii = false
      break
    }
  }
  if (ascii) return word.toLowerCase()
  let out = ''
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i)
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : word[i]
  }
  return out
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** SQLSTATE 22021 (character_not_in_repertoire): bytes from E'' escapes that are not UTF-8. */
const INVALID_BYTE_SEQUENCE = '22021'

/**
 * Splits `sql` into tokens, ending with one EOF token.
 *
 * @example
 * tokenize('SELECT "A", b FROM t')  // IDENT select, QUOTED_IDENT A, COMMA, IDENT b, IDENT from, IDENT t, EOF
 */
export function tokenize(sql: string): Token[] {
  return new Scanner(sql).run()
}

/** One pass over one input; methods rather than per-call closures keep tokenize allocation-light. */
class Scanner {
  readonly #sql: string
  readonly #len: number
  readonly #tokens: Token[] = []
  #pos = 0

  constructor(sql: string) {
    this.#sql = sql
    this.#len = sql.length
  }

  run(): Token[] {
    const sql = this.#sql
    const len = this.#len
    while (this.#pos < len) {
      const start = this.#pos
      const c = sql.charCodeAt(start)

      if (c < 128 && (CLASS[c] & SPACE) !== 0) {
        this.#pos++
        continue
      }
      if (c === CH_MINUS && sql.charCodeAt(start + 1) === CH_MINUS) {
        const nl = sql.indexOf('\n', start)
        this.#pos = nl < 0 ? len : nl + 1
        continue
      }
      if (c === CH_SLASH && sql.charCodeAt(start + 1) === CH_STAR) {
        this.#blockComment(start)
        continue
      }
      if (isIdentStart(c)) {
        this.#word(start, c)
        continue
      }
      if (isDigit(c) || (c === CH_DOT && isDigit(sql.charCodeAt(start + 1)))) {
        this.#number(start)
        continue
      }
      switch (c) {
        case CH_QUOTE:
          this.#push(TokenType.STRING, start, this.#standardString(start, start))
          continue
        case CH_DQUOTE:
          this.#quotedIdentifier(start)
          continue
        case CH_DOLLAR:
          this.#dollar(start)
          continue
        case CH_LPAREN:
          this.#single(TokenType.LPAREN, start, '(')
          continue
        case CH_RPAREN:
          this.#single(TokenType.RPAREN, start, ')')
          continue
        case CH_LBRACKET:
          this.#single(TokenType.LBRACKET, start, '[')
          continue
        case CH_RBRACKET:
          this.#single(TokenType.RBRACKET, start, ']')
          continue
        case CH_COMMA:
          this.#single(TokenType.COMMA, start, ',')
          continue
        case CH_SEMI:
          this.#single(TokenType.SEMICOLON, start, ';')
          continue
        case CH_DOT:
          this.#single(TokenType.DOT, start, '.')
          continue
        case CH_COLON:
          if (sql.charCodeAt(start + 1) === CH_COLON) {
            this.#pos = start + 2
            this.#push(TokenType.TYPECAST, start, '::')
          } else {
            this.#single(TokenType.COLON, start, ':')
          }
          continue
      }
      if (isOpChar(c)) {
        this.#operator(start)
        continue
      }
      throw this.#fail(start, `syntax error at or near "${String.fromCodePoint(sql.codePointAt(start) ?? c)}"`)
    }
    this.#tokens.push({ type: TokenType.EOF, start: len, end: len, text: '', keyword: Keyword.NONE })
    return this.#tokens
  }

  /** Appends a token that ends at the current position. */
  #push(type: TokenTypeCode, start: number, text: string): void {
    this.#tokens.push({ type, start, end: this.#pos, text, keyword: Keyword.NONE })
  }

  #single(type: TokenTypeCode, start: number, text: string): void {
    this.#pos = start + 1
    this.#tokens.push({ type, start, end: start + 1, text, keyword: Keyword.NONE })
  }

  #fail(offset: number, message: string, hint?: string): RustyError {
    return syntaxErrorAt(this.#sql, offset, message, hint)
  }

  #unterminated(offset: number, what: string): RustyError {
    return this.#fail(offset, `unterminated ${what} at or near "${nearText(this.#sql, offset)}"`)
  }

  /** Nested block comments. */
  #blockComment(start: number): void {
    const sql = this.#sql
    let depth = 1
    let p = start + 2
    while (depth > 0) {
      if (p >= this.#len) throw this.#unterminated(start, '/* comment')
      const d = sql.charCodeAt(p)
      if (d === CH_SLASH && sql.charCodeAt(p + 1) === CH_STAR) {
        depth++
        p += 2
      } else if (d === CH_STAR && sql.charCodeAt(p + 1) === CH_SLASH) {
        depth--
        p += 2
      } else {
        p++
      }
    }
    this.#pos = p
  }

  /** A word, or a prefixed string: E'', B'', X'', N''. */
  #word(start: number, c: number): void {
    const sql = this.#sql
    const next = sql.charCodeAt(start + 1)
    if (next === CH_QUOTE) {
      const lower = c | 32
      if (lower === 101) {
        const value = this.#escapeString(start, start + 1)
        this.#push(TokenType.STRING, start, value)
        return
      }
      if (lower === 98) {
        const digits = this.#bitString(start, 'bit string literal')
        this.#push(TokenType.BIT_STRING, start, digits)
        return
      }
      if (lower === 120) {
        const digits = this.#bitString(start, 'hexadecimal string literal')
        this.#push(TokenType.HEX_STRING, start, digits)
        return
      }
      if (lower === 110) {
        // N'...': a national character string is an ordinary string here
        const value = this.#standardString(start, start + 1)
        this.#push(TokenType.STRING, start, value)
        return
      }
    }
    if ((c | 32) === 117 && next === CH_AMP) {
      const third = sql.charCodeAt(start + 2)
      if (third === CH_QUOTE || third === CH_DQUOTE) {
        throw unsupportedAt(sql, start, third === CH_QUOTE ? "Unicode escape string constants (U&'...')" : 'Unicode escape identifiers (U&"...")')
      }
    }
    let p = start + 1
    const len = this.#len
    while (p < len && isIdentCont(sql.charCodeAt(p))) p++
    const text = foldIdentifier(sql.slice(start, p))
    this.#pos = p
    this.#tokens.push({ type: TokenType.IDENT, start, end: p, text, keyword: keywordCategory(text) })
  }

  /**
   * After a closing quote: when only whitespace with at least one newline (and `--` comments)
   * separates it from another quote, the string continues (SQL standard; scan.l `quotecontinue`).
   * Returns the offset of that next quote, or -1.
   */
  #continuation(from: number): number {
    const sql = this.#sql
    const len = this.#len
    let p = from
    let newline = false
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (c === CH_NL || c === CH_CR) {
        newline = true
        p++
      } else if (c === CH_SPACE || c === CH_TAB || c === 12 || c === 11) {
        p++
      } else if (c === CH_MINUS && sql.charCodeAt(p + 1) === CH_MINUS) {
        while (p < len && sql.charCodeAt(p) !== CH_NL) p++
      } else {
        break
      }
    }
    return newline && p < len && sql.charCodeAt(p) === CH_QUOTE ? p : -1
  }

  /** A standard string whose opening quote is at `quote`; returns the value, advances the position. */
  #standardString(start: number, quote: number): string {
    const sql = this.#sql
    let value = ''
    let p = quote + 1
    for (;;) {
      const close = sql.indexOf("'", p)
      if (close < 0) throw this.#unterminated(start, 'quoted string')
      value += sql.slice(p, close)
      if (sql.charCodeAt(close + 1) === CH_QUOTE) {
        value += "'"
        p = close + 2
        continue
      }
      const next = this.#continuation(close + 1)
      if (next < 0) {
        this.#pos = close + 1
        return value
      }
      p = next + 1
    }
  }

  /** An E'' string whose opening quote is at `quote`; processes backslash escapes. */
  #escapeString(start: number, quote: number): string {
    const sql = this.#sql
    const len = this.#len
    let value = ''
    // bytes of consecutive \ooo / \xhh escapes, decoded together as UTF-8
    let bytes: number[] | null = null
    let bytesAt = 0
    let p = quote + 1
    for (;;) {
      if (p >= len) throw this.#unterminated(start, 'quoted string')
      const c = sql.charCodeAt(p)
      const byteEscape =
        c === CH_BACKSLASH &&
        ((sql[p + 1] === 'x' && p + 2 < len && sql.charCodeAt(p + 2) < 128 && (CLASS[sql.charCodeAt(p + 2)] & HEX) !== 0) ||
          (sql[p + 1] >= '0' && sql[p + 1] <= '7'))
      if (bytes !== null && !byteEscape) {
        value += this.#decodeBytes(bytes, bytesAt)
        bytes = null
      }
      if (c === CH_QUOTE) {
        if (sql.charCodeAt(p + 1) === CH_QUOTE) {
          value += "'"
          p += 2
          continue
        }
        const next = this.#continuation(p + 1)
        if (next < 0) {
          this.#pos = p + 1
          return value
        }
        p = next + 1
        continue
      }
      if (c !== CH_BACKSLASH) {
        // copy a run of plain characters at once
        let q = p + 1
        while (q < len) {
          const d = sql.charCodeAt(q)
          if (d === CH_QUOTE || d === CH_BACKSLASH) break
          q++
        }
        value += sql.slice(p, q)
        p = q
        continue
      }
      const escAt = p
      if (p + 1 >= len) throw this.#unterminated(start, 'quoted string')
      const e = sql[p + 1]
      p += 2
      if (byteEscape) {
        let q = p
        let byte: number
        if (e === 'x') {
          while (q < p + 2 && q < len && sql.charCodeAt(q) < 128 && (CLASS[sql.charCodeAt(q)] & HEX) !== 0) q++
          byte = parseInt(sql.slice(p, q), 16)
        } else {
          q = p - 1
          while (q < p + 2 && q < len && sql[q] >= '0' && sql[q] <= '7') q++
          byte = parseInt(sql.slice(p - 1, q), 8) & 0xff
        }
        p = q
        if (byte === 0) {
          throw new RustyError(INVALID_BYTE_SEQUENCE, 'invalid byte sequence for encoding "UTF8": 0x00', { position: positionOf(sql, escAt) })
        }
        if (bytes === null) {
          bytes = []
          bytesAt = escAt
        }
        bytes.push(byte)
        continue
      }
      if (e === 'u' || e === 'U') {
        const [text, next] = this.#unicodeEscape(escAt, p, e === 'u' ? 4 : 8)
        value += text
        p = next
        continue
      }
      switch (e) {
        case 'b':
          value += '\b'
          break
        case 'f':
          value += '\f'
          break
        case 'n':
          value += '\n'
          break
        case 'r':
          value += '\r'
          break
        case 't':
          value += '\t'
          break
        default:
          // any other character stands for itself (\\ \' \" ...)
          value += e
      }
    }
  }

  #decodeBytes(bytes: number[], at: number): string {
    try {
      return UTF8.decode(new Uint8Array(bytes))
    } catch {
      throw new RustyError(INVALID_BYTE_SEQUENCE, 'invalid byte sequence for encoding "UTF8"', { position: positionOf(this.#sql, at) })
    }
  }

  /** \uXXXX or \UXXXXXXXX (a surrogate pair as two \u escapes); returns the text and the next offset. */
  #unicodeEscape(escAt: number, from: number, digits: number): [string, number] {
    const sql = this.#sql
    const hex = sql.slice(from, from + digits)
    if (hex.length !== digits || !isHexDigits(hex)) {
      throw this.#fail(escAt, 'invalid Unicode escape', 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.')
    }
    let p = from + digits
    let code = parseInt(hex, 16)
    if (code >= 0xd800 && code <= 0xdbff) {
      // a high surrogate must be followed by an escaped low surrogate
      const low = sql.slice(p + 2, p + 6)
      const lowCode = sql[p] === '\\' && sql[p + 1] === 'u' && low.length === 4 && isHexDigits(low) ? parseInt(low, 16) : -1
      if (lowCode < 0xdc00 || lowCode > 0xdfff) throw this.#fail(escAt, 'invalid Unicode surrogate pair')
      code = 0x10000 + ((code - 0xd800) << 10) + (lowCode - 0xdc00)
      p += 6
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      throw this.#fail(escAt, 'invalid Unicode surrogate pair')
    }
    if (code === 0 || code > 0x10ffff) throw this.#fail(escAt, 'invalid Unicode escape value')
    return [String.fromCodePoint(code), p]
  }

  /** B'' or X'' digits; the prefix letter is at `start`. */
  #bitString(start: number, what: string): string {
    const close = this.#sql.indexOf("'", start + 2)
    if (close < 0) throw this.#unterminated(start, what)
    this.#pos = close + 1
    return this.#sql.slice(start + 2, close)
  }

  #quotedIdentifier(start: number): void {
    const sql = this.#sql
    let text = ''
    let p = start + 1
    for (;;) {
      const close = sql.indexOf('"', p)
      if (close < 0) throw this.#unterminated(start, 'quoted identifier')
      text += sql.slice(p, close)
      if (sql.charCodeAt(close + 1) === CH_DQUOTE) {
        text += '"'
        p = close + 2
        continue
      }
      p = close + 1
      break
    }
    if (text === '') throw this.#fail(start, 'zero-length delimited identifier at or near """"')
    this.#pos = p
    this.#push(TokenType.QUOTED_IDENT, start, text)
  }

  /** `$n` parameters and dollar-quoted strings (`$$...$$`, `$tag$...$tag$`). */
  #dollar(start: number): void {
    const sql = this.#sql
    const len = this.#len
    if (isDigit(sql.charCodeAt(start + 1))) {
      let p = start + 1
      while (p < len && isDigit(sql.charCodeAt(p))) p++
      if (p < len && isIdentCont(sql.charCodeAt(p))) {
        let q = p
        while (q < len && isIdentCont(sql.charCodeAt(q))) q++
        throw this.#fail(start, `trailing junk after parameter at or near "${sql.slice(start, q)}"`)
      }
      this.#pos = p
      this.#push(TokenType.PARAM, start, sql.slice(start + 1, p))
      return
    }
    // the tag: `$` alone, or an identifier without `$`, closed by `$`
    let p = start + 1
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (c === CH_DOLLAR) break
      if (!(p === start + 1 ? isIdentStart(c) : isIdentCont(c))) throw this.#fail(start, 'syntax error at or near "$"')
      p++
    }
    if (p >= len) throw this.#fail(start, 'syntax error at or near "$"')
    const delimiter = sql.slice(start, p + 1)
    const close = sql.indexOf(delimiter, p + 1)
    if (close < 0) throw this.#unterminated(start, 'dollar-quoted string')
    this.#pos = close + delimiter.length
    this.#push(TokenType.STRING, start, sql.slice(p + 1, close))
  }

  #number(start: number): void {
    const sql = this.#sql
    const len = this.#len
    let p = start
    let type: TokenTypeCode = TokenType.INTEGER
    let text: string
    const c1 = sql.charCodeAt(p + 1) | 32
    if (sql.charCodeAt(p) === CH_0 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      // 0x / 0o / 0b integers
      const radix = c1 === 120 ? 16 : c1 === 111 ? 8 : 2
      p += 2
      let digits = ''
      for (;;) {
        const c = sql.charCodeAt(p)
        if (c === CH_UNDERSCORE && digits !== '' && p + 1 < len && validDigit(sql.charCodeAt(p + 1), radix)) {
          p++
          continue
        }
        if (!validDigit(c, radix)) break
        digits += sql[p]
        p++
      }
      if (digits === '') throw this.#fail(start, `trailing junk after numeric literal at or near "${sql.slice(start, p + 1)}"`)
      text = BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : '0b') + digits).toString()
    } else {
      p = this.#digitsEnd(p)
      if (sql.charCodeAt(p) === CH_DOT && sql.charCodeAt(p + 1) !== CH_DOT) {
        type = TokenType.DECIMAL
        p = this.#digitsEnd(p + 1)
      }
      if ((sql.charCodeAt(p) | 32) === 101) {
        // exponent: e[+-]digits; anything else after the e is trailing junk
        let q = p + 1
        const sign = sql.charCodeAt(q)
        if (sign === CH_PLUS || sign === CH_MINUS) q++
        if (isDigit(sql.charCodeAt(q))) {
          type = TokenType.DECIMAL
          p = this.#digitsEnd(q)
        }
      }
      text = sql.slice(start, p)
      if (text.includes('_')) text = text.replace(/_/g, '')
    }
    if (p < len && isIdentCont(sql.charCodeAt(p))) {
      let q = p
      while (q < len && isIdentCont(sql.charCodeAt(q))) q++
      throw this.#fail(start, `trailing junk after numeric literal at or near "${sql.slice(start, q)}"`)
    }
    this.#pos = p
    this.#push(type, start, text)
  }

  /** End of a run of decimal digits with single underscores between digits. */
  #digitsEnd(from: number): number {
    const sql = this.#sql
    const len = this.#len
    let p = from
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (isDigit(c)) p++
      else if (c === CH_UNDERSCORE && p > from && isDigit(sql.charCodeAt(p - 1)) && isDigit(sql.charCodeAt(p + 1))) p++
      else break
    }
    return p
  }

  /** An operator, by PostgreSQL's rule (invariant 2). */
  #operator(start: number): void {
    const sql = this.#sql
    const len = this.#len
    let p = start
    while (p < len) {
      const d = sql.charCodeAt(p)
      if (!isOpChar(d)) break
      // a comment starts inside the run: the operator ends before it
      if (p > start && ((d === CH_MINUS && sql.charCodeAt(p + 1) === CH_MINUS) || (d === CH_SLASH && sql.charCodeAt(p + 1) === CH_STAR))) break
      p++
    }
    let n = p - start
    const last = sql.charCodeAt(start + n - 1)
    if (n > 1 && (last === CH_PLUS || last === CH_MINUS)) {
      let special = false
      for (let i = start; i < start + n - 1; i++) {
        if (isSpecialOpChar(sql.charCodeAt(i))) {
          special = true
          break
        }
      }
      if (!special) {
        do n--
        while (n > 1 && (sql.charCodeAt(start + n - 1) === CH_PLUS || sql.charCodeAt(start + n - 1) === CH_MINUS))
      }
    }
    let text = n === 1 ? OP_TEXT[sql.charCodeAt(start)] : sql.slice(start, start + n)
    if (text === '!=') text = '<>'
    this.#pos = start + n
    this.#push(TokenType.OPERATOR, start, text)
  }
}

function isHexDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 128 || (CLASS[c] & HEX) === 0) return false
  }
  return true
}

/** Interned one-character operator strings. */
const OP_TEXT: string[] = []
for (let c = 0; c < 128; c++) OP_TEXT.push(String.fromCharCode(c))

function validDigit(c: number, radix: number): boolean {
  if (radix === 16) return c < 128 && (CLASS[c] & HEX) !== 0
  if (radix === 8) return c >= 48 && c <= 55
  return c === 48 || c === 49
}
