/**
 * Key codec: order-preserving encoding of index and primary keys.
 * Owns: the byte format of B+tree keys, so the WASM B+tree compares raw bytes (memcmp, a shorter prefix
 * first) and never decodes a value; decoding back (debugging, EXPLAIN, covering index scans); range bounds.
 *
 * A key is the concatenation of its components, one per key column. A component is a tag byte followed by
 * its payload. Descending components are the byte-wise inversion (x ^ 0xFF) of the ascending encoding,
 * tag included, so every tag also tells the direction and a key decodes without its index definition.
 *
 * Component tags, in byte order (asc = ascending, desc = descending):
 *
 * | tag  | component                                   | payload                                      |
 * |------|---------------------------------------------|----------------------------------------------|
 * | 0x05 | NULL, asc NULLS FIRST                       | none                                         |
 * | 0x10 | false, asc                                  | none                                         |
 * | 0x11 | true, asc                                   | none                                         |
 * | 0x20 | integer in [-2^63, 2^63), asc               | 8 bytes: int64 big-endian, sign bit flipped  |
 * | 0x21 | integer in [2^63, 2^64), asc                | 8 bytes: uint64 big-endian                   |
 * | 0x30 | float, asc                                  | 8 bytes: see "Doubles" below                 |
 * | 0x40 | text, asc                                   | escaped UTF-8, then 0x00 0x01                |
 * | 0x50 | bytes, asc                                  | escaped bytes, then 0x00 0x01                |
 * | 0x7A | NULL, asc NULLS LAST (the asc default)      | none                                         |
 * | 0x85 | NULL, desc NULLS FIRST (the desc default)   | none (inverted 0x7A)                         |
 * | 0xAF | bytes, desc                                 | inverted escaped bytes, then 0xFF 0xFE       |
 * | 0xBF | text, desc                                  | inverted escaped UTF-8, then 0xFF 0xFE       |
 * | 0xCF | float, desc                                 | inverted 8 bytes                             |
 * | 0xDE | integer in [2^63, 2^64), desc               | inverted 8 bytes                             |
 * | 0xDF | integer in [-2^63, 2^63), desc              | inverted 8 bytes                             |
 * | 0xEE | true, desc                                  | none                                         |
 * | 0xEF | false, desc                                 | none                                         |
 * | 0xFA | NULL, desc NULLS LAST                       | none (inverted 0x05)                         |
 *
 * Ascending tags are all in 0x01..0x7F and descending tags in 0x80..0xFE. Unused tags are reserved for
 * later types (numeric, timestamp, uuid: 0x22..0x2F, 0x31..0x3F, 0x51..0x6F).
 *
 * An integer component, ascending (9 bytes):
 *
 * | offset | size | meaning                                                                    |
 * |--------|------|----------------------------------------------------------------------------|
 * | 0      | 1    | tag 0x20 (value < 2^63) or 0x21 (value >= 2^63, uint64 only)               |
 * | 1      | 8    | 0x20: the int64 big-endian with its sign bit flipped; 0x21: uint64 big-endian |
 *
 * Every integer width (int8..int64, uint8..uint64) shares this one ordering space, so an int32 key and an
 * int64 key of the same value are the same bytes.
 *
 * Doubles (float64 and float32, 9 bytes): the IEEE 754 bits big-endian; for a non-negative value flip the
 * sign bit, for a negative one invert all 64 bits. -0 is written as +0 (SQL compares them equal) and every
 * NaN as the canonical quiet NaN 0x7FF8000000000000, which then sorts above +Infinity (PostgreSQL's order).
 *
 * Text and bytes (variable): tag, the bytes with every 0x00 written as 0x00 0xFF, then the terminator
 * 0x00 0x01 (the "escaped byte string" scheme of FoundationDB's tuple layer and CockroachDB). 0x00 0x01
 * sorts below any continuation (0x00 0xFF or a byte >= 0x01), so a string sorts before its extensions,
 * and the terminator keeps component boundaries in composite keys. Text is UTF-8, whose byte order is
 * code point order (PostgreSQL's "C" collation).
 *
 * Invariants:
 *   (1) Order: for keys of one index, compareKeys(encodeKey(a), encodeKey(b)) has the sign of the SQL
 *       comparison of a and b, component by component, honouring each component's direction and NULLS
 *       FIRST/LAST, a key that is a prefix of another sorting first.
 *   (2) Canonical: each value has exactly one encoding (-0 as 0, one NaN, the shortest integer tag), so
 *       byte equality is SQL equality and a unique index needs no decoding.
 *   (3) Prefix-free: no component's encoding is a proper prefix of another's of the same direction, so
 *       concatenation keeps the order of (1) and inverting a component exactly reverses its order.
 *   (4) Round trip: decodeKey(encodeKey(values), types) equals values, except -0 (decodes as 0) and NaN
 *       payloads (decode as NaN).
 *
 * Decisions (paths not taken):
 *   - Integers and doubles have separate tags and do not compare with each other: a key column has one
 *     SQL type, so one ordering space per type family is enough. We could map all numbers into one space
 *     (as CockroachDB's decimal encoding does), but that costs variable-length keys and exact int64/double
 *     comparison logic on every encode; the planner casts a constant to the column's type instead.
 *   - Integers are fixed 8 bytes, not a variable-length order-preserving varint: cheaper to encode and to
 *     write in WASM, at the cost of a few bytes per key.
 *   - Default NULL placement is PostgreSQL's: NULLS LAST ascending, NULLS FIRST descending.
 *   - Text is ordered by code point. Locale collations would need ICU sort keys; not supported here.
 *   - Text must be well-formed UTF-16: a lone surrogate is rejected (22023) rather than silently replaced
 *     by U+FFFD, which would make two different strings encode equal.
 *
 * Not here: the key size limit ((pageSize - 64) / 4 bytes; the WASM wrapper raises 54000), which columns
 * form a key and their directions (catalog), row values (they are not ordered and use their own format).
 */
