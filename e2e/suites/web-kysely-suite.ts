/**
 * Kysely in the browser (issue #5): RustyDialect (web/kysely/) over openDatabase() (web/index.ts), the engine
 * in a real worker on real OPFS, driven through the Kysely test page (e2e/page/web-kysely-main.ts).
 * Behaviours: Kysely's Migrator runs two migrations (tables with a foreign key and an index, then a column);
 * inserts return their rows; a join with where and orderBy compiles to PostgreSQL's SQL and returns the
 * expected rows; transaction().execute() commits, and rolls back when its callback throws or a statement in it
 * fails; after a reload the rows, the schema and the migration table are there and the Migrator has nothing
 * left to do.
 * Invariants checked: rusty-driver.ts (1), (2); rusty-adapter.ts (1); web/client.ts (2), (5).
 * Not here: the dialect's own behaviour in Node (test/kysely/), several tabs (web-tabs-suite.ts).
 */
import { describe, expect, it } from 'vitest'
import type { BrowserHarness } from '../support/browser-harness.js'
import { KyselyTab } from '../support/kysely-tab.js'

const LE_GUIN = 'Ursula K. Le Guin'
const BUTLER = 'Octavia E. Butler'
const JEMISIN = 'N. K. Jemisin'

const MIGRATED = [
  { migrationName: '001_library', direction: 'Up', status: 'Success' },
  { migrationName: '002_book_stock', direction: 'Up', status: 'Success' },
]

/** The SQL Kysely's PostgresQueryCompiler writes for booksSince (web-kysely-main.ts). */
const JOIN_SQL =
  'select "book"."title", "author"."name" as "author", "book"."year", "book"."stock" from "book" ' +
  'inner join "author" on "author"."id" = "book"."author_id" ' +
  'where "book"."year" >= $1 and "book"."stock" > $2 order by "book"."year" desc, "book"."title"'

