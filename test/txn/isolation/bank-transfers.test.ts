/**
 * Bank transfers under concurrency (issue #4): 8 sessions run 10,000 random transfers between 16 accounts
 * at each isolation level, retrying on 40001 and 40P01, while a reader checks every snapshot it takes.
 * Invariants checked:
 *   (1) Every snapshot holds the same total (no transfer is seen half done), and at REPEATABLE READ and
 *       SERIALIZABLE a transaction's reads repeat.
 *   (2) At the end each balance is its initial value plus the net of the acknowledged transfers: no
 *       acknowledged transfer is lost, none is applied twice, nothing unacknowledged is applied.
 *   (3) READ COMMITTED never loses an update (`balance = balance - x` re-reads the newest version after a
 *       wait, EvalPlanQual) and never raises 40001; only deadlocks (40P01) make it retry.
 * Runtime: 2-4 s per level, 9-12 s for the file, measured on the shared 2-core test machine (load 5-8).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../../engine/index.js'
import { within } from '../support-sessions.js'
import { type BankLevel, expectBank, runBank, setupBank } from './bank-workload.js'

const BANK = { accounts: 16, initial: 1_000, sessions: 8, transfers: 10_000 }

let db: Database

beforeEach(async () => {
  db = await Database.open({ storage: 'memory' })
  await setupBank(db, BANK)
})

afterEach(async () => {
  await within(db.close(), 'closing the database')
})

describe('bank transfers', () => {
  const levels: { level: BankLevel; seed: number }[] = [
    { level: 'read committed', seed: 11 },
    { level: 'repeatable read', seed: 12 },
    { level: 'serializable', seed: 13 },
  ]
  for (const { level, seed } of levels) {
    it(`${level}: 10,000 concurrent transfers keep the total and apply each acknowledged transfer once`, async () => {
      const run = await runBank(db, { ...BANK, level, seed })
      expect(run.acked.length).toBe(BANK.transfers)
      expect(new Set(run.acked.map((t) => t.id)).size, 'each transfer acknowledged once').toBe(BANK.transfers)
      expect(run.inDoubt).toEqual([])
      expect(run.readerChecks, 'the reader checked snapshots while transfers ran').toBeGreaterThan(20)
      await expectBank(db, BANK, run.acked)
      if (level === 'read committed') expect(run.retries['40001'] ?? 0, 'read committed never fails with 40001').toBe(0)
      else expect(run.retries['40001'] ?? 0, 'concurrent transfers did conflict').toBeGreaterThan(0)
    })
  }
})
