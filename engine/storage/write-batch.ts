/**
 * WriteBatch: the operations of one atomic commit, recorded in order.
 * Owns: recording and checking operations (tree names, key and value sizes) before they reach the core.
 * Invariants:
 *   (1) Operations apply in the order they were added, all or none (kv-store.ts applies them).
 *   (2) Keys and values are copied when added: changing the caller's arrays later changes nothing.
 *   (3) Everything that can be checked without the directory is checked when an operation is added (bad
 *       name 22023, key or value too large 54000), so a batch fails as early as possible and never half-way
 *       through being applied for these reasons. Whether a tree exists is checked when the batch is applied
 *       (it depends on the batches committed before it).
 *   (4) A batch is committed at most once; after `KvStore.commit()` it is sealed and refuses changes (55000).
 *   (5) Operations are kept as steps: a run of consecutive puts (or deletes) on one tree is one step whose
 *       entries are packed in the core's input format (engine/wasm PackedEntries), so applying it is one
 *       memory copy per 64 KiB segment, with no per-entry objects; a bulk load is one packed step too.
 * Paths not taken: one object per operation with its own key and value copies (as `ops` still shows them)
 *   cost two ArrayBuffer allocations and an object per put, and left millions of small objects for the GC.
 * Not here: applying, durability and visibility (kv-store.ts).
 */
import { invalidParameter, programLimitExceeded, wrongState } from '../common/index.js'
import { PackedEntries } from '../wasm/index.js'

/** One operation of a batch. */
export type BatchOp =
  | { readonly kind: 'createTree'; readonly tree: string }
  | { readonly kind: 'dropTree'; readonly tree: string }
  | { readonly kind: 'put'; readonly tree: string; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly tree: string; readonly key: Uint8Array }
  | { readonly kind: 'bulkLoad'; readonly tree: string; readonly entries: readonly (readonly [Uint8Array, Uint8Array])[] }

/**
 * One step of a batch, as the store applies it (invariant 5): a tree operation, a run of puts or deletes on
 * one tree, or a bulk load, the last two with their entries packed.
 */
export type BatchStep =
  | { readonly kind: 'createTree'; readonly tree: string }
  | { readonly kind: 'dropTree'; readonly tree: string }
  | { readonly kind: 'put'; readonly tree: string; readonly entries: PackedEntries }
  | { readonly kind: 'delete'; readonly tree: string; readonly entries: PackedEntries }
  | { readonly kind: 'bulkLoad'; readonly tree: string; readonly entries: PackedEntries }

/** Largest value the store accepts (1 GiB). */
export const MAX_VALUE_BYTES = 1 << 30

const encoder = new TextEncoder()

/**
 * Tree names that passed treeNameKey() with some key size limit (name -> that limit): a commit of one
 * statement checks the names of the few trees it writes without encoding them again. Bounded: cleared when full.
 */
const checkedNames = new Map<string, number>()
const CHECKED_NAMES_MAX = 4096

/** treeNameKey()'s checks only, remembered per name (a name valid for a limit is valid for any larger one). */
function checkTreeName(name: string, maxKeyBytes: number): void {
  const limit = checkedNames.get(name)
  if (limit !== undefined && limit <= maxKeyBytes) return
  treeNameKey(name, maxKeyBytes)
  if (checkedNames.size >= CHECKED_NAMES_MAX) checkedNames.clear()
  checkedNames.set(name, maxKeyBytes)
}

/** The directory key of a tree name: its UTF-8 bytes. Throws 22023 for an empty or malformed name. */
export function treeNameKey(name: string, maxKeyBytes: number): Uint8Array {
  if (typeof name !== 'string' || name.length === 0) throw invalidParameter(`invalid tree name ${JSON.stringify(name)}`, 'use a non-empty string')
  // Lone surrogates would encode as U+FFFD and two names could share one key.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
    throw invalidParameter(`invalid tree name ${JSON.stringify(name)}: it contains an unpaired surrogate`)
  }
  const key = encoder.encode(name)
  if (key.length > maxKeyBytes) {
    throw programLimitExceeded(`tree name "${name}" is ${key.length} bytes long; the limit is ${maxKeyBytes}`)
  }
  return key
}

/**
 * The operations of one atomic commit across trees. Get one from `kv.batch()`.
 *
 * @example
 * const batch = kv.batch().createTree('users').put('users', key, value)
 * batch.delete('users', other)
 * const { seq } = await kv.commit(batch)
 */
export class WriteBatch {
  readonly #maxKeyBytes: number
  readonly #steps: BatchStep[] = []
  #size = 0
  #sealed = false
  /** The last tree name that passed treeNameKey(), so a run of puts checks its name once. */
  #checkedTree: string | undefined

  /** Use `kv.batch()`; `maxKeyBytes` is the store's key size limit ((pageSize - 64) / 4). */
  constructor(maxKeyBytes: number) {
    this.#maxKeyBytes = maxKeyBytes
  }

  /** The steps, in order (invariant 5); what `KvStore.commit()` applies. */
  get steps(): readonly BatchStep[] {
    return this.#steps
  }

