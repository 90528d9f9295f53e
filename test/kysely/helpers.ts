/**
 * Shared setup of the Kysely dialect tests: a fresh in-memory RustyDB behind a Kysely instance, the
 * table types, seed data and small promise helpers for interleaving transactions.
 */
import { Kysely, sql, type Generated } from 'kysely'
import { Database } from '../../engine/index.js'
import { RustyDialect } from '../../web/kysely/index.js'

export interface PersonTable {
  id: Generated<number>
  first_name: string
  last_name: string | null
  age: number
}

export interface PetTable {
  id: Generated<number>
  name: string
  owner_id: number
  species: string | null
}

export interface DB {
  person: PersonTable
  pet: PetTable
}

/** A fresh database and a Kysely instance over it (destroying Kysely closes the database). */
export async function open(): Promise<{ database: Database; db: Kysely<DB> }> {
  const database = await Database.open({ storage: 'memory' })
  return { database, db: new Kysely<DB>({ dialect: new RustyDialect({ database }) }) }
}

/** person(1 Jennifer Aniston 40, 2 Arnold Schwarzenegger 70, 3 Sylvester - 60, 4 Bob - 20); pets of 1 and 2. */
export async function seed(db: Kysely<DB>): Promise<void> {
  await db.schema
    .createTable('person')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('first_name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('last_name', 'text')
    .addColumn('age', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('pet')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('person.id').onDelete('cascade'))
    .addColumn('species', 'text')
    .execute()
  await db
    .insertInto('person')
    .values([
      { first_name: 'Jennifer', last_name: 'Aniston', age: 40 },
      { first_name: 'Arnold', last_name: 'Schwarzenegger', age: 70 },
      { first_name: 'Sylvester', last_name: null, age: 60 },
      { first_name: 'Bob', last_name: null, age: 20 },
    ])
    .execute()
  await db
    .insertInto('pet')
    .values([
      { name: 'Catto', owner_id: 1, species: 'cat' },
      { name: 'Doggo', owner_id: 1, species: 'dog' },
      { name: 'Hammo', owner_id: 2, species: 'hamster' },
    ])
    .execute()
}

export { rustyError } from '../support/errors.js'

/** A promise with its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Tracks whether a promise has settled (to show that something waits, without timing). */
export function track<T>(p: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise: p }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

export { sql }
