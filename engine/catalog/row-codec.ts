/**
 * Row codec: the byte format of a table row (the value stored under its row key).
 * Owns: encodeRow, decodeRow / decodeRowsAt (selected columns straight into column arrays), decodeFullRow.
 *
 * Row layout (little-endian):
 *
 * | offset      | size          | meaning                                                        |
 * |-------------|---------------|----------------------------------------------------------------|
 * | 0           | 1             | format version, 1                                              |
 * | 1           | 2             | n: number of columns stored (uint16)                           |
 * | 3           | ceil(n / 8)   | null bitmap: bit (i & 7) of byte (i >> 3) set = column i NULL  |
 * | 3 + ceil(n/8) | variable    | the non-NULL values, in column order, each in its type's form  |
 *
 * Value forms (no alignment padding):
 *
 * | type                          | size     | form                                                     |
 * |-------------------------------|----------|----------------------------------------------------------|
 * | bool                          | 1        | 0 or 1                                                   |
 * | int2                          | 2        | int16                                                    |
 * | int4                          | 4        | int32                                                    |
 * | int8                          | 8        | int64                                                    |
 * | float4                        | 4        | float32                                                  |
 * | float8, time, timestamp(tz)   | 8        | float64 (µs for times; ±Infinity kept)                   |
 * | date                          | 4        | int32 days; 0x7FFFFFFF = infinity, 0x80000000 = -infinity |
 * | interval                      | 16       | int32 months, int32 days, float64 µs                     |
 * | uuid                          | 16       | the 16 bytes                                             |
 * | text, varchar, bpchar, json(b), unknown | varint + n | byte length (LEB128), UTF-8 bytes           |
 * | bytea                         | varint + n | byte length (LEB128), bytes                            |
 * | numeric                       | 1 [+ ...] | kind (0 finite, 1 NaN, 2 +inf, 3 -inf); finite: varint scale, varint (magnitude byte length << 1 | sign), magnitude big-endian |
 * | array                         | varint + ... | element count; per element a flag byte (0 NULL, 1 value, 2 nested array) then the element's form |
 *
 * Invariants:
 *   (1) decodeFullRow(encodeRow(row, types), types) equals row (compareValues = 0 per column, and the same
 *       numeric display scale, -0 and NaN kept).
 *   (2) A row stored with fewer columns than `types` (written before ALTER TABLE ADD COLUMN) decodes with
 *       the missing trailing columns as NULL, or as `defaults[ordinal]` when the caller passes defaults.
 *   (3) Decoding never keeps a reference to the input bytes (they may be a view into WASM memory).
 * Not here: keys (value-key.ts), NOT NULL and type checks (the row is already valid when encoded).
 */
import { Decimal, Interval, RustyError, type SqlType, type SqlValue } from '../common/index.js'

const VERSION = 1
const DATE_POS_INF = 0x7fffffff
const DATE_NEG_INF = -0x80000000

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

/** Growable scratch buffer shared by encodeRow calls (encodeRow returns a copy). */
let buf = new Uint8Array(1024)
let view = new DataView(buf.buffer)
let pos = 0

function ensure(extra: number): void {
  const need = pos + extra
  if (need <= buf.length) return
  let cap = buf.length * 2
  while (cap < need) cap *= 2
  const next = new Uint8Array(cap)
  next.set(buf.subarray(0, pos))
  buf = next
  view = new DataView(buf.buffer)
}

function writeVarint(n: number): void {
  ensure(5)
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  buf[pos++] = n
}

function writeText(s: string): void {
  const n = s.length
  // Fast path: short ASCII strings.
  if (n < 128) {
    let ascii = true
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false
        break
      }
    }
    if (ascii) {
      ensure(n + 1)
      buf[pos++] = n
      for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i)
      return
    }
  }
  const bytes = textEncoder.encode(s)
  writeVarint(bytes.length)
  ensure(bytes.length)
  buf.set(bytes, pos)
  pos += bytes.length
}

function writeBytes(b: Uint8Array): void {
  writeVarint(b.length)
  ensure(b.length)
  buf.set(b, pos)
  pos += b.length
}

