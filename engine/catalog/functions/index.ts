/**
 * engine/catalog/functions: built-in casts, operators, functions and aggregates (PostgreSQL semantics).
 * The binder resolves calls here and casts arguments to the resolved impl's argTypes; the executor calls
 * `impl.fn` per row (function-types.ts invariants).
 * Importing this module registers every built-in (the *-functions.ts files register on load).
 */
import './math-functions.js'
import './string-functions.js'
import './json-functions.js'
import './datetime-functions.js'
import './array-functions.js'
import './system-functions.js'
import './hash-functions.js'

export type { AggregateImpl, CastFn, ScalarImpl } from './function-types.js'
export { canImplicitCast, resolveCast, rint, type CastContext } from './casts.js'
export { comparisonType, resolveOperator, type OperatorMatch } from './operators.js'
export { isFunctionName, resolveFunction, sessionClock, sessionInfo, setStatementTimestamp } from './registry.js'
export { isAggregateName, resolveAggregate } from './aggregates.js'
export { commonType } from './common-type.js'
export { resolveTableFunction, type TableFunction } from './table-functions.js'
export { likeMatch, regexMatch } from './patterns.js'
export { rowToJson, valueToJson } from './json-functions.js'
