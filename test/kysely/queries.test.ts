/**
 * RustyDialect queries against a real RustyDB (web/kysely): Kysely's PostgreSQL SQL, executed, with the rows
 * it returns asserted; numAffectedRows and insertId as bigints (rusty-driver.ts invariants 3 and 4).
 */
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../engine/index.js'
import { open, rustyError, seed, sql, type DB } from './helpers.js'
import type { Kysely } from 'kysely'

let db: Kysely<DB>
let database: Database

beforeEach(async () => {
  ;({ db, database } = await open())
  await seed(db)
})

afterEach(async () => {
  await db.destroy()
})

describe('select', () => {
  it('filters, orders, limits and offsets with $n parameters', async () => {
    const q = db.selectFrom('person').select(['id', 'first_name']).where('age', '>', 30).orderBy('age', 'desc').limit(2).offset(1)
    expect(q.compile().sql).toBe('select "id", "first_name" from "person" where "age" > $1 order by "age" desc limit $2 offset $3')
    expect(q.compile().parameters).toEqual([30, 2, 1])
    expect(await q.execute()).toEqual([
      { id: 3, first_name: 'Sylvester' },
      { id: 1, first_name: 'Jennifer' },
    ])
  })

  it('runs inner and left joins', async () => {
    expect(
      await db.selectFrom('person').innerJoin('pet', 'pet.owner_id', 'person.id').select(['person.first_name', 'pet.name']).orderBy('pet.name').execute(),
    ).toEqual([
      { first_name: 'Jennifer', name: 'Catto' },
      { first_name: 'Jennifer', name: 'Doggo' },
      { first_name: 'Arnold', name: 'Hammo' },
    ])
    expect(
      await db
        .selectFrom('person')
        .leftJoin('pet', (join) => join.onRef('pet.owner_id', '=', 'person.id').on('pet.species', '=', 'cat'))
        .select(['person.first_name', 'pet.name as pet'])
        .orderBy('person.id')
        .execute(),
    ).toEqual([
      { first_name: 'Jennifer', pet: 'Catto' },
      { first_name: 'Arnold', pet: null },
      { first_name: 'Sylvester', pet: null },
      { first_name: 'Bob', pet: null },
    ])
  })

  it('runs whereExists, in (subquery) and a scalar subquery in the select list', async () => {
    const owners = await db
      .selectFrom('person')
      .select('first_name')
      .where((eb) => eb.exists(eb.selectFrom('pet').select('pet.id').whereRef('pet.owner_id', '=', 'person.id').where('pet.species', '=', 'hamster')))
      .execute()
    expect(owners).toEqual([{ first_name: 'Arnold' }])
    const withPets = await db.selectFrom('person').select('first_name').where('id', 'in', db.selectFrom('pet').select('owner_id')).orderBy('id').execute()
    expect(withPets).toEqual([{ first_name: 'Jennifer' }, { first_name: 'Arnold' }])
    const counts = await db
      .selectFrom('person')
      .select((eb) => ['first_name', eb.selectFrom('pet').select((e) => e.fn.countAll<bigint>().as('n')).whereRef('pet.owner_id', '=', 'person.id').as('pets')])
      .orderBy('id')
      .execute()
    // count(*) is bigint in SQL, and RustyDB returns BIGINT as a JS bigint
    expect(counts).toEqual([
      { first_name: 'Jennifer', pets: 2n },
      { first_name: 'Arnold', pets: 1n },
      { first_name: 'Sylvester', pets: 0n },
      { first_name: 'Bob', pets: 0n },
    ])
  })

  it('runs CTEs', async () => {
    const rows = await db
      .with('old', (qb) => qb.selectFrom('person').select(['id', 'first_name']).where('age', '>=', 60))
      .with('old_pets', (qb) => qb.selectFrom('pet').innerJoin('old', 'old.id', 'pet.owner_id').select(['pet.name', 'old.first_name']))
      .selectFrom('old_pets')
      .selectAll()
      .execute()
    expect(rows).toEqual([{ name: 'Hammo', first_name: 'Arnold' }])
  })

  it('groups with aggregates and filters groups with having', async () => {
    const rows = await db
      .selectFrom('pet')
      .select((eb) => ['owner_id', eb.fn.count<bigint>('id').as('n'), eb.fn.max('name').as('last_name'), eb.fn.agg<string[]>('array_agg', ['species']).as('kinds')])
      .groupBy('owner_id')
      .having((eb) => eb.fn.count('id'), '>', 1)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ owner_id: 1, n: 2n, last_name: 'Doggo' })
    expect([...rows[0].kinds].sort()).toEqual(['cat', 'dog'])
  })

  it("nests rows as JSON with Kysely's jsonArrayFrom and jsonObjectFrom", async () => {
    const rows = await db
      .selectFrom('person')
      .select((eb) => [
        'first_name',
        jsonArrayFrom(eb.selectFrom('pet').select(['pet.id', 'pet.name']).whereRef('pet.owner_id', '=', 'person.id').orderBy('pet.id')).as('pets'),
        jsonObjectFrom(eb.selectFrom('pet').select('pet.name').whereRef('pet.owner_id', '=', 'person.id').orderBy('pet.id').limit(1)).as('first_pet'),
      ])
      .where('id', '<=', 3)
      .orderBy('id')
      .execute()
    expect(rows).toEqual([
      { first_name: 'Jennifer', pets: [{ id: 1, name: 'Catto' }, { id: 2, name: 'Doggo' }], first_pet: { name: 'Catto' } },
      { first_name: 'Arnold', pets: [{ id: 3, name: 'Hammo' }], first_pet: { name: 'Hammo' } },
      { first_name: 'Sylvester', pets: [], first_pet: null },
    ])
  })

  it('rejects a missing table with a RustyError carrying 42P01', async () => {
    const e = await rustyError(db.selectFrom('nope' as 'person').selectAll().execute())
    expect(e.code).toBe('42P01')
    expect(e.message).toBe('relation "nope" does not exist')
  })
})