function writeNumeric(d: Decimal): void {
  ensure(1)
  buf[pos++] = d.special
  if (d.special !== 0) return
  writeVarint(d.scale)
  const neg = d.unscaled < 0n
  const abs = neg ? -d.unscaled : d.unscaled
  if (abs <= 0xffffffffffffn) {
    // Fast path: up to 6 magnitude bytes through doubles (exact below 2^53).
    let m = Number(abs)
    let len = 0
    for (let x = m; x > 0; x = Math.floor(x / 256)) len++
    writeVarint(len * 2 + (neg ? 1 : 0))
    ensure(len)
    for (let i = len - 1; i >= 0; i--) {
      buf[pos + i] = m % 256
      m = Math.floor(m / 256)
    }
    pos += len
    return
  }
  let hex = abs.toString(16)
  if (hex === '0') hex = ''
  if (hex.length & 1) hex = '0' + hex
  const len = hex.length >> 1
  writeVarint(len * 2 + (neg ? 1 : 0))
  ensure(len)
  for (let i = 0; i < len; i++) buf[pos++] = parseInt(hex.substr(i * 2, 2), 16)
}

function writeUuid(s: string): void {
  ensure(16)
  let j = 0
  for (let i = 0; i < 16; i++) {
    if (s.charCodeAt(j) === 45) j++
    buf[pos++] = parseInt(s.substr(j, 2), 16)
    j += 2
  }
}

function writeValue(v: SqlValue, t: SqlType): void {
  switch (t.id) {
    case 'bool':
      ensure(1)
      buf[pos++] = v ? 1 : 0
      return
    case 'int2':
      ensure(2)
      view.setInt16(pos, v as number, true)
      pos += 2
      return
    case 'int4':
      ensure(4)
      view.setInt32(pos, v as number, true)
      pos += 4
      return
    case 'int8':
      ensure(8)
      view.setBigInt64(pos, v as bigint, true)
      pos += 8
      return
    case 'float4':
      ensure(4)
      view.setFloat32(pos, v as number, true)
      pos += 4
      return
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      ensure(8)
      view.setFloat64(pos, v as number, true)
      pos += 8
      return
    case 'date': {
      const d = v as number
      ensure(4)
      view.setInt32(pos, d === Infinity ? DATE_POS_INF : d === -Infinity ? DATE_NEG_INF : d, true)
      pos += 4
      return
    }
    case 'interval': {
      const iv = v as Interval
      ensure(16)
      view.setInt32(pos, iv.months, true)
      view.setInt32(pos + 4, iv.days, true)
      view.setFloat64(pos + 8, iv.micros, true)
      pos += 16
      return
    }
    case 'uuid':
      writeUuid(v as string)
      return
    case 'bytea':
      writeBytes(v as Uint8Array)
      return
    case 'numeric':
      writeNumeric(v as Decimal)
      return
    case 'array':
      writeArray(v as readonly SqlValue[], t)
      return
    default:
      writeText(v as string)
  }
}

function writeArray(a: readonly SqlValue[], t: SqlType): void {
  writeVarint(a.length)
  const el = t.element!
  for (let i = 0; i < a.length; i++) {
    const e = a[i]
    ensure(1)
    if (e === null) buf[pos++] = 0
    else if (Array.isArray(e) && el.id !== 'array') {
      buf[pos++] = 2
      writeArray(e, t)
    } else {
      buf[pos++] = 1
      writeValue(e, el)
    }
  }
}

/**
 * Encodes a row: one value per type (NULL allowed anywhere). Returns a new Uint8Array.
 *
 * @example
 * const bytes = encodeRow([1, 'alice', null], [typeOf('int4'), typeOf('text'), typeOf('date')])
 */
