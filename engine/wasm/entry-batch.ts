/**
 * EntryBatch over the scan output buffer (private to engine/wasm).
 * Owns: zero-copy access to one bt_scan result.
 * Invariants:
 *   (1) Every view aliases WASM memory: valid until the next call on the core (which may overwrite or
 *       detach it).
 *   (2) In views mode (assembly/btree-scan.ts (6)) `data` is the whole memory and the offsets are absolute
 *       addresses into the leaf frames; otherwise `data` is the batch's packed bytes in the output buffer.
 * Not here: the output format itself (assembly/btree-scan.ts).
 */
import type { EntryBatch } from './types.js'

/** One scan batch (see EntryBatch). */
export class ScanBatch implements EntryBatch {
  readonly count: number
  readonly done: boolean
  readonly data: Uint8Array
  readonly keyOffsets: Uint32Array
  readonly keyLengths: Uint32Array
  readonly valueOffsets: Uint32Array
  readonly valueLengths: Uint32Array

  constructor(buffer: ArrayBuffer, out: number, count: number, done: boolean, capacity: number, dataOffset: number, memory?: Uint8Array) {
    this.count = count
    this.done = done
    const base = out + 16
    this.keyOffsets = new Uint32Array(buffer, base, count)
    this.keyLengths = new Uint32Array(buffer, base + capacity * 4, count)
    this.valueOffsets = new Uint32Array(buffer, base + capacity * 8, count)
    this.valueLengths = new Uint32Array(buffer, base + capacity * 12, count)
    if (memory !== undefined) this.data = memory
    else {
      const end = count === 0 ? 0 : this.valueOffsets[count - 1] + this.valueLengths[count - 1]
      this.data = new Uint8Array(buffer, out + dataOffset, end)
    }
  }

  /** Key i, a view into `data`. */
  key(i: number): Uint8Array {
    const start = this.keyOffsets[i]
    return this.data.subarray(start, start + this.keyLengths[i])
  }

  /** Value i, a view into `data`. */
  value(i: number): Uint8Array {
    const start = this.valueOffsets[i]
    return this.data.subarray(start, start + this.valueLengths[i])
  }
}
