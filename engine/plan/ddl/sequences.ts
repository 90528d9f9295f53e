/**
 * Sequence options: CREATE SEQUENCE / ALTER SEQUENCE / identity column options to a SequenceDef.
 * Invariants:
 *   (1) Defaults as PostgreSQL: type bigint; ascending: MINVALUE 1, MAXVALUE the type's maximum; descending:
 *       MINVALUE the type's minimum, MAXVALUE -1; START = MINVALUE ascending, MAXVALUE descending.
 *   (2) min <= start <= max and increment != 0, or 22023 with PostgreSQL's message.
 * Not here: positions (TxnManager: nextval is not transactional).
 */
import { RustyError, SqlState } from '../../common/index.js'
import { typeOf, type SqlType } from '../../common/types.js'
import type { SequenceDef } from '../../catalog/index.js'
import type { SequenceOption } from '../../sql/index.js'
import { resolveType } from './ddl-common.js'

const RANGES: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-(1n << 63n), (1n << 63n) - 1n],
}

function invalid(message: string): RustyError {
  return new RustyError(SqlState.INVALID_PARAMETER_VALUE, message)
}

/** What ALTER SEQUENCE ... RESTART asked for: undefined (no restart), or the value. */
export interface SequenceChange {
  readonly def: SequenceDef
  readonly restart: bigint | undefined
}

/**
 * The definition a list of options gives, starting from `base` (ALTER) or the defaults (CREATE). RESTART
 * without a value restarts at START.
 */
export function applySequenceOptions(base: SequenceDef | null, id: number, schema: string, name: string, options: readonly SequenceOption[], defaultType: SqlType): SequenceChange {
  let type = base?.type ?? defaultType
  let increment: bigint | undefined
  let min: bigint | null | undefined
  let max: bigint | null | undefined
  let start: bigint | undefined
  let cycle = base?.cycle ?? false
  let ownedBy = base?.ownedBy ?? null
  let restart: bigint | null | undefined
  for (const o of options) {
    switch (o.option) {
      case 'as': {
        type = resolveType(o.type)
        if (RANGES[type.id] === undefined) throw invalid('sequence type must be smallint, integer, or bigint')
        break
      }
      case 'increment':
        increment = BigInt(o.value ?? '1')
        break
      case 'minvalue':
        min = o.value === null ? null : BigInt(o.value)
        break
      case 'maxvalue':
        max = o.value === null ? null : BigInt(o.value)
        break
      case 'start':
        start = BigInt(o.value ?? '1')
        break
      case 'restart':
        restart = o.value === null ? null : BigInt(o.value)
        break
      case 'cache':
        break
      case 'cycle':
        cycle = o.value
        break
      case 'owned_by':
        ownedBy = o.column === null ? null : o.column.slice(-2).join('.')
        break
    }
  }
  const inc = increment ?? base?.increment ?? 1n
  if (inc === 0n) throw invalid('INCREMENT must not be zero')
  const [typeMin, typeMax] = RANGES[type.id] ?? RANGES.int8
  const typeChanged = base !== null && base.type.id !== type.id
  const minValue = min === null || (min === undefined && (base === null || typeChanged)) ? (inc > 0n ? 1n : typeMin) : (min ?? base?.min ?? 1n)
  const maxValue = max === null || (max === undefined && (base === null || typeChanged)) ? (inc > 0n ? typeMax : -1n) : (max ?? base?.max ?? typeMax)
  if (minValue < typeMin || maxValue > typeMax) {
    throw invalid(`${minValue < typeMin ? `MINVALUE (${minValue})` : `MAXVALUE (${maxValue})`} is out of range for sequence data type ${type.id === 'int2' ? 'smallint' : type.id === 'int4' ? 'integer' : 'bigint'}`)
  }
  if (minValue >= maxValue) throw invalid(`MINVALUE (${minValue}) must be less than MAXVALUE (${maxValue})`)
  const startValue = start ?? (base !== null && !typeChanged ? base.start : inc > 0n ? minValue : maxValue)
  if (startValue < minValue) throw invalid(`START value (${startValue}) cannot be less than MINVALUE (${minValue})`)
  if (startValue > maxValue) throw invalid(`START value (${startValue}) cannot be greater than MAXVALUE (${maxValue})`)
  const def: SequenceDef = { id, schema, name, type: typeOf(type.id), start: startValue, increment: inc, min: minValue, max: maxValue, cycle, ownedBy }
  let restartAt: bigint | undefined
  if (restart !== undefined) {
    restartAt = restart ?? startValue
    if (restartAt < minValue) throw invalid(`RESTART value (${restartAt}) cannot be less than MINVALUE (${minValue})`)
    if (restartAt > maxValue) throw invalid(`RESTART value (${restartAt}) cannot be greater than MAXVALUE (${maxValue})`)
  }
  return { def, restart: restartAt }
}

/** A new sequence from CREATE SEQUENCE options (or an identity column's), type `type` unless AS says otherwise. */
export function sequenceFromOptions(id: number, schema: string, name: string, options: readonly SequenceOption[], type: SqlType, ownedBy: string | null): SequenceDef {
  const { def } = applySequenceOptions(null, id, schema, name, options, type)
  return ownedBy === null || def.ownedBy !== null ? def : { ...def, ownedBy }
}
