/**
 * The seeded workload of the crash tests: groups of concurrent commits over several trees (puts, deletes,
 * overflow-sized values, creates, drops), explicit checkpoints, snapshots held across drops, and the model
 * states the database must be in after each batch.
 * Invariants:
 *   (1) The workload is a pure function of its seed (Rng); every batch in it is valid (it only names trees
 *       that exist at that point), so batch j has commit sequence number base + j.
 *   (2) states[j] is the canonical text of the trees after the first j batches (states[0]: after setup).
 * Not here: crashing (fault-adapter.ts) and the assertions (kv-store-fault.test.ts).
 */
import type { KvStats, KvStore } from '../../engine/storage/kv-store.js'
import type { Snapshot } from '../../engine/storage/snapshot.js'
import { Rng, hex, utf8 } from './helpers.js'

type Op =
  | { kind: 'put'; tree: string; key: Uint8Array; value: Uint8Array }
  | { kind: 'delete'; tree: string; key: Uint8Array }
  | { kind: 'createTree'; tree: string }
  | { kind: 'dropTree'; tree: string }

/** One step of the workload. */
export type Step = { kind: 'group'; batches: Op[][] } | { kind: 'checkpoint' } | { kind: 'snapshot' } | { kind: 'release' }

/** A generated workload. */
export interface Workload {
  setup: Op[]
  steps: Step[]
  /** Canonical state after setup and after each batch (invariant 2). */
  states: string[]
  batches: number
}

const TREES = ['a', 'b', 'c', 'd']

function key(n: number): Uint8Array {
  return utf8(`k${String(n).padStart(4, '0')}`)
}

/** Canonical text of a model: trees by name, entries by key, as hex. */
export function canonical(model: Map<string, Map<string, string>>): string {
  const parts: string[] = []
  for (const name of [...model.keys()].sort()) {
    const tree = model.get(name) as Map<string, string>
    parts.push(`${name}:${[...tree.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',')}`)
  }
  return parts.join(';')
}

/** Canonical text of what a store holds (same format as canonical(): scans come in key order already). */
export function storeState(kv: KvStore): string {
  const parts: string[] = []
  for (const name of kv.treeNames().sort()) {
    const entries: string[] = []
    for (const batch of kv.scanBatches(name)) {
      for (let i = 0; i < batch.count; i++) entries.push(`${hex(batch.key(i))}=${hex(batch.value(i))}`)
    }
    parts.push(`${name}:${entries.join(',')}`)
  }
  return parts.join(';')
}

function applyOp(model: Map<string, Map<string, string>>, op: Op): void {
  if (op.kind === 'createTree') model.set(op.tree, new Map())
  else if (op.kind === 'dropTree') model.delete(op.tree)
  else if (op.kind === 'put') (model.get(op.tree) as Map<string, string>).set(hex(op.key), hex(op.value))
  else (model.get(op.tree) as Map<string, string>).delete(hex(op.key))
}

