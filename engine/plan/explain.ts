/**
 * EXPLAIN: a plan tree as text lines, PostgreSQL-style, with estimated rows and, for EXPLAIN ANALYZE,
 * actual rows, loops and time per operator.
 * Owns: the text form of plans and bound expressions.
 */
import { formatValue } from '../common/index.js'
import type { BoundExpr } from './bound-expr.js'
import type { PlanNode } from './plan-node.js'
import { estimate } from './binder/from-binder.js'

export interface NodeStats {
  rows: number
  loops: number
  timeMs: number
}

const OPERATORS = new Set(['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^', '||', '~~', '!~~', '~~*', '!~~*', '->', '->>', '@>', '<@', '&', '|', '#', '<<', '>>'])

/** The lines of EXPLAIN output for a plan. */
export function explainPlan(plan: PlanNode, stats?: ReadonlyMap<PlanNode, NodeStats>): string[] {
  const names = new Map<number, string>()
  const collect = (p: PlanNode): void => {
    for (const c of p.output) if (!names.has(c.id)) names.set(c.id, c.name)
    for (const child of inputs(p)) collect(child)
    if (p.kind === 'SeqScan' || p.kind === 'IndexScan') (p.read ?? p.output).forEach((c) => names.set(c.id, `${p.table.name}.${c.name}`))
  }
  collect(plan)
  const lines: string[] = []
  const expr = (e: BoundExpr): string => printExpr(e, names)
  const walk = (p: PlanNode, depth: number): void => {
    const pad = depth === 0 ? '' : ' '.repeat(depth * 6 - 6) + '->  '
    const detailPad = ' '.repeat(depth === 0 ? 2 : depth * 6)
    const st = stats?.get(p)
    const actual = st === undefined ? (stats === undefined ? '' : ' (never executed)') : ` (actual time=${st.timeMs.toFixed(3)} rows=${Math.round(st.rows / Math.max(1, st.loops))} loops=${st.loops})`
    lines.push(`${pad}${title(p)}  (rows=${estimate(p)})${actual}`)
    for (const d of details(p, expr)) lines.push(`${detailPad}${d}`)
    for (const child of inputs(p)) walk(child, depth + 1)
  }
  walk(plan, 0)
  return lines
}

const LOCK_WORDS = ['FOR KEY SHARE', 'FOR SHARE', 'FOR NO KEY UPDATE', 'FOR UPDATE']

function title(p: PlanNode): string {
  switch (p.kind) {
    case 'SeqScan':
      return `${p.lower !== null || p.upper !== null ? 'Primary Key Range Scan' : 'Seq Scan'}${p.reverse ? ' Backward' : ''} on ${p.table.name}`
    case 'IndexScan':
      return `Index Scan${p.reverse ? ' Backward' : ''} using ${p.index.name} on ${p.table.name}`
    case 'HashJoin':
      return `Hash ${joinName(p.joinType)}`
    case 'NestedLoopJoin':
      return `Nested Loop${p.joinType === 'INNER' ? '' : ' ' + joinName(p.joinType).replace(' Join', '')}`
    case 'IndexJoin':
      return `Index Nested Loop ${joinName(p.joinType)} on ${p.table.name}`
    case 'Aggregate':
      return p.groupBy.length === 0 ? 'Aggregate' : p.sorted === true ? 'GroupAggregate' : 'HashAggregate'
    case 'SetOp':
      return `${p.op[0]}${p.op.slice(1).toLowerCase()}${p.all ? ' All' : ''}`
    case 'CteScan':
      return `CTE Scan (cte ${p.cteId})`
    case 'FunctionScan':
      return `Function Scan on ${p.name}`
    case 'Values':
      return p.output.length === 0 && p.rows.length === 1 ? 'Result' : 'Values Scan'
    case 'RecursiveUnion':
      return 'Recursive Union'
    case 'Distinct':
      return p.on.length > 0 ? 'Unique (DISTINCT ON)' : 'HashDistinct'
    default:
      return p.kind
  }
}

function joinName(t: string): string {
  return t === 'INNER' ? 'Join' : t === 'SEMI' ? 'Semi Join' : t === 'ANTI' ? 'Anti Join' : `${t[0]}${t.slice(1).toLowerCase()} Join`
}

