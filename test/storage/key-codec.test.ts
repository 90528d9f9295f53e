/**
 * Key codec tests: the encoded byte order agrees with a plain SQL-semantics model comparator
 * (key-codec invariant 1), encodings are canonical (2) and round-trip (4), plus edge and error cases.
 * Property tests are seeded: set KEY_CODEC_SEED=<n> to replay a failure; the seed is printed when one fails.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import {
  KeyEncoder,
  KeyTag,
  compareKeys,
  decodeKey,
  encodeKey,
  prefixUpperBound,
  type KeyColumnType,
  type KeyDirection,
  type KeyValue,
} from '../../engine/storage/key-codec.js'

const SEED = process.env.KEY_CODEC_SEED !== undefined ? Number(process.env.KEY_CODEC_SEED) : Math.floor(Math.random() * 2 ** 31)

/** Runs a property with the suite's seed; a failure names the seed to replay it with. */
function check<T>(property: fc.IProperty<T>, numRuns = 1000): void {
  try {
    fc.assert(property, { seed: SEED, numRuns })
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    throw new Error(`property failed with seed ${SEED} (replay: KEY_CODEC_SEED=${SEED})\n${message}`, { cause: e })
  }
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)
const enc1 = (value: KeyValue, direction?: KeyDirection): Uint8Array => encodeKey([value], [direction])
const text = (value: string): KeyValue => ({ type: 'text', value })
const f64 = (value: number): KeyValue => ({ type: 'float64', value })
const i64 = (value: bigint): KeyValue => ({ type: 'int64', value })
const NULL: KeyValue = { type: 'null' }

// ---------------------------------------------------------------------------------------------------------
// The model: SQL comparison semantics, written without looking at bytes.

type Family = 'bool' | 'int' | 'float' | 'text' | 'bytes'

function familyOf(v: KeyValue): Family | 'null' {
  switch (v.type) {
    case 'null':
      return 'null'
    case 'bool':
      return 'bool'
    case 'float32':
    case 'float64':
      return 'float'
    case 'text':
      return 'text'
    case 'bytes':
      return 'bytes'
    default:
      return 'int'
  }
}

/** Code points of a string, in order. */
function codePoints(s: string): number[] {
  const out: number[] = []
  for (const ch of s) out.push(ch.codePointAt(0)!)
  return out
}

function compareSequences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return sign(a.length - b.length)
}

