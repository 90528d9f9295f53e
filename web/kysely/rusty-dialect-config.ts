/**
 * RustyDialectConfig: what the Kysely dialect needs from a database, as structural interfaces.
 * Owns: RustyDatabaseLike / RustySessionLike (the methods the driver and adapter call) and the dialect's
 * options.
 * Invariants:
 *   (1) Only the shape matters: `Database` from 'rustydb', and the browser client with the same methods,
 *       both satisfy RustyDatabaseLike; nothing here imports the engine at run time.
 *   (2) A RustySessionLike is a connection: its statements run one at a time, in call order, inside its own
 *       transaction state (engine/database.ts DatabaseSession).
 * Not here: how the interfaces are used (rusty-driver.ts, rusty-adapter.ts).
 */

/** A result as RustyDB returns it (engine/session.ts QueryResult). */
export interface RustyQueryResult<R = unknown> {
  readonly columns: readonly { readonly name: string; readonly type: string }[]
  readonly rows: R[]
  /** Rows returned, or rows affected by INSERT/UPDATE/DELETE. */
  readonly rowCount: number
  /** The command tag word: SELECT, INSERT, UPDATE, DELETE, COMMIT, ROLLBACK, CREATE TABLE, ... */
  readonly command: string
}

/** One connection: `db.session()` of a RustyDB database. */
export interface RustySessionLike {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<RustyQueryResult<R>>
  /** Rolls back an open transaction and ends the session. */
  close(): Promise<void> | void
  /** 'idle', 'in-transaction' or 'failed'; a session that does not report it is never reused. */
  readonly status?: string
}

/** A RustyDB database: `Database` from 'rustydb' or the browser client. */
export interface RustyDatabaseLike {
  /** Opens a connection with its own transaction state. */
  session(): RustySessionLike
  /** Closes the database (RustyDriver.destroy calls it, as Kysely's SQLite and PostgreSQL drivers end theirs). */
  close(): Promise<void> | void
}

/** Options of RustyDialect. */
export interface RustyDialectConfig {
  /** The database the dialect runs on. Kysely's `destroy()` closes it. */
  readonly database: RustyDatabaseLike
  /**
   * How many idle sessions the driver keeps for reuse between Kysely connections (default 4). Settings a
   * statement changed with SET stay with the session, as with a pg pool.
   */
  readonly maxIdleSessions?: number
}