import { invalidParameter } from '../common/index.js'

/** Tag bytes of ascending components; a descending component's tag is `tag ^ 0xFF`. */
export const KeyTag = {
  /** NULL that sorts before every value (ascending NULLS FIRST; inverted: descending NULLS LAST). */
  NULL_LOW: 0x05,
  FALSE: 0x10,
  TRUE: 0x11,
  /** Integer in [-2^63, 2^63): int64 big-endian with the sign bit flipped. */
  INT: 0x20,
  /** Integer in [2^63, 2^64) (uint64 only): uint64 big-endian. */
  UINT_HIGH: 0x21,
  FLOAT: 0x30,
  TEXT: 0x40,
  BYTES: 0x50,
  /** NULL that sorts after every value (ascending NULLS LAST; inverted: descending NULLS FIRST). */
  NULL_HIGH: 0x7a,
} as const

/** The SQL types a key component can have. */
export type KeyType =
  | 'null'
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'text'
  | 'bytes'

/** A key column's type, as passed to decodeKey (NULL is a value, not a column type). */
export type KeyColumnType = Exclude<KeyType, 'null'>

/**
 * One key component: a typed value. Narrow integers are numbers, 64-bit integers bigints.
 *
 * @example
 * const key: KeyValue[] = [{ type: 'int64', value: 42n }, { type: 'text', value: 'alice' }, { type: 'null' }]
 */
export type KeyValue =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: NarrowIntType; readonly value: number }
  | { readonly type: 'int64' | 'uint64'; readonly value: bigint }
  | { readonly type: 'float32' | 'float64'; readonly value: number }
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: Uint8Array }

/**
 * Sort direction of one key component.
 * `descending` defaults to false; `nullsFirst` defaults to `descending` (PostgreSQL: NULLS LAST for ASC,
 * NULLS FIRST for DESC). `nullsFirst` is about the final order, so DESC NULLS FIRST puts NULLs first.
 */
export interface KeyDirection {
  readonly descending?: boolean
  readonly nullsFirst?: boolean
}

const TWO_32 = 4294967296
const TWO_63 = 9223372036854775808
const TWO_64 = 18446744073709551616
const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n
/** Strings up to this many UTF-16 units are encoded by hand; longer ones through TextEncoder.encodeInto. */
const SHORT_TEXT = 48

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The integer types JavaScript holds as numbers. */
type NarrowIntType = 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32'

