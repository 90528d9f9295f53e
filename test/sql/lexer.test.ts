import { describe, expect, it } from 'vitest'
import { TokenType, tokenize } from '../../engine/sql/index.js'
import { rustyError } from './helpers.js'

/** `type:text` of every token but EOF. */
function toks(sql: string): string[] {
  const names = Object.fromEntries(Object.entries(TokenType).map(([k, v]) => [v, k]))
  return tokenize(sql)
    .slice(0, -1)
    .map((t) => `${names[t.type]}:${t.text}`)
}

function texts(sql: string): string[] {
  return tokenize(sql)
    .slice(0, -1)
    .map((t) => t.text)
}

describe('lexer: words', () => {
  it('folds unquoted identifiers and keywords to lower case', () => {
    expect(toks('SELECT Foo fROM bar_1$x')).toEqual(['IDENT:select', 'IDENT:foo', 'IDENT:from', 'IDENT:bar_1$x'])
  })

  it('folds only ASCII letters, leaving other letters alone', () => {
    expect(texts('ÄbC')).toEqual(['Äbc'])
  })

  it('keeps the case of double-quoted identifiers and unescapes doubled quotes', () => {
    expect(toks('"MixedCase" "a""b" "select"')).toEqual(['QUOTED_IDENT:MixedCase', 'QUOTED_IDENT:a"b', 'QUOTED_IDENT:select'])
  })

  it('marks keyword categories on words, never on quoted identifiers', () => {
    const [select, left, int, foo, quoted] = tokenize('select left int foo "select"')
    expect([select.keyword, left.keyword, int.keyword, foo.keyword, quoted.keyword]).toEqual([1, 3, 2, 0, 0])
  })

  it('records 0-based spans with exclusive ends', () => {
    const sql = '  SELECT  x'
    const [a, b, eof] = tokenize(sql)
    expect([a.start, a.end, b.start, b.end]).toEqual([2, 8, 10, 11])
    expect(sql.slice(a.start, a.end)).toBe('SELECT')
    expect([eof.type, eof.start, eof.end]).toEqual([TokenType.EOF, 11, 11])
  })
})

describe('lexer: strings', () => {
  it('reads standard strings with doubled quotes and literal backslashes', () => {
    expect(toks("'it''s' 'a\\nb'")).toEqual(["STRING:it's", 'STRING:a\\nb'])
  })

  it('continues a string across a newline between quotes', () => {
    expect(texts("'foo'\n  'bar'")).toEqual(['foobar'])
    expect(texts("'foo' -- note\n'bar'")).toEqual(['foobar'])
  })

  it('does not continue strings on the same line', () => {
    expect(() => tokenize("'foo' 'bar'")).not.toThrow()
    expect(texts("'foo' 'bar'")).toEqual(['foo', 'bar'])
  })

  it('processes escapes in E strings', () => {
    expect(texts("E'a\\tb\\nc\\\\d\\'e'")).toEqual(["a\tb\nc\\d'e"])
    expect(texts("e'\\x41\\101\\u00e9\\U0001F600'")).toEqual(['AAé😀'])
    expect(texts("E'\\303\\251'")).toEqual(['é'])
    expect(texts("E'\\ud83d\\ude00'")).toEqual(['😀'])
    expect(texts("E'\\q'")).toEqual(['q'])
  })

  it('rejects bad escapes in E strings', () => {
    expect(rustyError(() => tokenize("E'\\u12'")).message).toBe('invalid Unicode escape')
    expect(rustyError(() => tokenize("E'\\ud83d'")).message).toBe('invalid Unicode surrogate pair')
    expect(rustyError(() => tokenize("E'\\000'")).code).toBe('22021')
    expect(rustyError(() => tokenize("E'\\377'")).code).toBe('22021')
  })

  it('reads dollar-quoted strings verbatim', () => {
    expect(texts("$$it's \\n$$ $tag$a $$ b$tag$")).toEqual(["it's \\n", 'a $$ b'])
  })

  it('reads N, B and X prefixed constants', () => {
    expect(toks("N'x' B'0101' X'1F' b'' x'ff'")).toEqual(['STRING:x', 'BIT_STRING:0101', 'HEX_STRING:1F', 'BIT_STRING:', 'HEX_STRING:ff'])
  })
})

