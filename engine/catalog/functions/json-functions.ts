/**
 * JSON functions (PostgreSQL "JSON Functions and Operators").
 * Owns: valueToJson (to_json's conversion of any SQL value), to_json/to_jsonb, json(b)_build_object/array,
 * json(b)_typeof, json(b)_array_length, jsonb_pretty, json(b)_extract_path(_text), jsonb_set,
 * jsonb_strip_nulls, json(b)_object, jsonb_insert (basic), and rowToJson: the object a whole-row reference
 * becomes inside to_json / row_to_json / json_agg (the binder builds it; there are no row types).
 * Invariants:
 *   (1) to_json of a timestamp is ISO 8601 with `T` (`"2024-01-31T13:45:00"`), of timestamptz with `+00:00`;
 *       of a float NaN/Infinity a JSON string; numbers keep their exact text.
 *   (2) jsonb results are normalized (common/values/json.ts invariant (1)).
 */
import {
  RustyError,
  arrayType,
  formatBytea,
  formatDate,
  formatFloat4,
  formatFloat8,
  formatInterval,
  formatOffset,
  sessionOffset,
  formatTime,
  formatTimestamp,
  parseJson,
  stringifyJson,
  toJsonb,
  type Decimal,
  type Interval,
  type JsonNode,
  type SqlType,
  type SqlValue,
} from '../../common/index.js'
import type { ScalarImpl } from './function-types.js'
import { INT4, JSONB, JSON_T, TEXT, bare, scalar } from './impl-util.js'
import { jsonGetPath, nodeText, parseCached } from './json-ops.js'
import { overloads, register, sig } from './registry.js'

const NULL_NODE: JsonNode = { t: 'null' }

/** The JSON form of a SQL value of `type` (to_json). */
export function valueToJson(v: SqlValue, type: SqlType): JsonNode {
  if (v === null) return NULL_NODE
  switch (type.id) {
    case 'bool':
      return { t: 'bool', v: v as boolean }
    case 'int2':
    case 'int4':
      return { t: 'num', v: String(v) }
    case 'int8':
      return { t: 'num', v: (v as bigint).toString() }
    case 'float4':
    case 'float8': {
      const x = v as number
      const s = type.id === 'float4' ? formatFloat4(x) : formatFloat8(x)
      return Number.isFinite(x) ? { t: 'num', v: s } : { t: 'str', v: s }
    }
    case 'numeric': {
      const d = v as Decimal
      return d.isFinite ? { t: 'num', v: d.toString() } : { t: 'str', v: d.toString() }
    }
    case 'json':
    case 'jsonb':
      return parseJson(v as string)
    case 'array':
      return { t: 'arr', v: (v as SqlValue[]).map((e) => valueToJson(e, type.element!)) }
    case 'date':
      return { t: 'str', v: formatDate(v as number) }
    case 'time':
      return { t: 'str', v: formatTime(v as number) }
    case 'timestamp':
    case 'timestamptz': {
      const us = v as number
      if (!Number.isFinite(us)) return { t: 'str', v: us > 0 ? 'infinity' : '-infinity' }
      if (type.id === 'timestamp') return { t: 'str', v: formatTimestamp(us, false).replace(' ', 'T') }
      const off = sessionOffset(us)
      return { t: 'str', v: formatTimestamp(us + off, false).replace(' ', 'T') + formatOffset(off, true) }
    }
    case 'interval':
      return { t: 'str', v: formatInterval(v as Interval) }
    case 'bytea':
      return { t: 'str', v: formatBytea(v as Uint8Array) }
    default:
      return { t: 'str', v: String(v) }
  }
}

/** PostgreSQL's json (not jsonb) array text from json_agg / json_build_array: `[1, {"a":2}]`. */
export function jsonArrayText(items: readonly JsonNode[]): string {
  return '[' + items.map((e) => stringifyJson(e, false)).join(', ') + ']'
}

/** PostgreSQL's json object text from json_build_object / json_object: `{"a" : 1, "b" : [1,2]}`. */
export function jsonObjectText(members: readonly [string, JsonNode][]): string {
  return '{' + members.map(([k, v]) => stringifyJson({ t: 'str', v: k }) + ' : ' + stringifyJson(v, false)).join(', ') + '}'
}

