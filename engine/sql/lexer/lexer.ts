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
  const tokens: Token[] = []
  const len = sql.length
  let pos = 0

  const push = (type: TokenTypeCode, start: number, end: number, text: string): void => {
    tokens.push({ type, start, end, text, keyword: Keyword.NONE })
  }

  const fail = (offset: number, message: string, hint?: string): RustyError => syntaxErrorAt(sql, offset, message, hint)

  const unterminated = (offset: number, what: string): RustyError =>
    fail(offset, `unterminated ${what} at or near "${nearText(sql, offset)}"`)

  /**
   * After a closing quote: when only whitespace with at least one newline (and `--` comments)
   * separates it from another quote, the string continues (SQL standard; scan.l `quotecontinue`).
   * Returns the offset of that next quote, or -1.
   */
  const continuation = (from: number): number => {
    let p = from
    let newline = false
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (c === CH_NL || c === CH_CR) {
        newline = true
        p++
      } else if (c === CH_SPACE || c === CH_TAB || c === 12 || c === 11) {
        p++
      } else if (c === CH_MINUS && sql.charCodeAt(p + 1) === CH_MINUS && newline) {
        while (p < len && sql.charCodeAt(p) !== CH_NL) p++
      } else {
        break
      }
    }
    return newline && p < len && sql.charCodeAt(p) === CH_QUOTE ? p : -1
  }

  /** A standard string whose opening quote is at `quote`; returns the value, advances `pos`. */
  const standardString = (start: number, quote: number): string => {
    let value = ''
    let p = quote + 1
    for (;;) {
      const close = sql.indexOf("'", p)
      if (close < 0) throw unterminated(start, 'quoted string')
      value += sql.slice(p, close)
      if (sql.charCodeAt(close + 1) === CH_QUOTE) {
        value += "'"
        p = close + 2
        continue
      }
      const next = continuation(close + 1)
      if (next < 0) {
        pos = close + 1
        return value
      }
      p = next + 1
    }
  }

  /** An E'' string whose opening quote is at `quote`; processes backslash escapes. */
  const escapeString = (start: number, quote: number): string => {
    let value = ''
    let bytes: number[] | null = null
    const flushBytes = (at: number): void => {
      if (bytes === null) return
      try {
        value += UTF8.decode(new Uint8Array(bytes))
      } catch {
        throw new RustyError(INVALID_BYTE_SEQUENCE, 'invalid byte sequence for encoding "UTF8"', { position: positionOf(sql, at) })
      }
      bytes = null
    }
    let p = quote + 1
    for (;;) {
      if (p >= len) throw unterminated(start, 'quoted string')
      const c = sql.charCodeAt(p)
      if (c === CH_QUOTE) {
        if (sql.charCodeAt(p + 1) === CH_QUOTE) {
          flushBytes(p)
          value += "'"
          p += 2
          continue
        }
        const next = continuation(p + 1)
        if (next < 0) {
          flushBytes(p)
          pos = p + 1
          return value
        }
        p = next + 1
        continue
      }
      if (c !== CH_BACKSLASH) {
        flushBytes(p)
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
      // backslash escape
      const escAt = p
      if (p + 1 >= len) throw unterminated(start, 'quoted string')
      const e = sql[p + 1]
      p += 2
      if (e === 'x' && p < len && sql.charCodeAt(p) < 128 && (CLASS[sql.charCodeAt(p)] & HEX) !== 0) {
        let q = p
        while (q < p + 2 && q < len && sql.charCodeAt(q) < 128 && (CLASS[sql.charCodeAt(q)] & HEX) !== 0) q++
        const byte = parseInt(sql.slice(p, q), 16)
        p = q
        if (byte === 0) throw new RustyError(INVALID_BYTE_SEQUENCE, 'invalid byte sequence for encoding "UTF8": 0x00', { position: positionOf(sql, escAt) })
        ;(bytes ??= []).push(byte)
        continue
      }
      if (e >= '0' && e <= '7') {
        let q = p - 1
        while (q < p + 2 && q < len && sql[q] >= '0' && sql[q] <= '7') q++
        const byte = parseInt(sql.slice(p - 1, q), 8) & 0xff
        p = q
        if (byte === 0) throw new RustyError(INVALID_BYTE_SEQUENCE, 'invalid byte sequence for encoding "UTF8": 0x00', { position: positionOf(sql, escAt) })
        ;(bytes ??= []).push(byte)
        continue
      }
      flushBytes(escAt)
      if (e === 'u' || e === 'U') {
        const digits = e === 'u' ? 4 : 8
        const hex = sql.slice(p, p + digits)
        if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
          throw fail(escAt, 'invalid Unicode escape', 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.')
        }
        p += digits
        let code = parseInt(hex, 16)
        if (code >= 0xd800 && code <= 0xdbff) {
          // a high surrogate must be followed by an escaped low surrogate
          const low = /^\\u([0-9a-fA-F]{4})/.exec(sql.slice(p, p + 6))
          const lowCode = low === null ? -1 : parseInt(low[1], 16)
          if (lowCode < 0xdc00 || lowCode > 0xdfff) throw fail(escAt, 'invalid Unicode surrogate pair')
          code = 0x10000 + ((code - 0xd800) << 10) + (lowCode - 0xdc00)
          p += 6
        } else if (code >= 0xdc00 && code <= 0xdfff) {
          throw fail(escAt, 'invalid Unicode surrogate pair')
        }
        if (code === 0 || code > 0x10ffff) throw fail(escAt, 'invalid Unicode escape value')
        value += String.fromCodePoint(code)
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

  /** B'' or X'' digits; the quote is at `quote`. */
  const bitString = (start: number, quote: number, what: string): string => {
    const close = sql.indexOf("'", quote + 1)
    if (close < 0) throw unterminated(start, what)
    pos = close + 1
    return sql.slice(quote + 1, close)
  }

  /** A dollar-quoted string starting at `start` (`$$` or `$tag$`); null when `$` starts no tag. */
  const dollarString = (start: number): string | null => {
    let p = start + 1
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (c === CH_DOLLAR) break
      if (!(p === start + 1 ? isIdentStart(c) : isIdentCont(c) && c !== CH_DOLLAR)) return null
      p++
    }
    if (p >= len) return null
    const delimiter = sql.slice(start, p + 1)
    const close = sql.indexOf(delimiter, p + 1)
    if (close < 0) throw unterminated(start, 'dollar-quoted string')
    pos = close + delimiter.length
    return sql.slice(p + 1, close)
  }

  const number = (start: number): void => {
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
      if (digits === '') throw fail(start, `trailing junk after numeric literal at or near "${sql.slice(start, p + 1)}"`)
      text = BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : '0b') + digits).toString()
    } else {
      p = digitsEnd(p)
      if (sql.charCodeAt(p) === CH_DOT && sql.charCodeAt(p + 1) !== CH_DOT) {
        type = TokenType.DECIMAL
        p = digitsEnd(p + 1)
      }
      const e = sql.charCodeAt(p) | 32
      if (e === 101) {
        // exponent: e[+-]digits; anything else after the e is trailing junk
        let q = p + 1
        const sign = sql.charCodeAt(q)
        if (sign === CH_PLUS || sign === CH_MINUS) q++
        if (isDigit(sql.charCodeAt(q))) {
          type = TokenType.DECIMAL
          p = digitsEnd(q)
        }
      }
      text = sql.slice(start, p)
      if (text.includes('_')) text = text.replace(/_/g, '')
    }
    if (p < len && isIdentCont(sql.charCodeAt(p))) {
      let q = p
      while (q < len && isIdentCont(sql.charCodeAt(q))) q++
      throw fail(start, `trailing junk after numeric literal at or near "${sql.slice(start, q)}"`)
    }
    pos = p
    push(type, start, p, text)
  }

  /** End of a run of decimal digits with single underscores between digits. */
  const digitsEnd = (from: number): number => {
    let p = from
    while (p < len) {
      const c = sql.charCodeAt(p)
      if (isDigit(c)) p++
      else if (c === CH_UNDERSCORE && p > from && isDigit(sql.charCodeAt(p - 1)) && isDigit(sql.charCodeAt(p + 1))) p++
      else break
    }
    return p
  }

  while (pos < len) {
    const start = pos
    const c = sql.charCodeAt(pos)

    if (c < 128 && (CLASS[c] & SPACE) !== 0) {
      pos++
      continue
    }
    if (c === CH_MINUS && sql.charCodeAt(pos + 1) === CH_MINUS) {
      const nl = sql.indexOf('\n', pos)
      pos = nl < 0 ? len : nl + 1
      continue
    }
    if (c === CH_SLASH && sql.charCodeAt(pos + 1) === CH_STAR) {
      // nested block comments
      let depth = 1
      let p = pos + 2
      while (depth > 0) {
        if (p >= len) throw unterminated(start, '/* comment')
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
      pos = p
      continue
    }

    if (isIdentStart(c)) {
      const next = sql.charCodeAt(pos + 1)
      if (next === CH_QUOTE) {
        const lower = c | 32
        if (lower === 101) {
          // E'...'
          const value = escapeString(start, pos + 1)
          push(TokenType.STRING, start, pos, value)
          continue
        }
        if (lower === 98) {
          const digits = bitString(start, pos + 1, 'bit string literal')
          push(TokenType.BIT_STRING, start, pos, digits)
          continue
        }
        if (lower === 120) {
          const digits = bitString(start, pos + 1, 'hexadecimal string literal')
          push(TokenType.HEX_STRING, start, pos, digits)
          continue
        }
        if (lower === 110) {
          // N'...': a national character string is an ordinary string here
          const value = standardString(start, pos + 1)
          push(TokenType.STRING, start, pos, value)
          continue
        }
      }
      if ((c | 32) === 117 && next === CH_AMP) {
        const third = sql.charCodeAt(pos + 2)
        if (third === CH_QUOTE || third === CH_DQUOTE) {
          throw unsupportedAt(sql, start, third === CH_QUOTE ? "Unicode escape string constants (U&'...')" : 'Unicode escape identifiers (U&"...")')
        }
      }
      let p = pos + 1
      while (p < len && isIdentCont(sql.charCodeAt(p))) p++
      const text = foldIdentifier(sql.slice(pos, p))
      tokens.push({ type: TokenType.IDENT, start, end: p, text, keyword: keywordCategory(text) })
      pos = p
      continue
    }

    if (isDigit(c) || (c === CH_DOT && isDigit(sql.charCodeAt(pos + 1)))) {
      number(start)
      continue
    }

    switch (c) {
      case CH_QUOTE: {
        const value = standardString(start, pos)
        push(TokenType.STRING, start, pos, value)
        continue
      }
      case CH_DQUOTE: {
        let text = ''
        let p = pos + 1
        for (;;) {
          const close = sql.indexOf('"', p)
          if (close < 0) throw unterminated(start, 'quoted identifier')
          text += sql.slice(p, close)
          if (sql.charCodeAt(close + 1) === CH_DQUOTE) {
            text += '"'
            p = close + 2
            continue
          }
          p = close + 1
          break
        }
        if (text === '') throw fail(start, 'zero-length delimited identifier at or near """"')
        pos = p
        push(TokenType.QUOTED_IDENT, start, p, text)
        continue
      }
      case CH_DOLLAR: {
        const next = sql.charCodeAt(pos + 1)
        if (isDigit(next)) {
          let p = pos + 1
          while (p < len && isDigit(sql.charCodeAt(p))) p++
          if (p < len && isIdentCont(sql.charCodeAt(p))) {
            let q = p
            while (q < len && isIdentCont(sql.charCodeAt(q))) q++
            throw fail(start, `trailing junk after parameter at or near "${sql.slice(start, q)}"`)
          }
          push(TokenType.PARAM, start, p, sql.slice(pos + 1, p))
          pos = p
          continue
        }
        const value = dollarString(start)
        if (value === null) throw fail(start, `syntax error at or near "$"`)
        push(TokenType.STRING, start, pos, value)
        continue
      }
      case CH_LPAREN:
        push(TokenType.LPAREN, start, ++pos, '(')
        continue
      case CH_RPAREN:
        push(TokenType.RPAREN, start, ++pos, ')')
        continue
      case CH_LBRACKET:
        push(TokenType.LBRACKET, start, ++pos, '[')
        continue
      case CH_RBRACKET:
        push(TokenType.RBRACKET, start, ++pos, ']')
        continue
      case CH_COMMA:
        push(TokenType.COMMA, start, ++pos, ',')
        continue
      case CH_SEMI:
        push(TokenType.SEMICOLON, start, ++pos, ';')
        continue
      case CH_DOT:
        push(TokenType.DOT, start, ++pos, '.')
        continue
      case CH_COLON:
        if (sql.charCodeAt(pos + 1) === CH_COLON) {
          push(TokenType.TYPECAST, start, pos + 2, '::')
          pos += 2
        } else {
          push(TokenType.COLON, start, ++pos, ':')
        }
        continue
    }

    if (isOpChar(c)) {
      let p = pos
      while (p < len) {
        const d = sql.charCodeAt(p)
        if (!isOpChar(d)) break
        // a comment starts inside the run: the operator ends before it
        if (p > pos && ((d === CH_MINUS && sql.charCodeAt(p + 1) === CH_MINUS) || (d === CH_SLASH && sql.charCodeAt(p + 1) === CH_STAR))) break
        p++
      }
      let n = p - pos
      const last = sql.charCodeAt(pos + n - 1)
      if (n > 1 && (last === CH_PLUS || last === CH_MINUS)) {
        let special = false
        for (let i = pos; i < pos + n - 1; i++) {
          if (isSpecialOpChar(sql.charCodeAt(i))) {
            special = true
            break
          }
        }
        if (!special) {
          do n--
          while (n > 1 && (sql.charCodeAt(pos + n - 1) === CH_PLUS || sql.charCodeAt(pos + n - 1) === CH_MINUS))
        }
      }
      let text = sql.slice(pos, pos + n)
      if (text === '!=') text = '<>'
      push(TokenType.OPERATOR, start, pos + n, text)
      pos += n
      continue
    }

    throw fail(start, `syntax error at or near "${String.fromCodePoint(sql.codePointAt(start) ?? c)}"`)
  }
  push(TokenType.EOF, len, len, '')
  return tokens
}

function validDigit(c: number, radix: number): boolean {
  if (radix === 16) return c < 128 && (CLASS[c] & HEX) !== 0
  if (radix === 8) return c >= 48 && c <= 55
  return c === 48 || c === 49
}
