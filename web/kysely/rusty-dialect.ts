/**
 * RustyDialect: Kysely on RustyDB.
 * Owns: wiring Kysely's PostgreSQL query compiler and introspector to RustyDB's driver and adapter.
 * Invariants:
 *   (1) SQL is Kysely's PostgreSQL dialect unchanged (PostgresQueryCompiler): RustyDB speaks PostgreSQL's
 *       grammar (ARCHITECTURE.md "SQL dialect"; test/sql/kysely.test.ts parses what it emits).
 *   (2) Introspection is Kysely's PostgresIntrospector unchanged: RustyDB's pg_catalog views and functions
 *       (pg_namespace, pg_class, pg_attribute, pg_type, col_description, pg_get_serial_sequence,
 *       has_schema_privilege) answer its queries.
 *   (3) The adapter is RustyAdapter: PostgresAdapter's capabilities (transactional DDL, RETURNING) with a
 *       migration lock RustyDB can hold (rusty-adapter.ts).
 * Not here: connections and results (rusty-driver.ts).
 */
import { PostgresIntrospector, PostgresQueryCompiler, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type Kysely, type QueryCompiler } from 'kysely'
import { RustyAdapter } from './rusty-adapter.js'
import type { RustyDialectConfig } from './rusty-dialect-config.js'
import { RustyDriver } from './rusty-driver.js'

/**
 * Kysely's Dialect for RustyDB.
 *
 * @example
 * import { Database } from 'rustydb'
 * import { RustyDialect } from 'rustydb/kysely'
 * import { Kysely } from 'kysely'
 * const db = new Kysely<DB>({ dialect: new RustyDialect({ database: await Database.open({ path: './app.rdb' }) }) })
 * await db.selectFrom('todos').selectAll().where('done', '=', false).execute()
 * await db.destroy()   // closes the database too
 */
export class RustyDialect implements Dialect {
  readonly #config: RustyDialectConfig

  constructor(config: RustyDialectConfig) {
    this.#config = config
  }

  createDriver(): Driver {
    return new RustyDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new RustyAdapter(this.#config.database)
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
}