function keepType(t: SqlType): SqlType {
  return t.id === 'unknown' || t.id === 'null' ? TEXT : bare(t)
}

/**
 * row_to_json of a row whose columns are `names` of `types`: the binder passes the columns as arguments
 * (expr-binder.ts, whole-row references). Compact text as PostgreSQL writes it: `{"id":1,"name":"Catto"}`.
 */
export function rowToJson(names: readonly string[], types: readonly SqlType[]): ScalarImpl {
  const ts = types.map(keepType)
  return scalar(
    'row_to_json',
    ts,
    JSON_T,
    (...args) => stringifyJson({ t: 'obj', v: names.map((n, i): [string, JsonNode] => [n, valueToJson(args[i], ts[i])]) }, false),
    { strict: false, key: JSON.stringify(names) },
  )
}

for (const [name, isB] of [
  ['to_json', false],
  ['to_jsonb', true],
] as const) {
  register(name, (argTypes) => {
    if (argTypes.length !== 1) return undefined
    const t = keepType(argTypes[0])
    return scalar(name, [t], isB ? JSONB : JSON_T, (v) => (isB ? stringifyJson(toJsonb(valueToJson(v, t))) : stringifyJson(valueToJson(v, t), false)), {
      key: t.id,
    })
  })
}

for (const [name, isB] of [
  ['json_build_object', false],
  ['jsonb_build_object', true],
] as const) {
  register(name, (argTypes) => {
    if (argTypes.length % 2 !== 0) return undefined
    const ts = argTypes.map(keepType)
    return scalar(
      name,
      ts,
      isB ? JSONB : JSON_T,
      (...args) => {
        const members: [string, JsonNode][] = []
        for (let i = 0; i < args.length; i += 2) {
          const k = args[i]
          if (k === null) throw new RustyError('22004', 'null value not allowed for object key')
          const kn = valueToJson(k, ts[i])
          members.push([kn.t === 'str' ? kn.v : stringifyJson(kn), valueToJson(args[i + 1], ts[i + 1])])
        }
        const node: JsonNode = { t: 'obj', v: members }
        if (isB) return stringifyJson(toJsonb(node))
        return jsonObjectText(members)
      },
      { strict: false, key: ts.map((t) => t.id).join() },
    )
  })
}

for (const [name, isB] of [
  ['json_build_array', false],
  ['jsonb_build_array', true],
] as const) {
  register(name, (argTypes) => {
    const ts = argTypes.map(keepType)
    return scalar(
      name,
      ts,
      isB ? JSONB : JSON_T,
      (...args) => {
        const node: JsonNode = { t: 'arr', v: args.map((a, i) => valueToJson(a, ts[i])) }
        return isB ? stringifyJson(toJsonb(node)) : jsonArrayText(node.v)
      },
      { strict: false, key: ts.map((t) => t.id).join() },
    )
  })
}

function typeofNode(n: JsonNode): string {
  switch (n.t) {
    case 'obj':
      return 'object'
    case 'arr':
      return 'array'
    case 'str':
      return 'string'
    case 'num':
      return 'number'
    case 'bool':
      return 'boolean'
    default:
      return 'null'
  }
}

