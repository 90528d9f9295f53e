/**
 * Value keys: SQL values as order-preserving key components (engine/storage/key-codec.ts).
 * Owns: the mapping of every SQL type onto key-codec components, and numeric's order-preserving bytes.
 *
 * | SQL type                         | key component                                                 |
 * |----------------------------------|---------------------------------------------------------------|
 * | bool                             | bool                                                          |
 * | int2, int4, int8                 | int (one integer space: equal values give equal bytes)        |
 * | float4, float8                   | double (-0 as 0, one NaN above +Infinity)                     |
 * | date, time, timestamp(tz)        | double (days / µs are integers < 2^53; ±Infinity at the ends) |
 * | text, varchar, json, jsonb, uuid | text (code point order; uuid canonical lower-case hex)        |
 * | bpchar                           | text without trailing blanks (they are insignificant)         |
 * | bytea                            | bytes                                                         |
 * | numeric                          | bytes holding NUMERIC KEY BYTES (below)                       |
 * | interval                         | bytes holding the NUMERIC KEY BYTES of its span in µs (30-day months) |
 * | array                            | bytes holding the concatenated ascending components of its elements (NULL elements as NULLS LAST) |
 *
 * NUMERIC KEY BYTES (memcmp order = numeric order; within a bytes component, a prefix sorts first):
 *
 * | offset | size | meaning                                                                              |
 * |--------|------|--------------------------------------------------------------------------------------|
 * | 0      | 1    | class: 0x01 -Infinity, 0x02 negative, 0x03 zero, 0x04 positive, 0x05 +Infinity, 0x06 NaN |
 * | 1      | 4    | (finite non-zero) decimal exponent E of the value 0.d1d2... x 10^E, int32 big-endian with the sign bit flipped; negated for negatives |
 * | 5      | k    | digit pairs of the normalized digits (no trailing zeros; odd count padded with 0): pair + 1 (1..100); for negatives each byte inverted (255 - b) |
 * | 5 + k  | 1    | negatives only: 0xFF terminator, so that a shorter (smaller magnitude) digit string sorts after |
 *
 * Invariants:
 *   (1) Order: key bytes compare (memcmp) like compareValues, per component, honouring direction and NULL
 *       placement (the key codec's invariant (1)).
 *   (2) Equal values give identical bytes: numeric 1.0 = 1.00, float -0 = 0, bpchar 'a ' = 'a', interval
 *       '1 mon' = '30 days' (PostgreSQL's interval equality).
 * Not here: which columns form a key (catalog/txn), row values (row-codec.ts).
 */
import { Decimal, type Interval, type SqlType, type SqlValue, bpcharTrim } from '../common/index.js'
import { KeyEncoder } from '../storage/index.js'

/** Order-preserving bytes of a Decimal (NUMERIC KEY BYTES above). */
export function numericKeyBytes(d: Decimal): Uint8Array {
  if (!d.isFinite) return Uint8Array.of(d.isNaN ? 0x06 : d.sign() > 0 ? 0x05 : 0x01)
  const n = d.normalize()
  if (n.unscaled === 0n) return Uint8Array.of(0x03)
  const neg = n.unscaled < 0n
  const digits = (neg ? -n.unscaled : n.unscaled).toString()
  const exp = digits.length - n.scale // value = 0.digits x 10^exp
  const pairs = (digits.length + 1) >> 1
  const out = new Uint8Array(5 + pairs + (neg ? 1 : 0))
  out[0] = neg ? 0x02 : 0x04
  const e = ((neg ? -exp : exp) ^ 0x80000000) >>> 0
  out[1] = e >>> 24
  out[2] = (e >>> 16) & 0xff
  out[3] = (e >>> 8) & 0xff
  out[4] = e & 0xff
  for (let i = 0; i < pairs; i++) {
    const hi = digits.charCodeAt(2 * i) - 48
    const lo = 2 * i + 1 < digits.length ? digits.charCodeAt(2 * i + 1) - 48 : 0
    const b = hi * 10 + lo + 1
    out[5 + i] = neg ? 255 - b : b
  }
  if (neg) out[5 + pairs] = 0xff
  return out
}

/** Sub-encoders for array elements, one per nesting depth (appendKeyValue may be re-entered for arrays). */
const subEncoders: KeyEncoder[] = []
let depth = 0

/**
 * Appends one key component for `value` of `type` (NULL allowed) to `enc`.
 * `nullsFirst` is about the final order (PostgreSQL's NULLS FIRST/LAST), as in KeyEncoder.null.
 *
 * @example
 * const enc = new KeyEncoder()
 * appendKeyValue(enc, Decimal.parse('1.50'), typeOf('numeric'), false, false)
 */
export function appendKeyValue(enc: KeyEncoder, value: SqlValue, type: SqlType, descending: boolean, nullsFirst: boolean): void {
  if (value === null || value === undefined) {
    enc.null(descending, nullsFirst)
    return
  }
  switch (type.id) {
    case 'bool':
      enc.bool(value as boolean, descending)
      return
    case 'int2':
    case 'int4':
    case 'int8':
      enc.int(value as number | bigint, descending)
      return
    case 'float4':
    case 'float8':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      enc.double(value as number, descending)
      return
    case 'bpchar':
      enc.text(bpcharTrim(value as string), descending)
      return
    case 'bytea':
      enc.bytes(value as Uint8Array, descending)
      return
    case 'numeric':
      enc.bytes(numericKeyBytes(value as Decimal), descending)
      return
    case 'interval':
      enc.bytes(numericKeyBytes(Decimal.fromInt((value as Interval).span())), descending)
      return
    case 'array': {
      const sub = (subEncoders[depth] ??= new KeyEncoder(64)).reset()
      depth++
      try {
        const el = type.element!
        for (const e of value as readonly SqlValue[]) {
          if (Array.isArray(e) && el.id !== 'array') appendKeyValue(sub, e, type, false, false)
          else appendKeyValue(sub, e, el, false, false)
        }
      } finally {
        depth--
      }
      enc.bytes(sub.view(), descending)
      return
    }
    default:
      enc.text(value as string, descending)
  }
}

/** A direction for encodeKeyValues (defaults: ascending; NULLS LAST ascending, NULLS FIRST descending). */
export interface ValueKeyDirection {
  readonly descending?: boolean
  readonly nullsFirst?: boolean
}

const shared = new KeyEncoder(256)

/**
 * Encodes a whole key: one component per value. Returns a new Uint8Array.
 *
 * @example
 * encodeKeyValues([42, 'x'], [typeOf('int4'), typeOf('text')])
 */
export function encodeKeyValues(values: readonly SqlValue[], types: readonly SqlType[], dirs?: readonly (ValueKeyDirection | undefined)[]): Uint8Array {
  shared.reset()
  for (let i = 0; i < values.length; i++) {
    const d = dirs?.[i]
    const desc = d?.descending ?? false
    appendKeyValue(shared, values[i], types[i], desc, d?.nullsFirst ?? desc)
  }
  return shared.finish()
}
