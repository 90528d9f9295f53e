/**
 * Catalog functions: PostgreSQL functions whose result depends on the catalog or on the transaction, so they
 * are bound here, with the statement's CatalogReader and TableAccess, instead of in the pure function
 * registry (engine/catalog/functions), like nextval in expr-binder.ts.
 * Owns: col_description, obj_description, pg_get_serial_sequence, has_schema_privilege, the advisory lock
 * functions, and the 0A000 answers for set_config and session-level advisory locks.
 * Invariants:
 *   (1) A call bound here marks the plan as using the transaction (PlanContext.usesTransaction), so a cached
 *       plan never carries one transaction's catalog or locks into another.
 *   (2) Advisory locks are transaction-scoped row locks: pg_advisory_xact_lock(k) takes the lock manager's
 *       UPDATE lock (the _shared variants its SHARE lock) on a resource of a reserved pseudo-table that no
 *       real table's resources can collide with (ADVISORY_LOCKS, id -1). So they wait like row locks (the
 *       statement restarts once granted), honour lock_timeout and statement_timeout, take part in deadlock
 *       detection (40P01), and are released at COMMIT or ROLLBACK, as PostgreSQL's xact locks are. The
 *       pg_try_ variants do not wait and return false when another transaction holds a conflicting lock.
 *   (3) Session-level advisory locks (pg_advisory_lock, pg_advisory_unlock, ...) raise 0A000: holding a lock
 *       past COMMIT needs the session to release it at disconnect, which sessions do not do yet.
 *   (4) void results (pg_advisory_xact_lock) are the empty text '', which is how PostgreSQL clients see a void.
 *   (5) An exclusive advisory lock in a READ ONLY transaction is 0A000 (row locks stronger than SHARE are
 *       refused there); PostgreSQL allows it. The _shared variants work.
 * Not here: lock waits and deadlock detection (engine/txn/lock-manager.ts), system views (system-views.ts).
 */
import { RustyError, SqlState, type SqlType, type SqlValue, typeOf } from '../../common/index.js'
import { canImplicitCast } from '../../catalog/functions/index.js'
import type { ScalarImpl } from '../../catalog/functions/function-types.js'
import type { TableDef } from '../../catalog/schema.js'
import { LockMode, type CatalogReader, type LockPolicy, type TableAccess } from '../../txn/index.js'
import type { PlanContext } from './context.js'
import { relationByOid, schemaNames } from './system-views.js'

const TEXT = typeOf('text')
const BOOL = typeOf('bool')
const INT4 = typeOf('int4')
const INT8 = typeOf('int8')

/** The pseudo-table whose row locks are the advisory locks (invariant 2). It has no tree and no rows. */
export const ADVISORY_LOCKS: TableDef = Object.freeze({
  id: -1,
  schema: 'pg_catalog',
  name: 'advisory locks',
  columns: Object.freeze([]),
  primaryKey: null,
  primaryKeyName: null,
  uniques: Object.freeze([]),
  checks: Object.freeze([]),
  foreignKeys: Object.freeze([]),
  indexes: Object.freeze([]),
})

/**
 * The lock resource key of an advisory lock: a key-space byte (1: one bigint key, 2: two int4 keys, as
 * PostgreSQL keeps the two forms apart) and the key as 8 big-endian bytes.
 */
export function advisoryKey(space: 1 | 2, key: bigint): Uint8Array {
  const out = new Uint8Array(9)
  out[0] = space
  new DataView(out.buffer).setBigInt64(1, BigInt.asIntN(64, key))
  return out
}

interface CatalogSignature {
  readonly args: readonly SqlType[]
  readonly ret: SqlType
  /** Builds the function for this statement. */
  readonly make: (env: Env) => (...args: SqlValue[]) => SqlValue
  readonly strict?: boolean
}

/** What a catalog function may use. */
interface Env {
  readonly catalog: CatalogReader
  readonly access: TableAccess | undefined
  readonly name: string
}

const SESSION_LOCK_HINT = 'Use pg_advisory_xact_lock() or pg_try_advisory_xact_lock() inside a transaction: the lock is released at COMMIT or ROLLBACK.'

/** Functions that exist in PostgreSQL and are refused here with 0A000 (invariant 3): detail and hint. */
const REFUSED: Record<string, [string, string]> = {
  set_config: ['Settings change only through SET statements.', 'Use SET name = value.'],
}
for (const name of [
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
]) {
  REFUSED[name] = ['Only transaction-level advisory locks exist: a session cannot hold a lock past COMMIT.', SESSION_LOCK_HINT]
}

/** Takes an advisory lock for the transaction (invariant 2); false when `policy` is 'skip' and it is held. */
function advisoryLock(env: Env, mode: LockMode, policy: LockPolicy, key: Uint8Array): boolean {
  if (env.access === undefined) throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, `${env.name}() is not available here`)
  try {
    return env.access.lockRow(ADVISORY_LOCKS, key, mode, policy).kind !== 'skipped'
  } catch (err) {
    // Row locks stronger than SHARE are refused in read-only transactions (txn 25006, "SELECT FOR UPDATE").
    if (err instanceof RustyError && err.code === '25006') {
      throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, `${env.name}() is not supported in a read-only transaction`, {
        hint: 'Use the _shared variant, or a read-write transaction.',
        cause: err,
      })
    }
    throw err
  }
}

function advisory(mode: LockMode, policy: LockPolicy): CatalogSignature[] {
  const ret = policy === 'wait' ? TEXT : BOOL
  const result = (granted: boolean): SqlValue => (policy === 'wait' ? '' : granted)
  return [
    { args: [INT8], ret, make: (env) => (k) => result(advisoryLock(env, mode, policy, advisoryKey(1, k as bigint))) },
    {
      args: [INT4, INT4],
      ret,
      make: (env) => (k1, k2) => result(advisoryLock(env, mode, policy, advisoryKey(2, (BigInt(k1 as number) << 32n) | BigInt((k2 as number) >>> 0)))),
    },
  ]
}

