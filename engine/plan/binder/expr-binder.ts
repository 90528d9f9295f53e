/**
 * Expression binder: AST expressions to typed BoundExpr trees.
 * Owns: name resolution of columns (with correlation), operator and function resolution through the
 * catalog's function registry, implicit coercion, constant folding, and the extraction of aggregate and
 * window calls into the query level's collectors.
 * Invariants:
 *   (1) The result's arguments already have the types their consumers expect (bound-expr (1)): coerce()
 *       inserts casts, folds casts of literals, and gives untyped parameters their type (context (3)).
 *   (2) An aggregate call becomes a Column whose id is an output of the query level's Aggregate node; its
 *       arguments are bound in the level's FROM scope. Likewise window calls and the Window node.
 *   (3) Folding never changes which errors a statement raises: a call whose folding throws stays unfolded.
 *   (4) There are no row types. A whole-row reference (a FROM item's alias where a column is expected, when
 *       no column has that name) is accepted only as the argument of to_json, to_jsonb, row_to_json,
 *       json_agg and jsonb_agg, where it binds as row_to_json of the item's columns; anywhere else it is
 *       0A000 (42703 remains for names that are neither).
 * Not here: query shapes, FROM, GROUP BY rewriting (query-binder.ts), functions that read the catalog or
 * take locks (catalog-functions.ts).
 */
import { RustyError, type SqlType, type SqlValue, typeOf, typeName, parseValue, typeFromName, isNumeric } from '../../common/index.js'
import {
  commonType,
  isAggregateName,
  resolveAggregate,
  resolveCast,
  resolveFunction,
  resolveOperator,
  rowToJson,
} from '../../catalog/functions/index.js'
import type { AggregateImpl, ScalarImpl } from '../../catalog/functions/function-types.js'
import type * as ast from '../../sql/index.js'
import type { BoundExpr } from '../bound-expr.js'
import type { AggregateCall, PlanNode, SortKey, WindowCall, WindowFrame, WindowFunctionName } from '../plan-node.js'
import { BOOL, and, constant, mapExpr, sameExpr } from './bound-util.js'
import { isCatalogFunction, resolveCatalogFunction } from './catalog-functions.js'
import { type PlanContext, QueryLevel, type ScopeColumn, type ScopeRelation } from './context.js'

const UNKNOWN = typeOf('unknown')
const TEXT = typeOf('text')
const INT4 = typeOf('int4')
const INT8 = typeOf('int8')

/** Aggregates and window calls found while binding one query level's expressions. */
export class AggregateCollector {
  readonly aggregates: { id: number; call: AggregateCall; type: SqlType; name: string }[] = []
  readonly windows: { id: number; call: WindowCall; name: string }[] = []
}

/** Where an expression is bound: the level, the clause (for messages) and what it may contain. */
export interface ExprScope {
  readonly ctx: PlanContext
  readonly level: QueryLevel
  /** null: aggregates are not allowed here (WHERE, JOIN ON, GROUP BY, VALUES...). */
  readonly aggregates: AggregateCollector | null
  readonly allowWindows: boolean
  /** Clause name for "aggregate functions are not allowed in WHERE". */
  readonly clause: string
  /** Named windows of the SELECT (WINDOW w AS (...)). */
  readonly namedWindows?: ReadonlyMap<string, ast.WindowSpec>
}

/** Plans a subquery in a new level below `parent`; supplied by the query binder (breaks the import cycle). */
export type SubqueryPlanner = (query: ast.Query, parent: QueryLevel) => { plan: PlanNode; level: QueryLevel }

/** Functions whose argument may be a whole-row reference (invariant 4). */
const ROW_ARGUMENT_FUNCTIONS: ReadonlySet<string> = new Set(['to_json', 'to_jsonb', 'row_to_json', 'json_agg', 'jsonb_agg'])

const WINDOW_ONLY: ReadonlySet<string> = new Set<WindowFunctionName>([
  'row_number',
  'rank',
  'dense_rank',
  'percent_rank',
  'cume_dist',
  'ntile',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
])

export class ExprBinder {
  constructor(readonly planSubquery: SubqueryPlanner) {}

