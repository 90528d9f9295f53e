/**
 * Result hashing as sqllogictest.c does it: MD5 over every value followed by '\n', in result order (after
 * sorting), printed as `N values hashing to <32 lower-case hex digits>`.
 * Owns: the hash string and the recognition of a hashed expected result.
 */
import { createHash } from 'node:crypto'

/** The lower-case hex MD5 of `v1\nv2\n...vn\n` (of the empty string when there are no values). */
export function md5OfValues(values: readonly string[]): string {
  const h = createHash('md5')
  for (const v of values) {
    h.update(v)
    h.update('\n')
  }
  return h.digest('hex')
}

/** The reference's hashed result line: `%d values hashing to %s`. */
export function hashLine(values: readonly string[]): string {
  return `${values.length} values hashing to ${md5OfValues(values)}`
}

const HASH_LINE = /^(\d+) values hashing to ([0-9a-f]{32})$/

/** The MD5 of an expected hash line, or undefined when `line` is a plain value. */
export function parseHashLine(line: string): { count: number; md5: string } | undefined {
  const m = HASH_LINE.exec(line)
  return m === null ? undefined : { count: Number(m[1]), md5: m[2] }
}
