/**
 * LIKE / ILIKE and POSIX regular expression matching.
 * Owns: pattern compilation to JS RegExp (cached per pattern), like_escape, the regexp_* helpers.
 * Invariants:
 *   (1) LIKE: `%` any sequence, `_` one character (code point), `\` escapes the next character; a pattern
 *       ending in the escape character is 22025. ILIKE folds case (Unicode-aware RegExp `i`).
 *   (2) Regular expressions: PostgreSQL's ARE syntax is mostly JavaScript's; POSIX bracket classes
 *       ([[:alpha:]] ...) and \m \M \y word anchors are translated; a bad pattern is 2201B.
 *   (3) Compiled patterns are cached (bounded), so per-row calls with a constant pattern compile once.
 */
import { RustyError } from '../../common/index.js'

const MAX_CACHE = 512
const likeCache = new Map<string, RegExp>()
const regexCache = new Map<string, RegExp>()

function remember(cache: Map<string, RegExp>, key: string, re: RegExp): RegExp {
  if (cache.size >= MAX_CACHE) cache.clear()
  cache.set(key, re)
  return re
}

const SPECIAL = /[.*+?^${}()|[\]\\/]/

function likeRegex(pattern: string, ci: boolean): RegExp {
  const key = (ci ? 'i' : 'c') + pattern
  const hit = likeCache.get(key)
  if (hit !== undefined) return hit
  let src = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') {
      if (i + 1 >= pattern.length) throw new RustyError('22025', 'LIKE pattern must not end with escape character')
      const n = pattern[++i]
      src += SPECIAL.test(n) ? '\\' + n : n
    } else if (c === '%') src += '[^]*'
    else if (c === '_') src += '.'
    else src += SPECIAL.test(c) ? '\\' + c : c
  }
  src += '$'
  return remember(likeCache, key, new RegExp(src, ci ? 'isu' : 'su'))
}

/** s LIKE pattern (ILIKE when ci). */
export function likeMatch(s: string, pattern: string, ci: boolean): boolean {
  if (!ci) {
    // Fast paths: no wildcard; a single trailing or leading %.
    let wild = false
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i)
      if (c === 37 || c === 95 || c === 92) {
        wild = true
        break
      }
    }
    if (!wild) return s === pattern
  }
  return likeRegex(pattern, ci).test(s)
}

/** like_escape(pattern, escape): rewrites a pattern with a custom escape character to use `\`. */
export function likeEscape(pattern: string, escape: string): string {
  if (escape === '\\') return pattern
  if (escape.length > 1) throw new RustyError('22019', 'invalid escape string', { hint: 'Escape string must be empty or one character.' })
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (escape !== '' && c === escape) {
      if (i + 1 >= pattern.length) throw new RustyError('22025', 'LIKE pattern must not end with escape character')
      out += '\\' + pattern[++i]
    } else if (c === '\\') out += '\\\\'
    else out += c
  }
  return out
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: '\\p{L}',
  digit: '0-9',
  alnum: '\\p{L}0-9',
  upper: '\\p{Lu}',
  lower: '\\p{Ll}',
  space: '\\s',
  punct: '\\p{P}',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
}

/** JS RegExp source for a PostgreSQL ARE. */
function translateRegex(p: string): string {
  return p
    .replace(/\[:(\w+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m)
    .replace(/\\m/g, '\\b(?=\\w)')
    .replace(/\\M/g, '\\b(?<=\\w)')
    .replace(/\\y/g, '\\b')
    .replace(/\\Y/g, '\\B')
}

/** A compiled regular expression (flags: PostgreSQL's `i`, `g` ...; 2201B for a bad pattern). */
export function compileRegex(pattern: string, flags = ''): RegExp {
  const key = flags + '/' + pattern
  const hit = regexCache.get(key)
  if (hit !== undefined) {
    hit.lastIndex = 0
    return hit
  }
  let js = 'u'
  for (const f of flags) {
    if (f === 'i') js += 'i'
    else if (f === 'g') js += 'g'
    else if (f === 'n' || f === 'm') js += 'm'
    else if (f === 's' || f === 'c' || f === 'p' || f === 'w' || f === 'x') continue
    else throw new RustyError('22023', `invalid regular expression option: "${f}"`)
  }
  let re: RegExp
  try {
    re = new RegExp(translateRegex(pattern), js)
  } catch (e) {
    try {
      re = new RegExp(translateRegex(pattern), js.replace('u', ''))
    } catch {
      throw new RustyError('2201B', `invalid regular expression: ${(e as Error).message}`)
    }
  }
  return remember(regexCache, key, re)
}

/** s ~ pattern (~* when ci). */
export function regexMatch(s: string, pattern: string, ci: boolean): boolean {
  return compileRegex(pattern, ci ? 'i' : '').test(s)
}

/** regexp_replace(s, pattern, replacement [, flags]): `\1`..`\9` and `\&` in the replacement. */
export function regexpReplace(s: string, pattern: string, replacement: string, flags = ''): string {
  const re = compileRegex(pattern, flags)
  const rep = replacement.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1').replace(/\\&/g, '$$&').replace(/\\\\/g, '\\')
  return s.replace(re, rep)
}

/** regexp_match: the first match's capture groups (or the whole match when there are none), or null. */
export function regexpMatch(s: string, pattern: string, flags = ''): (string | null)[] | null {
  const re = compileRegex(pattern, flags.replace('g', ''))
  const m = re.exec(s)
  if (m === null) return null
  return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]
}

/** regexp_matches with 'g': every match. */
export function regexpMatches(s: string, pattern: string, flags = ''): (string | null)[][] {
  const global = flags.includes('g')
  const re = compileRegex(pattern, flags.includes('g') ? flags : flags + 'g')
  const out: (string | null)[][] = []
  re.lastIndex = 0
  for (;;) {
    const m = re.exec(s)
    if (m === null) break
    out.push(m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]])
    if (m[0] === '') re.lastIndex++
    if (!global) break
  }
  re.lastIndex = 0
  return out
}

/**
 * similar_to_escape(pattern [, escape]): a SQL-standard SIMILAR TO pattern as an anchored POSIX regular
 * expression, so `x SIMILAR TO p` is `x ~ similar_to_escape(p)` (PostgreSQL's rewrite). `%` is any sequence,
 * `_` any character; | * + ? {m,n} ( ) [...] keep their regex meaning; other regex metacharacters are literal.
 */
export function similarToEscape(pattern: string, escape: string | null = '\\'): string {
  if (escape !== null && escape.length > 1) throw new RustyError('2200C', 'invalid escape string', { hint: 'Escape string must be empty or one character.' })
  let out = '^(?:'
  let inBracket = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (escape !== null && escape !== '' && c === escape) {
      if (i + 1 >= pattern.length) throw new RustyError('22025', 'invalid escape sequence')
      const n = pattern[++i]
      out += SPECIAL.test(n) ? '\\' + n : n
      continue
    }
    if (inBracket) {
      if (c === ']') inBracket = false
      out += c === '\\' ? '\\\\' : c
      continue
    }
    switch (c) {
      case '%':
        out += '.*'
        break
      case '_':
        out += '.'
        break
      case '[':
        inBracket = true
        out += c
        break
      case '|':
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case '(':
      case ')':
        out += c === '(' ? '(?:' : c
        break
      case '.':
      case '^':
      case '$':
      case '\\':
        out += '\\' + c
        break
      default:
        out += c
    }
  }
  return out + ')$'
}
