/**
 * Set-returning (table) functions used in FROM: generate_series, unnest, generate_subscripts,
 * json(b)_each(_text), json(b)_array_elements(_text), json(b)_object_keys, regexp_matches,
 * regexp_split_to_table, string_to_table.
 * Owns: resolveTableFunction and the row generators.
 * Invariants:
 *   (1) `fn` is called once per execution with the evaluated arguments (already cast to `argTypes`) and
 *       yields rows lazily; a NULL argument yields no rows (the functions are strict, as in PostgreSQL).
 *   (2) generate_series with step 0 is 22023 `step size cannot equal zero`; it stops at the bound inclusive.
 */
import {
  Decimal,
  Interval,
  RustyError,
  addInterval,
  addIntervalTz,
  arrayType,
  stringifyJson,
  type JsonNode,
  type SqlType,
  type SqlValue,
} from '../../common/index.js'
import { INT4, INT8, INTERVAL, JSONB, JSON_T, NUMERIC, TEXT, TIMESTAMP, TIMESTAMPTZ, bare } from './impl-util.js'
import { nodeText, parseCached } from './json-ops.js'
import { regexpMatches } from './patterns.js'
import { regexpSplit, stringToArray } from './string-functions.js'

/** A resolved table function: its output columns, the types its arguments are cast to, the row generator. */
export interface TableFunction {
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[]
  readonly argTypes: readonly SqlType[]
  readonly fn: (args: readonly SqlValue[]) => Iterable<readonly SqlValue[]>
}

function tf(columns: [string, SqlType][], argTypes: readonly SqlType[], fn: (args: readonly SqlValue[]) => Iterable<readonly SqlValue[]>): TableFunction {
  return Object.freeze({
    columns: Object.freeze(columns.map(([name, type]) => Object.freeze({ name, type }))),
    argTypes: Object.freeze([...argTypes]),
    fn: (args: readonly SqlValue[]) => (args.some((a) => a === null) ? [] : fn(args)),
  })
}

const zeroStep = (): RustyError => new RustyError('22023', 'step size cannot equal zero')

function* seriesInt(start: number, stop: number, step: number): Generator<SqlValue[]> {
  if (step === 0) throw zeroStep()
  if (step > 0) for (let i = start; i <= stop; i += step) yield [i]
  else for (let i = start; i >= stop; i += step) yield [i]
}

function* seriesBig(start: bigint, stop: bigint, step: bigint): Generator<SqlValue[]> {
  if (step === 0n) throw zeroStep()
  if (step > 0n) for (let i = start; i <= stop; i += step) yield [i]
  else for (let i = start; i >= stop; i += step) yield [i]
}

function* seriesDec(start: Decimal, stop: Decimal, step: Decimal): Generator<SqlValue[]> {
  if (step.sign() === 0) throw zeroStep()
  if (!start.isFinite || !stop.isFinite || !step.isFinite) throw new RustyError('22023', 'start value cannot be NaN')
  const up = step.sign() > 0
  for (let i = start; up ? i.compare(stop) <= 0 : i.compare(stop) >= 0; i = i.add(step)) yield [i]
}

function* seriesTs(start: number, stop: number, step: Interval, tz: boolean): Generator<SqlValue[]> {
  if (step.compare(Interval.ZERO) === 0) throw zeroStep()
  const up = step.compare(Interval.ZERO) > 0
  for (let i = start; up ? i <= stop : i >= stop; i = tz ? addIntervalTz(i, step) : addInterval(i, step)) yield [i]
}

function* unnestAll(arrays: readonly SqlValue[][]): Generator<SqlValue[]> {
  const flat = arrays.map((a) => flatten(a))
  const n = Math.max(0, ...flat.map((a) => a.length))
  for (let i = 0; i < n; i++) yield flat.map((a) => (i < a.length ? a[i] : null))
}

function flatten(a: SqlValue[]): SqlValue[] {
  if (!a.some((e) => Array.isArray(e))) return a
  const out: SqlValue[] = []
  for (const e of a) if (Array.isArray(e)) out.push(...flatten(e as SqlValue[]))
  else out.push(e)
  return out
}

function leafType(t: SqlType): SqlType {
  return t.id === 'array' ? leafType(t.element ?? TEXT) : t
}

function jsonOut(n: JsonNode, isB: boolean): string {
  return stringifyJson(n, isB)
}

/**
 * Resolves a set-returning function by name and argument types; undefined when none matches.
 *
 * @example
 * const g = resolveTableFunction('generate_series', [typeOf('int4'), typeOf('int4')])!
 * [...g.fn([1, 3])] // [[1], [2], [3]]
 */
