/**
 * JSON text handling for `json` and `jsonb` values.
 * Owns: a JSON parser that keeps numbers exact (as text), jsonb normalization, conversion to JS values.
 * Invariants:
 *   (1) A json value is its text as given (validated); a jsonb value is its normalized text: PostgreSQL's
 *       jsonb output (`{"a": 1, "b": [1, 2]}`), object keys unique (last wins) and sorted by length then
 *       bytes, numbers in numeric's canonical text (1e2 -> 100, 1.50 stays 1.50).
 *   (2) Parsing never loses number precision: JsonNode numbers are text.
 * Not here: the json operators and functions (catalog/functions/json-functions.ts).
 */
import { RustyError } from '../rusty-error.js'
import { Decimal } from './decimal.js'

/** A parsed JSON document. Objects keep their members in order (duplicates included for json). */
export type JsonNode =
  | { readonly t: 'null' }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'num'; readonly v: string }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'arr'; readonly v: JsonNode[] }
  | { readonly t: 'obj'; readonly v: [string, JsonNode][] }

export const JSON_NULL: JsonNode = Object.freeze({ t: 'null' })

/** Parses JSON text (RFC 8259); throws 22P02 `invalid input syntax for type json`. */
export function parseJson(text: string, typeName = 'json'): JsonNode {
  let p = 0
  const n = text.length
  const ws = (): void => {
    while (p < n) {
      const c = text.charCodeAt(p)
      if (c === 32 || c === 9 || c === 10 || c === 13) p++
      else break
    }
  }
  const fail = (what: string): never => {
    throw new RustyError('22P02', `invalid input syntax for type ${typeName}`, { detail: what })
  }
  const value = (depth: number): JsonNode => {
    if (depth > 6400) fail('JSON nesting too deep.')
    ws()
    if (p >= n) fail('The input string ended unexpectedly.')
    const c = text[p]
    if (c === '{') {
      p++
      const members: [string, JsonNode][] = []
      ws()
      if (text[p] === '}') {
        p++
        return { t: 'obj', v: members }
      }
      for (;;) {
        ws()
        if (text[p] !== '"') fail(`Expected string, but found "${text.slice(p, p + 10)}".`)
        const key = str()
        ws()
        if (text[p] !== ':') fail(`Expected ":", but found "${text.slice(p, p + 10)}".`)
        p++
        members.push([key, value(depth + 1)])
        ws()
        if (text[p] === ',') {
          p++
          continue
        }
        if (text[p] === '}') {
          p++
          return { t: 'obj', v: members }
        }
        fail(`Expected "," or "}", but found "${text.slice(p, p + 10)}".`)
      }
    }
    if (c === '[') {
      p++
      const items: JsonNode[] = []
      ws()
      if (text[p] === ']') {
        p++
        return { t: 'arr', v: items }
      }
      for (;;) {
        items.push(value(depth + 1))
        ws()
        if (text[p] === ',') {
          p++
          continue
        }
        if (text[p] === ']') {
          p++
          return { t: 'arr', v: items }
        }
        fail(`Expected "," or "]", but found "${text.slice(p, p + 10)}".`)
      }
    }
    if (c === '"') return { t: 'str', v: str() }
    if (text.startsWith('true', p)) {
      p += 4
      return { t: 'bool', v: true }
    }
    if (text.startsWith('false', p)) {
      p += 5
      return { t: 'bool', v: false }
    }
    if (text.startsWith('null', p)) {
      p += 4
      return JSON_NULL
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    m.lastIndex = p
    const r = m.exec(text)
    if (r === null || r[0].length === 0) fail(`Token "${text.slice(p, p + 10)}" is invalid.`)
    p += r![0].length
    return { t: 'num', v: r![0] }
  }
  const str = (): string => {
    p++ // opening quote
    let out = ''
    let start = p
    for (;;) {
      if (p >= n) fail('The input string ended unexpectedly.')
      const c = text.charCodeAt(p)
      if (c === 34) {
        out += text.slice(start, p)
        p++
        return out
      }
      if (c < 32) fail('Character with value 0x' + c.toString(16).padStart(2, '0') + ' must be escaped.')
      if (c === 92) {
        out += text.slice(start, p)
        const e = text[p + 1]
        p += 2
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e
            break
          case 'b':
            out += '\b'
            break
          case 'f':
            out += '\f'
            break
          case 'n':
            out += '\n'
            break
          case 'r':
            out += '\r'
            break
          case 't':
            out += '\t'
            break
          case 'u': {
            const hex = text.slice(p, p + 4)
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('"\\u" must be followed by four hexadecimal digits.')
            const code = parseInt(hex, 16)
            if (code === 0) throw new RustyError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' })
            out += String.fromCharCode(code)
            p += 4
            break
          }
          default:
            fail(`Escape sequence "\\${e ?? ''}" is invalid.`)
        }
        start = p
        continue
      }
      p++
    }
  }
  const root = value(0)
  ws()
  if (p < n) fail(`Expected end of input, but found "${text.slice(p, p + 10)}".`)
  return root
}

