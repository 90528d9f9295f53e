/**
 * Kysely's Migrator on RustyDialect: its migration and lock tables, migrateToLatest / migrateDown, and the
 * migration lock (rusty-adapter.ts invariants 1-3), which makes concurrent migrators run each migration once.
 */
import { Kysely, sql } from 'kysely'
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../engine/index.js'
import { RustyDialect, type RustyDatabaseLike } from '../../web/kysely/index.js'
import { deferred, rustyError, track } from './helpers.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

let database: Database
let db: AnyDb

beforeEach(async () => {
  database = await Database.open()
  db = new Kysely({ dialect: new RustyDialect({ database }) })
})

afterEach(async () => {
  await db.destroy()
})

function provider(migrations: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => migrations }
}

/** Two migrations: a table, then a column and a row; `log` records every up/down run. */
function twoMigrations(log: string[]): Record<string, Migration> {
  return {
    '001_person': {
      up: async (k: AnyDb) => {
        log.push('up 001')
        await k.schema.createTable('person').addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull()).execute()
      },
      down: async (k: AnyDb) => {
        log.push('down 001')
        await k.schema.dropTable('person').execute()
      },
    },
    '002_age': {
      up: async (k: AnyDb) => {
        log.push('up 002')
        await k.schema.alterTable('person').addColumn('age', 'integer', (c) => c.notNull().defaultTo(0)).execute()
        await k.insertInto('person').values({ name: 'first' }).execute()
      },
      down: async (k: AnyDb) => {
        log.push('down 002')
        await k.schema.alterTable('person').dropColumn('age').execute()
      },
    },
  }
}

