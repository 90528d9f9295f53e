/**
 * ArrayEntryBatch: an EntryBatch built in JS from [key, value] pairs (the result of merging a scan with the
 * version store's older values), with the same packed layout the core's batches expose.
 * Invariants:
 *   (1) `data` holds every key then its value, entry after entry; the offset and length arrays index it, so
 *       code written against the core's EntryBatch reads this one unchanged.
 *   (2) Unlike a core batch it owns its memory: it stays valid after later calls on the store.
 * Not here: the merge itself (kv-store.ts).
 */
import type { EntryBatch } from '../wasm/index.js'

/** An EntryBatch over JS-owned bytes (invariant 2). */
export class ArrayEntryBatch implements EntryBatch {
  readonly count: number
  readonly done: boolean
  readonly data: Uint8Array
  readonly keyOffsets: Uint32Array
  readonly keyLengths: Uint32Array
  readonly valueOffsets: Uint32Array
  readonly valueLengths: Uint32Array

  constructor(entries: readonly (readonly [Uint8Array, Uint8Array])[], done: boolean) {
    const n = entries.length
    let bytes = 0
    for (const [k, v] of entries) bytes += k.length + v.length
    this.count = n
    this.done = done
    this.data = new Uint8Array(bytes)
    this.keyOffsets = new Uint32Array(n)
    this.keyLengths = new Uint32Array(n)
    this.valueOffsets = new Uint32Array(n)
    this.valueLengths = new Uint32Array(n)
    let at = 0
    for (let i = 0; i < n; i++) {
      const [k, v] = entries[i]
      this.keyOffsets[i] = at
      this.keyLengths[i] = k.length
      this.data.set(k, at)
      at += k.length
      this.valueOffsets[i] = at
      this.valueLengths[i] = v.length
      this.data.set(v, at)
      at += v.length
    }
  }

  key(i: number): Uint8Array {
    return this.data.subarray(this.keyOffsets[i], this.keyOffsets[i] + this.keyLengths[i])
  }

  value(i: number): Uint8Array {
    return this.data.subarray(this.valueOffsets[i], this.valueOffsets[i] + this.valueLengths[i])
  }
}
