/**
 * WasmCore: the typed wrapper over one instance of the WASM core (its own memory, pool and buffers).
 * Owns: moving keys and values between JS and WASM memory, batching, retrying after a too small output
 * buffer, and turning statuses into RustyError.
 * Invariants:
 *   (1) WASM memory grows only inside ensure_input / ensure_output / init (assembly/regions.ts (2)); the
 *       cached views are re-acquired right after those calls, so every other call reuses them.
 *   (2) Host callbacks never throw into WASM: they keep the exception, return -1, and the wrapper rethrows
 *       it after the export returns (as is when it is a RustyError, else as the cause of a 58030).
 *   (3) A -3 (output too small) is answered by growing the output buffer to the needed size and calling
 *       again; the core reports -3 before changing anything (assembly/index.ts (4)).
 *   (4) Batches are split to fit the input buffer; the core returns how many entries it processed and the
 *       wrapper continues from there.
 *   (5) After any other failure of a modifying call the pool may hold a half-applied change: the caller
 *       rolls back with discardAll() (assembly/btree.ts (8)).
 *   (6) Values handed out (get, getBatch, old values) are copies owned by the caller, never views into WASM
 *       memory. Values up to 1 KiB are carved from a shared 16 KiB ArrayBuffer slab, like Node's Buffer pool:
 *       a typed array over 64 bytes that owns its buffer costs V8 an off-heap allocation (~0.5 us), a view into
 *       a slab ~0.08 us. So `value.buffer` may hold other values too: copy before transferring it.
 * Not here: the module loading (loader.ts), the status messages (core-errors.ts).
 */
import { invalidParameter, programLimitExceeded, RustyError, SqlState, internalError } from '../common/index.js'
import { BulkFlag, MAX_SCAN_ENTRIES, MAX_VALUE_LENGTH, ScanFlag, Status, type CoreExports } from './abi.js'
import { statusError } from './core-errors.js'
import { ScanBatch } from './entry-batch.js'
import { PackedResults, packedOffset, resultRecordsBytes } from './packed-entries.js'
import { compileCore } from './loader.js'
import type {
  CoreDiagnostics,
  CoreOptions,
  EntryBatch,
  HeaderFields,
  PageHost,
  PoolStats,
  ScanRange,
  TreeCheck,
} from './types.js'

/** Default number of entries per scan batch. */
const DEFAULT_SCAN_ENTRIES = 4096
/** Keys up to this many bytes are copied with a loop instead of TypedArray#set (cheaper for short keys). */
const SHORT_COPY = 32
/** Size of the slab result copies are carved from (invariant 6). */
const SLAB_BYTES = 16384
/** Values up to this size come from the slab; larger ones get their own buffer. */
const SLAB_MAX_VALUE = 1024

function decodeAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return ''
  const buffer = memory.buffer
  const length = new Uint32Array(buffer, (ptr - 4) & ~3, 1)[0] >>> 1
  return String.fromCharCode(...new Uint16Array(buffer, ptr, Math.min(length, 512)))
}

/**
 * One WASM core instance.
 *
 * @example
 * const pages = new Map<number, Uint8Array>()
 * const host = {
 *   readPage: (n: number, dst: Uint8Array) => dst.set(pages.get(n)!),
 *   spillPage: (n: number, src: Uint8Array) => void pages.set(n, src.slice()),
 * }
 * const core = await WasmCore.create({ host, pageSize: 4096, cachePages: 256, fileName: 'app.rdb' })
 * core.formatDatabase()
 * const root = core.createTree()
 * core.put(root, key, value)
 * core.get(root, key) // a copy of value
 */
export class WasmCore {
  /** Page size in bytes. */
  readonly pageSize: number
  /** The instance's memory (frames live here; see prepareCommit). */
  readonly memory: WebAssembly.Memory
  readonly #x: CoreExports
  readonly #fileName: string
  readonly #frames: number
  readonly #maxKey: number
  readonly #state: HostState
  #u8!: Uint8Array
  #dv!: DataView
  #u32!: Uint32Array
  #i32!: Int32Array
  #inPtr = 0
  #inCap = 0
  #outPtr = 0
  #outCap = 0
  #slab = new ArrayBuffer(SLAB_BYTES)
  #slabWords = new Int32Array(this.#slab)
  #slabUsed = 0

