/**
 * Fault test: concurrent bank transfers (bank-workload.ts, with the `transfers` log table) crash at chosen
 * I/O calls through the FaultAdapter; the disk image after the crash (unsynced writes lost, kept, or each
 * kept at random; a write at the crash point torn in half) is reopened (issue #4).
 * Invariants checked after every reopen (ARCHITECTURE.md "Invariants worth testing forever"):
 *   (1) Every acknowledged transfer is there (its log row and its effect on both balances).
 *   (2) Nothing else is there but transfers whose COMMIT was sent when the crash came (in doubt).
 *   (3) Each balance is its initial value plus the net of the logged transfers, and the total holds: a
 *       transfer is never half there.
 *   (4) The reopened database takes new concurrent transfers and keeps (1)-(3).
 * Crash points are spread over the I/O calls a crash-free run makes (WAL writes and syncs, checkpoint writes,
 * syncs and WAL truncates); the crashed store is written through an Engine, the image reopened by Database.
 */
import { describe, expect, it } from 'vitest'
import { Database, type MemoryAdapter } from '../../../engine/index.js'
import { FaultAdapter, type UnsyncedFate } from '../../storage/fault-adapter.js'
import { Engine, type SessionHost, within } from '../support-sessions.js'
import { type BankLevel, type BankOptions, type Transfer, expectBank, runBank, setupBank } from './bank-workload.js'

const NAME = 'bank.rdb'
const BANK = { accounts: 8, initial: 1_000, sessions: 8, transfers: 300, logTable: true }
const LEVELS: BankLevel[] = ['read committed', 'repeatable read', 'serializable']
const FATES: UnsyncedFate[] = ['lost', 'kept', 'random']
/** Crash points per level: spread over all calls, and over the checkpoints' calls. */
const SPREAD_POINTS = 6
const CHECKPOINT_POINTS = 3

/**
 * A new bank on `adapter`. Built as an Engine (support-sessions.ts (3)) for its small checkpointBytes: the
 * runs then checkpoint every few dozen commits, so crash points fall in checkpoints too.
 */
async function openBank(adapter: FaultAdapter): Promise<Engine> {
  const engine = await Engine.open({ adapter, name: NAME, pageSize: 1024, cachePages: 64, checkpointBytes: 48 * 1024 })
  await setupBank(engine, BANK)
  return engine
}

/** The transfers the log table of a reopened database holds. */
async function loggedTransfers(db: SessionHost): Promise<Transfer[]> {
  const r = await db.query<[number, number, number, number]>('SELECT id, src, dst, amount FROM transfers ORDER BY id', [], { rowMode: 'array' })
  return r.rows.map(([id, from, to, amount]) => ({ id, from, to, amount }))
}

/** A counted I/O call of the crash-free run, numbered from the end of setup. */
interface Call {
  readonly at: number
  /** 'wal' for WAL appends and syncs, 'checkpoint' for database-file writes, syncs and WAL truncates. */
  readonly kind: 'wal' | 'checkpoint'
}

/** The counted I/O calls of a crash-free run of `level` after setup. */
async function dryRun(level: BankLevel, seed: number): Promise<Call[]> {
  const adapter = new FaultAdapter()
  const db = await openBank(adapter)
  const base = adapter.calls
  adapter.record = true
  const run = await runBank(db, { ...BANK, level, seed })
  expect(run.acked.length).toBe(BANK.transfers)
  await db.close()
  return adapter.events
    .filter((e) => e.index >= base)
    .map((e) => ({ at: e.index - base, kind: e.file === NAME || e.kind === 'truncate' ? 'checkpoint' : 'wal' }))
}

/** `n` calls spread evenly over `calls`. */
function spread(calls: readonly Call[], n: number): Call[] {
  return Array.from({ length: Math.min(n, calls.length) }, (_v, j) => calls[Math.floor((calls.length * (j + 0.5)) / n)])
}

/** One crash run: crash at I/O call `at` (counted after setup), reopen the image, check (1)-(4). */
async function crashAt(level: BankLevel, seed: number, at: number, fate: UnsyncedFate): Promise<void> {
  const adapter = new FaultAdapter()
  const db = await openBank(adapter)
  adapter.arm({ at: adapter.calls + at, tear: (length) => length >> 1 })
  const options: BankOptions = { ...BANK, level, seed, stopOnError: true }
  const run = await runBank(db, options)
  expect(adapter.crashed, `the crash at call ${at} happened`).toBe(true)
  expect(run.stoppedBy, 'the crash stopped the run').toBeDefined()
  await within(db.close(), 'closing the crashed database').catch(() => undefined)

  const image: MemoryAdapter = adapter.imageAfterCrash(fate, seed + at)
  const reopened = await within(Database.open({ adapter: image, name: NAME }), 'reopening after the crash')
  try {
    const logged = await loggedTransfers(reopened)
    const loggedIds = new Set(logged.map((t) => t.id))
    const allowed = new Map([...run.acked, ...run.inDoubt].map((t) => [t.id, t]))
    const lost = run.acked.filter((t) => !loggedIds.has(t.id)).map((t) => t.id)
    expect(lost, 'acknowledged transfers missing after the crash (1)').toEqual([])
    for (const t of logged) expect(allowed.get(t.id), `transfer ${t.id} was never acknowledged nor in doubt (2)`).toEqual(t)
    await expectBank(reopened, BANK, logged)

    // (4) The recovered database works: more concurrent transfers, then the same checks.
    const more = await runBank(reopened, { ...BANK, level, seed: seed + 1_000, transfers: 60, logTable: false })
    expect(more.acked.length).toBe(60)
    await expectBank(reopened, BANK, [...logged, ...more.acked])
  } finally {
    await within(reopened.close(), 'closing the reopened database')
  }
}

describe('bank transfers under crashes', () => {
  for (const [i, level] of LEVELS.entries()) {
    it(`${level}: after a crash at any I/O call every acknowledged transfer survives and none is half there`, async () => {
      const seed = 40 + i
      const calls = await dryRun(level, seed)
      const checkpointCalls = calls.filter((c) => c.kind === 'checkpoint')
      expect(checkpointCalls.length, 'the run checkpoints').toBeGreaterThan(0)
      const points = [...spread(calls, SPREAD_POINTS), ...spread(checkpointCalls, CHECKPOINT_POINTS)]
      for (const [j, call] of points.entries()) await crashAt(level, seed, call.at, FATES[(i + j) % FATES.length])
    })
  }
})