  bind(e: ast.Expr, s: ExprScope): BoundExpr {
    switch (e.kind) {
      case 'ColumnRef':
        return this.#column(e, s)
      case 'Param': {
        const index = e.index - 1
        if (index < 0) throw s.ctx.error('42P02', `there is no parameter $${e.index}`, e.start)
        while (s.ctx.paramTypes.length <= index) s.ctx.paramTypes.push(UNKNOWN)
        return Object.freeze({ kind: 'Param', index, type: s.ctx.paramType(index) })
      }
      case 'NumberLiteral':
        return numberLiteral(e.text, e.isInteger)
      case 'StringLiteral':
        return constant(UNKNOWN, e.value)
      case 'BooleanLiteral':
        return constant(BOOL, e.value)
      case 'NullLiteral':
        return constant(UNKNOWN, null)
      case 'BitStringLiteral':
        throw s.ctx.error('0A000', 'bit string literals are not supported', e.start)
      case 'TypedLiteral': {
        const type = this.type(e.type, s)
        return this.#at(s, e.start, () => constant(type, parseValue(e.value, type)))
      }
      case 'UnaryOp':
        return this.#unary(e, s)
      case 'BinaryOp':
        return this.operator(e.op, this.bind(e.left, s), this.bind(e.right, s), s, e.start)
      case 'BoolExpr': {
        const args = e.args.map((a) => this.coerce(this.bind(a, s), BOOL, s, a.start, 'argument of ' + e.op))
        return fold(Object.freeze({ kind: e.op === 'AND' ? 'And' : 'Or', type: BOOL, args }))
      }
      case 'IsTest': {
        const arg = this.bind(e.expr, s)
        if (e.test === 'NULL') return Object.freeze({ kind: 'IsNull', type: BOOL, arg: this.#resolveUnknown(arg, s), negated: e.negated })
        return Object.freeze({ kind: 'IsBool', type: BOOL, arg: this.coerce(arg, BOOL, s, e.expr.start, `argument of IS ${e.test}`), test: e.test, negated: e.negated })
      }
      case 'IsDistinctFrom': {
        const l = this.bind(e.left, s)
        const r = this.bind(e.right, s)
        const eq = this.operator('=', l, r, s, e.start)
        // a IS NOT DISTINCT FROM b: CASE WHEN a IS NULL THEN b IS NULL WHEN b IS NULL THEN false ELSE a = b END
        const args = eq.kind === 'Call' ? eq.args : [l, r]
        const lNull: BoundExpr = { kind: 'IsNull', type: BOOL, arg: args[0], negated: false }
        const rNull: BoundExpr = { kind: 'IsNull', type: BOOL, arg: args[1], negated: false }
        const same: BoundExpr = Object.freeze({
          kind: 'Case',
          type: BOOL,
          whens: [
            { when: lNull, then: rNull },
            { when: rNull, then: constant(BOOL, false) },
          ],
          else: eq,
        })
        return e.negated ? same : not(same)
      }
      case 'Between': {
        const x = this.bind(e.expr, s)
        const lo = this.bind(e.low, s)
        const hi = this.bind(e.high, s)
        const range = (a: BoundExpr, b: BoundExpr): BoundExpr =>
          and([this.operator('>=', x, a, s, e.start), this.operator('<=', x, b, s, e.start)])
        let r = range(lo, hi)
        if (e.symmetric) r = Object.freeze({ kind: 'Or', type: BOOL, args: [r, range(hi, lo)] })
        return e.negated ? not(r) : r
      }
      case 'Like': {
        const op = e.op === 'LIKE' ? '~~' : e.op === 'ILIKE' ? '~~*' : null
        if (op === null) throw s.ctx.error('0A000', 'SIMILAR TO is not supported', e.start)
        let pattern = this.bind(e.pattern, s)
        if (e.escape !== null) pattern = this.call('like_escape', [pattern, this.bind(e.escape, s)], s, e.escape.start)
        const r = this.operator(op, this.bind(e.expr, s), pattern, s, e.start)
        return e.negated ? not(r) : r
      }
      case 'InList':
        return this.#inList(e, s)
      case 'InSubquery': {
        const q = this.#quantified('=', 'ANY', this.bind(e.expr, s), e.query, s, e.start)
        return e.negated ? not(q) : q
      }
      case 'QuantifiedSubquery':
        return this.#quantified(e.op, e.quantifier, this.bind(e.left, s), e.query, s, e.start)
      case 'QuantifiedArray':
        return this.#quantifiedArray(e, s)
      case 'Exists': {
        const { plan, level } = this.planSubquery(e.query, s.level)
        return Object.freeze({ kind: 'Exists', type: BOOL, plan, outerRefs: [...level.outerRefs], negated: false })
      }
      case 'Subquery': {
        const { plan, level } = this.planSubquery(e.query, s.level)
        if (plan.output.length !== 1) throw s.ctx.error('42601', 'subquery must return only one column', e.start)
        return Object.freeze({ kind: 'Subquery', type: plan.output[0].type, plan, outerRefs: [...level.outerRefs] })
      }
      case 'Case':
        return this.#case(e, s)
      case 'Cast': {
        const type = this.type(e.type, s)
        return this.cast(this.bind(e.expr, s), type, s, e.start, 'explicit')
      }
      case 'FunctionCall':
        return this.#function(e, s)
      case 'SqlValueFunction':
        return this.call(e.name.toLowerCase(), [], s, e.start)
      case 'Collate':
        return this.bind(e.expr, s)
      case 'AtTimeZone':
        return this.call('timezone', [this.bind(e.zone, s), this.bind(e.expr, s)], s, e.start)
      case 'Star':
        throw s.ctx.error('42601', '"*" is not allowed here', e.start)
      case 'DefaultValue':
        throw s.ctx.error('42601', 'DEFAULT is not allowed in this context', e.start)
      case 'ArrayConstructor': {
        const elements = e.elements.map((x) => this.bind(x, s))
        const elem = elements.length === 0 ? TEXT : this.#common(elements.map((x) => x.type), 'ARRAY', s, e.start)
        const args = elements.map((x, i) => this.coerce(x, elem, s, e.elements[i].start, 'ARRAY element'))
        const impl = resolveFunction('array', args.map((a) => a.type))
        if (impl === undefined) throw s.ctx.error('0A000', 'array constructors are not supported', e.start)
        return fold(Object.freeze({ kind: 'Call', type: impl.returnType, impl, args }))
      }
      case 'ArraySubquery':
      case 'Subscript':
      case 'RowConstructor':
      case 'FieldSelect':
        throw s.ctx.error('0A000', `${describe(e.kind)} is not supported`, e.start)
    }
  }

  /** A type name from the AST (SERIAL and friends are DDL's business). */
  type(t: ast.TypeName, s: ExprScope): SqlType {
    return this.#at(s, t.start, () => typeFromName(t.name, [...t.modifiers], t.arrayBounds.length))
  }

  /** Runs `f`, giving a RustyError from it the position `offset` when it has none. */
  #at<T>(s: ExprScope, offset: number, f: () => T): T {
    try {
      return f()
    } catch (err) {
      if (err instanceof RustyError && err.position === undefined) {
        throw s.ctx.error(err.code, err.message, offset, { detail: err.detail, hint: err.hint, cause: err.cause })
      }
      throw err
    }
  }

  #column(e: ast.ColumnRef, s: ExprScope): BoundExpr {
    const found = resolveColumn(e, s.level, s.ctx)
    if (found === undefined) {
      const name = e.table === null ? e.column : `${e.table}.${e.column}`
      if (e.table !== null && !tableVisible(e.table, s.level)) {
        throw s.ctx.error('42P01', `missing FROM-clause entry for table "${e.table}"`, e.start)
      }
      if (e.table === null && wholeRow(e, s.level) !== undefined) {
        throw s.ctx.error('0A000', `whole-row reference "${e.column}" is not supported here (there are no row types)`, e.start, {
          hint: 'A whole-row reference works as the argument of to_json, to_jsonb, row_to_json, json_agg and jsonb_agg; elsewhere name the columns.',
        })
      }
      throw s.ctx.error('42703', `column "${name}" does not exist`, e.start)
    }
    const { column: c, level } = found
    if (level === s.level) return Object.freeze({ kind: 'Column', id: c.id, type: c.type })
    for (let l: QueryLevel | null = s.level; l !== null && l !== level; l = l.parent) l.outerRefs.add(c.id)
    return Object.freeze({ kind: 'OuterColumn', id: c.id, type: c.type })
  }

