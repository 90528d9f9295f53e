/**
 * String and binary-string functions (PostgreSQL "String Functions and Operators").
 * Owns: length family, case, substr/substring, position/strpos, replace, trim family, pad, left/right,
 * repeat, reverse, concat/concat_ws, split_part, starts_with, md5, chr, ascii, to_hex, format, quote_*,
 * regexp_replace/regexp_match/regexp_split_to_array, translate, string_to_array/array_to_string,
 * encode/decode, like_escape, overlay, initcap.
 * Invariants:
 *   (1) Character positions and lengths count code points (PostgreSQL with UTF-8), not UTF-16 units.
 *   (2) concat/concat_ws/format are not strict: NULL arguments are skipped / printed as empty.
 */
import {
  RustyError,
  arrayType,
  charLength,
  formatBytea,
  parseBytea,
  type SqlType,
  type SqlValue,
} from '../../common/index.js'
import { resolveCast } from './casts.js'
import { BOOL, BYTEA, CHAR, INT4, INT8, TEXT, bare, scalar } from './impl-util.js'
import { md5Hex } from './md5.js'
import { compileRegex, likeEscape, regexpMatch, regexpReplace, similarToEscape } from './patterns.js'
import { overloads, register, sig } from './registry.js'

const S = (v: SqlValue): string => v as string
const N = (v: SqlValue): number => v as number
const TEXT_ARRAY = arrayType(TEXT)

/** Code points of a string (array of strings), only when it has surrogates; else undefined. */
function hasAstral(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) return true
  }
  return false
}

/** Substring by code point positions [start, start + count) (0-based, clamped). */
function cpSlice(s: string, start: number, end?: number): string {
  if (!hasAstral(s)) return end === undefined ? s.slice(start) : s.slice(start, end)
  const cps = Array.from(s)
  return (end === undefined ? cps.slice(start) : cps.slice(start, end)).join('')
}

function rtrimBlanks(s: string): string {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--
  return s.slice(0, end)
}

overloads(['length', 'char_length', 'character_length'], [
  sig([TEXT], INT4, (a) => charLength(S(a))),
  sig([CHAR], INT4, (a) => charLength(rtrimBlanks(S(a)))),
  sig([BYTEA], INT4, (a) => (a as Uint8Array).length),
])
const encoder = new TextEncoder()
overloads('octet_length', [sig([TEXT], INT4, (a) => encoder.encode(S(a)).length), sig([BYTEA], INT4, (a) => (a as Uint8Array).length)])
overloads('bit_length', [sig([TEXT], INT4, (a) => encoder.encode(S(a)).length * 8), sig([BYTEA], INT4, (a) => (a as Uint8Array).length * 8)])
overloads('lower', [sig([TEXT], TEXT, (a) => S(a).toLowerCase())])
overloads('upper', [sig([TEXT], TEXT, (a) => S(a).toUpperCase())])
overloads('initcap', [
  sig([TEXT], TEXT, (a) => S(a).toLowerCase().replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_, p: string, c: string) => p + c.toUpperCase())),
])

/** PostgreSQL substr(s, from [, count]) with 1-based `from` that may be <= 0. */
function substr(s: string, from: number, count?: number): string {
  if (count !== undefined && count < 0) throw new RustyError('22011', 'negative substring length not allowed')
  const start = from - 1
  const end = count === undefined ? undefined : start + count
  const a = Math.max(start, 0)
  if (end !== undefined && end <= a) return ''
  return cpSlice(s, a, end)
}

function bytesSubstr(b: Uint8Array, from: number, count?: number): Uint8Array {
  if (count !== undefined && count < 0) throw new RustyError('22011', 'negative substring length not allowed')
  const start = from - 1
  const end = count === undefined ? b.length : start + count
  return b.slice(Math.max(start, 0), Math.max(end, 0))
}

