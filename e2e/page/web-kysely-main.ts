/**
 * The Kysely test page's script: Kysely with RustyDialect (web/kysely/) over the browser client (openDatabase,
 * web/index.ts), exposed to the e2e Kysely suite as `window.rustyKysely` (e2e/page/web-kysely-test-api.ts).
 * Owns: the library schema's two migrations and the queries the suite runs.
 * Not here: assertions (the suite makes them in Node).
 */
import { CompiledQuery, Kysely, type Generated } from 'kysely'
import { Migrator, type Migration } from 'kysely/migration'
import { RustyError, openDatabase } from '../../web/index.js'
import { RustyDialect } from '../../web/kysely/index.js'
import type { Outcome, RustyKyselyTestApi, TransactionReport } from './web-kysely-test-api.js'

interface LibraryDb {
  author: { id: Generated<number>; name: string }
  book: { id: Generated<number>; author_id: number; title: string; year: number; stock: Generated<number> }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>

/** The library schema: tables with a foreign key and an index, then a column with a default. */
const MIGRATIONS: Record<string, Migration> = {
  '001_library': {
    async up(db: AnyKysely) {
      await db.schema
        .createTable('author')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .execute()
      await db.schema
        .createTable('book')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('author_id', 'integer', (c) => c.notNull().references('author.id').onDelete('cascade'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('book_author_year_idx').on('book').columns(['author_id', 'year']).execute()
    },
    async down(db: AnyKysely) {
      await db.schema.dropTable('book').execute()
      await db.schema.dropTable('author').execute()
    },
  },
  '002_book_stock': {
    async up(db: AnyKysely) {
      await db.schema
        .alterTable('book')
        .addColumn('stock', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
    },
    async down(db: AnyKysely) {
      await db.schema.alterTable('book').dropColumn('stock').execute()
    },
  },
}

const instances = new Map<number, Kysely<LibraryDb>>()
let nextId = 1

function kyselyOf(id: number): Kysely<LibraryDb> {
  const db = instances.get(id)
  if (db === undefined) throw new Error(`no Kysely instance ${id} on this page`)
  return db
}

function migrator(id: number): Migrator {
  return new Migrator({ db: kyselyOf(id), provider: { getMigrations: async () => MIGRATIONS } })
}

function codeOf(e: unknown): { code: string; message: string } {
  if (e instanceof RustyError) return { code: e.code, message: e.message }
  return e instanceof Error ? { code: e.name, message: e.message } : { code: 'not-an-Error', message: String(e) }
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, result: await run() }
  } catch (e) {
    const error = e instanceof RustyError ? e : new RustyError('XX000', `test page: ${e instanceof Error ? e.message : String(e)}`)
    return { ok: false, error: error.toJSON() }
  }
}

const api: RustyKyselyTestApi = {
  open: (options) =>
    outcome(async () => {
      const database = await openDatabase(options)
      const id = nextId++
      instances.set(id, new Kysely<LibraryDb>({ dialect: new RustyDialect({ database }) }))
      return { kysely: id, storage: database.storage }
    }),
  migrate: (id) =>
    outcome(async () => {
      const { results, error } = await migrator(id).migrateToLatest()
      return {
        results: (results ?? []).map(({ migrationName, direction, status }) => ({ migrationName, direction, status })),
        error: error === undefined ? null : codeOf(error),
      }
    }),
  migrations: (id) => outcome(async () => (await migrator(id).getMigrations()).map((m) => ({ name: m.name, executed: m.executedAt !== undefined }))),
  addAuthors: (id, names) =>
    outcome(() =>
      kyselyOf(id)
        .insertInto('author')
        .values(names.map((name) => ({ name })))
        .returning(['id', 'name'])
        .execute(),
    ),
  addBooks: (id, books) => outcome(() => kyselyOf(id).insertInto('book').values(books).returningAll().execute()),
  booksSince: (id, since) =>
    outcome(async () => {
      const query = kyselyOf(id)
        .selectFrom('book')
        .innerJoin('author', 'author.id', 'book.author_id')
        .select(['book.title', 'author.name as author', 'book.year', 'book.stock'])
        .where('book.year', '>=', since)
        .where('book.stock', '>', 0)
        .orderBy('book.year', 'desc')
        .orderBy('book.title')
      const { sql, parameters } = query.compile()
      return { sql, parameters: [...parameters], rows: await query.execute() }
    }),
  transaction: (id, spec) =>
    outcome(async () => {
      const report: TransactionReport = { committed: false, booksSeenInside: null, error: null }
      try {
        await kyselyOf(id)
          .transaction()
          .execute(async (trx) => {
            const { id: authorId } = await trx.insertInto('author').values({ name: spec.author }).returning('id').executeTakeFirstOrThrow()
            await trx
              .insertInto('book')
              .values(spec.books.map((b) => ({ author_id: authorId, ...b })))
              .execute()
            const { n } = await trx
              .selectFrom('book')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('author_id', '=', authorId)
              .executeTakeFirstOrThrow()
            report.booksSeenInside = Number(n)
            if (spec.fail === 'throw') throw new Error(`${spec.author}: changed our mind`)
            if (spec.fail === 'foreign-key') await trx.insertInto('book').values({ author_id: -1, title: 'orphan', year: 2000 }).execute()
          })
        report.committed = true
      } catch (e) {
        report.error = codeOf(e)
      }
      return report
    }),
  query: (id, sql, params = []) => outcome(async () => (await kyselyOf(id).executeQuery(CompiledQuery.raw(sql, params))).rows),
  destroy: (id) =>
    outcome(async () => {
      await kyselyOf(id).destroy()
      instances.delete(id)
      return null
    }),
  ready: true,
}

window.rustyKysely = api
