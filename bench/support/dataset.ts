/**
 * The benchmark data set: n random 16-byte keys with 100-byte values, generated from fixed seeds.
 * Invariants:
 *   (1) The same n gives the same bytes in every run and every benchmark file.
 *   (2) Keys are distinct (checked), `sortedOrder` lists them ascending, `lookupOrder` is a seeded shuffle.
 */

export const KEY_BYTES = 16
export const VALUE_BYTES = 100

/** Deterministic bytes (mulberry32, 32 bits per step). */
export function randomBytes(count: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(count / 4))
  let state = seed >>> 0
  for (let i = 0; i < words.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    words[i] = (t ^ (t >>> 14)) >>> 0
  }
  return new Uint8Array(words.buffer, 0, count)
}

/** Keys, values and two orders over them. */
export interface Dataset {
  keys: Uint8Array[]
  values: Uint8Array[]
  /** Indexes of `keys` in ascending key order. */
  sortedOrder: number[]
  /** Indexes of `keys` in a seeded random order. */
  lookupOrder: number[]
}

/** Builds the data set of `n` entries. */
export function makeDataset(n: number): Dataset {
  const keyBytes = randomBytes(n * KEY_BYTES, 42)
  const valueBytes = randomBytes(n * VALUE_BYTES, 7)
  const keys: Uint8Array[] = []
  const values: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    keys.push(keyBytes.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES))
    values.push(valueBytes.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES))
  }
  const sortedOrder = keys.map((_, i) => i).sort((a, b) => Buffer.compare(keys[a], keys[b]))
  for (let i = 1; i < n; i++) {
    if (Buffer.compare(keys[sortedOrder[i - 1]], keys[sortedOrder[i]]) === 0) throw new Error('duplicate random key; change the seed')
  }
  const lookupOrder = keys.map((_, i) => i)
  const view = new DataView(randomBytes(n * 4, 99).buffer)
  for (let i = n - 1; i > 0; i--) {
    const j = view.getUint32(i * 4, true) % (i + 1)
    const t = lookupOrder[i]
    lookupOrder[i] = lookupOrder[j]
    lookupOrder[j] = t
  }
  return { keys, values, sortedOrder, lookupOrder }
}

/** Fails the benchmark when a workload did not do what it claims (invariant (1) of every bench file). */
export function expectEqual(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`benchmark check failed: ${what}: got ${actual}, expected ${expected}`)
}
