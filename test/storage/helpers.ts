/**
 * Shared helpers of the storage tests: deterministic bytes, seeded randomness, RustyError assertions.
 * Invariants:
 *   (1) Every generator is a pure function of its seed (xorshift32; no Math.random), so a failing seed
 *       printed by a test reproduces the failure.
 */
import { expect } from 'vitest'
import { RustyError } from '../../engine/common/index.js'

/** `length` pseudo-random bytes from `seed` (xorshift32; the same generator as e2e/support/data.ts). */
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

/** A seeded pseudo-random source (xorshift32). */
export class Rng {
  #x: number

  constructor(seed: number) {
    this.#x = seed >>> 0 || 0x9e3779b9
  }

  /** The next 32-bit unsigned value. */
  next(): number {
    let x = this.#x
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    this.#x = x
    return x
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff
    return out
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }
}

/** Awaits `promise`, expects it to reject with a RustyError of `code` whose message matches; returns it. */
export async function expectRustyError(promise: Promise<unknown>, code: string, message: RegExp): Promise<RustyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected a RustyError ${code}`).toBeInstanceOf(RustyError)
  expect((error as RustyError).code, (error as RustyError).message).toBe(code)
  expect((error as RustyError).message).toMatch(message)
  return error as RustyError
}

/** Calls `fn`, expects it to throw a RustyError of `code` whose message matches; returns it. */
export function expectRustyThrow(fn: () => unknown, code: string, message: RegExp): RustyError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, `expected a RustyError ${code}`).toBeInstanceOf(RustyError)
  expect((error as RustyError).code, (error as RustyError).message).toBe(code)
  expect((error as RustyError).message).toMatch(message)
  return error as RustyError
}

/** Text as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Bytes as hex, for readable assertion messages and map keys (hex order is byte order). */
export function hex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]]
  return out
}

/** Expects two byte arrays to be equal; fast on large arrays, and the failure names the first difference. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  let diff = -1
  const n = Math.min(actual.length, expected.length)
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      diff = i
      break
    }
  }
  if (diff === -1 && actual.length !== expected.length) diff = n
  expect(diff === -1 ? 'equal' : `${what} differ at byte ${diff} (lengths ${actual.length} and ${expected.length})`).toBe('equal')
}