/** Bounds of the narrow integer types, checked by KeyEncoder.value and decodeKey. */
const NARROW_INT_RANGE: Record<NarrowIntType, readonly [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  if (value === null) return 'null'
  return typeof value
}

function badValue(value: unknown, type: string, problem: string): never {
  throw invalidParameter(`invalid key value ${show(value)} for type ${type}: ${problem}`)
}

function malformed(offset: number, problem: string): never {
  throw invalidParameter(`malformed key at byte ${offset}: ${problem}`)
}

/**
 * Appends key components into one reusable, growable buffer: the fast path for hot loops. Appending
 * allocates nothing (a DataView over the buffer, TextEncoder.encodeInto for long text); finish() allocates
 * only the returned key, view() not even that. Each method appends one component and returns `this`, and
 * takes the component's direction as plain booleans (default ascending; NULL placement as in KeyDirection).
 *
 * @example
 * const enc = new KeyEncoder()
 * for (const row of rows) {
 *   const key = enc.reset().int(row.id).text(row.name, true).finish()   // (id ASC, name DESC)
 *   batch.put('users_by_id_name', key, value)
 * }
 */
export class KeyEncoder {
  #buf: Uint8Array
  #view: DataView
  #len = 0

  /** `initialCapacity` in bytes (default 64); the buffer doubles as needed and is kept across reset(). */
  constructor(initialCapacity = 64) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity))
    this.#view = new DataView(this.#buf.buffer)
  }

  /** Bytes written since the last reset(). */
  get length(): number {
    return this.#len
  }

  /** Starts a new key (keeps the buffer). */
  reset(): this {
    this.#len = 0
    return this
  }

  /** A copy of the key written so far. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }

  /** The key written so far without copying: a view valid until the next call on this encoder. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len)
  }

  /** Appends a NULL. `nullsFirst` defaults to `descending` (PostgreSQL's default placement). */
  null(descending = false, nullsFirst = descending): this {
    this.#ensure(1)
    // In the final order NULL is low exactly when nullsFirst; a descending tag is inverted afterwards.
    const tag = nullsFirst !== descending ? KeyTag.NULL_LOW : KeyTag.NULL_HIGH
    this.#buf[this.#len++] = descending ? tag ^ 0xff : tag
    return this
  }

  /** Appends a boolean (false < true). */
  bool(value: boolean, descending = false): this {
    if (typeof value !== 'boolean') badValue(value, 'bool', 'not a boolean')
    this.#ensure(1)
    const tag = value ? KeyTag.TRUE : KeyTag.FALSE
    this.#buf[this.#len++] = descending ? tag ^ 0xff : tag
    return this
  }

  /**
   * Appends an integer of any width: a number (must be an integer) or a bigint, in [-2^63, 2^64).
   * Width checks (int32, uint16, ...) are done by value(); this method only checks the shared space.
   */
  int(value: number | bigint, descending = false): this {
    this.#ensure(9)
    const start = this.#len
    const buf = this.#buf
    const view = this.#view
    if (typeof value === 'number') {
      if (value === (value | 0)) {
        // Fast path: a 32-bit integer. High word is the sign extension, flipped.
        buf[start] = KeyTag.INT
        view.setUint32(start + 1, value < 0 ? 0x7fffffff : 0x80000000)
        view.setUint32(start + 5, value >>> 0)
      } else {
        if (!Number.isInteger(value)) badValue(value, 'integer', 'not an integer')
        if (value < -TWO_63 || value >= TWO_64) badValue(value, 'integer', 'out of range for a 64-bit integer')
        const hi = Math.floor(value / TWO_32)
        const lo = value - hi * TWO_32
        if (value < TWO_63) {
          buf[start] = KeyTag.INT
          view.setUint32(start + 1, (hi ^ 0x80000000) >>> 0)
        } else {
          buf[start] = KeyTag.UINT_HIGH
          view.setUint32(start + 1, hi)
        }
        view.setUint32(start + 5, lo)
      }
    } else if (typeof value === 'bigint') {
      if (value >= INT64_MIN && value <= INT64_MAX) {
        buf[start] = KeyTag.INT
        view.setBigInt64(start + 1, value)
        buf[start + 1] ^= 0x80
      } else if (value > INT64_MAX && value <= UINT64_MAX) {
        buf[start] = KeyTag.UINT_HIGH
        view.setBigUint64(start + 1, value)
      } else {
        badValue(value, 'integer', 'out of range for a 64-bit integer')
      }
    } else {
      badValue(value, 'integer', 'not a number or bigint')
    }
    this.#len = start + 9
    if (descending) this.#invert(start)
    return this
  }

  /** Appends a double: -0 encodes as 0, every NaN as one NaN that sorts above +Infinity. */
  double(value: number, descending = false): this {
    if (typeof value !== 'number') badValue(value, 'float64', 'not a number')
    this.#ensure(9)
    const start = this.#len
    const buf = this.#buf
    const view = this.#view
    buf[start] = KeyTag.FLOAT
    if (value !== value) {
      // Canonical quiet NaN 0x7FF8000000000000 with the sign bit flipped.
      view.setUint32(start + 1, 0xfff80000)
      view.setUint32(start + 5, 0)
    } else {
      view.setFloat64(start + 1, value === 0 ? 0 : value)
      if (buf[start + 1] & 0x80) {
        view.setUint32(start + 1, ~view.getUint32(start + 1) >>> 0)
        view.setUint32(start + 5, ~view.getUint32(start + 5) >>> 0)
      } else {
        buf[start + 1] ^= 0x80
      }
    }
    this.#len = start + 9
    if (descending) this.#invert(start)
    return this
  }

  /** Appends text as escaped UTF-8 (code point order). Rejects lone surrogates (22023). */
  text(value: string, descending = false): this {
    if (typeof value !== 'string') badValue(value, 'text', 'not a string')
    const n = value.length
    // Worst case: 3 bytes per UTF-16 unit (NUL: 2 escaped bytes), plus tag and terminator.
    this.#ensure(3 * n + 3)
    const start = this.#len
    const buf = this.#buf
    buf[start] = KeyTag.TEXT
    let p = start + 1
    if (n > SHORT_TEXT && value.indexOf('\0') < 0 && isWellFormed(value)) {
      p += textEncoder.encodeInto(value, buf.subarray(p)).written
    } else {
      for (let i = 0; i < n; i++) {
        let c = value.charCodeAt(i)
        if (c < 0x80) {
          if (c === 0) {
            buf[p++] = 0
            buf[p++] = 0xff
          } else {
            buf[p++] = c
          }
        } else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6)
          buf[p++] = 0x80 | (c & 0x3f)
        } else if (c < 0xd800 || c > 0xdfff) {
          buf[p++] = 0xe0 | (c >> 12)
          buf[p++] = 0x80 | ((c >> 6) & 0x3f)
          buf[p++] = 0x80 | (c & 0x3f)
        } else {
          const d = i + 1 < n ? value.charCodeAt(i + 1) : 0
          if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) {
            badValue(value, 'text', `lone surrogate at index ${i}`)
          }
          i++
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
          buf[p++] = 0xf0 | (c >> 18)
          buf[p++] = 0x80 | ((c >> 12) & 0x3f)
          buf[p++] = 0x80 | ((c >> 6) & 0x3f)
          buf[p++] = 0x80 | (c & 0x3f)
        }
      }
    }
    buf[p++] = 0
    buf[p++] = 1
    this.#len = p
    if (descending) this.#invert(start)
    return this
  }

  /** Appends a byte string (escaped; a prefix sorts before its extensions). */
  bytes(value: Uint8Array, descending = false): this {
    if (!(value instanceof Uint8Array)) badValue(value, 'bytes', 'not a Uint8Array')
    const n = value.length
    this.#ensure(2 * n + 3)
    const start = this.#len
    const buf = this.#buf
    buf[start] = KeyTag.BYTES
    let p = start + 1
    if (value.indexOf(0) < 0) {
      buf.set(value, p)
      p += n
    } else {
      for (let i = 0; i < n; i++) {
        const b = value[i]
        buf[p++] = b
        if (b === 0) buf[p++] = 0xff
      }
    }
    buf[p++] = 0
    buf[p++] = 1
    this.#len = p
    if (descending) this.#invert(start)
    return this
  }

  /**
   * Appends a typed value, checking it against its type (22023 for a non-integer passed as an integer,
   * an out-of-range value, a float32 that is not a float32, a value of the wrong JavaScript type).
   */
  value(v: KeyValue, direction?: KeyDirection): this {
    const descending = direction?.descending === true
    switch (v.type) {
      case 'null':
        return this.null(descending, direction?.nullsFirst ?? descending)
      case 'bool':
        return this.bool(v.value, descending)
      case 'int8':
      case 'int16':
      case 'int32':
      case 'uint8':
      case 'uint16':
      case 'uint32': {
        const { type, value } = v
        const [min, max] = NARROW_INT_RANGE[type]
        if (typeof value !== 'number') badValue(value, type, 'not a number')
        if (!Number.isInteger(value)) badValue(value, type, 'not an integer')
        if (value < min || value > max) badValue(value, type, `out of range [${min}, ${max}]`)
        return this.int(value, descending)
      }
      case 'int64':
      case 'uint64': {
        const { type, value } = v
        if (typeof value !== 'bigint') badValue(value, type, 'not a bigint')
        const signed = type === 'int64'
        if (signed ? value < INT64_MIN || value > INT64_MAX : value < 0n || value > UINT64_MAX) {
          badValue(value, type, `out of range [${signed ? INT64_MIN : 0}, ${signed ? INT64_MAX : UINT64_MAX}]`)
        }
        return this.int(value, descending)
      }
      case 'float32': {
        const value = v.value
        if (typeof value !== 'number') badValue(value, 'float32', 'not a number')
        if (value === value && Math.fround(value) !== value) badValue(value, 'float32', 'not representable as float32')
        return this.double(value, descending)
      }
      case 'float64':
        return this.double(v.value, descending)
      case 'text':
        return this.text(v.value, descending)
      case 'bytes':
        return this.bytes(v.value, descending)
      default:
        return badValue((v as { type: unknown }).type, 'key value', 'unknown type')
    }
  }

  #ensure(extra: number): void {
    const needed = this.#len + extra
    if (needed <= this.#buf.length) return
    let cap = this.#buf.length * 2
    while (cap < needed) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
    this.#view = new DataView(next.buffer)
  }

  #invert(start: number): void {
    const buf = this.#buf
    for (let i = start, end = this.#len; i < end; i++) buf[i] ^= 0xff
  }
}

