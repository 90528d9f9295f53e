/**
 * commonType: PostgreSQL's select_common_type for UNION, CASE, COALESCE, IN, VALUES, ARRAY[...], greatest.
 * Owns: type categories and the choice of the result type.
 * Invariants:
 *   (1) Unknown (and NULL) inputs are ignored; all unknown gives text.
 *   (2) All other inputs must be in one category (numeric, string, datetime, ...), else 42804
 *       `<what> types integer and text cannot be matched`.
 *   (3) Numeric: float8 if present, else the widest (int2 < int4 < int8 < numeric < float4); string: text
 *       unless all are varchar (or all bpchar); datetime: timestamptz > timestamp > date.
 */
import { datatypeMismatch, typeName, type SqlType } from '../../common/index.js'
import { NUM_RANK, TEXT, bare } from './impl-util.js'

const CATEGORY: Record<string, string> = {
  int2: 'N',
  int4: 'N',
  int8: 'N',
  numeric: 'N',
  float4: 'N',
  float8: 'N',
  text: 'S',
  varchar: 'S',
  bpchar: 'S',
  date: 'D',
  timestamp: 'D',
  timestamptz: 'D',
  time: 'T',
  interval: 'I',
  bool: 'B',
  bytea: 'Y',
  uuid: 'U',
  json: 'J',
  jsonb: 'JB',
  array: 'A',
}

const DT_RANK: Record<string, number> = { date: 0, timestamp: 1, timestamptz: 2 }

/**
 * The common type of `types` (invariants above). `what` names the construct in the error message
 * (`UNION`, `CASE`, `COALESCE`, `VALUES`, `IN`, `ARRAY`...).
 *
 * @example
 * commonType([typeOf('int4'), typeOf('numeric')], 'UNION') // numeric
 * commonType([typeOf('int4'), typeOf('text')], 'CASE')     // throws 42804 CASE types integer and text cannot be matched
 */
export function commonType(types: readonly SqlType[], what: string): SqlType {
  let result: SqlType | undefined
  for (const t of types) {
    if (t.id === 'unknown' || t.id === 'null') continue
    if (result === undefined) {
      result = t
      continue
    }
    const ca = CATEGORY[result.id] ?? result.id
    const cb = CATEGORY[t.id] ?? t.id
    if (ca !== cb) throw datatypeMismatch(`${what} types ${typeName(result)} and ${typeName(t)} cannot be matched`)
    result = pick(result, t, what)
  }
  return result ?? TEXT
}

function pick(a: SqlType, b: SqlType, what: string): SqlType {
  switch (CATEGORY[a.id]) {
    case 'N': {
      if (a.id === b.id) return a.id === 'numeric' && (a.precision !== b.precision || a.scale !== b.scale) ? bare(a) : a
      return NUM_RANK[a.id] >= NUM_RANK[b.id] ? bare(a) : bare(b)
    }
    case 'S':
      if (a.id !== b.id) return TEXT
      return a.length === b.length ? a : bare(a)
    case 'D':
      return DT_RANK[a.id] >= DT_RANK[b.id] ? a : b
    case 'A': {
      const el = commonType([a.element!, b.element!], what)
      return el === a.element ? a : { id: 'array', element: el }
    }
    default:
      return a
  }
}