  private constructor(x: CoreExports, options: CoreOptions, state: HostState) {
    this.#x = x
    this.memory = x.memory
    this.pageSize = options.pageSize
    this.#fileName = options.fileName
    this.#frames = options.cachePages
    this.#state = state
    this.#maxKey = x.max_key() >>> 0
    this.#refresh()
  }

  /** Instantiates a core with its own memory and pool (invariant: one instance per WasmCore). */
  static async create(options: CoreOptions): Promise<WasmCore> {
    const { pageSize, cachePages } = options
    if (!Number.isInteger(pageSize) || pageSize < 1024 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      throw invalidParameter(`page size ${pageSize} is not a power of two between 1024 and 65536`)
    }
    if (!Number.isInteger(cachePages) || cachePages < 64 || cachePages > 1 << 22) {
      throw invalidParameter(`cache of ${cachePages} pages is out of range (64 .. ${1 << 22})`)
    }
    const module = options.module ?? (await compileCore())
    const state = new HostState(options.host, pageSize)
    const instance = await WebAssembly.instantiate(module, state.imports())
    const x = instance.exports as unknown as CoreExports
    state.memory = x.memory
    const st = x.init(pageSize, cachePages)
    if (st < 0) {
      throw new RustyError(SqlState.OUT_OF_MEMORY, `out of memory: cannot allocate ${cachePages} frames of ${pageSize} bytes`)
    }
    return new WasmCore(x, options, state)
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  #refresh(): void {
    const buffer = this.memory.buffer
    this.#u8 = new Uint8Array(buffer)
    this.#dv = new DataView(buffer)
    this.#u32 = new Uint32Array(buffer)
    this.#i32 = new Int32Array(buffer)
    this.#inPtr = this.#x.in_ptr() >>> 0
    this.#inCap = this.#x.in_cap() >>> 0
    this.#outPtr = this.#x.out_ptr() >>> 0
    this.#outCap = this.#x.out_cap() >>> 0
  }

  #error(status: number): RustyError {
    const x = this.#x
    const state = this.#state
    let message = ''
    if (status === Status.INVARIANT) {
      const length = this.#u32[this.#outPtr >>> 2]
      message = new TextDecoder().decode(this.#u8.subarray(this.#outPtr + 4, this.#outPtr + 4 + length))
    }
    const error = statusError(status, {
      fileName: this.#fileName,
      page: x.last_error_page() >>> 0,
      detail: x.last_error_detail(),
      arg: x.last_error_arg() >>> 0,
      needed: x.needed_bytes() >>> 0,
      hostError: state.hostError,
      hostOperation: state.hostOperation,
      message,
      frames: this.#frames,
      maxKey: this.#maxKey,
    })
    state.hostError = undefined
    return error
  }