/** String.prototype.isWellFormed where the platform has it (ES2024), else a scan for lone surrogates. */
function isWellFormed(s: string): boolean {
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed
  if (native !== undefined) return native.call(s)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    const d = s.charCodeAt(i + 1)
    if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return false
    i++
  }
  return true
}

/** Encoder behind encodeKey; replaced after an unusually large key so its buffer does not stay large. */
let sharedEncoder = new KeyEncoder(256)
const SHARED_ENCODER_MAX_KEY = 16384

/**
 * Encodes a key: one component per value, `directions[i]` applying to `values[i]` (missing entries are
 * ascending with NULLS LAST). `directions` may be longer than `values`, so an index's full direction list
 * serves to encode a prefix of its key for a range scan. Throws 22023 for a value that does not fit its type.
 *
 * @example
 * const key = encodeKey(
 *   [{ type: 'text', value: 'alice' }, { type: 'int64', value: 42n }],
 *   [{}, { descending: true }],
 * )
 * // 40 61 6c 69 63 65 00 01 | df 7f ff ff ff ff ff ff d5
 */
export function encodeKey(values: readonly KeyValue[], directions?: readonly (KeyDirection | undefined)[]): Uint8Array {
  const enc = sharedEncoder.reset()
  for (let i = 0; i < values.length; i++) enc.value(values[i], directions?.[i])
  const key = enc.finish()
  if (key.length > SHARED_ENCODER_MAX_KEY) sharedEncoder = new KeyEncoder(256)
  return key
}

