/**
 * Query binder and planner: SELECT, VALUES, set operations, WITH, ORDER BY, LIMIT to a physical plan.
 * Owns: the shape of a query's plan: FROM (from-binder.ts) -> WHERE -> Aggregate -> HAVING -> Window ->
 * Project -> DISTINCT -> Sort -> LockRows (FOR UPDATE/SHARE) -> Limit -> trim hidden sort and row-key columns.
 * Invariants:
 *   (1) After aggregation an expression reads only group keys and aggregate results: subtrees equal to a
 *       GROUP BY expression are replaced by the group column; any other column is 42803.
 *   (2) ORDER BY resolves, in PostgreSQL's order: an ordinal, an output column name, then an expression
 *       over the input (added as a hidden column that is removed after the sort).
 *   (3) The plan's top-level output has exactly the query's visible columns, named as the client sees them.
 * Not here: DML (dml-binder.ts), expressions (expr-binder.ts).
 */
import { type SqlType, typeOf, typeName } from '../../common/index.js'
import type { TableDef } from '../../catalog/schema.js'
import { LockMode } from '../../txn/lock-manager.js'
import { resolveTableFunction } from '../../catalog/functions/index.js'
import { parseOne } from '../../sql/index.js'
import type * as ast from '../../sql/index.js'
import type { BoundExpr } from '../bound-expr.js'
import type { IndexScanNode, LockRowsNode, PlanColumn, PlanNode, ProjectNode, SeqScanNode, SortKey } from '../plan-node.js'
import { column, columnIds, conjuncts, constant, mapExpr, sameExpr } from './bound-util.js'
import { systemRelation } from './system-views.js'
import { prunePlan } from '../optimizer-prune.js'
import { type CteBinding, type PlanContext, QueryLevel, type ScopeColumn, type ScopeRelation } from './context.js'
import { AggregateCollector, ExprBinder, type ExprScope } from './expr-binder.js'
import { type JoinLeaf, applyToLeaf, estimate, estimates, joinPlans, naiveJoins, planJoins, tableScan } from './from-binder.js'

const TEXT = typeOf('text')

/** A planned query: its plan, and the level it was bound in (for correlation). */
export interface PlannedQuery {
  readonly plan: PlanNode
  readonly level: QueryLevel
}

export class QueryBinder {
  readonly exprs: ExprBinder
  /** The level whose base-table scans return row keys (a SELECT ... FOR UPDATE being bound). */
  #rowKeyLevel: QueryLevel | null = null

  constructor(readonly ctx: PlanContext) {
    // Subquery plans are pruned when they are made: the plan rewrite of the statement does not enter them.
    this.exprs = new ExprBinder((query, parent) => {
      const planned = this.planQuery(query, parent)
      return ctx.options.naive === true ? planned : { plan: prunePlan(planned.plan), level: planned.level }
    })
  }

  /** A whole query (WITH, body, ORDER BY, LIMIT) in a new level below `parent`. */
  planQuery(q: ast.Query, parent: QueryLevel | null): PlannedQuery {
    const level = new QueryLevel(parent)
    const ctes = q.with === null ? [] : this.#bindWith(q.with, level)
    try {
      let plan: PlanNode
      const body = q.body
      if (body.kind === 'Select') {
        plan = this.#planSelect(body, level, q.orderBy, q.limit, q.offset, q.locking)
      } else {
        if (q.locking.length > 0) throw this.ctx.error('0A000', `${lockingName(q.locking[0])} is not allowed with UNION/INTERSECT/EXCEPT`, q.locking[0].start)
        plan = this.planBody(body, level)
        plan = this.#orderOutput(plan, q.orderBy, level)
        plan = this.#limit(plan, q.limit, q.offset, level)
      }
      if (ctes.length > 0) plan = Object.freeze({ kind: 'With', output: plan.output, ctes, input: plan })
      return { plan, level }
    } finally {
      if (q.with !== null) this.ctx.ctes.pop()
    }
  }

  /** SELECT / VALUES / set operation / parenthesized query, without the outer ORDER BY. */
  planBody(body: ast.QueryBody, level: QueryLevel): PlanNode {
    switch (body.kind) {
      case 'Select':
        return this.#planSelect(body, level, [], null, null)
      case 'Values':
        return this.#planValues(body, level)
      case 'SetOperation':
        return this.#planSetOp(body, level)
      case 'Query': {
        const inner = this.planQuery(body, level.parent)
        for (const id of inner.level.outerRefs) level.outerRefs.add(id)
        return inner.plan
      }
    }
  }

  /** The join tree of inner-joined leaves: optimized, or naive when the optimizer is off. */
  joins(leaves: JoinLeaf[], preds: readonly BoundExpr[]): PlanNode {
    return this.ctx.options.naive === true ? naiveJoins(leaves, preds) : planJoins(leaves, preds)
  }

  scope(level: QueryLevel, clause: string, aggregates: AggregateCollector | null = null, allowWindows = false, namedWindows?: ReadonlyMap<string, ast.WindowSpec>): ExprScope {
    return { ctx: this.ctx, level, aggregates, allowWindows, clause, namedWindows }
  }

  // ---- WITH ----------------------------------------------------------------------------------