/** Compares two non-null values of one type family as SQL does (NaN equal to NaN and above all, -0 = 0). */
function modelCompareValues(a: KeyValue, b: KeyValue): number {
  const fa = familyOf(a)
  if (fa !== familyOf(b)) throw new Error(`model compares one family at a time: ${a.type} vs ${b.type}`)
  switch (fa) {
    case 'bool':
      return sign(Number((a as { value: boolean }).value) - Number((b as { value: boolean }).value))
    case 'int': {
      const x = BigInt((a as { value: number | bigint }).value)
      const y = BigInt((b as { value: number | bigint }).value)
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 'float': {
      const x = (a as { value: number }).value
      const y = (b as { value: number }).value
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1
      if (Number.isNaN(y)) return -1
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 'text':
      return compareSequences(codePoints((a as { value: string }).value), codePoints((b as { value: string }).value))
    case 'bytes':
      return compareSequences((a as { value: Uint8Array }).value, (b as { value: Uint8Array }).value)
    default:
      throw new Error('unreachable')
  }
}

/** Compares one component with its direction; NULLS FIRST/LAST is about the final order. */
function modelCompareComponent(a: KeyValue, b: KeyValue, direction: KeyDirection | undefined): number {
  const descending = direction?.descending ?? false
  const nullsFirst = direction?.nullsFirst ?? descending
  if (a.type === 'null' || b.type === 'null') {
    if (a.type === b.type) return 0
    return (a.type === 'null') === nullsFirst ? -1 : 1
  }
  const c = modelCompareValues(a, b)
  return descending ? 0 - c : c
}

/** Compares composite keys component by component; a key that is a prefix of the other sorts first. */
function modelCompare(a: readonly KeyValue[], b: readonly KeyValue[], directions: readonly (KeyDirection | undefined)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = modelCompareComponent(a[i], b[i], directions[i])
    if (c !== 0) return c
  }
  return sign(a.length - b.length)
}

/** What decodeKey returns for a value, given its type: -0 becomes 0 (invariant 4). */
function normalized(v: KeyValue): KeyValue {
  if ((v.type === 'float64' || v.type === 'float32') && Object.is(v.value, -0)) return { type: v.type, value: 0 }
  return v
}

/** What decodeKey returns for a value without a type: integers as int64/uint64, floats as float64. */
function untyped(v: KeyValue): KeyValue {
  const n = normalized(v)
  switch (familyOf(n)) {
    case 'int': {
      const big = BigInt((n as { value: number | bigint }).value)
      return big > INT64_MAX ? { type: 'uint64', value: big } : { type: 'int64', value: big }
    }
    case 'float':
      return { type: 'float64', value: (n as { value: number }).value }
    default:
      return n
  }
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries. Small pools next to full ranges, so equal values and shared prefixes come up often.

const NARROW: Record<'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32', [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
}

const narrowArb = (type: keyof typeof NARROW): fc.Arbitrary<KeyValue> => {
  const [min, max] = NARROW[type]
  return fc
    .oneof(fc.integer({ min: Math.max(min, -3), max: Math.min(max, 3) }), fc.integer({ min, max }), fc.constantFrom(min, max))
    .map((value) => ({ type, value }))
}

const ARB: Record<KeyColumnType, fc.Arbitrary<KeyValue>> = {
  bool: fc.boolean().map((value) => ({ type: 'bool', value })),
  int8: narrowArb('int8'),
  int16: narrowArb('int16'),
  int32: narrowArb('int32'),
  uint8: narrowArb('uint8'),
  uint16: narrowArb('uint16'),
  uint32: narrowArb('uint32'),
  int64: fc
    .oneof(
      fc.bigInt({ min: -3n, max: 3n }),
      fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
      fc.constantFrom(INT64_MIN, INT64_MAX, -(2n ** 31n) - 1n, 2n ** 31n, -(2n ** 32n), 2n ** 32n, 2n ** 53n + 1n),
    )
    .map((value) => ({ type: 'int64', value })),
  uint64: fc
    .oneof(
      fc.bigInt({ min: 0n, max: 3n }),
      fc.bigInt({ min: 0n, max: UINT64_MAX }),
      fc.constantFrom(0n, INT64_MAX, INT64_MAX + 1n, UINT64_MAX - 1n, UINT64_MAX),
    )
    .map((value) => ({ type: 'uint64', value })),
  float32: fc
    .oneof(fc.float(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1, -1, 2 ** -149, -(2 ** -149)))
    .map((value) => ({ type: 'float32', value })),
  float64: fc
    .oneof(
      fc.double(),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE),
      // The smallest normal double and the largest subnormal one.
      fc.constantFrom(2.2250738585072014e-308, 2.225073858507201e-308, -2.2250738585072014e-308, -2.225073858507201e-308),
      fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 1 + Number.EPSILON, 2 ** 53, -(2 ** 53)),
    )
    .map((value) => ({ type: 'float64', value })),
  text: fc
    .oneof(
      fc.string({ unit: fc.constantFrom('\0', '\x01', 'a', 'b', '\u00e9', '\uffff', '\u{1f600}', '\u{10ffff}'), maxLength: 5 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      // Longer than the hand-encoded limit: the TextEncoder.encodeInto path.
      fc.string({ unit: fc.constantFrom('a', 'b', '\u{1f600}'), minLength: 45, maxLength: 60 }),
      fc.string({ unit: 'binary', minLength: 49, maxLength: 80 }),
      fc.string({ unit: fc.constantFrom('a', '\0'), minLength: 49, maxLength: 60 }),
    )
    .map((value) => ({ type: 'text', value })),
  bytes: fc
    .oneof(
      fc.array(fc.constantFrom(0x00, 0x01, 0xfe, 0xff), { maxLength: 5 }).map((a) => Uint8Array.from(a)),
      fc.uint8Array({ maxLength: 24 }),
    )
    .map((value) => ({ type: 'bytes', value })),
}

const FAMILY_ARB: Record<Family, fc.Arbitrary<KeyValue>> = {
  bool: ARB.bool,
  int: fc.oneof(ARB.int8, ARB.int16, ARB.int32, ARB.uint8, ARB.uint16, ARB.uint32, ARB.int64, ARB.uint64),
  float: fc.oneof(ARB.float32, ARB.float64),
  text: ARB.text,
  bytes: ARB.bytes,
}

const directionArb: fc.Arbitrary<KeyDirection | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ descending: fc.boolean() }),
  fc.record({ descending: fc.boolean(), nullsFirst: fc.boolean() }),
)

interface Column {
  family: Family
  direction: KeyDirection | undefined
}