export function encodeRow(row: readonly SqlValue[], types: readonly SqlType[]): Uint8Array {
  const n = types.length
  if (n > 0xffff) throw new RustyError('54011', `tables can have at most 65535 columns`)
  pos = 0
  const bitmapBytes = (n + 7) >> 3
  ensure(3 + bitmapBytes)
  buf[0] = VERSION
  buf[1] = n & 0xff
  buf[2] = n >> 8
  buf.fill(0, 3, 3 + bitmapBytes)
  pos = 3 + bitmapBytes
  for (let i = 0; i < n; i++) {
    const v = row[i]
    if (v === null || v === undefined) {
      buf[3 + (i >> 3)] |= 1 << (i & 7)
      continue
    }
    writeValue(v, types[i])
  }
  const out = buf.slice(0, pos)
  if (buf.length > 1 << 20) {
    buf = new Uint8Array(1024)
    view = new DataView(buf.buffer)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Decoding: a cursor over the input (module state: decoding is synchronous and not re-entrant).

let rb: Uint8Array = new Uint8Array(0)
let rp = 0
/** 8-byte scratch for floats and int8: rows are often views into WASM memory, so no DataView per row. */
const scratch = new Uint8Array(8)
const scratchView = new DataView(scratch.buffer)

function load8(): void {
  const b = rb
  const p = rp
  scratch[0] = b[p]
  scratch[1] = b[p + 1]
  scratch[2] = b[p + 2]
  scratch[3] = b[p + 3]
  scratch[4] = b[p + 4]
  scratch[5] = b[p + 5]
  scratch[6] = b[p + 6]
  scratch[7] = b[p + 7]
  rp = p + 8
}

function readInt32(): number {
  const b = rb
  const p = rp
  rp = p + 4
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)
}

function readVarint(): number {
  let n = 0
  let shift = 0
  for (;;) {
    const b = rb[rp++]
    n += (b & 0x7f) * 2 ** shift
    if (b < 0x80) return n
    shift += 7
  }
}

function readText(): string {
  const len = readVarint()
  const start = rp
  rp += len
  if (len < 32) {
    let s = ''
    for (let i = start; i < rp; i++) {
      const c = rb[i]
      if (c >= 0x80) return textDecoder.decode(rb.subarray(start, rp))
      s += String.fromCharCode(c)
    }
    return s
  }
  return textDecoder.decode(rb.subarray(start, rp))
}

const HEX = '0123456789abcdef'

function readValue(t: SqlType): SqlValue {
  switch (t.id) {
    case 'bool':
      return rb[rp++] !== 0
    case 'int2': {
      const v = rb[rp] | (rb[rp + 1] << 8)
      rp += 2
      return (v << 16) >> 16
    }
    case 'int4':
      return readInt32()
    case 'int8':
      load8()
      return scratchView.getBigInt64(0, true)
    case 'float4':
      scratch[0] = rb[rp]
      scratch[1] = rb[rp + 1]
      scratch[2] = rb[rp + 2]
      scratch[3] = rb[rp + 3]
      rp += 4
      return scratchView.getFloat32(0, true)
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      load8()
      return scratchView.getFloat64(0, true)
    case 'date': {
      const d = readInt32()
      return d === DATE_POS_INF ? Infinity : d === DATE_NEG_INF ? -Infinity : d
    }
    case 'interval': {
      const months = readInt32()
      const days = readInt32()
      load8()
      return new Interval(months, days, scratchView.getFloat64(0, true))
    }
    case 'uuid': {
      let s = ''
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
        const b = rb[rp++]
        s += HEX[b >> 4] + HEX[b & 15]
      }
      return s
    }
    case 'bytea': {
      const len = readVarint()
      const out = rb.slice(rp, rp + len)
      rp += len
      return out
    }
    case 'numeric': {
      const kind = rb[rp++]
      if (kind === 1) return Decimal.NaN
      if (kind === 2) return Decimal.Infinity
      if (kind === 3) return Decimal.NegativeInfinity
      const scale = readVarint()
      const lenSign = readVarint()
      const len = lenSign >>> 1
      let mag: bigint
      if (len <= 6) {
        let m = 0
        for (let i = 0; i < len; i++) m = m * 256 + rb[rp++]
        mag = BigInt(m)
      } else {
        let hex = ''
        for (let i = 0; i < len; i++) {
          const b = rb[rp++]
          hex += HEX[b >> 4] + HEX[b & 15]
        }
        mag = BigInt('0x' + hex)
      }
      return Decimal.of(lenSign & 1 ? -mag : mag, scale)
    }
    case 'array':
      return readArray(t)
    default:
      return readText()
  }
}

function readArray(t: SqlType): SqlValue[] {
  const n = readVarint()
  const out: SqlValue[] = new Array(n)
  const el = t.element!
  for (let i = 0; i < n; i++) {
    const flag = rb[rp++]
    out[i] = flag === 0 ? null : flag === 2 ? readArray(t) : readValue(el)
  }
  return out
}

/** Skips one value of type t. */
function skipValue(t: SqlType): void {
  switch (t.id) {
    case 'bool':
      rp += 1
      return
    case 'int2':
      rp += 2
      return
    case 'int4':
    case 'float4':
    case 'date':
      rp += 4
      return
    case 'int8':
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      rp += 8
      return
    case 'interval':
    case 'uuid':
      rp += 16
      return
    case 'numeric': {
      if (rb[rp++] !== 0) return
      readVarint()
      const len = readVarint() >>> 1 // read before adding: `rp += readVarint()` would use the old rp
      rp += len
      return
    }
    case 'array':
      readArray(t)
      return
    default: {
      const len = readVarint()
      rp += len
    }
  }
}