  #ensureInput(n: number): void {
    if (n <= this.#inCap) return
    if (this.#x.ensure_input(n) < 0) throw this.#outOfMemory(n)
    this.#refresh()
  }

  #ensureOutput(n: number): void {
    if (n <= this.#outCap) return
    if (this.#x.ensure_output(n) < 0) throw this.#outOfMemory(n)
    this.#refresh()
  }

  #outOfMemory(n: number): RustyError {
    return new RustyError(SqlState.OUT_OF_MEMORY, `out of memory: the WASM core could not grow a buffer to ${n} bytes`)
  }

  /** Answers -3 by growing the output buffer (invariant 3); returns true when the caller should retry. */
  #retryOutput(status: number): boolean {
    if (status !== Status.OUTPUT) return false
    const needed = this.#x.needed_bytes() >>> 0
    if (needed <= this.#outCap) return false
    this.#ensureOutput(needed)
    return true
  }

  #checkKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array)) {
      throw invalidParameter(`a key must be a Uint8Array, not ${key === null ? 'null' : typeof key}`)
    }
    if (key.length > this.#maxKey) {
      throw programLimitExceeded(
        `key of ${key.length} bytes exceeds the limit of ${this.#maxKey} bytes for ${this.pageSize}-byte pages`,
      )
    }
  }

  #checkValue(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) {
      throw invalidParameter(`a value must be a Uint8Array, not ${value === null ? 'null' : typeof value}`)
    }
    if (value.length > MAX_VALUE_LENGTH) {
      throw programLimitExceeded(`value of ${value.length} bytes exceeds the limit of ${MAX_VALUE_LENGTH} bytes`)
    }
  }

  #copyIn(bytes: Uint8Array, at: number): void {
    const n = bytes.length
    if (n <= SHORT_COPY) {
      if ((at & 3) === 0) {
        // Four bytes per store into the (aligned) destination: a quarter of the typed-array stores.
        const i32 = this.#i32
        let w = at >>> 2
        let i = 0
        for (; i + 4 <= n; i += 4) i32[w++] = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
        if (i < n) {
          const u8 = this.#u8
          for (; i < n; i++) u8[at + i] = bytes[i]
        }
        return
      }
      const u8 = this.#u8
      for (let i = 0; i < n; i++) u8[at + i] = bytes[i]
    } else {
      this.#u8.set(bytes, at)
    }
  }

  /**
   * A caller-owned copy of `length` bytes of WASM memory at `at`, any alignment (invariant 6). Copied word by
   * word through a DataView (as fast as an aligned Int32Array here): `set(subarray())` would allocate a
   * temporary view per value. The last word may read up to 3 bytes past the value (still in the same page or
   * buffer) into the slab's padding, outside the returned view.
   */
  #copyOut(at: number, length: number): Uint8Array {
    if (length > SLAB_MAX_VALUE) return this.#u8.slice(at, at + length)
    const n = (length + 3) >>> 2
    let used = this.#slabUsed
    if (used + (n << 2) > SLAB_BYTES) {
      this.#slab = new ArrayBuffer(SLAB_BYTES)
      this.#slabWords = new Int32Array(this.#slab)
      used = 0
    }
    const words = this.#slabWords
    const memory = this.#dv
    const to = used >>> 2
    let i = 0
    let from = at
    // Four words per step: a quarter of the loop branches (~20 ns less for a 100-byte value).
    for (; i + 4 <= n; i += 4, from += 16) {
      words[to + i] = memory.getInt32(from, true)
      words[to + i + 1] = memory.getInt32(from + 4, true)
      words[to + i + 2] = memory.getInt32(from + 8, true)
      words[to + i + 3] = memory.getInt32(from + 12, true)
    }
    for (; i < n; i++, from += 4) words[to + i] = memory.getInt32(from, true)
    this.#slabUsed = used + (n << 2)
    return new Uint8Array(this.#slab, used, length)
  }

  #check(status: number): number {
    if (status < 0) throw this.#error(status)
    return status
  }

  /** Reads result records [found][length][value padded to 4] starting at out; returns the next offset. */
  #readResults(into: (Uint8Array | undefined)[], count: number, offset: number): number {
    const u32 = this.#u32
    const base = this.#outPtr
    let o = offset
    for (let i = 0; i < count; i++) {
      const at = base + o
      const found = u32[at >>> 2]
      const length = u32[(at + 4) >>> 2]
      into.push(found === 0 ? undefined : this.#copyOut(at + 8, length))
      o += 8 + ((length + 3) & ~3)
    }
    return o
  }

  // ---- checksums and header ------------------------------------------------------------------------------

  /** CRC32C of bytes (copies them into WASM memory when they are not already there). */
  crc32c(bytes: Uint8Array, seed = 0): number {
    const x = this.#x
    if (bytes.buffer === this.memory.buffer) return x.crc32c(bytes.byteOffset, bytes.length, seed >>> 0) >>> 0
    let crc = seed >>> 0
    for (let pos = 0; pos < bytes.length; ) {
      const n = Math.min(bytes.length - pos, this.#inCap)
      this.#u8.set(bytes.subarray(pos, pos + n), this.#inPtr)
      crc = x.crc32c(this.#inPtr, n, crc) >>> 0
      pos += n
    }
    return crc
  }

  /** Format a new database in the pool: page 0 header and an empty directory root at page 1, both dirty. */
  formatDatabase(): void {
    this.#check(this.#x.db_format())
  }

  /** Read and validate page 0 through the pool (XX001 on a bad checksum). */
  openDatabase(): void {
    this.#check(this.#x.db_open())
  }

  /** The header fields of page 0. */
  header(): HeaderFields {
    this.#check(this.#x.db_header())
    const o = this.#outPtr
    const dv = this.#dv
    return {
      pageSize: dv.getUint32(o, true),
      formatVersion: dv.getUint32(o + 4, true),
      pageCount: dv.getUint32(o + 8, true),
      freelistHead: dv.getUint32(o + 12, true),
      freeCount: dv.getUint32(o + 16, true),
      directoryRoot: dv.getUint32(o + 20, true),
      lastCommitSeq: dv.getBigUint64(o + 24, true),
    }
  }

  /** Sets the header's last commit sequence number (page 0 becomes dirty). */
  setLastCommitSeq(seq: bigint): void {
    this.#check(this.#x.db_set_last_commit_seq(BigInt.asUintN(64, seq)))
  }

  // ---- trees -----------------------------------------------------------------------------------------------

  /** A new empty tree; returns its (stable) root page. */
  createTree(): number {
    this.#check(this.#x.bt_create())
    return this.#u32[this.#outPtr >>> 2]
  }

  /** Free every page of the tree, root included. */
  dropTree(root: number): void {
    this.#check(this.#x.bt_drop(root))
  }

  /**
   * The value of `key`, copied out of WASM memory (invariant 6), or undefined. The core hands out where the
   * value is (in the leaf's frame, or read from its overflow chain into the output buffer) and it is copied
   * from there before anything else runs in the core: one copy instead of two.
   */
  get(root: number, key: Uint8Array): Uint8Array | undefined {
    const n = key.length
    if (!(key instanceof Uint8Array) || n > this.#maxKey) this.#checkKey(key)
    this.#copyIn(key, this.#inPtr)
    let r = this.#x.bt_get(root, n)
    if (r < 0) {
      if (this.#retryOutput(r)) r = this.#x.bt_get(root, n)
      if (r < 0) throw this.#error(r)
    }
    if (r === 0) return undefined
    const w = this.#outPtr >>> 2
    return this.#copyOut(this.#u32[w + 2], this.#u32[w + 1])
  }

  /** The values of `keys` (copies), undefined where absent. */
  getBatch(root: number, keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const results: (Uint8Array | undefined)[] = []
    let i = 0
    while (i < keys.length) {
      let pos = 0
      let j = i
      while (j < keys.length) {
        const key = keys[j]
        this.#checkKey(key)
        const need = 4 + key.length
        if (pos + need > this.#inCap) break
        this.#dv.setUint32(this.#inPtr + pos, key.length, true)
        this.#copyIn(key, this.#inPtr + pos + 4)
        pos += need
        j++
      }
      if (j === i) {
        this.#ensureInput(4 + keys[i].length)
        continue
      }
      const r = this.#x.bt_get_batch(root, j - i)
      if (r < 0) {
        if (this.#retryOutput(r)) continue
        throw this.#error(r)
      }
      this.#readResults(results, r, 0)
      i += r
    }
    return results
  }

  /** Insert or replace. With returnOld, returns the previous values (undefined = absent), else undefined. */
  putBatch(
    root: number,
    keys: readonly Uint8Array[],
    values: readonly Uint8Array[],
    returnOld: boolean,
  ): (Uint8Array | undefined)[] | undefined {
    if (keys.length !== values.length) {
      throw invalidParameter(`putBatch got ${keys.length} keys but ${values.length} values`)
    }
    const old: (Uint8Array | undefined)[] | undefined = returnOld ? [] : undefined
    let i = 0
    while (i < keys.length) {
      let pos = 0
      let j = i
      while (j < keys.length) {
        const key = keys[j]
        const value = values[j]
        this.#checkKey(key)
        this.#checkValue(value)
        const need = 8 + key.length + value.length
        if (pos + need > this.#inCap) break
        const at = this.#inPtr + pos
        this.#dv.setUint32(at, key.length, true)
        this.#dv.setUint32(at + 4, value.length, true)
        this.#copyIn(key, at + 8)
        this.#copyIn(value, at + 8 + key.length)
        pos += need
        j++
      }
      if (j === i) {
        this.#ensureInput(8 + keys[i].length + values[i].length)
        continue
      }
      const r = this.#x.bt_put_batch(root, j - i, returnOld ? 1 : 0)
      if (r < 0) {
        if (this.#retryOutput(r)) continue
        throw this.#error(r)
      }
      if (old !== undefined) this.#readResults(old, r, 0)
      i += r
    }
    return old
  }

  /** Deletes keys; with returnOld, returns the previous values (undefined = absent), else whether each existed. */
  deleteBatch(root: number, keys: readonly Uint8Array[], returnOld: boolean): (Uint8Array | undefined)[] | boolean[] {
    const old: (Uint8Array | undefined)[] = []
    const found: boolean[] = []
    let i = 0
    while (i < keys.length) {
      let pos = 0
      let j = i
      while (j < keys.length) {
        const key = keys[j]
        this.#checkKey(key)
        const need = 4 + key.length
        if (pos + need > this.#inCap) break
        this.#dv.setUint32(this.#inPtr + pos, key.length, true)
        this.#copyIn(key, this.#inPtr + pos + 4)
        pos += need
        j++
      }
      if (j === i) {
        this.#ensureInput(4 + keys[i].length)
        continue
      }
      const r = this.#x.bt_delete_batch(root, j - i, returnOld ? 1 : 0)
      if (r < 0) {
        if (this.#retryOutput(r)) continue
        throw this.#error(r)
      }
      if (returnOld) this.#readResults(old, r, 0)
      else {
        const base = this.#outPtr >>> 2
        for (let k = 0; k < r; k++) found.push(this.#u32[base + k] !== 0)
      }
      i += r
    }
    return returnOld ? old : found
  }

  /**
   * Feeds one packed segment (packed-entries.ts) to a batch export `call(count)` in pieces that fit the input
   * buffer (invariant 4), retrying after -3 (invariant 3). With `results`, copies each call's result records
   * out in one piece.
   */
  #feedPacked(bytes: Uint8Array, count: number, withValues: boolean, call: (n: number) => number, results: PackedResults | undefined): void {
    let pos = 0
    let done = 0
    while (done < count) {
      let end = bytes.length
      let n = count - done
      if (end - pos > this.#inCap) {
        // Take the entries that fit; at least the first one (growing the input buffer for it).
        n = 0
        end = pos
        for (;;) {
          const size = packedOffset(bytes.subarray(end), 1, withValues)
          if (end + size - pos > this.#inCap) {
            if (n === 0) this.#ensureInput(size)
            break
          }
          end += size
          n++
          if (done + n === count) break
        }
        if (n === 0) continue
      }
      this.#u8.set(bytes.subarray(pos, end), this.#inPtr)
      const r = call(n)
      if (r < 0) {
        if (this.#retryOutput(r)) continue
        throw this.#error(r)
      }
      if (results !== undefined) {
        const o = this.#outPtr
        results.push(this.#u8.slice(o, o + resultRecordsBytes(this.#u32, o, r)), r)
      }
      pos = r === n ? end : pos + packedOffset(bytes.subarray(pos), r, withValues)
      done += r
    }
  }

  /**
   * Inserts or replaces the `count` entries of one packed segment ([kl][vl][key][value], PackedEntries with
   * values), in order. With returnOld, returns the previous values as result records. Keys and values are not
   * checked here (the core rejects keys over its limit with 54000): PackedEntries' owner checks them.
   */
  putPacked(root: number, bytes: Uint8Array, count: number, returnOld: boolean): PackedResults | undefined {
    const results = returnOld ? new PackedResults() : undefined
    const x = this.#x
    this.#feedPacked(bytes, count, true, (n) => x.bt_put_batch(root, n, returnOld ? 1 : 0), results)
    return results
  }

  /** Deletes the `count` keys of one packed segment ([kl][key]); returns the previous values as result records. */
  deletePacked(root: number, bytes: Uint8Array, count: number): PackedResults {
    const results = new PackedResults()
    const x = this.#x
    this.#feedPacked(bytes, count, false, (n) => x.bt_delete_batch(root, n, 1), results)
    return results
  }

  /**
   * Bulk-loads one packed segment of strictly ascending entries into an empty tree: `first` begins the
   * load, `last` finishes it (both for a single segment). If it throws, roll back with discardAll().
   */
  bulkLoadPacked(root: number, bytes: Uint8Array, count: number, first: boolean, last: boolean): void {
    const x = this.#x
    let flags = first ? BulkFlag.BEGIN : 0
    if (count === 0) {
      if (first || last) this.#check(x.bt_bulk(root, 0, flags | (last ? BulkFlag.END : 0)))
      return
    }
    let fed = 0
    this.#feedPacked(
      bytes,
      count,
      true,
      (n) => {
        const end = fed + n === count && last ? BulkFlag.END : 0
        const r = x.bt_bulk(root, n, flags | end)
        if (r < 0) return r
        flags = 0
        fed += n
        return n
      },
      undefined,
    )
  }

  /** Insert or replace one entry. */
  put(root: number, key: Uint8Array, value: Uint8Array): void {
    this.#checkKey(key)
    this.#checkValue(value)
    const need = 8 + key.length + value.length
    if (need > this.#inCap) this.#ensureInput(need)
    const at = this.#inPtr
    this.#dv.setUint32(at, key.length, true)
    this.#dv.setUint32(at + 4, value.length, true)
    this.#copyIn(key, at + 8)
    this.#copyIn(value, at + 8 + key.length)
    this.#check(this.#x.bt_put_batch(root, 1, 0))
  }

  /** Delete one key; returns whether it existed. */
  delete(root: number, key: Uint8Array): boolean {
    this.#checkKey(key)
    const at = this.#inPtr
    this.#dv.setUint32(at, key.length, true)
    this.#copyIn(key, at + 4)
    this.#check(this.#x.bt_delete_batch(root, 1, 0))
    return this.#u32[this.#outPtr >>> 2] !== 0
  }

  /**
   * Up to `maxEntries` (default 4096, at most 8192) entries of the range; continue by calling again with the
   * range's lower (or upper, when reverse) bound set exclusive to the last key returned. With `views`, inline
   * keys and values are not copied: `data` is the whole WASM memory and the offsets point into the leaf
   * frames (valid, like every batch, until the next call on this core); a views batch also ends after a
   * bounded number of leaves (assembly/btree-scan.ts (6)).
   */
  scanBatch(root: number, range: ScanRange, maxEntries = DEFAULT_SCAN_ENTRIES, views = false): EntryBatch {
    const { lower, upper } = range
    let flags = 0
    let lowerLength = 0
    let upperLength = 0
    if (lower !== undefined) {
      this.#checkKey(lower)
      flags |= ScanFlag.LOWER
      if (range.lowerInclusive !== false) flags |= ScanFlag.LOWER_INCLUSIVE
      lowerLength = lower.length
    }
    if (upper !== undefined) {
      this.#checkKey(upper)
      flags |= ScanFlag.UPPER
      if (range.upperInclusive === true) flags |= ScanFlag.UPPER_INCLUSIVE
      upperLength = upper.length
    }
    if (range.reverse === true) flags |= ScanFlag.REVERSE
    if (views) flags |= ScanFlag.VIEWS
    const max = Math.max(1, Math.min(Math.floor(maxEntries), MAX_SCAN_ENTRIES))
    if (lower !== undefined) this.#copyIn(lower, this.#inPtr)
    if (upper !== undefined) this.#copyIn(upper, this.#inPtr + lowerLength)
    let r = this.#x.bt_scan(root, flags, lowerLength, upperLength, max)
    while (r < 0 && this.#retryOutput(r)) r = this.#x.bt_scan(root, flags, lowerLength, upperLength, max)
    if (r < 0) throw this.#error(r)
    const o = this.#outPtr
    const u32 = this.#u32
    const w = o >>> 2
    return new ScanBatch(this.memory.buffer, o, u32[w], u32[w + 1] !== 0, u32[w + 2], u32[w + 3], views ? this.#u8 : undefined)
  }

  /**
   * Bulk-load an empty tree from strictly ascending keys, streamed in chunks through the input buffer.
   * If it throws, the pool holds a partial build: roll back with discardAll().
   */
  bulkLoad(root: number, entries: Iterable<readonly [Uint8Array, Uint8Array]>): void {
    let flags: number = BulkFlag.BEGIN
    let pos = 0
    let count = 0
    const flush = (end: boolean): void => {
      const f = flags | (end ? BulkFlag.END : 0)
      this.#check(this.#x.bt_bulk(root, count, f))
      flags = 0
      pos = 0
      count = 0
    }
    for (const [key, value] of entries) {
      this.#checkKey(key)
      this.#checkValue(value)
      const need = 8 + key.length + value.length
      if (pos + need > this.#inCap) {
        if (count > 0) flush(false)
        if (need > this.#inCap) this.#ensureInput(need)
      }
      const at = this.#inPtr + pos
      this.#dv.setUint32(at, key.length, true)
      this.#dv.setUint32(at + 4, value.length, true)
      this.#copyIn(key, at + 8)
      this.#copyIn(value, at + 8 + key.length)
      pos += need
      count++
    }
    flush(true)
  }

  /** Verify every structural invariant of the tree; returns the pages it uses. Throws XX000 naming the broken invariant. */
  checkTree(root: number): TreeCheck {
    let r = this.#x.bt_check(root)
    while (r < 0 && this.#retryOutput(r)) r = this.#x.bt_check(root)
    if (r < 0) throw this.#error(r)
    const w = this.#outPtr >>> 2
    const u32 = this.#u32
    return { entries: u32[w], depth: u32[w + 1], pages: u32.slice(w + 4, w + 4 + r) }
  }

  /** Pages on the freelist (trunks and leaves). */
  freelistPages(): Uint32Array {
    let r = this.#x.fl_pages()
    while (r < 0 && this.#retryOutput(r)) r = this.#x.fl_pages()
    if (r < 0) throw this.#error(r)
    const w = this.#outPtr >>> 2
    return this.#u32.slice(w + 1, w + 1 + r)
  }

  // ---- commit support --------------------------------------------------------------------------------------

  /** Seal every dirty page for commit: set its LSN, compute its CRC trailer; returns the page numbers and byte offsets of their frames in `memory.buffer`. */
  prepareCommit(lsn: bigint): { pages: Uint32Array; offsets: Uint32Array } {
    const seq = BigInt.asUintN(64, lsn)
    let r = this.#x.pool_prepare_commit(seq)
    while (r < 0 && this.#retryOutput(r)) r = this.#x.pool_prepare_commit(seq)
    if (r < 0) throw this.#error(r)
    const w = (this.#outPtr >>> 2) + 2
    return { pages: this.#u32.slice(w, w + r), offsets: this.#u32.slice(w + r, w + 2 * r) }
  }

  /** After the WAL write of prepareCommit's pages succeeded: mark them clean. */
  markClean(): void {
    this.#x.pool_mark_clean()
  }

  /** Forget every cached frame (clean and dirty); the next access re-reads through the host. Used to roll back a failed commit. */
  discardAll(): void {
    this.#x.pool_discard_all()
  }

  /** Buffer pool counters. */
  stats(): PoolStats {
    this.#x.pool_stats()
    const f = new Float64Array(this.memory.buffer, this.#outPtr, 6)
    return { frames: f[0], dirty: f[1], hits: f[2], misses: f[3], evictions: f[4], spills: f[5] }
  }

  /** Memory figures for leak tests (an addition to the storage spec's surface). */
  diagnostics(): CoreDiagnostics {
    const n = this.#x.bt_counters()
    const c = this.#u32.slice(this.#outPtr >>> 2, (this.#outPtr >>> 2) + n)
    return {
      heapTop: this.#x.heap_top() >>> 0,
      memoryBytes: this.memory.buffer.byteLength,
      pinnedFrames: this.#x.pool_pinned() >>> 0,
      events: {
        leafSplits: c[0],
        interiorSplits: c[1],
        appendSplits: c[2],
        merges: c[3],
        redistributions: c[4],
        separatorSplits: c[5],
        rootSplits: c[6],
        rootCollapses: c[7],
        childCacheHits: c[8],
      },
    }
  }
}

/** The import side: host callbacks that never throw into WASM (invariant 2). */
class HostState {
  memory: WebAssembly.Memory | undefined
  hostError: unknown = undefined
  hostOperation = 'read'
  readonly #host: PageHost
  readonly #pageSize: number

  constructor(host: PageHost, pageSize: number) {
    this.#host = host
    this.#pageSize = pageSize
  }

  imports(): WebAssembly.Imports {
    return {
      host: {
        read_page: (pageNo: number, dst: number): number => {
          try {
            this.#host.readPage(pageNo >>> 0, new Uint8Array(this.memory!.buffer, dst >>> 0, this.#pageSize))
            return 0
          } catch (error) {
            this.hostError = error
            this.hostOperation = 'read'
            return -1
          }
        },
        spill_page: (pageNo: number, src: number): number => {
          try {
            this.#host.spillPage(pageNo >>> 0, new Uint8Array(this.memory!.buffer, src >>> 0, this.#pageSize))
            return 0
          } catch (error) {
            this.hostError = error
            this.hostOperation = 'spill'
            return -1
          }
        },
      },
      env: {
        abort: (message: number, file: number, line: number, column: number): never => {
          const memory = this.memory
          const text = memory === undefined ? 'abort' : decodeAsString(memory, message >>> 0)
          const where = memory === undefined ? '' : decodeAsString(memory, file >>> 0)
          throw internalError(`WASM core aborted: ${text} (${where}:${line}:${column})`)
        },
      },
    }
  }
}
