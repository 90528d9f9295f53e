/**
 * PackedEntries: keys (with or without values) already laid out in the core's batch input format, so a
 * write reaches the B+tree with one memory copy per segment instead of per-entry work at apply time.
 * PackedResults: result records copied out of the core in one piece per call (old values of a put/delete).
 * Owns: the packed layouts on the JS side and reading them back.
 *
 * Entry formats (assembly/io-format.ts), u32 little-endian lengths, no padding:
 *
 * | withValues | entry |
 * |---|---|
 * | true  (bt_put_batch, bt_bulk) | [key length][value length][key][value] |
 * | false (bt_get_batch, bt_delete_batch) | [key length][key] |
 *
 * Invariants:
 *   (1) A segment holds whole entries and at most SEGMENT_BYTES of them, unless one entry alone is larger
 *       (then it is alone in its segment). Segments grow by doubling from a small start, so a small batch
 *       does not allocate a whole segment.
 *   (2) The bytes are copies: changing the caller's arrays after add() changes nothing.
 *   (3) A result chunk is a copy of whole result records (never a view into WASM memory).
 * Not here: checking keys and values against the store's limits (engine/storage/write-batch.ts); applying
 *   (wasm-core.ts putPacked / deletePacked / bulkLoadPacked).
 */

/** Largest segment (unless one entry is larger): a quarter of the core's smallest input buffer. */
export const SEGMENT_BYTES = 64 << 10
/** First capacity of a segment; it doubles up to SEGMENT_BYTES. */
const FIRST_SEGMENT_BYTES = 512
/** Keys and values up to this many bytes are copied with a loop (cheaper than TypedArray#set for short ones). */
const SHORT_COPY = 32

class Segment {
  buf: Uint8Array
  used = 0
  count = 0
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity)
  }
}

function copyInto(dst: Uint8Array, at: number, src: Uint8Array): void {
  const n = src.length
  if (n <= SHORT_COPY) for (let i = 0; i < n; i++) dst[at + i] = src[i]
  else dst.set(src, at)
}

function putU32(dst: Uint8Array, at: number, v: number): void {
  dst[at] = v
  dst[at + 1] = v >>> 8
  dst[at + 2] = v >>> 16
  dst[at + 3] = v >>> 24
}

function getU32(src: Uint8Array, at: number): number {
  return (src[at] | (src[at + 1] << 8) | (src[at + 2] << 16) | (src[at + 3] << 24)) >>> 0
}

/**
 * Entries in the core's input format, appended one by one (copies, invariant 2).
 *
 * @example
 * const puts = new PackedEntries(true)
 * puts.add(key, value)
 * for (let s = 0; s < puts.segmentCount; s++) core.putPacked(root, puts.segment(s), puts.segmentEntries(s), false)
 */
export class PackedEntries {
  /** Whether entries carry values ([kl][vl][key][value]) or only keys ([kl][key]). */
  readonly withValues: boolean
  #segments: Segment[] = []
  #count = 0
  #bytes = 0
  #maxKeyLength = 0
  /** Where the last key added lives (for compareLastKey). */
  #lastSegment: Segment | undefined
  #lastKey = 0
  #lastKeyLength = 0

  constructor(withValues: boolean) {
    this.withValues = withValues
  }

  /** Number of entries. */
  get count(): number {
    return this.#count
  }

  /** Bytes of all segments' entries. */
  get bytes(): number {
    return this.#bytes
  }

  /** Length of the longest key added. */
  get maxKeyLength(): number {
    return this.#maxKeyLength
  }

  /** Number of segments. */
  get segmentCount(): number {
    return this.#segments.length
  }

  /** The packed bytes of segment s (a view; do not change it). */
  segment(s: number): Uint8Array {
    const seg = this.#segments[s]
    return seg.buf.subarray(0, seg.used)
  }

  /** Number of entries in segment s. */
  segmentEntries(s: number): number {
    return this.#segments[s].count
  }

