/**
 * rustydb/kysely: the Kysely dialect for RustyDB (package.json export `./kysely`).
 * Owns: the folder's public surface; the rest stays private.
 *
 * Uses Kysely's own PostgresQueryCompiler and PostgresIntrospector (RustyDB answers their SQL) and its own
 * driver (one RustyDB session per Kysely connection) and adapter (a migration lock RustyDB can hold).
 *
 * @example
 * import { Database } from 'rustydb'
 * import { RustyDialect } from 'rustydb/kysely'
 * import { Kysely } from 'kysely'
 * const db = new Kysely<DB>({ dialect: new RustyDialect({ database: await Database.open() }) })
 *
 * @example
 * // In the browser: the same dialect over rustydb/web's client (the engine runs in a worker, on OPFS).
 * import { openDatabase } from 'rustydb/web'
 * const db = new Kysely<DB>({ dialect: new RustyDialect({ database: await openDatabase({ name: 'app' }) }) })
 * // e2e/suites/web-kysely-suite.ts runs the Migrator, inserts, joins and transactions this way in Chromium.
 */
export { RustyDialect } from './rusty-dialect.js'
export { RustyDriver, RustyConnection, DEFAULT_MAX_IDLE_SESSIONS } from './rusty-driver.js'
export { RustyAdapter, MIGRATION_LOCK_ID, MIGRATION_LOCK_TIMEOUT_MS } from './rusty-adapter.js'
export type { RustyDatabaseLike, RustyDialectConfig, RustyQueryResult, RustySessionLike } from './rusty-dialect-config.js'