function details(p: PlanNode, expr: (e: BoundExpr) => string): string[] {
  const out: string[] = []
  switch (p.kind) {
    case 'SeqScan':
    case 'IndexScan':
      if (p.lower !== null) out.push(`Lower Bound: (${p.lower.values.map(expr).join(', ')})${p.lower.inclusive ? '' : ' exclusive'}`)
      if (p.upper !== null) out.push(`Upper Bound: (${p.upper.values.map(expr).join(', ')})${p.upper.inclusive ? '' : ' exclusive'}`)
      if (p.filter !== null) out.push(`Filter: ${expr(p.filter)}`)
      break
    case 'Filter':
      out.push(`Filter: ${expr(p.predicate)}`)
      break
    case 'HashJoin':
      out.push(`Hash Cond: ${p.leftKeys.map((k, i) => `(${expr(k)} = ${expr(p.rightKeys[i])})`).join(' AND ')}`)
      if (p.residual !== null) out.push(`Join Filter: ${expr(p.residual)}`)
      break
    case 'NestedLoopJoin':
      if (p.condition !== null) out.push(`Join Filter: ${expr(p.condition)}`)
      break
    case 'IndexJoin':
      out.push(`Index Cond: (${p.keys.map(expr).join(', ')})`)
      break
    case 'Aggregate':
      if (p.groupBy.length > 0) out.push(`Group Key: ${p.groupBy.map(expr).join(', ')}`)
      break
    case 'Sort':
      out.push(`Sort Key: ${p.keys.map((k) => `${expr(k.expr)}${k.descending ? ' DESC' : ''}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ')}`)
      break
    case 'LockRows':
      out.push(`Lock: ${p.targets.map((t) => `${t.table.name} ${LOCK_WORDS[t.mode]}${t.policy === 'nowait' ? ' NOWAIT' : t.policy === 'skip' ? ' SKIP LOCKED' : ''}`).join(', ')}`)
      break
    case 'Limit':
      if (p.limit !== null) out.push(`Limit: ${expr(p.limit)}`)
      if (p.offset !== null) out.push(`Offset: ${expr(p.offset)}`)
      break
    default:
      break
  }
  return out
}

/** Child plans of a node, in display order. */
export function inputs(p: PlanNode): PlanNode[] {
  switch (p.kind) {
    case 'Values':
    case 'SeqScan':
    case 'IndexScan':
    case 'CteScan':
    case 'FunctionScan':
      return []
    case 'NestedLoopJoin':
    case 'HashJoin':
    case 'SetOp':
      return [p.left, p.right]
    case 'RecursiveUnion':
      return [p.anchor, p.recursive]
    case 'With':
      return [...p.ctes.map((c) => c.plan), p.input]
    case 'Filter':
    case 'Project':
    case 'IndexJoin':
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Limit':
    case 'LockRows':
    case 'Distinct':
    case 'Insert':
    case 'Update':
    case 'Delete':
      return [p.kind === 'IndexJoin' ? p.left : p.input]
  }
}

/** A bound expression as SQL-like text. */
export function printExpr(e: BoundExpr, names: ReadonlyMap<number, string>): string {
  const p = (x: BoundExpr): string => printExpr(x, names)
  switch (e.kind) {
    case 'Const':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${formatValue(e.value, e.type).replace(/'/g, "''")}'` : formatValue(e.value, e.type)
    case 'Param':
      return `$${e.index + 1}`
    case 'Column':
    case 'OuterColumn':
      return names.get(e.id) ?? `#${e.id}`
    case 'Call':
      if (OPERATORS.has(e.impl.name) && e.args.length === 2) return `(${p(e.args[0])} ${e.impl.name} ${p(e.args[1])})`
      if (OPERATORS.has(e.impl.name) && e.args.length === 1) return `(${e.impl.name}${p(e.args[0])})`
      return `${e.impl.name}(${e.args.map(p).join(', ')})`
    case 'Cast':
      return `(${p(e.arg)})::${e.type.id}`
    case 'And':
    case 'Or':
      return `(${e.args.map(p).join(` ${e.kind.toUpperCase()} `)})`
    case 'Not':
      return `(NOT ${p(e.arg)})`
    case 'IsNull':
      return `(${p(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`
    case 'IsBool':
      return `(${p(e.arg)} IS ${e.negated ? 'NOT ' : ''}${e.test})`
    case 'Case':
      return `CASE ${e.whens.map((w) => `WHEN ${p(w.when)} THEN ${p(w.then)}`).join(' ')}${e.else === null ? '' : ` ELSE ${p(e.else)}`} END`
    case 'Coalesce':
      return `COALESCE(${e.args.map(p).join(', ')})`
    case 'InList':
      return `(${p(e.arg)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(p).join(', ')}))`
    case 'Subquery':
      return '(SubPlan)'
    case 'Exists':
      return `(${e.negated ? 'NOT ' : ''}EXISTS(SubPlan))`
    case 'Quantified':
      return `(${p(e.arg)} ${e.op.name} ${e.quantifier}(SubPlan))`
  }
}