overloads('substr', [
  sig([TEXT, INT4], TEXT, (s, f) => substr(S(s), N(f))),
  sig([TEXT, INT4, INT4], TEXT, (s, f, c) => substr(S(s), N(f), N(c))),
  sig([BYTEA, INT4], BYTEA, (s, f) => bytesSubstr(s as Uint8Array, N(f))),
  sig([BYTEA, INT4, INT4], BYTEA, (s, f, c) => bytesSubstr(s as Uint8Array, N(f), N(c))),
])
overloads('substring', [
  sig([TEXT, INT4], TEXT, (s, f) => substr(S(s), N(f))),
  sig([TEXT, INT4, INT4], TEXT, (s, f, c) => substr(S(s), N(f), N(c))),
  sig([BYTEA, INT4], BYTEA, (s, f) => bytesSubstr(s as Uint8Array, N(f))),
  sig([BYTEA, INT4, INT4], BYTEA, (s, f, c) => bytesSubstr(s as Uint8Array, N(f), N(c))),
  // substring(s from pattern): the first match's first group (or whole match).
  sig([TEXT, TEXT], TEXT, (s, p) => {
    const m = regexpMatch(S(s), S(p))
    return m === null ? null : m[0]
  }),
])

function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub)
  if (i < 0) return 0
  return charLength(s.slice(0, i)) + 1
}
overloads('position', [sig([TEXT, TEXT], INT4, (s, sub) => strpos(S(s), S(sub)))])
overloads('strpos', [sig([TEXT, TEXT], INT4, (s, sub) => strpos(S(s), S(sub)))])
overloads('replace', [sig([TEXT, TEXT, TEXT], TEXT, (s, a, b) => (S(a) === '' ? S(s) : S(s).split(S(a)).join(S(b))))])

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set(Array.from(chars))
  const cps = hasAstral(s) ? Array.from(s) : null
  if (cps === null) {
    let a = 0
    let b = s.length
    if (left) while (a < b && set.has(s[a])) a++
    if (right) while (b > a && set.has(s[b - 1])) b--
    return s.slice(a, b)
  }
  let a = 0
  let b = cps.length
  if (left) while (a < b && set.has(cps[a])) a++
  if (right) while (b > a && set.has(cps[b - 1])) b--
  return cps.slice(a, b).join('')
}