describe('insert', () => {
  it('inserts one row and reports numInsertedOrUpdatedRows and insertId as bigints', async () => {
    const r = await db.insertInto('person').values({ first_name: 'Ann', age: 33 }).executeTakeFirstOrThrow()
    expect(r).toEqual({ insertId: 5n, numInsertedOrUpdatedRows: 1n })
    expect(await db.selectFrom('person').select(['id', 'first_name', 'age']).where('id', '=', 5).execute()).toEqual([{ id: 5, first_name: 'Ann', age: 33 }])
  })

  it('inserts many rows; insertId is the serial value of the last one', async () => {
    const r = await db
      .insertInto('pet')
      .values([
        { name: 'A', owner_id: 3, species: null },
        { name: 'B', owner_id: 3, species: null },
      ])
      .executeTakeFirstOrThrow()
    expect(r.numInsertedOrUpdatedRows).toBe(2n)
    expect(r.insertId).toBe(5n)
    expect(await db.selectFrom('pet').select('name').where('owner_id', '=', 3).orderBy('id').execute()).toEqual([{ name: 'A' }, { name: 'B' }])
  })

  it('leaves insertId undefined for a table without a serial column', async () => {
    await sql`create table plain (k text primary key)`.execute(db)
    const r = await (db as unknown as Kysely<{ plain: { k: string } }>).insertInto('plain').values({ k: 'x' }).executeTakeFirstOrThrow()
    expect(r).toEqual({ insertId: undefined, numInsertedOrUpdatedRows: 1n })
  })

  it('returns rows with returning', async () => {
    const rows = await db
      .insertInto('person')
      .values([
        { first_name: 'C', age: 1 },
        { first_name: 'D', age: 2 },
      ])
      .returning(['id', 'first_name', 'last_name'])
      .execute()
    expect(rows).toEqual([
      { id: 5, first_name: 'C', last_name: null },
      { id: 6, first_name: 'D', last_name: null },
    ])
  })

  it('skips a conflicting row with onConflict doNothing', async () => {
    const r = await db.insertInto('person').values({ first_name: 'Bob', age: 99 }).onConflict((oc) => oc.column('first_name').doNothing()).executeTakeFirstOrThrow()
    expect(r.numInsertedOrUpdatedRows).toBe(0n)
    expect(r.insertId).toBeUndefined()
    expect(await db.selectFrom('person').select('age').where('first_name', '=', 'Bob').execute()).toEqual([{ age: 20 }])
  })

  it('updates the conflicting row with onConflict doUpdateSet and excluded', async () => {
    const rows = await db
      .insertInto('person')
      .values([
        { first_name: 'Bob', age: 21 },
        { first_name: 'Eve', age: 22 },
      ])
      .onConflict((oc) => oc.column('first_name').doUpdateSet((eb) => ({ age: eb.ref('excluded.age'), last_name: 'updated' })))
      .returning(['id', 'first_name', 'age', 'last_name'])
      .execute()
    // the sequence value 5 went to the conflicting row's attempt, as in PostgreSQL
    expect(rows).toEqual([
      { id: 4, first_name: 'Bob', age: 21, last_name: 'updated' },
      { id: 6, first_name: 'Eve', age: 22, last_name: null },
    ])
  })

  it('rejects a duplicate key with a RustyError 23505 naming the constraint', async () => {
    const e = await rustyError(db.insertInto('person').values({ first_name: 'Bob', age: 1 }).execute())
    expect(e.code).toBe('23505')
    expect(e.constraint).toBe('person_first_name_key')
  })
})

