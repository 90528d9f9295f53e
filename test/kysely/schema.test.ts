/**
 * Kysely's schema builder and PostgresIntrospector on RustyDB (rusty-dialect.ts invariant 2): DDL is run
 * and then checked through the data it governs and through introspection.getTables()/getSchemas().
 */
import { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../engine/index.js'
import { RustyDialect } from '../../web/kysely/index.js'
import { rustyError, sql } from './helpers.js'

// The tables here are created by the tests, so the database is untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>

beforeEach(async () => {
  db = new Kysely({ dialect: new RustyDialect({ database: await Database.open() }) })
})

afterEach(async () => {
  await db.destroy()
})

async function createAuthorsAndBooks(): Promise<void> {
  await db.schema
    .createTable('author')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('email', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('joined', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('book')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('author_id', 'integer', (c) => c.notNull().references('author.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.defaultTo(100).check(sql`pages > 0`))
    .execute()
}

describe('schema builder', () => {
  it('creates tables whose primary keys, defaults, unique and not null constraints hold', async () => {
    await createAuthorsAndBooks()
    const a = await db.insertInto('author').values({ email: 'a@x' }).returning(['id', 'active', 'joined']).executeTakeFirstOrThrow()
    expect(a.id).toBe(1)
    expect(a.active).toBe(true)
    expect(a.joined).toBeInstanceOf(Date)
    const book = await db.insertInto('book').values({ author_id: 1, title: 'T' }).returning(['id', 'pages']).executeTakeFirstOrThrow()
    expect(book).toEqual({ id: 1n, pages: 100 })
    expect((await rustyError(db.insertInto('author').values({ email: 'a@x' }).execute())).code).toBe('23505')
    expect((await rustyError(db.insertInto('author').values({ email: null }).execute())).code).toBe('23502')
    expect((await rustyError(db.insertInto('book').values({ author_id: 9, title: 'x' }).execute())).code).toBe('23503')
    expect((await rustyError(db.insertInto('book').values({ author_id: 1, title: 'x', pages: 0 }).execute())).code).toBe('23514')
  })

  it('cascades a delete through a foreign key declared with onDelete cascade', async () => {
    await createAuthorsAndBooks()
    await db.insertInto('author').values([{ email: 'a' }, { email: 'b' }]).execute()
    await db
      .insertInto('book')
      .values([
        { author_id: 1, title: 'a1' },
        { author_id: 1, title: 'a2' },
        { author_id: 2, title: 'b1' },
      ])
      .execute()
    await db.deleteFrom('author').where('id', '=', 1).execute()
    expect(await db.selectFrom('book').select('title').execute()).toEqual([{ title: 'b1' }])
  })

  it('adds, renames and drops columns with alterTable', async () => {
    await createAuthorsAndBooks()
    await db.insertInto('author').values({ email: 'a' }).execute()
    await db.schema.alterTable('author').addColumn('nick', 'text', (c) => c.defaultTo('none')).execute()
    expect(await db.selectFrom('author').select(['email', 'nick']).execute()).toEqual([{ email: 'a', nick: 'none' }])
    await db.schema.alterTable('author').renameColumn('nick', 'nickname').execute()
    expect(await db.selectFrom('author').select('nickname').execute()).toEqual([{ nickname: 'none' }])
    await db.schema.alterTable('author').dropColumn('nickname').execute()
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'author')?.columns.map((c) => c.name)
    expect(columns).toEqual(['id', 'email', 'active', 'joined'])
    expect((await rustyError(db.selectFrom('author').select('nickname').execute())).code).toBe('42703')
  })

  it('creates and drops indexes', async () => {
    await createAuthorsAndBooks()
    await db.schema.createIndex('book_title_idx').on('book').columns(['title', 'pages desc']).execute()
    await db.schema.createIndex('book_author_title_uq').unique().on('book').columns(['author_id', 'title']).execute()
    const indexes = async (): Promise<unknown[]> =>
      (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'book' order by indexname`.execute(db)).rows
    expect(await indexes()).toEqual([
      { indexname: 'book_author_title_uq', indexdef: 'CREATE UNIQUE INDEX book_author_title_uq ON public.book (author_id, title)' },
      { indexname: 'book_title_idx', indexdef: 'CREATE INDEX book_title_idx ON public.book (title, pages DESC)' },
    ])
    await db.insertInto('author').values({ email: 'a' }).execute()
    await db.insertInto('book').values({ author_id: 1, title: 't' }).execute()
    expect((await rustyError(db.insertInto('book').values({ author_id: 1, title: 't' }).execute())).code).toBe('23505')
    await db.schema.dropIndex('book_author_title_uq').execute()
    await db.insertInto('book').values({ author_id: 1, title: 't' }).execute()
    await db.schema.dropIndex('book_title_idx').ifExists().execute()
    await db.schema.dropIndex('book_title_idx').ifExists().execute()
    expect(await indexes()).toEqual([])
  })

  it('drops tables, with ifExists for one that is not there', async () => {
    await createAuthorsAndBooks()
    await db.schema.dropTable('nope').ifExists().execute()
    expect((await rustyError(db.schema.dropTable('nope').execute())).code).toBe('42P01')
    expect((await rustyError(db.schema.dropTable('author').execute())).code).toBe('2BP01')
    await db.schema.dropTable('book').ifExists().execute()
    await db.schema.dropTable('author').execute()
    expect(await db.introspection.getTables()).toEqual([])
  })

  it('runs DDL inside a transaction and rolls it back with it', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.schema.createTable('temp_t').addColumn('id', 'integer').execute()
        await trx.insertInto('temp_t').values({ id: 1 }).execute()
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect(await db.introspection.getTables()).toEqual([])
  })
})

describe('introspection', () => {
  it('lists schemas, an empty one included', async () => {
    await db.schema.createSchema('audit').execute()
    expect((await db.introspection.getSchemas()).map((s) => s.name).sort()).toEqual(['audit', 'information_schema', 'pg_catalog', 'public'])
  })

  it('describes tables and views: types, nullability, defaults, auto-increment and comments', async () => {
    await createAuthorsAndBooks()
    await db.schema.createView('titles').as(db.selectFrom('book').select(['id', 'title'])).execute()
    await sql`comment on column author.email is 'where to write'`.execute(db)
    await db.schema.createSchema('audit').execute()
    await db.schema.createTable('audit.log').addColumn('at', 'timestamp').addColumn('what', 'jsonb', (c) => c.notNull()).execute()
    const tables = await db.introspection.getTables()
    expect(tables.map((t) => `${t.schema}.${t.name}${t.isView ? ' (view)' : ''}`)).toEqual(['audit.log', 'public.author', 'public.book', 'public.titles (view)'])
    const author = tables.find((t) => t.name === 'author')
    expect(author).toEqual({
      name: 'author',
      schema: 'public',
      isView: false,
      isForeign: false,
      columns: [
        { name: 'id', dataType: 'int4', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: true, isAutoIncrementing: true, comment: undefined },
        { name: 'email', dataType: 'varchar', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: false, isAutoIncrementing: false, comment: 'where to write' },
        { name: 'active', dataType: 'bool', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: true, isAutoIncrementing: false, comment: undefined },
        { name: 'joined', dataType: 'timestamptz', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: true, isAutoIncrementing: false, comment: undefined },
      ],
    })
    const book = tables.find((t) => t.name === 'book')
    expect(book?.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing])).toEqual([
      ['id', 'int8', false, true, true],
      ['author_id', 'int4', false, false, false],
      ['title', 'text', false, false, false],
      ['pages', 'int4', true, true, false],
    ])
    expect(tables.find((t) => t.name === 'titles')?.columns.map((c) => [c.name, c.dataType])).toEqual([
      ['id', 'int8'],
      ['title', 'text'],
    ])
    expect(tables.find((t) => t.name === 'log')?.columns.map((c) => [c.name, c.dataType, c.isNullable])).toEqual([
      ['at', 'timestamp', true],
      ['what', 'jsonb', false],
    ])
  })

  it("leaves Kysely's migration tables out unless asked for them", async () => {
    await db.schema.createTable('kysely_migration').addColumn('name', 'varchar(255)').execute()
    await db.schema.createTable('kysely_migration_lock').addColumn('id', 'varchar(255)').execute()
    expect(await db.introspection.getTables()).toEqual([])
    expect((await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name)).toEqual(['kysely_migration', 'kysely_migration_lock'])
  })
})