for (const [name, l, r] of [
  ['btrim', true, true],
  ['ltrim', true, false],
  ['rtrim', false, true],
] as const) {
  overloads(name === 'btrim' ? ['btrim', 'trim'] : name, [
    sig([TEXT], TEXT, (s) => trimChars(S(s), ' ', l, r)),
    sig([TEXT, TEXT], TEXT, (s, c) => trimChars(S(s), S(c), l, r)),
  ])
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return ''
  const cur = charLength(s)
  if (cur >= len) return cpSlice(s, 0, len)
  if (fill === '') return s
  const need = len - cur
  const fillCps = Array.from(fill)
  let padding = ''
  for (let i = 0; i < need; i++) padding += fillCps[i % fillCps.length]
  return left ? padding + s : s + padding
}
overloads('lpad', [
  sig([TEXT, INT4], TEXT, (s, n) => pad(S(s), N(n), ' ', true)),
  sig([TEXT, INT4, TEXT], TEXT, (s, n, f) => pad(S(s), N(n), S(f), true)),
])
overloads('rpad', [
  sig([TEXT, INT4], TEXT, (s, n) => pad(S(s), N(n), ' ', false)),
  sig([TEXT, INT4, TEXT], TEXT, (s, n, f) => pad(S(s), N(n), S(f), false)),
])
overloads('left', [
  sig([TEXT, INT4], TEXT, (s, n) => {
    const len = charLength(S(s))
    const k = N(n) >= 0 ? N(n) : Math.max(len + N(n), 0)
    return cpSlice(S(s), 0, k)
  }),
])
overloads('right', [
  sig([TEXT, INT4], TEXT, (s, n) => {
    const len = charLength(S(s))
    const k = N(n) >= 0 ? Math.min(N(n), len) : Math.max(len + N(n), 0)
    return cpSlice(S(s), len - k)
  }),
])
overloads('repeat', [
  sig([TEXT, INT4], TEXT, (s, n) => {
    if (N(n) <= 0) return ''
    if (S(s).length * N(n) > 1 << 28) throw new RustyError('54000', 'requested length too large')
    return S(s).repeat(N(n))
  }),
])
overloads('reverse', [sig([TEXT], TEXT, (s) => Array.from(S(s)).reverse().join(''))])
overloads('starts_with', [sig([TEXT, TEXT], BOOL, (s, p) => S(s).startsWith(S(p)))])
overloads('md5', [sig([TEXT], TEXT, (s) => md5Hex(encoder.encode(S(s)))), sig([BYTEA], TEXT, (b) => md5Hex(b as Uint8Array))])
overloads('chr', [
  sig([INT4], TEXT, (n) => {
    const c = N(n)
    if (c === 0) throw new RustyError('54000', 'null character not permitted')
    if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new RustyError('54000', 'requested character too large for encoding: ' + c)
    return String.fromCodePoint(c)
  }),
])
overloads('ascii', [sig([TEXT], INT4, (s) => (S(s) === '' ? 0 : S(s).codePointAt(0)!))])
overloads('to_hex', [
  sig([INT4], TEXT, (n) => (N(n) >>> 0).toString(16)),
  sig([INT8], TEXT, (n) => BigInt.asUintN(64, n as bigint).toString(16)),
])
overloads('split_part', [
  sig([TEXT, TEXT, INT4], TEXT, (s, d, n) => {
    const k = N(n)
    if (k === 0) throw new RustyError('22023', 'field position must not be zero')
    const parts = S(d) === '' ? [S(s)] : S(s).split(S(d))
    const i = k > 0 ? k - 1 : parts.length + k
    return i >= 0 && i < parts.length ? parts[i] : ''
  }),
])
overloads('translate', [
  sig([TEXT, TEXT, TEXT], TEXT, (s, from, to) => {
    const f = Array.from(S(from))
    const t = Array.from(S(to))
    let out = ''
    for (const c of S(s)) {
      const i = f.indexOf(c)
      if (i < 0) out += c
      else if (i < t.length) out += t[i]
    }
    return out
  }),
])
overloads('like_escape', [sig([TEXT, TEXT], TEXT, (p, e) => likeEscape(S(p), S(e)))])
overloads('similar_to_escape', [
  sig([TEXT], TEXT, (p) => similarToEscape(S(p))),
  sig([TEXT, TEXT], TEXT, (p, e) => similarToEscape(S(p), S(e))),
])
overloads('regexp_replace', [
  sig([TEXT, TEXT, TEXT], TEXT, (s, p, r) => regexpReplace(S(s), S(p), S(r))),
  sig([TEXT, TEXT, TEXT, TEXT], TEXT, (s, p, r, f) => regexpReplace(S(s), S(p), S(r), S(f))),
])
overloads('regexp_match', [
  sig([TEXT, TEXT], TEXT_ARRAY, (s, p) => regexpMatch(S(s), S(p))),
  sig([TEXT, TEXT, TEXT], TEXT_ARRAY, (s, p, f) => regexpMatch(S(s), S(p), S(f))),
])
overloads('regexp_like', [
  sig([TEXT, TEXT], BOOL, (s, p) => compileRegex(S(p)).test(S(s))),
  sig([TEXT, TEXT, TEXT], BOOL, (s, p, f) => compileRegex(S(p), S(f)).test(S(s))),
])
overloads('regexp_count', [
  sig([TEXT, TEXT], INT4, (s, p) => {
    const re = compileRegex(S(p), 'g')
    let n = 0
    re.lastIndex = 0
    for (let m = re.exec(S(s)); m !== null; m = re.exec(S(s))) {
      n++
      if (m[0] === '') re.lastIndex++
    }
    re.lastIndex = 0
    return n
  }),
])
/** regexp_split_to_array semantics: zero-length matches at the start, the end or right after a match do not split. */
export function regexpSplit(s: string, p: string, flags = ''): string[] {
  const re = compileRegex(p, flags.includes('g') ? flags : flags + 'g')
  const out: string[] = []
  let last = 0
  re.lastIndex = 0
  for (;;) {
    const m = re.exec(s)
    if (m === null) break
    if (m[0] === '') {
      re.lastIndex = m.index + 1
      if (m.index >= s.length) break
      if (m.index === 0 || m.index === last) continue
    }
    out.push(s.slice(last, m.index))
    last = m.index + m[0].length
  }
  re.lastIndex = 0
  out.push(s.slice(last))
  return out
}
overloads('regexp_split_to_array', [
  sig([TEXT, TEXT], TEXT_ARRAY, (s, p) => regexpSplit(S(s), S(p))),
  sig([TEXT, TEXT, TEXT], TEXT_ARRAY, (s, p, f) => regexpSplit(S(s), S(p), S(f))),
])