describe('update and delete', () => {
  it('updates with returning and reports numUpdatedRows as a bigint', async () => {
    const rows = await db.updateTable('person').set({ last_name: 'X' }).where('last_name', 'is', null).returning(['id', 'last_name']).execute()
    expect(rows).toEqual([
      { id: 3, last_name: 'X' },
      { id: 4, last_name: 'X' },
    ])
    const r = await db.updateTable('person').set((eb) => ({ age: eb('age', '+', 1) })).where('age', '>=', 60).executeTakeFirstOrThrow()
    expect(r.numUpdatedRows).toBe(2n)
    expect(await db.selectFrom('person').select('age').orderBy('id').execute()).toEqual([{ age: 40 }, { age: 71 }, { age: 61 }, { age: 20 }])
  })

  it('updates from another table', async () => {
    const rows = await db
      .updateTable('pet')
      .from('person')
      .set((eb) => ({ name: eb('pet.name', '||', eb.ref('person.first_name')) }))
      .whereRef('pet.owner_id', '=', 'person.id')
      .where('person.age', '>', 50)
      .returning(['pet.id', 'pet.name'])
      .execute()
    expect(rows).toEqual([{ id: 3, name: 'HammoArnold' }])
  })

  it('deletes with returning and reports numDeletedRows as a bigint', async () => {
    expect(await db.deleteFrom('pet').where('species', 'in', ['dog', 'cat']).returning(['id', 'name']).execute()).toEqual([
      { id: 1, name: 'Catto' },
      { id: 2, name: 'Doggo' },
    ])
    const r = await db.deleteFrom('person').where('id', '=', 2).executeTakeFirstOrThrow()
    expect(r.numDeletedRows).toBe(1n)
    // ON DELETE CASCADE removed Arnold's hamster
    expect(await db.selectFrom('pet').selectAll().execute()).toEqual([])
  })
})

describe('stream', () => {
  it('streams every row in order', async () => {
    const names: string[] = []
    for await (const row of db.selectFrom('person').select('first_name').orderBy('id').stream(3)) names.push(row.first_name)
    expect(names).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob'])
  })

  it('stops early and leaves the database usable', async () => {
    for await (const row of db.selectFrom('person').select('id').orderBy('id').stream(1)) {
      expect(row.id).toBe(1)
      break
    }
    expect(await database.query('SELECT count(*) AS n FROM person')).toMatchObject({ rows: [{ n: 4n }] })
  })
})
