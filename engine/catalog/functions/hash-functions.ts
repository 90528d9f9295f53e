/**
 * Hash functions PostgreSQL exposes to SQL: hashtext(text) -> integer.
 * Owns: hashBytes, a port of PostgreSQL's hash_bytes (src/common/hashfn.c, Bob Jenkins' lookup3 hashlittle
 * with PostgreSQL's seed), so hashtext gives the values PostgreSQL gives (tools use it to derive advisory
 * lock keys: `pg_advisory_xact_lock(hashtext('name'))`).
 * Invariants:
 *   (1) hashtext hashes the UTF-8 bytes of the text and returns the 32-bit result as a signed int4, as
 *       PostgreSQL does for deterministic collations on a little-endian machine (tested against PostgreSQL's
 *       own results: test/catalog/functions/hash-functions.test.ts).
 * Not here: the engine's internal hashing (xxhash64 in assembly/).
 */
import { INT4, TEXT } from './impl-util.js'
import { overloads, sig } from './registry.js'

const utf8 = new TextEncoder()

/** lookup3's rot(x, k). */
function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** The little-endian 32-bit word of `k` at byte `i` (a whole word: the 12-byte blocks). */
function word(k: Uint8Array, i: number): number {
  return (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0
}

/** PostgreSQL's hash_bytes (hashfn.c), unsigned 32-bit result. */
export function hashBytes(k: Uint8Array): number {
  let len = k.length
  let a = (0x9e3779b9 + len + 3923095) >>> 0
  let b = a
  let c = a
  let i = 0
  while (len >= 12) {
    a = (a + word(k, i)) >>> 0
    b = (b + word(k, i + 4)) >>> 0
    c = (c + word(k, i + 8)) >>> 0
    // mix(a, b, c)
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0
    i += 12
    len -= 12
  }
  // The last 0-11 bytes (hashfn.c's unaligned path, whose switch falls through); c's lowest byte stays free.
  if (len >= 11) c = (c + (k[i + 10] << 24)) >>> 0
  if (len >= 10) c = (c + (k[i + 9] << 16)) >>> 0
  if (len >= 9) c = (c + (k[i + 8] << 8)) >>> 0
  if (len >= 8) b = (b + (k[i + 7] << 24)) >>> 0
  if (len >= 7) b = (b + (k[i + 6] << 16)) >>> 0
  if (len >= 6) b = (b + (k[i + 5] << 8)) >>> 0
  if (len >= 5) b = (b + k[i + 4]) >>> 0
  if (len >= 4) a = (a + (k[i + 3] << 24)) >>> 0
  if (len >= 3) a = (a + (k[i + 2] << 16)) >>> 0
  if (len >= 2) a = (a + (k[i + 1] << 8)) >>> 0
  if (len >= 1) a = (a + k[i]) >>> 0
  // final(a, b, c)
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0
  return c
}

/** hashtext(text): invariant (1). */
export function hashText(s: string): number {
  return hashBytes(utf8.encode(s)) | 0
}

overloads('hashtext', [sig([TEXT], INT4, (s) => hashText(s as string))])
