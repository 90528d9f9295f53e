/**
 * Deterministic test data for the browser suites: the same seed gives the same bytes in Node and in the page.
 * Invariants:
 *   (1) patternBytes(n, seed) depends only on (n, seed) (xorshift32, no Math.random).
 *   (2) Every generator that takes a seed prints nothing itself; suites print the seed on failure.
 */

/** `length` pseudo-random bytes from `seed` (xorshift32). */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 0x9e3779b9
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/**
 * Asserts two byte arrays are equal, naming the first differing offset. (Vitest's deep equality walks a large
 * typed array element by element and takes seconds per MiB; this is one Buffer.compare.)
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  if (a.equals(b)) return
  const n = Math.min(a.length, b.length)
  let diff = n
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      diff = i
      break
    }
  }
  throw new Error(`${what} differ at byte ${diff} (lengths ${a.length} and ${b.length})`)
}
