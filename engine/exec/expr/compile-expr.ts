/**
 * Expression compilation: BoundExpr trees to closures over a batch's column arrays.
 * Owns: compileExpr (a value vector per batch, optionally for a selection of rows), compilePredicate (the
 * rows where a condition is TRUE), compileScalar (expressions constant for one execution) and the
 * evaluation of subqueries (scalar, EXISTS, ANY/ALL) with their per-execution caches.
 * Invariants:
 *   (1) A compiled closure holds no per-execution state: params, outer bindings and caches come from the
 *       Runtime it is called with, so compiled expressions are cached per plan node and reused.
 *   (2) Lazy where SQL is lazy: AND/OR evaluate later operands only on rows still undecided, CASE evaluates a
 *       THEN only on rows whose WHEN is true, COALESCE an argument only where the previous ones are NULL
 *       (so `x <> 0 AND 1 / x > 1` never divides by zero).
 *   (3) Three-valued logic (bound-expr.ts (3)); strict functions never see NULL (function-types.ts (1)).
 *   (4) Output vectors may be input columns themselves (no copy): callers never mutate them.
 * Not here: operators (operators/), the values' semantics (common/values via value-ops.ts).
 */
import type { Batch } from '../../common/batch.js'
import type { SqlType, SqlValue } from '../../common/types.js'
import { RustyError } from '../../common/index.js'
import type { ScalarImpl } from '../../catalog/functions/function-types.js'
import type {
  BoundExpr,
  CallExpr,
  ExistsExpr,
  InListExpr,
  QuantifiedExpr,
  SubqueryExpr,
} from '../../plan/bound-expr.js'
import type { PlanNode } from '../../plan/plan-node.js'
import { internal, type Runtime } from '../runtime.js'
import { filled, gather, hasDirectKey, hasDirectOrder } from '../value-ops.js'

/** Row indices into a batch; null means every row 0..length-1. */
export type Sel = Int32Array | null

/** A value per selected row (length: sel ? sel.length : batch.length). */
export type VecFn = (b: Batch, rt: Runtime, sel: Sel) => readonly SqlValue[]

/** Column id → position in the operator's input batch. */
export type Layout = ReadonlyMap<number, number>

/** The rows (indices into the batch) of `sel` (or of the whole batch) where the condition is TRUE. */
export type PredFn = (b: Batch, rt: Runtime, sel: Sel) => Int32Array

export interface Compiled {
  readonly vec: VecFn
  /** Set when the expression is a plain input column. */
  readonly column?: number
  /** Set when the value is the same for every row of a batch (constants, params, outer columns). */
  readonly scalar?: (rt: Runtime) => SqlValue
}

/** Layout of a list of columns: the id of output[i] → i. */
export function layoutOf(columns: readonly { readonly id: number }[], offset = 0, into?: Map<number, number>): Map<number, number> {
  const m = into ?? new Map<number, number>()
  for (let i = 0; i < columns.length; i++) m.set(columns[i].id, i + offset)
  return m
}

function count(b: Batch, sel: Sel): number {
  return sel === null ? b.length : sel.length
}

const COMPARE_OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>='])

function scalarCompiled(get: (rt: Runtime) => SqlValue): Compiled {
  return { scalar: get, vec: (b, rt, sel) => filled(count(b, sel), get(rt)) }
}