  #unary(e: ast.UnaryOp, s: ExprScope): BoundExpr {
    if (e.op === 'NOT') return not(this.coerce(this.bind(e.operand, s), BOOL, s, e.operand.start, 'argument of NOT'))
    if (e.op === '-' && e.operand.kind === 'NumberLiteral') return numberLiteral('-' + e.operand.text, e.operand.isInteger)
    const operand = this.bind(e.operand, s)
    if (e.op === '+' && isNumeric(operand.type)) return operand
    return this.operator(e.op, null, operand, s, e.start)
  }

  /** Resolves a binary (left non-null) or prefix operator, coercing its operands (invariant (1)). */
  operator(op: string, left: BoundExpr | null, right: BoundExpr, s: ExprScope, offset: number, folding = true): BoundExpr {
    const norm = op === '!=' ? '<>' : op
    let l = left
    let r = right
    // An untyped NULL or parameter next to a typed operand takes its type (PostgreSQL's unknown resolution).
    if (l !== null && l.type.id === 'unknown' && r.type.id !== 'unknown' && l.kind !== 'Const') l = this.coerce(l, r.type, s, offset, '')
    if (l !== null && r.type.id === 'unknown' && l.type.id !== 'unknown' && r.kind !== 'Const') r = this.coerce(r, l.type, s, offset, '')
    const match = resolveOperator(norm, l === null ? null : l.type, r.type)
    if (match === undefined) {
      const what = l === null ? `${norm} ${typeName(r.type)}` : `${typeName(l.type)} ${norm} ${typeName(r.type)}`
      throw s.ctx.error('42883', `operator does not exist: ${what}`, offset, {
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
      })
    }
    const impl = match.impl
    const args =
      l === null
        ? [this.coerce(r, impl.argTypes[0], s, offset, '')]
        : [this.coerce(l, impl.argTypes[0], s, offset, ''), this.coerce(r, impl.argTypes[1], s, offset, '')]
    const call: BoundExpr = Object.freeze({ kind: 'Call', type: impl.returnType, impl, args })
    return folding ? fold(call) : call
  }

  /** Resolves a scalar function call by name and coerces its arguments. */
  call(name: string, args: BoundExpr[], s: ExprScope, offset: number): BoundExpr {
    const resolved = args
    const impl = resolveFunction(name, resolved.map((a) => a.type))
    if (impl === undefined) {
      const sig = `${name}(${resolved.map((a) => typeName(a.type)).join(', ')})`
      throw s.ctx.error('42883', `function ${sig} does not exist`, offset, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      })
    }
    const coerced = resolved.map((a, i) => this.coerce(a, impl.argTypes[Math.min(i, impl.argTypes.length - 1)] ?? a.type, s, offset, ''))
    return fold(Object.freeze({ kind: 'Call', type: impl.returnType, impl, args: coerced }))
  }

  /** Gives an untyped NULL literal or parameter a type (text) when nothing else will. */
  #resolveUnknown(e: BoundExpr, s: ExprScope): BoundExpr {
    return e.type.id === 'unknown' ? this.coerce(e, TEXT, s, -1, '') : e
  }

  /**
   * Implicit (or assignment) coercion to `target`. Literal strings parse as the target type; untyped
   * parameters adopt it; other mismatches need a cast in `context`, else 42804.
   */
  coerce(e: BoundExpr, target: SqlType, s: ExprScope, offset: number, what: string, context: 'implicit' | 'assignment' = 'implicit'): BoundExpr {
    // Same type: implicit use ignores modifiers; an assignment applies them through the cast below.
    if (e.type.id === target.id && (context === 'implicit' || sameTypeMods(e.type, target))) {
      if (e.type.id !== 'array' || e.type.element?.id === target.element?.id) return e
    }
    if (target.id === 'unknown') return e
    if (e.kind === 'Param' && e.type.id === 'unknown') {
      s.ctx.paramTypes[e.index] = target
      return Object.freeze({ kind: 'Param', index: e.index, type: target })
    }
    if (e.kind === 'Const' && e.value === null) return constant(target, null)
    if (e.kind === 'Const' && e.type.id === 'unknown') {
      return this.#at(s, offset, () => {
        const v = parseValue(e.value as string, target)
        const cast = context === 'assignment' ? resolveCast(target, target, 'assignment') : undefined
        return constant(target, cast === undefined ? v : cast(v))
      })
    }
    const cast = resolveCast(e.type, target, context)
    if (cast === undefined) {
      const message = what === '' ? `cannot cast type ${typeName(e.type)} to ${typeName(target)}` : `${what} must be type ${typeName(target)}, not type ${typeName(e.type)}`
      throw s.ctx.error('42804', message, offset)
    }
    return fold(Object.freeze({ kind: 'Cast', type: target, arg: e, cast }))
  }

  /** An explicit CAST / `::`. */
  cast(e: BoundExpr, target: SqlType, s: ExprScope, offset: number, context: 'explicit' | 'assignment'): BoundExpr {
    if (e.kind === 'Param' && e.type.id === 'unknown') return this.coerce(e, target, s, offset, '')
    if (e.kind === 'Const' && e.value === null) return constant(target, null)
    if (e.kind === 'Const' && e.type.id === 'unknown') {
      return this.#at(s, offset, () => {
        const v = parseValue(e.value as string, target)
        const mod = resolveCast(target, target, context)
        return constant(target, mod === undefined ? v : mod(v))
      })
    }
    if (e.type.id === target.id && sameTypeMods(e.type, target)) return e
    const cast = resolveCast(e.type, target, context)
    if (cast === undefined) throw s.ctx.error('42846', `cannot cast type ${typeName(e.type)} to ${typeName(target)}`, offset)
    return this.#at(s, offset, () => fold(Object.freeze({ kind: 'Cast', type: target, arg: e, cast })))
  }

  #common(types: readonly SqlType[], what: string, s: ExprScope, offset: number): SqlType {
    return this.#at(s, offset, () => commonType(types, what))
  }

  /** Coerces a list of expressions to their common type (UNION, CASE, COALESCE, IN, VALUES). */
  unify(exprs: readonly BoundExpr[], what: string, s: ExprScope, offset: number): BoundExpr[] {
    const type = this.#common(exprs.map((x) => x.type), what, s, offset)
    return exprs.map((x) => this.coerce(x, type, s, offset, ''))
  }

  #inList(e: ast.InList, s: ExprScope): BoundExpr {
    if (e.list.length === 0) throw s.ctx.error('42601', 'syntax error at or near ")": an IN list needs at least one value', e.end - 1)
    const all = this.unify([this.bind(e.expr, s), ...e.list.map((x) => this.bind(x, s))], 'IN', s, e.start)
    const [arg, ...list] = all
    const eqCall = this.operator('=', arg, list[0], s, e.start)
    if (eqCall.kind !== 'Call') {
      // Both sides constant and folded: evaluate the list the slow way through OR.
      const ors = list.map((x) => this.operator('=', arg, x, s, e.start))
      const r = fold(Object.freeze({ kind: 'Or', type: BOOL, args: ors }))
      return e.negated ? not(r) : r
    }
    const r: BoundExpr = Object.freeze({ kind: 'InList', type: BOOL, arg: eqCall.args[0], list: list.map((x) => this.coerce(x, eqCall.args[1].type, s, e.start, '')), negated: e.negated, eq: eqCall.impl })
    return fold(r)
  }

  #quantified(op: string, quantifier: 'ANY' | 'ALL', left: BoundExpr, query: ast.Query, s: ExprScope, offset: number): BoundExpr {
    const { plan, level } = this.planSubquery(query, s.level)
    if (plan.output.length !== 1) throw s.ctx.error('42601', plan.output.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', offset)
    const col: BoundExpr = { kind: 'Column', id: plan.output[0].id, type: plan.output[0].type }
    // Not folded: NULL = ANY (empty set) is false, not NULL.
    const cmp = this.operator(op, left, col, s, offset, false)
    if (cmp.kind !== 'Call' || cmp.args[1].kind !== 'Column' && cmp.args[1].kind !== 'Cast') {
      throw s.ctx.error('0A000', `operator ${op} with ${quantifier} (subquery) is not supported for these types`, offset)
    }
    let sub = plan
    if (cmp.args[1].kind === 'Cast') {
      // The subquery's column needs a cast: add a projection on top of it.
      const id = s.ctx.newId()
      sub = Object.freeze({ kind: 'Project', output: [{ id, name: plan.output[0].name, type: cmp.args[1].type }], input: plan, exprs: [cmp.args[1]] })
    }
    return Object.freeze({ kind: 'Quantified', type: BOOL, arg: cmp.args[0], op: cmp.impl, quantifier, plan: sub, outerRefs: [...level.outerRefs] })
  }

  #quantifiedArray(e: ast.QuantifiedArray, s: ExprScope): BoundExpr {
    if (e.array.kind === 'ArrayConstructor' && e.op === '=' && e.quantifier === 'ANY') {
      return this.#inList({ kind: 'InList', start: e.start, end: e.end, expr: e.left, list: e.array.elements, negated: false }, s)
    }
    if (e.array.kind === 'ArrayConstructor' && (e.op === '<>' || e.op === '!=') && e.quantifier === 'ALL') {
      return this.#inList({ kind: 'InList', start: e.start, end: e.end, expr: e.left, list: e.array.elements, negated: true }, s)
    }
    const left = this.bind(e.left, s)
    const array = this.bind(e.array, s)
    const arrayType = array.type.id === 'array' ? array.type : { id: 'array' as const, element: left.type.id === 'unknown' ? TEXT : left.type }
    const arr = this.coerce(array, arrayType, s, e.array.start, '')
    const elem = arrayType.element ?? TEXT
    const cmp = this.operator(e.op, left, { kind: 'Const', type: elem, value: null }, s, e.start)
    if (cmp.kind !== 'Call') throw s.ctx.error('0A000', `${e.op} ${e.quantifier} (array) is not supported for these types`, e.start)
    const impl = resolveFunction(e.quantifier === 'ANY' ? 'array_any' : 'array_all', [cmp.args[0].type, arrayType])
    if (impl === undefined) throw s.ctx.error('0A000', `${e.op} ${e.quantifier} (array) is not supported`, e.start)
    const opImpl = cmp.impl
    const anyAll: ScalarImpl = {
      name: `${opImpl.name} ${e.quantifier}`,
      argTypes: [cmp.args[0].type, arrayType],
      returnType: BOOL,
      strict: false,
      volatile: false,
      fn: (x, a) => impl.fn(x, a, opImpl as unknown as SqlValue),
    }
    return Object.freeze({ kind: 'Call', type: BOOL, impl: anyAll, args: [cmp.args[0], arr] })
  }

  #case(e: ast.Case, s: ExprScope): BoundExpr {
    const operand = e.operand === null ? null : this.bind(e.operand, s)
    const conds = e.whens.map((w) => {
      const c = this.bind(w.condition, s)
      return operand === null ? this.coerce(c, BOOL, s, w.condition.start, 'argument of CASE/WHEN') : this.operator('=', operand, c, s, w.condition.start)
    })
    const results = [...e.whens.map((w) => this.bind(w.result, s)), ...(e.else === null ? [] : [this.bind(e.else, s)])]
    const unified = this.unify(results, 'CASE', s, e.start)
    const whens = conds.map((when, i) => ({ when, then: unified[i] }))
    const els = e.else === null ? null : unified[unified.length - 1]
    const type = unified[0].type.id === 'unknown' ? TEXT : unified[0].type
    return fold(Object.freeze({ kind: 'Case', type, whens, else: els }))
  }

  #function(e: ast.FunctionCall, s: ExprScope): BoundExpr {
    const name = e.name.name.toLowerCase()
    if (e.over !== null) return this.#window(e, name, s)
    if (isAggregateName(name) && (e.name.schema === null || e.name.schema === 'pg_catalog')) return this.#aggregate(e, name, s)
    if (e.distinct || e.filter !== null || e.orderBy.length > 0 || e.star) {
      throw s.ctx.error('42809', `${name} is not an aggregate function, so DISTINCT, ORDER BY, FILTER and * cannot be used`, e.start)
    }
    if (name === 'nextval' || name === 'currval' || name === 'setval') return this.#sequenceCall(e, name, s)
    if (isCatalogFunction(name) && (e.name.schema === null || e.name.schema === 'pg_catalog')) return this.#catalogCall(e, name, s)
    const args = e.args.map((a) => this.#argument(a, name, s))
    if (name === 'row_to_json' && args.length === 1 && e.args[0].kind === 'ColumnRef' && args[0].kind === 'Call' && args[0].impl.name === 'row_to_json') {
      return args[0]
    }
    switch (name) {
      case 'coalesce': {
        const unified = this.unify(args, 'COALESCE', s, e.start)
        return Object.freeze({ kind: 'Coalesce', type: unified[0].type.id === 'unknown' ? TEXT : unified[0].type, args: unified })
      }
      case 'nullif': {
        if (args.length !== 2) throw s.ctx.error('42883', 'function nullif requires two arguments', e.start)
        const [a, b] = this.unify(args, 'NULLIF', s, e.start)
        const eq = this.operator('=', a, b, s, e.start)
        return Object.freeze({ kind: 'Case', type: a.type, whens: [{ when: eq, then: constant(a.type, null) }], else: a })
      }
      case 'greatest':
      case 'least': {
        const unified = this.unify(args, name.toUpperCase(), s, e.start)
        return this.call(name, unified, s, e.start)
      }
      default:
        return this.call(name, args, s, e.start)
    }
  }

  /** An argument of `fn`: a whole-row reference becomes row_to_json of its columns where allowed (invariant 4). */
  #argument(a: ast.Expr, fn: string, s: ExprScope): BoundExpr {
    if (!ROW_ARGUMENT_FUNCTIONS.has(fn) || a.kind !== 'ColumnRef' || a.table !== null || resolveColumn(a, s.level, s.ctx) !== undefined) {
      return this.bind(a, s)
    }
    const rel = wholeRow(a, s.level)
    if (rel === undefined) return this.bind(a, s)
    const columns = rel.columns.filter((c) => c.hidden !== true)
    const args = columns.map((c) => this.bind({ kind: 'ColumnRef', catalog: null, schema: null, table: rel.alias, column: c.name, start: a.start, end: a.end } as ast.ColumnRef, s))
    const impl = rowToJson(
      columns.map((c) => c.name),
      args.map((x) => x.type),
    )
    const coerced = args.map((x, i) => this.coerce(x, impl.argTypes[i], s, a.start, ''))
    return Object.freeze({ kind: 'Call', type: impl.returnType, impl, args: coerced })
  }

  /** A function bound with the catalog or the transaction (catalog-functions.ts); never folded. */
  #catalogCall(e: ast.FunctionCall, name: string, s: ExprScope): BoundExpr {
    const args = e.args.map((a) => this.bind(a, s))
    const impl = this.#at(s, e.start, () => resolveCatalogFunction(name, args.map((a) => a.type), s.ctx))
    if (impl === undefined) {
      throw s.ctx.error('42883', `function ${name}(${args.map((a) => typeName(a.type)).join(', ')}) does not exist`, e.start, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      })
    }
    const coerced = args.map((a, i) => this.coerce(a, impl.argTypes[i], s, e.start, ''))
    return Object.freeze({ kind: 'Call', type: impl.returnType, impl, args: coerced })
  }

  /** nextval / currval / setval: the sequence is resolved now; the call reads the transaction's sequences. */
  #sequenceCall(e: ast.FunctionCall, name: 'nextval' | 'currval' | 'setval', s: ExprScope): BoundExpr {
    const first = e.args[0]
    const nameArg = first !== undefined && first.kind === 'Cast' && first.type.name.toLowerCase() === 'regclass' ? first.expr : first
    const bound = nameArg === undefined ? undefined : this.bind(nameArg, s)
    if (bound === undefined || bound.kind !== 'Const' || typeof bound.value !== 'string') {
      throw s.ctx.error('0A000', `${name}() needs the sequence name as a literal`, e.start)
    }
    const parts = bound.value.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()))
    const seqName = parts[parts.length - 1]
    const seqSchema = parts.length > 1 ? parts[parts.length - 2] : null
    const seq = s.ctx.catalog.sequence(seqSchema, seqName)
    if (seq === undefined) throw s.ctx.error('42P01', `relation "${bound.value}" does not exist`, nameArg?.start)
    const access = s.ctx.access
    if (access === undefined) throw s.ctx.error('0A000', `${name}() is not available here`, e.start)
    s.ctx.markUsesTransaction()
    const rest = e.args.slice(1).map((a, i) => this.coerce(this.bind(a, s), i === 0 ? INT8 : BOOL, s, a.start, `argument of ${name}`))
    const impl: ScalarImpl = {
      name,
      argTypes: rest.map((r) => r.type),
      returnType: INT8,
      strict: true,
      volatile: true,
      fn:
        name === 'nextval'
          ? () => access.nextval(seq)
          : name === 'currval'
            ? () => access.currval(seq)
            : (value, isCalled) => access.setval(seq, value as bigint, isCalled === undefined ? true : (isCalled as boolean)),
    }
    return Object.freeze({ kind: 'Call', type: INT8, impl, args: rest })
  }

  #aggregate(e: ast.FunctionCall, name: string, s: ExprScope): BoundExpr {
    const collector = s.aggregates
    if (collector === null) throw s.ctx.error('42803', `aggregate functions are not allowed in ${s.clause}`, e.start)
    // Arguments are bound without aggregates allowed (no nesting), in the same level.
    const inner: ExprScope = { ...s, aggregates: null, allowWindows: false, clause: 'aggregate function calls' }
    const rawArgs = e.args.map((a) => this.#argument(a, name, inner))
    const args = rawArgs.map((a) => (a.type.id === 'unknown' ? this.coerce(a, TEXT, s, e.start, '') : a))
    const impl: AggregateImpl | undefined = resolveAggregate(name, args.map((a) => a.type), e.star)
    if (impl === undefined) {
      const sig = `${name}(${e.star ? '*' : args.map((a) => typeName(a.type)).join(', ')})`
      throw s.ctx.error('42883', `function ${sig} does not exist`, e.start, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' })
    }
    const coerced = args.map((a, i) => this.coerce(a, impl.argTypes[i] ?? a.type, s, e.start, ''))
    const filter = e.filter === null ? null : this.coerce(this.bind(e.filter, inner), BOOL, s, e.filter.start, 'argument of FILTER')
    const orderBy = e.orderBy.map((o) => this.sortKey(this.bind(o.expr, inner), o))
    const call: AggregateCall = Object.freeze({ fn: impl, args: coerced, distinct: e.distinct, filter, orderBy })
    // The same aggregate twice in a query is computed once.
    for (const a of collector.aggregates) {
      if (sameAggregate(a.call, call)) return Object.freeze({ kind: 'Column', id: a.id, type: a.type })
    }
    const id = s.ctx.newId()
    collector.aggregates.push({ id, call, type: impl.returnType, name })
    return Object.freeze({ kind: 'Column', id, type: impl.returnType })
  }

  sortKey(expr: BoundExpr, item: { direction: 'ASC' | 'DESC' | null; nulls: 'FIRST' | 'LAST' | null }): SortKey {
    const descending = item.direction === 'DESC'
    return Object.freeze({ expr, descending, nullsFirst: item.nulls === null ? descending : item.nulls === 'FIRST' })
  }

  #window(e: ast.FunctionCall, name: string, s: ExprScope): BoundExpr {
    const collector = s.aggregates
    if (collector === null || !s.allowWindows) throw s.ctx.error('42P20', `window functions are not allowed in ${s.clause}`, e.start)
    const spec = this.#windowSpec(e.over as ast.WindowSpec | ast.WindowRef, s)
    const inner: ExprScope = { ...s, allowWindows: false, clause: 'window function calls' }
    const args = e.args.map((a) => this.bind(a, inner))
    const partitionBy = spec.partitionBy.map((p) => this.#resolveUnknown(this.bind(p, inner), s))
    const orderBy = spec.orderBy.map((o) => this.sortKey(this.#resolveUnknown(this.bind(o.expr, inner), s), o))
    const frame = this.#frame(spec.frame, orderBy.length > 0, inner)
    const filter = e.filter === null ? null : this.coerce(this.bind(e.filter, inner), BOOL, s, e.filter.start, 'argument of FILTER')
    let fn: WindowCall['fn']
    let type: SqlType
    let callArgs = args
    if (WINDOW_ONLY.has(name)) {
      fn = name as WindowFunctionName
      ;[type, callArgs] = this.#windowOnlyType(name, args, s, e.start)
    } else {
      const argsTyped = args.map((a) => (a.type.id === 'unknown' ? this.coerce(a, TEXT, s, e.start, '') : a))
      const impl = resolveAggregate(name, argsTyped.map((a) => a.type), e.star)
      if (impl === undefined) throw s.ctx.error('42883', `function ${name} is not a window function or aggregate`, e.start)
      fn = impl
      type = impl.returnType
      callArgs = argsTyped.map((a, i) => this.coerce(a, impl.argTypes[i] ?? a.type, s, e.start, ''))
    }
    const call: WindowCall = Object.freeze({ fn, args: callArgs, filter, partitionBy, orderBy, frame, type })
    const id = s.ctx.newId()
    collector.windows.push({ id, call, name })
    return Object.freeze({ kind: 'Column', id, type })
  }

  #windowOnlyType(name: string, args: BoundExpr[], s: ExprScope, offset: number): [SqlType, BoundExpr[]] {
    switch (name) {
      case 'row_number':
      case 'rank':
      case 'dense_rank':
        return [INT8, []]
      case 'percent_rank':
      case 'cume_dist':
        return [typeOf('float8'), []]
      case 'ntile':
        return [INT4, [this.coerce(args[0], INT4, s, offset, 'argument of ntile')]]
      case 'lag':
      case 'lead': {
        if (args.length === 0) throw s.ctx.error('42883', `function ${name}() does not exist`, offset)
        const value = this.#resolveUnknown(args[0], s)
        const rest: BoundExpr[] = [value]
        if (args.length > 1) rest.push(this.coerce(args[1], INT4, s, offset, `offset of ${name}`))
        if (args.length > 2) {
          if (rest.length === 1) rest.push(constant(INT4, 1))
          rest.push(this.coerce(args[2], value.type, s, offset, `default of ${name}`))
        }
        return [value.type, rest]
      }
      case 'nth_value': {
        const value = this.#resolveUnknown(args[0], s)
        return [value.type, [value, this.coerce(args[1], INT4, s, offset, 'argument of nth_value')]]
      }
      default: {
        const value = this.#resolveUnknown(args[0], s)
        return [value.type, [value]]
      }
    }
  }

  #windowSpec(over: ast.WindowSpec | ast.WindowRef, s: ExprScope): ast.WindowSpec {
    const named = (name: string, offset: number): ast.WindowSpec => {
      const w = s.namedWindows?.get(name)
      if (w === undefined) throw s.ctx.error('42704', `window "${name}" does not exist`, offset)
      return this.#windowSpec(w, s)
    }
    if (over.kind === 'WindowRef') return named(over.name, over.start)
    if (over.existing === null) return over
    const base = named(over.existing, over.start)
    return { ...over, partitionBy: base.partitionBy, orderBy: over.orderBy.length > 0 ? over.orderBy : base.orderBy, frame: over.frame ?? base.frame }
  }

  #frame(f: ast.WindowFrame | null, ordered: boolean, s: ExprScope): WindowFrame {
    if (f === null) {
      return {
        mode: 'RANGE',
        start: { type: 'UNBOUNDED PRECEDING', offset: null },
        end: ordered ? { type: 'CURRENT ROW', offset: null } : { type: 'UNBOUNDED FOLLOWING', offset: null },
        exclusion: 'NO OTHERS',
      }
    }
    const bound = (b: ast.FrameBound): WindowFrame['start'] => {
      if (b.offset === null) return { type: b.type, offset: null }
      const offset = this.#resolveUnknown(this.bind(b.offset, s), s)
      let reads = false
      mapExpr(offset, (x) => {
        if (x.kind === 'Column') reads = true
        return undefined
      })
      if (reads) throw s.ctx.error('42P10', `argument of ${f.mode} must not contain variables`, b.offset.start)
      return { type: b.type, offset }
    }
    return {
      mode: f.mode,
      start: bound(f.frameStart),
      end: f.frameEnd === null ? { type: 'CURRENT ROW', offset: null } : bound(f.frameEnd),
      exclusion: f.exclusion ?? 'NO OTHERS',
    }
  }
}