/** Registers the suite against the harness `harness()` returns. */
export function webKyselySuite(harness: () => BrowserHarness): void {
  describe('Kysely on rustydb/web', () => {
    it('runs the Migrator, inserts with returning, joins, and commits or rolls back transactions on OPFS', async () => {
      const tab = await KyselyTab.start(harness())
      const { kysely: k, storage } = await tab.open('library')
      expect(storage).toBe('opfs')

      expect(await tab.migrate(k)).toEqual({ results: MIGRATED, error: null })
      expect(await tab.migrations(k)).toEqual([
        { name: '001_library', executed: true },
        { name: '002_book_stock', executed: true },
      ])
      expect(await tab.query(k, "select indexname, indexdef from pg_indexes where tablename = 'book' and indexname = 'book_author_year_idx'")).toEqual([
        { indexname: 'book_author_year_idx', indexdef: 'CREATE INDEX book_author_year_idx ON public.book (author_id, year)' },
      ])
      expect(await tab.query(k, "select constraint_type from information_schema.table_constraints where table_name = 'book' order by constraint_type")).toEqual([
        { constraint_type: 'FOREIGN KEY' },
        { constraint_type: 'PRIMARY KEY' },
      ])
      expect(await tab.query(k, "select column_name, is_nullable from information_schema.columns where table_name = 'book' order by ordinal_position")).toEqual([
        { column_name: 'id', is_nullable: 'NO' },
        { column_name: 'author_id', is_nullable: 'NO' },
        { column_name: 'title', is_nullable: 'NO' },
        { column_name: 'year', is_nullable: 'NO' },
        { column_name: 'stock', is_nullable: 'NO' },
      ])

      expect(await tab.addAuthors(k, [LE_GUIN, BUTLER])).toEqual([
        { id: 1, name: LE_GUIN },
        { id: 2, name: BUTLER },
      ])
      // The Tombs of Atuan goes in before The Lathe of Heaven (same year), so only orderBy title puts it second.
      const books = [
        { author_id: 1, title: 'A Wizard of Earthsea', year: 1968 },
        { author_id: 1, title: 'The Left Hand of Darkness', year: 1969 },
        { author_id: 1, title: 'The Tombs of Atuan', year: 1971 },
        { author_id: 1, title: 'The Lathe of Heaven', year: 1971 },
        { author_id: 1, title: 'The Dispossessed', year: 1974 },
        { author_id: 2, title: 'Kindred', year: 1979 },
        { author_id: 2, title: 'Parable of the Sower', year: 1993 },
      ]
      expect(await tab.addBooks(k, books)).toEqual(books.map((b, i) => ({ id: i + 1, ...b, stock: 1 })))
      // The foreign key of migration 001 holds.
      expect((await tab.error(tab.addBooks(k, [{ author_id: 99, title: 'Nobody wrote this', year: 2000 }]))).code).toBe('23503')
      await tab.query(k, 'update book set stock = 0 where title = $1', ['The Dispossessed'])

      const join = await tab.booksSince(k, 1969)
      expect(join.sql).toBe(JOIN_SQL)
      expect(join.parameters).toEqual([1969, 0])
      expect(join.rows).toEqual([
        { title: 'Parable of the Sower', author: BUTLER, year: 1993, stock: 1 },
        { title: 'Kindred', author: BUTLER, year: 1979, stock: 1 },
        { title: 'The Lathe of Heaven', author: LE_GUIN, year: 1971, stock: 1 },
        { title: 'The Tombs of Atuan', author: LE_GUIN, year: 1971, stock: 1 },
        { title: 'The Left Hand of Darkness', author: LE_GUIN, year: 1969, stock: 1 },
      ])

      const books2 = [
        { title: 'The Fifth Season', year: 2015 },
        { title: 'The Obelisk Gate', year: 2016 },
      ]
      expect(await tab.transaction(k, { author: JEMISIN, books: books2 })).toEqual({ committed: true, booksSeenInside: 2, error: null })
      // The callback throws after its inserts: Kysely rolls back and rethrows the callback's own Error.
      expect(await tab.transaction(k, { author: 'Nobody', books: [{ title: 'Unwritten', year: 2020 }], fail: 'throw' })).toEqual({
        committed: false,
        booksSeenInside: 1,
        error: { code: 'Error', message: 'Nobody: changed our mind' },
      })
      // A statement fails inside: the RustyError reaches the caller with its SQLSTATE, the earlier inserts are gone.
      const failed = await tab.transaction(k, { author: 'Ghost', books: [{ title: 'Unfinished', year: 2021 }], fail: 'foreign-key' })
      expect(failed).toMatchObject({ committed: false, booksSeenInside: 1, error: { code: '23503' } })

      expect(await tab.query(k, 'select name from author order by id')).toEqual([{ name: LE_GUIN }, { name: BUTLER }, { name: JEMISIN }])
      expect(await tab.query(k, "select count(*)::int as n from book where title in ('Unwritten', 'Unfinished', 'orphan')")).toEqual([{ n: 0 }])
      expect((await tab.booksSince(k, 2015)).rows).toEqual([
        { title: 'The Obelisk Gate', author: JEMISIN, year: 2016, stock: 1 },
        { title: 'The Fifth Season', author: JEMISIN, year: 2015, stock: 1 },
      ])
      expect(tab.test.errors).toEqual([])
      await tab.test.closeBrowser()
    })

    it('keeps the rows, the schema and the migration table across a reload, with nothing left to migrate', async () => {
      const tab = await KyselyTab.start(harness())
      let { kysely: k } = await tab.open('library')
      expect(await tab.migrate(k)).toEqual({ results: MIGRATED, error: null })
      const [leGuin] = await tab.addAuthors(k, [LE_GUIN])
      await tab.addBooks(k, [
        { author_id: leGuin.id, title: 'A Wizard of Earthsea', year: 1968 },
        { author_id: leGuin.id, title: 'The Dispossessed', year: 1974 },
      ])
      expect((await tab.transaction(k, { author: JEMISIN, books: [{ title: 'The Fifth Season', year: 2015 }] })).committed).toBe(true)
      const before = (await tab.booksSince(k, 0)).rows
      expect(before.map((r) => r.title)).toEqual(['The Fifth Season', 'The Dispossessed', 'A Wizard of Earthsea'])

      // The page never destroys its Kysely instance: pagehide releases the database (web/client.ts (5)).
      await tab.reload()
      let storage: string
      ;({ kysely: k, storage } = await tab.open('library'))
      expect(storage).toBe('opfs')
      expect(await tab.query(k, 'select name from kysely_migration order by name')).toEqual([{ name: '001_library' }, { name: '002_book_stock' }])
      expect(await tab.query(k, 'select id, is_locked from kysely_migration_lock')).toEqual([{ id: 'migration_lock', is_locked: 0 }])
      expect(await tab.migrations(k)).toEqual([
        { name: '001_library', executed: true },
        { name: '002_book_stock', executed: true },
      ])
      expect(await tab.migrate(k)).toEqual({ results: [], error: null })
      expect((await tab.booksSince(k, 0)).rows).toEqual(before)

      // The schema came back whole: the column default of 002, the foreign key and serial ids of 001.
      const [butler] = await tab.addAuthors(k, [BUTLER])
      expect(butler.id).toBeGreaterThan(leGuin.id)
      expect(await tab.addBooks(k, [{ author_id: butler.id, title: 'Kindred', year: 1979 }])).toMatchObject([{ author_id: butler.id, title: 'Kindred', year: 1979, stock: 1 }])
      expect((await tab.error(tab.addBooks(k, [{ author_id: 99, title: 'Nobody wrote this', year: 2000 }]))).code).toBe('23503')

      // destroy() closes the database, so the same page can open it again.
      await tab.destroy(k)
      ;({ kysely: k } = await tab.open('library'))
      expect(await tab.query(k, 'select count(*)::int as n from book')).toEqual([{ n: 4 }])
      await tab.destroy(k)
      expect(tab.test.errors).toEqual([])
      await tab.test.closeBrowser()
    })
  })
}
