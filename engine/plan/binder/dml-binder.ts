/**
 * DML binder: INSERT, UPDATE and DELETE to Insert/Update/Delete plan nodes.
 * Owns: target column lists, defaults and identity rules, assignment coercion, ON CONFLICT, CHECK constraint
 * binding and RETURNING.
 * Invariants:
 *   (1) An Insert's input yields complete rows in table column order: every column not given gets its
 *       DEFAULT (NULL without one), coerced with assignment rules (22001/22003 as PostgreSQL).
 *   (2) RETURNING is bound over the stored row (rowIds); CHECK expressions over the row being written (the
 *       Insert's input ids, the Update's new row ids), as plan-node.ts specifies.
 *   (3) GENERATED ALWAYS identity columns take no explicit value (428C9) unless OVERRIDING SYSTEM VALUE.
 * Not here: constraint enforcement other than CHECK (txn's TableAccess), execution (engine/exec).
 */
import { type SqlType, typeOf } from '../../common/index.js'
import type { TableDef } from '../../catalog/schema.js'
import { parseExpression } from '../../sql/index.js'
import type * as ast from '../../sql/index.js'
import type { BoundExpr } from '../bound-expr.js'
import type { DeleteNode, InsertNode, OnConflictPlan, PlanColumn, PlanNode, UpdateNode } from '../plan-node.js'
import { column, conjuncts } from './bound-util.js'
import { QueryLevel, type ScopeRelation } from './context.js'
import type { ExprScope } from './expr-binder.js'
import { type JoinLeaf, estimates, tableScan } from './from-binder.js'
import { QueryBinder, outputName } from './query-binder.js'

const BOOL = typeOf('bool')