function sameAggregate(a: AggregateCall, b: AggregateCall): boolean {
  if (a.fn.name !== b.fn.name || a.distinct !== b.distinct || a.args.length !== b.args.length) return false
  if (a.fn.argTypes.length !== b.fn.argTypes.length || !a.fn.argTypes.every((t, i) => t.id === b.fn.argTypes[i].id)) return false
  if (!a.args.every((x, i) => sameExpr(x, b.args[i]))) return false
  if ((a.filter === null) !== (b.filter === null) || (a.filter !== null && b.filter !== null && !sameExpr(a.filter, b.filter))) return false
  return a.orderBy.length === 0 && b.orderBy.length === 0
}

function sameTypeMods(a: SqlType, b: SqlType): boolean {
  return a.length === b.length && a.precision === b.precision && a.scale === b.scale
}

/** NOT e. */
export function not(e: BoundExpr): BoundExpr {
  if (e.kind === 'Not') return e.arg
  return fold(Object.freeze({ kind: 'Not', type: BOOL, arg: e }))
}

/** A numeric literal: int4 when it fits, then int8, else numeric (as PostgreSQL types them). */
export function numberLiteral(text: string, isInteger: boolean): BoundExpr {
  if (isInteger && !/[eE.]/.test(text)) {
    const clean = text.replace(/_/g, '')
    const v = BigInt(clean)
    if (v >= -2147483648n && v <= 2147483647n) return constant(INT4, Number(v))
    if (v >= -(1n << 63n) && v < 1n << 63n) return constant(INT8, v)
  }
  const t = typeOf('numeric')
  return constant(t, parseValue(text.replace(/_/g, ''), t))
}

