/** Test helpers: call a resolved operator/function on JS-ish values and print PostgreSQL text. */
import { resolveFunction, resolveOperator } from '../../../engine/catalog/functions/index.js'
import { formatValue, parseValue, typeFromName, type SqlType, type SqlValue } from '../../../engine/common/index.js'

export function ty(name: string): SqlType {
  if (name.endsWith('[]')) return typeFromName(name.slice(0, -2), [], 1)
  const m = /^(\w+)\((\d+)(?:,(\d+))?\)$/.exec(name)
  if (m !== null) return typeFromName(m[1], m[3] === undefined ? [Number(m[2])] : [Number(m[2]), Number(m[3])])
  return name === 'unknown' ? { id: 'unknown' } : typeFromName(name)
}

/** Arguments given as [typeName, text]: parsed with parseValue (NULL as null). */
type Arg = [string, string | null]

function values(args: Arg[]): { types: SqlType[]; vals: SqlValue[] } {
  const types = args.map(([t]) => ty(t))
  const vals = args.map(([, v], i) => (v === null ? null : types[i].id === 'unknown' ? v : parseValue(v, types[i])))
  return { types, vals }
}

function run(impl: { argTypes: readonly SqlType[]; returnType: SqlType; strict: boolean; fn: (...a: SqlValue[]) => SqlValue }, types: SqlType[], vals: SqlValue[]): string | null {
  // Cast arguments the way the binder would (unknown literals parse as the target type).
  const args = vals.map((v, i) => {
    const target = impl.argTypes[Math.min(i, impl.argTypes.length - 1)]
    if (v === null) return null
    if (types[i].id === 'unknown') return parseValue(v as string, target)
    if (types[i].id === target.id) return v
    return parseValue(formatValue(v, types[i]), target)
  })
  if (impl.strict && args.some((a) => a === null)) return null
  const r = impl.fn(...args)
  return r === null ? null : formatValue(r, impl.returnType)
}

/** `op` on typed args, result as PostgreSQL text. */
export function op(operator: string, ...args: Arg[]): string | null {
  const { types, vals } = values(args)
  const m = args.length === 1 ? resolveOperator(operator, null, types[0]) : resolveOperator(operator, types[0], types[1])
  if (m === undefined) throw new Error(`no operator ${operator} for ${types.map((t) => t.id).join(', ')}`)
  return run(m.impl, types, vals)
}

/** `name(args)`, result as PostgreSQL text. */
export function call(name: string, ...args: Arg[]): string | null {
  const { types, vals } = values(args)
  const impl = resolveFunction(name, types)
  if (impl === undefined) throw new Error(`no function ${name}(${types.map((t) => t.id).join(', ')})`)
  return run(impl, types, vals)
}

export function returnTypeOf(name: string, ...typeNames: string[]): string | undefined {
  return resolveFunction(name, typeNames.map(ty))?.returnType.id
}