/**
 * Decodes a key back into values. Directions need not be given: each tag says its direction.
 * `types[i]`, when given, is the column type of component i: the value is returned with that type (an
 * integer as int32, uint64, ...; a float as float32) and a component of another type family is an error.
 * Without a type, integers come back as int64 (uint64 above int64's range) and floats as float64.
 * Throws 22023 for bytes that are not a well-formed key or do not match `types`.
 *
 * @example
 * decodeKey(encodeKey([{ type: 'int32', value: 7 }, { type: 'null' }]), ['int32', 'text'])
 * // [{ type: 'int32', value: 7 }, { type: 'null' }]
 * decodeKey(encodeKey([{ type: 'int32', value: 7 }]))
 * // [{ type: 'int64', value: 7n }]
 */
export function decodeKey(bytes: Uint8Array, types?: readonly (KeyColumnType | undefined)[]): KeyValue[] {
  const out: KeyValue[] = []
  const n = bytes.length
  let p = 0
  while (p < n) {
    const at = p
    const raw = bytes[p++]
    const mask = raw & 0x80 ? 0xff : 0
    const tag = raw ^ mask
    const type = types?.[out.length]
    switch (tag) {
      case KeyTag.NULL_LOW:
      case KeyTag.NULL_HIGH:
        out.push({ type: 'null' })
        break
      case KeyTag.FALSE:
      case KeyTag.TRUE:
        expectType(type, 'bool', at, out.length)
        out.push({ type: 'bool', value: tag === KeyTag.TRUE })
        break
      case KeyTag.INT:
      case KeyTag.UINT_HIGH: {
        if (p + 8 > n) malformed(at, 'truncated integer')
        const hi = readU32(bytes, p, mask)
        const lo = readU32(bytes, p + 4, mask)
        p += 8
        if (tag === KeyTag.UINT_HIGH && hi < 0x80000000) malformed(at, 'non-canonical integer')
        out.push(intValue(tag === KeyTag.INT ? hi ^ 0x80000000 : hi, lo, tag === KeyTag.INT, type, at, out.length))
        break
      }
      case KeyTag.FLOAT: {
        if (p + 8 > n) malformed(at, 'truncated float')
        let hi = readU32(bytes, p, mask)
        let lo = readU32(bytes, p + 4, mask)
        p += 8
        if (hi & 0x80000000) {
          hi = (hi ^ 0x80000000) >>> 0
        } else {
          hi = ~hi >>> 0
          lo = ~lo >>> 0
        }
        scratchView.setUint32(0, hi)
        scratchView.setUint32(4, lo)
        const value = scratchView.getFloat64(0)
        if (type === 'float32') {
          if (value === value && Math.fround(value) !== value) malformed(at, `${value} is not a float32`)
          out.push({ type: 'float32', value })
        } else {
          expectType(type, 'float64', at, out.length)
          out.push({ type: 'float64', value })
        }
        break
      }
      case KeyTag.TEXT:
      case KeyTag.BYTES: {
        const isText = tag === KeyTag.TEXT
        expectType(type, isText ? 'text' : 'bytes', at, out.length)
        const body = unescape(bytes, p, mask, at)
        p = body.next
        if (isText) {
          let value: string
          try {
            value = textDecoder.decode(body.bytes)
          } catch {
            malformed(at, 'text is not valid UTF-8')
          }
          out.push({ type: 'text', value })
        } else {
          out.push({ type: 'bytes', value: body.bytes })
        }
        break
      }
      default:
        malformed(at, `unknown tag 0x${raw.toString(16).padStart(2, '0')}`)
    }
  }
  return out
}