const schemaArb: fc.Arbitrary<Column[]> = fc.array(
  fc.record({ family: fc.constantFrom<Family>('bool', 'int', 'float', 'text', 'bytes'), direction: directionArb }),
  { minLength: 1, maxLength: 4 },
)

/** A key of the schema, possibly shorter than it (a prefix key), each component NULL one time in five. */
const keyArb = (schema: Column[]): fc.Arbitrary<KeyValue[]> =>
  fc
    .tuple(
      fc.tuple(
        ...schema.map((c) =>
          fc.oneof({ weight: 1, arbitrary: fc.constant(NULL) }, { weight: 4, arbitrary: FAMILY_ARB[c.family] }),
        ),
      ),
      fc.nat(schema.length),
      fc.boolean(),
    )
    .map(([values, cut, full]) => (full ? values : values.slice(0, cut)))

/** Two keys of one schema; often the second shares a prefix with the first. */
const keyPairArb = schemaArb.chain((schema) =>
  fc
    .tuple(fc.constant(schema), keyArb(schema), keyArb(schema), fc.nat(schema.length), fc.boolean())
    .map(([s, a, b, k, share]) => {
      const shared = Math.min(k, a.length)
      return { schema: s, a, b: share ? [...a.slice(0, shared), ...b.slice(shared)] : b }
    }),
)

const directionsOf = (schema: Column[]): (KeyDirection | undefined)[] => schema.map((c) => c.direction)

/** The same value pair arbitrary for every type, for the per-type order tests. */
const pairOf = (type: KeyColumnType) => fc.tuple(ARB[type], ARB[type], directionArb)

function expectRustyError(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(caught).toBeInstanceOf(RustyError)
  const error = caught as RustyError
  expect(error.code).toBe(code)
  for (const fragment of fragments) expect(error.message).toContain(fragment)
}

// ---------------------------------------------------------------------------------------------------------

describe('key order (invariant 1)', () => {
  const types: KeyColumnType[] = [
    'bool',
    'int8',
    'int16',
    'int32',
    'int64',
    'uint8',
    'uint16',
    'uint32',
    'uint64',
    'float32',
    'float64',
    'text',
    'bytes',
  ]
  for (const type of types) {
    it(`orders ${type} values as SQL does, in either direction`, () => {
      check(
        fc.property(pairOf(type), ([a, b, direction]) => {
          expect(sign(compareKeys(enc1(a, direction), enc1(b, direction)))).toBe(modelCompareComponent(a, b, direction))
        }),
        500,
      )
    })
  }

  it('orders integers of different widths against each other by value', () => {
    check(
      fc.property(FAMILY_ARB.int, FAMILY_ARB.int, (a, b) => {
        expect(sign(compareKeys(enc1(a), enc1(b)))).toBe(modelCompareValues(a, b))
      }),
    )
  })

  it('orders composite keys with random directions and null placement as the model does', () => {
    check(
      fc.property(keyPairArb, ({ schema, a, b }) => {
        const directions = directionsOf(schema)
        const got = sign(compareKeys(encodeKey(a, directions), encodeKey(b, directions)))
        expect(got).toBe(modelCompare(a, b, directions))
      }),
      3000,
    )
  })

  it('sorts a list of encoded keys in the model order', () => {
    check(
      fc.property(
        schemaArb.chain((schema) => fc.tuple(fc.constant(schema), fc.array(keyArb(schema), { maxLength: 30 }))),
        ([schema, keys]) => {
          const directions = directionsOf(schema)
          const byBytes = keys.map((k) => ({ k, bytes: encodeKey(k, directions) })).sort((x, y) => compareKeys(x.bytes, y.bytes))
          for (let i = 1; i < byBytes.length; i++) {
            expect(modelCompare(byBytes[i - 1].k, byBytes[i].k, directions)).toBeLessThanOrEqual(0)
          }
        },
      ),
      300,
    )
  })

  it('keeps component boundaries: (ab, z) sorts before (abc, a)', () => {
    const x = encodeKey([text('ab'), text('z')])
    const y = encodeKey([text('abc'), text('a')])
    expect(compareKeys(x, y)).toBe(-1)
    const bx = encodeKey([{ type: 'bytes', value: Uint8Array.of(1) }, { type: 'bytes', value: Uint8Array.of(0xff) }])
    const by = encodeKey([{ type: 'bytes', value: Uint8Array.of(1, 0) }, { type: 'bytes', value: Uint8Array.of(0) }])
    expect(compareKeys(bx, by)).toBe(-1)
  })

  it('sorts a key before its extensions (a prefix key first)', () => {
    const short = encodeKey([i64(5n)])
    const long = encodeKey([i64(5n), NULL])
    expect(compareKeys(short, long)).toBe(-1)
    expect(compareKeys(encodeKey([]), short)).toBe(-1)
  })

  it('puts NULLs last ascending and first descending by default, as PostgreSQL does', () => {
    const values = [i64(-5n), i64(0n), i64(7n)]
    const asc = [NULL, ...values].map((v) => enc1(v)).sort(compareKeys)
    expect(decodeKey(asc[asc.length - 1])).toEqual([NULL])
    const desc = [NULL, ...values].map((v) => enc1(v, { descending: true })).sort(compareKeys)
    expect(decodeKey(desc[0])).toEqual([NULL])
    expect(desc.slice(1).map((k) => decodeKey(k)[0])).toEqual([i64(7n), i64(0n), i64(-5n)])
  })

  it('honours explicit NULLS FIRST and NULLS LAST in both directions', () => {
    for (const descending of [false, true]) {
      for (const nullsFirst of [false, true]) {
        const direction = { descending, nullsFirst }
        const nul = enc1(NULL, direction)
        const extremes: KeyValue[] = [
          text(''),
          text('\uffff\uffff'),
          { type: 'bytes', value: Uint8Array.of(0xff, 0xff) },
          f64(NaN),
          i64(INT64_MAX),
          { type: 'bool', value: true },
        ]
        for (const v of extremes) {
          expect(compareKeys(nul, enc1(v, direction))).toBe(nullsFirst ? -1 : 1)
        }
      }
    }
  })
})