export class DmlBinder extends QueryBinder {
  #table(name: ast.QualifiedName, offset: number): TableDef {
    const table = this.ctx.catalog.table(name.schema, name.name)
    if (table !== undefined) return table
    if (this.ctx.catalog.view(name.schema, name.name) !== undefined) {
      throw this.ctx.error('0A000', `cannot change view "${name.name}": views are read-only in RustyDB`, offset)
    }
    throw this.ctx.error('42P01', `relation "${name.schema === null ? name.name : `${name.schema}.${name.name}`}" does not exist`, offset)
  }

  /** The DEFAULT of a column, bound and coerced (NULL when it has none). */
  #default(table: TableDef, ordinal: number, level: QueryLevel): BoundExpr {
    const col = table.columns[ordinal]
    if (col.default === null) return { kind: 'Const', type: col.type, value: null }
    const s = this.scope(new QueryLevel(level.parent), 'DEFAULT expressions')
    const inner = new DmlBinder(this.ctx.withSql(col.default))
    const bound = inner.exprs.bind(parseExpression(col.default), { ...s, ctx: inner.ctx })
    return this.exprs.coerce(bound, col.type, s, -1, `column "${col.name}"`, 'assignment')
  }

  #assign(e: BoundExpr, table: TableDef, ordinal: number, s: ExprScope, offset: number): BoundExpr {
    const col = table.columns[ordinal]
    try {
      return this.exprs.coerce(e, col.type, s, offset, '', 'assignment')
    } catch (err) {
      if (err instanceof Error && 'code' in err && (err as { code: string }).code === '42804') {
        throw this.ctx.error('42804', `column "${col.name}" is of type ${typeLabel(col.type)} but expression is of type ${typeLabel(e.type)}`, offset, {
          hint: 'You will need to rewrite or cast the expression.',
        })
      }
      throw err
    }
  }

  #ordinal(table: TableDef, name: string, offset: number): number {
    const i = table.columns.findIndex((c) => c.name === name)
    if (i < 0) throw this.ctx.error('42703', `column "${name}" of relation "${table.name}" does not exist`, offset)
    return i
  }

  /** CHECK constraints bound over a row whose columns have ids `rowIds`. */
  #checks(table: TableDef, rowIds: readonly number[], level: QueryLevel): BoundExpr[] {
    if (table.checks.length === 0) return []
    const rel: ScopeRelation = { alias: table.name, columns: table.columns.map((c, i) => ({ name: c.name, id: rowIds[i], type: c.type })) }
    return table.checks.map((check) => {
      const inner = new DmlBinder(this.ctx.withSql(check.expr))
      const l = new QueryLevel(level.parent, [rel])
      const s = inner.scope(l, 'check constraints')
      const e = inner.exprs.coerce(inner.exprs.bind(parseExpression(check.expr), s), BOOL, s, -1, 'argument of CHECK')
      return e
    })
  }

  #returning(items: readonly ast.SelectItem[], rel: ScopeRelation, level: QueryLevel): { output: PlanColumn[]; exprs: BoundExpr[] } {
    const l = new QueryLevel(level.parent, [rel, ...level.relations.filter((r) => r !== rel && r.alias !== rel.alias)])
    const s = this.scope(l, 'RETURNING')
    const output: PlanColumn[] = []
    const exprs: BoundExpr[] = []
    for (const item of items) {
      if (item.expr.kind === 'Star' || (item.expr.kind === 'ColumnRef' && item.expr.column === '*')) {
        for (const c of rel.columns) {
          if (c.hidden === true) continue
          output.push({ id: this.ctx.newId(), name: c.name, type: c.type })
          exprs.push(column(c.id, c.type))
        }
        continue
      }
      let e = this.exprs.bind(item.expr, s)
      if (e.type.id === 'unknown') e = this.exprs.coerce(e, typeOf('text'), s, -1, '')
      output.push({ id: this.ctx.newId(), name: item.alias ?? outputName(item.expr), type: e.type })
      exprs.push(e)
    }
    for (const id of l.outerRefs) level.outerRefs.add(id)
    return { output, exprs }
  }

  planInsert(stmt: ast.Insert, parent: QueryLevel | null): PlanNode {
    if (stmt.with !== null) throw this.ctx.error('0A000', 'WITH in INSERT is not supported yet', stmt.with.start)
    if (stmt.orAction !== null) throw this.ctx.error('0A000', `INSERT OR ${stmt.orAction} is SQLite syntax; use ON CONFLICT`, stmt.start)
    const table = this.#table(stmt.table, stmt.table.start)
    const level = new QueryLevel(parent)
    const targets = stmt.columns.length > 0 ? stmt.columns.map((c) => this.#ordinal(table, c, stmt.start)) : table.columns.map((_, i) => i)
    const seen = new Set<number>()
    for (const t of targets) {
      if (seen.has(t)) throw this.ctx.error('42701', `column "${table.columns[t].name}" specified more than once`, stmt.start)
      seen.add(t)
    }
    const s = this.scope(level, 'VALUES')
    const explicitCheck = (ordinal: number, isDefault: boolean): void => {
      const col = table.columns[ordinal]
      if (col.identity === 'ALWAYS' && !isDefault && stmt.overriding !== 'SYSTEM') {
        throw this.ctx.error('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, stmt.start, {
          detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`,
          hint: 'Use OVERRIDING SYSTEM VALUE to override.',
        })
      }
    }
    let input: PlanNode
    const source = stmt.source
    if (source === null || (source.body.kind === 'Values' && source.orderBy.length === 0 && source.limit === null && source.with === null)) {
      const rows = source === null ? [[]] : (source.body as ast.Values).rows
      const bound = rows.map((row) => {
        if (source !== null && row.length > targets.length) throw this.ctx.error('42601', 'INSERT has more expressions than target columns', row[targets.length].start)
        if (source !== null && row.length < targets.length && stmt.columns.length > 0) throw this.ctx.error('42601', 'INSERT has more target columns than expressions', stmt.start)
        const full: BoundExpr[] = table.columns.map((_, i) => this.#default(table, i, level))
        row.forEach((e, k) => {
          const ordinal = targets[k]
          if (e.kind === 'DefaultValue') return
          explicitCheck(ordinal, false)
          full[ordinal] = this.#assign(this.exprs.bind(e, s), table, ordinal, s, e.start)
        })
        return full
      })
      const output = table.columns.map((c) => ({ id: this.ctx.newId(), name: c.name, type: c.type }))
      input = Object.freeze({ kind: 'Values', output, rows: bound })
      estimates.set(input, bound.length)
    } else {
      const planned = this.planQuery(source, level)
      for (const id of planned.level.outerRefs) level.outerRefs.add(id)
      const src = planned.plan
      if (src.output.length > targets.length) throw this.ctx.error('42601', 'INSERT has more expressions than target columns', source.start)
      const exprs: BoundExpr[] = table.columns.map((_, i) => this.#default(table, i, level))
      src.output.forEach((c, k) => {
        explicitCheck(targets[k], false)
        exprs[targets[k]] = this.#assign(column(c.id, c.type), table, targets[k], s, source.start)
      })
      const output = table.columns.map((c) => ({ id: this.ctx.newId(), name: c.name, type: c.type }))
      input = Object.freeze({ kind: 'Project', output, input: src, exprs })
    }
    const inputIds = input.output.map((c) => c.id)
    const rowIds = table.columns.map(() => this.ctx.newId())
    const alias = stmt.alias ?? table.name
    const rowRel: ScopeRelation = { alias, columns: table.columns.map((c, i) => ({ name: c.name, id: rowIds[i], type: c.type })), table }
    const onConflict = stmt.onConflict === null ? null : this.#onConflict(stmt.onConflict, table, alias, inputIds, level)
    const { output, exprs } = this.#returning(stmt.returning, rowRel, level)
    const node: InsertNode = Object.freeze({
      kind: 'Insert',
      output,
      table,
      input,
      checks: this.#checks(table, inputIds, level),
      checkNames: table.checks.map((c) => c.name),
      onConflict,
      rowIds,
      returning: exprs,
    })
    return node
  }

  #onConflict(oc: ast.OnConflict, table: TableDef, alias: string, inputIds: readonly number[], level: QueryLevel): OnConflictPlan {
    let arbiter: number[] | null = null
    if (oc.target !== null) {
      if (oc.target.constraint !== null) {
        const name = oc.target.constraint
        if (table.primaryKeyName === name && table.primaryKey !== null) arbiter = [...table.primaryKey]
        else {
          const u = table.uniques.find((x) => x.name === name)
          if (u === undefined) throw this.ctx.error('42704', `constraint "${name}" for table "${table.name}" does not exist`, oc.target.start)
          arbiter = [...u.columns]
        }
      } else {
        arbiter = oc.target.elements.map((el) => {
          if (el.expr.kind !== 'ColumnRef') throw this.ctx.error('0A000', 'ON CONFLICT on expressions is not supported', el.start)
          return this.#ordinal(table, el.expr.column, el.start)
        })
        const set = [...arbiter].sort((a, b) => a - b).join(',')
        const keys = [table.primaryKey ?? [], ...table.uniques.map((u) => u.columns)].map((k) => [...k].sort((a, b) => a - b).join(','))
        if (!keys.includes(set)) {
          throw this.ctx.error('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification', oc.target.start)
        }
      }
    } else if (oc.action === 'UPDATE') {
      throw this.ctx.error('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', oc.start, {
        hint: 'For example, ON CONFLICT (column_name).',
      })
    }
    const existingIds = table.columns.map(() => this.ctx.newId())
    const existing: ScopeRelation = { alias, columns: table.columns.map((c, i) => ({ name: c.name, id: existingIds[i], type: c.type })) }
    const excluded: ScopeRelation = { alias: 'excluded', columns: table.columns.map((c, i) => ({ name: c.name, id: inputIds[i], type: c.type })) }
    const l = new QueryLevel(level.parent, [existing, excluded])
    const s = this.scope(l, 'ON CONFLICT DO UPDATE')
    const assignments = this.#assignments(oc.assignments, table, s, l)
    const where = oc.where === null ? null : this.exprs.coerce(this.exprs.bind(oc.where, s), BOOL, s, oc.where.start, 'argument of WHERE')
    return Object.freeze({ arbiter, action: oc.action, existingIds, assignments, where })
  }

  #assignments(clauses: readonly ast.SetClause[], table: TableDef, s: ExprScope, level: QueryLevel): { ordinal: number; expr: BoundExpr }[] {
    const out: { ordinal: number; expr: BoundExpr }[] = []
    const seen = new Set<number>()
    const one = (name: string, value: ast.Expr, offset: number): void => {
      const ordinal = this.#ordinal(table, name, offset)
      if (seen.has(ordinal)) throw this.ctx.error('42601', `multiple assignments to same column "${name}"`, offset)
      seen.add(ordinal)
      const col = table.columns[ordinal]
      if (value.kind === 'DefaultValue') {
        out.push({ ordinal, expr: this.#default(table, ordinal, level) })
        return
      }
      if (col.identity === 'ALWAYS') {
        throw this.ctx.error('428C9', `column "${name}" can only be updated to DEFAULT`, offset, {
          detail: `Column "${name}" is an identity column defined as GENERATED ALWAYS.`,
        })
      }
      out.push({ ordinal, expr: this.#assign(this.exprs.bind(value, s), table, ordinal, s, value.start) })
    }
    for (const c of clauses) {
      if (c.kind === 'Assignment') one(c.column, c.value, c.start)
      else if (c.value.kind === 'RowConstructor' && c.value.fields.length === c.columns.length) {
        c.columns.forEach((name, i) => one(name, (c.value as ast.RowConstructor).fields[i], c.start))
      } else throw this.ctx.error('0A000', 'multiple-column assignment from a subquery is not supported', c.start)
    }
    return out
  }

  /** The target table scanned with its row key, joined with FROM/USING items and filtered by WHERE. */
  #targetRows(
    name: ast.QualifiedName,
    alias: string | null,
    extra: readonly ast.FromItem[],
    where: ast.Expr | null,
    level: QueryLevel,
  ): { table: TableDef; input: PlanNode; keyId: number; oldIds: number[]; relation: ScopeRelation } {
    const table = this.#table(name, name.start)
    const { plan, relation } = tableScan(table, alias ?? table.name, () => this.ctx.newId(), this.ctx.catalog.stats(table), true)
    level.relations.push(relation)
    const leaves: JoinLeaf[] = [{ plan, ids: new Set(plan.output.map((c) => c.id)), rows: 1000 }]
    const preds: BoundExpr[] = []
    for (const item of extra) this.fromItem(item, level, leaves, preds)
    if (where !== null) {
      const s = this.scope(level, 'WHERE')
      preds.push(...conjuncts(this.exprs.coerce(this.exprs.bind(where, s), BOOL, s, where.start, 'argument of WHERE')))
    }
    const input = this.joins(leaves, preds)
    const oldIds = plan.output.slice(0, table.columns.length).map((c) => c.id)
    return { table, input, keyId: plan.output[table.columns.length].id, oldIds, relation }
  }

  planUpdate(stmt: ast.Update, parent: QueryLevel | null): PlanNode {
    if (stmt.with !== null) throw this.ctx.error('0A000', 'WITH in UPDATE is not supported yet', stmt.with.start)
    const level = new QueryLevel(parent)
    const { table, input, keyId, oldIds, relation } = this.#targetRows(stmt.table, stmt.alias, stmt.from, stmt.where, level)
    const s = this.scope(level, 'UPDATE')
    const assignments = this.#assignments(stmt.assignments, table, s, level)
    const rowIds = table.columns.map(() => this.ctx.newId())
    const rowRel: ScopeRelation = { alias: relation.alias, columns: table.columns.map((c, i) => ({ name: c.name, id: rowIds[i], type: c.type })), table }
    const { output, exprs } = this.#returning(stmt.returning, rowRel, level)
    const node: UpdateNode = Object.freeze({
      kind: 'Update',
      output,
      table,
      input,
      keyId,
      oldIds,
      assignments,
      checks: this.#checks(table, rowIds, level),
      checkNames: table.checks.map((c) => c.name),
      rowIds,
      returning: exprs,
    })
    return node
  }

  planDelete(stmt: ast.Delete, parent: QueryLevel | null): PlanNode {
    if (stmt.with !== null) throw this.ctx.error('0A000', 'WITH in DELETE is not supported yet', stmt.with.start)
    const level = new QueryLevel(parent)
    const { table, input, keyId, oldIds, relation } = this.#targetRows(stmt.table, stmt.alias, stmt.using, stmt.where, level)
    const { output, exprs } = this.#returning(stmt.returning, relation, level)
    const node: DeleteNode = Object.freeze({ kind: 'Delete', output, table, input, keyId, oldIds, returning: exprs })
    return node
  }
}

function typeLabel(t: SqlType): string {
  const names: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean', varchar: 'character varying', bpchar: 'character' }
  return names[t.id] ?? t.id
}
