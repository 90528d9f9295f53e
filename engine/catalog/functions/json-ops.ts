/**
 * json/jsonb operator implementations over the text representation (common/values/json.ts).
 * Owns: field/element/path extraction, containment (@>), key existence (?), deletion (-), concatenation (||).
 * Invariants:
 *   (1) Results of jsonb-typed operators are normalized jsonb text; json results are compact text.
 *   (2) A missing key/index/path gives NULL, never an error (PostgreSQL).
 * Not here: json functions (json-functions.ts).
 */
import { Decimal, RustyError, parseJson, stringifyJson, toJsonb, type JsonNode, type SqlValue } from '../../common/index.js'

/** Parsed-document cache: the same document text is often probed several times per row. */
let lastText = ''
let lastNode: JsonNode | undefined

export function parseCached(text: string): JsonNode {
  if (text === lastText && lastNode !== undefined) return lastNode
  const node = parseJson(text)
  lastText = text
  lastNode = node
  return node
}

function member(node: JsonNode, key: string | number): JsonNode | undefined {
  if (typeof key === 'number') {
    if (node.t !== 'arr') return undefined
    const i = key < 0 ? node.v.length + key : key
    return node.v[i]
  }
  if (node.t !== 'obj') return undefined
  // Last duplicate wins (jsonb has none; json: PostgreSQL returns the last).
  for (let i = node.v.length - 1; i >= 0; i--) if (node.v[i][0] === key) return node.v[i][1]
  return undefined
}

/** The text result of a node for ->> / #>>: a string unquoted, JSON null as SQL NULL. */
export function nodeText(node: JsonNode, isB: boolean): SqlValue {
  if (node.t === 'null') return null
  if (node.t === 'str') return node.v
  return stringifyJson(node, isB)
}

function nodeOut(node: JsonNode, asText: boolean, isB: boolean): SqlValue {
  if (asText) return nodeText(node, isB)
  return stringifyJson(node, isB)
}

/** json -> key / json -> index (->> when asText). */
export function jsonGet(doc: string, key: string | number, asText: boolean, isB: boolean): SqlValue {
  const m = member(parseCached(doc), key)
  return m === undefined ? null : nodeOut(m, asText, isB)
}

/** json #> path (#>> when asText). A path element is an object key or an array index. */
export function jsonGetPath(doc: string, path: readonly SqlValue[], asText: boolean, isB: boolean): SqlValue {
  let node: JsonNode | undefined = parseCached(doc)
  for (const p of path) {
    if (p === null || node === undefined) return null
    const s = p as string
    if (node.t === 'arr') {
      if (!/^-?\d+$/.test(s)) return null
      node = member(node, Number(s))
    } else node = member(node, s)
  }
  return node === undefined ? null : nodeOut(node, asText, isB)
}

function equalNodes(a: JsonNode, b: JsonNode): boolean {
  if (a.t !== b.t) return false
  switch (a.t) {
    case 'null':
      return true
    case 'bool':
    case 'str':
      return a.v === (b as typeof a).v
    case 'num':
      return Decimal.parse(a.v).equals(Decimal.parse((b as typeof a).v))
    default:
      return stringifyJson(toJsonb(a)) === stringifyJson(toJsonb(b))
  }
}

/** PostgreSQL jsonb containment: does `a` contain `b`? */
function contains(a: JsonNode, b: JsonNode): boolean {
  if (a.t === 'obj' && b.t === 'obj') {
    for (const [k, bv] of b.v) {
      const av = member(a, k)
      if (av === undefined || !contains(av, bv)) return false
    }
    return true
  }
  if (a.t === 'arr' && b.t === 'arr') {
    for (const bv of b.v) if (!a.v.some((av) => contains(av, bv))) return false
    return true
  }
  if (a.t === 'arr' && b.t !== 'obj') {
    // A top-level array contains a primitive it has as an element.
    return a.v.some((av) => av.t !== 'arr' && av.t !== 'obj' && equalNodes(av, b))
  }
  return equalNodes(a, b)
}

export function jsonContains(a: string, b: string): boolean {
  return contains(parseJson(a), parseJson(b))
}

/** jsonb ? key / ?| keys / ?& keys: object keys or string array elements. */
export function jsonExists(doc: string, keys: readonly SqlValue[], mode: 'any' | 'all'): boolean {
  const node = parseCached(doc)
  const has = (k: string): boolean => {
    if (node.t === 'obj') return node.v.some(([key]) => key === k)
    if (node.t === 'arr') return node.v.some((e) => e.t === 'str' && e.v === k)
    return node.t === 'str' && node.v === k
  }
  if (mode === 'any') return keys.some((k) => k !== null && has(k as string))
  return keys.every((k) => k === null || has(k as string))
}

/** jsonb - key / - index / - keys[]. */
export function jsonDelete(doc: string, what: string | number | readonly SqlValue[]): string {
  const node = parseJson(doc)
  if (typeof what === 'number') {
    if (node.t === 'obj') throw new RustyError('22023', 'cannot delete from object using integer index')
    if (node.t !== 'arr') return stringifyJson(node)
    const i = what < 0 ? node.v.length + what : what
    return stringifyJson({ t: 'arr', v: node.v.filter((_, j) => j !== i) })
  }
  const keys = typeof what === 'string' ? [what] : (what.filter((k) => k !== null) as string[])
  if (node.t === 'obj') return stringifyJson({ t: 'obj', v: node.v.filter(([k]) => !keys.includes(k)) })
  if (node.t === 'arr') return stringifyJson({ t: 'arr', v: node.v.filter((e) => !(e.t === 'str' && keys.includes(e.v))) })
  return stringifyJson(node)
}

/** jsonb || jsonb: object merge (right wins), array concatenation, scalars wrapped as arrays. */
export function jsonConcat(a: string, b: string): string {
  const x = parseJson(a)
  const y = parseJson(b)
  if (x.t === 'obj' && y.t === 'obj') return stringifyJson(toJsonb({ t: 'obj', v: [...x.v, ...y.v] }))
  const xs = x.t === 'arr' ? x.v : [x]
  const ys = y.t === 'arr' ? y.v : [y]
  return stringifyJson(toJsonb({ t: 'arr', v: [...xs, ...ys] }))
}
