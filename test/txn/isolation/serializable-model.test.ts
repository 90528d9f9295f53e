/**
 * Model test of SERIALIZABLE (issue #4): random interleavings of small transactions (model-workload.ts),
 * checked against a serial replay: the committed transactions, replayed one by one on a second database
 * reset to the same starting rows, return exactly what they returned concurrently, and end in the same
 * table. The replay order is the commit order for transactions that changed something (their reads are
 * validated at commit, so they take effect there, transaction.ts (12)); a transaction that changed nothing
 * takes effect at its snapshot, so it is replayed at a point of the commit order within its snapshot window
 * (model-workload.ts (3)). Three mixes: range statements over the primary key with inserts of fresh keys,
 * with upserts on the shared keys, and over an index on `value`.
 */
import { describe, expect, it } from 'vitest'
import type { Database } from '../../../engine/index.js'
import { type Run, SEEDS, type Txn, checkSeeds, rerun, reset, tableOf } from './model-workload.js'

/** The serial replay (see the header). */
async function replay(seed: number, run: Run, db: Database): Promise<void> {
  const { initial, txns, order, finalTable, fail } = run
  await reset(db, initial)
  const readOnly = txns.filter((t) => t.state === 'committed' && !t.changed)
  const placed = new Set<Txn>()
  for (let k = 0; k <= order.length; k++) {
    for (const t of readOnly) {
      if (placed.has(t) || k < t.firstSentAfter || k > t.firstSeenBefore) continue
      if (await rerun(db, t, false, null)) placed.add(t)
    }
    if (k < order.length) await rerun(db, order[k], true, fail)
  }
  for (const t of readOnly) {
    if (!placed.has(t)) fail(`read-only T${t.id} matches no point of the commit order between ${t.firstSentAfter} and ${t.firstSeenBefore}`)
  }
  expect(await tableOf(db), `seed ${seed}: the final table of the serial replay`).toBe(finalTable)
}

describe('SERIALIZABLE against a serial replay', () => {
  it(`${SEEDS} random interleavings of reads, range reads, updates, inserts and deletes are each serializable`, async () => {
    await checkSeeds({ upserts: false }, 'serializable', replay)
  })

  it(`${SEEDS} random interleavings with upserts on shared keys are each serializable`, async () => {
    await checkSeeds({ upserts: true }, 'serializable', replay)
  })

  it(`${SEEDS} random interleavings of predicates over an indexed column are each serializable`, async () => {
    await checkSeeds({ upserts: false, indexed: true }, 'serializable', replay)
  })
})