describe('canonical encoding (invariant 2)', () => {
  it('encodes every integer width of one value as the same bytes', () => {
    const expected = hex(enc1(i64(5n)))
    for (const v of [
      { type: 'int8', value: 5 },
      { type: 'int16', value: 5 },
      { type: 'int32', value: 5 },
      { type: 'uint8', value: 5 },
      { type: 'uint16', value: 5 },
      { type: 'uint32', value: 5 },
      { type: 'uint64', value: 5n },
    ] as KeyValue[]) {
      expect(hex(enc1(v))).toBe(expected)
    }
    expect(expected).toBe('20 80 00 00 00 00 00 00 05')
  })

  it('encodes int64 min, -1, 0 and max with the sign bit flipped', () => {
    expect(hex(enc1(i64(INT64_MIN)))).toBe('20 00 00 00 00 00 00 00 00')
    expect(hex(enc1(i64(-1n)))).toBe('20 7f ff ff ff ff ff ff ff')
    expect(hex(enc1(i64(0n)))).toBe('20 80 00 00 00 00 00 00 00')
    expect(hex(enc1(i64(INT64_MAX)))).toBe('20 ff ff ff ff ff ff ff ff')
  })

  it('encodes uint64 above int64 max with its own tag, sorting after int64 max', () => {
    const high = enc1({ type: 'uint64', value: INT64_MAX + 1n })
    expect(hex(high)).toBe('21 80 00 00 00 00 00 00 00')
    expect(hex(enc1({ type: 'uint64', value: UINT64_MAX }))).toBe('21 ff ff ff ff ff ff ff ff')
    expect(compareKeys(enc1(i64(INT64_MAX)), high)).toBe(-1)
  })

  it('encodes an integer given as a number like the same integer given as a bigint', () => {
    const enc = new KeyEncoder()
    check(
      fc.property(
        fc.oneof(
          fc.maxSafeInteger(),
          fc.integer(),
          fc.constantFrom(2 ** 53, -(2 ** 60), 2 ** 63, -(2 ** 63), 2 ** 64 - 2048, 2 ** 32, -(2 ** 32) - 1),
        ),
        (n) => {
          expect(hex(enc.reset().int(n).finish())).toBe(hex(enc.reset().int(BigInt(n)).finish()))
        },
      ),
    )
  })

  it('encodes -0 and 0 identically, so they are equal keys', () => {
    expect(hex(enc1(f64(-0)))).toBe(hex(enc1(f64(0))))
    expect(hex(enc1(f64(0)))).toBe('30 80 00 00 00 00 00 00 00')
    expect(hex(enc1({ type: 'float32', value: -0 }))).toBe(hex(enc1(f64(0))))
  })

  it('encodes every NaN as one key above +Infinity', () => {
    const dv = new DataView(new ArrayBuffer(8))
    const nans: number[] = [NaN]
    for (const [hi, lo] of [
      [0x7ff00000, 1],
      [0xfff80000, 0],
      [0xffffffff, 0xffffffff],
      [0x7ff80000, 42],
    ]) {
      dv.setUint32(0, hi)
      dv.setUint32(4, lo)
      nans.push(dv.getFloat64(0))
    }
    const expected = hex(enc1(f64(NaN)))
    expect(expected).toBe('30 ff f8 00 00 00 00 00 00')
    for (const nan of nans) {
      expect(Number.isNaN(nan)).toBe(true)
      expect(hex(enc1(f64(nan)))).toBe(expected)
    }
    expect(compareKeys(enc1(f64(Infinity)), enc1(f64(NaN)))).toBe(-1)
  })

  it('orders -Infinity, negatives, subnormals, zero, positives, +Infinity, NaN strictly', () => {
    const ladder = [
      -Infinity,
      -Number.MAX_VALUE,
      -1,
      -2.2250738585072014e-308,
      -2.225073858507201e-308,
      -Number.MIN_VALUE,
      0,
      Number.MIN_VALUE,
      2.225073858507201e-308,
      2.2250738585072014e-308,
      1,
      1 + Number.EPSILON,
      Number.MAX_VALUE,
      Infinity,
      NaN,
    ]
    for (let i = 1; i < ladder.length; i++) {
      expect(compareKeys(enc1(f64(ladder[i - 1])), enc1(f64(ladder[i])))).toBe(-1)
      expect(compareKeys(enc1(f64(ladder[i - 1]), { descending: true }), enc1(f64(ladder[i]), { descending: true }))).toBe(1)
    }
  })
})

