/**
 * Kysely's PostgreSQL query compiler must produce SQL that RustyDB parses (ARCHITECTURE.md,
 * "SQL dialect"). Queries are compiled by Kysely with a driver that records the SQL and returns
 * no rows; each recorded statement must parse to the expected statement kind, with its $n
 * parameters.
 */
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Generated,
  type QueryResult,
} from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import { describe, expect, it } from 'vitest'
import { parseOne, walk, type Statement } from '../../engine/sql/index.js'

/** Records every query Kysely sends; answers with no rows. */
class RecordingDriver implements Driver {
  readonly queries: string[] = []

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const queries = this.queries
    return {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        queries.push(compiled.sql)
        return { rows: [] }
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
        queries.push(compiled.sql)
      },
    }
  }

  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

interface Database {
  person: { id: Generated<number>; first_name: string; last_name: string | null; age: number; created_at: Generated<Date> }
  pet: { id: Generated<number>; name: string; owner_id: number; species: string }
  toy: { id: Generated<number>; pet_id: number; price: number }
}

function recorder(): { db: Kysely<Database>; driver: RecordingDriver } {
  const driver = new RecordingDriver()
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  }
  return { db: new Kysely<Database>({ dialect }), driver }
}

/** Parses one compiled statement; returns it and the parameter numbers it uses. */
function parsed(text: string): { statement: Statement; params: number[] } {
  let statement: Statement
  try {
    statement = parseOne(text)
  } catch (e) {
    throw new Error(`Kysely SQL does not parse: ${text}\n  ${(e as Error).message}`)
  }
  const params = new Set<number>()
  walk(statement, (n) => {
    if (n.kind === 'Param') params.add(n.index)
  })
  return { statement, params: [...params].sort((a, b) => a - b) }
}

const { db } = recorder()