const scratchView = new DataView(new ArrayBuffer(8))

function readU32(bytes: Uint8Array, p: number, mask: number): number {
  return (((bytes[p] ^ mask) << 24) | ((bytes[p + 1] ^ mask) << 16) | ((bytes[p + 2] ^ mask) << 8) | (bytes[p + 3] ^ mask)) >>> 0
}

const FAMILY: Record<KeyColumnType, string> = {
  bool: 'bool',
  int8: 'int',
  int16: 'int',
  int32: 'int',
  int64: 'int',
  uint8: 'int',
  uint16: 'int',
  uint32: 'int',
  uint64: 'int',
  float32: 'float',
  float64: 'float',
  text: 'text',
  bytes: 'bytes',
}

function expectType(type: KeyColumnType | undefined, found: KeyColumnType, at: number, index: number): void {
  if (type === undefined || FAMILY[type] === FAMILY[found]) return
  if (FAMILY[type] === undefined) throw invalidParameter(`unknown key column type ${show(type)}`)
  throw invalidParameter(`key component ${index} at byte ${at} is ${found}, expected ${type}`)
}

/** The integer with 64-bit two's complement words (hi, lo), as `signed` int64 or uint64, typed as `type`. */
function intValue(hi: number, lo: number, signed: boolean, type: KeyColumnType | undefined, at: number, index: number): KeyValue {
  expectType(type, 'int64', at, index)
  const big = ((signed ? BigInt(hi | 0) : BigInt(hi)) << 32n) | BigInt(lo)
  if (type === undefined) return signed ? { type: 'int64', value: big } : { type: 'uint64', value: big }
  if (type === 'int64' || type === 'uint64') {
    const ok = type === 'int64' ? signed : big >= 0n
    if (!ok) throw invalidParameter(`key component ${index} at byte ${at} holds ${big}, out of range for ${type}`)
    return { type, value: big }
  }
  const narrow = type as NarrowIntType // expectType let only the integer family through
  const [min, max] = NARROW_INT_RANGE[narrow]
  if (!signed || big < BigInt(min) || big > BigInt(max)) {
    throw invalidParameter(`key component ${index} at byte ${at} holds ${big}, out of range for ${narrow}`)
  }
  return { type: narrow, value: Number(big) }
}