describe('lexer: numbers and parameters', () => {
  it('tells integers from decimals', () => {
    expect(toks('42 3.14 .5 1. 1e10 1.5E-3')).toEqual([
      'INTEGER:42',
      'DECIMAL:3.14',
      'DECIMAL:.5',
      'DECIMAL:1.',
      'DECIMAL:1e10',
      'DECIMAL:1.5E-3',
    ])
  })

  it('reads 0x, 0o, 0b integers and digit separators', () => {
    expect(toks('0x1F 0o17 0b101 1_000_000 0xFFFF_FFFF')).toEqual([
      'INTEGER:31',
      'INTEGER:15',
      'INTEGER:5',
      'INTEGER:1000000',
      'INTEGER:4294967295',
    ])
  })

  it('keeps integers beyond 2^53 exact as text', () => {
    expect(texts('9223372036854775808')).toEqual(['9223372036854775808'])
  })

  it('rejects trailing junk after numbers and parameters', () => {
    expect(rustyError(() => tokenize('SELECT 123abc')).message).toBe('trailing junk after numeric literal at or near "123abc"')
    expect(rustyError(() => tokenize('SELECT 123abc')).position).toBe(8)
    expect(rustyError(() => tokenize('$1x')).message).toBe('trailing junk after parameter at or near "$1x"')
  })

  it('reads $n parameters', () => {
    expect(toks('$1 $23')).toEqual(['PARAM:1', 'PARAM:23'])
  })
})

describe('lexer: operators and punctuation', () => {
  it('reads multi-character operators', () => {
    expect(texts('a->>b #>> c @> d <@ e || f <> g != h ?| i')).toEqual([
      'a', '->>', 'b', '#>>', 'c', '@>', 'd', '<@', 'e', '||', 'f', '<>', 'g', '<>', 'h', '?|', 'i',
    ])
  })

  it('drops a trailing + or - from plain operators (a<-1 is a < -1)', () => {
    expect(texts('a<-1')).toEqual(['a', '<', '-', '1'])
    expect(texts('a*-+1')).toEqual(['a', '*', '-', '+', '1'])
    expect(texts('a=-1')).toEqual(['a', '=', '-', '1'])
  })

  it('keeps a trailing - when the operator holds a special character', () => {
    expect(texts('a@-b')).toEqual(['a', '@-', 'b'])
    expect(texts('a~-b')).toEqual(['a', '~-', 'b'])
  })

  it('ends an operator where a comment starts', () => {
    expect(texts('a+--c\nb')).toEqual(['a', '+', 'b'])
    expect(texts('a*/*c*/b')).toEqual(['a', '*', 'b'])
  })

  it('reads punctuation and casts', () => {
    expect(toks('x::int[1:2];')).toEqual([
      'IDENT:x', 'TYPECAST:::', 'IDENT:int', 'LBRACKET:[', 'INTEGER:1', 'COLON::', 'INTEGER:2', 'RBRACKET:]', 'SEMICOLON:;',
    ])
  })
})

describe('lexer: comments and errors', () => {
  it('skips line comments and nested block comments', () => {
    expect(texts('a -- x\n b /* c /* d */ e */ f')).toEqual(['a', 'b', 'f'])
  })

  it('reports unterminated constructs at their start', () => {
    const cases: [string, string, number][] = [
      ["SELECT 'abc", 'unterminated quoted string at or near "\'abc"', 8],
      ['SELECT "abc', 'unterminated quoted identifier at or near ""abc"', 8],
      ['SELECT /* x /* y */', 'unterminated /* comment at or near "/* x /* y */"', 8],
      ['SELECT $$abc', 'unterminated dollar-quoted string at or near "$$abc"', 8],
      ["SELECT B'01", 'unterminated bit string literal at or near "B\'01"', 8],
      ["SELECT X'01", 'unterminated hexadecimal string literal at or near "X\'01"', 8],
    ]
    for (const [sql, message, position] of cases) {
      const e = rustyError(() => tokenize(sql))
      expect([e.code, e.message, e.position]).toEqual(['42601', message, position])
    }
  })

  it('rejects empty quoted identifiers and stray characters', () => {
    expect(rustyError(() => tokenize('SELECT ""')).message).toBe('zero-length delimited identifier at or near """"')
    expect(rustyError(() => tokenize('SELECT \\')).message).toBe('syntax error at or near "\\"')
    expect(rustyError(() => tokenize('SELECT $ 1')).message).toBe('syntax error at or near "$"')
  })

  it('rejects U& strings as unsupported', () => {
    expect(rustyError(() => tokenize("U&'\\0041'")).code).toBe('0A000')
  })

  it('counts positions in characters, not UTF-16 units', () => {
    const e = rustyError(() => tokenize("SELECT '😀', 'x"))
    expect(e.position).toBe(13)
  })
})
