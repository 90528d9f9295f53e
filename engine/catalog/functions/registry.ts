/**
 * The scalar function registry and PostgreSQL's overload resolution.
 * Owns: register/overload helpers, resolveFunction, the session clock and identity that now()/current_user
 * read (the executor sets them per statement).
 * Invariants:
 *   (1) Resolution (PostgreSQL's func_select_candidate, simplified): candidates whose every argument is the
 *       same type or implicitly castable; most exact matches wins, then most preferred types (float8, text,
 *       timestamptz, interval, bool) at coerced positions; unknown arguments prefer text.
 *   (2) A resolver returns the same frozen impl for the same signature (impl-util `scalar` cache).
 * Not here: the function bodies (math-, string-, datetime-, json-, array-functions.ts).
 */
import type { SqlType, SqlValue } from '../../common/index.js'
import { canImplicitCast } from './casts.js'
import type { ScalarImpl } from './function-types.js'
import { scalar } from './impl-util.js'

/** A resolver for one function name: the impl for these argument types, or undefined. */
export type FunctionResolver = (argTypes: readonly SqlType[]) => ScalarImpl | undefined

const registry = new Map<string, FunctionResolver[]>()

/** Adds a resolver under one or more names. */
export function register(names: string | readonly string[], resolver: FunctionResolver): void {
  for (const name of typeof names === 'string' ? [names] : names) {
    let list = registry.get(name)
    if (list === undefined) registry.set(name, (list = []))
    list.push(resolver)
  }
}

/** One fixed signature. `variadic`: the last argument type repeats (zero or more extra). */
export interface Signature {
  readonly args: readonly SqlType[]
  readonly ret: SqlType
  readonly fn: (...args: SqlValue[]) => SqlValue
  readonly strict?: boolean
  readonly volatile?: boolean
  readonly variadic?: boolean
}

const PREFERRED = new Set(['float8', 'text', 'timestamptz', 'interval', 'bool'])

function score(sig: Signature, argTypes: readonly SqlType[]): number {
  const n = argTypes.length
  const k = sig.args.length
  if (sig.variadic ? n < k - 1 : n !== k) return -1
  let exact = 0
  let preferred = 0
  for (let i = 0; i < n; i++) {
    const want = sig.args[i < k ? i : k - 1]
    const have = argTypes[i]
    if (have.id === want.id && (have.id !== 'array' || have.element?.id === want.element?.id)) {
      exact++
      continue
    }
    if (have.id === 'unknown' || have.id === 'null') {
      // PostgreSQL: string category first, else the category's preferred type (abs('-5') is abs(float8)).
      if (want.id === 'text') preferred += 2
      else if (PREFERRED.has(want.id)) preferred++
      continue
    }
    if (!canImplicitCast(have, want)) return -1
    if (PREFERRED.has(want.id)) preferred++
  }
  return exact * 1000 + preferred
}

/** Registers fixed signatures under `names`, resolved by invariant (1). */
export function overloads(names: string | readonly string[], sigs: readonly Signature[]): void {
  const primary = typeof names === 'string' ? names : names[0]
  register(names, (argTypes) => {
    let best: Signature | undefined
    let bestScore = -1
    for (const sig of sigs) {
      const s = score(sig, argTypes)
      if (s > bestScore) {
        best = sig
        bestScore = s
      }
    }
    if (best === undefined) return undefined
    const args = best.variadic ? argTypes.map((_, i) => best!.args[Math.min(i, best!.args.length - 1)]) : best.args
    return scalar(primary, args, best.ret, best.fn, { strict: best.strict, volatile: best.volatile })
  })
}

/** Shorthand for a Signature. */
export function sig(args: readonly SqlType[], ret: SqlType, fn: (...args: SqlValue[]) => SqlValue, options: Omit<Signature, 'args' | 'ret' | 'fn'> = {}): Signature {
  return { args, ret, fn, ...options }
}

/**
 * Resolves a scalar function by lower-case name and argument types; undefined when none matches (the binder
 * raises 42883 `function f(integer) does not exist`). The binder casts arguments to impl.argTypes.
 *
 * @example
 * resolveFunction('abs', [typeOf('int4')])!.returnType    // int4
 * resolveFunction('round', [typeOf('numeric'), typeOf('int4')])!.fn(Decimal.parse('2.345'), 2) // 2.35
 */
export function resolveFunction(name: string, argTypes: readonly SqlType[]): ScalarImpl | undefined {
  const list = registry.get(name)
  if (list === undefined) return undefined
  for (const r of list) {
    const impl = r(argTypes)
    if (impl !== undefined) return impl
  }
  return undefined
}

/** True when a scalar function of this name exists (any signature). */
export function isFunctionName(name: string): boolean {
  return registry.has(name)
}

/**
 * Per-statement state read by now() and friends. The executor (or session) sets it before running a
 * statement: `sessionClock.statement = ctx.now`; transaction start via `sessionClock.transaction`.
 * Zero means "not set": the functions then read the wall clock.
 */
export const sessionClock = {
  /** Statement start, µs since epoch (now(), current_timestamp, statement_timestamp()). */
  statement: 0,
  /** Transaction start, µs since epoch (transaction_timestamp()); 0: same as statement. */
  transaction: 0,
}

/** Session identity read by current_user, current_schema(), current_database(). */
export const sessionInfo = {
  user: 'rustydb',
  schema: 'public',
  database: 'rustydb',
}

/** Sets the statement (and optionally transaction) timestamp in µs since epoch. */
export function setStatementTimestamp(statementMicros: number, transactionMicros = statementMicros): void {
  sessionClock.statement = statementMicros
  sessionClock.transaction = transactionMicros
}

export function statementNow(): number {
  return sessionClock.statement !== 0 ? sessionClock.statement : Date.now() * 1000
}

export function transactionNow(): number {
  return sessionClock.transaction !== 0 ? sessionClock.transaction : statementNow()
}