/** Compiles an expression over an input with the given layout. */
export function compileExpr(expr: BoundExpr, layout: Layout): Compiled {
  switch (expr.kind) {
    case 'Const': {
      const value = expr.value
      return scalarCompiled(() => value)
    }
    case 'Param': {
      const index = expr.index
      return scalarCompiled((rt) => {
        const v = rt.ctx.params[index]
        if (v === undefined) throw new RustyError('42P02', `there is no parameter $${index + 1}`)
        return v
      })
    }
    case 'OuterColumn': {
      const id = expr.id
      return scalarCompiled((rt) => rt.outerValue(id))
    }
    case 'Column': {
      const index = layout.get(expr.id)
      if (index === undefined) throw internal(`column ${expr.id} is not in the operator's input`)
      return {
        column: index,
        vec: (b, _rt, sel) => (sel === null ? b.columns[index] : gather(b.columns[index], sel)),
      }
    }
    case 'Call':
      return compileCall(expr, layout)
    case 'Cast': {
      const arg = compileExpr(expr.arg, layout)
      const cast = expr.cast
      if (arg.scalar !== undefined) {
        const get = arg.scalar
        return scalarCompiled((rt) => {
          const v = get(rt)
          return v === null ? null : cast(v)
        })
      }
      return {
        vec: (b, rt, sel) => {
          const a = arg.vec(b, rt, sel)
          const n = a.length
          const out = new Array<SqlValue>(n)
          for (let i = 0; i < n; i++) {
            const v = a[i]
            out[i] = v === null ? null : cast(v)
          }
          return out
        },
      }
    }
    case 'And':
    case 'Or':
      return compileLogic(expr.kind, expr.args.map((a) => compileExpr(a, layout)))
    case 'Not': {
      const arg = compileExpr(expr.arg, layout)
      return mapUnary(arg, (v) => (v === null ? null : !v))
    }
    case 'IsNull': {
      const arg = compileExpr(expr.arg, layout)
      const negated = expr.negated
      return mapUnary(arg, (v) => (v === null) !== negated)
    }
    case 'IsBool': {
      const arg = compileExpr(expr.arg, layout)
      const want = expr.test === 'TRUE' ? true : expr.test === 'FALSE' ? false : null
      const negated = expr.negated
      return mapUnary(arg, (v) => (v === want) !== negated)
    }
    case 'Case':
      return compileCase(
        expr.whens.map((w) => ({ when: compileExpr(w.when, layout), then: compileExpr(w.then, layout) })),
        expr.else === null ? null : compileExpr(expr.else, layout),
      )
    case 'Coalesce':
      return compileCoalesce(expr.args.map((a) => compileExpr(a, layout)))
    case 'InList':
      return compileInList(expr, layout)
    case 'Subquery':
    case 'Exists':
    case 'Quantified':
      return compileSubquery(expr, layout)
  }
}

function mapUnary(arg: Compiled, f: (v: SqlValue) => SqlValue): Compiled {
  if (arg.scalar !== undefined) {
    const get = arg.scalar
    return scalarCompiled((rt) => f(get(rt)))
  }
  return {
    vec: (b, rt, sel) => {
      const a = arg.vec(b, rt, sel)
      const out = new Array<SqlValue>(a.length)
      for (let i = 0; i < a.length; i++) out[i] = f(a[i])
      return out
    },
  }
}

/** Inline comparison of JS-comparable values for the comparison operators; undefined when not applicable. */
function directCompare(impl: ScalarImpl): ((a: SqlValue, b: SqlValue) => boolean) | undefined {
  if (!COMPARE_OPS.has(impl.name) || impl.argTypes.length !== 2) return undefined
  const [l, r] = impl.argTypes
  if (l.id !== r.id) return undefined
  const ordered = hasDirectOrder(l)
  if (!ordered && !(hasDirectKey(l) && l.id !== 'float4' && l.id !== 'float8' && l.id !== 'bool' && (impl.name === '=' || impl.name === '<>' || impl.name === '!='))) {
    return undefined
  }
  switch (impl.name) {
    case '=':
      return (a, b) => a === b
    case '<>':
    case '!=':
      return (a, b) => a !== b
    case '<':
      return (a, b) => (a as number) < (b as number)
    case '<=':
      return (a, b) => (a as number) <= (b as number)
    case '>':
      return (a, b) => (a as number) > (b as number)
    default:
      return (a, b) => (a as number) >= (b as number)
  }
}

