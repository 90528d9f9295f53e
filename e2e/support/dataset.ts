/**
 * A seeded database workload for the browser suites: several trees, a few thousand entries, values larger
 * than a page, overwrites, deletes and a dropped tree, spread over several commits; plus the state it must
 * leave (a plain sorted-map model), so any platform's store can be compared against it.
 * Invariants:
 *   (1) buildDataset(seed) depends only on the seed (xorshift32), so a failure reproduces from the printed seed.
 *   (2) `expected` is the result of applying `commits` in order to empty trees (the model), nothing else.
 */
import type { BatchOp } from '../../demo/protocol.js'
import { patternBytes } from './data.js'

/** A workload and the state it leaves. */
export interface Dataset {
  readonly seed: number
  /** Batches to commit in order. */
  readonly commits: readonly (readonly BatchOp[])[]
  /** Final state: tree name -> hex key -> value. */
  readonly expected: Model
}

/** Lower-case hex of bytes (keys in the model and in failure messages). */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Entries of a model tree in key order (memcmp order of the raw keys = order of their hex strings). */
export function sortedEntries(tree: ReadonlyMap<string, Uint8Array>): [string, Uint8Array][] {
  return [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

class Random {
  #x: number
  constructor(seed: number) {
    this.#x = seed >>> 0 || 0x2545f491
  }
  next(): number {
    let x = this.#x
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    this.#x = x
    return x
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1))
  }
  bytes(length: number): Uint8Array {
    return patternBytes(length, this.next())
  }
}

const text = new TextEncoder()

/** Applies one batch to the model (invariant 2). */
function applyToModel(model: Map<string, Map<string, Uint8Array>>, ops: readonly BatchOp[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'createTree':
        if (model.has(op.tree)) throw new Error(`dataset bug: tree ${op.tree} exists`)
        model.set(op.tree, new Map())
        break
      case 'dropTree':
        model.delete(op.tree)
        break
      case 'put':
        model.get(op.tree)!.set(hex(op.key), op.value)
        break
      case 'delete':
        model.get(op.tree)!.delete(hex(op.key))
        break
    }
  }
}

/**
 * The workload: trees `users` (2,400 text keys, then 300 deleted and 200 overwritten), `blobs` (40 values of
 * 4 KiB..40 KiB, larger than a 4 KiB page, some shrunk and grown, 5 deleted), `events` (1,200 random 8-byte
 * binary keys, values of 0..600 bytes, empty ones included), `empty` (created, never filled) and `doomed`
 * (filled, then dropped), over eight commits.
 */
export function buildDataset(seed: number): Dataset {
  const random = new Random(seed)
  const commits: BatchOp[][] = []
  const userKey = (i: number) => text.encode(`user:${String(i).padStart(5, '0')}`)
  const blobKey = (i: number) => text.encode(`blob/${i}`)

  commits.push([
    ...['users', 'blobs', 'events', 'empty', 'doomed'].map((tree) => ({ kind: 'createTree' as const, tree })),
    ...Array.from({ length: 50 }, (_, i) => ({ kind: 'put' as const, tree: 'doomed', key: userKey(i), value: random.bytes(200) })),
  ])
  for (let part = 0; part < 3; part++) {
    const ops: BatchOp[] = []
    for (let i = part * 800; i < (part + 1) * 800; i++) {
      ops.push({ kind: 'put', tree: 'users', key: userKey(i), value: random.bytes(random.int(10, 300)) })
    }
    for (let i = part * 14; i < Math.min(40, (part + 1) * 14); i++) {
      ops.push({ kind: 'put', tree: 'blobs', key: blobKey(i), value: random.bytes(random.int(4097, 40_000)) })
    }
    for (let i = 0; i < 400; i++) {
      const key = random.bytes(8)
      if (i % 50 === 0) key.fill(0, 0, 4)
      if (i % 50 === 1) key.fill(0xff, 0, 4)
      ops.push({ kind: 'put', tree: 'events', key, value: i % 40 === 0 ? new Uint8Array(0) : random.bytes(random.int(1, 600)) })
    }
    commits.push(ops)
  }
  // Deletes, and blobs that shrink below the overflow threshold or grow into it.
  const deletes: BatchOp[] = []
  for (let n = 0; n < 300; n++) deletes.push({ kind: 'delete', tree: 'users', key: userKey(random.int(0, 2399)) })
  for (const i of [3, 7, 11, 19, 23]) deletes.push({ kind: 'delete', tree: 'blobs', key: blobKey(i) })
  deletes.push({ kind: 'put', tree: 'blobs', key: blobKey(0), value: random.bytes(12) })
  deletes.push({ kind: 'put', tree: 'blobs', key: blobKey(40), value: random.bytes(65_000) })
  commits.push(deletes)
  commits.push([{ kind: 'dropTree', tree: 'doomed' }])
  commits.push(
    Array.from({ length: 200 }, () => ({ kind: 'put' as const, tree: 'users', key: userKey(random.int(0, 2399)), value: random.bytes(random.int(0, 500)) })),
  )
  commits.push([{ kind: 'put', tree: 'blobs', key: blobKey(1), value: random.bytes(9000) }])

  const model = new Map<string, Map<string, Uint8Array>>()
  for (const ops of commits) applyToModel(model, ops)
  return { seed, commits, expected: model }
}

/** A small follow-up workload over an existing dataset's trees (writes after reopening elsewhere). */
export function followUpCommit(seed: number): BatchOp[] {
  const random = new Random(seed ^ 0x5bd1e995)
  return [
    { kind: 'createTree', tree: 'later' },
    ...Array.from({ length: 100 }, (_, i) => ({ kind: 'put' as const, tree: 'later', key: text.encode(`k${i}`), value: random.bytes(random.int(0, 5000)) })),
    { kind: 'delete', tree: 'users', key: text.encode('user:00001') },
    { kind: 'put', tree: 'events', key: new Uint8Array(8), value: random.bytes(100) },
  ]
}

/** A model: tree name -> hex key -> value. */
export type Model = ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>

/** The model after `batches` on top of `base` (default: no trees); `base` is not changed. */
export function modelAfter(base: Model | undefined, ...batches: (readonly BatchOp[])[]): Model {
  const model = new Map<string, Map<string, Uint8Array>>()
  for (const [tree, entries] of base ?? []) model.set(tree, new Map(entries))
  for (const ops of batches) applyToModel(model, ops)
  return model
}

/** The model after `extra` batches on top of `dataset` (for stores that got follow-up commits). */
export function expectedAfter(dataset: Dataset, ...extra: (readonly BatchOp[])[]): Model {
  return modelAfter(dataset.expected, ...extra)
}
