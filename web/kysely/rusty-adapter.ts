/**
 * RustyAdapter: Kysely's PostgresAdapter with a migration lock RustyDB can hold.
 * Owns: acquireMigrationLock / releaseMigrationLock.
 * Invariants:
 *   (1) The lock is RustyDB's transaction-scoped advisory lock `pg_advisory_xact_lock(LOCK_ID)` taken in a
 *       session of its own: acquire opens the session, runs BEGIN and the lock (waiting while another
 *       migrator holds it, up to lock_timeout = 1 h as Kysely's PostgresAdapter sets), and keeps the
 *       transaction open; release closes the session, which rolls back and so frees the lock.
 *   (2) The lock session holds nothing else, so a waiting migrator cannot deadlock with the one it waits for.
 *   (3) acquire/release pairs are matched by the options object the Migrator passes to both (one per run),
 *       so concurrent migrations through one Kysely instance each hold and free their own lock.
 *
 * Why not PostgresAdapter's lock: since 0.29 it takes a session-level `pg_advisory_lock` after
 * `set_config('lock_timeout', ..., true)`; RustyDB has transaction-scoped advisory locks only (they are its
 * row locks on a reserved resource, freed at COMMIT/ROLLBACK) and answers the session-level functions and
 * set_config with 0A000. We could take the transaction-scoped lock on the migration's own connection, but
 * the Migrator acquires the lock before it begins its transaction, so it would be freed at once.
 * Not here: the lock itself (engine/plan/binder/catalog-functions.ts).
 */
import { PostgresAdapter, type Kysely, type MigrationLockOptions } from 'kysely'
import type { RustyDatabaseLike, RustySessionLike } from './rusty-dialect-config.js'

/** The advisory lock key, the one Kysely's PostgresAdapter uses. */
export const MIGRATION_LOCK_ID = 3853314791062309107n

/** How long a migrator waits for another one (Kysely's PostgresAdapter: one hour). */
export const MIGRATION_LOCK_TIMEOUT_MS = 60 * 60 * 1000

/**
 * The DialectAdapter of RustyDialect.
 *
 * @example
 * new Migrator({ db, provider })   // with db = new Kysely({ dialect: new RustyDialect({ database }) })
 */
export class RustyAdapter extends PostgresAdapter {
  readonly #database: RustyDatabaseLike
  readonly #holders = new Map<MigrationLockOptions, RustySessionLike>()

  constructor(database: RustyDatabaseLike) {
    super()
    this.#database = database
  }

  /** Holds the migration lock until releaseMigrationLock (invariant 1). */
  override async acquireMigrationLock(_db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const session = this.#database.session()
    try {
      await session.query(`set lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`)
      await session.query('begin')
      await session.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID])
    } catch (err) {
      await session.close()
      throw err
    }
    this.#holders.set(options, session)
  }

  /** Frees the lock this run holds (nothing when acquire failed). */
  override async releaseMigrationLock(_db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const session = this.#holders.get(options)
    if (session === undefined) return
    this.#holders.delete(options)
    await session.close()
  }
}
