/**
 * Hand-built plans for executor tests: column ids, minimal ScalarImpl / AggregateImpl objects (test-only, not
 * the real function registry), node constructors and a runner that returns rows.
 */
import { RustyError } from '../../../engine/common/index.js'
import type { Batch } from '../../../engine/common/batch.js'
import { typeOf, type SqlType, type SqlValue } from '../../../engine/common/types.js'
import type { AggregateImpl, ScalarImpl } from '../../../engine/catalog/functions/function-types.js'
import type { TableDef } from '../../../engine/catalog/schema.js'
import type { BoundExpr } from '../../../engine/plan/bound-expr.js'
import type { PlanColumn, PlanNode, SortKey, ValuesNode } from '../../../engine/plan/plan-node.js'
import { executePlan, type ExecContext } from '../../../engine/exec/index.js'
import { FakeAccess } from './fake-access.js'

export const INT = typeOf('int4')
export const BIG = typeOf('int8')
export const TEXT = typeOf('text')
export const BOOL = typeOf('bool')
export const FLOAT = typeOf('float8')

let nextId = 1
export function newId(): number {
  return nextId++
}

export function pc(name: string, type: SqlType = INT): PlanColumn {
  return { id: newId(), name, type }
}

export function colRef(c: PlanColumn): BoundExpr {
  return { kind: 'Column', id: c.id, type: c.type }
}

export function outerRef(c: PlanColumn): BoundExpr {
  return { kind: 'OuterColumn', id: c.id, type: c.type }
}

export function lit(value: SqlValue, type: SqlType = INT): BoundExpr {
  return { kind: 'Const', value, type }
}

function scalar(name: string, argTypes: SqlType[], returnType: SqlType, fn: (...a: SqlValue[]) => SqlValue, strict = true): ScalarImpl {
  return { name, argTypes, returnType, strict, volatile: false, fn }
}

const cmp = (a: SqlValue, b: SqlValue): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0)

export function opImpl(op: '=' | '<>' | '<' | '<=' | '>' | '>=', t: SqlType = INT): ScalarImpl {
  const f = {
    '=': (a: SqlValue, b: SqlValue) => cmp(a, b) === 0,
    '<>': (a: SqlValue, b: SqlValue) => cmp(a, b) !== 0,
    '<': (a: SqlValue, b: SqlValue) => cmp(a, b) < 0,
    '<=': (a: SqlValue, b: SqlValue) => cmp(a, b) <= 0,
    '>': (a: SqlValue, b: SqlValue) => cmp(a, b) > 0,
    '>=': (a: SqlValue, b: SqlValue) => cmp(a, b) >= 0,
  }[op]
  return scalar(op, [t, t], BOOL, f)
}

export function cmpExpr(op: '=' | '<>' | '<' | '<=' | '>' | '>=', a: BoundExpr, b: BoundExpr): BoundExpr {
  return { kind: 'Call', type: BOOL, impl: opImpl(op, a.type), args: [a, b] }
}

export const plusImpl = scalar('+', [INT, INT], INT, (a, b) => (a as number) + (b as number))
export const divImpl = scalar('/', [INT, INT], INT, (a, b) => {
  if (b === 0) throw new RustyError('22012', 'division by zero')
  return Math.trunc((a as number) / (b as number))
})

export function call(impl: ScalarImpl, ...args: BoundExpr[]): BoundExpr {
  return { kind: 'Call', type: impl.returnType, impl, args }
}

export function and(...args: BoundExpr[]): BoundExpr {
  return { kind: 'And', type: BOOL, args }
}

export function or(...args: BoundExpr[]): BoundExpr {
  return { kind: 'Or', type: BOOL, args }
}

// ---- aggregates ----

export const countStar: AggregateImpl<number> = {
  name: 'count', argTypes: [], returnType: BIG, strict: false,
  init: () => 0, step: (s) => s + 1, final: (s) => BigInt(s),
}
export const countAny: AggregateImpl<number> = {
  name: 'count', argTypes: [INT], returnType: BIG, strict: true,
  init: () => 0, step: (s) => s + 1, final: (s) => BigInt(s), inverse: (s) => s - 1,
}
export const sumInt: AggregateImpl<bigint | null> = {
  name: 'sum', argTypes: [INT], returnType: BIG, strict: true,
  init: () => null, step: (s, a) => (s ?? 0n) + BigInt(a[0] as number), final: (s) => s,
}
/** sum over int4 with an inverse, under another name so the executor's int fast path does not apply. */
export const movingSum: AggregateImpl<{ n: number; sum: number }> = {
  name: 'msum', argTypes: [INT], returnType: INT, strict: true,
  init: () => ({ n: 0, sum: 0 }),
  step: (s, a) => ({ n: s.n + 1, sum: s.sum + (a[0] as number) }),
  inverse: (s, a) => ({ n: s.n - 1, sum: s.sum - (a[0] as number) }),
  final: (s) => (s.n === 0 ? null : s.sum),
}
/** Like movingSum without an inverse (forces recomputation per frame). */
export const plainSum: AggregateImpl<{ n: number; sum: number }> = { ...movingSum, name: 'psum', inverse: undefined }
export const maxInt: AggregateImpl<number | null> = {
  name: 'max', argTypes: [INT], returnType: INT, strict: true,
  init: () => null, step: (s, a) => (s === null || (a[0] as number) > s ? (a[0] as number) : s), final: (s) => s,
}
export const arrayAgg: AggregateImpl<SqlValue[] | null> = {
  name: 'array_agg', argTypes: [INT], returnType: typeOf('array'), strict: false,
  init: () => null, step: (s, a) => [...(s ?? []), a[0]], final: (s) => s,
}

// ---- nodes ----

export function valuesNode(names: string[], rows: SqlValue[][], types?: SqlType[]): ValuesNode {
  const output = names.map((n, i) => pc(n, types?.[i] ?? INT))
  return { kind: 'Values', output, rows: rows.map((r) => r.map((v, i) => lit(v, output[i].type))) }
}

export function asc(e: BoundExpr, nullsFirst = false): SortKey {
  return { expr: e, descending: false, nullsFirst }
}

export function desc(e: BoundExpr, nullsFirst = true): SortKey {
  return { expr: e, descending: true, nullsFirst }
}

export function tableDef(id: number, name: string, columns: [string, SqlType][], primaryKey: number[] | null, extra: Partial<TableDef> = {}): TableDef {
  return {
    id,
    schema: 'public',
    name,
    columns: columns.map(([n, type]) => ({ name: n, type, notNull: false, default: null, identity: null })),
    primaryKey,
    primaryKeyName: primaryKey === null ? null : `${name}_pkey`,
    uniques: [],
    checks: [],
    foreignKeys: [],
    indexes: [],
    ...extra,
  }
}

export function makeCtx(access = new FakeAccess(), extra: Partial<ExecContext> = {}): ExecContext {
  return { access, params: [], deadline: Infinity, now: 0, affectedRows: 0, ...extra }
}

/** Runs a plan and returns its rows (row-major). */
export function runRows(plan: PlanNode, ctx: ExecContext = makeCtx()): SqlValue[][] {
  const rows: SqlValue[][] = []
  for (const b of executePlan(plan, ctx)) rows.push(...toRows(b))
  return rows
}

export function toRows(b: Batch): SqlValue[][] {
  const rows: SqlValue[][] = []
  for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => c[i]))
  return rows
}

/** Sorts rows for order-insensitive comparisons. */
export function sorted(rows: SqlValue[][]): SqlValue[][] {
  return rows.slice().sort((a, b) => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big)))
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v
}