/** Generates the workload of `seed` (invariant 1). */
export function makeWorkload(seed: number, groups: number): Workload {
  const rng = new Rng(seed)
  const model = new Map<string, Map<string, string>>()
  const value = (): Uint8Array => rng.bytes(rng.chance(0.12) ? 300 + rng.int(2500) : 4 + rng.int(90))
  const setup: Op[] = [
    { kind: 'createTree', tree: 'a' },
    { kind: 'createTree', tree: 'b' },
  ]
  for (let i = 0; i < 40; i++) setup.push({ kind: 'put', tree: i % 2 === 0 ? 'a' : 'b', key: key(rng.int(80)), value: value() })
  for (const op of setup) applyOp(model, op)
  const states = [canonical(model)]
  const steps: Step[] = []
  let held = 0
  for (let g = 0; g < groups; g++) {
    const roll = rng.int(20)
    if (roll === 0) {
      steps.push({ kind: 'checkpoint' })
      continue
    }
    if (roll <= 2) {
      steps.push({ kind: 'snapshot' })
      held++
      continue
    }
    if (roll <= 4 && held > 0) {
      steps.push({ kind: 'release' })
      held--
      continue
    }
    if (roll === 5 || g === 3) {
      // A batch that dirties more pages than the pool holds: the pool spills, the pager flushes spills.
      const tree = rng.pick([...model.keys()])
      const ops: Op[] = []
      for (let i = 0; i < 160; i++) ops.push({ kind: 'put', tree, key: key(1000 + rng.int(4000)), value: rng.bytes(150 + rng.int(200)) })
      for (const op of ops) applyOp(model, op)
      states.push(canonical(model))
      steps.push({ kind: 'group', batches: [ops] })
      continue
    }
    const batches: Op[][] = []
    const count = 1 + rng.int(3)
    for (let b = 0; b < count; b++) {
      const ops: Op[] = []
      const size = rng.chance(0.15) ? 80 + rng.int(120) : 1 + rng.int(12)
      for (let i = 0; i < size; i++) {
        const existing = [...model.keys()]
        const r = rng.int(100)
        if (r < 3) {
          const absent = TREES.filter((t) => !model.has(t))
          if (absent.length > 0) {
            const op: Op = { kind: 'createTree', tree: rng.pick(absent) }
            ops.push(op)
            applyOp(model, op)
            continue
          }
        }
        if (r >= 3 && r < 5) {
          const droppable = existing.filter((t) => t !== 'a')
          if (droppable.length > 0) {
            const op: Op = { kind: 'dropTree', tree: rng.pick(droppable) }
            ops.push(op)
            applyOp(model, op)
            continue
          }
        }
        const tree = rng.pick(existing)
        const op: Op = rng.chance(0.75) ? { kind: 'put', tree, key: key(rng.int(300)), value: value() } : { kind: 'delete', tree, key: key(rng.int(300)) }
        ops.push(op)
        applyOp(model, op)
      }
      batches.push(ops)
      states.push(canonical(model))
    }
    steps.push({ kind: 'group', batches })
  }
  return { setup, steps, states, batches: states.length - 1 }
}

/** Builds a store batch from ops. */
export function buildBatch(kv: KvStore, ops: Op[]): ReturnType<KvStore['batch']> {
  const batch = kv.batch()
  for (const op of ops) {
    if (op.kind === 'put') batch.put(op.tree, op.key, op.value)
    else if (op.kind === 'delete') batch.delete(op.tree, op.key)
    else if (op.kind === 'createTree') batch.createTree(op.tree)
    else batch.dropTree(op.tree)
  }
  return batch
}

/**
 * Runs the steps against a store, then closes it; returns how many batches were acknowledged (they resolve
 * in order) and the store's counters before the close (undefined once it stopped). Errors after a crash are
 * expected: every call fails then, and the run just goes on to its end.
 */
export async function runSteps(kv: KvStore, steps: Step[]): Promise<{ acked: number; stats: KvStats | undefined }> {
  let acked = 0
  let index = 0
  const snapshots: Snapshot[] = []
  for (const step of steps) {
    try {
      if (step.kind === 'group') {
        const commits = step.batches.map((ops) => {
          const j = ++index
          return kv.commit(buildBatch(kv, ops)).then(() => {
            acked = Math.max(acked, j)
          })
        })
        await Promise.allSettled(commits)
      } else if (step.kind === 'checkpoint') {
        await kv.checkpoint()
      } else if (step.kind === 'snapshot') {
        snapshots.push(kv.snapshot())
      } else {
        snapshots.shift()?.release()
      }
    } catch {
      // The store stopped (a crash): every later call fails too; nothing more is acknowledged.
    }
  }
  for (const s of snapshots) s.release()
  let stats: KvStats | undefined
  try {
    stats = kv.stats()
  } catch {
    stats = undefined
  }
  await kv.close().catch(() => undefined)
  return { acked, stats }
}