export function resolveTableFunction(name: string, argTypes: readonly SqlType[]): TableFunction | undefined {
  const ids = argTypes.map((t) => t.id)
  const isNumId = (id: string): boolean => id === 'int2' || id === 'int4' || id === 'int8' || id === 'numeric' || id === 'unknown' || id === 'float4' || id === 'float8'
  switch (name) {
    case 'generate_series': {
      if (argTypes.length < 2 || argTypes.length > 3) return undefined
      if (ids.some((id) => id === 'timestamp' || id === 'timestamptz' || id === 'date' || id === 'interval')) {
        const t = ids.includes('timestamptz') || ids.includes('date') ? TIMESTAMPTZ : TIMESTAMP
        if (argTypes.length !== 3) return undefined
        return tf([['generate_series', t]], [t, t, INTERVAL], (a) => seriesTs(a[0] as number, a[1] as number, a[2] as Interval, t === TIMESTAMPTZ))
      }
      if (!ids.every(isNumId)) return undefined
      if (ids.some((id) => id === 'numeric' || id === 'float4' || id === 'float8')) {
        const types = argTypes.map(() => NUMERIC)
        return tf([['generate_series', NUMERIC]], types, (a) => seriesDec(a[0] as Decimal, a[1] as Decimal, (a[2] as Decimal | undefined) ?? Decimal.ONE))
      }
      if (ids.includes('int8')) {
        return tf([['generate_series', INT8]], argTypes.map(() => INT8), (a) => seriesBig(a[0] as bigint, a[1] as bigint, (a[2] as bigint | undefined) ?? 1n))
      }
      return tf([['generate_series', INT4]], argTypes.map(() => INT4), (a) => seriesInt(a[0] as number, a[1] as number, (a[2] as number | undefined) ?? 1))
    }
    case 'unnest': {
      if (argTypes.length === 0 || !argTypes.every((t) => t.id === 'array' || t.id === 'unknown')) return undefined
      const types = argTypes.map((t) => (t.id === 'unknown' ? arrayType(TEXT) : bare(t)))
      return tf(
        types.map((t) => ['unnest', leafType(t)] as [string, SqlType]),
        types,
        (a) => unnestAll(a as SqlValue[][]),
      )
    }
    case 'generate_subscripts': {
      if (argTypes.length < 2 || argTypes[0].id !== 'array') return undefined
      return tf([['generate_subscripts', INT4]], [bare(argTypes[0]), INT4], function* (a) {
        let cur: SqlValue = a[0]
        for (let d = 1; d < (a[1] as number); d++) cur = Array.isArray(cur) ? ((cur as SqlValue[])[0] ?? []) : []
        const n = Array.isArray(cur) ? (cur as SqlValue[]).length : 0
        for (let i = 1; i <= n; i++) yield [i]
      })
    }
    case 'json_each':
    case 'jsonb_each':
    case 'json_each_text':
    case 'jsonb_each_text': {
      const isB = name.startsWith('jsonb')
      const asText = name.endsWith('_text')
      const jt = isB ? JSONB : JSON_T
      return tf([['key', TEXT], ['value', asText ? TEXT : jt]], [jt], function* (a) {
        const node = parseCached(a[0] as string)
        if (node.t !== 'obj') throw new RustyError('22023', `cannot call ${name} on a non-object`)
        for (const [k, v] of node.v) yield [k, asText ? nodeText(v, isB) : jsonOut(v, isB)]
      })
    }
    case 'json_array_elements':
    case 'jsonb_array_elements':
    case 'json_array_elements_text':
    case 'jsonb_array_elements_text': {
      const isB = name.startsWith('jsonb')
      const asText = name.endsWith('_text')
      const jt = isB ? JSONB : JSON_T
      return tf([['value', asText ? TEXT : jt]], [jt], function* (a) {
        const node = parseCached(a[0] as string)
        if (node.t !== 'arr') throw new RustyError('22023', node.t === 'obj' ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar')
        for (const v of node.v) yield [asText ? nodeText(v, isB) : jsonOut(v, isB)]
      })
    }
    case 'json_object_keys':
    case 'jsonb_object_keys': {
      const jt = name.startsWith('jsonb') ? JSONB : JSON_T
      return tf([[name, TEXT]], [jt], function* (a) {
        const node = parseCached(a[0] as string)
        if (node.t !== 'obj') throw new RustyError('22023', `cannot call ${name} on ${node.t === 'arr' ? 'an array' : 'a scalar'}`)
        for (const [k] of node.v) yield [k]
      })
    }
    case 'regexp_matches': {
      if (argTypes.length < 2 || argTypes.length > 3) return undefined
      return tf([['regexp_matches', arrayType(TEXT)]], argTypes.map(() => TEXT), function* (a) {
        for (const m of regexpMatches(a[0] as string, a[1] as string, (a[2] as string | undefined) ?? '')) yield [m]
      })
    }
    case 'regexp_split_to_table': {
      if (argTypes.length < 2 || argTypes.length > 3) return undefined
      return tf([['regexp_split_to_table', TEXT]], argTypes.map(() => TEXT), function* (a) {
        for (const s of regexpSplit(a[0] as string, a[1] as string, (a[2] as string | undefined) ?? '')) yield [s]
      })
    }
    case 'string_to_table': {
      if (argTypes.length < 2 || argTypes.length > 3) return undefined
      const types = argTypes.map(() => TEXT)
      return Object.freeze({
        columns: [{ name: 'string_to_table', type: TEXT }],
        argTypes: types,
        fn: function* (a: readonly SqlValue[]) {
          if (a[0] === null) return
          for (const s of stringToArray(a[0] as string, a[1] as string | null, (a[2] as string | null | undefined) ?? null)) yield [s]
        },
      })
    }
  }
  return undefined
}
