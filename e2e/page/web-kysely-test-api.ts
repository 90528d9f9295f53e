/**
 * The Kysely test page's surface (`window.rustyKysely`), as the e2e Kysely suite sees it through page.evaluate.
 * Owns: the shape of the calls and the library schema they work on; e2e/page/web-kysely-main.ts implements them
 * with Kysely, RustyDialect (web/kysely/) and openDatabase (web/index.ts).
 * Invariants:
 *   (1) Every call answers an Outcome (plain data): a RustyError crosses as RustyErrorData with its code.
 *   (2) Every statement runs through Kysely and RustyDialect's driver (raw SQL too: CompiledQuery.raw), never
 *       through the web client directly, so what the suite sees is what a Kysely application sees.
 *   (3) `ready` is set last.
 * Not here: assertions (the suite makes them in Node).
 */
import type { Outcome } from './web-test-api.js'

export type { Outcome }

/** author: migration 001_library. */
export interface AuthorRow {
  id: number
  name: string
}

/** book: migration 001_library (author_id references author.id, index on (author_id, year)); 002_book_stock adds stock. */
export interface BookRow {
  id: number
  author_id: number
  title: string
  year: number
  stock: number
}

/** A book to insert (stock takes its default, 1). */
export interface NewBook {
  author_id: number
  title: string
  year: number
}

/** Migrator.migrateToLatest()'s answer as plain data. */
export interface MigrationReport {
  results: { migrationName: string; direction: string; status: string }[]
  /** The error the Migrator reported, or null. */
  error: { code: string; message: string } | null
}

/** What Migrator.getMigrations() says of one migration. */
export interface MigrationState {
  name: string
  executed: boolean
}

/** A join and the SQL Kysely compiled for it. */
export interface CompiledRows<R> {
  sql: string
  parameters: unknown[]
  rows: R[]
}

/**
 * One `db.transaction().execute()`: insert the author (returning its id), then its books; then, as `fail` says,
 * commit, throw an Error from the callback, or insert a last book whose author does not exist (23503).
 */
export interface TransactionSpec {
  author: string
  books: { title: string; year: number }[]
  fail?: 'throw' | 'foreign-key'
}

/** What a TransactionSpec's transaction did. */
export interface TransactionReport {
  /** True when execute() resolved. */
  committed: boolean
  /** The author's books as the transaction saw them before it ended (null when it failed before counting). */
  booksSeenInside: number | null
  /** What execute() rejected with: the RustyError's code, or 'Error' for the callback's own Error. */
  error: { code: string; message: string } | null
}

/** What e2e/page/web-kysely-main.ts installs on `window`. */
export interface RustyKyselyTestApi {
  /** openDatabase(options) and a Kysely over it with RustyDialect; `kysely` numbers the instance. */
  open(options: { name: string; storage?: 'opfs' | 'idb' | 'memory' }): Promise<Outcome<{ kysely: number; storage: string }>>
  /** new Migrator({ db, provider: the two library migrations }).migrateToLatest(). */
  migrate(kysely: number): Promise<Outcome<MigrationReport>>
  /** Migrator.getMigrations(): each known migration and whether kysely_migration records it. */
  migrations(kysely: number): Promise<Outcome<MigrationState[]>>
  /** insertInto('author').values(names).returning(['id', 'name']). */
  addAuthors(kysely: number, names: string[]): Promise<Outcome<AuthorRow[]>>
  /** insertInto('book').values(books).returningAll(). */
  addBooks(kysely: number, books: NewBook[]): Promise<Outcome<BookRow[]>>
  /**
   * book inner join author, books of `since` or later with stock > 0, newest first then by title:
   * title, author (author.name), year, stock.
   */
  booksSince(kysely: number, since: number): Promise<Outcome<CompiledRows<{ title: string; author: string; year: number; stock: number }>>>
  /** Runs one transaction (TransactionSpec); never rejects for the transaction's own failure. */
  transaction(kysely: number, spec: TransactionSpec): Promise<Outcome<TransactionReport>>
  /** Raw SQL through the Kysely instance's driver (CompiledQuery.raw): the rows. */
  query(kysely: number, sql: string, params?: unknown[]): Promise<Outcome<unknown[]>>
  /** Kysely's destroy(), which closes the database. */
  destroy(kysely: number): Promise<Outcome<null>>
  readonly ready: true
}

declare global {
  interface Window {
    rustyKysely: RustyKyselyTestApi
  }
}