  /** Appends a copy of one entry; `value` is required exactly when withValues. */
  add(key: Uint8Array, value?: Uint8Array): void {
    const kl = key.length
    const vl = value === undefined ? 0 : value.length
    const head = this.withValues ? 8 : 4
    const need = head + kl + vl
    const seg = this.#room(need)
    const buf = seg.buf
    let at = seg.used
    putU32(buf, at, kl)
    if (this.withValues) putU32(buf, at + 4, vl)
    at += head
    copyInto(buf, at, key)
    if (value !== undefined) copyInto(buf, at + kl, value)
    this.#lastSegment = seg
    this.#lastKey = at
    this.#lastKeyLength = kl
    seg.used += need
    seg.count++
    this.#count++
    this.#bytes += need
    if (kl > this.#maxKeyLength) this.#maxKeyLength = kl
  }

  /** The last key added, compared with `key` as the core orders keys (memcmp, shorter first); 0 when empty. */
  compareLastKey(key: Uint8Array): number {
    const seg = this.#lastSegment
    if (seg === undefined) return 0
    const buf = seg.buf
    const k = this.#lastKey
    const kl = this.#lastKeyLength
    const n = kl < key.length ? kl : key.length
    for (let i = 0; i < n; i++) {
      const d = buf[k + i] - key[i]
      if (d !== 0) return d
    }
    return kl - key.length
  }

  /** Every entry as views into the segments, in order. */
  forEach(each: (key: Uint8Array, value: Uint8Array | undefined) => void): void {
    for (let s = 0; s < this.#segments.length; s++) {
      const seg = this.#segments[s]
      forEachPacked(seg.buf, seg.count, this.withValues, each)
    }
  }

  /** The segment with room for `need` more bytes (invariant 1). */
  #room(need: number): Segment {
    let seg = this.#segments.at(-1)
    if (seg !== undefined && seg.used + need <= seg.buf.length) return seg
    if (seg !== undefined && seg.buf.length < SEGMENT_BYTES && seg.used + need <= SEGMENT_BYTES) {
      let capacity = seg.buf.length * 2
      while (capacity < seg.used + need) capacity *= 2
      const grown = new Uint8Array(Math.min(capacity, SEGMENT_BYTES))
      grown.set(seg.buf.subarray(0, seg.used))
      seg.buf = grown
      return seg
    }
    const first = this.#segments.length === 0
    seg = new Segment(Math.max(need, first ? FIRST_SEGMENT_BYTES : SEGMENT_BYTES))
    this.#segments.push(seg)
    return seg
  }
}

/** Calls `each` with views of the key (and value) of every one of `count` packed entries in `bytes`. */
export function forEachPacked(
  bytes: Uint8Array,
  count: number,
  withValues: boolean,
  each: (key: Uint8Array, value: Uint8Array | undefined) => void,
): void {
  let at = 0
  for (let i = 0; i < count; i++) {
    const kl = getU32(bytes, at)
    if (withValues) {
      const vl = getU32(bytes, at + 4)
      const k = at + 8
      each(bytes.subarray(k, k + kl), bytes.subarray(k + kl, k + kl + vl))
      at = k + kl + vl
    } else {
      const k = at + 4
      each(bytes.subarray(k, k + kl), undefined)
      at = k + kl
    }
  }
}

/** Byte offset of entry `index` of packed `bytes` (walks the lengths). */
export function packedOffset(bytes: Uint8Array, index: number, withValues: boolean): number {
  let at = 0
  for (let i = 0; i < index; i++) {
    const kl = getU32(bytes, at)
    at += withValues ? 8 + kl + getU32(bytes, at + 4) : 4 + kl
  }
  return at
}

/** The keys of `count` packed entries, as views into `bytes`. */
export function packedKeys(bytes: Uint8Array, count: number, withValues: boolean): Uint8Array[] {
  const keys: Uint8Array[] = new Array(count)
  let i = 0
  forEachPacked(bytes, count, withValues, (key) => {
    keys[i++] = key
  })
  return keys
}

/**
 * Result records ([found][length][value padded to 4], assembly/io-format.ts) copied out of the core, one
 * chunk per core call (invariant 3).
 */
export class PackedResults {
  readonly #chunks: Uint8Array[] = []
  readonly #counts: number[] = []
  #count = 0
  #bytes = 0

  /** Number of records. */
  get count(): number {
    return this.#count
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes
  }

  /** Adds a chunk of `count` records (owned by this object from now on). */
  push(chunk: Uint8Array, count: number): void {
    this.#chunks.push(chunk)
    this.#counts.push(count)
    this.#count += count
    this.#bytes += chunk.length
  }

  /** Every record's value (a view into the chunk; undefined when absent), in order. */
  values(): (Uint8Array | undefined)[] {
    const out: (Uint8Array | undefined)[] = new Array(this.#count)
    let i = 0
    for (let c = 0; c < this.#chunks.length; c++) {
      const chunk = this.#chunks[c]
      let at = 0
      for (let k = 0; k < this.#counts[c]; k++) {
        const found = getU32(chunk, at)
        const length = getU32(chunk, at + 4)
        out[i++] = found === 0 ? undefined : chunk.subarray(at + 8, at + 8 + length)
        at += 8 + ((length + 3) & ~3)
      }
    }
    return out
  }
}

/** Bytes taken by the first `count` result records at `at` of `u32` (word-aligned output buffer). */
export function resultRecordsBytes(u32: Uint32Array, at: number, count: number): number {
  let o = 0
  for (let i = 0; i < count; i++) o += 8 + ((u32[(at + o + 4) >>> 2] + 3) & ~3)
  return o
}