function compileCall(expr: CallExpr, layout: Layout): Compiled {
  const impl = expr.impl
  const fn = impl.fn
  const strict = impl.strict
  const args = expr.args.map((a) => compileExpr(a, layout))
  if (!impl.volatile && args.every((a) => a.scalar !== undefined)) {
    const gets = args.map((a) => a.scalar!)
    const argv = new Array<SqlValue>(gets.length)
    return scalarCompiled((rt) => {
      for (let i = 0; i < gets.length; i++) {
        const v = gets[i](rt)
        if (v === null && strict) return null
        argv[i] = v
      }
      return fn(...argv)
    })
  }
  if (args.length === 0) {
    return { vec: (b, _rt, sel) => {
      const n = count(b, sel)
      const out = new Array<SqlValue>(n)
      for (let i = 0; i < n; i++) out[i] = fn()
      return out
    } }
  }
  const cmp = strict ? directCompare(impl) : undefined
  if (args.length === 1) {
    const a0 = args[0]
    return {
      vec: (b, rt, sel) => {
        const a = a0.vec(b, rt, sel)
        const n = a.length
        const out = new Array<SqlValue>(n)
        if (strict) {
          for (let i = 0; i < n; i++) {
            const v = a[i]
            out[i] = v === null ? null : fn(v)
          }
        } else for (let i = 0; i < n; i++) out[i] = fn(a[i])
        return out
      },
    }
  }
  if (args.length === 2) {
    const [a0, a1] = args
    const op = cmp ?? fn
    if (a1.scalar !== undefined) {
      const get = a1.scalar
      return {
        vec: (b, rt, sel) => {
          const c = get(rt)
          const a = a0.vec(b, rt, sel)
          const n = a.length
          if (c === null && strict) return filled(n, null)
          const out = new Array<SqlValue>(n)
          if (strict) {
            for (let i = 0; i < n; i++) {
              const v = a[i]
              out[i] = v === null ? null : op(v, c)
            }
          } else for (let i = 0; i < n; i++) out[i] = op(a[i], c)
          return out
        },
      }
    }
    if (a0.scalar !== undefined) {
      const get = a0.scalar
      return {
        vec: (b, rt, sel) => {
          const c = get(rt)
          const a = a1.vec(b, rt, sel)
          const n = a.length
          if (c === null && strict) return filled(n, null)
          const out = new Array<SqlValue>(n)
          if (strict) {
            for (let i = 0; i < n; i++) {
              const v = a[i]
              out[i] = v === null ? null : op(c, v)
            }
          } else for (let i = 0; i < n; i++) out[i] = op(c, a[i])
          return out
        },
      }
    }
    return {
      vec: (b, rt, sel) => {
        const x = a0.vec(b, rt, sel)
        const y = a1.vec(b, rt, sel)
        const n = x.length
        const out = new Array<SqlValue>(n)
        if (strict) {
          for (let i = 0; i < n; i++) {
            const v = x[i]
            const w = y[i]
            out[i] = v === null || w === null ? null : op(v, w)
          }
        } else for (let i = 0; i < n; i++) out[i] = op(x[i], y[i])
        return out
      },
    }
  }
  const k = args.length
  return {
    vec: (b, rt, sel) => {
      const vs = args.map((a) => a.vec(b, rt, sel))
      const n = count(b, sel)
      const out = new Array<SqlValue>(n)
      const argv = new Array<SqlValue>(k)
      rows: for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) {
          const v = vs[j][i]
          if (v === null && strict) {
            out[i] = null
            continue rows
          }
          argv[j] = v
        }
        out[i] = fn(...argv)
      }
      return out
    },
  }
}

/** Positions (into the result) and batch rows of a subset of a selection. */
function subRows(sel: Sel, positions: Int32Array): Int32Array {
  if (sel === null) return positions
  const rows = new Int32Array(positions.length)
  for (let i = 0; i < positions.length; i++) rows[i] = sel[positions[i]]
  return rows
}

function compileLogic(kind: 'And' | 'Or', args: Compiled[]): Compiled {
  // AND: a row is decided once false; OR: once true (invariant (2)).
  const decided = kind === 'And' ? false : true
  return {
    vec: (b, rt, sel) => {
      const first = args[0].vec(b, rt, sel)
      const n = first.length
      const out = new Array<SqlValue>(n)
      for (let i = 0; i < n; i++) out[i] = first[i]
      let pos = new Int32Array(n)
      for (let k = 1; k < args.length; k++) {
        let m = 0
        for (let i = 0; i < n; i++) if (out[i] !== decided) pos[m++] = i
        if (m === 0) break
        const positions = m === n && k === 1 && sel === null ? null : pos.subarray(0, m)
        const v = args[k].vec(b, rt, positions === null ? sel : subRows(sel, positions))
        for (let j = 0; j < m; j++) {
          const p = positions === null ? j : positions[j]
          const x = v[j]
          if (x === decided) out[p] = decided
          else if (x === null) out[p] = null
        }
        pos = new Int32Array(n)
      }
      return out
    },
  }
}

