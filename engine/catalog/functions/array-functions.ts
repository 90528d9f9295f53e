/**
 * Array functions (PostgreSQL "Array Functions and Operators").
 * Owns: the ARRAY[...] constructor (`array`), = ANY / ALL helpers (`array_any`, `array_all`), array_length,
 * cardinality, array_upper/lower, array_ndims, array_dims, array_append/prepend/cat, array_position(s),
 * array_remove, array_replace, array_to_string, trim_array.
 * Invariants:
 *   (1) Arrays are JS arrays of element values (NULL elements are null); a multi-dimensional array is an
 *       array of arrays. Lower bounds are always 1.
 *   (2) array_any/array_all follow SQL's three-valued logic: x = ANY('{1,NULL}') is NULL when no element
 *       matches, true when one does; over an empty array ANY is false and ALL is true.
 */
import { arrayType, compareValues, formatValue, type SqlType, type SqlValue } from '../../common/index.js'
import type { ScalarImpl } from './function-types.js'
import { BOOL, INT4, TEXT, bare, scalar } from './impl-util.js'
import { register } from './registry.js'

const A = (v: SqlValue): SqlValue[] => v as SqlValue[]

function elementOf(t: SqlType): SqlType | undefined {
  return t.id === 'array' ? (t.element ?? TEXT) : undefined
}

register('array', (argTypes) => {
  const el = argTypes.length === 0 ? TEXT : argTypes[0].id === 'unknown' ? TEXT : bare(argTypes[0])
  return scalar('array', argTypes.map(() => el), arrayType(el), (...args) => args, { strict: false, key: String(argTypes.length) })
})

for (const [name, any] of [
  ['array_any', true],
  ['array_all', false],
] as const) {
  register(name, (argTypes) => {
    if (argTypes.length !== 2 || argTypes[1].id !== 'array') return undefined
    return scalar(
      name,
      argTypes,
      BOOL,
      (x, arr, op) => {
        if (arr === null) return null
        const list = A(arr)
        if (list.length === 0) return !any
        if (x === null) return null
        const f = (op as unknown as ScalarImpl).fn
        let sawNull = false
        for (const e of list) {
          if (e === null) {
            sawNull = true
            continue
          }
          const r = f(x, e)
          if (r === null) sawNull = true
          else if (r === any) return any
        }
        return sawNull ? null : !any
      },
      { strict: false, key: argTypes.map((t) => t.id).join() },
    )
  })
}

function arrayFn(name: string, build: (t: SqlType, el: SqlType, argTypes: readonly SqlType[]) => ScalarImpl | undefined): void {
  register(name, (argTypes) => {
    const t = argTypes.find((x) => x.id === 'array')
    if (t === undefined) return undefined
    return build(bare(t), elementOf(t)!, argTypes)
  })
}

function dimLength(arr: SqlValue[], dim: number): number | null {
  let cur: SqlValue = arr
  for (let d = 1; d < dim; d++) {
    const first: SqlValue = Array.isArray(cur) ? (cur as SqlValue[])[0] : null
    if (!Array.isArray(first)) return null
    cur = first
  }
  const len = (cur as SqlValue[]).length
  return len === 0 ? null : len
}

function count(arr: SqlValue[]): number {
  let n = 0
  for (const e of arr) n += Array.isArray(e) ? count(e as SqlValue[]) : 1
  return n
}

function ndims(arr: SqlValue[]): number {
  let d = 0
  let cur: unknown = arr
  while (Array.isArray(cur) && cur.length > 0) {
    d++
    cur = cur[0]
  }
  return d
}