/** Reads an escaped byte string starting at p (payload bytes XOR mask); returns it and the offset after it. */
function unescape(bytes: Uint8Array, p: number, mask: number, at: number): { bytes: Uint8Array; next: number } {
  const n = bytes.length
  // First pass: find the terminator and count the escapes, so the output is allocated once.
  let escapes = 0
  let end = p
  for (;;) {
    if (end >= n) malformed(at, 'unterminated string')
    if ((bytes[end] ^ mask) !== 0) {
      end++
      continue
    }
    if (end + 1 >= n) malformed(at, 'unterminated string')
    const next = bytes[end + 1] ^ mask
    if (next === 0x01) break
    if (next !== 0xff) malformed(end, `bad escape 0x00 0x${next.toString(16).padStart(2, '0')}`)
    escapes++
    end += 2
  }
  const out = new Uint8Array(end - p - escapes)
  let o = 0
  for (let i = p; i < end; i++) {
    const b = bytes[i] ^ mask
    out[o++] = b
    if (b === 0) i++
  }
  return { bytes: out, next: end + 2 }
}

/**
 * Compares two encoded keys exactly as the B+tree does: unsigned bytes (memcmp), and when one key is a
 * prefix of the other, the shorter first. Returns -1, 0 or 1.
 *
 * @example
 * compareKeys(encodeKey([{ type: 'text', value: 'ab' }]), encodeKey([{ type: 'text', value: 'abc' }])) // -1
 */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const x = a[i]
    const y = b[i]
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/**
 * The smallest key greater than every key that starts with `prefix`: the exclusive upper bound of a range
 * scan over a composite-key prefix. Undefined when there is none (empty prefix, or only 0xFF bytes): scan
 * to the end then. Because components are prefix-free (invariant 3), the keys starting with
 * encodeKey([a]) are exactly the keys whose first component is a.
 *
 * @example
 * const lower = encodeKey([{ type: 'int32', value: 7 }])            // all keys (7, ...)
 * kv.scan('orders_by_customer', { lower, upper: prefixUpperBound(lower) })
 */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  let i = prefix.length - 1
  while (i >= 0 && prefix[i] === 0xff) i--
  if (i < 0) return undefined
  const out = prefix.slice(0, i + 1)
  out[i]++
  return out
}