function compileCase(whens: { when: Compiled; then: Compiled }[], otherwise: Compiled | null): Compiled {
  return {
    vec: (b, rt, sel) => {
      const n = count(b, sel)
      const out = new Array<SqlValue>(n).fill(null)
      // Positions still without a result, and their batch rows.
      let positions: Int32Array | null = null
      for (const { when, then } of whens) {
        const rows: Sel = positions === null ? sel : subRows(sel, positions)
        const w = when.vec(b, rt, rows)
        const m = w.length
        const hit = new Int32Array(m)
        const miss = new Int32Array(m)
        let h = 0
        let r = 0
        for (let j = 0; j < m; j++) {
          const p = positions === null ? j : positions[j]
          if (w[j] === true) hit[h++] = p
          else miss[r++] = p
        }
        if (h > 0) {
          const hitPos = hit.subarray(0, h)
          const t = then.vec(b, rt, subRows(sel, hitPos))
          for (let j = 0; j < h; j++) out[hitPos[j]] = t[j]
        }
        positions = miss.subarray(0, r)
        if (r === 0) return out
      }
      if (otherwise !== null) {
        const rows: Sel = positions === null ? sel : subRows(sel, positions)
        const e = otherwise.vec(b, rt, rows)
        for (let j = 0; j < e.length; j++) out[positions === null ? j : positions[j]] = e[j]
      }
      return out
    },
  }
}

function compileCoalesce(args: Compiled[]): Compiled {
  return {
    vec: (b, rt, sel) => {
      const first = args[0].vec(b, rt, sel)
      const n = first.length
      const out = new Array<SqlValue>(n)
      for (let i = 0; i < n; i++) out[i] = first[i]
      for (let k = 1; k < args.length; k++) {
        const pos = new Int32Array(n)
        let m = 0
        for (let i = 0; i < n; i++) if (out[i] === null) pos[m++] = i
        if (m === 0) break
        const positions = pos.subarray(0, m)
        const v = args[k].vec(b, rt, subRows(sel, positions))
        for (let j = 0; j < m; j++) out[positions[j]] = v[j]
      }
      return out
    },
  }
}

function compileInList(expr: InListExpr, layout: Layout): Compiled {
  const arg = compileExpr(expr.arg, layout)
  const negated = expr.negated
  const eqImpl = expr.eq
  const allConst = expr.list.every((e) => e.kind === 'Const')
  const t = expr.arg.type
  if (allConst && eqImpl.name === '=' && hasDirectKey(t) && eqImpl.argTypes.every((a) => a.id === t.id)) {
    const set = new Set<SqlValue>()
    let hasNull = false
    for (const e of expr.list) {
      const v = (e as { value: SqlValue }).value
      if (v === null) hasNull = true
      else set.add(v)
    }
    const miss = hasNull ? null : negated
    return mapUnary(arg, (v) => (v === null ? null : set.has(v) ? !negated : miss))
  }
  const list = expr.list.map((e) => compileExpr(e, layout))
  const eq = eqImpl.fn
  const strict = eqImpl.strict
  return {
    vec: (b, rt, sel) => {
      const x = arg.vec(b, rt, sel)
      const n = x.length
      const out = new Array<SqlValue>(n)
      const vs = list.map((l) => l.vec(b, rt, sel))
      for (let i = 0; i < n; i++) {
        const v = x[i]
        let result: SqlValue = false
        for (let k = 0; k < vs.length; k++) {
          const w = vs[k][i]
          const r = strict && (v === null || w === null) ? null : eq(v, w)
          if (r === true) {
            result = true
            break
          }
          if (r === null) result = null
        }
        out[i] = result === null ? null : negated ? !result : result
      }
      return out
    },
  }
}

// ---- subqueries ----

const UNCORRELATED = Symbol('uncorrelated')
const CACHE_LIMIT = 100_000

/** Runs a plan to completion and returns its first column's values (at most `max` + 1 when max given). */
function firstColumn(plan: PlanNode, rt: Runtime, max = Infinity): SqlValue[] {
  const values: SqlValue[] = []
  const gen = rt.run(plan)
  try {
    for (const batch of gen) {
      const col = batch.columns[0]
      for (let i = 0; i < batch.length; i++) values.push(col === undefined ? null : col[i])
      if (values.length > max) break
    }
  } finally {
    gen.return()
  }
  return values
}

function anyRow(plan: PlanNode, rt: Runtime): boolean {
  const gen = rt.run(plan)
  try {
    for (const batch of gen) if (batch.length > 0) return true
  } finally {
    gen.return()
  }
  return false
}