function begin(bytes: Uint8Array, base = 0): number {
  if (bytes[base] !== VERSION) throw new RustyError('XX001', `data corrupted: unknown row format version ${bytes[base]}`)
  rb = bytes
  return bytes[base + 1] | (bytes[base + 2] << 8)
}

/** Ordinal -> output slots plan for a `columns` list, cached per list. */
const plans = new WeakMap<readonly number[], { maxOrdinal: number; slots: Int32Array[] }>()

function planFor(columns: readonly number[]): { maxOrdinal: number; slots: Int32Array[] } {
  let plan = plans.get(columns)
  if (plan !== undefined) return plan
  let max = -1
  for (const c of columns) if (c > max) max = c
  const lists: number[][] = Array.from({ length: max + 1 }, () => [])
  columns.forEach((c, k) => lists[c].push(k))
  plan = { maxOrdinal: max, slots: lists.map((l) => Int32Array.from(l)) }
  plans.set(columns, plan)
  return plan
}

/**
 * Decodes the columns `columns` (ordinals) of a row into `out[k][rowIndex]` for k = 0..columns.length-1.
 * Columns after the last requested one are not read. Missing trailing columns (invariant (2)) give NULL or
 * `defaults[ordinal]`.
 */
export function decodeRow(
  bytes: Uint8Array,
  types: readonly SqlType[],
  columns: readonly number[],
  out: SqlValue[][],
  rowIndex: number,
  defaults?: readonly SqlValue[],
): void {
  decodeRowAt(bytes, 0, types, columns, out, rowIndex, defaults)
}

/**
 * decodeRow for a row that starts at `offset` inside a larger buffer (a scan batch's packed data): no view
 * is made per row. Values that keep bytes (bytea) are copies, never views into `bytes`.
 */
export function decodeRowAt(
  bytes: Uint8Array,
  offset: number,
  types: readonly SqlType[],
  columns: readonly number[],
  out: SqlValue[][],
  rowIndex: number,
  defaults?: readonly SqlValue[],
): void {
  const stored = begin(bytes, offset)
  const { maxOrdinal, slots } = planFor(columns)
  const bitmap = offset + 3
  rp = offset + 3 + ((stored + 7) >> 3)
  for (let i = 0; i <= maxOrdinal; i++) {
    const targets = slots[i]
    if (i >= stored) {
      const d = defaults?.[i] ?? null
      for (let k = 0; k < targets.length; k++) out[targets[k]][rowIndex] = d
      continue
    }
    const isNull = (bytes[bitmap + (i >> 3)] & (1 << (i & 7))) !== 0
    if (targets.length === 0) {
      if (!isNull) skipValue(types[i])
      continue
    }
    const v = isNull ? null : readValue(types[i])
    for (let k = 0; k < targets.length; k++) out[targets[k]][rowIndex] = v
  }
  rb = EMPTY
}

const EMPTY = new Uint8Array(0)

// --- Decoding many rows: a direct path for rows whose values sit at fixed offsets --------------------------

/** How the direct path reads a requested column (FIXED_WIDTH lists the widths). */
const Direct = { Bool: 0, Int2: 1, Int4: 2, Date: 3, Float4: 4, Float8: 5, Int8: 6 } as const
type Direct = (typeof Direct)[keyof typeof Direct]

const FIXED_WIDTH: Record<string, number> = {
  bool: 1,
  int2: 2,
  int4: 4,
  float4: 4,
  date: 4,
  int8: 8,
  float8: 8,
  time: 8,
  timestamp: 8,
  timestamptz: 8,
  interval: 16,
  uuid: 16,
}

const DIRECT: Record<string, Direct> = {
  bool: Direct.Bool,
  int2: Direct.Int2,
  int4: Direct.Int4,
  date: Direct.Date,
  float4: Direct.Float4,
  float8: Direct.Float8,
  time: Direct.Float8,
  timestamp: Direct.Float8,
  timestamptz: Direct.Float8,
  int8: Direct.Int8,
}

/**
 * The direct path for one list of requested columns over one list of types, or null when it cannot apply: every
 * column up to the last requested one must be fixed-width (so offsets do not depend on the values) and every
 * requested one directly readable.
 */
interface DirectPlan {
  /** Bitmap bits 0..maxOrdinal must be clear (no NULL before or at a requested column). */
  readonly maxOrdinal: number
  /** Per requested position k: the value's offset from the start of the value area, and how to read it. */
  readonly offsets: Int32Array
  readonly kinds: Uint8Array
}

/** Per requested-columns list (one per plan node): the direct plan for the types it was last used with. */
const directPlans = new WeakMap<readonly number[], { readonly types: readonly SqlType[]; readonly plan: DirectPlan | null }>()