export function stringToArray(s: string, d: string | null, nullStr: string | null): SqlValue[] {
  if (s === '') return []
  const parts = d === null ? Array.from(s) : d === '' ? [s] : s.split(d)
  return parts.map((p) => (nullStr !== null && p === nullStr ? null : p))
}
overloads('string_to_array', [
  sig([TEXT, TEXT], TEXT_ARRAY, (s, d) => (s === null ? null : stringToArray(S(s), d as string | null, null)), { strict: false }),
  sig([TEXT, TEXT, TEXT], TEXT_ARRAY, (s, d, n) => (s === null ? null : stringToArray(S(s), d as string | null, n as string | null)), { strict: false }),
])

// overlay(s placing r from a [for n])
overloads('overlay', [
  sig([TEXT, TEXT, INT4], TEXT, (s, r, a) => substr(S(s), 1, N(a) - 1) + S(r) + substr(S(s), N(a) + charLength(S(r)))),
  sig([TEXT, TEXT, INT4, INT4], TEXT, (s, r, a, n) => {
    if (N(n) < 0) throw new RustyError('22011', 'negative substring length not allowed')
    return substr(S(s), 1, N(a) - 1) + S(r) + substr(S(s), N(a) + N(n))
  }),
])

// encode / decode
function base64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i])
  const b64 = btoa(bin)
  return b64.replace(/(.{76})/g, '$1\n').replace(/\n$/, '')
}
overloads('encode', [
  sig([BYTEA, TEXT], TEXT, (b, f) => {
    const bytes = b as Uint8Array
    switch (S(f).toLowerCase()) {
      case 'hex':
        return formatBytea(bytes).slice(2)
      case 'base64':
        return base64(bytes)
      case 'escape': {
        let out = ''
        for (const x of bytes) out += x === 92 ? '\\\\' : x < 32 || x > 126 ? '\\' + x.toString(8).padStart(3, '0') : String.fromCharCode(x)
        return out
      }
      default:
        throw new RustyError('22023', `unrecognized encoding: "${S(f)}"`)
    }
  }),
])
overloads('decode', [
  sig([TEXT, TEXT], BYTEA, (s, f) => {
    switch (S(f).toLowerCase()) {
      case 'hex':
        return parseBytea('\\x' + S(s))
      case 'base64': {
        let bin: string
        try {
          bin = atob(S(s).replace(/\s+/g, ''))
        } catch {
          throw new RustyError('22023', 'invalid base64 end sequence')
        }
        const out = new Uint8Array(bin.length)
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
        return out
      }
      case 'escape':
        return parseBytea(S(s))
      default:
        throw new RustyError('22023', `unrecognized encoding: "${S(f)}"`)
    }
  }),
])

