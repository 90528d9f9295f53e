/**
 * Crash tests (SQLite's crash9 style): for every write, sync and truncate the store makes while it commits,
 * spills and checkpoints (explicit, automatic, and the one in close()), crash there: the call and every later
 * one fail, a write at the crash point lands torn (a random prefix), and the bytes written since each file's
 * last sync are kept, lost, or kept at random (fault-adapter.ts). Then reopen the disk image and check:
 *   - every acknowledged commit is there;
 *   - the state is exactly the state after some prefix of the attempted commits (an unacknowledged commit is
 *     there only whole: atomicity, and nothing else is there);
 *   - check() passes (every page accounted for);
 *   - the reopened store commits, closes and reopens again.
 * Workloads are seeded (crash-workload.ts); a failure names the seed, the crash point and the fate.
 */
import { describe, expect, it } from 'vitest'
import { MemoryAdapter } from '../../engine/storage/adapters/memory-adapter.js'
import { type KvStats, KvStore } from '../../engine/storage/kv-store.js'
import { type Workload, buildBatch, makeWorkload, runSteps, storeState } from './crash-workload.js'
import { FaultAdapter, type UnsyncedFate } from './fault-adapter.js'
import { Rng, utf8 } from './helpers.js'

const NAME = 'crash.rdb'
const OPTIONS = { name: NAME, pageSize: 1024, cachePages: 64, checkpointBytes: 64 << 10, spillFlushBytes: 2 << 10 }
const FATES: UnsyncedFate[] = ['kept', 'lost', 'random']

interface Run {
  adapter: FaultAdapter
  acked: number
  stats: KvStats | undefined
}

/** Runs a workload on a fresh FaultAdapter; crashes at call `base + crashAt` unless crashAt is undefined. */
async function run(workload: Workload, crashAt: number | undefined, tearSeed: number): Promise<Run & { base: number }> {
  const adapter = new FaultAdapter()
  adapter.record = crashAt === undefined
  const kv = await KvStore.open({ adapter, create: true, ...OPTIONS })
  await kv.commit(buildBatch(kv, workload.setup))
  const base = adapter.calls
  if (crashAt !== undefined) {
    const rng = new Rng(tearSeed)
    adapter.arm({ at: base + crashAt, tear: (length) => rng.int(length) })
  }
  const { acked, stats } = await runSteps(kv, workload.steps)
  return { adapter, acked, stats, base }
}

/**
 * Reopens the image and checks the invariants listed in the file header. Then commits once more and opens
 * the files as that commit left them (a second crash, with no checkpoint in between): recovery must have
 * left nothing behind that could confuse the next one (wal.ts invariant 5).
 */
async function verify(workload: Workload, image: MemoryAdapter, acked: number): Promise<void> {
  const kv = await KvStore.open({ adapter: image, create: false, ...OPTIONS })
  const state = storeState(kv)
  let found = -1
  for (let j = acked; j < workload.states.length; j++) {
    if (workload.states[j] === state) {
      found = j
      break
    }
  }
  expect(found, `recovered state is not the state after ${acked} or more batches`).toBeGreaterThanOrEqual(acked)
  kv.check()
  await kv.commit(kv.batch().createTree('after-crash').put('after-crash', utf8('k'), utf8('v')))
  const again = await KvStore.open({ adapter: MemoryAdapter.fromFiles(image.snapshotFiles()), create: false, ...OPTIONS })
  expect(new TextDecoder().decode(again.get('after-crash', utf8('k')))).toBe('v')
  again.check()
  await again.close()
  await kv.close()
}

/** Kinds of crash points a workload offers (counted in its crash-free run). */
interface Coverage {
  spillWrites: number
  walWrites: number
  walSyncs: number
  walTruncates: number
  checkpointWrites: number
  checkpointSyncs: number
}

async function crashEverywhere(seed: number, groups: number, coverage: Coverage): Promise<{ points: number; calls: number }> {
  const workload = makeWorkload(seed, groups)
  const dry = await run(workload, undefined, 0)
  const calls = dry.adapter.calls - dry.base
  expect(dry.acked).toBe(workload.batches)
  coverage.spillWrites += dry.stats?.spillWrites ?? 0
  for (const event of dry.adapter.events.slice(dry.base)) {
    const wal = event.file.endsWith('-wal')
    if (event.kind === 'write') wal ? coverage.walWrites++ : coverage.checkpointWrites++
    else if (event.kind === 'sync') wal ? coverage.walSyncs++ : coverage.checkpointSyncs++
    else if (wal) coverage.walTruncates++
  }
  let points = 0
  for (let at = 0; at < calls; at++) {
    const crashed = await run(workload, at, seed * 7919 + at)
    expect(crashed.adapter.crashed, `seed ${seed}: no crash at call ${at}`).toBe(true)
    for (const fate of FATES) {
      const image = crashed.adapter.imageAfterCrash(fate, seed + at)
      try {
        await verify(workload, image, crashed.acked)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new Error(`crash test failed: seed ${seed}, crash at call ${at} of ${calls}, fate "${fate}", ${crashed.acked} acknowledged: ${message}`, {
          cause: error,
        })
      }
      points++
    }
  }
  return { points, calls }
}

describe('KvStore crashes', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'recovers every acknowledged commit and nothing partial, whatever write, sync or truncate a crash hits (workload seed %i)',
    async (seed) => {
      const coverage: Coverage = { spillWrites: 0, walWrites: 0, walSyncs: 0, walTruncates: 0, checkpointWrites: 0, checkpointSyncs: 0 }
      const { points, calls } = await crashEverywhere(seed, 45, coverage)
      console.info(`kv-store-fault seed ${seed}: ${points} crash images from ${calls} crash points ${JSON.stringify(coverage)}`)
      expect(points).toBe(calls * FATES.length)
      expect(calls).toBeGreaterThan(150)
      // Crash points inside commits (spill flushes, commit writes, syncs) and inside checkpoints (database
      // file runs and sync, the WAL reset's truncate, header write and syncs) are all there.
      expect(coverage.spillWrites).toBeGreaterThan(0)
      expect(coverage.walWrites).toBeGreaterThan(20)
      expect(coverage.walSyncs).toBeGreaterThan(20)
      expect(coverage.checkpointWrites).toBeGreaterThan(5)
      expect(coverage.checkpointSyncs).toBeGreaterThan(0)
      expect(coverage.walTruncates).toBeGreaterThan(0)
    },
  )
})