  /**
   * The operations, in order, one object per put or delete (keys and values are views into the batch's
   * packed copies: do not change them). Built on each call; the store itself reads `steps`.
   */
  get ops(): readonly BatchOp[] {
    const ops: BatchOp[] = []
    for (const step of this.#steps) {
      const tree = step.tree
      if (step.kind === 'createTree') ops.push({ kind: 'createTree', tree })
      else if (step.kind === 'dropTree') ops.push({ kind: 'dropTree', tree })
      else if (step.kind === 'bulkLoad') {
        const entries: (readonly [Uint8Array, Uint8Array])[] = []
        step.entries.forEach((key, value) => entries.push([key, value as Uint8Array]))
        ops.push({ kind: 'bulkLoad', tree, entries })
      } else if (step.kind === 'put') step.entries.forEach((key, value) => ops.push({ kind: 'put', tree, key, value: value as Uint8Array }))
      else step.entries.forEach((key) => ops.push({ kind: 'delete', tree, key }))
    }
    return ops
  }

  /** Number of operations (each put, delete, tree operation and bulk load counts one). */
  get size(): number {
    return this.#size
  }

  /** True once the batch was handed to `commit()` (invariant 4). */
  get sealed(): boolean {
    return this.#sealed
  }

  /** Creates an empty tree; committing fails with 42710 if it exists then. */
  createTree(name: string): this {
    this.#check()
    treeNameKey(name, this.#maxKeyBytes)
    this.#steps.push({ kind: 'createTree', tree: name })
    this.#size++
    return this
  }

  /** Drops a tree and its entries; committing fails with 42704 if it does not exist then. */
  dropTree(name: string): this {
    this.#check()
    treeNameKey(name, this.#maxKeyBytes)
    this.#steps.push({ kind: 'dropTree', tree: name })
    this.#size++
    return this
  }

  /** Inserts or replaces `key` in `tree` (key and value are copied, invariant 2). */
  put(tree: string, key: Uint8Array, value: Uint8Array): this {
    this.#check()
    this.#checkKey(tree, key)
    this.#checkValue(tree, value)
    this.#run('put', tree).add(key, value)
    this.#size++
    return this
  }

  /** Deletes `key` from `tree` (a missing key is not an error). */
  delete(tree: string, key: Uint8Array): this {
    this.#check()
    this.#checkKey(tree, key)
    this.#run('delete', tree).add(key)
    this.#size++
    return this
  }

  /**
   * Fills a tree created earlier in this batch (and not written to since) from entries in strictly ascending
   * key order, building the B+tree bottom-up: much faster than puts. Entries are copied and checked now
   * (22023 when not strictly ascending); committing fails with 55000 if the tree was not created earlier in
   * the same batch.
   *
   * @example
   * kv.batch().createTree('t').bulkLoad('t', sortedEntries)
   */
  bulkLoad(tree: string, entries: Iterable<readonly [Uint8Array, Uint8Array]>): this {
    this.#check()
    // One packed copy of everything (invariant 2), checked entry by entry; added as a step only when whole.
    const packed = new PackedEntries(true)
    let i = 0
    for (const [key, value] of entries) {
      this.#checkKey(tree, key)
      this.#checkValue(tree, value)
      if (i > 0 && packed.compareLastKey(key) >= 0) {
        throw invalidParameter(`bulkLoad into tree "${tree}" needs strictly ascending keys (entry ${i} is not greater than the one before)`)
      }
      packed.add(key, value)
      i++
    }
    this.#steps.push({ kind: 'bulkLoad', tree, entries: packed })
    this.#size++
    return this
  }

  /** Marks the batch committed (invariant 4); called by `KvStore.commit()`. */
  seal(): void {
    this.#check()
    this.#sealed = true
  }

  /** The packed entries of the run of `kind` on `tree` that the next entry joins (invariant 5). */
  #run(kind: 'put' | 'delete', tree: string): PackedEntries {
    const last = this.#steps.length > 0 ? this.#steps[this.#steps.length - 1] : undefined
    if (last !== undefined && last.kind === kind && last.tree === tree) return last.entries
    const entries = new PackedEntries(kind === 'put')
    this.#steps.push(kind === 'put' ? { kind: 'put', tree, entries } : { kind: 'delete', tree, entries })
    return entries
  }

  #check(): void {
    if (this.#sealed) throw wrongState('this write batch was already committed; start a new one with kv.batch()')
  }

  #checkValue(tree: string, value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw invalidParameter(`the value for tree "${tree}" must be a Uint8Array`)
    if (value.length > MAX_VALUE_BYTES) {
      throw programLimitExceeded(`a value of ${value.length} bytes for tree "${tree}" exceeds the limit of ${MAX_VALUE_BYTES} bytes`)
    }
  }

  #checkKey(tree: string, key: Uint8Array): void {
    if (tree !== this.#checkedTree) {
      checkTreeName(tree, this.#maxKeyBytes)
      this.#checkedTree = tree
    }
    if (!(key instanceof Uint8Array)) throw invalidParameter(`the key for tree "${tree}" must be a Uint8Array`)
    if (key.length > this.#maxKeyBytes) {
      throw programLimitExceeded(`a key of ${key.length} bytes for tree "${tree}" exceeds the limit of ${this.#maxKeyBytes} bytes`)
    }
  }
}