overloads('json_typeof', [sig([JSON_T], TEXT, (j) => typeofNode(parseCached(j as string)))])
overloads('jsonb_typeof', [sig([JSONB], TEXT, (j) => typeofNode(parseCached(j as string)))])
for (const [name, t] of [
  ['json_array_length', JSON_T],
  ['jsonb_array_length', JSONB],
] as const) {
  overloads(name, [
    sig([t], INT4, (j) => {
      const n = parseCached(j as string)
      if (n.t !== 'arr') throw new RustyError('22023', n.t === 'obj' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar')
      return n.v.length
    }),
  ])
}

function pretty(n: JsonNode, indent: string): string {
  if (n.t === 'arr') {
    if (n.v.length === 0) return '[]'
    return '[\n' + n.v.map((e) => indent + '    ' + pretty(e, indent + '    ')).join(',\n') + '\n' + indent + ']'
  }
  if (n.t === 'obj') {
    if (n.v.length === 0) return '{}'
    return '{\n' + n.v.map(([k, e]) => indent + '    ' + stringifyJson({ t: 'str', v: k }) + ': ' + pretty(e, indent + '    ')).join(',\n') + '\n' + indent + '}'
  }
  return stringifyJson(n)
}
overloads('jsonb_pretty', [sig([JSONB], TEXT, (j) => pretty(parseJson(j as string), ''))])

const TEXT_ARRAY = arrayType(TEXT)
for (const [name, t, asText] of [
  ['json_extract_path', JSON_T, false],
  ['json_extract_path_text', JSON_T, true],
  ['jsonb_extract_path', JSONB, false],
  ['jsonb_extract_path_text', JSONB, true],
] as const) {
  overloads(name, [sig([t, TEXT], asText ? TEXT : t, (j, ...path) => jsonGetPath(j as string, path, asText, t === JSONB), { variadic: true })])
}

function strip(n: JsonNode): JsonNode {
  if (n.t === 'obj') return { t: 'obj', v: n.v.filter(([, v]) => v.t !== 'null').map(([k, v]) => [k, strip(v)] as [string, JsonNode]) }
  if (n.t === 'arr') return { t: 'arr', v: n.v.map(strip) }
  return n
}
overloads('jsonb_strip_nulls', [sig([JSONB], JSONB, (j) => stringifyJson(strip(parseJson(j as string))))])
overloads('json_strip_nulls', [sig([JSON_T], JSON_T, (j) => stringifyJson(strip(parseJson(j as string)), false))])

/** jsonb_set(target, path, new_value [, create_missing]). */
function setPath(n: JsonNode, path: readonly string[], value: JsonNode, create: boolean): JsonNode {
  if (path.length === 0) return value
  const [head, ...rest] = path
  if (n.t === 'obj') {
    const i = n.v.findIndex(([k]) => k === head)
    if (i < 0) {
      if (!create || rest.length > 0) return n
      return { t: 'obj', v: [...n.v, [head, value]] }
    }
    const v = n.v.slice()
    v[i] = [head, setPath(n.v[i][1], rest, value, create)]
    return { t: 'obj', v }
  }
  if (n.t === 'arr') {
    if (!/^-?\d+$/.test(head)) throw new RustyError('22P02', `path element at position 1 is not an integer: "${head}"`)
    let i = Number(head)
    if (i < 0) i += n.v.length
    const v = n.v.slice()
    if (i < 0 || i >= n.v.length) {
      if (!create || rest.length > 0) return n
      if (i < 0) v.unshift(value)
      else v.push(value)
      return { t: 'arr', v }
    }
    v[i] = setPath(n.v[i], rest, value, create)
    return { t: 'arr', v }
  }
  return n
}
overloads('jsonb_set', [
  sig([JSONB, TEXT_ARRAY, JSONB], JSONB, (j, p, v) => stringifyJson(toJsonb(setPath(parseJson(j as string), (p as SqlValue[]).map(String), parseJson(v as string), true)))),
  sig([JSONB, TEXT_ARRAY, JSONB, { id: 'bool' }], JSONB, (j, p, v, c) =>
    stringifyJson(toJsonb(setPath(parseJson(j as string), (p as SqlValue[]).map(String), parseJson(v as string), c as boolean))),
  ),
])

/** The ->> text of a json value, used by table functions (json_each_text...). */
export function jsonNodeText(n: JsonNode, isB: boolean): SqlValue {
  return nodeText(n, isB)
}

for (const [name, isB] of [
  ['json_object', false],
  ['jsonb_object', true],
] as const) {
  overloads(name, [
    sig([TEXT_ARRAY], isB ? JSONB : JSON_T, (a) => {
      const arr = a as SqlValue[]
      if (arr.length % 2 !== 0) throw new RustyError('2202E', 'array must have even number of elements')
      const members: [string, JsonNode][] = []
      for (let i = 0; i < arr.length; i += 2) {
        if (arr[i] === null) throw new RustyError('22004', 'null value not allowed for object key')
        members.push([arr[i] as string, arr[i + 1] === null ? NULL_NODE : { t: 'str', v: arr[i + 1] as string }])
      }
      const node: JsonNode = { t: 'obj', v: members }
      return isB ? stringifyJson(toJsonb(node)) : jsonObjectText(members)
    }),
  ])
}