function describe(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() + 's'
}

/** Evaluates a node whose inputs are all constants (invariant (3): a throwing fold is left for run time). */
export function fold(e: BoundExpr): BoundExpr {
  try {
    switch (e.kind) {
      case 'Call': {
        // A strict function of a NULL constant is NULL whatever its other arguments (PostgreSQL folds it too).
        if (e.impl.strict && e.args.some((a) => a.kind === 'Const' && a.value === null)) return constant(e.type, null)
        // Calls without arguments are not folded: now(), current_date, current_user read the session or the
        // clock, so their value belongs to the execution, not to a (cached) plan.
        if (e.impl.volatile || e.args.length === 0 || !e.args.every((a) => a.kind === 'Const')) return e
        const values = e.args.map((a) => (a as { value: SqlValue }).value)
        if (e.impl.strict && values.some((v) => v === null)) return constant(e.type, null)
        return constant(e.type, e.impl.fn(...values))
      }
      case 'Cast':
        if (e.arg.kind !== 'Const') return e
        return constant(e.type, e.arg.value === null ? null : e.cast(e.arg.value))
      case 'Not':
        if (e.arg.kind !== 'Const') return e
        return constant(BOOL, e.arg.value === null ? null : !e.arg.value)
      case 'And':
      case 'Or': {
        const isAnd = e.kind === 'And'
        const rest: BoundExpr[] = []
        let sawNull = false
        for (const a of e.args) {
          if (a.kind === 'Const') {
            if (a.value === null) sawNull = true
            else if (a.value === !isAnd) return constant(BOOL, !isAnd)
          } else rest.push(a)
        }
        if (rest.length === 0) return constant(BOOL, sawNull ? null : isAnd)
        if (sawNull) rest.push(constant(BOOL, null))
        if (rest.length === 1) return rest[0]
        return rest.length === e.args.length ? e : Object.freeze({ kind: e.kind, type: BOOL, args: rest })
      }
      case 'Case': {
        const whens: { when: BoundExpr; then: BoundExpr }[] = []
        for (const w of e.whens) {
          if (w.when.kind === 'Const') {
            if (w.when.value === true && whens.length === 0) return w.then
            if (w.when.value !== true) continue
          }
          whens.push(w)
        }
        if (whens.length === 0) return e.else ?? constant(e.type, null)
        return whens.length === e.whens.length ? e : Object.freeze({ ...e, whens })
      }
      case 'InList':
        if (e.arg.kind === 'Const' && e.arg.value === null && e.eq.strict) return constant(BOOL, null)
        return e
      default:
        return e
    }
  } catch {
    return e
  }
}

