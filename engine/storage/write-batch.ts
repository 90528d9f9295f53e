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
 * Not here: applying, durability and visibility (kv-store.ts).
 */
import { invalidParameter, programLimitExceeded, wrongState } from '../common/index.js'
import { compareKeys } from './key-codec.js'

/** One operation of a batch. */
export type BatchOp =
  | { readonly kind: 'createTree'; readonly tree: string }
  | { readonly kind: 'dropTree'; readonly tree: string }
  | { readonly kind: 'put'; readonly tree: string; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly tree: string; readonly key: Uint8Array }
  | { readonly kind: 'bulkLoad'; readonly tree: string; readonly entries: readonly (readonly [Uint8Array, Uint8Array])[] }

/** Largest value the store accepts (1 GiB). */
export const MAX_VALUE_BYTES = 1 << 30

const encoder = new TextEncoder()

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
  readonly #ops: BatchOp[] = []
  #sealed = false
  /** The last tree name that passed treeNameKey(), so a run of puts checks its name once. */
  #checkedTree: string | undefined

  /** Use `kv.batch()`; `maxKeyBytes` is the store's key size limit ((pageSize - 64) / 4). */
  constructor(maxKeyBytes: number) {
    this.#maxKeyBytes = maxKeyBytes
  }

  /** The operations, in order. */
  get ops(): readonly BatchOp[] {
    return this.#ops
  }

  /** Number of operations. */
  get size(): number {
    return this.#ops.length
  }

  /** True once the batch was handed to `commit()` (invariant 4). */
  get sealed(): boolean {
    return this.#sealed
  }

  /** Creates an empty tree; committing fails with 42710 if it exists then. */
  createTree(name: string): this {
    this.#check()
    treeNameKey(name, this.#maxKeyBytes)
    this.#ops.push({ kind: 'createTree', tree: name })
    return this
  }

  /** Drops a tree and its entries; committing fails with 42704 if it does not exist then. */
  dropTree(name: string): this {
    this.#check()
    treeNameKey(name, this.#maxKeyBytes)
    this.#ops.push({ kind: 'dropTree', tree: name })
    return this
  }

  /** Inserts or replaces `key` in `tree` (key and value are copied, invariant 2). */
  put(tree: string, key: Uint8Array, value: Uint8Array): this {
    this.#check()
    this.#checkKey(tree, key)
    this.#checkValue(tree, value)
    this.#ops.push({ kind: 'put', tree, key: key.slice(), value: value.slice() })
    return this
  }

  /** Deletes `key` from `tree` (a missing key is not an error). */
  delete(tree: string, key: Uint8Array): this {
    this.#check()
    this.#checkKey(tree, key)
    this.#ops.push({ kind: 'delete', tree, key: key.slice() })
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
    const list = Array.isArray(entries) ? (entries as readonly (readonly [Uint8Array, Uint8Array])[]) : [...entries]
    let bytes = 0
    let previous: Uint8Array | undefined
    for (let i = 0; i < list.length; i++) {
      const [key, value] = list[i]
      this.#checkKey(tree, key)
      this.#checkValue(tree, value)
      if (previous !== undefined && compareKeys(previous, key) >= 0) {
        throw invalidParameter(`bulkLoad into tree "${tree}" needs strictly ascending keys (entry ${i} is not greater than the one before)`)
      }
      previous = key
      bytes += key.length + value.length
    }
    // One copy of everything into one buffer (invariant 2), viewed per entry: no allocation per entry.
    const arena = new Uint8Array(bytes)
    const copied: (readonly [Uint8Array, Uint8Array])[] = new Array(list.length)
    let at = 0
    for (let i = 0; i < list.length; i++) {
      const [key, value] = list[i]
      arena.set(key, at)
      const k = arena.subarray(at, at + key.length)
      at += key.length
      arena.set(value, at)
      copied[i] = [k, arena.subarray(at, at + value.length)]
      at += value.length
    }
    this.#ops.push({ kind: 'bulkLoad', tree, entries: copied })
    return this
  }

  /** Marks the batch committed (invariant 4); called by `KvStore.commit()`. */
  seal(): void {
    this.#check()
    this.#sealed = true
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
      treeNameKey(tree, this.#maxKeyBytes)
      this.#checkedTree = tree
    }
    if (!(key instanceof Uint8Array)) throw invalidParameter(`the key for tree "${tree}" must be a Uint8Array`)
    if (key.length > this.#maxKeyBytes) {
      throw programLimitExceeded(`a key of ${key.length} bytes for tree "${tree}" exceeds the limit of ${this.#maxKeyBytes} bytes`)
    }
  }
}
