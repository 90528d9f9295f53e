/**
 * Helpers over bound expressions: constructors, structural equality, column-id collection and rewriting.
 * Owns: nothing stateful. Used by the binder and the optimizer.
 * Invariants:
 *   (1) sameExpr is structural: two expressions are the same when they would compute the same value from the
 *       same row (same kinds, ids, constants, implementations by name and argument types).
 *   (2) mapExpr rebuilds only the nodes whose children changed; untouched subtrees keep their identity.
 */
import { type SqlType, type SqlValue, typeOf } from '../../common/index.js'
import type { BoundExpr } from '../bound-expr.js'
import type { ScalarImpl } from '../../catalog/functions/function-types.js'

export const BOOL = typeOf('bool')

export function constant(type: SqlType, value: SqlValue): BoundExpr {
  return Object.freeze({ kind: 'Const', type, value })
}

export function column(id: number, type: SqlType): BoundExpr {
  return Object.freeze({ kind: 'Column', id, type })
}

export function and(args: readonly BoundExpr[]): BoundExpr {
  const flat: BoundExpr[] = []
  for (const a of args) {
    if (a.kind === 'And') flat.push(...a.args)
    else if (!(a.kind === 'Const' && a.value === true)) flat.push(a)
  }
  if (flat.length === 0) return constant(BOOL, true)
  if (flat.length === 1) return flat[0]
  return Object.freeze({ kind: 'And', type: BOOL, args: flat })
}

/** The conjuncts of a predicate (AND flattened). */
export function conjuncts(e: BoundExpr | null): BoundExpr[] {
  if (e === null) return []
  if (e.kind === 'And') return e.args.flatMap((a) => conjuncts(a))
  if (e.kind === 'Const' && e.value === true) return []
  return [e]
}

function sameImpl(a: ScalarImpl, b: ScalarImpl): boolean {
  if (a === b) return true
  if (a.name !== b.name || a.argTypes.length !== b.argTypes.length) return false
  return a.argTypes.every((t, i) => t.id === b.argTypes[i].id)
}

function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i])
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return String(a) === String(b)
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)
}

function sameList(a: readonly BoundExpr[], b: readonly BoundExpr[]): boolean {
  return a.length === b.length && a.every((x, i) => sameExpr(x, b[i]))
}

/** Invariant (1). Subqueries compare by plan identity. */
export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  if (a === b) return true
  if (a.kind !== b.kind || a.type.id !== b.type.id) return false
  switch (a.kind) {
    case 'Const':
      return sameValue(a.value, (b as typeof a).value)
    case 'Param':
      return a.index === (b as typeof a).index
    case 'Column':
    case 'OuterColumn':
      return a.id === (b as typeof a).id
    case 'Call':
      return sameImpl(a.impl, (b as typeof a).impl) && sameList(a.args, (b as typeof a).args)
    case 'Cast':
      return sameExpr(a.arg, (b as typeof a).arg) && a.type.length === b.type.length && a.type.scale === b.type.scale
    case 'And':
    case 'Or':
    case 'Coalesce':
      return sameList(a.args, (b as typeof a).args)
    case 'Not':
      return sameExpr(a.arg, (b as typeof a).arg)
    case 'IsNull':
      return a.negated === (b as typeof a).negated && sameExpr(a.arg, (b as typeof a).arg)
    case 'IsBool':
      return a.negated === (b as typeof a).negated && a.test === (b as typeof a).test && sameExpr(a.arg, (b as typeof a).arg)
    case 'Case': {
      const c = b as typeof a
      if (a.whens.length !== c.whens.length) return false
      if (!a.whens.every((w, i) => sameExpr(w.when, c.whens[i].when) && sameExpr(w.then, c.whens[i].then))) return false
      return a.else === null ? c.else === null : c.else !== null && sameExpr(a.else, c.else)
    }
    case 'InList': {
      const c = b as typeof a
      return a.negated === c.negated && sameExpr(a.arg, c.arg) && sameList(a.list, c.list)
    }
    case 'Subquery':
    case 'Exists':
    case 'Quantified':
      return false
  }
}

/** Calls `visit` on every node of `e` (pre-order), not descending into subquery plans. */
export function walkExpr(e: BoundExpr, visit: (e: BoundExpr) => void): void {
  visit(e)
  for (const child of children(e)) walkExpr(child, visit)
}

export function children(e: BoundExpr): readonly BoundExpr[] {
  switch (e.kind) {
    case 'Const':
    case 'Param':
    case 'Column':
    case 'OuterColumn':
    case 'Subquery':
    case 'Exists':
      return []
    case 'Call':
    case 'And':
    case 'Or':
    case 'Coalesce':
      return e.args
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'IsBool':
      return [e.arg]
    case 'Case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else === null ? [] : [e.else])]
    case 'InList':
      return [e.arg, ...e.list]
    case 'Quantified':
      return [e.arg]
  }
}

/** Column ids an expression reads from its input (not OuterColumns; subquery outer refs included). */
export function columnIds(e: BoundExpr, into = new Set<number>()): Set<number> {
  walkExpr(e, (x) => {
    if (x.kind === 'Column') into.add(x.id)
    else if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'Quantified') for (const id of x.outerRefs) into.add(id)
  })
  return into
}

/** True when the expression contains a volatile call or a subquery (not safe to duplicate or move freely). */
export function isVolatile(e: BoundExpr): boolean {
  let found = false
  walkExpr(e, (x) => {
    if ((x.kind === 'Call' && x.impl.volatile) || x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'Quantified') found = true
  })
  return found
}

/**
 * Rebuilds `e` bottom-up... top-down: `f` may return a replacement for a node (then its children are not
 * visited) or undefined to descend. Invariant (2).
 */
export function mapExpr(e: BoundExpr, f: (e: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const replaced = f(e)
  if (replaced !== undefined) return replaced
  const m = (x: BoundExpr): BoundExpr => mapExpr(x, f)
  const ml = (xs: readonly BoundExpr[]): readonly BoundExpr[] => {
    let changed = false
    const out = xs.map((x) => {
      const y = m(x)
      if (y !== x) changed = true
      return y
    })
    return changed ? out : xs
  }
  switch (e.kind) {
    case 'Const':
    case 'Param':
    case 'Column':
    case 'OuterColumn':
    case 'Subquery':
    case 'Exists':
      return e
    case 'Call':
    case 'And':
    case 'Or':
    case 'Coalesce': {
      const args = ml(e.args)
      return args === e.args ? e : Object.freeze({ ...e, args })
    }
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'IsBool': {
      const arg = m(e.arg)
      return arg === e.arg ? e : Object.freeze({ ...e, arg })
    }
    case 'Case': {
      let changed = false
      const whens = e.whens.map((w) => {
        const when = m(w.when)
        const then = m(w.then)
        if (when !== w.when || then !== w.then) changed = true
        return { when, then }
      })
      const els = e.else === null ? null : m(e.else)
      if (els !== e.else) changed = true
      return changed ? Object.freeze({ ...e, whens, else: els }) : e
    }
    case 'InList': {
      const arg = m(e.arg)
      const list = ml(e.list)
      return arg === e.arg && list === e.list ? e : Object.freeze({ ...e, arg, list })
    }
    case 'Quantified': {
      const arg = m(e.arg)
      return arg === e.arg ? e : Object.freeze({ ...e, arg })
    }
  }
}
