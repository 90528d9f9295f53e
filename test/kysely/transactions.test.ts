/**
 * Kysely transactions on RustyDialect (rusty-driver.ts invariants 1, 2 and 5): commit, rollback on throw,
 * isolation between concurrent Kysely transactions and from queries outside them, isolation level and
 * access mode, savepoints, and the aborted-transaction COMMIT.
 */
import { AbortedTransactionError, type Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deferred, open, rustyError, seed, sql, track, type DB } from './helpers.js'

let db: Kysely<DB>

beforeEach(async () => {
  ;({ db } = await open())
  await seed(db)
})

afterEach(async () => {
  await db.destroy()
})

const names = async (k: Kysely<DB> = db): Promise<string[]> => (await k.selectFrom('person').select('first_name').orderBy('id').execute()).map((r) => r.first_name)

describe('transaction().execute()', () => {
  it('commits when the callback resolves and returns its value', async () => {
    const id = await db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto('person').values({ first_name: 'Tx', age: 1 }).returning('id').executeTakeFirstOrThrow()
      await trx.insertInto('pet').values({ name: 'TxPet', owner_id: id, species: null }).execute()
      return id
    })
    expect(id).toBe(5)
    expect(await db.selectFrom('pet').select('name').where('owner_id', '=', id).execute()).toEqual([{ name: 'TxPet' }])
  })

  it('rolls back everything and rethrows when the callback throws', async () => {
    const boom = new Error('boom')
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ first_name: 'Gone', age: 1 }).execute()
        await trx.deleteFrom('pet').execute()
        expect(await names(trx)).toContain('Gone')
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(await names()).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob'])
    expect(await db.selectFrom('pet').select('id').execute()).toHaveLength(3)
  })

  it('rolls back when a statement fails and rethrows its RustyError', async () => {
    const e = await rustyError(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ first_name: 'Half', age: 1 }).execute()
        await trx.insertInto('person').values({ first_name: 'Bob', age: 1 }).execute()
      }),
    )
    expect(e.code).toBe('23505')
    expect(await names()).not.toContain('Half')
  })

  it('throws AbortedTransactionError when a failed statement was swallowed and COMMIT rolls back', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ first_name: 'Swallowed', age: 1 }).execute()
        const e = await rustyError(trx.insertInto('person').values({ first_name: 'Bob', age: 1 }).execute())
        expect(e.code).toBe('23505')
      }),
    ).rejects.toBeInstanceOf(AbortedTransactionError)
    expect(await names()).not.toContain('Swallowed')
  })

  it('keeps two concurrent Kysely transactions isolated from each other until they commit', async () => {
    const firstWrote = deferred()
    const secondLooked = deferred()
    const first = db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ first_name: 'FromFirst', age: 1 }).execute()
      firstWrote.resolve()
      await secondLooked.promise
      return names(trx)
    })
    const second = db.transaction().execute(async (trx) => {
      await firstWrote.promise
      const seen = await names(trx)
      await trx.insertInto('person').values({ first_name: 'FromSecond', age: 2 }).execute()
      secondLooked.resolve()
      return seen
    })
    const [firstSaw, secondSaw] = await Promise.all([first, second])
    expect(secondSaw).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob'])
    expect(firstSaw).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob', 'FromFirst'])
    expect(await names()).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob', 'FromFirst', 'FromSecond'])
  })

  it('does not let a query outside the transaction join it while it is open', async () => {
    const inserted = deferred()
    const outsideDone = deferred()
    const tx = db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ first_name: 'Inside', age: 1 }).execute()
      inserted.resolve()
      await outsideDone.promise
      throw new Error('roll back')
    })
    await inserted.promise
    expect(await names()).not.toContain('Inside')
    await db.insertInto('person').values({ first_name: 'Outside', age: 1 }).execute()
    outsideDone.resolve()
    await expect(tx).rejects.toThrow('roll back')
    expect(await names()).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob', 'Outside'])
  })

  it('makes a conflicting writer wait for the row until the first transaction commits', async () => {
    const locked = deferred()
    const release = deferred()
    const first = db.transaction().execute(async (trx) => {
      await trx.updateTable('person').set({ age: 41 }).where('id', '=', 1).execute()
      locked.resolve()
      await release.promise
    })
    await locked.promise
    const second = track(db.updateTable('person').set((eb) => ({ age: eb('age', '+', 1) })).where('id', '=', 1).executeTakeFirstOrThrow())
    for (let i = 0; i < 5; i++) await names()
    expect(second.settled).toBe(false)
    release.resolve()
    await first
    expect((await second.promise).numUpdatedRows).toBe(1n)
    expect(await db.selectFrom('person').select('age').where('id', '=', 1).executeTakeFirstOrThrow()).toEqual({ age: 42 })
  })
})

describe('transaction settings', () => {
  it('runs at the isolation level Kysely asks for', async () => {
    const levels = await Promise.all(
      (['read committed', 'repeatable read', 'serializable'] as const).map((level) =>
        db
          .transaction()
          .setIsolationLevel(level)
          .execute(async (trx) => (await sql<{ transaction_isolation: string }>`show transaction_isolation`.execute(trx)).rows[0].transaction_isolation),
      ),
    )
    expect(levels).toEqual(['read committed', 'repeatable read', 'serializable'])
  })

  it('keeps a snapshot for the whole transaction at repeatable read', async () => {
    const readOnce = deferred()
    const changed = deferred()
    const tx = db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const before = await names(trx)
        readOnce.resolve()
        await changed.promise
        return [before, await names(trx)]
      })
    await readOnce.promise
    await db.insertInto('person').values({ first_name: 'Later', age: 1 }).execute()
    changed.resolve()
    const [before, after] = await tx
    expect(after).toEqual(before)
    expect(await names()).toContain('Later')
  })

  it('refuses writes in a read only transaction with 25006', async () => {
    const e = await rustyError(
      db
        .transaction()
        .setAccessMode('read only')
        .execute((trx) => trx.updateTable('person').set({ age: 0 }).execute()),
    )
    expect(e.code).toBe('25006')
  })

  it("answers Kysely's 'snapshot' isolation level (SQL Server only) with a RustyError", async () => {
    expect((await rustyError(db.transaction().setIsolationLevel('snapshot').execute(async () => 1))).code).toBe('42601')
  })
})

describe('savepoints', () => {
  it('rolls back to a savepoint and releases one, in a controlled transaction', async () => {
    const trx = await db.startTransaction().execute()
    await trx.insertInto('person').values({ first_name: 'Kept', age: 1 }).execute()
    const sp = await trx.savepoint('before "quoted"').execute()
    await sp.insertInto('person').values({ first_name: 'Undone', age: 1 }).execute()
    const back = await sp.rollbackToSavepoint('before "quoted"').execute()
    const sp2 = await back.savepoint('second').execute()
    await sp2.insertInto('person').values({ first_name: 'AlsoKept', age: 1 }).execute()
    const released = await sp2.releaseSavepoint('second').execute()
    await released.commit().execute()
    expect(await names()).toEqual(['Jennifer', 'Arnold', 'Sylvester', 'Bob', 'Kept', 'AlsoKept'])
  })
})