describe('text and bytes', () => {
  it('encodes empty text as the tag and the terminator, before any other text', () => {
    expect(hex(enc1(text('')))).toBe('40 00 01')
    expect(compareKeys(enc1(text('')), enc1(text('\0')))).toBe(-1)
    expect(decodeKey(enc1(text('')))).toEqual([text('')])
  })

  it('escapes NUL bytes so text with NULs sorts and round-trips', () => {
    expect(hex(enc1(text('a\0b')))).toBe('40 61 00 ff 62 00 01')
    const ordered = ['', '\0', '\0\0', '\0\x01', '\x01', 'a', 'a\0', 'a\0\0', 'a\x01', 'ab'].map((s) => enc1(text(s)))
    for (let i = 1; i < ordered.length; i++) expect(compareKeys(ordered[i - 1], ordered[i])).toBe(-1)
    expect(decodeKey(enc1(text('\0a\0\0')))).toEqual([text('\0a\0\0')])
  })

  it('sorts a string before its extensions', () => {
    const words = ['a', 'ab', 'abc', 'abd', 'b']
    for (let i = 1; i < words.length; i++) {
      expect(compareKeys(enc1(text(words[i - 1])), enc1(text(words[i])))).toBe(-1)
      expect(compareKeys(enc1(text(words[i - 1]), { descending: true }), enc1(text(words[i]), { descending: true }))).toBe(1)
    }
  })

  it('encodes astral-plane characters from surrogate pairs as 4-byte UTF-8', () => {
    expect(hex(enc1(text('\u{1f600}')))).toBe('40 f0 9f 98 80 00 01')
    expect(hex(enc1(text('\u{10ffff}')))).toBe('40 f4 8f bf bf 00 01')
    expect(decodeKey(enc1(text('x\u{1f600}y')))).toEqual([text('x\u{1f600}y')])
  })

  it('orders text by code point, not by UTF-16 unit: U+FFFF sorts before U+1F600', () => {
    expect('\u{1f600}' < '\uffff').toBe(true) // JavaScript's UTF-16 order
    expect(compareKeys(enc1(text('\uffff')), enc1(text('\u{1f600}')))).toBe(-1)
    expect(compareKeys(enc1(text('\ue000')), enc1(text('\u{10000}')))).toBe(-1)
  })

  it('agrees with UTF-8 byte order and code point order for any strings', () => {
    const utf8 = new TextEncoder()
    check(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), (a, b) => {
        const byCodePoint = compareSequences(codePoints(a), codePoints(b))
        expect(compareSequences(utf8.encode(a), utf8.encode(b))).toBe(byCodePoint)
        expect(sign(compareKeys(enc1(text(a)), enc1(text(b))))).toBe(byCodePoint)
      }),
    )
  })

  it('encodes long text (the TextEncoder path) exactly like the hand-written path would', () => {
    const s = 'é😀a'.repeat(40)
    const bytes = enc1(text(s))
    expect(hex(bytes)).toBe(`40 ${hex(new TextEncoder().encode(s))} 00 01`)
    expect(decodeKey(bytes)).toEqual([text(s)])
  })

  it('keeps a leading byte order mark', () => {
    expect(decodeKey(enc1(text('\ufeffx')))).toEqual([text('\ufeffx')])
    expect(decodeKey(enc1(text('\ufeff'.repeat(60))))).toEqual([text('\ufeff'.repeat(60))])
  })

  it('escapes bytes like text and orders them unsigned, a prefix first', () => {
    const b = (...xs: number[]): KeyValue => ({ type: 'bytes', value: Uint8Array.from(xs) })
    expect(hex(enc1(b(0, 0xff, 1)))).toBe('50 00 ff ff 01 00 01')
    const ordered = [b(), b(0), b(0, 0), b(0, 1), b(1), b(0x7f), b(0x80), b(0xff), b(0xff, 0)]
    for (let i = 1; i < ordered.length; i++) expect(compareKeys(enc1(ordered[i - 1]), enc1(ordered[i]))).toBe(-1)
  })

  it('inverts a descending component byte for byte', () => {
    const asc = enc1(text('a\0'))
    const desc = enc1(text('a\0'), { descending: true })
    expect(hex(desc)).toBe(hex(asc.map((x) => x ^ 0xff)))
    expect(hex(desc)).toBe('bf 9e ff 00 ff fe')
  })
})