/** A subquery's set of values for ANY/ALL, with a hash set when the comparison is plain equality. */
interface QuantifiedRows {
  readonly values: SqlValue[]
  readonly set: Set<SqlValue> | null
  readonly hasNull: boolean
}

function compileSubquery(expr: SubqueryExpr | ExistsExpr | QuantifiedExpr, layout: Layout): Compiled {
  const refs = expr.outerRefs
  const refIdx = refs.map((id) => layout.get(id) ?? -1)
  const plan = expr.plan

  let compute: (rt: Runtime) => unknown
  if (expr.kind === 'Subquery') {
    compute = (rt) => {
      const values = firstColumn(plan, rt, 1)
      if (values.length > 1) throw new RustyError('21000', 'more than one row returned by a subquery used as an expression')
      return values.length === 0 ? null : values[0]
    }
  } else if (expr.kind === 'Exists') {
    compute = (rt) => anyRow(plan, rt)
  } else {
    const useSet = expr.quantifier === 'ANY' && expr.op.name === '=' && hasDirectKey(expr.arg.type) && expr.op.argTypes.every((a) => a.id === expr.arg.type.id)
    compute = (rt): QuantifiedRows => {
      const values = firstColumn(plan, rt)
      let hasNull = false
      let set: Set<SqlValue> | null = null
      if (useSet) set = new Set()
      for (const v of values) {
        if (v === null) hasNull = true
        else if (set !== null) set.add(v)
      }
      return { values, set, hasNull }
    }
  }

  // The subquery's result for row i of the batch (binding its outer references).
  const resultFor = (b: Batch, rt: Runtime, row: number): unknown => {
    const cache = rt.cacheOf(expr)
    if (refs.length === 0) {
      if (cache.has(UNCORRELATED)) return cache.get(UNCORRELATED)
      const r = compute(rt)
      cache.set(UNCORRELATED, r)
      return r
    }
    const values = new Array<SqlValue>(refs.length)
    let key = ''
    let cacheable = true
    for (let j = 0; j < refs.length; j++) {
      const v = refIdx[j] >= 0 ? b.columns[refIdx[j]][row] : rt.outerValue(refs[j])
      values[j] = v
      if (v === null) key += 'N|'
      // Objects (numeric, interval, bytea, arrays) are not cached: equal values can still look different
      // (1.0 and 1.00, '1 day' and '24 hours'), and a subquery may return them as they are.
      else if (typeof v === 'object') cacheable = false
      else if (Object.is(v, -0)) key += 'number-0|'
      else key += `${typeof v}${typeof v === 'string' ? (v as string).length + ':' + v : String(v)}|`
    }
    if (cacheable && cache.has(key)) return cache.get(key)
    const saved = rt.bindOuter(refs, values)
    let r: unknown
    try {
      r = compute(rt)
    } finally {
      rt.restoreOuter(refs, saved)
    }
    if (cacheable && cache.size < CACHE_LIMIT) cache.set(key, r)
    return r
  }

  let finish: (r: unknown, x: SqlValue) => SqlValue
  let arg: Compiled | null = null
  if (expr.kind === 'Subquery') finish = (r) => r as SqlValue
  else if (expr.kind === 'Exists') {
    const negated = expr.negated
    finish = (r) => (r as boolean) !== negated
  } else {
    arg = compileExpr(expr.arg, layout)
    const op = expr.op.fn
    const strict = expr.op.strict
    const any = expr.quantifier === 'ANY'
    finish = (r, x) => {
      const q = r as QuantifiedRows
      if (q.values.length === 0) return !any
      if (x === null && strict) return null
      if (q.set !== null) {
        // = ANY (IN) only: found → true; else NULL when the subquery has a NULL.
        if (q.set.has(x)) return true
        return q.hasNull ? null : false
      }
      let sawNull = false
      for (const v of q.values) {
        const c = strict && v === null ? null : op(x, v)
        if (c === null) sawNull = true
        else if (c === any) return any
      }
      return sawNull ? null : !any
    }
  }
  return {
    vec: (b, rt, sel) => {
      const n = count(b, sel)
      const out = new Array<SqlValue>(n)
      const xs = arg === null ? null : arg.vec(b, rt, sel)
      for (let i = 0; i < n; i++) {
        const row = sel === null ? i : sel[i]
        out[i] = finish(resultFor(b, rt, row), xs === null ? null : xs[i])
      }
      return out
    },
  }
}