/** JSON string literal of a JS string (PostgreSQL's escape_json). */
export function quoteJsonString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 32 && c !== 34 && c !== 92) continue
    out += s.slice(start, i)
    start = i + 1
    switch (c) {
      case 34:
        out += '\\"'
        break
      case 92:
        out += '\\\\'
        break
      case 8:
        out += '\\b'
        break
      case 12:
        out += '\\f'
        break
      case 10:
        out += '\\n'
        break
      case 13:
        out += '\\r'
        break
      case 9:
        out += '\\t'
        break
      default:
        out += '\\u' + c.toString(16).padStart(4, '0')
    }
  }
  return out + s.slice(start) + '"'
}

/** jsonb key order: shorter keys first, then by UTF-8 bytes (code point order). */
function compareKeys(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** The node with jsonb semantics: object keys deduplicated (last wins) and sorted; numbers canonical. */
export function toJsonb(node: JsonNode): JsonNode {
  switch (node.t) {
    case 'num':
      return { t: 'num', v: Decimal.parse(node.v).toString() }
    case 'arr':
      return { t: 'arr', v: node.v.map(toJsonb) }
    case 'obj': {
      const map = new Map<string, JsonNode>()
      for (const [k, v] of node.v) map.set(k, toJsonb(v))
      const keys = [...map.keys()].sort(compareKeys)
      return { t: 'obj', v: keys.map((k) => [k, map.get(k)!]) }
    }
    default:
      return node
  }
}

/** Text of a node: jsonb style (`{"a": 1}`) when `spaced`, compact otherwise. */
export function stringifyJson(node: JsonNode, spaced = true): string {
  switch (node.t) {
    case 'null':
      return 'null'
    case 'bool':
      return node.v ? 'true' : 'false'
    case 'num':
      return node.v
    case 'str':
      return quoteJsonString(node.v)
    case 'arr': {
      let out = '['
      for (let i = 0; i < node.v.length; i++) out += (i === 0 ? '' : spaced ? ', ' : ',') + stringifyJson(node.v[i], spaced)
      return out + ']'
    }
    case 'obj': {
      let out = '{'
      for (let i = 0; i < node.v.length; i++) {
        const [k, v] = node.v[i]
        out += (i === 0 ? '' : spaced ? ', ' : ',') + quoteJsonString(k) + (spaced ? ': ' : ':') + stringifyJson(v, spaced)
      }
      return out + '}'
    }
  }
}

/** Normalized jsonb text of any JSON text (validates; 22P02 for bad input). */
export function normalizeJsonb(text: string): string {
  return stringifyJson(toJsonb(parseJson(text, 'json')))
}

/** A plain JS value of a node (numbers as JS numbers; objects as plain objects, last duplicate wins). */
export function jsonToJs(node: JsonNode): unknown {
  switch (node.t) {
    case 'null':
      return null
    case 'bool':
    case 'str':
      return node.v
    case 'num':
      return Number(node.v)
    case 'arr':
      return node.v.map(jsonToJs)
    case 'obj': {
      const o: Record<string, unknown> = {}
      for (const [k, v] of node.v) o[k] = jsonToJs(v)
      return o
    }
  }
}

/** A node from a plain JS value (for parameters): numbers, strings, booleans, null, arrays, plain objects. */
export function jsToJson(value: unknown): JsonNode {
  if (value === null || value === undefined) return JSON_NULL
  switch (typeof value) {
    case 'boolean':
      return { t: 'bool', v: value }
    case 'number':
      if (!Number.isFinite(value)) throw new RustyError('22P02', `invalid input syntax for type json`, { detail: `${value} is not a JSON number.` })
      return { t: 'num', v: String(value) }
    case 'bigint':
      return { t: 'num', v: value.toString() }
    case 'string':
      return { t: 'str', v: value }
    case 'object': {
      if (Array.isArray(value)) return { t: 'arr', v: value.map(jsToJson) }
      if (value instanceof Date) return { t: 'str', v: value.toISOString() }
      if (value instanceof Decimal) return { t: 'num', v: value.toString() }
      const members: [string, JsonNode][] = []
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) members.push([k, jsToJson(v)])
      return { t: 'obj', v: members }
    }
    default:
      throw new RustyError('22P02', 'invalid input syntax for type json', { detail: `a ${typeof value} is not JSON.` })
  }
}