describe('Migrator', () => {
  it('migrates to the latest version, recording each migration', async () => {
    const log: string[] = []
    const { error, results } = await new Migrator({ db, provider: provider(twoMigrations(log)) }).migrateToLatest()
    expect(error).toBeUndefined()
    expect(results).toEqual([
      { migrationName: '001_person', direction: 'Up', status: 'Success' },
      { migrationName: '002_age', direction: 'Up', status: 'Success' },
    ])
    expect(log).toEqual(['up 001', 'up 002'])
    expect(await db.selectFrom('person').selectAll().execute()).toEqual([{ id: 1, name: 'first', age: 0 }])
    expect((await db.selectFrom('kysely_migration').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['001_person', '002_age'])
    expect(await db.selectFrom('kysely_migration_lock').selectAll().execute()).toEqual([{ id: 'migration_lock', is_locked: 0 }])
    // nothing left to do
    expect((await new Migrator({ db, provider: provider(twoMigrations(log)) }).migrateToLatest()).results).toEqual([])
  })

  it('migrates down one step at a time', async () => {
    const log: string[] = []
    const migrator = new Migrator({ db, provider: provider(twoMigrations(log)) })
    await migrator.migrateToLatest()
    expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '002_age', direction: 'Down', status: 'Success' }])
    expect(await db.selectFrom('person').selectAll().execute()).toEqual([{ id: 1, name: 'first' }])
    expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '001_person', direction: 'Down', status: 'Success' }])
    expect((await db.introspection.getTables()).map((t) => t.name)).toEqual([])
    expect(await db.selectFrom('kysely_migration').selectAll().execute()).toEqual([])
    expect(log).toEqual(['up 001', 'up 002', 'down 002', 'down 001'])
  })

  it('rolls back a failed migration with everything before it in the same run', async () => {
    const log: string[] = []
    const migrations = {
      ...twoMigrations(log),
      '003_bad': {
        up: async (k: AnyDb) => {
          await k.schema.createTable('bad').addColumn('id', 'integer').execute()
          await sql`select * from missing_table`.execute(k)
        },
      },
    }
    const { error, results } = await new Migrator({ db, provider: provider(migrations) }).migrateToLatest()
    expect(error).toMatchObject({ name: 'RustyError', code: '42P01' })
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['001_person', 'Success'],
      ['002_age', 'Success'],
      ['003_bad', 'Error'],
    ])
    // the Migrator runs all pending migrations in one transaction: nothing of this run stays
    expect((await db.introspection.getTables()).map((t) => t.name)).toEqual([])
    expect(await db.selectFrom('kysely_migration').selectAll().execute()).toEqual([])
    // and the lock was freed: the next run migrates
    expect((await new Migrator({ db, provider: provider(twoMigrations(log)) }).migrateToLatest()).error).toBeUndefined()
  })

  it('keeps its tables in another schema when asked', async () => {
    const migrator = new Migrator({ db, provider: provider(twoMigrations([])), migrationTableSchema: 'migrations' })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    expect((await db.introspection.getSchemas()).map((s) => s.name)).toContain('migrations')
    expect((await db.withSchema('migrations').selectFrom('kysely_migration').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual([
      '001_person',
      '002_age',
    ])
  })

  it('lets only one of two concurrent migrators run a migration (the migration lock)', async () => {
    const log: string[] = []
    // The second migrator's database records its statements, so the test sees it queue for the lock.
    let lockQuery: ReturnType<typeof track> | undefined
    let secondReadState = false
    const recording: RustyDatabaseLike = {
      session: () => {
        const s = database.session()
        return {
          query: (text: string, params?: readonly unknown[]) => {
            const p = s.query(text, params)
            if (text.includes('pg_advisory_xact_lock')) lockQuery = track(p)
            if (text.includes('from "kysely_migration"')) secondReadState = true
            return p as never
          },
          close: () => s.close(),
          get status() {
            return s.status
          },
        }
      },
      close: () => database.close(),
    }
    const second = new Kysely({ dialect: new RustyDialect({ database: recording }) })
    let secondRun: Promise<unknown> | undefined
    const migrations: Record<string, Migration> = {
      '001_slow': {
        up: async (k: AnyDb) => {
          log.push('up 001')
          if (secondRun === undefined) {
            // inside the first migration (the lock held): start the second migrator and let it run until it
            // asks for the lock (or, were there no lock, reads the migration state)
            secondRun = new Migrator({ db: second, provider: provider(migrations) }).migrateToLatest()
            while (lockQuery === undefined && !secondReadState) await new Promise((r) => setImmediate(r))
            for (let i = 0; i < 5; i++) await database.query('SELECT 1')
            expect(secondReadState).toBe(false)
            expect(lockQuery?.settled).toBe(false)
          }
          await k.schema.createTable('slow').addColumn('id', 'integer').execute()
        },
      },
    }
    const first = await new Migrator({ db, provider: provider(migrations) }).migrateToLatest()
    expect(first).toEqual({ error: undefined, results: [{ migrationName: '001_slow', direction: 'Up', status: 'Success' }] })
    expect(await secondRun).toEqual({ error: undefined, results: [] })
    expect(lockQuery?.settled).toBe(true)
    expect(log).toEqual(['up 001'])
    expect(await database.query('SELECT name FROM kysely_migration')).toMatchObject({ rows: [{ name: '001_slow' }] })
    await second.destroy() // closes the shared database too (RustyDriver.destroy)
  })

  it('holds a real engine lock while migrating: a transaction-level advisory try on the same key fails', async () => {
    const inside = deferred<boolean>()
    const migrations: Record<string, Migration> = {
      '001_probe': {
        up: async () => {
          const s = database.session()
          const { rows } = await s.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(3853314791062309107) AS got')
          await s.close()
          inside.resolve(rows[0].got)
        },
      },
    }
    await new Migrator({ db, provider: provider(migrations) }).migrateToLatest()
    expect(await inside.promise).toBe(false)
    expect(await database.query('SELECT pg_try_advisory_xact_lock(3853314791062309107) AS got')).toMatchObject({ rows: [{ got: true }] })
  })

  it('refuses what RustyDB cannot do with 0A000: the session-level lock of PostgresAdapter', async () => {
    expect((await rustyError(sql`select pg_advisory_lock(${3853314791062309107n})`.execute(db))).code).toBe('0A000')
  })
})
