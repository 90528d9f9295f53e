/**
 * System information functions (PostgreSQL "System Information Functions", "UUID Functions").
 * Owns: version(), current_schema/current_user/session_user/user/current_role/current_catalog,
 * current_database(), current_setting(), pg_typeof(), gen_random_uuid(), pg_backend_pid(),
 * num_nulls/num_nonnulls, function-style casts (int4(x), text(x), date(x), ...).
 * Invariants:
 *   (1) version() starts with `PostgreSQL 16.0` so drivers and Kysely that parse it see a modern server.
 *   (2) Identity functions read sessionInfo (registry.ts), which the session sets.
 */
import { RustyError, sessionTimeZone, typeName, typeOf, type SqlType } from '../../common/index.js'
import { resolveCast } from './casts.js'
import { INT4, TEXT, UUID, scalar } from './impl-util.js'
import { overloads, register, sessionInfo, sig } from './registry.js'

/** The text version() returns. */
export const VERSION = 'PostgreSQL 16.0 (RustyDB 0.1.0) on wasm32-unknown-unknown, compiled by TypeScript, 64-bit'

overloads('version', [sig([], TEXT, () => VERSION)])
overloads(['current_schema'], [sig([], TEXT, () => sessionInfo.schema)])
overloads(['current_user', 'session_user', 'user', 'current_role', 'system_user'], [sig([], TEXT, () => sessionInfo.user)])
overloads(['current_catalog', 'current_database'], [sig([], TEXT, () => sessionInfo.database)])
overloads('pg_backend_pid', [sig([], INT4, () => 1)])

const SETTINGS: Record<string, () => string> = {
  server_version: () => '16.0',
  server_version_num: () => '160000',
  timezone: () => sessionTimeZone(),
  datestyle: () => 'ISO, MDY',
  intervalstyle: () => 'postgres',
  search_path: () => `"$user", ${sessionInfo.schema}`,
  server_encoding: () => 'UTF8',
  client_encoding: () => 'UTF8',
  standard_conforming_strings: () => 'on',
  integer_datetimes: () => 'on',
  max_identifier_length: () => '63',
  transaction_isolation: () => 'read committed',
  application_name: () => '',
  is_superuser: () => 'on',
  lc_collate: () => 'C',
  lc_ctype: () => 'C',
  extra_float_digits: () => '1',
}

function setting(name: string, missingOk: boolean): string | null {
  const f = SETTINGS[name.toLowerCase()]
  if (f !== undefined) return f()
  if (missingOk) return null
  throw new RustyError('42704', `unrecognized configuration parameter "${name}"`)
}

overloads('current_setting', [
  sig([TEXT], TEXT, (n) => setting(n as string, false)),
  sig([TEXT, { id: 'bool' }], TEXT, (n, m) => setting(n as string, m as boolean)),
])

register('pg_typeof', (argTypes) => {
  if (argTypes.length !== 1) return undefined
  const name = typeName(argTypes[0])
  return scalar('pg_typeof', argTypes, TEXT, () => name, { strict: false, key: name })
})

const HEX = '0123456789abcdef'
/** A random version 4 UUID (crypto.getRandomValues when available). */
export function randomUuid(): string {
  const bytes = new Uint8Array(16)
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (c?.getRandomValues !== undefined) c.getRandomValues(bytes)
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256)
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  let s = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
    s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15]
  }
  return s
}
overloads(['gen_random_uuid', 'uuid_generate_v4'], [sig([], UUID, () => randomUuid(), { volatile: true })])

for (const [name, nulls] of [
  ['num_nulls', true],
  ['num_nonnulls', false],
] as const) {
  register(name, (argTypes) =>
    scalar(name, argTypes.map((t) => (t.id === 'unknown' ? TEXT : t)), INT4, (...args) => args.filter((a) => (a === null) === nulls).length, {
      strict: false,
      key: argTypes.map((t) => t.id).join(),
    }),
  )
}

// Function-style casts: int4(x), text(x), date(ts), numeric(x), ... (PostgreSQL accepts a type name as a
// one-argument function performing the explicit cast).
const CAST_FUNCTIONS: Record<string, SqlType> = {
  int2: typeOf('int2'),
  int4: typeOf('int4'),
  int8: typeOf('int8'),
  float4: typeOf('float4'),
  float8: typeOf('float8'),
  numeric: typeOf('numeric'),
  text: typeOf('text'),
  varchar: typeOf('varchar'),
  bool: typeOf('bool'),
  date: typeOf('date'),
  time: typeOf('time'),
  timestamp: typeOf('timestamp'),
  timestamptz: typeOf('timestamptz'),
  interval: typeOf('interval'),
  uuid: typeOf('uuid'),
  bytea: typeOf('bytea'),
  json: typeOf('json'),
  jsonb: typeOf('jsonb'),
}
for (const [name, target] of Object.entries(CAST_FUNCTIONS)) {
  register(name, (argTypes) => {
    if (argTypes.length !== 1) return undefined
    const from = argTypes[0].id === 'null' ? typeOf('unknown') : argTypes[0]
    const cast = resolveCast(from, target, 'explicit')
    if (cast === undefined) return undefined
    return scalar(name, [from], target, (v) => cast(v), { key: from.id })
  })
}
