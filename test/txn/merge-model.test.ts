/**
 * Model test of read-your-writes: a table keyed by an INT primary key under random inserts, updates,
 * deletes, commits, rollbacks and savepoints, against a sorted map. Every scan (forward, reverse, with key
 * bounds) and point lookup must agree with the model (transaction.ts: the write set merged over the snapshot).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SqlValue } from '../../engine/common/types.js'
import { TestDb, table } from './helpers.js'

type Op =
  | { kind: 'insert'; k: number; v: string }
  | { kind: 'update'; k: number; v: string }
  | { kind: 'delete'; k: number }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'savepoint' }
  | { kind: 'rollbackTo' }
  | { kind: 'scan'; lo: number | null; hi: number | null; loInc: boolean; hiInc: boolean; reverse: boolean }
  | { kind: 'get'; k: number }

const v = fc.constantFrom('a', 'b', 'c', 'longer value')
const ops = (k: fc.Arbitrary<number>): fc.Arbitrary<Op> => fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('insert' as const), k, v }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), k, v }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), k }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'savepoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollbackTo' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('scan' as const),
      lo: fc.option(k),
      hi: fc.option(k),
      loInc: fc.boolean(),
      hiInc: fc.boolean(),
      reverse: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), k }) },
)

async function check(keyMax: number, preload: number, numRuns: number): Promise<void> {
    const k = fc.integer({ min: 0, max: keyMax })
    const op = ops(k)
    const db = await TestDb.open()
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }), async (ops) => {
          const name = `m${run++}`
          await db.ddl(`CREATE TABLE ${name}(k INT PRIMARY KEY, v TEXT)`)
          let committed = new Map<number, string>()
          if (preload > 0) {
            const load = db.begin()
            const t = table(load, name)
            for (let i = 0; i < preload; i++) {
              load.insert(t, [i * 3, `p${i}`])
              committed.set(i * 3, `p${i}`)
            }
            await load.commit()
          }
          let model = new Map(committed)
          const saves: Map<number, string>[] = []
          let txn = db.begin()
          try {
            for (const o of ops) {
              const t = table(txn, name)
              const keyOf = (key: number): Uint8Array => {
                for (const batch of txn.scan(t, { columns: [-1], lower: { values: [key], inclusive: true }, upper: { values: [key], inclusive: true } })) {
                  if (batch.length > 0) return batch.columns[0][0] as Uint8Array
                }
                throw new Error(`key ${key} not found`)
              }
              switch (o.kind) {
                case 'insert':
                  if (model.has(o.k)) {
                    expect(() => txn.insert(t, [o.k, o.v])).toThrow(/duplicate key/)
                    // A failed statement leaves the transaction to be rolled back (as PostgreSQL aborts it).
                    txn.rollback()
                    model = new Map(committed)
                    saves.length = 0
                    txn = db.begin()
                  } else {
                    txn.insert(t, [o.k, o.v])
                    model.set(o.k, o.v)
                  }
                  break
                case 'update':
                  if (model.has(o.k)) {
                    txn.update(t, keyOf(o.k), [o.k, o.v])
                    model.set(o.k, o.v)
                  }
                  break
                case 'delete':
                  if (model.has(o.k)) {
                    expect(txn.delete(t, keyOf(o.k))).toEqual([o.k, model.get(o.k)])
                    model.delete(o.k)
                  }
                  break
                case 'commit':
                  await txn.commit()
                  committed = new Map(model)
                  saves.length = 0
                  txn = db.begin()
                  break
                case 'rollback':
                  txn.rollback()
                  model = new Map(committed)
                  saves.length = 0
                  txn = db.begin()
                  break
                case 'savepoint':
                  txn.savepoint(`s${saves.length}`)
                  saves.push(new Map(model))
                  break
                case 'rollbackTo':
                  if (saves.length > 0) {
                    txn.rollbackTo(`s${saves.length - 1}`)
                    model = new Map(saves[saves.length - 1])
                  }
                  break
                case 'scan': {
                  const got: SqlValue[][] = []
                  const options = {
                    columns: [0, 1],
                    reverse: o.reverse,
                    lower: o.lo === null ? undefined : { values: [o.lo], inclusive: o.loInc },
                    upper: o.hi === null ? undefined : { values: [o.hi], inclusive: o.hiInc },
                  }
                  for (const batch of txn.scan(t, options)) for (let r = 0; r < batch.length; r++) got.push([batch.columns[0][r], batch.columns[1][r]])
                  const want = [...model]
                    .filter(([key]) => (o.lo === null || (o.loInc ? key >= o.lo : key > o.lo)) && (o.hi === null || (o.hiInc ? key <= o.hi : key < o.hi)))
                    .sort((a, b) => a[0] - b[0])
                  if (o.reverse) want.reverse()
                  expect(got).toEqual(want)
                  break
                }
                case 'get':
                  expect(txn.getByPrimaryKey(t, [o.k])).toEqual(model.has(o.k) ? [o.k, model.get(o.k)] : undefined)
                  break
              }
            }
          } finally {
            txn.rollback()
          }
        }),
        { numRuns },
      )
    } finally {
      await db.close()
    }
}

describe('transaction merge model', () => {
  it('agrees with a sorted map under random writes, commits, rollbacks and savepoints', async () => {
    await check(40, 0, 150)
  })

  it('agrees with a sorted map when the committed rows span many storage batches', async () => {
    await check(30000, 10000, 20)
  })
})