arrayFn('array_length', (t) => scalar('array_length', [t, INT4], INT4, (a, d) => dimLength(A(a), d as number)))
arrayFn('array_upper', (t) => scalar('array_upper', [t, INT4], INT4, (a, d) => dimLength(A(a), d as number)))
arrayFn('array_lower', (t) => scalar('array_lower', [t, INT4], INT4, (a, d) => (dimLength(A(a), d as number) === null ? null : 1)))
arrayFn('cardinality', (t) => scalar('cardinality', [t], INT4, (a) => count(A(a))))
arrayFn('array_ndims', (t) => scalar('array_ndims', [t], INT4, (a) => (A(a).length === 0 ? null : ndims(A(a)))))
arrayFn('array_dims', (t) =>
  scalar('array_dims', [t], TEXT, (a) => {
    const n = ndims(A(a))
    if (n === 0) return null
    let out = ''
    for (let d = 1; d <= n; d++) out += `[1:${dimLength(A(a), d)}]`
    return out
  }),
)
arrayFn('array_append', (t, el, args) =>
  args[0].id === 'array' ? scalar('array_append', [t, el], t, (a, e) => (a === null ? [e] : [...A(a), e]), { strict: false }) : undefined,
)
arrayFn('array_prepend', (t, el, args) =>
  args[1]?.id === 'array' ? scalar('array_prepend', [el, t], t, (e, a) => (a === null ? [e] : [e, ...A(a)]), { strict: false }) : undefined,
)
arrayFn('array_cat', (t) =>
  scalar('array_cat', [t, t], t, (a, b) => (a === null ? b : b === null ? a : [...A(a), ...A(b)]), { strict: false }),
)
function same(el: SqlType): (a: SqlValue, b: SqlValue) => boolean {
  return (a, b) => (a === null ? b === null : b !== null && compareValues(a, b, el) === 0)
}
arrayFn('array_position', (t, el) => {
  const eq = same(el)
  return scalar(
    'array_position',
    [t, el],
    INT4,
    (a, e) => {
      if (a === null) return null
      const i = A(a).findIndex((x) => eq(x, e))
      return i < 0 ? null : i + 1
    },
    { strict: false },
  )
})
arrayFn('array_positions', (t, el) => {
  const eq = same(el)
  return scalar(
    'array_positions',
    [t, el],
    arrayType(INT4),
    (a, e) => {
      if (a === null) return null
      const out: number[] = []
      A(a).forEach((x, i) => {
        if (eq(x, e)) out.push(i + 1)
      })
      return out
    },
    { strict: false },
  )
})
arrayFn('array_remove', (t, el) => {
  const eq = same(el)
  return scalar('array_remove', [t, el], t, (a, e) => (a === null ? null : A(a).filter((x) => !eq(x, e))), { strict: false })
})
arrayFn('array_replace', (t, el) => {
  const eq = same(el)
  return scalar('array_replace', [t, el, el], t, (a, e, r) => (a === null ? null : A(a).map((x) => (eq(x, e) ? r : x))), { strict: false })
})
arrayFn('trim_array', (t) => scalar('trim_array', [t, INT4], t, (a, n) => A(a).slice(0, Math.max(0, A(a).length - (n as number)))))

function flatText(arr: SqlValue[], el: SqlType, sep: string, nullStr: string | null, out: string[]): void {
  for (const e of arr) {
    if (Array.isArray(e)) flatText(e as SqlValue[], el.id === 'array' ? el.element! : el, sep, nullStr, out)
    else if (e === null) {
      if (nullStr !== null) out.push(nullStr)
    } else out.push(el.id === 'bool' ? (e ? 't' : 'f') : formatValue(e, el))
  }
}
arrayFn('array_to_string', (t, el, args) => {
  if (args.length === 2) {
    return scalar('array_to_string', [t, TEXT], TEXT, (a, s) => {
      const out: string[] = []
      flatText(A(a), el, s as string, null, out)
      return out.join(s as string)
    })
  }
  if (args.length !== 3) return undefined
  return scalar(
    'array_to_string',
    [t, TEXT, TEXT],
    TEXT,
    (a, s, n) => {
      if (a === null || s === null) return null
      const out: string[] = []
      flatText(A(a), el, s as string, n as string | null, out)
      return out.join(s as string)
    },
    { strict: false },
  )
})