describe('Kysely PostgreSQL SQL parses', () => {
  const queries: [string, { compile(): CompiledQuery }, Statement['kind']][] = [
    [
      'select with where, in, like, order, limit',
      db
        .selectFrom('person')
        .select(['id', 'first_name as name'])
        .where('age', '>', 18)
        .where('id', 'in', [1, 2, 3])
        .where('first_name', 'ilike', 'j%')
        .where((eb) => eb.or([eb('last_name', 'is', null), eb('last_name', 'not like', '%x')]))
        .orderBy('age', 'desc')
        .orderBy('id')
        .limit(10)
        .offset(20),
      'Query',
    ],
    [
      'joins of every kind',
      db
        .selectFrom('person')
        .innerJoin('pet', 'pet.owner_id', 'person.id')
        .leftJoin('toy', (join) => join.onRef('toy.pet_id', '=', 'pet.id').on('toy.price', '>', 10))
        .rightJoin('pet as p2', 'p2.id', 'pet.id')
        .fullJoin('toy as t2', 't2.id', 'toy.id')
        .crossJoin('person as other')
        .selectAll('person')
        .select('pet.name'),
      'Query',
    ],
    [
      'lateral joins and helpers (json_agg, to_json)',
      db
        .selectFrom('person')
        .innerJoinLateral(
          (eb) => eb.selectFrom('pet').select('name').whereRef('pet.owner_id', '=', 'person.id').limit(1).as('first_pet'),
          (join) => join.onTrue(),
        )
        .select((eb) => [
          'first_pet.name',
          jsonArrayFrom(eb.selectFrom('pet').select(['pet.id', 'pet.name']).whereRef('pet.owner_id', '=', 'person.id')).as('pets'),
          jsonObjectFrom(eb.selectFrom('toy').select('toy.price').limit(1)).as('toy'),
        ]),
      'Query',
    ],
    [
      'aggregates, group by, having, distinct on, window',
      db
        .selectFrom('pet')
        .distinctOn('species')
        .select((eb) => [
          'species',
          eb.fn.count<number>('id').as('n'),
          eb.fn.countAll().as('all'),
          eb.fn.avg('id').distinct().as('avg'),
          eb.fn.sum('id').over((ob) => ob.partitionBy('species').orderBy('id')).as('running'),
          eb.fn.agg<string[]>('array_agg', ['name']).as('names'),
        ])
        .groupBy('species')
        .having((eb) => eb.fn.count('id'), '>', 1)
        .orderBy('species'),
      'Query',
    ],
    [
      'exists, case, subqueries, coalesce, cast',
      db.selectFrom('person').select((eb) => [
        eb.exists(eb.selectFrom('pet').select('id').whereRef('pet.owner_id', '=', 'person.id')).as('has_pet'),
        eb
          .case()
          .when('age', '<', 18)
          .then('minor')
          .when('age', '<', 65)
          .then('adult')
          .else('senior')
          .end()
          .as('group'),
        eb.fn.coalesce('last_name', eb.val('?')).as('ln'),
        eb.cast<number>('age', 'bigint').as('age8'),
        eb.selectFrom('pet').select((e) => e.fn.max('id').as('m')).as('max_pet'),
        eb.between('age', 1, 10).as('mid'),
        eb.not(eb('age', '=', 0)).as('nonzero'),
      ]),
      'Query',
    ],
    [
      'set operations',
      db
        .selectFrom('person')
        .select('id')
        .union(db.selectFrom('pet').select('id'))
        .unionAll(db.selectFrom('toy').select('id'))
        .intersect(db.selectFrom('person').select('age as id'))
        .except(db.selectFrom('pet').select('owner_id as id'))
        .orderBy('id'),
      'Query',
    ],
    [
      'CTEs, recursive CTEs, row locks',
      db
        .withRecursive('chain(n)', (qb) =>
          qb
            .selectNoFrom((eb) => eb.val(1).as('n'))
            .unionAll((qb2) => qb2.selectFrom('chain').select((eb) => eb('n', '+', 1).as('n')).where('n', '<', 10)),
        )
        .with('adults', (qb) => qb.selectFrom('person').selectAll().where('age', '>=', 18))
        .selectFrom('adults')
        .selectAll()
        .forUpdate()
        .skipLocked(),
      'Query',
    ],
    [
      'insert with multi-row values, on conflict, returning',
      db
        .insertInto('person')
        .values([
          { first_name: 'a', last_name: null, age: 1 },
          { first_name: 'b', last_name: 'c', age: 2 },
        ])
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ first_name: eb.ref('excluded.first_name') })).where('person.age', '<', 5))
        .returning(['id', 'first_name']),
      'Insert',
    ],
    ['insert on conflict do nothing', db.insertInto('pet').values({ name: 'x', owner_id: 1, species: 'cat' }).onConflict((oc) => oc.constraint('pet_pk').doNothing()).returningAll(), 'Insert'],
    ['insert default values', db.insertInto('person').defaultValues().returning('id'), 'Insert'],
    ['insert ... select', db.insertInto('pet').columns(['name', 'owner_id', 'species']).expression(db.selectFrom('person').select(['first_name', 'id', sql<string>`'dog'`.as('s')])), 'Insert'],
    [
      'update with from, where, returning',
      db
        .updateTable('pet')
        .set((eb) => ({ name: eb('name', '||', '!'), owner_id: 3 }))
        .from('person')
        .whereRef('pet.owner_id', '=', 'person.id')
        .where('person.age', '>', 40)
        .returningAll('pet'),
      'Update',
    ],
    ['delete with using and returning', db.deleteFrom('toy').using('pet').whereRef('toy.pet_id', '=', 'pet.id').where('pet.species', '=', 'cat').returning('toy.id'), 'Delete'],
  ]

  for (const [name, builder, kind] of queries) {
    it(`parses ${name}`, () => {
      const compiled = builder.compile()
      const { statement, params } = parsed(compiled.sql)
      expect(statement.kind).toBe(kind)
      expect(params).toEqual(compiled.parameters.map((_, i) => i + 1))
    })
  }

  it('parses schema builder DDL', () => {
    const ddl: { compile(): CompiledQuery }[] = [
      db.schema
        .createTable('person')
        .ifNotExists()
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('first_name', 'varchar(255)', (col) => col.notNull().unique())
        .addColumn('age', 'integer', (col) => col.notNull().defaultTo(0).check(sql`age >= 0`))
        .addColumn('created_at', 'timestamptz', (col) => col.defaultTo(sql`now()`).notNull())
        .addColumn('owner_id', 'bigint', (col) => col.references('person.id').onDelete('cascade').onUpdate('set null'))
        .addColumn('big', 'bigint', (col) => col.generatedAlwaysAsIdentity())
        .addColumn('n', 'numeric(10, 2)')
        .addColumn('doc', 'jsonb')
        .addPrimaryKeyConstraint('person_pk2', ['id', 'age'])
        .addUniqueConstraint('person_uq', ['first_name', 'age'])
        .addForeignKeyConstraint('person_fk', ['owner_id'], 'pet', ['id'], (cb) => cb.onDelete('restrict'))
        .addCheckConstraint('person_ck', sql`age < 200`),
      db.schema.alterTable('person').addColumn('nick', 'text'),
      db.schema.alterTable('person').dropColumn('nick'),
      db.schema.alterTable('person').renameColumn('nick', 'nickname'),
      db.schema.alterTable('person').renameTo('people'),
      db.schema.alterTable('person').alterColumn('age', (ac) => ac.setDataType('bigint')),
      db.schema.alterTable('person').alterColumn('age', (ac) => ac.setDefault(1)),
      db.schema.alterTable('person').alterColumn('age', (ac) => ac.dropNotNull()),
      db.schema.alterTable('person').addUniqueConstraint('u', ['age']),
      db.schema.alterTable('person').dropConstraint('u').ifExists(),
      db.schema.createIndex('person_name_idx').on('person').columns(['first_name', 'age desc']).unique(),
      db.schema.createIndex('person_lower_idx').ifNotExists().on('person').expression(sql`lower(first_name)`).where(sql.ref('age'), '>', 0),
      db.schema.dropIndex('person_name_idx').ifExists(),
      db.schema.createView('adults').orReplace().as(db.selectFrom('person').selectAll().where('age', '>=', 18)),
      db.schema.dropView('adults').ifExists(),
      db.schema.createSchema('app').ifNotExists(),
      db.schema.dropTable('person').ifExists().cascade(),
    ]
    for (const builder of ddl) parsed(builder.compile().sql)
  })

  it('parses the introspector queries', async () => {
    const { db: recording, driver } = recorder()
    await recording.introspection.getTables({ withInternalKyselyTables: true })
    await recording.introspection.getSchemas()
    expect(driver.queries.length).toBeGreaterThan(0)
    for (const text of driver.queries) expect(parsed(text).statement.kind).toBe('Query')
  })
})