/** Finds a column by (optional table) name, innermost level first. Ambiguity is 42702. */
export function resolveColumn(
  e: { table: string | null; column: string; start: number },
  level: QueryLevel,
  ctx: PlanContext,
): { column: ScopeColumn; level: QueryLevel } | undefined {
  for (let l: QueryLevel | null = level; l !== null; l = l.parent) {
    let found: ScopeColumn | undefined
    for (const rel of l.relations) {
      if (e.table !== null && rel.alias !== e.table) continue
      for (const c of rel.columns) {
        if (c.name !== e.column || (e.table === null && c.qualifiedOnly === true)) continue
        if (found !== undefined && found.id !== c.id) {
          throw ctx.error('42702', `column reference "${e.column}" is ambiguous`, e.start)
        }
        found = c
      }
    }
    if (found !== undefined) return { column: found, level: l }
  }
  return undefined
}

/** The FROM item a bare name refers to as a whole row (invariant 4), innermost level first. */
function wholeRow(e: { column: string }, level: QueryLevel): ScopeRelation | undefined {
  for (let l: QueryLevel | null = level; l !== null; l = l.parent) {
    const rel = l.relations.find((r) => r.alias === e.column)
    if (rel !== undefined) return rel
  }
  return undefined
}

function tableVisible(name: string, level: QueryLevel): boolean {
  for (let l: QueryLevel | null = level; l !== null; l = l.parent) if (l.relations.some((r) => r.alias === name)) return true
  return false
}