// quote_ident / quote_literal / quote_nullable
const SAFE_IDENT = /^[a-z_][a-z0-9_$]*$/
export function quoteIdent(s: string): string {
  return SAFE_IDENT.test(s) ? s : '"' + s.replace(/"/g, '""') + '"'
}
export function quoteLiteral(s: string): string {
  const q = "'" + s.replace(/'/g, "''").replace(/\\/g, '\\\\') + "'"
  return s.includes('\\') ? 'E' + q : q
}
overloads('quote_ident', [sig([TEXT], TEXT, (s) => quoteIdent(S(s)))])
overloads('quote_literal', [sig([TEXT], TEXT, (s) => quoteLiteral(S(s)))])
overloads('quote_nullable', [sig([TEXT], TEXT, (s) => (s === null ? 'NULL' : quoteLiteral(S(s))), { strict: false })])

/** Text of any value for concat/format: output text, booleans as t/f (PostgreSQL's concat uses output functions). */
function textOf(t: SqlType): (v: SqlValue) => string {
  if (t.id === 'text' || t.id === 'varchar' || t.id === 'unknown' || t.id === 'bpchar') return (v) => v as string
  if (t.id === 'bool') return (v) => (v ? 't' : 'f')
  const cast = resolveCast(t, TEXT, 'explicit')!
  return (v) => cast(v) as string
}

register('concat', (argTypes) => {
  const fs = argTypes.map(textOf)
  return scalar(
    'concat',
    argTypes.map(keepType),
    TEXT,
    (...args) => {
      let out = ''
      for (let i = 0; i < args.length; i++) if (args[i] !== null) out += fs[i](args[i])
      return out
    },
    { strict: false, key: argTypes.map((t) => t.id).join() },
  )
})
register('concat_ws', (argTypes) => {
  if (argTypes.length < 1) return undefined
  const fs = argTypes.map(textOf)
  return scalar(
    'concat_ws',
    [TEXT, ...argTypes.slice(1).map(keepType)],
    TEXT,
    (...args) => {
      if (args[0] === null) return null
      const sep = args[0] as string
      let out = ''
      let first = true
      for (let i = 1; i < args.length; i++) {
        if (args[i] === null) continue
        out += (first ? '' : sep) + fs[i](args[i])
        first = false
      }
      return out
    },
    { strict: false, key: argTypes.map((t) => t.id).join() },
  )
})

function keepType(t: SqlType): SqlType {
  return t.id === 'unknown' || t.id === 'null' ? TEXT : bare(t)
}

/** format(fmt, args...): %s, %I, %L, %%, with optional position `%2$s` and width `%-10s`. */
register('format', (argTypes) => {
  if (argTypes.length < 1) return undefined
  const fs = argTypes.map(textOf)
  return scalar(
    'format',
    [TEXT, ...argTypes.slice(1).map(keepType)],
    TEXT,
    (...args) => {
      if (args[0] === null) return null
      const fmt = args[0] as string
      let out = ''
      let next = 1
      for (let i = 0; i < fmt.length; i++) {
        const c = fmt[i]
        if (c !== '%') {
          out += c
          continue
        }
        const m = /^(?:(\d+)\$)?(-)?(\d+|\*)?([sIL%])/.exec(fmt.slice(i + 1))
        if (m === null) {
          if (i + 1 >= fmt.length) throw new RustyError('22023', 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' })
          throw new RustyError('22023', `unrecognized format() type specifier "${fmt[i + 1]}"`, { hint: 'For a single "%" use "%%".' })
        }
        i += m[0].length
        if (m[4] === '%') {
          out += '%'
          continue
        }
        let width = 0
        if (m[3] === '*') {
          width = Number(args[next++] ?? 0)
        } else if (m[3] !== undefined) width = Number(m[3])
        const index = m[1] !== undefined ? Number(m[1]) : next++
        if (m[1] !== undefined) next = index + 1
        if (index < 1 || index >= args.length) throw new RustyError('22023', 'too few arguments for format()')
        const v = args[index]
        let s: string
        if (m[4] === 's') s = v === null ? '' : fs[index](v)
        else if (m[4] === 'I') {
          if (v === null) throw new RustyError('22004', 'null values cannot be formatted as an SQL identifier')
          s = quoteIdent(fs[index](v))
        } else s = v === null ? 'NULL' : quoteLiteral(fs[index](v))
        const left = m[2] === '-' || width < 0
        const w = Math.abs(width)
        if (s.length < w) s = left ? s.padEnd(w) : s.padStart(w)
        out += s
      }
      return out
    },
    { strict: false, key: argTypes.map((t) => t.id).join() },
  )
})

overloads('to_ascii', [sig([TEXT], TEXT, (s) => S(s).normalize('NFD').replace(/[\u0300-\u036f]/g, ''))])
overloads('unistr', [sig([TEXT], TEXT, (s) => S(s).replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))))])