describe('round trip (invariant 4)', () => {
  it('decodes every typed value back to itself (-0 as 0)', () => {
    check(
      fc.property(keyPairArb, ({ schema, a }) => {
        const types = a.map((v) => (v.type === 'null' ? 'bytes' : v.type))
        expect(decodeKey(encodeKey(a, directionsOf(schema)), types)).toEqual(a.map(normalized))
      }),
      2000,
    )
  })

  it('decodes without types: integers as int64 or uint64, floats as float64', () => {
    check(
      fc.property(keyPairArb, ({ schema, a }) => {
        expect(decodeKey(encodeKey(a, directionsOf(schema)))).toEqual(a.map(untyped))
      }),
      1000,
    )
  })

  it('decodes a descending key without being told its directions', () => {
    const desc = { descending: true }
    const key = encodeKey([i64(-3n), text('x'), NULL, f64(-0.5)], [desc, desc, { descending: true, nullsFirst: false }, desc])
    expect(key[0]).toBe(KeyTag.INT ^ 0xff)
    expect(decodeKey(key)).toEqual([i64(-3n), text('x'), NULL, f64(-0.5)])
  })

  it('round-trips the extremes of every type', () => {
    const values: KeyValue[] = [
      { type: 'int8', value: -128 },
      { type: 'int8', value: 127 },
      { type: 'int16', value: -32768 },
      { type: 'int32', value: -2147483648 },
      { type: 'int32', value: 2147483647 },
      { type: 'uint32', value: 4294967295 },
      i64(INT64_MIN),
      i64(INT64_MAX),
      { type: 'uint64', value: UINT64_MAX },
      f64(Number.MIN_VALUE),
      f64(-Number.MIN_VALUE),
      f64(2.225073858507201e-308),
      f64(Number.MAX_VALUE),
      f64(-Infinity),
      f64(Infinity),
      f64(NaN),
      { type: 'float32', value: 2 ** -149 },
      { type: 'float32', value: 3.4028234663852886e38 },
      { type: 'bool', value: false },
      { type: 'bool', value: true },
    ]
    const types = values.map((v) => v.type as KeyColumnType)
    expect(decodeKey(encodeKey(values), types)).toEqual(values)
    expect(decodeKey(encodeKey(values, values.map(() => ({ descending: true }))), types)).toEqual(values)
  })
})