/** Splits `schema.table` text as PostgreSQL parses a regclass name: unquoted parts fold to lower case. */
function parseRelationName(text: string): string[] | undefined {
  const parts: string[] = []
  let i = 0
  for (;;) {
    let part = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) return undefined
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"'
            i += 2
            continue
          }
          i++
          break
        }
        part += text[i++]
      }
    } else {
      const m = /^[^."\s]+/.exec(text.slice(i))
      if (m === null) return undefined
      part = m[0].toLowerCase()
      i += m[0].length
    }
    parts.push(part)
    if (i === text.length) return parts.length <= 3 ? parts : undefined
    if (text[i] !== '.') return undefined
    i++
  }
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** The table a pg_get_serial_sequence argument names (null: a view): 3F000 / 42P01 as PostgreSQL reports them. */
function tableNamed(catalog: CatalogReader, text: string): TableDef | null {
  const parts = parseRelationName(text)
  if (parts === undefined) throw new RustyError('42602', `invalid name syntax`, { detail: text })
  const name = parts[parts.length - 1]
  const schema = parts.length > 1 ? parts[parts.length - 2] : null
  if (schema !== null && !schemaNames(catalog).includes(schema)) throw new RustyError('3F000', `schema "${schema}" does not exist`)
  const table = catalog.table(schema, name)
  if (table === undefined) {
    if (catalog.view(schema, name) !== undefined) return null
    throw new RustyError(SqlState.UNDEFINED_TABLE, `relation "${text}" does not exist`)
  }
  return table
}

const PRIVILEGES = new Set(['usage', 'create'])

const SIGNATURES: Record<string, readonly CatalogSignature[]> = {
  col_description: [
    {
      args: [INT8, INT4],
      ret: TEXT,
      make: (env) => (oid, attnum) => {
        const rel = relationByOid(env.catalog, oid as bigint)
        if (rel?.kind !== 'table') return null
        return rel.table.columns[(attnum as number) - 1]?.comment ?? null
      },
    },
  ],
  obj_description: [
    { args: [INT8], ret: TEXT, make: (env) => (oid) => relationByOid(env.catalog, oid as bigint)?.comment ?? null },
    {
      args: [INT8, TEXT],
      ret: TEXT,
      make: (env) => (oid, catalogName) => (catalogName === 'pg_class' ? (relationByOid(env.catalog, oid as bigint)?.comment ?? null) : null),
    },
  ],
  pg_get_serial_sequence: [
    {
      args: [TEXT, TEXT],
      ret: TEXT,
      make: (env) => (tableText, column) => {
        const table = tableNamed(env.catalog, tableText as string)
        if (table === null) return null
        if (!table.columns.some((c) => c.name === column)) {
          throw new RustyError(SqlState.UNDEFINED_COLUMN, `column "${column as string}" of relation "${table.name}" does not exist`)
        }
        const owner = `${table.name}.${column as string}`
        const seq = env.catalog.sequences().find((s) => s.schema === table.schema && s.ownedBy === owner)
        return seq === undefined ? null : `${quoteIdent(seq.schema)}.${quoteIdent(seq.name)}`
      },
    },
  ],
  has_schema_privilege: [
    {
      args: [TEXT, TEXT],
      ret: BOOL,
      // Every role holds every privilege (there are no grants yet); the schema and the privilege names are checked.
      make: (env) => (schema, privilege) => {
        for (const p of (privilege as string).split(',')) {
          const word = p.trim().toLowerCase().replace(/\s+with\s+grant\s+option$/, '')
          if (!PRIVILEGES.has(word)) throw new RustyError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized privilege type: "${p.trim()}"`)
        }
        if (!schemaNames(env.catalog).includes(schema as string)) throw new RustyError('3F000', `schema "${schema as string}" does not exist`)
        return true
      },
    },
  ],
  pg_advisory_xact_lock: advisory(LockMode.UPDATE, 'wait'),
  pg_advisory_xact_lock_shared: advisory(LockMode.SHARE, 'wait'),
  pg_try_advisory_xact_lock: advisory(LockMode.UPDATE, 'skip'),
  pg_try_advisory_xact_lock_shared: advisory(LockMode.SHARE, 'skip'),
}

/** True for the names this file binds (including the refused ones). */
export function isCatalogFunction(name: string): boolean {
  return Object.hasOwn(SIGNATURES, name) || Object.hasOwn(REFUSED, name)
}

/**
 * The impl of a catalog function for these argument types, or undefined when no signature matches (the
 * caller reports 42883). Throws 0A000 for the refused ones (invariant 3). Marks the plan (invariant 1).
 */
export function resolveCatalogFunction(name: string, argTypes: readonly SqlType[], ctx: PlanContext): ScalarImpl | undefined {
  const refused = REFUSED[name]
  if (refused !== undefined) {
    throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, `${name}() is not supported`, { detail: refused[0], hint: refused[1] })
  }
  const sig = SIGNATURES[name]?.find(
    (s) =>
      s.args.length === argTypes.length &&
      s.args.every((want, i) => {
        const have = argTypes[i]
        return have.id === want.id || have.id === 'unknown' || have.id === 'null' || canImplicitCast(have, want)
      }),
  )
  if (sig === undefined) return undefined
  ctx.markUsesTransaction()
  const fn = sig.make({ catalog: ctx.catalog, access: ctx.access, name })
  return Object.freeze({ name, argTypes: sig.args, returnType: sig.ret, strict: sig.strict ?? true, volatile: true, fn })
}