// ---- predicates ----

const ALL_ROWS = new Int32Array(0)

function allRows(n: number): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}

/** Compiles a condition to the selection of rows where it is TRUE. AND narrows the selection step by step. */
export function compilePredicate(expr: BoundExpr, layout: Layout): PredFn {
  if (expr.kind === 'And') {
    const parts = expr.args.map((a) => compilePredicate(a, layout))
    return (b, rt, sel) => {
      let s: Int32Array | null = sel
      for (const p of parts) {
        s = p(b, rt, s)
        if (s.length === 0) return s
      }
      return s ?? allRows(b.length)
    }
  }
  if (expr.kind === 'Call' && expr.args.length === 2 && expr.impl.strict) {
    const cmp = directCompare(expr.impl)
    const l = compileExpr(expr.args[0], layout)
    const r = compileExpr(expr.args[1], layout)
    if (cmp !== undefined && l.column !== undefined && r.scalar !== undefined) {
      return compareColumnScalar(l.column, r.scalar, expr.impl.name, false)
    }
    if (cmp !== undefined && r.column !== undefined && l.scalar !== undefined) {
      return compareColumnScalar(r.column, l.scalar, expr.impl.name, true)
    }
  }
  const c = compileExpr(expr, layout)
  return (b, rt, sel) => {
    const v = c.vec(b, rt, sel)
    const n = v.length
    const out = new Int32Array(n)
    let m = 0
    if (sel === null) {
      for (let i = 0; i < n; i++) if (v[i] === true) out[m++] = i
    } else {
      for (let i = 0; i < n; i++) if (v[i] === true) out[m++] = sel[i]
    }
    return m === n ? out : out.subarray(0, m)
  }
}

/** Tight loops for `column op scalar` over JS-comparable types. */
function compareColumnScalar(index: number, get: (rt: Runtime) => SqlValue, name: string, flipped: boolean): PredFn {
  let op = name
  if (flipped) op = op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op
  return (b, rt, sel) => {
    const c = get(rt) as number
    const col = b.columns[index] as readonly number[]
    const n = sel === null ? b.length : sel.length
    if (c === null) return ALL_ROWS
    const out = new Int32Array(n)
    let m = 0
    // null < c etc. is false in JS for numbers only by accident; test null explicitly.
    switch (op) {
      case '=':
        if (sel === null) for (let i = 0; i < n; i++) { if (col[i] === c) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; if (col[r] === c) out[m++] = r }
        break
      case '<>':
      case '!=':
        if (sel === null) for (let i = 0; i < n; i++) { const v = col[i]; if (v !== c && v !== null) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; const v = col[r]; if (v !== c && v !== null) out[m++] = r }
        break
      case '<':
        if (sel === null) for (let i = 0; i < n; i++) { const v = col[i]; if (v < c && v !== null) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; const v = col[r]; if (v < c && v !== null) out[m++] = r }
        break
      case '<=':
        if (sel === null) for (let i = 0; i < n; i++) { const v = col[i]; if (v <= c && v !== null) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; const v = col[r]; if (v <= c && v !== null) out[m++] = r }
        break
      case '>':
        if (sel === null) for (let i = 0; i < n; i++) { const v = col[i]; if (v > c && v !== null) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; const v = col[r]; if (v > c && v !== null) out[m++] = r }
        break
      default:
        if (sel === null) for (let i = 0; i < n; i++) { const v = col[i]; if (v >= c && v !== null) out[m++] = i }
        else for (let i = 0; i < n; i++) { const r = sel[i]; const v = col[r]; if (v >= c && v !== null) out[m++] = r }
    }
    return m === n ? out : out.subarray(0, m)
  }
}

/** Compiles an expression that is constant for one execution (LIMIT, scan bounds, VALUES cells). */
export function compileScalar(expr: BoundExpr): (rt: Runtime) => SqlValue {
  const c = compileExpr(expr, new Map())
  if (c.scalar !== undefined) return c.scalar
  return (rt) => c.vec(ONE_ROW, rt, null)[0]
}

/** A batch of one row and no columns, for evaluating expressions that read no input. */
export const ONE_ROW: Batch = Object.freeze({ length: 1, columns: [] })

/** The types of a list of expressions. */
export function typesOf(exprs: readonly { readonly type: SqlType }[]): SqlType[] {
  return exprs.map((e) => e.type)
}