  #bindWith(w: ast.WithClause, level: QueryLevel): { id: number; plan: PlanNode }[] {
    const frame = new Map<string, CteBinding>()
    this.ctx.ctes.push(frame)
    const out: { id: number; plan: PlanNode }[] = []
    for (const cte of w.ctes) {
      if (cte.statement.kind !== 'Query') throw this.ctx.error('0A000', 'data-modifying statements in WITH are not supported', cte.start)
      if (frame.has(cte.name)) throw this.ctx.error('42712', `WITH query name "${cte.name}" specified more than once`, cte.start)
      const id = this.ctx.newId()
      const q = cte.statement
      let plan: PlanNode
      if (w.recursive && q.body.kind === 'SetOperation' && q.body.op === 'UNION' && references(q.body.right, cte.name)) {
        const sideLevel = (): QueryLevel => new QueryLevel(level.parent)
        const anchorLevel = sideLevel()
        const anchor = this.planBody(q.body.left, anchorLevel)
        if (cte.columns.length > anchor.output.length) {
          throw this.ctx.error('42P10', `WITH query "${cte.name}" has ${anchor.output.length} columns available but ${cte.columns.length} columns specified`, cte.start)
        }
        const names = [...cte.columns, ...anchor.output.slice(cte.columns.length).map((c) => c.name)]
        const types = anchor.output.map((c) => (c.type.id === 'unknown' ? TEXT : c.type))
        frame.set(cte.name, { id, names, types })
        const anchorCast = this.#castOutput(anchor, types, level)
        const recursiveLevel = sideLevel()
        const recursive = this.#castOutput(this.planBody(q.body.right, recursiveLevel), types, level, 'recursive query')
        for (const l of [anchorLevel, recursiveLevel]) for (const ref of l.outerRefs) level.outerRefs.add(ref)
        const output = names.map((name, i) => ({ id: this.ctx.newId(), name, type: types[i] }))
        plan = Object.freeze({ kind: 'RecursiveUnion', output, cteId: id, all: q.body.all, anchor: anchorCast, recursive })
        if (q.orderBy.length > 0 || q.limit !== null) plan = this.#limit(this.#orderOutput(plan, q.orderBy, level), q.limit, q.offset, level)
      } else {
        const planned = this.planQuery(q, level)
        for (const ref of planned.level.outerRefs) level.outerRefs.add(ref)
        plan = planned.plan
        const names = cte.columns.length > 0 ? cte.columns : plan.output.map((c) => c.name)
        if (names.length > plan.output.length) throw this.ctx.error('42P10', `WITH query "${cte.name}" has ${plan.output.length} columns available but ${names.length} columns specified`, cte.start)
        frame.set(cte.name, { id, names: [...names, ...plan.output.slice(names.length).map((c) => c.name)], types: plan.output.map((c) => c.type) })
      }
      out.push({ id, plan })
    }
    return out
  }

  /** Casts a plan's output positionally to `types` (set operations, recursive terms). */
  #castOutput(plan: PlanNode, types: readonly SqlType[], level: QueryLevel, what = 'UNION'): PlanNode {
    if (plan.output.length !== types.length) {
      throw this.ctx.error('42601', `each ${what} query must have the same number of columns`, undefined)
    }
    if (plan.output.every((c, i) => c.type.id === types[i].id)) return plan
    const s = this.scope(level, what)
    const exprs = plan.output.map((c, i) => this.exprs.coerce(column(c.id, c.type), types[i], s, -1, ''))
    const output = plan.output.map((c, i) => ({ id: this.ctx.newId(), name: c.name, type: types[i] }))
    return withRows(Object.freeze({ kind: 'Project', output, input: plan, exprs }), estimate(plan))
  }

  // ---- VALUES and set operations -----------------------------------------------------------------

  #planValues(v: ast.Values, level: QueryLevel): PlanNode {
    const s = this.scope(level, 'VALUES')
    const width = v.rows[0].length
    const bound = v.rows.map((row, r) => {
      if (row.length !== width) throw this.ctx.error('42601', 'VALUES lists must all be the same length', v.rows[r][0]?.start ?? v.start)
      return row.map((e) => this.exprs.bind(e, s))
    })
    const types: SqlType[] = []
    for (let c = 0; c < width; c++) {
      const col = bound.map((row) => row[c])
      const unified = this.exprs.unify(col, 'VALUES', s, v.start)
      unified.forEach((e, r) => (bound[r][c] = e))
      types.push(unified[0].type.id === 'unknown' ? TEXT : unified[0].type)
      if (unified[0].type.id === 'unknown') bound.forEach((row) => (row[c] = this.exprs.coerce(row[c], TEXT, s, v.start, '')))
    }
    const output = types.map((type, i) => ({ id: this.ctx.newId(), name: `column${i + 1}`, type }))
    return withRows(Object.freeze({ kind: 'Values', output, rows: bound }), bound.length)
  }

  #planSetOp(op: ast.SetOperation, level: QueryLevel): PlanNode {
    // Each side is its own query level (its own FROM names); correlation goes to the enclosing levels.
    const side = (body: ast.QueryBody): PlanNode => {
      const own = new QueryLevel(level.parent)
      const plan = this.planBody(body, own)
      for (const id of own.outerRefs) level.outerRefs.add(id)
      return plan
    }
    const left = side(op.left)
    const right = side(op.right)
    if (left.output.length !== right.output.length) {
      throw this.ctx.error('42601', `each ${op.op} query must have the same number of columns`, op.right.start)
    }
    const s = this.scope(level, op.op)
    const types = left.output.map((c, i) => {
      const t = this.exprs.unify(
        [{ kind: 'Const', type: c.type, value: null }, { kind: 'Const', type: right.output[i].type, value: null }],
        op.op,
        s,
        op.right.start,
      )[0].type
      return t.id === 'unknown' ? TEXT : t
    })
    const l = this.#castOutput(left, types, level, op.op)
    const r = this.#castOutput(right, types, level, op.op)
    const output = left.output.map((c, i) => ({ id: this.ctx.newId(), name: c.name, type: types[i] }))
    const rows = op.op === 'UNION' ? estimate(l) + estimate(r) : estimate(l)
    return withRows(Object.freeze({ kind: 'SetOp', output, op: op.op, all: op.all, left: l, right: r }), rows)
  }

  /** ORDER BY over a plan's output (set operations, VALUES): ordinals, names, or expressions over output. */
  #orderOutput(plan: PlanNode, orderBy: readonly ast.SortItem[], level: QueryLevel): PlanNode {
    if (orderBy.length === 0) return plan
    const outLevel = new QueryLevel(level.parent, [{ alias: '', columns: plan.output.map((c) => ({ name: c.name, id: c.id, type: c.type })) }])
    const s = this.scope(outLevel, 'ORDER BY')
    const keys = orderBy.map((item) => {
      const ord = ordinal(item.expr)
      if (ord !== undefined) {
        const c = plan.output[ord - 1]
        if (c === undefined) throw this.ctx.error('42P10', `ORDER BY position ${ord} is not in select list`, item.expr.start)
        return this.exprs.sortKey(column(c.id, c.type), item)
      }
      return this.exprs.sortKey(this.exprs.bind(item.expr, s), item)
    })
    for (const id of outLevel.outerRefs) level.outerRefs.add(id)
    return withRows(Object.freeze({ kind: 'Sort', output: plan.output, input: plan, keys }), estimate(plan))
  }

  #limit(plan: PlanNode, limit: ast.Expr | null, offset: ast.Expr | null, level: QueryLevel): PlanNode {
    if (limit === null && offset === null) return plan
    const s = this.scope(level, 'LIMIT')
    const INT8 = typeOf('int8')
    const bindCount = (e: ast.Expr, what: string): BoundExpr | null => {
      const b = this.exprs.bind(e, s)
      if (hasColumns(b)) throw this.ctx.error('42P10', `argument of ${what} must not contain variables`, e.start)
      if (b.kind === 'Const' && b.value === null) return what === 'LIMIT' ? null : b
      return this.exprs.coerce(b, INT8, s, e.start, `argument of ${what}`)
    }
    const l = limit === null ? null : bindCount(limit, 'LIMIT')
    const o = offset === null ? null : bindCount(offset, 'OFFSET')
    const n = l !== null && l.kind === 'Const' && typeof l.value === 'bigint' ? Number(l.value) : estimate(plan)
    return withRows(Object.freeze({ kind: 'Limit', output: plan.output, input: plan, limit: l, offset: o }), Math.min(n, estimate(plan)))
  }

  // ---- SELECT --------------------------------------------------------------------------------

  #planSelect(
    sel: ast.Select,
    level: QueryLevel,
    orderBy: readonly ast.SortItem[],
    limit: ast.Expr | null,
    offset: ast.Expr | null,
    locking: readonly ast.LockingClause[] = [],
  ): PlanNode {
    if (locking.length > 0) {
      const what = sel.distinct || (sel.distinctOn?.length ?? 0) > 0 ? 'DISTINCT clause' : sel.groupBy.length > 0 ? 'GROUP BY clause' : sel.having !== null ? 'HAVING clause' : sel.windows.length > 0 ? 'window functions' : null
      if (what !== null) throw this.ctx.error('0A000', `${lockingName(locking[0])} is not allowed with ${what}`, locking[0].start)
    }
    // FROM and WHERE
    const leaves: JoinLeaf[] = []
    const preds: BoundExpr[] = []
    const savedRowKeys = this.#rowKeyLevel
    if (locking.length > 0) this.#rowKeyLevel = level
    try {
      for (const item of sel.from) this.fromItem(item, level, leaves, preds)
    } finally {
      this.#rowKeyLevel = savedRowKeys
    }
    if (sel.where !== null) {
      const w = this.exprs.coerce(this.exprs.bind(sel.where, this.scope(level, 'WHERE')), { id: 'bool' }, this.scope(level, 'WHERE'), sel.where.start, 'argument of WHERE')
      preds.push(...conjuncts(w))
    }
    let plan: PlanNode
    if (leaves.length === 0) {
      plan = withRows(Object.freeze({ kind: 'Values', output: [], rows: [[]] }), 1)
      if (preds.length > 0) plan = applyToLeaf(plan, preds)
    } else {
      plan = this.joins(leaves, preds)
    }

    // Bind the select list, HAVING and ORDER BY expressions (collecting aggregates and windows).
    const named = new Map<string, ast.WindowSpec>(sel.windows.map((w) => [w.name, w.spec]))
    const collector = new AggregateCollector()
    const listScope = this.scope(level, 'SELECT', collector, true, named)
    const items: { name: string; expr: BoundExpr }[] = []
    for (const t of sel.targets) {
      if (t.expr.kind === 'Star') {
        for (const c of this.#expandStar(t.expr, level)) items.push({ name: c.name, expr: column(c.id, c.type) })
        continue
      }
      if (t.expr.kind === 'ColumnRef' && t.expr.column === '*') {
        for (const c of this.#expandStar({ kind: 'Star', start: t.expr.start, end: t.expr.end, table: { kind: 'QualifiedName', start: t.expr.start, end: t.expr.end, catalog: null, schema: t.expr.schema, name: t.expr.table ?? '' } }, level)) {
          items.push({ name: c.name, expr: column(c.id, c.type) })
        }
        continue
      }
      items.push({ name: t.alias ?? outputName(t.expr), expr: this.exprs.bind(t.expr, listScope) })
    }
    const having = sel.having === null ? null : this.exprs.coerce(this.exprs.bind(sel.having, this.scope(level, 'HAVING', collector, false)), { id: 'bool' }, listScope, sel.having.start, 'argument of HAVING')

    // GROUP BY: ordinals and output names refer to the select list; otherwise an input expression.
    const groupScope = this.scope(level, 'GROUP BY')
    const groupBy: BoundExpr[] = []
    for (const g of sel.groupBy) {
      if (g.kind === 'GroupingSet') {
        if (g.type === 'EMPTY') continue
        throw this.ctx.error('0A000', `${g.type} grouping sets are not supported`, g.start)
      }
      const ord = ordinal(g)
      if (ord !== undefined) {
        const item = items[ord - 1]
        if (item === undefined) throw this.ctx.error('42P10', `GROUP BY position ${ord} is not in select list`, g.start)
        groupBy.push(item.expr)
        continue
      }
      if (g.kind === 'ColumnRef' && g.table === null) {
        let inInput = true
        try {
          this.exprs.bind(g, groupScope)
        } catch {
          inInput = false
        }
        const alias = items.find((i) => i.name === g.column)
        if (!inInput && alias !== undefined) {
          groupBy.push(alias.expr)
          continue
        }
      }
      groupBy.push(this.exprs.bind(g, groupScope))
    }

    // A GROUP BY that names a select item (ordinal or alias) must not name an aggregate or window result.
    const computed = new Set([...collector.aggregates.map((a) => a.id), ...collector.windows.map((w) => w.id)])
    for (const g of groupBy) {
      if ([...columnIds(g)].some((id) => computed.has(id))) {
        throw this.ctx.error('42803', 'aggregate functions are not allowed in GROUP BY', sel.groupBy[0]?.start)
      }
    }

    // ORDER BY items (invariant (2)); bound before aggregation so they may add aggregates.
    type OrderItem = { item: ast.SortItem; output?: number; expr?: BoundExpr }
    const order: OrderItem[] = orderBy.map((item) => {
      const ord = ordinal(item.expr)
      if (ord !== undefined) {
        if (ord < 1 || ord > items.length) throw this.ctx.error('42P10', `ORDER BY position ${ord} is not in select list`, item.expr.start)
        return { item, output: ord - 1 }
      }
      if (item.expr.kind === 'ColumnRef' && item.expr.table === null) {
        const name = item.expr.column
        const matches = items.map((it, i) => (it.name === name ? i : -1)).filter((i) => i >= 0)
        if (matches.length > 1 && !matches.every((m) => sameExpr(items[m].expr, items[matches[0]].expr))) {
          throw this.ctx.error('42702', `ORDER BY "${name}" is ambiguous`, item.expr.start)
        }
        if (matches.length > 0) return { item, output: matches[0] }
      }
      return { item, expr: this.exprs.bind(item.expr, this.scope(level, 'ORDER BY', collector, true, named)) }
    })

    // Aggregate node (invariant (1)).
    let rewrite = (e: BoundExpr): BoundExpr => e
    if (groupBy.length > 0 || collector.aggregates.length > 0 || having !== null) {
      const groupOut: PlanColumn[] = groupBy.map((g) => ({ id: g.kind === 'Column' ? g.id : this.ctx.newId(), name: '?group?', type: g.type }))
      const aggOut: PlanColumn[] = collector.aggregates.map((a) => ({ id: a.id, name: a.name, type: a.type }))
      const inputRows = estimate(plan)
      // Input already in GROUP BY order (a key or index scan): groups finish one after another and stream.
      const ordered =
        groupBy.length > 0 && this.ctx.options.naive !== true ? orderedBy(plan, groupBy.map((expr) => ({ expr, descending: false, nullsFirst: false })), false) : undefined
      if (ordered !== undefined) plan = ordered
      plan = withRows(
        Object.freeze({
          kind: 'Aggregate',
          output: [...groupOut, ...aggOut],
          input: plan,
          groupBy,
          aggregates: collector.aggregates.map((a) => a.call),
          ...(ordered !== undefined ? { sorted: true } : {}),
        }),
        groupBy.length === 0 ? 1 : Math.max(1, inputRows / 10),
      )
      const allowed = new Set([...groupOut, ...aggOut].map((c) => c.id))
      const names = columnNames(level)
      rewrite = (e) =>
        mapExpr(e, (x) => {
          const g = groupBy.findIndex((gb) => sameExpr(gb, x))
          if (g >= 0) return column(groupOut[g].id, groupOut[g].type)
          if (x.kind === 'Column' && !allowed.has(x.id)) {
            const name = names.get(x.id) ?? 'column'
            throw this.ctx.error('42803', `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, undefined)
          }
          if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'Quantified') {
            for (const id of x.outerRefs) {
              if (!allowed.has(id) && names.has(id)) {
                throw this.ctx.error('42803', `subquery uses ungrouped column "${names.get(id)}" from outer query`, undefined)
              }
            }
          }
          return undefined
        })
      if (having !== null) plan = applyToLeaf(plan, conjuncts(rewrite(having)))
    }

    // Window node.
    if (collector.windows.length > 0) {
      const functions = collector.windows.map((w) => ({
        ...w.call,
        args: w.call.args.map(rewrite),
        filter: w.call.filter === null ? null : rewrite(w.call.filter),
        partitionBy: w.call.partitionBy.map(rewrite),
        orderBy: w.call.orderBy.map((k) => ({ ...k, expr: rewrite(k.expr) })),
      }))
      const output = [...plan.output, ...collector.windows.map((w) => ({ id: w.id, name: w.name, type: w.call.type }))]
      plan = withRows(Object.freeze({ kind: 'Window', output, input: plan, functions }), estimate(plan))
    }

    // Projection with hidden ORDER BY columns.
    const finalItems = items.map((it) => ({ name: it.name, expr: rewrite(it.expr) }))
    const sortKeys: { index: number; item: ast.SortItem }[] = []
    const hidden: BoundExpr[] = []
    for (const o of order) {
      if (o.output !== undefined) {
        sortKeys.push({ index: o.output, item: o.item })
        continue
      }
      const e = rewrite(o.expr as BoundExpr)
      const match = finalItems.findIndex((it) => sameExpr(it.expr, e))
      if (match >= 0) {
        sortKeys.push({ index: match, item: o.item })
        continue
      }
      if (sel.distinct || sel.distinctOn !== null && sel.distinctOn.length === 0) {
        throw this.ctx.error('42P10', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', o.item.expr.start)
      }
      sortKeys.push({ index: finalItems.length + hidden.length, item: o.item })
      hidden.push(e)
    }
    if (locking.length > 0 && (collector.aggregates.length > 0 || collector.windows.length > 0)) {
      throw this.ctx.error('0A000', `${lockingName(locking[0])} is not allowed with ${collector.aggregates.length > 0 ? 'aggregate functions' : 'window functions'}`, locking[0].start)
    }
    const locks = this.#lockTargets(locking, level)
    const lockStart = finalItems.length + hidden.length
    for (const l of locks) hidden.push(l.key)
    const exprs = [...finalItems.map((i) => i.expr), ...hidden]
    const output: PlanColumn[] = exprs.map((e, i) => ({
      id: this.ctx.newId(),
      name: i < finalItems.length ? finalItems[i].name : '?sort?',
      type: e.type.id === 'unknown' ? TEXT : e.type,
    }))
    const projected = exprs.map((e, i) => (e.type.id === 'unknown' ? this.exprs.coerce(e, TEXT, listScope, -1, '') : e))
    plan = withRows(Object.freeze({ kind: 'Project', output, input: plan, exprs: projected }), estimate(plan))

    // DISTINCT / DISTINCT ON.
    if (sel.distinctOn !== null && sel.distinctOn.length > 0) {
      const s = this.scope(level, 'DISTINCT ON', collector, true, named)
      const on = sel.distinctOn.map((d) => {
        const ord = ordinal(d)
        if (ord !== undefined) {
          if (ord < 1 || ord > finalItems.length) throw this.ctx.error('42P10', `SELECT DISTINCT ON position ${ord} is not in select list`, d.start)
          return column(output[ord - 1].id, output[ord - 1].type)
        }
        const e = rewrite(this.exprs.bind(d, s))
        const m = finalItems.findIndex((it) => sameExpr(it.expr, e))
        if (m < 0) throw this.ctx.error('0A000', 'DISTINCT ON expressions that are not in the select list are not supported', d.start)
        return column(output[m].id, output[m].type)
      })
      // DISTINCT ON keeps the first row per key in ORDER BY order: sort first.
      if (sortKeys.length > 0) plan = this.#sort(plan, sortKeys.map((k) => this.exprs.sortKey(column(output[k.index].id, output[k.index].type), k.item)))
      plan = withRows(Object.freeze({ kind: 'Distinct', output: plan.output, input: plan, on }), estimate(plan))
    } else if (sel.distinct) {
      plan = withRows(Object.freeze({ kind: 'Distinct', output: plan.output, input: plan, on: [] }), estimate(plan))
      if (sortKeys.length > 0) plan = this.#sort(plan, sortKeys.map((k) => this.exprs.sortKey(column(output[k.index].id, output[k.index].type), k.item)))
    } else if (sortKeys.length > 0) {
      plan = this.#sort(plan, sortKeys.map((k) => this.exprs.sortKey(column(output[k.index].id, output[k.index].type), k.item)), limit !== null)
    }
    if (locks.length > 0) {
      const targets = locks.map((l, i) => ({ table: l.table, keyId: output[lockStart + i].id, mode: l.mode, policy: l.policy }))
      const node: LockRowsNode = Object.freeze({ kind: 'LockRows', output: plan.output, input: plan, targets, streaming: limit !== null || offset !== null })
      plan = withRows(node, estimate(plan))
    }
    plan = this.#limit(plan, limit, offset, level)
    if (hidden.length > 0) {
      const visible = output.slice(0, finalItems.length)
      plan = withRows(Object.freeze({ kind: 'Project', output: visible, input: plan, exprs: visible.map((c) => column(c.id, c.type)) }), estimate(plan))
    }
    return plan
  }

  /**
   * The base tables FOR UPDATE / SHARE locks (every one in FROM, or those named after OF), with the row-key
   * column their scans return (#rowKeyLevel), the strongest mode and the wait policy asked for each.
   */
  #lockTargets(locking: readonly ast.LockingClause[], level: QueryLevel): { table: TableDef; key: BoundExpr; mode: LockMode; policy: 'wait' | 'nowait' | 'skip' }[] {
    const out = new Map<ScopeRelation, { table: TableDef; key: BoundExpr; mode: LockMode; policy: 'wait' | 'nowait' | 'skip' }>()
    for (const clause of locking) {
      const mode = clause.strength === 'UPDATE' ? LockMode.UPDATE : clause.strength === 'NO KEY UPDATE' ? LockMode.NO_KEY_UPDATE : clause.strength === 'SHARE' ? LockMode.SHARE : LockMode.KEY_SHARE
      const policy = clause.wait === 'NOWAIT' ? 'nowait' : clause.wait === 'SKIP LOCKED' ? 'skip' : 'wait'
      let rels: ScopeRelation[]
      if (clause.of.length === 0) rels = level.relations.filter((r) => r.table !== undefined)
      else {
        rels = clause.of.map((name) => {
          const rel = level.relations.find((r) => r.alias === name.name)
          if (rel === undefined) throw this.ctx.error('42P01', `relation "${name.name}" in ${lockingName(clause)} clause not found in FROM clause`, name.start)
          if (rel.table === undefined) throw this.ctx.error('0A000', `${lockingName(clause)} can only lock rows of tables; "${name.name}" is not a table`, name.start)
          return rel
        })
      }
      for (const rel of rels) {
        const key = rel.columns.find((c) => c.name === 'ctid' && c.hidden === true)
        if (rel.table === undefined || key === undefined) continue
        const prev = out.get(rel)
        const strongest = prev === undefined || mode > prev.mode ? mode : prev.mode
        out.set(rel, { table: rel.table, key: column(key.id, key.type), mode: strongest, policy: prev?.policy === 'nowait' ? 'nowait' : policy })
      }
    }
    return [...out.values()]
  }

  /** A Sort by `keys` over `plan`, or `plan` itself when its scan already delivers that order (orderedBy). */
  #sort(plan: PlanNode, keys: SortKey[], limited = false): PlanNode {
    if (this.ctx.options.naive !== true) {
      const ordered = orderedBy(plan, keys, limited)
      if (ordered !== undefined) return ordered
    }
    return withRows(Object.freeze({ kind: 'Sort', output: plan.output, input: plan, keys }), estimate(plan))
  }

  #expandStar(star: ast.Star, level: QueryLevel): ScopeColumn[] {
    const rels = star.table === null ? level.relations : level.relations.filter((r) => r.alias === star.table?.name)
    if (star.table !== null && rels.length === 0) throw this.ctx.error('42P01', `missing FROM-clause entry for table "${star.table.name}"`, star.start)
    if (star.table === null && rels.length === 0) throw this.ctx.error('42601', 'SELECT * with no tables specified is not valid', star.start)
    return rels.flatMap((r) => r.columns.filter((c) => c.hidden !== true && (star.table !== null || c.qualifiedOnly !== true)))
  }

  // ---- FROM ------------------------------------------------------------------------------------

  /** Adds one FROM item: inner joins flatten into `leaves` + `preds`; outer joins become one leaf. */
  fromItem(item: ast.FromItem, level: QueryLevel, leaves: JoinLeaf[], preds: BoundExpr[]): void {
    if (item.kind === 'JoinRef' && (item.joinType === 'INNER' || item.joinType === 'CROSS') && item.alias === null) {
      this.fromItem(item.left, level, leaves, preds)
      const before = level.relations.length
      this.fromItem(item.right, level, leaves, preds)
      preds.push(...this.#joinCondition(item, level, before))
      return
    }
    if (item.kind === 'JoinRef') {
      const { plan, relations } = this.#outerJoin(item, level)
      level.relations.push(...relations)
      leaves.push({ plan, ids: new Set(plan.output.map((c) => c.id)), rows: estimate(plan) })
      return
    }
    const { plan, relation, lateral } = this.#relation(item, level)
    if (level.relations.some((r) => r.alias === relation.alias && relation.alias !== '')) {
      throw this.ctx.error('42712', `table name "${relation.alias}" specified more than once`, item.start)
    }
    level.relations.push(relation)
    if (lateral === true) {
      // Everything before a LATERAL item that reads it becomes its left side, re-running it per left row.
      const left = this.joins(leaves.splice(0), preds.splice(0))
      const joined = joinPlans('INNER', left, plan, [], estimate(left) * estimate(plan), true)
      leaves.push({ plan: joined, ids: new Set(joined.output.map((c) => c.id)), rows: estimate(joined) })
      return
    }
    leaves.push({ plan, ids: new Set(plan.output.map((c) => c.id)), rows: estimate(plan) })
  }

  /** ON / USING / NATURAL conditions of a join whose right relations start at `rightStart`. */
  #joinCondition(j: ast.JoinRef, level: QueryLevel, rightStart: number): BoundExpr[] {
    const s = this.scope(level, 'JOIN conditions')
    if (j.on !== null) return conjuncts(this.exprs.coerce(this.exprs.bind(j.on, s), { id: 'bool' }, s, j.on.start, 'argument of JOIN/ON'))
    const leftRels = level.relations.slice(0, rightStart)
    const rightRels = level.relations.slice(rightStart)
    let names: readonly string[] = j.using ?? []
    if (j.natural) {
      const leftNames = new Set(leftRels.flatMap((r) => r.columns.filter((c) => !c.hidden).map((c) => c.name)))
      names = [...new Set(rightRels.flatMap((r) => r.columns.filter((c) => !c.hidden && leftNames.has(c.name)).map((c) => c.name)))]
    }
    const out: BoundExpr[] = []
    for (const name of names) {
      const find = (rels: ScopeRelation[]): ScopeColumn => {
        const found = rels.flatMap((r) => r.columns.filter((c) => c.name === name && c.qualifiedOnly !== true))
        if (found.length === 0) throw this.ctx.error('42703', `column "${name}" specified in USING clause does not exist in ${rels === leftRels ? 'left' : 'right'} table`, j.start)
        return found[0]
      }
      const l = find(leftRels)
      const r = find(rightRels)
      out.push(this.exprs.operator('=', column(l.id, l.type), column(r.id, r.type), s, j.start))
      // The right column is reachable only qualified from now on.
      for (let i = rightStart; i < level.relations.length; i++) {
        const rel = level.relations[i]
        level.relations[i] = { ...rel, columns: rel.columns.map((c) => (c.id === r.id ? { ...c, qualifiedOnly: true } : c)) }
      }
    }
    return out
  }

  #outerJoin(j: ast.JoinRef, level: QueryLevel): { plan: PlanNode; relations: ScopeRelation[] } {
    // Each side is planned as its own join tree over a scratch level that shares the parent.
    const saved = level.relations
    level.relations = []
    const leftLeaves: JoinLeaf[] = []
    const leftPreds: BoundExpr[] = []
    this.fromItem(j.left, level, leftLeaves, leftPreds)
    const leftRels = level.relations
    const leftPlan = this.joins(leftLeaves, leftPreds)
    let rightRels: ScopeRelation[]
    let rightPlan: PlanNode
    let lateral = false
    if (j.right.kind === 'SubqueryRef' && j.right.lateral) {
      // LEFT JOIN LATERAL (...) ON ...: the subquery sees the left side's relations.
      level.relations = [...leftRels]
      const sub = this.#relation(j.right, level)
      rightRels = [sub.relation]
      rightPlan = sub.plan
      lateral = sub.lateral === true
    } else {
      level.relations = []
      const rightLeaves: JoinLeaf[] = []
      const rightPreds: BoundExpr[] = []
      this.fromItem(j.right, level, rightLeaves, rightPreds)
      rightRels = level.relations
      rightPlan = this.joins(rightLeaves, rightPreds)
    }
    if (lateral && (j.joinType === 'RIGHT' || j.joinType === 'FULL')) {
      throw this.ctx.error('42P10', `invalid reference to FROM-clause entry: a LATERAL subquery cannot be on the right of a ${j.joinType} JOIN`, j.right.start)
    }
    level.relations = [...leftRels, ...rightRels]
    const cond = this.#joinCondition(j, level, leftRels.length)
    const relations = level.relations
    level.relations = saved
    const joinType = j.joinType === 'CROSS' ? 'INNER' : j.joinType
    // ON conditions that read only the right side can filter it before the join (LEFT) and vice versa.
    const rightIds = new Set(rightPlan.output.map((c) => c.id))
    let right = rightPlan
    let conds = cond
    const naive = this.ctx.options.naive === true
    if (joinType === 'LEFT' && !naive && !lateral) {
      const only = cond.filter((c) => [...columnIds(c)].every((id) => rightIds.has(id)) && columnIds(c).size > 0)
      if (only.length > 0) {
        right = applyToLeaf(right, only)
        conds = cond.filter((c) => !only.includes(c))
      }
    }
    const rows = Math.max(estimate(leftPlan), estimate(right))
    return { plan: joinPlans(joinType, leftPlan, right, conds, rows, lateral, naive), relations }
  }

  /** A table, view, CTE, subquery or table function in FROM. */
  #relation(item: ast.TableRef | ast.SubqueryRef | ast.FunctionRef, level: QueryLevel): { plan: PlanNode; relation: ScopeRelation; lateral?: boolean } {
    if (item.kind === 'SubqueryRef') {
      // LATERAL: the earlier FROM items are an enclosing level, so references to them become OuterColumns
      // that a lateral nested-loop join binds from each left row.
      const parent = item.lateral ? new QueryLevel(level.parent, [...level.relations]) : level.parent
      const earlier = new Set(item.lateral ? level.relations.flatMap((r) => r.columns.map((c) => c.id)) : [])
      const planned = this.planQuery(item.query, parent)
      let lateral = false
      for (const id of planned.level.outerRefs) {
        if (earlier.has(id)) lateral = true
        else level.outerRefs.add(id)
      }
      const alias = item.alias?.name ?? ''
      return { plan: planned.plan, relation: renamed(alias, planned.plan.output, item.alias?.columns ?? []), lateral }
    }
    if (item.kind === 'FunctionRef') return this.#functionRef(item, level)
    const name = item.name
    const alias = item.alias?.name ?? name.name
    if (name.schema === null) {
      const cte = this.ctx.findCte(name.name)
      if (cte !== undefined) {
        const output = cte.names.map((n, i) => ({ id: this.ctx.newId(), name: n, type: cte.types[i] }))
        const plan = withRows(Object.freeze({ kind: 'CteScan', output, cteId: cte.id }), 100)
        return { plan, relation: renamed(alias, output, item.alias?.columns ?? []) }
      }
    }
    const schema = name.schema
    const table = this.ctx.catalog.table(schema, name.name)
    if (table !== undefined) {
      const { plan, relation } = tableScan(table, alias, () => this.ctx.newId(), this.ctx.catalog.stats(table), this.#rowKeyLevel === level)
      const cols = item.alias?.columns ?? []
      if (cols.length === 0) return { plan, relation }
      return { plan, relation: { ...relation, columns: relation.columns.map((c, i) => (c.hidden === true ? c : { ...c, name: cols[i] ?? c.name })) } }
    }
    const view = this.ctx.catalog.view(schema, name.name)
    if (view !== undefined) {
      const key = `${view.schema}.${view.name}`
      if (this.ctx.expanding.has(key)) throw this.ctx.error('42P17', `infinite recursion detected in rules for relation "${view.name}"`, item.start)
      this.ctx.expanding.add(key)
      try {
        const stmt = parseOne(view.sql)
        if (stmt.kind !== 'Query') throw this.ctx.error('XX000', `view "${view.name}" is not a query`, item.start)
        const inner = new QueryBinder(this.ctx.withSql(view.sql))
        const planned = inner.planQuery(stmt, null)
        const names = view.columns.length > 0 ? view.columns : planned.plan.output.map((c) => c.name)
        return { plan: planned.plan, relation: renamed(alias, planned.plan.output, item.alias?.columns.length ? item.alias.columns : names) }
      } finally {
        this.ctx.expanding.delete(key)
      }
    }
    const system = systemRelation(schema, name.name, this.ctx.catalog)
    if (system !== undefined) {
      const output = system.columns.map((c) => ({ id: this.ctx.newId(), name: c.name, type: c.type }))
      const rows = system.rows.map((r) => r.map((v, i) => constant(system.columns[i].type, v)))
      const plan = withRows(Object.freeze({ kind: 'Values', output, rows }), Math.max(1, rows.length))
      return { plan, relation: renamed(alias, output, item.alias?.columns ?? []) }
    }
    const full = schema === null ? name.name : `${schema}.${name.name}`
    throw this.ctx.error('42P01', `relation "${full}" does not exist`, item.start)
  }

  #functionRef(item: ast.FunctionRef, level: QueryLevel): { plan: PlanNode; relation: ScopeRelation } {
    if (item.call.kind !== 'FunctionCall') throw this.ctx.error('42601', 'a function call is expected in FROM', item.start)
    const call = item.call
    const fname = call.name.name.toLowerCase()
    const s = this.scope(new QueryLevel(level.parent, item.lateral ? [...level.relations] : []), 'functions in FROM')
    const args = call.args.map((a) => this.exprs.bind(a, s))
    const fn = resolveTableFunction(fname, args.map((a) => a.type))
    if (fn === undefined) {
      throw this.ctx.error('42883', `function ${fname}(${args.map((a) => typeName(a.type)).join(', ')}) does not exist`, item.start)
    }
    const coerced = args.map((a, i) => this.exprs.coerce(a, fn.argTypes?.[i] ?? a.type, s, item.start, ''))
    const alias = item.alias?.name ?? fname
    const names = fn.columns.length === 1 && (item.alias?.columns.length ?? 0) === 0 ? [alias] : fn.columns.map((c) => c.name)
    const output = fn.columns.map((c, i) => ({ id: this.ctx.newId(), name: names[i], type: c.type }))
    if (item.withOrdinality) throw this.ctx.error('0A000', 'WITH ORDINALITY is not supported', item.start)
    const plan = withRows(Object.freeze({ kind: 'FunctionScan', output, name: fname, args: coerced, fn: fn.fn }), 1000)
    return { plan, relation: renamed(alias, output, item.alias?.columns ?? []) }
  }
}

/** True when an expression reads a column of its input (LIMIT, OFFSET and frame offsets may not). */
export function hasColumns(e: BoundExpr): boolean {
  return columnIds(e).size > 0
}


/** "FOR UPDATE", "FOR SHARE" ... as PostgreSQL names a locking clause in messages. */
function lockingName(clause: ast.LockingClause): string {
  return `FOR ${clause.strength}`
}

function renamed(alias: string, output: readonly PlanColumn[], names: readonly string[]): ScopeRelation {
  return { alias, columns: output.map((c, i) => ({ name: names[i] ?? c.name, id: c.id, type: c.type })) }
}

function withRows<T extends PlanNode>(plan: T, rows: number): T {
  estimates.set(plan, Math.max(1, Math.round(rows)))
  return plan
}

/** An integer literal used as a position (ORDER BY 2, GROUP BY 1). */
function ordinal(e: ast.Expr): number | undefined {
  return e.kind === 'NumberLiteral' && e.isInteger ? Number(e.text) : undefined
}

/** The column name PostgreSQL gives an unaliased select-list expression. */
export function outputName(e: ast.Expr): string {
  switch (e.kind) {
    case 'ColumnRef':
      return e.column
    case 'FunctionCall':
      return e.name.name.toLowerCase()
    case 'Cast':
      return e.expr.kind === 'ColumnRef' || e.expr.kind === 'FunctionCall' || e.expr.kind === 'Cast' ? outputName(e.expr) : e.type.name.toLowerCase()
    case 'Case':
      return 'case'
    case 'Exists':
      return 'exists'
    case 'SqlValueFunction':
      return e.name.toLowerCase()
    case 'Subquery': {
      const body = e.query.body
      if (body.kind === 'Select' && body.targets.length === 1) return body.targets[0].alias ?? outputName(body.targets[0].expr)
      return '?column?'
    }
    case 'TypedLiteral':
      return e.type.name.toLowerCase()
    case 'ArrayConstructor':
      return 'array'
    default:
      return '?column?'
  }
}

/** Names of the columns a level's FROM exposes, by id (for 42803 messages). */
function columnNames(level: QueryLevel): Map<number, string> {
  const m = new Map<number, string>()
  for (const r of level.relations) for (const c of r.columns) m.set(c.id, r.alias === '' ? c.name : `${r.alias}.${c.name}`)
  return m
}

/** True when a query body mentions a relation named `name` (to detect a recursive CTE reference). */
function references(node: unknown, name: string): boolean {
  if (node === null || typeof node !== 'object') return false
  if (Array.isArray(node)) return node.some((n) => references(n, name))
  const n = node as { kind?: string; name?: { schema: string | null; name: string } }
  if (n.kind === 'TableRef' && n.name !== undefined && n.name.schema === null && n.name.name === name) return true
  return Object.values(node).some((v) => references(v, name))
}

/**
 * `plan` rewritten to deliver its rows in the order of `keys`, or undefined when it cannot: the keys must be
 * plain columns that pass through Project/Filter unchanged down to a primary-key scan (a prefix of the key,
 * all ascending or all descending) or an index scan (a prefix of the index columns, each in the index's
 * direction and NULL placement, or all of them inverted). Ties keep the scan's order, which is the order the
 * stable Sort would give them (primary-key order) only when the scan runs forward: a scan is turned backwards
 * only when no two rows can tie (the keys cover a primary key, or a unique index on NOT NULL columns).
 */
function orderedBy(plan: PlanNode, keys: readonly SortKey[], limited: boolean): PlanNode | undefined {
  const ids: number[] = []
  for (const k of keys) {
    if (k.expr.kind !== 'Column') return undefined
    ids.push(k.expr.id)
  }
  return deliver(plan, ids, keys, limited)
}

/**
 * `plan` delivering the order of `keys` (ids: the key columns' ids in `plan`'s output) through Project/Filter
 * down to a scan; under LIMIT an unbounded primary-key scan may also become a full scan of an index that has
 * the order: with few rows wanted, fetching them through the index beats sorting the table.
 */
function deliver(plan: PlanNode, ids: readonly number[], keys: readonly SortKey[], limited: boolean): PlanNode | undefined {
  switch (plan.kind) {
    case 'Project':
    case 'Filter': {
      const inner = plan.kind === 'Filter' ? ids : projectedFrom(plan, ids)
      const input = inner === undefined ? undefined : deliver(plan.input, inner, keys, limited)
      return input === undefined ? undefined : input === plan.input ? plan : withRows(Object.freeze({ ...plan, input }), estimate(plan))
    }
    case 'SeqScan':
    case 'IndexScan': {
      const ordered = scanInOrder(plan, ids, keys)
      if (ordered !== undefined || !limited || plan.kind !== 'SeqScan' || plan.lower !== null || plan.upper !== null) return ordered
      for (const index of plan.table.indexes) {
        const viaIndex: IndexScanNode = withRows(
          Object.freeze({ kind: 'IndexScan', output: plan.output, table: plan.table, index, columns: plan.columns, lower: null, upper: null, reverse: false, filter: plan.filter }),
          estimate(plan),
        )
        const indexed = scanInOrder(viaIndex, ids, keys)
        if (indexed !== undefined) return indexed
      }
      return undefined
    }
    default:
      return undefined
  }
}

/** The input column ids a Project passes through unchanged as `ids`, or undefined when one is computed. */
function projectedFrom(plan: ProjectNode, ids: readonly number[]): number[] | undefined {
  const inner: number[] = []
  for (const id of ids) {
    const i = plan.output.findIndex((c) => c.id === id)
    const e = i < 0 ? undefined : plan.exprs[i]
    if (e === undefined || e.kind !== 'Column') return undefined
    inner.push(e.id)
  }
  return inner
}

/** A scan delivering the order of `keys` as it is or read backwards (orderedBy), or undefined. */
function scanInOrder(plan: SeqScanNode | IndexScanNode, ids: readonly number[], keys: readonly SortKey[]): PlanNode | undefined {
  const table = plan.table
  const ords: number[] = []
  for (const id of ids) {
    const i = plan.output.findIndex((c) => c.id === id)
    if (i < 0) return undefined
    ords.push(plan.columns[i])
  }
  // The stored order, per key column: direction and NULL placement.
  let stored: { ordinal: number; descending: boolean; nullsFirst: boolean }[]
  let unique: boolean
  if (plan.kind === 'SeqScan') {
    if (table.primaryKey === null) return undefined
    stored = table.primaryKey.map((ordinal) => ({ ordinal, descending: false, nullsFirst: false }))
    unique = true
  } else {
    stored = plan.index.columns.map((c) => ({ ordinal: c.ordinal, descending: c.descending, nullsFirst: c.nullsFirst }))
    unique = plan.index.unique && stored.every((c) => table.columns[c.ordinal].notNull)
  }
  if (ords.length > stored.length) return undefined
  let forward = true
  let backward = true
  for (let j = 0; j < ords.length; j++) {
    const c = stored[j]
    if (ords[j] !== c.ordinal) return undefined
    const k = keys[j]
    const nullable = !table.columns[c.ordinal].notNull && plan.kind === 'IndexScan'
    if (k.descending !== c.descending || (nullable && k.nullsFirst !== c.nullsFirst)) forward = false
    if (k.descending === c.descending || (nullable && k.nullsFirst === c.nullsFirst)) backward = false
  }
  // The scan already runs backwards when plan.reverse: its order is the stored one inverted.
  if (plan.reverse ? backward : forward) return plan
  if (!(plan.reverse ? forward : backward) || !unique || ords.length < stored.length) return undefined
  return withRows(Object.freeze({ ...plan, reverse: !plan.reverse }), estimate(plan))
}