function directPlanFor(types: readonly SqlType[], columns: readonly number[]): DirectPlan | null {
  const cached = directPlans.get(columns)
  if (cached !== undefined && cached.types === types) return cached.plan
  let plan: DirectPlan | null = null
  let max = -1
  for (const c of columns) if (c > max) max = c
  const start = new Int32Array(max + 1)
  let ok = max >= 0 && max < types.length
  for (let i = 0, at = 0; ok && i <= max; i++) {
    const w = FIXED_WIDTH[types[i].id]
    if (w === undefined) ok = false
    start[i] = at
    at += w
  }
  if (ok && columns.every((c) => DIRECT[types[c].id] !== undefined)) {
    plan = {
      maxOrdinal: max,
      offsets: Int32Array.from(columns, (c) => start[c]),
      kinds: Uint8Array.from(columns, (c) => DIRECT[types[c].id]),
    }
  }
  directPlans.set(columns, { types, plan })
  return plan
}

/** Decodes a row through the direct path; false when the row needs the general decoder. */
function decodeDirect(b: Uint8Array, offset: number, plan: DirectPlan, out: SqlValue[][], row: number): boolean {
  if (b[offset] !== VERSION) return false // decodeRowAt reports it
  const stored = b[offset + 1] | (b[offset + 2] << 8)
  const max = plan.maxOrdinal
  if (stored <= max) return false
  const bitmap = offset + 3
  const fullBytes = (max + 1) >> 3
  for (let i = 0; i < fullBytes; i++) if (b[bitmap + i] !== 0) return false
  const rest = (max + 1) & 7
  if (rest !== 0 && (b[bitmap + fullBytes] & ((1 << rest) - 1)) !== 0) return false
  const base = bitmap + ((stored + 7) >> 3)
  const offsets = plan.offsets
  const kinds = plan.kinds
  for (let k = 0; k < offsets.length; k++) {
    const p = base + offsets[k]
    let v: SqlValue
    switch (kinds[k]) {
      case Direct.Int4:
        v = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)
        break
      case Direct.Int2:
        v = ((b[p] | (b[p + 1] << 8)) << 16) >> 16
        break
      case Direct.Bool:
        v = b[p] !== 0
        break
      case Direct.Date: {
        const d = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)
        v = d === DATE_POS_INF ? Infinity : d === DATE_NEG_INF ? -Infinity : d
        break
      }
      case Direct.Float4:
        for (let j = 0; j < 4; j++) scratch[j] = b[p + j]
        v = scratchView.getFloat32(0, true)
        break
      case Direct.Float8:
        for (let j = 0; j < 8; j++) scratch[j] = b[p + j]
        v = scratchView.getFloat64(0, true)
        break
      default:
        for (let j = 0; j < 8; j++) scratch[j] = b[p + j]
        v = scratchView.getBigInt64(0, true)
    }
    out[k][row] = v
  }
  return true
}

/**
 * decodeRowAt for `count` rows of a packed buffer: row j starts at `offsets[from + j]` and goes to
 * `out[k][rowIndex + j]`. Rows with no NULL up to the last requested column, when every column up to it is
 * fixed-width, are read at fixed offsets without walking the row.
 */
export function decodeRowsAt(
  bytes: Uint8Array,
  offsets: ArrayLike<number>,
  from: number,
  count: number,
  types: readonly SqlType[],
  columns: readonly number[],
  out: SqlValue[][],
  rowIndex: number,
): void {
  const plan = directPlanFor(types, columns)
  for (let j = 0; j < count; j++) {
    const offset = offsets[from + j]
    if (plan !== null && decodeDirect(bytes, offset, plan, out, rowIndex + j)) continue
    decodeRowAt(bytes, offset, types, columns, out, rowIndex + j)
  }
}

/** Decodes every column of a row (invariant (2) for missing trailing columns). */
export function decodeFullRow(bytes: Uint8Array, types: readonly SqlType[], defaults?: readonly SqlValue[]): SqlValue[] {
  const stored = begin(bytes)
  const n = types.length
  const row: SqlValue[] = new Array(n)
  rp = 3 + ((stored + 7) >> 3)
  for (let i = 0; i < n; i++) {
    if (i >= stored) row[i] = defaults?.[i] ?? null
    else row[i] = (bytes[3 + (i >> 3)] & (1 << (i & 7))) !== 0 ? null : readValue(types[i])
  }
  rb = EMPTY
  return row
}