describe('KeyEncoder', () => {
  it('writes the same bytes as encodeKey through its typed methods', () => {
    const enc = new KeyEncoder(16)
    check(
      fc.property(keyPairArb, ({ schema, a }) => {
        enc.reset()
        a.forEach((v, i) => {
          const descending = schema[i].direction?.descending ?? false
          switch (v.type) {
            case 'null':
              enc.null(descending, schema[i].direction?.nullsFirst ?? descending)
              break
            case 'bool':
              enc.bool(v.value, descending)
              break
            case 'float32':
            case 'float64':
              enc.double(v.value, descending)
              break
            case 'text':
              enc.text(v.value, descending)
              break
            case 'bytes':
              enc.bytes(v.value, descending)
              break
            default:
              enc.int(v.value, descending)
          }
        })
        expect(hex(enc.view())).toBe(hex(encodeKey(a, directionsOf(schema))))
        expect(enc.length).toBe(enc.view().length)
      }),
    )
  })

  it('grows its buffer past the initial capacity and keeps earlier components', () => {
    const enc = new KeyEncoder(16)
    const long = 'x'.repeat(5000) + '\0' + '😀'.repeat(100)
    const key = enc.reset().int(1).text(long).int(2).finish()
    expect(decodeKey(key)).toEqual([i64(1n), text(long), i64(2n)])
    expect(hex(enc.reset().int(3).finish())).toBe(hex(enc1(i64(3n))))
  })

  it('returns a copy from finish() that later writes do not change', () => {
    const enc = new KeyEncoder()
    const first = enc.reset().text('first').finish()
    enc.reset().text('second')
    expect(decodeKey(first)).toEqual([text('first')])
    expect(decodeKey(enc.view())).toEqual([text('second')])
  })

  it('keeps encodeKey correct after an unusually large key', () => {
    const big = 'y'.repeat(20000)
    expect(decodeKey(encodeKey([text(big)]))).toEqual([text(big)])
    expect(hex(encodeKey([i64(1n)]))).toBe(hex(new KeyEncoder().int(1n).finish()))
  })
})

describe('compareKeys and prefixUpperBound', () => {
  it('compares unsigned bytes, a shorter prefix first', () => {
    expect(compareKeys(Uint8Array.of(0x7f), Uint8Array.of(0x80))).toBe(-1)
    expect(compareKeys(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(-1)
    expect(compareKeys(Uint8Array.of(1, 3), Uint8Array.of(1, 2, 0))).toBe(1)
    expect(compareKeys(Uint8Array.of(), Uint8Array.of())).toBe(0)
    expect(compareKeys(Uint8Array.of(9, 9), Uint8Array.of(9, 9))).toBe(0)
  })

  it('increments the last byte below 0xFF and drops the rest', () => {
    expect(hex(prefixUpperBound(Uint8Array.of(1, 2, 3))!)).toBe('01 02 04')
    expect(hex(prefixUpperBound(Uint8Array.of(1, 0xff, 0xff))!)).toBe('02')
    expect(prefixUpperBound(Uint8Array.of(0xff, 0xff))).toBeUndefined()
    expect(prefixUpperBound(Uint8Array.of())).toBeUndefined()
  })

  it('does not modify the prefix it is given', () => {
    const prefix = Uint8Array.of(5, 6)
    prefixUpperBound(prefix)
    expect(hex(prefix)).toBe('05 06')
  })

  it('bounds exactly the keys whose leading components equal the prefix', () => {
    check(
      fc.property(
        keyPairArb.chain((p) => fc.tuple(fc.constant(p), fc.nat(p.a.length))),
        ([{ schema, a, b }, j]) => {
          const directions = directionsOf(schema)
          const lower = encodeKey(a.slice(0, j), directions)
          const upper = prefixUpperBound(lower)
          const key = encodeKey(b, directions)
          const inRange = compareKeys(key, lower) >= 0 && (upper === undefined || compareKeys(key, upper) < 0)
          const sharesPrefix = b.length >= j && modelCompare(b.slice(0, j), a.slice(0, j), directions) === 0
          expect(inRange).toBe(sharesPrefix)
          // Every key with the prefix, in particular the prefix extended by one more component, is below it.
          if (upper !== undefined) expect(compareKeys(encodeKey(a, directions), upper)).toBe(-1)
        },
      ),
      2000,
    )
  })
})

describe('errors', () => {
  it('rejects a non-integer number for an integer type with 22023 naming value and type', () => {
    expectRustyError(() => enc1({ type: 'int32', value: 1.5 }), '22023', '1.5', 'int32')
    expectRustyError(() => enc1({ type: 'uint16', value: NaN }), '22023', 'NaN', 'uint16')
    expectRustyError(() => new KeyEncoder().int(Infinity), '22023', 'Infinity', 'integer')
  })

  it('rejects integers out of their type range with 22023', () => {
    expectRustyError(() => enc1({ type: 'int8', value: 128 }), '22023', '128', 'int8')
    expectRustyError(() => enc1({ type: 'uint8', value: -1 }), '22023', '-1', 'uint8')
    expectRustyError(() => enc1({ type: 'int32', value: 2 ** 31 }), '22023', '2147483648', 'int32')
    expectRustyError(() => enc1({ type: 'int64', value: INT64_MAX + 1n }), '22023', '9223372036854775808', 'int64')
    expectRustyError(() => enc1({ type: 'uint64', value: -1n }), '22023', '-1', 'uint64')
    expectRustyError(() => enc1({ type: 'uint64', value: UINT64_MAX + 1n }), '22023', '18446744073709551616', 'uint64')
    expectRustyError(() => new KeyEncoder().int(2 ** 64), '22023', 'out of range')
    expectRustyError(() => new KeyEncoder().int(-(2n ** 63n) - 1n), '22023', '-9223372036854775809')
  })

  it('rejects values of the wrong JavaScript type with 22023', () => {
    expectRustyError(() => enc1({ type: 'int64', value: 5 as unknown as bigint }), '22023', '5', 'int64')
    expectRustyError(() => enc1({ type: 'int32', value: 5n as unknown as number }), '22023', 'int32')
    expectRustyError(() => enc1({ type: 'text', value: 5 as unknown as string }), '22023', 'text')
    expectRustyError(() => enc1({ type: 'bytes', value: [1, 2] as unknown as Uint8Array }), '22023', 'bytes')
    expectRustyError(() => enc1({ type: 'bool', value: 1 as unknown as boolean }), '22023', 'bool')
    expectRustyError(() => enc1({ type: 'float64', value: '1' as unknown as number }), '22023', 'float64')
    expectRustyError(() => enc1({ type: 'decimal' } as unknown as KeyValue), '22023', 'decimal', 'unknown type')
  })

  it('rejects a float32 value that is not representable as float32 with 22023', () => {
    expectRustyError(() => enc1({ type: 'float32', value: 0.1 }), '22023', '0.1', 'float32')
  })

  it('rejects text with a lone surrogate with 22023, short or long', () => {
    expectRustyError(() => enc1(text('a\ud800b')), '22023', 'text', 'lone surrogate at index 1')
    expectRustyError(() => enc1(text('a\udc00')), '22023', 'lone surrogate')
    expectRustyError(() => enc1(text('x'.repeat(60) + '\ud83d')), '22023', 'lone surrogate at index 60')
  })

  it('rejects malformed key bytes in decodeKey with 22023', () => {
    expectRustyError(() => decodeKey(Uint8Array.of(0x99)), '22023', 'unknown tag 0x99')
    expectRustyError(() => decodeKey(Uint8Array.of(0x20, 1, 2)), '22023', 'truncated integer')
    expectRustyError(() => decodeKey(Uint8Array.of(0x30, 1)), '22023', 'truncated float')
    expectRustyError(() => decodeKey(Uint8Array.of(0x40, 0x61)), '22023', 'unterminated')
    expectRustyError(() => decodeKey(Uint8Array.of(0x40, 0x61, 0x00)), '22023', 'unterminated')
    expectRustyError(() => decodeKey(Uint8Array.of(0x50, 0x00, 0x05, 0x00, 0x01)), '22023', 'bad escape 0x00 0x05')
    expectRustyError(() => decodeKey(Uint8Array.of(0x40, 0xc3, 0x00, 0x01)), '22023', 'not valid UTF-8')
    expectRustyError(() => decodeKey(Uint8Array.of(0x21, 0, 0, 0, 0, 0, 0, 0, 1)), '22023', 'non-canonical integer')
  })

  it('rejects a decoded component that does not match the given type with 22023', () => {
    expectRustyError(() => decodeKey(enc1(text('a')), ['int32']), '22023', 'key component 0', 'text', 'int32')
    expectRustyError(() => decodeKey(enc1(i64(300n)), ['int8']), '22023', '300', 'int8')
    expectRustyError(() => decodeKey(enc1(i64(-1n)), ['uint64']), '22023', '-1', 'uint64')
    const uint64Max = enc1({ type: 'uint64', value: UINT64_MAX })
    expectRustyError(() => decodeKey(uint64Max, ['int64']), '22023', '18446744073709551615', 'int64')
    expectRustyError(() => decodeKey(enc1(f64(0.1)), ['float32']), '22023', 'float32')
    expectRustyError(() => decodeKey(enc1(text('a')), ['varchar' as KeyColumnType]), '22023', 'varchar')
  })

  it('decodes a NULL component whatever its column type', () => {
    expect(decodeKey(encodeKey([NULL, NULL]), ['int64', 'text'])).toEqual([NULL, NULL])
  })
})
